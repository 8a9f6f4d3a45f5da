// Prometheus remote write through the Exporter against a scripted HTTP server (fault injection; the wire
// format against real receivers is in exporter-remote-write.test.ts): 5xx and 429 are retried with backoff
// and never sooner than Retry-After, 4xx is dropped and counted, the `buffer on failures` budget drops what
// a dead receiver never took, stop() counts what is left, and a request reset after it was written on a
// kept-alive connection is not silently resent by the HTTP client: the sink's retry shows in the counters.
import * as assert from 'assert';
import type { IterationCounters } from '../lib/exporter/counters';
import { decodeRemoteWriteBody } from '../lib/formats/remote-write-decode';
import { RrdDatabase } from '../lib/rrd';
import { ScriptedHttpServer, ScriptStep, waitFor } from './support/fake-servers';
import { chartValue, collect, configuredExporter, ConfiguredExporter, RecordingProxy } from './exporter-remote-write-harness';

/** A database whose charts have data from T-30 to T+30 (2 charts × 2 dimensions: 4 samples per iteration). */
function database(T: number): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 120, programVersion: 'v1' });
  collect(db, 'a', 'units', [{ id: 'x' }, { id: 'y' }], T - 30, T + 30, (t, j) => t - T + 10 * j);
  collect(db, 'b', 'units', [{ id: 'x' }, { id: 'y' }], T - 30, T + 30, (t, j) => 2 * (t - T) + 10 * j);
  return db;
}

function conf(port: number, extra: string[] = []): string {
  return [
    '[backend]', 'enabled = yes', 'type = prometheus_remote_write', `destination = 127.0.0.1:${port}`,
    'hostname = web01', 'update every = 1', 'timeout ms = 5000', 'send charts matching = system.*', ...extra,
  ].join('\n');
}

const its = (x: ConfiguredExporter): IterationCounters[] => x.iterations.get(null) ?? [];

