// The sink of OpenTSDB HTTP / HTTPS (SPEC §4.3, §5.12; fix of §7 rows 5 and 9): every queued record is
// one request body (a JSON array of points in the batched mode, one point in the compatible mode), POSTed
// to `/api/put` through lib/transport's HttpClient (keep-alive, one socket per destination, TLS verified).
// Unlike the reference, which wrote requests into its raw socket and never read the status, each request
// gets its answer:
// - 2xx: its points are sent;
// - retryable (5xx, 429, no response): the flush stops; the request and everything after it stay queued
//   and are retried next iteration, within the buffer budget (`buffer on failures`, `buffer max bytes`);
// - failure (other 4xx/3xx): the receiver refused this body itself (e.g. OpenTSDB's 400 for a bad point), so
//   retrying cannot help and would block the queue forever: its points are counted as lost, with one error
//   line, and the flush goes on with the next request.
// Delivery is at least once: a request that was written and then got no answer (reset, timeout) may have
// been stored, and is sent again (lib/transport/http-client.ts explains why the client never resends it).
import type { HttpClient } from '../transport/http-client';
import { ExporterError } from './errors';
import type { Logger } from './logger';
import type { SendQueue } from './send-queue';
import { emptyFlush, FlushResult, Sink, SinkEvents, SinkIoCounters } from './sink';

export const OPENTSDB_PUT_PATH = '/api/put';

export class HttpSink implements Sink {
  private io: SinkIoCounters = { reconnects: 0, receivedBytes: 0, receptions: 0 };
  private connections = 0;

  constructor(
    private readonly client: HttpClient,
    readonly name: string,
    private readonly destinationText: string,
    private readonly log: Logger,
    private readonly logPrefix: string,
    private readonly events: SinkEvents = {},
    private readonly path: string = OPENTSDB_PUT_PATH,
  ) {}

  get connectedTo(): string | null {
    return this.client.currentDestination;
  }

  takeIoCounters(): SinkIoCounters {
    const r = this.io;
    this.io = { reconnects: 0, receivedBytes: 0, receptions: 0 };
    return r;
  }

  async flush(queue: SendQueue, deadline: number): Promise<FlushResult> {
    const r = emptyFlush();
    for (let b = queue.head; b !== null; b = queue.head) {
      const rec = b.nextRecord();
      if (rec === null) break; // cannot happen: a batch with no record left is removed from the queue
      if (performance.now() >= deadline) {
        r.failures++;
        r.error = new ExporterError('ERR_EXPORTER_SEND', `the send budget ran out with ${queue.bytes} bytes still buffered`);
        break;
      }
      const res = await this.client.request({
        method: 'POST',
        path: this.path,
        headers: { 'Content-Type': 'application/json' },
        body: rec.body,
      });
      this.io.reconnects += res.attempts;
      if (res.attempts > 0 && res.status !== null) {
        this.connections++;
        this.events.onConnected?.({ destination: res.destination ?? this.destinationText, attempts: res.attempts, first: this.connections === 1 });
      }
      if (res.status !== null) {
        this.io.receptions++;
        this.io.receivedBytes += res.body.length;
      }
      if (res.kind === 'success') {
        r.sentMetrics += queue.takeRecord(b, true);
        r.sentBytes += rec.body.length;
        r.successes++;
      } else if (res.kind === 'failure') {
        r.lostMetrics += queue.takeRecord(b, false);
        r.lostBytes += rec.body.length;
        r.failures++;
        r.error = res.error;
        this.log('error', `${this.logPrefix} ${this.name} backend '${res.destination ?? this.destinationText}' refused ${rec.points} metrics (${rec.body.length} bytes): ${res.error.message}; they are dropped (retrying cannot help)`);
      } else {
        r.failures++;
        r.error = res.error;
        this.log('error', `${this.logPrefix} failed to write data to database backend '${this.destinationText}'. Willing to write ${rec.body.length} bytes, wrote 0 bytes: ${res.error.message}. Will retry.`);
        break;
      }
    }
    r.complete = queue.length === 0;
    return r;
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
