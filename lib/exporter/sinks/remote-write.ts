// The sink of Prometheus remote write (SPEC §5.13; fixes of §7 rows 3, 5, 7): every queued record is one
// snappy-compressed WriteRequest (lib/formats/remote-write.ts), POSTed by lib/transport's
// RemoteWriteClient. The reference rebuilt the request every iteration, sent it once, and on any failure
// counted everything as lost (an estimate) without retrying. Here, per response:
// - 2xx: the request's samples are sent;
// - 5xx, 429 and network failures: retried with exponential backoff and jitter (nextBackoffMs), never sooner
//   than the server's Retry-After, within this flush's deadline; when the wait would pass the deadline the
//   flush stops and the request (and everything queued after it) stays queued for the next iteration. The
//   backoff carries over, so the next iteration does not hammer a server that asked for time. The exporter
//   counts failed iterations against `buffer on failures` and drops the queue past it (SPEC §5.5 step 11):
//   that is the retry budget;
// - any other status (4xx such as 400 for an out-of-order sample, 3xx): the receiver refused this body
//   itself, retrying cannot help: the request's samples are lost, logged with their count and the first KiB
//   of the response body, and the flush goes on with the next request.
// Delivery is at least once: a request that was written and then got no answer (reset, timeout) or a 5xx
// may have been stored, and is sent again; Prometheus-style receivers keep one sample per series and
// timestamp, so a duplicate is harmless there (lib/transport/http-client.ts).
import { RemoteWriteEncoder } from '../../formats/remote-write';
import type { NumericKernel } from '../../kernels/types';
import type { HttpResult } from '../../transport/http-client';
import { nextBackoffMs, RemoteWriteClient } from '../../transport/remote-write-client';
import type { ResolvedBackendOptions } from '../config-options';
import { ExporterError } from '../errors';
import type { Logger } from '../logger';
import type { SendQueue } from '../send-queue';
import { emptyFlush, FlushResult, Sink, SinkEvents, SinkIoCounters } from '../sink';

/** The part of RemoteWriteClient the sink uses (tests inject fakes). */
export interface RemoteWritePoster {
  post(body: Buffer): Promise<HttpResult>;
  readonly currentDestination: string | null;
  close(): void;
}

export interface RemoteWriteSinkOptions {
  client: RemoteWritePoster;
  /** The `destination` option, for log lines. */
  destinationText: string;
  log: Logger;
  /** `BACKEND:` or `BACKEND[NAME]:`. */
  logPrefix: string;
  events?: SinkEvents;
  /** First backoff delay and its cap (ms); defaults 500 and 30000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Injected for tests. */
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const REMOTE_WRITE_SINK_NAME = 'prometheus remote write';

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Response text for a log line: non-printable bytes as spaces (as the reference's discard sample, SPEC §5.9). */
export function bodySample(body: Buffer): string {
  return body.toString('latin1').replace(/[^\x20-\x7e]/g, ' ').trimEnd();
}

export class RemoteWriteSink implements Sink {
  readonly name = REMOTE_WRITE_SINK_NAME;
  private io: SinkIoCounters = { reconnects: 0, receivedBytes: 0, receptions: 0 };
  private connections = 0;
  /** Consecutive retryable failures of the head request, and when it may be tried again (performance.now ms). */
  private attempt = 0;
  private notBefore = 0;
  private closed = false;
  private wakeUp: (() => void) | null = null;
  private readonly customSleep: boolean;
  private readonly o: Required<Omit<RemoteWriteSinkOptions, 'events'>> & { events: SinkEvents };

  constructor(options: RemoteWriteSinkOptions) {
    const base = options.backoffBaseMs ?? 500;
    const max = options.backoffMaxMs ?? 30_000;
    if (!(Number.isFinite(base) && base >= 0 && Number.isFinite(max) && max >= base)) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `remote write backoff ${base}..${max} ms is not accepted; accepted: 0 <= backoffBaseMs <= backoffMaxMs (finite)`);
    }
    this.customSleep = options.sleep !== undefined;
    this.o = {
      ...options,
      events: options.events ?? {},
      backoffBaseMs: base,
      backoffMaxMs: max,
      random: options.random ?? Math.random,
      now: options.now ?? (() => performance.now()),
      sleep: options.sleep ?? realSleep,
    };
  }

  get connectedTo(): string | null {
    return this.o.client.currentDestination;
  }

  /** Milliseconds until the head request may be retried (0 when it may go now). */
  get backoffRemainingMs(): number {
    return Math.max(0, this.notBefore - this.o.now());
  }

  takeIoCounters(): SinkIoCounters {
    const r = this.io;
    this.io = { reconnects: 0, receivedBytes: 0, receptions: 0 };
    return r;
  }

