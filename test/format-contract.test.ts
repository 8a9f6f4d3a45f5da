// Contract: the four formatter vector files through every available kernel implementation: 0 failures,
// and the deviations are exactly the cases whose inputs call for a fix (counted independently here).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { getKernel } from '../lib/kernels';
import type { ImplementationName, Kernel } from '../lib/kernels/types';
import { checkFormatterCase, FORMATTER_CATEGORIES, FormatterCase } from '../lib/conformance/formatters';
import { splitHttpRequests } from './support/format-fixtures';

const VECTORS = process.env.RRD_VECTORS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'vectors');
const FILES = ['formatters_graphite.json', 'formatters_opentsdb_telnet.json', 'formatters_opentsdb_http.json', 'formatters_json.json'];

function implementations(): Array<{ name: ImplementationName; kernel: Kernel | null; why: string }> {
  return (['fallback', 'native'] as const).map((name) => {
    try {
      return { name, kernel: getKernel(name), why: '' };
    } catch (err) {
      return { name, kernel: null, why: err instanceof Error ? err.message : String(err) };
    }
  });
}

// Independent statements of each fix's condition (SPEC §7 rows 9, 15 and the empty-tags fix).
const NEEDS_ESCAPE = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
function jsonTagsNeedFix(t: string | null): boolean {
  if (t === null || t === '') return false;
  if ('{["'.includes(t[0] as string)) {
    try { JSON.parse(t); } catch { return true; }
    return /[\r\n]/.test(t);
  }
  return NEEDS_ESCAPE.test(t);
}
function row15Condition(format: string, c: FormatterCase): boolean {
  if (format === 'json') {
    return [c.prefix, c.hostname, c.chart_id, c.chart_name ?? '', c.chart_family ?? '', c.chart_context ?? '', c.chart_type ?? '',
      c.chart_units ?? '', c.dim_id, c.dim_name ?? ''].some((s) => NEEDS_ESCAPE.test(s)) || jsonTagsNeedFix(c.host_tags);
  }
  if (format === 'opentsdb-http') return [c.prefix, c.hostname, c.host_tags ?? ''].some((s) => NEEDS_ESCAPE.test(s));
  return false;
}
function truncatedByReference(o: { output: string | null; output_base64?: string }): boolean {
  const b = o.output !== null ? Buffer.from(o.output, 'utf8') : Buffer.from(o.output_base64 ?? '', 'base64');
  const at = b.indexOf('Content-Length: 1024\r\n\r\n');
  return at >= 0 && b.length - at - 'Content-Length: 1024\r\n\r\n'.length === 1023;
}

describe('formatter contract: golden vectors through both kernels (SPEC §4, vectors README)', function () {
  for (const impl of implementations()) {
    describe(`${impl.name} kernel`, () => {
      for (const file of FILES) {
        it(`${file}: 0 failures, deviations only where a fix applies`, function () {
          if (impl.kernel === null) {
            if (process.env.RRD_BACKENDS_NATIVE === '1') assert.fail(`native kernel did not load: ${impl.why}`);
            console.warn(`      SKIPPED: native kernel did not load (${impl.why})`);
            this.skip();
          }
          const fullPath = path.join(VECTORS, file);
          if (!fs.existsSync(fullPath)) assert.fail(`vector file ${fullPath} is missing (set RRD_VECTORS_DIR)`);
          const doc = JSON.parse(fs.readFileSync(fullPath, 'utf8')) as { header: { category: string }; cases: FormatterCase[] };
          const format = FORMATTER_CATEGORIES[doc.header.category];
          assert.ok(format, `unknown category ${doc.header.category}`);
          const counts = { passed: 0, deviation: 0, failed: 0 };
          const rows: Record<string, number> = {};
          const failures: string[] = [];
          const want = { 'empty-tags': 0, row9: 0, row15: 0 };
          doc.cases.forEach((c, i) => {
            const r = checkFormatterCase(format, c, impl.kernel as Kernel);
            counts[r.verdict]++;
            for (const row of r.rows) rows[row] = (rows[row] ?? 0) + 1;
            if (r.verdict === 'failed' && failures.length < 5) {
              const v = r.variants.find((x) => x.verdict === 'failed');
              failures.push(`case ${i} ${v?.variant}: ${v?.error ?? ''}\n  expected ${JSON.stringify(v?.expected.toString('utf8'))} ret ${v?.expectedRet}\n  actual   ${JSON.stringify(v?.actual.toString('utf8'))} ret ${v?.actualRet}`);
            }
            // Every case meeting a fix's condition must be labelled with it (the collected output is never empty).
            const cond = {
              'empty-tags': c.host_tags === '' && format !== 'json',
              row9: truncatedByReference(c.collected) || truncatedByReference(c.stored),
              row15: row15Condition(format, c),
            };
            for (const k of Object.keys(cond) as Array<keyof typeof cond>) {
              if (cond[k]) want[k]++;
              assert.strictEqual(r.rows.includes(k), cond[k] && r.verdict !== 'failed', `case ${i}: fix ${k} condition ${cond[k]} but labels [${r.rows}] (${r.verdict})`);
            }
            // What the fixes promise, checked on our bytes directly.
            for (const v of r.variants) {
              if (v.actual.length === 0) continue;
              if (format === 'json') {
                for (const line of v.actual.toString('utf8').split('\n').slice(0, -1)) assert.doesNotThrow(() => JSON.parse(line), `case ${i}: ${line}`);
              }
              if (format === 'opentsdb-http') {
                for (const req of splitHttpRequests(v.actual)) assert.doesNotThrow(() => JSON.parse(req.body.toString('utf8')), `case ${i}`);
              }
            }
          });
          assert.deepStrictEqual(failures, [], `${counts.failed} failures, first ones:\n${failures.join('\n')}`);
          assert.strictEqual(counts.failed, 0);
          assert.strictEqual(counts.passed + counts.deviation, doc.cases.length);
          for (const k of Object.keys(want) as Array<keyof typeof want>) assert.strictEqual(rows[k] ?? 0, want[k], `deviations labelled ${k}`);
          if (format !== 'json') assert.ok(want['empty-tags'] > 0, 'the file exercises empty tags');
          if (format === 'opentsdb-http') assert.ok(want.row9 > 0 && want.row15 > 0, 'the file exercises rows 9 and 15');
          console.log(`      ${file}: cases=${doc.cases.length} passed=${counts.passed} deviations=${counts.deviation} ${Object.entries(rows).map(([k, n]) => `${k}=${n}`).join(' ')}`);
        });
      }
    });
  }
});

