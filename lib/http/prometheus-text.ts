// The pull-based Prometheus text format of GET /api/v1/allmetrics?format=prometheus[_all_hosts] (SPEC
// §4.7), line for line as the reference prints it: the same names (prefix, context, units and suffix),
// labels (chart, family, dimension[, instance]), values (%lld as collected, %0.7Lf average/sum through the
// kernel, SPEC §2.5) and timestamps (ms). The `# COMMENT TYPE` spelling of the reference is kept: it is a
// comment, so Prometheus types the series as untyped, exactly as with netdata of 2019.
import type { ChartFilter } from '../exporter/filters';
import type { DataSource } from '../exporter/config-values';
import { promLabel, promName, promUnits } from '../formats/remote-write-names';
import type { NumericKernel } from '../kernels/types';
import { isIncrementalAlgorithm } from '../rrd/algorithm';
import type { RrdChart } from '../rrd/chart';
import { DIM_FLAG_OBSOLETE } from '../rrd/chart-slab';
import type { RrdHost } from '../rrd/host';

export interface PrometheusTextOptions {
  prefix: string;
  dataSource: DataSource;
  names: boolean;
  help: boolean;
  types: boolean;
  timestamps: boolean;
  oldunits: boolean;
  hideunits: boolean;
  chartFilter: ChartFilter;
  kernel: NumericKernel;
  /** Wall clock in ms for the netdata_info samples. */
  nowMs: number;
}

/** `oldunits=yes`: the units netdata used before v1.12 (SPEC §4.7). */
export const OLD_UNITS: Readonly<Record<string, string>> = Object.freeze({
  'KiB/s': 'kilobytes/s', 'MiB/s': 'MB/s', 'GiB/s': 'GB/s', 'KiB': 'KB', 'MiB': 'MB', 'GiB': 'GB', 'inodes': 'Inodes',
  'percentage': 'percent', 'faults/s': 'page faults/s', 'KiB/operation': 'kilobytes per operation',
  'milliseconds/operation': 'ms per operation',
});

const MODE_NAMES: Record<DataSource, string> = { 'as-collected': 'as collected', average: 'average', sum: 'sum' };

/** The help header of a response (prometheus_preparation). */
export function prometheusHeader(hostname: string, server: string, dataSource: DataSource, firstSeen: boolean, after: number, now: number): string {
  return `# COMMENT netdata "${hostname}" to ${firstSeen ? 'FIRST SEEN ' : ''}prometheus "${server}", source "${MODE_NAMES[dataSource]}", `
    + `last seen ${firstSeen ? 0 : now - after} ${firstSeen ? 'never' : 'seconds ago'}, time range ${after} to ${now}\n\n`;
}

/** One host's lines; `allHosts` adds the instance label everywhere (SPEC §4.7). */
export function prometheusHostText(host: RrdHost, after: number, before: number, allHosts: boolean, o: PrometheusTextOptions): string {
  const out: string[] = [];
  const inst = promLabel(host.hostname, true);
  const ts = o.timestamps ? ` ${o.nowMs}` : '';
  out.push(`netdata_info{instance="${inst}",application="${host.programName}",version="${host.programVersion}"} 1${ts}\n`);
  const tags = host.tags;
  if (tags !== null && tags !== '') {
    const lead = allHosts ? `instance="${inst}",` : '';
    out.push(`netdata_host_tags_info{${lead}${tags}} 1${ts}\n`);
    // deprecated, exists only for compatibility with older queries (as the reference says)
    out.push(`netdata_host_tags{${lead}${tags}} 1${ts}\n`);
  }
  const labels = allHosts ? `,instance="${inst}"` : '';
  for (const chart of host.charts) {
    if (o.chartFilter.verdict(chart) !== 'send') continue;
    chartText(chart, after, before, labels, o, out);
  }
  return out.join('');
}

