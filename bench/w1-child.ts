// One benchmark child: builds W1 (or its first `dims` dimensions) with the project's database and the kernel
// under test, then runs each pass of BENCHMARK.md the way an exporter instance runs it -- LineProducer over
// the sliced format pass (lib/exporter/format-pass.ts: ~10 ms slices, 4 MiB chunks queued in a SendQueue),
// i.e. N-API crossings, buffer growth, chunk hand-over and slicing included -- and prints one JSON line.
//
//   node --expose-gc dist/bench/w1-child.js '{"impl":"native","dims":1000000,"passes":9,"only":[]}'
import { getKernel } from '../lib/kernels';
import type { ImplementationName, Kernel } from '../lib/kernels/types';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { ChartFilter, HostFilter } from '../lib/exporter/filters';
import { formatPass } from '../lib/exporter/format-pass';
import { DEFAULT_CHUNK_BYTES, LineProducer } from '../lib/exporter/producer';
import { SendQueue } from '../lib/exporter/send-queue';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import { SimplePattern } from '../lib/formats/simple-pattern';
import { buildW1, Fnv1a64, W1, W1_AFTER, W1_BEFORE, W1_DIMS, W1_HOSTNAME } from '../lib/rrd/w1';
import { BenchPassId, PassDef, VALUE_CALC, W1_PASSES } from './passes';
import { collectGarbage, peakRssMiB, resetPeakRss, rssMiB, withLoopDelay } from './process-stats';

export interface ChildArgs {
  impl: ImplementationName;
  dims: number;
  passes: number;
  /** Pass ids to run; empty: all. */
  only: BenchPassId[];
  /** Also time the parts of the graphite average pass (formatter alone, format pass into one reused buffer without queueing). */
  breakdown: boolean;
  /** Warm-up: 2 passes after the first, and more (up to 50) until this many ms have passed (default 1000). */
  warmUpMs?: number;
}

export interface Timing {
  /** ns per dimension of each timed pass, ascending. */
  ns: number[];
  median: number;
  min: number;
  max: number;
}

export interface PassResult {
  id: BenchPassId;
  timing: Timing;
  /** Output of one pass (bytes and FNV-1a-64 over all chunks in order; both null for the value calculation). */
  bytes: number | null;
  fnv: string | null;
  metrics: number;
  /** Every timed pass produced the same bytes as the first (warm-up) pass. */
  stable: boolean;
  /**
   * Peak RSS during the pass's first run (plans built, its output queued), and RSS just before it: the
   * process's state then includes what earlier passes left with the allocator.
   */
  peakRssMiB: number;
  rssBeforeMiB: number;
  /** The format pass's longest synchronous slice, and the longest event-loop delay seen (ms). */
  longestSliceMs: number;
  maxLoopDelayMs: number;
  /** The first pass also builds every chart's format plan. */
  firstPassMs: number;
}

export interface Breakdown {
  /** Formatter alone: formatCharts over all charts into one reused buffer. */
  formatter: Timing;
  /** The sliced format pass with every chunk cleared in place instead of queued (no queue, no pool). */
  passRecycled: Timing;
  /** The longest event-loop delay during those passes (ms). */
  passRecycledLoopDelayMs: number;
}

export interface ChildReport {
  impl: ImplementationName;
  dims: number;
  charts: number;
  buildMs: number;
  rssAfterBuildMiB: number;
  peakBuildMiB: number;
  passes: PassResult[];
  breakdown: Breakdown | null;
}

const DIMS_PER_PASS = (w1: W1): number => w1.charts.length * W1_DIMS;
/** See ChildArgs.warmUpMs. */
let WARM_UP_MS = 1000;

function timing(ns: number[]): Timing {
  const s = ns.slice().sort((a, b) => a - b);
  return { ns: s, median: s[s.length >> 1] as number, min: s[0] as number, max: s[s.length - 1] as number };
}

