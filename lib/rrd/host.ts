// A host (netdata RRDHOST, SPEC §1.1) and its charts, newest first (SPEC §1.7).
import type { NumericKernel } from '../kernels/types';
import { ChartDefaults, ChartOptions, ChartOwner, DimensionName, RrdChart } from './chart';
import { describeValue, RrdError } from './errors';
import { MemoryMode } from './memory-mode';
import { nextNamesVersion } from './names-version';
import { checkId } from './validate';

export interface HostOptions {
  hostname: string;
  /** Host tags; "" is stored as null (SPEC §1.1). */
  tags?: string | null;
  programName?: string;
  programVersion?: string;
  /** Default memory mode of the host's charts (default 'save', the reference's default). */
  memoryMode?: MemoryMode;
  /** Defaults for the host's charts. */
  updateEvery?: number;
  entries?: number;
  gapWhenLostIterationsAbove?: number;
}

function tagsValue(tags: unknown): string | null {
  if (tags === undefined || tags === null || tags === '') return null;
  if (typeof tags === 'string') return tags;
  throw new RrdError('ERR_RRD_BAD_OPTION', `host tags: ${describeValue(tags)} is not accepted; accepted: a string, or null/"" for no tags`);
}

function stringOption(v: unknown, what: string, dflt: string): string {
  if (v === undefined) return dflt;
  if (typeof v === 'string') return v;
  throw new RrdError('ERR_RRD_BAD_OPTION', `${what}: ${describeValue(v)} is not accepted; accepted: a string`);
}

/** Bound on the distinct dimension ids kept as flyweights per host. */
const SHARED_NAMES_MAX = 65536;

export class RrdHost implements ChartOwner {
  private name: string;
  private hostTags: string | null;
  readonly programName: string;
  readonly programVersion: string;
  readonly defaults: ChartDefaults;
  /** A stamp that changes whenever hostname or tags change (never reused, see names-version.ts). */
  version: number;

  private readonly created: RrdChart[] = []; // creation order
  private newestFirst: RrdChart[] | null = null;
  private readonly byId = new Map<string, RrdChart>();
  private readonly byName = new Map<string, RrdChart>();
  // Flyweights of (id, id) pairs: dimension ids repeat across charts ("user", "in", "dim_7"), and a million
  // dimensions should not mean a million identical objects.
  private readonly sharedNames = new Map<string, DimensionName>();

  constructor(options: HostOptions, readonly isLocalhost: boolean, defaults: ChartDefaults, private readonly kernel: NumericKernel) {
    if (options === null || typeof options !== 'object') throw new RrdError('ERR_RRD_BAD_OPTION', `host options: ${describeValue(options)} is not accepted; accepted: an object with at least { hostname }`);
    this.name = checkId(options.hostname, 'hostname');
    this.hostTags = tagsValue(options.tags);
    this.programName = stringOption(options.programName, 'host programName', 'netdata');
    this.programVersion = stringOption(options.programVersion, 'host programVersion', '');
    this.defaults = {
      updateEvery: options.updateEvery ?? defaults.updateEvery,
      entries: options.entries ?? defaults.entries,
      memoryMode: options.memoryMode ?? defaults.memoryMode,
      gapWhenLostIterationsAbove: options.gapWhenLostIterationsAbove ?? defaults.gapWhenLostIterationsAbove,
    };
    this.version = nextNamesVersion();
  }

  get hostname(): string {
    return this.name;
  }
  set hostname(name: string) {
    const n = checkId(name, 'hostname');
    if (n === this.name) return;
    this.name = n;
    this.version = nextNamesVersion();
  }

  get tags(): string | null {
    return this.hostTags;
  }
  /** A child reconnecting with different tags updates them (SPEC §1.1). */
  set tags(tags: string | null) {
    const t = tagsValue(tags);
    if (t === this.hostTags) return;
    this.hostTags = t;
    this.version = nextNamesVersion();
  }

  /** The charts, newest first (SPEC §1.7: new charts are prepended). */
  get charts(): ReadonlyArray<RrdChart> {
    if (this.newestFirst === null) this.newestFirst = this.created.slice().reverse();
    return this.newestFirst;
  }

  get chartCount(): number {
    return this.created.length;
  }

  /** Creates a chart; a chart with the same "type.id" on this host is an error (ERR_RRD_DUPLICATE_CHART). */
  createChart(options: ChartOptions): RrdChart {
    const chart = new RrdChart(this, options, this.defaults, this.kernel);
    if (this.byId.has(chart.id)) {
      throw new RrdError('ERR_RRD_DUPLICATE_CHART', `chart ${describeValue(chart.id)} already exists on host ${describeValue(this.name)}; accepted: a "type.id" not used by another chart of the host (findChart() returns the existing one)`);
    }
    this.byId.set(chart.id, chart);
    // A name already taken falls back to the id-derived name; that may collide too, and is then not indexed.
    if (!this.byName.has(chart.name)) this.byName.set(chart.name, chart);
    this.created.push(chart);
    this.newestFirst = null;
    return chart;
  }

  findChart(id: string): RrdChart | undefined {
    return this.byId.get(id);
  }

  findChartByName(name: string): RrdChart | undefined {
    return this.byName.get(name);
  }

  /** Removes a chart (the reference frees obsolete charts after a while). Returns whether it was there. */
  removeChart(chart: RrdChart | string): boolean {
    const c = typeof chart === 'string' ? this.byId.get(chart) : chart;
    if (c === undefined || this.byId.get(c.id) !== c) return false;
    this.byId.delete(c.id);
    if (this.byName.get(c.name) === c) this.byName.delete(c.name);
    this.created.splice(this.created.indexOf(c), 1);
    this.newestFirst = null;
    return true;
  }

  /** @internal ChartOwner */
  dimensionName(id: string, name: string): DimensionName {
    if (id !== name) return { id, name };
    let n = this.sharedNames.get(id);
    if (n === undefined) {
      n = Object.freeze({ id, name: id });
      if (this.sharedNames.size < SHARED_NAMES_MAX) this.sharedNames.set(id, n);
    }
    return n;
  }

  /** @internal ChartOwner */
  chartNameTaken(name: string, chart: RrdChart): boolean {
    const other = this.byName.get(name);
    return other !== undefined && other !== chart;
  }

  /** @internal ChartOwner */
  chartRenamed(chart: RrdChart, oldName: string): void {
    if (this.byName.get(oldName) === chart) this.byName.delete(oldName);
    this.byName.set(chart.name, chart);
  }
}
