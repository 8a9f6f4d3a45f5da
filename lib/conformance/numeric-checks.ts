// Checkers for storage_number.json and value_calculation.json (shared/vectors/README.md): every
// case is recomputed from its inputs with the active kernel (SPEC §2, §3.1).
import {
  META_LENGTH, META_ENTRIES, META_CURRENT_ENTRY, META_COUNTER, META_LAST_UPDATED, META_UPDATE_EVERY, META_DIMS,
  StoredMode,
} from '../kernels';
import { storageNumberExists, storageNumberDidReset } from '../kernels/fallback/storage-number';
import { packExact } from '../kernels/fallback/sn-exact';
import { registerCategory, CaseChecker, CaseOutcome, VectorCase } from './registry';

function hex8(word: number): string {
  return '0x' + (word >>> 0).toString(16).padStart(8, '0');
}

function exists(word: number): number {
  return storageNumberExists(word) ? 1 : 0;
}

function reset(word: number): number {
  return storageNumberDidReset(word) ? 1 : 0;
}

class CaseInputError extends Error {}

function field<T>(c: VectorCase, name: string, type: 'string' | 'number' | 'object'): T {
  const v = c[name];
  if (typeof v !== type || v === null) throw new CaseInputError(`field '${name}' is ${JSON.stringify(v)}, expected a ${type}`);
  return v as T;
}

function parseWord(text: string, name: string): number {
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(text)) throw new CaseInputError(`field '${name}' is ${JSON.stringify(text)}, expected "0x%08x"`);
  return parseInt(text, 16);
}

/** Compares field by field; returns the mismatching subset or null. */
function diff(expected: Record<string, unknown>, actual: Record<string, unknown>): { expected: Record<string, unknown>; actual: Record<string, unknown> } | null {
  const e: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  let bad = false;
  for (const k of Object.keys(expected)) {
    if (expected[k] !== actual[k]) {
      e[k] = expected[k];
      a[k] = actual[k];
      bad = true;
    }
  }
  return bad ? { expected: e, actual: a } : null;
}

/** Turns a thrown error (bad case or kernel error) into a failure that says which. */
function guarded(check: CaseChecker): CaseChecker {
  return (c, ctx): CaseOutcome => {
    try {
      return check(c, ctx);
    } catch (err) {
      const message = err instanceof CaseInputError ? `bad case: ${err.message}` : `kernel threw: ${err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err)}`;
      return { status: 'fail', message };
    }
  };
}

registerCategory('storage_number', {
  sections: {
    pack: guarded((c, { kernel }) => {
      const value = Number(field<string>(c, 'input', 'string'));
      const flags = field<number>(c, 'flags', 'number');
      const expected = {
        packed: field<string>(c, 'packed', 'string').toLowerCase(),
        exists: field<number>(c, 'exists', 'number'),
        reset: field<number>(c, 'reset', 'number'),
        unpacked_f7: field<string>(c, 'unpacked_f7', 'string'),
      };
      const { word, row1 } = kernel.packDetailed(value, flags);
      const actual = { packed: hex8(word), exists: exists(word), reset: reset(word), unpacked_f7: kernel.unpackText(word) };
      const d = diff(expected, actual);
      if (!d) return { status: 'pass' };
      // SPEC §7 row 1: a deviation only when the kernel applied the fix AND the vector's word is
      // what the unfixed reference algorithm gives (and its fields follow from that word).
      if (row1) {
        const refWord = packExact(value, flags, false).word;
        const refFields = { packed: hex8(refWord), exists: exists(refWord), reset: reset(refWord), unpacked_f7: kernel.unpackText(refWord) };
        if (!diff(expected, refFields)) return { status: 'deviation', row: 'row1' };
      }
      return { status: 'fail', ...d };
    }),
    unpack: guarded((c, { kernel }) => {
      const word = parseWord(field<string>(c, 'sn', 'string'), 'sn');
      const expected = {
        exists: field<number>(c, 'exists', 'number'),
        reset: field<number>(c, 'reset', 'number'),
        unpacked_f7: field<string>(c, 'unpacked_f7', 'string'),
      };
      const actual = { exists: exists(word), reset: reset(word), unpacked_f7: kernel.unpackText(word) };
      const d = diff(expected, actual);
      return d ? { status: 'fail', ...d } : { status: 'pass' };
    }),
  },
  inputsOf: (section, c) => (section === 'pack' ? { input: c.input, flags: c.flags } : { sn: c.sn }),
});

/** The data source the reference derives from the options bitmap (vectors README). */
function modeOf(options: number): StoredMode {
  return (options & 7) === 4 ? 'sum' : 'average';
}

registerCategory('value_calculation', {
  sections: {
    cases: guarded((c, { kernel }) => {
      const values = c.values;
      if (!Array.isArray(values)) throw new CaseInputError(`field 'values' is not an array`);
      const entries = field<number>(c, 'entries', 'number');
      const meta = new Float64Array(META_LENGTH);
      meta[META_ENTRIES] = entries;
      meta[META_CURRENT_ENTRY] = field<number>(c, 'current_entry', 'number');
      meta[META_COUNTER] = field<number>(c, 'counter', 'number');
      meta[META_LAST_UPDATED] = field<number>(c, 'last_updated', 'number');
      meta[META_UPDATE_EVERY] = field<number>(c, 'update_every', 'number');
      meta[META_DIMS] = 1;
      const ring = new Uint32Array(entries);
      if (values.length !== entries) throw new CaseInputError(`'values' has ${values.length} slots, 'entries' says ${entries}`);
      for (let i = 0; i < entries; i++) ring[i] = values[i] as number;
      const expected = {
        result: field<string>(c, 'result', 'string'),
        first_timestamp: field<number>(c, 'first_timestamp', 'number'),
        last_timestamp: field<number>(c, 'last_timestamp', 'number'),
      };
      const r = kernel.storedValue(ring, 0, meta, field<number>(c, 'after', 'number'), field<number>(c, 'before', 'number'),
        modeOf(field<number>(c, 'options', 'number')));
      const actual = { result: r.text ?? 'nan', first_timestamp: r.first, last_timestamp: r.last };
      const d = diff(expected, actual);
      return d ? { status: 'fail', ...d } : { status: 'pass' };
    }),
  },
  inputsOf: (_section, c) => {
    const { result, first_timestamp, last_timestamp, values, ...inputs } = c;
    void result; void first_timestamp; void last_timestamp;
    const v = values as number[];
    return { ...inputs, values: Array.isArray(v) && v.length > 12 ? `[${v.slice(0, 12).join(',')},... ${v.length} slots]` : v };
  },
});
