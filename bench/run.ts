// `npm run bench [-- options]`: workload W1 (BENCHMARK.md) on the native kernel and on the fallback, each in
// its own child process, as the exporter runs it; a table against the reference's figures, a scaling run
// (10k, 100k, 1M dimensions), the benchmark.js micro suites, and bench/results/w1.{svg,json,md}.
// A pass whose output hash mismatches the reference (or differs between native and fallback) is a bug, not a
// result: it is reported as such and the exit code is 1.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { ImplementationName } from '../lib/kernels/types';
import { W1_CHARTS, W1_DIMS } from '../lib/rrd/w1';
import type { MicroArgs, MicroResult } from './micro-child';
import { MICRO_SUITES } from './micro-child';
import { ALL_PASS_IDS, BenchPassId, REFERENCE_NOTE, VALUE_CALC, W1_PASSES } from './passes';
import { barChart, BarGroup, Line, lineChart, stack } from './svg';
import { headerLines, SystemInfo, systemInfo } from './system';
import type { ChildArgs, ChildReport, PassResult } from './w1-child';

const FULL_DIMS = W1_CHARTS * W1_DIMS;
const SCALING_DIMS = [10000, 100000, FULL_DIMS];
const SCALING_PASSES: BenchPassId[] = ['graphite-average', 'json-average'];
const RESULTS_DIR = path.resolve(__dirname, '..', '..', 'bench', 'results');

export interface BenchOptions {
  dims: number;
  only: BenchPassId[];
  impls: ImplementationName[];
  passes: number;
  scaling: boolean;
  micro: boolean;
  write: boolean;
  json: boolean;
  warmUpMs: number;
}

const USAGE = `usage: npm run bench -- [options]
  --dims N          the first N dimensions of W1 (a multiple of 50, 50..${FULL_DIMS}; default ${FULL_DIMS}, the full W1)
  --only PASS       one pass: ${ALL_PASS_IDS.join(', ')}
  --impl NAME       native or fallback (default: both, each in its own process)
  --passes N        timed passes after the warm-up (default 9; the table needs >= 7 for a fair median)
  --warmup MS       warm-up: 2 passes, then more while they take less than MS in all (default 1000)
  --scaling         also run ${SCALING_DIMS.filter((d) => d !== FULL_DIMS).join(' and ')} dimensions (default: on for a full run)
  --no-scaling      --micro / --no-micro: the benchmark.js micro suites (default: on for a full run)
  --write           write bench/results/w1.{svg,json,md} (default: on for a full run); --no-write
  --json            print every result as one JSON line at the end
  --render [FILE]   only redraw bench/results/w1.{svg,md} from a saved w1.json`;

export class BenchUsageError extends Error {
  readonly code = 'ERR_BENCH_USAGE';
}

