// The agent behind the `rrd-backends` command: a database of this machine's metrics (collected every
// second through the public collection API), the exporter instances of a netdata.conf (or the embedded
// default: a local file), and the HTTP server (allmetrics + dashboard). It also shows how a program embeds
// the library: create an RrdDatabase, write charts with set()/done(), run BackendInstances over it.
import { EventEmitter } from 'events';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StopReport } from '../exporter/backend-instance';
import { findInstance, loadBackendConfigSync } from '../exporter/config';
import type { ResolvedBackendOptions } from '../exporter/config-options';
import type { IterationCounters } from '../exporter/counters';
import type { Logger } from '../exporter/logger';
import type { AllmetricsConfig } from '../http/allmetrics';
import { AgentHttpServer, ListenAddress } from '../http/server';
import type { Kernel } from '../kernels/types';
import type { RrdChart } from '../rrd/chart';
import { RrdDatabase } from '../rrd/database';
import { CollectionLoop, Collector } from './collection-loop';
import { DemoCharts } from './demo-charts';
import { defaultExportFile, embeddedOptions } from './embedded-config';
import { InstanceSet, InstanceStatus, ManagedInstance } from './instances';
import { SystemCollector } from './system-collector';
import { packageInfo } from './version';

export interface AgentOptions {
  /** A netdata.conf; null/undefined: the embedded default (a `file:` destination). */
  configFile?: string | null;
  /** The embedded default's export file (default: defaultExportFile()). */
  exportFile?: string;
  /** Where the HTTP server listens; null: no HTTP server. */
  http?: ListenAddress | null;
  /** Synthetic charts of 50 dimensions each (default 0). */
  demoCharts?: number;
  /** Collect this machine's metrics from /proc (default true). */
  collectSystem?: boolean;
  procRoot?: string;
  sysRoot?: string;
  log?: Logger;
  /** Exporter iterations only through runOnce() (the command's --once). */
  manual?: boolean;
  /** Directory relative `file:` paths are resolved against. */
  cwd?: string;
  kernel?: Kernel;
}

export interface AgentStatus {
  hostname: string;
  version: string;
  configFile: string | null;
  exportFile: string | null;
  dashboard: string | null;
  startedAt: number;
  charts: number;
  instances: InstanceStatus[];
}

export interface AgentEvents {
  iteration: [ManagedInstance, IterationCounters];
}

/** What a configuration gives the agent. */
interface LoadedConfig {
  instances: readonly ResolvedBackendOptions[];
  /** `[backend]`: also configures the allmetrics endpoint (SPEC §4.7). */
  backend: ResolvedBackendOptions;
  hostname: string;
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly db: RrdDatabase;
  readonly configFile: string | null;
  readonly exportFile: string | null;
  private readonly log: Logger;
  private readonly instances: InstanceSet;
  private readonly loop: CollectionLoop;
  private readonly system: SystemCollector | null;
  private readonly http: AgentHttpServer | null;
  private config: LoadedConfig;
  private reloading: Promise<boolean> = Promise.resolve(true);
  private readonly startedAt = Date.now();

  /** Reads the configuration (throws ConfigError) and builds everything; start() runs it. */
  constructor(private readonly options: AgentOptions = {}) {
    super();
    this.log = options.log ?? (() => undefined);
    this.configFile = options.configFile ?? null;
    this.exportFile = this.configFile === null ? path.resolve(options.cwd ?? process.cwd(), options.exportFile ?? defaultExportFile()) : null;
    this.config = this.load();
    const pkg = packageInfo();
    this.db = new RrdDatabase({
      hostname: this.config.hostname, tags: this.config.backend.hostTags, programName: pkg.name, programVersion: pkg.version,
      memoryMode: 'ram', updateEvery: 1, entries: 3600, kernel: options.kernel,
    });
    const collectors: Collector[] = [];
    this.system = options.collectSystem === false ? null : new SystemCollector(this.db.localhost, { procRoot: options.procRoot, sysRoot: options.sysRoot, log: this.log });
    if (this.system !== null) collectors.push({ name: 'proc', collect: (t) => (this.system as SystemCollector).collect(t) });
    if ((options.demoCharts ?? 0) > 0) {
      const demo = new DemoCharts(this.db.localhost, options.demoCharts as number);
      collectors.push({ name: 'demo', collect: (t) => demo.collect(t) });
    }
    this.loop = new CollectionLoop(collectors, this.log);
    this.instances = new InstanceSet(this.db, { log: this.log, kernel: options.kernel, cwd: options.cwd, manual: options.manual });
    this.instances.on('iteration', (m, c) => this.emit('iteration', m, c));
    this.http = options.http ? new AgentHttpServer({
      db: this.db,
      allmetrics: () => this.allmetricsConfig(),
      status: () => this.status(),
      rank: (c) => this.rank(c),
    }) : null;
  }

