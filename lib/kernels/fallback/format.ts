// The pure TypeScript line-formatting kernel (SPEC §4): one call formats a whole chart from its plan
// (layout: FMT_* in ../types.ts). Must produce exactly the bytes of native/format_kernel.cc.
import {
  FMT_BATCH, FMT_HTTP_HEADER, FMT_IDX_DIMS, FMT_IO_AFTER, FMT_IO_APPENDED, FMT_IO_BEFORE, FMT_IO_DIM,
  FMT_IO_LENGTH, FMT_IO_MAX_BYTES, FMT_IO_MAX_POINTS, FMT_IO_NEED, FMT_IO_POS, FMT_IO_REC_COUNT,
  FMT_IO_REQ_BYTES, FMT_IO_REQ_POINTS, FMT_IO_SINCE, FMT_MODE_COLLECTED, FMT_MODE_MASK, FMT_MODE_SUM,
  FMT_RECORDS, FMT_SEG_AFTER_DIM, FMT_SEG_LEAD, FMT_SEG_MID, FMT_SEG_REQ_HEAD, FMT_SEG_REQ_SEP, FMT_SEG_TAIL,
  FMT_SEGMENTS, FMT_STATUS_BAD_INPUT, FMT_STATUS_DONE, FMT_STATUS_OUT_FULL, FMT_STATUS_RECORDS_FULL,
  FMT_STATUS_REQUEST_FULL, FMT_TS_FIRST, FormatKernel, META_DIMS, META_ENTRIES, META_LENGTH,
} from '../types';
import { alignWindow, windowSlots, writeDimValueAt } from './value-calc';
import { writeInt64, writeUint64Time, writeUnsignedSafe } from './decimal';

/** |tv_sec| beyond this cannot come from a struct timeval (and would not fit int64): such dims are skipped. */
const TIME_LIMIT = 9.2e18;

function isTime(t: number): boolean {
  return t >= -TIME_LIMIT && t <= TIME_LIMIT;
}

const valueBuf = new Uint8Array(128);
const timeBuf = new Uint8Array(32);
const alignedWindow = new Float64Array(2);
const slotWindow = new Float64Array(2);

/** Copies src[s, e) to out at pos (short runs: a loop beats subarray + set). */
function put(out: Uint8Array, pos: number, src: Uint8Array, s: number, e: number): number {
  while (s < e) out[pos++] = src[s++] as number;
  return pos;
}

/** Segments longer than this are copied with set() from a view made once per call, not per line. */
const LONG_SEGMENT = 32;

/** Copies a constant segment: `view` (non-null for long segments) or the loop. */
function putSeg(out: Uint8Array, pos: number, view: Uint8Array | null, src: Uint8Array, s: number, e: number): number {
  if (view !== null) {
    out.set(view, pos);
    return pos + view.length;
  }
  while (s < e) out[pos++] = src[s++] as number;
  return pos;
}

function segView(tpl: Uint8Array, s: number, e: number): Uint8Array | null {
  return e - s > LONG_SEGMENT ? tpl.subarray(s, e) : null;
}

/** Little-endian platforms can read an int64 as two int32 without making a BigInt. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 4294967296;

/** "%lld" of lcv[d], without allocating a BigInt when |value| < 2^53. */
function writeCollected(out: Uint8Array, pos: number, lcv: BigInt64Array, words: Int32Array | null, d: number): number {
  if (words !== null) {
    const hi = words[2 * d + 1] as number;
    if (hi >= -0x200000 && hi < 0x200000) {
      const v = hi * TWO_32 + ((words[2 * d] as number) >>> 0);
      if (v < 0) {
        out[pos++] = 0x2d;
        return writeUnsignedSafe(out, pos, -v);
      }
      return writeUnsignedSafe(out, pos, v);
    }
  }
  return writeInt64(out, pos, lcv[d] as bigint);
}

