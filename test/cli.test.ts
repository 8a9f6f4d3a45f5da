// The `rrd-backends` command: argument parsing, exit codes, the embedded default run (status lines and an
// export file of this machine's metrics), --once, --demo-charts, log levels on stderr, and signals (SIGHUP
// reload without losing buffered data, SIGTERM/SIGINT clean stop, a second signal forcing the exit) on the
// real spawned process.
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { installSignalHandlers } from '../lib/agent/signals';
import { parseArgs, parseListen } from '../lib/cli/args';
import { EXIT } from '../lib/cli/help';
import { filterLogger, LogLevel, stderrLogger } from '../lib/exporter/logger';
import { LineCollector, waitFor } from './support/fake-servers';
import { closedPort } from './support/ports';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'rrd-backends');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A spawned command with its output split in lines as it arrives. */
class Run {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], cwd = ROOT) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const split = (into: string[]) => {
      let rest = '';
      return (d: Buffer) => {
        const parts = (rest + d.toString()).split('\n');
        rest = parts.pop() as string;
        into.push(...parts);
      };
    };
    this.child.stdout!.on('data', split(this.out));
    this.child.stderr!.on('data', split(this.err));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  signal(s: NodeJS.Signals): void {
    this.child.kill(s);
  }

  async line(re: RegExp, timeoutMs: number, from = 0): Promise<string> {
    let found: string | undefined;
    await waitFor(() => (found = this.out.slice(from).find((l) => re.test(l))) !== undefined, timeoutMs, `a line matching ${re}\nstdout:\n${this.out.join('\n')}\nstderr:\n${this.err.join('\n')}`);
    return found as string;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** Everything printed so far, for assertion messages. */
  dump(): string {
    return `stdout:\n${this.out.join('\n')}\nstderr:\n${this.err.join('\n')}`;
  }
}

/** A log line of stderrLogger: `YYYY-MM-DD hh:mm:ss: rrd-backends LEVEL : message`. */
const LOG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d: rrd-backends (DEBUG|INFO|WARN|ERROR) : /;

function logLevels(lines: readonly string[]): Set<string> {
  return new Set(lines.map((l) => LOG_LINE.exec(l)?.[1]).filter((l): l is string => l !== undefined));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');


describe('cli: arguments', () => {
  it('parses the documented options with defaults', () => {
    assert.deepStrictEqual(parseArgs([]), { action: 'run', config: null, http: { host: '127.0.0.1', port: 19999 }, demoCharts: 0, once: false, file: null, logLevel: 'info' });
    assert.deepStrictEqual(parseArgs(['-c', 'x.conf', '--http=[::1]:0', '--demo-charts', '20', '--once', '--log-level', 'debug']),
      { action: 'run', config: 'x.conf', http: { host: '::1', port: 0 }, demoCharts: 20, once: true, file: null, logLevel: 'debug' });
    assert.strictEqual(parseArgs(['--http', 'off']).action === 'run' && (parseArgs(['--http', 'off']) as { http: unknown }).http, null);
    assert.deepStrictEqual(parseArgs(['--version']), { action: 'version' });
    assert.deepStrictEqual(parseArgs(['--once', '-h']), { action: 'help' });
    assert.deepStrictEqual(parseListen('localhost:8080'), { host: 'localhost', port: 8080 });
  });

  for (const [argv, why] of [
    [['--bogus'], /unknown option "--bogus"/], [['extra'], /unexpected argument "extra"/], [['--config'], /--config needs a value/],
    [['--http', '1.2.3.4'], /is not an address; accepted: HOST:PORT/], [['--http', '1.2.3.4:70000'], /out of range/],
    [['--http', '[1:2]:80'], /not an IPv6 address/], [['--demo-charts', '-1'], /needs a value/], [['--demo-charts', 'many'], /accepted: a whole number/],
    [['--once', '--once'], /given twice/], [['--once=yes'], /takes no value/], [['--config', 'a', '--file', 'b'], /cannot be combined with --config/],
    [['--log-level', 'loud'], /accepted: debug, info, warn, error/],
  ] as const) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(() => parseArgs(argv), (e: Error & { code?: string }) => e.code === 'ERR_CLI_USAGE' && why.test(e.message));
    });
  }
});

