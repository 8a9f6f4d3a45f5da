// Full-size W1 check, run by hand (too slow for the default test run):
//   node dist/lib/rrd/w1-check.js [charts]
// Builds W1 through the database, prints build time, peak RSS and the BENCHMARK.md hashes.
import { implementation } from '../kernels';
import { buildW1, W1_CHARTS, W1_EXPECTED, w1LastCollectedValueHash, w1RingHash } from './w1';

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

function main(): void {
  const charts = process.argv[2] ? Number(process.argv[2]) : W1_CHARTS;
  const t0 = process.hrtime.bigint();
  const w1 = buildW1({ charts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  global.gc?.();
  const mem = process.memoryUsage();
  // The ring as loaded (the reference's words), and with this project's fixed words put in instead.
  const asReference = w1RingHash(w1.charts);
  const ring = w1RingHash(w1.charts, w1.row1.map((r) => ({ chart: r.chart, index: r.index, word: r.fixed })));
  const lcv = w1LastCollectedValueHash(w1.charts);
  const full = charts === W1_CHARTS;
  const mark = (ok: boolean) => (full ? (ok ? ' OK' : ' MISMATCH') : '');
  console.log(`kernel ${implementation}, ${charts} charts × 50 dimensions × 60 entries`);
  console.log(`build ${ms.toFixed(0)} ms, ${((ms * 1e6) / (charts * 50)).toFixed(0)} ns per dimension`);
  console.log(`rss ${mib(mem.rss)} (peak ${mib(process.resourceUsage().maxRSS * 1024)}), heap used ${mib(mem.heapUsed)}, array buffers ${mib(mem.arrayBuffers)}`);
  console.log(`ring hash as loaded (the reference's words) ${asReference}${mark(asReference === W1_EXPECTED.ringHash)}`);
  console.log(`ring hash with this project's pack for the ${w1.row1.length} SPEC §7 row-1 values ${ring}`);
  console.log(`last_collected_value hash ${lcv}${mark(lcv === W1_EXPECTED.lastCollectedValueHash)}`);
  console.log(`prng state 0x${w1.prngState.toString(16).padStart(8, '0')}${mark(w1.prngState === W1_EXPECTED.prngState)}`);
  const ok = !full || (asReference === W1_EXPECTED.ringHash && lcv === W1_EXPECTED.lastCollectedValueHash && w1.prngState === W1_EXPECTED.prngState);
  process.exitCode = ok ? 0 : 1;
}

main();
