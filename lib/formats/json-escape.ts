// JSON string escaping (SPEC §7 row 15 fix). The reference inserted every string raw, so a '"' or '\'
// in a name produced invalid JSON. We escape exactly what JSON requires and nothing more, so a string
// that needs no escaping produces the reference's bytes:
// - '"' and '\' get a backslash; U+0000..U+001F become \b \f \n \r \t or \u00xx (JSON.stringify style);
// - a lone UTF-16 surrogate (the only way a JS string can hold something that is not valid Unicode;
//   Buffer-decoded invalid UTF-8 already arrives as U+FFFD) becomes U+FFFD, not a \udxxx escape, because
//   several JSON parsers reject or mangle escaped lone surrogates;
// - everything else (DEL, non-ASCII, U+2028/2029) is valid inside a JSON string and stays raw UTF-8.

const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, 'g');

/** Replaces lone surrogates by U+FFFD (what Buffer.from(s, 'utf8') does too). */
export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE_G, '\ufffd') : s;
}

/** True when the raw (reference) insertion of `s` into a JSON string would differ from ours. */
export function needsJsonEscape(s: string): boolean {
  return NEEDS_ESCAPE.test(s) || LONE_SURROGATE.test(s);
}

/** The contents of a JSON string literal for `s` (without the quotes). */
export function escapeJsonString(s: string): string {
  const w = wellFormed(s);
  if (!NEEDS_ESCAPE.test(w)) return w;
  const q = JSON.stringify(w);
  return q.slice(1, q.length - 1);
}

/** UTF-8 bytes of escapeJsonString(s). */
export function jsonStringBytes(s: string): Buffer {
  return Buffer.from(escapeJsonString(s), 'utf8');
}

/** True when `s` is one complete JSON text (RFC 8259). */
export function isValidJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
