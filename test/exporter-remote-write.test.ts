// Prometheus remote write through the Exporter, configured from netdata.conf text, into real receivers on
// 127.0.0.1 (issue 5; SPEC §4.6, §5.13, §7 rows 2-5): a database collected through the collection API ->
// `[backend:NAME]` instances of type prometheus_remote_write (and :https behind a TLS reverse proxy) ->
// Prometheus (--web.enable-remote-write-receiver) and VictoriaMetrics, read back through their query APIs.
// Every expected value is computed here from the collected inputs (SPEC §3.1 average of exact slots), every
// timestamp is the reported second × 1000; the bodies are also decoded on the way through to check the
// label order on the wire and the headers.
import * as assert from 'assert';
import type { IterationCounters } from '../lib/exporter/counters';
import { decodeRemoteWriteBody } from '../lib/formats/remote-write-decode';
import { RrdDatabase } from '../lib/rrd';
import { labelKey, usePrometheus, useTestCerts, useVictoriaMetrics } from './support/receivers';
import { chartValue, collect, configuredExporter, ConfiguredExporter, RecordingProxy, storedAverage } from './exporter-remote-write-harness';

interface Sample {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

const PROGRAM_VERSION = 'v1.15.0-rrd-test';

/** Two charts collected every second around T: absolute values in 1/8 steps (exact in storage numbers). */
function database(T: number): { db: RrdDatabase; load: (t: number, j: number) => number; net: (t: number, j: number) => number } {
  const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 300, programVersion: PROGRAM_VERSION });
  const loadRaw = (t: number, j: number): number => (t - T + 100) * 3 + 1000 * j;
  const netRaw = (t: number, j: number): number => 4000 + 7 * (t - T + 50) + 3 * j;
  collect(db, 'load', 'load', [{ id: 'load1' }, { id: 'load5' }], T - 30, T + 10, loadRaw);
  collect(db, 'net', 'kilobits/s', [{ id: 'received', divisor: 8 }, { id: 'sent', multiplier: -1, divisor: 8 }], T - 30, T + 10, netRaw);
  // What the slots hold: collected × multiplier / divisor (SPEC §1.5, absolute).
  return { db, load: loadRaw, net: (t, j) => (netRaw(t, j) * (j === 1 ? -1 : 1)) / 8 };
}

/** What must read back for one iteration over [after, before] formatted at `nowMs` (SPEC §4.6, fixed per §7 rows 2, 4). */
function expectedIteration(T: number, after: number, before: number, nowMs: number, v: ReturnType<typeof database>): Sample[] {
  const instance = 'web01';
  const out: Sample[] = [
    { labels: { __name__: 'netdata_info', application: 'netdata', instance, version: PROGRAM_VERSION }, value: 1, timestampMs: nowMs },
    { labels: { __name__: 'netdata_host_tags_info', dc: 'eu', instance, rack: 'r7' }, value: 1, timestampMs: nowMs },
  ];
  const charts = [
    // name = prefix _ prom-name(context) prom-units(units) _average; context = the chart id by default.
    { name: 'netdata_system_load_load_average', chart: 'system.load', family: 'load', dims: ['load1', 'load5'], stored: v.load },
    { name: 'netdata_system_net_kilobits_persec_average', chart: 'system.net', family: 'net', dims: ['received', 'sent'], stored: v.net },
  ];
  for (const c of charts) {
    c.dims.forEach((dim, j) => {
      const a = storedAverage(after, before, (t) => c.stored(t, j));
      out.push({ labels: { __name__: c.name, chart: c.chart, dimension: dim, family: c.family, instance }, value: a.value, timestampMs: a.ts * 1000 });
    });
  }
  return out;
}

const sorted = (list: Sample[]): Sample[] => [...list].sort((a, b) => `${labelKey(a.labels)}@${a.timestampMs}`.localeCompare(`${labelKey(b.labels)}@${b.timestampMs}`));

function conf(name: string, type: string, port: number, extra: string[] = []): string {
  return [
    `[backend:${name}]`,
    'enabled = yes',
    `type = ${type}`,
    `destination = 127.0.0.1:${port}`,
    'remote write URL path = /api/v1/write',
    'data source = average',
    'hostname = web01',
    'host tags = dc="eu",rack=r7',
    'update every = 1',
    'timeout ms = 10000',
    // The monitoring charts are exported too, but their values depend on timing: keep them out here.
    'send charts matching = system.*',
    ...extra,
  ].join('\n');
}

