// The exporter against real receivers on 127.0.0.1 (CONVENTIONS: real parts where users have real parts):
// graphite -> carbon-cache (read back from whisper), graphite / OpenTSDB telnet / OpenTSDB HTTP ->
// VictoriaMetrics (read back through its API), OpenTSDB HTTPS -> InfluxDB with the test CA, JSON lines ->
// a receiver in this file that parses every line. Expected values are computed here from the collected
// inputs (SPEC §3.1 for the stored average of absolute values collected on slot boundaries).
import * as assert from 'assert';
import * as net from 'net';
import type { IterationCounters } from '../lib/exporter/counters';
import { RrdChart, RrdDatabase } from '../lib/rrd';
import { httpRequest, useCarbon, useInfluxDB, useTestCerts, useVictoriaMetrics } from './support/receivers';
import { harness, ManualClock } from './exporter-harness';

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Chart `system.<id>` with absolute dims collected every second on the second from `from` to `to`. */
function collect(db: RrdDatabase, id: string, dims: string[], from: number, to: number, value: (t: number, j: number) => number): RrdChart {
  const chart = db.localhost.createChart({ type: 'system', id, units: 'load' });
  chart.addDimensions(dims.map((d) => ({ id: d, algorithm: 'absolute' as const })));
  for (let t = from; t <= to; t++) {
    dims.forEach((_, j) => chart.set(j, value(t, j), t * 1e6));
    chart.done(t * 1e6);
  }
  return chart;
}

/**
 * SPEC §3.1 for ue = 1 and values collected exactly on each second (stored unchanged): the window
 * [after, before] averages the slots after-2 .. before-3 and reports before-3.
 */
function storedAverage(after: number, before: number, value: (t: number) => number): { value: number; ts: number } {
  let sum = 0;
  let n = 0;
  for (let t = after - 2; t <= before - 3; t++) {
    sum += value(t);
    n++;
  }
  return { value: sum / n, ts: before - 3 };
}

describe('exporter -> carbon-cache (graphite, stored average, read back from whisper)', function () {
  this.timeout(60_000);
  const carbon = useCarbon();

  it('stores every dimension at the reported timestamp with the exact average', async () => {
    // Whisper keeps 1 h (1s:1h): timestamps near now.
    const T = nowSec() - 120;
    const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 300 });
    const value = (t: number, j: number): number => (t - T + 100) * 3 + 1000 * j;
    collect(db, 'load', ['load1', 'load5'], T - 30, T + 10, value);
    const clock = new ManualClock(T * 1000);
    const h = harness(db, { type: 'graphite', destination: `127.0.0.1:${carbon().port}`, hostname: 'web01', updateEvery: 2, sendChartsMatching: 'system.*' }, { clock });
    await h.inst.start();
    const c1 = await h.inst.runOnce(clock.advance(2));
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c1.sentMetrics, c2.sentMetrics], [2, 2]);
    for (const [j, dim] of ['load1', 'load5'].entries()) {
      const pts = await carbon().waitForPoints(`netdata.web01.system.load.${dim}`, 2);
      const a = storedAverage(T, T + 2, (t) => value(t, j));
      const b = storedAverage(T + 2, T + 4, (t) => value(t, j));
      assert.deepStrictEqual(pts, [{ timestamp: a.ts, value: a.value }, { timestamp: b.ts, value: b.value }], dim);
    }
    await h.inst.stop();
  });
});

