// Helpers of the remote-write and Kinesis exporter tests: an Exporter built from netdata.conf text (the
// way a user configures it), driven by a manual clock, with every iteration checked against the SPEC §5.15
// ledger; a database collected through the collection API with values whose stored averages are exact; and
// a recording HTTP proxy (it only records and forwards: the real receiver behind it proves the wire format).
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import type { LostEvent, ReconnectedEvent, SentEvent, FailedEvent } from '../lib/exporter/backend-instance';
import { parseBackendConfig } from '../lib/exporter/config';
import type { IterationCounters } from '../lib/exporter/counters';
import { Exporter } from '../lib/exporter/exporter';
import type { InstanceDependencies } from '../lib/exporter/backend-instance';
import type { LogLevel } from '../lib/exporter/logger';
import { RrdChart, RrdDatabase } from '../lib/rrd';
import { assertBalanced, ManualClock } from './exporter-harness';

export interface ConfiguredExporter {
  exporter: Exporter;
  clock: ManualClock;
  logs: Array<[LogLevel, string]>;
  /** Per instance name: its iterations, losses, sends, failures and connections, in order. */
  iterations: Map<string | null, IterationCounters[]>;
  losses: Map<string | null, LostEvent[]>;
  sent: Map<string | null, SentEvent[]>;
  failed: Map<string | null, FailedEvent[]>;
  reconnected: Map<string | null, ReconnectedEvent[]>;
  logged(text: string): string[];
  /** One iteration of every instance with before = clock + `sec`. */
  step(sec: number): Promise<Array<IterationCounters | null>>;
}

function push<T>(m: Map<string | null, T[]>, k: string | null, v: T): void {
  const list = m.get(k) ?? [];
  list.push(v);
  m.set(k, list);
}

/**
 * An Exporter for `conf` (netdata.conf text; aws_kinesis.conf text in `kinesisConf`), in manual mode at
 * wall clock `startSec`. Every iteration must balance (buffered = sent + lost + remaining, metrics and
 * bytes) and so must each instance's lifetime totals.
 */
export async function configuredExporter(db: RrdDatabase, conf: string, startSec: number, deps: InstanceDependencies = {}, kinesisConf?: string): Promise<ConfiguredExporter> {
  const config = parseBackendConfig(conf, { defaultHostname: 'default-host', ...(kinesisConf !== undefined ? { kinesisConfText: kinesisConf } : {}) });
  const clock = new ManualClock(startSec * 1000);
  const logs: Array<[LogLevel, string]> = [];
  const exporter = new Exporter(db, config, { manual: true, clock, logger: (l, m) => logs.push([l, m]), ...deps });
  const x: ConfiguredExporter = {
    exporter, clock, logs,
    iterations: new Map(), losses: new Map(), sent: new Map(), failed: new Map(), reconnected: new Map(),
    logged: (text) => logs.filter(([, m]) => m.includes(text)).map(([, m]) => m),
    step: (sec) => exporter.runOnce(clock.advance(sec)),
  };
  exporter.on('iteration', (name, c) => {
    push(x.iterations, name, c);
    assertBalanced(c);
    const t = exporter.instance(name)!.totals;
    assert.strictEqual(t.formattedMetrics, t.sentMetrics + t.lostMetrics + t.bufferedMetrics, `${name}: totals balance (metrics) at iteration ${c.iteration}`);
    assert.strictEqual(t.formattedBytes, t.sentBytes + t.lostBytes + t.bufferedBytes, `${name}: totals balance (bytes) at iteration ${c.iteration}`);
  });
  exporter.on('lost', (name, e) => push(x.losses, name, e));
  exporter.on('sent', (name, e) => push(x.sent, name, e));
  exporter.on('failed', (name, e) => push(x.failed, name, e));
  exporter.on('reconnected', (name, e) => push(x.reconnected, name, e));
  await exporter.start();
  return x;
}

/** Value of chart `t` (seconds) for dimension j: multiples of 1/8, so every stored value and average is exact. */
export type ValueOf = (t: number, j: number) => number;

/**
 * Chart `system.<id>` with `dims` absolute dimensions collected exactly on every second from `from` to `to`
 * (so each slot stores the collected value × multiplier / divisor unchanged, SPEC §1.5).
 */
export function collect(db: RrdDatabase, id: string, units: string, dims: Array<{ id: string; multiplier?: number; divisor?: number }>, from: number, to: number, value: ValueOf): RrdChart {
  const chart = db.localhost.createChart({ type: 'system', id, units, family: id });
  chart.addDimensions(dims.map((d) => ({ ...d, algorithm: 'absolute' as const })));
  for (let t = from; t <= to; t++) {
    dims.forEach((_, j) => chart.set(j, value(t, j), t * 1e6));
    chart.done(t * 1e6);
  }
  return chart;
}

/**
 * SPEC §3.1 for a chart with ue = 1 whose slots hold `stored(t)`: the window [after, before] averages the
 * slots after-2 .. before-3 (steps 2-4) and reports before-3.
 */
export function storedAverage(after: number, before: number, stored: (t: number) => number): { value: number; ts: number } {
  let sum = 0;
  let n = 0;
  for (let t = after - 2; t <= before - 3; t++) {
    sum += stored(t);
    n++;
  }
  return { value: sum / n, ts: before - 3 };
}

/** The last collected value of a dimension of a monitoring chart (what the exporter wrote there). */
export function chartValue(db: RrdDatabase, chartId: string, dim: string): number {
  const chart = db.localhost.findChart(chartId);
  assert.ok(chart, `chart ${chartId} exists`);
  const d = chart.dimensionIndex(dim);
  assert.ok(d >= 0, `${chartId} has dimension ${dim}`);
  return Number(chart.lastCollectedValue[d]);
}

export interface ProxiedRequest {
  /** performance.now() when the request arrived. */
  atMs: number;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
}

/**
 * Forwards every request to 127.0.0.1:`targetPort` and records it with the receiver's status. With `tls`
 * (PEM file paths) it terminates HTTPS in front of the plain receiver, as a reverse proxy would.
 */
export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly server: http.Server;
  port = 0;

  constructor(private readonly targetPort: number, tls?: { cert: string; key: string }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const atMs = performance.now();
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts);
        const headers = { ...req.headers, host: `127.0.0.1:${this.targetPort}` };
        const fwd = http.request({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers, agent: false }, (r) => {
          const out: Buffer[] = [];
          r.on('data', (c: Buffer) => out.push(c));
          r.on('end', () => {
            this.requests.push({ atMs, url: req.url ?? '', headers: req.headers, body, status: r.statusCode ?? 0 });
            // The receiver's headers (Retry-After, ...) pass through; framing is the proxy's own.
            const back = { ...r.headers };
            for (const h of ['connection', 'keep-alive', 'transfer-encoding', 'content-length']) delete back[h];
            res.writeHead(r.statusCode ?? 502, back);
            res.end(Buffer.concat(out));
          });
        });
        fwd.on('error', (err) => {
          res.writeHead(502);
          res.end(err.message);
        });
        fwd.end(body);
      });
    };
    this.server = tls ? https.createServer({ cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key) }, handler) : http.createServer(handler);
  }

  async listen(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
