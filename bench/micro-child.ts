// Micro-benchmarks of the kernel's hot paths (benchmark.js), one implementation per process, on the first
// charts of W1: storage-number unpacking, the slot walk (value calculation), and every line formatter
// (one formatCharts call over all the charts, i.e. the exporter's batched kernel calls, without its slicing
// and chunking). Prints one JSON line.
//
//   node dist/bench/micro-child.js '{"impl":"native","dims":100000,"only":""}'
import Benchmark = require('benchmark');
import { getKernel } from '../lib/kernels';
import type { ImplementationName } from '../lib/kernels/types';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import type { FormatOptions } from '../lib/formats';
import { buildW1, Fnv1a64, W1_AFTER, W1_BEFORE, W1_DIMS, W1_HOSTNAME } from '../lib/rrd/w1';

export interface MicroArgs {
  impl: ImplementationName;
  dims: number;
  /** A suite name, or '' for all. */
  only: string;
}

export interface MicroResult {
  suite: string;
  unit: string;
  /** Nanoseconds per unit (mean of the benchmark.js samples) and the relative margin of error (%). */
  ns: number;
  rme: number;
  samples: number;
  /** FNV-1a-64 of the formatter's output (null for the numeric suites): native and fallback must agree. */
  fnv: string | null;
}

const base = { prefix: 'netdata', sendNames: true } as const;
export const FORMATTER_SUITES: ReadonlyArray<{ name: string; options: FormatOptions }> = [
  { name: 'format graphite average', options: { ...base, format: 'graphite', source: 'average' } },
  { name: 'format graphite sum', options: { ...base, format: 'graphite', source: 'sum' } },
  { name: 'format graphite collected', options: { ...base, format: 'graphite', source: 'as-collected' } },
  { name: 'format opentsdb average', options: { ...base, format: 'opentsdb', source: 'average' } },
  { name: 'format json average', options: { ...base, format: 'json', source: 'average' } },
  { name: 'format http single average', options: { ...base, format: 'opentsdb-http', source: 'average', http: { mode: 'single' } } },
  { name: 'format http batch average', options: { ...base, format: 'opentsdb-http', source: 'average', http: { mode: 'batch' } } },
];
export const MICRO_SUITES: readonly string[] = ['unpack', 'slot walk average', 'slot walk sum', ...FORMATTER_SUITES.map((s) => s.name)];

function measure(suite: string, unit: string, unitsPerOp: number, fn: () => void, fnv: string | null = null): MicroResult {
  const bench = new Benchmark(suite, fn, { minSamples: 7, maxTime: 1 });
  bench.run();
  if (bench.error) throw bench.error;
  return { suite, unit, ns: (bench.stats.mean * 1e9) / unitsPerOp, rme: bench.stats.rme, samples: bench.stats.sample.length, fnv };
}

function main(): void {
  const args = JSON.parse(process.argv[2] ?? '{}') as MicroArgs;
  const k = getKernel(args.impl);
  const w1 = buildW1({ charts: args.dims / W1_DIMS, kernel: k });
  const dims = w1.charts.length * W1_DIMS;
  const want = (s: string): boolean => args.only === '' || args.only === s;
  const results: MicroResult[] = [];

  if (want('unpack')) {
    const words = new Uint32Array(dims * w1.charts[0]!.entries);
    let o = 0;
    for (const c of w1.charts) {
      words.set(c.ring, o);
      o += c.ring.length;
    }
    const out = new Float64Array(words.length);
    results.push(measure('unpack', 'value', words.length, () => k.unpackInto(words, out)));
  }
  for (const mode of ['average', 'sum'] as const) {
    if (!want(`slot walk ${mode}`)) continue;
    const out = new Float64Array(W1_DIMS);
    results.push(measure(`slot walk ${mode}`, 'dimension', dims, () => {
      for (const c of w1.charts) k.storedValuesInto(c.ring, c.meta, W1_AFTER, W1_BEFORE, mode, out);
    }));
  }
  for (const s of FORMATTER_SUITES) {
    if (!want(s.name)) continue;
    const fmt = new LineFormatter(s.options, k);
    const host = fmt.host(W1_HOSTNAME, null);
    const out = new FormatBuffer(1 << 20);
    const pass = (): void => {
      out.clear();
      for (let i = 0; i < w1.charts.length;) i = fmt.formatCharts(host, w1.charts, i, w1.charts.length, W1_AFTER, W1_BEFORE, out).next;
      fmt.finish(out);
    };
    pass();
    const fnv = new Fnv1a64().update(out.view()).hex();
    results.push(measure(s.name, 'dimension', dims, pass, fnv));
  }
  process.stdout.write(JSON.stringify({ impl: k.implementation, dims, results }) + '\n');
}

if (require.main === module) main();
