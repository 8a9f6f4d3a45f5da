// Hand-written servers for FAULT INJECTION ONLY (CONVENTIONS: real receivers prove wire formats):
// - LineCollector: a tcp/unix/TLS server that splits what it receives into lines per connection, counts
//   complete lines, finds duplicates and keeps the unterminated fragments left when a connection ends;
// - ScriptedHttpServer: answers requests from a script of statuses (and resets), recording every request;
// - startBlackhole(): a listening socket whose accept queue is full, so connects to it hang (connect timeouts);
// - makeTestPki(): a throw-away CA and certificates made with `openssl` (good, other CA, expired, wrong host).

import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Polls `cond` every 5 ms until it holds or `timeoutMs` passes (then rejects with `what`). */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface LineCollectorOptions {
  /** Listen on a unix socket path instead of 127.0.0.1. */
  path?: string;
  port?: number;
  /** PEM key and certificate: serve TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Sent back to the client for every chunk received (to exercise response discarding). */
  reply?: Buffer;
}

export interface CollectedConnection {
  id: number;
  /** Complete lines, without the newline. */
  lines: string[];
  /** The unterminated fragment left when the connection ended ('' when it ended on a newline). */
  fragment: string;
  bytes: number;
  ended: boolean;
  /** SNI the client sent (TLS), or false. */
  servername: string | false;
}

export class LineCollector {
  readonly connections: CollectedConnection[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number, readonly path: string | null) {}