describe('cli: signal handlers and the logger', () => {
  const fakeProcess = (): NodeJS.Process => new EventEmitter() as unknown as NodeJS.Process;

  it('the first SIGINT/SIGTERM stops, a second one forces the exit, SIGHUP reloads only while running', async () => {
    for (const [first, second] of [['SIGINT', 'SIGINT'], ['SIGTERM', 'SIGINT'], ['SIGINT', 'SIGTERM']] as const) {
      const proc = fakeProcess();
      const calls: string[] = [];
      const remove = installSignalHandlers({
        stop: async (sig) => void calls.push(`stop ${sig}`),
        reload: async () => void calls.push('reload'),
        forceExit: (sig) => void calls.push(`force ${sig}`),
      }, proc);
      proc.emit('SIGHUP', 'SIGHUP');
      proc.emit(first, first);
      proc.emit('SIGHUP', 'SIGHUP'); // ignored while stopping
      proc.emit(second, second);
      assert.deepStrictEqual(calls, ['reload', `stop ${first}`, `force ${second}`]);
      remove();
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) assert.strictEqual(proc.listenerCount(sig), 0, `${sig} handler left installed`);
    }
  });

  it('stderrLogger writes the lines from its level up, in the documented format', () => {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    const shown: Record<string, string[]> = {};
    try {
      for (const min of ['debug', 'info', 'warn', 'error'] as const) {
        written.length = 0;
        const log = stderrLogger(min);
        for (const level of ['debug', 'info', 'warn', 'error'] as const) log(level, `a ${level} message`);
        shown[min] = written.map((l) => {
          assert.match(l, new RegExp(`${LOG_LINE.source}a (debug|info|warn|error) message\\n$`));
          return (LOG_LINE.exec(l) as RegExpExecArray)[1] as string;
        });
      }
    } finally {
      process.stderr.write = write;
    }
    assert.deepStrictEqual(shown, {
      debug: ['DEBUG', 'INFO', 'WARN', 'ERROR'], info: ['INFO', 'WARN', 'ERROR'], warn: ['WARN', 'ERROR'], error: ['ERROR'],
    });
    const kept: LogLevel[] = [];
    const f = filterLogger((l) => void kept.push(l), 'warn');
    for (const level of ['debug', 'info', 'warn', 'error'] as const) f(level, 'x');
    assert.deepStrictEqual(kept, ['warn', 'error']);
  });
});

