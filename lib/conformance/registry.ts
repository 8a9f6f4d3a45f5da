// Categories of golden-vector files (shared/vectors/README.md) and the checkers of their sections.
// A file names its category in header.category; each section (an array of cases) has a checker
// that recomputes one case from its inputs with the active kernel and compares it.
import { Kernel } from '../kernels';

/** A JSON object as found in the vector files. */
export type VectorCase = Record<string, unknown>;

export interface CaseOutcome {
  /**
   * pass = identical to the vector; deviation = differs only because a named SPEC §7 fix applies;
   * skip = the case cannot be checked from what is available (message says why): not counted in
   * cases/passed/failed, reported as a note, never a failure.
   */
  status: 'pass' | 'deviation' | 'fail' | 'skip';
  /**
   * SPEC §7 row label of a deviation, e.g. 'row1', 'row15', 'empty-tags'; a case that several fixes
   * explain carries them all, sorted and joined with '+' ('row15+row9').
   */
  row?: string;
  /** For failures: what the vector says and what the kernel gave (field by field). */
  expected?: unknown;
  actual?: unknown;
  /** For failures: why, when it is not a plain mismatch (e.g. the kernel threw). */
  message?: string;
}

export interface CheckContext {
  kernel: Kernel;
  /** The vector file being run (as given on the command line); checkers may read files next to it. */
  file: string;
  header: VectorCase;
  section: string;
  index: number;
}

export type CaseChecker = (testCase: VectorCase, ctx: CheckContext) => CaseOutcome;

export interface CategoryHandler {
  /** Checker per section name. */
  sections: Record<string, CaseChecker>;
  /** The inputs worth printing for a failing case (default: every field except the expectations). */
  inputsOf?: (section: string, testCase: VectorCase) => unknown;
}

export class ConformanceError extends Error {
  constructor(readonly code: 'ERR_CONFORMANCE_CATEGORY' | 'ERR_CONFORMANCE_FILE', message: string) {
    super(message);
    this.name = 'ConformanceError';
  }
}

const categories = new Map<string, CategoryHandler>();

export function registerCategory(name: string, handler: CategoryHandler): void {
  if (!name || typeof name !== 'string') throw new ConformanceError('ERR_CONFORMANCE_CATEGORY', `category name ${String(name)} is not a non-empty string`);
  if (categories.has(name)) throw new ConformanceError('ERR_CONFORMANCE_CATEGORY', `category '${name}' is registered twice`);
  if (!handler || typeof handler.sections !== 'object' || Object.keys(handler.sections).length === 0) {
    throw new ConformanceError('ERR_CONFORMANCE_CATEGORY', `category '${name}' has no section checkers`);
  }
  categories.set(name, handler);
}

export function getCategory(name: string): CategoryHandler | undefined {
  return categories.get(name);
}

export function categoryNames(): string[] {
  return [...categories.keys()];
}

/**
 * The category of a file: header.category, which must be registered when present; a file without
 * one gets the only registered category whose checkers cover every section of the file.
 */
export function resolveCategory(header: VectorCase, sections: string[]): { name: string; handler: CategoryHandler } {
  const named = header.category;
  const known = categoryNames().join(', ') || 'none';
  if (named !== undefined) {
    const handler = typeof named === 'string' ? categories.get(named) : undefined;
    if (!handler) throw new ConformanceError('ERR_CONFORMANCE_CATEGORY', `header.category ${JSON.stringify(named)} is not registered (registered: ${known})`);
    return { name: named as string, handler };
  }
  const fits = [...categories.entries()].filter(([, h]) => sections.length > 0 && sections.every((s) => s in h.sections));
  if (fits.length === 1) return { name: fits[0][0], handler: fits[0][1] };
  throw new ConformanceError('ERR_CONFORMANCE_CATEGORY',
    `the header names no category and ${fits.length === 0 ? 'no' : 'more than one'} registered category has checkers for sections [${sections.join(', ')}] (registered: ${known})`);
}
