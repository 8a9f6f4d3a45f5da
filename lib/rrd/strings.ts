// String treatments the database applies at chart creation (SPEC §1.2). They work on UTF-8 bytes, as
// netdata's C code does, so a multi-byte character becomes one replacement character per byte.

/** RRD_ID_LENGTH_MAX: chart and dimension ids, and chart names, are at most 200 bytes (SPEC §1.2). */
export const RRD_ID_LENGTH_MAX = 200;

const encoder = new TextEncoder();

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // BMP char, or a lone surrogate (encoded as U+FFFD, 3 bytes)
  }
  return n;
}

function isAsciiOnly(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * json_fix_string (SPEC §1.2), applied to family, context and units: `\` → `/`, `"` → `'`, whitespace or
 * control characters → space, any other non-printable byte or byte > 127 → `_`.
 */
export function jsonFixString(s: string): string {
  const bytes = isAsciiOnly(s) ? null : encoder.encode(s);
  const n = bytes ? bytes.length : s.length;
  let out = '';
  let changed = bytes !== null;
  for (let i = 0; i < n; i++) {
    const c = bytes ? bytes[i] : s.charCodeAt(i);
    let r = c;
    if (c === 0x5c) r = 0x2f; // '\\' -> '/'
    else if (c === 0x22) r = 0x27; // '"' -> '\''
    else if (c <= 0x20 || c === 0x7f) r = 0x20; // isspace() or iscntrl() in the C locale
    else if (c > 0x7e) r = 0x5f; // !isprint() or > 127
    if (r !== c) changed = true;
    out += String.fromCharCode(r);
  }
  return changed ? out : s;
}

/**
 * Chart name sanitising (SPEC §1.2): every byte that is not ASCII alphanumeric and not `.` becomes `_`;
 * the reference formats "type.name" into a 200-byte buffer first, so the result is cut at 200 bytes.
 */
export function sanitizeChartName(s: string): string {
  const bytes = encoder.encode(s);
  const n = Math.min(bytes.length, RRD_ID_LENGTH_MAX);
  let out = '';
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e;
    out += ok ? String.fromCharCode(c) : '_';
  }
  return out;
}
