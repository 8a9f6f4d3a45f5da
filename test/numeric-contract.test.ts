// One contract suite for the numeric half of every kernel implementation (SPEC §2, §3.1):
// the fallback always, the native addon when it loads. The SPEC §2.4 table, Appendix B, the
// golden vectors through the kernel API, the row-1 deviations (exactly the overflow family),
// the *Into batch methods and the input errors.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { getKernel } from '../lib/kernels';
import {
  Kernel, ImplementationName, SN_EXISTS, SN_EXISTS_RESET, SN_FLAGS_MASK, META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY,
  META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS,
} from '../lib/kernels/types';
import { packExact } from '../lib/kernels/fallback/sn-exact';
import { alignWindow, dimValueExact } from '../lib/kernels/fallback/value-calc';
import { ldToDouble } from '../lib/kernels/fallback/ld80';
import { ldToF7 } from '../lib/kernels/fallback/ld-print';

const VECTORS = process.env.RRD_VECTORS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'vectors');

interface PackCase { input: string; flags: number; packed: string; exists: number; reset: number; unpacked_f7: string }
interface UnpackCase { sn: string; exists: number; reset: number; unpacked_f7: string }
interface ValueCase {
  entries: number; update_every: number; current_entry: number; counter: number; last_updated: number;
  after: number; before: number; options: number; values: number[]; result: string;
  first_timestamp: number; last_timestamp: number;
}

let storageVectors: { pack: PackCase[]; unpack: UnpackCase[] } | null = null;
let valueVectors: { cases: ValueCase[] } | null = null;
function storage(): { pack: PackCase[]; unpack: UnpackCase[] } {
  storageVectors ??= JSON.parse(fs.readFileSync(path.join(VECTORS, 'storage_number.json'), 'utf8'));
  return storageVectors!;
}
function values(): { cases: ValueCase[] } {
  valueVectors ??= JSON.parse(fs.readFileSync(path.join(VECTORS, 'value_calculation.json'), 'utf8'));
  return valueVectors!;
}

function meta(entries: number, current: number, counter: number, lastUpdated: number, ue: number, dims = 1): Float64Array {
  const m = new Float64Array(META_LENGTH);
  m[META_ENTRIES] = entries;
  m[META_CURRENT_ENTRY] = current;
  m[META_COUNTER] = counter;
  m[META_LAST_UPDATED] = lastUpdated;
  m[META_UPDATE_EVERY] = ue;
  m[META_DIMS] = dims;
  return m;
}

const hex8 = (w: number): string => '0x' + (w >>> 0).toString(16).padStart(8, '0');

/** SPEC §2.4, the rows the reference gets right (inputs packed with SN_EXISTS). */
const SPEC_TABLE: [number, number, string][] = [
  [0, 0x01000000, '0.0000000'],
  [1, 0x39989680, '1.0000000'],
  [-1, 0xb9989680, '-1.0000000'],
  [0.1, 0x390f4240, '0.1000000'],
  [0.9, 0x39895440, '0.9000000'],
  [99.99, 0x29989298, '99.9900000'],
  [3.14159265, 0x312fefd9, '3.1415930'],
  [-5.5, 0xb153ec60, '-5.5000000'],
  [1677721, 0x09fffffa, '1677721.0000000'],
  [1677726, 0x0119999e, '1677726.0000000'],
  [16777215, 0x01ffffff, '16777215.0000000'],
  [16777216, 0x4919999a, '16777220.0000000'],
  [123456789, 0x49bc614f, '123456790.0000000'],
  [1.6777215e14, 0x79ffffff, '167772150000000.0000000'],
  [2e14, 0x651e8480, '200000000000000.0000000'],
  [1e21, 0x7d989680, '1000000000000000000000.0000000'],
  [1e22, 0x7dffffff, '1677721500000000000000.0000000'],
  [1e-7, 0x39000001, '0.0000001'],
  [5e-8, 0x39000000, '0.0000000'],
  [1e-8, 0x39000000, '0.0000000'],
  [1677726.5, 0x0119999e, '1677726.0000000'],
  [1677727.5, 0x011999a0, '1677728.0000000'],
  [NaN, 0x01000000, '0.0000000'],
];

