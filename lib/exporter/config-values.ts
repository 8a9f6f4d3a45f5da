// Value syntax of netdata.conf (SPEC §5.2) and the data source / type tables (SPEC §5.3, plus the
// TLS and remote-write/kinesis spellings beyond the reference). Pure functions, no I/O.

/** C `isspace` in the "C" locale: the only bytes netdata's trim() removes. */
export function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** netdata's trim(): C whitespace only (a no-break space or a BOM is kept, unlike String.trim). */
export function cTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isCSpace(s.charCodeAt(a))) a++;
  while (b > a && isCSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

export interface StrtollResult {
  /** The value strtoll returns (clamped to the int64 range on overflow, 0 when no digit was read). */
  value: bigint;
  /** False when no digit was read (`abc`, empty): strtoll returned 0. */
  numeric: boolean;
  base: 8 | 10 | 16;
  /** What strtoll left unread (its end pointer); trailing garbage is ignored by the reference. */
  rest: string;
  /** True when the digits overflowed int64 (strtoll clamps and sets ERANGE). */
  overflow: boolean;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x5a) return c - 0x41 + 10;
  return 99;
}

/**
 * glibc `strtoll(s, &end, 0)` (SPEC §5.2 numbers): leading C whitespace, optional sign, base from the
 * prefix (`0x`/`0X` + a hex digit → 16, a leading `0` → 8, else 10), digits until the first non-digit.
 * `0x` without a hex digit reads the `0` and stops at the `x`, as glibc does.
 */
export function strtoll(s: string): StrtollResult {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  let base: 8 | 10 | 16 = 10;
  if (s[i] === '0') {
    if ((s[i + 1] === 'x' || s[i + 1] === 'X') && digitValue(s.charCodeAt(i + 2)) < 16) {
      base = 16;
      i += 2;
    } else {
      base = 8;
    }
  }
  const start = i;
  let mag = 0n;
  const b = BigInt(base);
  while (i < s.length) {
    const d = digitValue(s.charCodeAt(i));
    if (d >= base) break;
    if (mag <= INT64_MAX + 1n) mag = mag * b + BigInt(d); // stop growing once it is out of range anyway
    i++;
  }
  if (i === start) return { value: 0n, numeric: false, base, rest: s, overflow: false };
  let value = negative ? -mag : mag;
  let overflow = false;
  if (value > INT64_MAX) {
    value = INT64_MAX;
    overflow = true;
  } else if (value < INT64_MIN) {
    value = INT64_MIN;
    overflow = true;
  }
  return { value, numeric: true, base, rest: s.slice(i), overflow };
}

/** netdata's boolean words (SPEC §5.2): compared case-insensitively; anything else is false. */
export const TRUE_WORDS: readonly string[] = ['yes', 'true', 'on', 'auto', 'on demand'];
/** Words that mean false on purpose (everything else that is not a true word is false by accident). */
export const FALSE_WORDS: readonly string[] = ['no', 'false', 'off'];

export type BooleanWord = { value: boolean; recognised: boolean };

/** appconfig_get_boolean(): strcasecmp against the true words; `recognised` is false for e.g. `1`. */
export function parseBooleanWord(s: string): BooleanWord {
  const l = s.toLowerCase();
  if (TRUE_WORDS.includes(l)) return { value: true, recognised: true };
  return { value: false, recognised: FALSE_WORDS.includes(l) };
}

/** SPEC §5.3 data sources, canonical names. */
export type DataSource = 'as-collected' | 'average' | 'sum';

/** SPEC §5.3 table (case-sensitive exact strings) → mode. */
export const DATA_SOURCE_SPELLINGS: Readonly<Record<string, DataSource>> = Object.freeze({
  'raw': 'as-collected',
  'as collected': 'as-collected',
  'as-collected': 'as-collected',
  'as_collected': 'as-collected',
  'ascollected': 'as-collected',
  'average': 'average',
  'sum': 'sum',
  'volume': 'sum',
});

export function parseDataSource(s: string): DataSource | null {
  return Object.prototype.hasOwnProperty.call(DATA_SOURCE_SPELLINGS, s) ? DATA_SOURCE_SPELLINGS[s] : null;
}

/** What an instance speaks; the line formats are those of lib/formats/options.ts. */
export type BackendProtocol = 'graphite' | 'opentsdb' | 'opentsdb-http' | 'json' | 'prometheus-remote-write' | 'kinesis';

export interface BackendTypeInfo {
  protocol: BackendProtocol;
  /** TLS on the connection (beyond the reference for graphite/json/remote write, SPEC §5.11 for opentsdb). */
  tls: boolean;
  /** Port used when a destination names none; null: the destination must name one (SPEC §7 row 6) or n/a. */
  defaultPort: number | null;
  /** The name the reference's response checker logs (SPEC §5.3). */
  logName: string;
}

const t = (protocol: BackendProtocol, tls: boolean, defaultPort: number | null, logName: string): BackendTypeInfo =>
  Object.freeze({ protocol, tls, defaultPort, logName });

/** SPEC §5.3 type table (case-sensitive) plus the TLS variants beyond the reference. */
export const BACKEND_TYPES = Object.freeze({
  'graphite': t('graphite', false, 2003, 'graphite'),
  'graphite:plaintext': t('graphite', false, 2003, 'graphite'),
  'graphite:https': t('graphite', true, 2003, 'graphite'),
  'opentsdb': t('opentsdb', false, 4242, 'opentsdb'),
  'opentsdb:telnet': t('opentsdb', false, 4242, 'opentsdb'),
  'opentsdb:http': t('opentsdb-http', false, 4242, 'opentsdb'),
  'opentsdb:https': t('opentsdb-http', true, 4242, 'opentsdb'),
  'json': t('json', false, 5448, 'json'),
  'json:plaintext': t('json', false, 5448, 'json'),
  'json:https': t('json', true, 5448, 'json'),
  'prometheus_remote_write': t('prometheus-remote-write', false, null, 'prometheus remote write'),
  'prometheus_remote_write:https': t('prometheus-remote-write', true, null, 'prometheus remote write'),
  'kinesis': t('kinesis', false, null, 'json'),
  'kinesis:plaintext': t('kinesis', false, null, 'json'),
} satisfies Record<string, BackendTypeInfo>);

export type BackendType = keyof typeof BACKEND_TYPES;

export function backendTypeInfo(s: string): BackendTypeInfo | null {
  return Object.prototype.hasOwnProperty.call(BACKEND_TYPES, s) ? BACKEND_TYPES[s as BackendType] : null;
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys (short strings only). */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.abs(a.length - b.length) + 64;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The closest of `candidates` to `word` (case-insensitively), if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(w.length / 4)) ? best : null;
}
