// Value of one dimension over the exporter's window (SPEC §3.1) on the ring of SPEC §1.4, with
// a fast exact-integer path and the emulated long double as the slow path.
//
// Hot-path helpers for the formatters (their names and signatures are part of the contract with
// lib/kernels/fallback/format*.ts): alignWindow once per chart, writeDimValue once per dimension.
// They do no validation: lib/kernels/fallback/numeric.ts validates the public API.
import {
  META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY,
} from '../types';
import { LD, LD_ZERO, ldAdd, ldDivInt, ldToDouble } from './ld80';
import { REG, R0, R1, SMALL_MAX, softAdd, softDivSmall, softUnpack, softUnits7, softToDouble, softToLD, softFromLD } from './ld-soft';
import { ldToF7 } from './ld-print';
import { unpackExact } from './sn-exact';
import { halfUlp, productResidual } from './float-tools';
import { writeUnits7, writeAscii } from './decimal';
import { slowPathStats } from './slow-path-stats';

/** Oldest time of the ring, one ue before its oldest slot (SPEC §1.4). */
export function firstTime(meta: Float64Array): number {
  const entries = meta[META_ENTRIES];
  const counter = meta[META_COUNTER];
  return meta[META_LAST_UPDATED] - (counter >= entries ? entries : counter) * meta[META_UPDATE_EVERY];
}

/**
 * SPEC §3.1 steps 1-8. false = the window is outside the database (NaN for every dimension,
 * timestamps left as they were); else out[0] = aligned after, out[1] = aligned before, which is
 * the timestamp the formatters report (step 9).
 */
export function alignWindow(meta: Float64Array, after: number, before: number, out: Float64Array): boolean {
  const ue = meta[META_UPDATE_EVERY];
  const firstT = firstTime(meta);
  const lastT = meta[META_LAST_UPDATED];
  after -= 2 * ue;
  before -= 2 * ue;
  // C's % truncates toward zero like JS's, so negative times align upwards in both.
  after -= after % ue;
  before -= before % ue;
  before -= ue;
  if (after > before) after = before;
  if (after < firstT) after = firstT;
  if (before > lastT) before = lastT;
  if (before < firstT || after > lastT) return false;
  out[0] = after;
  out[1] = before;
  return true;
}

/** rrdset_time2slot (SPEC §1.4). */
export function timeToSlot(meta: Float64Array, t: number): number {
  const entries = meta[META_ENTRIES];
  const cur = meta[META_CURRENT_ENTRY];
  const lastT = meta[META_LAST_UPDATED];
  const lastSlot = cur === 0 ? entries - 1 : cur - 1;
  let slot: number;
  if (t >= lastT) {
    slot = lastSlot;
  } else if (t <= firstTime(meta)) {
    slot = meta[META_COUNTER] >= entries ? cur : 0;
  } else {
    const k = Math.floor((lastT - t) / meta[META_UPDATE_EVERY]);
    slot = lastSlot >= k ? lastSlot - k : lastSlot - k + entries;
  }
  // size_t in C: a negative slot wraps to a huge one and is clamped like any other overflow.
  return slot < 0 || slot >= entries ? entries - 1 : slot;
}

/*
 * Units of 1e-7 per storage number, indexed by word bits 26..30 (bit 26 = factor 100, bits 27-29
 * = m, bit 30 = multiply mode): divide mode n / 10^m = n * 10^(7-m) units; multiply mode
 * n * f^m = n * f^m * 10^7 units (beyond 2^53 for large values, which the caller detects).
 */
const UNIT_SCALE = new Float64Array(32);
for (let i = 0; i < 32; i++) {
  const f100 = (i & 1) !== 0;
  const m = (i >>> 1) & 7;
  const multiply = (i & 16) !== 0;
  UNIT_SCALE[i] = multiply ? (f100 ? 100 : 10) ** m * 1e7 : 10 ** (7 - m);
}

const TWO53 = 2 ** 53;
const TWO_M64 = 2 ** -64;

// Results of the last walk: [K, sum |K_i|, count]. A typed array, because module-level `let`
// doubles would be boxed on every store.
const walk = new Float64Array(3);

/** Walks slots slot(after)..slot(before) forward (SPEC §1.4 query), summing exact units into walk[]. */
function walkUnits(ring: Uint32Array, offset: number, meta: Float64Array, after: number, before: number): void {
  const entries = meta[META_ENTRIES];
  const s = timeToSlot(meta, after);
  const stop = timeToSlot(meta, before);
  walkUnitsAt(ring, offset, entries, s, stop >= s ? stop - s + 1 : entries - s + stop + 1);
}