describe('formatter conformance checker: deviations must be justified', () => {
  const k = getKernel('fallback');
  const load = (file: string): FormatterCase[] => {
    const fullPath = path.join(VECTORS, file);
    if (!fs.existsSync(fullPath)) assert.fail(`vector file ${fullPath} is missing (set RRD_VECTORS_DIR)`);
    return (JSON.parse(fs.readFileSync(fullPath, 'utf8')) as { cases: FormatterCase[] }).cases;
  };
  const mutate = (c: FormatterCase, f: (out: Buffer) => Buffer): FormatterCase => {
    const copy = JSON.parse(JSON.stringify(c)) as FormatterCase;
    const b = copy.collected.output !== null ? Buffer.from(copy.collected.output, 'utf8') : Buffer.from(copy.collected.output_base64 ?? '', 'base64');
    const m = f(b);
    copy.collected = { ret: copy.collected.ret, output: null, output_base64: m.toString('base64') };
    return copy;
  };
  const flipLastDigit = (b: Buffer): Buffer => {
    const i = b.lastIndexOf(Buffer.from(' ')) + 1;
    const m = Buffer.from(b);
    m[i] = m[i] === 0x31 ? 0x32 : 0x31;
    return m;
  };

  it('fails a clean case whose bytes differ, and a justified case whose bytes differ elsewhere', () => {
    const graphite = load('formatters_graphite.json');
    const clean = graphite.find((c) => c.host_tags === null) as FormatterCase;
    assert.strictEqual(checkFormatterCase('graphite', clean, k).verdict, 'passed');
    assert.strictEqual(checkFormatterCase('graphite', mutate(clean, flipLastDigit), k).verdict, 'failed');
    const empty = graphite.find((c) => c.host_tags === '') as FormatterCase;
    assert.deepStrictEqual(checkFormatterCase('graphite', empty, k).rows, ['empty-tags']);
    assert.strictEqual(checkFormatterCase('graphite', mutate(empty, flipLastDigit), k).verdict, 'failed');
    // An unexplained quirk: a ';' the inputs do not call for.
    assert.strictEqual(checkFormatterCase('graphite', mutate(clean, (b) => Buffer.from(b.toString().replace(' ', '; '))), k).verdict, 'failed');
    const ret = JSON.parse(JSON.stringify(clean)) as FormatterCase;
    ret.collected.ret = 0;
    assert.strictEqual(checkFormatterCase('graphite', ret, k).verdict, 'failed');
  });

  it('row 15 and row 9 only where the inputs and the reference call for them', () => {
    const json = load('formatters_json.json');
    const escaped = json.find((c) => c.dim_name !== null && c.dim_name.includes('"')) as FormatterCase;
    assert.deepStrictEqual(checkFormatterCase('json', escaped, k).rows, ['row15']);
    assert.strictEqual(checkFormatterCase('json', mutate(escaped, (b) => Buffer.from(b.toString().replace('"prefix"', '"prefiX"'))), k).verdict, 'failed');
    const http = load('formatters_opentsdb_http.json');
    const truncated = http.find((c) => truncatedByReference(c.collected) && c.host_tags !== '' && !row15Condition('opentsdb-http', c)) as FormatterCase;
    assert.deepStrictEqual(checkFormatterCase('opentsdb-http', truncated, k).rows, ['row9']);
    // The same truncated bytes with an honest Content-Length are not the reference's bug: no row 9.
    const honest = mutate(truncated, (b) => Buffer.from(b.toString('latin1').replace('Content-Length: 1024', 'Content-Length: 1023'), 'latin1'));
    assert.strictEqual(checkFormatterCase('opentsdb-http', honest, k).verdict, 'failed');
  });
});
