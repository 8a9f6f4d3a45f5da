// The four self-monitoring charts of a backend instance (SPEC §5.4), created on localhost through the
// database's ordinary collection API, so they are stored and exported like any other chart (subject to
// `send charts matching`).
//
// Chart ids: the unnamed `[backend]` instance uses the reference's ids (`netdata.backend_metrics`, ...);
// a `[backend:NAME]` instance inserts its name after `backend_` (`netdata.backend_NAME_metrics`, ...), so
// every instance has its own charts and the unnamed one stays compatible with netdata's dashboards and
// health alarms (`health.d/backend.conf` matches `netdata.backend_metrics`). Titles, units, family,
// priorities, chart types, plugin (`backends`, no module), dimensions, algorithms, multipliers and
// divisors are the reference's for every instance, and are stored on the created charts.
//
// CPU: the reference charts getrusage(RUSAGE_THREAD) of its exporter thread. Node runs every instance on
// the one JavaScript thread, so `backend_thread_cpu` charts process.cpuUsage(): the CPU time of the whole
// process (all threads: the event loop, libuv's pool, GC helpers), not of one exporter. Several instances
// therefore chart the same numbers.
import type { IterationCounters } from './counters';

export type MonitoringDimension = { id: string; algorithm: 'absolute' | 'incremental'; multiplier: number; divisor: number };

export interface MonitoringChartDef {
  /** The part after `netdata.`, for the unnamed instance. */
  id: 'backend_metrics' | 'backend_bytes' | 'backend_ops' | 'backend_thread_cpu';
  title: string;
  units: string;
  family: string;
  priority: number;
  chartType: 'line' | 'area' | 'stacked';
  dimensions: readonly MonitoringDimension[];
}

const abs = (id: string, divisor = 1): MonitoringDimension => ({ id, algorithm: 'absolute', multiplier: 1, divisor });
const inc = (id: string, divisor: number): MonitoringDimension => ({ id, algorithm: 'incremental', multiplier: 1, divisor });

/** The plugin name the reference gives the charts (module: none). */
export const MONITORING_PLUGIN = 'backends';

/** SPEC §5.4, exactly. */
export const MONITORING_CHARTS: readonly MonitoringChartDef[] = Object.freeze([
  { id: 'backend_metrics', title: 'Netdata Buffered Metrics', units: 'metrics', family: 'backend', priority: 130600, chartType: 'line',
    dimensions: [abs('buffered'), abs('lost'), abs('sent')] },
  { id: 'backend_bytes', title: 'Netdata Backend Data Size', units: 'KiB', family: 'backend', priority: 130610, chartType: 'area',
    dimensions: [abs('buffered', 1024), abs('lost', 1024), abs('sent', 1024), abs('received', 1024)] },
  { id: 'backend_ops', title: 'Netdata Backend Operations', units: 'operations', family: 'backend', priority: 130630, chartType: 'line',
    dimensions: [abs('write'), abs('discard'), abs('reconnect'), abs('failure'), abs('read')] },
  { id: 'backend_thread_cpu', title: 'NetData Backend Thread CPU usage', units: 'milliseconds/s', family: 'backend', priority: 130630, chartType: 'stacked',
    dimensions: [inc('user', 1000), inc('system', 1000)] },
] as MonitoringChartDef[]);

/** `backend_metrics` for the unnamed instance, `backend_NAME_metrics` for `[backend:NAME]`. */
export function monitoringChartId(def: MonitoringChartDef, instanceName: string | null): string {
  return instanceName === null ? def.id : def.id.replace(/^backend_/, `backend_${instanceName}_`);
}

/** The part of an RrdChart the monitoring charts use (lib/rrd's collection API). */
export interface CollectedChart {
  readonly id: string;
  set(dim: string, value: bigint | number, timeUs?: number): void;
  done(timeUs?: number): unknown;
  dimensionIndex(id: string): number;
  addDimension(options: { id: string; algorithm?: 'absolute' | 'incremental'; multiplier?: number; divisor?: number }): number;
}

/** The part of localhost (RrdHost) used to create the charts. */
export interface ChartHost {
  findChart(id: string): CollectedChart | undefined;
  createChart(options: {
    type: string; id: string; title?: string; units?: string; family?: string; updateEvery?: number;
    priority?: number; chartType?: 'line' | 'area' | 'stacked'; plugin?: string | null; module?: string | null;
  }): CollectedChart;
}

export interface CpuSource {
  /** Cumulative CPU time in µs. */
  (): { user: number; system: number };
}

export class MonitoringCharts {
  private readonly charts: CollectedChart[];

  constructor(host: ChartHost, readonly instanceName: string | null, updateEvery: number, private readonly cpu: CpuSource = () => process.cpuUsage()) {
    this.charts = MONITORING_CHARTS.map((def) => {
      const id = monitoringChartId(def, instanceName);
      // An instance that is started again (or a second Exporter over the same database) reuses its charts.
      // Context: none given, so the database makes it the chart id (SPEC §5.4).
      const chart = host.findChart(`netdata.${id}`) ?? host.createChart({
        type: 'netdata', id, title: def.title, units: def.units, family: def.family, updateEvery,
        priority: def.priority, chartType: def.chartType, plugin: MONITORING_PLUGIN, module: null,
      });
      for (const d of def.dimensions) {
        if (chart.dimensionIndex(d.id) < 0) chart.addDimension({ id: d.id, algorithm: d.algorithm, multiplier: d.multiplier, divisor: d.divisor });
      }
      return chart;
    });
  }

  /** The charts' full ids, in MONITORING_CHARTS order. */
  get ids(): string[] {
    return this.charts.map((c) => c.id);
  }

  /** Writes one iteration's values (SPEC §5.4) at `timeUs` and completes each chart's cycle. */
  update(c: IterationCounters, timeUs: number = Date.now() * 1000): void {
    const [metrics, bytes, ops, cpu] = this.charts as [CollectedChart, CollectedChart, CollectedChart, CollectedChart];
    metrics.set('buffered', c.bufferedMetrics, timeUs);
    metrics.set('lost', c.lostMetrics, timeUs);
    metrics.set('sent', c.sentMetrics, timeUs);
    metrics.done(timeUs);
    bytes.set('buffered', c.bufferedBytes, timeUs);
    bytes.set('lost', c.lostBytes, timeUs);
    bytes.set('sent', c.sentBytes, timeUs);
    bytes.set('received', c.receivedBytes, timeUs);
    bytes.done(timeUs);
    ops.set('write', c.transmissionSuccesses, timeUs);
    ops.set('discard', c.dataLostEvents, timeUs);
    ops.set('reconnect', c.reconnects, timeUs);
    ops.set('failure', c.transmissionFailures, timeUs);
    ops.set('read', c.receptions, timeUs);
    ops.done(timeUs);
    const u = this.cpu();
    cpu.set('user', Math.floor(u.user), timeUs);
    cpu.set('system', Math.floor(u.system), timeUs);
    cpu.done(timeUs);
  }
}
