// Storage numbers (SPEC §2.1-§2.4) with fast double paths that are provably identical to the
// emulated long double of sn-exact.ts, falling back to it whenever a decision is too close to call.
import { SN_FLAGS_MASK, SN_EXISTS_100, SN_EXISTS_RESET } from '../types';
import { packExact } from './sn-exact';
import { R3, softUnpack, softToDouble } from './ld-soft';
import { halfUlp, productResidual } from './float-tools';
import { units7ToString } from './decimal';
import { slowPathStats } from './slow-path-stats';

/** does_storage_number_exist (SPEC §2.1): any of the flag bits 24-26 is set. */
export function storageNumberExists(word: number): boolean {
  return (word & SN_FLAGS_MASK) !== 0;
}

/** did_storage_number_reset (SPEC §2.1): the flags are exactly SN_EXISTS_RESET (bit 24 clear). */
export function storageNumberDidReset(word: number): boolean {
  return (word & SN_FLAGS_MASK) === SN_EXISTS_RESET;
}

/** 10^i and 100^i as exact doubles. */
export const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];
const POW100 = [1, 1e2, 1e4, 1e6, 1e8, 1e10, 1e12, 1e14];

const MANTISSA_MAX = 16777215;
const MULTIPLY_BELOW = 1677726; // SPEC §2.2 step 6, 0x0019999e
const FACTOR100_ABOVE = 167772150000000; // n / 10^7 > 16777215, see below

/*
 * Why the fast pack is exact (SPEC §2.2).
 * Let a = |value| (a double, exact in long double). The reference computes the chain
 * n_k = n_{k-1} / f (or * 10) in long double: n_k = a / f^k * (1 + d) with |d| <= 7.01 * 2^-64.
 * The fast path computes x = a / f^k (or a * 10^k) in double with ONE rounding: relative error
 * <= 2^-53 (f^k <= 10^14 and 10^k <= 10^7 are exact doubles). So |x - n_k| <= 2^-52 * x.
 * - A comparison n_k > L (L = 16777215 or 1677726) is decided from x when |x - L| > x * 2^-48.
 * - The final mantissa is lrint((double)n_k): (double) rounds to 53 bits (half ulp <= 2^-53 * n),
 *   then lrint rounds to an integer, ties to even. If n_k is more than 2^-53 * n_k away from every
 *   half-integer h, (double)n_k is on the same side of h and lrint gives round(n_k). With x we
 *   require |x - h| > x * 2^-48 + 2^-1000 (the absolute term covers subnormal products), which
 *   exceeds |x - n_k| + 2^-53 * n_k by a factor of about 8.
 * - The factor-100 test n / 10^7 > 16777215 (one long double division) equals a > 167772150000000
 *   exactly: the doubles next to that integer are 2^-5 away, i.e. 3.1e-12 after the division,
 *   more than the long double half ulp at 2^24 (2^-40 = 9.1e-13).
 * Anything inside a margin goes to packExact (BigInt).
 */
const MARGIN = 2 ** -48;
const TINY = 2 ** -1000;
const SLOW = -1;

let row1Flag = false;

/** Result of the last packFast call: true when the SPEC §7 row-1 fix changed the word. */
export function lastPackRow1(): boolean {
  return row1Flag;
}

/** Rounds x (>= 0) to an integer, ties to even through (double) then lrint; SLOW when too close to a tie. */
function roundMantissa(x: number): number {
  const f = Math.floor(x);
  const d = x - f - 0.5;
  if (Math.abs(d) <= x * MARGIN + TINY) return SLOW;
  return d > 0 ? f + 1 : f;
}

