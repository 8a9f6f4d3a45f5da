// The two other allmetrics formats of the reference's API (SPEC §4.7 lists them; netdata's
// web/api/exporters/allmetrics): `shell` (NETDATA_CHART_DIM="value" lines for shell scripts) and `json`
// (one object per chart with its dimensions' last stored values). Both read the newest stored slot of
// each dimension (netdata's last_stored_value; here the packed value, ~7 significant digits). Fixed:
// strings in the JSON are escaped (the reference inserted them raw, SPEC §7 row 15 applies alike).
import { escapeJsonString } from '../formats/json-escape';
import type { NumericKernel } from '../kernels/types';
import { SN_FLAGS_MASK } from '../kernels/types';
import type { RrdChart } from '../rrd/chart';
import { DIM_FLAG_HIDDEN, DIM_FLAG_OBSOLETE } from '../rrd/chart-slab';
import type { RrdHost } from '../rrd/host';

/** SHELL_ELEMENT_MAX of the reference. */
export const SHELL_ELEMENT_MAX = 100;

/** The newest stored word of dimension `d`, or null when the chart keeps no history or the slot is empty. */
export function lastStoredWord(chart: RrdChart, d: number): number | null {
  if (chart.entries === 0 || chart.counter === 0) return null;
  const w = chart.ring[d * chart.entries + chart.lastSlot()] as number;
  return (w & SN_FLAGS_MASK) === 0 ? null : w;
}

/** shell_name_copy: letters and digits upper-cased, every other byte '_', at most 100 bytes. */
export function shellName(s: string): string {
  const raw = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < raw.length && i < SHELL_ELEMENT_MAX; i++) {
    const c = raw[i] as number;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    out += alnum ? String.fromCharCode(c).toUpperCase() : '_';
  }
  return out;
}

/**
 * roundl() of an exact decimal text ("-2.5000000" → -3n): halves away from zero. The kernel's %0.7Lf text of a
 * storage number is exact (at most 8 significant digits), so rounding the text rounds the value.
 */
export function roundDecimalText(text: string): bigint {
  const neg = text.startsWith('-');
  const [int, frac = ''] = (neg ? text.slice(1) : text).split('.');
  let v = BigInt(int as string);
  if (frac !== '' && (frac[0] as string) >= '5') v += 1n;
  return neg ? -v : v;
}

function isViewable(chart: RrdChart): boolean {
  // rrdset_is_available_for_viewers: enabled and not obsolete.
  return chart.enabled && !chart.obsolete;
}

/** format=shell for one host. */
export function shellText(host: RrdHost, kernel: NumericKernel): string {
  const out: string[] = [];
  for (const st of host.charts) {
    const chart = shellName(st.name ?? st.id);
    out.push(`\n# chart: ${st.id} (name: ${st.name})\n`);
    if (!isViewable(st)) continue;
    let total = 0n;
    const dims = st.dimensions;
    for (let d = 0; d < dims.length; d++) {
      const flags = st.dimensionFlags[d] as number;
      if (st.collectionsCounter[d] === 0 || (flags & DIM_FLAG_OBSOLETE) !== 0) continue;
      const dimension = shellName(dims[d]!.name ?? dims[d]!.id);
      const w = lastStoredWord(st, d);
      if (w === null) {
        out.push(`NETDATA_${chart}_${dimension}=""      # ${st.units}\n`);
        continue;
      }
      let n = roundDecimalText(kernel.unpackText(w));
      // The reference shows a dimension with a negative multiplier or divisor as positive.
      if ((st.multiplier[d] as number) < 0 || (st.divisor[d] as number) < 0) n = -n;
      if ((flags & DIM_FLAG_HIDDEN) === 0) total += n;
      out.push(`NETDATA_${chart}_${dimension}="${n}"      # ${st.units}\n`);
    }
    out.push(`NETDATA_${chart}_VISIBLETOTAL="${total}"      # ${st.units}\n`);
  }
  // No alarms are evaluated by this agent: the section is present and empty.
  out.push('\n# NETDATA ALARMS RUNNING\n');
  return out.join('');
}

/** format=json for one host. */
export function jsonText(host: RrdHost, kernel: NumericKernel): string {
  const out: string[] = ['{'];
  let charts = 0;
  for (const st of host.charts) {
    if (!isViewable(st)) continue;
    out.push(`${charts > 0 ? ',' : ''}\n\t"${escapeJsonString(st.id)}": {\n\t\t"name":"${escapeJsonString(st.name ?? st.id)}",\n\t\t"context":"${escapeJsonString(st.context)}",\n`
      + `\t\t"units":"${escapeJsonString(st.units)}",\n\t\t"last_updated": ${st.lastUpdated},\n\t\t"dimensions": {`);
    charts++;
    let dimsOut = 0;
    const dims = st.dimensions;
    for (let d = 0; d < dims.length; d++) {
      if (st.collectionsCounter[d] === 0 || ((st.dimensionFlags[d] as number) & DIM_FLAG_OBSOLETE) !== 0) continue;
      const w = lastStoredWord(st, d);
      out.push(`${dimsOut > 0 ? ',' : ''}\n\t\t\t"${escapeJsonString(dims[d]!.id)}": {\n\t\t\t\t"name": "${escapeJsonString(dims[d]!.name ?? dims[d]!.id)}",\n\t\t\t\t"value": ${w === null ? 'null' : kernel.unpackText(w)}\n\t\t\t}`);
      dimsOut++;
    }
    out.push('\n\t\t}\n\t}');
  }
  out.push('\n}');
  return out.join('');
}
