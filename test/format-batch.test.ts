// The exporter's batched formatting path (issue 7): LineFormatter.formatCharts, which hands the native kernel
// many charts per call (formatSlabs: each chart's plan and storage slab as ArrayBuffers), must give exactly
// the bytes, counts and HTTP request records of one formatChart call per chart, on both kernels, for clean
// names and for random hostile ones (non-ASCII, control characters, lone surrogates, 260-byte names); and the
// native value fast paths (divide mode, SSE2) must give the exact path's bytes.
import * as assert from 'assert';
import * as path from 'path';
import { getKernel } from '../lib/kernels';
import type { Kernel } from '../lib/kernels/types';
import {
  FMT_IO_CHART, FMT_IO_POS, FMT_IO_STOP_AT, FMT_SLABS_IO_LENGTH, FMT_STATUS_BAD_INPUT, FMT_STATUS_DONE, FMT_STATUS_STOPPED,
  META_DIMS, META_LAST_UPDATED, META_LENGTH, SN_EXISTS,
} from '../lib/kernels/types';
import { FormatBuffer, FormatError, LineFormatter } from '../lib/formats';
import type { ChartView, FormatOptions } from '../lib/formats';
import { ChartFormatPlan } from '../lib/formats/chart-plan';
import { PLAN_WORD_MAGIC, PLAN_WORD_RING_AT, PLAN_WORD_RING_LEN } from '../lib/formats/plan-layout';
import { RrdDatabase } from '../lib/rrd';
import type { RrdChart } from '../lib/rrd/chart';
import { makeChart, randomChart, randomName, randomWord, Rng } from './support/format-fixtures';

const T = 1700000000;

/** A storage word of one of the shapes the value paths distinguish. */
function word(r: Rng, shape: number, m: number): number {
  if (r.int(25) === 0) return 0; // empty slot
  const sign = r.int(3) === 0 ? 0x80000000 : 0;
  switch (shape) {
    case 0: // one exponent per dimension, divide mode: the SSE2 path
      return (sign | (m << 27) | SN_EXISTS | r.int(0x1000000)) >>> 0;
    case 1: // small mantissas at m = 7: exact ties and cancellations (K == 0), which the fast paths decline
      return (sign | (7 << 27) | SN_EXISTS | r.int(4)) >>> 0;
    case 2: // two neighbouring exponents: the scalar divide-mode path
      return (sign | (((m + r.int(2)) & 7) << 27) | SN_EXISTS | r.int(0x1000000)) >>> 0;
    default: // anything: multiply mode, other flags, arbitrary words
      return randomWord(r);
  }
}

interface Built { db: RrdDatabase; charts: RrdChart[] }

/** A database of `n` random charts (ring geometry, dimensions, values and collection times all vary). */
function randomDatabase(r: Rng, n: number, kernel: Kernel): Built {
  const db = new RrdDatabase({ hostname: 'h', tags: null, memoryMode: 'ram', entries: 60, updateEvery: 1, kernel });
  const charts: RrdChart[] = [];
  for (let i = 0; i < n; i++) {
    const entries = 5 + r.int(60);
    const updateEvery = 1 + r.int(3);
    const c = db.localhost.createChart({ type: 't', id: `c${i}`, context: 'ctx', units: 'u', updateEvery, entries, memoryMode: 'ram' });
    const dims = 1 + r.int(20);
    c.addDimensions(Array.from({ length: dims }, (_, d) => `d${d}`));
    const ring = new Uint32Array(dims * entries);
    for (let d = 0; d < dims; d++) {
      const shape = r.int(4);
      const m = r.int(8);
      for (let s = 0; s < entries; s++) ring[d * entries + s] = word(r, shape, m);
    }
    const wrapped = r.int(4) !== 0;
    const counter = wrapped ? entries + r.int(500) : r.int(entries);
    const lastUpdated = T - r.int(3) * updateEvery;
    const lct = Array.from({ length: dims }, () => (r.int(10) === 0 ? T - 100 - r.int(1000) : lastUpdated));
    const lcv = Array.from({ length: dims }, () => BigInt(r.next()) * BigInt(r.int(3) - 1) * 1000003n);
    c.restore({ ring, currentEntry: counter % entries, counter, lastUpdated, lastCollectedValue: lcv, lastCollectedTime: lct });
    charts.push(c);
  }
  return { db, charts };
}

