// LineFormatter: drives the kernel over whole charts (one kernel call per chart in the common case),
// owns the plan caches, grows the output and frames batched OpenTSDB HTTP requests.
import { kernel as activeKernel } from '../kernels';
import {
  FMT_BATCH, FMT_IO_AFTER, FMT_IO_APPENDED, FMT_IO_BEFORE, FMT_IO_CHART, FMT_IO_DIM, FMT_IO_MAX_BYTES,
  FMT_IO_MAX_POINTS, FMT_IO_NEED, FMT_IO_POS, FMT_IO_REC_COUNT, FMT_IO_REQ_BYTES, FMT_IO_REQ_POINTS, FMT_IO_SINCE,
  FMT_IO_STOP_AT, FMT_MODE_COLLECTED, FMT_MODE_MASK, FMT_SLABS_IO_LENGTH, FMT_STATUS_BAD_INPUT, FMT_STATUS_DONE,
  FMT_STATUS_OUT_FULL, FMT_STATUS_RECORDS_FULL, FMT_STATUS_REQUEST_FULL, FMT_STATUS_STOPPED, Kernel, META_DIMS,
  META_ENTRIES, META_LENGTH,
} from '../kernels/types';
import { buildChartPlan, ChartFormatPlan } from './chart-plan';
import type { ChartView } from './chart-view';
import { FormatError } from './errors';
import { FormatBuffer } from './format-buffer';
import { buildHostSegments, HostSegments } from './host-format';
import { FormatOptions, resolveFormatOptions, ResolvedFormatOptions } from './options';

/** The formatting context of one host: its constant bytes and the plans of its charts. */
export class HostFormat {
  readonly segments: HostSegments;
  private plans = new WeakMap<ChartView, ChartFormatPlan>();
  /** How many plans were (re)built: for tests and monitoring of the cache. */
  plansBuilt = 0;

  constructor(readonly options: ResolvedFormatOptions, readonly hostname: string, readonly hostTags: string | null) {
    this.segments = buildHostSegments(options, hostname, hostTags);
  }

  /** The chart's cached plan, rebuilt when its names or dimensions changed (chart.namesVersion). */
  planFor(chart: ChartView): ChartFormatPlan {
    const p = this.plans.get(chart);
    if (p !== undefined && p.namesVersion === chart.namesVersion && p.dims === chart.dimensions.length) return p;
    const fresh = buildChartPlan(this.options, this.segments, chart);
    this.plans.set(chart, fresh);
    this.plansBuilt++;
    return fresh;
  }

  // The batch path asks for plans in the host's chart order, pass after pass: the plans of the last pass in
  // that order make the next lookup an array read at `cursor` instead of a hash probe into a table of every
  // chart (issue 7: at a million dimensions those probes are cache misses). Strong references, but only to
  // the charts of the last pass: the arrays are cut to it when a pass starts again.
  private seqCharts: ChartView[] = [];
  private seqPlans: ChartFormatPlan[] = [];
  private cursor = 0;

  /** A pass over this host's charts starts (LineFormatter.host() calls it). */
  beginPass(): void {
    if (this.cursor > 0) {
      this.seqCharts.length = this.cursor;
      this.seqPlans.length = this.cursor;
    }
    this.cursor = 0;
  }

  /**
   * planFor for the batch path: the same plan, found by position when the chart comes where it came in the
   * last pass and its storage views are the ones the plan is bound to (a database that adds a dimension
   * makes new views, so the dimension count cannot have changed).
   */
  batchPlanFor(chart: ChartView): ChartFormatPlan {
    let i = this.cursor;
    if (this.seqCharts[i] !== chart && i > 0 && this.seqCharts[0] === chart) {
      // The first chart again without beginPass(): a new pass.
      this.beginPass();
      i = 0;
    }
    if (i >= SEQ_MAX) {
      this.seqCharts = [];
      this.seqPlans = [];
      i = 0;
    }
    let p = this.seqCharts[i] === chart ? this.seqPlans[i] : undefined;
    if (p === undefined || p.namesVersion !== chart.namesVersion || !p.boundTo(chart)) {
      p = this.planFor(chart);
      this.seqCharts[i] = chart;
      this.seqPlans[i] = p;
    }
    this.cursor = i + 1;
    return p;
  }

