// Prometheus remote write (SPEC §4.6, §5.13): one iteration's hosts and charts → protobuf WriteRequests,
// each snappy-compressed, ready for the send queue as HTTP request bodies.
//
// What the reference sent, and what is kept or fixed here (SPEC §7 rows 2, 4, 23; issue 5):
// - metric names and label sanitising as the reference: `<prefix>_<context>` (+ `_<dim>` for heterogeneous
//   charts in as-collected mode), `<prefix>_<context><units>_average` / `<prefix>_<context>_sum`; the label
//   values through prom-label, WITHOUT its backslash escapes by default (SPEC §7 row 4: they are a text-format
//   escape that protobuf carries literally, so a receiver stored `quote\\"d`); `labelEscapes: true` restores them;
// - labels SORTED by name (strict receivers refuse unsorted labels), each present once, `__name__` first;
//   labels with an empty value are left out (to Prometheus an empty value is the same as no label);
// - average/sum send the COMPUTED value at the reported timestamp × 1000 (§7 row 2: the reference sent the
//   last collected value and time); as-collected sends the last collected value at its collection time in
//   milliseconds;
// - `netdata_info` and `netdata_host_tags_info` per host, sample 1 at the time of formatting (ms);
// - large iterations are split into requests of at most `maxRequestBytes` uncompressed bytes and
//   `maxSeriesPerRequest` series, cut between series (a WriteRequest is a plain list of series).
import { kernel as activeKernel } from '../kernels';
import type { NumericKernel } from '../kernels/types';
import { META_DIMS, META_ENTRIES, META_LENGTH } from '../kernels/types';
import { isIncrementalAlgorithm } from '../rrd/algorithm';
import { DIM_FLAG_OBSOLETE } from '../rrd/chart-slab';
import { delimitedSize, int64Size, isDefaultDouble, ProtobufWriter, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './protobuf';
import { RemoteWriteError, showOption } from './remote-write-errors';
import { metricName, parseHostTags, promLabel, promName, promUnits } from './remote-write-names';
import { maxCompressedLength, snappyCompress } from './snappy';

export type RemoteWriteSource = 'as-collected' | 'average' | 'sum';

export interface RemoteWriteOptions {
  /** SPEC §5.3 data source. */
  source: RemoteWriteSource;
  /** `[backend] prefix`, not sanitised (SPEC §4.6). */
  prefix: string;
  /** `send names instead of ids` (chart and dimension labels). */
  sendNames: boolean;
  /** Reference prom-label escapes in label values (default false, SPEC §7 row 4: protobuf needs no escaping). */
  labelEscapes?: boolean;
  /** `_total` on counters (incremental algorithms) in as-collected mode (default false: reference naming). */
  counterSuffix?: boolean;
  /** Uncompressed WriteRequest bytes per request: 1 KiB .. 64 MiB, default 1 MiB. */
  maxRequestBytes?: number;
  /** Series per request: 1 .. 1,000,000, default 2000 (Prometheus' own max_samples_per_send). */
  maxSeriesPerRequest?: number;
}

export interface ResolvedRemoteWriteOptions {
  readonly source: RemoteWriteSource;
  readonly prefix: string;
  readonly sendNames: boolean;
  readonly labelEscapes: boolean;
  readonly counterSuffix: boolean;
  readonly maxRequestBytes: number;
  readonly maxSeriesPerRequest: number;
}

/** What the encoder reads of a chart (lib/rrd's RrdChart has all of it; SPEC §1.8 remote write row). */
export interface RemoteWriteChart {
  readonly id: string;
  readonly name: string | null;
  readonly family: string;
  readonly context: string;
  readonly units: string;
  readonly ring: Uint32Array;
  /** META_* layout of lib/kernels/types.ts. */
  readonly meta: Float64Array;
  readonly lastCollectedValue: BigInt64Array;
  /** last_collected_time tv_sec and tv_usec per dimension. */
  readonly lastCollectedTime: Float64Array;
  readonly lastCollectedUsec: Uint32Array;
  readonly collectionsCounter: Float64Array;
  /** ALGORITHM_* codes of lib/rrd/algorithm.ts. */
  readonly algorithm: Uint8Array;
  /** DIM_FLAG_* bits of lib/rrd/chart-slab.ts (OBSOLETE is read). */
  readonly dimensionFlags: Uint8Array;
  readonly dimensions: ReadonlyArray<{ readonly id: string; readonly name: string | null }>;
  /** Dimensions differ in algorithm, |multiplier| or |divisor| (SPEC §4.6). */
  readonly heterogeneous: boolean;
  /** Changes whenever a name, id, algorithm or the dimension list changes. */
  readonly namesVersion: number;
}

/** A host as the encoder needs it. */
export interface RemoteWriteHost {
  /** The name printed: `[backend] hostname` for localhost, the child's own hostname otherwise (SPEC §4). */
  readonly hostname: string;
  /** Host tags, null or "" for none. */
  readonly tags: string | null;
  readonly programName: string;
  readonly programVersion: string;
}

/** One iteration's output: compressed request bodies back to back. */
export interface RemoteWriteBatch {
  /** The bodies (raw snappy blocks), back to back. */
  readonly data: Buffer;
  /** Triples (start, end, points) into `data`, one per request: the layout SendQueue.pushRecords takes. */
  readonly records: Float64Array;
  /** Requests. */
  readonly count: number;
  /** Dimension samples (the metrics of SPEC §5.15; host-info series are not counted). */
  readonly metrics: number;
  /** All series, host info included. */
  readonly series: number;
  /** Serialized WriteRequest bytes before compression. */
  readonly uncompressedBytes: number;
  /** As-collected dimensions not collected since `after` (SPEC §4.6 "counted as skipped"). */
  readonly skipped: number;
}

const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_MAX_SERIES = 2000;

function bad(key: string, v: unknown, accepted: string): RemoteWriteError {
  return new RemoteWriteError('ERR_REMOTE_WRITE_OPTION', `remote write option '${key}' = ${showOption(v)} is not accepted; accepted: ${accepted}`);
}

function optBool(o: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw bad(key, v, 'true or false');
  return v;
}

function optInt(o: Record<string, unknown>, key: string, lo: number, hi: number, dflt: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(key, v, `an integer from ${lo} to ${hi}`);
  return v;
}

const KNOWN_KEYS = new Set(['source', 'prefix', 'sendNames', 'labelEscapes', 'counterSuffix', 'maxRequestBytes', 'maxSeriesPerRequest']);

export function resolveRemoteWriteOptions(o: RemoteWriteOptions): ResolvedRemoteWriteOptions {
  if (o === null || typeof o !== 'object') throw bad('options', o, 'an object { source, prefix, sendNames, ... }');
  const rec = o as unknown as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (!KNOWN_KEYS.has(k)) throw bad(k, rec[k], `one of the keys ${[...KNOWN_KEYS].join(', ')}`);
  if (o.source !== 'as-collected' && o.source !== 'average' && o.source !== 'sum') throw bad('source', o.source, 'as-collected, average, sum');
  if (typeof o.prefix !== 'string') throw bad('prefix', o.prefix, 'a string');
  if (typeof o.sendNames !== 'boolean') throw bad('sendNames', o.sendNames, 'true or false');
  return Object.freeze({
    source: o.source,
    prefix: o.prefix,
    sendNames: o.sendNames,
    labelEscapes: optBool(rec, 'labelEscapes', false),
    counterSuffix: optBool(rec, 'counterSuffix', false),
    maxRequestBytes: optInt(rec, 'maxRequestBytes', 1024, 64 * 1024 * 1024, DEFAULT_MAX_REQUEST_BYTES),
    maxSeriesPerRequest: optInt(rec, 'maxSeriesPerRequest', 1, 1_000_000, DEFAULT_MAX_SERIES),
  });
}

/** A TimeSeries `labels` field (field 1) holding Label{name, value}, or null for an empty value. */
export function labelField(name: string, value: string): Buffer | null {
  if (value === '') return null;
  const n = Buffer.from(name, 'utf8');
  const v = Buffer.from(value, 'utf8');
  const inner = delimitedSize(n.length) + delimitedSize(v.length);
  const w = new ProtobufWriter(delimitedSize(inner));
  w.key(1, WIRE_LENGTH_DELIMITED);
  w.varint(inner);
  w.bytesField(1, n);
  w.bytesField(2, v);
  return Buffer.from(w.view());
}

/** Per-host constant parts: the instance label and the host-info series' labels (sorted). */
export class RemoteWriteHostContext {
  readonly instance: Buffer;
  readonly infoLabels: Buffer[];
  /** null when the host has no tags. */
  readonly tagLabels: Buffer[] | null;
  /** Tag pairs the parser left out (for a log line). */
  readonly droppedTags: readonly string[];

  constructor(host: RemoteWriteHost, escapes: boolean) {
    const inst = promLabel(host.hostname, escapes);
    const instance = labelField('instance', inst);
    if (instance === null) throw new RemoteWriteError('ERR_REMOTE_WRITE_OPTION', `host name ${showOption(host.hostname)} is not accepted: the instance label would be empty`);
    this.instance = instance;
    this.infoLabels = sortedFields([
      ['__name__', 'netdata_info'],
      ['application', host.programName],
      ['instance', inst],
      ['version', host.programVersion],
    ]);
    const tags = parseHostTags(host.tags);
    this.droppedTags = tags.dropped;
    this.tagLabels = host.tags === null || host.tags === '' ? null
      : sortedFields([['__name__', 'netdata_host_tags_info'], ['instance', inst], ...tags.labels]);
  }
}

/** Label fields sorted by name (byte order; every name here is ASCII), empty values left out. */
function sortedFields(pairs: Array<[string, string]>): Buffer[] {
  return pairs
    .slice()
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([n, v]) => labelField(n, v))
    .filter((f): f is Buffer => f !== null);
}

