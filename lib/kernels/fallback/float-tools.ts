// Error-free double arithmetic used by the fast paths to prove that a double computation lands
// on the same side of a rounding boundary as the long double computation of the reference.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

// HALF_ULP[biased exponent] = half a unit in the last place of a normal double with that exponent.
const HALF_ULP = new Float64Array(2048);
for (let k = 1; k < 2047; k++) HALF_ULP[k] = 2 ** (k - 1023 - 53);

/**
 * Distance from a positive normal double d to the nearer of the two rounding midpoints around it
 * (0 for subnormals: callers never pass them): half an ulp, or a quarter of the ulp above when d
 * is a power of two (the doubles below it are twice as dense).
 */
export function halfUlp(d: number): number {
  f64[0] = d;
  const hi = u32[1];
  const h = HALF_ULP[(hi >>> 20) & 0x7ff];
  return (hi & 0xfffff) === 0 && u32[0] === 0 ? h * 0.5 : h;
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp

/**
 * d * p - k, where d is a double and p, k are integers below 2^53 held in doubles and d * p is
 * close to k (within a factor of 2). The product is split exactly (Dekker), so the result is the
 * exact residual up to one final rounding (relative error 2^-53 of the residual itself).
 */
export function productResidual(d: number, p: number, k: number): number {
  let c = SPLITTER * d;
  const dh = c - (c - d);
  const dl = d - dh;
  c = SPLITTER * p;
  const ph = c - (c - p);
  const pl = p - ph;
  const hi = d * p;
  const lo = ((dh * ph - hi) + dh * pl + dl * ph) + dl * pl;
  // hi - k is exact by Sterbenz's lemma (k/2 <= hi <= 2k).
  return (hi - k) + lo;
}
