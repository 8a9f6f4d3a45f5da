// The sink of AWS Kinesis (SPEC §4.5, §5.14; fixes of §7 rows 8 and 25). The queue holds the JSON lines of
// each iteration cut into records after a newline (queueKinesisLines, lib/formats/kinesis-records.ts);
// this sink sends them with PutRecords:
// - at most 500 records and 5 MiB (data + partition keys) per call;
// - partition keys that spread records over the shards: `<hostname>_<counter>` with a counter that never
//   restarts, or a random UUID per record (`kinesis partition key`); the reference restarted `netdata_0`
//   every iteration, so one shard got everything;
// - only the records that failed with ProvisionedThroughputExceededException or InternalFailure are sent
//   again, with exponential backoff and jitter, within the flush's deadline; a record refused with another
//   error is dropped (logged and counted as lost); a line longer than the record limit is dropped and
//   counted, never sent in pieces and never an endless loop;
// - counters count outcomes: `write` = records stored, `failure` = records refused for good plus one per
//   flush that ends with records still to send, `read` = PutRecords calls answered; sent/lost metrics are
//   the lines of those records. `reconnect` stays 0: the SDK manages its connections (the reference's
//   kinesis branch never used the socket either); `onConnected` fires when the stream first answers, and
//   again after calls that got no answer.
// A failed call (network, missing stream, bad credentials) keeps everything queued: the exporter's
// `buffer on failures` budget decides when it is dropped, as for every other backend (the reference
// dropped the rest of the iteration at the first failure and never retried).
//
// Records are consumed from the queue in order. When a later record of a PutRecords call is stored but an
// earlier one is still being throttled, its outcome is remembered (keyed by batch and record) and it is
// consumed, without being sent again, once the records before it are done.
import { randomUUID } from 'crypto';
import { KINESIS_DEFAULT_RECORD_DATA_BYTES, KINESIS_PARTITION_KEY_MAX_CHARS, KINESIS_PUT_MAX_BYTES, KINESIS_PUT_MAX_RECORDS, splitKinesisRecords } from '../../formats/kinesis-records';
import { KinesisClient, KinesisPutResult, KinesisRecordInput } from '../../transport/kinesis-client';
import { nextBackoffMs } from '../../transport/remote-write-client';
import type { ResolvedBackendOptions } from '../config-options';
import { ExporterError } from '../errors';
import type { Logger } from '../logger';
import type { PendingBatch, SendQueue } from '../send-queue';
import { emptyFlush, FlushResult, Sink, SinkEvents, SinkIoCounters } from '../sink';

/** The part of KinesisClient the sink uses (tests inject fakes). */
export interface KinesisPutter {
  putRecords(records: readonly KinesisRecordInput[], abortSignal?: AbortSignal): Promise<KinesisPutResult>;
  readonly label: string;
  close(): void;
}

export type KinesisPartitionKeyScheme = 'hostname-counter' | 'random';

