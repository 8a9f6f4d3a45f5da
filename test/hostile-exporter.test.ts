// Hostile names, tags and values through the WHOLE format pass of the exporter (issue 8): a database built
// through the public collection API with awkward bytes everywhere a plugin or a streaming child can put
// them (hostnames, tags, chart type/id/name/family/context/units, dimension ids/names, int64 extremes),
// exported by the real Producer of every backend type (lib/exporter/producer-factory.ts) into a real
// SendQueue. Then every queued line / record is checked against its wire format:
// - graphite, OpenTSDB telnet: one line per metric (no name or tag can split or add a line), the
//   metric path / tags exactly where SPEC §4.1-4.2 put them, sanitised parts [A-Za-z0-9._], numeric fields;
// - JSON and Kinesis: every line is one JSON object giving back the (well-formed) strings (SPEC §7 row 15);
//   Kinesis records end after a newline (SPEC §7 row 8);
// - OpenTSDB HTTP: every body is a JSON array of points (SPEC §7 row 9);
// - remote write: every body decodes as a WriteRequest with valid label names (SPEC §4.6).
// format-property.test.ts covers the LineFormatter alone with single charts; this file covers the pass
// (host filter, several hosts and charts, the database's own string treatments, queueing).
import * as assert from 'assert';
import fc from 'fast-check';
import { resolveBackendOptions, ResolvedBackendOptions } from '../lib/exporter/config-options';
import { ChartFilter, HostFilter } from '../lib/exporter/filters';
import { createProducer } from '../lib/exporter/producer-factory';
import { SendQueue } from '../lib/exporter/send-queue';
import { decodeRemoteWriteBody } from '../lib/formats/remote-write-decode';
import { kernel } from '../lib/kernels';
import { RrdDatabase, RrdError, RrdHost } from '../lib/rrd';

const T0 = 1_700_000_000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What a receiver reads back from a string we sent as UTF-8 (lone surrogates become U+FFFD). */
const wf = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');

// Single characters a plugin or child can send: separators of every format, JSON/HTTP/graphite
// specials, control characters, DEL, lone surrogates, non-ASCII, and random code units.
const hostileUnit = fc.oneof(
  fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', ' ', '.', ';', '=', ',', ':', '{', '[', '}', ']', '/', '*', '!', '\u2028', 'é', '日', '😀'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom('a', 'b', 'x', '1'),
);
const hostile = (maxLength: number) => fc.oneof(
  fc.string({ unit: hostileUnit, minLength: 1, maxLength }),
  // Buffer-decoded random bytes: invalid UTF-8 arrives as U+FFFD, as from a socket.
  fc.uint8Array({ minLength: 1, maxLength }).map((b) => Buffer.from(b).toString('utf8')),
);
/** Ids: non-empty, at most 200 UTF-8 bytes (the database refuses others, tested in rrd.test.ts). */
const idArb = hostile(24).filter((s) => utf8Len(s) <= 200);
/** Config text: the configuration refuses NUL, CR and LF (config-options.ts), everything else is allowed. */
const configText = fc.string({ unit: hostileUnit, minLength: 1, maxLength: 16 }).map((s) => s.replace(/[\u0000\r\n]/g, '_'));
const valueArb = fc.oneof(fc.constantFrom(INT64_MIN, INT64_MAX, 0n, -1n, 1n, INT64_MIN + 1n, INT64_MAX - 1n), fc.bigInt({ min: INT64_MIN, max: INT64_MAX }));

interface DimSpec { id: string; name: string | null; values: bigint[] }
interface ChartSpec { type: string; id: string; name: string | null; family: string | null; context: string | null; units: string | null; dims: DimSpec[] }
interface HostSpec { hostname: string; tags: string | null; charts: ChartSpec[] }

const dimArb = fc.record({ id: idArb, name: fc.option(hostile(24), { nil: null }), values: fc.array(valueArb, { minLength: 3, maxLength: 3 }) });
const chartArb = fc.record({
  type: idArb, id: idArb, name: fc.option(hostile(24), { nil: null }), family: fc.option(hostile(16), { nil: null }),
  context: fc.option(hostile(16), { nil: null }), units: fc.option(hostile(8), { nil: null }),
  dims: fc.array(dimArb, { minLength: 1, maxLength: 3 }),
});
const hostArb = fc.record({ hostname: idArb, tags: fc.option(hostile(24), { nil: null }), charts: fc.array(chartArb, { minLength: 1, maxLength: 2 }) });

