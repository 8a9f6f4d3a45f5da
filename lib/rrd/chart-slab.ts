// The storage of one chart: ring metadata, the ring and every per-dimension number, struct-of-arrays, all in
// ONE ArrayBuffer. One buffer per chart keeps the allocator's per-buffer overhead at 20,000 buffers (not
// 300,000) for a million dimensions, and lets native code take a whole chart in one call (CONVENTIONS
// "cross the boundary once per chart").
import { META_DIMS, META_ENTRIES, META_LENGTH } from '../kernels/types';

/** Per-dimension flag bits in ChartSlab.flags. */
export const DIM_FLAG_UPDATED = 1; // collected in the current cycle (netdata rd->updated)
export const DIM_FLAG_HIDDEN = 2;
export const DIM_FLAG_OBSOLETE = 4;
export const DIM_FLAG_DONT_DETECT_RESETS = 8; // RRDDIM_FLAG_DONT_DETECT_RESETS_OR_OVERFLOWS

/** Byte layout for `cap` dimensions of `entries` slots: 8-byte fields first so every view is aligned. */
function layout(cap: number, entries: number) {
  let off = 0;
  const take = (bytes: number) => {
    const at = off;
    off += bytes;
    return at;
  };
  const meta = take(META_LENGTH * 8);
  const lastCollectedTime = take(cap * 8);
  const multiplier = take(cap * 8);
  const divisor = take(cap * 8);
  const lastCalculated = take(cap * 8);
  const collectionsCounter = take(cap * 8);
  const lastCollectedValue = take(cap * 8);
  const collectedValue = take(cap * 8);
  const lastCollectedUsec = take(cap * 4);
  const ring = take(cap * entries * 4);
  const algorithm = take(cap);
  const flags = take(cap);
  const maxClass = take(cap);
  return { meta, lastCollectedTime, multiplier, divisor, lastCalculated, collectionsCounter, lastCollectedValue, collectedValue, lastCollectedUsec, ring, algorithm, flags, maxClass, bytes: (off + 7) & ~7 };
}

export class ChartSlab {
  readonly buffer: ArrayBuffer;
  readonly meta: Float64Array;
  /** dims × entries storage numbers, dimension-major (SPEC §1.4). Length 0 for memory mode none. */
  readonly ring: Uint32Array;
  /** last_collected_time.tv_sec per dimension. */
  readonly lastCollectedTime: Float64Array;
  /** last_collected_time.tv_usec per dimension. */
  readonly lastCollectedUsec: Uint32Array;
  readonly lastCollectedValue: BigInt64Array;
  /** The value set in the current cycle (netdata rd->collected_value). */
  readonly collectedValue: BigInt64Array;
  readonly multiplier: Float64Array;
  readonly divisor: Float64Array;
  /** netdata rd->last_calculated_value: the previous point (absolute) or the carried-over increment. */
  readonly lastCalculated: Float64Array;
  readonly collectionsCounter: Float64Array;
  readonly algorithm: Uint8Array;
  readonly flags: Uint8Array;
  /** Width class of the largest value seen (0: 8-bit, 1: 16-bit, 2: 32-bit, 3: 64-bit), for wrap sizes. */
  readonly maxClass: Uint8Array;

  /** Views for `dims` dimensions over `buffer` (a fresh zeroed buffer when omitted). */
  constructor(readonly capacity: number, readonly entries: number, readonly dims: number, buffer?: ArrayBuffer) {
    const l = layout(capacity, entries);
    this.buffer = buffer ?? new ArrayBuffer(l.bytes);
    const b = this.buffer;
    this.meta = new Float64Array(b, l.meta, META_LENGTH);
    this.lastCollectedTime = new Float64Array(b, l.lastCollectedTime, dims);
    this.multiplier = new Float64Array(b, l.multiplier, dims);
    this.divisor = new Float64Array(b, l.divisor, dims);
    this.lastCalculated = new Float64Array(b, l.lastCalculated, dims);
    this.collectionsCounter = new Float64Array(b, l.collectionsCounter, dims);
    this.lastCollectedValue = new BigInt64Array(b, l.lastCollectedValue, dims);
    this.collectedValue = new BigInt64Array(b, l.collectedValue, dims);
    this.lastCollectedUsec = new Uint32Array(b, l.lastCollectedUsec, dims);
    this.ring = new Uint32Array(b, l.ring, dims * entries);
    this.algorithm = new Uint8Array(b, l.algorithm, dims);
    this.flags = new Uint8Array(b, l.flags, dims);
    this.maxClass = new Uint8Array(b, l.maxClass, dims);
    this.meta[META_ENTRIES] = entries;
    this.meta[META_DIMS] = dims;
  }

  /**
   * Storage for `dims` dimensions: the same buffer with wider views while it has room, else a new buffer
   * of `capacity` (≥ dims) with everything copied. Slots of dimensions beyond the old count are zeroed.
   */
  resized(dims: number, capacity: number): ChartSlab {
    let next: ChartSlab;
    if (dims <= this.capacity && capacity === this.capacity) {
      next = new ChartSlab(this.capacity, this.entries, dims, this.buffer);
    } else {
      next = new ChartSlab(capacity, this.entries, dims);
      next.copyFrom(this);
      next.meta[META_DIMS] = dims;
    }
    if (dims > this.dims) next.clearDims(this.dims, dims);
    return next;
  }

  private clearDims(from: number, to: number): void {
    this.lastCollectedTime.fill(0, from, to);
    this.multiplier.fill(0, from, to);
    this.divisor.fill(0, from, to);
    this.lastCalculated.fill(0, from, to);
    this.collectionsCounter.fill(0, from, to);
    this.lastCollectedValue.fill(0n, from, to);
    this.collectedValue.fill(0n, from, to);
    this.lastCollectedUsec.fill(0, from, to);
    this.ring.fill(0, from * this.entries, to * this.entries);
    this.algorithm.fill(0, from, to);
    this.flags.fill(0, from, to);
    this.maxClass.fill(0, from, to);
  }

  private copyFrom(o: ChartSlab): void {
    const n = Math.min(o.dims, this.dims);
    this.meta.set(o.meta);
    this.lastCollectedTime.set(o.lastCollectedTime.subarray(0, n));
    this.multiplier.set(o.multiplier.subarray(0, n));
    this.divisor.set(o.divisor.subarray(0, n));
    this.lastCalculated.set(o.lastCalculated.subarray(0, n));
    this.collectionsCounter.set(o.collectionsCounter.subarray(0, n));
    this.lastCollectedValue.set(o.lastCollectedValue.subarray(0, n));
    this.collectedValue.set(o.collectedValue.subarray(0, n));
    this.lastCollectedUsec.set(o.lastCollectedUsec.subarray(0, n));
    this.ring.set(o.ring.subarray(0, n * this.entries));
    this.algorithm.set(o.algorithm.subarray(0, n));
    this.flags.set(o.flags.subarray(0, n));
    this.maxClass.set(o.maxClass.subarray(0, n));
  }
}

/** Bytes one chart of `dims` dimensions and `entries` slots takes (for memory estimates and tests). */
export function chartSlabBytes(dims: number, entries: number): number {
  return layout(dims, entries).bytes;
}
