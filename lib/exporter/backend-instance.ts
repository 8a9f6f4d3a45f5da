// One exporter instance: the `[backend]` section or one `[backend:NAME]` section. It has its own type,
// destination, data source, filters, prefix, update every, buffer, counters, heartbeat and monitoring
// charts, and runs the loop of SPEC §5.5 independently of every other instance.
//
// Each iteration (SPEC §5.5, numbered as there):
//  1. heartbeat beat (wall-clock aligned, optional jitter; lib/exporter/heartbeat.ts): before = now;
//  3. format every host/chart that passes the filters for [after, before] into the format buffer, in
//     slices of ~10 ms (format-pass.ts), then queue the output as this iteration's batch;
//  4. buffered = carried over + new; the byte cap drops the oldest iterations if needed (§7 row 12);
//  6. after = before;
//  8-10. the sink reads responses, connects if needed and sends whole units from the queue;
//  11. the failure rule: after more than `buffer on failures` failed iterations the queue is dropped;
//  12. the monitoring charts get this iteration's counters; 'iteration' is emitted.
// Accounting invariant (checked after every iteration): buffered = sent + lost + still buffered, for
// metrics and bytes, per iteration and in total.
//
// Every type runs this same loop with its own Producer and Sink (producer-factory.ts, sink-factory.ts):
// line formats, Prometheus remote write (WriteRequests as records; bytes = compressed bodies, SPEC §5.13)
// and Kinesis (JSON lines cut into records, SPEC §5.14). Unlike the reference, remote write and Kinesis do
// not throw an iteration away when it fails: unsent requests/records stay queued, are retried in order,
// and count against `buffer on failures` and `buffer max bytes` like every other type (the reference
// ignored `buffer on failures` for both, §5.13 step 5, §5.14 step 4).
//
// Naming: log lines start with `BACKEND:` (SPEC §5.17) for `[backend]` and `BACKEND[NAME]:` for
// `[backend:NAME]`; monitoring chart ids are described in monitoring.ts. `[backend] host tags` of an
// instance, when set, are printed for localhost by that instance; otherwise the database's tags of
// localhost are (SPEC §1.1), and children always carry their own.
import { EventEmitter } from 'events';
import { SimplePattern } from '../formats/simple-pattern';
import type { Kernel } from '../kernels/types';
import type { HostLookup } from '../transport/connector';
import { BackendOptions, resolveBackendOptions, ResolvedBackendOptions } from './config-options';
import { emptyCounters, IterationCounters, TotalCounters } from './counters';
import type { ExportChart, ExportDatabase, ExportHost } from './db-view';
import { ExporterError } from './errors';
import { ChartFilter, HostFilter } from './filters';
import { Beat, Clock, Heartbeat, systemClock } from './heartbeat';
import { Logger, safeLogger, stderrLogger } from './logger';
import { ChartHost, CpuSource, MonitoringCharts } from './monitoring';
import { SendQueue } from './send-queue';
import type { Sink } from './sink';
import { createSink } from './sink-factory';
import { DEFAULT_CHUNK_BYTES, Producer } from './producer';
import { createProducer } from './producer-factory';

/** The database an instance exports: hosts to read, and localhost to create its monitoring charts on. */
export interface InstanceDatabase extends ExportDatabase {
  readonly localhost: ExportHost & ChartHost;
}

export type LossReason = 'buffer-on-failures' | 'buffer-max-bytes' | 'refused' | 'shutdown';

export interface SentEvent { iteration: number; metrics: number; bytes: number; destination: string | null }
export interface FailedEvent { iteration: number; error: Error; failures: number }
export interface LostEvent { iteration: number; reason: LossReason; metrics: number; bytes: number }
export interface ReconnectedEvent { destination: string; attempts: number; first: boolean }

