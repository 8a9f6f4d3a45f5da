// Formatter options: validation with clear errors, defaults, and a comparison key for the plan caches.
import { FormatError } from './errors';

/** The four line formats (SPEC §4.1-4.4). Kinesis payloads are JSON lines (SPEC §4.5). */
export type LineFormat = 'graphite' | 'opentsdb' | 'opentsdb-http' | 'json';
/** SPEC §5.3 data sources. */
export type DataSource = 'as-collected' | 'average' | 'sum';

export interface HttpFormatOptions {
  /**
   * 'batch' (default): one request carries a JSON array of up to `maxPoints` points and at most `maxBytes`
   * body bytes, host tags are separate tag keys (SPEC §7 row 9 fix). 'single': one request per point with
   * the reference's exact bytes (compatibility mode; body never truncated).
   */
  mode?: 'batch' | 'single';
  /** Points per batched request (1..100000, default 50). */
  maxPoints?: number;
  /**
   * Body bytes per batched request (64..64 MiB, default 8192). A stock OpenTSDB refuses bodies that Netty
   * splits into chunks ("Chunked request not supported", tsd.http.request.enable_chunked=false) and Netty's
   * default chunk size is 8 KiB. A single point larger than the cap is sent alone, never truncated.
   */
  maxBytes?: number;
  /** 'request' (default): complete HTTP/1.1 requests; 'body': only the JSON bodies, for an HTTP client. */
  framing?: 'request' | 'body';
  /** Value of the Host header; default: the host name being formatted (what the reference sent). */
  host?: string;
}

export interface FormatOptions {
  /** Also accepts the `[backend] type` spellings of SPEC §5.3 (`graphite:plaintext`, `opentsdb:telnet`, …). */
  format: LineFormat | string;
  source: DataSource;
  /** `[backend] prefix`, never sanitised (SPEC §4). */
  prefix: string;
  /** `send names instead of ids` (SPEC §4.0). */
  sendNames: boolean;
  http?: HttpFormatOptions;
}

export interface ResolvedHttpOptions {
  mode: 'batch' | 'single';
  maxPoints: number;
  maxBytes: number;
  framing: 'request' | 'body';
  host: string | null;
}

export interface ResolvedFormatOptions {
  format: LineFormat;
  source: DataSource;
  prefix: string;
  sendNames: boolean;
  http: ResolvedHttpOptions;
  /** Equal keys ⇔ equal options; plans built under another key are stale. */
  key: string;
}

export const HTTP_DEFAULTS: Readonly<ResolvedHttpOptions> = Object.freeze({
  mode: 'batch', maxPoints: 50, maxBytes: 8192, framing: 'request', host: null,
});

const FORMAT_ALIASES: Record<string, LineFormat> = {
  'graphite': 'graphite', 'graphite:plaintext': 'graphite',
  'opentsdb': 'opentsdb', 'opentsdb:telnet': 'opentsdb',
  'opentsdb-http': 'opentsdb-http', 'opentsdb:http': 'opentsdb-http', 'opentsdb:https': 'opentsdb-http',
  'json': 'json', 'json:plaintext': 'json', 'kinesis': 'json', 'kinesis:plaintext': 'json',
};
const SOURCES: readonly DataSource[] = ['as-collected', 'average', 'sum'];

function bad(key: string, value: unknown, accepted: string): FormatError {
  return new FormatError('ERR_FORMAT_OPTION', `formatter option '${key}' = ${JSON.stringify(value) ?? String(value)} is not accepted; accepted: ${accepted}`);
}

function intIn(key: string, v: unknown, lo: number, hi: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(key, v, `an integer from ${lo} to ${hi}`);
  return v;
}

/** Characters that would end or split an HTTP header line (tab is allowed in field values). */
const HEADER_BREAKERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Throws ERR_FORMAT_HTTP_HOST when `host` cannot be a Host header value. */
export function checkHttpHost(host: string, what = 'http.host'): void {
  if (HEADER_BREAKERS.test(host)) {
    throw new FormatError('ERR_FORMAT_HTTP_HOST', `${what} = ${JSON.stringify(host)} cannot be an HTTP Host header: it contains a control character (CR, LF, NUL, ...); accepted: any text without control characters other than tab`);
  }
}

export function resolveFormatOptions(o: FormatOptions): ResolvedFormatOptions {
  if (o === null || typeof o !== 'object') throw bad('options', o, 'an object { format, source, prefix, sendNames, http? }');
  const format = typeof o.format === 'string' ? FORMAT_ALIASES[o.format] : undefined;
  if (format === undefined) throw bad('format', o.format, Object.keys(FORMAT_ALIASES).join(', '));
  if (!SOURCES.includes(o.source)) throw bad('source', o.source, SOURCES.join(', '));
  if (typeof o.prefix !== 'string') throw bad('prefix', o.prefix, 'a string');
  if (typeof o.sendNames !== 'boolean') throw bad('sendNames', o.sendNames, 'true or false');
  const h = o.http ?? {};
  if (h === null || typeof h !== 'object') throw bad('http', h, 'an object');
  const mode = h.mode ?? HTTP_DEFAULTS.mode;
  if (mode !== 'batch' && mode !== 'single') throw bad('http.mode', mode, 'batch, single');
  const framing = h.framing ?? HTTP_DEFAULTS.framing;
  if (framing !== 'request' && framing !== 'body') throw bad('http.framing', framing, 'request, body');
  const host = h.host ?? null;
  if (host !== null) {
    if (typeof host !== 'string') throw bad('http.host', host, 'a string');
    checkHttpHost(host);
  }
  const http: ResolvedHttpOptions = {
    mode,
    maxPoints: intIn('http.maxPoints', h.maxPoints, 1, 100000, HTTP_DEFAULTS.maxPoints),
    maxBytes: intIn('http.maxBytes', h.maxBytes, 64, 64 * 1024 * 1024, HTTP_DEFAULTS.maxBytes),
    framing,
    host,
  };
  const key = JSON.stringify([format, o.source, o.prefix, o.sendNames, http]);
  return Object.freeze({ format, source: o.source, prefix: o.prefix, sendNames: o.sendNames, http: Object.freeze(http), key });
}
