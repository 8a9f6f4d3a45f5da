// Metric names and label values of Prometheus remote write (SPEC §4.6): the reference's three sanitisers
// (prom-name, prom-label, prom-units), its host-tags parser, and the name/label rules a receiver enforces.
//
// The reference works on C strings, so every limit here counts UTF-8 bytes. Where its byte limit would cut
// a multi-byte character in half (which makes the protobuf string invalid UTF-8, and receivers refuse such a
// request), the partial character is dropped: the only difference from the reference, and only for names
// longer than the limits.

/** PROMETHEUS_ELEMENT_MAX: bytes kept of a name part, label value or units (SPEC §4.6). */
export const PROM_ELEMENT_MAX = 256;
/** Metric names are built in a 1024-byte buffer: at most 1023 bytes (SPEC §4.6). */
export const PROM_NAME_MAX = 1023;
/** The host tags are copied into a 1024-byte buffer before parsing (SPEC §4.6). */
export const PROM_TAGS_MAX_BYTES = 1024;
/** At most this many tags become labels (PROMETHEUS_LABELS_MAX_NUMBER). */
export const PROM_TAGS_MAX = 128;

const ALNUM = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  ALNUM[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? 1 : 0;
}
const UNDERSCORE = 0x5f;

/** Drops an incomplete UTF-8 sequence at the end of `b` (left by a byte limit). */
export function trimPartialUtf8(b: Buffer): Buffer {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return b;
  const lead = b[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need > back + 1 ? b.subarray(0, i) : b;
}

/** Cuts a string to at most `max` UTF-8 bytes on a character boundary. */
export function cutUtf8(s: string, max: number): Buffer {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? b : trimPartialUtf8(b.subarray(0, max));
}

/** prom-name (`prometheus_name_copy`): every byte that is not ASCII alnum becomes '_', at most 256 bytes. */
export function promName(s: string): string {
  const raw = Buffer.from(s, 'utf8');
  const n = Math.min(raw.length, PROM_ELEMENT_MAX);
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = ALNUM[raw[i]!] ? raw[i]! : UNDERSCORE;
  return out.toString('latin1');
}

/**
 * prom-label (`prometheus_label_copy`): the value, at most 255 bytes counted with the escapes. With
 * `escapes` (the reference), `"`, `\` and newline get a backslash in front: Prometheus text-format escapes
 * that mean nothing in protobuf and reach the receiver literally (SPEC §4.6, §7 row 4). Without, the value
 * is copied as is.
 */
export function promLabel(s: string, escapes: boolean): string {
  const raw = Buffer.from(s, 'utf8');
  const usable = PROM_ELEMENT_MAX - 1;
  const out = Buffer.allocUnsafe(usable + 2);
  let n = 0;
  let i = 0;
  for (; i < raw.length && n < usable; i++) {
    const c = raw[i]!;
    if (escapes && (c === 0x22 || c === 0x5c || c === 0x0a)) out[n++] = 0x5c;
    out[n++] = c;
  }
  const b = out.subarray(0, n);
  return (i < raw.length ? trimPartialUtf8(b) : b).toString('utf8');
}

/**
 * prom-units (`prometheus_units_copy`), average mode only: `_` + units with non-alnum bytes as `_`;
 * exactly `%` → `_percent`; longer than 2 bytes and ending in `/s` → the trailing `_s` becomes `_persec`;
 * empty → `_` (SPEC §4.6, Appendix B).
 */
export function promUnits(units: string): string {
  const raw = Buffer.from(units, 'utf8');
  const out: number[] = [UNDERSCORE];
  let n = 1;
  for (let i = 0; i < raw.length && n < PROM_ELEMENT_MAX; i++, n++) out.push(ALNUM[raw[i]!] ? raw[i]! : UNDERSCORE);
  if (n === 2 && raw[0] === 0x25) return '_percent';
  if (n > 3 && raw[n - 3] === 0x2f && raw[n - 2] === 0x73) {
    out.length -= 2;
    return `${Buffer.from(out).toString('latin1')}_persec`;
  }
  return Buffer.from(out).toString('latin1');
}

/** A metric name as the reference builds it: the parts joined, cut at 1023 bytes (SPEC §4.6). */
export function metricName(...parts: string[]): string {
  const s = parts.join('');
  return Buffer.byteLength(s, 'utf8') <= PROM_NAME_MAX ? s : cutUtf8(s, PROM_NAME_MAX).toString('utf8');
}

const isCSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * A label NAME a receiver accepts: [a-zA-Z_][a-zA-Z0-9_]*. Host tag names are the only names that come from
 * the user; the reference sent them as written, and a receiver that validates names refuses the whole
 * request for one bad tag. Other bytes become '_', a leading digit gets a '_' in front.
 */
export function promLabelName(s: string): string {
  let out = '';
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    out += ALNUM[c] || c === UNDERSCORE ? String.fromCharCode(c) : '_';
  }
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

export interface ParsedHostTags {
  /** name → value, names made valid (promLabelName), in first-seen order; a later duplicate's value wins. */
  labels: Array<[string, string]>;
  /** Pairs left out: empty name or value, reserved `__*` names, `instance`, or more than PROM_TAGS_MAX. */
  dropped: string[];
}

/**
 * The reference's host-tags parser for `netdata_host_tags_info` (SPEC §4.6): `name=value` pairs separated
 * by commas; a value may be in double quotes but ends at the first whitespace or comma; a pair that is not
 * followed by a comma or the end (e.g. OpenTSDB-style `a=x b=y`) stops the parse and is dropped with the
 * rest. The tags are cut at 1024 bytes first. Beyond the reference: names are made valid label names, pairs
 * that would clash with the series' own labels (`instance`, `__name__`, any `__*`) or have an empty name or
 * value are dropped, and duplicate names are merged, so every label is present once.
 */
export function parseHostTags(tags: string | null): ParsedHostTags {
  const out: ParsedHostTags = { labels: [], dropped: [] };
  if (tags === null || tags === '') return out;
  const s = cutUtf8(tags, PROM_TAGS_MAX_BYTES).toString('utf8');
  const index = new Map<string, number>();
  let p = 0;
  const n = s.length;
  while (p < n) {
    while (p < n && isCSpace(s.charCodeAt(p))) p++;
    if (p >= n) break;
    const nameStart = p;
    while (p < n && !isCSpace(s.charCodeAt(p)) && s[p] !== '=') p++;
    if (p >= n || s[p] !== '=') {
      if (p > nameStart) out.dropped.push(s.slice(nameStart));
      break;
    }
    const rawName = s.slice(nameStart, p);
    p++;
    while (p < n && isCSpace(s.charCodeAt(p))) p++;
    if (s[p] === '"') p++;
    const valueStart = p;
    while (p < n && !isCSpace(s.charCodeAt(p)) && s[p] !== ',') p++;
    if (p < n && s[p] !== ',') {
      out.dropped.push(s.slice(nameStart));
      break;
    }
    let value = s.slice(valueStart, p);
    if (value.endsWith('"')) value = value.slice(0, -1);
    if (p < n) p++; // the comma
    const name = promLabelName(rawName);
    if (name === '' || value === '' || name.startsWith('__') || name === 'instance') {
      out.dropped.push(`${rawName}=${value}`);
      continue;
    }
    const at = index.get(name);
    if (at !== undefined) {
      out.labels[at]![1] = value;
    } else if (out.labels.length >= PROM_TAGS_MAX) {
      out.dropped.push(`${rawName}=${value}`);
    } else {
      index.set(name, out.labels.length);
      out.labels.push([name, value]);
    }
  }
  return out;
}
