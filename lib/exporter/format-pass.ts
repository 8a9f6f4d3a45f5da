// One formatting pass over the database (SPEC §5.5 step 3): hosts in order, host filter, chart filter,
// every chart formatted by one kernel call (the §5.8 dimension skip rule is applied in the kernel). The
// output leaves in chunks of whole charts (`chunkBytes`).
//
// The pass is SLICED so a large database never blocks the event loop for long: charts are formatted
// until `sliceMs` have passed, then the pass yields (setImmediate) and continues. The longest
// synchronous slice is measured and reported. The database may change while the pass is suspended:
// each host's chart list is snapshotted when the pass reaches the host, and every chart's arrays are read
// at the moment it is formatted (they are reallocated when dimensions are added).
import type { FormatBuffer } from '../formats/format-buffer';
import type { ChartView } from '../formats/chart-view';
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
  /**
   * The pass was cut short by `aborted()`. Chunks already handed to `onChunk` stay with the caller; what was
   * formatted since the last chunk is left in `out` and must be discarded.
   */
  aborted: boolean;
}

export interface FormatPassInput {
  db: ExportDatabase;
  formatter: LineFormatter;
  hostFilter: HostFilter;
  chartFilter: ChartFilter;
  /** The name printed for localhost (`[backend] hostname`, SPEC §4). */
  localHostname: string;
  /** Host tags printed for localhost; null: the database's tags of localhost (SPEC §1.1). */
  localTags: string | null;
  after: number;
  before: number;
  out: FormatBuffer;
  sliceMs: number;
  /**
   * When the output reaches this many bytes (after a chart), it is handed to `onChunk` and the buffer starts
   * again: one large contiguous buffer would be copied each time it doubles (tens of ms for tens of MB, a
   * long synchronous slice) and would hold all of an iteration until the end.
   */
  chunkBytes: number;
  /** Takes the content of `out` (metrics = what it holds) and clears it. Called at least at the end. */
  onChunk: (metrics: number) => void;
  /** Called when one chart cannot be formatted (the pass goes on with the next chart). */
  onChartError?: (host: ExportHost, chart: ExportChart, err: unknown) => void;
  /** Aborts the pass between slices (shutdown). */
  aborted?: () => boolean;
  /** Host tags the format leaves out (batched OpenTSDB HTTP takes only `key=value` words), per host and pass. */
  onDroppedTags?: (hostname: string, tags: readonly string[]) => void;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Charts examined between two looks at the clock (a batch formats in well under a millisecond natively). */
const PASS_BATCH = 64;
const CHUNK_MARGIN = 256 * 1024;
const MAX_RESERVE = 16 * 1024 * 1024;

export async function formatPass(p: FormatPassInput): Promise<FormatPassResult> {
  const t0 = performance.now();
  let sliceStart = t0;
  let longest = 0;
  let slices = 1;
  let metrics = 0;
  let pending = 0;
  let hosts = 0;
  let charts = 0;
  const hostList = p.db.hosts.slice();
  const batch: ExportChart[] = [];
  // Room for a chunk and the chart that completes it, so the buffer never doubles past the chunk size.
  p.out.reserve(Math.min(p.chunkBytes, MAX_RESERVE) + CHUNK_MARGIN);
  for (const host of hostList) {
    if (!p.hostFilter.enabled(host)) continue;
    hosts++;
    const hostname = host.isLocalhost ? p.localHostname : host.hostname;
    const chartList = host.charts.slice();
    // The formatter keys its host contexts by name and tags, so a renamed host or new tags get fresh bytes.
    const hf = p.formatter.host(hostname, host.isLocalhost && p.localTags !== null ? p.localTags : host.tags);
    if (hf.droppedTags.length > 0) p.onDroppedTags?.(hostname, hf.droppedTags);
    const onError = (chart: ChartView, err: unknown): void => p.onChartError?.(host, chart as ExportChart, err);
    let at = 0;
    while (at < chartList.length) {
      // The charts to send among the next PASS_BATCH, formatted with as few kernel calls as possible (issue 7).
      batch.length = 0;
      while (at < chartList.length && batch.length < PASS_BATCH) {
        const chart = chartList[at++] as ExportChart;
        if (p.chartFilter.verdict(chart) === 'send') batch.push(chart);
      }
      let k = 0;
      while (k < batch.length) {
        // Stops after the chart that fills a chunk, so chunks hold whole charts.
        try {
          const r = p.formatter.formatCharts(hf, batch, k, batch.length, p.after, p.before, p.out, { stopAt: p.chunkBytes, onError });
          metrics += r.metrics;
          pending += r.metrics;
          charts += r.charts;
          k = r.next;
        } catch (err) {
          // Not a chart's fault (e.g. a window formatChart would refuse for every chart): each chart reports it.
          for (; k < batch.length; k++) onError(batch[k] as ExportChart, err);
        }
        if (p.out.length >= p.chunkBytes) {
          // Closes an open OpenTSDB HTTP batch: a request never spans two chunks.
          p.formatter.finish(p.out);
          p.onChunk(pending);
          pending = 0;
        }
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
  p.onChunk(pending);
  return done(false);

  function done(aborted: boolean): FormatPassResult {
    const end = performance.now();
    longest = Math.max(longest, end - sliceStart);
    return { metrics, hosts, charts, totalMs: end - t0, longestSliceMs: longest, slices, aborted };
  }
}
