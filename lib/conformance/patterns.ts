// Conformance plugin for simple_pattern.json (vectors README): every case compiles `pattern` as the
// backends do (SIMPLE_PATTERN_EXACT, whitespace separators) and matches `string`; pattern_is_null and
// match must both equal the vector. Simple patterns have no fixes (SPEC §7 rows 16-17 are kept), so a
// difference is always a failure, never a deviation. Patterns do not use the kernel.
import { SimplePattern } from '../formats/simple-pattern';
import { CaseOutcome, registerCategory, VectorCase } from './registry';

export interface PatternCase {
  pattern: string;
  string: string;
  pattern_is_null: boolean;
  match: boolean;
}

function isPatternCase(c: unknown): c is PatternCase {
  if (c === null || typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  return typeof o.pattern === 'string' && typeof o.string === 'string'
    && typeof o.pattern_is_null === 'boolean' && typeof o.match === 'boolean';
}

/** Checks one case; a case without the four fields of the schema is a failure with a message. */
export function checkPatternCase(c: VectorCase | PatternCase): CaseOutcome {
  if (!isPatternCase(c)) {
    return { status: 'fail', message: 'not a simple_pattern case: needs string pattern, string string, boolean pattern_is_null and boolean match' };
  }
  const p = SimplePattern.parse(c.pattern);
  const actual = { pattern_is_null: p.isNull, match: p.matches(c.string) };
  const expected = { pattern_is_null: c.pattern_is_null, match: c.match };
  if (actual.pattern_is_null === expected.pattern_is_null && actual.match === expected.match) return { status: 'pass' };
  return { status: 'fail', expected, actual };
}

registerCategory('simple_pattern', {
  sections: { cases: (c) => checkPatternCase(c) },
  inputsOf: (_section, c) => ({ pattern: c.pattern, string: c.string }),
});