/** Per-chart constant parts, rebuilt when names, algorithms or the dimension list change. */
interface ChartPlan {
  version: number;
  dims: number;
  heterogeneous: boolean;
  chart: Buffer | null;
  family: Buffer | null;
  /** `__name__` per dimension. */
  names: Buffer[];
  /** `dimension` per dimension, null where the series has none (heterogeneous as-collected). */
  dimLabels: Array<Buffer | null>;
}

/**
 * Encodes iterations. Usage (the exporter slices the work as it likes between the calls):
 *   enc.beginIteration(after, before, nowMs);
 *   for each host passing the host filter: ctx = enc.addHost(host); for each chart passing the chart filter:
 *     enc.addChart(ctx, chart);
 *   batch = enc.finishIteration();
 */
export class RemoteWriteEncoder {
  readonly options: ResolvedRemoteWriteOptions;
  private readonly kernel: NumericKernel;
  private readonly w = new ProtobufWriter(256 * 1024);
  private readonly plans = new WeakMap<RemoteWriteChart, ChartPlan>();
  private readonly hosts = new Map<string, RemoteWriteHostContext>();
  private values = new Float64Array(64);
  private readonly fields: Array<Buffer | null> = [];

  private open = false;
  private after = 0;
  private before = 0;
  private nowMs = 0;
  /** Uncompressed request boundaries (end offsets) and their points. */
  private reqEnds: number[] = [];
  private reqPoints: number[] = [];
  private reqStart = 0;
  private reqSeries = 0;
  private points = 0;
  private metrics = 0;
  private series = 0;
  private skipped = 0;
  /** The compressor of the last iteration while it still reads the writer's buffer. */
  private compressing: RemoteWriteCompressor | null = null;
  /** Plans built (for tests of the cache). */
  plansBuilt = 0;

