// Checkers for storage_number.json, value_calculation.json and the examples of ld_vs_double.json
// (shared/vectors/README.md): every case is recomputed from its inputs with the active kernel (SPEC §2, §3.1).
import * as fs from 'fs';
import * as path from 'path';
import type { Kernel } from '../kernels';
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

type PackFields = { packed: string; exists?: number; reset?: number; unpacked_f7: string };

/** The fields of `expected` that pack(value, flags) gives for `word`. */
function packFields(kernel: Kernel, word: number, expected: PackFields): Record<string, unknown> {
  const all: Record<string, unknown> = { packed: hex8(word), exists: exists(word), reset: reset(word), unpacked_f7: kernel.unpackText(word) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(expected)) out[k] = all[k];
  return out;
}

/** One pack case (storage_number.json `pack`, ld_vs_double.json `examples.pack`). */
function checkPack(kernel: Kernel, input: string, flags: number, expected: PackFields): CaseOutcome {
  const value = Number(input);
  const { word, row1 } = kernel.packDetailed(value, flags);
  const d = diff(expected, packFields(kernel, word, expected));
  if (!d) return { status: 'pass' };
  // SPEC §7 row 1: a deviation only when the kernel applied the fix AND the vector's word is
  // what the unfixed reference algorithm gives (and its fields follow from that word).
  if (row1 && !diff(expected, packFields(kernel, packExact(value, flags, false).word, expected))) return { status: 'deviation', row: 'row1' };
  return { status: 'fail', ...d };
}

registerCategory('storage_number', {
  sections: {
    pack: guarded((c, { kernel }) => checkPack(kernel, field<string>(c, 'input', 'string'), field<number>(c, 'flags', 'number'), {
      packed: field<string>(c, 'packed', 'string').toLowerCase(),
      exists: field<number>(c, 'exists', 'number'),
      reset: field<number>(c, 'reset', 'number'),
      unpacked_f7: field<string>(c, 'unpacked_f7', 'string'),
    })),
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

/** Recomputes one value_calculation case from its inputs: the result text and the two timestamps. */
function computeValueCase(kernel: Kernel, c: VectorCase): { result: string; first_timestamp: number; last_timestamp: number } {
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
  const r = kernel.storedValue(ring, 0, meta, field<number>(c, 'after', 'number'), field<number>(c, 'before', 'number'),
    modeOf(field<number>(c, 'options', 'number')));
  return { result: r.text ?? 'nan', first_timestamp: r.first, last_timestamp: r.last };
}

registerCategory('value_calculation', {
  sections: {
    cases: guarded((c, { kernel }) => {
      const expected = {
        result: field<string>(c, 'result', 'string'),
        first_timestamp: field<number>(c, 'first_timestamp', 'number'),
        last_timestamp: field<number>(c, 'last_timestamp', 'number'),
      };
      const d = diff(expected, computeValueCase(kernel, c));
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

// ----- ld_vs_double.json (vectors README, last section): the examples of the long double / double summary -----
//
// pack and unpack examples carry their inputs; each is recomputed and compared with its `long_double` result
// (the `double` result is what a plain JS-number implementation would print, information only). A
// value_calculation example names a case of the public value_calculation.json by index: that file is read
// from the summary's own directory, and the example is skipped (a note, not a failure) when it is not there
// or is not the public part.

const VALUE_FILE = 'value_calculation.json';

interface LoadedCases { cases: VectorCase[] | null; problem: string | null }

const valueFiles = new Map<string, LoadedCases>();

/** The cases of value_calculation.json next to `file` (cached per path, size and mtime). */
function publicValueCases(file: string): LoadedCases {
  const p = path.join(path.dirname(path.resolve(file)), VALUE_FILE);
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return { cases: null, problem: `${p} not found (the example gives only public_case_index; pass the summary from the directory of the public vectors)` };
  }
  const key = `${p}\u0000${st.size}\u0000${st.mtimeMs}`;
  let got = valueFiles.get(key);
  if (got === undefined) {
    got = { cases: null, problem: null };
    try {
      const doc = JSON.parse(fs.readFileSync(p, 'utf8')) as VectorCase;
      const h = doc.header as VectorCase | undefined;
      if (!Array.isArray(doc.cases) || typeof h !== 'object' || h === null) got.problem = `${p} is not a value_calculation vector file`;
      else if (h.category !== undefined && h.category !== 'value_calculation') got.problem = `${p} has header.category ${JSON.stringify(h.category)}`;
      else if (h.part !== undefined && h.part !== 'public') got.problem = `${p} is the ${JSON.stringify(h.part)} part; the examples index the public part`;
      else got.cases = doc.cases as VectorCase[];
    } catch (err) {
      got.problem = `cannot read ${p}: ${err instanceof Error ? err.message : String(err)}`;
    }
    valueFiles.set(key, got);
  }
  return got;
}

function longDouble(c: VectorCase): VectorCase {
  const ld = c.long_double;
  if (typeof ld !== 'object' || ld === null || Array.isArray(ld)) throw new CaseInputError(`field 'long_double' is ${JSON.stringify(ld)}, expected an object`);
  return ld as VectorCase;
}

registerCategory('ld_vs_double', {
  sections: {
    'examples.pack': guarded((c, { kernel }) => {
      const ld = longDouble(c);
      const packed = field<string>(ld, 'packed', 'string');
      parseWord(packed, 'long_double.packed');
      return checkPack(kernel, field<string>(c, 'input', 'string'), field<number>(c, 'flags', 'number'), {
        packed: packed.toLowerCase(),
        unpacked_f7: field<string>(ld, 'unpacked_f7', 'string'),
      });
    }),
    'examples.unpack': guarded((c, { kernel }) => {
      const word = parseWord(field<string>(c, 'sn', 'string'), 'sn');
      const expected = { unpacked_f7: field<string>(c, 'long_double', 'string') };
      const d = diff(expected, { unpacked_f7: kernel.unpackText(word) });
      return d ? { status: 'fail', ...d } : { status: 'pass' };
    }),
    'examples.value_calculation': guarded((c, { kernel, file }) => {
      const index = field<number>(c, 'public_case_index', 'number');
      const expectedResult = field<string>(c, 'long_double', 'string');
      const loaded = publicValueCases(file);
      if (loaded.cases === null) return { status: 'skip', message: loaded.problem ?? 'no value_calculation cases' };
      const vc = loaded.cases[index];
      if (!Number.isInteger(index) || vc === undefined || typeof vc !== 'object' || vc === null) {
        throw new CaseInputError(`public_case_index ${index} is not a case of ${VALUE_FILE} (${loaded.cases.length} cases)`);
      }
      // The summary and the public file must describe the same case.
      if (c.data_source !== undefined && vc.data_source !== c.data_source) {
        throw new CaseInputError(`data_source ${JSON.stringify(c.data_source)} but ${VALUE_FILE} case ${index} has ${JSON.stringify(vc.data_source)}`);
      }
      const d = diff({ result: expectedResult }, { result: computeValueCase(kernel, vc).result });
      return d ? { status: 'fail', ...d } : { status: 'pass' };
    }),
  },
  inputsOf: (section, c) => {
    if (section === 'examples.pack') return { input: c.input, flags: c.flags };
    if (section === 'examples.unpack') return { sn: c.sn };
    return { public_case_index: c.public_case_index, data_source: c.data_source };
  },
});