export function parseBenchArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = { dims: FULL_DIMS, only: [], impls: ['native', 'fallback'], passes: 9, scaling: true, micro: true, write: true, json: false, warmUpMs: 1000 };
  const set = new Set<string>();
  const value = (i: number, key: string): string => {
    const v = argv[i + 1];
    if (v === undefined) throw new BenchUsageError(`${key} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i] as string;
    set.add(k.replace(/^--no-/, '--'));
    switch (k) {
      case '--dims': {
        const v = value(i++, k);
        const n = Number(v.replace(/[_,]/g, ''));
        if (!(Number.isInteger(n) && n >= W1_DIMS && n <= FULL_DIMS && n % W1_DIMS === 0)) {
          throw new BenchUsageError(`--dims '${v}' is not accepted: a multiple of ${W1_DIMS} from ${W1_DIMS} to ${FULL_DIMS}`);
        }
        o.dims = n;
        break;
      }
      case '--only': {
        const v = value(i++, k);
        if (!(ALL_PASS_IDS as readonly string[]).includes(v)) throw new BenchUsageError(`--only '${v}' is not a pass; passes: ${ALL_PASS_IDS.join(', ')}`);
        o.only = [v as BenchPassId];
        break;
      }
      case '--impl': {
        const v = value(i++, k);
        if (v !== 'native' && v !== 'fallback') throw new BenchUsageError(`--impl '${v}' is not accepted: native or fallback`);
        o.impls = [v];
        break;
      }
      case '--passes': {
        const v = value(i++, k);
        const n = Number(v);
        if (!(Number.isInteger(n) && n >= 1 && n <= 1000)) throw new BenchUsageError(`--passes '${v}' is not accepted: an integer from 1 to 1000`);
        o.passes = n;
        break;
      }
      case '--warmup': {
        const v = value(i++, k);
        const n = Number(v);
        if (!(Number.isInteger(n) && n >= 0 && n <= 600000)) throw new BenchUsageError(`--warmup '${v}' is not accepted: milliseconds from 0 to 600000`);
        o.warmUpMs = n;
        break;
      }
      case '--scaling': case '--no-scaling': o.scaling = k === '--scaling'; break;
      case '--micro': case '--no-micro': o.micro = k === '--micro'; break;
      case '--write': case '--no-write': o.write = k === '--write'; break;
      case '--json': o.json = true; break;
      case '-h': case '--help': throw new BenchUsageError('help');
      default: throw new BenchUsageError(`unknown option '${k}'`);
    }
  }
  // A smaller or partial run is for a quick look: it neither scales, nor runs the micro suites, nor replaces
  // the committed results, unless asked to.
  const partial = o.dims !== FULL_DIMS || o.only.length > 0 || o.impls.length < 2;
  if (partial) {
    if (!set.has('--scaling')) o.scaling = false;
    if (!set.has('--micro')) o.micro = false;
    if (!set.has('--write')) o.write = false;
  }
  return o;
}

/** Runs one child script; its last stdout line is its JSON report. */
function runChild<T>(script: string, impl: ImplementationName, args: object): T {
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, script), JSON.stringify(args)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    // The fallback child runs with the addon switched off entirely; the native one insists on it.
    env: { ...process.env, RRD_BACKENDS_NATIVE: impl === 'native' ? '1' : '0' },
  });
  if (r.error) throw r.error;
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`${script} ${impl} exited with ${r.status ?? r.signal}`);
  return JSON.parse(last) as T;
}

const fmt = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
const label = (id: BenchPassId): string => (id === VALUE_CALC.id ? VALUE_CALC.label : W1_PASSES.find((p) => p.id === id)?.label ?? id);
const referenceOf = (id: BenchPassId) => W1_PASSES.find((p) => p.id === id)?.reference;

export interface Verdict {
  /** 'OK' / 'MISMATCH' against the reference (full W1 only), 'n/a' otherwise; '-' without output. */
  reference: string;
  /** 'same' / 'DIFFER' between the implementations, '' with one implementation. */
  implementations: string;
}

export function verdict(id: BenchPassId, r: PassResult, all: ChildReport[], dims: number): Verdict {
  if (r.fnv === null) return { reference: '-', implementations: '' };
  const ref = referenceOf(id);
  let reference = 'n/a';
  if (dims === FULL_DIMS && ref) reference = r.bytes === ref.bytes && r.fnv === ref.fnv ? 'OK' : 'MISMATCH';
  if (!r.stable) reference = 'UNSTABLE';
  const others = all.map((c) => c.passes.find((p) => p.id === id)).filter((p): p is PassResult => p !== undefined);
  const implementations = others.length < 2 ? '' : others.every((p) => p.fnv === r.fnv && p.bytes === r.bytes) ? 'same' : 'DIFFER';
  return { reference, implementations };
}

function passTable(reports: ChildReport[], dims: number, passes: number): { lines: string[]; markdown: string[]; bugs: string[] } {
  const lines: string[] = [];
  const md: string[] = [];
  const bugs: string[] = [];
  lines.push(`W1 ${dims === FULL_DIMS ? '' : `(first ${dims} dimensions) `}as the exporter runs it: LineProducer, 10 ms slices, 4 MiB chunks; ns per dimension over ${passes} passes after a warm-up`);
  lines.push('pass                            impl      median      min      max    ref  bytes/pass   output      RSS before/peak  slice ms  loop delay ms');
  md.push('| pass | impl | ns/dim median (min-max) | reference ns/dim | bytes per pass | output | RSS before / peak | longest slice | loop delay |');
  md.push('|---|---|---|---|---|---|---|---|---|');
  const ids = [...new Set(reports.flatMap((r) => r.passes.map((p) => p.id)))];
  for (const id of ids) {
    const ref = referenceOf(id);
    const refNs = id === VALUE_CALC.id ? VALUE_CALC.reference.ns : ref?.ns ?? NaN;
    reports.forEach((c, i) => {
      const r = c.passes.find((p) => p.id === id);
      if (!r) return;
      const v = verdict(id, r, reports, dims);
      const check = [v.reference, v.implementations].filter((s) => s !== '').join(', ');
      if (v.reference === 'MISMATCH' || v.reference === 'UNSTABLE' || v.implementations === 'DIFFER') {
        bugs.push(`BUG: ${label(id)} (${c.impl}): output ${check}: bytes ${r.bytes} fnv ${r.fnv}${ref ? `, reference ${ref.bytes} ${ref.fnv}` : ''}`);
      }
      const t = r.timing;
      const rss = `${fmt(r.rssBeforeMiB, 0)}/${fmt(r.peakRssMiB, 0)} MiB`;
      lines.push(`${(i === 0 ? label(id) : '').padEnd(31)} ${c.impl.padEnd(9)} ${fmt(t.median).padStart(7)} ${fmt(t.min).padStart(8)} ${fmt(t.max).padStart(8)} ${fmt(refNs, 0).padStart(6)}  ${String(r.bytes ?? '-').padEnd(11)}  ${check.padEnd(10)} ${rss.padStart(15)} ${fmt(r.longestSliceMs).padStart(9)} ${fmt(r.maxLoopDelayMs).padStart(13)}`);
      md.push(`| ${label(id)} | ${c.impl} | ${fmt(t.median)} (${fmt(t.min)}-${fmt(t.max)}) | ${fmt(refNs, 0)} | ${r.bytes ?? '-'} | ${check || '-'} | ${fmt(r.rssBeforeMiB, 0)} / ${fmt(r.peakRssMiB, 0)} MiB | ${Number.isFinite(r.longestSliceMs) ? `${fmt(r.longestSliceMs)} ms` : '-'} | ${Number.isFinite(r.maxLoopDelayMs) ? `${fmt(r.maxLoopDelayMs)} ms` : '-'} |`);
    });
  }
  for (const c of reports) {
    lines.push(`# ${c.impl}: W1 (${c.charts} charts) built in ${(c.buildMs / 1000).toFixed(1)} s, RSS ${fmt(c.rssAfterBuildMiB, 0)} MiB after it (peak ${fmt(c.peakBuildMiB, 0)} MiB)`);
    const b = c.breakdown;
    const g = c.passes.find((p) => p.id === 'graphite-average');
    if (b && g) {
      lines.push(`# ${c.impl}: graphite stored average, median (min) ns/dim: formatter alone ${fmt(b.formatter.median)} (${fmt(b.formatter.min)}), ` +
        `sliced format pass into one reused buffer ${fmt(b.passRecycled.median)} (${fmt(b.passRecycled.min)}; loop delay ${fmt(b.passRecycledLoopDelayMs)} ms), ` +
        `as the exporter runs it (chunks queued, taken from and returned to the instance's ChunkPool) ${fmt(g.timing.median)} (${fmt(g.timing.min)})`);
      lines.push(`# ${c.impl}: peak RSS with W1 and one graphite pass: ${fmt(g.peakRssMiB, 0)} MiB (${fmt(g.rssBeforeMiB, 0)} MiB before it)`);
    }
  }
  return { lines, markdown: md, bugs };
}

