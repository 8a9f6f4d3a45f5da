// The sanitizer setup of issue 8 (scripts/sanitize.sh, CMakeLists.txt):
// - always: RRD_BACKENDS_ADDON_PATH makes the loader take one specific .node file, and a file that does
//   not load (or is not this addon) is a KernelLoadError naming it, never silently another build;
// - in the sanitizer run (scripts/sanitize.sh sets RRD_BACKENDS_SANITIZER_CANARY): the suites really run
//   on the instrumented addon with the ASan runtime in the process, and the same settings report a
//   planted heap overflow, signed overflow and float-cast overflow (fuzz/sanitizer-canary.cc) and kill
//   the process, so "the suites ran clean" means something.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const LOADER = path.join(ROOT, 'dist', 'lib', 'kernels', 'index.js');
const CANARY = process.env.RRD_BACKENDS_SANITIZER_CANARY;

/** Runs `code` in a fresh node with `env` added; returns exit status, signal and output. */
function node(code: string, env: Record<string, string | undefined>): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const REPORT = `
  const k = require(${JSON.stringify(LOADER)});
  let e = null;
  try { k.getKernel('native'); } catch (err) { e = err; }
  console.log(JSON.stringify({ impl: k.implementation, code: e && e.code, message: e && e.message }));`;

describe('RRD_BACKENDS_ADDON_PATH (lib/kernels/index.ts)', () => {
  it('a path that does not exist is a KernelLoadError naming it; RRD_BACKENDS_NATIVE=1 makes it fatal', () => {
    const missing = path.join(ROOT, 'build-sanitize', 'no-such-addon.node');
    const soft = node(REPORT, { RRD_BACKENDS_ADDON_PATH: missing, RRD_BACKENDS_NATIVE: undefined });
    assert.strictEqual(soft.status, 0, soft.stderr);
    const r = JSON.parse(soft.stdout) as { impl: string; code: string; message: string };
    assert.strictEqual(r.impl, 'fallback');
    assert.strictEqual(r.code, 'ERR_RRD_NATIVE_LOAD');
    assert.ok(r.message.includes(`RRD_BACKENDS_ADDON_PATH=${missing}`), r.message);
    assert.match(soft.stderr, /RRD_BACKENDS_FALLBACK|native addon not loaded/, 'the fallback is announced with a warning');

    const hard = node(REPORT, { RRD_BACKENDS_ADDON_PATH: missing, RRD_BACKENDS_NATIVE: '1' });
    assert.notStrictEqual(hard.status, 0);
    assert.ok(hard.stderr.includes('RRD_BACKENDS_ADDON_PATH=') && hard.stderr.includes('no-such-addon.node'), hard.stderr);
  });

  it('a file that is not this addon (no matching ABI) is refused, not used', () => {
    // Something require() loads that is not rrd_backends: the canary addon in the sanitizer run, else a
    // JSON module (the loader must check what it got, not only that it loaded).
    const other = CANARY ?? path.join(ROOT, 'package.json');
    const r = JSON.parse(node(REPORT, { RRD_BACKENDS_ADDON_PATH: other, RRD_BACKENDS_NATIVE: undefined }).stdout) as { impl: string; code: string; message: string };
    assert.strictEqual(r.impl, 'fallback');
    assert.strictEqual(r.code, 'ERR_RRD_NATIVE_LOAD');
    assert.match(r.message, /ABI undefined does not match/);
  });

  it('the node-gyp build given explicitly loads and is the active native kernel', function () {
    const built = path.join(ROOT, 'build', 'Release', 'rrd_backends.node');
    if (!fs.existsSync(built)) {
      console.warn(`      SKIPPED: ${built} is not built (npx node-gyp rebuild)`);
      this.skip();
    }
    const r = JSON.parse(node(REPORT, { RRD_BACKENDS_ADDON_PATH: built, RRD_BACKENDS_NATIVE: '1' }).stdout) as { impl: string; code: string | null };
    assert.deepStrictEqual(r, { impl: 'native', code: null, message: null });
  });
});

describe('sanitizer run (scripts/sanitize.sh)', function () {
  before(function () {
    if (CANARY === undefined) {
      console.warn('      SKIPPED: not a sanitizer run; scripts/sanitize.sh builds the ASan/UBSan addon and runs these');
      this.skip();
    }
  });

  it('the active kernel is the instrumented addon named by RRD_BACKENDS_ADDON_PATH, with the ASan runtime loaded', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const k = require(LOADER) as typeof import('../lib/kernels');
    assert.strictEqual(k.implementation, 'native');
    const addon = path.resolve(process.env.RRD_BACKENDS_ADDON_PATH ?? '');
    assert.ok(require.cache[addon] !== undefined, `${addon} is the loaded native module`);
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    assert.match(maps, /libclang_rt\.asan|libasan\.so/, 'the ASan runtime is mapped into this process (LD_PRELOAD)');
    assert.ok(maps.includes(addon), 'the instrumented addon is mapped');
    assert.ok(fs.readFileSync(addon).includes('__asan_report_load'), 'the addon calls the ASan runtime');
  });

  const canary = (call: string) => `const c = require(${JSON.stringify(CANARY)}); console.log('result', ${call});`;

  it('the canary in bounds runs clean (the settings do not kill a correct addon)', () => {
    const r = node(canary('c.heapOverflow(7) + c.signedOverflow(0) + c.floatCast(0)'), {});
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^result 2147483654$/m); // 7 + INT_MAX + 0
  });

  for (const [call, report] of [
    // gcc's UBSan object-size check may see the overflowing load before ASan does: either report counts.
    ['c.heapOverflow(8)', /AddressSanitizer: heap-buffer-overflow|runtime error: load of address .* with insufficient space/],
    ['c.signedOverflow(1)', /runtime error: signed integer overflow/],
    ['c.floatCast(1)', /runtime error: .* is outside the range of representable values/],
  ] as Array<[string, RegExp]>) {
    it(`${call} is reported and stops the process`, () => {
      const r = node(canary(call), {});
      assert.ok(r.status !== 0 || r.signal !== null, `the process went on: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /^result/m, 'nothing after the fault ran');
      assert.match(r.stderr, report);
    });
  }
});
