// ChartFormatPlan: the template one kernel call formats a whole chart from (layout: FMT_* in
// lib/kernels/types.ts, stored as lib/formats/plan-layout.ts describes). Built once per chart and cached by
// its HostFormat; stale when the chart's namesVersion changes (names, ids, dimensions added) — the
// host-level options live in the HostFormat.
import { FMT_IDX_DIMS, FMT_SEG_AFTER_DIM, FMT_SEG_LEAD, FMT_SEG_MID, FMT_SEG_REQ_HEAD, FMT_SEG_REQ_SEP, FMT_SEG_TAIL, FMT_SEGMENTS } from '../kernels/types';
import type { ChartView } from './chart-view';
import type { HostSegments } from './host-format';
import { escapeJsonString } from './json-escape';
import { nameOrId, sanitizeName } from './names';
import type { ResolvedFormatOptions } from './options';
import {
  PLAN_HEADER_WORDS, PLAN_MAGIC, PLAN_WORD_BOUND, PLAN_WORD_DIMS, PLAN_WORD_IDX_AT, PLAN_WORD_IDX_WORDS, PLAN_WORD_LCT_AT,
  PLAN_WORD_LCT_LEN, PLAN_WORD_LCV_AT, PLAN_WORD_LCV_LEN, PLAN_WORD_MAGIC, PLAN_WORD_META_AT, PLAN_WORD_META_LEN,
  PLAN_WORD_RING_AT, PLAN_WORD_RING_LEN, PLAN_WORD_TPL_AT, PLAN_WORD_TPL_BYTES,
} from './plan-layout';

const U32_MAX = 0xffffffff;

export class ChartFormatPlan {
  /** Header, index and template in one buffer (plan-layout.ts): what the native batch formatter reads. */
  readonly bytes: ArrayBuffer;
  private vTpl: Buffer | null = null;
  private vIdx: Uint32Array | null = null;
  // The chart arrays the header's slab words describe (compared by identity: the database makes new
  // views whenever it reallocates a chart's storage).
  private ring: Uint32Array | null = null;
  private meta: Float64Array | null = null;
  private lcv: BigInt64Array | null = null;
  private lct: Float64Array | null = null;
  /** The chart's slab when bound, else null (the chart is formatted with one kernel call of its own). */
  slab: ArrayBuffer | null = null;

  // No typed-array view of the header is kept: tens of thousands of plans would each carry one.
  constructor(bytes: ArrayBuffer, readonly flags: number, readonly namesVersion: number, readonly dims: number,
    private readonly tplAt: number, private readonly tplBytes: number, private readonly idxAt: number, private readonly idxWords: number) {
    this.bytes = bytes;
  }

  /** The template: constant segments, dimension parts, zero padding (a view made on first use). */
  get tpl(): Buffer {
    return (this.vTpl ??= Buffer.from(this.bytes, this.tplAt, this.tplBytes));
  }

  /** Segment and dimension offsets into tpl (FMT_* layout). */
  get idx(): Uint32Array {
    return (this.vIdx ??= new Uint32Array(this.bytes, this.idxAt, this.idxWords));
  }

  /** Whether the header describes exactly these arrays of the chart (see bind). */
  boundTo(chart: ChartView): boolean {
    return chart.ring === this.ring && chart.meta === this.meta && chart.lastCollectedValue === this.lcv && chart.lastCollectedTime === this.lct;
  }

  /**
   * Points the header's slab words at the chart's arrays when all four share one ArrayBuffer (a ChartSlab),
   * and returns that buffer (also kept in `slab`); null when they do not (the chart then takes the one-chart
   * kernel call). Cheap when nothing changed: four identity comparisons.
   */
  bind(chart: ChartView): ArrayBuffer | null {
    const { ring, meta, lastCollectedValue: lcv, lastCollectedTime: lct } = chart;
    if (ring === this.ring && meta === this.meta && lcv === this.lcv && lct === this.lct) return this.slab;
    this.ring = ring;
    this.meta = meta;
    this.lcv = lcv;
    this.lct = lct;
    const h = new Uint32Array(this.bytes, 0, PLAN_HEADER_WORDS); // rare: only when the storage changed
    const buffer = ring.buffer;
    const shared = buffer instanceof ArrayBuffer && meta.buffer === buffer && lcv.buffer === buffer && lct.buffer === buffer &&
      buffer.byteLength <= U32_MAX;
    this.slab = shared ? buffer : null;
    h[PLAN_WORD_BOUND] = shared ? 1 : 0;
    if (shared) {
      h[PLAN_WORD_RING_AT] = ring.byteOffset;
      h[PLAN_WORD_RING_LEN] = ring.length;
      h[PLAN_WORD_META_AT] = meta.byteOffset;
      h[PLAN_WORD_META_LEN] = meta.length;
      h[PLAN_WORD_LCV_AT] = lcv.byteOffset;
      h[PLAN_WORD_LCV_LEN] = lcv.length;
      h[PLAN_WORD_LCT_AT] = lct.byteOffset;
      h[PLAN_WORD_LCT_LEN] = lct.length;
    }
    return this.slab;
  }
}

