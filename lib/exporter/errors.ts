// Typed errors of the exporter: every error carries a stable `code` (CONVENTIONS, Level style).

export type ExporterErrorCode =
  | 'ERR_EXPORTER_OPTION'        // an exporter/instance option has a value that is not accepted
  | 'ERR_EXPORTER_STATE'         // a method was called in a state that does not allow it (e.g. start twice)
  | 'ERR_EXPORTER_DUPLICATE'     // two instances with the same name in one Exporter
  | 'ERR_EXPORTER_UNSUPPORTED'   // something a backend type does not have (e.g. a line format for remote write)
  | 'ERR_EXPORTER_SEND';         // a send failed (carried in 'failed' events, never thrown to the caller)

export class ExporterError extends Error {
  constructor(readonly code: ExporterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExporterError';
  }
}

/** Short rendering of a value for error messages (never throws, never huge). */
export function show(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'bigint' ? `${v}n` : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'function' ? 'a function' : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
