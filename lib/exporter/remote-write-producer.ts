// What fills the queue of a `prometheus_remote_write` instance (SPEC §4.6, §5.5 step 3b, §5.13): one pass
// over the database through the RemoteWriteEncoder (sinks/remote-write-pass.ts), then the iteration's
// snappy-compressed WriteRequests are queued as records, one HTTP body each. The metrics of a request are
// its dimension samples (the host-info series carry none: SPEC §5.15 counts remote-write series of the
// charts), its bytes are the compressed body: what `buffered`/`sent`/`lost` count for this type.
//
// Unlike the reference, which rebuilt one request per iteration and never sent it again, unsent requests
// stay queued and are retried in order (sinks/remote-write.ts), within `buffer on failures` and
// `buffer max bytes` like every other type.
import type { RemoteWriteEncoder } from '../formats/remote-write';
import type { Kernel } from '../kernels/types';
import type { ResolvedBackendOptions } from './config-options';
import type { ExportHost } from './db-view';
import { ExporterError } from './errors';
import type { Producer, ProduceInput, ProduceResult } from './producer';
import { remoteWriteEncoderFor } from './sinks/remote-write';
import { remoteWritePass, RemoteWritePassChart, RemoteWritePassHost } from './sinks/remote-write-pass';

export class RemoteWriteProducer implements Producer {
  readonly encoder: RemoteWriteEncoder;
  /** As-collected dimensions skipped because they were not collected in the window (SPEC §4.6), last pass. */
  skipped = 0;
  /** All series of the last pass, host-info series included. */
  series = 0;

  constructor(options: ResolvedBackendOptions, kernel?: Kernel) {
    if (options.protocol !== 'prometheus-remote-write') {
      throw new ExporterError('ERR_EXPORTER_OPTION', `RemoteWriteProducer: type '${options.type}' is not accepted; accepted: prometheus_remote_write, prometheus_remote_write:https`);
    }
    this.encoder = remoteWriteEncoderFor(options, kernel);
  }

  async produce(p: ProduceInput): Promise<ProduceResult> {
    const r = await remoteWritePass({
      hosts: remoteWriteHosts(p.db.hosts),
      encoder: this.encoder,
      hostFilter: p.hostFilter,
      chartFilter: p.chartFilter,
      localHostname: p.localHostname,
      localTags: p.localTags,
      after: p.after,
      before: p.before,
      nowMs: Math.floor(p.nowMs),
      sliceMs: p.sliceMs,
      onChartError: p.onChartError,
      aborted: p.aborted,
    });
    const batch = r.batch;
    if (batch !== null) {
      this.skipped = batch.skipped;
      this.series = batch.series;
      p.queue.pushRecords(p.iteration, batch.data, batch.records, batch.count);
      p.queued();
    }
    return { hosts: r.hosts, charts: r.charts, totalMs: r.totalMs, longestSliceMs: r.longestSliceMs, slices: r.slices, aborted: r.aborted };
  }
}

/**
 * The hosts as the remote-write pass reads them. `netdata_info` needs each host's program name and version
 * (SPEC §4.6): lib/rrd's hosts have them; a custom database that lacks them is told so by name. The charts
 * are checked by the encoder itself (a chart it cannot read is logged and skipped, like a line format's).
 */
function remoteWriteHosts(hosts: ReadonlyArray<ExportHost>): ReadonlyArray<RemoteWritePassHost> {
  for (const h of hosts) {
    if (typeof h.programName !== 'string' || typeof h.programVersion !== 'string') {
      throw new ExporterError('ERR_EXPORTER_OPTION', `host '${h.hostname}' has programName = ${typeof h.programName === 'string' ? JSON.stringify(h.programName) : String(h.programName)} and programVersion = ${typeof h.programVersion === 'string' ? JSON.stringify(h.programVersion) : String(h.programVersion)}; accepted: strings on every host (remote write sends them in netdata_info, SPEC §4.6)`);
    }
  }
  return hosts as ReadonlyArray<ExportHost & { programName: string; programVersion: string; charts: ReadonlyArray<RemoteWritePassChart> }>;
}