/** The same walk over `count` slots from slot `start` (wrapping at `entries`). */
function walkUnitsAt(ring: Uint32Array, offset: number, entries: number, start: number, count: number): void {
  let k = 0;
  let abs = 0;
  let n = 0;
  // Two straight runs instead of a wrap test per slot.
  const first = Math.min(count, entries - start);
  for (let i = offset + start, end = i + first; i < end; i++) {
    const w = ring[i] as number;
    if ((w & 0x07000000) !== 0) {
      const u = (w & 0x00ffffff) * (UNIT_SCALE[(w >>> 26) & 31] as number);
      k = w >= 0x80000000 ? k - u : k + u;
      abs += u;
      n++;
    }
  }
  for (let i = offset, end = offset + count - first; i < end; i++) {
    const w = ring[i] as number;
    if ((w & 0x07000000) !== 0) {
      const u = (w & 0x00ffffff) * (UNIT_SCALE[(w >>> 26) & 31] as number);
      k = w >= 0x80000000 ? k - u : k + u;
      abs += u;
      n++;
    }
  }
  walk[0] = k;
  walk[1] = abs;
  walk[2] = n;
}

/**
 * The window's slots for a chart (SPEC §1.4 query; the same for every dimension): out[0] = first slot,
 * out[1] = number of slots. The window must come from alignWindow. For writeDimValueAt (issue 7: the
 * formatter computes it once per chart instead of twice per dimension).
 */
export function windowSlots(meta: Float64Array, alignedAfter: number, alignedBefore: number, out: Float64Array): void {
  const entries = meta[META_ENTRIES];
  const s = timeToSlot(meta, alignedAfter);
  const stop = timeToSlot(meta, alignedBefore);
  out[0] = s;
  out[1] = stop >= s ? stop - s + 1 : entries - s + stop + 1;
}

/*
 * Why the fast value is exact (SPEC §3.1 steps 10-11, §2.5).
 * Let K_i be the exact units (1e-7) of word i, K = sum K_i, A = sum |K_i| (all integers, exact in
 * doubles while A < 2^53, since every partial sum is bounded by A). The reference adds the
 * unpacked long doubles R_i, each R_i = K_i * 10^-7 * (1 + d_i) with |d_i| <= 7.01 * 2^-64
 * (divide mode; multiply mode is exact), in `count` additions with relative error <= 2^-64 on
 * partial sums bounded by sum |R_i|:
 *     |S * 10^7 - K| <= (7.01 + count) * 2^-64 * A * (1 + 2^-60).
 * The average divides once more: |S / c * 10^7 - K / c| <= |S * 10^7 - K| / c + |S * 10^7| / c * 2^-64
 * and |S * 10^7| <= A + 1/2 <= 1.5 A when A >= 1. With
 *     B = (9 + count) * A * 2^-64 * 1.001
 * sum: |S * 10^7 - K| < B; average: |A_ld * 10^7 - K / c| < B / c.
 * Printing rounds the exact value to an integer number of units (ties to even):
 *   - sum: if B < 1/2, the printed units are |K|;
 *   - average: |K| = q * c + r; the distance from |K| / c to the nearest half-integer is
 *     |2r - c| / (2c); if |2r - c| > 2B it exceeds B / c and the printed units are
 *     round(|K| / c) = (2r < c ? q : q + 1).
 * Sign: if K != 0 and B < 1/2 the long double has the sign of K (-0.0000000 prints when a
 * negative average rounds to zero units, exactly as glibc does). K == 0 with A == 0 means every
 * value was +-0 and the sum, started at +0.0, is +0.0. K == 0 with A > 0 depends on the rounding
 * of the long double additions: slow path. So does A >= 2^53 and every case inside a margin.
 */
function errorBound(count: number, abs: number): number {
  return (9 + count) * abs * TWO_M64 * 1.001;
}

/** Exact long double result of SPEC §3.1 steps 10-11 (BigInt), or null when no slot exists. */
export function dimValueExact(ring: Uint32Array, offset: number, meta: Float64Array, alignedAfter: number,
  alignedBefore: number, sum: boolean): LD | null {
  const entries = meta[META_ENTRIES];
  let s = timeToSlot(meta, alignedAfter);
  const stop = timeToSlot(meta, alignedBefore);
  let total: LD = LD_ZERO;
  let count = 0;
  for (;;) {
    const w = ring[offset + s];
    if ((w & 0x07000000) !== 0) {
      total = ldAdd(total, unpackExact(w));
      count++;
    }
    if (s === stop) break;
    s++;
    if (s >= entries) s = 0;
  }
  if (count === 0) return null;
  return sum ? total : ldDivInt(total, count);
}

/**
 * The same result as dimValueExact in register R0 of ld-soft.ts (fast exact model); false when no
 * slot exists.
 */
