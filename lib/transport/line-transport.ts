// One text backend's connection over time: steps 8-10 of the loop (SPEC §5.5) for graphite, OpenTSDB
// telnet and JSON lines, over tcp, udp, unix or TLS.
//
// The connection is persistent, as in the reference: it is reused until a send fails or the peer closes
// it; only then is the destination list tried again, from the first entry (SPEC §5.10). This class holds
// no data: the exporter keeps its buffer and resends `SendResult.remainder` (whole lines) after a failure.

import { Connection, ConnectOutcome, HostLookup, connectToOneOf } from './connector';
import { DatagramSender } from './datagram-sender';
import { Destination, DestinationParseOptions, parseDestinationList } from './destination';
import { TransportError, TransportLogger, silentLogger } from './errors';
import { ConnectionReport, LineSender, Sender, SendResult, checkChunk, sendResult } from './line-sender';
import type { ServiceTable } from './services';
import { ResolvedTls, TlsClientOptions, resolveTlsOptions } from './tls-options';

export interface LineTransportOptions {
  /** Parsed entries, or the `destination` text (parsed with `defaultPort`). */
  destinations: readonly Destination[] | string;
  /** The backend type's default port (SPEC §5.3), used when `destinations` is text. */
  defaultPort?: DestinationParseOptions['defaultPort'];
  /** SPEC §5.2 `timeout ms`: connect, TLS handshake and each send. */
  timeoutMs: number;
  /** TLS for tcp and unix entries (graphite:https, opentsdb:https, json:https); null or absent = plain. */
  tls?: TlsClientOptions | null;
  /** Name in the discard log line (SPEC §5.3): graphite, opentsdb, json. */
  responseName: string;
  logger?: TransportLogger;
  lookup?: HostLookup;
  services?: ServiceTable;
}

export class LineTransport {
  readonly destinations: readonly Destination[];
  private readonly options: LineTransportOptions;
  private readonly tls: ResolvedTls | null;
  private readonly log: TransportLogger;
  private sender: Sender | null = null;
  private closed = false;
  private readonly abort = new AbortController();

  /** Validates everything (destinations, TLS files) up front; throws DestinationError or TransportError. */
  static async create(options: LineTransportOptions): Promise<LineTransport> {
    if (options === null || typeof options !== 'object') throw new TransportError('ERR_TRANSPORT_OPTION', 'line transport options must be an object');
    const tls = options.tls == null ? null : await resolveTlsOptions(options.tls);
    return new LineTransport(options, tls);
  }

  private constructor(options: LineTransportOptions, tls: ResolvedTls | null) {
    if (typeof options.timeoutMs !== 'number' || !Number.isFinite(options.timeoutMs) || options.timeoutMs < 1) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(options.timeoutMs)}`);
    }
    if (typeof options.responseName !== 'string' || options.responseName.length === 0) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `responseName must be the backend's name for logs (graphite, opentsdb, json), got ${JSON.stringify(options.responseName)}`);
    }
    this.destinations = typeof options.destinations === 'string' ? parseDestinationList(options.destinations, { defaultPort: options.defaultPort ?? null }) : [...options.destinations];
    if (this.destinations.length === 0) throw new TransportError('ERR_TRANSPORT_OPTION', 'destinations must hold at least one entry');
    if (tls !== null && this.destinations.some((d) => d.protocol === 'udp')) {
      throw new TransportError('ERR_TRANSPORT_OPTION', `TLS cannot be used with udp destinations (${this.destinations.filter((d) => d.protocol === 'udp').map((d) => d.text).join(', ')}); use tcp or unix`);
    }
    this.options = options;
    this.tls = tls;
    this.log = options.logger ?? silentLogger;
  }

  get connected(): boolean {
    return this.sender !== null && this.sender.open;
  }

  /** The destination entry currently connected, or null. */
  get current(): string | null {
    return this.connected ? this.sender!.label : null;
  }

  /** How trust is established for TLS, for the startup log; null for plain connections. */
  get tlsTrust(): string | null {
    return this.tls?.trust ?? null;
  }

  /** SPEC §5.5 step 8 / §5.9: responses received since the last call (logged and discarded). */
  takeResponses(): ConnectionReport {
    if (this.sender === null) return { bytes: 0, reads: 0, sample: '', closed: true };
    const r = this.sender.takeResponses();
    if (r.closed) this.sender = null;
    return r;
  }

  /** SPEC §5.5 step 9: connects when not connected. `attempts` is what the reference adds to `reconnects`. */
  async connect(): Promise<ConnectOutcome> {
    if (this.closed) throw new TransportError('ERR_TRANSPORT_STATE', 'the transport is closed');
    if (this.connected) return { connection: null, attempts: 0, failures: [] };
    this.sender = null;
    const outcome = await connectToOneOf(this.destinations, {
      timeoutMs: this.options.timeoutMs,
      tls: this.tls,
      logger: this.log,
      lookup: this.options.lookup,
      services: this.options.services,
      signal: this.abort.signal,
    });
    if (outcome.connection !== null) {
      if (this.closed) closeConnection(outcome.connection);
      else this.sender = this.makeSender(outcome.connection);
    }
    return outcome;
  }

  /** SPEC §5.5 step 10: sends complete lines on the open connection; fails (nothing written) when there is none. */
  async send(chunk: Buffer): Promise<SendResult> {
    checkChunk(chunk);
    if (this.sender === null || !this.sender.open) {
      return sendResult(chunk, 0, new TransportError('ERR_TRANSPORT_CLOSED', `not connected to any of '${this.destinations.map((d) => d.text).join(' ')}'`));
    }
    // A failed sender stays until takeResponses()/connect(), so what it received is still reported (SPEC §5.9).
    return this.sender.send(chunk);
  }

  /** Closes the connection (a send in flight settles as failed with exact counts) and aborts a connect. */
  close(): void {
    this.closed = true;
    this.abort.abort();
    this.sender?.close();
    this.sender = null;
  }

  private makeSender(c: Connection): Sender {
    const common = { timeoutMs: this.options.timeoutMs, responseName: this.options.responseName, logger: this.log };
    return c.kind === 'stream' ? new LineSender(c, common) : new DatagramSender(c, common);
  }
}

function closeConnection(c: Connection): void {
  if (c.kind === 'stream') c.socket.destroy();
  else c.socket.close();
}