/** SPEC §2.4: the overflow band [1.67772155, 1.677726) x 10^k, k = 0..6 (|x|, with a rounding margin at the edges). */
function inOverflowFamily(x: number): 'in' | 'out' | 'edge' {
  const a = Math.abs(x);
  for (let k = 0; k <= 6; k++) {
    const lo = 1.67772155 * 10 ** k;
    const hi = 1.677726 * 10 ** k;
    const margin = hi * 1e-12;
    if (a > lo + margin && a < hi - margin) return 'in';
    if (Math.abs(a - lo) <= margin || Math.abs(a - hi) <= margin) return 'edge';
  }
  return 'out';
}

function implementations(): { name: ImplementationName; kernel: Kernel | null; why: string }[] {
  return (['fallback', 'native'] as const).map((name) => {
    try {
      return { name, kernel: getKernel(name), why: '' };
    } catch (err) {
      return { name, kernel: null, why: err instanceof Error ? err.message : String(err) };
    }
  });
}

for (const impl of implementations()) {
  describe(`numeric kernel contract: ${impl.name} (SPEC §2, §3.1)`, function () {
    if (!impl.kernel) {
      it(`is skipped: the ${impl.name} kernel did not load`, () => {
        console.log(`      (${impl.name} kernel unavailable: ${impl.why})`);
      });
      return;
    }
    const k = impl.kernel;

    it('reports its implementation name', () => {
      assert.strictEqual(k.implementation, impl.name);
    });

    it('packs and unpacks the SPEC §2.4 table', () => {
      for (const [x, word, text] of SPEC_TABLE) {
        const d = k.packDetailed(x, SN_EXISTS);
        assert.strictEqual(hex8(d.word), hex8(word), `pack(${x})`);
        assert.strictEqual(d.row1, false, `pack(${x}) needs no fix`);
        assert.strictEqual(k.unpackText(word), text, `unpackText(${hex8(word)})`);
        assert.strictEqual(k.unpack(word), Number(text), `unpack(${hex8(word)})`);
      }
      // 5 with SN_EXISTS_RESET only: bit 25 set, bit 24 clear.
      assert.strictEqual(hex8(k.pack(5, SN_EXISTS_RESET)), '0x324c4b40');
      // A negative word with mantissa 0 unpacks to -0 (SPEC §2.3 step 5).
      assert.ok(Object.is(k.unpack(0x80000000), -0));
      assert.strictEqual(k.unpackText(0x80000000), '-0.0000000');
    });

    it('fixes the SPEC §2.4 overflow row (1677722) instead of corrupting the flags (SPEC §7 row 1)', () => {
      const d = k.packDetailed(1677722, SN_EXISTS);
      assert.strictEqual(d.row1, true);
      assert.strictEqual(hex8(packExact(1677722, SN_EXISTS, false).word), '0x0a000004'); // the reference's damaged word
      assert.strictEqual(d.word & SN_FLAGS_MASK, SN_EXISTS, 'the flags stay SN_EXISTS');
      assert.strictEqual(k.unpackText(d.word), '1677722.0000000');
      for (const x of [1.6777216, 167772.16, -16777.2157]) {
        const r = k.packDetailed(x, SN_EXISTS);
        assert.strictEqual(r.row1, true, `${x} is in the overflow family`);
        assert.strictEqual(r.word & SN_FLAGS_MASK, SN_EXISTS);
        assert.ok(Math.abs(k.unpack(r.word) - x) <= Math.abs(x) * 1e-6, `${x} keeps about 7 digits`);
      }
    });

    it('computes Appendix B: average and sum of 1, 0.1, -5.5', () => {
      const ring = Uint32Array.from([0x39989680, 0x390f4240, 0xb153ec60]);
      const m = meta(3, 0, 3, 1000, 1);
      // Window over all three slots: aligned before = 1000, after clamped to the first slot.
      const avg = k.storedValue(ring, 0, m, 900, 1003, 'average');
      assert.deepStrictEqual(avg, { text: '-1.4666667', first: 997, last: 1000 });
      const sum = k.storedValue(ring, 0, m, 900, 1003, 'sum');
      assert.strictEqual(sum.text, '-4.4000000');
      assert.strictEqual(k.unpackText(0x7d5814d5), '577250100000000000000.0000000');
    });

    it('storage_number.json: every pack and unpack case; differences are row-1 fixes only', () => {
      const v = storage();
      let row1 = 0;
      let flagsKept = 0;
      for (const c of v.pack) {
        const x = Number(c.input);
        const d = k.packDetailed(x, c.flags);
        const expected = parseInt(c.packed, 16);
        if (!d.row1) {
          assert.strictEqual(hex8(d.word), c.packed, `pack(${c.input}, ${c.flags})`);
          assert.strictEqual(k.unpackText(d.word), c.unpacked_f7, `unpacked_f7 of pack(${c.input})`);
          assert.strictEqual((d.word & SN_FLAGS_MASK) !== 0 ? 1 : 0, c.exists);
          assert.strictEqual((d.word & SN_FLAGS_MASK) === SN_EXISTS_RESET ? 1 : 0, c.reset);
          assert.notStrictEqual(inOverflowFamily(x), 'in', `${c.input} is in the overflow band but was not fixed`);
          continue;
        }
        row1++;
        // The deviation is exactly the SPEC's overflow family: the band of §2.4 ...
        assert.notStrictEqual(inOverflowFamily(x), 'out', `row-1 fix outside the overflow band: ${c.input}`);
        // ... where the reference's word is the carried one (the unfixed algorithm reproduces it) ...
        assert.strictEqual(hex8(packExact(x, c.flags, false).word), c.packed, `reference word of ${c.input}`);
        assert.notStrictEqual(d.word, expected);
        // ... and the fix keeps the caller's flags, the sign and about 7 significant digits.
        assert.strictEqual(d.word & SN_FLAGS_MASK, c.flags & SN_FLAGS_MASK, `flags of fixed ${c.input}`);
        if ((c.flags & SN_FLAGS_MASK) !== (expected & SN_FLAGS_MASK)) flagsKept++;
        assert.strictEqual(d.word >>> 31, x < 0 ? 1 : 0);
        assert.ok(Math.abs(k.unpack(d.word) - x) <= Math.abs(x) * 6e-7, `value of fixed ${c.input}`);
      }
      // README: about 980 of the pack inputs (with SN_EXISTS) hit the overflow; all of them damaged the flags.
      assert.ok(row1 > 800 && row1 < 1100, `row-1 deviations: ${row1}`);
      assert.ok(flagsKept > row1 * 0.9, 'the fix keeps flags the reference destroyed');
      for (const c of v.unpack) {
        const w = parseInt(c.sn, 16);
        assert.strictEqual(k.unpackText(w), c.unpacked_f7, `unpackText(${c.sn})`);
      }
    });

    it('value_calculation.json: result, first and last timestamps of every case (through storedValue)', () => {
      const v = values();
      let nan = 0;
      for (const c of v.cases) {
        const r = k.storedValue(Uint32Array.from(c.values), 0,
          meta(c.entries, c.current_entry, c.counter, c.last_updated, c.update_every), c.after, c.before,
          (c.options & 7) === 4 ? 'sum' : 'average');
        assert.deepStrictEqual({ result: r.text ?? 'nan', first: r.first, last: r.last },
          { result: c.result, first: c.first_timestamp, last: c.last_timestamp },
          `case ${JSON.stringify({ ...c, values: undefined })}`);
        if (r.text === null) nan++;
      }
      assert.ok(nan > 300 && nan < v.cases.length - 300, `both NaN and values are exercised (${nan} NaN)`);
    });

    it('storedValuesInto gives every dimension the nearest double of its long double value (BigInt oracle)', () => {
      const v = values();
      // Stack cases of the same geometry as the dimensions of one chart.
      const byShape = new Map<string, ValueCase[]>();
      for (const c of v.cases) {
        const key = [c.entries, c.current_entry, c.counter, c.last_updated, c.update_every, c.after, c.before, c.options & 7].join(',');
        byShape.set(key, [...(byShape.get(key) ?? []), c]);
      }
      let charts = 0;
      for (const group of byShape.values()) {
        const c0 = group[0];
        const dims = group.length + 1;
        const ring = new Uint32Array(dims * c0.entries);
        group.forEach((c, d) => ring.set(c.values, d * c0.entries));
        ring.set(c0.values.map((w) => (w ^ 0x80000000) >>> 0), group.length * c0.entries); // a mirrored dimension
        const m = meta(c0.entries, c0.current_entry, c0.counter, c0.last_updated, c0.update_every, dims);
        const mode = (c0.options & 7) === 4 ? 'sum' : 'average';
        const out = new Float64Array(dims);
        const ts = k.storedValuesInto(ring, m, c0.after, c0.before, mode, out);
        const win = new Float64Array(2);
        const inside = alignWindow(m, c0.after, c0.before, win);
        for (let d = 0; d < dims; d++) {
          const exact = inside ? dimValueExact(ring, d * c0.entries, m, win[0], win[1], mode === 'sum') : null;
          assert.ok(Object.is(out[d], exact === null ? NaN : ldToDouble(exact)), `dim ${d} of ${JSON.stringify({ ...c0, values: undefined })}`);
          // the text of the same long double is what storedValue prints
          const one = k.storedValue(ring, d * c0.entries, m, c0.after, c0.before, mode);
          assert.strictEqual(one.text, exact === null ? null : ldToF7(exact));
        }
        if (Number.isNaN(ts)) {
          assert.strictEqual(c0.result, 'nan');
          assert.strictEqual(c0.first_timestamp, c0.after);
        } else {
          assert.strictEqual(ts, c0.last_timestamp);
        }
        charts++;
      }
      assert.ok(charts > 1000);
    });

    it('packInto / unpackInto agree with pack / unpack and count the row-1 fixes', () => {
      const xs = storage().pack.map((c) => Number(c.input));
      const vals = Float64Array.from(xs);
      const words = new Uint32Array(vals.length);
      const fixed = k.packInto(vals, SN_EXISTS, words);
      let expectFixed = 0;
      for (let i = 0; i < xs.length; i++) {
        const d = k.packDetailed(xs[i], SN_EXISTS);
        assert.strictEqual(words[i], d.word, `packInto[${i}] (${xs[i]})`);
        if (d.row1) expectFixed++;
      }
      assert.strictEqual(fixed, expectFixed);
      assert.ok(fixed > 0);
      const back = new Float64Array(words.length);
      k.unpackInto(words, back);
      for (let i = 0; i < words.length; i++) assert.ok(Object.is(back[i], k.unpack(words[i])), `unpackInto[${i}]`);
    });

    it('rejects bad input with ERR_NUMERIC_INPUT naming the argument and what is accepted', () => {
      const bad = (f: () => unknown, name: RegExp): void => {
        assert.throws(f, (err: Error & { code?: string }) => err.code === 'ERR_NUMERIC_INPUT' && name.test(err.message), `expected ERR_NUMERIC_INPUT matching ${name}`);
      };
      bad(() => k.pack('1' as unknown as number, SN_EXISTS), /value "1".*number/);
      bad(() => k.pack(1, -1), /flags -1.*uint32/);
      bad(() => k.pack(1, 2 ** 32), /flags/);
      bad(() => k.unpack(1.5), /word 1\.5.*uint32/);
      bad(() => k.unpackText(-1), /word -1/);
      const ring = new Uint32Array(10);
      bad(() => k.storedValue(ring, 0, meta(0, 0, 0, 100, 1), 0, 10, 'average'), /META_ENTRIES.*>= 1/);
      bad(() => k.storedValue(ring, 0, meta(10, 10, 0, 100, 1), 0, 10, 'average'), /META_CURRENT_ENTRY/);
      bad(() => k.storedValue(ring, 0, meta(10, 0, 0, 100, 0), 0, 10, 'average'), /META_UPDATE_EVERY/);
      bad(() => k.storedValue(ring, 1, meta(10, 0, 0, 100, 1), 0, 10, 'average'), /offset 1/);
      bad(() => k.storedValue(ring, 0, meta(10, 0, 0, 100, 1), 0.5, 10, 'average'), /after 0\.5/);
      bad(() => k.storedValue(ring, 0, meta(10, 0, 0, 100, 1), 0, 10, 'max' as 'sum'), /mode "max".*'average' or 'sum'/);
      bad(() => k.storedValue(ring, 0, new Float64Array(2), 0, 10, 'sum'), /meta has 2/);
      bad(() => k.storedValuesInto(ring, meta(5, 0, 0, 100, 1, 3), 0, 10, 'sum', new Float64Array(3)), /ring has 10 slots.*15/);
      bad(() => k.storedValuesInto(ring, meta(5, 0, 0, 100, 1, 2), 0, 10, 'sum', new Float64Array(1)), /out has 1/);
      bad(() => k.packInto(new Float64Array(3), SN_EXISTS, new Uint32Array(2)), /out has 2/);
      bad(() => k.unpackInto(new Uint32Array(3), new Float64Array(2)), /out has 2/);
    });
  });
}
