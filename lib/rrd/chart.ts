// A chart (netdata RRDSET, SPEC §1.2) with its dimensions (RRDDIM, SPEC §1.3) stored struct-of-arrays in a
// ChartSlab, and the collection API an agent calls: set() values, then done() to complete the cycle.
import type { NumericKernel } from '../kernels/types';
import { META_COUNTER, META_CURRENT_ENTRY, META_LAST_UPDATED, META_UPDATE_EVERY } from '../kernels/types';
import { algorithmCode, AlgorithmName, ALGORITHM_ABSOLUTE, ALGORITHM_NAMES } from './algorithm';
import { ChartSlab, DIM_FLAG_DONT_DETECT_RESETS, DIM_FLAG_HIDDEN, DIM_FLAG_OBSOLETE, DIM_FLAG_UPDATED } from './chart-slab';
import type { ChartView } from './chart-view';
import { completeCycle, CycleResult, CycleState, resetChart, USEC_PER_SEC, widthClass } from './collection';
import { describeValue, RrdError } from './errors';
import { checkMemoryMode, MemoryMode } from './memory-mode';
import { nextNamesVersion } from './names-version';
import { restoreChart, RestoreState } from './restore';
import * as slots from './slots';
import { jsonFixString, sanitizeChartName } from './strings';
import { checkFactor, checkId, checkInteger, checkTimeUs, optionalBoolean, optionalString, toInt64 } from './validate';

/** The reference's limits on update_every and entries (RRD_HISTORY_ENTRIES_MAX). */
export const UPDATE_EVERY_MAX = 86400;
export const ENTRIES_MIN = 5;
export const ENTRIES_MAX = 86400 * 365;

/** How a dashboard draws the chart (RRDSET_TYPE); the reference falls back to `line`. */
export type ChartType = 'line' | 'area' | 'stacked';
export const CHART_TYPES: readonly ChartType[] = Object.freeze(['line', 'area', 'stacked']);
/** The priority of a chart that gives none (the plugins.d `CHART` default). */
export const DEFAULT_CHART_PRIORITY = 1000;

export interface ChartOptions {
  /** The part before the dot. When omitted, `id` must be the full "type.id" and is split at its first dot. */
  type?: string;
  id: string;
  /** Display name; the chart's name becomes sanitised "type.name" (default: "type.id"). */
  name?: string | null;
  family?: string | null;
  context?: string | null;
  units?: string | null;
  title?: string | null;
  /** Dashboard order, lower first (default DEFAULT_CHART_PRIORITY). Metadata only: nothing here reads it. */
  priority?: number;
  /** Dashboard chart type (default `line`). Metadata only. */
  chartType?: ChartType;
  /** The plugin and module that collect the chart (default: none). Metadata only. */
  plugin?: string | null;
  module?: string | null;
  updateEvery?: number;
  entries?: number;
  memoryMode?: MemoryMode;
  enabled?: boolean;
  obsolete?: boolean;
  /** `[global] gap when lost iterations above` (SPEC §1.5); default 1. */
  gapWhenLostIterationsAbove?: number;
  /** Dimensions expected: the storage is sized for them at once instead of growing. */
  dimensionsHint?: number;
}

export interface DimensionOptions {
  id: string;
  /** Default: the id (SPEC §1.3); never sanitised. */
  name?: string | null;
  algorithm?: AlgorithmName;
  multiplier?: number | bigint;
  /** 0 is replaced by 1 (SPEC §1.3). */
  divisor?: number | bigint;
  hidden?: boolean;
  obsolete?: boolean;
  /** Mark counter wraps with SN_EXISTS_RESET (default true; netdata's DONT_DETECT_RESETS_OR_OVERFLOWS off). */
  detectResets?: boolean;
}

/** Changes to an existing dimension (netdata rrddim_set_algorithm/multiplier/divisor, hide/obsolete). */
export type DimensionUpdate = Partial<Omit<DimensionOptions, 'id' | 'name'>>;

export interface ChartDefaults {
  updateEvery: number;
  entries: number;
  memoryMode: MemoryMode;
  gapWhenLostIterationsAbove: number;
}

