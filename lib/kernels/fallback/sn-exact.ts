// Storage numbers computed step by step in emulated long double (SPEC §2.2, §2.3): the exact
// slow path and the oracle the fast paths in storage-number.ts are tested against.
import {
  LD, ldFromDouble, ldDivInt, ldMulInt, ldCompare, ldToDouble, ldNeg, ldFromBigInt, LD_ZERO,
} from './ld80';
import { SN_FLAGS_MASK, SN_EXISTS_100 } from '../types';

const LD_MANTISSA_MAX = ldFromBigInt(0x00ffffffn); // 16777215
const LD_MULTIPLY_BELOW = ldFromBigInt(0x0019999en); // 1677726: SPEC §2.2 step 6

/** lrint() of a double in the default rounding mode: nearest, ties to even. */
export function lrintEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for |x| < 2^52
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface ExactPack {
  word: number;
  /** SPEC §7 row 1: the mantissa overflow fix changed the word. */
  row1: boolean;
}

/**
 * pack_storage_number((long double)value, flags) of the reference (SPEC §2.2), with the row-1
 * fix unless `fix` is false (false reproduces the reference's damaged words, for tests).
 */
export function packExact(value: number, flags: number, fix = true): ExactPack {
  let r = (flags & SN_FLAGS_MASK) >>> 0;
  // Step 2: either zero returns the flags alone.
  if (value === 0) return { word: r, row1: false };
  // NaN is not 0, fails every comparison and reaches lrint((double)NaN), which is LONG_MIN on
  // x86-64: its low 32 bits are 0 (SPEC §2.4), so only the flags remain.
  if (Number.isNaN(value)) return { word: r, row1: false };
  if (value < 0) r += 0x80000000;
  if (!Number.isFinite(value)) {
    // Infinity / 10000000 > 16777215 selects factor 100; seven divisions leave it infinite:
    // multiply mode, m = 7, saturated mantissa.
    r = (r | SN_EXISTS_100) >>> 0;
    return { word: (r + 0x40000000 + (7 << 27) + 0x00ffffff) >>> 0, row1: false };
  }
  let n: LD = ldFromDouble(Math.abs(value));
  let factor = 10;
  if (ldCompare(ldDivInt(n, 10000000), LD_MANTISSA_MAX) > 0) {
    factor = 100;
    r = (r | SN_EXISTS_100) >>> 0;
  }
  let m = 0;
  while (m < 7 && ldCompare(n, LD_MANTISSA_MAX) > 0) {
    n = ldDivInt(n, factor);
    m++;
  }
  let row1 = false;
  if (m > 0) {
    r += 0x40000000 + m * 2 ** 27;
    if (ldCompare(n, LD_MANTISSA_MAX) > 0) return { word: (r + 0x00ffffff) >>> 0, row1: false };
  } else {
    while (m < 7 && ldCompare(n, LD_MULTIPLY_BELOW) < 0) {
      n = ldMulInt(n, 10);
      m++;
    }
    // SPEC §2.4 / §7 row 1: 1677725.99 * 10 can round to a 25-bit mantissa whose carry would
    // destroy the flag bits. Re-divide once; m >= 1 here because m == 0 means n <= 16777215.
    if (fix && lrintEven(ldToDouble(n)) > 0x00ffffff) {
      n = ldDivInt(n, 10);
      m--;
      row1 = true;
    }
    r += m * 2 ** 27;
  }
  // Step 7: LD -> double (nearest even), then lrint (nearest even). An addition, not an OR.
  r += lrintEven(ldToDouble(n));
  return { word: r % 2 ** 32, row1 };
}

/** unpack_storage_number(word) of the reference as an emulated long double (SPEC §2.3). */
export function unpackExact(word: number): LD {
  const w = word >>> 0;
  if (w === 0) return LD_ZERO;
  const neg = (w >>> 31) === 1;
  const multiply = (w & 0x40000000) !== 0;
  const factor = (w & SN_EXISTS_100) !== 0 ? 100 : 10;
  let m = (w >>> 27) & 7;
  let n = ldFromBigInt(BigInt(w & 0x00ffffff));
  if (multiply) {
    for (; m > 0; m--) n = ldMulInt(n, factor);
  } else {
    // Always 10 in divide mode, whatever bit 26 says.
    for (; m > 0; m--) n = ldDivInt(n, 10);
  }
  return neg ? ldNeg(n) : n;
}

/** The nearest double of unpackExact(word). */
export function unpackExactDouble(word: number): number {
  return ldToDouble(unpackExact(word));
}
