// LineFormatter: drives the kernel over whole charts (one kernel call per chart in the common case),
// owns the plan caches, grows the output and frames batched OpenTSDB HTTP requests.
import { kernel as activeKernel } from '../kernels';
import {
  FMT_BATCH, FMT_IO_AFTER, FMT_IO_APPENDED, FMT_IO_BEFORE, FMT_IO_DIM, FMT_IO_LENGTH, FMT_IO_MAX_BYTES,
  FMT_IO_MAX_POINTS, FMT_IO_NEED, FMT_IO_POS, FMT_IO_REC_COUNT, FMT_IO_REQ_BYTES, FMT_IO_REQ_POINTS, FMT_IO_SINCE,
  FMT_MODE_COLLECTED, FMT_MODE_MASK, FMT_STATUS_DONE, FMT_STATUS_OUT_FULL, FMT_STATUS_RECORDS_FULL,
  FMT_STATUS_REQUEST_FULL, Kernel, META_DIMS, META_ENTRIES, META_LENGTH,
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

  /** Host-tag words dropped in batched OpenTSDB HTTP mode (not `key=value`), for the exporter to log. */
  get droppedTags(): readonly string[] {
    return this.segments.droppedTags;
  }
}

const MAX_HOST_CONTEXTS = 4096;

export class LineFormatter {
  private opts: ResolvedFormatOptions;
  private hosts = new Map<string, HostFormat>();
  private readonly io = new Float64Array(FMT_IO_LENGTH);

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
    return h;
  }

  /**
   * Appends the lines of every dimension of `chart` for the window [after, before] (SPEC §3.1, §4) to `out`
   * and returns how many metrics were appended (SPEC §7 row 22). Dimensions whose last collection is older
   * than `since` are skipped (SPEC §5.8; default `after`; -Infinity formats every dimension, as the vectors do).
   */
  formatChart(host: HostFormat, chart: ChartView, after: number, before: number, out: FormatBuffer, since: number = after): number {
    if (host.options !== this.opts) throw new FormatError('ERR_FORMAT_OPTION', `the HostFormat for '${host.hostname}' was made under other options; get a fresh one from LineFormatter.host()`);
    if (!Number.isSafeInteger(after) || !Number.isSafeInteger(before)) {
      throw new FormatError('ERR_FORMAT_WINDOW', `window after=${after} before=${before} is not accepted: both must be whole seconds (safe integers)`);
    }
    if (typeof since !== 'number' || Number.isNaN(since)) {
      throw new FormatError('ERR_FORMAT_WINDOW', `since=${String(since)} is not accepted: a number of seconds, or -Infinity to format every dimension`);
    }
    const plan = host.planFor(chart);
    checkChart(chart, plan);
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
      out.length = io[FMT_IO_POS] as number;
      out.openPoints = io[FMT_IO_REQ_POINTS] as number;
      out.openBytes = io[FMT_IO_REQ_BYTES] as number;
      out.requestCount = io[FMT_IO_REC_COUNT] as number;
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