/** Drains a queue, hashing what it holds. */
function drain(q: SendQueue): { bytes: number; fnv: string; metrics: number } {
  const h = new Fnv1a64();
  const metrics = q.metrics;
  let bytes = 0;
  for (let b = q.head; b !== null; b = q.head) {
    const data = b.remaining();
    h.update(data);
    bytes += data.length;
    q.takeLines(b, data.length);
  }
  return { bytes, fnv: h.hex(), metrics };
}

async function exporterPass(w1: W1, kernel: Kernel, def: PassDef, passes: number): Promise<PassResult> {
  const o = resolveBackendOptions({ type: def.type, dataSource: def.dataSource, prefix: 'netdata', sendNames: true, hostname: W1_HOSTNAME });
  const producer = new LineProducer(o, DEFAULT_CHUNK_BYTES, kernel);
  // As backend-instance.ts builds them: the filters (and their caches) live as long as the instance.
  const hostFilter = new HostFilter(SimplePattern.parse(o.sendHostsMatching), () => undefined);
  const chartFilter = new ChartFilter(SimplePattern.parse(o.sendChartsMatching), o.dataSource === 'as-collected');
  const dims = DIMS_PER_PASS(w1);
  let iteration = 0;
  const run = async (queue: SendQueue) => producer.produce({
    db: w1.db, hostFilter, chartFilter, localHostname: W1_HOSTNAME, localTags: null, after: W1_AFTER, before: W1_BEFORE,
    iteration: iteration++, nowMs: Date.now(), queue, queued: () => undefined, sliceMs: 10, aborted: () => false,
  });

  // Warm-up: the first pass builds the plans; its output is the one checked against the reference, its
  // peak RSS is W1 plus one pass (plans, templates and the queued chunks).
  let q = new SendQueue();
  collectGarbage();
  const rssBefore = rssMiB();
  resetPeakRss();
  const t0 = performance.now();
  await run(q);
  const firstPassMs = performance.now() - t0;
  const peak = peakRssMiB();
  const first = drain(q);
  // More warm-up passes while they are short, so the JIT has settled before the timed passes.
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let w = 0; w < 2 || (w < 50 && performance.now() < warmUntil); w++) {
    q = new SendQueue();
    await run(q);
    q.dropAll();
  }

  const ns: number[] = [];
  let longest = 0;
  let maxDelay = 0;
  let stable = true;
  let last = first;
  for (let p = 0; p < passes; p++) {
    q = new SendQueue();
    collectGarbage(); // a pass starts from a collected heap, as after the exporter's idle seconds
    const { value: r, maxDelayMs } = await withLoopDelay(() => run(q));
    ns.push((r.totalMs * 1e6) / dims);
    longest = Math.max(longest, r.longestSliceMs);
    maxDelay = Math.max(maxDelay, maxDelayMs);
    if (p === passes - 1 || q.bytes !== first.bytes) {
      last = drain(q);
      stable &&= last.bytes === first.bytes && last.fnv === first.fnv;
    } else {
      stable &&= q.bytes === first.bytes;
      q.dropAll();
    }
  }
  return {
    id: def.id, timing: timing(ns), bytes: first.bytes, fnv: first.fnv, metrics: first.metrics, stable,
    peakRssMiB: peak, rssBeforeMiB: rssBefore, longestSliceMs: longest, maxLoopDelayMs: maxDelay, firstPassMs,
  };
}

