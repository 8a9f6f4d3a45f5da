// Sending chunks of complete lines over one stream connection (tcp, unix, tls) without duplicates
// (SPEC §5.12, fix of §7 row 11), and discarding what the peer sends back (SPEC §5.9).
//
// The reference made one blocking send() of the whole buffer and, when it came up short, kept the WHOLE
// buffer and sent it again on the next connection: every line already written was duplicated and the old
// connection ended with half a line. Here a send is non-blocking and the result says exactly how far the
// chunk got:
// - `bytesAccepted`: bytes the local kernel accepted (what the reference counts as `sent_bytes`);
// - `bytesWritten` / `lines`: the prefix of whole lines fully accepted. Those lines are never sent again;
//   the caller resends `remainder` (= chunk from `bytesWritten`) on the NEXT connection, i.e. from the start
//   of the first line that was not completely written.
//
// How "accepted by the kernel" is known exactly:
// - plain tcp/unix: the chunk is handed to libuv in one write; libuv writes what the kernel takes and
//   queues the rest, and the handle's `writeQueueSize` is the number of bytes still queued. It is read at
//   the moment a failure becomes known (the 'error'/'end' event of a reset or close, our own timeout, our
//   own close()), before libuv discards its queue, so accepted = length - queued, to the byte. (When an
//   error is reported by the write itself rather than by the read side -- on Linux the read side reports
//   a reset first -- the last exact reading is used: an under-count, so lines written after that reading
//   would be sent again; never observed.)
// - TLS: ciphertext bytes cannot be mapped back to plaintext, so the chunk is written in segments of whole
//   lines of at most 16 KiB (one TLS record each) and a segment counts when its write completed. A segment
//   whose record did not leave completely is not decryptable by the peer, so none of its lines can have
//   been delivered: resending it from its first line is exact too.
// - a Node without `writeQueueSize` (checked at run time; a test fails loudly if it disappears) gets plain
//   writes in 4 KiB segments: only the lines of the one segment in flight at a failure are then uncertain.
//
// The one unavoidable ambiguity (TCP gives a sender no delivery receipt): bytes the local kernel accepted
// but that never reach the peer application (in flight in socket buffers when a connection is reset) are
// counted as SENT -- they are never resent, so no line can be delivered twice; a reset may lose them.
// The line that was only partly accepted is NOT counted: it is resent whole, from its first byte, on a new
// connection. Its bytes are in `bytesAccepted` (as the reference's sent_bytes) but not in `bytesWritten`.
// Its head may have reached the receiver on the old connection, which then ends without a newline. Line
// receivers that drop an unterminated fragment when a connection ends (carbon, OpenTSDB's netty decoder)
// see that line exactly once, whole. A receiver that takes an unterminated last line at end of stream
// (VictoriaMetrics) can record the fragment as one malformed point: this only happens when a connection
// ends in the middle of a line (peer reset/close, or our own send timeout), and no close we could choose
// prevents it (see fail()).
//
// Backpressure: a send that is not fully accepted within `timeoutMs` (the reference's SO_SNDTIMEO bound
// the whole send() call the same way) fails with ERR_TRANSPORT_TIMEOUT and the connection is closed; the
// event loop is never blocked while waiting.

import type * as net from 'node:net';
import type { StreamConnection } from './connector';
import { TransportError, TransportLogger, describe, errnoOf, silentLogger } from './errors';
import { ResponseDiscarder, ResponseReport, responseLogLine } from './response-discarder';

export const SEND_SEMANTICS =
  'lines fully accepted by the local kernel count as sent and are never resent; a partly accepted line is resent ' +
  'whole on the next connection; bytes accepted but lost in a reset are the one ambiguity (counted as sent)';

/** One TLS record carries at most 16 KiB of plaintext (RFC 8446 §5.1). */
export const TLS_SEGMENT_BYTES = 16384;

