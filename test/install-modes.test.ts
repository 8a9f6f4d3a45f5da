// Issue 9: `npm pack` of the real repository (its file list checked against an allow-list), then the three
// install modes, each installing the tarball into an empty project and running a smoke export; and the
// types of both entry points as a TypeScript user with moduleResolution node16 sees them.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findOnPath, installInto, listTarball, packRepository, pathWithoutCompiler, REPO, run, TOOLCHAIN } from './support/install-fixture';

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

/** The `bin` launcher installed by npm runs the packed CLI. */
function checkLauncher(dir: string, env: NodeJS.ProcessEnv): void {
  const launcher = path.join(dir, 'node_modules', '.bin', 'rrd-backends');
  assert.ok(fs.existsSync(launcher), 'npm installed the rrd-backends command');
  const version = run(launcher, ['--version'], { cwd: dir, env }).trim();
  assert.strictEqual(version, JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
}

/** Everything `npm pack` may contain (package.json `files` plus what npm always adds), and nothing else. */
const ALLOWED = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/,
  /^bin\/rrd-backends$/,
  /^binding\.gyp$/,
  /^native\/[^/]+\.(cc|h)$/,
  /^dist\/lib\/.+\.(js|d\.ts)$/,
  /^esm\/index\.(mjs|d\.mts)$/,
  /^prebuilds\/[^/]+\/[^/]+\.node$/,
];