export interface KinesisSinkOptions {
  client: KinesisPutter;
  /** Name used in `hostname-counter` keys (`[backend] hostname`). */
  hostname: string;
  partitionKey?: KinesisPartitionKeyScheme;
  /** Data bytes per record (default 1 MiB less the longest partition key). */
  maxRecordBytes?: number;
  log: Logger;
  logPrefix: string;
  /** `onConnected` fires on the first answered call, and on the first one after calls that got no answer. */
  events?: SinkEvents;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const KINESIS_SINK_NAME = 'kinesis';

/** Queues one iteration's JSON lines as Kinesis records; returns the record layout (for counters/logs). */
export function queueKinesisLines(queue: SendQueue, iteration: number, lines: Buffer, maxRecordBytes: number = KINESIS_DEFAULT_RECORD_DATA_BYTES): { records: number; oversizeLines: number } {
  const layout = splitKinesisRecords(lines, maxRecordBytes);
  queue.pushRecords(iteration, lines, layout.records, layout.count);
  return { records: layout.count, oversizeLines: layout.oversizeLines };
}

type Outcome = 'sent' | 'lost';

interface Pending {
  index: number;
  body: Buffer;
  key: string;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class KinesisSink implements Sink {
  readonly name = KINESIS_SINK_NAME;
  private io: SinkIoCounters = { reconnects: 0, receivedBytes: 0, receptions: 0 };
  /** Outcomes known for records not yet at the head of the queue. */
  private known = new WeakMap<PendingBatch, Map<number, Outcome>>();
  /** Partition keys given to records that are being retried (a retried record keeps its key and shard). */
  private keys = new WeakMap<PendingBatch, Map<number, string>>();
  private counter = 0;
  /** Answered calls so far, and whether the last call got no answer at all (network failure). */
  private answered = 0;
  private unreachable = true;
  private closed = false;
  /** Aborts the call in flight when the sink is closed (stop() past its grace). */
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private attempt = 0;
  private notBefore = 0;
  private readonly maxRecordBytes: number;
  private readonly keyScheme: KinesisPartitionKeyScheme;
  private readonly keyHost: string;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly base: number;
  private readonly max: number;

  constructor(private readonly o: KinesisSinkOptions) {
    this.maxRecordBytes = o.maxRecordBytes ?? KINESIS_DEFAULT_RECORD_DATA_BYTES;
    if (!Number.isInteger(this.maxRecordBytes) || this.maxRecordBytes < 1 || this.maxRecordBytes > KINESIS_DEFAULT_RECORD_DATA_BYTES) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `kinesis maxRecordBytes = ${String(o.maxRecordBytes)} is not accepted; accepted: an integer from 1 to ${KINESIS_DEFAULT_RECORD_DATA_BYTES}`);
    }
    this.keyScheme = o.partitionKey ?? 'hostname-counter';
    if (this.keyScheme !== 'hostname-counter' && this.keyScheme !== 'random') {
      throw new ExporterError('ERR_EXPORTER_OPTION', `kinesis partition key ${JSON.stringify(this.keyScheme)} is not accepted; accepted: hostname-counter, random`);
    }
    // Room for '_' and a counter of up to 16 digits.
    this.keyHost = [...(o.hostname === '' ? 'netdata' : o.hostname)].slice(0, KINESIS_PARTITION_KEY_MAX_CHARS - 17).join('');
    this.random = o.random ?? Math.random;
    this.now = o.now ?? (() => performance.now());
    this.sleep = o.sleep ?? realSleep;
    this.base = o.backoffBaseMs ?? 100;
    this.max = o.backoffMaxMs ?? 10_000;
  }

  get connectedTo(): string | null {
    return this.o.client.label;
  }

  takeIoCounters(): SinkIoCounters {
    const r = this.io;
    this.io = { reconnects: 0, receivedBytes: 0, receptions: 0 };
    return r;
  }

  private nextKey(): string {
    if (this.keyScheme === 'random') return randomUUID();
    this.counter++;
    return `${this.keyHost}_${this.counter}`;
  }