/** A random name of one of the awkward kinds the batch differential must cover. */
function hostileName(r: Rng): string {
  switch (r.int(6)) {
    case 0: { // random UTF-16 code units: controls, non-ASCII, lone surrogates (encoded as U+FFFD)
      const n = 1 + r.int(24);
      let s = '';
      for (let i = 0; i < n; i++) {
        const k = r.int(4);
        s += String.fromCharCode(k === 0 ? r.int(0x20) : k === 1 ? 0xd800 + r.int(0x800) : k === 2 ? 0x80 + r.int(0xff80) : 0x20 + r.int(0x5f));
      }
      return s;
    }
    case 1: // 260 bytes of two-byte characters, or ASCII
      return r.int(2) === 0 ? '\u00e9'.repeat(130) : 'n'.repeat(260);
    case 2: { // 198..202 bytes with a multi-byte character across the 200-byte cut
      const pad = 197 + r.int(4);
      return 'p'.repeat(pad) + r.pick(['\u00e9', '\u65e5', '\ud83d\ude00', '\ud800']) + 'q';
    }
    default:
      return randomName(r, 70);
  }
}

/** A random chart (fixtures' randomChart, dirty names) renamed with hostile names, around time T. */
function hostileChart(r: Rng): ChartView {
  const c = randomChart(r, 70);
  c.id = hostileName(r);
  c.name = r.int(8) === 0 ? null : hostileName(r);
  c.dimensions = c.dimensions.map(() => ({ id: hostileName(r), name: r.int(8) === 0 ? null : hostileName(r) }));
  c.meta[META_LAST_UPDATED] = T - r.int(3);
  for (let d = 0; d < c.dimensions.length; d++) c.lastCollectedTime[d] = r.int(6) === 0 ? T - 100 : T - r.int(5);
  return c;
}

/** The same chart with ring, meta and per-dimension arrays in one ArrayBuffer, as the database lays them out. */
function slabChart(c: ChartView): ChartView {
  const dims = c.dimensions.length;
  const buf = new ArrayBuffer(8 * (META_LENGTH + 2 * dims) + 4 * c.ring.length);
  const meta = new Float64Array(buf, 0, META_LENGTH);
  const lastCollectedValue = new BigInt64Array(buf, 8 * META_LENGTH, dims);
  const lastCollectedTime = new Float64Array(buf, 8 * (META_LENGTH + dims), dims);
  const ring = new Uint32Array(buf, 8 * (META_LENGTH + 2 * dims), c.ring.length);
  meta.set(c.meta.subarray(0, META_LENGTH));
  lastCollectedValue.set(c.lastCollectedValue.subarray(0, dims));
  lastCollectedTime.set(c.lastCollectedTime.subarray(0, dims));
  ring.set(c.ring);
  return { ...c, meta, lastCollectedValue, lastCollectedTime, ring, dimensions: c.dimensions.map((d) => ({ ...d })) };
}

const FORMATS: Array<Pick<FormatOptions, 'format' | 'http'>> = [
  { format: 'graphite' }, { format: 'opentsdb' }, { format: 'json' },
  { format: 'opentsdb-http', http: { mode: 'single' } },
  { format: 'opentsdb-http', http: { mode: 'batch', maxPoints: 7, maxBytes: 900 } },
];
const SOURCES = ['average', 'sum', 'as-collected'] as const;

interface Output { bytes: Buffer; metrics: number; recs: number[] }