/** Builds the database through the public API; returns it and how many (chart, dimension) pairs exist. */
function buildDb(hosts: HostSpec[]): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'localhost-db', entries: 10, updateEvery: 1 });
  hosts.forEach((h, hi) => {
    let host: RrdHost;
    try {
      host = hi === 0 ? db.localhost : db.addHost({ hostname: h.hostname, tags: h.tags });
    } catch (e) {
      if (e instanceof RrdError && e.code === 'ERR_RRD_DUPLICATE_HOST') return;
      throw e;
    }
    if (hi === 0) host.tags = h.tags;
    h.charts.forEach((c, ci) => {
      // Unique ids keep the generated charts and dimensions apart; the hostile bytes stay in them.
      const chart = host.createChart({ type: c.type, id: `${c.id}${ci}`, name: c.name, family: c.family, context: c.context, units: c.units });
      chart.addDimensions(c.dims.map((d, di) => ({ id: `${d.id}${di}`, name: d.name, algorithm: di === 1 ? 'incremental' : 'absolute' })));
      for (let t = 0; t < 3; t++) {
        c.dims.forEach((d, di) => chart.set(di, d.values[t] as bigint, (T0 + t) * 1e6));
        chart.done((T0 + t) * 1e6);
      }
    });
  });
  return db;
}

const TYPES = ['graphite', 'opentsdb', 'opentsdb:http', 'json', 'kinesis', 'prometheus_remote_write'] as const;
type TypeName = (typeof TYPES)[number];

function optionsFor(type: TypeName, c: { prefix: string; hostname: string; tags: string | null; source: string; sendNames: boolean }): ResolvedBackendOptions {
  return resolveBackendOptions({
    enabled: true, type, dataSource: c.source, prefix: c.prefix, hostname: c.hostname, hostTags: c.tags, sendNames: c.sendNames,
    destination: type === 'kinesis' ? 'us-east-1' : 'localhost:4242',
    ...(type === 'kinesis' ? { kinesisCredentials: { accessKeyId: null, secretAccessKey: null, streamName: 's' } } : {}),
  });
}

interface Output { lines: Buffer | null; records: Buffer[]; metrics: number }

async function exportOnce(db: RrdDatabase, o: ResolvedBackendOptions): Promise<Output> {
  const queue = new SendQueue();
  const chartErrors: unknown[] = [];
  await createProducer(o, 1 << 20, kernel).produce({
    db, hostFilter: new HostFilter(null, () => undefined), chartFilter: new ChartFilter('*', o.dataSource === 'as-collected'),
    localHostname: o.hostname, localTags: o.hostTags, after: T0, before: T0 + 3, iteration: 1, nowMs: (T0 + 3) * 1000,
    queue, queued: () => undefined, sliceMs: 1000, aborted: () => false,
    onChartError: (_h, c, err) => chartErrors.push(`${JSON.stringify(c.id)}: ${String(err)}`),
  });
  assert.deepStrictEqual(chartErrors, [], 'no chart of a valid database is refused by the formatter');
  const metrics = queue.metrics;
  const lines: Buffer[] = [];
  const records: Buffer[] = [];
  for (let b = queue.head; b !== null; b = queue.head) {
    if (b.records === null) {
      lines.push(Buffer.from(b.remaining()));
      queue.takeLines(b, b.remainingBytes);
    } else {
      const r = b.nextRecord();
      assert.ok(r !== null);
      records.push(Buffer.from(r.body));
      queue.takeRecord(b, true);
    }
  }
  return { lines: lines.length > 0 ? Buffer.concat(lines) : null, records, metrics };
}

/** The hostname and tags each host is exported with (SPEC §4: localhost takes the configured ones). */
function exportedHosts(db: RrdDatabase, o: ResolvedBackendOptions): Array<{ hostname: string; tags: string | null }> {
  return db.hosts.map((h) => (h.isLocalhost ? { hostname: o.hostname, tags: o.hostTags ?? h.tags } : { hostname: h.hostname, tags: h.tags }))
    .map((h) => ({ hostname: h.hostname, tags: h.tags === '' ? null : h.tags }));
}

const NUM = '-?\\d+(?:\\.\\d{7})?';
const PART = '[A-Za-z0-9._]+';

function textLines(out: Output): string[] {
  const text = out.lines === null ? '' : out.lines.toString('utf8');
  const lines = text.split('\n');
  assert.strictEqual(lines.pop(), '', 'the output ends with a newline');
  // The framing property: exactly one line per metric, whatever the names and tags contain.
  assert.strictEqual(lines.length, out.metrics, `one line per metric: ${JSON.stringify(text.slice(0, 400))}`);
  return lines;
}

