// Simple patterns (SPEC §6) against the C reference's vectors, the SPEC's examples and quirks, the
// call-site rules of §5.6/§5.7, and a property test against an independent glob matcher.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { SimplePattern } from '../lib/formats/simple-pattern';
import { ChartFilter, HostFilter } from '../lib/formats/simple-pattern-filters';
import * as os from 'os';
import { checkPatternCase, PatternCase } from '../lib/conformance/patterns';
import { runFile } from '../lib/conformance/runner';
import { kernel } from '../lib/kernels';

const VECTORS = process.env.RRD_VECTORS_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared', 'vectors');

function loadCases(): { count: number; cases: PatternCase[] } {
  const doc = JSON.parse(fs.readFileSync(path.join(VECTORS, 'simple_pattern.json'), 'utf8')) as { header: { count: number }; cases: PatternCase[] };
  return { count: doc.header.count, cases: doc.cases };
}

/**
 * An independent matcher: classic glob on UTF-8 bytes where `*` matches any run of bytes (dynamic
 * programming, no "first occurrence" shortcut), wrapped in the list rules of SPEC §6.2 (empty string never
 * matches; the first matching word decides).
 */
function globBytes(pat: Buffer, s: Buffer): boolean {
  // dp[j] = pattern[0..i) matches s[0..j)
  let dp = new Array<boolean>(s.length + 1).fill(false);
  dp[0] = true;
  for (let i = 0; i < pat.length; i++) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    if (pat[i] === 0x2a) {
      let any = false;
      for (let j = 0; j <= s.length; j++) {
        any = any || dp[j];
        next[j] = any;
      }
    } else {
      for (let j = 1; j <= s.length; j++) next[j] = dp[j - 1] && s[j - 1] === pat[i];
    }
    dp = next;
  }
  return dp[s.length];
}

function listGlob(words: { negative: boolean; text: string }[], s: string): boolean {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length === 0) return false;
  for (const w of words) if (globBytes(Buffer.from(w.text, 'utf8'), bytes)) return !w.negative;
  return false;
}

