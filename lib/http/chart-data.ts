// The dashboard's data: the charts of localhost and the newest stored points of one chart, in uPlot's
// column layout ([times, dim1, dim2, ...]). Values are the stored numbers unpacked by the kernel (SPEC §2.3),
// so the dashboard shows exactly what the exporter averages.
import type { RrdChart } from '../rrd/chart';
import { DIM_FLAG_HIDDEN } from '../rrd/chart-slab';
import type { RrdHost } from '../rrd/host';
import type { NumericKernel } from '../kernels/types';
import { SN_FLAGS_MASK } from '../kernels/types';
import { HttpError } from './errors';

export interface ChartSummary {
  id: string;
  name: string;
  title: string;
  units: string;
  family: string;
  context: string;
  updateEvery: number;
  dimensions: number;
}

export interface ChartData {
  id: string;
  title: string;
  units: string;
  /** Visible dimensions' names (hidden ones, like cpu idle, are left out as netdata's dashboard does). */
  labels: string[];
  /** [times (s), values of each label]; null where a slot is empty. */
  data: Array<Array<number | null>>;
}

export const POINTS_MAX = 600;
export const POINTS_DEFAULT = 60;

export function summarize(chart: RrdChart): ChartSummary {
  return {
    id: chart.id, name: chart.name, title: chart.title, units: chart.units, family: chart.family, context: chart.context,
    updateEvery: chart.updateEvery, dimensions: chart.dimensionCount,
  };
}

/** The charts of `host` that `include` accepts, in the order `rank` gives (stable). */
export function listCharts(host: RrdHost, include: (c: RrdChart) => boolean, rank: (c: RrdChart) => number): ChartSummary[] {
  return host.charts
    .filter((c) => include(c) && c.dimensionCount > 0)
    .map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => a.r - b.r || a.c.id.localeCompare(b.c.id) || a.i - b.i)
    .map(({ c }) => summarize(c));
}

/** Parses `points=` (1 … POINTS_MAX). */
export function parsePoints(v: string | null): number {
  if (v === null) return POINTS_DEFAULT;
  if (!/^[0-9]{1,4}$/.test(v) || Number(v) < 1 || Number(v) > POINTS_MAX) {
    throw new HttpError('ERR_HTTP_QUERY', `data: points=${JSON.stringify(v.slice(0, 20))} is not accepted; accepted: a whole number from 1 to ${POINTS_MAX}`);
  }
  return Number(v);
}

/** The newest `points` slots of `chart` (fewer when the ring holds fewer). */
export function chartData(chart: RrdChart, points: number, kernel: NumericKernel): ChartData {
  const entries = chart.entries;
  const stored = Math.min(chart.counter, entries);
  const n = Math.min(points, stored);
  const times: Array<number | null> = [];
  const visible: number[] = [];
  for (let d = 0; d < chart.dimensionCount; d++) if ((chart.dimensionFlags[d]! & DIM_FLAG_HIDDEN) === 0) visible.push(d);
  const columns: Array<Array<number | null>> = visible.map(() => []);
  const last = chart.lastSlot();
  const lastT = chart.lastUpdated;
  for (let k = n - 1; k >= 0; k--) {
    const slot = (last - k + entries) % entries;
    times.push(lastT - k * chart.updateEvery);
    visible.forEach((d, i) => {
      const w = chart.ring[d * entries + slot] as number;
      columns[i]!.push((w & SN_FLAGS_MASK) === 0 ? null : kernel.unpack(w));
    });
  }
  return {
    id: chart.id, title: chart.title, units: chart.units,
    labels: visible.map((d) => chart.dimensions[d]!.name),
    data: [times, ...columns],
  };
}
