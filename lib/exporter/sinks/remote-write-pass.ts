// The formatting pass of remote write (SPEC §5.5 step 3b, §4.6): the same host/chart walk as
// format-pass.ts (host filter, chart filter, slices of `sliceMs` with a yield between them), but every host
// and chart goes to the RemoteWriteEncoder. The result is one iteration's WriteRequests, ready for
// SendQueue.pushRecords(iteration, batch.data, batch.records, batch.count).
import type { RemoteWriteBatch, RemoteWriteChart, RemoteWriteEncoder } from '../../formats/remote-write';
import type { ExportChart, ExportHost } from '../db-view';
import type { ChartFilter, HostFilter } from '../filters';

/** A chart as the pass needs it: what the chart filter reads plus what the encoder reads (RrdChart fits). */
export type RemoteWritePassChart = ExportChart & RemoteWriteChart;

/** A host with what netdata_info needs (RrdHost fits). */
export interface RemoteWritePassHost extends ExportHost {
  readonly programName: string;
  readonly programVersion: string;
  readonly charts: ReadonlyArray<RemoteWritePassChart>;
}

export interface RemoteWritePassInput {
  hosts: ReadonlyArray<RemoteWritePassHost>;
  encoder: RemoteWriteEncoder;
  hostFilter: HostFilter;
  chartFilter: ChartFilter;
  /** The name printed for localhost (`[backend] hostname`, SPEC §4). */
  localHostname: string;
  /** Host tags of localhost (the instance's `host tags`); null or absent: the database's (SPEC §1.1). */
  localTags?: string | null;
  after: number;
  before: number;
  /** Timestamp of the host-info series (ms); default Date.now(). */
  nowMs?: number;
  sliceMs: number;
  onChartError?: (host: RemoteWritePassHost, chart: RemoteWritePassChart, err: unknown) => void;
  aborted?: () => boolean;
}

export interface RemoteWritePassResult {
  batch: RemoteWriteBatch | null;
  hosts: number;
  charts: number;
  totalMs: number;
  longestSliceMs: number;
  slices: number;
  /** Cut short by `aborted()`: nothing to send. */
  aborted: boolean;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function remoteWritePass(p: RemoteWritePassInput): Promise<RemoteWritePassResult> {
  const t0 = performance.now();
  let sliceStart = t0;
  let longest = 0;
  let slices = 1;
  let hosts = 0;
  let charts = 0;
  const enc = p.encoder;
  enc.beginIteration(p.after, p.before, p.nowMs ?? Date.now());
  for (const host of Array.from(p.hosts)) {
    if (!p.hostFilter.enabled(host)) continue;
    hosts++;
    const ctx = enc.addHost({
      hostname: host.isLocalhost ? p.localHostname : host.hostname,
      tags: host.isLocalhost && p.localTags != null ? p.localTags : host.tags,
      programName: host.programName,
      programVersion: host.programVersion,
    });
    for (const chart of Array.from(host.charts)) {
      if (p.chartFilter.verdict(chart) !== 'send') continue;
      try {
        enc.addChart(ctx, chart);
        charts++;
      } catch (err) {
        p.onChartError?.(host, chart, err);
      }
      const now = performance.now();
      if (now - sliceStart >= p.sliceMs) {
        longest = Math.max(longest, now - sliceStart);
        await yieldToLoop();
        if (p.aborted?.()) {
          enc.closeIteration().abandon();
          return done(null, true);
        }
        sliceStart = performance.now();
        slices++;
      }
    }
  }
  // Compression one request at a time, in the same slices (issue 8: in one step a 100k-dimension
  // iteration blocked the loop 33-211 ms).
  const compressor = enc.closeIteration();
  while (compressor.step()) {
    const now = performance.now();
    if (now - sliceStart >= p.sliceMs) {
      longest = Math.max(longest, now - sliceStart);
      await yieldToLoop();
      if (p.aborted?.()) {
        compressor.abandon();
        return done(null, true);
      }
      sliceStart = performance.now();
      slices++;
    }
  }
  return done(compressor.result(), false);

  function done(batch: RemoteWriteBatch | null, aborted: boolean): RemoteWritePassResult {
    const end = performance.now();
    longest = Math.max(longest, end - sliceStart);
    return { batch, hosts, charts, totalMs: end - t0, longestSliceMs: longest, slices, aborted };
  }
}
