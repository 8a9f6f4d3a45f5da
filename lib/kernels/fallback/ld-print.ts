// glibc "%0.7Lf" of an emulated long double (SPEC §2.5): the exact binary value rounded to 7
// decimals, ties to even, never an exponent, '-' for every negative value (-0 and values that
// round to zero included). Slow path: BigInt.
import { LD } from './ld80';
import { bigUnits7ToString } from './decimal';

const TEN7 = 10000000n;

/** The value in units of 1e-7, rounded half to even (magnitude only). */
export function ldToUnits7(a: LD): bigint {
  if (a.m === 0n) return 0n;
  if (a.e >= 0) return (a.m << BigInt(a.e)) * TEN7;
  const num = a.m * TEN7;
  const sh = BigInt(-a.e);
  const q = num >> sh;
  const rem = num - (q << sh);
  const half = 1n << (sh - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** "%0.7Lf" of a. */
export function ldToF7(a: LD): string {
  return bigUnits7ToString(a.neg, ldToUnits7(a));
}
