// Typed errors of the round-robin database. Every error carries a stable `code` so that callers can
// branch on it without parsing messages (CONVENTIONS "errors carry a stable code").

export type RrdErrorCode =
  | 'ERR_RRD_BAD_VALUE'
  | 'ERR_RRD_BAD_TIME'
  | 'ERR_RRD_BAD_ID'
  | 'ERR_RRD_BAD_OPTION'
  | 'ERR_RRD_BAD_ALGORITHM'
  | 'ERR_RRD_BAD_MEMORY_MODE'
  | 'ERR_RRD_DUPLICATE_CHART'
  | 'ERR_RRD_DUPLICATE_DIMENSION'
  | 'ERR_RRD_DUPLICATE_HOST'
  | 'ERR_RRD_UNKNOWN_DIMENSION'
  | 'ERR_RRD_BAD_RESTORE';

export class RrdError extends Error {
  constructor(readonly code: RrdErrorCode, message: string) {
    super(message);
    this.name = 'RrdError';
  }
}

/** Short, loggable rendering of any value for error messages (never throws, never huge). */
export function describeValue(v: unknown): string {
  let s: string;
  if (typeof v === 'bigint') s = `${v}n`;
  else if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number') s = Object.is(v, -0) ? '-0' : String(v);
  else if (v === null || v === undefined || typeof v === 'boolean') s = String(v);
  else if (typeof v === 'symbol') s = v.toString();
  else s = `a ${Object.prototype.toString.call(v).slice(8, -1)}`;
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
