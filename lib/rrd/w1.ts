// The benchmark workload W1 (/work/shared/BENCHMARK.md), built through the database's own restore API so the
// benchmark measures the same structures an agent uses: 20,000 charts × 50 dimensions × 60 entries.
//
// W1 is "the reference's database": BENCHMARK.md's hashes were taken from rings the reference's pack() filled,
// and that pack damages 36 of the 60 million words (SPEC §2.4, §7 row 1: the rounded mantissa overflows into
// the flag bits). Our pack has the fix, so by default those 36 words are LOADED as the reference stored them,
// the way a database saved by the reference would be loaded (restore()) -- data loading, not a pack mode: the
// public pack never produces them. `words: 'project'` keeps our own (fixed) words instead.
import { packExact } from '../kernels/fallback/sn-exact';
import type { NumericKernel } from '../kernels/types';
import { SN_EXISTS } from '../kernels/types';
import type { RrdChart } from './chart';
import { RrdDatabase } from './database';
import type { RrdHost } from './host';

export const W1_CHARTS = 20000;
export const W1_DIMS = 50;
export const W1_ENTRIES = 60;
export const W1_CURRENT_ENTRY = 40;
export const W1_COUNTER = 1000;
export const W1_T = 1700000000;
export const W1_SEED = 0x2545f491;
export const W1_HOSTNAME = 'bench-host';
/** Export window of one W1 pass (the exporter's update every is 10). */
export const W1_AFTER = W1_T - 10;
export const W1_BEFORE = W1_T;

/** The reference's figures for the full-size workload (BENCHMARK.md "Checks"). */
export const W1_EXPECTED = {
  ringHash: '8e5186ed5a1eaace',
  lastCollectedValueHash: '7b8a2be2c90f7c07',
  prngState: 0x053c379e,
} as const;

/** xorshift32 as BENCHMARK.md defines it: x ^= x << 13; x ^= x >> 17; x ^= x << 5 (uint32), returns x. */
export class XorShift32 {
  constructor(public state: number) {}
  next(): number {
    let x = this.state;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.state = x;
    return x;
  }
}

/** FNV-1a 64-bit over bytes, in four 16-bit limbs so every product stays exact in a double. */
export class Fnv1a64 {
  // offset basis 0xcbf29ce484222325
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  update(bytes: Uint8Array): this {
    let h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3;
    for (let i = 0; i < bytes.length; i++) {
      h0 ^= bytes[i];
      // h × 0x100000001b3 = h × 0x1b3 + (h << 40)
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + (t1 >>> 16);
      const t3 = h3 * 0x1b3 + (t2 >>> 16);
      const u2 = (t2 & 0xffff) + (h0 << 8);
      h3 = (t3 + (h1 << 8) + (u2 >>> 16)) & 0xffff;
      h2 = u2 & 0xffff;
      h1 = t1 & 0xffff;
      h0 = t0 & 0xffff;
    }
    this.h0 = h0; this.h1 = h1; this.h2 = h2; this.h3 = h3;
    return this;
  }

  hex(): string {
    return [this.h3, this.h2, this.h1, this.h0].map((x) => x.toString(16).padStart(4, '0')).join('');
  }
}

export interface W1Options {
  /** Fewer charts for tests (the PRNG sequence is the same prefix). Default 20,000. */
  charts?: number;
  /** Packs the storage numbers (default: the active kernel). */
  kernel?: NumericKernel;
  /**
   * 'reference' (default): the words the reference stored, i.e. its damaged word for the SPEC §7 row-1 values
   * (see above); 'project': this project's pack for every value.
   */
  words?: 'reference' | 'project';
}

export interface W1 {
  db: RrdDatabase;
  host: RrdHost;
  /** Chart i of the definition at index i (generation order). */
  charts: RrdChart[];
  /** The PRNG state after generation. */
  prngState: number;
  /**
   * The values whose packing the SPEC §7 row-1 fix changes (36 at full size): with words 'reference' the
   * ring holds the reference's damaged word for them (`reference`), else the fixed one (`fixed`).
   */
  row1: W1Row1[];
}

export interface W1Row1 {
  chart: number;
  /** Index into the chart's ring. */
  index: number;
  /** The value that was packed. */
  value: number;
  /** Its word from this project's pack (row-1 fix applied) and the word the reference stored. */
  fixed: number;
  reference: number;
}

/**
 * Builds W1. Charts are created from the last to the first so that the host, which lists the newest chart
 * first (SPEC §1.7), exports chart_0 first, as the reference figures do; values are then generated chart by
 * chart in index order, exactly as BENCHMARK.md defines. Each chart is packed with one kernel call.
 */