function packFastCore(value: number, flags: number): number {
  row1Flag = false;
  const fl = (flags & SN_FLAGS_MASK) >>> 0;
  if (value === 0 || value !== value) return fl; // SPEC §2.2 step 2 and the NaN row of §2.4
  let a = value;
  let sign = 0;
  if (a < 0) { sign = 0x80000000; a = -a; }
  if (a === Infinity) return sign + (fl | SN_EXISTS_100) + 0x40000000 + (7 << 27) + MANTISSA_MAX;
  if (a > MANTISSA_MAX) {
    // Multiply mode: divide by the factor until the mantissa fits, at most 7 times.
    const f100 = a > FACTOR100_ABOVE;
    const pows = f100 ? POW100 : POW10;
    const flagBits = f100 ? (fl | SN_EXISTS_100) : fl;
    let m = 1;
    let x = a / pows[1];
    for (;;) {
      const d = x - MANTISSA_MAX;
      if (Math.abs(d) <= x * MARGIN) return SLOW;
      if (d < 0) break;
      if (m === 7) return sign + flagBits + 0x40000000 + (7 << 27) + MANTISSA_MAX; // saturated
      m++;
      x = a / pows[m];
    }
    const mant = roundMantissa(x);
    if (mant === SLOW) return SLOW;
    return sign + flagBits + 0x40000000 + m * 2 ** 27 + mant;
  }
  // Divide mode: multiply by 10 while below 1677726, at most 7 times. At m = 0 the test is exact.
  let m = 0;
  let x = a;
  if (a < MULTIPLY_BELOW) {
    for (;;) {
      m++;
      x = a * POW10[m];
      if (m === 7) break;
      const d = x - MULTIPLY_BELOW;
      if (Math.abs(d) <= x * MARGIN + TINY) return SLOW;
      if (d >= 0) break;
    }
  }
  let mant = roundMantissa(x);
  if (mant === SLOW) return SLOW;
  if (mant > MANTISSA_MAX) {
    // SPEC §7 row 1: re-divide once. n_m / 10 is within (m + 1) * 2^-64 of a * 10^(m-1), so the
    // same margin argument applies to x = a * 10^(m-1).
    m--;
    mant = roundMantissa(a * POW10[m]);
    if (mant === SLOW) return SLOW;
    row1Flag = true;
  }
  return sign + fl + m * 2 ** 27 + mant;
}

/** pack with the row-1 fix (SPEC §2.2, §7 row 1); lastPackRow1() tells whether the fix applied. */
export function packFast(value: number, flags: number): number {
  const w = packFastCore(value, flags);
  if (w !== SLOW) return w;
  slowPathStats.pack++;
  const exact = packExact(value, flags);
  row1Flag = exact.row1;
  return exact.word;
}

/*
 * Why the fast unpack is exact (SPEC §2.3).
 * Multiply mode: n * f^m < 2^24 * 10^14 and f^m = 2^a * 5^b with 5^b <= 5^14 < 2^33, so every
 * long double product is exact; the double product n * f^m is the nearest double of that integer.
 * Divide mode: the long double chain gives R = q * (1 + d), q = n / 10^m, |d| <= 7.01 * 2^-64.
 * d = n / 10^m in double is the nearest double of q. The nearest double of R is d unless a
 * midpoint between doubles lies within |R - q| of q: we require
 *   halfUlp(d) - |q - d| > d * 2^-61   (2^-61 = 8 * 2^-64 > 7.01 * 2^-64 * q / d),
 * with |q - d| = |d * 10^m - n| / 10^m computed exactly by productResidual. Otherwise: BigInt.
 */
export function unpackFast(word: number): number {
  const w = word >>> 0;
  if (w === 0) return 0;
  const n = w & 0x00ffffff;
  const m = (w >>> 27) & 7;
  let v: number;
  if ((w & 0x40000000) !== 0) {
    v = n * ((w & SN_EXISTS_100) !== 0 ? POW100[m] : POW10[m]);
  } else if (m === 0 || n === 0) {
    v = n;
  } else {
    const p = POW10[m];
    v = n / p;
    const slack = halfUlp(v) * p - Math.abs(productResidual(v, p, n));
    if (!(slack > n * 2 ** -60)) { // n * 2^-60 >= d * p * 2^-61
      slowPathStats.unpack++;
      softUnpack(R3, w);
      return softToDouble(R3); // always in the normal range here (1e-7 <= |value| < 2^24)
    }
  }
  return w >= 0x80000000 ? -v : v;
}

/*
 * "%0.7Lf" of an unpacked word needs no slow path (SPEC §2.5):
 * divide mode: |R - q| * 10^7 <= 7.01 * 2^-64 * n * 10^(7-m) < 7.01 * 2^-64 * 2^48 < 0.5, so the
 * printed value is exactly n * 10^(7-m) units of 1e-7; multiply mode: R = n * f^m is an integer,
 * and f^m is a power of ten, so its digits are n followed by zeros. The sign bit always prints
 * '-' (a negative word with mantissa 0 is -0.0, SPEC §2.3 step 5).
 */
export function unpackTextFast(word: number): string {
  const w = word >>> 0;
  if (w === 0) return '0.0000000';
  const neg = w >= 0x80000000;
  const n = w & 0x00ffffff;
  const m = (w >>> 27) & 7;
  if ((w & 0x40000000) === 0) return units7ToString(neg, n * POW10[7 - m]);
  if (n === 0) return neg ? '-0.0000000' : '0.0000000';
  const zeros = (w & SN_EXISTS_100) !== 0 ? 2 * m : m;
  return (neg ? '-' : '') + String(n) + '0'.repeat(zeros) + '.0000000';
}
