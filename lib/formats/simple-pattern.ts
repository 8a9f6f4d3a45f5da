// netdata "simple patterns" exactly as the reference (SPEC §6): the `send charts matching` and
// `send hosts matching` lists. Parsing and matching work on the UTF-8 bytes, like the C code, so
// byte-wise semantics (multi-byte characters, lone surrogates encoded as U+FFFD) need no proof of
// equivalence with UTF-16 string operations. A pattern never fails to parse.

/** How one piece of a word's chain matches (SPEC §6.1 step 4). */
export type PieceMode = 'exact' | 'prefix' | 'suffix' | 'substring';

/** One piece of a word's chain, for introspection and tests. */
export interface PatternPiece {
  readonly mode: PieceMode;
  /** The literal text of the piece (UTF-8 decoded; may contain a literal `*`, SPEC §6.1 `a**b` quirk). */
  readonly text: string;
}

export interface PatternWord {
  readonly negative: boolean;
  readonly pieces: readonly PatternPiece[];
}

/** Constructs the reference accepts without complaint but that rarely mean what the user wanted. */
export type PatternQuirk =
  | 'lone-negation'    // `! foo` or a trailing `!`: the negation is dropped (SPEC §6.1 step 2, §7 row 17)
  | 'literal-star';   // `a**b`, `**a*`, `***`: one `*` is taken literally (SPEC §6.1 step 4, §7 row 17)

interface Piece {
  mode: PieceMode;
  match: Buffer;
  child: Piece | null;
}

interface Word {
  negative: boolean;
  chain: Piece;
}

const STAR = 0x2a;
const BANG = 0x21;
const BACKSLASH = 0x5c;
const EMPTY = Buffer.alloc(0);

/** The reference's default separator set (NULL separators): space, \t, \r, \n, \f, \v (SPEC §6.1). */
function isSeparator(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d);
}

/**
 * The bytes a C function would see for `s`: its UTF-8 encoding up to the first NUL (a C string ends
 * there). Lone surrogates become U+FFFD, as everywhere else the package encodes names.
 */
function cBytes(s: string | Uint8Array): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s.buffer, s.byteOffset, s.byteLength);
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

/**
 * parse_pattern() of the reference on word bytes [start, end): the part up to the first interior `*`
 * becomes this piece, the rest (starting at that `*`) its child. Leading `*`s are skipped when looking
 * for the interior `*`, which is what makes `a**b` a PREFIX "a" + SUFFIX "*b".
 * The reference recurses once per piece; this walks the word once and links the chain from its end, so a
 * word with millions of `*` (a hostile `send charts matching`) cannot overflow the stack.
 */
function parseChain(word: Buffer, start: number, end: number): Piece {
  // Piece k covers [starts[k], stops[k]); piece k + 1 starts at the `*` that ends piece k.
  const starts: number[] = [];
  const stops: number[] = [];
  for (let s = start; ;) {
    let c = s;
    while (c < end && word[c] === STAR) c++;
    while (c < end && word[c] !== STAR) c++;
    starts.push(s);
    if (c < end && c + 1 < end) {
      stops.push(c + 1); // this piece keeps its trailing '*'
      s = c;
    } else {
      stops.push(end);
      break;
    }
  }
  // One copy of the word (`word` is the parser's scratch buffer); the pieces are views into it.
  const own = Buffer.from(word.subarray(start, end));
  let child: Piece | null = null;
  for (let k = starts.length - 1; k >= 0; k--) child = makePiece(own, (starts[k] as number) - start, (stops[k] as number) - start, child);
  return child as Piece;
}

function makePiece(word: Buffer, start: number, stop: number, child: Piece | null): Piece {
  let s = start;
  const len = stop - s;
  let mode: PieceMode;
  if (len >= 2 && word[s] === STAR && word[stop - 1] === STAR) {
    s++;
    stop--;
    mode = 'substring';
  } else if (len >= 1 && word[s] === STAR) {
    s++;
    mode = 'suffix';
  } else if (len >= 1 && word[stop - 1] === STAR) {
    stop--;
    mode = 'prefix';
  } else {
    mode = 'exact';
  }
  // An empty piece ('*', '**') is an empty SUBSTRING: it matches any (non-empty) string at once.
  if (s >= stop) return { mode: 'substring', match: EMPTY, child };
  return { mode, match: word.subarray(s, stop), child };
}

/**
 * match_pattern() of the reference: `str[off..]` is the remainder (always running to the end of the
 * string). SUBSTRING takes only the first occurrence; SUFFIX and EXACT end the chain. The reference's
 * tail recursion is a loop here (no stack depth per piece).
 */
