// Exact software model of the x87 80-bit `long double` the reference computes in (SPEC §2.5,
// §7 row 24): a 64-bit mantissa and round-to-nearest-even after every operation. This is the
// slow path and the oracle of the fast paths (storage-number.ts, value-calc.ts); it is written
// for obvious correctness, not speed (BigInt on every operation).
//
// Only finite values are modelled: the callers handle NaN and infinities before they get here
// (pack does, SPEC §2.2), and every other input (unpacked words, sums, averages) is finite.
// The exponent range is unbounded, which is exact for the reference: the x87 exponent range
// (±16383) is never approached by doubles scaled by at most 100^7.

/** value = (neg ? -1 : 1) * m * 2^e, with m == 0n (a signed zero) or 2^63 <= m < 2^64. */
export interface LD {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
}

const MANT_BITS = 64;
const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;

export const LD_ZERO: LD = { neg: false, m: 0n, e: 0 };
export const LD_NEG_ZERO: LD = { neg: true, m: 0n, e: 0 };

/** Number of significant bits of a non-negative BigInt. */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * Rounds the exact value (neg ? -1 : 1) * (n + s) * 2^e to 64 bits, nearest-even, where s is an
 * unknown amount in (0, 1) when `sticky` (the remainder of a division) and 0 otherwise.
 * Callers that pass sticky=true give n at least 66 significant bits so the remainder lies
 * strictly below the rounding position.
 */
export function ldRound(neg: boolean, n: bigint, e: number, sticky: boolean): LD {
  if (n === 0n) {
    if (sticky) throw new RangeError('ldRound: sticky remainder without significant bits');
    return neg ? LD_NEG_ZERO : LD_ZERO;
  }
  const bits = bitLength(n);
  if (bits <= MANT_BITS) {
    if (sticky) throw new RangeError('ldRound: sticky remainder needs more than 64 significant bits');
    const shift = MANT_BITS - bits;
    return { neg, m: n << BigInt(shift), e: e - shift };
  }
  const shift = BigInt(bits - MANT_BITS);
  let q = n >> shift;
  const rem = n & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  let exp = e + Number(shift);
  if (q === TWO64) {
    q = TWO63;
    exp += 1;
  }
  return { neg, m: q, e: exp };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts only (x86-64, arm64): the high word of a double is u32[1].
const HI = 1;
const LO = 0;

/** The exact long double of a finite double (every double is a long double). */
export function ldFromDouble(x: number): LD {
  if (!Number.isFinite(x)) throw new RangeError(`ldFromDouble: ${x} is not finite`);
  f64[0] = x;
  const hi = u32[HI];
  const lo = u32[LO];
  const neg = (hi >>> 31) === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (mant === 0n && biased === 0) return neg ? LD_NEG_ZERO : LD_ZERO;
  let e: number;
  if (biased === 0) {
    e = -1074; // subnormal
  } else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  return ldRound(neg, mant, e, false);
}

/** The exact long double of an integer given as a BigInt (|k| < 2^64 is exact). */
export function ldFromBigInt(k: bigint): LD {
  const neg = k < 0n;
  return ldRound(neg, neg ? -k : k, 0, false);
}

/** a + b, rounded (x87 FADD, round to nearest even). */
export function ldAdd(a: LD, b: LD): LD {
  if (a.m === 0n && b.m === 0n) return a.neg && b.neg ? LD_NEG_ZERO : LD_ZERO;
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const na = a.m << BigInt(a.e - e);
  const nb = b.m << BigInt(b.e - e);
  if (a.neg === b.neg) return ldRound(a.neg, na + nb, e, false);
  // Opposite signs: an exact zero difference is +0 in round-to-nearest (IEEE 754 §6.3).
  if (na === nb) return LD_ZERO;
  return na > nb ? ldRound(a.neg, na - nb, e, false) : ldRound(b.neg, nb - na, e, false);
}

/** -a */
export function ldNeg(a: LD): LD {
  return { neg: !a.neg, m: a.m, e: a.e };
}

/** a * k for a positive integer k (exact product, one rounding: x87 FMUL by an exact constant). */
export function ldMulInt(a: LD, k: number | bigint): LD {
  const kk = BigInt(k);
  if (kk <= 0n) throw new RangeError(`ldMulInt: factor ${k} must be a positive integer`);
  if (a.m === 0n) return a;
  return ldRound(a.neg, a.m * kk, a.e, false);
}

// Extra quotient bits so that a 64-bit dividend divided by a divisor below 2^64 keeps >= 66 bits.
const DIV_EXTRA = 68;

/** a / k for a positive integer k below 2^64 (exact quotient, one rounding: x87 FDIV). */
export function ldDivInt(a: LD, k: number | bigint): LD {
  const kk = BigInt(k);
  if (kk <= 0n || kk >= TWO64) throw new RangeError(`ldDivInt: divisor ${k} must be an integer in [1, 2^64)`);
  if (a.m === 0n) return a;
  const num = a.m << BigInt(DIV_EXTRA);
  const q = num / kk;
  const rem = num - q * kk;
  return ldRound(a.neg, q, a.e - DIV_EXTRA, rem !== 0n);
}

/** Sign of a - b as -1, 0, 1 (exact; -0 equals +0). */
export function ldCompare(a: LD, b: LD): number {
  const sa = a.m === 0n ? 0 : a.neg ? -1 : 1;
  const sb = b.m === 0n ? 0 : b.neg ? -1 : 1;
  if (sa !== sb || sa === 0) return Math.sign(sa - sb);
  const e = Math.min(a.e, b.e);
  const na = a.m << BigInt(a.e - e);
  const nb = b.m << BigInt(b.e - e);
  const mag = na === nb ? 0 : na > nb ? 1 : -1;
  return sa * mag;
}

/** True when a == 0 (either sign). */
export function ldIsZero(a: LD): boolean {
  return a.m === 0n;
}

/** The nearest double, ties to even (x87 FST to a double), including gradual underflow. */
export function ldToDouble(a: LD): number {
  if (a.m === 0n) return a.neg ? -0 : 0;
  // The top bit of m has weight 2^(e+63). A double keeps 53 bits down to weight 2^-1074.
  const top = a.e + 63;
  let keep = 53;
  if (top < -1022) keep = 53 - (-1022 - top);
  if (keep < 0) return a.neg ? -0 : 0; // below half of the smallest subnormal
  const drop = BigInt(64 - keep);
  let q = a.m >> drop;
  const rem = a.m & ((1n << drop) - 1n);
  const half = 1n << (drop - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  // q * 2^(e + drop): split the power of two so that no intermediate overflows or underflows.
  const exp = a.e + Number(drop);
  let v = Number(q);
  let x = exp;
  while (x > 1000) { v *= 2 ** 1000; x -= 1000; }
  while (x < -1000) { v *= 2 ** -1000; x += 1000; }
  v *= 2 ** x;
  return a.neg ? -v : v;
}

/** The exact rational value as numerator/denominator BigInts (for tests and diagnostics). */
export function ldToRational(a: LD): { num: bigint; den: bigint } {
  const s = a.neg ? -1n : 1n;
  if (a.e >= 0) return { num: s * (a.m << BigInt(a.e)), den: 1n };
  return { num: s * a.m, den: 1n << BigInt(-a.e) };
}
