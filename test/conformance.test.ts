// The conformance CLI (npm run conformance) as a child process: the storage-number and
// value-calculation vectors pass with both kernels (deviations only SPEC §7 row 1), a corrupted
// copy fails and is reported with its index, inputs, expected and actual, and bad files/usage
// give clear errors and a non-zero exit status. The README's command over every file of
// shared/vectors passes (ld_vs_double.json's examples checked against the long-double results), and
// combined deviation labels (`row15+row9`) come with per-row totals.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'lib', 'conformance', 'cli.js');
const VECTORS = process.env.RRD_VECTORS_DIR ?? path.resolve(ROOT, '..', 'shared', 'vectors');
const STORAGE = path.join(VECTORS, 'storage_number.json');
const VALUES = path.join(VECTORS, 'value_calculation.json');
const LD_VS_DOUBLE = path.join(VECTORS, 'ld_vs_double.json');

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function caseCount(file: string): number {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.keys(doc).filter((k) => k !== 'header').reduce((n, k) => n + (doc[k] as unknown[]).length, 0);
}

const LINE = /^(.+): cases=(\d+) passed=(\d+) deviations=(\d+) failed=(\d+)((?: [\w+-]+=\d+)*)$/;

function parseLine(line: string): { file: string; cases: number; passed: number; deviations: number; failed: number; rows: Record<string, number> } {
  const m = LINE.exec(line);
  assert.ok(m, `not a result line: ${line}`);
  const rows: Record<string, number> = {};
  for (const part of m[6].trim().split(' ').filter(Boolean)) {
    const [k, v] = part.split('=');
    rows[k] = Number(v);
  }
  return { file: m[1], cases: +m[2], passed: +m[3], deviations: +m[4], failed: +m[5], rows };
}

/** `label=N label=N ...` after a prefix. */
function parseCounts(line: string, prefix: string): Record<string, number> {
  assert.ok(line.startsWith(prefix), `expected '${prefix}...', got: ${line}`);
  const rows: Record<string, number> = {};
  for (const part of line.slice(prefix.length).trim().split(' ').filter(Boolean)) {
    const [k, v] = part.split('=');
    rows[k as string] = Number(v);
  }
  return rows;
}

/** Each row of the combined labels counted once per case it applies to. */
function expectedRowTotals(labels: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, n] of Object.entries(labels)) for (const row of label.split('+')) out[row] = (out[row] ?? 0) + n;
  return out;
}

interface ParsedFile { line: ReturnType<typeof parseLine>; rowTotals: Record<string, number> | null; notes: string[] }

/** The text output: per file its result line, its `  per-row totals:` line and its `  note:` lines. */
function parseOutput(stdout: string): { files: ParsedFile[]; allRows: Record<string, number> | null; last: string } {
  const lines = stdout.trim().split('\n');
  const files: ParsedFile[] = [];
  let allRows: Record<string, number> | null = null;
  for (const l of lines.slice(0, -1)) {
    if (l.startsWith('  per-row totals:')) (files[files.length - 1] as ParsedFile).rowTotals = parseCounts(l, '  per-row totals:');
    else if (l.startsWith('  note: ')) (files[files.length - 1] as ParsedFile).notes.push(l.slice(8));
    else if (l.startsWith('per-row totals, all files:')) allRows = parseCounts(l, 'per-row totals, all files:');
    else if (LINE.test(l)) files.push({ line: parseLine(l), rowTotals: null, notes: [] });
    else assert.fail(`unexpected line: ${l}\n${stdout}`);
  }
  return { files, allRows, last: lines[lines.length - 1] as string };
}

