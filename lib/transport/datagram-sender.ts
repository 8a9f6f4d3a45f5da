// `udp:` destinations (SPEC §5.10): the whole chunk leaves as ONE datagram, as in the reference. A chunk
// larger than a datagram can carry is refused before sending (ERR_TRANSPORT_DATAGRAM_SIZE) instead of
// failing in the kernel with EMSGSIZE; the connection stays usable because reconnecting cannot help.
// Replies are counted and discarded like those of stream connections (SPEC §5.9).

import type { DatagramConnection } from './connector';
import { TransportError, TransportLogger, describe, errnoOf, silentLogger } from './errors';
import { ConnectionReport, Sender, SendResult, checkChunk, sendResult } from './line-sender';
import { ResponseDiscarder, responseLogLine } from './response-discarder';

export interface DatagramSenderOptions {
  /** Bounds one send (the kernel normally answers at once). */
  timeoutMs: number;
  responseName?: string;
  logger?: TransportLogger;
}

export class DatagramSender implements Sender {
  readonly label: string;
  private readonly connection: DatagramConnection;
  private readonly log: TransportLogger;
  private readonly responseName: string;
  private readonly timeoutMs: number;
  private readonly discarder = new ResponseDiscarder();
  private dead: TransportError | null = null;
  private busy = false;

  constructor(connection: DatagramConnection, options: DatagramSenderOptions) {
    if (typeof options.timeoutMs !== 'number' || !(options.timeoutMs >= 1)) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(options.timeoutMs)}`);
    }
    this.connection = connection;
    this.label = connection.destination.text;
    this.timeoutMs = options.timeoutMs;
    this.log = options.logger ?? silentLogger;
    this.responseName = options.responseName ?? 'text';
    connection.socket.on('message', (msg: Buffer) => this.discarder.add(msg));
    connection.socket.on('error', (err) => this.kill(err));
    connection.socket.on('close', () => {
      this.dead ??= new TransportError('ERR_TRANSPORT_CLOSED', `udp socket for '${this.label}' closed`);
    });
  }

  get open(): boolean {
    return this.dead === null;
  }

  /** Largest chunk that fits one datagram. */
  get maxPayload(): number {
    return this.connection.maxPayload;
  }

  send(chunk: Buffer): Promise<SendResult> {
    checkChunk(chunk);
    if (this.busy) return Promise.reject(new TransportError('ERR_TRANSPORT_STATE', `a send to '${this.label}' is already in progress; wait for its result`));
    if (this.dead !== null) return Promise.resolve(sendResult(chunk, 0, this.dead));
    if (chunk.length === 0) return Promise.resolve(sendResult(chunk, 0, null));
    if (chunk.length > this.connection.maxPayload) {
      return Promise.resolve(
        sendResult(chunk, 0, new TransportError('ERR_TRANSPORT_DATAGRAM_SIZE', `${chunk.length} bytes do not fit one datagram to '${this.label}' (at most ${this.connection.maxPayload}); use tcp or a smaller update every`)),
      );
    }
    this.busy = true;
    return new Promise<SendResult>((resolve) => {
      let done = false;
      const finish = (err: TransportError | null): void => {
        if (done) return;
        done = true;
        this.busy = false;
        clearTimeout(timer);
        resolve(sendResult(chunk, err === null ? chunk.length : 0, err));
      };
      const timer = setTimeout(() => finish(new TransportError('ERR_TRANSPORT_TIMEOUT', `sending a datagram to '${this.label}' timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      this.connection.socket.send(chunk, (err) => {
        if (err) {
          const e = this.kill(err);
          finish(e);
        } else finish(null);
      });
    });
  }

  takeResponses(): ConnectionReport {
    const r = this.discarder.take();
    if (r.bytes > 0) this.log('info', responseLogLine(this.responseName, r.bytes, r.sample));
    return { ...r, closed: this.dead !== null };
  }

  close(): void {
    if (this.dead === null) {
      this.dead = new TransportError('ERR_TRANSPORT_CLOSED', `udp socket for '${this.label}' closed by the caller`);
      this.connection.socket.close();
    }
  }

  /** A socket error (e.g. ECONNREFUSED from an ICMP port unreachable) ends this socket: reconnect. */
  private kill(err: Error): TransportError {
    const e = new TransportError(errnoOf(err) === 'ECONNREFUSED' ? 'ERR_TRANSPORT_CONNECT' : 'ERR_TRANSPORT_WRITE', `cannot send to '${this.label}': ${describe(err)}`, errnoOf(err), { cause: err });
    if (this.dead === null) {
      this.dead = e;
      this.log('error', `BACKEND: ${e.message}`);
      try {
        this.connection.socket.close();
      } catch {
        /* already closed */
      }
    }
    return e;
  }
}
