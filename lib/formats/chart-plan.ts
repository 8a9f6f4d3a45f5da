// ChartFormatPlan: the template one kernel call formats a whole chart from (layout: FMT_* in
// lib/kernels/types.ts). Built once per chart and cached by its HostFormat; stale when the chart's
// namesVersion changes (names, ids, dimensions added) — the host-level options live in the HostFormat.
import { FMT_IDX_DIMS, FMT_SEG_AFTER_DIM, FMT_SEG_LEAD, FMT_SEG_MID, FMT_SEG_REQ_HEAD, FMT_SEG_REQ_SEP, FMT_SEG_TAIL, FMT_SEGMENTS } from '../kernels/types';
import type { ChartView } from './chart-view';
import type { HostSegments } from './host-format';
import { escapeJsonString } from './json-escape';
import { nameOrId, sanitizeName } from './names';
import type { ResolvedFormatOptions } from './options';

export interface ChartFormatPlan {
  readonly tpl: Buffer;
  readonly idx: Uint32Array;
  readonly flags: number;
  /** chart.namesVersion and dimension count the plan was built for. */
  readonly namesVersion: number;
  readonly dims: number;
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
/** Must be at least kSlack of native/format_kernel.cc. */
const TEMPLATE_PADDING = Buffer.alloc(32);

function dimPart(o: ResolvedFormatOptions, id: string, name: string | null): Buffer {
  if (o.format === 'json') return Buffer.from(`"id":"${j(id)}","name":"${j(name ?? id)}"`, 'utf8');
  return sanitizeName(nameOrId(o.sendNames, id, name));
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
  // Zero padding after the last segment lets the native kernel copy short runs as fixed 32-byte blocks.
  parts.push(TEMPLATE_PADDING);
  const tpl = Buffer.concat(parts);
  const idx = new Uint32Array(FMT_IDX_DIMS + dims + 1);
  let at = 0;
  for (let k = 0; k < FMT_SEGMENTS; k++) {
    idx[2 * k] = at;
    at += (segs[k] as Buffer).length;
    idx[2 * k + 1] = at;
  }
  for (let d = 0; d < dims; d++) {
    idx[FMT_IDX_DIMS + d] = at;
    at += (parts[FMT_SEGMENTS + d] as Buffer).length;
  }
  idx[FMT_IDX_DIMS + dims] = at;
  return { tpl, idx, flags: host.flags, namesVersion: chart.namesVersion, dims };
}