describe('conformance CLI (npm run conformance)', function () {
  this.timeout(60000);
  let tmp = '';
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-conformance-'));
  });
  after(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const env of [{ RRD_BACKENDS_NATIVE: '0' }, {}] as Record<string, string>[]) {
    const label = env.RRD_BACKENDS_NATIVE === '0' ? 'fallback (RRD_BACKENDS_NATIVE=0)' : 'default kernel';
    it(`passes storage_number.json and value_calculation.json with the ${label}: only row-1 deviations`, () => {
      const r = run([STORAGE, VALUES], env);
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      const lines = r.stdout.trim().split('\n');
      // storage_number line, its per-row totals, value_calculation line, totals over all files, last line.
      assert.strictEqual(lines.length, 5, r.stdout);
      const sn = parseLine(lines[0] as string);
      const vc = parseLine(lines[2] as string);
      assert.strictEqual(sn.file, STORAGE);
      assert.strictEqual(sn.cases, caseCount(STORAGE));
      assert.strictEqual(sn.failed, 0);
      assert.strictEqual(sn.passed + sn.deviations, sn.cases);
      assert.ok(sn.deviations > 0);
      assert.deepStrictEqual(sn.rows, { row1: sn.deviations });
      assert.strictEqual(lines[1], `  per-row totals: row1=${sn.deviations}`);
      assert.strictEqual(vc.cases, caseCount(VALUES));
      assert.deepStrictEqual([vc.passed, vc.deviations, vc.failed, vc.rows], [vc.cases, 0, 0, {}]);
      assert.strictEqual(lines[3], `per-row totals, all files: row1=${sn.deviations}`);
      assert.strictEqual(lines[4], `${sn.cases + vc.cases} passed, 0 failed`);
    });

    it(`the README's command over every file of shared/vectors passes with the ${label}; per-row totals sum the combined labels`, () => {
      const files = fs.readdirSync(VECTORS).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(VECTORS, f));
      assert.ok(files.includes(LD_VS_DOUBLE), 'ld_vs_double.json is among the vectors');
      const r = run(files, env);
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      const out = parseOutput(r.stdout);
      assert.deepStrictEqual(out.files.map((f) => f.line.file), files, 'one result line per file, none an error');
      const all: Record<string, number> = {};
      let passed = 0;
      for (const f of out.files) {
        assert.strictEqual(f.line.failed, 0, f.line.file);
        assert.strictEqual(f.line.passed + f.line.deviations, f.line.cases, f.line.file);
        passed += f.line.cases;
        // Every file with deviations says each row's own total; the totals follow from the labels.
        if (f.line.deviations === 0) {
          assert.strictEqual(f.rowTotals, null, f.line.file);
          continue;
        }
        assert.deepStrictEqual(f.rowTotals, expectedRowTotals(f.line.rows), f.line.file);
        for (const [row, n] of Object.entries(f.rowTotals as Record<string, number>)) all[row] = (all[row] ?? 0) + n;
      }
      assert.deepStrictEqual(out.allRows, all);
      assert.strictEqual(out.last, `${passed} passed, 0 failed`);
      // ld_vs_double.json: all 27 public examples checked (12 pack, 3 unpack, 12 value calculation), none skipped.
      const ld = out.files.find((f) => f.line.file === LD_VS_DOUBLE) as ParsedFile;
      const doc = JSON.parse(fs.readFileSync(LD_VS_DOUBLE, 'utf8'));
      const examples = Object.values(doc.examples as Record<string, unknown[]>).reduce((n, a) => n + a.length, 0);
      assert.deepStrictEqual([ld.line.cases, ld.line.passed, ld.line.deviations], [examples, examples, 0]);
      assert.ok(ld.notes.length === 1 && /summary counts not recomputed/.test(ld.notes[0] as string), ld.notes.join('\n'));
      // The OpenTSDB HTTP file has cases that two fixes explain: the per-row totals count them under both rows.
      const http = out.files.find((f) => f.line.file.endsWith('formatters_opentsdb_http.json')) as ParsedFile;
      const combined = Object.keys(http.line.rows).filter((k) => k.includes('+'));
      assert.ok(combined.length > 0, `combined labels: ${JSON.stringify(http.line.rows)}`);
      const rt = http.rowTotals as Record<string, number>;
      assert.strictEqual(rt.row9, (http.line.rows.row9 ?? 0) + (http.line.rows['row15+row9'] ?? 0));
      assert.ok((rt.row9 as number) > 0 && (rt.row15 as number) > 0);
    });
  }

  it('ld_vs_double.json: examples are recomputed against the long-double results, the value examples need the public value_calculation.json next to it', () => {
    const doc = JSON.parse(fs.readFileSync(LD_VS_DOUBLE, 'utf8'));
    const counts = { pack: doc.examples.pack.length, unpack: doc.examples.unpack.length, value: doc.examples.value_calculation.length };
    assert.ok(counts.pack > 0 && counts.unpack > 0 && counts.value > 0, JSON.stringify(counts));
    const alone = path.join(fs.mkdtempSync(path.join(tmp, 'ld-')), 'ld_vs_double.json');
    fs.writeFileSync(alone, JSON.stringify(doc));
    // Without value_calculation.json beside it: pack and unpack are checked, the value examples skipped with a note.
    for (const env of [{ RRD_BACKENDS_NATIVE: '0' }, {}] as Record<string, string>[]) {
      const r = run([alone], env);
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      const out = parseOutput(r.stdout);
      const f = out.files[0] as ParsedFile;
      assert.deepStrictEqual([f.line.cases, f.line.passed, f.line.failed], [counts.pack + counts.unpack, counts.pack + counts.unpack, 0]);
      assert.ok(f.notes.some((n) => n.startsWith(`skipped ${counts.value} examples.value_calculation cases: `) && n.includes('value_calculation.json not found')), f.notes.join('\n'));
      assert.strictEqual(out.last, `${counts.pack + counts.unpack} passed, 0 failed`);
    }
    // With the public value_calculation.json beside it: every example is checked.
    fs.copyFileSync(VALUES, path.join(path.dirname(alone), 'value_calculation.json'));
    const full = run([alone, '--json'], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(full.status, 0, full.stdout + full.stderr);
    const fj = JSON.parse(full.stdout).files[0];
    assert.strictEqual(fj.category, 'ld_vs_double');
    assert.deepStrictEqual(Object.fromEntries(Object.entries(fj.sections).map(([k, v]) => [k, [(v as { cases: number }).cases, (v as { passed: number }).passed]])), {
      'examples.pack': [counts.pack, counts.pack], 'examples.unpack': [counts.unpack, counts.unpack], 'examples.value_calculation': [counts.value, counts.value],
    });
    // Expecting the double build's results instead: every example fails (each one is really recomputed, and
    // the active kernel gives the long-double bytes, not what JS numbers would give).
    const swapped = JSON.parse(JSON.stringify(doc));
    for (const k of Object.keys(swapped.examples)) {
      for (const e of swapped.examples[k]) [e.long_double, e.double] = [e.double, e.long_double];
    }
    // Inputs the double build packs to the same word differ only in the unpacked text; all must differ somewhere.
    const bad = path.join(path.dirname(alone), 'ld_swapped.json');
    fs.writeFileSync(bad, JSON.stringify(swapped));
    for (const env of [{ RRD_BACKENDS_NATIVE: '0' }, {}] as Record<string, string>[]) {
      const r = run([bad, '--json'], env);
      assert.strictEqual(r.status, 1, r.stdout + r.stderr);
      const f = JSON.parse(r.stdout).files[0];
      assert.strictEqual(f.failed, counts.pack + counts.unpack + counts.value, JSON.stringify(f.sections));
      assert.strictEqual(f.sections['examples.value_calculation'].failing[0].expected.result, doc.examples.value_calculation[0].double);
      assert.strictEqual(f.sections['examples.value_calculation'].failing[0].actual.result, doc.examples.value_calculation[0].long_double);
    }
    // A summary whose examples are not arrays is an error; a value example pointing past the file fails.
    const broken = path.join(path.dirname(alone), 'ld_broken.json');
    fs.writeFileSync(broken, JSON.stringify({ examples: { pack: {} } }));
    const outOfRange = path.join(path.dirname(alone), 'ld_out_of_range.json');
    fs.writeFileSync(outOfRange, JSON.stringify({ examples: { value_calculation: [{ public_case_index: 1e6, long_double: '1.0000000', data_source: 'average' }] } }));
    const r = run([broken, outOfRange], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(r.status, 1);
    assert.match(r.stdout, /ld_broken\.json: error: summary file: examples\.pack is not an array of cases/);
    assert.match(r.stdout, /ld_out_of_range\.json: cases=1 passed=0 deviations=0 failed=1/);
    assert.match(r.stdout, /FAIL examples\.value_calculation\[0\] inputs=\{"public_case_index":1000000,"data_source":"average"\}\n {4}bad case: public_case_index 1000000 is not a case/);
  });

  it('reports corrupted copies as failures with index, inputs, expected and actual; --json lists every index', () => {
    const sn = JSON.parse(fs.readFileSync(STORAGE, 'utf8'));
    const vc = JSON.parse(fs.readFileSync(VALUES, 'utf8'));
    // Corrupt one unpack expectation, one pack word and one value result.
    sn.unpack[17].unpacked_f7 = sn.unpack[17].unpacked_f7 === '1.0000000' ? '2.0000000' : '1.0000000';
    const packIdx = sn.pack.findIndex((c: { flags: number; input: string }) => c.flags === 16777216 && c.input === '1');
    sn.pack[packIdx].packed = '0x39989681';
    const valueIdx = vc.cases.findIndex((c: { result: string }) => c.result !== 'nan');
    vc.cases[valueIdx].result = vc.cases[valueIdx].result.replace(/\d$/, (d: string) => String((Number(d) + 1) % 10));
    const badSn = path.join(tmp, 'storage_number.json');
    const badVc = path.join(tmp, 'value_calculation.json');
    fs.writeFileSync(badSn, JSON.stringify(sn));
    fs.writeFileSync(badVc, JSON.stringify(vc));

    const text = run([badSn, badVc], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(text.status, 1, text.stdout + text.stderr);
    const lines = text.stdout.trim().split('\n');
    const first = parseLine(lines[0]);
    assert.strictEqual(first.failed, 2);
    assert.ok(text.stdout.includes(`FAIL unpack[17] inputs={"sn":"${sn.unpack[17].sn}"}`), text.stdout);
    assert.ok(text.stdout.includes(`FAIL pack[${packIdx}] inputs={"input":"1","flags":16777216}`), text.stdout);
    assert.ok(text.stdout.includes('expected={"packed":"0x39989681"}') && text.stdout.includes('actual=  {"packed":"0x39989680"}'), text.stdout);
    assert.ok(text.stdout.includes(`FAIL cases[${valueIdx}]`), text.stdout);
    assert.match(lines[lines.length - 1], /^\d+ passed, 3 failed$/);
    assert.ok(lines.includes(`  per-row totals: row1=${first.deviations}`), text.stdout);

    const json = run([badSn, badVc, '--json'], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(json.status, 1);
    const doc = JSON.parse(json.stdout);
    assert.strictEqual(doc.implementation, 'fallback');
    assert.strictEqual(doc.failed, 3);
    const [fs0, fs1] = doc.files;
    assert.deepStrictEqual(fs0.sections.unpack.failing.map((f: { index: number }) => f.index), [17]);
    assert.deepStrictEqual(fs0.sections.pack.failing.map((f: { index: number }) => f.index), [packIdx]);
    assert.strictEqual(fs0.sections.pack.deviating.length, fs0.sections.pack.deviations);
    assert.deepStrictEqual(fs0.rowTotals, { row1: fs0.deviations });
    assert.deepStrictEqual(doc.rowTotals, { row1: fs0.deviations });
    assert.ok(fs0.sections.pack.deviating.every((d: { index: number; row: string }) => d.row === 'row1' && sn.pack[d.index] !== undefined));
    assert.deepStrictEqual(fs1.sections.cases.failing.map((f: { index: number }) => f.index), [valueIdx]);
    assert.strictEqual(fs1.sections.cases.failing[0].expected.result, vc.cases[valueIdx].result);
  });

  it('runs any file of the schema (a hold-out-like subset), and rejects files it cannot run', () => {
    const sn = JSON.parse(fs.readFileSync(STORAGE, 'utf8'));
    const subset = { header: { ...sn.header, part: 'test-subset' }, unpack: sn.unpack.filter((_: unknown, i: number) => i % 5 === 0) };
    const subsetFile = path.join(tmp, 'subset.json');
    fs.writeFileSync(subsetFile, JSON.stringify(subset));
    // No header.category: the section names identify the category.
    const anon = { header: {}, pack: sn.pack.slice(0, 50) };
    const anonFile = path.join(tmp, 'anonymous.json');
    fs.writeFileSync(anonFile, JSON.stringify(anon));
    const unknownFile = path.join(tmp, 'unknown.json');
    fs.writeFileSync(unknownFile, JSON.stringify({ header: { category: 'no_such_category' }, cases: [] }));
    const notVectors = path.join(tmp, 'not-vectors.json');
    fs.writeFileSync(notVectors, '[1, 2, 3]');

    const r = run([subsetFile, anonFile, unknownFile, notVectors, path.join(tmp, 'missing.json')], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(r.status, 1);
    // The result lines (without the indented per-row totals and notes, and the all-files totals).
    const lines = r.stdout.trim().split('\n').filter((l) => !l.startsWith('  ') && !l.startsWith('per-row totals, all files:'));
    const a = parseLine(lines[0]);
    assert.deepStrictEqual([a.cases, a.passed, a.failed], [subset.unpack.length, subset.unpack.length, 0]);
    const b = parseLine(lines[1]);
    assert.strictEqual(b.cases, 50);
    assert.strictEqual(b.failed, 0);
    assert.match(lines[2], /unknown\.json: error: header\.category "no_such_category" is not registered \(registered: .*storage_number/);
    assert.match(lines[3], /not-vectors\.json: error: not a vector file/);
    assert.match(lines[4], /missing\.json: error: cannot read vector file/);
    assert.strictEqual(lines[5], `${subset.unpack.length + 50} passed, 3 failed`);
  });

  it('exits 2 on usage errors', () => {
    const none = run([]);
    assert.strictEqual(none.status, 2);
    assert.match(none.stderr, /no vector file given/);
    const opt = run(['--fast', STORAGE]);
    assert.strictEqual(opt.status, 2);
    assert.match(opt.stderr, /unknown option '--fast' \(accepted: --json\)/);
  });
});
