// A fast exact model of the x87 long double (64-bit mantissa, round to nearest even after every
// operation; SPEC §2.5, §7 row 24) on plain numbers, for the exact path of the value calculation
// (sums and averages that the integer fast path of value-calc.ts cannot decide, e.g. exact ties).
// It computes the same results as the BigInt model in ld80.ts (the oracle it is tested against)
// at a fraction of the cost: mantissas are two 32-bit digits held in doubles, intermediate
// results are exact digit strings of at most 6 digits, rounded once by roundDigits().
//
// Registers: a Float64Array of 4-number slots [neg (0/1), hi, lo, e] meaning
// (-1)^neg * (hi * 2^32 + lo) * 2^e with 2^31 <= hi < 2^32, or hi = lo = 0 for a signed zero.
// Operations work in place on register offsets (multiples of 4) so that no object is allocated.
import { LD, ldRound } from './ld80';

export const REG = new Float64Array(16);
export const R0 = 0;
export const R1 = 4;
export const R2 = 8;
export const R3 = 12;

const TWO32 = 4294967296;
/** Largest small integer the long divisions accept: rem * 2^32 + digit stays below 2^53. */
export const SMALL_MAX = 2097151; // 2^21 - 1

// Scratch digit strings, most significant first.
const DA = new Float64Array(8);
const DB = new Float64Array(8);

/**
 * Rounds the exact value (-1)^neg * (D[0..len) as base-2^32 digits) * 2^eLow, plus an unknown
 * amount below the last digit when `sticky`, to 64 bits (nearest even) into register r.
 */
function roundDigits(r: number, neg: number, D: Float64Array, len: number, eLow: number, sticky: boolean): void {
  let i0 = 0;
  while (i0 < len && D[i0] === 0) i0++;
  if (i0 === len) {
    // Callers never have a sticky remainder without significant digits.
    REG[r] = neg; REG[r + 1] = 0; REG[r + 2] = 0; REG[r + 3] = 0;
    return;
  }
  const d0 = D[i0];
  const d1 = i0 + 1 < len ? D[i0 + 1] : 0;
  const d2 = i0 + 2 < len ? D[i0 + 2] : 0;
  const s = Math.clz32(d0);
  let hi: number, lo: number, next: number;
  if (s === 0) {
    hi = d0; lo = d1; next = d2;
  } else {
    hi = ((d0 << s) | (d1 >>> (32 - s))) >>> 0;
    lo = ((d1 << s) | (d2 >>> (32 - s))) >>> 0;
    next = (d2 << s) >>> 0;
  }
  let e = eLow + 32 * (len - 2 - i0) - s;
  let rest = sticky || (next & 0x7fffffff) !== 0;
  for (let j = i0 + 3; !rest && j < len; j++) rest = D[j] !== 0;
  if (next >= 0x80000000 && (rest || (lo & 1) === 1)) {
    lo += 1;
    if (lo === TWO32) {
      lo = 0;
      hi += 1;
      if (hi === TWO32) { hi = 0x80000000; e += 1; }
    }
  }
  REG[r] = neg; REG[r + 1] = hi; REG[r + 2] = lo; REG[r + 3] = e;
}

/** r = the integer n (0 <= n < 2^53), exact. */
export function softSetUint(r: number, n: number, neg: number): void {
  const h = Math.floor(n / TWO32);
  DA[0] = h; DA[1] = n - h * TWO32;
  roundDigits(r, neg, DA, 2, 0, false);
}

/** r = -r */
export function softNegate(r: number): void {
  REG[r] = 1 - REG[r];
}

/** r = r * k for an integer 1 <= k <= SMALL_MAX (one rounding). */
export function softMulSmall(r: number, k: number): void {
  if (REG[r + 1] === 0) return;
  const a = REG[r + 2] * k;
  const ah = Math.floor(a / TWO32);
  const b = REG[r + 1] * k + ah;
  const bh = Math.floor(b / TWO32);
  DA[0] = bh; DA[1] = b - bh * TWO32; DA[2] = a - ah * TWO32;
  roundDigits(r, REG[r], DA, 3, REG[r + 3], false);
}

/** r = r / d for an integer 1 <= d <= SMALL_MAX (exact long division, one rounding). */
export function softDivSmall(r: number, d: number): void {
  if (REG[r + 1] === 0) return;
  let rem = 0;
  for (let i = 0; i < 4; i++) {
    const cur = rem * TWO32 + (i === 0 ? REG[r + 1] : i === 1 ? REG[r + 2] : 0);
    let q = Math.floor(cur / d);
    rem = cur - q * d;
    // cur / d is rounded before the floor; correct the rare off-by-one.
    if (rem < 0) { q -= 1; rem += d; } else if (rem >= d) { q += 1; rem -= d; }
    DA[i] = q;
  }
  roundDigits(r, REG[r], DA, 4, REG[r + 3] - 64, rem !== 0);
}

