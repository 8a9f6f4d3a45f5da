// Prometheus (Debian's `prometheus`) scraping the agent's /api/v1/allmetrics every second, for the pull
// endpoint's integration test (SPEC §4.7). receiver-prometheus.ts runs Prometheus without scrape jobs (as a
// remote-write receiver); this one writes a scrape configuration that points at a given target.
import * as fs from 'fs';
import * as path from 'path';
import { httpRequest, pollUntil, ReceiverError, ReceiverProcess, requireExecutable } from './receiver-process';
import { PROMETHEUS_COMMAND, PROMETHEUS_PACKAGE } from './receiver-prometheus';

export interface ScrapeTarget {
  /** host:port of the agent. */
  target: string;
  metricsPath: string;
  params: Record<string, string>;
}

export interface InstantSample {
  metric: Record<string, string>;
  value: number;
  timestampMs: number;
}

export class ScrapingPrometheus {
  private constructor(readonly proc: ReceiverProcess) {}

  get port(): number {
    return this.proc.ports[0] as number;
  }

  static async start(ctx: Mocha.Context, t: ScrapeTarget): Promise<ScrapingPrometheus> {
    const command = requireExecutable(ctx, PROMETHEUS_COMMAND, PROMETHEUS_PACKAGE);
    const params = Object.entries(t.params).map(([k, v]) => `      ${k}: [${JSON.stringify(v)}]\n`).join('');
    const yml = 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n'
      + `scrape_configs:\n  - job_name: rrd-backends\n    metrics_path: ${JSON.stringify(t.metricsPath)}\n    honor_labels: true\n`
      + `    params:\n${params}    static_configs:\n      - targets: [${JSON.stringify(t.target)}]\n`;
    const proc = await ReceiverProcess.start({
      name: 'prometheus-scrape',
      command,
      portCount: 1,
      prepare: (dir) => fs.writeFileSync(path.join(dir, 'prometheus.yml'), yml),
      args: (dir, [port]) => [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.console.templates=${path.join(dir, 'consoles')}`,
        `--web.console.libraries=${path.join(dir, 'console_libraries')}`,
      ],
      ready: async ([port]) => (await httpRequest(port as number, 'GET', '/-/ready', undefined, {}, 1000)).status === 200,
      readyTimeoutMs: 45_000,
    });
    return new ScrapingPrometheus(proc);
  }

  private async get(urlPath: string): Promise<unknown> {
    const r = await httpRequest(this.port, 'GET', urlPath);
    const body = JSON.parse(r.body.toString('utf8')) as { status: string; data?: unknown; error?: string };
    if (r.status !== 200 || body.status !== 'success') throw new ReceiverError('ERR_RECEIVER_HTTP', `prometheus ${urlPath} answered ${r.status}: ${body.error ?? r.body.toString()}`);
    return body.data;
  }

  /** Health of the scrape target as Prometheus sees it ('up', 'down', 'unknown') and its last error. */
  async targetHealth(): Promise<{ health: string; lastError: string }> {
    const data = (await this.get('/api/v1/targets')) as { activeTargets: Array<{ health: string; lastError: string }> };
    const t = data.activeTargets[0];
    return t === undefined ? { health: 'unknown', lastError: 'no target' } : { health: t.health, lastError: t.lastError };
  }

  /** The newest sample of every series matching `selector` within the last 5 minutes. */
  async latest(selector: string): Promise<InstantSample[]> {
    const data = (await this.get(`/api/v1/query?query=${encodeURIComponent(`last_over_time(${selector}[5m])`)}`)) as { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]), timestampMs: Math.round(r.value[0] * 1000) }));
  }

  waitFor(selector: string, timeoutMs = 20_000): Promise<InstantSample[]> {
    return pollUntil(`prometheus to hold ${selector}`, timeoutMs, async () => {
      const s = await this.latest(selector);
      return s.length > 0 ? s : undefined;
    }, 250);
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
