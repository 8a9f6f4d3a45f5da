// InfluxDB 1.6 (Debian influxdb) as an OpenTSDB receiver — telnet `put` lines and HTTP /api/put on
// one port, optionally inside TLS (its [[opentsdb]] tls-enabled + certificate) — read back with the
// /query HTTP API. This is the receiver for `opentsdb:https` (SPEC §4.3, §5.11).
import * as fs from 'fs';
import * as path from 'path';
import { httpRequest, pollUntil, ReceiverError, ReceiverProcess, requireExecutable, tcpAccepts } from './receiver-process';

export const INFLUXDB_COMMAND = 'influxd';
export const INFLUXDB_PACKAGE = 'influxdb';

export interface InfluxOptions {
  /** A PEM file holding certificate then key (TestCerts' `combined`); omit for plain TCP. */
  tlsCertificate?: string;
  /** Database the OpenTSDB listener writes to (created by it); default `opentsdb`. */
  database?: string;
  readyTimeoutMs?: number;
}

/** One row of a series: `time` in milliseconds, plus the columns as InfluxDB returns them. */
export type InfluxRow = Record<string, string | number | boolean | null> & { time: number };

interface InfluxResponse {
  results?: Array<{ error?: string; series?: Array<{ name: string; columns: string[]; values: unknown[][] }> }>;
  error?: string;
}

export class InfluxDB {
  private constructor(readonly proc: ReceiverProcess, readonly database: string, readonly tls: boolean) {}

  get httpPort(): number {
    return this.proc.ports[0];
  }
  /** OpenTSDB telnet + HTTP, TLS when started with a certificate. */
  get opentsdbPort(): number {
    return this.proc.ports[1];
  }

  static async start(ctx: Mocha.Context, opts: InfluxOptions = {}): Promise<InfluxDB> {
    const command = requireExecutable(ctx, INFLUXDB_COMMAND, INFLUXDB_PACKAGE);
    if (opts.tlsCertificate !== undefined && !fs.existsSync(opts.tlsCertificate)) {
      throw new ReceiverError('ERR_RECEIVER_CONFIG', `influxdb: tlsCertificate ${opts.tlsCertificate} does not exist (expected a PEM with certificate and key)`);
    }
    const database = opts.database ?? 'opentsdb';
    const proc = await ReceiverProcess.start({
      name: 'influxdb',
      command,
      portCount: 3, // http, opentsdb, rpc (backup/restore; it always binds one)
      prepare: (dir, ports) => writeInfluxConfig(dir, ports, database, opts.tlsCertificate),
      args: (dir) => ['run', '-config', path.join(dir, 'influxdb.conf')],
      ready: async ([httpPort, tsdb]) => (await httpRequest(httpPort, 'GET', '/ping', undefined, {}, 1000)).status === 204 && (await tcpAccepts(tsdb)),
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
    });
    return new InfluxDB(proc, database, opts.tlsCertificate !== undefined);
  }

  /** Runs InfluxQL `q` and returns the rows of every series (timestamps as epoch ms). */
  async query(q: string): Promise<Array<{ name: string; rows: InfluxRow[] }>> {
    const params = new URLSearchParams({ db: this.database, q, epoch: 'ms' });
    const r = await httpRequest(this.httpPort, 'GET', `/query?${params.toString()}`);
    const body = JSON.parse(r.body.toString('utf8')) as InfluxResponse;
    const err = body.error ?? body.results?.find((x) => x.error)?.error;
    if (r.status !== 200 || err) throw new ReceiverError('ERR_RECEIVER_HTTP', `influxdb query ${q} answered ${r.status}: ${err ?? r.body.toString()}`);
    return (body.results?.[0]?.series ?? []).map((s) => ({
      name: s.name,
      rows: s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as InfluxRow),
    }));
  }

  /** All points of one OpenTSDB metric (InfluxDB's measurement), tags as columns, value in `value`. */
  async points(metric: string): Promise<InfluxRow[]> {
    const series = await this.query(`SELECT * FROM "${metric.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    return series.flatMap((s) => s.rows).sort((a, b) => a.time - b.time);
  }

  /** The OpenTSDB listener writes in batches: poll until `metric` has `minPoints` points. */
  waitForPoints(metric: string, minPoints = 1, timeoutMs = 10_000): Promise<InfluxRow[]> {
    return pollUntil(`influxdb to hold ${minPoints} point(s) of ${metric}`, timeoutMs, async () => {
      const rows = await this.points(metric);
      return rows.length >= minPoints ? rows : undefined;
    });
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

function writeInfluxConfig(dir: string, [httpPort, tsdbPort, rpcPort]: number[], database: string, certificate?: string): void {
  const q = (s: string): string => JSON.stringify(s); // TOML basic strings share JSON's escapes
  fs.writeFileSync(
    path.join(dir, 'influxdb.conf'),
    [
      `bind-address = ${q(`127.0.0.1:${rpcPort}`)}`,
      '[meta]',
      `  dir = ${q(path.join(dir, 'meta'))}`,
      '[data]',
      `  dir = ${q(path.join(dir, 'data'))}`,
      `  wal-dir = ${q(path.join(dir, 'wal'))}`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = ${q(`127.0.0.1:${httpPort}`)}`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[subscriber]',
      '  enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '[logging]',
      '  suppress-logo = true',
      '[[opentsdb]]',
      '  enabled = true',
      `  bind-address = ${q(`127.0.0.1:${tsdbPort}`)}`,
      `  database = ${q(database)}`,
      `  tls-enabled = ${certificate !== undefined}`,
      ...(certificate !== undefined ? [`  certificate = ${q(certificate)}`] : []),
      // Write each batch quickly so read-back does not wait the default 1 s.
      '  batch-timeout = "50ms"',
      '',
    ].join('\n'),
  );
}
