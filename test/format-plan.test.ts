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
