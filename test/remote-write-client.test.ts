// Remote write over HTTP (SPEC §5.13, §7 rows 3 and 5; issue 5): the headers, keep-alive, TLS, basic
// authentication and custom headers of RemoteWriteClient, and the retry/drop rules of RemoteWriteSink
// against a fault-injecting fake server on 127.0.0.1 (500/429/400 sequences). The wire format itself is
// proven against real receivers in remote-write-receivers.test.ts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { RemoteWriteEncoder } from '../lib/formats/remote-write';
import { decodeRemoteWriteBody } from '../lib/formats/remote-write-decode';
import { createRemoteWriteSink, remoteWriteEncoderFor, RemoteWriteSink } from '../lib/exporter/sinks/remote-write';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { SendQueue } from '../lib/exporter/send-queue';
import { TransportError } from '../lib/transport/errors';
import { nextBackoffMs, RemoteWriteClient, remoteWriteHeaders } from '../lib/transport/remote-write-client';
import { RrdDatabase } from '../lib/rrd';
import { useTestCerts } from './support/receivers';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socket: number;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A server that answers from a script (the last reply repeats) and records every request. */
class FakeReceiver {
  readonly seen: Seen[] = [];
  private sockets = 0;
  private server: http.Server | https.Server;

  constructor(private script: Reply[], tls?: { key: string; cert: string }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), socket: (req.socket as unknown as { n: number }).n });
        const r = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
        res.writeHead(r.status, r.headers ?? {});
        res.end(r.body ?? '');
      });
    };
    this.server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.server.on(tls ? 'secureConnection' : 'connection', (s) => ((s as unknown as { n: number }).n = ++this.sockets));
  }

  get connections(): number {
    return this.sockets;
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const T0 = 1_700_000_000;

/** A queue holding `requests` remote-write requests made from a real database (points per request known). */
function queueOf(requests: number): { queue: SendQueue; points: number[]; bodies: Buffer[] } {
  const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 10 });
  const chart = db.localhost.createChart({ id: 'system.load' });
  chart.addDimensions(['load1', 'load5', 'load15']);
  for (let s = 0; s < 3; s++) {
    chart.set(0, 1 + s, (T0 + s) * 1e6);
    chart.set(1, 2 + s, (T0 + s) * 1e6);
    chart.set(2, 3 + s, (T0 + s) * 1e6);
    chart.done((T0 + s) * 1e6);
  }
  const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, maxSeriesPerRequest: Math.ceil(4 / requests) });
  const b = enc.encode([{ host: { hostname: 'web01', tags: null, programName: 'netdata', programVersion: 'v1' }, charts: [chart] }], T0, T0 + 3, T0 * 1000);
  assert.strictEqual(b.count, requests);
  const queue = new SendQueue();
  queue.pushRecords(1, b.data, b.records, b.count);
  const points: number[] = [];
  const bodies: Buffer[] = [];
  for (let i = 0; i < b.count; i++) {
    points.push(b.records[3 * i + 2]!);
    bodies.push(Buffer.from(b.data.subarray(b.records[3 * i], b.records[3 * i + 1])));
  }
  return { queue, points, bodies };
}

/** A virtual clock for the sink: sleeping advances it instantly and is recorded. */
function virtualTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let t = 1000;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; }, sleeps };
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TransportError, String(e));
    return e.code;
  }
  return assert.fail('expected an error');
}

