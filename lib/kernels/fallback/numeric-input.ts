// Validation of the public numeric kernel API (SPEC §1.4, §2): bad input gets an error naming the
// argument, its value and what is accepted, with a stable `code`. The hot-path helpers
// (value-calc.ts) trust their callers; everything reachable from the Kernel object checks here.
import {
  META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS,
  META_LENGTH, StoredMode,
} from '../types';

export type NumericInputCode = 'ERR_NUMERIC_INPUT';

export class NumericInputError extends TypeError {
  readonly code: NumericInputCode = 'ERR_NUMERIC_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'NumericInputError';
  }
}

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  return Object.prototype.toString.call(v);
}

export function checkValue(value: unknown): asserts value is number {
  if (typeof value !== 'number') {
    throw new NumericInputError(`value ${show(value)} is not accepted: pass a number (NaN and infinities are allowed)`);
  }
}

export function checkFlags(flags: unknown): asserts flags is number {
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new NumericInputError(`flags ${show(flags)} is not accepted: pass a uint32 (only bits 24-26 matter)`);
  }
}

export function checkWord(word: unknown, name = 'word'): asserts word is number {
  if (typeof word !== 'number' || !Number.isInteger(word) || word < 0 || word > 0xffffffff) {
    throw new NumericInputError(`${name} ${show(word)} is not accepted: pass a uint32 storage number`);
  }
}

export function checkTyped<T>(v: unknown, ctor: abstract new (...args: never[]) => T, name: string, what: string): asserts v is T {
  if (!(v instanceof ctor)) throw new NumericInputError(`${name} ${show(v)} is not accepted: pass a ${what}`);
}

function isWholeNumber(v: number): boolean {
  return Number.isSafeInteger(v);
}

/** Checks the META_* layout (SPEC §1.4); returns entries. */
export function checkMeta(meta: unknown): number {
  checkTyped(meta, Float64Array, 'meta', `Float64Array of at least ${META_LENGTH} numbers (META_* layout)`);
  if (meta.length < META_LENGTH) {
    throw new NumericInputError(`meta has ${meta.length} numbers; the META_* layout needs ${META_LENGTH}`);
  }
  const entries = meta[META_ENTRIES];
  const cur = meta[META_CURRENT_ENTRY];
  const counter = meta[META_COUNTER];
  const ue = meta[META_UPDATE_EVERY];
  const last = meta[META_LAST_UPDATED];
  if (!isWholeNumber(entries) || entries < 1) {
    throw new NumericInputError(`meta[META_ENTRIES] ${entries} is not accepted: the ring size must be an integer >= 1`);
  }
  if (!isWholeNumber(cur) || cur < 0 || cur >= entries) {
    throw new NumericInputError(`meta[META_CURRENT_ENTRY] ${cur} is not accepted: it must be an integer in [0, ${entries - 1}]`);
  }
  if (!isWholeNumber(counter) || counter < 0) {
    throw new NumericInputError(`meta[META_COUNTER] ${counter} is not accepted: it must be an integer >= 0`);
  }
  if (!isWholeNumber(ue) || ue < 1) {
    throw new NumericInputError(`meta[META_UPDATE_EVERY] ${ue} is not accepted: it must be an integer >= 1 (seconds)`);
  }
  if (!isWholeNumber(last)) {
    throw new NumericInputError(`meta[META_LAST_UPDATED] ${last} is not accepted: it must be an integer timestamp (seconds)`);
  }
  return entries;
}

/** Checks meta[META_DIMS]; returns the number of dimensions. */
export function checkDims(meta: Float64Array, ringLength: number, entries: number): number {
  const dims = meta[META_DIMS];
  if (!isWholeNumber(dims) || dims < 0) {
    throw new NumericInputError(`meta[META_DIMS] ${dims} is not accepted: it must be an integer >= 0`);
  }
  if (dims * entries > ringLength) {
    throw new NumericInputError(`ring has ${ringLength} slots; meta says ${dims} dimensions x ${entries} entries = ${dims * entries}`);
  }
  return dims;
}

export function checkRing(ring: unknown, offset: unknown, entries: number): asserts ring is Uint32Array {
  checkTyped(ring, Uint32Array, 'ring', 'Uint32Array of storage numbers');
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset + entries > ring.length) {
    throw new NumericInputError(`offset ${show(offset)} is not accepted: it must be an integer in [0, ${ring.length - entries}] (ring has ${ring.length} slots, ${entries} entries per dimension)`);
  }
}

export function checkTime(t: unknown, name: string): asserts t is number {
  if (typeof t !== 'number' || !Number.isSafeInteger(t)) {
    throw new NumericInputError(`${name} ${show(t)} is not accepted: it must be an integer timestamp (seconds)`);
  }
}

export function checkMode(mode: unknown): asserts mode is StoredMode {
  if (mode !== 'average' && mode !== 'sum') {
    throw new NumericInputError(`mode ${show(mode)} is not accepted: use 'average' or 'sum'`);
  }
}