describe('cli: the command', function () {
  this.timeout(60_000);
  let dir: string;
  const runs: Run[] = [];
  const start = (args: string[]): Run => {
    const r = new Run(args);
    runs.push(r);
    return r;
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-cli-'))));
  afterEach(() => {
    for (const r of runs.splice(0)) r.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--help, --version and usage errors exit with their codes', async () => {
    const help = start(['--help']);
    assert.strictEqual(await help.exited, EXIT.OK);
    assert.ok(help.out.some((l) => l.startsWith('Usage: rrd-backends [--config FILE] [--http HOST:PORT] [--demo-charts N] [--once]')));
    const version = start(['--version']);
    assert.strictEqual(await version.exited, EXIT.OK);
    assert.deepStrictEqual(version.out.filter(Boolean), [VERSION]);
    const bad = start(['--frobnicate']);
    assert.strictEqual(await bad.exited, EXIT.USAGE);
    assert.match(bad.err.join('\n'), /unknown option "--frobnicate"; see --help/);
  });

  it('a configuration that is not accepted exits 3 naming the file, line and key', async () => {
    const missing = start(['--config', path.join(dir, 'nope.conf'), '--http', 'off']);
    assert.strictEqual(await missing.exited, EXIT.CONFIG);
    assert.match(missing.err.join('\n'), /cannot read the configuration file .*nope\.conf \(ENOENT\)/);
    const conf = path.join(dir, 'bad.conf');
    fs.writeFileSync(conf, '[backend]\n  enabled = yes\n  type = graphite\n  destination = file:/x?keep=abc\n');
    const bad = start(['--config', conf, '--http', 'off']);
    assert.strictEqual(await bad.exited, EXIT.CONFIG);
    assert.match(bad.err.join('\n'), /keep="abc" is not a number/);
  });

  it('an HTTP port in use exits 4 and says what to do', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const r = start(['--http', `127.0.0.1:${port}`, '--file', path.join(dir, 'e.txt')]);
      assert.strictEqual(await r.exited, EXIT.IO);
      assert.match(r.err.join('\n'), /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE .*--http HOST:PORT/);
    } finally {
      srv.close();
    }
  });

  it('embedded default: status lines within 15 s, the export file fills with this machine\'s metrics, SIGTERM stops cleanly', async () => {
    const file = path.join(dir, 'export.txt');
    const t0 = Date.now();
    const r = start(['--http', '127.0.0.1:0', '--file', file]);
    await r.line(/^export file: /, 15_000);
    assert.ok(r.out.some((l) => /^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/.test(l)), r.out.join('\n'));
    // Status lines with metrics sent (the first iterations may have no stored points yet).
    const status = await r.line(/^#\d+ \[backend\] -> file:.*: buffered [1-9]\d* metrics .* sent [1-9]\d* .* lost 0 \(0 B\), left 0, [\d.]+ ms$/, 15_000);
    assert.ok(Date.now() - t0 < 15_000, `first status line with data after ${Date.now() - t0} ms: ${status}`);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const host = os.hostname();
    for (const chart of ['system.cpu.user', 'system.ram.used', 'system.load.load1']) {
      assert.ok(lines.some((l) => new RegExp(`^netdata\\.${host.replace(/\./g, '\\.')}\\.${chart.replace(/\./g, '\\.')} -?\\d+\\.\\d{7} \\d+$`).test(l)), `no ${chart} line in ${lines.slice(0, 5).join('\n')}`);
    }
    r.signal('SIGTERM');
    assert.strictEqual(await r.exited, EXIT.OK);
    const final = r.out.find((l) => l.startsWith('stopped [backend]'));
    assert.match(String(final), /sent (\d+) metrics .*lost 0 \(0 B\); final flush sent \d+, left unsent 0/);
    // Everything the final line counts as sent is in the file.
    const sent = Number(/sent (\d+) metrics/.exec(String(final))![1]);
    assert.strictEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, sent);
  });

  it('--once: one iteration, its counts, exit 0 when everything was sent; exit 1 when the destination is down', async () => {
    const file = path.join(dir, 'once.txt');
    const ok = start(['--once', '--http', 'off', '--file', file]);
    assert.strictEqual(await ok.exited, EXIT.OK, ok.out.join('\n') + ok.err.join('\n'));
    const verdict = ok.out.find((l) => l.startsWith('--once: ok:'));
    const m = /(\d+) of (\d+) buffered metrics sent/.exec(String(verdict));
    assert.ok(m && Number(m[1]) > 0 && m[1] === m[2], String(verdict));
    assert.strictEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, Number(m![1]));

    const port = await closedPort();
    const conf = path.join(dir, 'down.conf');
    fs.writeFileSync(conf, `[backend]\n  enabled = yes\n  type = graphite\n  destination = 127.0.0.1:${port}\n  update every = 1\n  timeout ms = 500\n`);
    const down = start(['--once', '--http', 'off', '--config', conf]);
    assert.strictEqual(await down.exited, EXIT.FAILED);
    assert.ok(down.out.some((l) => /^--once: NOT everything was sent: 0 of [1-9]\d* buffered metrics sent$/.test(l)), down.out.join('\n'));
  });

  it('SIGHUP reloads the configuration without losing buffered data; SIGTERM flushes and prints the final counts', async () => {
    const port = await closedPort();
    const conf = path.join(dir, 'netdata.conf');
    const write = (prefix: string): void => fs.writeFileSync(conf,
      `[backend]\n  enabled = yes\n  type = graphite\n  destination = 127.0.0.1:${port}\n  prefix = ${prefix}\n  update every = 1\n  buffer on failures = 1000\n  timeout ms = 500\n`);
    write('before');
    const r = start(['--config', conf, '--http', 'off']);
    // The destination is down: iterations keep what they formatted.
    await r.line(/^#\d+ \[backend\] -> .* left [1-9]\d*, failing/, 20_000);
    write('after');
    const mark = r.out.length;
    r.signal('SIGHUP');
    await r.line(/^SIGHUP: reloading the configuration$/, 5_000, mark);
    await waitFor(() => r.err.some((l) => /carried over to the reloaded instance/.test(l)), 10_000, `the handover log line\n${r.err.join('\n')}`);
    const carried = Number(/(\d+) unsent metrics/.exec(r.err.find((l) => /carried over/.test(l)) as string)![1]);
    assert.ok(carried > 0);
    // The destination comes back: the reloaded instance sends the carried data, then its own.
    const rx = await LineCollector.start({ port });
    try {
      await waitFor(() => rx.lines.some((l) => l.startsWith('after.')), 15_000, `lines with the new prefix (have ${rx.lines.length})`);
      const before = rx.lines.filter((l) => l.startsWith('before.'));
      assert.ok(before.length >= carried, `${before.length} lines with the old prefix, ${carried} carried over`);
      assert.deepStrictEqual(rx.duplicates(), []);
      r.signal('SIGTERM');
      assert.strictEqual(await r.exited, EXIT.OK);
      const final = r.out.find((l) => l.startsWith('stopped [backend]'));
      assert.match(String(final), /lost 0 \(0 B\); final flush sent \d+, left unsent 0/);
      assert.ok(r.err.every((l) => !/ERROR .*lost/.test(l)), r.err.join('\n'));
    } finally {
      await rx.close();
    }
  });
  it('SIGINT (Ctrl-C) stops cleanly: a last flush, the final counts, exit 0', async () => {
    const file = path.join(dir, 'int.txt');
    const r = start(['--http', 'off', '--file', file]);
    const status = await r.line(/^#\d+ \[backend\] -> file:.*: buffered [1-9]\d* metrics .* sent [1-9]\d* /, 30_000);
    const shownIteration = Number(/^#(\d+)/.exec(status)![1]);
    r.signal('SIGINT');
    assert.strictEqual(await r.exited, EXIT.OK, r.dump());
    assert.ok(r.out.includes('SIGINT: stopping (last flush of what is buffered)'), r.dump());
    const final = r.out.find((l) => l.startsWith('stopped [backend]'));
    const m = /^stopped \[backend\] -> file:.*: (\d+) iterations, sent (\d+) metrics \(.*\), lost 0 \(0 B\); final flush sent \d+, left unsent 0$/.exec(String(final));
    assert.ok(m, r.dump());
    assert.ok(Number(m[1]) >= shownIteration, `${m[1]} iterations in the final line, #${shownIteration} printed before`);
    // The final count is what the file holds, and no ERROR was logged on the way out.
    assert.strictEqual(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length, Number(m[2]));
    assert.ok(!logLevels(r.err).has('ERROR'), r.dump());
  });

  it('a second signal during a slow shutdown exits at once with code 1', async () => {
    // An HTTP destination that takes the requests and never answers: the iteration in flight waits for the
    // response (timeout ms = 60 s), so the clean stop would wait its whole grace period (5 s).
    const requests: http.IncomingMessage[] = [];
    const srv = http.createServer((req) => {
      requests.push(req);
      req.resume();
    });
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    try {
      const port = (srv.address() as net.AddressInfo).port;
      const conf = path.join(dir, 'slow.conf');
      fs.writeFileSync(conf, `[backend]\n  enabled = yes\n  type = opentsdb:http\n  destination = 127.0.0.1:${port}\n  update every = 1\n  timeout ms = 60000\n`);
      const r = start(['--config', conf, '--http', 'off']);
      await waitFor(() => requests.length > 0, 30_000, `a request at the destination\n${r.dump()}`);
      r.signal('SIGINT');
      await r.line(/^SIGINT: stopping/, 10_000);
      r.signal('SIGINT');
      assert.strictEqual(await r.exited, EXIT.FAILED, r.dump());
      assert.ok(r.err.includes('rrd-backends: second SIGINT while stopping: exiting now, unsent data is lost'), r.dump());
      // The clean stop never finished: no final counts.
      assert.ok(!r.out.some((l) => l.startsWith('stopped ')), r.dump());
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((res) => srv.close(() => res()));
    }
  });

  it('--demo-charts 3 --once exports the 3 x 50 demo dimensions', async () => {
    const file = path.join(dir, 'demo.txt');
    const r = start(['--demo-charts', '3', '--once', '--http', 'off', '--file', file]);
    assert.strictEqual(await r.exited, EXIT.OK, r.dump());
    assert.ok(r.out.some((l) => / plus 3 demo charts of 50 dimensions$/.test(l)), r.dump());
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const re = new RegExp(`^netdata\\.${escapeRe(os.hostname())}\\.demo\\.(chart_\\d+)\\.(dim_\\d+) (\\d+\\.\\d{7}) \\d+$`);
    const demo = lines.filter((l) => l.includes('.demo.'));
    const seen = new Set<string>();
    for (const l of demo) {
      const m = re.exec(l);
      assert.ok(m, `not a demo line: ${l}`);
      const v = Number(m[3]);
      assert.ok(v >= 0 && v <= 1000, `demo value out of its walk's range: ${l}`);
      seen.add(`${m[1]}.${m[2]}`);
    }
    const expected = [0, 1, 2].flatMap((c) => Array.from({ length: 50 }, (_, d) => `chart_${c}.dim_${d}`));
    assert.deepStrictEqual([...seen].sort(), expected.sort());
    // The machine's own metrics are still there next to them.
    assert.ok(lines.some((l) => l.includes('.system.cpu.')), lines.slice(0, 5).join('\n'));
  });

  it('--log-level filters the log lines on stderr: warn hides info, debug adds debug lines', async () => {
    // A configuration that warns (a key set twice) and an instance that logs at info when it starts.
    const conf = path.join(dir, 'levels.conf');
    fs.writeFileSync(conf, `[backend]\n  enabled = yes\n  type = graphite\n  destination = file:${path.join(dir, 'levels.txt')}\n  update every = 5\n  update every = 1\n`);
    const runs = {
      debug: start(['--config', conf, '--once', '--http', 'off', '--log-level', 'debug']),
      info: start(['--config', conf, '--once', '--http', 'off']),
      warn: start(['--config', conf, '--once', '--http', 'off', '--log-level', 'warn']),
    };
    for (const r of Object.values(runs)) assert.strictEqual(await r.exited, EXIT.OK, r.dump());
    const levels = Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, [...logLevels(r.err)].sort()]));
    assert.deepStrictEqual(levels, { debug: ['DEBUG', 'INFO', 'WARN'], info: ['INFO', 'WARN'], warn: ['WARN'] }, Object.values(runs).map((r) => r.dump()).join('\n'));
    assert.ok(runs.warn.err.some((l) => / WARN : .*levels\.conf:6: \[backend\] 'update every': is also set on line 5/.test(l)), runs.warn.dump());
    assert.ok(runs.info.err.some((l) => / INFO : BACKEND: configured /.test(l)), runs.info.dump());
    assert.ok(runs.debug.err.some((l) => / DEBUG : collection #\d+ \(proc\) took [\d.]+ ms$/.test(l)), runs.debug.dump());
    // Status lines stay on stdout whatever the level.
    for (const r of Object.values(runs)) assert.ok(r.out.some((l) => l.startsWith('--once: ok:')), r.dump());
  });
});
