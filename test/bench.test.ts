// Smoke test of the benchmark CLI (bench/run.ts) at a tiny scale: the table prints, every pass goes through
// the exporter's path over all the charts (its output hash is recomputed here), native and fallback agree,
// and the checks that turn a wrong hash into a bug work. W1-scale runs are `npm run bench`, never mocha.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { getKernel } from '../lib/kernels';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import { buildW1, Fnv1a64, W1_AFTER, W1_BEFORE, W1_HOSTNAME } from '../lib/rrd/w1';
import { BenchUsageError, parseBenchArgs, verdict } from '../bench/run';
import type { ChildReport, PassResult } from '../bench/w1-child';

const RUN = path.resolve(__dirname, '..', 'bench', 'run.js');

function nativeAvailable(): boolean {
  try {
    getKernel('native');
    return true;
  } catch {
    return false;
  }
}

describe('benchmark CLI (bench/run.ts)', function () {
  this.timeout(60000);

  it('runs one pass at 2,000 dimensions on both implementations: table, hash, native == fallback', function () {
    if (!nativeAvailable()) {
      if (process.env.RRD_BACKENDS_NATIVE === '1') assert.fail('native kernel did not load');
      console.warn('      SKIPPED: the native kernel did not load, so native == fallback cannot be compared; build it with npx node-gyp rebuild');
      this.skip();
    }
    const r = spawnSync(process.execPath, [RUN, '--dims', '2000', '--only', 'graphite-average', '--passes', '2', '--warmup', '0', '--json'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr + r.stdout);
    const out = r.stdout;
    assert.match(out, /^# rrd-backends benchmark, /m);
    assert.match(out, /^# .* x \d+, [\d.]+ GiB, /m);
    const rows = out.split('\n').filter((l) => /^(graphite stored average|\s{20,})\s+(native|fallback)\s/.test(l));
    assert.strictEqual(rows.length, 2, out);
    for (const row of rows) assert.match(row, /\bn\/a, same\b/, row); // below 1M: no reference hash, but the implementations agree
    assert.match(out, /native: W1 \(40 charts\) built in/);

    const json = JSON.parse(out.trim().split('\n').pop() as string) as { reports: ChildReport[] };
    assert.deepStrictEqual(json.reports.map((c) => c.impl), ['native', 'fallback']);
    // The pass covered every chart: the same bytes as formatting the 40 charts directly here.
    const w1 = buildW1({ charts: 40, kernel: getKernel('fallback') });
    const fmt = new LineFormatter({ format: 'graphite', source: 'average', prefix: 'netdata', sendNames: true }, getKernel('fallback'));
    const buf = new FormatBuffer();
    for (const c of w1.charts) fmt.formatChart(fmt.host(W1_HOSTNAME, null), c, W1_AFTER, W1_BEFORE, buf);
    for (const c of json.reports) {
      const p = c.passes.find((x) => x.id === 'graphite-average') as PassResult;
      assert.strictEqual(p.bytes, buf.length, `${c.impl}: bytes`);
      assert.strictEqual(p.fnv, new Fnv1a64().update(buf.view()).hex(), `${c.impl}: hash`);
      assert.strictEqual(p.metrics, 2000);
      assert.strictEqual(p.timing.ns.length, 2);
      assert.ok(p.timing.min > 0 && p.timing.min <= p.timing.median && p.timing.median <= p.timing.max);
      assert.ok(p.peakRssMiB > 10 && p.peakRssMiB < 4096 && p.rssBeforeMiB > 10 && p.rssBeforeMiB <= p.peakRssMiB + 1, `RSS ${p.rssBeforeMiB} / ${p.peakRssMiB}`);
      assert.ok(p.stable);
    }
  });

  it('a wrong hash at full size is a MISMATCH, a difference between implementations is DIFFER', () => {
    const pass = (fnv: string, bytes: number): PassResult => ({
      id: 'graphite-average', timing: { ns: [1], median: 1, min: 1, max: 1 }, bytes, fnv, metrics: 1, stable: true, peakRssMiB: 1,
      rssBeforeMiB: 1, longestSliceMs: 1, maxLoopDelayMs: 1, firstPassMs: 1,
    });
    const report = (impl: 'native' | 'fallback', p: PassResult): ChildReport => ({
      impl, dims: 1000000, charts: 20000, buildMs: 1, rssAfterBuildMiB: 1, peakBuildMiB: 1, passes: [p], breakdown: null,
    });
    const ok = pass('df2e7f529a5d44fd', 69115680);
    const wrong = pass('df2e7f529a5d44fe', 69115680);
    const all = [report('native', ok), report('fallback', wrong)];
    assert.deepStrictEqual(verdict('graphite-average', ok, all, 1000000), { reference: 'OK', implementations: 'DIFFER' });
    assert.deepStrictEqual(verdict('graphite-average', wrong, all, 1000000), { reference: 'MISMATCH', implementations: 'DIFFER' });
    assert.deepStrictEqual(verdict('graphite-average', ok, [report('native', ok)], 1000000), { reference: 'OK', implementations: '' });
    assert.deepStrictEqual(verdict('graphite-average', ok, all.slice(0, 1), 100000), { reference: 'n/a', implementations: '' });
    assert.strictEqual(verdict('graphite-average', { ...ok, stable: false }, [], 1000000).reference, 'UNSTABLE');
  });

  it('refuses bad options with a message naming the value and what is accepted', () => {
    const bad = (argv: string[], re: RegExp) => assert.throws(() => parseBenchArgs(argv), (e: unknown) => e instanceof BenchUsageError && e.code === 'ERR_BENCH_USAGE' && re.test(e.message));
    bad(['--dims', '1234'], /--dims '1234' is not accepted: a multiple of 50 from 50 to 1000000/);
    bad(['--only', 'graphite'], /--only 'graphite' is not a pass; passes: graphite-average, /);
    bad(['--impl', 'wasm'], /native or fallback/);
    bad(['--passes', '0'], /--passes '0'/);
    bad(['--frobnicate'], /unknown option '--frobnicate'/);
    bad(['--dims'], /--dims needs a value/);
    // A partial run neither scales, nor runs the micro suites, nor replaces the committed results.
    const o = parseBenchArgs(['--dims', '100,000']);
    assert.deepStrictEqual([o.dims, o.scaling, o.micro, o.write], [100000, false, false, false]);
    const full = parseBenchArgs([]);
    assert.deepStrictEqual([full.dims, full.scaling, full.micro, full.write, full.passes], [1000000, true, true, true, 9]);
    const r = spawnSync(process.execPath, [RUN, '--impl', 'gpu'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /--impl 'gpu' is not accepted/);
    assert.match(r.stderr, /usage: npm run bench/);
  });
});
