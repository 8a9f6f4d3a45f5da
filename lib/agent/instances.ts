// The agent's backend instances: built from resolved options (a netdata.conf or the embedded default),
// started, reported on, reloaded and stopped. `file:` destinations get a FileSink; every other destination
// gets the sink the exporter builds itself. On reload an instance whose options did not change keeps
// running untouched; a changed one is replaced at its next iteration boundary and hands its unsent data to
// its replacement (handover.ts); a removed one is stopped with a last flush.
import { EventEmitter } from 'events';
import { BackendInstance, StopReport } from '../exporter/backend-instance';
import type { ResolvedBackendOptions } from '../exporter/config-options';
import { Secret } from '../exporter/config-secret';
import type { IterationCounters } from '../exporter/counters';
import type { Logger } from '../exporter/logger';
import { DEFAULT_CHUNK_BYTES } from '../exporter/producer';
import { createProducer } from '../exporter/producer-factory';
import { FileSink } from '../exporter/sinks/file';
import type { Kernel } from '../kernels/types';
import type { RrdDatabase } from '../rrd/database';
import { isFileDestination } from '../transport/file-destination';
import { handedTotals, HandoverProducer } from './handover';
import { sectionLabel } from './status-line';
import { createHash, randomBytes } from 'node:crypto';

/** What the dashboard and the status lines show of one instance. */
export interface InstanceStatus {
  name: string | null;
  label: string;
  type: string;
  destination: string;
  dataSource: string;
  updateEvery: number;
  state: 'running' | 'disabled' | 'stopped';
  /** Consecutive failed iterations, and the last error while failing. */
  failures: number;
  lastError: string | null;
  last: IterationCounters | null;
  totals: BackendInstance['totals'];
  buffered: BackendInstance['buffered'];
}

export interface InstanceSetEvents {
  iteration: [ManagedInstance, IterationCounters];
  stopped: [ManagedInstance, StopReport];
}

export interface InstanceSetOptions {
  log: Logger;
  kernel?: Kernel;
  /** Directory relative `file:` paths are resolved against (default: the current directory). */
  cwd?: string;
  /** Run iterations only through runOnce() (the command's --once). */
  manual?: boolean;
}

export class ManagedInstance {
  failures = 0;
  lastError: string | null = null;
  retired = false;

  /**
   * @param fileSink the sink this set created for a `file:` destination (closed here if the instance never
   *   starts; once started, the instance closes it)
   */
  constructor(readonly options: ResolvedBackendOptions, readonly instance: BackendInstance, readonly producer: HandoverProducer | null,
    readonly fingerprint: string, readonly fileSink: FileSink | null = null) {}

  /** Releases what a built but never started instance holds. */
  async discard(): Promise<void> {
    await this.instance.stop(0);
    await this.fileSink?.close();
  }

  get label(): string {
    return sectionLabel(this.options.name);
  }

  status(): InstanceStatus {
    const o = this.options;
    const i = this.instance;
    return {
      name: o.name, label: this.label, type: o.type, destination: o.destination, dataSource: o.dataSource, updateEvery: o.updateEvery,
      state: i.running ? 'running' : o.enabled ? 'stopped' : 'disabled',
      failures: this.failures, lastError: this.lastError, last: i.lastIteration, totals: i.totals, buffered: i.buffered,
    };
  }
}

/**
 * A comparable digest of the options, so a changed password counts as a change. Secrets enter only as a
 * salted SHA-256 of their value (the salt is random per process): the fingerprint kept on every instance
 * never holds a secret in clear text, even if the object is inspected or dumped.
 */
export function optionsFingerprint(o: ResolvedBackendOptions): string {
  const text = JSON.stringify({ ...o }, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = key === '' ? value : this[key];
    return raw instanceof Secret ? { secret: createHash('sha256').update(FINGERPRINT_SALT).update(raw.reveal()).digest('hex') } : value;
  });
  return createHash('sha256').update(text).digest('hex');
}
const FINGERPRINT_SALT = randomBytes(16);

export class InstanceSet extends EventEmitter<InstanceSetEvents> {
  private list: ManagedInstance[] = [];

  constructor(private readonly db: RrdDatabase, private readonly opts: InstanceSetOptions) {
    super();
  }

  get instances(): readonly ManagedInstance[] {
    return this.list;
  }

  /** Builds (without starting) the instance of `o`. Throws on options the exporter refuses. */
  async build(o: ResolvedBackendOptions): Promise<ManagedInstance> {
    const log = this.opts.log;
    const prefix = o.name === null ? 'BACKEND:' : `BACKEND[${o.name}]:`;
    const sink = o.enabled && isFileDestination(o.destination) ? await FileSink.create(o, log, prefix, {}, this.opts.cwd) : undefined;
    // Every type's producer (lines, remote-write requests, kinesis records) is wrapped for the reload handover.
    const producer = o.enabled ? new HandoverProducer(createProducer(o, DEFAULT_CHUNK_BYTES, this.opts.kernel)) : null;
    try {
      const instance = new BackendInstance(this.db, o, {
        logger: log, kernel: this.opts.kernel, manual: this.opts.manual,
        ...(sink !== undefined ? { sink } : {}), ...(producer !== null ? { producer } : {}),
      });
      const m = new ManagedInstance(o, instance, producer, optionsFingerprint(o), sink ?? null);
      instance.on('iteration', (c) => {
        m.failures = c.failures;
        if (c.failures === 0 && c.transmissionFailures === 0) m.lastError = null;
        this.emit('iteration', m, c);
      });
      instance.on('failed', (e) => {
        m.lastError = e.error.message;
      });
      instance.on('stopped', (r) => this.emit('stopped', m, r));
      return m;
    } catch (err) {
      await sink?.close();
      throw err;
    }
  }

