// Seeded synthetic workloads shared by every benchmark, so native and fallback see the same data.
import { META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS, SN_EXISTS } from '../lib/kernels/types';

/** xorshift32 as BENCHMARK.md defines it. */
export class XorShift32 {
  constructor(private x: number) {}
  next(): number {
    let x = this.x;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.x = x;
    return x;
  }
}

export interface MicroChart {
  ring: Uint32Array;
  meta: Float64Array;
  dims: number;
}

/**
 * Charts of `dimsPerChart` dimensions with 60 wrapped entries of storage numbers in divide mode
 * (the common case: 1..4 decimals), 2% empty slots and 20% negative values.
 */
export function microCharts(totalDims: number, dimsPerChart = 50, seed = 0x2545f491): MicroChart[] {
  const rnd = new XorShift32(seed);
  const entries = 60;
  const charts: MicroChart[] = [];
  for (let left = totalDims; left > 0; left -= dimsPerChart) {
    const dims = Math.min(dimsPerChart, left);
    const ring = new Uint32Array(dims * entries);
    for (let i = 0; i < ring.length; i++) {
      if (rnd.next() % 50 === 0) continue;
      const m = 1 + (rnd.next() % 4);
      const mantissa = 1677726 + (rnd.next() % (16777215 - 1677726));
      const sign = rnd.next() % 5 === 0 ? 0x80000000 : 0;
      ring[i] = (sign | (m << 27) | SN_EXISTS | mantissa) >>> 0;
    }
    const meta = new Float64Array(META_LENGTH);
    meta[META_ENTRIES] = entries;
    meta[META_CURRENT_ENTRY] = 40;
    meta[META_COUNTER] = 1000;
    meta[META_LAST_UPDATED] = 1700000000;
    meta[META_UPDATE_EVERY] = 1;
    meta[META_DIMS] = dims;
    charts.push({ ring, meta, dims });
  }
  return charts;
}
