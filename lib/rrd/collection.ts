// Completing a chart's collection cycle (netdata rrdset_done, SPEC §1.5): turn the values the collector
// set into one storage number per dimension at every multiple of update_every, interpolating between
// collections. Timestamps are explicit microseconds so the outcome is deterministic.
//
// Deliberate differences from the reference (all internal, SPEC §1.5 is [int]):
//  * the first collection's real time is used (the reference pretends it happened at the aligned second
//    + 0.5 s);
//  * absolute/percentage values between two collections are interpolated on the straight line between
//    the two collections (the reference re-anchors at each boundary, skewing the 2nd..nth missed point);
//  * the number of boundaries crossed is counted exactly (the reference adds one when the collection time is
//    itself a multiple of update_every, which turns one extra point into a gap);
//  * a counter wrap adds cap − last + new + 1 (the reference forgets the +1) and the RESET flag marks only
//    the wrapped dimension's point (the reference flags every dimension of the chart at that boundary);
//  * wrap detection compares the raw values as unsigned 64-bit numbers, as later netdata does;
//  * a chart reset keeps the values collected in the resetting cycle (collections counter 1, not 0), so
//    incremental dimensions resume one cycle earlier; their carried-over increments are dropped;
//  * memory mode `none` still records last_collected_value (the reference returned before doing so, which
//    left "as collected" exports of such charts at 0).
import {
  META_COUNTER, META_CURRENT_ENTRY, META_LAST_UPDATED, SN_EXISTS, SN_EXISTS_RESET, NumericKernel,
} from '../kernels/types';
import {
  ALGORITHM_ABSOLUTE, ALGORITHM_INCREMENTAL, ALGORITHM_PCENT_OVER_DIFF_TOTAL, ALGORITHM_PCENT_OVER_ROW_TOTAL,
} from './algorithm';
import { ChartSlab, DIM_FLAG_DONT_DETECT_RESETS, DIM_FLAG_OBSOLETE, DIM_FLAG_UPDATED } from './chart-slab';

export const USEC_PER_SEC = 1_000_000;

/** Wrap sizes guessed from the largest value seen: 8, 16, 32 or 64 bits (SPEC §1.5). */
const WRAP_CAPS = [0xffn, 0xffffn, 0xffffffffn, 0xffffffffffffffffn] as const;

/** Width class of a raw value for the wrap guess (unsigned interpretation). */
export function widthClass(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return u > 0xffffffffn ? 3 : u > 0xffffn ? 2 : u > 0xffn ? 1 : 0;
}

/** What the cycle needs of a chart; RrdChart provides it. */
export interface CycleState {
  slab: ChartSlab;
  readonly updateEvery: number;
  readonly memoryMode: string;
  /** Internal threshold: `gap when lost iterations above` + 2, as the reference computes it. */
  readonly gapThreshold: number;
  /** The chart's last collection time (µs); 0 = never collected since creation or reset. */
  lastCollectedUs: number;
  /** Completed cycles since creation, reset or restore (netdata counter_done). */
  counterDone: number;
  /** Sum of the raw values of the previous cycle (percentage-of-incremental-row). */
  lastCollectedTotal: bigint;
  obsolete: boolean;
}

/** What one cycle did, for monitoring and tests. */
export interface CycleResult {
  /** Slots written (empty or not) per dimension. */
  slots: number;
  /** Whether the chart was reset (first collection, too long without collection, or time too old). */
  reset: boolean;
}

// Scratch shared by every chart: JavaScript runs one cycle at a time.
let calcScratch = new Float64Array(64);
let valueScratch = new Float64Array(64);
let wordScratch = new Uint32Array(64);
let resetScratch = new Uint8Array(64);

function ensureScratch(dims: number): void {
  if (calcScratch.length >= dims) return;
  const n = Math.max(dims, calcScratch.length * 2);
  calcScratch = new Float64Array(n);
  valueScratch = new Float64Array(n);
  wordScratch = new Uint32Array(n);
  resetScratch = new Uint8Array(n);
}

