// Prometheus 2.42 (Debian prometheus) as a remote-write receiver
// (--web.enable-remote-write-receiver), read back with /api/v1/query.
import * as fs from 'fs';
import * as path from 'path';
import { httpRequest, pollUntil, ReceiverError, ReceiverProcess, requireExecutable } from './receiver-process';

export const PROMETHEUS_COMMAND = 'prometheus';
export const PROMETHEUS_PACKAGE = 'prometheus';

export interface PromSample {
  /** Milliseconds since the epoch (Prometheus answers seconds with 3 decimals). */
  timestampMs: number;
  value: number;
}

export interface PromSeries {
  metric: Record<string, string>;
  samples: PromSample[];
}

interface PromResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }> };
}

export class Prometheus {
  private constructor(readonly proc: ReceiverProcess) {}

  get port(): number {
    return this.proc.ports[0];
  }
  readonly remoteWritePath = '/api/v1/write';

  static async start(ctx: Mocha.Context, opts: { readyTimeoutMs?: number } = {}): Promise<Prometheus> {
    const command = requireExecutable(ctx, PROMETHEUS_COMMAND, PROMETHEUS_PACKAGE);
    const proc = await ReceiverProcess.start({
      name: 'prometheus',
      command,
      portCount: 1,
      // No scrape jobs: the only data is what the tests write.
      prepare: (dir) => fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1h\n'),
      args: (dir, [port]) => [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        // The Debian defaults point at /usr/share/prometheus; keep everything inside the temp dir.
        `--web.console.templates=${path.join(dir, 'consoles')}`,
        `--web.console.libraries=${path.join(dir, 'console_libraries')}`,
      ],
      ready: async ([port]) => (await isReady(port)) === 200,
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
    });
    return new Prometheus(proc);
  }

  /** Status code of GET /-/ready (200 once the TSDB is open and the web handler is serving). */
  ready(): Promise<number> {
    return isReady(this.port);
  }

  /** Raw /api/v1/query; throws with Prometheus' error text on a failed query. */
  async query(expr: string, timeSec?: number): Promise<NonNullable<PromResponse['data']>> {
    const params = new URLSearchParams({ query: expr });
    if (timeSec !== undefined) params.set('time', String(timeSec));
    const r = await httpRequest(this.port, 'POST', '/api/v1/query', params.toString(), { 'Content-Type': 'application/x-www-form-urlencoded' });
    const body = JSON.parse(r.body.toString('utf8')) as PromResponse;
    if (r.status !== 200 || body.status !== 'success' || !body.data) {
      throw new ReceiverError('ERR_RECEIVER_HTTP', `prometheus query ${expr} answered ${r.status}: ${body.error ?? r.body.toString()}`);
    }
    return body.data;
  }

  /**
   * The raw samples of every series matching `selector` in the `windowSec` seconds before
   * `atSec` (a range-vector query returns samples with their exact timestamps, unlike an
   * instant query, which returns one evaluated point).
   */
  async samples(selector: string, windowSec = 3600, atSec = Math.ceil(Date.now() / 1000) + 1): Promise<PromSeries[]> {
    const data = await this.query(`${selector}[${windowSec}s]`, atSec);
    if (data.resultType !== 'matrix') throw new ReceiverError('ERR_RECEIVER_HTTP', `prometheus: expected a matrix for ${selector}, got ${data.resultType}`);
    return data.result.map((r) => ({
      metric: r.metric,
      samples: (r.values ?? []).map(([t, v]) => ({ timestampMs: Math.round(t * 1000), value: Number(v) })),
    }));
  }

  waitForSamples(selector: string, minSamples = 1, timeoutMs = 10_000): Promise<PromSeries[]> {
    return pollUntil(`prometheus to hold ${minSamples} sample(s) for ${selector}`, timeoutMs, async () => {
      const s = await this.samples(selector);
      return s.reduce((n, x) => n + x.samples.length, 0) >= minSamples ? s : undefined;
    });
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

async function isReady(port: number): Promise<number> {
  return (await httpRequest(port, 'GET', '/-/ready', undefined, {}, 1000)).status;
}
