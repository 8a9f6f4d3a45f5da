// GET /api/v1/allmetrics (SPEC §4.7): validates the query, works out the window from the scraping server's
// last access, and renders the requested format from the database. Configured by the `[backend]` section
// (prefix, data source, send names, send charts matching, update every) even when that exporter is
// disabled, as in the reference.
import { ChartFilter } from '../exporter/filters';
import type { DataSource } from '../exporter/config-values';
import type { RrdDatabase } from '../rrd/database';
import { jsonText, shellText } from './allmetrics-other';
import { AllmetricsQuery, parseAllmetricsQuery } from './allmetrics-query';
import { LastAccessTable } from './last-access';
import { prometheusHeader, prometheusHostText, PrometheusTextOptions } from './prometheus-text';

/** The `[backend]` options the endpoint follows. */
export interface AllmetricsConfig {
  prefix: string;
  dataSource: DataSource;
  sendNames: boolean;
  sendChartsMatching: string;
  /** `[backend] update every`: the window of a server's first scrape. */
  updateEvery: number;
}

export interface AllmetricsResponse {
  contentType: string;
  body: string;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4';

export class AllmetricsEndpoint {
  private readonly access = new LastAccessTable();
  private filters = new Map<string, ChartFilter>();
  private filtersFor = '';

  /** @param config read at every request, so a configuration reload applies at once */
  constructor(private readonly db: RrdDatabase, private readonly config: () => AllmetricsConfig) {}

  /** Throws HttpError ERR_HTTP_QUERY for a bad query. */
  handle(params: URLSearchParams, clientAddress: string, nowMs: number = Date.now()): AllmetricsResponse {
    const q = parseAllmetricsQuery(params);
    const kernel = this.db.kernel;
    if (q.format === 'shell') return { contentType: 'text/plain; charset=utf-8', body: shellText(this.db.localhost, kernel) };
    if (q.format === 'json') return { contentType: 'application/json', body: jsonText(this.db.localhost, kernel) };
    return { contentType: PROMETHEUS_CONTENT_TYPE, body: this.prometheus(q, clientAddress, nowMs) };
  }

  private prometheus(q: AllmetricsQuery, clientAddress: string, nowMs: number): string {
    const c = this.config();
    const dataSource = q.dataSource ?? c.dataSource;
    const now = Math.floor(nowMs / 1000);
    const server = q.server ?? (clientAddress || 'default');
    const localhost = this.db.localhost;
    // prometheus_preparation: the window starts at this server's previous access to this host.
    let after = this.access.swap(server, localhost.hostname, now);
    const firstSeen = after === 0;
    if (firstSeen || after > now) after = now - c.updateEvery;
    const o: PrometheusTextOptions = {
      prefix: q.prefix ?? c.prefix, dataSource, names: q.names ?? c.sendNames, help: q.help, types: q.types, timestamps: q.timestamps,
      oldunits: q.oldunits, hideunits: q.hideunits, chartFilter: this.filter(c.sendChartsMatching, dataSource === 'as-collected'),
      kernel: this.db.kernel, nowMs,
    };
    const out: string[] = [];
    if (q.help) out.push(prometheusHeader(localhost.hostname, server, dataSource, firstSeen, after, now));
    if (q.format === 'prometheus') {
      out.push(prometheusHostText(localhost, after, now, false, o));
    } else {
      for (const host of this.db.hosts) out.push(prometheusHostText(host, after, now, true, o));
    }
    return out.join('');
  }

  /** A chart filter per (pattern, as-collected), kept while the pattern stays the same. */
  private filter(pattern: string, asCollected: boolean): ChartFilter {
    if (pattern !== this.filtersFor) {
      this.filters = new Map();
      this.filtersFor = pattern;
    }
    const key = asCollected ? 'c' : 's';
    let f = this.filters.get(key);
    if (f === undefined) {
      f = new ChartFilter(pattern, asCollected);
      this.filters.set(key, f);
    }
    return f;
  }
}