describe('install modes from `npm pack` of the repository (issue 9)', function () {
  this.timeout(600_000);
  let root: string;
  let withPrebuild: string;
  let withoutPrebuild: string;
  let platformDir: string;
  const timings: string[] = [];
  const repoHadPrebuilds = fs.existsSync(path.join(REPO, 'prebuilds'));
  const env = { ...process.env, RRD_BACKENDS_NATIVE: '' };

  before(function () {
    this.timeout(600_000);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rrdb-install-'));
    const t0 = performance.now();
    ({ withPrebuild, withoutPrebuild, platformDir } = packRepository(root));
    timings.push(`pack + prebuild ${Math.round(performance.now() - t0)} ms`);
  });
  beforeEach(function () {
    (this.currentTest as unknown as { t0: number }).t0 = performance.now();
  });
  afterEach(function () {
    const t = this.currentTest as unknown as { t0: number; title: string };
    timings.push(`${t.title.split(':')[0]} ${Math.round(performance.now() - t.t0)} ms`);
  });
  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
    process.stdout.write(`      install-modes timings: ${timings.join(', ')}\n`);
  });

  it('npm pack: the compiled TypeScript, ESM entry and types, native sources, binding.gyp, prebuilds, bin/ and nothing else', () => {
    const files = listTarball(withPrebuild);
    for (const f of ['package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lib/cli/main.js', 'esm/index.mjs', 'esm/index.d.mts',
      'binding.gyp', 'native/addon.cc', 'bin/rrd-backends']) {
      assert.ok(files.includes(f), `${f} is packed`);
    }
    // Every native source of the repository is packed (node-gyp compiles them at install in mode 2).
    for (const f of fs.readdirSync(path.join(REPO, 'native')).filter((n) => /\.(cc|h)$/.test(n))) assert.ok(files.includes(`native/${f}`), `native/${f} is packed`);
    assert.ok(files.some((f) => f.startsWith(`${platformDir}/`) && f.endsWith('.node')), `no ${platformDir} prebuild in ${files.join(', ')}`);
    const stray = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
    assert.deepStrictEqual(stray, [], 'tests, benchmarks, sources, maps and build folders must not be packed');
    const plain = listTarball(withoutPrebuild);
    assert.deepStrictEqual(plain, files.filter((f) => !f.startsWith('prebuilds/')), 'the tarball of modes 2 and 3 differs only by the prebuilds');
    assert.strictEqual(fs.existsSync(path.join(REPO, 'prebuilds')), repoHadPrebuilds, 'a prebuilds/ folder made for packing is removed again');
  });

  it('mode 1: prebuild present, no compiler on PATH -> native loads, nothing compiled', () => {
    const noCc = pathWithoutCompiler(root);
    for (const t of TOOLCHAIN) assert.strictEqual(findOnPath(t, noCc.PATH), null, `${t} must not be on the PATH`);
    const { dir, log } = installInto(root, 'mode1', withPrebuild, noCc);
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules/rrd-backends/build')), 'nothing must be compiled');
    assert.doesNotMatch(log, /gyp (info|ERR)/, 'node-gyp never ran');
    assert.ok(fs.existsSync(path.join(dir, 'node_modules/rrd-backends', platformDir)), 'the prebuild is installed');
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'native', `native expected, load error: ${s.loadError}`);
    checkBytes(s);
    checkLauncher(dir, env);
  });

  it('mode 2: no prebuild, compiler present -> compiled at install, native loads', () => {
    const { dir } = installInto(root, 'mode2', withoutPrebuild, env);
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules/rrd-backends/prebuilds')), 'no prebuild in this tarball');
    assert.ok(fs.existsSync(path.join(dir, 'node_modules/rrd-backends/build/Release/rrd_backends.node')), 'the addon must be compiled at install');
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'native', `native expected, load error: ${s.loadError}`);
    checkBytes(s);
    checkLauncher(dir, env);
  });

  it('mode 3: neither -> install succeeds, the fallback loads with one clear warning', () => {
    const { dir } = installInto(root, 'mode3', withoutPrebuild, pathWithoutCompiler(root));
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules/rrd-backends/build/Release/rrd_backends.node')), 'nothing could be compiled');
    const s = smoke(dir, env);
    assert.strictEqual(s.implementation, 'fallback');
    assert.ok(s.loadError && s.loadError.length > 0, 'the load error is kept');
    const warnings = s.stderr.split('\n').filter((l) => l.includes('RRD_BACKENDS_FALLBACK'));
    assert.strictEqual(warnings.length, 1, `exactly one warning expected, stderr: ${s.stderr}`);
    assert.match(warnings[0], /native addon not loaded/);
    checkBytes(s);
    checkLauncher(dir, env);
  });

  it('types: tsc (module/moduleResolution node16) resolves `import { kernel } from "rrd-backends"` through esm/index.d.mts, require through dist', function () {
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    if (!fs.existsSync(tsc)) {
      console.warn(`      SKIPPED: ${tsc} is missing (typescript is a devDependency: run npm install), so the types cannot be checked`);
      this.skip();
    }
    // The types need no install script: the tarball of modes 2 and 3, scripts off.
    const { dir } = installInto(root, 'types', withoutPrebuild, env, ['--ignore-scripts']);
    fs.writeFileSync(path.join(dir, 'esm-user.mts'), [
      "import { kernel, implementation, nativeLoadError } from 'rrd-backends';",
      "import lib from 'rrd-backends';",
      'export const text: string = kernel.unpackText(0x39989680);',
      "export const impl: 'native' | 'fallback' | string = implementation;",
      'export const err: Error | null | undefined = nativeLoadError();',
      'export const same: typeof kernel = lib.kernel;',
      '// @ts-expect-error the types are real, not any: unpackText returns a string',
      'export const wrong: number = kernel.unpackText(1);',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'cjs-user.cts'), [
      "import lib = require('rrd-backends');",
      'export const text: string = lib.kernel.unpackText(0x39989680);',
      '// @ts-expect-error the types are real, not any',
      'export const wrong: number = lib.kernel.unpackText(1);',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        module: 'node16', moduleResolution: 'node16', target: 'ES2022', lib: ['ES2022'], strict: true, noEmit: true,
        types: ['node'], typeRoots: [path.join(REPO, 'node_modules', '@types')],
      },
      files: ['esm-user.mts', 'cjs-user.cts'],
    }));
    let out: string;
    try {
      out = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], { cwd: dir });
    } catch (err) {
      assert.fail(`tsc found errors in the installed package's types:\n${(err as Error).message}`);
    }
    const listed = out.split('\n').map((l) => path.relative(dir, l.trim()));
    assert.ok(listed.includes(path.join('node_modules', 'rrd-backends', 'esm', 'index.d.mts')), `the ESM types come from esm/index.d.mts: ${listed.join(', ')}`);
    assert.ok(listed.includes(path.join('node_modules', 'rrd-backends', 'dist', 'lib', 'index.d.ts')), 'the CommonJS types come from dist/lib/index.d.ts');
  });
});
