// What the 2019 reference would have printed, reconstructed from OUR output by undoing the fixes we apply
// (SPEC §7 rows 9 and 15, the empty-tags fix). The conformance runner uses it to prove that a line differs
// from a golden vector only because of a named fix: undo(ours) must equal the vector byte for byte.
// Independent of the template code: it works on the output bytes and the case's raw host tags only.
import { isValidJson } from './json-escape';
import type { LineFormat } from './options';

export type FixLabel = 'row15' | 'row9' | 'empty-tags';

/** The reference's 1024-byte body scratch (SPEC §4.3): bodies ≥ 1024 bytes were cut to 1023, "Content-Length: 1024". */
const HTTP_SCRATCH = 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Undoes the fixes on `ours` (the complete output of one formatter call).
 * `hostTags` is the raw tags string the case gave the formatter ("" included).
 */
export function undoFixes(format: LineFormat, ours: Buffer, fixes: ReadonlySet<FixLabel>, hostTags: string | null): Buffer {
  if (ours.length === 0) return ours;
  switch (format) {
    case 'graphite':
      return fixes.has('empty-tags') ? mapLines(ours, graphiteEmptyTags) : ours;
    case 'opentsdb':
      return fixes.has('empty-tags') ? mapLines(ours, (l) => Buffer.concat([l, SPACE])) : ours;
    case 'json':
      return fixes.has('row15') ? mapLines(ours, (l) => unescapeJsonLine(l, hostTags)) : ours;
    case 'opentsdb-http':
      return undoHttp(ours, fixes);
  }
}

const SPACE = Buffer.from(' ', 'latin1');
const NL = 0x0a;

/** Applies f to every line (without its '\n') and puts the newlines back. */
function mapLines(b: Buffer, f: (line: Buffer) => Buffer): Buffer {
  const parts: Buffer[] = [];
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === NL) {
      parts.push(f(b.subarray(s, i)), b.subarray(i, i + 1));
      s = i + 1;
    }
  }
  if (s < b.length) parts.push(f(b.subarray(s)));
  return Buffer.concat(parts);
}

/** "X V T" → "X; V T": the reference printed ';' + "" for empty tags (value and time contain no space). */
function graphiteEmptyTags(line: Buffer): Buffer {
  const last = line.lastIndexOf(0x20);
  const cut = last > 0 ? line.lastIndexOf(0x20, last - 1) : -1;
  if (cut < 0) return line;
  return Buffer.concat([line.subarray(0, cut), Buffer.from(';', 'latin1'), line.subarray(cut)]);
}

/** Decodes the JSON string literal starting at b[i] === '"'; returns raw UTF-8 and the index after it. */
function decodeLiteral(b: Buffer, i: number): { raw: Buffer; end: number } {
  let j = i + 1;
  let s = '';
  let runStart = j;
  const flush = (to: number): void => { s += b.toString('utf8', runStart, to); };
  while (j < b.length && b[j] !== QUOTE) {
    if (b[j] !== BACKSLASH) { j++; continue; }
    flush(j);
    const e = b[j + 1];
    switch (e) {
      case 0x22: s += '"'; j += 2; break;
      case 0x5c: s += '\\'; j += 2; break;
      case 0x2f: s += '/'; j += 2; break;
      case 0x62: s += '\b'; j += 2; break;
      case 0x66: s += '\f'; j += 2; break;
      case 0x6e: s += '\n'; j += 2; break;
      case 0x72: s += '\r'; j += 2; break;
      case 0x74: s += '\t'; j += 2; break;
      case 0x75: s += String.fromCharCode(parseInt(b.toString('latin1', j + 2, j + 6), 16)); j += 6; break;
      default: throw new Error(`invalid JSON escape at byte ${j}`);
    }
    runStart = j;
  }
  flush(j);
  return { raw: Buffer.from(s, 'utf8'), end: j + 1 };
}

/** Every string literal of a flat JSON text inserted raw (the reference did no escaping, SPEC §4.4). */
function unescapeJsonLine(line: Buffer, hostTags: string | null): Buffer {
  const parts: Buffer[] = [];
  let copyFrom = 0;
  let i = 0;
  let lastKey = '';
  while (i < line.length) {
    if (line[i] !== QUOTE) { i++; continue; }
    parts.push(line.subarray(copyFrom, i));
    const lit = decodeLiteral(line, i);
    i = lit.end;
    const isKey = line[i] === 0x3a;
    if (isKey) lastKey = lit.raw.toString('utf8');
    if (!isKey && lastKey === 'host_tags' && hostTags !== null && '{["'.includes(hostTags.charAt(0))) {
      // Tags that look like JSON: raw in the reference; we quote them only when they are not valid JSON.
      parts.push(lit.raw);
    } else {
      parts.push(Buffer.from('"', 'latin1'), lit.raw, Buffer.from('"', 'latin1'));
    }
    copyFrom = i;
    if (isKey && lastKey === 'host_tags' && hostTags !== null && '{["'.includes(hostTags.charAt(0)) && isValidJson(hostTags)) {
      // Valid JSON tags were inserted raw by both (ours with CR/LF as spaces, same byte length).
      const n = Buffer.byteLength(hostTags, 'utf8');
      parts.push(line.subarray(copyFrom, i + 1), Buffer.from(hostTags, 'utf8'));
      i += 1 + n;
      copyFrom = i;
    }
  }
  parts.push(line.subarray(copyFrom));
  return Buffer.concat(parts);
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');
const CL = Buffer.from('Content-Length: ', 'latin1');

/** Each pipelined request: body de-escaped (row15), "host" tag with the stray space (empty-tags), truncated (row9). */
function undoHttp(ours: Buffer, fixes: ReadonlySet<FixLabel>): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < ours.length) {
    const headEnd = ours.indexOf(HEAD_END, at);
    const clAt = ours.indexOf(CL, at);
    if (headEnd < 0 || clAt < 0 || clAt > headEnd) throw new Error(`no HTTP request head at byte ${at}`);
    const length = Number(ours.toString('latin1', clAt + CL.length, headEnd));
    const bodyStart = headEnd + HEAD_END.length;
    let body = ours.subarray(bodyStart, bodyStart + length);
    if (fixes.has('row15')) body = unescapeJsonLine(body, null);
    if (fixes.has('empty-tags')) {
      const close = body.lastIndexOf(Buffer.from('"  }}', 'latin1'));
      if (close >= 0) body = Buffer.concat([body.subarray(0, close), SPACE, body.subarray(close)]);
    }
    let cl = body.length;
    if (fixes.has('row9') && body.length >= HTTP_SCRATCH) {
      // SPEC §4.3 length quirk: what the reference sent instead of the whole body.
      body = body.subarray(0, HTTP_SCRATCH - 1);
      cl = HTTP_SCRATCH;
    }
    out.push(ours.subarray(at, clAt + CL.length), Buffer.from(String(cl), 'latin1'), HEAD_END, body);
    at = bodyStart + length;
  }
  return Buffer.concat(out);
}