/** Everything about one dimension, read at the moment of the call. */
export interface DimensionInfo {
  index: number;
  id: string;
  name: string;
  algorithm: AlgorithmName;
  multiplier: number;
  divisor: number;
  hidden: boolean;
  obsolete: boolean;
  collectionsCounter: number;
  lastCollectedValue: bigint;
  /** last_collected_time as tv_sec and tv_usec. */
  lastCollectedTime: number;
  lastCollectedUsec: number;
}

/** An immutable (id, name) pair; renaming replaces it. */
export interface DimensionName {
  readonly id: string;
  readonly name: string;
}

/** The owner of a chart: its host keeps the id/name indexes. */
export interface ChartOwner {
  readonly hostname: string;
  chartNameTaken(name: string, chart: RrdChart): boolean;
  chartRenamed(chart: RrdChart, oldName: string): void;
  /** The (id, name) pair for a dimension, shared between charts where possible. */
  dimensionName(id: string, name: string): DimensionName;
}

function checkChartType(value: unknown): ChartType {
  if (value === undefined) return 'line';
  if ((CHART_TYPES as readonly unknown[]).includes(value)) return value as ChartType;
  throw new RrdError('ERR_RRD_BAD_OPTION', `chart chartType: ${describeValue(value)} is not accepted; accepted: ${CHART_TYPES.map((t) => `'${t}'`).join(', ')} or undefined for 'line'`);
}

/** Index lookups go linear below this many dimensions; a Map is built lazily above it. */
const LINEAR_LOOKUP_MAX = 12;

export class RrdChart implements ChartView, CycleState {
  readonly id: string;
  readonly type: string;
  name: string;
  readonly family: string;
  readonly context: string;
  readonly units: string;
  readonly title: string;
  /** Dashboard metadata (SPEC §5.4 gives it for the monitoring charts); not used by storage or export. */
  readonly priority: number;
  readonly chartType: ChartType;
  /** null = none. */
  readonly plugin: string | null;
  readonly module: string | null;
  readonly updateEvery: number;
  readonly memoryMode: MemoryMode;
  readonly gapThreshold: number;
  /** `[chart] enabled` (SPEC §1.2). */
  enabled: boolean;
  /** OBSOLETE flag; cleared by the next completed collection, as in the reference. */
  obsolete: boolean;
  /**
   * Cached chart-filter decision for the exporter (BACKEND_SEND / BACKEND_IGNORE, SPEC §1.2): 0 unknown,
   * 1 send, 2 ignore. Cleared on rename.
   */
  backendFilter: 0 | 1 | 2 = 0;
  namesVersion: number;

  /** @internal */ slab: ChartSlab;
  /** The chart's last collection time in µs (0 = none since creation or reset). @internal */
  lastCollectedUs = 0;
  /** @internal */ counterDone = 0;
  /** @internal */ lastCollectedTotal = 0n;

  private dims: ReadonlyArray<DimensionName> = [];
  private index: Map<string, number> | null = null;
  private heterogeneousCache: boolean | null = null;

