// The storage of one chart: ring metadata, the ring and every per-dimension number, struct-of-arrays, all in
// ONE ArrayBuffer. One buffer per chart keeps the allocator's per-buffer overhead at 20,000 buffers (not
// 300,000) for a million dimensions, and lets native code take a whole chart in one call (CONVENTIONS
// "cross the boundary once per chart").
//
// A typed-array view costs about 100 bytes of heap, so the per-dimension views are created on first use:
// a chart that is only exported (e.g. restored and never collected) carries 2-4 views instead of 13.
import { META_DIMS, META_ENTRIES, META_LENGTH } from '../kernels/types';

/** Per-dimension flag bits in ChartSlab.flags. */
export const DIM_FLAG_UPDATED = 1; // collected in the current cycle (netdata rd->updated)
export const DIM_FLAG_HIDDEN = 2;
export const DIM_FLAG_OBSOLETE = 4;
export const DIM_FLAG_DONT_DETECT_RESETS = 8; // RRDDIM_FLAG_DONT_DETECT_RESETS_OR_OVERFLOWS

interface Layout {
  meta: number;
  lastCollectedTime: number;
  multiplier: number;
  divisor: number;
  lastCalculated: number;
  collectionsCounter: number;
  lastCollectedValue: number;
  collectedValue: number;
  lastCollectedUsec: number;
  ring: number;
  algorithm: number;
  flags: number;
  maxClass: number;
  bytes: number;
}

const layouts = new Map<string, Layout>();

/** Byte layout for `cap` dimensions of `entries` slots: 8-byte fields first so every view is aligned. */
function layout(cap: number, entries: number): Layout {
  const key = `${cap}:${entries}`;
  let l = layouts.get(key);
  if (l) return l;
  let off = 0;
  const take = (bytes: number) => {
    const at = off;
    off += bytes;
    return at;
  };
  const meta = take(META_LENGTH * 8);
  const ring = take(cap * entries * 4);
  off = (off + 7) & ~7;
  l = {
    meta,
    ring,
    lastCollectedTime: take(cap * 8),
    multiplier: take(cap * 8),
    divisor: take(cap * 8),
    lastCalculated: take(cap * 8),
    collectionsCounter: take(cap * 8),
    lastCollectedValue: take(cap * 8),
    collectedValue: take(cap * 8),
    lastCollectedUsec: take(cap * 4),
    algorithm: take(cap),
    flags: take(cap),
    maxClass: take(cap),
    bytes: 0,
  };
  l.bytes = (off + 7) & ~7;
  if (layouts.size < 4096) layouts.set(key, l);
  return l;
}

export class ChartSlab {
  readonly buffer: ArrayBuffer;
  readonly meta: Float64Array;
  /** dims × entries storage numbers, dimension-major (SPEC §1.4). Length 0 for memory mode none. */
  readonly ring: Uint32Array;
  private readonly l: Layout;
  private vLastCollectedTime: Float64Array | null = null;
  private vLastCollectedUsec: Uint32Array | null = null;
  private vLastCollectedValue: BigInt64Array | null = null;
  private vCollectedValue: BigInt64Array | null = null;
  private vMultiplier: Float64Array | null = null;
  private vDivisor: Float64Array | null = null;
  private vLastCalculated: Float64Array | null = null;
  private vCollectionsCounter: Float64Array | null = null;
  private vAlgorithm: Uint8Array | null = null;
  private vFlags: Uint8Array | null = null;
  private vMaxClass: Uint8Array | null = null;

  /** Views for `dims` dimensions over `buffer` (a fresh zeroed buffer when omitted). */
  constructor(readonly capacity: number, readonly entries: number, readonly dims: number, buffer?: ArrayBuffer) {
    this.l = layout(capacity, entries);
    this.buffer = buffer ?? new ArrayBuffer(this.l.bytes);
    this.meta = new Float64Array(this.buffer, this.l.meta, META_LENGTH);
    this.ring = new Uint32Array(this.buffer, this.l.ring, dims * entries);
    this.meta[META_ENTRIES] = entries;
    this.meta[META_DIMS] = dims;
  }

