// The HTTP side of Prometheus remote write (SPEC §5.13; fixes of §7 rows 3, 5, 6): one POST per
// WriteRequest body through lib/transport's HttpClient (keep-alive, destinations in order, TLS verified
// with the same options as the line protocols), with the headers the protocol requires:
//   Content-Encoding: snappy, Content-Type: application/x-protobuf, X-Prometheus-Remote-Write-Version: 0.1.0,
//   User-Agent, Host = the destination (set by Node from the entry that is connected).
// The reference sent `Host: <netdata hostname>`, `Content-Type: application/x-www-form-urlencoded` and no
// encoding or version header, in a separate unchecked send().
// Optional basic authentication and custom headers; the headers above, Authorization (with basic
// authentication) and the framing headers cannot be overridden by custom headers. Header values may be
// tokens: they are kept as Secrets and never appear in a message.
//
// The retry POLICY (backoff with jitter, Retry-After, what is dropped) is in nextBackoffMs() here and is
// applied by the remote-write sink, which owns the queue.
import { HttpClient, HttpResult, HttpClientOptions } from './http-client';
import type { Destination } from './destination';
import { TransportError, TransportLogger } from './errors';
import type { TlsClientOptions } from './tls-options';

/** Anything with reveal(): lib/exporter's Secret (structural, so transport does not import the exporter). */
export interface SecretValue {
  reveal(): string;
}

export interface RemoteWriteHeader {
  readonly name: string;
  readonly value: string | SecretValue;
}

export interface RemoteWriteClientOptions {
  destinations: readonly Destination[] | string;
  /** `remote write URL path` (SPEC §5.2, default `/receive`). */
  path?: string;
  /** Bounds each request (connect, TLS, request, response). */
  timeoutMs: number;
  /** TLS options (the `:https` type), or null for plain HTTP. */
  tls?: TlsClientOptions | null;
  /** Basic authentication (both or neither). */
  username?: string | null;
  password?: string | SecretValue | null;
  /** Extra headers (`remote write headers`). */
  headers?: ReadonlyArray<RemoteWriteHeader> | Readonly<Record<string, string>>;
  /** Default `rrd-backends/<version>`. */
  userAgent?: string;
  logger?: TransportLogger;
}

export const REMOTE_WRITE_PATH_DEFAULT = '/receive';
export const REMOTE_WRITE_VERSION = '0.1.0';

/** Headers the client sets itself (lower case); custom headers may not name them. */
export const REMOTE_WRITE_RESERVED_HEADERS: readonly string[] = [
  'content-encoding', 'content-type', 'x-prometheus-remote-write-version', 'user-agent', 'host',
  'content-length', 'transfer-encoding', 'connection',
];

function packageVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('../../../package.json') as { version?: string }).version ?? '0';
  } catch {
    return '0';
  }
}

const DEFAULT_USER_AGENT = `rrd-backends/${packageVersion()}`;

function optionError(message: string): TransportError {
  return new TransportError('ERR_TRANSPORT_OPTION', message);
}

const reveal = (v: string | SecretValue): string => (typeof v === 'string' ? v : v.reveal());

