// Each formatter fix on its own (SPEC §7 rows 9, 15, 22, the empty-tags fix), the batched OpenTSDB HTTP
// mode, buffer growth, errors and sanitising — on every available kernel implementation.
import * as assert from 'assert';
import { getKernel } from '../lib/kernels';
import type { ImplementationName, Kernel, StoredMode } from '../lib/kernels/types';
import { FormatBuffer, FormatError, LineFormatter, sanitizeName } from '../lib/formats';
import type { FormatOptions } from '../lib/formats';
import {
  makeChart, randomChart, refGraphite, refHttpSingle, refJson, refOpenTsdb, RefInput, Rng, splitHttpRequests, TestChart,
} from './support/format-fixtures';

const AFTER = 1699999990;
const BEFORE = 1700000000;
const ONE = 0x39989680; // storage number of 1 (SPEC §2.4)

function kernels(): Array<[ImplementationName, Kernel]> {
  const out: Array<[ImplementationName, Kernel]> = [['fallback', getKernel('fallback')]];
  try {
    out.push(['native', getKernel('native')]);
  } catch (err) {
    if (process.env.RRD_BACKENDS_NATIVE === '1') throw err;
    console.warn(`      (native kernel not loaded, testing the fallback only: ${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  return out;
}

function run(k: Kernel, o: FormatOptions, chart: TestChart | TestChart[], hostname = 'web01', tags: string | null = null,
  since?: number, initialBytes = 4096): { text: string; bytes: Buffer; n: number; out: FormatBuffer; fmt: LineFormatter } {
  const fmt = new LineFormatter(o, k);
  const out = new FormatBuffer(initialBytes);
  const host = fmt.host(hostname, tags);
  let n = 0;
  for (const c of Array.isArray(chart) ? chart : [chart]) n += fmt.formatChart(host, c, AFTER, BEFORE, out, since ?? -Infinity);
  fmt.finish(out);
  const bytes = Buffer.from(out.view());
  return { text: bytes.toString('utf8'), bytes, n, out, fmt };
}

function lines(s: string): string[] {
  assert.ok(s === '' || s.endsWith('\n'), 'output ends with a newline');
  return s === '' ? [] : s.slice(0, -1).split('\n');
}

/** A chart whose every dimension averages to 1 over the window and was collected at BEFORE. */
function simpleChart(names: Array<[string, string | null]>, id = 'system.cpu', name: string | null = 'system.cpu'): TestChart {
  return makeChart({
    id, name, type: 'system', family: 'cpu', context: 'system.cpu', units: '%',
    entries: 20, updateEvery: 1, lastUpdated: BEFORE, counter: 100, currentEntry: 0,
    dims: names.map(([i, n], k) => ({ id: i, name: n, value: BigInt(k + 1), time: BEFORE, slots: new Array(20).fill(ONE) })),
  });
}

for (const [implName, k] of kernels()) {
  describe(`formatter fixes (${implName} kernel)`, () => {
    describe('clean inputs are byte-identical to the reference format strings (SPEC Appendix A)', () => {
      const rng = new Rng(0x5eed01);
      const sources = ['as-collected', 'average', 'sum'] as const;
      for (const format of ['graphite', 'opentsdb', 'json', 'opentsdb-http'] as const) {
        it(`${format}: random clean charts, every data source`, () => {
          let lineCount = 0;
          for (let i = 0; i < 60; i++) {
            const chart = randomChart(rng, 0);
            if (format === 'json') {
              if (chart.name === null) chart.name = chart.id;
              for (const d of chart.dimensions) if (d.name === null) d.name = d.id;
            }
            const source = sources[i % 3] as (typeof sources)[number];
            // JSON-looking tags are raw in JSON lines but need escaping inside the HTTP body's "host" string.
            const tags = rng.pick(format === 'opentsdb-http' ? [null, 'dc=eu', 'dc=eu rack=r1', '{dc:eu}'] : [null, 'dc=eu', 'dc=eu rack=r1', 'k1=v1;k2=v2', '{"dc":"eu"}', '["a","b"]']);
            const sendNames = rng.int(2) === 0;
            const prefix = rng.pick(['netdata', 'a.b', 'pre fix', '']);
            const hostname = rng.pick(['web01', 'db-1.lan', 'h']);
            const got = run(k, { format, source, prefix, sendNames, http: { mode: 'single' } }, chart, hostname, tags);
            let want = '';
            let wantN = 0;
            for (let d = 0; d < chart.dimensions.length; d++) {
              let value: string;
              let time: string;
              if (source === 'as-collected') {
                value = (chart.lastCollectedValue[d] as bigint).toString();
                time = BigInt.asUintN(64, BigInt(chart.lastCollectedTime[d] as number)).toString();
              } else {
                const sv = k.storedValue(chart.ring, d * (chart.meta[0] as number), chart.meta, AFTER, BEFORE, source as StoredMode);
                if (sv.text === null) continue;
                value = sv.text;
                time = BigInt.asUintN(64, BigInt(sv.last)).toString();
              }
              const ri: RefInput = { prefix, hostname, tags, sendNames, chart, dim: d, value, time };
              want += format === 'graphite' ? refGraphite(ri) : format === 'opentsdb' ? refOpenTsdb(ri) : format === 'json' ? refJson(ri) : refHttpSingle(ri, hostname);
              wantN++;
            }
            assert.strictEqual(got.text, want, `chart ${i} (${source}, tags ${tags})`);
            assert.strictEqual(got.n, wantN, 'appended metrics');
            lineCount += wantN;
          }
          assert.ok(lineCount > 100, `enough lines compared (${lineCount})`);
        });
      }
    });

    describe('empty-tags fix: "" is no tags', () => {
      const chart = simpleChart([['user', 'user'], ['system', 'system']]);
      for (const format of ['graphite', 'opentsdb', 'json', 'opentsdb-http'] as const) {
        it(`${format}: "" gives the bytes of null tags`, () => {
          const o: FormatOptions = { format, source: 'average', prefix: 'netdata', sendNames: true, http: { mode: 'single' } };
          const empty = run(k, o, chart, 'web01', '');
          const none = run(k, o, chart, 'web01', null);
          assert.strictEqual(empty.text, none.text);
          assert.strictEqual(empty.n, 2);
          if (format === 'graphite') for (const l of lines(empty.text)) assert.ok(!l.includes(';'), l);
          if (format === 'opentsdb') for (const l of lines(empty.text)) assert.ok(l.endsWith('host=web01'), l);
          if (format === 'json') for (const l of lines(empty.text)) assert.ok(!('host_tags' in JSON.parse(l)), l);
          if (format === 'opentsdb-http') {
            for (const r of splitHttpRequests(empty.bytes)) assert.strictEqual(JSON.parse(r.body.toString()).tags.host, 'web01');
          }
        });
      }
    });

    describe('row 15: JSON lines are valid JSON', () => {
      const nasty = ['quo"te', 'back\\slash', 'new\nline', 'tab\t', 'nul\u0000', 'esc\u001b', 'lone\ud800x', '\udc00', 'ok é 😀'];
      it('escapes every string field and round-trips them through JSON.parse', () => {
        const chart = makeChart({
          id: 'c"h\\a\nrt', name: 'n\u0001ame', type: 't"', family: 'f\\', context: 'c\r', units: 'u\t',
          entries: 5, lastUpdated: BEFORE, dims: nasty.map((s, i) => ({ id: s, name: nasty[(i + 1) % nasty.length] as string, time: BEFORE })),
        });
        const got = run(k, { format: 'json', source: 'as-collected', prefix: 'p"re', sendNames: true }, chart, 'ho\nst', 'a"b\\c');
        const ls = lines(got.text);
        assert.strictEqual(ls.length, nasty.length);
        ls.forEach((l, i) => {
          const o = JSON.parse(l);
          const wf = (s: string): string => Buffer.from(s, 'utf8').toString('utf8'); // lone surrogates -> U+FFFD
          assert.strictEqual(o.prefix, 'p"re');
          assert.strictEqual(o.hostname, 'ho\nst');
          assert.strictEqual(o.host_tags, 'a"b\\c');
          assert.strictEqual(o.chart_id, 'c"h\\a\nrt');
          assert.strictEqual(o.chart_name, 'n\u0001ame');
          assert.strictEqual(o.chart_family, 'f\\');
          assert.strictEqual(o.chart_context, 'c\r');
          assert.strictEqual(o.chart_type, 't"');
          assert.strictEqual(o.units, 'u\t');
          assert.strictEqual(o.id, wf(nasty[i] as string));
          assert.strictEqual(o.name, wf(nasty[(i + 1) % nasty.length] as string));
          assert.strictEqual(o.value, Number(chart.lastCollectedValue[i]));
        });
        // Invalid UTF-8 never reaches the wire: lone surrogates are U+FFFD (EF BF BD), not \ud800 escapes.
        assert.ok(!got.text.includes('\\ud800') && got.bytes.includes(Buffer.from([0xef, 0xbf, 0xbd])));
      });

      it('host tags: raw when valid JSON, a string when not, CR/LF never split the line', () => {
        const chart = simpleChart([['user', 'user']]);
        const o: FormatOptions = { format: 'json', source: 'as-collected', prefix: 'netdata', sendNames: true };
        const cases: Array<[string, unknown]> = [
          ['{"dc":"eu","n":[1,2]}', { dc: 'eu', n: [1, 2] }],
          ['["a", "b"]', ['a', 'b']],
          ['"quoted"', 'quoted'],
          ['{"a":\r\n 1}', { a: 1 }],
          ['{not json', '{not json'],
          ['[1,', '[1,'],
          ['"unterminated', '"unterminated'],
          ['dc=eu rack="r1"', 'dc=eu rack="r1"'],
        ];
        for (const [tags, want] of cases) {
          const got = run(k, o, chart, 'web01', tags);
          const ls = lines(got.text);
          assert.strictEqual(ls.length, 1, `one line for tags ${JSON.stringify(tags)}`);
          assert.deepStrictEqual(JSON.parse(ls[0] as string).host_tags, want, `tags ${JSON.stringify(tags)}`);
        }
        // Valid JSON tags keep the reference's raw bytes.
        assert.ok(run(k, o, chart, 'web01', '["a", "b"]').text.includes('"host_tags":["a", "b"],'));
      });

      it('the OpenTSDB HTTP body escapes prefix, hostname and tags too', () => {
        const chart = simpleChart([['user', 'user']]);
        for (const mode of ['single', 'batch'] as const) {
          const got = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'p"\\', sendNames: true, http: { mode, host: 'tsdb' } },
            chart, 'h"o\tst', mode === 'single' ? 'x="1"\\' : 'x=a"b y=\u0001');
          const reqs = splitHttpRequests(got.bytes);
          assert.strictEqual(reqs.length, 1);
          const body = JSON.parse((reqs[0] as { body: Buffer }).body.toString('utf8'));
          const point = mode === 'single' ? body : body[0];
          assert.strictEqual(point.metric, 'p"\\.system.cpu.user');
          if (mode === 'single') assert.strictEqual(point.tags.host, 'h"o\tst x="1"\\');
          else assert.deepStrictEqual(point.tags, { host: 'h"o\tst', x: 'a"b', y: '\u0001' });
        }
      });
    });

    describe('row 9: OpenTSDB HTTP is never truncated', () => {
      it('a body far above 1024 bytes keeps every byte and the real Content-Length', () => {
        const long = 'n'.repeat(190);
        const chart = simpleChart([[long, long]], 'c.' + long, 'c.' + long);
        const tags = 'k=' + 'v'.repeat(900);
        const got = run(k, { format: 'opentsdb-http', source: 'as-collected', prefix: 'netdata', sendNames: true, http: { mode: 'single', host: 'tsdb.example' } }, chart, 'web01', tags);
        const reqs = splitHttpRequests(got.bytes);
        assert.strictEqual(reqs.length, 1);
        const r = reqs[0] as { head: string; body: Buffer };
        assert.ok(r.body.length > 1024, `body ${r.body.length} bytes`);
        assert.ok(r.head.startsWith('POST /api/put HTTP/1.1\r\nHost: tsdb.example\r\nContent-Type: application/json\r\n'));
        assert.strictEqual(JSON.parse(r.body.toString()).tags.host, `web01 ${tags}`);
        assert.strictEqual(got.out.requestCount, 1);
        assert.deepStrictEqual(got.out.request(0), { start: 0, end: got.bytes.length, points: 1 });
      });
    });

    describe('row 9: batched OpenTSDB HTTP', () => {
      const dims = Array.from({ length: 120 }, (_, i): [string, string] => [`d${i}`, `dim${i}`]);
      const chart = simpleChart(dims);
      it('splits into requests of at most maxPoints points, tags as separate keys, drops what cannot be a tag', () => {
        const got = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'netdata', sendNames: true, http: { maxPoints: 50, host: 'tsdb:4242' } },
          chart, 'web01', 'dc=eu  rack=r1 junk host=evil =x');
        assert.strictEqual(got.n, 120);
        const reqs = splitHttpRequests(got.bytes);
        assert.deepStrictEqual(reqs.map((r) => JSON.parse(r.body.toString()).length), [50, 50, 20]);
        assert.strictEqual(got.out.requestCount, 3);
        const names: string[] = [];
        reqs.forEach((r, i) => {
          assert.ok(r.head.includes('\r\nHost: tsdb:4242\r\n'));
          const req = got.out.request(i);
          assert.strictEqual(req.points, i < 2 ? 50 : 20);
          assert.ok(got.bytes.subarray(req.start, req.end).toString().startsWith('POST /api/put'));
          for (const p of JSON.parse(r.body.toString())) {
            assert.deepStrictEqual(p.tags, { host: 'web01', dc: 'eu', rack: 'r1' });
            assert.strictEqual(p.value, 1);
            assert.strictEqual(p.timestamp, BEFORE - 3);
            names.push(p.metric);
          }
        });
        assert.deepStrictEqual(names, dims.map(([, n]) => `netdata.system.cpu.${n}`));
        assert.deepStrictEqual(got.fmt.host('web01', 'dc=eu  rack=r1 junk host=evil =x').droppedTags, ['junk', 'host=evil', '=x']);
      });

      it('respects the byte cap; a point larger than the cap goes alone, whole', () => {
        const big = simpleChart([['a', 'a'], ['b'.repeat(150), 'b'.repeat(150)], ['c', 'c'], ['d', 'd']]);
        const got = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'netdata', sendNames: true, http: { maxBytes: 200 } }, [big, chart], 'web01', null);
        const reqs = splitHttpRequests(got.bytes);
        let points = 0;
        for (const r of reqs) {
          const arr = JSON.parse(r.body.toString()) as unknown[];
          points += arr.length;
          assert.ok(r.body.length <= 200 || arr.length === 1, `body of ${r.body.length} bytes holds ${arr.length} points`);
        }
        assert.strictEqual(points, 124);
        assert.ok(reqs.some((r) => r.body.length > 200), 'the oversize point was sent');
      });

      it('a request spans charts; body framing gives bare JSON arrays', () => {
        const a = simpleChart([['x', 'x'], ['y', 'y']], 'a.one', 'a.one');
        const b = simpleChart([['z', 'z']], 'b.two', 'b.two');
        const got = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'netdata', sendNames: true, http: { framing: 'body' } }, [a, b]);
        assert.strictEqual(got.out.requestCount, 1);
        assert.deepStrictEqual(JSON.parse(got.text).map((p: { metric: string }) => p.metric), ['netdata.a.one.x', 'netdata.a.one.y', 'netdata.b.two.z']);
        const single = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'netdata', sendNames: true, http: { mode: 'single', framing: 'body' } }, [a, b]);
        assert.strictEqual(single.out.requestCount, 3);
        for (let i = 0; i < 3; i++) {
          const r = single.out.request(i);
          assert.strictEqual(JSON.parse(single.bytes.subarray(r.start, r.end).toString()).value, 1);
        }
      });
    });

    describe('row 22: count what was appended', () => {
      it('NaN values and skipped dimensions are not counted; the count equals the lines', () => {
        const chart = makeChart({
          id: 'c.x', entries: 10, lastUpdated: BEFORE,
          dims: [
            { id: 'full', slots: new Array(10).fill(ONE), time: BEFORE },
            { id: 'empty', slots: [], time: BEFORE }, // no existing slot: NaN (SPEC §3.1 step 11)
            { id: 'old', slots: new Array(10).fill(ONE), time: AFTER - 1 }, // not collected in the window (SPEC §5.8)
            { id: 'edge', slots: new Array(10).fill(ONE), time: AFTER }, // boundary second is inside (inclusive)
          ],
        });
        for (const format of ['graphite', 'opentsdb', 'json', 'opentsdb-http'] as const) {
          const fmt = new LineFormatter({ format, source: 'average', prefix: 'p', sendNames: true, http: { mode: 'single' } }, k);
          const out = new FormatBuffer();
          const n = fmt.formatChart(fmt.host('h', null), chart, AFTER, BEFORE, out); // since defaults to after
          assert.strictEqual(n, 2, format);
          const text = out.view().toString();
          assert.ok(text.includes('full') && text.includes('edge') && !text.includes('empty') && !text.includes('old'), text);
          if (format === 'opentsdb-http') assert.strictEqual(out.requestCount, 2);
          else assert.strictEqual(lines(text).length, 2);
          const collected = new LineFormatter({ format, source: 'as-collected', prefix: 'p', sendNames: true, http: { mode: 'single' } }, k);
          assert.strictEqual(collected.formatChart(collected.host('h', null), chart, AFTER, BEFORE, new FormatBuffer()), 3, `${format} as collected`);
        }
      });
    });

    describe('numbers', () => {
      it('timestamps print as unsigned 64-bit; int64 extremes print exactly', () => {
        const chart = makeChart({
          id: 'c.t', dims: [
            { id: 'a', value: -9223372036854775808n, time: -1 },
            { id: 'b', value: 9223372036854775807n, time: 0 },
          ],
        });
        const got = run(k, { format: 'graphite', source: 'as-collected', prefix: 'p', sendNames: false }, chart, 'h');
        assert.strictEqual(got.text, 'p.h.c.t.a -9223372036854775808 18446744073709551615\np.h.c.t.b 9223372036854775807 0\n');
      });
    });

    describe('output growth', () => {
      it('a tiny buffer grows and gives the same bytes, never a partial line', () => {
        const rng = new Rng(77);
        for (const format of ['graphite', 'json', 'opentsdb-http'] as const) {
          for (let i = 0; i < 10; i++) {
            const chart = randomChart(rng, 50);
            const o: FormatOptions = { format, source: i % 2 ? 'sum' : 'as-collected', prefix: 'netdata', sendNames: true, http: { mode: i % 3 ? 'single' : 'batch', maxPoints: 3 } };
            const small = run(k, o, chart, 'web01', 'a=b', undefined, 64);
            const large = run(k, o, chart, 'web01', 'a=b', undefined, 1 << 20);
            assert.ok(small.bytes.equals(large.bytes), `${format} chart ${i}`);
            assert.strictEqual(small.n, large.n);
            assert.deepStrictEqual(Array.from(small.out.requests.subarray(0, small.out.requestCount * 3)), Array.from(large.out.requests.subarray(0, large.out.requestCount * 3)));
          }
        }
        // More single-mode requests than the initial record capacity (64).
        const many = simpleChart(Array.from({ length: 200 }, (_, i): [string, string] => [`d${i}`, `d${i}`]));
        const got = run(k, { format: 'opentsdb-http', source: 'average', prefix: 'p', sendNames: true, http: { mode: 'single' } }, many, 'h', null, undefined, 64);
        assert.strictEqual(got.out.requestCount, 200);
        assert.strictEqual(splitHttpRequests(got.bytes).length, 200);
      });
    });
  });
}

describe('formatter errors and names', () => {
  const expectCode = (fn: () => unknown, code: string, ...parts: string[]): void => {
    assert.throws(fn, (err: unknown) => {
      assert.ok(err instanceof FormatError, String(err));
      assert.strictEqual(err.code, code);
      for (const p of parts) assert.ok(err.message.includes(p), `"${err.message}" mentions ${p}`);
      return true;
    });
  };
  const base: FormatOptions = { format: 'graphite', source: 'average', prefix: 'netdata', sendNames: true };

  it('rejects bad options naming the key, the value and what is accepted', () => {
    expectCode(() => new LineFormatter({ ...base, format: 'carbon' }), 'ERR_FORMAT_OPTION', "'format'", 'carbon', 'graphite', 'opentsdb:http');
    expectCode(() => new LineFormatter({ ...base, source: 'median' as never }), 'ERR_FORMAT_OPTION', "'source'", 'median', 'as-collected');
    expectCode(() => new LineFormatter({ ...base, prefix: 3 as never }), 'ERR_FORMAT_OPTION', "'prefix'", '3', 'a string');
    expectCode(() => new LineFormatter({ ...base, http: { maxPoints: 0 } }), 'ERR_FORMAT_OPTION', 'http.maxPoints', '0', '1 to 100000');
    expectCode(() => new LineFormatter({ ...base, http: { maxBytes: 1.5 } }), 'ERR_FORMAT_OPTION', 'http.maxBytes', '1.5');
    expectCode(() => new LineFormatter({ ...base, http: { mode: 'pipelined' as never } }), 'ERR_FORMAT_OPTION', 'http.mode', 'batch, single');
    expectCode(() => new LineFormatter({ ...base, http: { host: 'a\r\nX-Evil: 1' } }), 'ERR_FORMAT_HTTP_HOST', 'http.host', 'control character');
  });

  it('refuses a Host header built from a hostname with CR/LF (header injection), allows tab', () => {
    const fmt = new LineFormatter({ ...base, format: 'opentsdb:http', http: { mode: 'single' } });
    expectCode(() => fmt.host('evil\r\nX-Injected: 1', null), 'ERR_FORMAT_HTTP_HOST', 'hostname');
    assert.ok(fmt.host('tab\there', null));
  });

  it('refuses charts whose arrays disagree and windows that are not whole seconds', () => {
    const fmt = new LineFormatter(base);
    const chart = makeChart({ id: 'c.x', dims: [{ id: 'a' }, { id: 'b' }] });
    chart.meta[5] = 3;
    expectCode(() => fmt.formatChart(fmt.host('h', null), chart, AFTER, BEFORE, new FormatBuffer()), 'ERR_FORMAT_CHART', 'c.x', 'META_DIMS');
    const ok = makeChart({ id: 'c.y', dims: [{ id: 'a' }] });
    ok.ring = new Uint32Array(3);
    expectCode(() => fmt.formatChart(fmt.host('h', null), ok, AFTER, BEFORE, new FormatBuffer()), 'ERR_FORMAT_CHART', 'ring has 3 slots');
    expectCode(() => fmt.formatChart(fmt.host('h', null), makeChart({ id: 'c.z', dims: [{ id: 'a' }] }), AFTER + 0.5, BEFORE, new FormatBuffer()), 'ERR_FORMAT_WINDOW', '1699999990.5');
  });

  it('sanitises names byte-wise and cuts at 200 bytes (SPEC §4.0, Appendix B)', () => {
    assert.strictEqual(sanitizeName('disk_util.dm-0').toString(), 'disk_util.dm_0');
    assert.strictEqual(sanitizeName('café').toString(), 'caf__');
    assert.strictEqual(sanitizeName('😀').toString(), '____');
    assert.strictEqual(sanitizeName('a'.repeat(250)).length, 200);
    assert.strictEqual(sanitizeName('a'.repeat(199) + 'é').toString(), 'a'.repeat(199) + '_');
    assert.strictEqual(sanitizeName('A-z.0 9\t').toString(), 'A_z.0_9_');
  });
});
