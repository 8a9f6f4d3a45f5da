// Several backend instances over one database (`[backend]` plus any number of `[backend:NAME]`). Each
// instance has its own heartbeat, buffer, sink and monitoring charts, and awaits only its own I/O, so a
// slow or dead destination never delays another instance: they share nothing but the database and the
// event loop (and formatting yields the loop every ~10 ms, format-pass.ts).
import { EventEmitter } from 'events';
import type { BackendConfig } from './config';
import type { BackendOptions, ResolvedBackendOptions } from './config-options';
import type { IterationCounters } from './counters';
import { ExporterError } from './errors';
import {
  BackendInstance, FailedEvent, InstanceDatabase, InstanceDependencies, LostEvent, ReconnectedEvent, SentEvent, StopReport,
} from './backend-instance';

/** Every instance event, with the instance's name (null for `[backend]`) as the first argument. */
export interface ExporterEvents {
  iteration: [string | null, IterationCounters];
  sent: [string | null, SentEvent];
  failed: [string | null, FailedEvent];
  lost: [string | null, LostEvent];
  reconnected: [string | null, ReconnectedEvent];
  stopped: [string | null, StopReport];
}

export class Exporter extends EventEmitter<ExporterEvents> {
  /** Every configured instance, enabled or not, in configuration order. */
  readonly instances: readonly BackendInstance[];

  /**
   * @param db the database to export
   * @param instances options of each instance (names must be unique; null = `[backend]`), or a
   *   BackendConfig from loadBackendConfig()/parseBackendConfig()
   * @param deps shared by every instance (logger, clock, ...); `sink` is not accepted here
   */
  constructor(readonly db: InstanceDatabase, instances: ReadonlyArray<BackendOptions | ResolvedBackendOptions> | BackendConfig, deps: InstanceDependencies = {}) {
    super();
    if (deps.sink !== undefined) {
      throw new ExporterError('ERR_EXPORTER_OPTION', 'deps.sink is not accepted by an Exporter (each instance builds its own); create BackendInstance objects to inject sinks');
    }
    const list = Array.isArray(instances) ? instances : (instances as BackendConfig).instances;
    if (!Array.isArray(list)) {
      throw new ExporterError('ERR_EXPORTER_OPTION', 'instances: not accepted; accepted: an array of backend options or a BackendConfig');
    }
    const seen = new Set<string | null>();
    this.instances = list.map((o: BackendOptions | ResolvedBackendOptions) => {
      const inst = new BackendInstance(db, o, deps);
      if (seen.has(inst.name)) {
        throw new ExporterError('ERR_EXPORTER_DUPLICATE', `two instances are named ${inst.name === null ? 'null ([backend])' : `'${inst.name}'`}; accepted: unique names`);
      }
      seen.add(inst.name);
      this.forward(inst);
      return inst;
    });
  }

  private forward(inst: BackendInstance): void {
    const n = inst.name;
    inst.on('iteration', (c) => this.emit('iteration', n, c));
    inst.on('sent', (e) => this.emit('sent', n, e));
    inst.on('failed', (e) => this.emit('failed', n, e));
    inst.on('lost', (e) => this.emit('lost', n, e));
    inst.on('reconnected', (e) => this.emit('reconnected', n, e));
    inst.on('stopped', (e) => this.emit('stopped', n, e));
  }

  /** The instance with this name (null = `[backend]`). */
  instance(name: string | null): BackendInstance | undefined {
    return this.instances.find((i) => i.name === name);
  }

  /** Instances that are running. */
  get running(): BackendInstance[] {
    return this.instances.filter((i) => i.running);
  }

  /**
   * Starts every enabled instance (disabled ones log why and stay idle). If one fails to start (bad TLS
   * file, bad destination), the others that started are stopped again and the error is thrown.
   */
  async start(): Promise<void> {
    const results = await Promise.allSettled(this.instances.map((i) => i.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(this.instances.map((i) => i.stop(0)));
      throw failed.reason;
    }
  }

  /** Runs one iteration of every running instance now (tests, embedders with their own timer). */
  runOnce(nowSec?: number): Promise<Array<IterationCounters | null>> {
    return Promise.all(this.instances.map((i) => (i.running ? i.runOnce(nowSec) : Promise.resolve(null))));
  }

  /** Stops every instance in parallel, each within `graceMs`. */
  async stop(graceMs?: number): Promise<Map<string | null, StopReport>> {
    const reports = await Promise.all(this.instances.map((i) => i.stop(graceMs)));
    return new Map(this.instances.map((inst, k) => [inst.name, reports[k] as StopReport]));
  }
}
