// VictoriaMetrics (Debian victoria-metrics) as graphite, OpenTSDB telnet, OpenTSDB HTTP and
// Prometheus remote-write receiver, read back with /api/v1/export after /internal/force_flush.
import * as path from 'path';
import { httpRequest, pollUntil, ReceiverError, ReceiverProcess, requireExecutable } from './receiver-process';

export const VICTORIA_COMMAND = 'victoria-metrics';
export const VICTORIA_PACKAGE = 'victoria-metrics';

/** One exported series: its labels, and its raw samples (timestamps in milliseconds). */
export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export class VictoriaMetrics {
  private constructor(readonly proc: ReceiverProcess) {}

  get httpPort(): number {
    return this.proc.ports[0];
  }
  /** Graphite plaintext, TCP (and UDP on the same number). */
  get graphitePort(): number {
    return this.proc.ports[1];
  }
  /** OpenTSDB telnet `put` lines, TCP (and UDP). */
  get opentsdbPort(): number {
    return this.proc.ports[2];
  }
  /** OpenTSDB HTTP `/api/put`. */
  get opentsdbHttpPort(): number {
    return this.proc.ports[3];
  }
  /** Prometheus remote write path on httpPort. */
  readonly remoteWritePath = '/api/v1/write';

  static async start(ctx: Mocha.Context, opts: { readyTimeoutMs?: number; extraArgs?: string[] } = {}): Promise<VictoriaMetrics> {
    const command = requireExecutable(ctx, VICTORIA_COMMAND, VICTORIA_PACKAGE);
    const proc = await ReceiverProcess.start({
      name: 'victoria-metrics',
      command,
      portCount: 4,
      args: (dir, [httpPort, graphite, tsdb, tsdbHttp]) => [
        `-httpListenAddr=127.0.0.1:${httpPort}`,
        `-graphiteListenAddr=127.0.0.1:${graphite}`,
        `-opentsdbListenAddr=127.0.0.1:${tsdb}`,
        `-opentsdbHTTPListenAddr=127.0.0.1:${tsdbHttp}`,
        `-storageDataPath=${path.join(dir, 'data')}`,
        // Accept any timestamp the tests send (the default 1 month rejects older samples).
        '-retentionPeriod=100y',
        // Make fresh samples visible to queries at once instead of 30 s later.
        '-search.latencyOffset=0s',
        '-search.disableCache',
        // The machine is shared: keep the caches small.
        '-memory.allowedPercent=10',
        ...(opts.extraArgs ?? []),
      ],
      ready: async ([httpPort]) => {
        const r = await httpRequest(httpPort, 'GET', '/health', undefined, {}, 1000);
        return r.status === 200;
      },
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
    });
    return new VictoriaMetrics(proc);
  }

  /** Makes everything ingested so far searchable. */
  async forceFlush(): Promise<void> {
    const r = await httpRequest(this.httpPort, 'GET', '/internal/force_flush');
    if (r.status !== 200) throw new ReceiverError('ERR_RECEIVER_HTTP', `victoria-metrics force_flush answered ${r.status}: ${r.body.toString()}`);
  }

  /** Raw samples of every series matching a PromQL selector such as `{__name__=~"netdata\\..*"}`. */
  async export(selector: string): Promise<VmSeries[]> {
    await this.forceFlush();
    const r = await httpRequest(this.httpPort, 'POST', '/api/v1/export', new URLSearchParams({ 'match[]': selector }).toString(), {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    if (r.status !== 200) throw new ReceiverError('ERR_RECEIVER_HTTP', `victoria-metrics export of ${selector} answered ${r.status}: ${r.body.toString()}`);
    return r.body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as VmSeries)
      .sort((a, b) => labelKey(a.metric).localeCompare(labelKey(b.metric)));
  }

  /** Ingestion is asynchronous: poll the export until `selector` has at least `minSamples` samples in total. */
  waitForSeries(selector: string, minSamples = 1, timeoutMs = 10_000): Promise<VmSeries[]> {
    return pollUntil(`victoria-metrics to hold ${minSamples} sample(s) for ${selector}`, timeoutMs, async () => {
      const s = await this.export(selector);
      return s.reduce((n, x) => n + x.values.length, 0) >= minSamples ? s : undefined;
    });
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

/** A stable sort key for a label set (name first, then the other labels in order). */
export function labelKey(m: Record<string, string>): string {
  return Object.keys(m)
    .sort((a, b) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a.localeCompare(b)))
    .map((k) => `${k}=${m[k]}`)
    .join(',');
}