  async flush(queue: SendQueue, deadline: number): Promise<FlushResult> {
    const o = this.o;
    const r = emptyFlush();
    for (let b = queue.head; b !== null && !this.closed; b = queue.head) {
      const rec = b.nextRecord();
      if (rec === null) break; // a batch without records left is removed by the queue; defensive only
      let now = o.now();
      if (this.notBefore > now) {
        if (this.notBefore >= deadline) {
          r.failures++;
          r.error = new ExporterError('ERR_EXPORTER_SEND', `backing off for ${Math.ceil(this.notBefore - now)} ms after ${this.attempt} failed attempt(s); ${queue.metrics} metrics stay buffered`);
          break;
        }
        await this.pause(this.notBefore - now);
        now = o.now();
      }
      if (this.closed || now >= deadline) {
        // Closed (stop() past its grace) is no failed send, only the end of this flush.
        if (!this.closed) r.failures++;
        r.error = new ExporterError('ERR_EXPORTER_SEND', `${this.closed ? 'the sink was closed' : 'the send budget ran out'} with ${queue.bytes} bytes still buffered`);
        break;
      }
      const res = await o.client.post(rec.body);
      this.countIo(res);
      if (res.kind === 'success') {
        r.sentMetrics += queue.takeRecord(b, true);
        r.sentBytes += rec.body.length;
        r.successes++;
        this.attempt = 0;
        this.notBefore = 0;
      } else if (res.kind === 'failure') {
        const points = queue.takeRecord(b, false);
        r.lostMetrics += points;
        r.lostBytes += rec.body.length;
        r.failures++;
        r.error = res.error;
        this.attempt = 0;
        this.notBefore = 0;
        o.log('error', `${o.logPrefix} ${this.name} backend '${res.destination ?? o.destinationText}' refused a request of ${points} metrics (${rec.body.length} bytes) with HTTP ${res.status}; it is dropped (retrying cannot help). Response: '${bodySample(res.body)}'`);
      } else {
        this.attempt++;
        r.failures++;
        r.error = res.error;
        const delay = nextBackoffMs(this.attempt, res.retryAfterMs, o.random, o.backoffBaseMs, o.backoffMaxMs);
        this.notBefore = o.now() + delay;
        const why = res.status === null ? res.error.message : `HTTP ${res.status}${res.retryAfterMs !== null ? ` (Retry-After ${res.retryAfterMs} ms)` : ''}`;
        o.log('error', `${o.logPrefix} failed to write data to database backend '${res.destination ?? o.destinationText}'. Willing to write ${rec.body.length} bytes, wrote 0 bytes: ${why}. Attempt ${this.attempt}, retrying in ${delay} ms.`);
        // One failure per flush: a wait past the deadline ends it now (the next flush picks up the backoff).
        if (this.notBefore >= deadline) break;
      }
    }
    r.complete = queue.length === 0;
    return r;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeUp?.();
    this.o.client.close();
  }

  /** A backoff wait that close() cuts short (the flush then stops: nothing is posted on a closed client). */
  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = finish;
      if (this.customSleep) this.o.sleep(ms).then(finish, finish);
      else timer = setTimeout(finish, ms);
    });
  }

  private countIo(res: HttpResult): void {
    this.io.reconnects += res.attempts;
    if (res.attempts > 0 && res.status !== null) {
      this.connections++;
      this.o.events.onConnected?.({ destination: res.destination ?? this.o.destinationText, attempts: res.attempts, first: this.connections === 1 });
    }
    if (res.status !== null) {
      this.io.receptions++;
      this.io.receivedBytes += res.body.length;
    }
  }
}

/** What the factories need besides the instance's options. */
export interface SinkFactoryDeps {
  log: Logger;
  /** `BACKEND:` or `BACKEND[NAME]:`. */
  logPrefix: string;
  events?: SinkEvents;
  /** Extra CA certificates (PEM) for TLS, as InstanceDependencies.tlsCa. */
  tlsCa?: string | Buffer;
}

/**
 * The encoder of an instance's options (SPEC §4.6: data source, prefix, send names) and its request size
 * caps (`remote write max request bytes`, `remote write max series per request`).
 */
export function remoteWriteEncoderFor(o: ResolvedBackendOptions, kernel?: NumericKernel): RemoteWriteEncoder {
  return new RemoteWriteEncoder({
    source: o.dataSource,
    prefix: o.prefix,
    sendNames: o.sendNames,
    maxRequestBytes: o.remoteWriteMaxRequestBytes,
    maxSeriesPerRequest: o.remoteWriteMaxSeriesPerRequest,
  }, kernel);
}

/**
 * The sink of a `prometheus_remote_write` / `prometheus_remote_write:https` instance: destination, `remote
 * write URL path`, TLS options, basic authentication and headers from the options.
 */
export async function createRemoteWriteSink(o: ResolvedBackendOptions, deps: SinkFactoryDeps): Promise<RemoteWriteSink> {
  if (o.protocol !== 'prometheus-remote-write') {
    throw new ExporterError('ERR_EXPORTER_OPTION', `createRemoteWriteSink(): type '${o.type}' is not accepted; accepted: prometheus_remote_write, prometheus_remote_write:https`);
  }
  const tls = o.tls ? { verify: o.tlsVerify, caFile: o.tlsCaFile, serverName: o.tlsServerName, ...(deps.tlsCa !== undefined ? { ca: deps.tlsCa } : {}) } : null;
  const client = await RemoteWriteClient.create({
    destinations: o.destination,
    path: o.remoteWriteUrlPath,
    timeoutMs: o.timeoutMs,
    tls,
    username: o.remoteWriteUsername,
    password: o.remoteWritePassword,
    headers: o.remoteWriteHeaders,
    logger: (level, message) => deps.log(level, message),
  });
  return new RemoteWriteSink({ client, destinationText: o.destination, log: deps.log, logPrefix: deps.logPrefix, events: deps.events });
}