  constructor(readonly owner: ChartOwner, options: ChartOptions, defaults: ChartDefaults, private readonly kernel: NumericKernel) {
    if (options === null || typeof options !== 'object') {
      throw new RrdError('ERR_RRD_BAD_OPTION', `chart options: ${describeValue(options)} is not accepted; accepted: an object with at least { id }`);
    }
    let type: string;
    let shortId: string;
    if (options.type === undefined) {
      const full = checkId(options.id, 'chart id');
      const dot = full.indexOf('.');
      if (dot <= 0 || dot === full.length - 1) {
        throw new RrdError('ERR_RRD_BAD_ID', `chart id: ${describeValue(full)} has no type; accepted: { type, id } or a full id "type.id"`);
      }
      type = full.slice(0, dot);
      shortId = full.slice(dot + 1);
    } else {
      type = checkId(options.type, 'chart type');
      shortId = checkId(options.id, 'chart id');
    }
    // SPEC §1.2: id is "type.id" exactly as given, at most 200 bytes.
    this.id = checkId(`${type}.${shortId}`, 'chart id ("type.id")');
    this.type = type;
    const name = optionalString(options.name, 'chart name');
    this.name = this.pickName(name ?? shortId, shortId);
    this.family = jsonFixString(optionalString(options.family, 'chart family') ?? type);
    this.context = jsonFixString(optionalString(options.context, 'chart context') ?? this.id);
    this.units = jsonFixString(optionalString(options.units, 'chart units') ?? '');
    this.title = jsonFixString(optionalString(options.title, 'chart title') ?? '');
    this.priority = checkInteger(options.priority ?? DEFAULT_CHART_PRIORITY, 'chart priority', -2147483648, 2147483647);
    this.chartType = checkChartType(options.chartType);
    this.plugin = optionalString(options.plugin, 'chart plugin');
    this.module = optionalString(options.module, 'chart module');
    this.updateEvery = checkInteger(options.updateEvery ?? defaults.updateEvery, 'chart updateEvery', 1, UPDATE_EVERY_MAX);
    const historyEntries = checkInteger(options.entries ?? defaults.entries, 'chart entries', ENTRIES_MIN, ENTRIES_MAX);
    this.memoryMode = checkMemoryMode(options.memoryMode, 'chart memoryMode', defaults.memoryMode);
    this.enabled = optionalBoolean(options.enabled, 'chart enabled', true);
    this.obsolete = optionalBoolean(options.obsolete, 'chart obsolete', false);
    const gap = checkInteger(options.gapWhenLostIterationsAbove ?? defaults.gapWhenLostIterationsAbove, 'chart gapWhenLostIterationsAbove', 0, 1e9);
    // The reference adds 2 to the configured value (rrdset_create).
    this.gapThreshold = gap + 2;
    const hint = checkInteger(options.dimensionsHint ?? 0, 'chart dimensionsHint', 0, 1e6);
    // Memory mode none keeps no ring (SPEC §1.6).
    this.slab = new ChartSlab(hint, this.memoryMode === 'none' ? 0 : historyEntries, 0);
    this.slab.meta[META_UPDATE_EVERY] = this.updateEvery;
    this.namesVersion = nextNamesVersion();
  }

  /** The name a display name gives, falling back to the id when another chart of the host has it. */
  private pickName(display: string, shortId: string): string {
    const wanted = sanitizeChartName(`${this.type}.${display}`);
    if (!this.owner.chartNameTaken(wanted, this)) return wanted;
    return sanitizeChartName(`${this.type}.${shortId}`);
  }

  // ---- ChartView --------------------------------------------------------------------------------------

  get ring(): Uint32Array {
    return this.slab.ring;
  }
  get meta(): Float64Array {
    return this.slab.meta;
  }
  get lastCollectedValue(): BigInt64Array {
    return this.slab.lastCollectedValue;
  }
  get lastCollectedTime(): Float64Array {
    return this.slab.lastCollectedTime;
  }
  get dimensions(): ReadonlyArray<{ readonly id: string; readonly name: string }> {
    return this.dims;
  }

  // ---- per-dimension arrays (read-only use; valid for indexes < dimensions.length) -------------------------

  /** last_collected_time.tv_usec per dimension. */
  get lastCollectedUsec(): Uint32Array {
    return this.slab.lastCollectedUsec;
  }
  get collectionsCounter(): Float64Array {
    return this.slab.collectionsCounter;
  }
  /** Algorithm codes (ALGORITHM_* of ./algorithm). */
  get algorithm(): Uint8Array {
    return this.slab.algorithm;
  }
  get multiplier(): Float64Array {
    return this.slab.multiplier;
  }
  get divisor(): Float64Array {
    return this.slab.divisor;
  }
  /** DIM_FLAG_* bits of ./chart-slab. */
  get dimensionFlags(): Uint8Array {
    return this.slab.flags;
  }

  // ---- ring geometry (SPEC §1.4) -------------------------------------------------------------------------

  /** Slots per dimension: the configured history, 0 for memory mode none. */
  get entries(): number {
    return this.slab.entries;
  }
  get currentEntry(): number {
    return this.slab.meta[META_CURRENT_ENTRY];
  }
  get counter(): number {
    return this.slab.meta[META_COUNTER];
  }
  /** Seconds of the newest stored slot. */
  get lastUpdated(): number {
    return this.slab.meta[META_LAST_UPDATED];
  }
  firstEntryTime(): number {
    return slots.firstEntryTime(this.slab.meta);
  }
  lastEntryTime(): number {
    return slots.lastEntryTime(this.slab.meta);
  }
  firstSlot(): number {
    return slots.firstSlot(this.slab.meta);
  }
  lastSlot(): number {
    return slots.lastSlot(this.slab.meta);
  }
  timeToSlot(t: number): number {
    return slots.timeToSlot(this.slab.meta, t);
  }
  slotToTime(slot: number): number {
    return slots.slotToTime(this.slab.meta, slot);
  }