/** Segment size on plain sockets when libuv's write queue size cannot be read. */
export const FALLBACK_SEGMENT_BYTES = 4096;

const NL = 0x0a;

export interface SendResult {
  ok: boolean;
  /** Bytes of the chunk the local kernel accepted, partial line included (SPEC §5.12 `sent_bytes`). */
  bytesAccepted: number;
  /** Length of the prefix of whole lines fully accepted: where a resend starts. */
  bytesWritten: number;
  /** Whole lines fully accepted. */
  lines: number;
  /** `chunk.subarray(bytesWritten)`: what is still to be sent (empty on success). */
  remainder: Buffer;
  error: TransportError | null;
}

export interface ConnectionReport extends ResponseReport {
  /** True when the connection is no longer usable (peer closed, reset, failed send): reconnect. */
  closed: boolean;
}

/** What the exporter needs from an open connection, stream or datagram. */
export interface Sender {
  readonly open: boolean;
  /** The destination entry, for logs. */
  readonly label: string;
  send(chunk: Buffer): Promise<SendResult>;
  /** SPEC §5.9: counts and logs what arrived since the last call, and whether the peer went away. */
  takeResponses(): ConnectionReport;
  close(): void;
}

export interface LineSenderOptions {
  /** Upper bound of one send() (SPEC §5.2 `timeout ms`). */
  timeoutMs: number;
  /** Name in the discard log line: graphite, opentsdb, json (SPEC §5.3 table). */
  responseName?: string;
  logger?: TransportLogger;
  /** Force segmented writes of at most this many bytes (testing; TLS always uses TLS_SEGMENT_BYTES). */
  segmentBytes?: number;
}

interface WriteQueueHandle {
  writeQueueSize?: unknown;
}

interface Inflight {
  chunk: Buffer;
  /** Start and end of the segment currently handed to the OS. */
  segStart: number;
  segEnd: number;
  /** Bytes known to be accepted (exact readings only). */
  accepted: number;
  timer: NodeJS.Timeout;
  resolve: (r: SendResult) => void;
}

/** Validates a chunk of complete lines (programming errors are thrown, not returned). */
export function checkChunk(chunk: unknown): asserts chunk is Buffer {
  if (!Buffer.isBuffer(chunk)) {
    throw new TransportError('ERR_TRANSPORT_CHUNK', `a chunk must be a Buffer of complete lines, got ${chunk === null ? 'null' : typeof chunk}`);
  }
  if (chunk.length > 0 && chunk[chunk.length - 1] !== NL) {
    throw new TransportError('ERR_TRANSPORT_CHUNK', `a chunk must end with a newline (complete lines only); it ends with byte 0x${chunk[chunk.length - 1]!.toString(16)}`);
  }
}

/** Newlines in buf[0, end). */
export function countLines(buf: Buffer, end: number): number {
  let n = 0;
  for (let at = buf.indexOf(NL); at !== -1 && at < end; at = buf.indexOf(NL, at + 1)) n++;
  return n;
}

/** End of the whole-lines prefix within the first `accepted` bytes. */
export function wholeLinesEnd(buf: Buffer, accepted: number): number {
  return accepted <= 0 ? 0 : buf.lastIndexOf(NL, accepted - 1) + 1;
}

/** Result for a chunk of which `accepted` bytes were accepted. */
export function sendResult(chunk: Buffer, accepted: number, error: TransportError | null): SendResult {
  const bytesWritten = error === null ? chunk.length : wholeLinesEnd(chunk, accepted);
  return {
    ok: error === null,
    bytesAccepted: accepted,
    bytesWritten,
    lines: countLines(chunk, bytesWritten),
    remainder: chunk.subarray(bytesWritten),
    error,
  };
}

export class LineSender implements Sender {
  readonly label: string;
  private readonly socket: net.Socket;
  private readonly handle: WriteQueueHandle | null;
  private readonly segmentLimit: number;
  private readonly timeoutMs: number;
  private readonly log: TransportLogger;
  private readonly responseName: string;
  private readonly discarder = new ResponseDiscarder();
  private inflight: Inflight | null = null;
  /** Why the connection is unusable, or null while open. */
  private dead: TransportError | null = null;