/** Builds the constant headers of every request; throws ERR_TRANSPORT_OPTION naming the header (never its value). */
export function remoteWriteHeaders(o: Pick<RemoteWriteClientOptions, 'username' | 'password' | 'headers' | 'userAgent'>): Record<string, string> {
  const out: Record<string, string> = {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': REMOTE_WRITE_VERSION,
    'User-Agent': o.userAgent ?? DEFAULT_USER_AGENT,
  };
  if (/[\r\n\0]/.test(out['User-Agent']!)) throw optionError('remote write userAgent must not contain CR, LF or NUL');
  const user = o.username ?? null;
  const pass = o.password ?? null;
  const reserved = new Set(REMOTE_WRITE_RESERVED_HEADERS);
  if (user !== null && user !== '') {
    if (typeof user !== 'string' || user.includes(':') || /[\r\n\0]/.test(user)) {
      throw optionError('remote write username must be a string without ":", CR, LF or NUL (basic authentication cannot carry them)');
    }
    const p = pass === null ? '' : reveal(pass);
    out.Authorization = `Basic ${Buffer.from(`${user}:${p}`, 'utf8').toString('base64')}`;
    reserved.add('authorization');
  } else if (pass !== null && reveal(pass) !== '') {
    throw optionError('remote write password is set without a username; accepted: both, or a token in remote write headers');
  }
  const list: Array<readonly [string, string | SecretValue]> = o.headers === undefined ? []
    : Array.isArray(o.headers) ? (o.headers as ReadonlyArray<RemoteWriteHeader>).map((h) => [h.name, h.value] as const)
      : Object.entries(o.headers as Record<string, string>);
  const seen = new Set<string>();
  for (const [name, value] of list) {
    if (typeof name !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw optionError(`remote write header name ${JSON.stringify(name)} is not an HTTP token (RFC 9110 §5.1)`);
    }
    const l = name.toLowerCase();
    if (reserved.has(l)) {
      throw optionError(`remote write header '${name}' cannot be set: the client sets it; reserved: ${[...reserved].join(', ')}`);
    }
    if (seen.has(l)) throw optionError(`remote write header '${name}' is given twice`);
    seen.add(l);
    const v = reveal(value);
    if (/[\r\n\0]/.test(v)) throw optionError(`the value of remote write header '${name}' contains CR, LF or NUL`);
    out[name] = v;
  }
  return out;
}

/**
 * Delay before retry number `attempt` (1, 2, ...) of a retryable failure: exponential from `baseMs`
 * (doubling, capped at `maxMs`) with "full jitter" in [50 %, 100 %] of it, and never less than the server's
 * Retry-After (which may exceed `maxMs`: the server knows best, and the sink's deadline bounds the wait).
 */
export function nextBackoffMs(attempt: number, retryAfterMs: number | null, random: () => number = Math.random, baseMs = 500, maxMs = 30_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, attempt - 1)));
  const jittered = exp / 2 + (exp / 2) * random();
  return Math.ceil(Math.max(jittered, retryAfterMs ?? 0));
}

export class RemoteWriteClient {
  readonly path: string;
  private readonly headers: Record<string, string>;

  private constructor(private readonly http: HttpClient, path: string, headers: Record<string, string>) {
    this.path = path;
    this.headers = headers;
  }

  static async create(o: RemoteWriteClientOptions): Promise<RemoteWriteClient> {
    if (o === null || typeof o !== 'object') throw optionError('remote write client options must be an object');
    const path = o.path ?? REMOTE_WRITE_PATH_DEFAULT;
    if (typeof path !== 'string' || !path.startsWith('/') || /[\s\u0000-\u001f\u007f]/.test(path)) {
      throw optionError(`remote write URL path ${JSON.stringify(path)} is not accepted; accepted: a path starting with / without spaces or control characters, e.g. /api/v1/write`);
    }
    const headers = remoteWriteHeaders(o);
    const httpOptions: HttpClientOptions = {
      destinations: o.destinations,
      // SPEC §7 row 6: remote write has no default port; every entry must name one.
      defaultPort: null,
      timeoutMs: o.timeoutMs,
      tls: o.tls ?? null,
      logger: o.logger,
    };
    return new RemoteWriteClient(await HttpClient.create(httpOptions), path, headers);
  }

  /** The entry in use, or null. */
  get currentDestination(): string | null {
    return this.http.currentDestination;
  }

  /** POSTs one snappy-compressed WriteRequest. Never throws for network or HTTP failures (see HttpResult). */
  post(body: Buffer): Promise<HttpResult> {
    return this.http.request({ method: 'POST', path: this.path, headers: this.headers, body });
  }

  close(): void {
    this.http.close();
  }
}
