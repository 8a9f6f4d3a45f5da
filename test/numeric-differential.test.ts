// Seeded randomised differential test of the numeric kernel: native (C++) against fallback (pure
// TypeScript) on thousands of inputs the golden vectors do not contain (SPEC §2, §3.1). Both must
// give identical words, row-1 flags, texts, doubles (bit for bit) and timestamps.
import * as assert from 'assert';
import { getKernel } from '../lib/kernels';
import {
  Kernel, META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY,
  META_DIMS, SN_EXISTS, SN_EXISTS_RESET, SN_EXISTS_100, StoredMode,
} from '../lib/kernels/types';

/** mulberry32: a small seeded generator, so a failure can be replayed from its case number. */
class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0);
  }
  below(n: number): number { return Math.floor((this.next() / 4294967296) * n); }
  chance(percent: number): boolean { return this.below(100) < percent; }
  pick<T>(xs: readonly T[]): T { return xs[this.below(xs.length)]; }
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function fromBits(hi: number, lo: number): number {
  u32[0] = lo >>> 0;
  u32[1] = hi >>> 0;
  return f64[0];
}

/** x moved by k units in the last place (k small, x finite and non-zero). */
function ulps(x: number, k: number): number {
  f64[0] = x;
  const lo = u32[0] + k;
  u32[0] = lo >>> 0;
  if (lo > 0xffffffff) u32[1]++;
  if (lo < 0) u32[1]--;
  return f64[0];
}

/** Inputs of SPEC §2.4's families plus arbitrary bit patterns. */
function randomDouble(rng: Rng): number {
  const sign = rng.chance(35) ? -1 : 1;
  switch (rng.below(10)) {
    case 0:
      return fromBits(rng.next(), rng.next());  // anything, NaN and denormals included
    case 1:
      return rng.pick([NaN, Infinity, -Infinity, 0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308,
        Number.MAX_VALUE, 16777215, 16777216, 1677726, 1677725.99, 16777215.5, 1.6777215e21, 1e21, 2e14, 1e-7, 5e-8]) * sign;
    case 2:  // denormals
      return fromBits(rng.below(0x100000), rng.next()) * sign;
    case 3:  // huge
      return sign * (1 + rng.next() / 4294967296) * 10 ** (15 + rng.below(294));
    case 4:  // tiny
      return sign * (1 + rng.next() / 4294967296) * 10 ** -(8 + rng.below(300));
    case 5: {  // near ties: (k + 0.5) / 10^j, +-1 ulp
      const x = (rng.below(16777216) + 0.5) / 10 ** rng.below(8);
      return sign * ulps(x, rng.below(3) - 1);
    }
    case 6: {  // the 1.677722 band at every scale (SPEC §2.4 overflow family), +-2 ulps
      const x = (1.67772155 + (rng.next() / 4294967296) * (1.677726 - 1.67772155)) * 10 ** (rng.below(29) - 7);
      return sign * ulps(x, rng.below(5) - 2);
    }
    case 7: {  // the 24-bit and 0x19999e boundaries at every scale, +-4 ulps
      const x = rng.pick([16777215, 1677726, 16777215.5, 1677725.5]) * 10 ** (rng.below(29) - 7);
      return sign * ulps(x, rng.below(9) - 4);
    }
    case 8:  // decimals with up to 9 digits
      return sign * rng.below(1e9) / 10 ** rng.below(13);
    default:  // log-uniform 1e-12 .. 1e25
      return sign * 10 ** (rng.next() / 4294967296 * 37 - 12);
  }
}

function randomFlags(rng: Rng): number {
  if (rng.chance(80)) return SN_EXISTS;
  return rng.pick([0, SN_EXISTS_RESET, SN_EXISTS | SN_EXISTS_100, SN_EXISTS_100, SN_EXISTS | SN_EXISTS_RESET, rng.next()]);
}

/** Words as rings hold them: packed values (mostly), structured words, arbitrary uint32. */
function randomWord(rng: Rng, native: Kernel): number {
  switch (rng.below(6)) {
    case 0:
      return rng.next();
    case 1:  // every sign / mode / exponent / flag combination with a random mantissa
      return ((rng.below(256) << 24) | rng.below(0x1000000)) >>> 0;
    case 2:  // zero mantissas
      return ((rng.below(256) << 24) >>> 0);
    default:
      return native.pack(randomDouble(rng), randomFlags(rng));
  }
}

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b);
}

