// Runs one real receiver (carbon-cache, VictoriaMetrics, Prometheus, InfluxDB) as a child process
// for the integration tests: 127.0.0.1 only, free ports picked at run time, data in a fresh temp
// directory, bounded readiness wait, captured logs, and a stop that always removes the temp dir.
import { spawn, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** Errors raised by the test-support layer carry a stable `code` so callers can tell them apart. */
export class ReceiverError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'ReceiverError';
  }
}

/** CI=true (or any value but "", "0", "false") means: never skip, a missing receiver is a failure. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/** Absolute path of an executable found on PATH (or the given absolute path), or null. */
export function findExecutable(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(path.delimiter).filter(Boolean).map((d) => path.join(d, command));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* not here; keep looking */
    }
  }
  return null;
}

/** The error a test gets when a receiver's binary is missing: it names the Debian package to install. */
export function notInstalledError(command: string, debianPackage: string): ReceiverError {
  return new ReceiverError(
    'ERR_RECEIVER_NOT_INSTALLED',
    `${command} is not installed (not found on PATH). Install the Debian package: ` +
      `apt-get install -y --no-install-recommends ${debianPackage}   (.ci/run installs it on CI)`,
  );
}

/**
 * Called from a mocha before() hook: returns the executable's path when installed. When it is
 * missing, fails under CI, and elsewhere prints a loud reason and skips the hook's suite.
 */
export function requireExecutable(ctx: Mocha.Context, command: string, debianPackage: string): string {
  const found = findExecutable(command);
  if (found) return found;
  const err = notInstalledError(command, debianPackage);
  if (isCI()) throw err;
  console.warn(`\n  !!! SKIPPING receiver tests: ${err.message}\n  !!! (under CI=true this is a failure, not a skip)\n`);
  ctx.skip();
  throw err; // unreachable: skip() throws mocha's Pending
}

/** A TCP port that was free on 127.0.0.1 a moment ago (the start-up retry covers the small race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function freePorts(n: number): Promise<number[]> {
  // Hold all listeners open until every port is known, so the n ports differ from each other.
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((srv.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a non-undefined value, or fails naming `what` after `timeoutMs`. */
export async function pollUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new ReceiverError('ERR_RECEIVER_TIMEOUT', `timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** True when a TCP connection to 127.0.0.1:port is accepted. */
export function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.setTimeout(1000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(false));
  });
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Plain HTTP request to 127.0.0.1 with a bounded timeout; never rejects on a non-2xx status. */
export function httpRequest(
  port: number,
  method: string,
  urlPath: string,
  body?: Buffer | string,
  headers: http.OutgoingHttpHeaders = {},
  timeoutMs = 5000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`HTTP ${method} 127.0.0.1:${port}${urlPath} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Keeps the last `limit` bytes of a child's output for failure reports. */
class LogTail {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}
  push(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    return this.chunks.join('');
  }
}

// Receivers still running when the process exits (a crashed run, a missed after() hook) are killed
// here so no test leaves a daemon or a temp dir behind.
const live = new Set<ReceiverProcess>();
process.on('exit', () => {
  for (const r of live) r.killNow();
});

export interface ReceiverSpec {
  /** Short name used in messages, e.g. "carbon-cache". */
  name: string;
  /** Executable path (from requireExecutable). */
  command: string;
  /** Builds the argument list for one attempt; called after `prepare`. */
  args: (dir: string, ports: number[]) => string[];
  /** How many free ports the receiver needs. */
  portCount: number;
  /** Writes config files into the fresh temp dir before the process starts. */
  prepare?: (dir: string, ports: number[]) => void;
  /** Resolves true once the receiver answers; polled until `readyTimeoutMs`. */
  ready: (ports: number[]) => Promise<boolean>;
  readyTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export class ReceiverProcess {
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private exitWaiters: Array<() => void> = [];
  /** Milliseconds from spawn to ready, for the reports. */
  startupMs = 0;

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly ports: number[],
    private readonly child: ChildProcess,
    private readonly log: LogTail,
  ) {
    child.once('exit', (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.exitWaiters.splice(0)) w();
    });
  }

  /**
   * Starts the receiver and waits until it is ready. A receiver that exits during start-up (most
   * often: a port taken between freePorts() and its bind) is retried with new ports, 3 attempts.
   */
  static async start(spec: ReceiverSpec): Promise<ReceiverProcess> {
    let last: Error | null = null;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rrd-backends-${spec.name}-`));
      const ports = await freePorts(spec.portCount);
      try {
        spec.prepare?.(dir, ports);
      } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      }
      const log = new LogTail(256 * 1024);
      const t0 = Date.now();
      const child = spawn(spec.command, spec.args(dir, ports), {
        cwd: dir,
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const rp = new ReceiverProcess(spec.name, dir, ports, child, log);
      live.add(rp);
      child.stdout!.setEncoding('utf8').on('data', (s: string) => log.push(s));
      child.stderr!.setEncoding('utf8').on('data', (s: string) => log.push(s));
      const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
      try {
        await rp.waitReady(spec, spawnError);
        rp.startupMs = Date.now() - t0;
        return rp;
      } catch (e) {
        last = e as Error;
        const exitedEarly = rp.exited !== null;
        await rp.stop();
        if (!exitedEarly) throw last; // a timeout is not a port race: do not retry
      }
    }
    throw last!;
  }

  private async waitReady(spec: ReceiverSpec, spawnError: Promise<Error>): Promise<void> {
    const timeoutMs = spec.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    let failed: Error | null = null;
    void spawnError.then((e) => (failed = e));
    for (;;) {
      if (failed) throw new ReceiverError('ERR_RECEIVER_SPAWN', `${this.name}: could not start ${spec.command}: ${(failed as Error).message}`);
      if (this.exited) {
        throw new ReceiverError(
          'ERR_RECEIVER_EXITED',
          `${this.name} exited during start-up (code ${this.exited.code}, signal ${this.exited.signal})\n${this.formatLogs()}`,
        );
      }
      let ok = false;
      try {
        ok = await spec.ready(this.ports);
      } catch {
        ok = false;
      }
      if (ok) return;
      if (Date.now() >= deadline) {
        throw new ReceiverError('ERR_RECEIVER_START_TIMEOUT', `${this.name} was not ready within ${timeoutMs} ms\n${this.formatLogs()}`);
      }
      await sleep(100);
    }
  }

  get running(): boolean {
    return this.exited === null;
  }

  /** The captured stdout+stderr (last 256 KiB). */
  logs(): string {
    return this.log.text();
  }

  formatLogs(): string {
    return `----- ${this.name} log (${this.dir}) -----\n${this.logs().trimEnd()}\n----- end of ${this.name} log -----`;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; always removes the temp dir. Safe to call twice. */
  async stop(graceMs = 3000): Promise<void> {
    // A child that never spawned (ENOENT) has no pid and may never emit 'exit'.
    if (this.exited === null && this.child.pid !== undefined) {
      const gone = new Promise<void>((r) => this.exitWaiters.push(r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    }
    live.delete(this);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last resort used on process exit. */
  killNow(): void {
    if (this.exited === null && this.child.pid !== undefined) this.child.kill('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