describe('exporter: prometheus_remote_write request outcomes (scripted server)', function () {
  this.timeout(30_000);
  let server: ScriptedHttpServer | null = null;
  let proxy: RecordingProxy | null = null;
  let x: ConfiguredExporter | null = null;
  let db = new RrdDatabase();
  const T = 1_700_000_000;

  async function setup(script: ScriptStep[], extra: string[] = [], fallback?: ScriptStep, viaProxy = true): Promise<ConfiguredExporter> {
    server = await ScriptedHttpServer.start(script, fallback ? { fallback } : {});
    // The proxy only timestamps the arrivals (it forwards statuses and headers such as Retry-After unchanged).
    proxy = viaProxy ? await new RecordingProxy(server.port).listen() : null;
    db = database(T);
    x = await configuredExporter(db, conf(proxy?.port ?? server.port, extra), T);
    return x;
  }

  afterEach(async () => {
    await x?.exporter.stop(0);
    await proxy?.close();
    await server?.close();
    x = null;
    proxy = null;
    server = null;
  });

  it('500 then 429 with Retry-After are retried in the same iteration, 400 is dropped and counted, 204 is sent', async () => {
    const e = await setup([
      { status: 500 },
      { status: 429, headers: { 'Retry-After': '2' } },
      { status: 204 },
      { status: 400, body: 'out of order sample' },
      { status: 204 },
    ]);
    const c1 = (await e.step(2))[0]!;
    // One request: 500, then 429, then 204, always the same body.
    assert.deepStrictEqual([c1.newMetrics, c1.sentMetrics, c1.lostMetrics, c1.remainingMetrics, c1.failures], [4, 4, 0, 0, 0]);
    assert.deepStrictEqual([c1.transmissionFailures, c1.transmissionSuccesses, c1.receptions, c1.dataLostEvents], [2, 1, 3, 0]);
    const r = proxy!.requests;
    assert.strictEqual(r.length, 3);
    assert.ok(r[1]!.body.equals(r[0]!.body) && r[2]!.body.equals(r[0]!.body), 'the retries carry the same WriteRequest');
    assert.strictEqual(c1.sentBytes, r[0]!.body.length);
    // Backoff after the 500: at least half of the 500 ms base; after the 429: at least its Retry-After.
    assert.ok(r[1]!.atMs - r[0]!.atMs >= 245, `retried ${r[1]!.atMs - r[0]!.atMs} ms after the 500`);
    assert.ok(r[2]!.atMs - r[1]!.atMs >= 1995, `retried ${r[2]!.atMs - r[1]!.atMs} ms after the 429 with Retry-After: 2 (the jittered backoff alone is at most 1000 ms)`);
    assert.strictEqual(e.logged('HTTP 429 (Retry-After 2000 ms)').length, 1, e.logs.map(([, m]) => m).join('\n'));
    assert.strictEqual(e.failed.get(null)?.length, 1, 'the transient errors are reported');
    assert.deepStrictEqual(['failure', 'write', 'read'].map((d) => chartValue(db, 'netdata.backend_ops', d)), [2, 1, 3], 'the monitoring chart got the counters');

    const c2 = (await e.step(1))[0]!;
    // 400: the receiver refused this body itself; retrying cannot help.
    assert.deepStrictEqual([c2.bufferedMetrics, c2.sentMetrics, c2.lostMetrics, c2.remainingMetrics, c2.failures], [4, 0, 4, 0, 0]);
    assert.deepStrictEqual([c2.transmissionFailures, c2.transmissionSuccesses, c2.dataLostEvents, c2.lostBytes], [1, 0, 1, r[3]!.body.length]);
    assert.deepStrictEqual(e.losses.get(null)?.map((l) => [l.iteration, l.reason, l.metrics, l.bytes]), [[2, 'refused', 4, r[3]!.body.length]]);
    assert.strictEqual(e.logged('refused a request of 4 metrics').length, 1);
    assert.ok(e.logged("Response: 'out of order sample'").length === 1, 'the response body is logged');
    assert.deepStrictEqual([chartValue(db, 'netdata.backend_metrics', 'lost'), chartValue(db, 'netdata.backend_ops', 'discard')], [4, 1]);

    const c3 = (await e.step(1))[0]!;
    assert.deepStrictEqual([c3.sentMetrics, c3.lostMetrics, c3.transmissionSuccesses], [4, 0, 1]);
    assert.strictEqual(proxy!.requests.length, 5);
    // Each iteration sent its own window: the dimension samples of requests 3, 4, 5 have increasing timestamps.
    const ts = [0, 3, 4].map((k) => decodeRemoteWriteBody(proxy!.requests[k]!.body).find((s) => s.labels[0]![1].endsWith('_average'))!.samples[0]!.timestampMs);
    assert.deepStrictEqual(ts, [(T + 2 - 3) * 1000, (T + 3 - 3) * 1000, (T + 4 - 3) * 1000]);
    const t = e.exporter.instance(null)!.totals;
    assert.deepStrictEqual([t.formattedMetrics, t.sentMetrics, t.lostMetrics, t.bufferedMetrics], [12, 8, 4, 0]);
  });

  it('a receiver that keeps failing: data waits within `buffer on failures`, then is dropped and counted; stop() counts the rest', async () => {
    const e = await setup([], ['buffer on failures = 1', 'timeout ms = 600'], { status: 503 });
    const c1 = (await e.step(1))[0]!;
    assert.deepStrictEqual([c1.sentMetrics, c1.remainingMetrics, c1.failures, c1.lostMetrics], [0, 4, 1, 0]);
    assert.ok(c1.transmissionFailures >= 1);
    const c2 = (await e.step(1))[0]!;
    // Second failed iteration > buffer on failures (1): everything buffered is dropped (SPEC §5.5 step 11).
    assert.deepStrictEqual([c2.bufferedMetrics, c2.sentMetrics, c2.lostMetrics, c2.remainingMetrics, c2.failures], [8, 0, 8, 0, 0]);
    assert.deepStrictEqual(e.losses.get(null)?.map((l) => [l.reason, l.metrics]), [['buffer-on-failures', 8]]);
    assert.strictEqual(e.logged('reached 2 backend failures').length, 1);
    assert.ok(proxy!.requests.length >= 1 && proxy!.requests.every((q) => q.status === 503 && q.body.equals(proxy!.requests[0]!.body)), 'only the oldest request was tried');
    const c3 = (await e.step(1))[0]!;
    assert.deepStrictEqual([c3.bufferedMetrics, c3.newMetrics], [4, 4], 'after the drop only the new iteration is buffered');
    const t0 = performance.now();
    const report = (await e.exporter.stop(300)).get(null)!;
    assert.ok(performance.now() - t0 < 2000, 'stop() keeps to its grace period even while backing off');
    assert.strictEqual(report.lostMetrics, c3.remainingMetrics);
    assert.deepStrictEqual([report.totals.formattedMetrics, report.totals.sentMetrics, report.totals.lostMetrics, report.totals.bufferedMetrics], [12, 0, 12, 0]);
    x = null;
  });

  it('stop() during a Retry-After wait ends the wait at once and counts the request lost', async () => {
    const e = await setup([{ status: 429, headers: { 'Retry-After': '5' } }], ['timeout ms = 20000']);
    const t0 = performance.now();
    const running = e.step(1);
    await waitFor(() => proxy!.requests.length === 1, 5000, 'the 429'); // the sink now waits for the Retry-After
    const report = (await e.exporter.stop(200)).get(null)!;
    const c1 = (await running)[0]!;
    assert.ok(performance.now() - t0 < 2500, `stopped after ${Math.round(performance.now() - t0)} ms, not after the 5 s wait`);
    assert.strictEqual(proxy!.requests.length, 1, 'nothing is posted after the sink was closed');
    assert.deepStrictEqual([c1.sentMetrics, c1.remainingMetrics, c1.transmissionFailures], [0, 4, 1]);
    assert.deepStrictEqual([report.clean, report.lostMetrics, report.totals.formattedMetrics, report.totals.lostMetrics], [false, 4, 4, 4]);
    assert.deepStrictEqual(e.losses.get(null)?.map((l) => [l.reason, l.metrics]), [['shutdown', 4]]);
    x = null;
  });

  it('a reset after the request was written on a kept-alive connection is not resent by the client: the sink retries, visibly', async () => {
    const e = await setup([{ status: 204 }, { reset: true }, { status: 204 }], [], undefined, false);
    const c1 = (await e.step(1))[0]!;
    assert.deepStrictEqual([c1.sentMetrics, c1.transmissionSuccesses, c1.reconnects], [4, 1, 1]);
    const c2 = (await e.step(1))[0]!;
    // The server read the whole request, then reset the kept-alive connection: the outcome is unknown, so the
    // HTTP client returns it as retryable; the sink retries it on a new connection (at least once delivery).
    assert.deepStrictEqual([c2.sentMetrics, c2.remainingMetrics, c2.transmissionFailures, c2.transmissionSuccesses, c2.reconnects], [4, 0, 1, 1, 1]);
    const s = server!;
    assert.deepStrictEqual(s.requests.map((q) => q.connection), [1, 1, 2]);
    assert.ok(s.requests[2]!.body.equals(s.requests[1]!.body), 'the same request arrived twice');
    const retried = e.logged('Attempt 1, retrying in');
    assert.strictEqual(retried.length, 1, e.logs.map(([, m]) => m).join('\n'));
    assert.match(retried[0]!, /ECONNRESET.*may have been processed/);
    assert.deepStrictEqual(e.reconnected.get(null)?.map((r) => r.first), [true, false]);
  });
});
