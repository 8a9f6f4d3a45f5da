// Formatter benchmark: every line format, native vs fallback, ns per dimension for one export pass over a
// seeded prefix of workload W1 (/work/shared/BENCHMARK.md; default 2,000 charts × 50 = 100k dimensions).
// Each implementation runs in its own child process (no shared JIT state or heap), prints one JSON line;
// the parent prints a system header and a table. With --charts 20000 (the full W1) the output hashes are
// checked against the reference's FNV-1a-64 figures.
//
//   node dist/bench/formatters.js [--charts N] [--passes N] [--impl native|fallback] [--only SUITE]
import { execFileSync } from 'child_process';
import * as os from 'os';
import { getKernel } from '../lib/kernels';
import type { ImplementationName } from '../lib/kernels/types';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import type { FormatOptions } from '../lib/formats';
import { buildW1, Fnv1a64, W1_AFTER, W1_BEFORE, W1_CHARTS, W1_DIMS, W1_HOSTNAME } from '../lib/rrd/w1';

interface Suite {
  name: string;
  options: FormatOptions;
  /** Reference bytes and FNV-1a-64 of the full W1 pass (BENCHMARK.md), where the table gives them. */
  w1?: { bytes: number; fnv: string };
}

const base = { prefix: 'netdata', sendNames: true } as const;
const SUITES: Suite[] = [
  { name: 'graphite average', options: { ...base, format: 'graphite', source: 'average' }, w1: { bytes: 69115680, fnv: 'df2e7f529a5d44fd' } },
  { name: 'graphite sum', options: { ...base, format: 'graphite', source: 'sum' }, w1: { bytes: 70112782, fnv: 'f07c373db9099107' } },
  { name: 'graphite collected', options: { ...base, format: 'graphite', source: 'as-collected' }, w1: { bytes: 64115012, fnv: 'f841bf0a7d9a9dc4' } },
  { name: 'opentsdb average', options: { ...base, format: 'opentsdb', source: 'average' }, w1: { bytes: 78115680, fnv: '56c99381c259dfff' } },
  { name: 'json average', options: { ...base, format: 'json', source: 'average' }, w1: { bytes: 274360180, fnv: '9a461d4819d14613' } },
  { name: 'http single average', options: { ...base, format: 'opentsdb-http', source: 'average', http: { mode: 'single' } } },
  { name: 'http batch average', options: { ...base, format: 'opentsdb-http', source: 'average', http: { mode: 'batch' } } },
];

interface SuiteResult {
  suite: string;
  dims: number;
  bytes: number;
  metrics: number;
  fnv: string;
  /** ns per dimension over the timed passes. */
  median: number;
  min: number;
  max: number;
  /** The first pass, which also builds every chart plan. */
  firstPassMs: number;
}

interface ChildReport {
  impl: ImplementationName;
  buildMs: number;
  peakRssMiB: number;
  results: SuiteResult[];
}

function child(impl: ImplementationName, charts: number, passes: number, only: string): void {
  const kernel = getKernel(impl);
  const t0 = performance.now();
  // The data are packed by the fallback in both processes so both format identical rings.
  const w1 = buildW1({ charts, kernel: getKernel('fallback') });
  const buildMs = performance.now() - t0;
  const dims = charts * W1_DIMS;
  const results: SuiteResult[] = [];
  for (const s of SUITES) {
    if (only !== '' && s.name !== only) continue;
    const fmt = new LineFormatter(s.options, kernel);
    const host = fmt.host(W1_HOSTNAME, null);
    const out = new FormatBuffer(1 << 20);
    const pass = (): number => {
      out.clear();
      let n = 0;
      for (const c of w1.charts) n += fmt.formatChart(host, c, W1_AFTER, W1_BEFORE, out);
      fmt.finish(out);
      return n;
    };
    let t = performance.now();
    const metrics = pass();
    const firstPassMs = performance.now() - t;
    const fnv = new Fnv1a64().update(out.view()).hex();
    const bytes = out.length;
    pass(); // warm-up
    const ns: number[] = [];
    for (let p = 0; p < passes; p++) {
      t = performance.now();
      pass();
      ns.push(((performance.now() - t) * 1e6) / dims);
    }
    ns.sort((a, b) => a - b);
    results.push({ suite: s.name, dims, bytes, metrics, fnv, median: ns[ns.length >> 1] as number, min: ns[0] as number, max: ns[ns.length - 1] as number, firstPassMs });
  }
  const report: ChildReport = { impl, buildMs, peakRssMiB: process.resourceUsage().maxRSS / 1024, results };
  process.stdout.write(JSON.stringify(report) + '\n');
}