export interface StopReport {
  /** Metrics/bytes the final flush delivered. */
  flushedMetrics: number;
  flushedBytes: number;
  /** Metrics/bytes still buffered at shutdown, and therefore lost. */
  lostMetrics: number;
  lostBytes: number;
  /** The shutdown finished within its time budget. */
  clean: boolean;
  totals: TotalCounters;
}

export interface InstanceEvents {
  iteration: [IterationCounters];
  sent: [SentEvent];
  failed: [FailedEvent];
  lost: [LostEvent];
  reconnected: [ReconnectedEvent];
  stopped: [StopReport];
}

export interface InstanceDependencies {
  /** Log callback with levels (default: stderr from 'info' up). */
  logger?: Logger;
  /** Clock of the heartbeat and of the monitoring charts' timestamps (tests). */
  clock?: Clock;
  /** Kernel used to format (default: the active one). */
  kernel?: Kernel;
  /** A ready sink instead of the one built from the options (tests, custom transports). */
  sink?: Sink;
  /** Create and update the monitoring charts (default true). */
  monitoring?: boolean;
  /** Formatting yields to the event loop after this many ms (default 10). */
  sliceMs?: number;
  /** Formatted output is queued in chunks of about this many bytes (default 4 MiB). */
  chunkBytes?: number;
  /** What fills the queue (default: a LineProducer for the instance's line format). */
  producer?: Producer;
  /** CPU time source of the `backend_thread_cpu` chart (default process.cpuUsage). */
  cpu?: CpuSource;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /** Do not arm the heartbeat: iterations run only through runOnce() (tests, embedders with their own timer). */
  manual?: boolean;
  /** Name resolution of the transport (tests). */
  lookup?: HostLookup;
  /** Extra CA certificates (PEM) trusted for TLS in addition to / instead of `tls ca file`. */
  tlsCa?: string | Buffer;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'disabled';

/** A wall-clock step this large between two beats is logged (smaller ones are drift and timer skew). */
const STEP_LOG_MS = 1000;

const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

export class BackendInstance extends EventEmitter<InstanceEvents> {
  readonly options: ResolvedBackendOptions;
  private readonly log: Logger;
  private readonly logPrefix: string;
  private readonly clock: Clock;
  private readonly producer: Producer;
  private readonly hostFilter: HostFilter;
  private readonly chartFilter: ChartFilter;
  private readonly queue = new SendQueue();
  private readonly deps: InstanceDependencies;
  private readonly jitterMs: number;
  private sink: Sink | null;
  private heartbeat: Heartbeat | null = null;
  private monitoring: MonitoringCharts | null = null;
  private state: State = 'new';
  private after = 0;
  private failures = 0;
  private iterations = 0;
  /** The iteration in progress (iterations never overlap). */
  private current: Promise<unknown> = Promise.resolve();
  private busy = false;
  private readonly chartErrors = new WeakMap<ExportChart, number>();
  private readonly t: TotalCounters = {
    iterations: 0, formattedMetrics: 0, formattedBytes: 0, sentMetrics: 0, sentBytes: 0, lostMetrics: 0, lostBytes: 0,
    bufferedMetrics: 0, bufferedBytes: 0, receivedBytes: 0, receptions: 0, transmissionSuccesses: 0,
    transmissionFailures: 0, dataLostEvents: 0, reconnects: 0, longestSliceMs: 0,
  };
  private last: IterationCounters | null = null;

