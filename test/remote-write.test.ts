// Prometheus remote write encoding (SPEC §4.6, §7 rows 2 and 4): snappy blocks, protobuf bytes, the
// reference's sanitisers and tag parser, and WriteRequests built from a real database.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import { ProtobufWriter, readFields } from '../lib/formats/protobuf';
import { RemoteWriteBatch, RemoteWriteEncoder, RemoteWriteHost } from '../lib/formats/remote-write';
import { decodeRemoteWriteBody, decodeWriteRequest, DecodedSeries } from '../lib/formats/remote-write-decode';
import { RemoteWriteError } from '../lib/formats/remote-write-errors';
import { parseHostTags, promLabel, promName, promUnits } from '../lib/formats/remote-write-names';
import { maxCompressedLength, snappyCompress, SnappyError, snappyUncompress } from '../lib/formats/snappy';
import { getKernel } from '../lib/kernels';
import { RrdChart, RrdDatabase } from '../lib/rrd';
import { encodeWriteRequest } from './support/receiver-remote-write';
import { remoteWritePass } from '../lib/exporter/sinks/remote-write-pass';
import { ChartFilter, HostFilter } from '../lib/exporter/filters';
import { SimplePattern } from '../lib/formats/simple-pattern';

// The npm `snappyjs` package: an independent decoder/encoder used only as an oracle here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const snappyjs = require('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array): Uint8Array };

function snappyCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SnappyError, `expected a SnappyError, got ${String(e)}`);
    return e.code;
  }
  return assert.fail('expected an error');
}

/** Deterministic text with repeats, like metric names. */
function textLike(n: number, seed: number): Buffer {
  const words = ['netdata', 'system.cpu', 'user', 'instance', 'web01', 'chart', 'family', 'dimension', '_average', 'KiB/s'];
  let s = '';
  let x = seed;
  while (s.length < n) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += words[x % words.length] + String.fromCharCode(32 + (x >>> 24) % 10);
  }
  return Buffer.from(s.slice(0, n), 'latin1');
}

describe('remote write: snappy block format (SPEC §4.6)', () => {
  const inputs: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['1 byte', Buffer.from('x')],
    ['14 bytes (below the match margin)', Buffer.from('abcdabcdabcdab')],
    ['15 bytes', textLike(15, 1)],
    ['random 1000', randomBytes(1000)],
    ['text 65535', textLike(65535, 2)],
    ['text 65536 (one block)', textLike(65536, 3)],
    ['text 65537 (two blocks)', textLike(65537, 4)],
    ['run of one byte (overlapping copies)', Buffer.alloc(5000, 0x61)],
    ['mixed 300 KiB', Buffer.concat([textLike(100_000, 5), randomBytes(50_000), textLike(157_200, 6)])],
  ];

  for (const [name, input] of inputs) {
    it(`round trip, and snappyjs agrees both ways: ${name}`, () => {
      const c = snappyCompress(input);
      assert.ok(c.length <= maxCompressedLength(input.length), `${c.length} > bound ${maxCompressedLength(input.length)}`);
      assert.deepStrictEqual(snappyUncompress(c), input);
      assert.deepStrictEqual(Buffer.from(snappyjs.uncompress(c)), input, 'snappyjs cannot read our block');
      assert.deepStrictEqual(snappyUncompress(Buffer.from(snappyjs.compress(input))), input, 'we cannot read a snappyjs block');
    });
  }

  it('compresses what is compressible', () => {
    const text = textLike(200_000, 7);
    const c = snappyCompress(text);
    assert.ok(c.length < text.length * 0.35, `text compressed to ${c.length} of ${text.length} bytes`);
    const run = snappyCompress(Buffer.alloc(100_000, 0));
    assert.ok(run.length < 5000, `a zero run compressed to ${run.length} bytes`);
  });

  it('writes into a caller buffer at an offset', () => {
    const input = textLike(10_000, 8);
    const out = Buffer.alloc(100 + maxCompressedLength(input.length), 0xee);
    const c = snappyCompress(input, out, 100);
    assert.strictEqual(c.byteOffset - out.byteOffset, 100);
    assert.strictEqual(out[99], 0xee);
    assert.deepStrictEqual(snappyUncompress(c), input);
    assert.throws(() => snappyCompress(input, Buffer.alloc(10)), RangeError);
  });

  it('rejects corrupt blocks with ERR_SNAPPY_CORRUPT / ERR_SNAPPY_TOO_LARGE', () => {
    const good = snappyCompress(textLike(3000, 9));
    assert.strictEqual(snappyCode(() => snappyUncompress(good.subarray(0, good.length - 5))), 'ERR_SNAPPY_CORRUPT');
    // length 10, then a 2-byte-offset copy reaching 7 bytes before the start
    assert.strictEqual(snappyCode(() => snappyUncompress(Buffer.from([10, 0x0e, 0x07, 0x00]))), 'ERR_SNAPPY_CORRUPT');
    // declares 5 bytes, holds a 3-byte literal
    assert.strictEqual(snappyCode(() => snappyUncompress(Buffer.from([5, 0x08, 0x61, 0x62, 0x63]))), 'ERR_SNAPPY_CORRUPT');
    assert.strictEqual(snappyCode(() => snappyUncompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]))), 'ERR_SNAPPY_TOO_LARGE');
    assert.strictEqual(snappyCode(() => snappyUncompress(Buffer.from([0x80]))), 'ERR_SNAPPY_CORRUPT');
  });
});