  constructor(options: RemoteWriteOptions, kernel: NumericKernel = activeKernel) {
    this.options = resolveRemoteWriteOptions(options);
    this.kernel = kernel;
  }

  beginIteration(after: number, before: number, nowMs: number): void {
    if (this.compressing !== null) {
      throw new RemoteWriteError('ERR_REMOTE_WRITE_STATE', 'beginIteration() was called while the previous iteration is still being compressed; finish or abandon() its compressor first');
    }
    if (!Number.isSafeInteger(after) || !Number.isSafeInteger(before)) {
      throw new RemoteWriteError('ERR_REMOTE_WRITE_OPTION', `window after=${after} before=${before} is not accepted: both must be whole seconds (safe integers)`);
    }
    if (!Number.isSafeInteger(nowMs)) throw new RemoteWriteError('ERR_REMOTE_WRITE_OPTION', `nowMs=${nowMs} is not accepted: milliseconds since the epoch (a safe integer)`);
    this.w.reset();
    this.reqEnds = [];
    this.reqPoints = [];
    this.reqStart = 0;
    this.reqSeries = 0;
    this.points = 0;
    this.metrics = 0;
    this.series = 0;
    this.skipped = 0;
    this.after = after;
    this.before = before;
    this.nowMs = nowMs;
    this.open = true;
  }

