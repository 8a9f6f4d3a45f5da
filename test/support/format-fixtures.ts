// Test fixtures for the formatter tests: charts built from plain inputs, a seeded PRNG, name pools with
// the awkward bytes (non-ASCII, control characters, quotes, lone surrogates), and an independent
// reference-style formatter that prints the SPEC's Appendix A format strings with plain string
// interpolation (no escaping, no templates), for inputs that need no fix.
import {
  META_COUNTER, META_CURRENT_ENTRY, META_DIMS, META_ENTRIES, META_LAST_UPDATED, META_LENGTH, META_UPDATE_EVERY, SN_EXISTS,
} from '../../lib/kernels/types';
import type { ChartView } from '../../lib/formats/chart-view';

export class Rng {
  constructor(private x: number) { if (this.x === 0) this.x = 1; }
  next(): number {
    let x = this.x;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.x = x;
    return x;
  }
  int(n: number): number { return this.next() % n; }
  pick<T>(a: readonly T[]): T { return a[this.int(a.length)] as T; }
}

export interface ChartInput {
  id: string;
  name?: string | null;
  type?: string;
  family?: string;
  context?: string;
  units?: string;
  dims: Array<{ id: string; name?: string | null; value?: bigint; time?: number; slots?: number[] }>;
  entries?: number;
  updateEvery?: number;
  lastUpdated?: number;
  counter?: number;
  currentEntry?: number;
}

/** A mutable chart (tests bump namesVersion and reallocate arrays like the database does). */
export interface TestChart extends ChartView {
  dimensions: Array<{ id: string; name: string | null }>;
}

export function makeChart(c: ChartInput): TestChart {
  const entries = c.entries ?? 10;
  const dims = c.dims.length;
  const ring = new Uint32Array(dims * entries);
  const lcv = new BigInt64Array(dims);
  const lct = new Float64Array(dims);
  c.dims.forEach((d, i) => {
    (d.slots ?? []).forEach((w, s) => { ring[i * entries + s] = w >>> 0; });
    lcv[i] = d.value ?? BigInt(i * 1000 + 7);
    lct[i] = d.time ?? 1700000000;
  });
  const meta = new Float64Array(META_LENGTH);
  meta[META_ENTRIES] = entries;
  meta[META_CURRENT_ENTRY] = c.currentEntry ?? 0;
  meta[META_COUNTER] = c.counter ?? entries;
  meta[META_LAST_UPDATED] = c.lastUpdated ?? 1700000000;
  meta[META_UPDATE_EVERY] = c.updateEvery ?? 1;
  meta[META_DIMS] = dims;
  return {
    id: c.id,
    name: c.name === undefined ? c.id : c.name,
    type: c.type ?? c.id.split('.')[0] ?? '',
    family: c.family ?? 'family',
    context: c.context ?? c.id,
    units: c.units ?? 'units',
    ring, meta, lastCollectedValue: lcv, lastCollectedTime: lct,
    dimensions: c.dims.map((d) => ({ id: d.id, name: d.name === undefined ? d.id : d.name })),
    namesVersion: 1,
  };
}

export const CLEAN_WORDS = ['system', 'cpu', 'user', 'nice', 'eth0', 'disk_util', 'sda', 'dm.0', 'io', 'x1', 'Received'];
export const DIRTY_WORDS = [
  'café', 'dm-0', 'a b', 'tab\there', 'new\nline', 'cr\rx', 'quo"te', 'back\\slash', 'ctl\u0001\u001f', 'del\u007f',
  '日本', '😀', 'ñ/ü', '', ' ', '{"k":"v"}', '[1,2]', '"str"', '\u2028sep', 'lone\ud800', '\udc00lone', '\u0000nul',
  'x'.repeat(199) + 'é', 'y'.repeat(260),
];