  /**
   * @param db the database to export
   * @param options the instance's options (BackendOptions, validated here; `enabled` defaults to true for
   *   an instance created directly) or already resolved options (e.g. from loadBackendConfig())
   */
  constructor(readonly db: InstanceDatabase, options: BackendOptions | ResolvedBackendOptions, deps: InstanceDependencies = {}) {
    super();
    this.options = isResolved(options) ? options : resolveBackendOptions({ enabled: true, ...options });
    const o = this.options;
    this.deps = deps;
    this.log = safeLogger(deps.logger ?? stderrLogger());
    this.logPrefix = o.name === null ? 'BACKEND:' : `BACKEND[${o.name}]:`;
    this.clock = deps.clock ?? systemClock;
    const sliceMs = deps.sliceMs ?? 10;
    if (!(typeof sliceMs === 'number' && sliceMs > 0 && sliceMs <= 1000)) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `sliceMs = ${String(sliceMs)} is not accepted; accepted: milliseconds in (0, 1000]`);
    }
    const chunk = deps.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(Number.isInteger(chunk) && chunk >= 1 && chunk <= 1024 * 1024 * 1024)) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `chunkBytes = ${String(chunk)} is not accepted; accepted: a whole number of bytes from 1 to 1 GiB`);
    }
    this.producer = deps.producer ?? createProducer(o, chunk, deps.kernel);
    this.hostFilter = new HostFilter(SimplePattern.parse(o.sendHostsMatching), this.log);
    this.chartFilter = new ChartFilter(SimplePattern.parse(o.sendChartsMatching), o.dataSource === 'as-collected');
    this.sink = deps.sink ?? null;
    // SPEC §7 row 21: one random offset per instance in [0, jitter ms), so windows stay exactly UE apart.
    this.jitterMs = o.jitterMs > 0 ? Math.floor((deps.random ?? Math.random)() * o.jitterMs) : 0;
  }

  /** `null` for `[backend]`, NAME for `[backend:NAME]`. */
  get name(): string | null {
    return this.options.name;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** The counters of the last iteration (null before the first). */
  get lastIteration(): IterationCounters | null {
    return this.last;
  }

  /** Lifetime totals (a copy). formattedMetrics = sentMetrics + lostMetrics + bufferedMetrics. */
  get totals(): TotalCounters {
    return { ...this.t, bufferedMetrics: this.queue.metrics, bufferedBytes: this.queue.bytes };
  }

  /** Metrics and bytes waiting to be sent, and how many iterations they come from. */
  get buffered(): { metrics: number; bytes: number; iterations: number } {
    return { metrics: this.queue.metrics, bytes: this.queue.bytes, iterations: this.queue.iterations };
  }

  /** The monitoring charts' ids (empty when monitoring is off or before start()). */
  get monitoringChartIds(): string[] {
    return this.monitoring?.ids ?? [];
  }

  /** Offset of this instance's wake-ups after each multiple of UE, in ms. */
  get jitter(): number {
    return this.jitterMs;
  }

  /**
   * Validates the transport options (destinations, TLS files), creates the monitoring charts, logs the
   * reference's `BACKEND: configured (...)` line and arms the heartbeat. An instance whose options say
   * `enabled = no` (or `update every` < 1) logs why and does nothing, as the reference's thread exits.
   */
  async start(): Promise<void> {
    if (this.state !== 'new' && this.state !== 'stopped') {
      throw new ExporterError('ERR_EXPORTER_STATE', `${describeInstance(this.options)} cannot start: it is ${this.state}`);
    }
    const o = this.options;
    if (!o.enabled) {
      this.state = 'disabled';
      this.log('info', `${this.logPrefix} ${describeInstance(o)} is disabled${o.disabledReason ? ` (${o.disabledReason})` : ''}; not starting it`);
      return;
    }
    this.state = 'starting';
    try {
      if (this.sink === null) {
        this.sink = await createSink(o, { log: this.log, logPrefix: this.logPrefix, events: { onConnected: (e) => this.emit('reconnected', e) }, lookup: this.deps.lookup, tlsCa: this.deps.tlsCa });
      }
      if (this.deps.monitoring !== false && this.monitoring === null) {
        this.monitoring = new MonitoringCharts(this.db.localhost, o.name, o.updateEvery, this.deps.cpu);
      }
    } catch (err) {
      this.state = 'new';
      throw err;
    }
    // SPEC §5.5 start, §5.17.
    this.log('info', `${this.logPrefix} configured ('${o.type}' on '${o.destination}' sending '${o.dataSource}' data, every ${o.updateEvery} seconds, as host '${o.hostname}', with prefix '${o.prefix}')`);
    this.after = Math.floor(this.clock.nowMs() / 1000);
    this.failures = 0;
    this.state = 'running';
    if (!this.deps.manual) {
      this.heartbeat = new Heartbeat(o.updateEvery, this.jitterMs, this.clock);
      this.heartbeat.start((beat) => this.serialised(() => this.iterate(beat)).then(() => undefined, (err) => this.iterationCrashed(err)));
    }
  }

  /**
   * Runs one iteration now (after the one in progress, if any), with `before` = `nowSec` (default: the
   * clock's current second). For tests and for embedders that drive the exporter themselves.
   */
  async runOnce(nowSec?: number): Promise<IterationCounters> {
    if (this.state !== 'running') {
      throw new ExporterError('ERR_EXPORTER_STATE', `${describeInstance(this.options)} cannot run an iteration: it is ${this.state} (call start() first)`);
    }
    const before = nowSec ?? Math.floor(this.clock.nowMs() / 1000);
    if (!Number.isInteger(before) || before < 0) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `runOnce(nowSec): ${String(nowSec)} is not accepted; accepted: whole seconds since the epoch`);
    }
    const c = await this.serialised(() => this.iterate({ nowSec: before, lateMs: 0, missed: 0 }));
    if (c === null) throw new ExporterError('ERR_EXPORTER_STATE', `${describeInstance(this.options)} stopped during the iteration`);
    return c;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.current.then(fn, fn);
    this.current = next.catch(() => undefined);
    return next;
  }

  private iterationCrashed(err: unknown): void {
    // A bug, not a network failure (those are results): log it; the heartbeat keeps going.
    this.log('error', `${this.logPrefix} iteration failed unexpectedly: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }

  /** One pass of SPEC §5.5. Returns null when the instance stopped in the middle. */
  private async iterate(beat: Beat): Promise<IterationCounters | null> {
    if (this.state !== 'running' || this.sink === null) return null;
    this.busy = true;
    try {
      return await this.iterateRunning(beat, this.sink);
    } finally {
      this.busy = false;
    }
  }

  private async iterateRunning(beat: Beat, sink: Sink): Promise<IterationCounters | null> {
    const o = this.options;
    this.reportBeat(beat);
    const before = beat.nowSec;
    const c = emptyCounters(this.iterations + 1, this.after, before);
    c.lateMs = beat.lateMs;
    c.missedBeats = beat.missed;
    const carriedMetrics = this.queue.metrics;
    const carriedBytes = this.queue.bytes;

    // Step 3: format; each chunk is queued at once. As the chunks arrive, older iterations are pushed out
    // when the queue passes `buffer max bytes`; this iteration itself is cut only after the send attempt
    // (below), so a healthy destination receives all of it even when one iteration is larger than the cap.
    // Memory: at most max(cap, one iteration) plus one chunk; between iterations, at most the cap.
    const capped = { metrics: 0, bytes: 0 };
    const pass = await this.producer.produce({
      db: this.db,
      hostFilter: this.hostFilter,
      chartFilter: this.chartFilter,
      localHostname: o.hostname,
      // `[backend] host tags` of this instance, else what the database holds for localhost.
      localTags: o.hostTags,
      after: this.after,
      before,
      iteration: c.iteration,
      nowMs: this.clock.nowMs(),
      queue: this.queue,
      queued: () => {
        const r = this.queue.enforceCap(o.bufferMaxBytes, false);
        capped.metrics += r.metrics;
        capped.bytes += r.bytes;
      },
      sliceMs: this.deps.sliceMs ?? 10,
      onChartError: (h, ch, err) => this.chartError(h, ch, err),
      onDroppedTags: (h, tags) => this.droppedTags(h, tags),
      aborted: () => this.state !== 'running',
    });
    // What entered the queue (for HTTP: the points of the closed requests) is what the ledger accounts for.
    const newMetrics = this.queue.metrics - carriedMetrics + capped.metrics;
    const newBytes = this.queue.bytes - carriedBytes + capped.bytes;
    this.t.formattedMetrics += newMetrics;
    this.t.formattedBytes += newBytes;
    if (pass.aborted) {
      // Stopping: the chunks already queued are flushed or counted lost by stop().
      this.t.lostMetrics += capped.metrics;
      this.t.lostBytes += capped.bytes;
      return null;
    }
    this.iterations++;
    c.hosts = pass.hosts;
    c.charts = pass.charts;
    c.formatMs = pass.totalMs;
    c.longestSliceMs = pass.longestSliceMs;
    c.slices = pass.slices;
    c.newMetrics = newMetrics;
    c.newBytes = newBytes;
    // Step 4.
    c.bufferedMetrics = carriedMetrics + newMetrics;
    c.bufferedBytes = carriedBytes + newBytes;
    // Step 6.
    this.after = before;

    // Steps 8-10.
    const t0 = performance.now();
    const r = await sink.flush(this.queue, t0 + o.timeoutMs);
    c.sendMs = performance.now() - t0;
    const io = sink.takeIoCounters();
    c.reconnects = io.reconnects;
    c.receivedBytes = io.receivedBytes;
    c.receptions = io.receptions;
    c.sentMetrics = r.sentMetrics;
    c.sentBytes = r.sentBytes;
    c.transmissionSuccesses = r.successes;
    c.transmissionFailures = r.failures;
    if (r.lostMetrics > 0 || r.lostBytes > 0) this.loss(c, 'refused', r.lostMetrics, r.lostBytes);
    if (r.sentMetrics > 0 || r.sentBytes > 0) {
      this.emit('sent', { iteration: c.iteration, metrics: r.sentMetrics, bytes: r.sentBytes, destination: sink.connectedTo });
    }
    if (r.complete && r.failures === 0) {
      this.failures = 0;
    } else if (!r.complete) {
      this.failures++;
      this.emit('failed', { iteration: c.iteration, error: r.error ?? new ExporterError('ERR_EXPORTER_SEND', 'send incomplete'), failures: this.failures });
    } else if (r.error !== null) {
      // Everything left the queue but some requests were refused: not a failed iteration (nothing to retry).
      this.failures = 0;
      this.emit('failed', { iteration: c.iteration, error: r.error, failures: 0 });
    }

    // What stays buffered for the next iteration fits the cap (SPEC §7 row 12).
    const late = this.queue.enforceCap(o.bufferMaxBytes);
    capped.metrics += late.metrics;
    capped.bytes += late.bytes;
    if (capped.metrics > 0 || capped.bytes > 0) {
      this.loss(c, 'buffer-max-bytes', capped.metrics, capped.bytes);
      this.log('error', `${this.logPrefix} buffer max bytes (${o.bufferMaxBytes}) exceeded: dropped ${capped.metrics} metrics (${capped.bytes} bytes) of the oldest unsent data for '${o.destination}' - this results in data loss on the back-end server`);
    }

    // Step 11 (SPEC §5.5): the failure rule.
    if (this.failures > o.bufferOnFailures) {
      const dropped = this.queue.dropAll();
      this.log('error', `${this.logPrefix} reached ${this.failures} backend failures. Flushing buffers to protect this host - this results in data loss on back-end server '${o.destination}'`);
      this.failures = 0;
      this.loss(c, 'buffer-on-failures', dropped.metrics, dropped.bytes);
    }
    c.failures = this.failures;
    c.remainingMetrics = this.queue.metrics;
    c.remainingBytes = this.queue.bytes;
    this.queue.check();

    // Step 12.
    this.monitoring?.update(c, this.clock.nowMs() * 1000);
    this.addTotals(c);
    this.last = c;
    this.emit('iteration', c);
    return c;
  }

  /**
   * Logs a wall-clock step and a late or missed beat. Like the reference (SPEC §5.16: logged when the
   * time since the previous wake-up is >= 1.5 ticks), a beat at least half a tick late is worth a warning
   * even when no tick was skipped; the window covers the gap either way (`after` carries over).
   */
  private reportBeat(beat: Beat): void {
    const step = beat.stepMs ?? 0;
    if (Math.abs(step) >= STEP_LOG_MS) {
      const how = step > 0 ? 'forward (a clock step, or the system was suspended)' : 'back';
      this.log('warn', `${this.logPrefix} the wall clock jumped ${how} by ${Math.abs(Math.round(step))} ms since the previous beat; beats stay aligned to the new wall clock`);
    }
    if (beat.missed > 0) {
      this.log('warn', `${this.logPrefix} heartbeat missed ${beat.missed} beat(s): woke up ${beat.lateMs} ms late; the window covers the gap`);
    } else if (beat.lateMs * 2 >= this.options.updateEvery * 1000) {
      this.log('warn', `${this.logPrefix} heartbeat woke up ${beat.lateMs} ms late (update every is ${this.options.updateEvery} s); the window covers the gap`);
    }
  }

  private loss(c: IterationCounters, reason: LossReason, metrics: number, bytes: number): void {
    c.lostMetrics += metrics;
    c.lostBytes += bytes;
    c.dataLostEvents++;
    this.emit('lost', { iteration: c.iteration, reason, metrics, bytes });
  }

  private addTotals(c: IterationCounters): void {
    const t = this.t;
    t.iterations++;
    t.sentMetrics += c.sentMetrics;
    t.sentBytes += c.sentBytes;
    t.lostMetrics += c.lostMetrics;
    t.lostBytes += c.lostBytes;
    t.receivedBytes += c.receivedBytes;
    t.receptions += c.receptions;
    t.transmissionSuccesses += c.transmissionSuccesses;
    t.transmissionFailures += c.transmissionFailures;
    t.dataLostEvents += c.dataLostEvents;
    t.reconnects += c.reconnects;
    t.longestSliceMs = Math.max(t.longestSliceMs, c.longestSliceMs);
  }

  private readonly droppedTagsLogged = new Set<string>();

  /** Host tags the format cannot carry: logged once per host and tags, so nothing is left out silently. */
  private droppedTags(hostname: string, tags: readonly string[]): void {
    const key = `${hostname}\u0000${tags.join('\u0000')}`;
    if (this.droppedTagsLogged.has(key)) return;
    if (this.droppedTagsLogged.size >= 1024) this.droppedTagsLogged.clear();
    this.droppedTagsLogged.add(key);
    this.log('warn', `${this.logPrefix} host '${hostname}': host tags ${tags.map((t) => `'${t}'`).join(', ')} are left out of every point: ${this.options.type} takes only key=value tags (and 'host' is the host itself)`);
  }

  private chartError(host: ExportHost, chart: ExportChart, err: unknown): void {
    // Logged once per chart and names version: a broken chart must not flood the log every iteration.
    if (this.chartErrors.get(chart) === chart.namesVersion) return;
    this.chartErrors.set(chart, chart.namesVersion);
    this.log('error', `${this.logPrefix} chart '${chart.id}' of host '${host.hostname}' cannot be formatted and is skipped: ${err instanceof Error ? err.message : String(err)}`);
  }

  /**
   * Stops the heartbeat, waits for the iteration in progress, makes a last attempt to send what is
   * buffered, and counts what is left as lost (one 'lost' event with reason 'shutdown'). Everything
   * happens within `graceMs` (default: `timeout ms`, at most 5000): after that the connection is closed,
   * which ends any send in flight at once.
   */
  async stop(graceMs?: number): Promise<StopReport> {
    const grace = graceMs ?? Math.min(this.options.timeoutMs, 5000);
    if (!(typeof grace === 'number' && grace >= 0 && Number.isFinite(grace))) {
      throw new ExporterError('ERR_EXPORTER_OPTION', `stop(graceMs): ${String(graceMs)} is not accepted; accepted: milliseconds >= 0`);
    }
    const report: StopReport = { flushedMetrics: 0, flushedBytes: 0, lostMetrics: 0, lostBytes: 0, clean: true, totals: this.totals };
    if (this.state !== 'running') {
      if (this.state === 'disabled') this.state = 'stopped';
      return report;
    }
    this.state = 'stopping';
    this.heartbeat?.stop();
    this.heartbeat = null;
    const sink = this.sink as Sink;
    const deadline = performance.now() + grace;
    // The iteration in progress finishes (formatting aborts at its next slice; a send is bounded).
    if (this.busy && !(await settlesBefore(this.current, deadline))) {
      report.clean = false;
      await sink.close(0);
      await this.current;
    }
    // Last flush attempt.
    if (this.queue.length > 0 && performance.now() < deadline) {
      const flushing = sink.flush(this.queue, deadline);
      if (!(await settlesBefore(flushing, deadline))) {
        report.clean = false;
        await sink.close(0);
      }
      const r = await flushing;
      report.flushedMetrics = r.sentMetrics;
      report.flushedBytes = r.sentBytes;
      this.t.sentMetrics += r.sentMetrics;
      this.t.sentBytes += r.sentBytes;
      this.t.lostMetrics += r.lostMetrics;
      this.t.lostBytes += r.lostBytes;
      if (r.lostMetrics > 0 || r.lostBytes > 0) {
        this.t.dataLostEvents++;
        this.emit('lost', { iteration: this.iterations, reason: 'refused', metrics: r.lostMetrics, bytes: r.lostBytes });
      }
      if (r.sentMetrics > 0) this.emit('sent', { iteration: this.iterations, metrics: r.sentMetrics, bytes: r.sentBytes, destination: sink.connectedTo });
    }
    const left = this.queue.dropAll();
    if (left.metrics > 0 || left.bytes > 0) {
      report.lostMetrics = left.metrics;
      report.lostBytes = left.bytes;
      this.t.lostMetrics += left.metrics;
      this.t.lostBytes += left.bytes;
      this.t.dataLostEvents++;
      this.log('error', `${this.logPrefix} shutting down with ${left.metrics} metrics (${left.bytes} bytes) not sent to '${this.options.destination}' - they are lost`);
      this.emit('lost', { iteration: this.iterations, reason: 'shutdown', metrics: left.metrics, bytes: left.bytes });
    }
    this.queue.check();
    await sink.close(Math.max(0, deadline - performance.now()));
    if (this.deps.sink === undefined) this.sink = null;
    this.state = 'stopped';
    report.totals = this.totals;
    this.log('info', `${this.logPrefix} stopped: ${report.totals.sentMetrics} metrics sent, ${report.totals.lostMetrics} lost in ${report.totals.iterations} iterations`);
    this.emit('stopped', report);
    await yieldNow();
    return report;
  }
}

function isResolved(o: BackendOptions | ResolvedBackendOptions): o is ResolvedBackendOptions {
  return o !== null && typeof o === 'object' && 'protocol' in o && 'optionsBitmap' in o && Object.isFrozen(o);
}

function describeInstance(o: ResolvedBackendOptions): string {
  return o.name === null ? 'backend' : `backend '${o.name}'`;
}

/** Resolves true if `p` settles before `deadline` (performance.now() ms), false otherwise. */
async function settlesBefore(p: Promise<unknown>, deadline: number): Promise<boolean> {
  const ms = Math.max(0, deadline - performance.now());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = p.then(() => true, () => true);
  const v = await Promise.race([done, timeout]);
  clearTimeout(timer);
  return v;
}