describe('remote write: protobuf primitives', () => {
  it('int64 varints: negative values take 10 bytes and read back', () => {
    for (const v of [0, 1, 127, 128, 300, 2 ** 31, 1_700_000_000_123, Number.MAX_SAFE_INTEGER, -1, -1_700_000_000_000]) {
      const w = new ProtobufWriter(64);
      w.key(2, 0);
      w.int64(v);
      const fields = [...readFields(Buffer.from(w.view()))];
      assert.strictEqual(fields.length, 1);
      assert.strictEqual(fields[0]!.value, v);
      if (v < 0) assert.strictEqual(w.pos, 11);
    }
  });
});

describe('remote write: sanitisers (SPEC §4.6, Appendix B)', () => {
  it('prom-units', () => {
    assert.strictEqual(promUnits('KiB/s'), '_KiB_persec');
    assert.strictEqual(promUnits('requests/s'), '_requests_persec');
    assert.strictEqual(promUnits('%'), '_percent');
    assert.strictEqual(promUnits('percentage'), '_percentage');
    assert.strictEqual(promUnits(''), '_');
    assert.strictEqual(promUnits('/s'), '__s');
    assert.strictEqual(promUnits('% of x'), '___of_x');
    assert.strictEqual(promUnits('x'.repeat(300)).length, 256);
  });

  it('prom-name: every byte that is not alnum becomes _, at most 256', () => {
    assert.strictEqual(promName('disk_util.dm-0'), 'disk_util_dm_0');
    assert.strictEqual(promName('café'), 'caf__');
    assert.strictEqual(promName('a'.repeat(300)), 'a'.repeat(256));
  });

  it('prom-label: reference escapes on request, 255 bytes, never half a character', () => {
    assert.strictEqual(promLabel('a"b\\c\nd', true), 'a\\"b\\\\c\\\nd');
    assert.strictEqual(promLabel('a"b\\c\nd', false), 'a"b\\c\nd');
    assert.strictEqual(promLabel('x'.repeat(300), false), 'x'.repeat(255));
    const cut = promLabel('é'.repeat(200), false);
    assert.strictEqual(cut, 'é'.repeat(127)); // 254 bytes: the 128th 'é' would need bytes 255-256
    assert.strictEqual(Buffer.byteLength(promLabel('"'.repeat(200), true)), 256); // an escape pair is never split
  });

  it('host tags: the reference parser, plus valid and unique names', () => {
    const p = (t: string) => parseHostTags(t).labels;
    assert.deepStrictEqual(p('a="x",b="y"'), [['a', 'x'], ['b', 'y']]);
    assert.deepStrictEqual(p('a=x,b=y'), [['a', 'x'], ['b', 'y']]);
    assert.deepStrictEqual(p('a="x", b="y"'), [['a', 'x'], ['b', 'y']]);
    assert.deepStrictEqual(p('a=x b=y'), []); // OpenTSDB style keeps nothing
    assert.deepStrictEqual(p('a=x,b="two words",c=z'), [['a', 'x']]); // a quoted space stops the parse
    assert.deepStrictEqual(p('dc=eu,dc=us'), [['dc', 'us']]);
    assert.deepStrictEqual(p('my-tag=1,9lives=2'), [['my_tag', '1'], ['_9lives', '2']]);
    const r = parseHostTags('instance=x,__name__=y,ok=1,empty=,=v');
    assert.deepStrictEqual(r.labels, [['ok', '1']]);
    assert.strictEqual(r.dropped.length, 4);
    assert.deepStrictEqual(p(''), []);
  });
});

