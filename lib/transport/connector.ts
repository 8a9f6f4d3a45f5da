// Opening a connection to the first destination that answers (SPEC §5.10 `connect_to_one_of` /
// `connect_to_this`, §5.11 TLS, fixes of §7 rows 10, 13, 14).
//
// As the reference: entries are tried in order, always from the first; every entry tried counts one
// attempt (the `reconnects` counter, including the successful one); every address of a name's resolution
// is tried in order until one connects; a resolution failure is a failed attempt, never a crash.
// Unlike the reference: each address gets a real connect timeout (`timeoutMs`, which also bounds the TLS
// handshake on that address), unix sockets with absolute paths work, TLS verifies the peer and a failed
// handshake fails the address (no plaintext fallback). Every failure is reported with its reason.

import * as dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import * as net from 'node:net';
import { networkInterfaces } from 'node:os';
import * as tls from 'node:tls';
import type { Destination, NetworkDestination } from './destination';
import { TransportError, TransportLogger, describe, errnoOf, silentLogger } from './errors';
import { ServiceTable, resolveService } from './services';
import { ResolvedTls, tlsConnectOptions } from './tls-options';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name resolution; the default is getaddrinfo through dns.lookup, results in the resolver's order. */
export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

export interface ConnectOptions {
  /** Bounds resolution of each entry, and connect + TLS handshake of each address (SPEC §5.2 `timeout ms`). */
  timeoutMs: number;
  /** When set, stream destinations (tcp, unix) are wrapped in TLS. */
  tls?: ResolvedTls | null;
  logger?: TransportLogger;
  lookup?: HostLookup;
  /** Service table for named ports; default /etc/services. */
  services?: ServiceTable;
  /** Aborts the attempt in progress (e.g. the exporter is stopping). */
  signal?: AbortSignal;
}

export interface ConnectFailure {
  /** The entry as written. */
  destination: string;
  /** The address tried, or null when resolution failed. */
  address: string | null;
  port: number | null;
  error: TransportError;
}

export interface StreamConnection {
  kind: 'stream';
  /** net.Socket, or tls.TLSSocket when `tls` is true. */
  socket: net.Socket;
  tls: boolean;
  destination: Destination;
  /** The address that answered (the socket path for unix). */
  address: string;
  port: number | null;
}

export interface DatagramConnection {
  kind: 'datagram';
  socket: dgram.Socket;
  destination: Destination;
  address: string;
  port: number;
  /** Largest payload one datagram can carry for the address family (IPv4 65507, IPv6 65527). */
  maxPayload: number;
}

export type Connection = StreamConnection | DatagramConnection;

export interface ConnectOutcome {
  /** The open connection, or null when every entry failed. */
  connection: Connection | null;
  /** Entries tried, including the one that connected: what the reference adds to `reconnects`. */
  attempts: number;
  /** One record per failed address (or failed resolution), in the order they happened. */
  failures: ConnectFailure[];
}