export function buildW1(options: W1Options = {}): W1 {
  const n = options.charts ?? W1_CHARTS;
  const referenceWords = (options.words ?? 'reference') === 'reference';
  if (!(Number.isInteger(n) && n >= 1 && n <= W1_CHARTS)) throw new RangeError(`W1 charts must be an integer from 1 to ${W1_CHARTS}, got ${String(n)}`);
  if (options.words !== undefined && options.words !== 'reference' && options.words !== 'project') {
    throw new RangeError(`W1 words must be 'reference' or 'project', got ${String(options.words)}`);
  }
  const db = new RrdDatabase({ hostname: W1_HOSTNAME, tags: null, memoryMode: 'ram', entries: W1_ENTRIES, updateEvery: 1, kernel: options.kernel });
  const host = db.localhost;
  const kernel = db.kernel;
  const dimIds: string[] = [];
  for (let j = 0; j < W1_DIMS; j++) dimIds.push(`dim_${j}`); // shared strings: one copy for all charts
  const charts: RrdChart[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const c = host.createChart({ type: 'bench', id: `chart_${i}`, context: 'bench.ctx', units: 'units', updateEvery: 1, entries: W1_ENTRIES, memoryMode: 'ram', dimensionsHint: W1_DIMS });
    c.addDimensions(dimIds);
    charts[i] = c;
  }

  const rnd = new XorShift32(W1_SEED);
  const values = new Float64Array(W1_DIMS * W1_ENTRIES);
  const words = new Uint32Array(W1_DIMS * W1_ENTRIES);
  const empty = new Uint8Array(W1_DIMS * W1_ENTRIES);
  const lcv = new BigInt64Array(W1_DIMS);
  const row1: W1Row1[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < W1_DIMS; j++) {
      const base = j * W1_ENTRIES;
      let w = rnd.next() % 1000000000; // a random walk in thousandths
      for (let t = 0; t < W1_ENTRIES; t++) {
        const slot = base + ((W1_CURRENT_ENTRY + t) % W1_ENTRIES); // oldest to newest
        w = (w + (rnd.next() % 200001) - 100000 + 1000000000) % 1000000000;
        const isEmpty = rnd.next() % 50 === 0;
        empty[slot] = isEmpty ? 1 : 0;
        values[slot] = isEmpty ? 0 : w / 1000;
      }
      lcv[j] = BigInt(rnd.next() % 1000000000);
    }
    if (kernel.packInto(values, SN_EXISTS, words) > 0) {
      // Rare (about 1 in 1.7 million values): find which ones.
      for (let k = 0; k < values.length; k++) {
        if (empty[k] || !kernel.packDetailed(values[k], SN_EXISTS).row1) continue;
        const r: W1Row1 = { chart: i, index: k, value: values[k], fixed: words[k], reference: packExact(values[k], SN_EXISTS, false).word };
        row1.push(r);
        if (referenceWords) words[k] = r.reference;
      }
    }
    for (let k = 0; k < words.length; k++) if (empty[k]) words[k] = 0;
    charts[i].restore({ ring: words, currentEntry: W1_CURRENT_ENTRY, counter: W1_COUNTER, lastUpdated: W1_T, lastCollectedValue: lcv, lastCollectedTime: W1_T });
  }
  return { db, host, charts, prngState: rnd.state, row1 };
}

/**
 * FNV-1a-64 of all ring words, u32 little-endian: charts in generation order, each chart's ring as stored
 * (dimension by dimension, slot 0 to 59), which is how the BENCHMARK.md figure was taken. `substitute`
 * replaces single words (chart index, ring index) first.
 */
export function w1RingHash(charts: ReadonlyArray<RrdChart>, substitute?: ReadonlyArray<{ chart: number; index: number; word: number }>): string {
  const h = new Fnv1a64();
  const byChart = new Map<number, Array<{ index: number; word: number }>>();
  for (const s of substitute ?? []) {
    const list = byChart.get(s.chart) ?? [];
    list.push(s);
    byChart.set(s.chart, list);
  }
  charts.forEach((c, i) => {
    let ring = c.ring;
    const subs = byChart.get(i);
    if (subs) {
      ring = ring.slice();
      for (const s of subs) ring[s.index] = s.word;
    }
    h.update(new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength));
  });
  return h.hex();
}

/** FNV-1a-64 of all last_collected_value, int64 little-endian, in generation order. */
export function w1LastCollectedValueHash(charts: ReadonlyArray<RrdChart>): string {
  const h = new Fnv1a64();
  for (const c of charts) {
    const v = c.lastCollectedValue;
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.hex();
}
