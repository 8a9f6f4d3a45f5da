// `npm run bench [-- --dims N] [--only SUITE] [--impl native|fallback]`
// Runs every suite on the native kernel and on the fallback, each in its own child process,
// and prints a system header and one table.
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import type { MicroResult } from './worker';

interface Args { dims: number; only: string; impls: string[] }

function parseArgs(argv: string[]): Args {
  const a: Args = { dims: 100000, only: '', impls: ['native', 'fallback'] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--dims') { a.dims = Number(v); i++; }
    else if (k === '--only') { a.only = v ?? ''; i++; }
    else if (k === '--impl') { a.impls = [v ?? '']; i++; }
    else throw new Error(`unknown option '${k}': accepted --dims N, --only SUITE, --impl native|fallback`);
  }
  if (!Number.isInteger(a.dims) || a.dims < 50) throw new Error(`--dims must be an integer >= 50, got '${a.dims}'`);
  return a;
}

function header(): string {
  const cpu = os.cpus();
  return [
    `# rrd-backends benchmark — ${new Date().toISOString()}`,
    `# ${cpu[0]?.model ?? 'unknown cpu'} x ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.arch()} ${os.release()}`,
    `# node ${process.version}, v8 ${process.versions.v8}`,
  ].join('\n');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  console.log(header());
  const rows: Array<{ impl: string } & MicroResult> = [];
  for (const impl of args.impls) {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'worker.js'), impl, String(args.dims), args.only], { encoding: 'utf8' });
    const parsed = JSON.parse(out.trim().split('\n').pop() as string) as { results: MicroResult[] };
    for (const r of parsed.results) rows.push({ impl, ...r });
  }
  console.log(`# ${args.dims} dimensions, 50 per chart, 60 entries, 10-slot window`);
  console.log('suite                 impl       ns/unit     unit        ±%     samples');
  for (const r of rows) {
    console.log(`${r.suite.padEnd(21)} ${r.impl.padEnd(9)} ${r.ns.toFixed(1).padStart(9)}   ${r.unit.padEnd(10)} ${r.rme.toFixed(1).padStart(5)}  ${String(r.samples).padStart(6)}`);
  }
}

main();
