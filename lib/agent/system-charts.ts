// The charts of this machine's own metrics, with netdata's proc plugin ids, titles, units, families,
// contexts and dimensions (collectors/proc.plugin of 2019), so exported names match what a netdata agent
// sends: system.cpu, system.ram, system.load, net.<iface>, net_packets.<iface>, disk.<dev>,
// disk_ops.<dev>. Priority and chart type are kept for the dashboard; the database does not store them.
import type { AlgorithmName } from '../rrd/algorithm';

export interface SystemDimensionDef {
  id: string;
  algorithm: AlgorithmName;
  multiplier: number;
  divisor: number;
  hidden?: boolean;
}

export interface SystemChartDef {
  type: string;
  id: string;
  title: string;
  units: string;
  family: string;
  context: string;
  priority: number;
  chartType: 'line' | 'area' | 'stacked';
  dimensions: readonly SystemDimensionDef[];
}

const pcent = (id: string, hidden = false): SystemDimensionDef => ({ id, algorithm: 'percentage-of-incremental-row', multiplier: 1, divisor: 1, hidden });
const abs = (id: string, multiplier: number, divisor: number): SystemDimensionDef => ({ id, algorithm: 'absolute', multiplier, divisor });
const inc = (id: string, multiplier: number, divisor: number): SystemDimensionDef => ({ id, algorithm: 'incremental', multiplier, divisor });

/**
 * proc_stat.c: every state as a percentage of the total ticks (percentage-of-incremental-row, so the USER_HZ
 * of the ticks cancels out), dimensions in netdata's order, idle hidden.
 */
export const SYSTEM_CPU: SystemChartDef = {
  type: 'system', id: 'cpu', title: 'Total CPU utilization', units: 'percentage', family: 'cpu', context: 'system.cpu',
  priority: 100, chartType: 'stacked',
  dimensions: [pcent('guest_nice'), pcent('guest'), pcent('steal'), pcent('softirq'), pcent('irq'), pcent('user'), pcent('system'), pcent('nice'), pcent('iowait'), pcent('idle', true)],
};

/** proc_meminfo.c: KiB values shown in MiB. */
export const SYSTEM_RAM: SystemChartDef = {
  type: 'system', id: 'ram', title: 'System RAM', units: 'MiB', family: 'ram', context: 'system.ram', priority: 200, chartType: 'stacked',
  dimensions: [abs('free', 1, 1024), abs('used', 1, 1024), abs('cached', 1, 1024), abs('buffers', 1, 1024)],
};

/** proc_loadavg.c: load × 1000 with divisor 1000. */
export const SYSTEM_LOAD: SystemChartDef = {
  type: 'system', id: 'load', title: 'System Load Average', units: 'load', family: 'load', context: 'system.load', priority: 100, chartType: 'line',
  dimensions: [abs('load1', 1, 1000), abs('load5', 1, 1000), abs('load15', 1, 1000)],
};

/** proc_net_dev.c: bytes → kilobits/s (× 8 / 1000), sent negative. */
export function netChart(iface: string): SystemChartDef {
  return {
    type: 'net', id: iface, title: 'Bandwidth', units: 'kilobits/s', family: iface, context: 'net.net', priority: 7000, chartType: 'area',
    dimensions: [inc('received', 8, 1000), inc('sent', -8, 1000)],
  };
}

export function netPacketsChart(iface: string): SystemChartDef {
  return {
    type: 'net_packets', id: iface, title: 'Packets', units: 'packets/s', family: iface, context: 'net.packets', priority: 7001, chartType: 'line',
    dimensions: [inc('received', 1, 1), inc('sent', -1, 1), inc('multicast', 1, 1)],
  };
}

/** proc_diskstats.c: 512-byte sectors → KiB/s, writes negative. */
export function diskChart(dev: string): SystemChartDef {
  return {
    type: 'disk', id: dev, title: 'Disk I/O Bandwidth', units: 'KiB/s', family: dev, context: 'disk.io', priority: 2000, chartType: 'area',
    dimensions: [inc('reads', 512, 1024), inc('writes', -512, 1024)],
  };
}

export function diskOpsChart(dev: string): SystemChartDef {
  return {
    type: 'disk_ops', id: dev, title: 'Disk Completed I/O Operations', units: 'operations/s', family: dev, context: 'disk.ops', priority: 2001, chartType: 'line',
    dimensions: [inc('reads', 1, 1), inc('writes', -1, 1)],
  };
}