  /** Writes the host-info series of a host and returns its context for addChart(). */
  addHost(host: RemoteWriteHost): RemoteWriteHostContext {
    this.checkOpen('addHost');
    const key = `${host.hostname}\u0000${host.tags ?? ''}\u0000${host.programName}\u0000${host.programVersion}`;
    let ctx = this.hosts.get(key);
    if (ctx === undefined) {
      if (this.hosts.size >= 4096) this.hosts.clear();
      ctx = new RemoteWriteHostContext(host, this.options.labelEscapes);
      this.hosts.set(key, ctx);
    }
    this.writeSeries(ctx.infoLabels, 1, this.nowMs, 0);
    if (ctx.tagLabels !== null) this.writeSeries(ctx.tagLabels, 1, this.nowMs, 0);
    return ctx;
  }

  /** Writes the series of one chart; returns the dimension samples written. */
  addChart(host: RemoteWriteHostContext, chart: RemoteWriteChart): number {
    this.checkOpen('addChart');
    const plan = this.planFor(chart);
    checkChart(chart, plan.dims, this.options.source !== 'as-collected');
    const cc = chart.collectionsCounter;
    const flags = chart.dimensionFlags;
    const f = this.fields;
    let written = 0;
    if (this.options.source === 'as-collected') {
      const t = chart.lastCollectedTime;
      const us = chart.lastCollectedUsec;
      const v = chart.lastCollectedValue;
      for (let d = 0; d < plan.dims; d++) {
        if (cc[d] === 0 || (flags[d]! & DIM_FLAG_OBSOLETE) !== 0) continue;
        if (t[d]! < this.after) {
          this.skipped++;
          continue;
        }
        // SPEC §4.6: timeval_msec of last_collected_time; the value as a double (int64 → nearest double).
        const ms = t[d]! * 1000 + Math.floor(us[d]! / 1000);
        this.fillFields(f, plan, d, host);
        this.writeSeries(f, Number(v[d]!), ms, 1);
        written++;
      }
    } else {
      if (this.values.length < plan.dims) this.values = new Float64Array(Math.max(plan.dims, this.values.length * 2));
      const values = this.values;
      const reported = this.kernel.storedValuesInto(chart.ring, chart.meta, this.after, this.before, this.options.source, values);
      if (Number.isNaN(reported)) return 0;
      const ms = reported * 1000;
      for (let d = 0; d < plan.dims; d++) {
        if (cc[d] === 0 || (flags[d]! & DIM_FLAG_OBSOLETE) !== 0) continue;
        const value = values[d]!;
        if (!Number.isFinite(value)) continue;
        this.fillFields(f, plan, d, host);
        this.writeSeries(f, value, ms, 1);
        written++;
      }
    }
    this.metrics += written;
    return written;
  }

  /** Closes the iteration: compresses every request in one step and returns them for the send queue. */
  finishIteration(): RemoteWriteBatch {
    const c = this.closeIteration();
    while (c.step()) { /* one request per step */ }
    return c.result();
  }

  /**
   * Closes the iteration and returns a compressor that compresses ONE request per step(), so a caller can
   * yield to the event loop between requests (issue 8: a 100k-dimension pass compressed in one step blocked
   * the loop 33-211 ms). Until the compressor finishes or is abandoned, beginIteration() is refused: the
   * requests are still read from the writer's buffer.
   */
  closeIteration(): RemoteWriteCompressor {
    this.checkOpen('finishIteration');
    this.open = false;
    this.closeRequest();
    const raw = this.w.view();
    const ends = this.reqEnds;
    const count = ends.length;
    let bound = 0;
    let start = 0;
    for (let i = 0; i < count; i++) {
      bound += maxCompressedLength(ends[i]! - start);
      start = ends[i]!;
    }
    const c = new RemoteWriteCompressor(raw, ends, this.reqPoints, Buffer.allocUnsafe(bound), {
      metrics: this.metrics, series: this.series, skipped: this.skipped,
    }, () => { if (this.compressing === c) this.compressing = null; });
    this.compressing = count > 0 ? c : null;
    return c;
  }