export const defaultLookup: HostLookup = async (host) => {
  const all = await dns.lookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** Tries the entries in order, from the first, until one connects. Never throws for network failures. */
export async function connectToOneOf(destinations: readonly Destination[], options: ConnectOptions): Promise<ConnectOutcome> {
  checkTimeout(options.timeoutMs);
  const failures: ConnectFailure[] = [];
  let attempts = 0;
  for (const d of destinations) {
    if (options.signal?.aborted) break;
    attempts++;
    const connection = await connectToThis(d, options, failures);
    if (connection !== null) return { connection, attempts, failures };
  }
  return { connection: null, attempts, failures };
}

/** Tries every address of one entry in order; appends a record to `failures` for each that fails. */
export async function connectToThis(d: Destination, options: ConnectOptions, failures: ConnectFailure[] = []): Promise<Connection | null> {
  checkTimeout(options.timeoutMs);
  const log = options.logger ?? silentLogger;
  const fail = (address: string | null, port: number | null, error: TransportError): null => {
    failures.push({ destination: d.text, address, port, error });
    if (error.code !== 'ERR_TRANSPORT_STATE') log('error', error.message); // an abort (shutdown) is not an error
    return null;
  };

  if (d.protocol === 'unix') {
    try {
      // A unix socket has no host name: the TLS identity is the server name override, else "localhost".
      const socket = await openStream({ path: d.path }, `unix socket '${d.path}'`, 'localhost', Date.now() + options.timeoutMs, options.tls ?? null, options.signal);
      return { kind: 'stream', socket, tls: options.tls != null, destination: d, address: d.path, port: null };
    } catch (err) {
      return fail(d.path, null, asTransportError(err, `Failed to connect to unix socket '${d.path}'`));
    }
  }

  let port: number;
  try {
    port = await resolvePort(d, options.services);
  } catch (err) {
    return fail(null, null, asTransportError(err, `Cannot resolve host '${d.host}', port '${d.service}'`));
  }
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolveAddresses(d, options);
  } catch (err) {
    const e = asTransportError(err, `Cannot resolve host '${d.host}', port '${port}'`);
    return fail(null, port, new TransportError('ERR_TRANSPORT_RESOLVE', e.message, e.syscallCode, { cause: err }));
  }
  for (const a of addresses) {
    if (options.signal?.aborted) return null;
    const address = withScope(a, d, log);
    try {
      if (d.protocol === 'udp') {
        const socket = await withDeadline(options.timeoutMs, options.signal, () => openUdp(address, a.family, port), `Timed out while connecting to '${address}', port '${port}'`);
        return { kind: 'datagram', socket, destination: d, address, port, maxPayload: a.family === 6 ? 65527 : 65507 };
      }
      const socket = await openStream({ host: address, port, noDelay: true }, `'${address}', port '${port}'`, d.host, Date.now() + options.timeoutMs, options.tls ?? null, options.signal);
      return { kind: 'stream', socket, tls: options.tls != null, destination: d, address, port };
    } catch (err) {
      fail(address, port, asTransportError(err, `Failed to connect to '${address}', port '${port}'`));
    }
  }
  return null;
}

function checkTimeout(ms: unknown): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1) {
    throw new TransportError('ERR_TRANSPORT_OPTION', `timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(ms)}`);
  }
}

async function resolvePort(d: NetworkDestination, services?: ServiceTable): Promise<number> {
  if (d.port !== null) return d.port;
  const name = d.service ?? '';
  const port = await resolveService(name, d.protocol, services);
  if (port === null) {
    throw new TransportError('ERR_TRANSPORT_RESOLVE', `Cannot resolve host '${d.host}', port '${name}': unknown ${d.protocol} service (not in /etc/services)`);
  }
  return port;
}

async function resolveAddresses(d: NetworkDestination, options: ConnectOptions): Promise<ResolvedAddress[]> {
  if (d.ipVersion !== 0) return [{ address: d.host, family: d.ipVersion }];
  const lookup = options.lookup ?? defaultLookup;
  const list = await withDeadline(options.timeoutMs, options.signal, () => lookup(d.host), `Cannot resolve host '${d.host}': timed out after ${options.timeoutMs} ms`);
  if (list.length === 0) throw new TransportError('ERR_TRANSPORT_RESOLVE', `Cannot resolve host '${d.host}': no address`);
  return list;
}

/** SPEC §5.10: the interface's index becomes the scope id of IPv6 addresses that have none. */
function withScope(a: ResolvedAddress, d: NetworkDestination, log: TransportLogger): string {
  if (d.iface === null || a.family !== 6 || a.address.includes('%')) return a.address;
  if (!(d.iface in networkInterfaces())) {
    log('error', `Cannot find a network interface named '${d.iface}'. Ignoring it for '${d.text}'.`);
    return a.address;
  }
  return `${a.address}%${d.iface}`;
}

/**
 * Stops waiting for `fn` after `timeoutMs` or on abort (for name resolution, which cannot be cancelled,
 * and udp setup). A result that arrives later is disposed of.
 */
function withDeadline<T>(timeoutMs: number, signal: AbortSignal | undefined, fn: () => Promise<T>, timeoutMessage: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(new TransportError('ERR_TRANSPORT_STATE', 'connection attempt aborted'));
    };
    const timer = setTimeout(() => {
      if (finish()) reject(new TransportError('ERR_TRANSPORT_TIMEOUT', timeoutMessage));
    }, timeoutMs);
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    fn().then(
      (v) => {
        if (finish()) resolve(v);
        else disposeLate(v);
      },
      (e: unknown) => {
        if (finish()) reject(e);
      },
    );
  });
}