// ---- WriteRequests from a database ----------------------------------------------------------------------

const T0 = 1_700_000_000;
const US = 1_000_000;

interface Fixture {
  db: RrdDatabase;
  chart: RrdChart;
  host: RemoteWriteHost;
}

/** One chart, dims collected every second from T0 to T0+59 with constant values. */
function fixture(opts: { units?: string; algorithms?: string[]; values?: Array<number | bigint>; tags?: string | null } = {}): Fixture {
  const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 120, tags: opts.tags ?? null, programVersion: 'v1.15.0' });
  const chart = db.localhost.createChart({ id: 'system.cpu', name: 'cpu_all', family: 'cpu', units: opts.units ?? '%' });
  const algs = opts.algorithms ?? ['absolute', 'absolute'];
  chart.addDimensions(algs.map((a, i) => ({ id: `d${i}`, name: `dim ${i}`, algorithm: a as 'absolute' })));
  const values: Array<number | bigint> = opts.values ?? algs.map((_, i) => 10 * (i + 1));
  for (let s = 0; s < 60; s++) {
    for (let d = 0; d < algs.length; d++) chart.set(d, algs[d] === 'incremental' ? Number(values[d]!) * s : values[d]!, (T0 + s) * US + 250_000);
    chart.done((T0 + s) * US + 250_000);
  }
  const host = { hostname: 'web01', tags: db.localhost.tags, programName: 'netdata', programVersion: 'v1.15.0' };
  return { db, chart, host };
}

function decodeAll(b: RemoteWriteBatch): DecodedSeries[] {
  const out: DecodedSeries[] = [];
  for (let i = 0; i < b.count; i++) out.push(...decodeRemoteWriteBody(b.data.subarray(b.records[3 * i], b.records[3 * i + 1])));
  return out;
}

const labelsOf = (s: DecodedSeries): Record<string, string> => Object.fromEntries(s.labels);
const named = (all: DecodedSeries[], name: string): DecodedSeries[] => all.filter((s) => labelsOf(s).__name__ === name);