  /** Convenience: one whole iteration over `hosts` (each with the charts to send, filters applied). */
  encode(hosts: Iterable<{ host: RemoteWriteHost; charts: Iterable<RemoteWriteChart> }>, after: number, before: number, nowMs: number): RemoteWriteBatch {
    this.beginIteration(after, before, nowMs);
    for (const h of hosts) {
      const ctx = this.addHost(h.host);
      for (const c of h.charts) this.addChart(ctx, c);
    }
    return this.finishIteration();
  }

  private checkOpen(what: string): void {
    if (!this.open) throw new RemoteWriteError('ERR_REMOTE_WRITE_STATE', `${what}() was called outside an iteration; call beginIteration() first`);
  }

  private fillFields(f: Array<Buffer | null>, plan: ChartPlan, d: number, host: RemoteWriteHostContext): void {
    // Sorted by name: __name__ < chart < dimension < family < instance (SPEC §7 row 4 fix).
    f.length = 5;
    f[0] = plan.names[d]!;
    f[1] = plan.chart;
    f[2] = plan.dimLabels[d]!;
    f[3] = plan.family;
    f[4] = host.instance;
  }

  private planFor(chart: RemoteWriteChart): ChartPlan {
    const dims = chart.dimensions.length;
    const het = this.options.source === 'as-collected' && chart.heterogeneous;
    const p = this.plans.get(chart);
    if (p !== undefined && p.version === chart.namesVersion && p.dims === dims && p.heterogeneous === het) return p;
    const o = this.options;
    const esc = o.labelEscapes;
    const context = promName(chart.context);
    const names: Buffer[] = [];
    const dimLabels: Array<Buffer | null> = [];
    for (let d = 0; d < dims; d++) {
      const dim = chart.dimensions[d]!;
      const dimName = o.sendNames && dim.name !== null ? dim.name : dim.id;
      let name: string;
      if (o.source === 'as-collected') {
        const suffix = o.counterSuffix && isIncrementalAlgorithm(chart.algorithm[d]!) ? '_total' : '';
        name = het ? metricName(o.prefix, '_', context, '_', promName(dimName), suffix) : metricName(o.prefix, '_', context, suffix);
      } else if (o.source === 'average') {
        name = metricName(o.prefix, '_', context, promUnits(chart.units), '_average');
      } else {
        name = metricName(o.prefix, '_', context, '_sum');
      }
      names.push(labelField('__name__', name)!);
      dimLabels.push(het ? null : labelField('dimension', promLabel(dimName, esc)));
    }
    const plan: ChartPlan = {
      version: chart.namesVersion,
      dims,
      heterogeneous: het,
      chart: labelField('chart', promLabel(o.sendNames && chart.name !== null ? chart.name : chart.id, esc)),
      family: labelField('family', promLabel(chart.family, esc)),
      names,
      dimLabels,
    };
    this.plans.set(chart, plan);
    this.plansBuilt++;
    return plan;
  }

  /** Appends one TimeSeries (labels already sorted) with one sample; `points` is 1 for dimension samples. */
  private writeSeries(labels: ReadonlyArray<Buffer | null>, value: number, tsMs: number, points: number): void {
    let labelBytes = 0;
    for (const l of labels) if (l !== null) labelBytes += l.length;
    const sampleLen = (isDefaultDouble(value) ? 0 : 9) + (tsMs !== 0 ? 1 + int64Size(tsMs) : 0);
    const tsLen = labelBytes + delimitedSize(sampleLen);
    const total = delimitedSize(tsLen);
    const o = this.options;
    if (this.reqSeries > 0 && (this.w.pos - this.reqStart + total > o.maxRequestBytes || this.reqSeries >= o.maxSeriesPerRequest)) {
      this.closeRequest();
    }
    const w = this.w;
    w.ensure(total);
    w.key(1, WIRE_LENGTH_DELIMITED);
    w.varint(tsLen);
    for (const l of labels) {
      if (l === null) continue;
      w.buf.set(l, w.pos);
      w.pos += l.length;
    }
    w.key(2, WIRE_LENGTH_DELIMITED);
    w.varint(sampleLen);
    if (!isDefaultDouble(value)) {
      w.key(1, WIRE_FIXED64);
      w.double(value);
    }
    if (tsMs !== 0) {
      w.key(2, WIRE_VARINT);
      w.int64(tsMs);
    }
    this.reqSeries++;
    this.series++;
    this.points += points;
  }

