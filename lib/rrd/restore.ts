// Loading a saved ring into a chart (what netdata's map/save memory modes do from disk at start-up).
// The benchmark workload W1 is built with it (BENCHMARK.md).
import { META_COUNTER, META_CURRENT_ENTRY, META_LAST_UPDATED } from '../kernels/types';
import { ChartSlab, DIM_FLAG_UPDATED } from './chart-slab';
import { USEC_PER_SEC, widthClass } from './collection';
import { describeValue, RrdError } from './errors';
import { toInt64 } from './validate';

type PerDim<T> = T | ArrayLike<T>;

export interface RestoreState {
  /** The slot that will be written next (SPEC §1.4). */
  currentEntry: number;
  /** Slots written since the ring was created (only compared with entries). */
  counter: number;
  /** Seconds of the newest stored slot. */
  lastUpdated: number;
  /** dims × entries raw storage numbers, dimension-major (default: keep the ring as it is). */
  ring?: ArrayLike<number>;
  /** Raw last collected value per dimension, or one value for all. */
  lastCollectedValue?: PerDim<bigint | number>;
  /** last_collected_time.tv_sec per dimension, or one value for all. */
  lastCollectedTime?: PerDim<number>;
  /** last_collected_time.tv_usec per dimension, or one value for all (default 0). */
  lastCollectedUsec?: PerDim<number>;
  /** collections_counter per dimension (default: 1 where a collection time is set, else 0). */
  collectionsCounter?: PerDim<number>;
  /** The chart's last collection time in µs (default: lastUpdated). */
  lastCollectedUs?: number;
}

/** The parts of RrdChart restore() touches. */
export interface RestoreTarget {
  readonly id: string;
  slab: ChartSlab;
  lastCollectedUs: number;
  counterDone: number;
  lastCollectedTotal: bigint;
  readonly updateEvery: number;
}

function bad(chart: string, key: string, v: unknown, accepted: string): RrdError {
  return new RrdError('ERR_RRD_BAD_RESTORE', `restore of chart ${JSON.stringify(chart)}: ${key} ${describeValue(v)} is not accepted; accepted: ${accepted}`);
}

function int(chart: string, key: string, v: unknown, min: number, max: number): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max) return v;
  throw bad(chart, key, v, `an integer from ${min} to ${max}`);
}

/** Reads a per-dimension input: one value for all, or an array-like of exactly `dims` values. */
function perDim<T>(chart: string, key: string, v: PerDim<T>, dims: number, each: (x: T, d: number) => void): void {
  if (typeof v === 'object' && v !== null && typeof (v as ArrayLike<T>).length === 'number') {
    const a = v as ArrayLike<T>;
    if (a.length !== dims) throw bad(chart, `${key} length`, a.length, `${dims} (one per dimension) or a single value`);
    for (let d = 0; d < dims; d++) each(a[d], d);
  } else for (let d = 0; d < dims; d++) each(v as T, d);
}

