// The sink of a `file:PATH` destination (lib/transport/file-destination.ts): the line formats (graphite,
// OpenTSDB telnet, JSON lines) appended to a local file, rotated by size. Steps 8-10 of the loop (SPEC
// §5.5) map onto it as for a connection: "connect" = open the file (every attempt counts as a reconnect,
// SPEC §5.10), "send" = write whole lines, a write error = a failed iteration whose data stays queued and
// is retried (or dropped by `buffer on failures`, §5.5 step 11). Nothing is ever received.
import { FileDestination, parseFileDestination, RotatingFileWriter } from '../../transport/file-destination';
import type { ResolvedBackendOptions } from '../config-options';
import { ExporterError } from '../errors';
import type { Logger } from '../logger';
import type { SendQueue } from '../send-queue';
import { emptyFlush, FlushResult, Sink, SinkEvents, SinkIoCounters } from '../sink';

/** The backend types whose output is lines, and so can go to a file. */
export const FILE_SINK_PROTOCOLS: ReadonlySet<string> = new Set(['graphite', 'opentsdb', 'json']);

export class FileSink implements Sink {
  private io: SinkIoCounters = { reconnects: 0, receivedBytes: 0, receptions: 0 };
  private readonly writer: RotatingFileWriter;

  /**
   * @param destination the parsed `file:` destination
   * @param name the type's response-checker name (SPEC §5.3), used in logs like the other sinks
   * @param logPrefix `BACKEND:` or `BACKEND[NAME]:`
   */
  constructor(readonly destination: FileDestination, readonly name: string, private readonly log: Logger, private readonly logPrefix: string, private readonly events: SinkEvents = {}) {
    this.writer = new RotatingFileWriter(destination);
  }

  /**
   * The sink of an instance whose destination is `file:...`: validates the type and the destination and
   * opens the file once, so a bad path fails start() instead of every iteration.
   */
  static async create(o: ResolvedBackendOptions, log: Logger, logPrefix: string, events: SinkEvents = {}, cwd?: string): Promise<FileSink> {
    if (!FILE_SINK_PROTOCOLS.has(o.protocol)) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `destination '${o.destination}': type '${o.type}' cannot write to a file; accepted for file: destinations: graphite, graphite:plaintext, opentsdb, opentsdb:telnet, json, json:plaintext`);
    }
    const sink = new FileSink(parseFileDestination(o.destination, cwd), o.logName, log, logPrefix, events);
    await sink.writer.open();
    sink.io.reconnects++;
    sink.events.onConnected?.({ destination: sink.destination.text, attempts: 1, first: true });
    return sink;
  }

  get connectedTo(): string | null {
    return this.writer.isOpen ? this.destination.text : null;
  }

  /** Total rotations so far. */
  get rotations(): number {
    return this.writer.rotations;
  }

  takeIoCounters(): SinkIoCounters {
    const r = this.io;
    this.io = { reconnects: 0, receivedBytes: 0, receptions: 0 };
    return r;
  }

  async flush(queue: SendQueue, deadline: number): Promise<FlushResult> {
    const r = emptyFlush();
    if (!this.writer.isOpen) {
      this.io.reconnects++;
      try {
        await this.writer.open();
        this.events.onConnected?.({ destination: this.destination.text, attempts: 1, first: this.writer.opens === 1 });
      } catch (err) {
        this.log('error', `${this.logPrefix} failed to update database backend '${this.destination.text}': ${(err as Error).message}`);
        r.failures++;
        r.complete = queue.length === 0;
        r.error = err as Error;
        return r;
      }
    }
    for (let b = queue.head; b !== null; b = queue.head) {
      if (performance.now() >= deadline) {
        r.failures++;
        r.error = new ExporterError('ERR_EXPORTER_SEND', `the send budget ran out with ${queue.bytes} bytes still buffered`);
        break;
      }
      if (b.records !== null) {
        // Only line producers feed this sink (FILE_SINK_PROTOCOLS); records would be a wiring bug.
        throw new ExporterError('ERR_EXPORTER_STATE', 'a file destination received HTTP records; only line formats can be written to a file');
      }
      const chunk = b.remaining();
      const w = await this.writer.write(chunk);
      if (w.rotations > 0) this.log('info', `${this.logPrefix} rotated '${this.destination.path}' (${w.rotations} time(s)); keeping ${this.destination.keep} old file(s)`);
      if (w.bytesWritten > 0) {
        r.sentMetrics += queue.takeLines(b, w.bytesWritten);
        r.sentBytes += w.bytesWritten;
      }
      if (w.error !== null) {
        this.log('error', `${this.logPrefix} failed to write data to database backend '${this.destination.text}'. Willing to write ${chunk.length} bytes, wrote ${w.bytesWritten} bytes: ${w.error.message}`);
        r.failures++;
        r.error = w.error;
        break;
      }
    }
    r.complete = queue.length === 0;
    if (r.complete && r.failures === 0) r.successes++;
    return r;
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
