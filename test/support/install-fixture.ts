// Packs the REAL repository with `npm pack` (into temporary directories) and installs the tarballs into
// empty projects, for the install-mode tests (issue 9). Nothing is left in the repository: the tarballs go
// to the test's temporary directory and a prebuilds/ folder made for the test is removed after packing.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..', '..');

export function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${opts.cwd}: ${e.message}\n--- stdout\n${e.stdout ?? ''}\n--- stderr\n${e.stderr ?? ''}`);
  }
}

/**
 * The environment for npm and node-gyp: builds against the running Node's own headers (offline, nothing
 * downloaded) when they are installed next to it and npm is not already told where they are.
 */
export function buildEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const hasHeaders = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'));
  if (hasHeaders && !env.npm_config_nodedir && !env.NPM_CONFIG_NODEDIR) env.npm_config_nodedir = prefix;
  return env;
}

/** `npm pack` of `pkgDir` into `outDir`; returns the tarball path. */
export function pack(pkgDir: string, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  // --ignore-scripts: `prepack` would run `npm run build:ts`, rewriting dist/ while mocha runs from it;
  // `npm test` (pretest) has just built it, and these tests run from that build.
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', outDir], { cwd: pkgDir, env: buildEnv() });
  const info = JSON.parse(out) as Array<{ filename: string }>;
  return path.join(outDir, path.basename(info[0].filename));
}

export function listTarball(tgz: string): string[] {
  return run('tar', ['-tzf', tgz], { cwd: os.tmpdir() }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
}

/**
 * `npm run prebuilds` of the repository, with the prebuild written to the repository's prebuilds/ and the
 * compilation done in a scratch copy of the native sources (prebuildify's `--cwd`): prebuildify runs
 * `node-gyp rebuild` in its cwd and MOVES the addon out of build/Release, which would take the
 * developer's (and the rest of the suite's) build/Release/rrd_backends.node away.
 */
function buildPrebuild(root: string): string {
  const scratch = path.join(root, 'prebuild-src');
  fs.mkdirSync(scratch, { recursive: true });
  for (const f of ['package.json', 'binding.gyp']) fs.copyFileSync(path.join(REPO, f), path.join(scratch, f));
  fs.cpSync(path.join(REPO, 'native'), path.join(scratch, 'native'), { recursive: true });
  // binding.gyp asks node-addon-api for its headers; prebuildify and node-gyp come from the same place.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  return run('npm', ['run', 'prebuilds', '--', '--cwd', scratch, '--out', REPO], { cwd: REPO, env: buildEnv() });
}

/** A copy of `tgz` without its prebuilds/ (for a checkout that already holds prebuilds of a release). */
function withoutPrebuilds(tgz: string, outDir: string): string {
  const x = path.join(outDir, 'x');
  fs.mkdirSync(x, { recursive: true });
  run('tar', ['-xzf', tgz, '-C', x], { cwd: outDir });
  fs.rmSync(path.join(x, 'package', 'prebuilds'), { recursive: true, force: true });
  const out = path.join(outDir, path.basename(tgz));
  run('tar', ['-czf', out, '-C', x, 'package'], { cwd: outDir });
  fs.rmSync(x, { recursive: true, force: true });
  return out;
}

export interface RepositoryTarballs {
  /** `npm pack` of the repository with a prebuild for this platform (made by `npm run prebuilds` if missing). */
  withPrebuild: string;
  /** The same without any prebuild. */
  withoutPrebuild: string;
  /** The prebuild this platform loads, as packed (`prebuilds/<platform>-<arch>/...`). */
  platformDir: string;
}

/** Packs the repository itself twice (without and with a prebuild), leaving the repository as it was. */
export function packRepository(root: string): RepositoryTarballs {
  const prebuilds = path.join(REPO, 'prebuilds');
  const platformDir = `prebuilds/${process.platform}-${process.arch}`;
  const hadPrebuilds = fs.existsSync(prebuilds);
  const hadPlatform = fs.existsSync(path.join(REPO, platformDir));
  let withoutPrebuild = hadPrebuilds ? '' : pack(REPO, path.join(root, 'tgz-plain'));
  let withPrebuild: string;
  try {
    if (!hadPlatform) buildPrebuild(root);
    withPrebuild = pack(REPO, path.join(root, 'tgz-prebuilt'));
  } finally {
    if (!hadPrebuilds) fs.rmSync(prebuilds, { recursive: true, force: true });
    else if (!hadPlatform) fs.rmSync(path.join(REPO, platformDir), { recursive: true, force: true });
  }
  if (hadPrebuilds) withoutPrebuild = withoutPrebuilds(withPrebuild, path.join(root, 'tgz-plain'));
  return { withPrebuild, withoutPrebuild, platformDir };
}

/** Names of C/C++ toolchain programs that must not be reachable in the no-compiler modes. */
export const TOOLCHAIN = ['cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'make', 'gmake', 'cmake', 'ninja'];

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first `name` on a PATH string, or null. */
export function findOnPath(name: string, pathVar: string | undefined = process.env.PATH): string | null {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const f = path.join(dir, name);
    if (isExecutable(f)) return f;
  }
  return null;
}

function hasToolchain(dir: string): boolean {
  return TOOLCHAIN.some((t) => isExecutable(path.join(dir, t)));
}

/** The real python3 behind a shim (pyenv and the like run through bash, which this PATH does not have). */
function realPython(): string | null {
  const found = findOnPath('python3');
  if (found === null) return null;
  try {
    const exe = execFileSync(found, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return exe !== '' && isExecutable(exe) ? exe : found;
  } catch {
    return found;
  }
}

/**
 * A PATH with node, npm, sh, env and python3 but no compiler or make, so an install that tries to compile
 * fails exactly as on a machine without a toolchain. Built at run time from the directory of the running
 * node (process.execPath) and the directories where npm, sh, env and python3 are found on the PATH: a
 * directory without any toolchain program is used as it is; from one that has them (/usr/bin on most
 * Linux systems) only the needed programs are linked into a private directory.
 */
export function pathWithoutCompiler(root: string): NodeJS.ProcessEnv {
  const linkDir = path.join(root, 'bin-nocc');
  fs.mkdirSync(linkDir, { recursive: true });
  const tools: Array<{ name: string; file: string | null; required: boolean }> = [
    { name: 'node', file: process.execPath, required: true },
    { name: 'npm', file: findOnPath('npm', `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`), required: true },
    { name: 'sh', file: findOnPath('sh'), required: true },
    { name: 'env', file: findOnPath('env'), required: false },
    { name: 'python3', file: realPython(), required: false },
  ];
  const dirs: string[] = [];
  for (const t of tools) {
    if (t.file === null) {
      if (t.required) throw new Error(`${t.name} is not on the PATH (${process.env.PATH ?? ''})`);
      continue;
    }
    const dir = path.dirname(t.file);
    if (!hasToolchain(dir)) {
      if (!dirs.includes(dir)) dirs.push(dir);
    } else if (!fs.existsSync(path.join(linkDir, t.name))) {
      fs.symlinkSync(t.file, path.join(linkDir, t.name));
    }
  }
  const PATH = [linkDir, ...dirs].join(path.delimiter);
  for (const t of TOOLCHAIN) {
    const found = findOnPath(t, PATH);
    if (found !== null) throw new Error(`the compiler-free PATH ${PATH} still reaches ${found}`);
  }
  return { ...buildEnv(), PATH, CC: '/nonexistent/cc', CXX: '/nonexistent/c++', RRD_BACKENDS_NATIVE: '' };
}

/** An empty project that installs the tarball; returns the project directory and npm's output. */
export function installInto(root: string, name: string, tgz: string, env: NodeJS.ProcessEnv, extra: string[] = []): { dir: string; log: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `install-${name}`, version: '1.0.0', private: true }));
  const log = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', ...extra, tgz], { cwd: dir, env: buildEnv(env) });
  return { dir, log };
}