  constructor(connection: StreamConnection, options: LineSenderOptions) {
    if (typeof options.timeoutMs !== 'number' || !(options.timeoutMs >= 1)) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(options.timeoutMs)}`);
    }
    const seg = options.segmentBytes;
    if (seg !== undefined && !(Number.isInteger(seg) && seg >= 1)) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `segmentBytes must be an integer >= 1, got ${JSON.stringify(seg)}`);
    }
    this.socket = connection.socket;
    this.label = connection.destination.text;
    this.timeoutMs = options.timeoutMs;
    this.log = options.logger ?? silentLogger;
    this.responseName = options.responseName ?? 'text';
    const h = (this.socket as unknown as { _handle?: WriteQueueHandle | null })._handle ?? null;
    // Exact byte accounting needs libuv's write queue size; TLS or a Node without it falls back to segments.
    this.handle = !connection.tls && seg === undefined && h !== null && typeof h.writeQueueSize === 'number' ? h : null;
    // Without it (a future Node), small segments bound what an unknown in-flight segment can duplicate.
    this.segmentLimit = connection.tls ? Math.min(seg ?? TLS_SEGMENT_BYTES, TLS_SEGMENT_BYTES) : (seg ?? (this.handle ? Infinity : FALLBACK_SEGMENT_BYTES));

    this.socket.on('data', (d: Buffer) => this.discarder.add(d));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => this.onError(err));
    this.socket.on('close', () => this.onClose());
    if (this.socket.destroyed || !this.socket.writable) this.dead = new TransportError('ERR_TRANSPORT_CLOSED', `connection to '${this.label}' closed before use`);
  }

  get open(): boolean {
    return this.dead === null;
  }

  /** Whether byte counts inside a write are exact (plain sockets) or per segment (TLS, fallback). */
  get exactProgress(): boolean {
    return this.handle !== null;
  }

  send(chunk: Buffer): Promise<SendResult> {
    checkChunk(chunk);
    if (this.inflight !== null) {
      return Promise.reject(new TransportError('ERR_TRANSPORT_STATE', `a send to '${this.label}' is already in progress; wait for its result`));
    }
    if (this.dead !== null) return Promise.resolve(sendResult(chunk, 0, this.dead));
    if (chunk.length === 0) return Promise.resolve(sendResult(chunk, 0, null));
    return new Promise<SendResult>((resolve) => {
      const f: Inflight = {
        chunk,
        segStart: 0,
        segEnd: 0,
        accepted: 0,
        resolve,
        timer: setTimeout(() => this.onTimeout(f), this.timeoutMs),
      };
      this.inflight = f;
      this.writeNext(f);
    });
  }

  takeResponses(): ConnectionReport {
    const r = this.discarder.take();
    if (r.bytes > 0) this.log('info', responseLogLine(this.responseName, r.bytes, r.sample));
    return { ...r, closed: this.dead !== null };
  }

  close(): void {
    if (this.dead === null) this.fail(new TransportError('ERR_TRANSPORT_CLOSED', `connection to '${this.label}' closed by the caller`), true);
  }

  private writeNext(f: Inflight): void {
    const { chunk } = f;
    if (f.segEnd >= chunk.length) {
      this.settle(f, null);
      return;
    }
    f.segStart = f.segEnd;
    f.segEnd = segmentEnd(chunk, f.segStart, this.segmentLimit);
    const end = f.segEnd;
    this.socket.write(chunk.subarray(f.segStart, end), (err) => {
      if (this.inflight !== f) return; // settled by a failure already
      if (err) {
        // Reported by the write itself: libuv has already dropped its queue, so the last reading stands.
        this.fail(writeError(err, this.label), false);
        return;
      }
      // Node calls back without an error for writes cancelled by destroy(): only a live socket means success.
      if (this.socket.destroyed) {
        this.fail(new TransportError('ERR_TRANSPORT_CLOSED', `connection to '${this.label}' closed during a send`), false);
        return;
      }
      f.accepted = end;
      this.writeNext(f);
    });
    this.sample(f); // what the kernel took synchronously
  }

  /** Exact progress of the segment in flight (plain sockets): its length minus what libuv still queues. */
  private sample(f: Inflight): void {
    if (this.handle === null || this.inflight !== f) return;
    const q = this.handle.writeQueueSize;
    const segLen = f.segEnd - f.segStart;
    if (typeof q === 'number' && q >= 0 && q <= segLen) f.accepted = Math.max(f.accepted, f.segEnd - q);
  }

  private onTimeout(f: Inflight): void {
    if (this.inflight !== f) return;
    this.sample(f);
    this.fail(
      new TransportError('ERR_TRANSPORT_TIMEOUT', `sending to '${this.label}' timed out after ${this.timeoutMs} ms with ${f.accepted} of ${f.chunk.length} bytes accepted (the receiver is not reading)`, 'ETIMEDOUT'),
      true,
    );
  }

  private onEnd(): void {
    if (this.dead !== null) return;
    this.log('error', `BACKEND: '${this.label}' closed the socket`);
    this.fail(new TransportError('ERR_TRANSPORT_CLOSED', `'${this.label}' closed the socket`), true);
  }

  private onError(err: Error): void {
    if (this.dead !== null) return;
    this.log('error', `BACKEND: connection to '${this.label}' failed: ${describe(err)}`);
    this.fail(new TransportError(errnoOf(err) === 'ECONNRESET' || errnoOf(err) === 'EPIPE' ? 'ERR_TRANSPORT_CLOSED' : 'ERR_TRANSPORT_WRITE', `connection to '${this.label}' failed: ${describe(err)}`, errnoOf(err), { cause: err }), true);
  }

  private onClose(): void {
    // libuv has discarded its queue by now: no new reading, the last one stands.
    if (this.dead === null) this.fail(new TransportError('ERR_TRANSPORT_CLOSED', `connection to '${this.label}' closed`), false);
  }

  /**
   * Marks the connection dead, settles a send in flight, destroys the socket. The close is graceful (FIN):
   * what the kernel accepted is still delivered if the receiver recovers, so it is rightly counted as sent.
   * (A reset would not hide the fragment from the receiver either: on Linux a receiver with unread data
   * reads it and then sees an end of stream even after RST -- verified while writing this.)
   * @param mayRead libuv's queue is still intact: take a last exact reading
   */
  private fail(error: TransportError, mayRead: boolean): void {
    const f = this.inflight;
    if (f !== null && mayRead) this.sample(f);
    if (this.dead === null) this.dead = error;
    if (f !== null) this.settle(f, error);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  private settle(f: Inflight, error: TransportError | null): void {
    clearTimeout(f.timer);
    this.inflight = null;
    f.resolve(sendResult(f.chunk, error === null ? f.chunk.length : Math.min(f.accepted, f.chunk.length), error));
  }
}

/** End of the next segment: whole lines, at most `limit` bytes unless a single line is longer. */
function segmentEnd(chunk: Buffer, start: number, limit: number): number {
  if (chunk.length - start <= limit) return chunk.length;
  const nl = chunk.lastIndexOf(NL, start + limit - 1);
  if (nl >= start) return nl + 1;
  return chunk.indexOf(NL, start) + 1; // the chunk ends with a newline, so one exists
}

function writeError(err: Error, label: string): TransportError {
  const code = errnoOf(err);
  return new TransportError(code === 'EPIPE' || code === 'ECONNRESET' ? 'ERR_TRANSPORT_CLOSED' : 'ERR_TRANSPORT_WRITE', `cannot write to '${label}': ${describe(err)}`, code, { cause: err });
}
