// Collects this machine's metrics from /proc into the database through the public collection API
// (chart.set() then chart.done(), the same calls an embedding agent makes). One collect() per second;
// each source is read and written independently, so a missing file (a container without /proc/diskstats)
// costs only its own charts, logged once.
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Logger } from '../exporter/logger';
import type { RrdChart } from '../rrd/chart';
import type { RrdHost } from '../rrd/host';
import { CPU_FIELDS, parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStatCpu } from './proc-parsers';
import {
  diskChart, diskOpsChart, netChart, netPacketsChart, SYSTEM_CPU, SYSTEM_LOAD, SYSTEM_RAM, SystemChartDef,
} from './system-charts';

export interface SystemCollectorOptions {
  /** Where proc(5) is mounted (tests point it at fixture files). */
  procRoot?: string;
  /** Where sysfs is mounted: a disk is charted when /sys/block/<dev> exists (a whole disk, not a partition). */
  sysRoot?: string;
  log?: Logger;
  /** Seconds between collections: the charts' update every. */
  updateEvery?: number;
}

/** Interfaces netdata leaves out by default (`disable by default interfaces matching = lo fireqos* *-ifb`). */
export function isExcludedInterface(iface: string): boolean {
  return iface === 'lo' || iface.startsWith('fireqos') || iface.endsWith('-ifb');
}

/** Block devices that are never charted: loop and RAM disks. */
export function isExcludedDisk(name: string): boolean {
  return /^(loop|ram)[0-9]+$/.test(name);
}

/** Finds or creates a chart of `def` on `host` with its dimensions. */
export function ensureChart(host: RrdHost, def: SystemChartDef, updateEvery: number): RrdChart {
  const id = `${def.type}.${def.id}`;
  const existing = host.findChart(id);
  if (existing !== undefined) return existing;
  const chart = host.createChart({
    type: def.type, id: def.id, title: def.title, units: def.units, family: def.family, context: def.context, updateEvery,
    dimensionsHint: def.dimensions.length,
  });
  chart.addDimensions(def.dimensions.map((d) => ({ id: d.id, algorithm: d.algorithm, multiplier: d.multiplier, divisor: d.divisor, hidden: d.hidden === true })));
  return chart;
}

export class SystemCollector {
  private readonly procRoot: string;
  private readonly sysRoot: string;
  private readonly log: Logger;
  private readonly updateEvery: number;
  private readonly failed = new Set<string>();
  /** Chart definitions by chart id, for the dashboard (chart type, priority). */
  readonly definitions = new Map<string, SystemChartDef>();

  constructor(private readonly host: RrdHost, options: SystemCollectorOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.sysRoot = options.sysRoot ?? '/sys';
    this.log = options.log ?? (() => undefined);
    this.updateEvery = options.updateEvery ?? 1;
  }

  /** Reads every source once and completes one collection cycle of each chart at `timeUs`. */
  async collect(timeUs: number = Date.now() * 1000): Promise<void> {
    const [stat, meminfo, loadavg, netdev, diskstats] = await Promise.all(
      ['stat', 'meminfo', 'loadavg', 'net/dev', 'diskstats'].map((f) => this.read(f)),
    );
    if (stat !== null) this.cpu(stat, timeUs);
    if (meminfo !== null) this.ram(meminfo, timeUs);
    if (loadavg !== null) this.load(loadavg, timeUs);
    if (netdev !== null) this.net(netdev, timeUs);
    if (diskstats !== null) await this.disks(diskstats, timeUs);
  }

  private async read(file: string): Promise<string | null> {
    const p = path.join(this.procRoot, file);
    try {
      const text = await fsp.readFile(p, 'utf8');
      this.failed.delete(p);
      return text;
    } catch (err) {
      if (!this.failed.has(p)) {
        this.failed.add(p);
        this.log('warn', `system collector: cannot read ${p} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); its charts are not updated`);
      }
      return null;
    }
  }

  private chart(def: SystemChartDef): RrdChart {
    const chart = ensureChart(this.host, def, this.updateEvery);
    this.definitions.set(chart.id, def);
    return chart;
  }

  private cpu(text: string, t: number): void {
    const ticks = parseProcStatCpu(text);
    if (ticks === null) return;
    // The kernel counts guest time inside user and nice (kernel/sched/cputime.c); netdata subtracts it.
    const v = { ...ticks, user: ticks.user - ticks.guest, nice: ticks.nice - ticks.guest_nice };
    const chart = this.chart(SYSTEM_CPU);
    for (const k of CPU_FIELDS) chart.set(k, v[k] < 0n ? 0n : v[k], t);
    chart.done(t);
  }

  private ram(text: string, t: number): void {
    const m = parseMeminfo(text);
    const total = m.get('MemTotal');
    const free = m.get('MemFree');
    if (total === undefined || free === undefined) return;
    const cached = m.get('Cached') ?? 0n;
    const buffers = m.get('Buffers') ?? 0n;
    const chart = this.chart(SYSTEM_RAM);
    chart.set('free', free, t);
    chart.set('used', total - free - cached - buffers, t);
    chart.set('cached', cached, t);
    chart.set('buffers', buffers, t);
    chart.done(t);
  }

  private load(text: string, t: number): void {
    const l = parseLoadavg(text);
    if (l === null) return;
    const chart = this.chart(SYSTEM_LOAD);
    chart.set('load1', l.load1, t);
    chart.set('load5', l.load5, t);
    chart.set('load15', l.load15, t);
    chart.done(t);
  }

  private net(text: string, t: number): void {
    for (const n of parseNetDev(text)) {
      if (isExcludedInterface(n.iface)) continue;
      // netdata's "auto": an interface gets charts once it has traffic.
      const known = this.host.findChart(`net.${n.iface}`) !== undefined;
      if (!known && n.rbytes === 0n && n.tbytes === 0n) continue;
      const bw = this.chart(netChart(n.iface));
      bw.set('received', n.rbytes, t);
      bw.set('sent', n.tbytes, t);
      bw.done(t);
      const pk = this.chart(netPacketsChart(n.iface));
      pk.set('received', n.rpackets, t);
      pk.set('sent', n.tpackets, t);
      pk.set('multicast', n.rmulticast, t);
      pk.done(t);
    }
  }

  private async disks(text: string, t: number): Promise<void> {
    for (const d of parseDiskstats(text)) {
      if (isExcludedDisk(d.name)) continue;
      const known = this.host.findChart(`disk.${d.name}`) !== undefined;
      if (!known) {
        // "auto" as for interfaces, and whole disks only (partitions have no /sys/block/<name>).
        if (d.reads === 0n && d.writes === 0n) continue;
        if (!(await exists(path.join(this.sysRoot, 'block', d.name)))) continue;
      }
      const io = this.chart(diskChart(d.name));
      io.set('reads', d.readSectors, t);
      io.set('writes', d.writeSectors, t);
      io.done(t);
      const ops = this.chart(diskOpsChart(d.name));
      ops.set('reads', d.reads, t);
      ops.set('writes', d.writes, t);
      ops.done(t);
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}
