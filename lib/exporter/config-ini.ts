// netdata.conf syntax (SPEC §5.2; netdata's appconfig_load): `[section]`, `name = value` split at the
// first `=`, both trimmed of C whitespace; a line whose first non-blank char is `#` is a comment; no
// quoting, no inline comments, no continuation lines. This reader only splits the text; what a
// section means (and whether a bad line is an error) is decided by the caller.
import { cTrim } from './config-values';

export interface IniEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

/** A line inside a section that the reference ignores: no `=`, or an empty name. */
export interface IniBadLine {
  readonly line: number;
  readonly text: string;
  readonly problem: 'no-equals' | 'empty-name';
}

export interface IniSection {
  /** The text between the brackets, untrimmed (the reference does not trim it). */
  readonly name: string;
  /** Line of the `[name]` header. */
  readonly line: number;
  readonly entries: IniEntry[];
  readonly badLines: IniBadLine[];
}

export interface IniDocument {
  /** One element per section header, in file order; a repeated header gives another element. */
  readonly sections: IniSection[];
  /** Non-comment lines before the first section header (the reference ignores them). */
  readonly outside: number[];
}

/**
 * Splits `text` into sections. Lines end at `\n` (a trailing `\r` is C whitespace and trimmed away,
 * so CRLF files work as in netdata). A leading UTF-8 BOM is dropped.
 */
export function parseIni(text: string): IniDocument {
  const sections: IniSection[] = [];
  const outside: number[] = [];
  let current: IniSection | null = null;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let lineNo = 0;
  let pos = 0;
  while (pos <= body.length) {
    let nl = body.indexOf('\n', pos);
    if (nl < 0) nl = body.length;
    const raw = body.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    const s = cTrim(raw);
    if (s === '' || s[0] === '#') continue;
    if (s[0] === '[' && s[s.length - 1] === ']' && s.length >= 2) {
      current = { name: s.slice(1, -1), line: lineNo, entries: [], badLines: [] };
      sections.push(current);
      continue;
    }
    if (current === null) {
      outside.push(lineNo);
      continue;
    }
    const eq = s.indexOf('=');
    if (eq < 0) {
      current.badLines.push({ line: lineNo, text: s, problem: 'no-equals' });
      continue;
    }
    const key = cTrim(s.slice(0, eq));
    if (key === '') {
      current.badLines.push({ line: lineNo, text: s, problem: 'empty-name' });
      continue;
    }
    current.entries.push({ key, value: cTrim(s.slice(eq + 1)), line: lineNo });
  }
  return { sections, outside };
}
