// Runs golden-vector files (shared/vectors/README.md schema) through the registered checkers and
// counts passes, SPEC §7 deviations (per row) and failures.
import * as fs from 'fs';
import { Kernel } from '../kernels';
import { resolveCategory, ConformanceError, VectorCase } from './registry';

export interface FailedCase {
  index: number;
  inputs: unknown;
  expected?: unknown;
  actual?: unknown;
  message?: string;
}

export interface SectionReport {
  cases: number;
  passed: number;
  deviations: number;
  failed: number;
  rows: Record<string, number>;
  deviating: { index: number; row: string }[];
  failing: FailedCase[];
}

export interface FileReport {
  file: string;
  category: string | null;
  cases: number;
  passed: number;
  deviations: number;
  failed: number;
  rows: Record<string, number>;
  sections: Record<string, SectionReport>;
  /** Set when the file could not be run at all (unreadable, not the schema, unknown category). */
  error?: string;
}

function emptyReport(file: string): FileReport {
  return { file, category: null, cases: 0, passed: 0, deviations: 0, failed: 0, rows: {}, sections: {} };
}

function isObject(v: unknown): v is VectorCase {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function defaultInputs(c: VectorCase): unknown {
  return c;
}

/** Runs one parsed vector document. */
export function runDocument(file: string, doc: unknown, kernel: Kernel): FileReport {
  const report = emptyReport(file);
  if (!isObject(doc) || !isObject(doc.header)) {
    throw new ConformanceError('ERR_CONFORMANCE_FILE', 'not a vector file: expected {"header": {...}, "<section>": [cases...]}');
  }
  const header = doc.header;
  const sections = Object.keys(doc).filter((k) => k !== 'header');
  for (const s of sections) {
    if (!Array.isArray(doc[s])) throw new ConformanceError('ERR_CONFORMANCE_FILE', `section '${s}' is not an array of cases`);
  }
  const { name, handler } = resolveCategory(header, sections);
  report.category = name;
  for (const s of sections) {
    const checker = handler.sections[s];
    if (!checker) throw new ConformanceError('ERR_CONFORMANCE_FILE', `category '${name}' has no checker for section '${s}' (known: ${Object.keys(handler.sections).join(', ')})`);
  }
  for (const s of sections) {
    const checker = handler.sections[s];
    const cases = doc[s] as unknown[];
    const sec: SectionReport = { cases: cases.length, passed: 0, deviations: 0, failed: 0, rows: {}, deviating: [], failing: [] };
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      if (!isObject(c)) {
        sec.failed++;
        sec.failing.push({ index: i, inputs: c, message: 'bad case: not a JSON object' });
        continue;
      }
      const out = checker(c, { kernel, header, section: s, index: i });
      if (out.status === 'pass') {
        sec.passed++;
      } else if (out.status === 'deviation' && out.row) {
        sec.deviations++;
        sec.rows[out.row] = (sec.rows[out.row] ?? 0) + 1;
        sec.deviating.push({ index: i, row: out.row });
      } else {
        sec.failed++;
        const inputs = handler.inputsOf ? handler.inputsOf(s, c) : defaultInputs(c);
        const message = out.status === 'deviation' ? 'deviation without a SPEC §7 row label' : out.message;
        sec.failing.push({ index: i, inputs, expected: out.expected, actual: out.actual, ...(message ? { message } : {}) });
      }
    }
    report.sections[s] = sec;
    report.cases += sec.cases;
    report.passed += sec.passed;
    report.deviations += sec.deviations;
    report.failed += sec.failed;
    for (const [row, n] of Object.entries(sec.rows)) report.rows[row] = (report.rows[row] ?? 0) + n;
  }
  return report;
}

/** Reads and runs one vector file; problems with the file itself become report.error. */
export function runFile(file: string, kernel: Kernel): FileReport {
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    return { ...emptyReport(file), error: `cannot read vector file: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    return runDocument(file, doc, kernel);
  } catch (err) {
    if (err instanceof ConformanceError) return { ...emptyReport(file), error: err.message };
    throw err;
  }
}
