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
  /** Cases that could not be checked (not counted in cases); `notes` says why. */
  skipped: number;
  /** Deviations per label as the checker gave it ('row15+row9' when several fixes explain one case). */
  rows: Record<string, number>;
  /** Deviations per single SPEC §7 row: each row counted once per case it applies to. */
  rowTotals: Record<string, number>;
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
  skipped: number;
  rows: Record<string, number>;
  rowTotals: Record<string, number>;
  sections: Record<string, SectionReport>;
  /** What the reader should know about this file besides the counts (skipped cases, unchecked parts). */
  notes: string[];
  /** Set when the file could not be run at all (unreadable, not the schema, unknown category). */
  error?: string;
}

function emptyReport(file: string): FileReport {
  return { file, category: null, cases: 0, passed: 0, deviations: 0, failed: 0, skipped: 0, rows: {}, rowTotals: {}, sections: {}, notes: [] };
}

function isObject(v: unknown): v is VectorCase {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function defaultInputs(c: VectorCase): unknown {
  return c;
}

/** The single SPEC §7 rows of a deviation label ('row15+row9' → row15, row9). */
export function rowsOfLabel(label: string): string[] {
  return [...new Set(label.split('+').filter(Boolean))];
}

/** The category a summary document (no header, an `examples` object) is checked as. */
export const SUMMARY_CATEGORY = 'ld_vs_double';

interface Normalised {
  header: VectorCase;
  sections: Record<string, unknown[]>;
  notes: string[];
}

/**
 * The sections of a document. A vector file is {"header": {...}, "<section>": [cases...]}. The long double
 * versus double summary (shared/vectors/README.md, ld_vs_double.json) has no header: its counts describe a
 * double build over public + hold-out cases and cannot be recomputed, but its `examples` (pack, unpack,
 * value_calculation) carry the reference's long-double results, so they run as sections `examples.<kind>`.
 */
function normalise(doc: unknown): Normalised {
  if (isObject(doc) && doc.header === undefined && isObject(doc.examples)) {
    const examples = doc.examples;
    const sections: Record<string, unknown[]> = {};
    for (const [k, v] of Object.entries(examples)) {
      if (!Array.isArray(v)) throw new ConformanceError('ERR_CONFORMANCE_FILE', `summary file: examples.${k} is not an array of cases`);
      sections[`examples.${k}`] = v;
    }
    const counts = Object.keys(doc).filter((k) => k !== 'examples' && k !== 'description');
    const notes = counts.length > 0
      ? [`summary counts not recomputed (they compare a double build over public + hold-out cases): ${counts.join(', ')}; the examples are checked against their long_double results`]
      : [];
    return { header: { category: SUMMARY_CATEGORY }, sections, notes };
  }
  if (!isObject(doc) || !isObject(doc.header)) {
    throw new ConformanceError('ERR_CONFORMANCE_FILE', 'not a vector file: expected {"header": {...}, "<section>": [cases...]} (or a summary with an "examples" object, like ld_vs_double.json)');
  }
  const sections: Record<string, unknown[]> = {};
  for (const s of Object.keys(doc).filter((k) => k !== 'header')) {
    const v = doc[s];
    if (!Array.isArray(v)) throw new ConformanceError('ERR_CONFORMANCE_FILE', `section '${s}' is not an array of cases`);
    sections[s] = v;
  }
  return { header: doc.header, sections, notes: [] };
}

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [row, n] of Object.entries(from)) into[row] = (into[row] ?? 0) + n;
}

/** Runs one parsed vector document. */
export function runDocument(file: string, doc: unknown, kernel: Kernel): FileReport {
  const report = emptyReport(file);
  const { header, sections: bySection, notes } = normalise(doc);
  report.notes.push(...notes);
  const sections = Object.keys(bySection);
  const { name, handler } = resolveCategory(header, sections);
  report.category = name;
  for (const s of sections) {
    const checker = handler.sections[s];
    if (!checker) throw new ConformanceError('ERR_CONFORMANCE_FILE', `category '${name}' has no checker for section '${s}' (known: ${Object.keys(handler.sections).join(', ')})`);
  }
  for (const s of sections) {
    const checker = handler.sections[s];
    const cases = bySection[s] as unknown[];
    const sec: SectionReport = { cases: 0, passed: 0, deviations: 0, failed: 0, skipped: 0, rows: {}, rowTotals: {}, deviating: [], failing: [] };
    const skipReasons = new Map<string, number>();
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      if (!isObject(c)) {
        sec.cases++;
        sec.failed++;
        sec.failing.push({ index: i, inputs: c, message: 'bad case: not a JSON object' });
        continue;
      }
      const out = checker(c, { kernel, file, header, section: s, index: i });
      if (out.status === 'skip') {
        sec.skipped++;
        const why = out.message ?? 'no reason given';
        skipReasons.set(why, (skipReasons.get(why) ?? 0) + 1);
        continue;
      }
      sec.cases++;
      if (out.status === 'pass') {
        sec.passed++;
      } else if (out.status === 'deviation' && out.row) {
        sec.deviations++;
        sec.rows[out.row] = (sec.rows[out.row] ?? 0) + 1;
        for (const row of rowsOfLabel(out.row)) sec.rowTotals[row] = (sec.rowTotals[row] ?? 0) + 1;
        sec.deviating.push({ index: i, row: out.row });
      } else {
        sec.failed++;
        const inputs = handler.inputsOf ? handler.inputsOf(s, c) : defaultInputs(c);
        const message = out.status === 'deviation' ? 'deviation without a SPEC §7 row label' : out.message;
        sec.failing.push({ index: i, inputs, expected: out.expected, actual: out.actual, ...(message ? { message } : {}) });
      }
    }
    for (const [why, n] of skipReasons) report.notes.push(`skipped ${n} ${s} case${n === 1 ? '' : 's'}: ${why}`);
    report.sections[s] = sec;
    report.cases += sec.cases;
    report.passed += sec.passed;
    report.deviations += sec.deviations;
    report.failed += sec.failed;
    report.skipped += sec.skipped;
    add(report.rows, sec.rows);
    add(report.rowTotals, sec.rowTotals);
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
