// The one typed interface for the hot paths (storage numbers, slot walks, line
// formatting). Two implementations: native (C++ addon, lib/kernels/native*.ts) and
// fallback (pure TypeScript, lib/kernels/fallback/). Both must give the same bytes.

/** Bumped whenever the shape of the native binding changes; the loader refuses a mismatch. */
export const KERNEL_ABI = 1;

export type ImplementationName = 'native' | 'fallback';

/** Data source of the stored formatters (SPEC §3.1). */
export type StoredMode = 'average' | 'sum';

/**
 * Layout of a chart's ring metadata, a Float64Array handed to the kernels (SPEC §1.4).
 * All dimensions of a chart share it.
 */
export const META_ENTRIES = 0;
export const META_CURRENT_ENTRY = 1;
export const META_COUNTER = 2;
export const META_LAST_UPDATED = 3;
export const META_UPDATE_EVERY = 4;
export const META_DIMS = 5;
export const META_LENGTH = 6;

/** Storage-number flag bits (SPEC §2.1). */
export const SN_EXISTS = 0x01000000;
export const SN_EXISTS_RESET = 0x02000000;
export const SN_EXISTS_100 = 0x04000000;
export const SN_FLAGS_MASK = 0x07000000;

export interface PackResult {
  /** The packed uint32 word. */
  word: number;
  /** True when the SPEC §7 row 1 fix (mantissa overflow re-normalisation) changed the result. */
  row1: boolean;
}

export interface StoredValue {
  /** The value printed exactly as the reference's "%0.7Lf", or null when the value is NaN. */
  text: string | null;
  /** first/last timestamps as the reference leaves them (see shared/vectors/README.md, value_calculation). */
  first: number;
  last: number;
}

/** The numeric half of the kernel interface (SPEC §2, §3.1). */
export interface NumericKernel {
  /** pack(value, flags) with the 80-bit long double semantics of the reference and the row-1 fix. */
  pack(value: number, flags: number): number;
  packDetailed(value: number, flags: number): PackResult;
  /** Packs values[i] into out[i]; returns how many needed the row-1 fix. */
  packInto(values: Float64Array, flags: number, out: Uint32Array): number;
  /** The nearest double to the unpacked (long double) value. */
  unpack(word: number): number;
  /** Unpacks words[i] into out[i] (nearest doubles). */
  unpackInto(words: Uint32Array, out: Float64Array): void;
  /** The unpacked value printed exactly as glibc "%0.7Lf" of the x87 long double. */
  unpackText(word: number): string;
  /**
   * Value of one dimension over [after, before] (SPEC §3.1). The dimension's slots are
   * ring[offset .. offset + entries). meta uses the META_* layout.
   */
  storedValue(ring: Uint32Array, offset: number, meta: Float64Array, after: number, before: number, mode: StoredMode): StoredValue;
  /**
   * The values of every dimension of a chart in one call (nearest doubles, NaN when none);
   * returns the reported timestamp (SPEC §3.1 step 9) or NaN when the window is outside the database.
   */
  storedValuesInto(ring: Uint32Array, meta: Float64Array, after: number, before: number, mode: StoredMode, out: Float64Array): number;
}

/*
 * Line formatting kernel (SPEC §4): one call formats a whole chart from a precomputed template
 * (lib/formats/chart-plan.ts builds it). Layout shared by both implementations:
 * - flags: FMT_MODE_* | FMT_TS_FIRST | FMT_HTTP_HEADER | FMT_BATCH | FMT_RECORDS.
 * - tpl/idx: constant segment k is tpl[idx[2k] .. idx[2k+1]) (FMT_SEG_*); dimension d's part is
 *   tpl[idx[FMT_IDX_DIMS + d] .. idx[FMT_IDX_DIMS + d + 1]).
 * - A line is [SEG_REQ_HEAD len SEG_REQ_SEP] SEG_LEAD dim SEG_AFTER_DIM f1 SEG_MID f2 SEG_TAIL, where f1/f2
 *   are value/timestamp (timestamp first with FMT_TS_FIRST) and len the byte length of the rest (HTTP).
 * - io (Float64Array, FMT_IO_LENGTH): positions, window, batch state; see FMT_IO_*.
 * - recs: triples (start, end, points) of complete HTTP requests when FMT_RECORDS is set.
 */
