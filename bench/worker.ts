// One benchmark process for one kernel implementation; prints one JSON line of results.
// Each implementation runs in its own process so JIT state and heap do not leak between them.
import Benchmark = require('benchmark');
import { getKernel, ImplementationName } from '../lib/kernels';
import { microCharts } from './workload';

export interface MicroResult {
  suite: string;
  unit: string;
  /** nanoseconds per unit: mean of benchmark.js samples, and the relative margin of error (%). */
  ns: number;
  rme: number;
  samples: number;
}

function runOne(name: string, unit: string, unitsPerOp: number, fn: () => void): MicroResult {
  const bench = new Benchmark(name, fn, { minSamples: 7, maxTime: 2 });
  bench.run();
  if (bench.error) throw bench.error;
  const nsPerOp = bench.stats.mean * 1e9;
  return { suite: name, unit, ns: nsPerOp / unitsPerOp, rme: bench.stats.rme, samples: bench.stats.sample.length };
}

function main(): void {
  const impl = process.argv[2] as ImplementationName;
  const dims = Number(process.argv[3] ?? 100000);
  const only = process.argv[4] ?? '';
  const k = getKernel(impl);
  const charts = microCharts(dims);
  const results: MicroResult[] = [];
  const want = (s: string): boolean => only === '' || only === s;

  if (want('unpack')) {
    const words = new Uint32Array(charts.reduce((n, c) => n + c.ring.length, 0));
    let o = 0;
    for (const c of charts) { words.set(c.ring, o); o += c.ring.length; }
    const out = new Float64Array(words.length);
    results.push(runOne('unpack', 'value', words.length, () => k.unpackInto(words, out)));
  }
  if (want('average') || want('sum')) {
    for (const mode of ['average', 'sum'] as const) {
      if (!want(mode)) continue;
      const out = new Float64Array(50);
      // Window of 10 seconds as the exporter passes it (after = T - 10, before = T): 10 slots per dimension.
      results.push(runOne(`slot-walk ${mode}`, 'dimension', dims, () => {
        for (const c of charts) k.storedValuesInto(c.ring, c.meta, 1699999990, 1700000000, mode, out);
      }));
    }
  }
  process.stdout.write(JSON.stringify({ impl, dims, results }) + '\n');
}

main();
