// The query of GET /api/v1/allmetrics (SPEC §4.7), validated: the reference reads any parameter silently;
// here an unknown or repeated parameter, or a value outside what is listed, is a 400 naming the parameter
// and what is accepted. Values that reach the output (prefix) are restricted to what cannot break the text
// format.
import { DATA_SOURCE_SPELLINGS, DataSource, parseDataSource } from '../exporter/config-values';
import { HttpError } from './errors';

export type AllmetricsFormat = 'prometheus' | 'prometheus_all_hosts' | 'shell' | 'json';
export const ALLMETRICS_FORMATS: readonly AllmetricsFormat[] = ['prometheus', 'prometheus_all_hosts', 'shell', 'json'];

export interface AllmetricsQuery {
  format: AllmetricsFormat;
  /** `server=`: whose last access defines the window (null: the client's address, as the reference). */
  server: string | null;
  /** `prefix=` (null: the configured prefix). */
  prefix: string | null;
  /** data source under any of its six names (null: the configured one). */
  dataSource: DataSource | null;
  /** `names=` (null: the configured `send names instead of ids`). */
  names: boolean | null;
  help: boolean;
  types: boolean;
  timestamps: boolean;
  variables: boolean;
  oldunits: boolean;
  hideunits: boolean;
}

/** SPEC §4.7: the data source may be given under any of these names. */
export const DATA_SOURCE_PARAMS: readonly string[] = ['data', 'source', 'data source', 'data-source', 'data_source', 'datasource'];
const FLAGS = ['help', 'types', 'names', 'timestamps', 'variables', 'oldunits', 'hideunits'] as const;
const ACCEPTED_PARAMS = ['format', 'server', 'prefix', ...DATA_SOURCE_PARAMS, ...FLAGS];
const TRUE_VALUES = new Set(['yes', 'true', '1']);
const FALSE_VALUES = new Set(['no', 'false', '0']);
/** A metric-name prefix Prometheus accepts: [a-zA-Z_:][a-zA-Z0-9_:]*. */
const PREFIX = /^[A-Za-z_:][A-Za-z0-9_:]{0,99}$/;
const SERVER_MAX = 100;

function fail(message: string): never {
  throw new HttpError('ERR_HTTP_QUERY', message);
}

function show(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
}

/** Parses and validates the query; throws HttpError ERR_HTTP_QUERY (400). */
export function parseAllmetricsQuery(params: URLSearchParams): AllmetricsQuery {
  const q: AllmetricsQuery = {
    // The reference's default format is shell.
    format: 'shell', server: null, prefix: null, dataSource: null, names: null,
    help: false, types: false, timestamps: true, variables: false, oldunits: false, hideunits: false,
  };
  const seen = new Set<string>();
  let sourceParam: string | null = null;
  for (const [key, value] of params) {
    if (!ACCEPTED_PARAMS.includes(key)) fail(`allmetrics: unknown parameter ${show(key)}; accepted: ${ACCEPTED_PARAMS.map((p) => `'${p}'`).join(', ')}`);
    if (seen.has(key)) fail(`allmetrics: parameter '${key}' is given twice; accepted: each parameter once`);
    seen.add(key);
    if (key === 'format') {
      if (!(ALLMETRICS_FORMATS as readonly string[]).includes(value)) fail(`allmetrics: format=${show(value)} is not accepted; accepted: ${ALLMETRICS_FORMATS.join(', ')}`);
      q.format = value as AllmetricsFormat;
    } else if (key === 'server') {
      if (value.length === 0 || value.length > SERVER_MAX || /[\u0000-\u001f\u007f]/.test(value)) {
        fail(`allmetrics: server=${show(value)} is not accepted; accepted: 1 to ${SERVER_MAX} printable characters`);
      }
      q.server = value;
    } else if (key === 'prefix') {
      if (!PREFIX.test(value)) fail(`allmetrics: prefix=${show(value)} is not accepted; accepted: 1 to 100 characters of letters, digits, '_' and ':', not starting with a digit`);
      q.prefix = value;
    } else if (DATA_SOURCE_PARAMS.includes(key)) {
      if (sourceParam !== null) fail(`allmetrics: the data source is given twice ('${sourceParam}' and '${key}'); accepted: one of ${DATA_SOURCE_PARAMS.map((p) => `'${p}'`).join(', ')}`);
      sourceParam = key;
      const ds = parseDataSource(value);
      if (ds === null) fail(`allmetrics: ${key}=${show(value)} is not a data source; accepted: ${Object.keys(DATA_SOURCE_SPELLINGS).join(', ')}`);
      q.dataSource = ds;
    } else {
      const v = value.toLowerCase();
      let on: boolean;
      if (TRUE_VALUES.has(v)) on = true;
      else if (FALSE_VALUES.has(v)) on = false;
      else fail(`allmetrics: ${key}=${show(value)} is not accepted; accepted: yes, true, 1, no, false, 0`);
      if (key === 'names') q.names = on;
      else q[key as Exclude<(typeof FLAGS)[number], 'names'>] = on;
    }
  }
  return q;
}