/** Verbatim (SPEC §4.1-4.2) except that CR and LF, which would end the line, are spaces. */
const oneLine = (s: string): string => wf(s).replace(/[\r\n]/g, ' ');
const MIDDLE = { graphite: new RegExp(`^${PART}\\.${PART}$`), opentsdb: new RegExp(`^${PART}\\.${PART} \\d+ ${NUM}$`) };
const NUMBERS_AT_END = new RegExp(` ${NUM} \\d+$`);

/**
 * Whether `line` is `head + middle + tail` with `middle` of the SPEC §4 layout. The verbatim parts are
 * compared as strings (they can be 10 MB: too large for a regular expression).
 */
function lineMatches(type: 'graphite' | 'opentsdb', line: string, prefix: string, hostname: string, tags: string | null): boolean {
  let head: string;
  let tail: string;
  if (type === 'graphite') {
    head = `${oneLine(prefix)}.${oneLine(hostname)}.`;
    const nums = NUMBERS_AT_END.exec(line.slice(-64));
    if (nums === null) return false;
    tail = (tags === null ? '' : ';' + oneLine(tags)) + nums[0];
  } else {
    head = `put ${oneLine(prefix)}.`;
    tail = ` host=${oneLine(hostname)}${tags === null ? '' : ' ' + oneLine(tags)}`;
  }
  return line.length >= head.length + tail.length && line.startsWith(head) && line.endsWith(tail) &&
    MIDDLE[type].test(line.slice(head.length, line.length - tail.length));
}

function checkLineFormat(type: 'graphite' | 'opentsdb', out: Output, db: RrdDatabase, o: ResolvedBackendOptions): void {
  const hosts = exportedHosts(db, o);
  for (const line of textLines(out)) {
    assert.ok(hosts.some((h) => lineMatches(type, line, o.prefix, h.hostname, h.tags)), `${type} line does not have the SPEC §4 layout: ${JSON.stringify(line.slice(0, 300))}`);
  }
}

function checkJsonLine(line: string, db: RrdDatabase, o: ResolvedBackendOptions): void {
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch (e) {
    assert.fail(`not JSON (${String(e)}): ${JSON.stringify(line)}`);
  }
  assert.strictEqual(obj.prefix, wf(o.prefix));
  const hosts = exportedHosts(db, o).map((h) => wf(h.hostname));
  assert.ok(hosts.includes(obj.hostname as string), `hostname ${JSON.stringify(obj.hostname)} is one of the hosts`);
  const chart = db.hosts.flatMap((h) => h.charts).find((c) => wf(c.id) === obj.chart_id);
  assert.ok(chart !== undefined, `chart_id ${JSON.stringify(obj.chart_id)} names a chart`);
  assert.strictEqual(obj.chart_name, wf(chart.name));
  assert.strictEqual(obj.chart_family, wf(chart.family));
  assert.strictEqual(obj.chart_context, wf(chart.context));
  assert.strictEqual(obj.units, wf(chart.units));
  assert.ok(chart.dimensions.some((d) => wf(d.id) === obj.id && wf(d.name) === obj.name), `dimension ${JSON.stringify(obj.id)} of the chart`);
  assert.strictEqual(typeof obj.value, 'number');
  assert.ok(Number.isInteger(obj.timestamp));
}

