// Host and chart filters of one backend instance, with their caches (SPEC §5.6, §5.7, §7 rows 16, 18).
// The matching rules themselves (hosts: empty pattern = all; charts: id then name) live in
// lib/formats/simple-pattern-filters.ts; this module adds the per-instance caching and the checks that
// are not cached. The database's own per-chart cache flag (RrdChart.backendFilter) is not used: it is
// one flag per chart, and here several instances with different patterns export the same database.
import { ChartFilter as ChartPatternFilter, HostFilter as HostPatternFilter } from '../formats/simple-pattern-filters';
import type { SimplePattern } from '../formats/simple-pattern';
import type { ExportChart, ExportHost } from './db-view';
import type { Logger } from './logger';

/**
 * `send hosts matching`, evaluated once per host and cached (SPEC §5.6). The reference caches the decision
 * for the life of the process, so a renamed child keeps its first decision (§7 row 18); here the decision
 * is re-evaluated when the host's name changes.
 */
export class HostFilter {
  private readonly rule: HostPatternFilter;
  private readonly cache = new WeakMap<ExportHost, { name: string; enabled: boolean }>();

  constructor(pattern: SimplePattern | string | null, private readonly log: Logger) {
    this.rule = new HostPatternFilter(pattern);
  }

  enabled(host: ExportHost): boolean {
    const name = host.isLocalhost ? 'localhost' : host.hostname;
    const c = this.cache.get(host);
    if (c !== undefined && c.name === name) return c.enabled;
    const enabled = this.rule.allows(host.hostname, host.isLocalhost);
    this.cache.set(host, { name, enabled });
    // SPEC §5.17
    this.log('info', `${enabled ? 'enabled' : 'disabled'} backend for host '${name}'`);
    return enabled;
  }
}

export type ChartVerdict = 'send' | 'ignored' | 'unavailable' | 'no-history';

/**
 * "can send chart" (SPEC §5.7): the pattern decision is cached per chart and invalidated when the chart is
 * renamed (chart.namesVersion changes); availability (§1.2) and the memory-mode rule are checked every
 * time, not cached.
 */
export class ChartFilter {
  private readonly rule: ChartPatternFilter;
  private readonly cache = new WeakMap<ExportChart, { v: number; send: boolean }>();
  /** Pattern evaluations (cache misses), for tests. */
  evaluations = 0;

  constructor(pattern: SimplePattern | string | null, private readonly asCollected: boolean) {
    this.rule = new ChartPatternFilter(pattern);
  }

  verdict(chart: ExportChart): ChartVerdict {
    const c = this.cache.get(chart);
    let send: boolean;
    if (c !== undefined && c.v === chart.namesVersion) {
      send = c.send;
    } else {
      this.evaluations++;
      send = this.rule.allows(chart.id, chart.name);
      this.cache.set(chart, { v: chart.namesVersion, send });
    }
    if (!send) return 'ignored';
    if (!chart.isAvailableForBackends()) return 'unavailable';
    // SPEC §5.7 step 4: a chart without history can only be exported as collected.
    if (chart.memoryMode === 'none' && !this.asCollected) return 'no-history';
    return 'send';
  }
}