function parent(argv: string[]): void {
  const a = { charts: 2000, passes: 9, impls: ['native', 'fallback'] as ImplementationName[], only: '' };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1] ?? '';
    if (k === '--charts') { a.charts = Number(v); i++; }
    else if (k === '--passes') { a.passes = Number(v); i++; }
    else if (k === '--impl') { a.impls = [v as ImplementationName]; i++; }
    else if (k === '--only') { a.only = v; i++; }
    else throw new Error(`unknown option '${k}': accepted --charts N (1..${W1_CHARTS}), --passes N, --impl native|fallback, --only SUITE`);
  }
  if (!Number.isInteger(a.charts) || a.charts < 1 || a.charts > W1_CHARTS) throw new Error(`--charts must be an integer from 1 to ${W1_CHARTS}, got '${a.charts}'`);
  if (!Number.isInteger(a.passes) || a.passes < 1) throw new Error(`--passes must be a positive integer, got '${a.passes}'`);
  if (a.only !== '' && !SUITES.some((s) => s.name === a.only)) throw new Error(`--only '${a.only}' is not a suite; suites: ${SUITES.map((s) => s.name).join(', ')}`);
  const cpu = os.cpus();
  console.log(`# rrd-backends formatter benchmark — ${new Date().toISOString()}`);
  console.log(`# ${cpu[0]?.model ?? 'unknown cpu'} x ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.arch()} ${os.release()}`);
  console.log(`# node ${process.version}, v8 ${process.versions.v8}`);
  console.log(`# workload: first ${a.charts} charts of W1 (${a.charts * W1_DIMS} dimensions), window [T-10, T], ${a.passes} timed passes after a warm-up`);
  const reports: ChildReport[] = [];
  for (const impl of a.impls) {
    try {
      const out = execFileSync(process.execPath, [__filename, '--child', impl, String(a.charts), String(a.passes), a.only], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
      reports.push(JSON.parse(out.trim().split('\n').pop() as string) as ChildReport);
    } catch (err) {
      console.log(`# ${impl}: not measured (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    }
  }
  console.log('suite                 impl      ns/dim med    min    max   MB/s  first pass ms  bytes        fnv-1a-64         check');
  for (const s of SUITES) {
    for (const r of reports) {
      const x = r.results.find((y) => y.suite === s.name);
      if (!x) continue;
      const mbps = (x.bytes / (x.median * x.dims)) * 1e3;
      let check = '-';
      if (s.w1 && a.charts === W1_CHARTS) check = x.bytes === s.w1.bytes && x.fnv === s.w1.fnv ? 'W1 ok' : 'W1 MISMATCH';
      const same = reports.every((o) => o.results.find((y) => y.suite === s.name)?.fnv === x.fnv);
      if (reports.length > 1) check += same ? ' same' : ' DIFFER';
      console.log(`${s.name.padEnd(21)} ${r.impl.padEnd(9)} ${x.median.toFixed(1).padStart(8)} ${x.min.toFixed(1).padStart(6)} ${x.max.toFixed(1).padStart(6)} ${mbps.toFixed(0).padStart(6)} ${x.firstPassMs.toFixed(0).padStart(14)}  ${String(x.bytes).padEnd(12)} ${x.fnv}  ${check}`);
    }
  }
  for (const r of reports) console.log(`# ${r.impl}: workload built in ${r.buildMs.toFixed(0)} ms, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`);
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as ImplementationName, Number(process.argv[4]), Number(process.argv[5]), process.argv[6] ?? '');
} else {
  parent(process.argv.slice(2));
}