function matchChain(chain: Piece, str: Buffer, from: number): boolean {
  let off = from;
  for (let p: Piece | null = chain; p !== null; p = p.child) {
    const rest = str.length - off;
    const m = p.match;
    if (m.length > rest) return false;
    switch (p.mode) {
      case 'substring': {
        if (m.length === 0) return true; // the reference ignores any child here
        const at = str.indexOf(m, off);
        if (at < 0) return false;
        off = at + m.length;
        break;
      }
      case 'prefix':
        if (str.compare(m, 0, m.length, off, off + m.length) !== 0) return false;
        off += m.length;
        break;
      case 'suffix':
        return str.compare(m, 0, m.length, str.length - m.length, str.length) === 0 && p.child === null;
      case 'exact':
        return rest === m.length && str.compare(m, 0, m.length, off, str.length) === 0 && p.child === null;
    }
  }
  return true;
}

export class SimplePattern {
  /** The text the pattern was parsed from (null for a missing pattern). */
  readonly source: string | null;
  /** Suspicious constructs found while parsing (never an error: SPEC §6). */
  readonly quirks: readonly PatternQuirk[];
  private readonly words: readonly Word[];

  private constructor(source: string | null, words: Word[], quirks: PatternQuirk[]) {
    this.source = source;
    this.words = words;
    this.quirks = quirks;
  }

  /**
   * simple_pattern_create(text, NULL, SIMPLE_PATTERN_EXACT) of the reference (SPEC §6.1): words split on
   * whitespace, `\` escapes the next byte, a leading `!` negates. Never throws.
   */
  static parse(text: string | Uint8Array | null | undefined): SimplePattern {
    if (text === null || text === undefined) return new SimplePattern(null, [], []);
    const source = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
    const list = cBytes(text);
    const words: Word[] = [];
    const quirks = new Set<PatternQuirk>();
    const buf = Buffer.alloc(list.length);
    let i = 0;
    while (i < list.length) {
      while (i < list.length && isSeparator(list[i])) i++;
      let negative = false;
      if (i < list.length && list[i] === BANG) {
        negative = true;
        i++;
      }
      if (i >= list.length) {
        if (negative) quirks.add('lone-negation');
        break;
      }
      let n = 0;
      let escape = false;
      while (i < list.length) {
        const b = list[i];
        if (b === BACKSLASH && !escape) {
          escape = true;
          i++;
          continue;
        }
        if (isSeparator(b) && !escape) {
          i++;
          break;
        }
        buf[n++] = b;
        i++;
        escape = false;
      }
      if (n === 0) {
        // `! foo`: the reference drops the empty negative word and `foo` comes out positive.
        if (negative) quirks.add('lone-negation');
        continue;
      }
      const chain = parseChain(buf.subarray(0, n), 0, n);
      if (hasLiteralStar(chain)) quirks.add('literal-star');
      words.push({ negative, chain });
    }
    return new SimplePattern(source, words, [...quirks]);
  }

  /** True when parsing gave no pattern at all (null, empty, whitespace only, a lone `!`, ...). */
  get isNull(): boolean {
    return this.words.length === 0;
  }

  /**
   * simple_pattern_matches() (SPEC §6.2): an empty string never matches; the first word that matches
   * decides (a negative word → false); no matching word → false. A null pattern matches nothing.
   */
  matches(s: string | Uint8Array | null | undefined): boolean {
    if (s === null || s === undefined || this.words.length === 0) return false;
    const str = cBytes(s);
    if (str.length === 0) return false;
    for (const w of this.words) {
      if (matchChain(w.chain, str, 0)) return !w.negative;
    }
    return false;
  }

  /** The parsed words and their piece chains (for diagnostics and tests). */
  describe(): PatternWord[] {
    return this.words.map((w) => {
      const pieces: PatternPiece[] = [];
      for (let p: Piece | null = w.chain; p !== null; p = p.child) pieces.push({ mode: p.mode, text: p.match.toString('utf8') });
      return { negative: w.negative, pieces };
    });
  }

  toString(): string {
    return this.source ?? '';
  }

  toJSON(): string | null {
    return this.source;
  }
}

/** True when a piece of the chain kept a `*` as a literal byte (the doubled-star quirk). */
function hasLiteralStar(chain: Piece): boolean {
  for (let p: Piece | null = chain; p !== null; p = p.child) if (p.match.includes(STAR)) return true;
  return false;
}
