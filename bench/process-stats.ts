// Memory and event-loop figures of a benchmark child process.
import * as fs from 'fs';
import { monitorEventLoopDelay, IntervalHistogram } from 'perf_hooks';

const STATUS = '/proc/self/status';

/** VmHWM (peak resident set) in MiB, or NaN where /proc is not available. */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(STATUS, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return process.resourceUsage().maxRSS / 1024; // lifetime peak: the best other platforms offer
  }
}

/**
 * Starts a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM to the current RSS), so the
 * peak of one pass can be read afterwards. Returns false where that is not possible.
 */
export function resetPeakRss(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export function rssMiB(): number {
  return process.memoryUsage().rss / 1048576;
}

/** Runs global.gc when the process was started with --expose-gc (the benchmark children are). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The longest time the event loop could not run a 1 ms timer while `fn` ran (ms): synchronous slices
 * and garbage-collection pauses alike, as monitorEventLoopDelay sees them.
 */
export async function withLoopDelay<T>(fn: () => Promise<T>): Promise<{ value: T; maxDelayMs: number }> {
  const h: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  try {
    const value = await fn();
    // The delay of the last slice is recorded when the histogram's timer runs next.
    await new Promise((resolve) => setTimeout(resolve, 2));
    return { value, maxDelayMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}
