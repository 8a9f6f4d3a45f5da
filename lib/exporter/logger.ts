// The exporter's log sink. An embedding agent passes its own callback; the default writes to stderr
// like netdata's error.log. Messages are the reference's log lines (SPEC §5.17) where one exists.
// Secrets never reach a log line: the exporter only logs destinations, counts and error messages of
// the transport, and options are rendered by their own redacting toString (lib/exporter/config*).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string) => void;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** A logger writing `YYYY-MM-DD hh:mm:ss: rrd-backends LEVEL : message` lines to stderr from `minLevel` up. */
export function stderrLogger(minLevel: LogLevel = 'info'): Logger {
  const min = ORDER[minLevel];
  return (level, message) => {
    if (ORDER[level] < min) return;
    const ts = new Date().toISOString().replace('T', ' ').slice(0, 19);
    process.stderr.write(`${ts}: rrd-backends ${level.toUpperCase()} : ${message}\n`);
  };
}

/** A logger that drops everything below `minLevel` and forwards the rest. */
export function filterLogger(next: Logger, minLevel: LogLevel): Logger {
  const min = ORDER[minLevel];
  return (level, message) => {
    if (ORDER[level] >= min) next(level, message);
  };
}

/** Calls a user logger without letting its exceptions break the exporter loop. */
export function safeLogger(next: Logger): Logger {
  return (level, message) => {
    try {
      next(level, message);
    } catch {
      /* a broken log callback must not stop the exporter */
    }
  };
}