  async flush(queue: SendQueue, deadline: number): Promise<FlushResult> {
    const r = emptyFlush();
    let stalled = false;
    while (!stalled && !this.closed && queue.head !== null) {
      const b = queue.head;
      const known = this.mapOf(this.known, b);
      const keys = this.mapOf(this.keys, b);
      // Gather the next records of the head batch that have no outcome yet, within one call's limits.
      const pending: Pending[] = [];
      let bytes = 0;
      const total = b.recordCount;
      for (let i = b.recordIndex; i < total && pending.length < KINESIS_PUT_MAX_RECORDS; i++) {
        if (known.has(i)) continue;
        const body = recordBody(b, i);
        if (body.length > this.maxRecordBytes) {
          known.set(i, 'lost');
          r.failures++;
          this.o.log('error', `${this.o.logPrefix} a kinesis record of ${body.length} bytes (one JSON line) is larger than the ${this.maxRecordBytes}-byte record limit; it is dropped`);
          continue;
        }
        let key = keys.get(i);
        if (key === undefined) {
          key = this.nextKey();
          keys.set(i, key);
        }
        const size = body.length + Buffer.byteLength(key);
        if (pending.length > 0 && bytes + size > KINESIS_PUT_MAX_BYTES) break;
        bytes += size;
        pending.push({ index: i, body, key });
      }
      if (pending.length > 0) {
        const ok = await this.send(pending, known, r, deadline, queue.metrics);
        if (!ok) stalled = true;
      }
      // Consume the head's records whose outcome is known, in order.
      while (queue.head === b) {
        const i = b.recordIndex;
        const outcome = known.get(i);
        if (outcome === undefined) break;
        const body = recordBody(b, i);
        known.delete(i);
        keys.delete(i);
        const points = queue.takeRecord(b, outcome === 'sent');
        if (outcome === 'sent') {
          r.sentMetrics += points;
          r.sentBytes += body.length;
        } else {
          r.lostMetrics += points;
          r.lostBytes += body.length;
        }
      }
      if (pending.length === 0 && queue.head === b && !known.has(b.recordIndex)) break; // defensive: no progress possible
    }
    r.complete = queue.length === 0;
    if (!r.complete && r.error === null) r.error = new ExporterError('ERR_EXPORTER_SEND', `${queue.metrics} metrics stay buffered for ${this.o.client.label}`);
    return r;
  }

  /**
   * Sends `pending` until every record has an outcome, or the deadline. Returns false when records are
   * left without an outcome (the flush stops; they stay queued).
   */
  private async send(pending: Pending[], known: Map<number, Outcome>, r: FlushResult, deadline: number, buffered: number): Promise<boolean> {
    let left = pending;
    for (;;) {
      let now = this.now();
      if (this.notBefore > now) {
        if (this.notBefore >= deadline) {
          r.failures++;
          r.error = new ExporterError('ERR_EXPORTER_SEND', `backing off for ${Math.ceil(this.notBefore - now)} ms after ${this.attempt} failed attempt(s); ${buffered} metrics stay buffered`);
          return false;
        }
        await this.pause(this.notBefore - now);
        now = this.now();
      }
      if (this.closed || now >= deadline) {
        // Closed (stop() past its grace) is no failed send, only the end of this flush.
        if (!this.closed) r.failures++;
        r.error = new ExporterError('ERR_EXPORTER_SEND', `${this.closed ? 'the sink was closed' : 'the send budget ran out'} with ${left.length} kinesis records still to send`);
        return false;
      }
      const res = await this.o.client.putRecords(left.map((p) => ({ data: p.body, partitionKey: p.key })), this.abort.signal);
      this.noteAnswer(res);
      if (res.kind === 'error') {
        this.backoff(null);
        r.failures++;
        r.error = res.error;
        this.o.log('error', `${this.o.logPrefix} failed to write data to ${this.o.client.label}: ${res.error.message}. ${left.length} records (${left.reduce((n, p) => n + p.body.length, 0)} bytes) stay buffered${res.retryable ? '' : ' (this needs a fix of the configuration or the stream)'}.`);
        return false;
      }
      this.io.receptions++;
      const retry: Pending[] = [];
      res.records.forEach((o, k) => {
        const p = left[k]!;
        if (o.ok) {
          known.set(p.index, 'sent');
          r.successes++;
        } else if (o.retryable) {
          retry.push(p);
        } else {
          known.set(p.index, 'lost');
          r.failures++;
          this.o.log('error', `${this.o.logPrefix} ${this.o.client.label} refused a record of ${p.body.length} bytes: ${o.code}: ${o.message}; it is dropped`);
        }
      });
      if (retry.length === 0) {
        this.attempt = 0;
        this.notBefore = 0;
        return true;
      }
      const code = res.records.find((o) => !o.ok && o.retryable) as { code: string } | undefined;
      this.backoff(null);
      this.o.log('warn', `${this.o.logPrefix} ${retry.length} of ${left.length} kinesis records were not stored (${code?.code ?? 'throttled'}); retrying only those in ${Math.ceil(this.notBefore - this.now())} ms (attempt ${this.attempt})`);
      left = retry;
    }
  }

