// `npm run soak [-- --minutes N] [--charts N] [--dims N] [--update-every S] [--flap S]`
// Soak test (issue 8), not part of the default test run: a BackendInstance on its own heartbeat exports
// graphite to a local receiver that flaps (accepts for `--flap` seconds, then closes every connection and
// refuses for as long, ...), while a collector feeds `charts x dims` dimensions every second. At the end it
// prints the exporter's totals (SPEC §5.15), what the receiver counted, max RSS and the longest event-loop
// block (perf_hooks.monitorEventLoopDelay).
import * as net from 'node:net';
import * as os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BackendInstance } from '../lib/exporter/backend-instance';
import { implementation } from '../lib/kernels';
import { RrdChart, RrdDatabase } from '../lib/rrd';

interface Args { minutes: number; charts: number; dims: number; updateEvery: number; flap: number }

function parseArgs(argv: string[]): Args {
  const a: Args = { minutes: 10, charts: 200, dims: 50, updateEvery: 1, flap: 30 };
  const keys: Record<string, keyof Args> = { '--minutes': 'minutes', '--charts': 'charts', '--dims': 'dims', '--update-every': 'updateEvery', '--flap': 'flap' };
  for (let i = 0; i < argv.length; i += 2) {
    const key = keys[argv[i]!];
    if (key === undefined) throw new Error(`unknown option '${argv[i]}': accepted ${Object.keys(keys).map((k) => `${k} N`).join(', ')}`);
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v <= 0 || (key !== 'minutes' && !Number.isInteger(v))) {
      throw new Error(`${argv[i]} = '${argv[i + 1]}' is not accepted: a positive number${key === 'minutes' ? '' : ' (whole)'}`);
    }
    a[key] = v;
  }
  return a;
}