interface Ring { ring: Uint32Array; meta: Float64Array; entries: number; dims: number }

function randomRing(rng: Rng, native: Kernel, dims: number): Ring {
  const entries = 1 + (rng.chance(80) ? rng.below(60) : rng.below(1200));
  const ue = rng.chance(50) ? 1 : 1 + rng.below(60);
  const roll = rng.below(10);
  const counter = roll === 0 ? 0 : roll < 4 ? rng.below(entries + 1) : entries + rng.below(100000);
  const aligned = rng.chance(80);
  const lastUpdated = 1_500_000_000 + rng.below(100_000_000);
  const meta = new Float64Array(META_LENGTH);
  meta[META_ENTRIES] = entries;
  meta[META_CURRENT_ENTRY] = counter % entries;
  meta[META_COUNTER] = counter;
  meta[META_LAST_UPDATED] = aligned ? lastUpdated - (lastUpdated % ue) : lastUpdated;
  meta[META_UPDATE_EVERY] = ue;
  meta[META_DIMS] = dims;
  const ring = new Uint32Array(entries * dims);
  const gapPercent = rng.pick([0, 0, 2, 10, 50, 90, 100]);
  const written = Math.min(counter, entries);
  for (let d = 0; d < dims; d++) {
    const style = rng.below(4);
    const base = randomWord(rng, native);
    for (let s = 0; s < written; s++) {
      if (rng.chance(gapPercent)) continue;
      // style 1 repeats one value (ties, exact multiples); style 2 mixes it with its negation (cancellation)
      ring[d * entries + s] = style === 1 && rng.chance(70) ? base
        : style === 2 ? (rng.chance(50) ? base : (base ^ 0x80000000) >>> 0)
        : randomWord(rng, native);
    }
  }
  return { ring, meta, entries, dims };
}

/** Windows of the vector families: usual, lagging, inside, spanning, around edges, outside, inverted, tiny. */
function randomWindow(rng: Rng, meta: Float64Array): [number, number] {
  const last = meta[META_LAST_UPDATED];
  const ue = meta[META_UPDATE_EVERY];
  const span = Math.min(meta[META_COUNTER], meta[META_ENTRIES]) * ue;
  const first = last - span;
  const len = rng.pick([0, 1, ue, 10, 60, span, rng.below(5000)]);
  switch (rng.below(9)) {
    case 0: { const b = last + 1 + rng.below(3 * ue); return [b - len, b]; }
    case 1: { const b = last - rng.below(span + 1); return [b - len, b]; }
    case 2: return [first - rng.below(3 * ue + 2), last + rng.below(3 * ue + 2)];
    case 3: { const a = first - rng.below(10 * ue + 1) + rng.below(10 * ue + 1); return [a, a + len]; }
    case 4: { const b = first - 1 - rng.below(1000); return [b - len, b]; }
    case 5: { const a = last + 3 * ue + rng.below(1000); return [a, a + len]; }
    case 6: { const a = last - rng.below(span + 1); return [a, a - 1 - rng.below(100)]; }
    case 7: return [rng.below(100) - 50, rng.below(100) - 50];
    default: { const a = rng.below(2 ** 31); return [a, a + rng.below(2 ** 20)]; }
  }
}

