// Builds installable tarballs of this package in a temporary directory, for the install-mode tests.
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

/** A copy of the publishable part of the package (what `files` in package.json names, before packing). */
export function stagePackage(root: string): string {
  const dir = path.join(root, 'pkg');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'binding.gyp', 'README.md']) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  fs.cpSync(path.join(REPO, 'native'), path.join(dir, 'native'), { recursive: true });
  fs.cpSync(path.join(REPO, 'esm'), path.join(dir, 'esm'), { recursive: true });
  fs.cpSync(path.join(REPO, 'dist', 'lib'), path.join(dir, 'dist', 'lib'), { recursive: true });
  // prebuildify needs node-addon-api's headers: reuse the repository's installed dependencies.
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** npm pack without lifecycle scripts (the staged copy is already built); returns the tarball path. */
export function pack(pkgDir: string, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', outDir], { cwd: pkgDir });
  const info = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return path.join(outDir, info[0].filename);
}

export function listTarball(tgz: string): string[] {
  return run('tar', ['-tzf', tgz], { cwd: os.tmpdir() }).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
}

/**
 * A PATH with node and npm but no compiler or make, so an install that tries to compile fails
 * exactly as on a machine without a toolchain.
 */
export function pathWithoutCompiler(root: string): NodeJS.ProcessEnv {
  const bin = path.join(root, 'bin-nocc');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of ['node', 'npm', 'sh', 'env', 'python3', 'tar', 'gzip']) {
    const src = `/usr/bin/${tool}`;
    if (fs.existsSync(src) && !fs.existsSync(path.join(bin, tool))) fs.symlinkSync(fs.realpathSync(src), path.join(bin, tool));
  }
  return { ...process.env, PATH: bin, CC: '/nonexistent/cc', CXX: '/nonexistent/c++', RRD_BACKENDS_NATIVE: '' };
}

/** An empty project that installs the tarball; returns the project directory. */
export function installInto(root: string, name: string, tgz: string, env: NodeJS.ProcessEnv): { dir: string; log: string } {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `install-${name}`, version: '1.0.0', private: true }));
  const log = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tgz], { cwd: dir, env });
  return { dir, log };
}