  private closeRequest(): void {
    if (this.reqSeries === 0) return;
    this.reqEnds.push(this.w.pos);
    this.reqPoints.push(this.points);
    this.reqStart = this.w.pos;
    this.reqSeries = 0;
    this.points = 0;
  }
}

/** Compresses a closed iteration's requests one at a time (RemoteWriteEncoder.closeIteration()). */
export class RemoteWriteCompressor {
  private next = 0;
  private at = 0;
  private start = 0;
  private released = false;
  private readonly records: Float64Array;

  constructor(
    private readonly raw: Buffer,
    private readonly ends: readonly number[],
    private readonly points: readonly number[],
    private readonly out: Buffer,
    private readonly totals: { metrics: number; series: number; skipped: number },
    private readonly release: () => void,
  ) {
    this.records = new Float64Array(3 * ends.length);
    // Nothing to compress: born finished, without calling back into an encoder that is still building it.
    if (ends.length === 0) this.released = true;
  }

  /** Requests in the iteration. */
  get count(): number { return this.ends.length; }

  /** Requests compressed so far. */
  get done(): number { return this.next; }

  /** Compresses the next request; false once none is left. */
  step(): boolean {
    if (this.released && this.next < this.ends.length) {
      throw new RemoteWriteError('ERR_REMOTE_WRITE_STATE', 'step() was called on an abandoned compressor');
    }
    if (this.next >= this.ends.length) return false;
    const i = this.next;
    const end = this.ends[i]!;
    const body = snappyCompress(this.raw.subarray(this.start, end), this.out, this.at);
    this.records[3 * i] = this.at;
    this.records[3 * i + 1] = this.at + body.length;
    this.records[3 * i + 2] = this.points[i]!;
    this.at += body.length;
    this.start = end;
    this.next++;
    if (this.next === this.ends.length) this.finish();
    return this.next < this.ends.length;
  }

  /** The batch; every request must have been compressed. */
  result(): RemoteWriteBatch {
    if (this.next < this.ends.length) {
      throw new RemoteWriteError('ERR_REMOTE_WRITE_STATE', `result() was called after ${this.next} of ${this.ends.length} requests were compressed; call step() until it returns false`);
    }
    return {
      data: this.out.subarray(0, this.at),
      records: this.records,
      count: this.ends.length,
      metrics: this.totals.metrics,
      series: this.totals.series,
      uncompressedBytes: this.raw.length,
      skipped: this.totals.skipped,
    };
  }

  /** Gives the encoder back without finishing (an aborted pass: nothing will be sent). */
  abandon(): void { this.finish(); }

  private finish(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }
}

function checkChart(chart: RemoteWriteChart, dims: number, stored: boolean): void {
  const meta = chart.meta;
  const bad = (what: string): RemoteWriteError => new RemoteWriteError('ERR_REMOTE_WRITE_CHART', `chart '${chart.id}' cannot be encoded: ${what}`);
  if (meta.length < META_LENGTH) throw bad(`meta has ${meta.length} numbers, the META_* layout needs ${META_LENGTH}`);
  if (meta[META_DIMS] !== dims) throw bad(`meta[META_DIMS] = ${meta[META_DIMS]} but the chart lists ${dims} dimensions`);
  for (const [name, arr] of [['lastCollectedTime', chart.lastCollectedTime], ['lastCollectedUsec', chart.lastCollectedUsec],
    ['lastCollectedValue', chart.lastCollectedValue], ['collectionsCounter', chart.collectionsCounter],
    ['algorithm', chart.algorithm], ['dimensionFlags', chart.dimensionFlags]] as const) {
    if (arr.length < dims) throw bad(`${name} has ${arr.length} entries for ${dims} dimensions`);
  }
  if (stored) {
    const entries = meta[META_ENTRIES]!;
    if (chart.ring.length < dims * entries) throw bad(`ring has ${chart.ring.length} slots, ${dims} dimensions × ${entries} entries need ${dims * entries}`);
  }
}