  /** Builds and starts every instance; on any failure, stops those already started and throws. */
  async start(options: readonly ResolvedBackendOptions[]): Promise<void> {
    const built: ManagedInstance[] = [];
    try {
      for (const o of options) built.push(await this.build(o));
      for (const m of built) await m.instance.start();
    } catch (err) {
      await Promise.all(built.map((m) => m.discard()));
      throw err;
    }
    this.list = built;
  }

  /** One iteration of every running instance now (--once). */
  async runOnce(): Promise<Array<{ m: ManagedInstance; counters: IterationCounters }>> {
    const out: Array<{ m: ManagedInstance; counters: IterationCounters }> = [];
    for (const m of this.list) {
      if (m.instance.running) out.push({ m, counters: await m.instance.runOnce() });
    }
    return out;
  }

  /**
   * Applies a new configuration. Returns what changed. New instances are built before anything is
   * stopped, so a configuration the exporter refuses leaves the running set untouched (and throws).
   */
  async reload(options: readonly ResolvedBackendOptions[]): Promise<{ kept: number; replaced: number; added: number; removed: number }> {
    const byName = new Map(this.list.map((m) => [m.options.name, m]));
    const next: ManagedInstance[] = [];
    const fresh: Array<{ m: ManagedInstance; old: ManagedInstance | undefined }> = [];
    try {
      for (const o of options) {
        const old = byName.get(o.name);
        if (old !== undefined && old.fingerprint === optionsFingerprint(o)) {
          next.push(old);
          continue;
        }
        const m = await this.build(o);
        fresh.push({ m, old });
        next.push(m);
      }
    } catch (err) {
      await Promise.all(fresh.map(({ m }) => m.discard()));
      throw err;
    }
    const keptSet = new Set(next);
    const removed = this.list.filter((m) => !keptSet.has(m) && !options.some((o) => o.name === m.options.name));
    this.list = next;
    const work: Promise<void>[] = [];
    for (const { m, old } of fresh) {
      if (old === undefined) {
        work.push(m.instance.start());
        continue;
      }
      work.push(this.replace(old, m));
    }
    for (const m of removed) {
      m.retired = true;
      work.push(m.instance.stop().then(() => undefined));
    }
    await Promise.all(work);
    return { kept: next.length - fresh.length, replaced: fresh.filter((f) => f.old !== undefined).length, added: fresh.filter((f) => f.old === undefined).length, removed: removed.length };
  }

  /** Retires `old` at its next iteration boundary, handing its unsent data to `m`, and starts `m`. */
  private replace(old: ManagedInstance, m: ManagedInstance): Promise<void> {
    old.retired = true;
    const inst = old.instance;
    const handOver = (): void => {
      // Only bytes of the same wire format can go to the replacement; after a change of type the old
      // instance's stop() makes a last attempt to its own destination instead.
      if (old.producer !== null && m.producer !== null && old.options.protocol === m.options.protocol) {
        const batches = old.producer.takeQueued();
        const t = handedTotals(batches);
        if (t.metrics > 0 || t.bytes > 0) {
          m.producer.give(batches);
          this.opts.log('info', `${old.label}: configuration changed; ${t.metrics} unsent metrics (${t.bytes} bytes) carried over to the reloaded instance`);
        }
      }
    };
    if (!inst.running) return m.instance.start();
    return new Promise<void>((resolve, reject) => {
      // The instance's idle moment: right after an iteration, before the next beat.
      const budget = (2 * old.options.updateEvery + 5) * 1000;
      let timer: NodeJS.Timeout | undefined;
      const go = (): void => {
        clearTimeout(timer);
        inst.off('iteration', go);
        handOver();
        inst.stop().then(() => m.instance.start()).then(resolve, reject);
      };
      inst.on('iteration', go);
      // An instance that does not iterate in time (stuck sends are bounded by timeout ms) is stopped anyway.
      timer = setTimeout(() => {
        inst.off('iteration', go);
        this.opts.log('warn', `${old.label}: no iteration boundary within ${budget} ms; stopping it with a last flush`);
        inst.stop().then(() => m.instance.start()).then(resolve, reject);
      }, budget);
    });
  }

  /** Stops every instance (each with a last flush attempt), in parallel. */
  async stop(graceMs?: number): Promise<Array<{ m: ManagedInstance; report: StopReport }>> {
    const reports = await Promise.all(this.list.map(async (m) => {
      const waiting = m.producer?.waiting;
      const report = await m.instance.stop(graceMs);
      if (waiting !== undefined && waiting.metrics > 0) {
        // Handed over by a reload but the replacement never ran an iteration.
        report.lostMetrics += waiting.metrics;
        report.lostBytes += waiting.bytes;
        this.opts.log('error', `${m.label}: ${waiting.metrics} metrics carried over by a reload were never sent - they are lost`);
      }
      return { m, report };
    }));
    return reports;
  }
}