function valueCalcPass(w1: W1, kernel: Kernel, passes: number): PassResult {
  const out = new Float64Array(W1_DIMS);
  const dims = DIMS_PER_PASS(w1);
  const run = () => {
    const t = performance.now();
    for (const c of w1.charts) kernel.storedValuesInto(c.ring, c.meta, W1_AFTER, W1_BEFORE, 'average', out);
    return performance.now() - t;
  };
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let w = 0; w < 2 || (w < 200 && performance.now() < warmUntil); w++) run();
  const ns: number[] = [];
  collectGarbage();
  const rssBefore = rssMiB();
  resetPeakRss();
  for (let p = 0; p < passes; p++) ns.push((run() * 1e6) / dims);
  return {
    id: VALUE_CALC.id, timing: timing(ns), bytes: null, fnv: null, metrics: dims, stable: true, peakRssMiB: peakRssMiB(),
    rssBeforeMiB: rssBefore, longestSliceMs: NaN, maxLoopDelayMs: NaN, firstPassMs: NaN,
  };
}

/** The parts of the graphite average pass (see Breakdown). */
async function breakdown(w1: W1, kernel: Kernel, passes: number): Promise<Breakdown> {
  const dims = DIMS_PER_PASS(w1);
  const fmt = new LineFormatter({ format: 'graphite', source: 'average', prefix: 'netdata', sendNames: true }, kernel);
  const host = fmt.host(W1_HOSTNAME, null);
  const out = new FormatBuffer();
  const formatter = (): number => {
    out.clear();
    const t = performance.now();
    for (let k = 0; k < w1.charts.length;) k = fmt.formatCharts(host, w1.charts, k, w1.charts.length, W1_AFTER, W1_BEFORE, out).next;
    return ((performance.now() - t) * 1e6) / dims;
  };
  const chartFilter = new ChartFilter(SimplePattern.parse('*'), false);
  const hostFilter = new HostFilter(SimplePattern.parse('*'), () => undefined);
  const recycled = async (): Promise<number> => {
    const r = await formatPass({
      db: w1.db, formatter: fmt, hostFilter, chartFilter, localHostname: W1_HOSTNAME, localTags: null, after: W1_AFTER,
      before: W1_BEFORE, out, sliceMs: 10, chunkBytes: DEFAULT_CHUNK_BYTES, onChunk: () => out.clear(),
    });
    return (r.totalMs * 1e6) / dims;
  };
  const warmUntil = performance.now() + WARM_UP_MS;
  for (let w = 0; w < 2 || (w < 50 && performance.now() < warmUntil); w++) {
    formatter();
    await recycled();
  }
  const a: number[] = [];
  const b: number[] = [];
  let delay = 0;
  for (let p = 0; p < passes; p++) {
    collectGarbage();
    a.push(formatter());
    collectGarbage();
    const { value, maxDelayMs } = await withLoopDelay(recycled);
    b.push(value);
    delay = Math.max(delay, maxDelayMs);
  }
  return { formatter: timing(a), passRecycled: timing(b), passRecycledLoopDelayMs: delay };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
  if (args.warmUpMs !== undefined) WARM_UP_MS = args.warmUpMs;
  const kernel = getKernel(args.impl);
  const charts = args.dims / W1_DIMS;
  const t0 = performance.now();
  // The kernel under test packs the storage numbers too: a fallback child never loads the addon.
  const w1 = buildW1({ charts, kernel });
  const buildMs = performance.now() - t0;
  const peakBuildMiB = peakRssMiB();
  collectGarbage();
  const report: ChildReport = {
    impl: kernel.implementation, dims: charts * W1_DIMS, charts, buildMs, rssAfterBuildMiB: rssMiB(), peakBuildMiB, passes: [],
    breakdown: null,
  };
  const want = (id: BenchPassId): boolean => args.only.length === 0 || args.only.includes(id);
  for (const def of W1_PASSES) {
    if (!want(def.id)) continue;
    process.stderr.write(`  ${kernel.implementation} ${args.dims} dims: ${def.label}\n`);
    report.passes.push(await exporterPass(w1, kernel, def, args.passes));
  }
  if (want(VALUE_CALC.id)) report.passes.push(valueCalcPass(w1, kernel, args.passes));
  if (args.breakdown) report.breakdown = await breakdown(w1, kernel, args.passes);
  process.stdout.write(JSON.stringify(report) + '\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