/** dst = a + b (one rounding). dst may alias a or b. */
export function softAdd(dst: number, a: number, b: number): void {
  const aZero = REG[a + 1] === 0;
  const bZero = REG[b + 1] === 0;
  if (aZero || bZero) {
    if (aZero && bZero) {
      REG[dst] = REG[a] === 1 && REG[b] === 1 ? 1 : 0; // -0 + -0 = -0, otherwise +0
      REG[dst + 1] = 0; REG[dst + 2] = 0; REG[dst + 3] = 0;
      return;
    }
    const src = aZero ? b : a;
    if (src !== dst) {
      REG[dst] = REG[src]; REG[dst + 1] = REG[src + 1]; REG[dst + 2] = REG[src + 2]; REG[dst + 3] = REG[src + 3];
    }
    return;
  }
  // Let x be the operand with the larger exponent (for equal exponents either).
  let x = a;
  let y = b;
  if (REG[b + 3] > REG[a + 3]) { x = b; y = a; }
  const xNeg = REG[x], yNeg = REG[y];
  const xHi = REG[x + 1], xLo = REG[x + 2], xE = REG[x + 3];
  const yHi = REG[y + 1], yLo = REG[y + 2];
  const dExp = xE - REG[y + 3];
  if (dExp >= 66) {
    // |y| < 2^(xE - 2): below half the spacing of the long doubles next to x on either side
    // (also when x is a power of two, where the spacing below halves), so x is the result.
    REG[dst] = xNeg; REG[dst + 1] = xHi; REG[dst + 2] = xLo; REG[dst + 3] = xE;
    return;
  }
  // Exact alignment in six digits (digit 5 lowest, unit 2^(xE - 96)): x occupies digits 1-2,
  // y is x's unit shifted left by 96 - dExp bits; digit 0 takes the carry.
  DA[0] = 0; DA[1] = xHi; DA[2] = xLo; DA[3] = 0; DA[4] = 0; DA[5] = 0;
  DB[0] = 0; DB[1] = 0; DB[2] = 0; DB[3] = 0; DB[4] = 0; DB[5] = 0;
  const sh = 96 - dExp;
  const w = sh >>> 5;
  const bits = sh & 31;
  let t2: number, t1: number, t0: number;
  if (bits === 0) {
    t2 = 0; t1 = yHi; t0 = yLo;
  } else {
    t2 = yHi >>> (32 - bits);
    t1 = ((yHi << bits) | (yLo >>> (32 - bits))) >>> 0;
    t0 = (yLo << bits) >>> 0;
  }
  // Digit 5 is the lowest; t0 lands at 5 - w.
  DB[5 - w] = t0;
  DB[4 - w] = t1;
  if (w < 4) DB[3 - w] = t2;
  if (xNeg === yNeg) {
    let carry = 0;
    for (let i = 5; i >= 0; i--) {
      let s = DA[i] + DB[i] + carry;
      if (s >= TWO32) { s -= TWO32; carry = 1; } else carry = 0;
      DA[i] = s;
    }
    roundDigits(dst, xNeg, DA, 6, xE - 96, false);
    return;
  }
  // Opposite signs: subtract the smaller magnitude from the larger.
  let cmp = 0;
  for (let i = 0; i < 6 && cmp === 0; i++) cmp = DA[i] > DB[i] ? 1 : DA[i] < DB[i] ? -1 : 0;
  if (cmp === 0) {
    // Exact cancellation gives +0 in round-to-nearest.
    REG[dst] = 0; REG[dst + 1] = 0; REG[dst + 2] = 0; REG[dst + 3] = 0;
    return;
  }
  const big = cmp > 0 ? DA : DB;
  const small = cmp > 0 ? DB : DA;
  let borrow = 0;
  for (let i = 5; i >= 0; i--) {
    let s = big[i] - small[i] - borrow;
    if (s < 0) { s += TWO32; borrow = 1; } else borrow = 0;
    big[i] = s;
  }
  roundDigits(dst, cmp > 0 ? xNeg : yNeg, big, 6, xE - 96, false);
}

/** The nearest double of register r (ties to even); NaN when it would leave the normal range. */
export function softToDouble(r: number): number {
  const hi = REG[r + 1];
  if (hi === 0) return REG[r] === 1 ? -0 : 0;
  let lo = REG[r + 2];
  let top = hi;
  // Keep 53 bits: drop the low 11 bits of lo, ties to even on bit 11.
  const low11 = lo % 2048;
  lo -= low11;
  if (low11 > 1024 || (low11 === 1024 && (lo / 2048) % 2 === 1)) {
    lo += 2048;
    if (lo === TWO32) { lo = 0; top += 1; }
  }
  const e = REG[r + 3];
  if (e + 64 > 1023 || e + 63 < -1022) return NaN; // outside the normal double range: caller uses BigInt
  // top * 2^32 + lo has at most 53 significant bits: both products are exact.
  const v = (top * TWO32 + lo) * 2 ** -64 * 2 ** (e + 64);
  return REG[r] === 1 ? -v : v;
}

/**
 * round(|r| * 10^7) (ties to even): the magnitude of the "%0.7Lf" output in units of 1e-7,
 * or -1 when it is 2^53 or more (the caller prints through BigInt then).
 */
