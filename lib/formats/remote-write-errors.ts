// Typed errors of the remote-write encoder: every error carries a stable `code` (CONVENTIONS, Level style).

export type RemoteWriteErrorCode =
  | 'ERR_REMOTE_WRITE_OPTION'   // an encoder option has a value that is not accepted
  | 'ERR_REMOTE_WRITE_CHART'    // a chart's arrays do not match each other
  | 'ERR_REMOTE_WRITE_STATE'    // a method was called outside beginIteration()/finishIteration()
  | 'ERR_REMOTE_WRITE_DECODE';  // a WriteRequest that cannot be decoded (decoder only)

export class RemoteWriteError extends Error {
  constructor(readonly code: RemoteWriteErrorCode, message: string) {
    super(message);
    this.name = 'RemoteWriteError';
  }
}

/** Short rendering of a value for messages (never throws, never huge). */
export function showOption(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
