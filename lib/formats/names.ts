// Metric name parts of graphite and OpenTSDB (SPEC §4.0): names vs ids, byte-wise sanitising.

/** The reference copies at most this many bytes of a chart or dimension name (SPEC §4.0). */
export const NAME_MAX_BYTES = 200;

const KEEP = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  KEEP[c] = alnum || c === 0x2e ? 1 : 0;
}
const UNDERSCORE = 0x5f;

/**
 * `backend_name_copy`: the UTF-8 bytes of `s`, cut at 200 bytes, every byte that is not an ASCII letter,
 * digit or '.' replaced by '_' (so a multi-byte character becomes several '_'; `isalnum` in the C locale).
 * Lone surrogates are encoded as U+FFFD first, like every string we turn into bytes.
 */
export function sanitizeName(s: string): Buffer {
  const raw = Buffer.from(s, 'utf8');
  const n = Math.min(raw.length, NAME_MAX_BYTES);
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const c = raw[i] as number;
    out[i] = KEEP[c] ? c : UNDERSCORE;
  }
  return out;
}

/** "name/id" of SPEC §1.8: the name when sending names and it exists, else the id. */
export function nameOrId(sendNames: boolean, id: string, name: string | null): string {
  return sendNames && name !== null ? name : id;
}