/** "%d" of a non-negative int (an HTTP Content-Length). */
function putUint(out: Uint8Array, pos: number, v: number): number {
  const n = decimalDigits(v);
  let p = pos + n;
  do {
    out[--p] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  return pos + n;
}

function decimalDigits(v: number): number {
  let n = 1;
  while (v >= 10) { v = Math.floor(v / 10); n++; }
  return n;
}

function segmentsValid(tpl: Uint8Array, idx: Uint32Array, dims: number): boolean {
  if (idx.length < FMT_IDX_DIMS + dims + 1) return false;
  for (let k = 0; k < FMT_SEGMENTS; k++) {
    if ((idx[2 * k] as number) > (idx[2 * k + 1] as number) || (idx[2 * k + 1] as number) > tpl.length) return false;
  }
  return true;
}

export function formatChart(flags: number, tpl: Uint8Array, idx: Uint32Array, ring: Uint32Array, meta: Float64Array,
  lcv: BigInt64Array, lct: Float64Array, out: Uint8Array, io: Float64Array, recs: Float64Array): number {
  if (meta.length < META_LENGTH || io.length < FMT_IO_LENGTH) return FMT_STATUS_BAD_INPUT;
  const dims = meta[META_DIMS] as number;
  const entries = meta[META_ENTRIES] as number;
  const mode = flags & FMT_MODE_MASK;
  const collected = mode === FMT_MODE_COLLECTED;
  if (!(Number.isInteger(dims) && dims >= 0 && Number.isInteger(entries) && entries >= 0)) return FMT_STATUS_BAD_INPUT;
  if (lct.length < dims || (collected ? lcv.length < dims : ring.length < dims * entries)) return FMT_STATUS_BAD_INPUT;
  if (!segmentsValid(tpl, idx, dims)) return FMT_STATUS_BAD_INPUT;
  let pos = io[FMT_IO_POS] as number;
  let d = io[FMT_IO_DIM] as number;
  if (!(Number.isInteger(pos) && pos >= 0 && pos <= out.length && Number.isInteger(d) && d >= 0)) return FMT_STATUS_BAD_INPUT;
  io[FMT_IO_APPENDED] = 0;
  if (!isTime(io[FMT_IO_AFTER] as number) || !isTime(io[FMT_IO_BEFORE] as number)) return FMT_STATUS_BAD_INPUT;

  const leadS = idx[2 * FMT_SEG_LEAD] as number, leadE = idx[2 * FMT_SEG_LEAD + 1] as number;
  const adS = idx[2 * FMT_SEG_AFTER_DIM] as number, adE = idx[2 * FMT_SEG_AFTER_DIM + 1] as number;
  const midS = idx[2 * FMT_SEG_MID] as number, midE = idx[2 * FMT_SEG_MID + 1] as number;
  const tailS = idx[2 * FMT_SEG_TAIL] as number, tailE = idx[2 * FMT_SEG_TAIL + 1] as number;
  const rqhS = idx[2 * FMT_SEG_REQ_HEAD] as number, rqhE = idx[2 * FMT_SEG_REQ_HEAD + 1] as number;
  const rqsS = idx[2 * FMT_SEG_REQ_SEP] as number, rqsE = idx[2 * FMT_SEG_REQ_SEP + 1] as number;
  const fixed = (leadE - leadS) + (adE - adS) + (midE - midS) + (tailE - tailS);
  const leadV = segView(tpl, leadS, leadE);
  const tailV = segView(tpl, tailS, tailE);
  const rqhV = segView(tpl, rqhS, rqhE);
  const words = collected && LITTLE_ENDIAN ? new Int32Array(lcv.buffer, lcv.byteOffset, 2 * dims) : null;
  const tsFirst = (flags & FMT_TS_FIRST) !== 0;
  const header = (flags & FMT_HTTP_HEADER) !== 0;
  const batch = (flags & FMT_BATCH) !== 0;
  const records = (flags & FMT_RECORDS) !== 0;
  const since = io[FMT_IO_SINCE] as number;
  let reqPoints = io[FMT_IO_REQ_POINTS] as number;
  let reqBytes = io[FMT_IO_REQ_BYTES] as number;
  const maxPoints = io[FMT_IO_MAX_POINTS] as number;
  const maxBytes = io[FMT_IO_MAX_BYTES] as number;
  let recCount = io[FMT_IO_REC_COUNT] as number;
  if (records && !(Number.isInteger(recCount) && recCount >= 0)) return FMT_STATUS_BAD_INPUT;

  let timeLen = 0;
  let lastTime = NaN;
  let alignedAfter = 0;
  let alignedBefore = 0;
  if (!collected) {
    // SPEC §3.1 steps 1-9 are per chart: every dimension of an in-memory chart shares the ring geometry.
    if (entries === 0 || !alignWindow(meta, io[FMT_IO_AFTER] as number, io[FMT_IO_BEFORE] as number, alignedWindow)) {
      io[FMT_IO_DIM] = dims;
      return FMT_STATUS_DONE;
    }
    alignedAfter = alignedWindow[0] as number;
    alignedBefore = alignedWindow[1] as number;
    windowSlots(meta, alignedAfter, alignedBefore, slotWindow);
    timeLen = writeUint64Time(timeBuf, 0, alignedBefore);
  }
  const sum = mode === FMT_MODE_SUM;
  const slotStart = slotWindow[0] as number;
  const slotCount = slotWindow[1] as number;
  let appended = 0;
  let status = FMT_STATUS_DONE;
  for (; d < dims; d++) {
    const t = lct[d] as number;
    // SPEC §5.8: only dimensions collected since the window start.
    if (!(t >= since) || !isTime(t)) continue;
    let valueLen: number;
    if (collected) {
      valueLen = writeCollected(valueBuf, 0, lcv, words, d);
      // Dimensions of a chart are usually collected in the same second: print it once.
      if (t !== lastTime) {
        timeLen = writeUint64Time(timeBuf, 0, Math.trunc(t) + 0);
        lastTime = t;
      }
    } else {
      valueLen = writeDimValueAt(ring, d * entries, meta, slotStart, slotCount, alignedAfter, alignedBefore, sum, valueBuf, 0);
      if (valueLen < 0) continue; // NaN: nothing is sent (SPEC §4.1)
    }
    const dimS = idx[FMT_IDX_DIMS + d] as number, dimE = idx[FMT_IDX_DIMS + d + 1] as number;
    if (!(dimS <= dimE && dimE <= tpl.length)) { status = FMT_STATUS_BAD_INPUT; break; }
    const bodyLen = fixed + (dimE - dimS) + valueLen + timeLen;
    let lineLen = bodyLen;
    if (header) lineLen += (rqhE - rqhS) + decimalDigits(bodyLen) + (rqsE - rqsS);
    if (batch) {
      // '[' opens a request, ',' separates points; one more byte for the closing ']'.
      if (reqPoints > 0 && (reqPoints >= maxPoints || reqBytes + 1 + bodyLen + 1 > maxBytes)) { status = FMT_STATUS_REQUEST_FULL; break; }
      lineLen += 1;
    }
    if (pos + lineLen > out.length) { status = FMT_STATUS_OUT_FULL; io[FMT_IO_NEED] = lineLen; break; }
    if (records && (recCount + 1) * 3 > recs.length) { status = FMT_STATUS_RECORDS_FULL; break; }
    const start = pos;
    if (header) {
      pos = putSeg(out, pos, rqhV, tpl, rqhS, rqhE);
      pos = putUint(out, pos, bodyLen);
      pos = put(out, pos, tpl, rqsS, rqsE);
    }
    if (batch) {
      out[pos++] = reqPoints === 0 ? 0x5b : 0x2c;
      reqPoints++;
      reqBytes += bodyLen + 1;
    }
    pos = putSeg(out, pos, leadV, tpl, leadS, leadE);
    pos = put(out, pos, tpl, dimS, dimE);
    pos = put(out, pos, tpl, adS, adE);
    if (tsFirst) {
      pos = put(out, pos, timeBuf, 0, timeLen);
      pos = put(out, pos, tpl, midS, midE);
      pos = put(out, pos, valueBuf, 0, valueLen);
    } else {
      pos = put(out, pos, valueBuf, 0, valueLen);
      pos = put(out, pos, tpl, midS, midE);
      pos = put(out, pos, timeBuf, 0, timeLen);
    }
    pos = putSeg(out, pos, tailV, tpl, tailS, tailE);
    if (records) {
      recs[recCount * 3] = start;
      recs[recCount * 3 + 1] = pos;
      recs[recCount * 3 + 2] = 1;
      recCount++;
    }
    appended++;
  }
  io[FMT_IO_POS] = pos;
  io[FMT_IO_DIM] = d;
  io[FMT_IO_APPENDED] = appended;
  io[FMT_IO_REQ_POINTS] = reqPoints;
  io[FMT_IO_REQ_BYTES] = reqBytes;
  io[FMT_IO_REC_COUNT] = recCount;
  return status;
}

export const fallbackFormat: FormatKernel = { formatChart };