type HostArgs = readonly [hostname: string, tags: string | null];

function perChart(k: Kernel, o: FormatOptions, charts: ReadonlyArray<ChartView>, after: number, before: number, h: HostArgs = ['h', 'a=b']): Output {
  const fmt = new LineFormatter(o, k);
  const host = fmt.host(h[0], h[1]);
  const out = new FormatBuffer(64);
  let metrics = 0;
  for (const c of charts) metrics += fmt.formatChart(host, c, after, before, out);
  fmt.finish(out);
  return { bytes: Buffer.from(out.view()), metrics, recs: Array.from(out.requests.subarray(0, out.requestCount * 3)) };
}

function batched(k: Kernel, o: FormatOptions, charts: ReadonlyArray<ChartView>, after: number, before: number, h: HostArgs = ['h', 'a=b']): Output {
  const fmt = new LineFormatter(o, k);
  const host = fmt.host(h[0], h[1]);
  const out = new FormatBuffer(64); // small: the kernel must grow it in the middle of a batch
  let metrics = 0;
  for (let i = 0; i < charts.length;) {
    const r = fmt.formatCharts(host, charts, i, charts.length, after, before, out);
    assert.ok(r.next > i, 'progress');
    metrics += r.metrics;
    i = r.next;
  }
  fmt.finish(out);
  return { bytes: Buffer.from(out.view()), metrics, recs: Array.from(out.requests.subarray(0, out.requestCount * 3)) };
}

function sameOutput(a: Output, b: Output, what: string): void {
  assert.strictEqual(b.metrics, a.metrics, `${what}: metrics`);
  if (!b.bytes.equals(a.bytes)) {
    let i = 0;
    while (a.bytes[i] === b.bytes[i]) i++;
    assert.fail(`${what}: bytes differ at ${i} of ${a.bytes.length}/${b.bytes.length}:\n${JSON.stringify(a.bytes.toString('latin1', Math.max(0, i - 60), i + 40))}\n${JSON.stringify(b.bytes.toString('latin1', Math.max(0, i - 60), i + 40))}`);
  }
  assert.deepStrictEqual(b.recs, a.recs, `${what}: request records`);
}

function nativeOrSkip(ctx: Mocha.Context): Kernel | null {
  try {
    return getKernel('native');
  } catch (err) {
    if (process.env.RRD_BACKENDS_NATIVE === '1') throw err;
    console.warn(`      SKIPPED: native kernel did not load (${(err as Error).message.split('\n')[0]})`);
    ctx.skip();
    return null;
  }
}