describe('exporter -> VictoriaMetrics (graphite, OpenTSDB telnet, OpenTSDB HTTP)', function () {
  this.timeout(60_000);
  const vm = useVictoriaMetrics();

  /** One run: collect, two iterations, stop; returns the iterations. */
  async function run(type: string, port: number, chartId: string, extra: Record<string, unknown> = {}): Promise<{ T: number; iterations: IterationCounters[] }> {
    const T = nowSec() - 60;
    const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 300 });
    collect(db, chartId, ['a', 'b'], T + 1, T + 3, (t, j) => 10 * (t - T) + j);
    const clock = new ManualClock(T * 1000);
    const h = harness(db, { type, destination: `127.0.0.1:${port}`, hostname: 'web01', updateEvery: 1, dataSource: 'as collected', ...extra }, { clock });
    await h.inst.start();
    await h.inst.runOnce(clock.advance(4));
    // The second iteration exports the monitoring charts written at the end of the first.
    await h.inst.runOnce(clock.advance(1));
    await h.inst.stop();
    return { T, iterations: h.iterations };
  }

  it('graphite, as collected: values and timestamps; the monitoring charts arrive like any chart', async () => {
    const { T, iterations } = await run('graphite', vm().graphitePort, 'g');
    const series = await vm().waitForSeries('{__name__=~"netdata\\\\.web01\\\\.system\\\\.g\\\\..*"}', 2);
    // As collected: the last collected value at its collection second (SPEC §4.1).
    assert.deepStrictEqual(series, [
      { metric: { __name__: 'netdata.web01.system.g.a' }, values: [30], timestamps: [(T + 3) * 1000] },
      { metric: { __name__: 'netdata.web01.system.g.b' }, values: [31], timestamps: [(T + 3) * 1000] },
    ]);
    const c1 = iterations[0]!;
    const mon = await vm().waitForSeries('{__name__=~"netdata\\\\.web01\\\\.netdata\\\\.backend_(metrics|ops)\\\\..*"}', 8);
    const got = Object.fromEntries(mon.map((s) => [s.metric.__name__, s.values]));
    assert.deepStrictEqual(got['netdata.web01.netdata.backend_metrics.buffered'], [c1.bufferedMetrics]);
    assert.deepStrictEqual(got['netdata.web01.netdata.backend_metrics.sent'], [c1.sentMetrics]);
    assert.deepStrictEqual(got['netdata.web01.netdata.backend_metrics.lost'], [0]);
    assert.deepStrictEqual(got['netdata.web01.netdata.backend_ops.write'], [1]);
    assert.deepStrictEqual(got['netdata.web01.netdata.backend_ops.reconnect'], [1]);
    assert.strictEqual(c1.sentMetrics, 2);
  });

  it('OpenTSDB telnet, as collected, with host tags', async () => {
    const { T } = await run('opentsdb', vm().opentsdbPort, 't', { hostTags: 'dc=eu rack=r1', sendChartsMatching: 'system.*' });
    const series = await vm().waitForSeries('{__name__=~"netdata\\\\.system\\\\.t\\\\..*"}', 2);
    assert.deepStrictEqual(series, [
      { metric: { __name__: 'netdata.system.t.a', host: 'web01', dc: 'eu', rack: 'r1' }, values: [30], timestamps: [(T + 3) * 1000] },
      { metric: { __name__: 'netdata.system.t.b', host: 'web01', dc: 'eu', rack: 'r1' }, values: [31], timestamps: [(T + 3) * 1000] },
    ]);
  });

  it('OpenTSDB HTTP through the HTTP client: batched requests, each 2xx counted as sent', async () => {
    const { T, iterations } = await run('opentsdb:http', vm().opentsdbHttpPort, 'h', { hostTags: 'dc=eu', opentsdbHttpBatchSize: 3 });
    const series = await vm().waitForSeries('{__name__=~"netdata\\\\.system\\\\.h\\\\..*"}', 2);
    assert.deepStrictEqual(series, [
      { metric: { __name__: 'netdata.system.h.a', host: 'web01', dc: 'eu' }, values: [30], timestamps: [(T + 3) * 1000] },
      { metric: { __name__: 'netdata.system.h.b', host: 'web01', dc: 'eu' }, values: [31], timestamps: [(T + 3) * 1000] },
    ]);
    const [c1, c2] = iterations as [IterationCounters, IterationCounters];
    assert.deepStrictEqual([c1.sentMetrics, c1.transmissionSuccesses, c1.transmissionFailures], [2, 1, 0]);
    // Iteration 2: 14 monitoring metrics in requests of at most 3 points, each answered 204.
    assert.deepStrictEqual([c2.sentMetrics, c2.transmissionSuccesses, c2.receptions], [14, 5, 5]);
    const mon = await vm().waitForSeries('{__name__="netdata.netdata.backend_metrics.sent"}', 1);
    assert.deepStrictEqual(mon.map((s) => s.values), [[2]]);
  });
});

