// Command-line arguments of `rrd-backends`. Parsing is pure: it returns what to do or throws a UsageError
// that names the argument and what is accepted (exit code 2).
import { isIP } from 'net';
import { LOG_LEVELS, LogLevel } from '../exporter/logger';
import { DEMO_CHARTS_MAX } from '../agent/demo-charts';

export class UsageError extends Error {
  readonly code = 'ERR_CLI_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunArgs {
  action: 'run';
  config: string | null;
  /** null = no HTTP server (`--http off`). */
  http: { host: string; port: number } | null;
  demoCharts: number;
  once: boolean;
  /** Export file of the embedded default (only without --config). */
  file: string | null;
  logLevel: LogLevel;
}

export type CliArgs = RunArgs | { action: 'help' } | { action: 'version' };

export const DEFAULT_HTTP = Object.freeze({ host: '127.0.0.1', port: 19999 });

const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** `HOST:PORT`, `[IPv6]:PORT` or `off`. */
export function parseListen(value: string): { host: string; port: number } | null {
  if (value === 'off') return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(value);
  const accepted = 'accepted: HOST:PORT (e.g. 127.0.0.1:19999, [::1]:19999, localhost:0 for any free port) or off';
  if (m === null) throw new UsageError(`--http ${JSON.stringify(value)} is not an address; ${accepted}`);
  const host = (m[1] ?? m[2]) as string;
  const port = Number(m[3]);
  if (m[1] !== undefined && isIP(host) !== 6) throw new UsageError(`--http ${JSON.stringify(value)}: ${host} is not an IPv6 address; ${accepted}`);
  if (m[2] !== undefined && isIP(host) === 0 && !HOST_NAME.test(host)) throw new UsageError(`--http ${JSON.stringify(value)}: ${JSON.stringify(host)} is not a host name or IP address; ${accepted}`);
  if (port > 65535) throw new UsageError(`--http ${JSON.stringify(value)}: port ${port} is out of range; ${accepted}`);
  return { host, port };
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const out: RunArgs = { action: 'run', config: null, http: { ...DEFAULT_HTTP }, demoCharts: 0, once: false, file: null, logLevel: 'info' };
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : null;
    const value = (): string => {
      if (inline !== null) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('-') && v !== '-')) throw new UsageError(`${name} needs a value; see --help`);
      i++;
      return v;
    };
    const flag = (): void => {
      if (inline !== null) throw new UsageError(`${name} takes no value (got ${JSON.stringify(inline)})`);
    };
    const canonical = name === '-c' ? '--config' : name === '-h' ? '--help' : name === '-V' ? '--version' : name;
    if (seen.has(canonical)) throw new UsageError(`${canonical} is given twice; give it once`);
    seen.add(canonical);
    switch (canonical) {
      case '--help':
        flag();
        return { action: 'help' };
      case '--version':
        flag();
        return { action: 'version' };
      case '--config': {
        const v = value();
        if (v === '' || v.includes('\0')) throw new UsageError('--config needs a file name (a netdata.conf with [backend] sections)');
        out.config = v;
        break;
      }
      case '--http':
        out.http = parseListen(value());
        break;
      case '--demo-charts': {
        const v = value();
        if (!/^[0-9]{1,6}$/.test(v) || Number(v) > DEMO_CHARTS_MAX) {
          throw new UsageError(`--demo-charts ${JSON.stringify(v)} is not accepted; accepted: a whole number from 0 to ${DEMO_CHARTS_MAX} (charts of 50 dimensions)`);
        }
        out.demoCharts = Number(v);
        break;
      }
      case '--once':
        flag();
        out.once = true;
        break;
      case '--file': {
        const v = value();
        if (v === '' || /[\s,\0]/.test(v)) throw new UsageError(`--file ${JSON.stringify(v)} is not accepted; accepted: a file path without spaces or commas`);
        out.file = v;
        break;
      }
      case '--log-level': {
        const v = value();
        if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new UsageError(`--log-level ${JSON.stringify(v)} is not accepted; accepted: ${LOG_LEVELS.join(', ')}`);
        out.logLevel = v as LogLevel;
        break;
      }
      default:
        throw new UsageError(arg.startsWith('-') ? `unknown option ${JSON.stringify(name)}; see --help` : `unexpected argument ${JSON.stringify(arg)}; options start with --, see --help`);
    }
  }
  if (out.config !== null && out.file !== null) {
    throw new UsageError('--file sets the export file of the embedded default and cannot be combined with --config (put destination = file:PATH in the configuration instead)');
  }
  return out;
}
