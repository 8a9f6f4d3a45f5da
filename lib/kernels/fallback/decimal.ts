// Decimal writers for the wire formats: "%lld", "%llu" and "%0.7Lf" (SPEC §2.5, Appendix A).
// They write ASCII bytes into a caller's buffer and return the new position; the caller
// guarantees the room (64 bytes always suffice for one number).

const CH_0 = 0x30;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;

// "00".."99" as byte pairs: two digits per division.
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = CH_0 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = CH_0 + (i % 10);
}

/** Number of decimal digits of an integer 0 <= x < 2^32. */
function digitCount32(x: number): number {
  if (x < 100000) {
    if (x < 100) return x < 10 ? 1 : 2;
    return x < 1000 ? 3 : x < 10000 ? 4 : 5;
  }
  if (x < 10000000) return x < 1000000 ? 6 : 7;
  return x < 100000000 ? 8 : x < 1000000000 ? 9 : 10;
}

/** Writes the digits of x (0 <= x < 2^32) right-aligned so that they end at `end`. */
function writeDigitsBackwards(out: Uint8Array, end: number, x: number, count: number): void {
  let p = end;
  while (count >= 2) {
    const q = (x / 100) >>> 0;
    const r = (x - q * 100) << 1;
    out[--p] = PAIRS[r + 1];
    out[--p] = PAIRS[r];
    x = q;
    count -= 2;
  }
  if (count === 1) out[--p] = CH_0 + x;
}

/** Writes the decimal digits of a non-negative integer below 2^53 held in a double. */
export function writeUnsignedSafe(out: Uint8Array, pos: number, v: number): number {
  if (v < 4294967296) {
    const len = digitCount32(v);
    writeDigitsBackwards(out, pos + len, v >>> 0, len);
    return pos + len;
  }
  // Split into a high part and the last 9 digits; both stay exact in doubles below 2^53.
  let hi = Math.floor(v / 1e9);
  let lo = v - hi * 1e9;
  if (lo < 0) { hi -= 1; lo += 1e9; } else if (lo >= 1e9) { hi += 1; lo -= 1e9; }
  pos = writeUnsignedSafe(out, pos, hi);
  return writeFixedDigits(out, pos, lo >>> 0, 9);
}

/** Writes exactly `width` digits of x (0 <= x < 10^width, width <= 9), zero padded. */
export function writeFixedDigits(out: Uint8Array, pos: number, x: number, width: number): number {
  writeDigitsBackwards(out, pos + width, x, width);
  return pos + width;
}

/** Writes the ASCII of a decimal string (digits and '-' only). */
export function writeAscii(out: Uint8Array, pos: number, s: string): number {
  for (let i = 0; i < s.length; i++) out[pos++] = s.charCodeAt(i);
  return pos;
}

/** "%lld" of a signed 64-bit integer (SPEC §2.5 COLLECTED_NUMBER_FORMAT). */
export function writeInt64(out: Uint8Array, pos: number, v: bigint): number {
  const n = Number(v);
  if (Number.isSafeInteger(n)) {
    if (n < 0) {
      out[pos++] = CH_MINUS;
      return writeUnsignedSafe(out, pos, -n);
    }
    return writeUnsignedSafe(out, pos, n);
  }
  // BigInt.asIntN gives the value the C code would hold in an int64_t.
  return writeAscii(out, pos, BigInt.asIntN(64, v).toString());
}

/** "%llu" of (unsigned long long)(time_t)t: negative timestamps print as 2^64 + t (SPEC §2.5). */
export function writeUint64Time(out: Uint8Array, pos: number, t: number): number {
  if (t >= 0 && t <= Number.MAX_SAFE_INTEGER) return writeUnsignedSafe(out, pos, t);
  return writeAscii(out, pos, BigInt.asUintN(64, BigInt(Math.trunc(t))).toString());
}

/**
 * "%0.7Lf" of the value `units` * 10^-7 when that value is known exactly: units is a
 * non-negative integer below 2^53, `neg` is the sign bit of the long double (glibc prints '-'
 * for every negative value, -0 included).
 */
export function writeUnits7(out: Uint8Array, pos: number, neg: boolean, units: number): number {
  if (neg) out[pos++] = CH_MINUS;
  let ip = Math.floor(units / 1e7);
  let fr = units - ip * 1e7;
  // units / 1e7 may round up to the next integer near multiples of 1e7; fix it exactly.
  if (fr < 0) { ip -= 1; fr += 1e7; } else if (fr >= 1e7) { ip += 1; fr -= 1e7; }
  pos = writeUnsignedSafe(out, pos, ip);
  out[pos++] = CH_DOT;
  return writeFixedDigits(out, pos, fr, 7);
}

const FRACTION_PAD = ['', '0', '00', '000', '0000', '00000', '000000', '0000000'];

/** String form of writeUnits7. */
export function units7ToString(neg: boolean, units: number): string {
  let ip = Math.floor(units / 1e7);
  let fr = units - ip * 1e7;
  if (fr < 0) { ip -= 1; fr += 1e7; } else if (fr >= 1e7) { ip += 1; fr -= 1e7; }
  const f = String(fr);
  return (neg ? '-' : '') + String(ip) + '.' + FRACTION_PAD[7 - f.length] + f;
}

/** "%0.7Lf" text of the value sign * units * 10^-7 where units is an exact non-negative BigInt. */
export function bigUnits7ToString(neg: boolean, units: bigint): string {
  const s = units.toString().padStart(8, '0');
  return (neg ? '-' : '') + s.slice(0, s.length - 7) + '.' + s.slice(s.length - 7);
}
