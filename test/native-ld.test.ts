// The native numeric kernel on its own (SPEC §2, §3.1, §7 rows 1 and 24): the soft long double
// against the x87 hardware, the integer fast path against both exact paths, and the golden vectors
// through every code path (_setPaths), so the soft path is proven on this x86-64 machine too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS,
  SN_EXISTS, SN_FLAGS_MASK, NumericKernel,
} from '../lib/kernels/types';
import {
  NativeNumericBinding, wrapNativeNumeric, NATIVE_PATH_FORCE_SOFT_LD, NATIVE_PATH_NO_INTEGER_FAST_PATH,
} from '../lib/kernels/native-numeric';

const ROOT = path.resolve(__dirname, '..', '..');
const VECTORS = path.resolve(ROOT, '..', 'shared', 'vectors');

interface PackCase { input: string; flags: number; packed: string; unpacked_f7: string; unpacked_g21: string }
interface UnpackCase { sn: string; unpacked_f7: string; unpacked_g21: string }
interface ValueCase {
  entries: number; update_every: number; current_entry: number; counter: number; last_updated: number;
  after: number; before: number; data_source: 'sum' | 'average'; values: number[]; result: string;
  first_timestamp: number; last_timestamp: number;
}

function readVectors<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, file), 'utf8')) as T;
}

function loadBinding(): NativeNumericBinding {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = require('node-gyp-build') as (dir: string) => NativeNumericBinding;
  return load(ROOT);
}

/** Every combination of the test hooks: x87 or soft long double, with or without the integer fast path. */
const PATHS: ReadonlyArray<{ name: string; flags: number }> = [
  { name: 'fast path + x87', flags: 0 },
  { name: 'x87 only', flags: NATIVE_PATH_NO_INTEGER_FAST_PATH },
  { name: 'fast path + soft', flags: NATIVE_PATH_FORCE_SOFT_LD },
  { name: 'soft only', flags: NATIVE_PATH_NO_INTEGER_FAST_PATH | NATIVE_PATH_FORCE_SOFT_LD },
];

function metaOf(c: { entries: number; current_entry: number; counter: number; last_updated: number; update_every: number }, dims = 1): Float64Array {
  const meta = new Float64Array(META_LENGTH);
  meta[META_ENTRIES] = c.entries;
  meta[META_CURRENT_ENTRY] = c.current_entry;
  meta[META_COUNTER] = c.counter;
  meta[META_LAST_UPDATED] = c.last_updated;
  meta[META_UPDATE_EVERY] = c.update_every;
  meta[META_DIMS] = dims;
  return meta;
}