function alignDown(sec: number, ue: number): number {
  return sec - (((sec % ue) + ue) % ue);
}

/**
 * rrdset_reset: forget the ring and the timing; the next stored point needs a fresh collection. Dimensions
 * collected in the current cycle count as collected once (see the header).
 */
export function resetChart(st: CycleState): void {
  const s = st.slab;
  s.meta[META_LAST_UPDATED] = 0;
  s.meta[META_CURRENT_ENTRY] = 0;
  s.meta[META_COUNTER] = 0;
  s.ring.fill(0);
  st.lastCollectedUs = 0;
  st.counterDone = 0;
  for (let d = 0; d < s.dims; d++) {
    s.collectionsCounter[d] = s.flags[d] & DIM_FLAG_UPDATED ? 1 : 0;
    s.lastCalculated[d] = 0;
  }
}

/** The end of every cycle: remember the raw values, carry increments over, clear the per-cycle state. */
function finishDimensions(s: ChartSlab, calc: Float64Array | null, firstEntry: boolean): void {
  const flags = s.flags;
  const collected = s.collectedValue;
  const lastValue = s.lastCollectedValue;
  const lastCalc = s.lastCalculated;
  const alg = s.algorithm;
  for (let d = 0; d < s.dims; d++) {
    const f = flags[d];
    if (!(f & DIM_FLAG_UPDATED)) continue;
    lastValue[d] = collected[d];
    if (calc) {
      if (alg[d] === ALGORITHM_INCREMENTAL) {
        if (!firstEntry) lastCalc[d] += calc[d];
      } else lastCalc[d] = calc[d];
    }
    collected[d] = 0n;
    // A dimension that is collected is not obsolete (the reference logs and clears the flag).
    flags[d] = f & ~(DIM_FLAG_UPDATED | DIM_FLAG_OBSOLETE);
  }
}

/**
 * Empty slots for the time a restored chart was not collected (netdata rrdset_done_fill_the_gap), with the
 * counter advanced too (the reference forgot it, so an unwrapped ring lost its oldest points' times). The
 * newest boundary is left to the cycle, which stores it empty but splits increments at it, so only the part
 * of an increment after it is carried over.
 */
function fillTheGap(st: CycleState, now: number): void {
  const s = st.slab;
  const ueUs = st.updateEvery * USEC_PER_SEC;
  const entries = s.entries;
  const c = Math.min(entries, Math.floor((now - s.meta[META_LAST_UPDATED] * USEC_PER_SEC) / ueUs)) - 1;
  if (c <= 0) return;
  let cur = s.meta[META_CURRENT_ENTRY];
  for (let i = 0; i < c; i++) {
    for (let d = 0; d < s.dims; d++) s.ring[d * entries + cur] = 0;
    cur = cur + 1 >= entries ? 0 : cur + 1;
  }
  s.meta[META_CURRENT_ENTRY] = cur;
  s.meta[META_COUNTER] += c;
  s.meta[META_LAST_UPDATED] += c * st.updateEvery;
}

