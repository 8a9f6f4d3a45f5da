// Input checks of the public API. Each failure names the offending key/value and what is accepted.
import { describeValue, RrdError, RrdErrorCode } from './errors';
import { RRD_ID_LENGTH_MAX, utf8Length } from './strings';

/** A label for error messages; a function when building it would cost something on the hot path. */
export type Label = string | (() => string);

const text = (what: Label) => (typeof what === 'string' ? what : what());

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * A collected value is a signed 64-bit integer (SPEC §1.3 collected_number): a bigint in int64 range or a
 * number that is a safe integer. Anything else (fractions, NaN, ±Infinity, unsafe integers, strings) is
 * refused rather than silently rounded.
 */
export function toInt64(value: unknown, what: Label): bigint {
  if (typeof value === 'bigint') {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
    throw new RrdError('ERR_RRD_BAD_VALUE', `${text(what)}: ${describeValue(value)} is outside the signed 64-bit range; accepted: a bigint in [-2^63, 2^63-1] (use BigInt.asIntN(64, v) for unsigned 64-bit counters) or a safe-integer number`);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new RrdError('ERR_RRD_BAD_VALUE', `${text(what)}: ${describeValue(value)} is not a 64-bit integer; accepted: a bigint in [-2^63, 2^63-1] or a safe-integer number (Number.isSafeInteger)`);
}

/** Timestamps of the collection API: non-negative integer microseconds since the epoch. */
export function checkTimeUs(timeUs: unknown, what: Label): number {
  if (typeof timeUs === 'number' && Number.isSafeInteger(timeUs) && timeUs >= 0) return timeUs;
  throw new RrdError('ERR_RRD_BAD_TIME', `${text(what)}: ${describeValue(timeUs)} is not a timestamp; accepted: a non-negative safe integer number of microseconds since the epoch (e.g. Date.now() * 1000)`);
}

export function checkInteger(value: unknown, what: string, min: number, max: number, code: RrdErrorCode = 'ERR_RRD_BAD_OPTION'): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
  throw new RrdError(code, `${what}: ${describeValue(value)} is not accepted; accepted: an integer from ${min} to ${max}`);
}

/** multiplier/divisor: 64-bit integers in the reference; values beyond 2^53 are meaningless there too. */
export function checkFactor(value: unknown, what: string): number {
  if (typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new RrdError('ERR_RRD_BAD_OPTION', `${what}: ${describeValue(value)} is not accepted; accepted: an integer (number or bigint) within ±(2^53-1)`);
}

/** Ids (chart type/id, dimension id): non-empty strings of at most 200 UTF-8 bytes (SPEC §1.2, §1.3). */
export function checkId(value: unknown, what: string): string {
  if (typeof value === 'string' && value.length > 0) {
    const n = utf8Length(value);
    if (n <= RRD_ID_LENGTH_MAX) return value;
    throw new RrdError('ERR_RRD_BAD_ID', `${what}: ${describeValue(value)} is ${n} UTF-8 bytes long; accepted: a non-empty string of at most ${RRD_ID_LENGTH_MAX} bytes`);
  }
  throw new RrdError('ERR_RRD_BAD_ID', `${what}: ${describeValue(value)} is not accepted; accepted: a non-empty string of at most ${RRD_ID_LENGTH_MAX} UTF-8 bytes`);
}

/** Optional strings: undefined/null/"" mean "use the default" (the plugins.d parser treats "" as absent). */
export function optionalString(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  throw new RrdError('ERR_RRD_BAD_OPTION', `${what}: ${describeValue(value)} is not accepted; accepted: a string, or undefined/null for the default`);
}

export function optionalBoolean(value: unknown, what: string, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value === 'boolean') return value;
  throw new RrdError('ERR_RRD_BAD_OPTION', `${what}: ${describeValue(value)} is not accepted; accepted: true or false`);
}
