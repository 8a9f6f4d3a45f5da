// The fallback's fast paths (double and integer arithmetic) against its exact paths (BigInt long
// double, SPEC §2.5): pack, unpack, unpackText, and the sum/average of SPEC §3.1 as text and as
// double, on random and adversarial inputs (ties, near-ties, boundaries, huge, tiny, mixed signs).
// The slow-path counters prove that the adversarial inputs reach the exact path.
import * as assert from 'assert';
import { packFast, lastPackRow1, unpackFast, unpackTextFast } from '../lib/kernels/fallback/storage-number';
import { packExact, unpackExact, unpackExactDouble } from '../lib/kernels/fallback/sn-exact';
import { ldToF7 } from '../lib/kernels/fallback/ld-print';
import { ldToDouble } from '../lib/kernels/fallback/ld80';
import { alignWindow, writeDimValue, dimValueDouble, dimValueExact } from '../lib/kernels/fallback/value-calc';
import { slowPathStats, resetSlowPathStats } from '../lib/kernels/fallback/slow-path-stats';
import { SN_EXISTS, META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS } from '../lib/kernels/types';

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

/** Moves x by k ulps. */
function ulps(x: number, k: number): number {
  let v = x;
  for (let i = 0; i < Math.abs(k); i++) v = k > 0 ? v + Math.max(Math.abs(v) * 2 ** -52, 5e-324) : v - Math.max(Math.abs(v) * 2 ** -52, 5e-324);
  return v;
}

function adversarialValues(r: () => number, n: number): number[] {
  const out: number[] = [0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
    16777215, 16777216, 1677726, 1677725, 167772150000000, 16777215.5, 1677726.5, 1677727.5, 5e-8, 1e-7, 1.67772155, 1677722];
  const boundaries = [16777215, 1677726, 16777215.5, 167772150000000, 1677721.5];
  for (let i = 0; out.length < n; i++) {
    const t = r();
    let v: number;
    if (t < 0.25) {
      // exact and near .5 ties of the final mantissa, at every scale
      const m = Math.floor(r() * 8);
      v = (Math.floor(r() * 16777216) + 0.5) / 10 ** m;
      v = ulps(v, Math.floor(r() * 5) - 2);
    } else if (t < 0.4) {
      // the overflow band of SPEC §2.4 at every scale
      v = (1.67772155 + r() * 0.0000045) * 10 ** (Math.floor(r() * 8) - 1);
    } else if (t < 0.55) {
      // a few ulps around the loop comparisons, at every power of the factor
      const b = boundaries[Math.floor(r() * boundaries.length)];
      const scale = r() < 0.5 ? 10 ** (Math.floor(r() * 8)) : 100 ** Math.floor(r() * 8);
      v = ulps(r() < 0.5 ? b * scale : b / scale, Math.floor(r() * 9) - 4);
    } else if (t < 0.7) {
      v = 10 ** (r() * 40 - 15); // log-uniform, tiny to huge
    } else if (t < 0.8) {
      v = Math.floor(r() * 16777216) / 10 ** Math.floor(r() * 8); // decimals the database stores
    } else if (t < 0.9) {
      v = 10 ** Math.floor(r() * 25 - 8); // powers of ten
    } else {
      v = r() * 2 ** 24;
    }
    out.push(r() < 0.35 ? -v : v);
  }
  return out;
}