describe('exporter -> InfluxDB (OpenTSDB HTTPS with the test CA)', function () {
  this.timeout(60_000);
  const certs = useTestCerts();
  const influx = useInfluxDB(() => ({ tlsCertificate: certs().server.combined }));

  it('verifies the server against the test CA and stores the points; an untrusted CA is refused and counted', async () => {
    // InfluxDB's OpenTSDB HTTP handler (unlike its telnet one) does not create its database: it answers 500,
    // which the exporter rightly treats as retryable. Create it first.
    const created = await httpRequest(influx().httpPort, 'POST', `/query?q=${encodeURIComponent(`CREATE DATABASE "${influx().database}"`)}`);
    assert.strictEqual(created.status, 200, created.body.toString());
    const T = nowSec() - 60;
    const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 300 });
    collect(db, 'tls', ['x'], T + 1, T + 3, (t) => 7 * (t - T));
    const clock = new ManualClock(T * 1000);
    const opts = { type: 'opentsdb:https', destination: `127.0.0.1:${influx().opentsdbPort}`, hostname: 'web05', updateEvery: 1, dataSource: 'as collected', sendChartsMatching: 'system.*' };
    const bad = harness(db, { ...opts, name: 'bad', tlsCaFile: certs().selfSigned.cert }, { clock, monitoring: false });
    await bad.inst.start();
    const cb = await bad.inst.runOnce(clock.advance(4));
    assert.deepStrictEqual([cb.sentMetrics, cb.remainingMetrics, cb.transmissionFailures, cb.reconnects], [0, 1, 1, 1]);
    assert.ok(bad.logs.some(([l, m]) => l === 'error' && /certificate|self.signed|verify/i.test(m)), 'the verification failure is logged');
    assert.strictEqual((await bad.inst.stop(200)).lostMetrics, 1);

    clock.ms = T * 1000;
    const good = harness(db, { ...opts, name: 'good', tlsCaFile: certs().ca.cert }, { clock, monitoring: false });
    await good.inst.start();
    const c = await good.inst.runOnce(clock.advance(4));
    assert.deepStrictEqual([c.sentMetrics, c.remainingMetrics, c.transmissionSuccesses], [1, 0, 1]);
    const rows = await influx().waitForPoints('netdata.system.tls.x');
    assert.deepStrictEqual(rows, [{ time: (T + 3) * 1000, host: 'web05', value: 21 }]);
    await good.inst.stop();
  });
});

describe('exporter -> JSON lines receiver', function () {
  this.timeout(30_000);

  it('every line is one JSON object with the chart and dimension fields (SPEC §4.4)', async () => {
    const objects: Array<Record<string, unknown>> = [];
    const bad: string[] = [];
    const server = net.createServer((s) => {
      let pending = '';
      s.on('data', (d: Buffer) => {
        const parts = (pending + d.toString('utf8')).split('\n');
        pending = parts.pop()!;
        for (const line of parts) {
          try {
            objects.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            bad.push(line);
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const T = nowSec() - 60;
      const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 300 });
      const chart = db.localhost.createChart({ type: 'disk', id: 'sda "main"', name: 'sda', family: 'io', units: 'KiB/s' });
      chart.addDimensions([{ id: 'reads', name: 'read "ops"' }, { id: 'writes' }]);
      for (let t = T + 1; t <= T + 3; t++) {
        chart.set(0, 5 * t, t * 1e6);
        chart.set(1, -t, t * 1e6);
        chart.done(t * 1e6);
      }
      const clock = new ManualClock(T * 1000);
      const h = harness(db, { type: 'json', destination: `127.0.0.1:${port}`, hostname: 'web01', hostTags: '{"dc":"eu"}', dataSource: 'as collected', updateEvery: 1 }, { clock });
      await h.inst.start();
      await h.inst.runOnce(clock.advance(4));
      await h.inst.runOnce(clock.advance(1));
      await h.inst.stop();
      const total = h.iterations.reduce((n, c) => n + c.sentMetrics, 0);
      const deadline = Date.now() + 5000;
      while (objects.length + bad.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepStrictEqual(bad, [], 'every line parses as JSON');
      assert.strictEqual(objects.length, total);
      const disk = objects.filter((o) => o.chart_type === 'disk');
      assert.deepStrictEqual(disk, [
        { prefix: 'netdata', hostname: 'web01', host_tags: { dc: 'eu' }, chart_id: 'disk.sda "main"', chart_name: 'disk.sda', chart_family: 'io', chart_context: 'disk.sda \'main\'', chart_type: 'disk', units: 'KiB/s', id: 'reads', name: 'read "ops"', value: 5 * (T + 3), timestamp: T + 3 },
        { prefix: 'netdata', hostname: 'web01', host_tags: { dc: 'eu' }, chart_id: 'disk.sda "main"', chart_name: 'disk.sda', chart_family: 'io', chart_context: 'disk.sda \'main\'', chart_type: 'disk', units: 'KiB/s', id: 'writes', name: 'writes', value: -(T + 3), timestamp: T + 3 },
      ]);
      const mon = objects.filter((o) => o.chart_id === 'netdata.backend_metrics');
      assert.deepStrictEqual(mon.map((o) => [o.id, o.value, o.chart_family, o.units]), [
        ['buffered', h.iterations[0]!.bufferedMetrics, 'backend', 'metrics'],
        ['lost', 0, 'backend', 'metrics'],
        ['sent', h.iterations[0]!.sentMetrics, 'backend', 'metrics'],
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