  // ---- flags -----------------------------------------------------------------------------------------------

  /** rrdset_is_available_for_backends (SPEC §1.2): enabled, not obsolete, at least one dimension. */
  isAvailableForBackends(): boolean {
    return this.enabled && !this.obsolete && this.dims.length > 0;
  }

  /**
   * HETEROGENEOUS (SPEC §1.8, remote write): the dimensions differ in algorithm or |multiplier| or |divisor|.
   */
  get heterogeneous(): boolean {
    if (this.heterogeneousCache === null) {
      const s = this.slab;
      let het = false;
      for (let d = 1; d < s.dims && !het; d++) {
        het = s.algorithm[d] !== s.algorithm[0] || Math.abs(s.multiplier[d]) !== Math.abs(s.multiplier[0]) || Math.abs(s.divisor[d]) !== Math.abs(s.divisor[0]);
      }
      this.heterogeneousCache = het;
    }
    return this.heterogeneousCache;
  }

  // ---- names -------------------------------------------------------------------------------------------------

  /**
   * Renames the chart to sanitised "type.name" (config `[chart id] name`). Returns false, changing nothing,
   * when another chart of the host has that name (as the reference does).
   */
  rename(name: string): boolean {
    const display = optionalString(name, 'chart name');
    if (display === null) throw new RrdError('ERR_RRD_BAD_OPTION', `chart name: ${describeValue(name)} is not accepted; accepted: a non-empty string`);
    const wanted = sanitizeChartName(`${this.type}.${display}`);
    if (wanted === this.name) return true;
    if (this.owner.chartNameTaken(wanted, this)) return false;
    const old = this.name;
    this.name = wanted;
    this.backendFilter = 0;
    this.namesVersion = nextNamesVersion();
    this.owner.chartRenamed(this, old);
    return true;
  }

  // ---- dimensions ----------------------------------------------------------------------------------------------

  get dimensionCount(): number {
    return this.dims.length;
  }

  /** Index of the dimension with this id, or -1. */
  dimensionIndex(id: string): number {
    const dims = this.dims;
    if (dims.length <= LINEAR_LOOKUP_MAX) {
      for (let i = 0; i < dims.length; i++) if (dims[i].id === id) return i;
      return -1;
    }
    if (this.index === null) {
      this.index = new Map();
      for (let i = 0; i < dims.length; i++) this.index.set(dims[i].id, i);
    }
    return this.index.get(id) ?? -1;
  }

  /** Adds one dimension (appended: creation order, SPEC §1.7) and returns its index. */
  addDimension(options: DimensionOptions | string): number {
    return this.addDimensions([options])[0];
  }

  /** Adds several dimensions with one reallocation of the chart's storage. */
  addDimensions(list: ReadonlyArray<DimensionOptions | string>): number[] {
    if (!Array.isArray(list)) throw new RrdError('ERR_RRD_BAD_OPTION', `dimensions: ${describeValue(list)} is not accepted; accepted: an array of dimension options or ids`);
    const parsed = list.map((o, i) => this.parseDimension(typeof o === 'string' ? { id: o } : o, i));
    const seen = new Set<string>();
    for (const p of parsed) {
      if (this.dimensionIndex(p.id) >= 0 || seen.has(p.id)) {
        throw new RrdError('ERR_RRD_DUPLICATE_DIMENSION', `dimension id ${describeValue(p.id)} already exists in chart ${describeValue(this.id)}; accepted: an id not used by another dimension of the chart`);
      }
      seen.add(p.id);
    }
    const first = this.dims.length;
    const dims = first + parsed.length;
    const s = this.slab;
    const capacity = dims <= s.capacity ? s.capacity : Math.max(dims, s.capacity + (s.capacity >> 1));
    const next = s.resized(dims, capacity);
    const out: number[] = [];
    const added: DimensionName[] = [];
    parsed.forEach((p, k) => {
      const d = first + k;
      next.algorithm[d] = p.algorithm;
      next.multiplier[d] = p.multiplier;
      next.divisor[d] = p.divisor;
      next.flags[d] = p.flags;
      added.push(this.owner.dimensionName(p.id, p.name ?? p.id));
      if (this.index) this.index.set(p.id, d);
      out.push(d);
    });
    // concat() sizes the array exactly; it is replaced, never grown in place.
    this.dims = this.dims.concat(added);
    this.slab = next;
    this.heterogeneousCache = null;
    this.namesVersion = nextNamesVersion();
    return out;
  }

