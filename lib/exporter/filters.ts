// Host and chart filters of one backend instance with their caches (SPEC §5.6, §5.7, §6.2, §7 rows 16, 18).
import type { ExportChart, ExportHost } from './db-view';
import type { Logger } from './logger';

/** The part of SimplePattern (lib/formats/simple-pattern.ts) the filters use. */
export interface Pattern {
  matches(s: string): boolean;
  readonly isNull: boolean;
}

/**
 * `send hosts matching`, evaluated once per host and cached (SPEC §5.6). The reference caches the decision
 * for the life of the process, so a renamed child keeps its first decision (§7 row 18); here the decision
 * is re-evaluated when the host's name changes. The name is `localhost` for the local host whatever its
 * real hostname. Call-site rule (§7 row 16): an empty pattern enables every host.
 */
export class HostFilter {
  private readonly cache = new WeakMap<ExportHost, { name: string; enabled: boolean }>();

  constructor(private readonly pattern: Pattern, private readonly log: Logger) {}

  enabled(host: ExportHost): boolean {
    const name = host.isLocalhost ? 'localhost' : host.hostname;
    const c = this.cache.get(host);
    if (c !== undefined && c.name === name) return c.enabled;
    const enabled = this.pattern.isNull || this.pattern.matches(name);
    this.cache.set(host, { name, enabled });
    this.log('info', `${enabled ? 'enabled' : 'disabled'} backend for host '${name}'`);
    return enabled;
  }
}

export type ChartVerdict = 'send' | 'ignored' | 'unavailable' | 'no-history';

/**
 * "can send chart" (SPEC §5.7): the pattern decision is cached per chart and invalidated when the chart is
 * renamed (chart.namesVersion changes, which also covers re-creation); availability and the memory-mode rule
 * are checked every time, not cached. An empty charts pattern matches nothing (§7 row 16).
 */
export class ChartFilter {
  private readonly cache = new WeakMap<ExportChart, { v: number; send: boolean }>();
  /** Pattern evaluations (cache misses), for tests. */
  evaluations = 0;

  constructor(private readonly pattern: Pattern, private readonly asCollected: boolean) {}

  verdict(chart: ExportChart): ChartVerdict {
    const c = this.cache.get(chart);
    let send: boolean;
    if (c !== undefined && c.v === chart.namesVersion) {
      send = c.send;
    } else {
      this.evaluations++;
      // SPEC §6.2: the id, and if that is no match, the name.
      send = this.pattern.matches(chart.id) || (chart.name !== null && this.pattern.matches(chart.name));
      this.cache.set(chart, { v: chart.namesVersion, send });
    }
    if (!send) return 'ignored';
    if (!chart.isAvailableForBackends()) return 'unavailable';
    if (chart.memoryMode === 'none' && !this.asCollected) return 'no-history';
    return 'send';
  }
}
