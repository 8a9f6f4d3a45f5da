// HTTP(S) requests for OpenTSDB HTTP (`/api/put`) and Prometheus remote write (SPEC §4.3, §5.13; fixes of
// §7 rows 3, 5, 9, 10).
//
// The reference wrote HTTP requests by hand into its raw socket and never looked at the status (it only
// logged whatever came back one iteration later). Here each request gets its response, and the outcome is
// a union in the style of OpenTelemetry's exporters:
// - success: 2xx;
// - retryable: 5xx, 429 (with Retry-After parsed into milliseconds), and every network failure (refused,
//   reset, timeout, TLS): the data may be sent again;
// - failure: any other status (4xx, 3xx -- redirects are not followed): the receiver rejected the data
//   itself, sending it again cannot help.
// Connections are kept alive (one Agent per destination, keepAlive, maxSockets 1: requests to a destination
// are serialised on one socket, as the reference's single connection was). Destinations are tried in order
// from the first while nothing has been sent (connect or handshake failed); once a destination answers it
// is used until it fails, then the list starts over from the first (SPEC §5.10). A request is never
// repeated after its bytes may have reached the server. The one silent resend is a reused keep-alive
// socket reset (ECONNRESET) BEFORE the request was completely written: the server cannot have processed a
// request it did not receive whole. A request that was completely written and then reset on a reused
// socket is NOT resent here: the server may have processed it before closing (or may have closed the idle
// socket without reading it; the client cannot tell), so it is returned as retryable and the caller (the
// sink) decides, visibly in its counters.
//
// Delivery is therefore AT LEAST ONCE: a retryable result after the request was written (reset, timeout,
// 5xx after partial ingestion) may have been stored, and the sink's retry then stores it twice. Receivers
// that key samples by series and timestamp (Prometheus, VictoriaMetrics, OpenTSDB) overwrite or ignore
// the duplicate value; anything counting requests sees it twice.

import * as http from 'node:http';
import * as https from 'node:https';
import { Destination, DestinationParseOptions, NetworkDestination, parseDestinationList } from './destination';
import { TransportError, TransportLogger, describe, errnoOf, silentLogger } from './errors';
import { ServiceTable, resolveService } from './services';
import { ResolvedTls, TlsClientOptions, resolveTlsOptions, tlsConnectOptions } from './tls-options';

/** How much of a response body is kept for the caller (the rest is read and dropped). */
export const BODY_SAMPLE_BYTES = 1024;

export interface HttpClientOptions {
  destinations: readonly Destination[] | string;
  defaultPort?: DestinationParseOptions['defaultPort'];
  /** Bounds each attempt: connect, TLS, request and the whole response. */
  timeoutMs: number;
  tls?: TlsClientOptions | null;
  /** Sent with every request (e.g. authorization for remote write); per-request headers override them. */
  headers?: Readonly<Record<string, string>>;
  logger?: TransportLogger;
  services?: ServiceTable;
}

export interface HttpRequest {
  method?: 'POST' | 'PUT' | 'GET';
  path: string;
  headers?: Readonly<Record<string, string | number>>;
  body?: Buffer;
}

interface ResultBase {
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  /** The first BODY_SAMPLE_BYTES of the response body. */
  body: Buffer;
  /** The entry that handled the request, or null when none could be reached. */
  destination: string | null;
  /** New connections opened for this request (the `reconnects` counter). */
  attempts: number;
}

export interface HttpSuccess extends ResultBase {
  kind: 'success';
  status: number;
}

export interface HttpRetryable extends ResultBase {
  kind: 'retryable';
  /** Delay asked for by Retry-After, in ms, or null. */
  retryAfterMs: number | null;
  error: TransportError;
}

export interface HttpFailure extends ResultBase {
  kind: 'failure';
  status: number;
  error: TransportError;
}

export type HttpResult = HttpSuccess | HttpRetryable | HttpFailure;

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; null when absent or malformed. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - nowMs);
}

/** success / retryable / failure for a status (SPEC §7 row 5: only 2xx is success). */
export function classifyStatus(status: number): 'success' | 'retryable' | 'failure' {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429 || (status >= 500 && status < 600)) return 'retryable';
  return 'failure';
}

interface Attempt {
  /** The response, or the error. */
  status: number | null;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  error: TransportError | null;
  /** False while nothing can have reached the server (connect or handshake failed). */
  mayHaveSent: boolean;
  newSocket: boolean;
  staleReuse: boolean;
}

export class HttpClient {
  readonly destinations: readonly Destination[];
  private readonly options: HttpClientOptions;
  private readonly tls: ResolvedTls | null;
  private readonly log: TransportLogger;
  private readonly agents = new Map<number, http.Agent>();
  private current: number | null = null;
  private closed = false;

