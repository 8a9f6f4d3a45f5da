// The one-line summaries the command prints on stdout: one per exporter iteration, one per instance at
// shutdown. Counts are the exporter's own (SPEC §5.15 plus the exact ledger of lib/exporter/counters.ts),
// so a reader can check buffered = sent + lost + left.
import type { StopReport } from '../exporter/backend-instance';
import type { IterationCounters } from '../exporter/counters';

/** `[backend]` or `[backend:NAME]`, as the section is written in netdata.conf. */
export function sectionLabel(name: string | null): string {
  return name === null ? '[backend]' : `[backend:${name}]`;
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/**
 * One iteration: `#12 [backend] -> file:/tmp/x: buffered 1234 metrics (96.4 KiB), sent 1234 (96.4 KiB),
 * lost 0 (0 B), left 0, 3.2 ms`. The duration is formatting plus sending.
 */
export function iterationStatusLine(name: string | null, destination: string, c: IterationCounters): string {
  const ms = c.formatMs + c.sendMs;
  const failing = c.failures > 0 ? `, failing for ${c.failures} iteration(s)` : '';
  return `#${c.iteration} ${sectionLabel(name)} -> ${destination}: buffered ${c.bufferedMetrics} metrics (${formatBytes(c.bufferedBytes)}), `
    + `sent ${c.sentMetrics} (${formatBytes(c.sentBytes)}), lost ${c.lostMetrics} (${formatBytes(c.lostBytes)}), left ${c.remainingMetrics}${failing}, ${ms.toFixed(1)} ms`;
}

/** Shutdown: lifetime totals and what the last flush did. */
export function stopStatusLine(name: string | null, destination: string, r: StopReport): string {
  const t = r.totals;
  return `stopped ${sectionLabel(name)} -> ${destination}: ${t.iterations} iterations, sent ${t.sentMetrics} metrics (${formatBytes(t.sentBytes)}), `
    + `lost ${t.lostMetrics} (${formatBytes(t.lostBytes)}); final flush sent ${r.flushedMetrics}, left unsent ${r.lostMetrics}${r.clean ? '' : ' (shutdown timed out)'}`;
}