describe('numeric kernel differential: native vs fallback (seeded)', function () {
  let native: Kernel;
  let fallback: Kernel;

  before(function () {
    fallback = getKernel('fallback');
    try {
      native = getKernel('native');
    } catch (err) {
      console.warn(`      SKIPPED: native kernel unavailable (${(err as Error).message})`);
      this.skip();
    }
  });

  it('pack / packDetailed: NaN, +-Inf, +-0, denormals, huge, tiny, near-ties, the 1.677722 band', () => {
    const rng = new Rng(0x9ac4);
    let row1 = 0;
    for (let i = 0; i < 8000; i++) {
      const v = randomDouble(rng);
      const flags = randomFlags(rng);
      const a = native.packDetailed(v, flags);
      const b = fallback.packDetailed(v, flags);
      assert.deepStrictEqual(a, b, `case ${i}: packDetailed(${v}, ${flags})`);
      assert.strictEqual(native.pack(v, flags), a.word);
      if (a.row1) row1++;
    }
    assert.ok(row1 > 100, `the overflow band was hit only ${row1} times`);
  });

  it('packInto and unpackInto: whole arrays, identical results and row-1 counts', () => {
    const rng = new Rng(0x11);
    for (let round = 0; round < 10; round++) {
      const values = Float64Array.from({ length: 400 }, () => randomDouble(rng));
      const flags = randomFlags(rng);
      const wa = new Uint32Array(values.length);
      const wb = new Uint32Array(values.length);
      assert.strictEqual(native.packInto(values, flags, wa), fallback.packInto(values, flags, wb));
      assert.deepStrictEqual(wa, wb);
      const words = Uint32Array.from({ length: 400 }, () => randomWord(rng, native));
      const da = new Float64Array(words.length);
      const db = new Float64Array(words.length);
      native.unpackInto(words, da);
      fallback.unpackInto(words, db);
      for (let i = 0; i < words.length; i++) assert.ok(sameNumber(da[i], db[i]), `unpackInto word ${words[i].toString(16)}`);
    }
  });

  it('unpack and unpackText over random words', () => {
    const rng = new Rng(0x5eed);
    for (let i = 0; i < 6000; i++) {
      const w = randomWord(rng, native);
      assert.strictEqual(native.unpackText(w), fallback.unpackText(w), `unpackText(0x${w.toString(16)})`);
      assert.ok(sameNumber(native.unpack(w), fallback.unpack(w)), `unpack(0x${w.toString(16)})`);
    }
  });

  it('storedValue over random rings and windows: text, first and last', () => {
    const rng = new Rng(0xbeef);
    let values = 0;
    let nans = 0;
    for (let i = 0; i < 2000; i++) {
      const { ring, meta, entries } = randomRing(rng, native, 1);
      for (let w = 0; w < 3; w++) {
        const [after, before] = randomWindow(rng, meta);
        for (const mode of ['average', 'sum'] as StoredMode[]) {
          const a = native.storedValue(ring, 0, meta, after, before, mode);
          const b = fallback.storedValue(ring, 0, meta, after, before, mode);
          assert.deepStrictEqual(a, b, `ring ${i} window ${w} (${after}, ${before}) ${mode}: entries ${entries} meta ${Array.from(meta)}`);
          if (a.text === null) nans++;
          else values++;
        }
      }
    }
    // Both outcomes occur in quantity, so the comparison means something either way.
    assert.ok(values > 2000 && nans > 1000, `values ${values}, nans ${nans}`);
  });

  it('storedValuesInto over multi-dimension rings: every double bit for bit, the reported timestamp', () => {
    const rng = new Rng(0xd1ce);
    for (let i = 0; i < 1000; i++) {
      const dims = rng.below(9);
      const { ring, meta } = randomRing(rng, native, dims);
      const [after, before] = randomWindow(rng, meta);
      const mode: StoredMode = rng.chance(50) ? 'average' : 'sum';
      const oa = new Float64Array(dims).fill(7);
      const ob = new Float64Array(dims).fill(7);
      const ta = native.storedValuesInto(ring, meta, after, before, mode, oa);
      const tb = fallback.storedValuesInto(ring, meta, after, before, mode, ob);
      assert.ok(sameNumber(ta, tb), `chart ${i}: timestamp ${ta} vs ${tb}`);
      for (let d = 0; d < dims; d++) assert.ok(sameNumber(oa[d], ob[d]), `chart ${i} dim ${d}: ${oa[d]} vs ${ob[d]}`);
    }
  });

  it('bad input: both implementations reject it with the same error code', () => {
    const meta = new Float64Array(META_LENGTH);
    meta[META_ENTRIES] = 4;
    meta[META_UPDATE_EVERY] = 1;
    const calls: Array<(k: Kernel) => unknown> = [
      (k) => k.pack(NaN, 2 ** 32),
      (k) => k.unpack(-1),
      (k) => k.unpackText(NaN),
      (k) => k.storedValue(new Uint32Array(4), 1, meta, 0, 1, 'sum'),
      (k) => k.storedValue(new Uint32Array(4), 0, meta, 0, Infinity, 'sum'),
      (k) => k.storedValuesInto(new Uint32Array(4), new Float64Array(3), 0, 1, 'sum', new Float64Array(1)),
    ];
    for (const call of calls) {
      const codes = [native, fallback].map((k) => {
        try {
          call(k);
          return 'no error';
        } catch (err) {
          return (err as { code?: string }).code;
        }
      });
      assert.deepStrictEqual(codes, ['ERR_NUMERIC_INPUT', 'ERR_NUMERIC_INPUT']);
    }
  });
});