function assertWellFormed(all: DecodedSeries[]): void {
  for (const s of all) {
    const names = s.labels.map(([n]) => n);
    assert.strictEqual(names[0], '__name__', `__name__ first in ${JSON.stringify(s.labels)}`);
    assert.deepStrictEqual(names, [...names].sort(), `labels sorted: ${names.join(',')}`);
    assert.strictEqual(new Set(names).size, names.length, `no duplicate label in ${names.join(',')}`);
    for (const [n, v] of s.labels) {
      assert.match(n, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      assert.notStrictEqual(v, '', `label ${n} has an empty value`);
    }
    assert.strictEqual(s.samples.length, 1);
  }
}

/** The window of SPEC §3.1 computed from its text: slots read and the reported timestamp. */
function window(after: number, before: number, ue: number, firstT: number, lastT: number): { from: number; to: number } {
  let a = after - 2 * ue;
  let b = before - 2 * ue;
  a -= a % ue;
  b -= b % ue;
  b -= ue;
  if (a > b) a = b;
  if (a < firstT) a = firstT;
  if (b > lastT) b = lastT;
  return { from: a, to: b };
}

describe('remote write: WriteRequests from the database (SPEC §4.6)', () => {
  it('as collected: last collected value at its collection time in ms, homogeneous naming, sorted labels', () => {
    const f = fixture({ values: [7, 2n ** 53n + 1n] });
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    const b = enc.encode([{ host: f.host, charts: [f.chart] }], T0 + 50, T0 + 60, 1_700_000_060_123);
    const all = decodeAll(b);
    assertWellFormed(all);
    assert.strictEqual(b.metrics, 2);
    assert.strictEqual(b.series, 3); // netdata_info + 2 (no tags)
    const dims = named(all, 'netdata_system_cpu');
    assert.deepStrictEqual(dims.map(labelsOf), [
      { __name__: 'netdata_system_cpu', chart: 'system.cpu_all', dimension: 'dim 0', family: 'cpu', instance: 'web01' },
      { __name__: 'netdata_system_cpu', chart: 'system.cpu_all', dimension: 'dim 1', family: 'cpu', instance: 'web01' },
    ]);
    const lastMs = (T0 + 59) * 1000 + 250;
    assert.deepStrictEqual(dims.map((s) => s.samples[0]), [{ value: 7, timestampMs: lastMs }, { value: 2 ** 53, timestampMs: lastMs }]);
    const info = named(all, 'netdata_info');
    assert.deepStrictEqual(info.map(labelsOf), [{ __name__: 'netdata_info', application: 'netdata', instance: 'web01', version: 'v1.15.0' }]);
    assert.deepStrictEqual(info[0]!.samples, [{ value: 1, timestampMs: 1_700_000_060_123 }]);
  });

  it('as collected: dimensions not collected since `after`, obsolete or never collected are left out', () => {
    const f = fixture();
    const late = f.chart.addDimension('never');
    f.chart.updateDimension('d1', { obsolete: true });
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'p', sendNames: false });
    const inWindow = enc.encode([{ host: f.host, charts: [f.chart] }], T0 + 59, T0 + 70, 1);
    assert.deepStrictEqual(named(decodeAll(inWindow), 'p_system_cpu').map((s) => labelsOf(s).dimension), ['d0']);
    assert.strictEqual(late, 2);
    const outOfWindow = enc.encode([{ host: f.host, charts: [f.chart] }], T0 + 60, T0 + 70, 1);
    assert.strictEqual(outOfWindow.metrics, 0);
    assert.strictEqual(outOfWindow.skipped, 1);
  });

  it('as collected: heterogeneous charts name each dimension; counterSuffix adds _total to counters', () => {
    const f = fixture({ algorithms: ['absolute', 'incremental'] });
    const plain = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    const all = decodeAll(plain.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1));
    assertWellFormed(all);
    assert.deepStrictEqual(all.slice(1).map(labelsOf), [
      { __name__: 'netdata_system_cpu_dim_0', chart: 'system.cpu_all', family: 'cpu', instance: 'web01' },
      { __name__: 'netdata_system_cpu_dim_1', chart: 'system.cpu_all', family: 'cpu', instance: 'web01' },
    ]);
    const suffixed = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, counterSuffix: true });
    const names = decodeAll(suffixed.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1)).slice(1).map((s) => labelsOf(s).__name__);
    assert.deepStrictEqual(names, ['netdata_system_cpu_dim_0', 'netdata_system_cpu_dim_1_total']);
  });

  for (const source of ['average', 'sum'] as const) {
    it(`${source}: the COMPUTED value at the reported timestamp × 1000 (SPEC §7 row 2)`, () => {
      const f = fixture({ units: 'KiB/s', values: [5, 1234] });
      const enc = new RemoteWriteEncoder({ source, prefix: 'netdata', sendNames: true });
      const after = T0 + 20;
      const before = T0 + 30;
      const all = decodeAll(enc.encode([{ host: f.host, charts: [f.chart] }], after, before, 1));
      assertWellFormed(all);
      const name = source === 'average' ? 'netdata_system_cpu_KiB_persec_average' : 'netdata_system_cpu_sum';
      const dims = named(all, name);
      assert.strictEqual(dims.length, 2);
      const w = window(after, before, 1, f.chart.firstEntryTime(), f.chart.lastEntryTime());
      const points = w.to - w.from + 1;
      assert.strictEqual(points, 10);
      [5, 1234].forEach((v, d) => {
        assert.strictEqual(labelsOf(dims[d]!).dimension, `dim ${d}`);
        assert.deepStrictEqual(dims[d]!.samples[0], { value: source === 'sum' ? v * points : v, timestampMs: w.to * 1000 });
      });
    });
  }

  it('average of non-trivial values: the kernel value, to the last printed digit, in both implementations', () => {
    const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 120 });
    const chart = db.localhost.createChart({ id: 'net.eth0' });
    chart.addDimension({ id: 'rx', algorithm: 'incremental', multiplier: 8, divisor: 1000 });
    for (let s = 0; s < 60; s++) {
      chart.set(0, Math.floor(1e6 * Math.sqrt(s) + 17 * s * s), (T0 + s) * US + 333_000);
      chart.done((T0 + s) * US + 333_000);
    }
    const host = { hostname: 'web01', tags: null, programName: 'netdata', programVersion: 'v' };
    const seen: number[] = [];
    for (const impl of ['fallback', 'native'] as const) {
      let kernel;
      try {
        kernel = getKernel(impl);
      } catch {
        continue; // native addon not built: the fallback is still checked
      }
      const enc = new RemoteWriteEncoder({ source: 'average', prefix: 'n', sendNames: true }, kernel);
      const s = decodeAll(enc.encode([{ host, charts: [chart] }], T0 + 20, T0 + 30, 1))[1]!;
      const text = kernel.storedValue(chart.ring, 0, chart.meta, T0 + 20, T0 + 30, 'average').text!;
      assert.ok(!Number.isInteger(Number(text)), `a non-trivial average: ${text}`);
      assert.ok(Math.abs(s.samples[0]!.value - Number(text)) <= 0.5e-7 * (1 + 1e-9), `${impl}: ${s.samples[0]!.value} vs %0.7Lf ${text}`);
      seen.push(s.samples[0]!.value);
    }
    assert.ok(seen.length >= 1);
    assert.strictEqual(new Set(seen).size, 1, `implementations differ: ${seen.join(' ')}`);
  });

  it('a window outside the database sends nothing for the chart', () => {
    const f = fixture();
    const enc = new RemoteWriteEncoder({ source: 'average', prefix: 'netdata', sendNames: true });
    const b = enc.encode([{ host: f.host, charts: [f.chart] }], T0 + 500, T0 + 510, 1);
    assert.strictEqual(b.metrics, 0);
    assert.strictEqual(b.series, 1);
  });

  it('host tags become netdata_host_tags_info labels; empty values are left out', () => {
    const f = fixture({ tags: 'dc="eu",rack=r1' });
    const host = { ...f.host, programVersion: '' };
    const enc = new RemoteWriteEncoder({ source: 'average', prefix: 'netdata', sendNames: true });
    const all = decodeAll(enc.encode([{ host, charts: [] }], T0, T0 + 10, 42));
    assertWellFormed(all);
    assert.deepStrictEqual(all.map(labelsOf), [
      { __name__: 'netdata_info', application: 'netdata', instance: 'web01' },
      { __name__: 'netdata_host_tags_info', dc: 'eu', instance: 'web01', rack: 'r1' },
    ]);
    assert.deepStrictEqual(all.map((s) => s.samples[0]), [{ value: 1, timestampMs: 42 }, { value: 1, timestampMs: 42 }]);
  });

  it('the protobuf bytes equal the independent test encoder for the same series', () => {
    const f = fixture({ tags: 'a=1' });
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    const b = enc.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1_700_000_000_001);
    const raw = snappyUncompress(b.data.subarray(b.records[0], b.records[1]));
    const oracle = encodeWriteRequest(decodeWriteRequest(raw).map((s) => ({ labels: s.labels, samples: s.samples })));
    assert.deepStrictEqual(raw, oracle);
    assert.strictEqual(b.uncompressedBytes, raw.length);
  });

  it('large iterations are split between series: bounded requests, nothing lost or repeated', () => {
    const db = new RrdDatabase({ hostname: 'big', memoryMode: 'ram', entries: 10 });
    const charts: RrdChart[] = [];
    for (let c = 0; c < 5; c++) {
      const ch = db.localhost.createChart({ id: `t.c${c}` });
      ch.addDimensions(Array.from({ length: 20 }, (_, i) => `dim${i}`));
      for (let s = 0; s < 3; s++) {
        for (let d = 0; d < 20; d++) ch.set(d, d + 1, (T0 + s) * US);
        ch.done((T0 + s) * US);
      }
      charts.push(ch);
    }
    const host = { hostname: 'big', tags: null, programName: 'netdata', programVersion: 'v' };
    const whole = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'n', sendNames: true }).encode([{ host, charts }], T0, T0 + 3, 5);
    assert.strictEqual(whole.count, 1);
    const bySeries = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'n', sendNames: true, maxSeriesPerRequest: 7 }).encode([{ host, charts }], T0, T0 + 3, 5);
    assert.strictEqual(bySeries.count, Math.ceil(101 / 7));
    const byBytes = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'n', sendNames: true, maxRequestBytes: 1024 }).encode([{ host, charts }], T0, T0 + 3, 5);
    assert.ok(byBytes.count > 5);
    for (const b of [bySeries, byBytes]) {
      let points = 0;
      for (let i = 0; i < b.count; i++) {
        const body = b.data.subarray(b.records[3 * i], b.records[3 * i + 1]);
        const series = decodeRemoteWriteBody(body);
        if (b === bySeries) assert.ok(series.length <= 7);
        else assert.ok(snappyUncompress(body).length <= 1024);
        points += b.records[3 * i + 2]!;
      }
      assert.strictEqual(points, 100);
      assert.deepStrictEqual(decodeAll(b), decodeAll(whole));
    }
  });

  it('chart plans are cached and rebuilt when names change', () => {
    const f = fixture();
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    enc.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1);
    enc.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1);
    assert.strictEqual(enc.plansBuilt, 1);
    f.chart.renameDimension('d0', 'renamed');
    const all = decodeAll(enc.encode([{ host: f.host, charts: [f.chart] }], T0, T0 + 60, 1));
    assert.strictEqual(enc.plansBuilt, 2);
    assert.strictEqual(labelsOf(all[1]!).dimension, 'renamed');
  });

  it('bad options and calls outside an iteration are typed errors', () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof RemoteWriteError, String(e));
        return e.code;
      }
      return assert.fail('expected an error');
    };
    assert.strictEqual(code(() => new RemoteWriteEncoder({ source: 'avg' as 'average', prefix: 'n', sendNames: true })), 'ERR_REMOTE_WRITE_OPTION');
    assert.strictEqual(code(() => new RemoteWriteEncoder({ source: 'sum', prefix: 'n', sendNames: true, maxRequestBytes: 10 })), 'ERR_REMOTE_WRITE_OPTION');
    assert.strictEqual(code(() => new RemoteWriteEncoder({ source: 'sum', prefix: 'n', sendNames: true, colour: 1 } as never)), 'ERR_REMOTE_WRITE_OPTION');
    const enc = new RemoteWriteEncoder({ source: 'sum', prefix: 'n', sendNames: true });
    assert.strictEqual(code(() => enc.finishIteration()), 'ERR_REMOTE_WRITE_STATE');
    assert.match(String((() => { try { new RemoteWriteEncoder({ source: 'x' as 'sum', prefix: 'n', sendNames: true }); } catch (e) { return (e as Error).message; } return ''; })()), /'source' = "x" is not accepted; accepted: as-collected, average, sum/);
  });
});