/** Two iterations (windows [T, T+2] and [T+2, T+4]); returns what each instance must have delivered. */
async function runTwo(x: ConfiguredExporter, T: number, v: ReturnType<typeof database>): Promise<Sample[]> {
  const expected: Sample[] = [];
  for (const [a, b] of [[T, T + 2], [T + 2, T + 4]] as const) {
    const results = await x.step(b - x.clock.sec);
    for (const c of results) if (c !== null) assert.deepStrictEqual([c.after, c.before], [a, b]);
    expected.push(...expectedIteration(T, a, b, x.clock.ms, v));
  }
  return expected;
}

/** SPEC §5.15 counters of a healthy remote-write instance, checked against what the proxy saw. */
function checkCounters(x: ConfiguredExporter, name: string, proxy: RecordingProxy, db: RrdDatabase): void {
  const its = x.iterations.get(name) as IterationCounters[];
  assert.strictEqual(its.length, 2);
  assert.strictEqual(proxy.requests.length, 2, 'one request per iteration');
  its.forEach((c, k) => {
    const body = proxy.requests[k]!.body;
    assert.deepStrictEqual(
      [c.newMetrics, c.bufferedMetrics, c.sentMetrics, c.lostMetrics, c.remainingMetrics, c.newBytes, c.bufferedBytes, c.sentBytes, c.lostBytes],
      [4, 4, 4, 0, 0, body.length, body.length, body.length, 0], `${name} iteration ${k + 1}: 4 dimension samples, bytes = the compressed body`);
    assert.deepStrictEqual([c.transmissionSuccesses, c.transmissionFailures, c.receptions, c.reconnects, c.dataLostEvents], [1, 0, 1, k === 0 ? 1 : 0, 0], `${name} iteration ${k + 1}: ops (keep-alive)`);
  });
  // The monitoring charts got the last iteration's counters (SPEC §5.4).
  const last = its[1]!;
  assert.strictEqual(chartValue(db, `netdata.backend_${name}_metrics`, 'sent'), last.sentMetrics);
  assert.strictEqual(chartValue(db, `netdata.backend_${name}_bytes`, 'sent'), last.sentBytes);
  assert.strictEqual(chartValue(db, `netdata.backend_${name}_ops`, 'write'), 1);
  assert.strictEqual(chartValue(db, `netdata.backend_${name}_ops`, 'failure'), 0);
  assert.deepStrictEqual(x.reconnected.get(name)?.map((e) => e.first), [true]);
}

/** Headers of SPEC §7 row 3 and labels sorted by name on the wire (§7 row 4). */
function checkWire(proxy: RecordingProxy): void {
  for (const r of proxy.requests) {
    assert.strictEqual(r.url, '/api/v1/write');
    assert.strictEqual(r.status, 204, 'the receiver accepted the request');
    assert.strictEqual(r.headers['content-encoding'], 'snappy');
    assert.strictEqual(r.headers['content-type'], 'application/x-protobuf');
    assert.strictEqual(r.headers['x-prometheus-remote-write-version'], '0.1.0');
    const series = decodeRemoteWriteBody(r.body);
    assert.strictEqual(series.length, 6, 'netdata_info, netdata_host_tags_info and 4 dimensions');
    for (const s of series) {
      const names = s.labels.map(([n]) => n);
      assert.deepStrictEqual(names, [...names].sort(), `labels sorted by name: ${names.join(',')}`);
      assert.strictEqual(names[0], '__name__');
    }
  }
}

