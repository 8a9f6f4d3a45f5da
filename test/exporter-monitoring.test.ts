// The self-monitoring charts (SPEC §5.4) as the database stores them, their values, and the id scheme
// of named instances; plus instances built from a netdata.conf text.
import * as assert from 'assert';
import { parseBackendConfig } from '../lib/exporter/config';
import { Exporter } from '../lib/exporter/exporter';
import { MONITORING_CHARTS, monitoringChartId } from '../lib/exporter/monitoring';
import { RrdDatabase } from '../lib/rrd';
import { LineCollector } from './support/fake-servers';
import { fillCharts, harness, ManualClock } from './exporter-harness';

const T0 = 1_700_000_000;

describe('exporter: monitoring charts (SPEC §5.4)', function () {
  this.timeout(20_000);
  let collector: LineCollector;
  beforeEach(async () => {
    collector = await LineCollector.start();
  });
  afterEach(async () => {
    await collector.close();
  });

  // SPEC §5.4's table, written out as the reference has it.
  const SPEC_TABLE = [
    ['backend_metrics', 'Netdata Buffered Metrics', 'metrics', 130600, 'line', [['buffered', 'absolute', 1], ['lost', 'absolute', 1], ['sent', 'absolute', 1]]],
    ['backend_bytes', 'Netdata Backend Data Size', 'KiB', 130610, 'area', [['buffered', 'absolute', 1024], ['lost', 'absolute', 1024], ['sent', 'absolute', 1024], ['received', 'absolute', 1024]]],
    ['backend_ops', 'Netdata Backend Operations', 'operations', 130630, 'line', [['write', 'absolute', 1], ['discard', 'absolute', 1], ['reconnect', 'absolute', 1], ['failure', 'absolute', 1], ['read', 'absolute', 1]]],
    ['backend_thread_cpu', 'NetData Backend Thread CPU usage', 'milliseconds/s', 130630, 'stacked', [['user', 'incremental', 1000], ['system', 'incremental', 1000]]],
  ] as const;

  it('defines the four charts exactly as the reference', () => {
    assert.deepStrictEqual(
      MONITORING_CHARTS.map((d) => [d.id, d.title, d.units, d.priority, d.chartType, d.dimensions.map((x) => [x.id, x.algorithm, x.divisor])]),
      SPEC_TABLE.map(([id, title, units, prio, type, dims]) => [id, title, units, prio, type, dims.map((x) => [...x])]),
    );
    assert.ok(MONITORING_CHARTS.every((d) => d.family === 'backend' && d.dimensions.every((x) => x.multiplier === 1)));
  });

  it('creates them on localhost as SPEC §5.4 says (type netdata, family backend, context = id, plugin backends, no module, update every = UE, titles, units, priorities, chart types, dimensions); named instances get their own ids', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const clock = new ManualClock(T0 * 1000);
    const a = harness(db, { type: 'graphite', destination: `127.0.0.1:${collector.port}`, updateEvery: 5 }, { clock });
    const b = harness(db, { name: 'eu-2', type: 'graphite', destination: `127.0.0.1:${collector.port}`, updateEvery: 3 }, { clock });
    await a.inst.start();
    await b.inst.start();
    for (const [inst, name, ue] of [[a.inst, null, 5], [b.inst, 'eu-2', 3]] as const) {
      const ids = MONITORING_CHARTS.map((d) => `netdata.${monitoringChartId(d, name)}`);
      assert.deepStrictEqual(inst.monitoringChartIds, ids);
      for (const [k, [, title, units, priority, chartType, dims]] of SPEC_TABLE.entries()) {
        const chart = db.localhost.findChart(ids[k]!)!;
        assert.ok(chart, `${ids[k]} exists`);
        assert.deepStrictEqual(
          [chart.id, chart.type, chart.family, chart.context, chart.title, chart.units, chart.updateEvery, chart.priority, chart.chartType, chart.plugin, chart.module],
          [ids[k], 'netdata', 'backend', ids[k], title, units, ue, priority, chartType, 'backends', null],
          `${ids[k]} as stored in the database`,
        );
        assert.deepStrictEqual(chart.dimensions.map((_, d) => {
          const i = chart.dimensionInfo(d);
          return [i.id, i.algorithm, i.multiplier, i.divisor];
        }), dims.map(([id, alg, div]) => [id, alg, 1, div]));
      }
    }
    assert.strictEqual(b.inst.monitoringChartIds[0], 'netdata.backend_eu-2_metrics');
    await a.inst.stop();
    await b.inst.stop();
    // Started again, an instance reuses its charts.
    await a.inst.start();
    assert.strictEqual(db.localhost.chartCount, 8);
    await a.inst.stop();
  });

  it('writes each iteration\'s counters and the process CPU time (µs) into the charts', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const clock = new ManualClock(T0 * 1000);
    let cpu = { user: 1_000_000, system: 250_000 };
    const h = harness(db, { type: 'graphite', destination: `127.0.0.1:${collector.port}`, updateEvery: 1, dataSource: 'as collected', sendChartsMatching: 'system.*' }, { clock, cpu: () => cpu });
    await h.inst.start();
    fillCharts(db, 'system', 2, 4, T0 + 1, (i, j) => i + j);
    const c = await h.inst.runOnce(clock.advance(2));
    const last = (id: string, dim: string): bigint => db.localhost.findChart(`netdata.${id}`)!.dimensionInfo(dim).lastCollectedValue;
    assert.deepStrictEqual(
      [last('backend_metrics', 'buffered'), last('backend_metrics', 'sent'), last('backend_metrics', 'lost')],
      [BigInt(c.bufferedMetrics), BigInt(c.sentMetrics), 0n],
    );
    assert.deepStrictEqual(
      [last('backend_bytes', 'buffered'), last('backend_bytes', 'sent'), last('backend_bytes', 'received')],
      [BigInt(c.bufferedBytes), BigInt(c.sentBytes), 0n],
    );
    assert.deepStrictEqual(
      ['write', 'discard', 'reconnect', 'failure', 'read'].map((d) => last('backend_ops', d)),
      [1n, 0n, 1n, 0n, 0n],
    );
    assert.deepStrictEqual([last('backend_thread_cpu', 'user'), last('backend_thread_cpu', 'system')], [1_000_000n, 250_000n]);
    cpu = { user: 1_400_000, system: 260_000 };
    await h.inst.runOnce(clock.advance(1));
    assert.deepStrictEqual([last('backend_thread_cpu', 'user'), last('backend_thread_cpu', 'system')], [1_400_000n, 260_000n]);
    const t = db.localhost.findChart('netdata.backend_metrics')!.dimensionInfo('sent').lastCollectedTime;
    assert.strictEqual(t, T0 + 3, 'collected at the clock\'s time of the update');
    await h.inst.stop();
  });

  it('the database keeps the metadata fields it was given, with the reference defaults otherwise', () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const plain = db.localhost.createChart({ type: 'system', id: 'plain' });
    assert.deepStrictEqual([plain.priority, plain.chartType, plain.plugin, plain.module], [1000, 'line', null, null]);
    const full = db.localhost.createChart({ type: 'system', id: 'full', priority: -5, chartType: 'stacked', plugin: 'proc.plugin', module: '/proc/stat' });
    assert.deepStrictEqual([full.priority, full.chartType, full.plugin, full.module], [-5, 'stacked', 'proc.plugin', '/proc/stat']);
    assert.throws(() => db.localhost.createChart({ type: 'system', id: 'bad1', chartType: 'pie' as 'line' }), /chart chartType: .*pie.* accepted: 'line', 'area', 'stacked'/);
    assert.throws(() => db.localhost.createChart({ type: 'system', id: 'bad2', priority: 1.5 }), /chart priority: 1\.5 is not accepted/);
    assert.throws(() => db.localhost.createChart({ type: 'system', id: 'bad3', plugin: 7 as unknown as string }), /chart plugin/);
  });

  it('monitoring: false creates no chart', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const h = harness(db, { type: 'graphite', destination: `127.0.0.1:${collector.port}` }, { monitoring: false });
    await h.inst.start();
    await h.inst.runOnce();
    assert.strictEqual(db.localhost.chartCount, 0);
    assert.deepStrictEqual(h.inst.monitoringChartIds, []);
    await h.inst.stop();
  });
});

