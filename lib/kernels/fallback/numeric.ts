// The numeric half of the pure TypeScript kernel (SPEC §2, §3.1): validated entry points over
// storage-number.ts (pack/unpack fast paths) and value-calc.ts (window, slot walk, sum/average).
import { NumericKernel, PackResult, StoredMode, StoredValue, META_ENTRIES } from '../types';
import { packFast, lastPackRow1, unpackFast, unpackTextFast } from './storage-number';
import { alignWindow, writeDimValue, dimValueDouble } from './value-calc';
import {
  checkValue, checkFlags, checkWord, checkTyped, checkMeta, checkDims, checkRing, checkTime, checkMode,
  NumericInputError,
} from './numeric-input';

const win = new Float64Array(2);
const textBuf = Buffer.alloc(64);

function pack(value: number, flags: number): number {
  checkValue(value);
  checkFlags(flags);
  return packFast(value, flags);
}

function packDetailed(value: number, flags: number): PackResult {
  checkValue(value);
  checkFlags(flags);
  const word = packFast(value, flags);
  return { word, row1: lastPackRow1() };
}

function packInto(values: Float64Array, flags: number, out: Uint32Array): number {
  checkTyped(values, Float64Array, 'values', 'Float64Array');
  checkFlags(flags);
  checkTyped(out, Uint32Array, 'out', 'Uint32Array');
  if (out.length < values.length) {
    throw new NumericInputError(`out has ${out.length} slots, fewer than the ${values.length} values to pack`);
  }
  let fixed = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = packFast(values[i], flags);
    if (lastPackRow1()) fixed++;
  }
  return fixed;
}

function unpack(word: number): number {
  checkWord(word);
  return unpackFast(word);
}

function unpackInto(words: Uint32Array, out: Float64Array): void {
  checkTyped(words, Uint32Array, 'words', 'Uint32Array');
  checkTyped(out, Float64Array, 'out', 'Float64Array');
  if (out.length < words.length) {
    throw new NumericInputError(`out has ${out.length} slots, fewer than the ${words.length} words to unpack`);
  }
  for (let i = 0; i < words.length; i++) out[i] = unpackFast(words[i]);
}

function unpackText(word: number): string {
  checkWord(word);
  return unpackTextFast(word);
}

function storedValue(ring: Uint32Array, offset: number, meta: Float64Array, after: number, before: number,
  mode: StoredMode): StoredValue {
  const entries = checkMeta(meta);
  checkRing(ring, offset, entries);
  checkTime(after, 'after');
  checkTime(before, 'before');
  checkMode(mode);
  // On the early NaN the reference leaves its output timestamps as the caller set them (after,
  // before); on the "no existing values" NaN they already hold the aligned window (vectors README).
  if (!alignWindow(meta, after, before, win)) return { text: null, first: after, last: before };
  const first = win[0];
  const last = win[1];
  const end = writeDimValue(ring, offset, meta, first, last, mode === 'sum', textBuf, 0);
  const text = end < 0 ? null : textBuf.toString('latin1', 0, end);
  return { text, first, last };
}

function storedValuesInto(ring: Uint32Array, meta: Float64Array, after: number, before: number, mode: StoredMode,
  out: Float64Array): number {
  const entries = checkMeta(meta);
  checkTyped(ring, Uint32Array, 'ring', 'Uint32Array of storage numbers');
  const dims = checkDims(meta, ring.length, meta[META_ENTRIES]);
  checkTime(after, 'after');
  checkTime(before, 'before');
  checkMode(mode);
  checkTyped(out, Float64Array, 'out', 'Float64Array');
  if (out.length < dims) throw new NumericInputError(`out has ${out.length} slots, fewer than meta[META_DIMS] = ${dims}`);
  if (!alignWindow(meta, after, before, win)) {
    out.fill(NaN, 0, dims);
    return NaN;
  }
  const first = win[0];
  const last = win[1];
  const sum = mode === 'sum';
  for (let d = 0; d < dims; d++) out[d] = dimValueDouble(ring, d * entries, meta, first, last, sum);
  return last;
}

export const fallbackNumeric: NumericKernel = {
  pack,
  packDetailed,
  packInto,
  unpack,
  unpackInto,
  unpackText,
  storedValue,
  storedValuesInto,
};
