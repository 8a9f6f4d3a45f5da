// Where an instance's buffered data goes. A Sink takes whole units from the head of the SendQueue
// (lines, or HTTP request bodies) and consumes exactly those it delivered, so the queue's ledger stays
// exact. Implemented: LineSink (graphite, OpenTSDB telnet, JSON lines over tcp/udp/unix/tls), HttpSink
// (OpenTSDB HTTP/HTTPS through the HTTP client), RemoteWriteSink (snappy-compressed WriteRequests, SPEC
// §5.13, sinks/remote-write.ts) and KinesisSink (records of ≤ 1 MiB cut after a newline, SPEC §5.14,
// sinks/kinesis.ts); sink-factory.ts picks one per type.
import type { SendQueue } from './send-queue';

export interface FlushResult {
  /** Delivered this flush (also consumed from the queue by the sink). */
  sentMetrics: number;
  sentBytes: number;
  /** Refused for good this flush (e.g. an HTTP 400 for a request body: retrying cannot help). */
  lostMetrics: number;
  lostBytes: number;
  /** SPEC §5.15 `write`: complete sends (line sink: the whole queue; HTTP: accepted requests). */
  successes: number;
  /** SPEC §5.15 `failure`: failed sends, or no connection. */
  failures: number;
  /** The queue is empty. */
  complete: boolean;
  /** Why the flush stopped early (null when complete). */
  error: Error | null;
}

export interface SinkIoCounters {
  /** Connection attempts (SPEC §5.10: every attempt, the successful one included). */
  reconnects: number;
  /** Response bytes read and discarded, and read operations (SPEC §5.9). */
  receivedBytes: number;
  receptions: number;
}

export interface SinkEvents {
  /** A connection was established (`first` = the instance's first connection). */
  onConnected?: (info: { destination: string; attempts: number; first: boolean }) => void;
}

export interface Sink {
  /** Response checker name of the reference (SPEC §5.3): `graphite`, `opentsdb`, `json`. */
  readonly name: string;
  /** The destination currently connected, or null. */
  readonly connectedTo: string | null;
  /**
   * Sends from the head of `queue` until it is empty, an error occurs, or `deadline` (performance.now()
   * milliseconds) passes. Consumes from the queue exactly what was delivered (or refused for good).
   */
  flush(queue: SendQueue, deadline: number): Promise<FlushResult>;
  /** Counters accumulated since the previous call (then reset). */
  takeIoCounters(): SinkIoCounters;
  /** Closes connections; waits at most `graceMs`. */
  close(graceMs: number): Promise<void>;
}

export function emptyFlush(): FlushResult {
  return { sentMetrics: 0, sentBytes: 0, lostMetrics: 0, lostBytes: 0, successes: 0, failures: 0, complete: true, error: null };
}
