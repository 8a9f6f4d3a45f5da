// OpenTSDB HTTP through the HTTP client (SPEC §4.3, §7 rows 5, 9): per-request outcomes against a
// scripted HTTP server (fault injection; the wire format against a real receiver is in
// exporter-receivers.test.ts).
import * as assert from 'assert';
import { RrdDatabase } from '../lib/rrd';
import { ScriptedHttpServer } from './support/fake-servers';
import { fillCharts, harness, ManualClock } from './exporter-harness';

const T0 = 1_700_000_000;

interface Point { metric: string; timestamp: number; value: number; tags: Record<string, string> }

describe('exporter: OpenTSDB HTTP sink (request outcomes)', function () {
  this.timeout(20_000);
  let server: ScriptedHttpServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function setup(script: Array<{ status?: number; reset?: boolean; headers?: Record<string, string> }>) {
    server = await ScriptedHttpServer.start(script);
    const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 60 });
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, {
      type: 'opentsdb:http', destination: `127.0.0.1:${server.port}`, hostname: 'web01', hostTags: 'dc=eu', dataSource: 'as collected',
      updateEvery: 1, sendChartsMatching: 'system.*', opentsdbHttpBatchSize: 2, timeoutMs: 2000,
    }, { clock, monitoring: false });
    await h.inst.start();
    return { db, clock, h, server };
  }

  const points = (s: ScriptedHttpServer, k: number): Point[] => JSON.parse(s.requests[k]!.body.toString('utf8')) as Point[];

  it('2xx = sent, 5xx = kept and retried, other 4xx = refused for good (lost, counted)', async () => {
    const { db, clock, h, server: s } = await setup([{ status: 500 }, { status: 204 }, { status: 400 }, { status: 200 }]);
    const failed: number[] = [];
    h.inst.on('failed', (e) => failed.push(e.failures));
    fillCharts(db, 'system', 1, 6, T0 + 1, (i, j) => j * 11);
    const c1 = await h.inst.runOnce(clock.advance(2));
    // 6 points in requests of 2: the first answered 500 -> nothing sent, all kept.
    assert.deepStrictEqual([c1.newMetrics, c1.sentMetrics, c1.remainingMetrics, c1.transmissionFailures, c1.failures, c1.receptions], [6, 0, 6, 1, 1, 1]);
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c2.bufferedMetrics, c2.sentMetrics, c2.lostMetrics, c2.remainingMetrics, c2.transmissionSuccesses, c2.transmissionFailures, c2.failures],
      [6, 4, 2, 0, 2, 1, 0]);
    assert.deepStrictEqual(h.losses.map((l) => [l.reason, l.metrics, l.bytes]), [['refused', 2, s.requests[2]!.body.length]]);
    assert.deepStrictEqual(failed, [1, 0]);
    assert.ok(h.logged('refused 2 metrics').length === 1);
    // The retried request carries the same body; every body is a JSON array of at most 2 points.
    assert.strictEqual(s.requests.length, 4);
    assert.deepStrictEqual(s.requests[0]!.body, s.requests[1]!.body);
    const all = [1, 2, 3].flatMap((k) => points(s, k));
    assert.deepStrictEqual(all.map((p) => [p.metric, p.value, p.timestamp, p.tags]), [0, 1, 2, 3, 4, 5].map((j) => [`netdata.system.c0.d${j}`, j * 11, T0 + 1, { host: 'web01', dc: 'eu' }]));
    for (const r of s.requests) {
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.url, '/api/put');
      assert.strictEqual(r.headers['content-type'], 'application/json');
      assert.strictEqual(r.headers.host, `127.0.0.1:${s.port}`, 'Host is the destination (SPEC §7 row 9), not the netdata hostname');
      assert.strictEqual(Number(r.headers['content-length']), r.body.length);
    }
    // Keep-alive: one connection for all requests.
    assert.deepStrictEqual(new Set(s.requests.map((r) => r.connection)).size, 1);
    await h.inst.stop();
  });

  it('a connection reset before any answer is retryable: the request is kept and sent again on a new connection', async () => {
    const { db, clock, h, server: s } = await setup([{ reset: true }]);
    const reconnects: boolean[] = [];
    h.inst.on('reconnected', (e) => reconnects.push(e.first));
    fillCharts(db, 'system', 1, 4, T0 + 1, (i, j) => j);
    const c1 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c1.sentMetrics, c1.remainingMetrics, c1.transmissionFailures, c1.reconnects], [0, 4, 1, 1]);
    assert.ok(h.logged('failed to write data to database backend').length === 1);
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c2.sentMetrics, c2.remainingMetrics, c2.reconnects, c2.transmissionSuccesses], [4, 0, 1, 2]);
    assert.deepStrictEqual(s.requests.map((r) => r.connection), [1, 2, 2]);
    assert.deepStrictEqual(s.requests[0]!.body, s.requests[1]!.body);
    assert.deepStrictEqual(reconnects, [true]);
    await h.inst.stop();
  });

  it('the failure rule and the shutdown count HTTP records like lines', async () => {
    const { db, clock, h } = await setup([]);
    await server!.close();
    server = null;
    fillCharts(db, 'system', 1, 3, T0 + 1, (i, j) => j);
    await h.inst.runOnce(clock.advance(2));
    const r = await h.inst.stop(300);
    assert.deepStrictEqual([r.lostMetrics, r.totals.formattedMetrics, r.totals.sentMetrics], [3, 3, 0]);
    assert.deepStrictEqual(h.losses.map((l) => l.reason), ['shutdown']);
  });
});