  private load(): LoadedConfig {
    if (this.configFile === null) {
      const backend = embeddedOptions(this.exportFile as string);
      return { instances: [backend], backend, hostname: os.hostname() };
    }
    const cfg = loadBackendConfigSync(this.configFile, { onWarning: (w) => this.log('warn', w.message) });
    const backend = findInstance(cfg, null) as ResolvedBackendOptions;
    if (!cfg.instances.some((o) => o.enabled)) {
      this.log('warn', `${this.configFile}: no backend instance is enabled (set 'enabled = yes' in [backend] or a [backend:NAME] section); only the HTTP endpoint serves the metrics`);
    }
    return { instances: cfg.instances, backend, hostname: cfg.globalHostname ?? os.hostname() };
  }

  /** Starts collecting, listening and exporting. On failure everything started is stopped and the error thrown. */
  async start(): Promise<void> {
    if (this.exportFile !== null) fs.mkdirSync(path.dirname(this.exportFile), { recursive: true, mode: 0o700 });
    try {
      if (this.http !== null) await this.http.listen(this.options.http as ListenAddress);
      this.loop.start();
      await this.instances.start(this.config.instances);
    } catch (err) {
      await this.loop.stop();
      await this.http?.close();
      throw err;
    }
  }

  /** Collection rounds so far (tests, --once). */
  get collections(): number {
    return this.loop.rounds;
  }

  /** The dashboard URL, once listening. */
  get dashboardUrl(): string | null {
    return this.http?.url ?? null;
  }

  /** The largest `update every` of the enabled instances (--once waits for one such interval). */
  get longestUpdateEvery(): number {
    return Math.max(1, ...this.config.instances.filter((o) => o.enabled).map((o) => o.updateEvery));
  }

  get managed(): readonly ManagedInstance[] {
    return this.instances.instances;
  }

  /** One exporter iteration of every running instance now (--once). */
  runOnce(): Promise<Array<{ m: ManagedInstance; counters: IterationCounters }>> {
    return this.instances.runOnce();
  }

  /**
   * Re-reads the configuration file (SIGHUP). A file that does not load leaves everything running as it
   * was. Returns whether the new configuration was applied. Reloads never overlap.
   */
  reload(): Promise<boolean> {
    this.reloading = this.reloading.then(() => this.reloadNow(), () => this.reloadNow());
    return this.reloading;
  }

  private async reloadNow(): Promise<boolean> {
    if (this.configFile === null) {
      this.log('info', 'reload: running the embedded default configuration (no --config); nothing to reload');
      return false;
    }
    let next: LoadedConfig;
    try {
      next = this.load();
    } catch (err) {
      this.log('error', `reload: ${(err as Error).message}; keeping the running configuration`);
      return false;
    }
    try {
      const r = await this.instances.reload(next.instances);
      this.config = next;
      this.db.localhost.tags = next.backend.hostTags;
      this.db.localhost.hostname = next.hostname;
      this.log('info', `reload: configuration ${this.configFile} applied: ${r.kept} instance(s) unchanged, ${r.replaced} replaced, ${r.added} added, ${r.removed} removed`);
      return true;
    } catch (err) {
      this.log('error', `reload: ${(err as Error).message}; keeping the running configuration`);
      return false;
    }
  }

  /** Stops collecting and serving, and stops every instance with a last flush. */
  async stop(graceMs?: number): Promise<Array<{ m: ManagedInstance; report: StopReport }>> {
    await this.reloading.catch(() => undefined);
    await this.loop.stop();
    const reports = await this.instances.stop(graceMs);
    await this.http?.close();
    return reports;
  }

  allmetricsConfig(): AllmetricsConfig {
    const b = this.config.backend;
    return { prefix: b.prefix, dataSource: b.dataSource, sendNames: b.sendNames, sendChartsMatching: b.sendChartsMatching, updateEvery: b.updateEvery };
  }

  status(): AgentStatus {
    return {
      hostname: this.db.localhost.hostname,
      version: packageInfo().version,
      configFile: this.configFile,
      exportFile: this.exportFile,
      dashboard: this.dashboardUrl,
      startedAt: this.startedAt,
      charts: this.db.localhost.chartCount,
      instances: this.instances.instances.map((m) => m.status()),
    };
  }

  /** Dashboard order: the exporter's monitoring charts, then the system charts by netdata priority; demo charts left out. */
  private rank(c: RrdChart): number | null {
    if (c.type === 'demo') return null;
    if (c.type === 'netdata') return 0;
    return this.system?.definitions.get(c.id)?.priority ?? 1_000_000;
  }
}