/** Per-dimension value of this collection before interpolation (first phase of rrdset_done). */
function calculate(s: ChartSlab, calc: Float64Array, resetFlags: Uint8Array, total: bigint, lastTotal: bigint): void {
  const flags = s.flags;
  const collected = s.collectedValue;
  const alg = s.algorithm;
  const mul = s.multiplier;
  const div = s.divisor;
  const counter = s.collectionsCounter;
  for (let d = 0; d < s.dims; d++) {
    calc[d] = 0;
    resetFlags[d] = 0;
    const f = flags[d];
    if (!(f & DIM_FLAG_UPDATED)) continue;
    const cur = collected[d];
    switch (alg[d]) {
      case ALGORITHM_ABSOLUTE:
        calc[d] = (Number(cur) * mul[d]) / div[d];
        break;
      case ALGORITHM_PCENT_OVER_ROW_TOTAL:
        calc[d] = total === 0n ? 0 : (100 * Number(cur)) / Number(total);
        break;
      case ALGORITHM_INCREMENTAL: {
        if (counter[d] <= 1) break; // the first collection only gives a base value
        const ulast = BigInt.asUintN(64, s.lastCollectedValue[d]);
        const ucur = BigInt.asUintN(64, cur);
        let delta: bigint;
        if (ulast > ucur) {
          // Counter wrap or reset (SPEC §1.5): the wrap size is guessed from the largest value seen.
          if (!(f & DIM_FLAG_DONT_DETECT_RESETS)) resetFlags[d] = 1;
          delta = BigInt.asUintN(64, WRAP_CAPS[s.maxClass[d]] - ulast + ucur + 1n);
        } else delta = ucur - ulast;
        calc[d] = (Number(delta) * mul[d]) / div[d];
        break;
      }
      case ALGORITHM_PCENT_OVER_DIFF_TOTAL: {
        if (counter[d] <= 1) break;
        let last = s.lastCollectedValue[d];
        if (last > cur) {
          // The reference restarts the increment from the new value: this point's share is 0.
          if (!(f & DIM_FLAG_DONT_DETECT_RESETS)) resetFlags[d] = 1;
          last = cur;
        }
        calc[d] = total === lastTotal ? 0 : (100 * Number(cur - last)) / Number(total - lastTotal);
        break;
      }
    }
  }
}

/**
 * Completes one collection cycle at `now` (µs). Stores a slot for every multiple of update_every in
 * (last stored, now], interpolated as SPEC §1.5 describes.
 */