  static async start(options: LineCollectorOptions = {}): Promise<LineCollector> {
    let collector: LineCollector | null = null;
    const onSocket = (s: net.Socket): void => collector!.accept(s, options.reply ?? null);
    const server = options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onSocket) : net.createServer(onSocket);
    if (options.tls) server.on('tlsClientError', () => undefined); // rejected handshakes are part of the tests
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (options.path) server.listen(options.path, resolve);
      else server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    const addr = server.address();
    collector = new LineCollector(server, typeof addr === 'object' && addr ? addr.port : 0, options.path ?? null);
    return collector;
  }

  private accept(s: net.Socket, reply: Buffer | null): void {
    const c: CollectedConnection = { id: this.connections.length + 1, lines: [], fragment: '', bytes: 0, ended: false, servername: (s as tls.TLSSocket).servername ?? false };
    this.connections.push(c);
    this.sockets.add(s);
    let pending = '';
    s.on('data', (d: Buffer) => {
      c.bytes += d.length;
      const parts = (pending + d.toString('latin1')).split('\n');
      pending = parts.pop()!;
      c.lines.push(...parts);
      if (reply) s.write(reply);
    });
    const finish = (): void => {
      if (c.ended) return;
      c.ended = true;
      c.fragment = pending;
      this.sockets.delete(s);
    };
    s.on('error', finish);
    s.on('close', finish);
  }

  /** Every complete line, in arrival order, over all connections. */
  get lines(): string[] {
    return this.connections.flatMap((c) => c.lines);
  }

  /** Non-empty fragments of connections that ended in the middle of a line. */
  get halfLines(): string[] {
    return this.connections.filter((c) => c.ended && c.fragment !== '').map((c) => c.fragment);
  }

  /** Lines received more than once. */
  duplicates(): string[] {
    const seen = new Set<string>();
    const dup: string[] = [];
    for (const l of this.lines) {
      if (seen.has(l)) dup.push(l);
      seen.add(l);
    }
    return dup;
  }

  waitForLines(n: number, timeoutMs = 5000): Promise<void> {
    return waitFor(() => this.lines.length >= n, timeoutMs, `${n} lines (have ${this.lines.length})`);
  }

  /** Resets every open connection. */
  dropAll(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** Closes every open connection cleanly (FIN). */
  endAll(): void {
    for (const s of this.sockets) s.end();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface ScriptStep {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms. */
  delayMs?: number;
  /** Reset the connection instead of answering. */
  reset?: boolean;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Which TCP connection carried it (1-based, in accept order). */
  connection: number;
}

/** An HTTP(S) server answering from a script; after the script, every request gets `fallback`. */
export class ScriptedHttpServer {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  private readonly script: ScriptStep[];

  private constructor(private readonly server: http.Server, readonly port: number, script: ScriptStep[], private readonly fallback: ScriptStep) {
    this.script = [...script];
  }

  static async start(script: ScriptStep[], options: { tls?: { key: string | Buffer; cert: string | Buffer }; fallback?: ScriptStep } = {}): Promise<ScriptedHttpServer> {
    let self: ScriptedHttpServer | null = null;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => self!.handle(req, res);
    const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
    server.keepAliveTimeout = 5000;
    let n = 0;
    server.on('connection', (s: net.Socket) => {
      (s as net.Socket & { rrdId?: number }).rrdId = ++n;
      self!.connections = n;
    });
    if (options.tls) server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address() as net.AddressInfo;
    self = new ScriptedHttpServer(server, addr.port, script, options.fallback ?? { status: 204 });
    return self;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const sock = req.socket as net.Socket & { rrdId?: number };
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts), connection: sock.rrdId ?? 0 });
      const step = this.script.shift() ?? this.fallback;
      const answer = (): void => {
        if (step.reset) {
          sock.resetAndDestroy();
          return;
        }
        res.writeHead(step.status ?? 204, step.headers ?? {});
        res.end(step.body ?? '');
      };
      if (step.delayMs) setTimeout(answer, step.delayMs);
      else answer();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface Blackhole {
  port: number;
  close(): void;
}

/**
 * A 127.0.0.1 port where connects hang: a child process listens with backlog 1 and is then stopped
 * (SIGSTOP), and the accept queue is filled, so the kernel drops further SYNs instead of answering.
 */
export async function startBlackhole(): Promise<Blackhole> {
  const child: ChildProcess = spawn(process.execPath, ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  child.kill('SIGSTOP');
  const fillers: net.Socket[] = [];
  // Fill the accept queue: keep connecting until a connect does not complete within 200 ms.
  for (let i = 0; i < 8; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    const ok = await new Promise<boolean>((r) => {
      const t = setTimeout(() => r(false), 200);
      s.once('connect', () => {
        clearTimeout(t);
        r(true);
      });
    });
    if (!ok) break;
  }
  return {
    port,
    close: () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
    },
  };
}

export interface TestPki {
  dir: string;
  /** The CA that signed `server`, `expired` and `wrongHost` (PEM). */
  caCert: string;
  caFile: string;
  /** A CA that signed nothing here. */
  otherCaCert: string;
  otherCaFile: string;
  /** For localhost, 127.0.0.1 and ::1. */
  server: { key: string; cert: string };
  /** Same names, validity already over. */
  expired: { key: string; cert: string };
  /** For wrong.example only. */
  wrongHost: { key: string; cert: string };
  remove(): void;
}

/** Generates the PKI in a temporary directory with the `openssl` command (EC P-256 keys: fast). */
export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'rrd-backends-pki-'));
  const ossl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = async (name: string): Promise<void> => {
    await ossl('req', '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3650', '-subj', `/CN=rrd-backends ${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const leaf = async (name: string, san: string, days: string): Promise<void> => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
    await ossl('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    // -days -1 puts notAfter one day before notBefore (= now): an expired certificate without faking the clock.
    await ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', days, '-extfile', `${name}.ext`);
  };
  await ca('ca');
  await ca('other-ca');
  await leaf('expired', 'DNS:localhost,IP:127.0.0.1', '-1');
  await leaf('server', 'DNS:localhost,IP:127.0.0.1,IP:::1', '30');
  await leaf('wrong-host', 'DNS:wrong.example', '30');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    caCert: read('ca.pem'),
    caFile: join(dir, 'ca.pem'),
    otherCaCert: read('other-ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    server: { key: read('server.key'), cert: read('server.pem') },
    expired: { key: read('expired.key'), cert: read('expired.pem') },
    wrongHost: { key: read('wrong-host.key'), cert: read('wrong-host.pem') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