const j = escapeJsonString;

/** The chart-level lead: everything of a line before the dimension part. */
function chartLead(o: ResolvedFormatOptions, host: HostSegments, chart: ChartView): Buffer {
  if (o.format === 'json') {
    // SPEC §4.4: id and name are both always sent raw (the names option is ignored) — escaped here.
    const fields = `"chart_id":"${j(chart.id)}","chart_name":"${j(chart.name ?? chart.id)}","chart_family":"${j(chart.family)}",` +
      `"chart_context": "${j(chart.context)}","chart_type":"${j(chart.type)}","units": "${j(chart.units)}",`;
    return Buffer.concat([host.leadPrefix, Buffer.from(fields, 'utf8')]);
  }
  // SPEC §4.0: chart part = sanitised name or id. Sanitised bytes never need JSON escaping.
  const part = sanitizeName(nameOrId(o.sendNames, chart.id, chart.name));
  return Buffer.concat([host.leadPrefix, part, DOT]);
}
const DOT = Buffer.from('.', 'latin1');
/** Zero bytes after the template: must be at least kSlack of native/format_kernel.cc. */
const TEMPLATE_PADDING = 32;

/**
 * Dimension parts by format, names option, id and name. Dimension names repeat across charts (user,
 * system, in, out, reads...; dim_0..dim_49 in W1), so building a plan mostly reuses parts instead of
 * making two short-lived Buffers per dimension (issue 7: at a million dimensions the first pass's garbage
 * grows the young generation, which stays resident). Bounded: cleared when full.
 */
const dimParts = new Map<string, Buffer>();
const DIM_PARTS_MAX = 8192;

function dimPart(o: ResolvedFormatOptions, id: string, name: string | null): Buffer {
  const json = o.format === 'json';
  const key = `${json ? 'j' : o.sendNames ? 'n' : 'i'}${id.length}:${id}${name === null ? '!' : '=' + name}`; // length-prefixed: no id/name pair can collide with another (or with a null name)
  let part = dimParts.get(key);
  if (part === undefined) {
    part = json ? Buffer.from(`"id":"${j(id)}","name":"${j(name ?? id)}"`, 'utf8') : sanitizeName(nameOrId(o.sendNames, id, name));
    if (dimParts.size >= DIM_PARTS_MAX) dimParts.clear();
    dimParts.set(key, part);
  }
  return part;
}

export function buildChartPlan(o: ResolvedFormatOptions, host: HostSegments, chart: ChartView): ChartFormatPlan {
  const dims = chart.dimensions.length;
  const segs: Buffer[] = new Array<Buffer>(FMT_SEGMENTS);
  segs[FMT_SEG_LEAD] = chartLead(o, host, chart);
  segs[FMT_SEG_AFTER_DIM] = host.afterDim;
  segs[FMT_SEG_MID] = host.mid;
  segs[FMT_SEG_TAIL] = host.tail;
  segs[FMT_SEG_REQ_HEAD] = host.reqHead;
  segs[FMT_SEG_REQ_SEP] = host.reqSep;
  const parts: Buffer[] = segs.slice();
  for (const dim of chart.dimensions) parts.push(dimPart(o, dim.id, dim.name));
  let tplBytes = TEMPLATE_PADDING; // zero padding lets the native kernel copy short runs as fixed blocks
  for (const p of parts) tplBytes += p.length;
  const idxWords = FMT_IDX_DIMS + dims + 1;
  const idxAt = PLAN_HEADER_WORDS * 4;
  const tplAt = idxAt + idxWords * 4;
  const bytes = new ArrayBuffer(tplAt + tplBytes);
  const header = new Uint32Array(bytes, 0, PLAN_HEADER_WORDS);
  header[PLAN_WORD_MAGIC] = PLAN_MAGIC;
  header[PLAN_WORD_DIMS] = dims;
  header[PLAN_WORD_IDX_AT] = idxAt;
  header[PLAN_WORD_IDX_WORDS] = idxWords;
  header[PLAN_WORD_TPL_AT] = tplAt;
  header[PLAN_WORD_TPL_BYTES] = tplBytes;
  const idx = new Uint32Array(bytes, idxAt, idxWords);
  const tpl = new Uint8Array(bytes, tplAt, tplBytes);
  let at = 0;
  for (let k = 0; k < FMT_SEGMENTS; k++) {
    const seg = segs[k] as Buffer;
    idx[2 * k] = at;
    tpl.set(seg, at);
    at += seg.length;
    idx[2 * k + 1] = at;
  }
  for (let d = 0; d < dims; d++) {
    const part = parts[FMT_SEGMENTS + d] as Buffer;
    idx[FMT_IDX_DIMS + d] = at;
    tpl.set(part, at);
    at += part.length;
  }
  idx[FMT_IDX_DIMS + dims] = at;
  return new ChartFormatPlan(bytes, host.flags, chart.namesVersion, dims, tplAt, tplBytes, idxAt, idxWords);
}