function check(type: TypeName, out: Output, db: RrdDatabase, o: ResolvedBackendOptions): void {
  switch (type) {
    case 'graphite':
    case 'opentsdb':
      checkLineFormat(type, out, db, o);
      break;
    case 'json':
      for (const line of textLines(out)) checkJsonLine(line, db, o);
      break;
    case 'kinesis': {
      assert.strictEqual(out.lines, null);
      let lines = 0;
      for (const r of out.records) {
        assert.strictEqual(r[r.length - 1], 0x0a, 'a Kinesis record ends after a newline (SPEC §7 row 8)');
        const rl = r.toString('utf8').split('\n');
        rl.pop();
        for (const line of rl) checkJsonLine(line, db, o);
        lines += rl.length;
      }
      assert.strictEqual(lines, out.metrics, 'one JSON line per metric');
      break;
    }
    case 'opentsdb:http': {
      let points = 0;
      const hosts = exportedHosts(db, o).map((h) => wf(h.hostname));
      for (const r of out.records) {
        const body = JSON.parse(r.toString('utf8')) as Array<{ metric: string; timestamp: number; value: number; tags: Record<string, string> }>;
        assert.ok(Array.isArray(body) && body.length > 0, 'a batched body is a non-empty JSON array (SPEC §7 row 9)');
        for (const p of body) {
          assert.ok(p.metric.startsWith(wf(o.prefix) + '.') && new RegExp(`^${PART}\\.${PART}$`).test(p.metric.slice(wf(o.prefix).length + 1)), `metric ${JSON.stringify(p.metric)}`);
          assert.ok(Number.isInteger(p.timestamp) && typeof p.value === 'number');
          assert.ok(hosts.includes(p.tags.host as string), `host tag ${JSON.stringify(p.tags.host)}`);
        }
        points += body.length;
      }
      assert.strictEqual(points, out.metrics);
      break;
    }
    case 'prometheus_remote_write': {
      assert.ok(out.records.length >= 1, 'at least the netdata_info series is sent');
      for (const r of out.records) {
        for (const s of decodeRemoteWriteBody(r)) {
          const names = s.labels.map(([n]) => n);
          for (const n of names) assert.match(n, /^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a Prometheus label name');
          assert.strictEqual(new Set(names).size, names.length, `no repeated label name: ${names.join(',')}`);
          const metric = s.labels.find(([n]) => n === '__name__');
          assert.ok(metric !== undefined, 'every series has a __name__');
          // Host-info series have fixed names; chart series start with the (unsanitised, SPEC §4.6) prefix.
          if (metric[1] !== 'netdata_info' && metric[1] !== 'netdata_host_tags_info') {
            assert.ok(metric[1].startsWith(wf(o.prefix) + '_'), `${JSON.stringify(metric[1])} starts with the prefix`);
            assert.match(metric[1].slice(wf(o.prefix).length), /^[a-zA-Z0-9_:]*$/, 'the part after the prefix is sanitised');
          }
          for (const smp of s.samples) assert.ok(Number.isFinite(smp.value) && Number.isSafeInteger(smp.timestampMs));
        }
      }
      break;
    }
  }
}

const MB10 = 10 * 1024 * 1024;
/** 10 MB of every awkward unit, repeated. */
const HUGE = '"\\\n\r\t\u0000\u007f ;=,.:{[é日😀\ud800x'.repeat(Math.ceil(MB10 / 22)).slice(0, MB10);

/** One child with 10 MB tags, a chart with a 10 MB name and family and a 10 MB dimension name. */
function hugeDb(): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'localhost-db', entries: 10, updateEvery: 1 });
  const child = db.addHost({ hostname: 'child\n"x', tags: HUGE });
  const chart = child.createChart({ type: 'big', id: 'names', name: HUGE, family: HUGE, context: 'c\u0000"', units: '\\/s' });
  chart.addDimensions([{ id: 'small' }, { id: 'big', name: HUGE }]);
  for (let t = 0; t < 3; t++) {
    chart.set(0, INT64_MAX, (T0 + t) * 1e6);
    chart.set(1, INT64_MIN, (T0 + t) * 1e6);
    chart.done((T0 + t) * 1e6);
  }
  return db;
}

describe(`hostile names, tags and values through the exporter's format pass (${kernel.implementation} kernel)`, () => {
  let huge: RrdDatabase | null = null;
  for (const type of TYPES) {
    it(`${type}: 10 MB names and tags`, async () => {
      huge ??= hugeDb();
      const o = optionsFor(type, { prefix: 'p', hostname: 'h', tags: null, source: 'average', sendNames: true });
      const out = await exportOnce(huge, o);
      assert.ok(out.metrics >= 2, `the child's two dimensions were exported (${out.metrics})`);
      check(type, out, huge, o);
    });

    it(`${type}: every queued line/record is valid for the format`, async () => {
      const configArb = fc.record({
        prefix: configText, hostname: configText, tags: fc.option(configText, { nil: null }),
        source: fc.constantFrom('as collected', 'average', 'sum'), sendNames: fc.boolean(),
      });
      let metrics = 0;
      await fc.assert(fc.asyncProperty(fc.array(hostArb, { minLength: 1, maxLength: 3 }), configArb, async (hosts, cfg) => {
        const db = buildDb(hosts);
        const o = optionsFor(type, cfg);
        const out = await exportOnce(db, o);
        check(type, out, db, o);
        metrics += out.metrics;
      }), { numRuns: 60 });
      assert.ok(metrics > 60, `the runs exported metrics (${metrics}), so the checks saw lines`);
    });
  }
});