describe('exporter: prometheus_remote_write from configuration into Prometheus and VictoriaMetrics', function () {
  this.timeout(60_000);
  const prom = usePrometheus();
  const vm = useVictoriaMetrics();
  const certs = useTestCerts();

  it('average: exact computed values at reported ts × 1000, sorted labels, host info series; counters and charts add up', async () => {
    const T = Math.floor(Date.now() / 1000) - 120;
    const v = database(T);
    const toProm = await new RecordingProxy(prom().port).listen();
    const toVm = await new RecordingProxy(vm().httpPort).listen();
    try {
      const x = await configuredExporter(v.db, [
        '[backend]', 'enabled = no',
        conf('prom', 'prometheus_remote_write', toProm.port),
        conf('vm', 'prometheus_remote_write', toVm.port),
      ].join('\n'), T);
      assert.deepStrictEqual(x.exporter.running.map((i) => i.name), ['prom', 'vm']);
      const expected = await runTwo(x, T, v);
      const stopped = await x.exporter.stop();
      assert.deepStrictEqual([...stopped.values()].map((r) => [r.lostMetrics, r.totals.formattedMetrics, r.totals.sentMetrics]), [[0, 0, 0], [0, 8, 8], [0, 8, 8]]);

      const fromProm = await prom().waitForSamples('{__name__=~"netdata_.*"}', expected.length);
      const flatProm = fromProm.flatMap((s) => s.samples.map((p) => ({ labels: s.metric, value: p.value, timestampMs: p.timestampMs })));
      assert.deepStrictEqual(sorted(flatProm), sorted(expected));

      const fromVm = await vm().waitForSeries('{__name__=~"netdata_.*"}', expected.length);
      const flatVm = fromVm.flatMap((s) => s.values.map((value, i) => ({ labels: s.metric, value, timestampMs: s.timestamps[i]! })));
      assert.deepStrictEqual(sorted(flatVm), sorted(expected));

      checkWire(toProm);
      checkWire(toVm);
      checkCounters(x, 'prom', toProm, v.db);
      checkCounters(x, 'vm', toVm, v.db);
      assert.deepStrictEqual(x.logged('configured (').length, 2);
      assert.deepStrictEqual([...x.losses.values()].flat(), []);
    } finally {
      await toProm.close();
      await toVm.close();
    }
  });

  it('prometheus_remote_write:https: verified against `tls ca file`, an untrusted certificate is a counted failure', async () => {
    const T = Math.floor(Date.now() / 1000) - 110;
    const v = database(T);
    const good = await new RecordingProxy(vm().httpPort, { cert: certs().server.cert, key: certs().server.key }).listen();
    const bad = await new RecordingProxy(vm().httpPort, { cert: certs().selfSigned.cert, key: certs().selfSigned.key }).listen();
    try {
      const x = await configuredExporter(v.db, [
        '[backend]', 'enabled = no',
        conf('tls', 'prometheus_remote_write:https', good.port, [`tls ca file = ${certs().ca.cert}`, 'prefix = tls']),
        conf('untrusted', 'prometheus_remote_write:https', bad.port, [`tls ca file = ${certs().ca.cert}`, 'prefix = untrusted', 'timeout ms = 1000']),
      ].join('\n'), T);
      await x.step(2);
      await x.step(2);
      const [ok1, ok2] = x.iterations.get('tls')!;
      assert.deepStrictEqual([ok1!.sentMetrics, ok2!.sentMetrics, ok1!.transmissionFailures + ok2!.transmissionFailures], [4, 4, 0]);
      const [bad1, bad2] = x.iterations.get('untrusted')!;
      // No request reaches the untrusted proxy; both iterations fail and keep their data.
      assert.strictEqual(bad.requests.length, 0);
      assert.deepStrictEqual([bad1!.sentMetrics, bad1!.remainingMetrics, bad2!.bufferedMetrics, bad2!.remainingMetrics, bad2!.failures], [0, 4, 8, 8, 2]);
      assert.ok(bad1!.transmissionFailures >= 1 && bad2!.transmissionFailures >= 1);
      assert.ok(x.logs.some(([l, m]) => l === 'error' && /certificate|self.signed|verify/i.test(m)), 'the verification failure is logged');
      const reports = await x.exporter.stop(500);
      assert.strictEqual(reports.get('untrusted')!.lostMetrics, 8, 'what never left is counted lost at shutdown');

      // The trusted instance's samples arrived through TLS (prefix `tls` instead of `netdata`).
      const got = await vm().waitForSeries('{__name__=~"tls_.*"}', 8);
      const flat = got.flatMap((s) => s.values.map((value, i) => ({ labels: s.metric, value, timestampMs: s.timestamps[i]! })));
      const want = [[T, T + 2], [T + 2, T + 4]].flatMap(([a, b]) => expectedIteration(T, a!, b!, 0, v))
        .filter((s) => s.labels.__name__!.startsWith('netdata_system'))
        .map((s) => ({ ...s, labels: { ...s.labels, __name__: s.labels.__name__!.replace(/^netdata_/, 'tls_') } }));
      assert.deepStrictEqual(sorted(flat), sorted(want));
    } finally {
      await good.close();
      await bad.close();
    }
  });
});
