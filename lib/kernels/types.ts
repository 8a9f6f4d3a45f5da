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

export interface Kernel extends NumericKernel {
  readonly implementation: ImplementationName;
}