function dimValueSoft(ring: Uint32Array, offset: number, meta: Float64Array, alignedAfter: number,
  alignedBefore: number, sum: boolean): boolean {
  const entries = meta[META_ENTRIES];
  let s = timeToSlot(meta, alignedAfter);
  const stop = timeToSlot(meta, alignedBefore);
  REG[R0] = 0; REG[R0 + 1] = 0; REG[R0 + 2] = 0; REG[R0 + 3] = 0; // the reference's sum starts at +0.0
  let count = 0;
  for (;;) {
    const w = ring[offset + s];
    if ((w & 0x07000000) !== 0) {
      softUnpack(R1, w);
      softAdd(R0, R0, R1);
      count++;
    }
    if (s === stop) break;
    s++;
    if (s >= entries) s = 0;
  }
  if (count === 0) return false;
  if (!sum) {
    if (count <= SMALL_MAX) softDivSmall(R0, count);
    else softFromLD(R0, ldDivInt(softToLD(R0), count)); // rings of more than 2^21 slots
  }
  return true;
}

/**
 * Writes "%0.7Lf" of the dimension's value at out[pos..] and returns the new position, or -1 when
 * the value is NaN (no existing slot). The window must come from alignWindow; out needs 64 bytes.
 */
export function writeDimValue(ring: Uint32Array, offset: number, meta: Float64Array, alignedAfter: number,
  alignedBefore: number, sum: boolean, out: Uint8Array, pos: number): number {
  walkUnits(ring, offset, meta, alignedAfter, alignedBefore);
  return finishDimValue(ring, offset, meta, alignedAfter, alignedBefore, sum, out, pos);
}

/** writeDimValue with the chart's windowSlots() (start, count): the same bytes. */
export function writeDimValueAt(ring: Uint32Array, offset: number, meta: Float64Array, start: number, count: number,
  alignedAfter: number, alignedBefore: number, sum: boolean, out: Uint8Array, pos: number): number {
  walkUnitsAt(ring, offset, meta[META_ENTRIES] as number, start, count);
  return finishDimValue(ring, offset, meta, alignedAfter, alignedBefore, sum, out, pos);
}

/** The rest of writeDimValue once walk[] holds the window's sums. */
function finishDimValue(ring: Uint32Array, offset: number, meta: Float64Array, alignedAfter: number,
  alignedBefore: number, sum: boolean, out: Uint8Array, pos: number): number {
  const count = walk[2];
  if (count === 0) return -1;
  const k = walk[0];
  const abs = walk[1];
  if (abs < TWO53) {
    if (abs === 0) return writeUnits7(out, pos, false, 0);
    const b = errorBound(count, abs);
    if (k !== 0 && b < 0.5) {
      const mag = k < 0 ? -k : k;
      if (sum || count === 1) return writeUnits7(out, pos, k < 0, mag);
      const q = Math.floor(mag / count);
      const r = mag - q * count;
      const dist = 2 * r - count;
      if ((dist < 0 ? -dist : dist) > 2 * b) return writeUnits7(out, pos, k < 0, dist < 0 ? q : q + 1);
    }
  }
  slowPathStats.value++;
  if (!dimValueSoft(ring, offset, meta, alignedAfter, alignedBefore, sum)) return -1;
  const units = softUnits7(R0);
  if (units >= 0) return writeUnits7(out, pos, REG[R0] === 1, units);
  return writeAscii(out, pos, ldToF7(softToLD(R0))); // 2^53 units or more
}

/**
 * The nearest double of the dimension's long double value, or NaN when no slot exists.
 * Fast path: the nearest double d of the exact rational K / P (P = 10^7 or count * 10^7) is the
 * nearest double of the long double unless a midpoint between doubles lies within the error bound:
 * we require halfUlp(d) * P - |d * P - K| > B (both sides in units, see above).
 */
export function dimValueDouble(ring: Uint32Array, offset: number, meta: Float64Array, alignedAfter: number,
  alignedBefore: number, sum: boolean): number {
  walkUnits(ring, offset, meta, alignedAfter, alignedBefore);
  const count = walk[2];
  if (count === 0) return NaN;
  const k = walk[0];
  const abs = walk[1];
  if (abs < TWO53) {
    if (abs === 0) return 0;
    const b = errorBound(count, abs);
    if (k !== 0 && b < 0.5) {
      const mag = k < 0 ? -k : k;
      const p = sum ? 1e7 : count * 1e7;
      const d = mag / p;
      if (halfUlp(d) * p - Math.abs(productResidual(d, p, mag)) > b) return k < 0 ? -d : d;
    }
  }
  slowPathStats.value++;
  if (!dimValueSoft(ring, offset, meta, alignedAfter, alignedBefore, sum)) return NaN;
  const d = softToDouble(R0);
  return d === d ? d : ldToDouble(softToLD(R0)); // outside the normal range
}
