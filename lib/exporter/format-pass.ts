// One formatting pass over the database (SPEC §5.5 step 3): hosts in order, host filter, chart filter,
// every chart formatted by one kernel call (the §5.8 dimension skip rule is applied in the kernel).
//
// The pass is SLICED so a large database never blocks the event loop for long: charts are formatted
// until `sliceMs` have passed, then the pass yields (setImmediate) and continues. The longest
// synchronous slice is measured and reported. The database may change while the pass is suspended:
// each host's chart list is snapshotted when the pass reaches the host, and every chart's arrays are read
// at the moment it is formatted (they are reallocated when dimensions are added).
import type { FormatBuffer } from '../formats/format-buffer';
import type { LineFormatter } from '../formats/formatter';
import type { ExportChart, ExportDatabase, ExportHost } from './db-view';
import type { ChartFilter, HostFilter } from './filters';

export interface FormatPassResult {
  metrics: number;
  hosts: number;
  charts: number;
  /** Wall time of the whole pass and of its longest synchronous slice (ms). */
  totalMs: number;
  longestSliceMs: number;
  slices: number;
  /** The pass was cut short by `aborted()`; its output is incomplete and must not be sent. */
  aborted: boolean;
}

export interface FormatPassInput {
  db: ExportDatabase;
  formatter: LineFormatter;
  hostFilter: HostFilter;
  chartFilter: ChartFilter;
  /** The name printed for localhost (`[backend] hostname`, SPEC §4). */
  localHostname: string;
  after: number;
  before: number;
  out: FormatBuffer;
  sliceMs: number;
  /** Called when one chart cannot be formatted (the pass goes on with the next chart). */
  onChartError?: (host: ExportHost, chart: ExportChart, err: unknown) => void;
  /** Aborts the pass between slices (shutdown). */
  aborted?: () => boolean;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function formatPass(p: FormatPassInput): Promise<FormatPassResult> {
  const t0 = performance.now();
  let sliceStart = t0;
  let longest = 0;
  let slices = 1;
  let metrics = 0;
  let hosts = 0;
  let charts = 0;
  const hostList = p.db.hosts.slice();
  for (const host of hostList) {
    if (!p.hostFilter.enabled(host)) continue;
    hosts++;
    const hostname = host.isLocalhost ? p.localHostname : host.hostname;
    const chartList = host.charts.slice();
    // The formatter keys its host contexts by name and tags, so a renamed host or new tags get fresh bytes.
    const hf = p.formatter.host(hostname, host.tags);
    for (const chart of chartList) {
      if (p.chartFilter.verdict(chart) !== 'send') continue;
      try {
        metrics += p.formatter.formatChart(hf, chart, p.after, p.before, p.out);
        charts++;
      } catch (err) {
        p.onChartError?.(host, chart, err);
      }
      const now = performance.now();
      if (now - sliceStart >= p.sliceMs) {
        longest = Math.max(longest, now - sliceStart);
        await yieldToLoop();
        if (p.aborted?.()) return done(true);
        sliceStart = performance.now();
        slices++;
      }
    }
  }
  p.formatter.finish(p.out);
  return done(false);

  function done(aborted: boolean): FormatPassResult {
    const end = performance.now();
    longest = Math.max(longest, end - sliceStart);
    return { metrics, hosts, charts, totalMs: end - t0, longestSliceMs: longest, slices, aborted };
  }
}