export const FMT_MODE_COLLECTED = 0;
export const FMT_MODE_AVERAGE = 1;
export const FMT_MODE_SUM = 2;
export const FMT_MODE_MASK = 3;
export const FMT_TS_FIRST = 4;
export const FMT_HTTP_HEADER = 8;
export const FMT_BATCH = 16;
export const FMT_RECORDS = 32;

export const FMT_SEG_LEAD = 0;
export const FMT_SEG_AFTER_DIM = 1;
export const FMT_SEG_MID = 2;
export const FMT_SEG_TAIL = 3;
export const FMT_SEG_REQ_HEAD = 4;
export const FMT_SEG_REQ_SEP = 5;
export const FMT_SEGMENTS = 6;
export const FMT_IDX_DIMS = 2 * FMT_SEGMENTS;

/** in/out: write position in `out`. */
export const FMT_IO_POS = 0;
/** in: first dimension to format; out: first dimension not formatted yet. */
export const FMT_IO_DIM = 1;
/** out: metrics appended by this call (SPEC §7 row 22). */
export const FMT_IO_APPENDED = 2;
/** in/out (FMT_BATCH): points and body bytes of the open request ('[' and ',' included). */
export const FMT_IO_REQ_POINTS = 3;
export const FMT_IO_REQ_BYTES = 4;
/** in (FMT_BATCH): limits of one request. */
export const FMT_IO_MAX_POINTS = 5;
export const FMT_IO_MAX_BYTES = 6;
/** in/out (FMT_RECORDS): number of triples in recs. */
export const FMT_IO_REC_COUNT = 7;
/** in: dimensions with last_collected_time < since are skipped (SPEC §5.8); -Infinity disables. */
export const FMT_IO_SINCE = 8;
/** in: the exporter's window (SPEC §3.1). */
export const FMT_IO_AFTER = 9;
export const FMT_IO_BEFORE = 10;
/** out (FMT_STATUS_OUT_FULL): bytes the next line needs. */
export const FMT_IO_NEED = 11;
export const FMT_IO_LENGTH = 12;

export const FMT_STATUS_DONE = 0;
/** `out` cannot hold the next line; nothing partial was written; grow and call again. */
export const FMT_STATUS_OUT_FULL = 1;
/** FMT_BATCH: the next point does not fit the open request; close it and call again. */
export const FMT_STATUS_REQUEST_FULL = 2;
/** FMT_RECORDS: `recs` is full; grow and call again. */
export const FMT_STATUS_RECORDS_FULL = 3;
/** The arrays do not match each other (lengths); nothing was written. */
export const FMT_STATUS_BAD_INPUT = -1;
/** formatSlabs: the output reached io[FMT_IO_STOP_AT] after chart io[FMT_IO_CHART] - 1. */
export const FMT_STATUS_STOPPED = 4;

/** formatSlabs (batches of charts, issue 7) uses io of FMT_SLABS_IO_LENGTH: FMT_IO_* plus these. */
/** in/out: the chart of the batch being formatted. */
export const FMT_IO_CHART = 12;
/** in: stop after a chart once the write position is at least this (the exporter's chunk size). */
export const FMT_IO_STOP_AT = 13;
export const FMT_SLABS_IO_LENGTH = 14;

/** The formatting half of the kernel interface (SPEC §4). */
export interface FormatKernel {
  /** Formats dimensions io[FMT_IO_DIM].. of one chart; returns a FMT_STATUS_* code. */
  formatChart(flags: number, tpl: Uint8Array, idx: Uint32Array, ring: Uint32Array, meta: Float64Array,
    lastCollectedValue: BigInt64Array, lastCollectedTime: Float64Array, out: Uint8Array, io: Float64Array,
    recs: Float64Array): number;
  /**
   * Optional (native): formats charts io[FMT_IO_CHART].. of a batch in one call. `items` holds two
   * ArrayBuffers per chart, its plan and its slab (layout: lib/formats/plan-layout.ts); returns a
   * FMT_STATUS_* code, io[FMT_IO_CHART] / io[FMT_IO_DIM] say where it stopped.
   */
  formatSlabs?(flags: number, items: ReadonlyArray<ArrayBuffer>, count: number, out: Uint8Array, io: Float64Array,
    recs: Float64Array): number;
}

export interface Kernel extends NumericKernel, FormatKernel {
  readonly implementation: ImplementationName;
}