describe('native numeric kernel', function () {
  let binding: NativeNumericBinding;
  let kernel: NumericKernel;

  before(function () {
    try {
      binding = loadBinding();
    } catch (err) {
      console.warn(`      SKIPPED: the native addon did not load (${(err as Error).message}); build it with npx node-gyp rebuild`);
      this.skip();
    }
    kernel = wrapNativeNumeric(binding);
  });
  afterEach(() => {
    if (binding) binding._setPaths(0);
  });

  describe('soft long double (SPEC §2.5, §7 row 24)', () => {
    it('matches the x87 hardware after every operation, and the portable 128-bit helpers match the native ones', function () {
      const r = binding._ldSelfTest(200_000, 0x5eed1);
      assert.strictEqual(r.mismatches, 0, r.first);
      if (!r.hardware) {
        // Only the portable helper checks ran; the vector suites below still prove the soft type.
        console.warn('      NOTE: no x87 long double on this platform; soft-vs-hardware comparison not run');
        assert.ok(r.cases > 0);
        return;
      }
      // 200k random steps: loads, adds, negations, x10/x100/x k, divisions by 10, 1e7, counts and
      // 32-bit numbers, comparisons, conversions to double, lrint and "%0.7Lf" against glibc.
      assert.ok(r.cases >= 200_000, `only ${r.cases} comparisons`);
    });

    it('a second seed: different operands, same result', function () {
      const r = binding._ldSelfTest(100_000, 0xc0ffee);
      assert.strictEqual(r.mismatches, 0, r.first);
    });
  });

  describe('integer fast path of the value calculation (derivation in native/value_calc.cc)', () => {
    it('agrees with the soft and the x87 exact paths on random and adversarial rings', function () {
      const r = binding._valueSelfTest(20_000, 0xfa57);
      assert.strictEqual(r.mismatches, 0, r.first);
      // Both outcomes must be exercised: the fast path answers most rings, and declines (ties,
      // cancellations to zero, large magnitudes) fall back to the exact path.
      assert.ok(r.fastTaken > 5_000, `fast path answered only ${r.fastTaken} cases`);
      assert.ok(r.fastTaken < r.cases, 'the fast path never declined');
    });
  });

  describe('golden vectors through every code path', () => {
    const sn = readVectors<{ pack: PackCase[]; unpack: UnpackCase[] }>('storage_number.json');
    const vc = readVectors<{ cases: ValueCase[] }>('value_calculation.json');

    for (const p of PATHS) {
      it(`storage_number.json, ${p.name}: packed words (row-1 deviations only), unpacked text and doubles`, () => {
        binding._setPaths(p.flags);
        let row1 = 0;
        for (const c of sn.pack) {
          const expected = parseInt(c.packed, 16);
          const r = kernel.packDetailed(Number(c.input), c.flags);
          if (r.row1) {
            row1++;
            assert.notStrictEqual(r.word, expected, `input ${c.input}: row1 reported but the word equals the vector`);
          } else {
            assert.strictEqual(r.word, expected, `pack(${c.input}, ${c.flags})`);
          }
          assert.strictEqual(kernel.unpackText(expected), c.unpacked_f7, `unpackText(${c.packed})`);
        }
        assert.ok(row1 > 0, 'the vectors contain the row-1 overflow family');
        for (const c of sn.unpack) {
          const w = parseInt(c.sn, 16);
          assert.strictEqual(kernel.unpackText(w), c.unpacked_f7, `unpackText(${c.sn})`);
          assert.strictEqual(kernel.unpack(w), Number(c.unpacked_g21), `unpack(${c.sn})`);
        }
      });

      it(`value_calculation.json, ${p.name}: result, first and last timestamps`, () => {
        binding._setPaths(p.flags);
        for (const [i, c] of vc.cases.entries()) {
          const r = kernel.storedValue(new Uint32Array(c.values), 0, metaOf(c), c.after, c.before, c.data_source);
          const want = c.result === 'nan' ? null : c.result;
          assert.deepStrictEqual(r, { text: want, first: c.first_timestamp, last: c.last_timestamp }, `case ${i}`);
        }
      });
    }

    it('row-1 deviations are exactly the overflow family of SPEC §2.4 and unpack close to the input', () => {
      let n = 0;
      for (const c of sn.pack) {
        const r = kernel.packDetailed(Number(c.input), c.flags);
        if (!r.row1) continue;
        n++;
        const expected = parseInt(c.packed, 16);
        const x = Math.abs(Number(c.input));
        // The reference's mantissa carried into the flag bits: they differ from the caller's.
        assert.notStrictEqual((expected & SN_FLAGS_MASK) >>> 0, (c.flags & SN_FLAGS_MASK) >>> 0, `input ${c.input}`);
        // Scaled into [1.67772155, 1.677726) by a power of ten (k = 0..6 in SPEC §2.4).
        const scaled = x / 10 ** Math.floor(Math.log10(x));
        assert.ok(scaled >= 1.67772155 && scaled < 1.677726, `input ${c.input} is outside the overflow band`);
        const back = kernel.unpack(r.word);
        assert.ok(Math.abs(back - Number(c.input)) <= 1e-6 * x, `input ${c.input} unpacks to ${back}`);
        assert.strictEqual((r.word & SN_FLAGS_MASK) >>> 0, (c.flags & SN_FLAGS_MASK) >>> 0, 'the fixed word keeps the flags');
      }
      assert.ok(n > 100, `only ${n} row-1 cases`);
    });

    it('storedValuesInto gives the nearest doubles of the same values and the reported timestamp', () => {
      // Several vector rings of equal geometry side by side, dimension-major (SPEC §1.4).
      const byGeometry = new Map<string, ValueCase[]>();
      for (const c of vc.cases) {
        const key = [c.entries, c.update_every, c.current_entry, c.counter, c.last_updated, c.after, c.before, c.data_source].join();
        byGeometry.set(key, [...(byGeometry.get(key) ?? []), c]);
      }
      let checked = 0;
      for (const group of byGeometry.values()) {
        const c0 = group[0];
        const ring = new Uint32Array(c0.entries * group.length);
        group.forEach((c, d) => ring.set(c.values, d * c0.entries));
        const out = new Float64Array(group.length);
        const ts = kernel.storedValuesInto(ring, metaOf(c0, group.length), c0.after, c0.before, c0.data_source, out);
        const outside = kernel.storedValue(ring, 0, metaOf(c0), c0.after, c0.before, c0.data_source);
        group.forEach((c, d) => {
          if (c.result === 'nan') assert.ok(Number.isNaN(out[d]));
          else assert.ok(Math.abs(out[d] - Number(c.result)) <= Math.abs(out[d]) * 1e-15 + 5e-8, `${out[d]} vs ${c.result}`);
          checked++;
        });
        // NaN timestamp exactly when the window is outside the database (then every value is NaN).
        if (Number.isNaN(ts)) assert.ok(group.every((c) => c.result === 'nan'));
        else assert.strictEqual(ts, outside.last);
      }
      assert.strictEqual(checked, vc.cases.length);
    });
  });

  describe('SPEC examples', () => {
    it('Appendix B: average and sum of 1, 0.1 and -5.5', () => {
      const ring = Uint32Array.from([0x39989680, 0x390f4240, 0xb153ec60]);
      const meta = metaOf({ entries: 3, current_entry: 0, counter: 3, last_updated: 1002, update_every: 1 });
      // Slots 0..2 hold times 1000..1002; the window [1002, 1005] aligns to [1000, 1002] (SPEC §3.1).
      for (const p of PATHS) {
        binding._setPaths(p.flags);
        const avg = kernel.storedValue(ring, 0, meta, 1002, 1005, 'average');
        const sum = kernel.storedValue(ring, 0, meta, 1002, 1005, 'sum');
        assert.deepStrictEqual([avg.text, sum.text], ['-1.4666667', '-4.4000000'], p.name);
        assert.deepStrictEqual([avg.first, avg.last], [1000, 1002]);
      }
    });

    it('row-1 fix: 1677722 packs to a word that unpacks to itself (the reference gave 0.4, SPEC §2.4)', () => {
      for (const p of PATHS) {
        binding._setPaths(p.flags);
        const r = kernel.packDetailed(1677722, SN_EXISTS);
        assert.strictEqual(r.row1, true);
        assert.strictEqual(kernel.unpackText(r.word), '1677722.0000000');
        assert.strictEqual(kernel.packDetailed(1677721, SN_EXISTS).row1, false);
      }
    });

    it('glibc rounding: exact binary ties go to even, tiny negatives print -0.0000000 (Appendix B)', () => {
      // 256 slots: one word of value 1 (or 3), the rest existing zeros. The LD sum is exactly 1 (3),
      // the average exactly 2^-8 = 0.00390625 (3 * 2^-8 = 0.01171875): ties at the 8th decimal.
      const ring = new Uint32Array(256).fill(SN_EXISTS);
      const meta = metaOf({ entries: 256, current_entry: 0, counter: 256, last_updated: 2000, update_every: 1 });
      const three = kernel.pack(3, SN_EXISTS);
      for (const p of PATHS) {
        binding._setPaths(p.flags);
        ring[17] = 0x39989680;  // 1
        const one = kernel.storedValue(ring, 0, meta, 1746, 2003, 'average');
        assert.deepStrictEqual(one, { text: '0.0039062', first: 1744, last: 2000 }, p.name);
        assert.strictEqual(kernel.storedValue(ring, 0, meta, 1746, 2003, 'sum').text, '1.0000000');
        ring[17] = three;
        assert.strictEqual(kernel.storedValue(ring, 0, meta, 1746, 2003, 'average').text, '0.0117188', p.name);
        // -1e-7 / 3 = -3.3e-8
        const tiny = kernel.storedValue(Uint32Array.from([0xb9000001, SN_EXISTS, SN_EXISTS]), 0,
          metaOf({ entries: 3, current_entry: 0, counter: 3, last_updated: 1002, update_every: 1 }), 1002, 1005, 'average');
        assert.strictEqual(tiny.text, '-0.0000000', p.name);
      }
      assert.strictEqual(kernel.unpackText(0xb9000001), '-0.0000001');
      assert.strictEqual(kernel.unpackText(0x80000000), '-0.0000000');
    });
  });

  describe('argument errors', () => {
    it('the facade names the argument and what is accepted, with a stable code', () => {
      const meta = metaOf({ entries: 4, current_entry: 0, counter: 4, last_updated: 100, update_every: 1 });
      const cases: Array<[() => unknown, RegExp]> = [
        [() => kernel.pack('1' as unknown as number, SN_EXISTS), /value "1"/],
        [() => kernel.pack(1, -1), /flags -1/],
        [() => kernel.unpack(2 ** 32), /word 4294967296/],
        [() => kernel.unpackText(1.5), /word 1.5/],
        [() => kernel.storedValue(new Uint32Array(3), 0, meta, 0, 10, 'average'), /offset 0/],
        [() => kernel.storedValue(new Uint32Array(4), 0, meta, 0.5, 10, 'average'), /after 0.5/],
        [() => kernel.storedValue(new Uint32Array(4), 0, meta, 0, 10, 'median' as 'sum'), /mode "median"/],
        [() => kernel.storedValuesInto(new Uint32Array(4), meta, 0, 10, 'sum', new Float64Array(0)), /out has 0 slots/],
        [() => kernel.unpackInto(new Uint32Array(4), new Float64Array(3)), /out has 3 slots/],
      ];
      for (const [call, message] of cases) {
        assert.throws(call, (err: Error & { code?: string }) => {
          assert.strictEqual(err.code, 'ERR_NUMERIC_INPUT');
          assert.match(err.message, message);
          return true;
        });
      }
    });

    it('the binding itself rejects wrong types and short arrays (programmer errors)', () => {
      const meta = metaOf({ entries: 4, current_entry: 0, counter: 4, last_updated: 100, update_every: 1 });
      const ts = new Float64Array(2);
      assert.throws(() => binding.unpack('x' as unknown as number),
        (e: Error & { code?: string }) => e instanceof TypeError && e.code === 'ERR_RRD_NATIVE_ARG_TYPE' && /word/.test(e.message));
      assert.throws(() => binding.unpackInto(new Int32Array(2) as unknown as Uint32Array, new Float64Array(2)),
        (e: Error & { code?: string }) => e instanceof TypeError && /words must be a Uint32Array/.test(e.message));
      assert.throws(() => binding.storedValue(new Uint32Array(3), 0, meta, 0, 10, false, ts),
        (e: Error & { code?: string }) => e instanceof RangeError && e.code === 'ERR_RRD_NATIVE_ARG_RANGE' && /offset/.test(e.message));
      meta[META_DIMS] = 2;
      assert.throws(() => binding.storedValuesInto(new Uint32Array(7), meta, 0, 10, true, new Float64Array(2)),
        (e: Error) => e instanceof RangeError && /META_DIMS/.test(e.message));
      assert.throws(() => binding._setPaths(4), RangeError);
    });
  });
});
