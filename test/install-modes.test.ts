// Issue 9: the three install modes, each from the packed tarball into an empty project.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stagePackage, pack, listTarball, pathWithoutCompiler, installInto, run } from './support/install-fixture';

/** The smoke test run inside each installed project: loads the package from CJS and ESM, checks bytes. */
const SMOKE = `
const lib = require('rrd-backends');
const net = require('net');
const k = lib.kernel;
const out = {
  implementation: lib.implementation,
  loadError: lib.nativeLoadError() ? String(lib.nativeLoadError().message) : null,
  one: k.unpackText(0x39989680),
  big: k.unpackText(0x7D5814D5),
  pack: k.pack(3.14159265, 0x01000000).toString(16),
};
// Collect two values and export them as graphite to a TCP receiver on 127.0.0.1.
const got = [];
const server = net.createServer((s) => s.on('data', (d) => got.push(d)));
server.listen(0, '127.0.0.1', async () => {
  const db = new lib.RrdDatabase({ hostname: 'smoke-host', updateEvery: 1, entries: 60 });
  const chart = db.localhost.createChart({ type: 'smoke', id: 'chart', units: 'u' });
  chart.addDimensions([{ id: 'a' }, { id: 'b' }]);
  const inst = new lib.BackendInstance(db, lib.resolveBackendOptions({
    enabled: true, type: 'graphite', destination: 'tcp:127.0.0.1:' + server.address().port,
    dataSource: 'as collected', hostname: 'smoke-host', updateEvery: 1,
  }), { manual: true, monitoring: false, logger: () => {} });
  await inst.start();
  const t = Math.floor(Date.now() / 1000);
  chart.set('a', 42, t * 1e6);
  chart.set('b', -9007199254740993n, t * 1e6);
  chart.done(t * 1e6);
  const c = await inst.runOnce(t + 1);
  await inst.stop(1000);
  setTimeout(async () => {
    server.close();
    out.exported = { t, buffered: c.bufferedMetrics, sent: c.sentMetrics, text: Buffer.concat(got).toString('latin1') };
    const esm = await import('rrd-backends');
    out.esmSame = esm.implementation === lib.implementation;
    process.stdout.write(JSON.stringify(out));
  }, 300);
});
`;

interface Smoke {
  implementation: string; loadError: string | null; one: string; big: string; pack: string; esmSame: boolean; stderr: string;
  exported: { t: number; buffered: number; sent: number; text: string };
}

function smoke(dir: string, env: NodeJS.ProcessEnv): Smoke {
  fs.writeFileSync(path.join(dir, 'smoke.js'), SMOKE);
  const r = require('child_process').spawnSync(process.execPath, ['smoke.js'], { cwd: dir, env, encoding: 'utf8' });
  assert.strictEqual(r.status, 0, `smoke test failed: ${r.stderr}`);
  return { ...JSON.parse(r.stdout), stderr: r.stderr };
}

function checkBytes(s: Smoke): void {
  // SPEC §2.4 and Appendix B: these come from the reference; both kernels must print them.
  assert.strictEqual(s.one, '1.0000000');
  assert.strictEqual(s.big, '577250100000000000000.0000000');
  assert.strictEqual(s.pack, '312fefd9');
  assert.ok(s.esmSame, 'ESM and CommonJS entry points load the same implementation');
  // SPEC §4.1 as collected: prefix.hostname.chart.dim value timestamp, int64 printed exactly.
  const { t, buffered, sent, text } = s.exported;
  assert.strictEqual(text, `netdata.smoke-host.smoke.chart.a 42 ${t}\nnetdata.smoke-host.smoke.chart.b -9007199254740993 ${t}\n`);
  assert.strictEqual(buffered, 2);
  assert.strictEqual(sent, 2);
}

describe('install modes from the packed tarball (issue 9)', function () {
  this.timeout(600_000);
  let root: string;
  let withPrebuild: string;
  let withoutPrebuild: string;
  const env = { ...process.env, RRD_BACKENDS_NATIVE: '' };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rrdb-install-'));
    const pkg = stagePackage(root);
    withoutPrebuild = pack(pkg, path.join(root, 'tgz-plain'));
    run('npx', ['prebuildify', '--napi', '--strip'], { cwd: pkg });
    withPrebuild = pack(pkg, path.join(root, 'tgz-prebuilt'));
  });
  after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

  it('packs the compiled TypeScript, native sources, binding.gyp and prebuilds, and nothing else', () => {
    const files = listTarball(withPrebuild);
    assert.ok(files.includes('dist/lib/index.js'));
    assert.ok(files.includes('dist/lib/index.d.ts'));
    assert.ok(files.includes('esm/index.mjs'));
    assert.ok(files.includes('binding.gyp'));
    assert.ok(files.includes('native/addon.cc'));
    assert.ok(files.some((f) => /^prebuilds\/linux-x64\/.*\.node$/.test(f)), `no linux-x64 prebuild in ${files.join(', ')}`);
    const allowed = /^(package\.json|README\.md|LICENSE|binding\.gyp|dist\/lib\/.*\.(js|d\.ts)|esm\/.*\.mjs|native\/[^/]+\.(cc|h)|prebuilds\/.*\.node)$/;
    const stray = files.filter((f) => !allowed.test(f));
    assert.deepStrictEqual(stray, [], 'tests, benchmarks, build folders or sources must not be packed');
  });

  it('mode 1: prebuild present, no compiler on PATH -> native loads, nothing compiled', () => {
    const { dir } = installInto(root, 'mode1', withPrebuild, pathWithoutCompiler(root));
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules/rrd-backends/build')), 'nothing must be compiled');
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'native', `native expected, load error: ${s.loadError}`);
    checkBytes(s);
  });

  it('mode 2: no prebuild, compiler present -> compiled at install, native loads', () => {
    const { dir } = installInto(root, 'mode2', withoutPrebuild, env);
    assert.ok(fs.existsSync(path.join(dir, 'node_modules/rrd-backends/build/Release/rrd_backends.node')), 'the addon must be compiled at install');
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'native', `native expected, load error: ${s.loadError}`);
    checkBytes(s);
  });

  it('mode 3: neither -> install succeeds, the fallback loads with one clear warning', () => {
    const { dir } = installInto(root, 'mode3', withoutPrebuild, pathWithoutCompiler(root));
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'fallback');
    assert.ok(s.loadError && s.loadError.length > 0, 'the load error is kept');
    const warnings = s.stderr.split('\n').filter((l) => l.includes('RRD_BACKENDS_FALLBACK'));
    assert.strictEqual(warnings.length, 1, `exactly one warning expected, stderr: ${s.stderr}`);
    assert.match(warnings[0], /native addon not loaded/);
    checkBytes(s);
  });
});
