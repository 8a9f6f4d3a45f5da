// Property (fast-check): whatever bytes the names, prefix, hostname and tags hold — quotes, backslashes,
// control characters, lone surrogates, Buffer-decoded invalid UTF-8 — every JSON line and every OpenTSDB
// HTTP body parses as JSON and gives back the (well-formed) input strings (SPEC §7 rows 9, 15).
import * as assert from 'assert';
import fc from 'fast-check';
import { kernel } from '../lib/kernels';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import { makeChart, splitHttpRequests } from './support/format-fixtures';

const AFTER = 1699999990;
const BEFORE = 1700000000;
const ONE = 0x39989680;

const awkwardUnit = fc.oneof(
  fc.constantFrom('"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '{', '[', ']', '}', ' ', '=', ',', ':', '\u2028', '/', 'u'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
);
const awkward = fc.oneof(
  fc.string({ unit: awkwardUnit, maxLength: 24 }),
  fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.json({ maxDepth: 2 }),
);
const tagsArb = fc.option(awkward, { nil: null });

/** What the receiver must see for a string we sent: lone surrogates become U+FFFD. */
const wf = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

const chartArb = fc.record({
  id: awkward, name: awkward, type: awkward, family: awkward, context: awkward, units: awkward,
  dims: fc.array(fc.record({ id: awkward, name: awkward, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }), { minLength: 1, maxLength: 4 }),
});

type ChartSpec = { id: string; name: string; type: string; family: string; context: string; units: string; dims: Array<{ id: string; name: string; value: bigint }> };

function build(s: ChartSpec) {
  return makeChart({
    ...s, entries: 12, updateEvery: 1, lastUpdated: BEFORE, counter: 50,
    dims: s.dims.map((d) => ({ ...d, time: BEFORE, slots: new Array(12).fill(ONE) })),
  });
}

describe(`formatter properties (${kernel.implementation} kernel)`, () => {
  it('every JSON line parses and round-trips every string', () => {
    fc.assert(fc.property(awkward, awkward, tagsArb, chartArb, fc.constantFrom('as-collected', 'average') as fc.Arbitrary<'as-collected' | 'average'>,
      (prefix, hostname, tags, spec, source) => {
        const chart = build(spec);
        const fmt = new LineFormatter({ format: 'json', source, prefix, sendNames: true });
        const out = new FormatBuffer(256);
        const n = fmt.formatChart(fmt.host(hostname, tags), chart, AFTER, BEFORE, out);
        const text = out.view().toString('utf8');
        const lines = text.split('\n');
        assert.strictEqual(lines.pop(), '', 'ends with a newline');
        assert.strictEqual(lines.length, spec.dims.length);
        assert.strictEqual(n, spec.dims.length);
        lines.forEach((line, i) => {
          const o = JSON.parse(line);
          const d = spec.dims[i] as ChartSpec['dims'][number];
          assert.strictEqual(o.prefix, wf(prefix));
          assert.strictEqual(o.hostname, wf(hostname));
          assert.strictEqual(o.chart_id, wf(spec.id));
          assert.strictEqual(o.chart_name, wf(spec.name));
          assert.strictEqual(o.chart_family, wf(spec.family));
          assert.strictEqual(o.chart_context, wf(spec.context));
          assert.strictEqual(o.chart_type, wf(spec.type));
          assert.strictEqual(o.units, wf(spec.units));
          assert.strictEqual(o.id, wf(d.id));
          assert.strictEqual(o.name, wf(d.name));
          if (source === 'as-collected') assert.strictEqual(BigInt(line.slice(line.lastIndexOf('"value":') + 8, line.lastIndexOf(',"timestamp"'))), d.value);
          else assert.strictEqual(o.value, 1);
          if (tags === null || tags === '') {
            assert.ok(!('host_tags' in o));
          } else {
            let want: unknown = wf(tags);
            if ('{["'.includes(tags[0] as string)) {
              try { want = JSON.parse(wf(tags)); } catch { /* not JSON: sent as a string */ }
            }
            assert.deepStrictEqual(o.host_tags, want);
          }
        });
      }), { numRuns: 300 });
  });

  it('every OpenTSDB HTTP body parses; Content-Length is its byte length; batched tags are separate keys', () => {
    fc.assert(fc.property(awkward, awkward, tagsArb, chartArb, fc.constantFrom('single', 'batch') as fc.Arbitrary<'single' | 'batch'>, fc.integer({ min: 1, max: 3 }),
      (prefix, hostname, tags, spec, mode, maxPoints) => {
        const chart = build(spec);
        const fmt = new LineFormatter({ format: 'opentsdb-http', source: 'average', prefix, sendNames: true, http: { mode, maxPoints, maxBytes: 300, host: 'tsdb' } });
        const out = new FormatBuffer(128);
        const n = fmt.formatChart(fmt.host(hostname, tags), chart, AFTER, BEFORE, out);
        fmt.finish(out);
        const reqs = splitHttpRequests(Buffer.from(out.view()));
        assert.strictEqual(reqs.length, out.requestCount);
        let points = 0;
        for (const r of reqs) {
          const body = JSON.parse(r.body.toString('utf8'));
          const list = mode === 'single' ? [body] : body;
          assert.ok(Array.isArray(list) && list.length >= 1 && list.length <= (mode === 'single' ? 1 : maxPoints));
          for (const p of list) {
            assert.ok(p.metric.startsWith(wf(prefix) + '.'));
            assert.strictEqual(p.value, 1);
            if (mode === 'single') assert.strictEqual(p.tags.host, wf(hostname) + (tags ? ' ' + wf(tags) : ''));
            else assert.strictEqual(p.tags.host, wf(hostname));
          }
          points += list.length;
        }
        assert.strictEqual(points, n);
        assert.strictEqual(n, spec.dims.length);
      }), { numRuns: 300 });
  });
});