  /** A chart of the pass takes its position without a lookup (it is formatted on its own). */
  skip(): void {
    this.cursor++;
  }

  /** The last `k` batchPlanFor() lookups will be made again (their charts were not formatted). */
  rewind(k: number): void {
    this.cursor = Math.max(0, this.cursor - k);
  }

  /** Host-tag words dropped in batched OpenTSDB HTTP mode (not `key=value`), for the exporter to log. */
  get droppedTags(): readonly string[] {
    return this.segments.droppedTags;
  }
}

const MAX_HOST_CONTEXTS = 4096;
/** Positions remembered by HostFormat.batchPlanFor (a bound on what a caller that never starts a pass keeps). */
const SEQ_MAX = 1 << 21;

/**
 * Charts per native batch call (formatSlabs), and the dimensions after which a batch is closed early: a
 * call then stays well under a millisecond, so the exporter's slices stay short (issue 7).
 */
const SLAB_BATCH_CHARTS = 64;
const SLAB_BATCH_DIMS = 8192;

export interface FormatChartsOptions {
  /** Dimensions collected before this are skipped (SPEC §5.8); default `after`. */
  since?: number;
  /** Stop after the chart that brings `out.length` to at least this (the exporter's chunk size). */
  stopAt?: number;
  /** A chart that cannot be formatted is reported here and skipped; without it the error is thrown. */
  onError?: (chart: ChartView, err: unknown) => void;
}

export interface FormatChartsResult {
  /** The index of the first chart not formatted (`to` when all were). */
  next: number;
  /** Metrics appended (SPEC §7 row 22). */
  metrics: number;
  /** Charts formatted (the ones reported to onError are not counted). */
  charts: number;
}

export class LineFormatter {
  private opts: ResolvedFormatOptions;
  private hosts = new Map<string, HostFormat>();
  private readonly io = new Float64Array(FMT_SLABS_IO_LENGTH);
  // formatCharts' batch: plan and slab buffers, and the charts they belong to (reused between calls).
  private readonly items: ArrayBuffer[] = [];
  private readonly batchCharts: ChartView[] = [];

  constructor(options: FormatOptions, readonly kernel: Kernel = activeKernel) {
    this.opts = resolveFormatOptions(options);
  }

  get options(): ResolvedFormatOptions {
    return this.opts;
  }

  /**
   * Applies new options. When anything differs (format, data source, prefix, names/ids, HTTP options)
   * every cached host context and chart plan is dropped. Returns whether anything changed.
   */
  configure(options: FormatOptions): boolean {
    const next = resolveFormatOptions(options);
    if (next.key === this.opts.key) return false;
    this.opts = next;
    this.hosts.clear();
    return true;
  }

  /**
   * The context for a host (SPEC §4: `hostname` is `[backend] hostname` for localhost, the child's own name
   * otherwise). A different hostname or tags string gives a different context, so renaming a host or changing
   * its tags never reuses stale bytes.
   */
  host(hostname: string, hostTags: string | null): HostFormat {
    const key = `${hostTags === null ? '0' : '1' + hostTags.length + ':' + hostTags}\u0000${hostname}`;
    let h = this.hosts.get(key);
    if (h === undefined) {
      if (this.hosts.size >= MAX_HOST_CONTEXTS) this.hosts.clear();
      h = new HostFormat(this.opts, hostname, hostTags);
      this.hosts.set(key, h);
    }
    h.beginPass();
    return h;
  }

  /**
   * Appends the lines of every dimension of `chart` for the window [after, before] (SPEC §3.1, §4) to `out`
   * and returns how many metrics were appended (SPEC §7 row 22). Dimensions whose last collection is older
   * than `since` are skipped (SPEC §5.8; default `after`; -Infinity formats every dimension, as the vectors do).
   */
  formatChart(host: HostFormat, chart: ChartView, after: number, before: number, out: FormatBuffer, since: number = after): number {
    this.checkCall(host, after, before, since);
    return this.formatOne(host, chart, after, before, out, since);
  }

