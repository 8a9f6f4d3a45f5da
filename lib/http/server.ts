// The agent's HTTP server: the Prometheus pull endpoint (SPEC §4.7) and the live dashboard. Binds
// 127.0.0.1 unless told otherwise. Only GET/HEAD on a fixed set of paths; static files come from a fixed
// table (no path from the request ever reaches the file system); every query is validated.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { RrdChart } from '../rrd/chart';
import type { RrdDatabase } from '../rrd/database';
import { AllmetricsConfig, AllmetricsEndpoint } from './allmetrics';
import { chartData, listCharts, parsePoints } from './chart-data';
import { DASHBOARD_CSS, DASHBOARD_HTML, DASHBOARD_JS } from './dashboard-assets';
import { HttpError } from './errors';

export interface AgentHttpSource {
  db: RrdDatabase;
  /** The `[backend]` options the allmetrics endpoint follows (read per request). */
  allmetrics: () => AllmetricsConfig;
  /** JSON-able status for the dashboard's destinations table. */
  status: () => unknown;
  /** Dashboard order of a chart (lower first), or null to leave it out. */
  rank: (chart: RrdChart) => number | null;
}

export interface ListenAddress {
  host: string;
  port: number;
}

interface StaticFile {
  type: string;
  body: () => Buffer;
}

/** A file of an npm package, read once (from the agent's own node_modules: the dashboard needs no network). */
function packageFile(request: string): () => Buffer {
  let cached: Buffer | null = null;
  return () => (cached ??= fs.readFileSync(require.resolve(request)));
}

const text = (s: string): (() => Buffer) => {
  const b = Buffer.from(s, 'utf8');
  return () => b;
};

const STATIC: Readonly<Record<string, StaticFile>> = Object.freeze({
  '/': { type: 'text/html; charset=utf-8', body: text(DASHBOARD_HTML) },
  '/dashboard.css': { type: 'text/css; charset=utf-8', body: text(DASHBOARD_CSS) },
  '/dashboard.js': { type: 'text/javascript; charset=utf-8', body: text(DASHBOARD_JS) },
  '/uplot/uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', body: packageFile('uplot/dist/uPlot.iife.min.js') },
  '/uplot/uPlot.min.css': { type: 'text/css; charset=utf-8', body: packageFile('uplot/dist/uPlot.min.css') },
});

const SECURITY_HEADERS: http.OutgoingHttpHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

export class AgentHttpServer {
  private readonly server: http.Server;
  private readonly allmetrics: AllmetricsEndpoint;
  private bound: AddressInfo | null = null;

  constructor(private readonly source: AgentHttpSource) {
    this.allmetrics = new AllmetricsEndpoint(source.db, source.allmetrics);
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Bounded request handling: a scraper or browser that stalls does not hold a socket forever.
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
    this.server.keepAliveTimeout = 5_000;
  }

  /** Listens; a busy or forbidden address is an HttpError naming it and what to do. */
  listen(addr: ListenAddress): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new HttpError('ERR_HTTP_LISTEN', `cannot listen on ${formatAddress(addr.host, addr.port)}: ${err.code ?? err.message}${err.code === 'EADDRINUSE' ? ' (the port is in use)' : ''}; accepted: --http HOST:PORT with a free port (PORT 0 = any free port), or --http off`));
      };
      this.server.once('error', onError);
      this.server.listen(addr.port, addr.host, () => {
        this.server.off('error', onError);
        this.bound = this.server.address() as AddressInfo;
        resolve(this.bound);
      });
    });
  }

  /** `http://HOST:PORT/` of the listening server. */
  get url(): string | null {
    return this.bound === null ? null : `http://${formatAddress(this.bound.address, this.bound.port)}/`;
  }

  get address(): AddressInfo | null {
    return this.bound;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.bound === null) return resolve();
      this.bound = null;
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const head = req.method === 'HEAD';
    try {
      if (req.method !== 'GET' && !head) throw new HttpError('ERR_HTTP_METHOD', `method ${req.method ?? '?'} is not accepted; accepted: GET, HEAD`);
      const url = new URL(req.url ?? '/', 'http://agent.invalid');
      const file = STATIC[url.pathname];
      if (file !== undefined) {
        if (url.search !== '') throw new HttpError('ERR_HTTP_QUERY', `${url.pathname} takes no query parameters`);
        return this.send(res, 200, file.type, file.body(), head);
      }
      switch (url.pathname) {
        case '/api/v1/allmetrics': {
          const r = this.allmetrics.handle(url.searchParams, req.socket.remoteAddress ?? 'default');
          return this.send(res, 200, r.contentType, Buffer.from(r.body, 'utf8'), head);
        }
        case '/api/v1/charts':
          onlyParams(url, []);
          return this.json(res, listCharts(this.source.db.localhost, (c) => this.source.rank(c) !== null, (c) => this.source.rank(c) ?? 0), head);
        case '/api/v1/data': {
          onlyParams(url, ['chart', 'points']);
          const id = url.searchParams.get('chart');
          if (id === null || id === '') throw new HttpError('ERR_HTTP_QUERY', 'data: the chart parameter is missing; accepted: chart=<chart id> as listed by /api/v1/charts');
          const chart = this.source.db.localhost.findChart(id);
          if (chart === undefined) throw new HttpError('ERR_HTTP_NOT_FOUND', `data: no chart ${JSON.stringify(id.slice(0, 200))}; accepted: a chart id listed by /api/v1/charts`);
          return this.json(res, chartData(chart, parsePoints(url.searchParams.get('points')), this.source.db.kernel), head);
        }
        case '/api/v1/status':
          onlyParams(url, []);
          return this.json(res, this.source.status(), head);
        default:
          throw new HttpError('ERR_HTTP_NOT_FOUND', `no such path ${JSON.stringify(url.pathname.slice(0, 200))}; accepted: /, /api/v1/allmetrics, /api/v1/charts, /api/v1/data, /api/v1/status`);
      }
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError('ERR_HTTP_NOT_FOUND', 'internal error', 500);
      if (!(err instanceof HttpError)) process.emitWarning(`rrd-backends http: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      const body = Buffer.from(`${JSON.stringify({ error: e.code, message: e.message })}\n`, 'utf8');
      if (e.status === 405) res.setHeader('Allow', 'GET, HEAD');
      this.send(res, e.status, 'application/json', body, head);
    }
  }

  private json(res: http.ServerResponse, value: unknown, head: boolean): void {
    this.send(res, 200, 'application/json', Buffer.from(JSON.stringify(value), 'utf8'), head);
  }

  private send(res: http.ServerResponse, status: number, type: string, body: Buffer, head: boolean): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(head ? undefined : body);
  }
}

function onlyParams(url: URL, accepted: string[]): void {
  for (const k of url.searchParams.keys()) {
    if (!accepted.includes(k)) {
      throw new HttpError('ERR_HTTP_QUERY', `${url.pathname}: unknown parameter ${JSON.stringify(k.slice(0, 60))}; accepted: ${accepted.length ? accepted.join(', ') : 'none'}`);
    }
  }
}

/** host:port, with brackets for IPv6. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