describe('exporter: instances from netdata.conf', function () {
  this.timeout(20_000);

  it('runs every enabled [backend] / [backend:NAME] section independently; disabled ones stay idle', async () => {
    const one = await LineCollector.start();
    const two = await LineCollector.start();
    try {
      const conf = [
        '[global]', '    hostname = conf-host',
        '[backend]', '    enabled = yes', '    type = graphite', `    destination = 127.0.0.1:${one.port}`, '    data source = as collected',
        '    send charts matching = system.*', '    update every = 1',
        '[backend:tsdb]', '    enabled = yes', '    type = opentsdb', `    destination = tcp:127.0.0.1:${two.port}`, '    data source = raw',
        '    prefix = nd', '    send charts matching = system.*', '    update every = 1',
        '[backend:off]', '    enabled = no', '    type = json',
      ].join('\n');
      const config = parseBackendConfig(conf);
      const db = new RrdDatabase({ hostname: 'real', updateEvery: 1, entries: 60 });
      const clock = new ManualClock(T0 * 1000);
      const logs: string[] = [];
      const exporter = new Exporter(db, config, { manual: true, clock, logger: (_l, m) => logs.push(m) });
      await exporter.start();
      assert.deepStrictEqual(exporter.running.map((i) => i.name), [null, 'tsdb']);
      assert.ok(logs.some((m) => m.includes("backend 'off' is disabled")));
      fillCharts(db, 'system', 1, 2, T0 + 1, (i, j) => 40 + j);
      const results = await exporter.runOnce(clock.advance(2));
      assert.deepStrictEqual(results.map((c) => c?.sentMetrics ?? null), [2, 2, null]);
      await one.waitForLines(2);
      await two.waitForLines(2);
      assert.deepStrictEqual(one.lines, [`netdata.conf-host.system.c0.d0 40 ${T0 + 1}`, `netdata.conf-host.system.c0.d1 41 ${T0 + 1}`]);
      assert.deepStrictEqual(two.lines, [`put nd.system.c0.d0 ${T0 + 1} 40 host=conf-host`, `put nd.system.c0.d1 ${T0 + 1} 41 host=conf-host`]);
      const reports = await exporter.stop();
      assert.deepStrictEqual([...reports.keys()], [null, 'tsdb', 'off']);
    } finally {
      await one.close();
      await two.close();
    }
  });
});