function scalingTable(points: Map<string, Map<number, number>>): string[] {
  const dims = [...new Set([...points.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const lines = [`scaling: median ns per dimension by W1 size`, `${''.padEnd(42)}${dims.map((d) => d.toLocaleString('en-US').padStart(12)).join('')}`];
  for (const [series, m] of points) lines.push(`${series.padEnd(42)}${dims.map((d) => fmt(m.get(d) ?? NaN).padStart(12)).join('')}`);
  return lines;
}

function microTable(rows: Array<{ impl: string; results: MicroResult[] }>, dims: number): string[] {
  const lines = [`micro-benchmarks (benchmark.js, mean ± relative margin of error), first ${dims} dimensions of W1`,
    'suite                          impl        ns/unit  unit          ±%  samples  output'];
  for (const s of MICRO_SUITES) {
    for (const r of rows) {
      const x = r.results.find((y) => y.suite === s);
      if (!x) continue;
      const same = x.fnv === null ? '' : rows.every((o) => o.results.find((y) => y.suite === s)?.fnv === x.fnv) ? 'same' : 'DIFFER';
      lines.push(`${s.padEnd(30)} ${r.impl.padEnd(9)} ${fmt(x.ns).padStart(9)}  ${x.unit.padEnd(10)} ${fmt(x.rme).padStart(5)}  ${String(x.samples).padStart(7)}  ${same}`);
    }
  }
  return lines;
}

function chart(reports: ChildReport[], points: Map<string, Map<number, number>>, sys: SystemInfo): string {
  const ids = [...new Set(reports.flatMap((r) => r.passes.map((p) => p.id)))];
  const groups: BarGroup[] = ids.map((id) => ({
    label: label(id),
    bars: [
      ...reports.map((c) => ({ series: c.impl, value: c.passes.find((p) => p.id === id)?.timing.median ?? NaN })),
      { series: 'reference', value: id === VALUE_CALC.id ? VALUE_CALC.reference.ns : referenceOf(id)?.ns ?? NaN },
    ].filter((b) => Number.isFinite(b.value)),
  }));
  const docs = [barChart(`W1, ${reports[0]?.dims.toLocaleString('en-US') ?? ''} dimensions: ns per dimension (median), ${sys.cpu} x ${sys.cpus}`, 'ns per dimension', groups)];
  if (points.size > 0) {
    const lines: Line[] = [...points].map(([series, m]) => ({ series, dashed: series.includes('json'), points: [...m].sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y })) }));
    docs.push(lineChart('Scaling: ns per dimension by number of dimensions (median)', 'dimensions', 'ns per dimension', lines));
  }
  return stack(docs);
}

