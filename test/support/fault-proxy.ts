// A TCP proxy on 127.0.0.1 for fault injection in front of a real receiver (or a fake server).
// Faults can be switched while it runs:
// - refuse(true): the listening socket is closed, connects are refused (ECONNREFUSED); refuse(false) reopens
//   the same port;
// - resetAfter(n): a connection forwards n more bytes from the client, then the client side is reset (RST)
//   and the receiver side closed -- the receiver sees exactly those n bytes;
// - closeAfter(n): the same with a clean close (FIN) of both sides;
// - stopReading(true): the proxy stops reading from its clients, so socket buffers fill up (backpressure);
//   stopReading(false) resumes, and everything the clients' kernels accepted is forwarded, even for client
//   connections that were closed meanwhile;
// - delay(ms): every chunk is held for ms before it is forwarded, and reading waits for it (slow receiver).
// `once` makes a byte fault apply to the next connection that reaches it only.
// Every byte forwarded in each direction is recorded per connection.

import * as net from 'node:net';
import { waitFor } from './fake-servers';

export type ProxyTarget = { host: string; port: number } | { path: string };

export interface ProxyConnection {
  id: number;
  /** Bytes forwarded client -> receiver. */
  forwarded: Buffer[];
  /** Bytes forwarded receiver -> client. */
  returned: Buffer[];
  /** Bytes read from the client (forwarded or not). */
  readFromClient: number;
  /** How it ended, or null while open. */
  end: 'client-closed' | 'receiver-closed' | 'reset-by-proxy' | 'closed-by-proxy' | 'error' | null;
}

interface ByteFault {
  kind: 'reset' | 'close';
  bytes: number;
  once: boolean;
}

interface Link {
  info: ProxyConnection;
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes this link may still forward before the armed fault fires, or null. */
  budget: number | null;
  fault: ByteFault | null;
  busy: boolean;
  queue: Buffer[];
  clientEnded: boolean;
  /** After closeAfter fired: what the client still sends is read and dropped. */
  dead: boolean;
}

export class FaultProxy {
  readonly connections: ProxyConnection[] = [];
  private server: net.Server | null = null;
  private readonly links = new Set<Link>();
  private fault: ByteFault | null = null;
  private paused = false;
  private delayMs = 0;

  private constructor(private readonly target: ProxyTarget, public port: number) {}

  static async start(target: ProxyTarget, port = 0): Promise<FaultProxy> {
    const p = new FaultProxy(target, port);
    await p.listen();
    return p;
  }

  /** Closes (true) or reopens (false) the listening socket. Open connections are not touched. */
  async refuse(on: boolean): Promise<void> {
    if (on && this.server) {
      const s = this.server;
      this.server = null;
      await new Promise<void>((r) => s.close(() => r()));
    } else if (!on && !this.server) {
      await this.listen();
    }
  }

  resetAfter(bytes: number | null, options: { once?: boolean } = {}): void {
    this.arm(bytes === null ? null : { kind: 'reset', bytes, once: options.once ?? false });
  }

  closeAfter(bytes: number | null, options: { once?: boolean } = {}): void {
    this.arm(bytes === null ? null : { kind: 'close', bytes, once: options.once ?? false });
  }

  stopReading(on: boolean): void {
    this.paused = on;
    for (const l of this.links) this.pump(l);
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Resets every open connection now. */
  dropAll(): void {
    for (const l of this.links) this.kill(l, 'reset');
  }

  /** All bytes forwarded to the receiver by connection `id` (1-based), or by all connections. */
  forwarded(id?: number): Buffer {
    return Buffer.concat(this.connections.filter((c) => id === undefined || c.id === id).flatMap((c) => c.forwarded));
  }

  waitForConnections(n: number, timeoutMs = 5000): Promise<void> {
    return waitFor(() => this.connections.length >= n, timeoutMs, `${n} proxy connections`);
  }

  async close(): Promise<void> {
    for (const l of this.links) {
      l.client.destroy();
      l.upstream.destroy();
    }
    await this.refuse(true);
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private arm(f: ByteFault | null): void {
    this.fault = f;
    for (const l of this.links) {
      l.fault = f;
      l.budget = f === null ? null : f.bytes;
    }
  }

  private accept(client: net.Socket): void {
    const info: ProxyConnection = { id: this.connections.length + 1, forwarded: [], returned: [], readFromClient: 0, end: null };
    this.connections.push(info);
    const upstream = 'path' in this.target ? net.connect(this.target.path) : net.connect(this.target.port, this.target.host);
    const link: Link = { info, client, upstream, budget: this.fault?.bytes ?? null, fault: this.fault, busy: false, queue: [], clientEnded: false, dead: false };
    this.links.add(link);
    client.pause(); // reading starts once the receiver is connected
    upstream.once('connect', () => this.pump(link));
    client.on('data', (d: Buffer) => {
      info.readFromClient += d.length;
      if (link.dead) return;
      link.queue.push(d);
      this.pump(link);
    });
    client.on('end', () => {
      link.clientEnded = true;
      this.pump(link);
    });
    upstream.on('data', (d: Buffer) => {
      info.returned.push(d);
      if (!client.destroyed) client.write(d);
    });
    upstream.on('end', () => {
      info.end ??= 'receiver-closed';
      client.end();
    });
    client.on('error', () => {
      info.end ??= 'error';
      upstream.destroy();
    });
    upstream.on('error', () => {
      info.end ??= 'error';
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('close', () => this.links.delete(link));
  }

  /** Forwards queued chunks one at a time, honouring pause, delay, receiver backpressure and byte faults. */
  private pump(l: Link): void {
    if (l.dead) return;
    if (l.busy || l.upstream.connecting || l.upstream.destroyed) return;
    if (this.paused) {
      l.client.pause();
      return;
    }
    const chunk = l.queue.shift();
    if (chunk === undefined) {
      if (l.clientEnded) {
        l.info.end ??= 'client-closed';
        l.upstream.end();
      } else if (!l.client.destroyed) l.client.resume();
      return;
    }
    l.client.pause();
    l.busy = true;
    const forward = (): void => {
      l.busy = false;
      if (l.upstream.destroyed) return;
      let part = chunk;
      const fire = l.budget !== null && chunk.length >= l.budget;
      if (fire) part = chunk.subarray(0, l.budget!);
      if (l.budget !== null) l.budget -= part.length;
      if (part.length > 0) {
        l.info.forwarded.push(Buffer.from(part));
        const ok = l.upstream.write(part);
        if (!ok && !fire) {
          l.busy = true;
          l.upstream.once('drain', () => {
            l.busy = false;
            this.pump(l);
          });
          return;
        }
      }
      if (fire) {
        this.kill(l, l.fault!.kind);
        return;
      }
      this.pump(l);
    };
    if (this.delayMs > 0) setTimeout(forward, this.delayMs);
    else forward();
  }

  private kill(l: Link, kind: 'reset' | 'close'): void {
    if (l.fault?.once) this.arm(null);
    l.queue.length = 0;
    l.budget = null;
    l.fault = null;
    if (kind === 'reset') {
      l.info.end = 'reset-by-proxy';
      if (!l.client.destroyed) l.client.resetAndDestroy();
      this.links.delete(l);
    } else {
      // FIN to the client; keep reading and dropping what it still sends, so the close stays clean (no RST).
      l.info.end = 'closed-by-proxy';
      l.dead = true;
      l.client.end();
      l.client.resume();
    }
    l.upstream.end();
  }
}