export function softUnits7(r: number): number {
  const hi = REG[r + 1];
  if (hi === 0) return 0;
  // N = mantissa * 5^7 (at most 81 bits in three digits); |r| * 10^7 = N * 2^(e + 7).
  const a = REG[r + 2] * 78125;
  const ah = Math.floor(a / TWO32);
  const n0 = a - ah * TWO32;
  const nHigh = hi * 78125 + ah; // = N >> 32, below 2^50
  const sh = -(REG[r + 3] + 7);
  if (sh <= 0) return -1; // N >= 2^63 * 78125 > 2^53
  if (sh >= 84) return 0; // N * 2^-sh < 2^81 * 2^-84 < 1/2
  let q: number, above: boolean, tie: boolean;
  if (sh >= 32) {
    const p = 2 ** (sh - 32);
    q = Math.floor(nHigh / p);
    const rh = nHigh - q * p; // remainder = rh * 2^32 + n0, compared with 2^(sh-1)
    if (sh === 32) {
      above = n0 > 0x80000000; tie = n0 === 0x80000000;
    } else {
      const halfHigh = p / 2;
      above = rh > halfHigh || (rh === halfHigh && n0 > 0);
      tie = rh === halfHigh && n0 === 0;
    }
  } else {
    const p = 2 ** sh;
    const lowQ = Math.floor(n0 / p);
    q = nHigh * 2 ** (32 - sh) + lowQ;
    if (q >= 9007199254740992) return -1;
    const rem = n0 - lowQ * p;
    above = rem > p / 2; tie = rem === p / 2;
  }
  if (above || (tie && q % 2 === 1)) q += 1;
  return q >= 9007199254740992 ? -1 : q;
}

/** The register as a BigInt-model long double (for printing huge values and for tests). */
export function softToLD(r: number): LD {
  const neg = REG[r] === 1;
  const m = (BigInt(REG[r + 1]) << 32n) | BigInt(REG[r + 2]);
  return ldRound(neg, m, REG[r + 3], false);
}

/** Loads a BigInt-model long double into register r (for tests). */
export function softFromLD(r: number, x: LD): void {
  REG[r] = x.neg ? 1 : 0;
  REG[r + 1] = Number(x.m >> 32n);
  REG[r + 2] = Number(x.m & 0xffffffffn);
  REG[r + 3] = x.m === 0n ? 0 : x.e;
}

/**
 * r = r / 10, specialised for the unpack chain: M * 2^e / 10 = (M * 2^(s-1) / 5) * 2^(e-s) with
 * s = 3 or 4 chosen so that the quotient has exactly 64 bits. The fraction left by a division
 * by 5 is 0, 0.2, 0.4, 0.6 or 0.8: never a tie, so rounding up iff the remainder is >= 3 is
 * round-to-nearest-even. Same result as softDivSmall(r, 10).
 */
export function softDiv10(r: number): void {
  const hi = REG[r + 1];
  if (hi === 0) return;
  const lo = REG[r + 2];
  // M >= 1.25 * 2^63 <=> hi >= 0xA0000000: then s = 3 (M * 4), else s = 4 (M * 8).
  const mul = hi >= 0xa0000000 ? 4 : 8;
  const a = lo * mul; // < 2^35
  const aTop = Math.floor(a / TWO32);
  const b = hi * mul + aTop; // < 5 * 2^32
  const bTop = Math.floor(b / TWO32); // 0..4
  // Long division of [bTop, b mod 2^32, a mod 2^32] by 5; the top digit is below 5.
  let cur = bTop * TWO32 + (b - bTop * TWO32);
  let qHi = Math.floor(cur / 5);
  let rem = cur - qHi * 5;
  if (rem < 0) { qHi -= 1; rem += 5; } else if (rem >= 5) { qHi += 1; rem -= 5; }
  cur = rem * TWO32 + (a - aTop * TWO32);
  let qLo = Math.floor(cur / 5);
  rem = cur - qLo * 5;
  if (rem < 0) { qLo -= 1; rem += 5; } else if (rem >= 5) { qLo += 1; rem -= 5; }
  let e = REG[r + 3] - (mul === 4 ? 3 : 4);
  if (rem >= 3) {
    qLo += 1;
    if (qLo === TWO32) {
      qLo = 0;
      qHi += 1;
      if (qHi === TWO32) { qHi = 0x80000000; e += 1; }
    }
  }
  REG[r + 1] = qHi; REG[r + 2] = qLo; REG[r + 3] = e;
}

/** r = unpack_storage_number(word) (SPEC §2.3), step by step in long double. */
export function softUnpack(r: number, word: number): void {
  const w = word >>> 0;
  const n = w & 0x00ffffff;
  softSetUint(r, n, w >>> 31);
  let m = (w >>> 27) & 7;
  if (n === 0 || m === 0) return;
  if ((w & 0x40000000) !== 0) {
    const factor = (w & 0x04000000) !== 0 ? 100 : 10;
    for (; m > 0; m--) softMulSmall(r, factor);
  } else {
    for (; m > 0; m--) softDiv10(r); // always 10 in divide mode
  }
}