interface SavedResults {
  system: SystemInfo;
  options: BenchOptions;
  reports: ChildReport[];
  scaling: Record<string, Record<string, number>>;
  micro: Array<{ impl: string; dims: number; results: MicroResult[] }>;
}

/** bench/results/w1.{json,svg,md} from one run's results. */
function writeResults(r: SavedResults): void {
  const points = new Map(Object.entries(r.scaling).map(([k, v]) => [k, new Map(Object.entries(v).map(([d, ns]) => [Number(d), ns]))]));
  const table = passTable(r.reports, r.options.dims, r.options.passes);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'w1.svg'), chart(r.reports, points, r.system));
  fs.writeFileSync(path.join(RESULTS_DIR, 'w1.json'), JSON.stringify(r, null, 1) + '\n');
  const md = [...headerLines(r.system).map((l) => l.replace(/^# /, '')).map((l) => `${l}  `), '', ...table.markdown, '', REFERENCE_NOTE, ''];
  fs.writeFileSync(path.join(RESULTS_DIR, 'w1.md'), md.join('\n'));
}

function main(): number {
  // `--render FILE`: redraw bench/results from a saved w1.json (no measurement).
  if (process.argv[2] === '--render') {
    writeResults(JSON.parse(fs.readFileSync(process.argv[3] ?? path.join(RESULTS_DIR, 'w1.json'), 'utf8')) as SavedResults);
    return 0;
  }
  let o: BenchOptions;
  try {
    o = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof BenchUsageError) {
      if (err.message !== 'help') process.stderr.write(`${err.message}\n`);
      process.stderr.write(`${USAGE}\n`);
      return err.message === 'help' ? 0 : 2;
    }
    throw err;
  }
  const sys = systemInfo();
  const print = (lines: string[]) => {
    for (const l of lines) console.log(l);
  };
  print(headerLines(sys));
  print([`# ${o.impls.join(' and ')}, each in its own process; W1 ${o.dims === FULL_DIMS ? 'in full' : `first ${o.dims} dimensions`}`, '']);
  let failed = false;
  const reports: ChildReport[] = [];
  for (const impl of o.impls) {
    const args: ChildArgs = { impl, dims: o.dims, passes: o.passes, only: o.only, breakdown: o.only.length === 0 || o.only.includes('graphite-average'), warmUpMs: o.warmUpMs };
    try {
      reports.push(runChild<ChildReport>('w1-child.js', impl, args));
    } catch (err) {
      failed = true;
      print([`# ${impl}: not measured (${err instanceof Error ? err.message : String(err)})`]);
    }
  }
  const table = passTable(reports, o.dims, o.passes);
  print(table.lines);
  if (table.bugs.length > 0) {
    failed = true;
    print(table.bugs);
  }

  // series -> dims -> median ns/dim
  const points = new Map<string, Map<number, number>>();
  const addPoints = (c: ChildReport) => {
    for (const p of c.passes) {
      if (!SCALING_PASSES.includes(p.id)) continue;
      const series = `${c.impl} ${label(p.id).replace(' stored', '')}`;
      if (!points.has(series)) points.set(series, new Map());
      points.get(series)?.set(c.dims, p.timing.median);
    }
  };
  if (o.scaling) {
    reports.forEach(addPoints);
    for (const dims of SCALING_DIMS) {
      if (dims === o.dims) continue;
      for (const impl of o.impls) {
        try {
          const c = runChild<ChildReport>('w1-child.js', impl, { impl, dims, passes: o.passes, only: SCALING_PASSES, breakdown: false, warmUpMs: o.warmUpMs } satisfies ChildArgs);
          addPoints(c);
          const bugs = passTable([c], dims, o.passes).bugs;
          if (bugs.length > 0) { failed = true; print(bugs); }
        } catch (err) {
          failed = true;
          print([`# scaling ${impl} ${dims}: not measured (${err instanceof Error ? err.message : String(err)})`]);
        }
      }
    }
    print([], );
    print(scalingTable(points));
  }

  let micro: Array<{ impl: string; dims: number; results: MicroResult[] }> = [];
  if (o.micro) {
    const dims = Math.min(o.dims, 100000);
    for (const impl of o.impls) {
      try {
        micro.push(runChild('micro-child.js', impl, { impl, dims, only: '' } satisfies MicroArgs));
      } catch (err) {
        failed = true;
        print([`# micro ${impl}: not measured (${err instanceof Error ? err.message : String(err)})`]);
      }
    }
    print([]);
    print(microTable(micro, dims));
  } else {
    micro = [];
  }

  if (o.write) {
    const saved: SavedResults = { system: sys, options: o, reports, scaling: Object.fromEntries([...points].map(([k, v]) => [k, Object.fromEntries(v)])), micro };
    writeResults(saved);
    print([`# wrote ${path.relative(process.cwd(), RESULTS_DIR)}/w1.svg, w1.json, w1.md`]);
  }
  if (o.json) console.log(JSON.stringify({ system: sys, reports, scaling: Object.fromEntries([...points].map(([k, v]) => [k, Object.fromEntries(v)])), micro }));
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