function chartText(st: RrdChart, after: number, before: number, labels: string, o: PrometheusTextOptions, out: string[]): void {
  const p = o.prefix;
  const chartName = o.names && st.name ? st.name : st.id;
  const chart = promLabel(chartName, true);
  const family = promLabel(st.family, true);
  const context = promName(st.context);
  const asCollected = o.dataSource === 'as-collected';
  const homogeneous = asCollected ? !st.heterogeneous : true;
  let units = '';
  if (o.dataSource === 'average' && !o.hideunits) units = promUnits(o.oldunits ? OLD_UNITS[st.units] ?? st.units : st.units);
  if (o.help) {
    out.push(`\n# COMMENT ${homogeneous ? 'homogeneous' : 'heterogeneous'} chart "${chartName}", context "${st.context}", family "${st.family}", units "${st.units}"\n`);
  }
  const dims = st.dimensions;
  const cc = st.collectionsCounter;
  const flags = st.dimensionFlags;
  const mode = o.dataSource === 'sum' ? 'sum' : 'average';
  for (let d = 0; d < dims.length; d++) {
    if (cc[d] === 0 || ((flags[d] as number) & DIM_FLAG_OBSOLETE) !== 0) continue;
    const dimName = o.names && dims[d]!.name ? dims[d]!.name : dims[d]!.id;
    if (asCollected) {
      if ((st.lastCollectedTime[d] as number) < after) continue;
      const counter = isIncrementalAlgorithm(st.algorithm[d] as number);
      const t = counter ? 'counter' : 'gauge';
      const h = counter ? 'delta gives' : 'gives';
      const suffix = counter ? '_total' : '';
      const value = (st.lastCollectedValue[d] as bigint).toString();
      const tsText = o.timestamps ? ` ${st.lastCollectedTimeMs(d)}` : '';
      const mult = st.multiplier[d] as number;
      const div = st.divisor[d] as number;
      if (homogeneous) {
        const dimension = promLabel(dimName, true);
        const metric = `${p}_${context}${suffix}`;
        if (o.help) out.push(`# COMMENT ${metric}: chart "${chartName}", context "${st.context}", family "${st.family}", dimension "${dimName}", value * ${mult} / ${div} ${h} ${st.units} (${t})\n`);
        if (o.types) out.push(`# COMMENT TYPE ${metric} ${t}\n`);
        out.push(`${metric}{chart="${chart}",family="${family}",dimension="${dimension}"${labels}} ${value}${tsText}\n`);
      } else {
        const dimension = promName(dimName);
        const metric = `${p}_${context}_${dimension}${suffix}`;
        if (o.help) out.push(`# COMMENT ${metric}: chart "${chartName}", context "${st.context}", family "${st.family}", dimension "${dimName}", value * ${mult} / ${div} ${h} ${st.units} (${t})\n`);
        if (o.types) out.push(`# COMMENT TYPE ${metric} ${t}\n`);
        out.push(`${metric}{chart="${chart}",family="${family}"${labels}} ${value}${tsText}\n`);
      }
      continue;
    }
    // SPEC §3.1 through the kernel: the exact %0.7Lf text and the reported (clamped) window.
    const v = o.kernel.storedValue(st.ring, d * st.entries, st.meta, after, before, mode);
    if (v.text === null) continue;
    const suffix = mode === 'sum' ? '_sum' : '_average';
    const dimension = promLabel(dimName, true);
    const metric = `${p}_${context}${units}${suffix}`;
    if (o.help) out.push(`# COMMENT ${metric}: dimension "${dimName}", value is ${st.units}, gauge, dt ${v.first} to ${v.last} inclusive\n`);
    if (o.types) out.push(`# COMMENT TYPE ${metric} gauge\n`);
    out.push(`${metric}{chart="${chart}",family="${family}",dimension="${dimension}"${labels}} ${v.text}${o.timestamps ? ` ${v.last * 1000}` : ''}\n`);
  }
}