/** Keeps a socket's late 'error' from crashing the process until its owner attaches listeners (it sees `destroyed`). */
function guard(s: net.Socket | dgram.Socket): void {
  s.removeAllListeners('error');
  s.on('error', () => undefined);
}

/** A connection that completed after its deadline or abort is closed at once. */
function disposeLate(v: unknown): void {
  if (v instanceof net.Socket) v.destroy();
  else if (v instanceof dgram.Socket) v.close();
}

/**
 * Connects a stream socket (tcp or unix) and, with `tlsOpts`, runs the TLS client handshake over it, all
 * before `deadline`. Any failure, timeout or abort destroys what was opened and rejects: a failed handshake
 * is a failed connection (SPEC §7 row 10: fail closed, never plaintext). Nothing is left running after the
 * promise settles, so an aborted attempt cannot keep the process alive.
 */
function openStream(
  connectOptions: net.NetConnectOpts,
  label: string,
  identity: string,
  deadline: number,
  tlsOpts: ResolvedTls | null,
  signal: AbortSignal | undefined,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let done = false;
    let secure: tls.TLSSocket | null = null;
    const raw = net.connect(connectOptions);
    const finish = (err: TransportError | null, socket?: net.Socket): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err !== null) {
        secure?.destroy();
        raw.destroy();
        reject(err);
        return;
      }
      guard(raw);
      if (socket !== raw) guard(socket!);
      resolve(socket!);
    };
    const tlsError = (err: unknown, message: string): TransportError =>
      new TransportError('ERR_TRANSPORT_TLS', `TLS handshake with ${label} failed: ${message}`, errnoOf(err), { cause: err });
    const onAbort = (): void => finish(new TransportError('ERR_TRANSPORT_STATE', `connection attempt to ${label} aborted`));
    const timer = setTimeout(() => {
      finish(
        secure === null
          ? new TransportError('ERR_TRANSPORT_TIMEOUT', `Timed out while connecting to ${label}`, 'ETIMEDOUT')
          : new TransportError('ERR_TRANSPORT_TLS', `TLS handshake with ${label} timed out`, 'ETIMEDOUT'),
      );
    }, Math.max(1, deadline - Date.now()));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    raw.once('error', (err) => {
      if (secure === null) finish(new TransportError('ERR_TRANSPORT_CONNECT', `Failed to connect to ${label}: ${describe(err)}`, errnoOf(err), { cause: err }));
      else finish(tlsError(err, describe(err)));
    });
    raw.once('connect', () => {
      // Beyond the reference: a persistent connection to a peer that vanished is noticed while idle.
      if (!('path' in connectOptions)) raw.setKeepAlive(true, 60_000);
      if (tlsOpts === null) {
        finish(null, raw);
        return;
      }
      let s: tls.TLSSocket;
      try {
        s = tls.connect({ ...tlsConnectOptions(tlsOpts, identity), socket: raw });
      } catch (err) {
        finish(tlsError(err, describe(err)));
        return;
      }
      secure = s;
      s.once('error', (err) => finish(tlsError(err, describe(err))));
      s.once('secureConnect', () => {
        if (tlsOpts.verify && !s.authorized) finish(tlsError(s.authorizationError, String(s.authorizationError)));
        else finish(null, s);
      });
    });
  });
}

function openUdp(address: string, family: 4 | 6, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(new TransportError('ERR_TRANSPORT_CONNECT', `Failed to connect to '${address}', port '${port}': ${describe(err)}`, errnoOf(err), { cause: err }));
    });
    socket.connect(port, address, () => {
      guard(socket);
      resolve(socket);
    });
  });
}

function asTransportError(err: unknown, context: string): TransportError {
  if (err instanceof TransportError) return err;
  return new TransportError('ERR_TRANSPORT_CONNECT', `${context}: ${describe(err)}`, errnoOf(err), { cause: err });
}