  static async create(options: HttpClientOptions): Promise<HttpClient> {
    if (options === null || typeof options !== 'object') throw new TransportError('ERR_TRANSPORT_OPTION', 'http client options must be an object');
    const tls = options.tls == null ? null : await resolveTlsOptions(options.tls);
    return new HttpClient(options, tls);
  }

  private constructor(options: HttpClientOptions, tls: ResolvedTls | null) {
    if (typeof options.timeoutMs !== 'number' || !Number.isFinite(options.timeoutMs) || options.timeoutMs < 1) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(options.timeoutMs)}`);
    }
    this.destinations = typeof options.destinations === 'string' ? parseDestinationList(options.destinations, { defaultPort: options.defaultPort ?? null }) : [...options.destinations];
    if (this.destinations.length === 0) throw new TransportError('ERR_TRANSPORT_OPTION', 'destinations must hold at least one entry');
    const udp = this.destinations.filter((d) => d.protocol === 'udp');
    if (udp.length > 0) throw new TransportError('ERR_TRANSPORT_OPTION', `HTTP needs tcp or unix destinations, got ${udp.map((d) => d.text).join(', ')}`);
    for (const [k, v] of Object.entries(options.headers ?? {})) checkHeader(k, v);
    this.options = options;
    this.tls = tls;
    this.log = options.logger ?? silentLogger;
  }

  /** The entry in use, or null. */
  get currentDestination(): string | null {
    return this.current === null ? null : this.destinations[this.current]!.text;
  }

  async request(req: HttpRequest): Promise<HttpResult> {
    if (this.closed) throw new TransportError('ERR_TRANSPORT_STATE', 'the http client is closed');
    if (req === null || typeof req !== 'object' || typeof req.path !== 'string' || !req.path.startsWith('/')) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `an HTTP request needs a path starting with '/', got ${JSON.stringify(req?.path)}`);
    }
    if (req.body !== undefined && !Buffer.isBuffer(req.body)) throw new TransportError('ERR_TRANSPORT_OPTION', 'an HTTP request body must be a Buffer');
    for (const [k, v] of Object.entries(req.headers ?? {})) checkHeader(k, v);

    let attempts = 0;
    let last: Attempt | null = null;
    const all = [...this.destinations.keys()];
    const order = this.current === null ? all : [this.current, ...all.filter((k) => k !== this.current)];
    for (const index of order) {
      let a = await this.attempt(index, req);
      if (a.newSocket) attempts++;
      if (a.staleReuse) {
        a = await this.attempt(index, req);
        if (a.newSocket) attempts++;
      }
      last = a;
      if (a.status !== null) {
        this.current = index;
        return this.result(a, this.destinations[index]!.text, attempts);
      }
      // No response: the next request starts over from the first entry (SPEC §5.10).
      this.current = null;
      if (a.mayHaveSent) return this.result(a, this.destinations[index]!.text, attempts);
    }
    return this.result(last!, null, attempts);
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.closed = true;
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  private result(a: Attempt, destination: string | null, attempts: number): HttpResult {
    const base = { body: a.body, destination, attempts };
    if (a.status === null) {
      return { kind: 'retryable', status: null, retryAfterMs: null, error: a.error!, ...base };
    }
    const kind = classifyStatus(a.status);
    if (kind === 'success') return { kind, status: a.status, ...base };
    const text = a.body.toString('latin1').replace(/[^\x20-\x7e]+/g, ' ').slice(0, 200);
    const error = new TransportError('ERR_TRANSPORT_HTTP', `HTTP ${a.status} from '${destination}'${text ? `: ${text}` : ''}`);
    if (kind === 'retryable') {
      const ra = a.headers['retry-after'];
      return { kind, status: a.status, retryAfterMs: parseRetryAfter(Array.isArray(ra) ? ra[0] : ra), error, ...base };
    }
    return { kind, status: a.status, error, ...base };
  }

  private async attempt(index: number, req: HttpRequest): Promise<Attempt> {
    const d = this.destinations[index]!;
    const fail = (error: TransportError): Attempt => ({ status: null, headers: {}, body: Buffer.alloc(0), error, mayHaveSent: false, newSocket: false, staleReuse: false });
    let target: { host?: string; port?: number; socketPath?: string; identity: string };
    if (d.protocol === 'unix') {
      target = { socketPath: d.path, identity: 'localhost' };
    } else {
      const port = await portOf(d as NetworkDestination, this.options.services);
      if (port === null) {
        const e = new TransportError('ERR_TRANSPORT_RESOLVE', `Cannot resolve host '${(d as NetworkDestination).host}', port '${(d as NetworkDestination).service}': unknown tcp service`);
        this.log('error', e.message);
        const r = fail(e);
        r.newSocket = true; // an attempt on this entry, as the reference counts it
        return r;
      }
      const nd = d as NetworkDestination;
      const host = nd.ipVersion === 6 && nd.iface !== null && !nd.host.includes('%') ? `${nd.host}%${nd.iface}` : nd.host;
      target = { host, port, identity: nd.host };
    }
    const agent = this.agentFor(index);
    const tlsOpts = this.tls === null ? {} : tlsConnectOptions(this.tls, target.identity);
    const headers: Record<string, string | number> = { ...this.options.headers, ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = req.body.length;

    return new Promise<Attempt>((resolve) => {
      let settled = false;
      let mayHaveSent = false;
      let newSocket = false;
      let reused = false;
      let tcpConnected = false;
      /** The whole request (head and body) was handed to the socket. */
      let written = false;
      const done = (a: Omit<Attempt, 'mayHaveSent' | 'newSocket' | 'staleReuse'>, staleReuse = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...a, mayHaveSent, newSocket, staleReuse });
      };
      const options: https.RequestOptions = {
        ...tlsOpts,
        host: target.host,
        port: target.port,
        socketPath: target.socketPath,
        method: req.method ?? 'POST',
        path: req.path,
        headers,
        agent,
      };
      const request = (this.tls === null ? http.request : https.request)(options);
      const timer = setTimeout(() => {
        request.destroy(new TransportError('ERR_TRANSPORT_TIMEOUT', `HTTP request to '${d.text}' timed out after ${this.options.timeoutMs} ms`, 'ETIMEDOUT'));
      }, this.options.timeoutMs);
      request.on('socket', (s) => {
        reused = request.reusedSocket;
        if (reused) {
          mayHaveSent = true;
          return;
        }
        newSocket = true;
        s.once('connect', () => {
          tcpConnected = true;
          if (this.tls === null) mayHaveSent = true;
        });
        if (this.tls !== null) s.once('secureConnect', () => (mayHaveSent = true));
      });
      request.once('finish', () => (written = true));
      request.on('error', (err) => {
        const code = errnoOf(err);
        // Only an incomplete request on a reused socket is safe to send again (see the header comment).
        const stale = reused && code === 'ECONNRESET' && !settled && !written;
        const tlsFailure = this.tls !== null && tcpConnected && !mayHaveSent && !(err instanceof TransportError);
        const unknownOutcome = reused && written && code === 'ECONNRESET';
        const why = unknownOutcome ? ' after the whole request was written on a kept-alive connection (it may have been processed; not resent by the client)' : '';
        const e = err instanceof TransportError ? err : new TransportError(tlsFailure ? 'ERR_TRANSPORT_TLS' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'ERR_TRANSPORT_RESOLVE' : mayHaveSent ? 'ERR_TRANSPORT_CLOSED' : 'ERR_TRANSPORT_CONNECT', `HTTP request to '${d.text}' failed: ${describe(err)}${why}`, code, { cause: err });
        if (!stale) this.log('error', e.message);
        if (stale) mayHaveSent = false; // the server had closed the idle socket; the request never arrived
        done({ status: null, headers: {}, body: Buffer.alloc(0), error: e }, stale);
      });
      request.on('response', (res) => {
        const parts: Buffer[] = [];
        let kept = 0;
        res.on('data', (c: Buffer) => {
          if (kept < BODY_SAMPLE_BYTES) {
            const part = c.subarray(0, BODY_SAMPLE_BYTES - kept);
            parts.push(part);
            kept += part.length;
          }
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), error: null }));
        res.on('error', (err) => done({ status: null, headers: {}, body: Buffer.alloc(0), error: new TransportError('ERR_TRANSPORT_CLOSED', `HTTP response from '${d.text}' broke off: ${describe(err)}`, errnoOf(err), { cause: err }) }));
        res.on('aborted', () => done({ status: null, headers: {}, body: Buffer.alloc(0), error: new TransportError('ERR_TRANSPORT_CLOSED', `HTTP response from '${d.text}' broke off`) }));
      });
      request.end(req.body);
    });
  }

  private agentFor(index: number): http.Agent {
    let a = this.agents.get(index);
    if (a === undefined) {
      const o = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, scheduling: 'lifo' as const };
      a = this.tls === null ? new http.Agent(o) : new https.Agent(o);
      this.agents.set(index, a);
    }
    return a;
  }
}

async function portOf(d: NetworkDestination, services?: ServiceTable): Promise<number | null> {
  return d.port ?? (await resolveService(d.service ?? '', 'tcp', services));
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeader(name: string, value: unknown): void {
  if (!TOKEN.test(name)) throw new TransportError('ERR_TRANSPORT_OPTION', `HTTP header name ${JSON.stringify(name)} is not a token (RFC 9110 §5.1)`);
  if ((typeof value !== 'string' && typeof value !== 'number') || /[\r\n\0]/.test(String(value))) {
    throw new TransportError('ERR_TRANSPORT_OPTION', `HTTP header ${name} must be a string without CR, LF or NUL, got ${JSON.stringify(value)}`);
  }
}