describe('remote write client: headers, keep-alive, authentication (SPEC §7 row 3)', function () {
  let server: FakeReceiver;
  afterEach(() => server?.close());

  it('POSTs to the URL path with the remote-write headers, Host = the destination, one kept-alive connection', async () => {
    server = new FakeReceiver([{ status: 204 }]);
    const port = await server.listen();
    const client = await RemoteWriteClient.create({ destinations: `127.0.0.1:${port}`, path: '/api/v1/write', timeoutMs: 5000, username: 'alice', password: 's3cret', headers: [{ name: 'X-Scope-OrgID', value: 'tenant-1' }] });
    const { bodies } = queueOf(2);
    for (const b of bodies) assert.strictEqual((await client.post(b)).kind, 'success');
    client.close();
    assert.strictEqual(server.seen.length, 2);
    assert.strictEqual(server.connections, 1, 'both requests on one kept-alive connection');
    for (const [i, s] of server.seen.entries()) {
      assert.strictEqual(s.method, 'POST');
      assert.strictEqual(s.url, '/api/v1/write');
      assert.strictEqual(s.headers['content-encoding'], 'snappy');
      assert.strictEqual(s.headers['content-type'], 'application/x-protobuf');
      assert.strictEqual(s.headers['x-prometheus-remote-write-version'], '0.1.0');
      assert.match(s.headers['user-agent'] ?? '', /^rrd-backends\/\d+\.\d+\.\d+/);
      assert.strictEqual(s.headers.host, `127.0.0.1:${port}`);
      assert.strictEqual(s.headers.authorization, `Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
      assert.strictEqual(s.headers['x-scope-orgid'], 'tenant-1');
      assert.strictEqual(Number(s.headers['content-length']), s.body.length);
      assert.deepStrictEqual(s.body, bodies[i]);
    }
  });

  it('reserved headers cannot be overridden; bad credentials and paths are typed errors that never show secrets', async () => {
    for (const name of ['Content-Type', 'content-encoding', 'X-Prometheus-Remote-Write-Version', 'User-Agent', 'Host', 'Content-Length']) {
      assert.strictEqual(errorCode(() => remoteWriteHeaders({ headers: { [name]: 'x' } })), 'ERR_TRANSPORT_OPTION', name);
    }
    // Authorization is reserved only when basic authentication is on (else it carries e.g. a bearer token).
    assert.strictEqual(remoteWriteHeaders({ headers: { Authorization: 'Bearer t0ken' } }).Authorization, 'Bearer t0ken');
    assert.strictEqual(errorCode(() => remoteWriteHeaders({ username: 'u', password: 'p', headers: { Authorization: 'Bearer t0ken' } })), 'ERR_TRANSPORT_OPTION');
    try {
      remoteWriteHeaders({ password: 'hunter2' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION');
      assert.ok(!e.message.includes('hunter2'), e.message);
    }
    try {
      remoteWriteHeaders({ headers: { 'X-Token': 'abc\r\ndef' } });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TransportError && !e.message.includes('abc'), String(e));
    }
    await assert.rejects(RemoteWriteClient.create({ destinations: '127.0.0.1:1', path: 'receive', timeoutMs: 1000 }), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION');
    // SPEC §7 row 6: no default port for remote write.
    await assert.rejects(RemoteWriteClient.create({ destinations: '127.0.0.1', timeoutMs: 1000 }), (e: unknown) => (e as { code?: string }).code === 'ERR_DESTINATION_PORT');
  });

  describe('over HTTPS', function () {
    const certs = useTestCerts();
    it('verifies the receiver against the given CA and sends the same request', async () => {
      // CertPair fields are file paths.
      server = new FakeReceiver([{ status: 200 }], { key: fs.readFileSync(certs().server.key, 'utf8'), cert: fs.readFileSync(certs().server.cert, 'utf8') });
      const port = await server.listen();
      const client = await RemoteWriteClient.create({ destinations: `localhost:${port}`, timeoutMs: 5000, tls: { caFile: certs().ca.cert } });
      const { bodies } = queueOf(1);
      const r = await client.post(bodies[0]!);
      assert.strictEqual(r.kind, 'success');
      assert.strictEqual(server.seen[0]!.headers.host, `localhost:${port}`);
      assert.strictEqual(server.seen[0]!.url, '/receive');
      client.close();
      const untrusting = await RemoteWriteClient.create({ destinations: `localhost:${port}`, timeoutMs: 5000, tls: { caFile: certs().selfSigned.cert } });
      const bad = await untrusting.post(bodies[0]!);
      assert.strictEqual(bad.kind, 'retryable');
      assert.strictEqual(server.seen.length, 1, 'nothing reached the server over an unverified connection');
      untrusting.close();
    });
  });
});

describe('remote write sink: retry and drop rules (issue 5)', function () {
  let server: FakeReceiver;
  afterEach(() => server?.close());

  async function sinkFor(script: Reply[]): Promise<{ sink: RemoteWriteSink; logs: string[]; time: ReturnType<typeof virtualTime>; client: RemoteWriteClient }> {
    server = new FakeReceiver(script);
    const port = await server.listen();
    const client = await RemoteWriteClient.create({ destinations: `127.0.0.1:${port}`, timeoutMs: 5000 });
    const logs: string[] = [];
    const time = virtualTime();
    const sink = new RemoteWriteSink({ client, destinationText: `127.0.0.1:${port}`, log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:', random: () => 1, now: time.now, sleep: time.sleep });
    return { sink, logs, time, client };
  }

  it('500 then 429 (Retry-After: 3) then 204: retried with backoff, delivered once, counted once', async () => {
    const { sink, time } = await sinkFor([{ status: 500 }, { status: 429, headers: { 'Retry-After': '3' } }, { status: 204 }]);
    const { queue, points, bodies } = queueOf(1);
    const r = await sink.flush(queue, time.now() + 60_000);
    assert.strictEqual(server.seen.length, 3);
    for (const s of server.seen) assert.deepStrictEqual(s.body, bodies[0]);
    assert.deepStrictEqual(time.sleeps, [500, 3000], 'first backoff 500 ms, then Retry-After 3 s (above the 1000 ms backoff)');
    assert.strictEqual(r.complete, true);
    assert.strictEqual(r.sentMetrics, points[0]);
    assert.strictEqual(r.sentBytes, bodies[0]!.length);
    assert.strictEqual(r.successes, 1);
    assert.strictEqual(r.failures, 2);
    assert.strictEqual(r.lostMetrics, 0);
    queue.check();
    assert.deepStrictEqual(queue.totals(), { queuedMetrics: 3, queuedBytes: bodies[0]!.length, sentMetrics: 3, sentBytes: bodies[0]!.length, lostMetrics: 0, lostBytes: 0 });
    const io = sink.takeIoCounters();
    assert.strictEqual(io.receptions, 3);
    assert.strictEqual(io.reconnects, 1);
    await sink.close();
  });

  it('400 drops that request with its count and the first KiB of the body in the log; the next one goes on', async () => {
    const body = `out of order sample${'x'.repeat(3000)}`;
    const { sink, logs, time } = await sinkFor([{ status: 400, body }, { status: 200 }]);
    const { queue, points, bodies } = queueOf(2);
    const r = await sink.flush(queue, time.now() + 60_000);
    assert.strictEqual(server.seen.length, 2);
    assert.strictEqual(r.lostMetrics, points[0]);
    assert.strictEqual(r.lostBytes, bodies[0]!.length);
    assert.strictEqual(r.sentMetrics, points[1]);
    assert.strictEqual(r.complete, true);
    assert.deepStrictEqual(time.sleeps, [], 'a 400 is not retried');
    const line = logs.find((l) => l.includes('HTTP 400'));
    assert.ok(line, logs.join('\n'));
    assert.ok(line.includes(`request of ${points[0]} metrics`), line);
    const sample = /Response: '([^']*)'/.exec(line)![1]!;
    assert.strictEqual(sample, body.slice(0, 1024));
    queue.check();
    assert.strictEqual(queue.metrics, 0);
  });

  it('a retry that would pass the deadline keeps the request queued, and the backoff carries to the next flush', async () => {
    const { sink, time } = await sinkFor([{ status: 503, headers: { 'Retry-After': '120' } }, { status: 200 }]);
    const { queue, points } = queueOf(1);
    const r1 = await sink.flush(queue, time.now() + 10_000);
    assert.strictEqual(r1.complete, false);
    assert.strictEqual(r1.failures, 1);
    assert.strictEqual(queue.metrics, points[0], 'still queued');
    assert.strictEqual(server.seen.length, 1);
    // Next iteration, 10 s later: still inside the 120 s the server asked for: no request at all.
    const r2 = await sink.flush(queue, time.now() + 10_000);
    assert.strictEqual(server.seen.length, 1);
    assert.strictEqual(r2.complete, false);
    assert.match(String(r2.error?.message), /backing off/);
    assert.ok(sink.backoffRemainingMs > 100_000);
    // With a deadline past the backoff, the flush waits for it and delivers.
    const r3 = await sink.flush(queue, time.now() + 200_000);
    assert.strictEqual(r3.complete, true);
    assert.strictEqual(r3.sentMetrics, points[0]);
    assert.strictEqual(server.seen.length, 2);
    queue.check();
  });

  it('no receiver at all: a retryable failure, nothing lost', async () => {
    server = new FakeReceiver([{ status: 200 }]);
    const port = await server.listen();
    await server.close();
    const client = await RemoteWriteClient.create({ destinations: `127.0.0.1:${port}`, timeoutMs: 2000 });
    const time = virtualTime();
    const logs: string[] = [];
    const sink = new RemoteWriteSink({ client, destinationText: 'x', log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:', now: time.now, sleep: time.sleep });
    const { queue, points } = queueOf(1);
    const r = await sink.flush(queue, time.now() + 1000);
    assert.strictEqual(r.complete, false);
    assert.strictEqual(r.lostMetrics, 0);
    assert.strictEqual(queue.metrics, points[0]);
    assert.ok(logs.some((l) => /ECONNREFUSED|refused/i.test(l)), logs.join('\n'));
    await sink.close();
  });

  it('decoded bodies on the server are the encoded series', async () => {
    const { sink, time } = await sinkFor([{ status: 200 }]);
    const { queue } = queueOf(2);
    await sink.flush(queue, time.now() + 1000);
    const names = server.seen.flatMap((s) => decodeRemoteWriteBody(s.body)).map((s) => Object.fromEntries(s.labels).dimension ?? '-');
    assert.deepStrictEqual(names, ['-', 'load1', 'load5', 'load15']);
  });

  it('createRemoteWriteSink() wires the instance options: path, auth, headers, data source', async () => {
    server = new FakeReceiver([{ status: 200 }]);
    const port = await server.listen();
    const o = resolveBackendOptions({
      enabled: true, type: 'prometheus_remote_write', destination: `127.0.0.1:${port}`, dataSource: 'sum', prefix: 'nd',
      remoteWriteUrlPath: '/api/v1/write', remoteWriteUsername: 'bob', remoteWritePassword: 'pw', remoteWriteHeaders: 'X-Scope-OrgID: t2',
    });
    const logs: string[] = [];
    const sink = await createRemoteWriteSink(o, { log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:' });
    const enc = remoteWriteEncoderFor(o);
    assert.strictEqual(enc.options.source, 'sum');
    const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 10 });
    const ch = db.localhost.createChart({ id: 'a.b' });
    ch.addDimension('x');
    for (let s = 0; s < 8; s++) {
      ch.set(0, 2, (T0 + s) * 1e6);
      ch.done((T0 + s) * 1e6);
    }
    const b = enc.encode([{ host: { hostname: o.hostname, tags: null, programName: 'netdata', programVersion: 'v' }, charts: [ch] }], T0 + 3, T0 + 8, 1);
    const queue = new SendQueue();
    queue.pushRecords(1, b.data, b.records, b.count);
    const r = await sink.flush(queue, performance.now() + 5000);
    await sink.close();
    assert.strictEqual(r.complete, true, logs.join('\n'));
    const seen = server.seen[0]!;
    assert.strictEqual(seen.url, '/api/v1/write');
    assert.strictEqual(seen.headers.authorization, `Basic ${Buffer.from('bob:pw').toString('base64')}`);
    assert.strictEqual(seen.headers['x-scope-orgid'], 't2');
    const series = decodeRemoteWriteBody(seen.body);
    assert.deepStrictEqual(series[1]!.labels[0], ['__name__', 'nd_a_b_sum']);
    assert.strictEqual(series[1]!.samples[0]!.value, 2 * 5);
    assert.ok(!logs.join('').includes('pw'));
  });

  it('backoff: exponential, jittered within [50 %, 100 %], capped, never below Retry-After', () => {
    assert.strictEqual(nextBackoffMs(1, null, () => 1), 500);
    assert.strictEqual(nextBackoffMs(2, null, () => 1), 1000);
    assert.strictEqual(nextBackoffMs(3, null, () => 0), 1000);
    assert.strictEqual(nextBackoffMs(20, null, () => 1), 30_000);
    assert.strictEqual(nextBackoffMs(1, 7000, () => 1), 7000);
    assert.strictEqual(nextBackoffMs(30, 90_000, () => 0.5), 90_000);
    for (let i = 0; i < 50; i++) {
      const v = nextBackoffMs(4, null);
      assert.ok(v >= 2000 && v <= 4000, String(v));
    }
  });
});
