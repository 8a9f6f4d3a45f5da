// The sink of the line protocols (graphite, OpenTSDB telnet, JSON lines) over tcp, udp, unix or TLS:
// steps 8-10 of the loop (SPEC §5.5) on top of lib/transport's LineTransport.
//
// Each queued iteration is handed to the transport as one chunk of whole lines; the transport reports the
// prefix of whole lines the kernel accepted, and exactly those are consumed from the queue (their metrics
// count as sent). The rest stays queued and is resent from its first unsent line on the next connection:
// no line is sent twice (SPEC §7 row 11; the one TCP ambiguity is documented in lib/transport/line-sender.ts).
import type { LineTransport } from '../transport/line-transport';
import { ExporterError } from './errors';
import type { Logger } from './logger';
import type { SendQueue } from './send-queue';
import { emptyFlush, FlushResult, Sink, SinkEvents, SinkIoCounters } from './sink';

export class LineSink implements Sink {
  private io: SinkIoCounters = { reconnects: 0, receivedBytes: 0, receptions: 0 };
  private connections = 0;

  /**
   * @param transport an open (created) LineTransport
   * @param destinationText the `destination` option, for log lines
   * @param logPrefix `BACKEND:` or `BACKEND[NAME]:`
   */
  constructor(
    private readonly transport: LineTransport,
    readonly name: string,
    private readonly destinationText: string,
    private readonly log: Logger,
    private readonly logPrefix: string,
    private readonly events: SinkEvents = {},
  ) {}

  get connectedTo(): string | null {
    return this.transport.current;
  }

  takeIoCounters(): SinkIoCounters {
    this.absorbResponses();
    const r = this.io;
    this.io = { reconnects: 0, receivedBytes: 0, receptions: 0 };
    return r;
  }

  /** SPEC §5.9: what arrived since the last look (the transport logs the sample line). */
  private absorbResponses(): void {
    const r = this.transport.takeResponses();
    this.io.receivedBytes += r.bytes;
    this.io.receptions += r.reads;
  }

  async flush(queue: SendQueue, deadline: number): Promise<FlushResult> {
    const r = emptyFlush();
    // Step 8: read (and discard) responses; a peer that closed is noticed here.
    this.absorbResponses();
    // Step 9: connect when not connected; every attempt counts (SPEC §5.10).
    if (!this.transport.connected) {
      const out = await this.transport.connect();
      this.io.reconnects += out.attempts;
      if (out.connection === null) {
        // Step 10, no connection (SPEC §5.5): one failure for the iteration.
        this.log('error', `${this.logPrefix} failed to update database backend '${this.destinationText}'`);
        r.failures++;
        r.complete = queue.length === 0;
        const why = out.failures.map((f) => f.error.message).join('; ');
        r.error = new ExporterError('ERR_EXPORTER_SEND', `no destination of '${this.destinationText}' accepted a connection${why ? `: ${why}` : ''}`);
        return r;
      }
      this.connections++;
      this.events.onConnected?.({ destination: this.transport.current ?? this.destinationText, attempts: out.attempts, first: this.connections === 1 });
    }
    // Step 10: send, oldest iteration first.
    for (let b = queue.head; b !== null; b = queue.head) {
      if (performance.now() >= deadline) {
        r.failures++;
        r.error = new ExporterError('ERR_EXPORTER_SEND', `the send budget ran out with ${queue.bytes} bytes still buffered`);
        break;
      }
      const chunk = b.remaining();
      const s = await this.transport.send(chunk);
      if (s.bytesWritten > 0) {
        r.sentMetrics += queue.takeLines(b, s.bytesWritten);
        r.sentBytes += s.bytesWritten;
      }
      if (!s.ok) {
        // SPEC §5.12's log line, with what the kernel accepted (the reference's `written`).
        this.log('error', `${this.logPrefix} failed to write data to database backend '${this.destinationText}'. Willing to write ${chunk.length} bytes, wrote ${s.bytesAccepted} bytes. Will re-connect.`);
        r.failures++;
        r.error = s.error ?? new ExporterError('ERR_EXPORTER_SEND', 'send failed');
        break;
      }
    }
    r.complete = queue.length === 0;
    if (r.complete && r.failures === 0) r.successes++;
    return r;
  }

  async close(): Promise<void> {
    this.absorbResponses();
    this.transport.close();
  }
}
