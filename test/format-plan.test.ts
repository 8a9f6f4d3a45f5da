// ChartFormatPlan caching: plans are built once per chart and rebuilt exactly when something they depend
// on changes (chart.namesVersion, dimensions, prefix, hostname, host tags, names/ids option, format options).
import * as assert from 'assert';
import { getKernel } from '../lib/kernels';
import { FormatBuffer, FormatError, LineFormatter } from '../lib/formats';
import type { FormatOptions } from '../lib/formats';
import { makeChart, TestChart } from './support/format-fixtures';

const k = getKernel('fallback');
const AFTER = 1699999990;
const BEFORE = 1700000000;
const base: FormatOptions = { format: 'graphite', source: 'as-collected', prefix: 'netdata', sendNames: true };

function chart(): TestChart {
  return makeChart({ id: 'disk.sda', name: 'disk.main', dims: [{ id: 'reads', name: 'r', value: 5n, time: BEFORE }] });
}

function fmtText(fmt: LineFormatter, c: TestChart, hostname = 'web01', tags: string | null = null): string {
  const out = new FormatBuffer(64);
  fmt.formatChart(fmt.host(hostname, tags), c, AFTER, BEFORE, out);
  fmt.finish(out);
  return out.view().toString();
}

describe('formatter plan cache', () => {
  it('builds a chart plan once and reuses it', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    const first = fmtText(fmt, c);
    assert.strictEqual(first, 'netdata.web01.disk.main.r 5 1700000000\n');
    assert.strictEqual(fmtText(fmt, c), first);
    assert.strictEqual(fmt.host('web01', null).plansBuilt, 1);
    // Values are read from the chart at format time, not cached.
    c.lastCollectedValue[0] = 6n;
    assert.strictEqual(fmtText(fmt, c), 'netdata.web01.disk.main.r 6 1700000000\n');
    assert.strictEqual(fmt.host('web01', null).plansBuilt, 1);
  });

  it('rebuilds when namesVersion changes (rename of chart or dimension)', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    fmtText(fmt, c);
    (c.dimensions[0] as { name: string | null }).name = 'reads-renamed';
    c.name = 'disk.other';
    c.namesVersion++;
    assert.strictEqual(fmtText(fmt, c), 'netdata.web01.disk.other.reads_renamed 5 1700000000\n');
    assert.strictEqual(fmt.host('web01', null).plansBuilt, 2);
  });

  it('rebuilds when a dimension is added and reads the reallocated arrays', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    fmtText(fmt, c);
    // What the database does: new, longer arrays; the old ones are dropped.
    const grown = makeChart({ id: 'disk.sda', name: 'disk.main', dims: [{ id: 'reads', name: 'r', value: 5n, time: BEFORE }, { id: 'writes', name: 'w', value: 9n, time: BEFORE }] });
    Object.assign(c, { ring: grown.ring, meta: grown.meta, lastCollectedValue: grown.lastCollectedValue, lastCollectedTime: grown.lastCollectedTime, dimensions: grown.dimensions });
    c.namesVersion++;
    assert.strictEqual(fmtText(fmt, c), 'netdata.web01.disk.main.r 5 1700000000\nnetdata.web01.disk.main.w 9 1700000000\n');
    assert.strictEqual(fmt.host('web01', null).plansBuilt, 2);
  });

  it('a new dimension count is detected even if namesVersion was not bumped', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    fmtText(fmt, c);
    const grown = makeChart({ id: 'disk.sda', dims: [{ id: 'a', time: BEFORE }, { id: 'b', time: BEFORE }] });
    Object.assign(c, { ring: grown.ring, meta: grown.meta, lastCollectedValue: grown.lastCollectedValue, lastCollectedTime: grown.lastCollectedTime, dimensions: grown.dimensions });
    assert.strictEqual(fmtText(fmt, c).split('\n').length - 1, 2);
  });

  it('hostname and host tags select their own context', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    assert.strictEqual(fmt.host('web01', null), fmt.host('web01', null));
    assert.notStrictEqual(fmt.host('web01', null), fmt.host('web01', 'dc=eu'));
    assert.notStrictEqual(fmt.host('web01', 'dc=eu'), fmt.host('web01', 'dc=us'));
    assert.notStrictEqual(fmt.host('web01', null), fmt.host('web02', null));
    assert.notStrictEqual(fmt.host('a', 'b'), fmt.host('ab', null));
    assert.strictEqual(fmtText(fmt, c, 'web02', 'dc=us'), 'netdata.web02.disk.main.r;dc=us 5 1700000000\n');
  });

  it('configure(): any option change drops every context and plan; identical options keep them', () => {
    const fmt = new LineFormatter(base, k);
    const c = chart();
    const h = fmt.host('web01', null);
    fmtText(fmt, c);
    assert.strictEqual(fmt.configure({ ...base }), false);
    assert.strictEqual(fmt.host('web01', null), h);
    const variants: Array<[FormatOptions, string]> = [
      [{ ...base, prefix: 'nd' }, 'nd.web01.disk.main.r 5 1700000000\n'],
      [{ ...base, prefix: 'nd', sendNames: false }, 'nd.web01.disk.sda.reads 5 1700000000\n'],
      [{ ...base, prefix: 'nd', sendNames: false, format: 'opentsdb' }, 'put nd.disk.sda.reads 1700000000 5 host=web01\n'],
      [{ ...base, prefix: 'nd', sendNames: false, format: 'opentsdb', http: { maxPoints: 7 } }, 'put nd.disk.sda.reads 1700000000 5 host=web01\n'],
    ];
    for (const [o, want] of variants) {
      const old = fmt.host('web01', null);
      assert.strictEqual(fmt.configure(o), true, JSON.stringify(o));
      assert.notStrictEqual(fmt.host('web01', null), old);
      assert.strictEqual(fmtText(fmt, c), want);
      assert.throws(() => fmt.formatChart(old, c, AFTER, BEFORE, new FormatBuffer()), (e: unknown) => e instanceof FormatError && e.code === 'ERR_FORMAT_OPTION');
    }
  });

  it('one context serves many charts with one plan each', () => {
    const fmt = new LineFormatter({ ...base, format: 'json' }, k);
    const charts = Array.from({ length: 5 }, (_, i) => makeChart({ id: `c.${i}`, dims: [{ id: 'x', time: BEFORE }] }));
    for (let pass = 0; pass < 3; pass++) for (const c of charts) fmtText(fmt, c);
    assert.strictEqual(fmt.host('web01', null).plansBuilt, 5);
  });
});

