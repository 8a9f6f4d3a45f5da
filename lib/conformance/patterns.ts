// Conformance plugin for simple_pattern.json (vectors README): every case compiles `pattern` as the
// backends do (SIMPLE_PATTERN_EXACT, whitespace separators) and matches `string`; pattern_is_null and
// match must both equal the vector. Simple patterns have no fixes (SPEC §7 rows 16-17 are kept), so a
// difference is always a failure, never a deviation.
import { SimplePattern } from '../formats/simple-pattern';

export interface PatternCase {
  pattern: string;
  string: string;
  pattern_is_null: boolean;
  match: boolean;
}

export interface PatternCaseResult {
  verdict: 'passed' | 'failed';
  expected: { pattern_is_null: boolean; match: boolean };
  actual: { pattern_is_null: boolean; match: boolean };
}

function isPatternCase(c: unknown): c is PatternCase {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  return typeof o.pattern === 'string' && typeof o.string === 'string'
    && typeof o.pattern_is_null === 'boolean' && typeof o.match === 'boolean';
}

/** Runs one case; a malformed case is a failure with the reason in `actual`-less form (thrown). */
export function checkPatternCase(c: unknown): PatternCaseResult {
  if (!isPatternCase(c)) {
    throw new TypeError(`not a simple_pattern case: ${JSON.stringify(c)?.slice(0, 200)}`);
  }
  const p = SimplePattern.parse(c.pattern);
  const actual = { pattern_is_null: p.isNull, match: p.matches(c.string) };
  const expected = { pattern_is_null: c.pattern_is_null, match: c.match };
  const same = actual.pattern_is_null === expected.pattern_is_null && actual.match === expected.match;
  return { verdict: same ? 'passed' : 'failed', expected, actual };
}