  /** last_collected_time.tv_sec per dimension. */
  get lastCollectedTime(): Float64Array {
    return (this.vLastCollectedTime ??= new Float64Array(this.buffer, this.l.lastCollectedTime, this.dims));
  }
  /** last_collected_time.tv_usec per dimension. */
  get lastCollectedUsec(): Uint32Array {
    return (this.vLastCollectedUsec ??= new Uint32Array(this.buffer, this.l.lastCollectedUsec, this.dims));
  }
  get lastCollectedValue(): BigInt64Array {
    return (this.vLastCollectedValue ??= new BigInt64Array(this.buffer, this.l.lastCollectedValue, this.dims));
  }
  /** The value set in the current cycle (netdata rd->collected_value). */
  get collectedValue(): BigInt64Array {
    return (this.vCollectedValue ??= new BigInt64Array(this.buffer, this.l.collectedValue, this.dims));
  }
  get multiplier(): Float64Array {
    return (this.vMultiplier ??= new Float64Array(this.buffer, this.l.multiplier, this.dims));
  }
  get divisor(): Float64Array {
    return (this.vDivisor ??= new Float64Array(this.buffer, this.l.divisor, this.dims));
  }
  /** netdata rd->last_calculated_value: the previous point (absolute) or the carried-over increment. */
  get lastCalculated(): Float64Array {
    return (this.vLastCalculated ??= new Float64Array(this.buffer, this.l.lastCalculated, this.dims));
  }
  get collectionsCounter(): Float64Array {
    return (this.vCollectionsCounter ??= new Float64Array(this.buffer, this.l.collectionsCounter, this.dims));
  }
  get algorithm(): Uint8Array {
    return (this.vAlgorithm ??= new Uint8Array(this.buffer, this.l.algorithm, this.dims));
  }
  get flags(): Uint8Array {
    return (this.vFlags ??= new Uint8Array(this.buffer, this.l.flags, this.dims));
  }
  /** Width class of the largest value seen (0: 8-bit, 1: 16-bit, 2: 32-bit, 3: 64-bit), for wrap sizes. */
  get maxClass(): Uint8Array {
    return (this.vMaxClass ??= new Uint8Array(this.buffer, this.l.maxClass, this.dims));
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

  /**
   * The view of a per-dimension field without keeping it when it does not exist yet: for one-off bulk
   * writes (restore) that should not make every chart carry every view.
   */
  transient(field: 'lastCollectedUsec'): Uint32Array;
  transient(field: 'collectedValue'): BigInt64Array;
  transient(field: 'lastCalculated' | 'collectionsCounter'): Float64Array;
  transient(field: 'flags' | 'maxClass'): Uint8Array;
  transient(field: 'lastCollectedUsec' | 'collectedValue' | 'lastCalculated' | 'collectionsCounter' | 'flags' | 'maxClass'): Uint32Array | BigInt64Array | Float64Array | Uint8Array {
    const b = this.buffer;
    const l = this.l;
    const n = this.dims;
    switch (field) {
      case 'lastCollectedUsec': return this.vLastCollectedUsec ?? new Uint32Array(b, l.lastCollectedUsec, n);
      case 'collectedValue': return this.vCollectedValue ?? new BigInt64Array(b, l.collectedValue, n);
      case 'lastCalculated': return this.vLastCalculated ?? new Float64Array(b, l.lastCalculated, n);
      case 'collectionsCounter': return this.vCollectionsCounter ?? new Float64Array(b, l.collectionsCounter, n);
      case 'flags': return this.vFlags ?? new Uint8Array(b, l.flags, n);
      case 'maxClass': return this.vMaxClass ?? new Uint8Array(b, l.maxClass, n);
    }
  }

  private clearDims(from: number, to: number): void {
    if (from >= to) return;
    const l = this.l;
    const b = this.buffer;
    for (const off of [l.lastCollectedTime, l.multiplier, l.divisor, l.lastCalculated, l.collectionsCounter, l.lastCollectedValue, l.collectedValue]) {
      new Float64Array(b, off, to).fill(0, from);
    }
    new Uint32Array(b, l.lastCollectedUsec, to).fill(0, from);
    for (const off of [l.algorithm, l.flags, l.maxClass]) new Uint8Array(b, off, to).fill(0, from);
    this.ring.fill(0, from * this.entries, to * this.entries);
  }

  private copyFrom(o: ChartSlab): void {
    const n = Math.min(o.dims, this.dims);
    this.meta.set(o.meta);
    this.ring.set(o.ring.subarray(0, n * this.entries));
    const copy = (from: number, to: number, bytesPer: number) => {
      new Uint8Array(this.buffer, to, n * bytesPer).set(new Uint8Array(o.buffer, from, n * bytesPer));
    };
    const a = o.l;
    const b = this.l;
    copy(a.lastCollectedTime, b.lastCollectedTime, 8);
    copy(a.multiplier, b.multiplier, 8);
    copy(a.divisor, b.divisor, 8);
    copy(a.lastCalculated, b.lastCalculated, 8);
    copy(a.collectionsCounter, b.collectionsCounter, 8);
    copy(a.lastCollectedValue, b.lastCollectedValue, 8);
    copy(a.collectedValue, b.collectedValue, 8);
    copy(a.lastCollectedUsec, b.lastCollectedUsec, 4);
    copy(a.algorithm, b.algorithm, 1);
    copy(a.flags, b.flags, 1);
    copy(a.maxClass, b.maxClass, 1);
  }
}

/** Bytes one chart of `dims` dimensions and `entries` slots takes (for memory estimates and tests). */
export function chartSlabBytes(dims: number, entries: number): number {
  return layout(dims, entries).bytes;
}
