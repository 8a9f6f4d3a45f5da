// Synthetic charts for high-cardinality trials (`--demo-charts N`): N charts `demo.chart_<i>` of 50
// absolute dimensions `dim_<j>` each, every dimension a bounded random walk, written through the same
// collection API as the real metrics. Deterministic for a seed, so two runs export the same values.
import type { RrdChart } from '../rrd/chart';
import type { RrdHost } from '../rrd/host';

export const DEMO_DIMENSIONS = 50;
export const DEMO_CHARTS_MAX = 100_000;
/** Ring slots of a demo chart: 5 minutes at 1 s (50,000 dimensions × 3600 slots would take 720 MB). */
export const DEMO_ENTRIES = 300;

export class DemoCharts {
  private readonly charts: RrdChart[] = [];
  private readonly walk: Int32Array;
  private x: number;

  /**
   * @param count charts to create (0 … DEMO_CHARTS_MAX)
   * @param seed xorshift32 seed (non-zero)
   */
  constructor(host: RrdHost, readonly count: number, updateEvery = 1, seed = 0x2545f491) {
    if (!Number.isInteger(count) || count < 0 || count > DEMO_CHARTS_MAX) {
      throw new RangeError(`demo charts: ${String(count)} is not accepted; accepted: a whole number from 0 to ${DEMO_CHARTS_MAX}`);
    }
    this.x = seed >>> 0 || 1;
    const dims = Array.from({ length: DEMO_DIMENSIONS }, (_, j) => ({ id: `dim_${j}`, algorithm: 'absolute' as const }));
    for (let i = 0; i < count; i++) {
      const id = `chart_${i}`;
      const chart = host.findChart(`demo.${id}`) ?? host.createChart({
        type: 'demo', id, family: 'demo', context: 'demo.random', units: 'value', title: `Demo chart ${i}`, updateEvery, entries: DEMO_ENTRIES, dimensionsHint: DEMO_DIMENSIONS,
      });
      if (chart.dimensionCount === 0) chart.addDimensions(dims);
      this.charts.push(chart);
    }
    this.walk = new Int32Array(count * DEMO_DIMENSIONS);
    for (let k = 0; k < this.walk.length; k++) this.walk[k] = this.next() % 1000;
  }

  private next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }

  /** Dimensions written per collection. */
  get dimensions(): number {
    return this.count * DEMO_DIMENSIONS;
  }

  /** One collection cycle of every demo chart at `timeUs`. */
  collect(timeUs: number = Date.now() * 1000): void {
    const w = this.walk;
    let k = 0;
    for (const chart of this.charts) {
      for (let d = 0; d < DEMO_DIMENSIONS; d++, k++) {
        // A walk of ±10 kept within [0, 1000].
        const v = Math.min(1000, Math.max(0, (w[k] as number) + (this.next() % 21) - 10));
        w[k] = v;
        chart.set(d, v, timeUs);
      }
      chart.done(timeUs);
    }
  }
}
