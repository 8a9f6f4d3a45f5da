// The numeric half of the native kernel (SPEC §2, §3.1): validates in TypeScript (the same checks
// and errors as the fallback, lib/kernels/fallback/numeric-input.ts), then crosses into the C++
// addon once per call (whole typed arrays for the *Into methods).
import { NumericKernel, PackResult, StoredMode, StoredValue, META_ENTRIES } from './types';
import {
  checkValue, checkFlags, checkWord, checkTyped, checkMeta, checkDims, checkRing, checkTime, checkMode,
  NumericInputError,
} from './fallback/numeric-input';

/** Result of the test-only self tests (native/numeric_selftest.h). */
export interface NativeSelfTestResult {
  /** false: this platform has no x87 long double, only the portable checks ran. */
  hardware: boolean;
  cases: number;
  mismatches: number;
  /** _valueSelfTest: cases the integer fast path answered (the rest declined to the exact path). */
  fastTaken: number;
  /** The first mismatches, one per line ('' when none). */
  first: string;
}

/** Bits of _setPaths (test hook). */
export const NATIVE_PATH_NO_INTEGER_FAST_PATH = 1;
export const NATIVE_PATH_FORCE_SOFT_LD = 2;

/** Exactly the functions native/numeric_binding.cc exports. */
export interface NativeNumericBinding {
  /** The packed word, plus 2^32 when the SPEC §7 row-1 fix applied. */
  pack(value: number, flags: number): number;
  /** Returns how many values needed the row-1 fix. */
  packInto(values: Float64Array, flags: number, out: Uint32Array): number;
  unpack(word: number): number;
  unpackInto(words: Uint32Array, out: Float64Array): void;
  unpackText(word: number): string;
  /** "%0.7Lf" text or null (NaN); ts[0], ts[1] receive the first/last timestamps. */
  storedValue(ring: Uint32Array, offset: number, meta: Float64Array, after: number, before: number, sum: boolean,
    ts: Float64Array): string | null;
  storedValuesInto(ring: Uint32Array, meta: Float64Array, after: number, before: number, sum: boolean,
    out: Float64Array): number;
  /** Test only: n random operations, soft long double vs x87 hardware (and portable 128-bit helpers). */
  _ldSelfTest(n: number, seed: number): NativeSelfTestResult;
  /** Test only: pack/unpack soft vs x87, and the value fast path vs both exact paths, on n random rings. */
  _valueSelfTest(n: number, seed: number): NativeSelfTestResult;
  /** Test only: selects code paths process-wide (NATIVE_PATH_* bits); returns the previous bits. */
  _setPaths(flags: number): number;
  /** Whether the build uses the x87 long double as its exact fast path. */
  hardwareLongDouble: boolean;
}

const TWO32 = 4294967296;

export function wrapNativeNumeric(binding: NativeNumericBinding): NumericKernel {
  const ts = new Float64Array(2);

  function packDetailed(value: number, flags: number): PackResult {
    checkValue(value);
    checkFlags(flags);
    const r = binding.pack(value, flags);
    return r >= TWO32 ? { word: r - TWO32, row1: true } : { word: r, row1: false };
  }

  return {
    pack(value: number, flags: number): number {
      checkValue(value);
      checkFlags(flags);
      const r = binding.pack(value, flags);
      return r >= TWO32 ? r - TWO32 : r;
    },

    packDetailed,

    packInto(values: Float64Array, flags: number, out: Uint32Array): number {
      checkTyped(values, Float64Array, 'values', 'Float64Array');
      checkFlags(flags);
      checkTyped(out, Uint32Array, 'out', 'Uint32Array');
      if (out.length < values.length) {
        throw new NumericInputError(`out has ${out.length} slots, fewer than the ${values.length} values to pack`);
      }
      return binding.packInto(values, flags, out);
    },

    unpack(word: number): number {
      checkWord(word);
      return binding.unpack(word);
    },

    unpackInto(words: Uint32Array, out: Float64Array): void {
      checkTyped(words, Uint32Array, 'words', 'Uint32Array');
      checkTyped(out, Float64Array, 'out', 'Float64Array');
      if (out.length < words.length) {
        throw new NumericInputError(`out has ${out.length} slots, fewer than the ${words.length} words to unpack`);
      }
      binding.unpackInto(words, out);
    },

    unpackText(word: number): string {
      checkWord(word);
      return binding.unpackText(word);
    },

    storedValue(ring: Uint32Array, offset: number, meta: Float64Array, after: number, before: number,
      mode: StoredMode): StoredValue {
      const entries = checkMeta(meta);
      checkRing(ring, offset, entries);
      checkTime(after, 'after');
      checkTime(before, 'before');
      checkMode(mode);
      const text = binding.storedValue(ring, offset, meta, after, before, mode === 'sum', ts);
      return { text, first: ts[0], last: ts[1] };
    },

    storedValuesInto(ring: Uint32Array, meta: Float64Array, after: number, before: number, mode: StoredMode,
      out: Float64Array): number {
      checkMeta(meta);
      checkTyped(ring, Uint32Array, 'ring', 'Uint32Array of storage numbers');
      const dims = checkDims(meta, ring.length, meta[META_ENTRIES]);
      checkTime(after, 'after');
      checkTime(before, 'before');
      checkMode(mode);
      checkTyped(out, Float64Array, 'out', 'Float64Array');
      if (out.length < dims) throw new NumericInputError(`out has ${out.length} slots, fewer than meta[META_DIMS] = ${dims}`);
      return binding.storedValuesInto(ring, meta, after, before, mode === 'sum', out);
    },
  };
}