  private parseDimension(o: DimensionOptions, i: number) {
    if (o === null || typeof o !== 'object') {
      throw new RrdError('ERR_RRD_BAD_OPTION', `dimension #${i}: ${describeValue(o)} is not accepted; accepted: an id string or { id, name?, algorithm?, multiplier?, divisor? }`);
    }
    const id = checkId(o.id, 'dimension id');
    // Labels for error messages are built only for options that are present (this runs per dimension).
    const what = (key: string) => `dimension ${JSON.stringify(id)} ${key}`;
    const name = o.name === undefined ? null : optionalString(o.name, what('name'));
    const algorithm = o.algorithm === undefined ? ALGORITHM_ABSOLUTE : algorithmCode(o.algorithm, what('algorithm'));
    const multiplier = o.multiplier === undefined ? 1 : checkFactor(o.multiplier, what('multiplier'));
    const divisor = o.divisor === undefined ? 1 : checkFactor(o.divisor, what('divisor')) || 1; // SPEC §1.3: 0 → 1
    let flags = 0;
    if (o.hidden !== undefined && optionalBoolean(o.hidden, what('hidden'), false)) flags |= DIM_FLAG_HIDDEN;
    if (o.obsolete !== undefined && optionalBoolean(o.obsolete, what('obsolete'), false)) flags |= DIM_FLAG_OBSOLETE;
    if (o.detectResets !== undefined && !optionalBoolean(o.detectResets, what('detectResets'), true)) flags |= DIM_FLAG_DONT_DETECT_RESETS;
    return { id, name, algorithm, multiplier, divisor, flags };
  }

  /** Resolves a dimension given by index or id; throws ERR_RRD_UNKNOWN_DIMENSION. */
  resolveDimension(dim: number | string): number {
    if (typeof dim === 'number') {
      if (Number.isInteger(dim) && dim >= 0 && dim < this.dims.length) return dim;
    } else if (typeof dim === 'string') {
      const d = this.dimensionIndex(dim);
      if (d >= 0) return d;
    }
    throw new RrdError('ERR_RRD_UNKNOWN_DIMENSION', `dimension ${describeValue(dim)} is not in chart ${describeValue(this.id)}; accepted: a dimension id of the chart or an index from 0 to ${this.dims.length - 1}`);
  }

  /** Renames a dimension (config `[chart] dim <id> name`); names are not sanitised (SPEC §1.3). */
  renameDimension(dim: number | string, name: string): void {
    const d = this.resolveDimension(dim);
    const n = optionalString(name, `dimension ${JSON.stringify(this.dims[d].id)} name`);
    if (n === null) throw new RrdError('ERR_RRD_BAD_OPTION', `dimension ${JSON.stringify(this.dims[d].id)} name: ${describeValue(name)} is not accepted; accepted: a non-empty string`);
    if (n === this.dims[d].name) return;
    const dims = this.dims.slice();
    dims[d] = this.owner.dimensionName(dims[d].id, n);
    this.dims = dims;
    this.namesVersion = nextNamesVersion();
  }

  /** Changes algorithm, multiplier, divisor or flags of a dimension. */
  updateDimension(dim: number | string, update: DimensionUpdate): void {
    const d = this.resolveDimension(dim);
    const s = this.slab;
    const what = `dimension ${JSON.stringify(this.dims[d].id)}`;
    if (update.algorithm !== undefined) {
      const a = algorithmCode(update.algorithm, `${what} algorithm`);
      if (a !== s.algorithm[d]) {
        s.algorithm[d] = a;
        // Formatters may derive names from the algorithm (remote write `_total`).
        this.namesVersion = nextNamesVersion();
      }
    }
    if (update.multiplier !== undefined) s.multiplier[d] = checkFactor(update.multiplier, `${what} multiplier`);
    if (update.divisor !== undefined) s.divisor[d] = checkFactor(update.divisor, `${what} divisor`) || 1;
    const setFlag = (on: boolean | undefined, bit: number, key: string) => {
      if (optionalBoolean(on, `${what} ${key}`, (s.flags[d] & bit) !== 0)) s.flags[d] |= bit;
      else s.flags[d] &= ~bit;
    };
    setFlag(update.hidden, DIM_FLAG_HIDDEN, 'hidden');
    setFlag(update.obsolete, DIM_FLAG_OBSOLETE, 'obsolete');
    if (update.detectResets !== undefined) setFlag(!update.detectResets, DIM_FLAG_DONT_DETECT_RESETS, 'detectResets');
    this.heterogeneousCache = null;
  }