export function restoreChart(c: RestoreTarget, state: RestoreState): void {
  const s = c.slab;
  const id = c.id;
  if (state === null || typeof state !== 'object') throw bad(id, 'state', state, 'an object { currentEntry, counter, lastUpdated, ... }');
  if (s.entries === 0) throw bad(id, 'memory mode', 'none', 'a chart with a ring (memory mode none keeps no history)');
  const entries = s.entries;
  const dims = s.dims;
  const counter = int(id, 'counter', state.counter, 0, Number.MAX_SAFE_INTEGER);
  const currentEntry = int(id, 'currentEntry', state.currentEntry, 0, entries - 1);
  // Before the ring wraps, slots [0, counter) hold the data, so the next slot is `counter` (SPEC §1.4).
  if (counter < entries && currentEntry !== counter) throw bad(id, 'currentEntry', currentEntry, `${counter} (equal to counter while counter < entries)`);
  const lastUpdated = int(id, 'lastUpdated', state.lastUpdated, 0, Number.MAX_SAFE_INTEGER / USEC_PER_SEC);
  const lastCollectedUs = state.lastCollectedUs === undefined ? lastUpdated * USEC_PER_SEC : int(id, 'lastCollectedUs', state.lastCollectedUs, 0, Number.MAX_SAFE_INTEGER);
  // Interpolation runs from the last collection to the next boundary, so the collection cannot be past it.
  if (lastCollectedUs >= (lastUpdated + c.updateEvery) * USEC_PER_SEC) {
    throw bad(id, 'lastCollectedUs', lastCollectedUs, `a time before the next slot boundary (< ${(lastUpdated + c.updateEvery) * USEC_PER_SEC})`);
  }

  // Validate everything before changing anything.
  if (state.ring !== undefined) {
    const r = state.ring;
    if (r === null || typeof r !== 'object' || r.length !== dims * entries) {
      throw bad(id, 'ring length', r === null || typeof r !== 'object' ? r : r.length, `${dims * entries} words (dimensions × entries)`);
    }
    if (!(r instanceof Uint32Array)) {
      for (let i = 0; i < r.length; i++) {
        const w = r[i];
        if (!(Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) throw bad(id, `ring[${i}]`, w, 'a uint32 storage number');
      }
    }
  }
  let lcv: BigInt64Array<ArrayBufferLike> = new BigInt64Array(dims);
  if (state.lastCollectedValue instanceof BigInt64Array) {
    // Already int64: only the length needs checking.
    if (state.lastCollectedValue.length !== dims) throw bad(id, 'lastCollectedValue length', state.lastCollectedValue.length, `${dims} (one per dimension) or a single value`);
    lcv = state.lastCollectedValue;
  } else if (state.lastCollectedValue !== undefined) perDim(id, 'lastCollectedValue', state.lastCollectedValue, dims, (x, d) => (lcv[d] = toInt64(x, `restore of chart ${JSON.stringify(id)}: lastCollectedValue[${d}]`)));
  const lct = new Float64Array(dims);
  if (state.lastCollectedTime !== undefined) perDim(id, 'lastCollectedTime', state.lastCollectedTime, dims, (x, d) => (lct[d] = int(id, `lastCollectedTime[${d}]`, x, 0, Number.MAX_SAFE_INTEGER / USEC_PER_SEC)));
  const usec = new Uint32Array(dims);
  if (state.lastCollectedUsec !== undefined) perDim(id, 'lastCollectedUsec', state.lastCollectedUsec, dims, (x, d) => (usec[d] = int(id, `lastCollectedUsec[${d}]`, x, 0, USEC_PER_SEC - 1)));
  const cc = new Float64Array(dims);
  if (state.collectionsCounter !== undefined) perDim(id, 'collectionsCounter', state.collectionsCounter, dims, (x, d) => (cc[d] = int(id, `collectionsCounter[${d}]`, x, 0, Number.MAX_SAFE_INTEGER)));
  else for (let d = 0; d < dims; d++) cc[d] = lct[d] > 0 ? 1 : 0;

  if (state.ring !== undefined) s.ring.set(state.ring);
  s.meta[META_CURRENT_ENTRY] = currentEntry;
  s.meta[META_COUNTER] = counter;
  s.meta[META_LAST_UPDATED] = lastUpdated;
  // Bulk writes through transient views: a restored chart that is only exported keeps few views.
  const flags = s.transient('flags');
  const maxClass = s.transient('maxClass');
  for (let d = 0; d < dims; d++) {
    flags[d] &= ~DIM_FLAG_UPDATED;
    maxClass[d] = widthClass(lcv[d]);
  }
  s.lastCollectedValue.set(lcv);
  s.lastCollectedTime.set(lct);
  s.transient('lastCollectedUsec').set(usec);
  s.transient('collectionsCounter').set(cc);
  s.transient('collectedValue').fill(0n);
  s.transient('lastCalculated').fill(0);
  c.lastCollectedUs = lastCollectedUs;
  c.lastCollectedTotal = 0n;
  // counter_done = 0: the next cycle fills the gap since lastUpdated and stores nothing (SPEC §1.5).
  c.counterDone = 0;
}
