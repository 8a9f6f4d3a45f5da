// W1 (BENCHMARK.md) at small scale: the builder must follow the definition exactly. The expected words are
// recomputed here independently: our own xorshift32, and pack() emulated with exact BigInt arithmetic in the
// reference's 80-bit long double (64-bit mantissa, round-to-nearest-even after every operation, SPEC §2.2).
import * as assert from 'assert';
import { kernel } from '../lib/kernels';
import { META_COUNTER, META_CURRENT_ENTRY, META_LAST_UPDATED, SN_EXISTS } from '../lib/kernels/types';
import { buildW1, Fnv1a64, w1LastCollectedValueHash, w1RingHash } from '../lib/rrd/w1';

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds mant·2^exp to `bits` significant bits, ties to even. */
function roundBits(mant: bigint, exp: number, bits: number): [bigint, number] {
  const extra = bitLength(mant) - bits;
  if (extra <= 0) return [mant, exp];
  const shift = BigInt(extra);
  let q = mant >> shift;
  const rem = mant - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  if (bitLength(q) > bits) return [q >> 1n, exp + extra + 1];
  return [q, exp + extra];
}

/** The exact value of a positive finite double as mant·2^exp. */
function decompose(x: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e !== 0) mant |= 1n << 52n;
  return [mant, (e === 0 ? 1 : e) - 1075];
}

function lessThan(mant: bigint, exp: number, limit: number): boolean {
  return exp >= 0 ? mant << BigInt(exp) < BigInt(limit) : mant < BigInt(limit) << BigInt(-exp);
}

/**
 * pack(x, SN_EXISTS) for 0 ≤ x < 1677726 (all W1 values): divide mode, scaled up by 10 while below
 * 1677726 (at most 7 times), then LD → double → lrint (ties to even). Returns null for the SPEC §7 row-1
 * band, where the reference's mantissa overflows 24 bits.
 */
function referencePack(x: number): number | null {
  if (x === 0) return SN_EXISTS;
  let [mant, exp] = decompose(x);
  let m = 0;
  while (m < 7 && lessThan(mant, exp, 1677726)) {
    [mant, exp] = roundBits(mant * 10n, exp, 64);
    m++;
  }
  const [dm, de] = roundBits(mant, exp, 53);
  const d = Number(dm) * 2 ** de;
  const f = Math.floor(d);
  const r = d - f > 0.5 || (d - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  if (r > 0xffffff) return null;
  return (SN_EXISTS + m * 2 ** 27 + r) >>> 0;
}

describe('rrd W1 workload (BENCHMARK.md) at small scale', () => {
  const CHARTS = 20;
  const w1 = buildW1({ charts: CHARTS });

  it('the independent pack emulation agrees with SPEC §2.4 vectors', () => {
    // 1 → 39989680, 0.1 → 390F4240, 0.9 → 39895440, 99.99 → 29989298, 3.14159265 → 312FEFD9, 1677721 → 09FFFFFA
    const table: Array<[number, number]> = [[1, 0x39989680], [0.1, 0x390f4240], [0.9, 0x39895440], [99.99, 0x29989298], [3.14159265, 0x312fefd9], [1677721, 0x09fffffa], [1e-7, 0x39000001]];
    for (const [v, w] of table) assert.strictEqual(referencePack(v), w, String(v));
    assert.strictEqual(referencePack(1677722), null, 'row-1 band');
  });

  it('ring words, last collected values and PRNG order follow the definition', () => {
    let x = 0x2545f491;
    const next = () => {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      return x;
    };
    let compared = 0;
    let empties = 0;
    let band = 0;
    for (let i = 0; i < CHARTS; i++) {
      const c = w1.charts[i];
      assert.strictEqual(c.id, `bench.chart_${i}`);
      for (let j = 0; j < 50; j++) {
        let w = next() % 1000000000;
        for (let t = 0; t < 60; t++) {
          const s = (40 + t) % 60;
          w = (w + (next() % 200001) - 100000 + 1000000000) % 1000000000;
          const empty = next() % 50 === 0;
          const got = c.ring[j * 60 + s];
          if (empty) {
            assert.strictEqual(got, 0);
            empties++;
            continue;
          }
          const want = referencePack(w / 1000);
          if (want === null) {
            // SPEC §7 row 1: the fixed word keeps a 24-bit mantissa.
            band++;
            assert.ok(kernel.packDetailed(w / 1000, SN_EXISTS).row1);
            assert.strictEqual(got, kernel.pack(w / 1000, SN_EXISTS));
          } else {
            assert.strictEqual(got, want, `chart ${i} dim ${j} t ${t}: ${w / 1000}`);
            compared++;
          }
        }
        assert.strictEqual(c.lastCollectedValue[j], BigInt(next() % 1000000000));
        assert.strictEqual(c.lastCollectedTime[j], 1700000000);
      }
    }
    assert.strictEqual(compared + empties + band, CHARTS * 50 * 60);
    // About 1 slot in 50 is empty.
    assert.ok(empties > 900 && empties < 1500, `empties ${empties}`);
    assert.strictEqual(w1.prngState, x);
    assert.strictEqual(w1.row1.length, band);
  });

  it('charts: meta, names, order (chart_0 exported first), host', () => {
    assert.strictEqual(w1.host.hostname, 'bench-host');
    assert.strictEqual(w1.host.tags, null);
    assert.deepStrictEqual(w1.host.charts.slice(0, 3).map((c) => c.id), ['bench.chart_0', 'bench.chart_1', 'bench.chart_2']);
    for (const c of w1.charts) {
      assert.deepStrictEqual([c.meta[META_CURRENT_ENTRY], c.meta[META_COUNTER], c.meta[META_LAST_UPDATED], c.entries, c.updateEvery], [40, 1000, 1700000000, 60, 1]);
      assert.deepStrictEqual([c.type, c.family, c.context, c.units, c.name], ['bench', 'bench', 'bench.ctx', 'units', c.id]);
      assert.strictEqual(c.dimensions.length, 50);
      assert.strictEqual(c.dimensions[7].id, 'dim_7');
      assert.strictEqual(c.dimensions[7].name, 'dim_7');
      assert.strictEqual(c.storageBytes, w1.charts[0].storageBytes, 'no spare capacity');
    }
  });

  it('is deterministic: a second build hashes the same', () => {
    const again = buildW1({ charts: CHARTS });
    assert.strictEqual(w1RingHash(again.charts), w1RingHash(w1.charts));
    assert.strictEqual(w1LastCollectedValueHash(again.charts), w1LastCollectedValueHash(w1.charts));
    assert.notStrictEqual(w1RingHash(buildW1({ charts: 3 }).charts), w1RingHash(w1.charts));
  });

  it('FNV-1a-64 matches the published test values', () => {
    const enc = new TextEncoder();
    assert.strictEqual(new Fnv1a64().hex(), 'cbf29ce484222325');
    assert.strictEqual(new Fnv1a64().update(enc.encode('a')).hex(), 'af63dc4c8601ec8c');
    assert.strictEqual(new Fnv1a64().update(enc.encode('foobar')).hex(), '85944171f73967e8');
  });
});
