// Shared helpers of the exporter tests: a database with known data, a controllable clock, an instance
// factory that records logs and events, and the accounting invariant checked on every iteration.
import * as assert from 'assert';
import { BackendInstance, InstanceDependencies, LostEvent } from '../lib/exporter/backend-instance';
import type { BackendOptions } from '../lib/exporter/config-options';
import type { IterationCounters } from '../lib/exporter/counters';
import type { Clock } from '../lib/exporter/heartbeat';
import type { LogLevel } from '../lib/exporter/logger';
import { RrdChart, RrdDatabase } from '../lib/rrd';

/** A wall clock the test moves by hand (timers are real). */
export class ManualClock implements Clock {
  constructor(public ms: number) {}
  nowMs(): number {
    return this.ms;
  }
  monotonicMs(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return setTimeout(fn, ms);
  }
  clearTimeout(h: unknown): void {
    clearTimeout(h as NodeJS.Timeout);
  }
  get sec(): number {
    return Math.floor(this.ms / 1000);
  }
  advance(sec: number): number {
    this.ms += sec * 1000;
    return this.sec;
  }
}

export interface Harness {
  inst: BackendInstance;
  logs: Array<[LogLevel, string]>;
  iterations: IterationCounters[];
  losses: LostEvent[];
  /** Log lines containing `text`. */
  logged(text: string): string[];
}

/** Creates an instance in manual mode with the accounting invariant asserted on every iteration. */
export function harness(db: RrdDatabase, options: BackendOptions, deps: InstanceDependencies = {}): Harness {
  const logs: Array<[LogLevel, string]> = [];
  const iterations: IterationCounters[] = [];
  const losses: LostEvent[] = [];
  const inst = new BackendInstance(db, options, { manual: true, logger: (l, m) => logs.push([l, m]), ...deps });
  inst.on('iteration', (c) => {
    iterations.push(c);
    assertBalanced(c);
    const t = inst.totals;
    assert.strictEqual(t.formattedMetrics, t.sentMetrics + t.lostMetrics + t.bufferedMetrics, `totals: formatted = sent + lost + buffered (metrics) at iteration ${c.iteration}`);
    assert.strictEqual(t.formattedBytes, t.sentBytes + t.lostBytes + t.bufferedBytes, `totals: formatted = sent + lost + buffered (bytes) at iteration ${c.iteration}`);
    assert.ok(t.bufferedBytes <= inst.options.bufferMaxBytes, `buffer ${t.bufferedBytes} bytes above the cap ${inst.options.bufferMaxBytes}`);
  });
  inst.on('lost', (e) => losses.push(e));
  return { inst, logs, iterations, losses, logged: (text) => logs.filter(([, m]) => m.includes(text)).map(([, m]) => m) };
}

/** SPEC §5.15 bookkeeping of one iteration: buffered = sent + lost + still buffered. */
export function assertBalanced(c: IterationCounters): void {
  assert.strictEqual(c.bufferedMetrics, c.sentMetrics + c.lostMetrics + c.remainingMetrics, `iteration ${c.iteration}: metrics buffered ${c.bufferedMetrics} != sent ${c.sentMetrics} + lost ${c.lostMetrics} + remaining ${c.remainingMetrics}`);
  assert.strictEqual(c.bufferedBytes, c.sentBytes + c.lostBytes + c.remainingBytes, `iteration ${c.iteration}: bytes buffered ${c.bufferedBytes} != sent ${c.sentBytes} + lost ${c.lostBytes} + remaining ${c.remainingBytes}`);
}

/** Charts `<type>.c<i>` with dims `d<j>`, every dim collected at `timeSec` with value(i, j). */
export function fillCharts(db: RrdDatabase, type: string, charts: number, dims: number, timeSec: number, value: (i: number, j: number) => number): RrdChart[] {
  const out: RrdChart[] = [];
  for (let i = 0; i < charts; i++) {
    const id = `${type}.c${i}`;
    const chart = db.localhost.findChart(id) ?? db.localhost.createChart({ id, dimensionsHint: dims });
    if (chart.dimensionCount === 0) chart.addDimensions(Array.from({ length: dims }, (_, j) => `d${j}`));
    for (let j = 0; j < dims; j++) chart.set(j, value(i, j), timeSec * 1e6);
    chart.done(timeSec * 1e6);
    out.push(chart);
  }
  return out;
}

/**
 * The graphite as-collected lines fillCharts() produces (SPEC §4.1), computed from the inputs, in export
 * order: newest chart first (SPEC §1.7; fillCharts creates c0 first), dimensions in creation order.
 */
export function expectedGraphiteLines(prefix: string, host: string, type: string, charts: number, dims: number, timeSec: number, value: (i: number, j: number) => number): string[] {
  const lines: string[] = [];
  for (let i = charts - 1; i >= 0; i--) for (let j = 0; j < dims; j++) lines.push(`${prefix}.${host}.${type}.c${i}.d${j} ${value(i, j)} ${timeSec}`);
  return lines;
}

/** Asserts two line lists are equal without printing megabytes: reports counts and the first difference. */
export function sameLines(actual: readonly string[], expected: readonly string[], what: string): void {
  const cut = (s: string | undefined): string => (s === undefined ? '(none)' : s.length > 120 ? `${s.slice(0, 40)}...${s.slice(-70)}` : s);
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(`${what}: ${actual.length} lines, expected ${expected.length}; first difference at line ${i}: got ${cut(actual[i])}, expected ${cut(expected[i])}`);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