  /** A snapshot of one dimension. */
  dimensionInfo(dim: number | string): DimensionInfo {
    const d = this.resolveDimension(dim);
    const s = this.slab;
    return {
      index: d,
      id: this.dims[d].id,
      name: this.dims[d].name,
      algorithm: ALGORITHM_NAMES[s.algorithm[d]],
      multiplier: s.multiplier[d],
      divisor: s.divisor[d],
      hidden: (s.flags[d] & DIM_FLAG_HIDDEN) !== 0,
      obsolete: (s.flags[d] & DIM_FLAG_OBSOLETE) !== 0,
      collectionsCounter: s.collectionsCounter[d],
      lastCollectedValue: s.lastCollectedValue[d],
      lastCollectedTime: s.lastCollectedTime[d],
      lastCollectedUsec: s.lastCollectedUsec[d],
    };
  }

  /** last_collected_time in milliseconds (tv_sec·1000 + tv_usec/1000), as remote write sends it (SPEC §4.6). */
  lastCollectedTimeMs(d: number): number {
    return this.slab.lastCollectedTime[d] * 1000 + Math.floor(this.slab.lastCollectedUsec[d] / 1000);
  }

  // ---- collection ------------------------------------------------------------------------------------------------

  /**
   * Sets a dimension's collected value for the current cycle (netdata rrddim_set). `value` is a signed
   * 64-bit integer: a bigint, or a safe-integer number. `timeUs` (default: now) is when it was collected.
   */
  set(dim: number | string, value: bigint | number, timeUs?: number): void {
    const d = this.resolveDimension(dim);
    const v = toInt64(value, () => `chart ${JSON.stringify(this.id)} dimension ${JSON.stringify(this.dims[d].id)} value`);
    const t = timeUs === undefined ? Date.now() * 1000 : checkTimeUs(timeUs, () => `chart ${JSON.stringify(this.id)} set() timeUs`);
    const s = this.slab;
    s.collectedValue[d] = v;
    s.flags[d] |= DIM_FLAG_UPDATED;
    s.collectionsCounter[d]++;
    s.lastCollectedTime[d] = Math.floor(t / USEC_PER_SEC);
    s.lastCollectedUsec[d] = t % USEC_PER_SEC;
    const maxClass = s.maxClass;
    if (maxClass[d] < 3) {
      const w = widthClass(v);
      if (w > maxClass[d]) maxClass[d] = w;
    }
  }

  /**
   * Completes the collection cycle at `timeUs` (default: now): stores a point at every multiple of
   * update_every since the last stored one (SPEC §1.5). Dimensions not set in this cycle get empty slots.
   */
  done(timeUs?: number): CycleResult {
    const t = timeUs === undefined ? Date.now() * 1000 : checkTimeUs(timeUs, () => `chart ${JSON.stringify(this.id)} done() timeUs`);
    // The set-up phase (adding dimensions) is over by the first cycle: give back unused capacity.
    if (this.counterDone === 0 && this.slab.capacity > this.slab.dims) this.compact();
    return completeCycle(this, t, this.kernel);
  }

  /** Forgets the ring and the collection timing (netdata rrdset_reset). */
  reset(): void {
    resetChart(this);
  }

  /**
   * Loads a saved ring and per-dimension state, as netdata's map/save memory modes do from disk. The next
   * done() fills the time since `lastUpdated` with empty slots and does not store (SPEC §1.5).
   */
  restore(state: RestoreState): void {
    if (this.slab.capacity > this.slab.dims) this.compact();
    restoreChart(this, state);
  }

  /** Shrinks the storage to exactly the current dimensions. */
  compact(): void {
    const s = this.slab;
    if (s.capacity !== s.dims) this.slab = s.resized(s.dims, s.dims);
  }

  /** Bytes of typed-array storage this chart holds. */
  get storageBytes(): number {
    return this.slab.buffer.byteLength;
  }
}

export type { RestoreState };