  /** A backoff wait that close() cuts short. */
  private async pause(ms: number): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      this.wakeUp = finish;
      // An injected sleep (tests) is raced; the default timer is cleared, so close() leaves none behind.
      if (this.o.sleep !== undefined) this.sleep(ms).then(finish, finish);
      else timer = setTimeout(finish, ms);
    });
  }

  /** SinkEvents.onConnected: the stream answered (first time, or again after calls without an answer). */
  private noteAnswer(res: KinesisPutResult): void {
    // The client reports a call that got no HTTP answer (refused, reset, timed out) without ERR_TRANSPORT_HTTP.
    const noAnswer = res.kind === 'error' && res.error.code !== 'ERR_TRANSPORT_HTTP';
    if (noAnswer) {
      this.unreachable = true;
      return;
    }
    if (!this.unreachable) return;
    this.unreachable = false;
    this.answered++;
    this.o.events?.onConnected?.({ destination: this.o.client.label, attempts: 1, first: this.answered === 1 });
  }

  private backoff(retryAfterMs: number | null): void {
    this.attempt++;
    this.notBefore = this.now() + nextBackoffMs(this.attempt, retryAfterMs, this.random, this.base, this.max);
  }

  private mapOf<V>(m: WeakMap<PendingBatch, Map<number, V>>, b: PendingBatch): Map<number, V> {
    let x = m.get(b);
    if (x === undefined) {
      x = new Map();
      m.set(b, x);
    }
    return x;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.wakeUp?.();
    this.o.client.close();
  }
}

/** Bytes of record `i` (≥ recordIndex) of a record batch, read ahead without consuming. */
function recordBody(b: PendingBatch, i: number): Buffer {
  const r = b.records as Float64Array;
  const start = i === b.recordIndex ? b.offset : (r[2 * (i - 1)] as number);
  return b.data.subarray(start, r[2 * i] as number);
}

/**
 * The sink of a `kinesis` instance (SPEC §5.14): region = `destination`, stream and static keys from
 * aws_kinesis.conf (none: the SDK's default credential chain), `kinesis endpoint`, `kinesis partition key`,
 * `timeout ms`, and `tls verify` / `tls ca file` for an https endpoint.
 */
export async function createKinesisSink(o: ResolvedBackendOptions, deps: { log: Logger; logPrefix: string; events?: SinkEvents; tlsCa?: string | Buffer }): Promise<KinesisSink> {
  const c = o.kinesisCredentials;
  if (o.protocol !== 'kinesis' || c === null) {
    throw new ExporterError('ERR_EXPORTER_OPTION', `createKinesisSink(): type '${o.type}'${c === null ? ' without kinesis credentials (aws_kinesis.conf)' : ''} is not accepted; accepted: kinesis, kinesis:plaintext with a stream name`);
  }
  // Only one of the two keys: the default credential chain, as the configuration warned (and netdata did).
  const staticKeys = c.accessKeyId !== null && c.secretAccessKey !== null;
  const customTls = !o.tlsVerify || o.tlsCaFile !== null || deps.tlsCa !== undefined;
  const client = await KinesisClient.create({
    region: o.destination,
    streamName: c.streamName,
    accessKeyId: staticKeys ? c.accessKeyId : null,
    secretAccessKey: staticKeys ? c.secretAccessKey : null,
    endpoint: o.kinesisEndpoint,
    timeoutMs: o.timeoutMs,
    tls: customTls ? { verify: o.tlsVerify, caFile: o.tlsCaFile, ...(deps.tlsCa !== undefined ? { ca: deps.tlsCa } : {}) } : null,
    logger: (level, message) => deps.log(level, message),
  });
  return new KinesisSink({ client, hostname: o.hostname, partitionKey: o.kinesisPartitionKey, log: deps.log, logPrefix: deps.logPrefix, events: deps.events });
}
