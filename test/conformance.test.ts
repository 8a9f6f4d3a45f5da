// The conformance CLI (npm run conformance) as a child process: the storage-number and
// value-calculation vectors pass with both kernels (deviations only SPEC §7 row 1), a corrupted
// copy fails and is reported with its index, inputs, expected and actual, and bad files/usage
// give clear errors and a non-zero exit status.
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
      assert.strictEqual(lines.length, 3, r.stdout);
      const sn = parseLine(lines[0]);
      const vc = parseLine(lines[1]);
      assert.strictEqual(sn.file, STORAGE);
      assert.strictEqual(sn.cases, caseCount(STORAGE));
      assert.strictEqual(sn.failed, 0);
      assert.strictEqual(sn.passed + sn.deviations, sn.cases);
      assert.ok(sn.deviations > 0);
      assert.deepStrictEqual(sn.rows, { row1: sn.deviations });
      assert.strictEqual(vc.cases, caseCount(VALUES));
      assert.deepStrictEqual([vc.passed, vc.deviations, vc.failed, vc.rows], [vc.cases, 0, 0, {}]);
      assert.strictEqual(lines[2], `${sn.cases + vc.cases} passed, 0 failed`);
    });
  }

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

    const json = run([badSn, badVc, '--json'], { RRD_BACKENDS_NATIVE: '0' });
    assert.strictEqual(json.status, 1);
    const doc = JSON.parse(json.stdout);
    assert.strictEqual(doc.implementation, 'fallback');
    assert.strictEqual(doc.failed, 3);
    const [fs0, fs1] = doc.files;
    assert.deepStrictEqual(fs0.sections.unpack.failing.map((f: { index: number }) => f.index), [17]);
    assert.deepStrictEqual(fs0.sections.pack.failing.map((f: { index: number }) => f.index), [packIdx]);
    assert.strictEqual(fs0.sections.pack.deviating.length, fs0.sections.pack.deviations);
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
    const lines = r.stdout.trim().split('\n');
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