/** A random name: mostly clean, often dirty. */
export function randomName(r: Rng, dirtyPercent = 40): string {
  const n = 1 + r.int(3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(r.int(100) < dirtyPercent ? r.pick(DIRTY_WORDS) : r.pick(CLEAN_WORDS));
  return parts.join(r.pick(['.', '_', '-', ' ', '']));
}

/** A random storage word: existing values in divide/multiply mode, empty slots, arbitrary words. */
export function randomWord(r: Rng): number {
  const k = r.int(10);
  if (k === 0) return 0;
  if (k === 1) return r.next();
  const m = r.int(8);
  const sign = r.int(4) === 0 ? 0x80000000 : 0;
  const mul = r.int(6) === 0 ? 0x40000000 : 0;
  return (sign | mul | (m << 27) | SN_EXISTS | r.int(0x1000000)) >>> 0;
}

export function randomChart(r: Rng, dirtyPercent = 40): TestChart {
  const dims = 1 + r.int(12);
  const entries = 5 + r.int(40);
  const ue = 1 + r.int(5);
  const lastUpdated = 1600000000 + r.int(1000) * ue;
  const counter = r.int(3) === 0 ? r.int(entries) : entries + r.int(100);
  const currentEntry = counter % entries;
  const spec: ChartInput = {
    id: randomName(r, dirtyPercent), name: r.int(10) === 0 ? null : randomName(r, dirtyPercent),
    type: randomName(r, dirtyPercent), family: randomName(r, dirtyPercent), context: randomName(r, dirtyPercent),
    units: randomName(r, dirtyPercent),
    entries, updateEvery: ue, lastUpdated, counter, currentEntry,
    dims: [],
  };
  for (let d = 0; d < dims; d++) {
    const slots: number[] = [];
    for (let s = 0; s < entries; s++) slots.push(randomWord(r));
    const value = r.int(5) === 0 ? BigInt.asIntN(64, (BigInt(r.next()) << 32n) | BigInt(r.next())) : BigInt(r.next()) - 2147483648n;
    const time = r.int(8) === 0 ? -r.int(100000) : lastUpdated - r.int(30);
    spec.dims.push({ id: randomName(r, dirtyPercent), name: r.int(10) === 0 ? null : randomName(r, dirtyPercent), value, time, slots });
  }
  return makeChart(spec);
}

// ----- independent reference-style formatter (SPEC Appendix A), for inputs that need no fix -----

function cName(s: string): string {
  // backend_name_copy on bytes (SPEC §4.0), written independently of lib/formats/names.ts.
  const b = Buffer.from(s, 'utf8').subarray(0, 200);
  return Array.from(b, (c) => (/[A-Za-z0-9.]/.test(String.fromCharCode(c)) ? String.fromCharCode(c) : '_')).join('');
}

export interface RefInput {
  prefix: string;
  hostname: string;
  tags: string | null;
  sendNames: boolean;
  chart: ChartView;
  dim: number;
  /** "%lld"/"%0.7Lf" text of the value and the "%llu" time. */
  value: string;
  time: string;
}

export function refGraphite(i: RefInput): string {
  const c = i.chart;
  const d = c.dimensions[i.dim]!;
  const chart = cName(i.sendNames && c.name !== null ? c.name : c.id);
  const dim = cName(i.sendNames && d.name !== null ? d.name : d.id);
  return `${i.prefix}.${i.hostname}.${chart}.${dim}${i.tags ? ';' : ''}${i.tags ?? ''} ${i.value} ${i.time}\n`;
}

export function refOpenTsdb(i: RefInput): string {
  const c = i.chart;
  const d = c.dimensions[i.dim]!;
  const chart = cName(i.sendNames && c.name !== null ? c.name : c.id);
  const dim = cName(i.sendNames && d.name !== null ? d.name : d.id);
  return `put ${i.prefix}.${chart}.${dim} ${i.time} ${i.value} host=${i.hostname}${i.tags ? ' ' : ''}${i.tags ?? ''}\n`;
}

export function refJson(i: RefInput): string {
  const c = i.chart;
  const d = c.dimensions[i.dim]!;
  const t = i.tags;
  const h = !t ? '' : '{["'.includes(t[0]!) ? `"host_tags":${t},` : `"host_tags":"${t}",`;
  return `{"prefix":"${i.prefix}","hostname":"${i.hostname}",${h}"chart_id":"${c.id}","chart_name":"${c.name}","chart_family":"${c.family}","chart_context": "${c.context}","chart_type":"${c.type}","units": "${c.units}","id":"${d.id}","name":"${d.name}","value":${i.value},"timestamp": ${i.time}}\n`;
}

export function refHttpSingle(i: RefInput, hostHeader: string): string {
  const c = i.chart;
  const d = c.dimensions[i.dim]!;
  const chart = cName(i.sendNames && c.name !== null ? c.name : c.id);
  const dim = cName(i.sendNames && d.name !== null ? d.name : d.id);
  const body = `{  "metric": "${i.prefix}.${chart}.${dim}",  "timestamp": ${i.time},  "value": ${i.value},  "tags": {    "host": "${i.hostname}${i.tags ? ' ' : ''}${i.tags ?? ''}"  }}`;
  return `POST /api/put HTTP/1.1\r\nHost: ${hostHeader}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Splits pipelined HTTP requests; checks that each Content-Length is the body's byte length. */
export function splitHttpRequests(b: Buffer): Array<{ head: string; body: Buffer }> {
  const out: Array<{ head: string; body: Buffer }> = [];
  let at = 0;
  while (at < b.length) {
    const end = b.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) throw new Error(`no end of HTTP head after byte ${at}`);
    const head = b.toString('utf8', at, end);
    const m = /\r\nContent-Length: (\d+)$/m.exec(head) ?? /Content-Length: (\d+)/.exec(head);
    if (!m) throw new Error(`no Content-Length in ${JSON.stringify(head)}`);
    const len = Number(m[1]);
    const body = b.subarray(end + 4, end + 4 + len);
    if (body.length !== len) throw new Error(`Content-Length ${len} but only ${body.length} bytes follow`);
    out.push({ head, body });
    at = end + 4 + len;
  }
  return out;
}
