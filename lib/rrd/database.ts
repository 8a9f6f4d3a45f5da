// The round-robin database: localhost plus the hosts streaming into it (SPEC §1.1, §1.7).
import * as os from 'os';
import { kernel as activeKernel } from '../kernels';
import type { NumericKernel } from '../kernels/types';
import { ChartDefaults } from './chart';
import { describeValue, RrdError } from './errors';
import { checkMemoryMode, DEFAULT_MEMORY_MODE, MemoryMode } from './memory-mode';
import { HostOptions, RrdHost } from './host';
import { checkInteger } from './validate';

export interface DatabaseOptions {
  /** Localhost's `[global] hostname` (default: the machine's hostname). */
  hostname?: string;
  /** Localhost's `[backend] host tags`. */
  tags?: string | null;
  programName?: string;
  programVersion?: string;
  /** Defaults for every host's charts. */
  memoryMode?: MemoryMode;
  updateEvery?: number;
  entries?: number;
  gapWhenLostIterationsAbove?: number;
  /** The numeric kernel used to pack storage numbers (default: the active one). */
  kernel?: NumericKernel;
}

/** The reference's defaults: `[global] update every` 1, `history` 3600, `gap when lost iterations above` 1. */
export const DEFAULT_UPDATE_EVERY = 1;
export const DEFAULT_ENTRIES = 3600;
export const DEFAULT_GAP_WHEN_LOST_ITERATIONS_ABOVE = 1;

export class RrdDatabase {
  readonly localhost: RrdHost;
  readonly defaults: ChartDefaults;
  /** The numeric kernel that packs this database's storage numbers. */
  readonly kernel: NumericKernel;
  // localhost first, then children newest first (SPEC §1.7).
  private readonly list: RrdHost[];
  private readonly byKey = new Map<string, RrdHost>();
  private readonly keyOf = new WeakMap<RrdHost, string>();

  constructor(options: DatabaseOptions = {}) {
    if (options === null || typeof options !== 'object') throw new RrdError('ERR_RRD_BAD_OPTION', `database options: ${describeValue(options)} is not accepted; accepted: an object`);
    this.kernel = options.kernel ?? activeKernel;
    this.defaults = {
      updateEvery: checkInteger(options.updateEvery ?? DEFAULT_UPDATE_EVERY, 'updateEvery', 1, 86400),
      entries: checkInteger(options.entries ?? DEFAULT_ENTRIES, 'entries', 5, 86400 * 365),
      memoryMode: checkMemoryMode(options.memoryMode, 'memoryMode', DEFAULT_MEMORY_MODE),
      gapWhenLostIterationsAbove: checkInteger(options.gapWhenLostIterationsAbove ?? DEFAULT_GAP_WHEN_LOST_ITERATIONS_ABOVE, 'gapWhenLostIterationsAbove', 0, 1e9),
    };
    this.localhost = new RrdHost(
      { hostname: options.hostname ?? os.hostname(), tags: options.tags, programName: options.programName, programVersion: options.programVersion },
      true,
      this.defaults,
      this.kernel,
    );
    this.list = [this.localhost];
  }

  /** Hosts in export order: localhost, then children newest first (SPEC §1.7). */
  get hosts(): ReadonlyArray<RrdHost> {
    return this.list;
  }

  /**
   * Adds a child host, inserted right after localhost. `key` (e.g. the child's machine GUID) identifies it;
   * default: its hostname. A second host with the same key is ERR_RRD_DUPLICATE_HOST.
   */
  addHost(options: HostOptions & { key?: string }): RrdHost {
    const host = new RrdHost(options, false, this.defaults, this.kernel);
    const key = options.key ?? host.hostname;
    if (this.byKey.has(key)) {
      throw new RrdError('ERR_RRD_DUPLICATE_HOST', `host ${describeValue(key)} already exists; accepted: a key (machine GUID or hostname) not used by another host (findHost() returns the existing one)`);
    }
    this.byKey.set(key, host);
    this.keyOf.set(host, key);
    this.list.splice(1, 0, host);
    return host;
  }

  findHost(key: string): RrdHost | undefined {
    return this.byKey.get(key);
  }

  removeHost(host: RrdHost): boolean {
    const i = this.list.indexOf(host);
    if (i <= 0) return false; // localhost stays
    this.list.splice(i, 1);
    const key = this.keyOf.get(host);
    if (key !== undefined) this.byKey.delete(key);
    return true;
  }
}