describe('fallback fast paths equal the exact long double paths', () => {
  it('pack: fast == BigInt on 60000 random and adversarial values, row-1 flag included', () => {
    const r = rng(1);
    resetSlowPathStats();
    let row1 = 0;
    for (const v of adversarialValues(r, 60000)) {
      const flags = r() < 0.9 ? SN_EXISTS : Math.floor(r() * 2 ** 32);
      const w = packFast(v, flags);
      const fixed = lastPackRow1();
      const exact = packExact(v, flags);
      assert.strictEqual(w, exact.word, `pack(${v}, 0x${flags.toString(16)}): 0x${w.toString(16)} vs 0x${exact.word.toString(16)}`);
      assert.strictEqual(fixed, exact.row1, `row1 of pack(${v})`);
      if (fixed) row1++;
    }
    assert.ok(slowPathStats.pack > 500, `the adversarial set must reach the exact path (${slowPathStats.pack})`);
    assert.ok(slowPathStats.pack < 30000, `the fast path must decide most values (${slowPathStats.pack} slow)`);
    assert.ok(row1 > 1000, `the overflow band must trigger the row-1 fix (${row1})`);
  });

  it('unpack and unpackText: fast == BigInt for words of every high byte', () => {
    const r = rng(2);
    resetSlowPathStats();
    for (let i = 0; i < 40000; i++) {
      const hb = i & 255;
      const low = i < 1024 ? [0, 1, 0xffffff, 0x19999e][i >> 8] : Math.floor(r() * 0x1000000);
      const w = (hb * 2 ** 24 + low) >>> 0;
      const exact = unpackExact(w);
      assert.ok(Object.is(unpackFast(w), ldToDouble(exact)), `unpack(0x${w.toString(16)})`);
      assert.strictEqual(unpackTextFast(w), ldToF7(exact), `unpackText(0x${w.toString(16)})`);
    }
    // Divide-mode words whose quotient sits next to a midpoint between doubles go the exact way.
    assert.ok(slowPathStats.unpack > 0, 'some unpacks must need the exact path');
    assert.ok(Object.is(unpackExactDouble(0x80000000), -0));
    assert.ok(Object.is(unpackFast(0x80000000), -0));
  });

  it('sum and average (SPEC §3.1): fast text and double == BigInt on random rings with ties, cancellations and huge values', () => {
    const r = rng(3);
    resetSlowPathStats();
    const out = new Uint8Array(128);
    const win = new Float64Array(2);
    let fastDecided = 0;
    let cases = 0;
    for (let i = 0; i < 2500; i++) {
      const entries = 2 + Math.floor(r() * (r() < 0.8 ? 14 : 300));
      const ring = new Uint32Array(entries);
      const kind = r();
      for (let s = 0; s < entries; s++) {
        const u = r();
        let w: number;
        if (u < 0.08) {
          w = 0; // gap
        } else if (kind < 0.3) {
          // 7 decimals (m = 7): exact ties of the average are common
          w = 0x39000000 + Math.floor(r() * 0x1000000);
        } else if (kind < 0.45) {
          // tiny mixed-sign values that cancel to (nearly) zero
          w = 0x39000000 + Math.floor(r() * 40);
        } else if (kind < 0.55) {
          // +-0 words only: the sum stays +0.0 (SPEC §3.1 step 10)
          w = SN_EXISTS;
        } else if (kind < 0.7) {
          // multiply mode, factor 10 or 100: beyond 2^53 units
          w = 0x41000000 + (r() < 0.5 ? 0x04000000 : 0) + Math.floor(r() * 8) * 2 ** 27 + Math.floor(r() * 0x1000000);
        } else if (kind < 0.8) {
          w = Math.floor(r() * 2 ** 32); // arbitrary words, flags included
        } else {
          w = SN_EXISTS + Math.floor(r() * 8) * 2 ** 27 + Math.floor(r() * 0x1000000);
        }
        if (w !== 0 && r() < 0.45) w = (w | 0x80000000) >>> 0;
        ring[s] = w >>> 0;
      }
      const meta = new Float64Array(META_LENGTH);
      meta[META_ENTRIES] = entries;
      meta[META_CURRENT_ENTRY] = Math.floor(r() * entries);
      meta[META_COUNTER] = entries + 5;
      meta[META_LAST_UPDATED] = 100000;
      meta[META_UPDATE_EVERY] = 1;
      meta[META_DIMS] = 1;
      // A window over all of the ring, or a part of it.
      const before = 100003 - Math.floor(r() * 3);
      const after = r() < 0.5 ? 0 : before - 2 - Math.floor(r() * entries);
      if (!alignWindow(meta, after, before, win)) continue;
      for (const sum of [false, true]) {
        cases++;
        const before0 = slowPathStats.value;
        const exact = dimValueExact(ring, 0, meta, win[0], win[1], sum);
        const end = writeDimValue(ring, 0, meta, win[0], win[1], sum, out, 0);
        const text = end < 0 ? null : Buffer.from(out.subarray(0, end)).toString('latin1');
        assert.strictEqual(text, exact === null ? null : ldToF7(exact), `text #${i} sum=${sum} ring=${Array.from(ring).join(',')}`);
        const d = dimValueDouble(ring, 0, meta, win[0], win[1], sum);
        assert.ok(Object.is(d, exact === null ? NaN : ldToDouble(exact)), `double #${i} sum=${sum}`);
        if (slowPathStats.value === before0) fastDecided++;
      }
    }
    assert.ok(slowPathStats.value > 300, `ties, cancellations and huge values must reach the exact path (${slowPathStats.value})`);
    assert.ok(fastDecided > cases / 5, `the fast path must decide many cases (${fastDecided} of ${cases})`);
  });
});
