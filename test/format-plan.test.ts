// ChartFormatPlan caching: plans are built once per chart and rebuilt exactly when something they depend
// on changes (chart.namesVersion, dimensions, prefix, hostname, host tags, names/ids option, format options),
// on the one-chart path (formatChart) and on the exporter's batch path (formatCharts, both kernels), where the
// positional cache (HostFormat.batchPlanFor / rewind) must stay aligned across chunk stops.
import * as assert from 'assert';
import { getKernel } from '../lib/kernels';
import type { Kernel } from '../lib/kernels/types';
import { FormatBuffer, FormatError, LineFormatter } from '../lib/formats';
import type { ChartView, FormatOptions } from '../lib/formats';
import type { HostFormat } from '../lib/formats/formatter';
import { makeChart, refGraphite, refJson, refOpenTsdb, TestChart } from './support/format-fixtures';

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

// ----- the exporter's batch path (LineFormatter.formatCharts): both kernels, renames and option changes, the
// positional plan cache (HostFormat.batchPlanFor / rewind) across chunk stops -----

describe('formatter plan cache on the batch path (formatCharts)', function () {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RrdDatabase } = require('../lib/rrd') as typeof import('../lib/rrd');
  type Chart = import('../lib/rrd/chart').RrdChart;
  const T = BEFORE;
  const N_CHARTS = 12;

  /** A database of N_CHARTS charts of 3 dimensions (their arrays share one buffer each: the native batch path). */
  function database(): Chart[] {
    const db = new RrdDatabase({ hostname: 'ignored', tags: null, memoryMode: 'ram', entries: 10, updateEvery: 1, kernel: k });
    const charts: Chart[] = [];
    for (let i = 0; i < N_CHARTS; i++) {
      const c = db.localhost.createChart({ type: 'sys', id: `c${i}`, name: `main${i}`, units: 'u', entries: 10, updateEvery: 1 });
      c.addDimensions([0, 1, 2].map((d) => ({ id: `d${d}`, name: `n${d}` })));
      c.restore({
        ring: new Uint32Array(3 * 10), currentEntry: 0, counter: 10, lastUpdated: T,
        lastCollectedValue: [0, 1, 2].map((d) => BigInt(i * 100 + d - 150)), lastCollectedTime: T,
      });
      charts.push(c);
    }
    return charts;
  }

  const REFS = { graphite: refGraphite, opentsdb: refOpenTsdb, json: refJson } as const;
  type RefFormat = keyof typeof REFS;

  /** What the reference's format strings print for these charts (independent of lib/formats). */
  function expected(format: RefFormat, o: { prefix: string; sendNames: boolean }, hostname: string, tags: string | null, charts: ReadonlyArray<ChartView>): string {
    let s = '';
    for (const chart of charts) {
      chart.dimensions.forEach((_, dim) => {
        s += REFS[format]({
          prefix: o.prefix, hostname, tags, sendNames: o.sendNames, chart, dim,
          value: String(chart.lastCollectedValue[dim]), time: String(chart.lastCollectedTime[dim]),
        });
      });
    }
    return s;
  }

  /** Counts the lookups that missed the positional cache and fell through to planFor. */
  function spy(host: HostFormat): { calls: number } {
    const counter = { calls: 0 };
    const planFor = host.planFor.bind(host);
    host.planFor = (chart: ChartView) => {
      counter.calls++;
      return planFor(chart);
    };
    return counter;
  }

  /** One exporter-style pass: formatCharts until done, a new chunk whenever out reaches stopAt. */
  function pass(fmt: LineFormatter, host: HostFormat, charts: ReadonlyArray<ChartView>, stopAt?: number): { text: string; stops: number[] } {
    const out = new FormatBuffer(64);
    let text = '';
    const stops: number[] = [];
    for (let i = 0; i < charts.length;) {
      const r = fmt.formatCharts(host, charts, i, charts.length, AFTER, BEFORE, out, stopAt === undefined ? {} : { stopAt });
      assert.ok(r.next > i, 'progress');
      i = r.next;
      if (stopAt !== undefined && out.length >= stopAt) {
        if (i < charts.length) stops.push(i);
        text += out.view().toString();
        out.clear();
      }
    }
    fmt.finish(out);
    return { text: text + out.view().toString(), stops };
  }

  function kernels(ctx: Mocha.Context): Kernel[] {
    try {
      return [getKernel('native'), k];
    } catch (err) {
      if (process.env.RRD_BACKENDS_NATIVE === '1') throw err;
      console.log(`      (native kernel skipped, it did not load: ${(err as Error).message.split('\n')[0]}; the fallback is tested)`);
      void ctx;
      return [k];
    }
  }

  for (const format of ['graphite', 'opentsdb', 'json'] as const) {
    it(`${format}: renames (chart, dimension), prefix, hostname, host tags and names/ids change the bytes, on both kernels`, function () {
      for (const kernel of kernels(this)) {
        const what = `${format} ${kernel.implementation}`;
        const charts = database();
        let o: FormatOptions = { format, source: 'as-collected', prefix: 'netdata', sendNames: true };
        const fmt = new LineFormatter(o, kernel);
        let hostname = 'web01';
        let tags: string | null = null;
        let prev = '';
        const check = (change: string, mustContain: string | null, mustNotContain: string | null, same = false): void => {
          const host = fmt.host(hostname, tags);
          const got = pass(fmt, host, charts).text;
          assert.strictEqual(got, expected(format, o, hostname, tags, charts), `${what}: ${change}`);
          if (same) assert.strictEqual(got, prev, `${what}: ${change} leaves the bytes`);
          else assert.notStrictEqual(got, prev, `${what}: ${change} changed the bytes`);
          if (mustContain !== null) assert.ok(got.includes(mustContain), `${what}: ${change}: ${mustContain} in\n${got}`);
          if (mustNotContain !== null) assert.ok(!got.includes(mustNotContain), `${what}: ${change}: no ${mustNotContain} in\n${got}`);
          // The same pass again gives the same bytes from the cached plans (nothing rebuilt).
          const built = host.plansBuilt;
          assert.strictEqual(pass(fmt, host, charts).text, got, `${what}: ${change}, cached`);
          assert.strictEqual(host.plansBuilt, built, `${what}: ${change}: no plan rebuilt by an unchanged pass`);
          prev = got;
        };
        check('first pass', 'sys.main5', null);
        assert.ok((charts[5] as Chart).rename('renamed5'));
        check('chart renamed', 'sys.renamed5', 'sys.main5');
        (charts[7] as Chart).renameDimension('d1', 'n1renamed');
        check('dimension renamed', 'n1renamed', null);
        o = { ...o, prefix: 'nd' };
        assert.strictEqual(fmt.configure(o), true);
        check('prefix', format === 'json' ? '"prefix":"nd"' : format === 'graphite' ? 'nd.web01.' : 'put nd.', format === 'json' ? '"prefix":"netdata"' : 'netdata');
        hostname = 'web02';
        check('hostname', 'web02', 'web01');
        tags = 'dc=eu';
        check('host tags', 'dc=eu', null);
        tags = 'dc=us';
        check('other host tags', 'dc=us', 'dc=eu');
        o = { ...o, sendNames: false };
        assert.strictEqual(fmt.configure(o), true);
        // JSON always carries both ids and names (SPEC §4.4): the option changes nothing there.
        check('ids instead of names', format === 'json' ? '"id":"d1","name":"n1renamed"' : '.c7.d1', format === 'json' ? null : 'n1renamed', format === 'json');
        o = { ...o, sendNames: true };
        assert.strictEqual(fmt.configure(o), true);
        check('names again', format === 'json' ? null : 'sys.renamed5', format === 'json' ? null : '.c7.d1', format === 'json');
      }
    });
  }

  it('a pass that stops at a chunk boundary (stopAt) and is resumed keeps the positional cache aligned', function () {
    for (const kernel of kernels(this)) {
      const batched = kernel.formatSlabs !== undefined; // native: several charts per kernel call via batchPlanFor
      const what = kernel.implementation;
      const charts = database();
      const o: FormatOptions = { format: 'graphite', source: 'as-collected', prefix: 'netdata', sendNames: true };
      const fmt = new LineFormatter(o, kernel);
      const want = (): string => expected('graphite', o, 'web01', null, charts);
      const perChart = Buffer.byteLength(expected('graphite', o, 'web01', null, charts.slice(0, 1)));
      const stopAt = Math.floor(perChart * 2.5); // stops after every third chart: inside one native batch

      let host = fmt.host('web01', null);
      const s = spy(host);
      assert.strictEqual(pass(fmt, host, charts).text, want(), `${what}: first pass`);
      assert.strictEqual(host.plansBuilt, N_CHARTS);

      // A pass in chunks: every resumed call finds its charts' plans by position.
      s.calls = 0;
      host = fmt.host('web01', null);
      const chunked = pass(fmt, host, charts, stopAt);
      assert.strictEqual(chunked.text, want(), `${what}: chunked pass`);
      assert.deepStrictEqual(chunked.stops, [3, 6, 9], `${what}: stopped inside the batch, after every third chart`);
      if (batched) assert.strictEqual(s.calls, 0, `${what}: resumed calls looked their plans up by position`);
      assert.strictEqual(host.plansBuilt, N_CHARTS);

      // Stop, rename charts that were not reached yet (the first one after the stop and a later one), resume.
      host = fmt.host('web01', null);
      s.calls = 0;
      const out = new FormatBuffer(64);
      const first = fmt.formatCharts(host, charts, 0, charts.length, AFTER, BEFORE, out, { stopAt });
      assert.strictEqual(first.next, 3, what);
      const head = expected('graphite', o, 'web01', null, charts.slice(0, 3));
      assert.strictEqual(out.view().toString(), head, `${what}: first chunk`);
      assert.ok((charts[3] as Chart).rename('moved3'));
      (charts[8] as Chart).renameDimension('d2', 'late');
      out.clear();
      let rest = '';
      for (let i = first.next; i < charts.length;) {
        const r = fmt.formatCharts(host, charts, i, charts.length, AFTER, BEFORE, out, { stopAt });
        i = r.next;
        rest += out.view().toString();
        out.clear();
      }
      fmt.finish(out);
      assert.strictEqual(rest, expected('graphite', o, 'web01', null, charts.slice(3)), `${what}: resumed after renames`);
      assert.ok(rest.startsWith('netdata.web01.sys.moved3.n0 ') && rest.includes('.sys.main8.late '), rest);
      assert.strictEqual(host.plansBuilt, N_CHARTS + 2, `${what}: exactly the two renamed charts rebuilt`);
      if (batched) assert.strictEqual(s.calls, 2, `${what}: only the renamed charts missed the positional cache`);

      // And the next pass, chunked again, is served by position with the new plans.
      s.calls = 0;
      host = fmt.host('web01', null);
      assert.strictEqual(pass(fmt, host, charts, stopAt).text, want(), `${what}: pass after the renames`);
      assert.strictEqual(host.plansBuilt, N_CHARTS + 2);
      if (batched) assert.strictEqual(s.calls, 0, `${what}: aligned again`);
    }
  });

  it('HostFormat.batchPlanFor / rewind: positions, re-lookups after a rewind, a new pass, and renames', () => {
    const charts = database();
    const fmt = new LineFormatter({ format: 'graphite', source: 'as-collected', prefix: 'netdata', sendNames: true }, k);
    let host = fmt.host('web01', null);
    // formatCharts binds each plan to the chart's storage right after the lookup; a plan found by position is
    // used only while it is bound to the chart's current arrays.
    const lookup = (c: ChartView) => {
      const p = host.batchPlanFor(c);
      assert.ok(p.bind(c) instanceof ArrayBuffer, 'the database\'s charts share one buffer');
      return p;
    };
    const plans = charts.map(lookup);
    assert.strictEqual(host.plansBuilt, N_CHARTS);
    const s = spy(host);
    host = fmt.host('web01', null); // a new pass
    for (let i = 0; i < 6; i++) assert.strictEqual(lookup(charts[i] as Chart), plans[i]);
    assert.strictEqual(s.calls, 0, 'found by position');
    // Charts 4 and 5 were looked up but not formatted (the kernel stopped after chart 3): they come again.
    host.rewind(2);
    assert.strictEqual(lookup(charts[4] as Chart), plans[4]);
    assert.strictEqual(lookup(charts[5] as Chart), plans[5]);
    assert.strictEqual(s.calls, 0, 'rewound lookups are found by position');
    // A rename between lookups: that chart's plan is rebuilt, the following ones are still found by position.
    assert.ok((charts[6] as Chart).rename('other6'));
    const p6 = lookup(charts[6] as Chart);
    assert.notStrictEqual(p6, plans[6]);
    assert.strictEqual(s.calls, 1);
    for (let i = 7; i < N_CHARTS; i++) assert.strictEqual(lookup(charts[i] as Chart), plans[i]);
    assert.strictEqual(s.calls, 1);
    // rewind never goes before the start of the pass.
    host.rewind(1000);
    assert.strictEqual(lookup(charts[0] as Chart), plans[0]);
    // The first chart again without host(): taken as a new pass, still by position.
    for (let i = 1; i < 4; i++) lookup(charts[i] as Chart);
    assert.strictEqual(lookup(charts[0] as Chart), plans[0]);
    assert.strictEqual(lookup(charts[1] as Chart), plans[1]);
    assert.strictEqual(s.calls, 1);
    // Out of position: found by chart instead (the current plan, nothing rebuilt).
    assert.strictEqual(lookup(charts[6] as Chart), p6);
    assert.strictEqual(s.calls, 2);
    assert.strictEqual(host.plansBuilt, N_CHARTS + 1);
  });
});