describe('SimplePattern', () => {
  describe('reference vectors (simple_pattern.json)', () => {
    it('every public case: pattern_is_null and match equal the C reference', () => {
      const { count, cases } = loadCases();
      assert.strictEqual(cases.length, count);
      assert.ok(count >= 1000, `expected the 1400 public cases, got ${count}`);
      const failed = cases.map((c, i) => ({ i, c, r: checkPatternCase(c) })).filter((x) => x.r.status !== 'pass');
      assert.deepStrictEqual(failed.slice(0, 5).map((f) => ({ i: f.i, case: f.c, actual: f.r.actual })), []);
      assert.strictEqual(failed.length, 0);
    });

    it('the vectors exercise both outcomes and null patterns (the test can fail)', () => {
      const { cases } = loadCases();
      const matches = cases.filter((c) => c.match).length;
      const nulls = cases.filter((c) => c.pattern_is_null).length;
      assert.ok(matches > 100 && matches < cases.length - 100, `matches=${matches}`);
      assert.ok(nulls > 0, 'some null patterns');
      // A deliberately wrong case is reported as failed.
      const c = { ...cases[0], match: !cases[0].match };
      assert.strictEqual(checkPatternCase(c).status, 'fail');
      assert.strictEqual(checkPatternCase({ pattern: 'x' }).status, 'fail');
    });
    it('the conformance runner dispatches simple_pattern files to this checker', () => {
      const { cases } = loadCases();
      const picked = cases.slice(0, 5).map((c) => ({ ...c }));
      picked[2].match = !picked[2].match;
      const f = path.join(os.tmpdir(), `simple-pattern-${process.pid}.json`);
      fs.writeFileSync(f, JSON.stringify({ header: { category: 'simple_pattern', count: 5 }, cases: picked }));
      try {
        const r = runFile(f, kernel);
        assert.deepStrictEqual([r.category, r.cases, r.passed, r.failed, r.deviations], ['simple_pattern', 5, 4, 1, 0]);
        assert.strictEqual(r.sections.cases.failing[0].index, 2);
      } finally {
        fs.rmSync(f, { force: true });
      }
    });
  });

  describe('SPEC §6 examples', () => {
    const table: [string, string, boolean][] = [
      ['!*slave* *db*', 'mydb', true],
      ['!*slave* *db*', 'slavedb', false],
      ['!*slave* *db*', 'x', false],
      ['system.*', 'system.cpu', true],
      ['system.*', 'systemd', false],
      ['foo*bar', 'foobar', true],
      ['foo*bar', 'foozbar', true],
      ['foo*bar', 'foobarx', false],
      ['ab*ab', 'ab', false],
      ['ab*ab', 'abab', true],
      ['localhost *', 'anything.at.all', true],
      ['localhost *', 'localhost', true],
      ['*a*b*c', 'aXbYc', true],
      ['*a*b*c', 'acb', false],
    ];
    for (const [pattern, s, expected] of table) {
      it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(s)}`, () => {
        assert.strictEqual(SimplePattern.parse(pattern).matches(s), expected);
      });
    }
  });

  describe('quirks of the reference (SPEC §6.1, §7 row 17)', () => {
    it('a doubled * in the middle is a literal asterisk', () => {
      const p = SimplePattern.parse('a**b');
      assert.strictEqual(p.matches('a*b'), true);
      assert.strictEqual(p.matches('ab'), false);
      assert.strictEqual(p.matches('axb'), false);
      assert.deepStrictEqual(p.describe(), [{ negative: false, pieces: [{ mode: 'prefix', text: 'a' }, { mode: 'suffix', text: '*b' }] }]);
      assert.deepStrictEqual(p.quirks, ['literal-star']);
    });

    it('*** matches only strings that contain *; * and ** match everything non-empty', () => {
      const p3 = SimplePattern.parse('***');
      assert.strictEqual(p3.matches('x*y'), true);
      assert.strictEqual(p3.matches('xy'), false);
      for (const w of ['*', '**']) {
        const p = SimplePattern.parse(w);
        assert.strictEqual(p.matches('anything'), true);
        assert.strictEqual(p.matches('*'), true);
        assert.deepStrictEqual(p.quirks, []);
      }
    });

    it('an empty string never matches, not even *', () => {
      for (const w of ['*', '**', '!x *', 'a*']) assert.strictEqual(SimplePattern.parse(w).matches(''), false);
      assert.strictEqual(SimplePattern.parse('*').matches(null), false);
    });

    it('"! foo" gives a positive foo; a trailing ! is ignored; \\! is a literal !', () => {
      const p = SimplePattern.parse('! foo');
      assert.deepStrictEqual(p.describe(), [{ negative: false, pieces: [{ mode: 'exact', text: 'foo' }] }]);
      assert.strictEqual(p.matches('foo'), true);
      assert.deepStrictEqual(p.quirks, ['lone-negation']);
      const q = SimplePattern.parse('foo !');
      assert.strictEqual(q.describe().length, 1);
      assert.deepStrictEqual(q.quirks, ['lone-negation']);
      const r = SimplePattern.parse('\\!x');
      assert.strictEqual(r.matches('!x'), true);
      assert.strictEqual(r.describe()[0].negative, false);
      assert.deepStrictEqual(r.quirks, []);
    });

    it('a backslash escapes separators; an escaped * is still a wildcard', () => {
      const p = SimplePattern.parse('a\\ b');
      assert.strictEqual(p.describe().length, 1);
      assert.strictEqual(p.matches('a b'), true);
      assert.strictEqual(p.matches('a'), false);
      assert.strictEqual(SimplePattern.parse('a\\*').matches('abc'), true);
      assert.strictEqual(SimplePattern.parse('a\\').matches('a'), true);
    });

    it('the first matching word decides, negative or not', () => {
      assert.strictEqual(SimplePattern.parse('* !abc').matches('abc'), true);
      assert.strictEqual(SimplePattern.parse('!abc *').matches('abc'), false);
      assert.strictEqual(SimplePattern.parse('!a* ab').matches('ab'), false);
    });

    it('all six separators split words; runs of them are skipped', () => {
      const p = SimplePattern.parse(' \t a\r\nb\fc\vd \t');
      assert.deepStrictEqual(p.describe().map((w) => w.pieces[0].text), ['a', 'b', 'c', 'd']);
      // A no-break space is not a separator.
      assert.strictEqual(SimplePattern.parse('a\u00a0b').describe().length, 1);
    });

    it('null patterns: null, empty, whitespace only, lone !', () => {
      for (const t of [null, undefined, '', '   ', '\t\n\r\f\v', '!', ' ! ', '!\t!']) {
        const p = SimplePattern.parse(t);
        assert.strictEqual(p.isNull, true, JSON.stringify(t));
        assert.strictEqual(p.matches('x'), false);
      }
      assert.strictEqual(SimplePattern.parse('x').isNull, false);
    });

    it('piece chains (SPEC §6.1 step 4)', () => {
      const modes = (t: string) => SimplePattern.parse(t).describe()[0].pieces.map((p) => `${p.mode}:${p.text}`);
      assert.deepStrictEqual(modes('text'), ['exact:text']);
      assert.deepStrictEqual(modes('text*'), ['prefix:text']);
      assert.deepStrictEqual(modes('*text'), ['suffix:text']);
      assert.deepStrictEqual(modes('*text*'), ['substring:text']);
      assert.deepStrictEqual(modes('a*b*c'), ['prefix:a', 'substring:b', 'suffix:c']);
      assert.deepStrictEqual(modes('*a*b'), ['substring:a', 'suffix:b']);
      assert.deepStrictEqual(modes('**a*b'), ['substring:*a', 'suffix:b']);
    });
  });

  describe('bytes, not UTF-16 units', () => {
    it('multi-byte characters are matched on their UTF-8 bytes', () => {
      assert.strictEqual(SimplePattern.parse('caf*').matches('café'), true);
      assert.strictEqual(SimplePattern.parse('*é').matches('café'), true);
      assert.strictEqual(SimplePattern.parse('*\u{1F600}*').matches('a\u{1F600}b'), true);
      // Byte input is matched as is; 0xC3 0xA9 is é.
      assert.strictEqual(SimplePattern.parse('caf*').matches(Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9])), true);
      assert.strictEqual(SimplePattern.parse(Buffer.from('*\u00e9', 'utf8')).matches('café'), true);
    });

    it('a lone surrogate is encoded as U+FFFD, like every name the package writes', () => {
      assert.strictEqual(SimplePattern.parse('\ud800').matches('\ufffd'), true);
      assert.strictEqual(SimplePattern.parse('*\ufffd').matches('x\udc00'), true);
    });

    it('a NUL ends the string, as in C', () => {
      assert.strictEqual(SimplePattern.parse('abc').matches('abc\u0000def'), true);
      assert.strictEqual(SimplePattern.parse('a\u0000 b').describe().length, 1);
      assert.strictEqual(SimplePattern.parse('\u0000abc').isNull, true);
      assert.strictEqual(SimplePattern.parse('*').matches('\u0000x'), false);
    });
  });

  describe('call-site rules', () => {
    it('hosts: an empty pattern sends every host; localhost is matched as "localhost" (SPEC §5.6)', () => {
      const all = new HostFilter('');
      assert.strictEqual(all.allows('web01', false), true);
      assert.strictEqual(all.allows('web01', true), true);
      const dflt = new HostFilter('localhost');
      assert.strictEqual(dflt.allows('web01', true), true);
      assert.strictEqual(dflt.allows('web01', false), false);
      assert.strictEqual(dflt.allows('localhost', false), true);
      const neg = new HostFilter('!localhost *');
      assert.strictEqual(neg.allows('web01', true), false);
      assert.strictEqual(neg.allows('web01', false), true);
    });

    it('charts: an empty pattern sends nothing (SPEC §7 row 16)', () => {
      for (const p of ['', '   ', null]) {
        const f = new ChartFilter(p);
        assert.strictEqual(f.allows('system.cpu', 'system.cpu'), false);
      }
    });

    it('charts: the id first, then the name (SPEC §6.2)', () => {
      const f = new ChartFilter('!apps.cpu *');
      assert.strictEqual(f.allows('apps.cpu', 'apps.cpu_total'), true);
      assert.strictEqual(f.allows('apps.cpu', 'apps.cpu'), false);
      assert.strictEqual(f.allows('apps.cpu', null), false);
      const byName = new ChartFilter('disk_util.sda');
      assert.strictEqual(byName.allows('disk_util.8:0', 'disk_util.sda'), true);
      assert.strictEqual(byName.allows('disk_util.8:0', 'disk_util.sdb'), false);
      const compiled = SimplePattern.parse('system.*');
      assert.strictEqual(new ChartFilter(compiled).pattern, compiled);
    });
  });

  describe('properties (fast-check)', () => {
    it('never throws, for any text or bytes', () => {
      fc.assert(fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: fc.constantFrom('a', '*', '!', '\\', ' ', '\t', 'é', '\0'), maxLength: 30 })),
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ maxLength: 40 })),
        (pattern, s) => {
          const p = SimplePattern.parse(pattern);
          assert.strictEqual(typeof p.matches(s), 'boolean');
          assert.strictEqual(typeof p.isNull, 'boolean');
          p.describe();
        },
      ), { numRuns: 1000 });
    });

    it('words without "**" give exactly the glob result of an independent matcher', () => {
      const word = fc.array(fc.constantFrom('a', 'b', 'é', '.', '*'), { minLength: 1, maxLength: 7 })
        .map((cs) => cs.join(''))
        .filter((w) => !w.includes('**'));
      const words = fc.array(fc.record({ negative: fc.boolean(), text: word }), { minLength: 1, maxLength: 4 });
      const chars = fc.array(fc.constantFrom('a', 'b', 'é', '.', '*', 'c'), { maxLength: 4 }).map((cs) => cs.join(''));
      // Subjects: random strings, and strings built from one of the words (each * replaced by random text)
      // so that matches are common too.
      const cases = words.chain((ws) => fc.tuple(
        fc.constant(ws),
        fc.oneof(
          fc.array(chars, { maxLength: 3 }).map((p) => p.join('')),
          fc.tuple(fc.nat(ws.length - 1), fc.array(chars, { minLength: 8, maxLength: 8 }))
            .map(([k, fill]) => ws[k].text.split('*').reduce((acc, part, i) => acc + (i > 0 ? fill[i % 8] : '') + part, '')),
        ),
      ));
      let matched = 0;
      let runs = 0;
      fc.assert(fc.property(cases, fc.constantFrom(' ', '\t', '\n  '), ([ws, s], sep) => {
        const text = ws.map((w) => (w.negative ? '!' : '') + w.text).join(sep);
        const expected = listGlob(ws, s);
        runs++;
        if (expected) matched++;
        assert.strictEqual(SimplePattern.parse(text).matches(s), expected, `pattern ${JSON.stringify(text)} on ${JSON.stringify(s)}`);
      }), { numRuns: 3000 });
      // Both outcomes were exercised.
      assert.ok(matched > runs / 20 && matched < runs - runs / 20, `matched ${matched} of ${runs}`);
    });

    it('the independent matcher disagrees on the ** quirk (so the comparison is meaningful)', () => {
      assert.strictEqual(listGlob([{ negative: false, text: 'a**b' }], 'axb'), true);
      assert.strictEqual(SimplePattern.parse('a**b').matches('axb'), false);
    });
  });
});