describe('remote write: the formatting pass (SPEC §5.5 step 3, §5.6, §5.7)', () => {
  it('host and chart filters apply, localhost uses [backend] hostname, the pass yields between slices', async () => {
    const db = new RrdDatabase({ hostname: 'real-name', memoryMode: 'ram', entries: 30 });
    const child = db.addHost({ hostname: 'child1', tags: 'role=db' });
    for (const [host, ids] of [[db.localhost, ['system.cpu', 'apps.cpu']], [child, ['system.load']]] as const) {
      for (const id of ids) {
        const ch = host.createChart({ id });
        ch.addDimension('x');
        for (let s = 0; s < 10; s++) {
          ch.set(0, 3, (T0 + s) * US);
          ch.done((T0 + s) * US);
        }
      }
    }
    const logs: string[] = [];
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    const r = await remoteWritePass({
      hosts: db.hosts,
      encoder: enc,
      hostFilter: new HostFilter(SimplePattern.parse('localhost child*'), (_l, m) => logs.push(m)),
      chartFilter: new ChartFilter(SimplePattern.parse('!apps.* *'), true),
      localHostname: 'exported-name',
      after: T0,
      before: T0 + 10,
      nowMs: 5,
      sliceMs: 0.000001,
    });
    assert.strictEqual(r.aborted, false);
    assert.strictEqual(r.hosts, 2);
    assert.strictEqual(r.charts, 2);
    assert.ok(r.slices >= 2, `slices ${r.slices}`);
    const all = decodeAll(r.batch!);
    assertWellFormed(all);
    assert.deepStrictEqual(all.map((s) => [labelsOf(s).__name__, labelsOf(s).instance]), [
      ['netdata_info', 'exported-name'],
      ['netdata_system_cpu', 'exported-name'],
      ['netdata_info', 'child1'],
      ['netdata_host_tags_info', 'child1'],
      ['netdata_system_load', 'child1'],
    ]);
    assert.strictEqual(r.batch!.metrics, 2);
  });
});