  /**
   * Formats charts[from..to) like formatChart each (same bytes), several charts per kernel call where the
   * kernel can (native, charts whose arrays share one buffer: the database's charts), and returns where it
   * stopped. This is the exporter's path (lib/exporter/format-pass.ts).
   */
  formatCharts(host: HostFormat, charts: ReadonlyArray<ChartView>, from: number, to: number, after: number, before: number,
    out: FormatBuffer, options: FormatChartsOptions = {}): FormatChartsResult {
    const since = options.since ?? after;
    const stopAt = options.stopAt ?? Infinity;
    this.checkCall(host, after, before, since);
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from <= to && to <= charts.length)) {
      throw new RangeError(`formatCharts: charts ${from}..${to} is not a range of the ${charts.length} charts given`);
    }
    const r: FormatChartsResult = { next: from, metrics: 0, charts: 0 };
    const slabs = this.kernel.formatSlabs !== undefined;
    let i = from;
    // At least one chart is formatted per call, so a caller that flushes on stopAt always makes progress.
    while (i < to) {
      // A batch of consecutive charts the native kernel can read from their buffers.
      let n = 0;
      let dims = 0;
      // batchPlanFor() lookups made in this round (n, plus one for a chart whose storage the batch cannot take).
      let looked = 0;
      const items = this.items;
      const batch = this.batchCharts;
      if (slabs) {
        while (i + n < to && n < SLAB_BATCH_CHARTS && dims < SLAB_BATCH_DIMS) {
          const chart = charts[i + n] as ChartView;
          let plan: ChartFormatPlan;
          try {
            plan = host.batchPlanFor(chart);
          } catch {
            // Formatted (and reported) on its own below when it is first; it takes its position in the
            // positional cache there, so the charts after it stay aligned.
            if (n === 0) host.skip();
            break;
          }
          looked++;
          const slab = plan.bind(chart);
          if (slab === null) break;
          items[2 * n] = plan.bytes;
          items[2 * n + 1] = slab;
          batch[n] = chart;
          dims += plan.dims;
          n++;
        }
      }
      if (n === 0) {
        const chart = charts[i++] as ChartView;
        try {
          r.metrics += this.formatOne(host, chart, after, before, out, since);
          r.charts++;
        } catch (err) {
          if (options.onError === undefined) throw err;
          options.onError(chart, err);
        }
      } else {
        const handled = this.formatBatch(host, n, after, before, out, since, stopAt, options.onError, r);
        // Stopped early (the chunk is full): the charts not reached are looked up again by the next call, at
        // the same positions, so the positional cache stays aligned with the chart order.
        if (handled < looked) host.rewind(looked - handled);
        i += handled;
        for (let k = 0; k < n; k++) batch[k] = null as unknown as ChartView; // keep no chart alive
      }
      if (out.length >= stopAt) break;
    }
    r.next = i;
    return r;
  }

  /** Runs the native batch of `n` charts (this.items / this.batchCharts); returns how many were handled. */
  private formatBatch(host: HostFormat, n: number, after: number, before: number, out: FormatBuffer, since: number,
    stopAt: number, onError: FormatChartsOptions['onError'], r: FormatChartsResult): number {
    const kernel = this.kernel as Required<Kernel>;
    const io = this.io;
    const flags = host.segments.flags;
    const batch = (flags & FMT_BATCH) !== 0;
    this.loadIo(out, after, before, since);
    io[FMT_IO_CHART] = 0;
    io[FMT_IO_STOP_AT] = stopAt;
    let failed = 0;
    for (;;) {
      if (batch && out.openPoints === 0) {
        out.openStart = out.length;
        out.openHead = host.segments;
      }
      const status = kernel.formatSlabs(flags, this.items, n, out.buf, io, out.requests);
      r.metrics += io[FMT_IO_APPENDED] as number;
      this.storeIo(out);
      // DONE / STOPPED: charts [0, chart) are handled; otherwise chart `chart` is where the kernel stopped.
      const chart = io[FMT_IO_CHART] as number;
      switch (status) {
        case FMT_STATUS_DONE:
        case FMT_STATUS_STOPPED:
          r.charts += chart - failed;
          return chart;
        case FMT_STATUS_OUT_FULL:
          out.ensure(io[FMT_IO_NEED] as number);
          break;
        case FMT_STATUS_RECORDS_FULL:
          out.growRequests();
          break;
        case FMT_STATUS_REQUEST_FULL:
          this.closeRequest(out);
          io[FMT_IO_POS] = out.length;
          io[FMT_IO_REQ_POINTS] = 0;
          io[FMT_IO_REQ_BYTES] = 0;
          io[FMT_IO_REC_COUNT] = out.requestCount;
          break;
        case FMT_STATUS_BAD_INPUT: {
          // The kernel refused this chart: report it (with what is wrong, when checkChart finds it) and go on.
          const bad = this.batchCharts[chart] as ChartView;
          let err: unknown = new FormatError('ERR_FORMAT_CHART', `the ${kernel.implementation} kernel refused chart '${bad.id}' (status ${status}): its storage does not match its plan`);
          try {
            checkChart(bad, host.planFor(bad));
          } catch (e) {
            err = e;
          }
          if (onError === undefined) throw err;
          onError(bad, err);
          failed++;
          io[FMT_IO_CHART] = chart + 1;
          io[FMT_IO_DIM] = 0;
          if (chart + 1 >= n) {
            r.charts += n - failed;
            return n;
          }
          break;
        }
        default:
          throw new FormatError('ERR_FORMAT_CHART', `the ${kernel.implementation} kernel returned status ${status} for chart '${this.batchCharts[chart]?.id}'`);
      }
    }
  }

  private checkCall(host: HostFormat, after: number, before: number, since: number): void {
    if (host.options !== this.opts) throw new FormatError('ERR_FORMAT_OPTION', `the HostFormat for '${host.hostname}' was made under other options; get a fresh one from LineFormatter.host()`);
    if (!Number.isSafeInteger(after) || !Number.isSafeInteger(before)) {
      throw new FormatError('ERR_FORMAT_WINDOW', `window after=${after} before=${before} is not accepted: both must be whole seconds (safe integers)`);
    }
    if (typeof since !== 'number' || Number.isNaN(since)) {
      throw new FormatError('ERR_FORMAT_WINDOW', `since=${String(since)} is not accepted: a number of seconds, or -Infinity to format every dimension`);
    }
  }

  private loadIo(out: FormatBuffer, after: number, before: number, since: number): void {
    const io = this.io;
    io[FMT_IO_POS] = out.length;
    io[FMT_IO_DIM] = 0;
    io[FMT_IO_APPENDED] = 0;
    io[FMT_IO_SINCE] = since;
    io[FMT_IO_AFTER] = after;
    io[FMT_IO_BEFORE] = before;
    io[FMT_IO_MAX_POINTS] = this.opts.http.maxPoints;
    io[FMT_IO_MAX_BYTES] = this.opts.http.maxBytes;
    io[FMT_IO_REQ_POINTS] = out.openPoints;
    io[FMT_IO_REQ_BYTES] = out.openBytes;
    io[FMT_IO_REC_COUNT] = out.requestCount;
  }

  private storeIo(out: FormatBuffer): void {
    const io = this.io;
    out.length = io[FMT_IO_POS] as number;
    out.openPoints = io[FMT_IO_REQ_POINTS] as number;
    out.openBytes = io[FMT_IO_REQ_BYTES] as number;
    out.requestCount = io[FMT_IO_REC_COUNT] as number;
  }

  /** One chart, one kernel call (after checkCall). */
  private formatOne(host: HostFormat, chart: ChartView, after: number, before: number, out: FormatBuffer, since: number): number {
    const plan = host.planFor(chart);
    checkChart(chart, plan);
    const io = this.io;
    this.loadIo(out, after, before, since);
    const batch = (plan.flags & FMT_BATCH) !== 0;
    let appended = 0;
    for (;;) {
      if (batch && out.openPoints === 0) {
        out.openStart = out.length;
        out.openHead = host.segments;
      }
      const status = this.kernel.formatChart(plan.flags, plan.tpl, plan.idx, chart.ring, chart.meta,
        chart.lastCollectedValue, chart.lastCollectedTime, out.buf, io, out.requests);
      appended += io[FMT_IO_APPENDED] as number;
      this.storeIo(out);
      switch (status) {
        case FMT_STATUS_DONE:
          return appended;
        case FMT_STATUS_OUT_FULL:
          out.ensure(io[FMT_IO_NEED] as number);
          break;
        case FMT_STATUS_RECORDS_FULL:
          out.growRequests();
          break;
        case FMT_STATUS_REQUEST_FULL:
          this.closeRequest(out);
          io[FMT_IO_POS] = out.length;
          io[FMT_IO_REQ_POINTS] = 0;
          io[FMT_IO_REQ_BYTES] = 0;
          io[FMT_IO_REC_COUNT] = out.requestCount;
          break;
        default:
          throw new FormatError('ERR_FORMAT_CHART', `the ${this.kernel.implementation} kernel refused chart '${chart.id}' (status ${status}): its ring, meta and per-dimension arrays do not match each other`);
      }
    }
  }

  /**
   * Closes the batched OpenTSDB HTTP request still being filled (call after the last chart of an iteration,
   * before sending). No-op for other formats.
   */
  finish(out: FormatBuffer): void {
    this.closeRequest(out);
  }

  private closeRequest(out: FormatBuffer): void {
    if (out.openPoints === 0) return;
    out.ensure(1);
    out.buf[out.length++] = 0x5d; // ']'
    const start = out.openStart;
    const seg = out.openHead;
    if (seg !== null && seg.reqHead.length > 0) {
      // The Content-Length is only known now: write the head and move the body behind it (≤ maxBytes).
      const head = Buffer.concat([seg.reqHead, Buffer.from(String(out.openBytes + 1), 'latin1'), seg.reqSep]);
      out.ensure(head.length);
      out.buf.copyWithin(start + head.length, start, out.length);
      head.copy(out.buf, start);
      out.length += head.length;
    }
    out.addRequest(start, out.length, out.openPoints);
    out.openPoints = 0;
    out.openBytes = 0;
    out.openHead = null;
  }
}