/** A line receiver that flaps: while up it counts complete lines; going down resets every connection. */
class FlappingReceiver {
  lines = 0;
  bytes = 0;
  /** Unterminated fragments left when a connection ended. */
  halfLines = 0;
  connections = 0;
  flaps = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly port: number, private readonly flapMs: number) {}

  async up(): Promise<void> {
    const server = net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  start(): void {
    const flip = async (): Promise<void> => {
      this.flaps++;
      if (this.server) await this.down();
      else await this.up();
      this.timer = setTimeout(() => void flip(), this.flapMs);
    };
    this.timer = setTimeout(() => void flip(), this.flapMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.down();
  }

  private accept(s: net.Socket): void {
    this.connections++;
    this.sockets.add(s);
    let pending = 0;
    s.on('data', (d: Buffer) => {
      this.bytes += d.length;
      let at = d.indexOf(10);
      let last = -1;
      while (at !== -1) {
        this.lines++;
        last = at;
        at = d.indexOf(10, at + 1);
      }
      pending = last === -1 ? pending + d.length : d.length - last - 1;
    });
    const end = (): void => {
      if (!this.sockets.delete(s)) return;
      if (pending > 0) this.halfLines++;
    };
    s.on('close', end);
    s.on('error', end);
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const cpu = os.cpus();
  console.log(`# rrd-backends soak — ${new Date().toISOString()}`);
  console.log(`# ${cpu[0]?.model ?? 'unknown cpu'} x ${cpu.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, kernel ${implementation}`);
  console.log(`# ${a.minutes} min, ${a.charts} charts x ${a.dims} dims, update every ${a.updateEvery} s, receiver flaps every ${a.flap} s`);

  const port = await freePort();
  const receiver = new FlappingReceiver(port, a.flap * 1000);
  await receiver.up();
  receiver.start();

  const db = new RrdDatabase({ hostname: 'soak', updateEvery: 1, entries: 3600 });
  const charts: RrdChart[] = [];
  for (let i = 0; i < a.charts; i++) {
    const c = db.localhost.createChart({ id: `system.c${i}`, dimensionsHint: a.dims });
    c.addDimensions(Array.from({ length: a.dims }, (_, j) => `d${j}`));
    charts.push(c);
  }
  let tick = 0;
  const collect = (): void => {
    const us = Date.now() * 1000;
    tick++;
    for (let i = 0; i < charts.length; i++) {
      const c = charts[i]!;
      for (let j = 0; j < a.dims; j++) c.set(j, (i * 7 + j * 13 + tick) % 100_000, us);
      c.done(us);
    }
  };
  collect();
  const collector = setInterval(collect, 1000);

  const logs: string[] = [];
  const inst = new BackendInstance(db, {
    type: 'graphite', destination: `127.0.0.1:${port}`, hostname: 'soak', dataSource: 'as collected', updateEvery: a.updateEvery,
  }, { logger: (level, m) => { if (level !== 'debug') logs.push(m); } });
  let iterations = 0;
  let maxIterationSliceMs = 0;
  inst.on('iteration', (c) => {
    iterations++;
    maxIterationSliceMs = Math.max(maxIterationSliceMs, c.longestSliceMs);
    if (c.bufferedMetrics !== c.sentMetrics + c.lostMetrics + c.remainingMetrics) {
      console.log(`! iteration ${c.iteration}: buffered ${c.bufferedMetrics} != sent ${c.sentMetrics} + lost ${c.lostMetrics} + remaining ${c.remainingMetrics}`);
    }
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let maxRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { maxRss = Math.max(maxRss, process.memoryUsage().rss); }, 1000);
  const progress = setInterval(() => {
    const t = inst.totals;
    console.log(`  ${new Date().toISOString().slice(11, 19)} formatted ${t.formattedMetrics} sent ${t.sentMetrics} lost ${t.lostMetrics} buffered ${t.bufferedMetrics} received ${receiver.lines} rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  }, 30_000);

  await inst.start();
  await new Promise((r) => setTimeout(r, a.minutes * 60_000));

  clearInterval(collector);
  clearInterval(progress);
  // The receiver comes up for good so stop() can flush what is still buffered (SPEC §5.5 shutdown).
  await receiver.stop();
  await receiver.up();
  const report = await inst.stop();
  await new Promise((r) => setTimeout(r, 500));
  loop.disable();
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  await receiver.down();

  const t = report.totals;
  const balanced = t.formattedMetrics === t.sentMetrics + t.lostMetrics + t.bufferedMetrics;
  console.log('');
  console.log(`iterations            ${iterations}`);
  console.log(`metrics buffered      ${t.formattedMetrics}  (${t.formattedBytes} bytes)`);
  console.log(`metrics sent          ${t.sentMetrics}  (${t.sentBytes} bytes)`);
  console.log(`metrics lost          ${t.lostMetrics}  (${t.lostBytes} bytes, ${t.dataLostEvents} drops)`);
  console.log(`still buffered        ${t.bufferedMetrics}`);
  console.log(`buffered = sent + lost + still buffered: ${balanced ? 'yes' : 'NO'}`);
  console.log(`received (lines)      ${receiver.lines}  (${receiver.bytes} bytes, ${receiver.halfLines} half lines, ${receiver.connections} connections, ${receiver.flaps} flaps)`);
  console.log(`sent - received       ${t.sentMetrics - receiver.lines} lines (written to a socket the receiver then reset)`);
  console.log(`transmissions         ${t.transmissionSuccesses} ok, ${t.transmissionFailures} failed, ${t.reconnects} reconnects`);
  console.log(`stop()                flushed ${report.flushedMetrics}, lost ${report.lostMetrics}, clean ${report.clean}`);
  console.log(`max RSS               ${(maxRss / 2 ** 20).toFixed(1)} MiB`);
  console.log(`max event-loop block  ${(loop.max / 1e6).toFixed(1)} ms (p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, mean ${(loop.mean / 1e6).toFixed(1)} ms); longest format slice ${maxIterationSliceMs.toFixed(1)} ms`);
  console.log(`log lines             ${logs.length} (last: ${logs[logs.length - 1] ?? '-'})`);
  process.exitCode = balanced ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