export function completeCycle(st: CycleState, now: number, kernel: NumericKernel): CycleResult {
  const s = st.slab;
  const dims = s.dims;
  const meta = s.meta;
  // A collected chart is not obsolete (the reference logs and clears the flag).
  st.obsolete = false;

  if (st.memoryMode === 'none') {
    // No history (SPEC §1.6): only the as-collected fields move.
    finishDimensions(s, null, true);
    st.lastCollectedUs = now;
    st.counterDone++;
    return { slots: 0, reset: false };
  }

  const ue = st.updateEvery;
  const ueUs = ue * USEC_PER_SEC;
  const entries = s.entries;
  let store = true;
  let firstEntry = false;
  let reset = false;

  if (st.lastCollectedUs !== 0 && now < st.lastCollectedUs) {
    // The database is in the future (the clock went back): like the reference, re-anchor one update
    // interval before now and keep the ring.
    st.lastCollectedUs = now - ueUs;
    meta[META_LAST_UPDATED] = Math.max(0, alignDown(Math.floor(now / USEC_PER_SEC) - ue, ue));
  }

  // Not collected for longer than the ring spans: start over.
  if (st.lastCollectedUs !== 0 && now - st.lastCollectedUs > entries * ueUs) {
    resetChart(st);
    reset = true;
  }

  let lastCollect: number;
  if (st.lastCollectedUs === 0) {
    // The first collection (after creation or reset) only sets the baseline.
    lastCollect = now - ueUs;
    store = false;
    firstEntry = true;
  } else lastCollect = st.lastCollectedUs;
  st.lastCollectedUs = now;

  if (meta[META_LAST_UPDATED] === 0) {
    meta[META_LAST_UPDATED] = alignDown(Math.floor(now / USEC_PER_SEC), ue);
    store = false;
    firstEntry = true;
  }

  // The newest stored point is older than the ring spans (e.g. a stale restore): start over.
  if (now - meta[META_LAST_UPDATED] * USEC_PER_SEC > entries * ueUs) {
    resetChart(st);
    st.lastCollectedUs = now;
    lastCollect = now - ueUs;
    meta[META_LAST_UPDATED] = alignDown(Math.floor(now / USEC_PER_SEC), ue);
    store = false;
    firstEntry = true;
    reset = true;
  }

  if (st.counterDone === 0) {
    // A chart restored from a saved ring gets empty slots for the time it was not collected.
    if (meta[META_COUNTER] > 0) fillTheGap(st, now);
    store = false;
  }
  st.counterDone++;

  const lastStored = meta[META_LAST_UPDATED] * USEC_PER_SEC;
  let next = lastStored + ueUs;

  ensureScratch(dims);
  const calc = calcScratch;
  const values = valueScratch;
  const words = wordScratch;
  const resetFlags = resetScratch;

  // The row total (int64, wrapping like the reference's collected_number) is only needed by percentages.
  let total = 0n;
  let needTotal = false;
  for (let d = 0; d < dims && !needTotal; d++) {
    const a = s.algorithm[d];
    needTotal = a === ALGORITHM_PCENT_OVER_ROW_TOTAL || a === ALGORITHM_PCENT_OVER_DIFF_TOTAL;
  }
  const flags = s.flags;
  if (needTotal) {
    const collected = s.collectedValue;
    for (let d = 0; d < dims; d++) if (flags[d] & DIM_FLAG_UPDATED) total = BigInt.asIntN(64, total + collected[d]);
  }
  calculate(s, calc, resetFlags, total, st.lastCollectedTotal);

  // Boundaries in (lastStored, now]; `iterations` counts down to 1 at the newest one.
  let iterations = Math.floor((now - lastStored) / ueUs);
  let slots = 0;
  let cur = meta[META_CURRENT_ENTRY];
  let incrementalFrom = lastCollect; // the reference's moving last_collect_ut (incremental only)
  const span = now - lastCollect;
  const gap = st.gapThreshold;
  const dimValues = values.subarray(0, dims);
  const dimWords = words.subarray(0, dims);
  const alg = s.algorithm;
  const lastCalc = s.lastCalculated;
  const counter = s.collectionsCounter;
  const ring = s.ring;

  for (; next <= now; incrementalFrom = next, next += ueUs, iterations--) {
    for (let d = 0; d < dims; d++) {
      let v: number;
      if (alg[d] === ALGORITHM_INCREMENTAL) {
        // This boundary's share of the increment since the previous boundary, as a per-second rate.
        v = (calc[d] * (next - incrementalFrom)) / (now - incrementalFrom);
        calc[d] -= v;
        v += lastCalc[d];
        lastCalc[d] = 0;
        v /= ue;
      } else if (iterations === 1) {
        v = calc[d];
      } else {
        // A missed point: on the line from the previous collection to this one.
        v = ((calc[d] - lastCalc[d]) * (next - lastCollect)) / span + lastCalc[d];
      }
      values[d] = v;
    }
    const storable = store && iterations < gap && dims > 0;
    if (storable) kernel.packInto(dimValues, SN_EXISTS, dimWords);
    for (let d = 0; d < dims; d++) {
      let w = 0;
      if (storable && flags[d] & DIM_FLAG_UPDATED && counter[d] > 1) {
        w = words[d];
        // Same packing with SN_EXISTS_RESET instead of SN_EXISTS (SPEC §2.1: only the flag bits differ).
        if (resetFlags[d]) w = ((w & ~SN_EXISTS) | SN_EXISTS_RESET) >>> 0;
      }
      ring[d * entries + cur] = w;
    }
    // The RESET flag marks only the first point after the wrap.
    resetFlags.fill(0, 0, dims);
    cur = cur + 1 >= entries ? 0 : cur + 1;
    meta[META_COUNTER]++;
    meta[META_LAST_UPDATED] = next / USEC_PER_SEC;
    slots++;
  }
  meta[META_CURRENT_ENTRY] = cur;

  st.lastCollectedTotal = total;
  finishDimensions(s, calc, firstEntry);
  return { slots, reset };
}