function checkChart(chart: ChartView, plan: ChartFormatPlan): void {
  const meta = chart.meta;
  const dims = plan.dims;
  const bad = (what: string): FormatError =>
    new FormatError('ERR_FORMAT_CHART', `chart '${chart.id}' cannot be formatted: ${what}`);
  if (meta.length < META_LENGTH) throw bad(`meta has ${meta.length} numbers, the META_* layout needs ${META_LENGTH}`);
  if (meta[META_DIMS] !== dims) throw bad(`meta[META_DIMS] = ${meta[META_DIMS]} but the chart lists ${dims} dimensions`);
  if (chart.lastCollectedTime.length < dims) throw bad(`lastCollectedTime has ${chart.lastCollectedTime.length} entries for ${dims} dimensions`);
  if ((plan.flags & FMT_MODE_MASK) === FMT_MODE_COLLECTED) {
    if (chart.lastCollectedValue.length < dims) throw bad(`lastCollectedValue has ${chart.lastCollectedValue.length} entries for ${dims} dimensions`);
  } else {
    const entries = meta[META_ENTRIES] as number;
    if (!(Number.isInteger(entries) && entries >= 0)) throw bad(`meta[META_ENTRIES] = ${entries} is not a slot count`);
    if (chart.ring.length < dims * entries) throw bad(`ring has ${chart.ring.length} slots, ${dims} dimensions × ${entries} entries need ${dims * entries}`);
  }
}