describe('formatter batches (formatCharts / formatSlabs)', function () {
  const fallback = getKernel('fallback');

  it('gives the bytes, counts and records of one call per chart, on both kernels and every format', function () {
    const native = nativeOrSkip(this) as Kernel;
    assert.strictEqual(typeof native.formatSlabs, 'function', 'the native kernel has the batch entry point');
    const r = new Rng(0xba7c4);
    const { charts } = randomDatabase(r, 150, fallback);
    let compared = 0;
    for (const f of FORMATS) {
      for (const source of SOURCES) {
        const o: FormatOptions = { ...f, source, prefix: 'p', sendNames: true };
        const after = T - 5 - r.int(20);
        const want = perChart(fallback, o, charts, after, T);
        for (const k of [native, fallback]) sameOutput(want, batched(k, o, charts, after, T), `${f.format}/${f.http?.mode ?? ''} ${source} ${k.implementation}`);
        compared += want.metrics;
      }
    }
    assert.ok(compared > 10000, `metrics compared: ${compared}`);
  });

  it('random hostile names (non-ASCII, control characters, lone surrogates, 260-byte names): identical bytes on both kernels', function () {
    const native = nativeOrSkip(this) as Kernel;
    const r = new Rng(0x4a3e5);
    const charts = Array.from({ length: 120 }, () => slabChart(hostileChart(r)));
    // Every awkward kind of name is in the workload.
    const names = charts.flatMap((c) => [c.id, c.name ?? '', ...c.dimensions.flatMap((d) => [d.id, d.name ?? ''])]);
    assert.ok(names.some((n) => /[^\x00-\x7f]/.test(n)), 'non-ASCII');
    assert.ok(names.some((n) => /[\x00-\x1f\x7f]/.test(n)), 'control characters');
    assert.ok(names.some((n) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(n)), 'lone surrogates');
    assert.ok(names.some((n) => Buffer.byteLength(n) >= 260), '260-byte names');
    assert.ok(names.some((n) => { const b = Buffer.byteLength(n); return b >= 199 && b <= 202 && /[^\x00-\x7f]/.test(n); }), 'a multi-byte character at the 200-byte limit');
    // The native kernel must take its batch entry point for these charts, never the one-chart call.
    const calls = { slabs: 0, one: 0 };
    const spied = Object.create(native) as Kernel;
    spied.formatSlabs = (...a: Parameters<Required<Kernel>['formatSlabs']>) => { calls.slabs++; return (native.formatSlabs as Required<Kernel>['formatSlabs'])(...a); };
    spied.formatChart = (...a: Parameters<Kernel['formatChart']>) => { calls.one++; return native.formatChart(...a); };
    let compared = 0;
    for (let round = 0; round < 4; round++) {
      // Host-level strings are hostile too (an explicit HTTP Host header, since a hostname with a control
      // character cannot be one).
      const host: HostArgs = [hostileName(r), r.int(3) === 0 ? null : hostileName(r)];
      const prefix = hostileName(r);
      for (const f of FORMATS) {
        for (const source of SOURCES) {
          for (const sendNames of [true, false]) {
            const http = f.http === undefined ? undefined : { ...f.http, host: 'tsdb.example' };
            const o: FormatOptions = { format: f.format, ...(http ? { http } : {}), source, prefix, sendNames };
            const after = T - 5 - r.int(20);
            const what = `round ${round} ${f.format}/${f.http?.mode ?? ''} ${source} names=${sendNames}`;
            const want = perChart(fallback, o, charts, after, T, host);
            sameOutput(want, batched(spied, o, charts, after, T, host), `${what}: native formatCharts`);
            sameOutput(want, batched(fallback, o, charts, after, T, host), `${what}: fallback formatCharts`);
            compared += want.metrics;
          }
        }
      }
    }
    assert.ok(calls.slabs > 0 && calls.one === 0, `native batch calls: ${JSON.stringify(calls)}`);
    assert.ok(compared > 20000, `metrics compared: ${compared}`);
  });

  it('the native value fast paths give the exact path\'s bytes (divide mode, SSE2, ties, cancellations)', function () {
    const native = nativeOrSkip(this) as Kernel;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const binding = (require('node-gyp-build') as (d: string) => { _setPaths(f: number): number })(path.resolve(__dirname, '..', '..'));
    const r = new Rng(0xfa57);
    const { charts } = randomDatabase(r, 300, fallback);
    for (const source of ['average', 'sum'] as const) {
      const o: FormatOptions = { format: 'graphite', source, prefix: 'p', sendNames: true };
      const fast = batched(native, o, charts, T - 30, T);
      binding._setPaths(1); // NATIVE_PATH_NO_INTEGER_FAST_PATH: every value through the exact long double path
      let exact: Output;
      try {
        exact = batched(native, o, charts, T - 30, T);
      } finally {
        binding._setPaths(0);
      }
      sameOutput(exact, fast, `${source}: fast vs exact`);
      sameOutput(fast, batched(fallback, o, charts, T - 30, T), `${source}: native vs fallback`);
      assert.ok(fast.metrics > 2000);
    }
  });

  it('stops after the chart that reaches stopAt, so chunks hold whole charts', function () {
    const native = nativeOrSkip(this) as Kernel;
    const { charts } = randomDatabase(new Rng(0x57a7), 60, fallback);
    const o: FormatOptions = { format: 'graphite', source: 'average', prefix: 'p', sendNames: true };
    for (const k of [native, fallback]) {
      const fmt = new LineFormatter(o, k);
      const host = fmt.host('h', null);
      // Each chart on its own, for the boundaries.
      const single = charts.map((c) => {
        const out = new FormatBuffer(64);
        fmt.formatChart(host, c, T - 20, T, out);
        return Buffer.from(out.view());
      });
      const out = new FormatBuffer(64);
      let i = 0;
      let chunks = 0;
      while (i < charts.length) {
        const r = fmt.formatCharts(host, charts, i, charts.length, T - 20, T, out, { stopAt: 2000 });
        const expect = Buffer.concat(single.slice(i, r.next));
        assert.ok(out.view().equals(expect), `${k.implementation}: chunk ${chunks} is charts ${i}..${r.next - 1}`);
        if (r.next < charts.length) assert.ok(out.length >= 2000, 'stopped only at stopAt');
        const before = Buffer.concat(single.slice(i, r.next - 1)).length;
        assert.ok(before < 2000 || r.next - i === 1, 'no chart after the one that reached stopAt');
        assert.strictEqual(r.charts, r.next - i);
        i = r.next;
        out.clear();
        chunks++;
      }
      assert.ok(chunks > 5, `${chunks} chunks`);
    }
  });

  it('charts whose arrays do not share one buffer are formatted one by one, in order', function () {
    const native = nativeOrSkip(this) as Kernel;
    const { charts } = randomDatabase(new Rng(0x1), 10, fallback);
    const loose = makeChart({ id: 'loose.chart', dims: [{ id: 'a', value: 5n, time: T }, { id: 'b', value: -7n, time: T }] });
    const mixed: ChartView[] = [...charts.slice(0, 5), loose, ...charts.slice(5)];
    const o: FormatOptions = { format: 'json', source: 'as-collected', prefix: 'p', sendNames: true };
    const want = perChart(fallback, o, mixed, T - 20, T);
    sameOutput(want, batched(native, o, mixed, T - 20, T), 'mixed');
    assert.ok(want.bytes.toString().includes('"chart_id":"loose.chart","chart_name":"loose.chart"'));
  });

  it('a chart the kernel refuses is reported to onError with what is wrong; the others are formatted', function () {
    const native = nativeOrSkip(this) as Kernel;
    const { charts } = randomDatabase(new Rng(0x2), 6, fallback);
    // One buffer (so it is batched), but meta claims more dimensions than the ring holds.
    const good = charts[2] as RrdChart;
    const buf = new ArrayBuffer(good.ring.byteLength + 64 + 16 * good.dimensions.length);
    const meta = new Float64Array(buf, 0, 6);
    meta.set(good.meta);
    const bad: ChartView = {
      id: 'bad.chart', name: null, type: 't', family: 'f', context: 'c', units: 'u', namesVersion: 1,
      dimensions: good.dimensions.map((d) => ({ id: d.id, name: d.name })),
      meta,
      ring: new Uint32Array(buf, 48, 1),
      lastCollectedValue: new BigInt64Array(buf, 56, good.dimensions.length),
      lastCollectedTime: new Float64Array(buf, 56 + 8 * good.dimensions.length, good.dimensions.length),
    };
    bad.lastCollectedTime.fill(T);
    const list: ChartView[] = [charts[0]!, charts[1]!, bad, charts[3]!, charts[4]!];
    const o: FormatOptions = { format: 'graphite', source: 'average', prefix: 'p', sendNames: true };
    const want = perChart(fallback, o, list.filter((c) => c !== bad), T - 20, T);
    for (const k of [native, fallback]) {
      const fmt = new LineFormatter(o, k);
      const out = new FormatBuffer(64);
      const errors: Array<{ chart: ChartView; err: unknown }> = [];
      const r = fmt.formatCharts(fmt.host('h', 'a=b'), list, 0, list.length, T - 20, T, out, { onError: (chart, err) => errors.push({ chart, err }) });
      assert.strictEqual(r.next, list.length);
      assert.strictEqual(r.charts, 4);
      assert.strictEqual(r.metrics, want.metrics);
      assert.ok(out.view().equals(want.bytes), `${k.implementation}: the other charts' bytes`);
      assert.strictEqual(errors.length, 1);
      assert.strictEqual(errors[0]?.chart, bad);
      const e = errors[0]?.err;
      assert.ok(e instanceof FormatError && e.code === 'ERR_FORMAT_CHART' && /bad\.chart/.test(e.message) && /ring has 1 slots/.test(e.message), String(e));
      // Without onError the error is thrown (as formatChart does).
      assert.throws(() => fmt.formatCharts(fmt.host('h', 'a=b'), list, 0, list.length, T - 20, T, new FormatBuffer()), (x: unknown) => x instanceof FormatError && x.code === 'ERR_FORMAT_CHART');
    }
  });

  it('rebinds a plan when the database reallocates a chart\'s storage', function () {
    const native = nativeOrSkip(this) as Kernel;
    const { charts } = randomDatabase(new Rng(0x3), 3, fallback);
    const c = charts[1] as RrdChart;
    const o: FormatOptions = { format: 'graphite', source: 'as-collected', prefix: 'p', sendNames: true };
    const fmt = new LineFormatter(o, native);
    const host = fmt.host('h', 'a=b');
    const run = () => {
      const out = new FormatBuffer(64);
      fmt.formatCharts(host, charts, 0, charts.length, T - 20, T, out);
      return out.view().toString();
    };
    const first = run();
    const oldRing = c.ring;
    c.addDimensions(['extra1', 'extra2', 'extra3']); // may move the chart to a new buffer
    c.restore({ ring: new Uint32Array(c.ring.length), currentEntry: 0, counter: c.entries, lastUpdated: T, lastCollectedValue: 42n, lastCollectedTime: T });
    const second = run();
    assert.notStrictEqual(second, first);
    assert.ok(second.includes('.c1.extra3;a=b 42 1700000000\n'), second);
    assert.strictEqual(second, perChart(fallback, o, charts, T - 20, T).bytes.toString());
    assert.notStrictEqual(c.ring, oldRing, 'the database made new views');
  });

  describe('native formatSlabs input checks', () => {
    let native: Kernel;
    before(function () {
      native = nativeOrSkip(this) as Kernel;
    });

    function setup(): { plan: ChartFormatPlan; slab: ArrayBuffer; io: Float64Array; out: Buffer; chart: RrdChart } {
      const { charts } = randomDatabase(new Rng(0x4), 1, fallback);
      const chart = charts[0] as RrdChart;
      const fmt = new LineFormatter({ format: 'graphite', source: 'as-collected', prefix: 'p', sendNames: true }, native);
      const plan = fmt.host('h', null).planFor(chart);
      const slab = plan.bind(chart) as ArrayBuffer;
      assert.ok(slab instanceof ArrayBuffer);
      const io = new Float64Array(FMT_SLABS_IO_LENGTH);
      io[8] = -Infinity; // since
      io[9] = T - 10;
      io[10] = T;
      io[FMT_IO_STOP_AT] = Infinity;
      return { plan, slab, io, out: Buffer.alloc(1 << 16), chart };
    }

    it('formats a well-formed batch', () => {
      const s = setup();
      const st = native.formatSlabs!(0, [s.plan.bytes, s.slab], 1, s.out, s.io, new Float64Array(0));
      assert.strictEqual(st, FMT_STATUS_DONE);
      assert.strictEqual(s.io[FMT_IO_CHART], 1);
      const text = s.out.toString('latin1', 0, s.io[FMT_IO_POS]);
      assert.strictEqual(text.split('\n').length - 1, s.chart.dimensions.length, text);
      assert.ok(text.startsWith('p.h.t.c0.d0 '), text);
    });

    it('refuses a plan or slab that does not describe valid memory, writing nothing', () => {
      const cases: Array<[string, (s: ReturnType<typeof setup>) => ArrayBuffer[]]> = [
        ['bad magic', (s) => { new Uint32Array(s.plan.bytes, 0, 16)[PLAN_WORD_MAGIC] = 0; return [s.plan.bytes, s.slab]; }],
        ['ring beyond the slab', (s) => { new Uint32Array(s.plan.bytes, 0, 16)[PLAN_WORD_RING_LEN] = s.slab.byteLength; return [s.plan.bytes, s.slab]; }],
        ['misaligned ring', (s) => { const h = new Uint32Array(s.plan.bytes, 0, 16); h[PLAN_WORD_RING_AT] = (h[PLAN_WORD_RING_AT] as number) + 2; return [s.plan.bytes, s.slab]; }],
        ['slab too small', (s) => [s.plan.bytes, new ArrayBuffer(8)]],
        ['plan too small', (s) => [new ArrayBuffer(16), s.slab]],
        ['meta dims beyond the index', (s) => { s.chart.meta[META_DIMS] = 1000; return [s.plan.bytes, s.slab]; }],
      ];
      for (const [what, make] of cases) {
        const s = setup();
        const items = make(s);
        s.io[FMT_IO_POS] = 5;
        const st = native.formatSlabs!(0, items, 1, s.out, s.io, new Float64Array(0));
        assert.strictEqual(st, FMT_STATUS_BAD_INPUT, what);
        assert.strictEqual(s.io[FMT_IO_CHART], 0, what);
        assert.strictEqual(s.io[FMT_IO_POS], 5, `${what}: nothing written`);
      }
    });

    it('stops at stopAt between charts', () => {
      const s = setup();
      s.io[FMT_IO_STOP_AT] = 1;
      const st = native.formatSlabs!(0, [s.plan.bytes, s.slab, s.plan.bytes, s.slab], 2, s.out, s.io, new Float64Array(0));
      assert.strictEqual(st, FMT_STATUS_STOPPED);
      assert.strictEqual(s.io[FMT_IO_CHART], 1);
    });

    it('throws TypeError / RangeError with a code for arguments of the wrong kind', () => {
      const s = setup();
      const recs = new Float64Array(0);
      const call = (...a: unknown[]) => () => (native.formatSlabs as (...x: unknown[]) => number)(...a);
      assert.throws(call(0, [s.plan.bytes, s.slab], 1, s.out, s.io), (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === 'ERR_MISSING_ARGS');
      assert.throws(call(0, 'x', 1, s.out, s.io, recs), (e: unknown) => e instanceof TypeError && /items must be an array/.test((e as Error).message));
      assert.throws(call(0, [s.plan.bytes], 1, s.out, s.io, recs), /items must be an array of 2 \* count/);
      assert.throws(call(0, [], 257, s.out, s.io, recs), (e: unknown) => e instanceof RangeError && (e as { code?: string }).code === 'ERR_OUT_OF_RANGE');
      assert.throws(call(0, [s.plan.bytes, s.slab], 1, 'out', s.io, recs), /out must be a Uint8Array/);
      assert.strictEqual(call(0, [s.plan.bytes, s.slab], 1, s.out, new Float64Array(3), recs)(), FMT_STATUS_BAD_INPUT, 'io too short');
      // A non-ArrayBuffer item is bad input for that chart, not a crash.
      assert.strictEqual(native.formatSlabs!(0, [new Uint8Array(8) as unknown as ArrayBuffer, s.slab], 1, s.out, s.io, recs), FMT_STATUS_BAD_INPUT);
    });
  });
});