describe('formatter on charts of the real database (lib/rrd)', () => {
  it('formats collected charts, follows renames and added dimensions', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { RrdDatabase } = require('../lib/rrd') as typeof import('../lib/rrd');
    const db = new RrdDatabase({ hostname: 'agent', tags: null, entries: 60, updateEvery: 1, kernel: k });
    const chart = db.localhost.createChart({ type: 'disk', id: 'sda', name: 'main', units: 'KiB/s', entries: 60, updateEvery: 1 });
    chart.addDimensions([{ id: 'reads', name: 'r"d' }, 'writes']);
    const T0 = 1700000000;
    for (let s = 0; s <= 20; s++) {
      chart.set('reads', 100 + s, (T0 + s) * 1e6);
      chart.set('writes', 7, (T0 + s) * 1e6);
      chart.done((T0 + s) * 1e6);
    }
    const after = T0 + 10;
    const before = T0 + 20;
    const fmt = new LineFormatter({ format: 'graphite', source: 'average', prefix: 'nd', sendNames: true }, k);
    const host = fmt.host('agent', null);
    const run = (): string => {
      const out = new FormatBuffer(64);
      fmt.formatChart(host, chart, after, before, out);
      return out.view().toString();
    };
    const want = (name: string, d: number): string => {
      const sv = k.storedValue(chart.ring, d * chart.entries, chart.meta, after, before, 'average');
      assert.ok(sv.text !== null);
      return `nd.agent.disk.main.${name} ${sv.text} ${sv.last}\n`;
    };
    assert.strictEqual(run(), want('r_d', 0) + want('writes', 1));
    chart.renameDimension('writes', 'w');
    assert.strictEqual(run(), want('r_d', 0) + want('w', 1));
    chart.addDimension('ops');
    chart.set('reads', 121, (T0 + 21) * 1e6);
    chart.set('writes', 7, (T0 + 21) * 1e6);
    chart.set('ops', 1, (T0 + 21) * 1e6);
    chart.done((T0 + 21) * 1e6);
    // ops has no stored slot in the window yet: NaN, nothing sent (SPEC §4.1); the plan was rebuilt for it.
    assert.strictEqual(run(), want('r_d', 0) + want('w', 1));
    assert.strictEqual(host.plansBuilt, 3);
    const json = new LineFormatter({ format: 'json', source: 'as-collected', prefix: 'nd', sendNames: true }, k);
    const out = new FormatBuffer();
    assert.strictEqual(json.formatChart(json.host('agent', null), chart, after, before + 1, out), 3);
    const objs = out.view().toString().trim().split('\n').map((l) => JSON.parse(l));
    assert.deepStrictEqual(objs.map((o) => [o.chart_id, o.chart_name, o.id, o.name, o.value, o.timestamp]), [
      ['disk.sda', 'disk.main', 'reads', 'r"d', 121, T0 + 21], ['disk.sda', 'disk.main', 'writes', 'w', 7, T0 + 21], ['disk.sda', 'disk.main', 'ops', 'ops', 1, T0 + 21],
    ]);
  });
});
