// AWS Kinesis through the Exporter, configured from netdata.conf + aws_kinesis.conf text (issue 5; SPEC §4.5,
// §5.14, §7 row 8): a database collected through the collection API -> a `kinesis` instance -> the AWS SDK
// -> kinesalite on 127.0.0.1, every record read back with GetRecords. In the same Exporter a `json`
// instance with the same options sends to a line collector: for every iteration, the records (in send
// order) must be exactly the JSON lines of the exporter's JSON formatter. Values are also checked against
// the SPEC §3.1 average computed here from the collected inputs. Throttling is injected by a proxy.
import * as assert from 'assert';
import type { IterationCounters } from '../lib/exporter/counters';
import { RrdDatabase } from '../lib/rrd';
import { LineCollector } from './support/fake-servers';
import { DUMMY_CREDENTIALS, ReadRecord, REGION, ThrottlingProxy, useKinesalite } from './support/kinesalite';
import { chartValue, collect, configuredExporter, ConfiguredExporter, storedAverage } from './exporter-remote-write-harness';

const CHARTS = 6;
const DIMS = 4;
const value = (c: number) => (t: number, j: number): number => 100 * c + 3 * (t - 1_000_000_000) % 997 + j;

/** `charts` charts `system.c<i>` of `dims` absolute dimensions, collected every second from T-10 to T+10. */
function database(T: number, charts = CHARTS, dims = DIMS): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 60 });
  for (let c = 0; c < charts; c++) collect(db, `c${c}`, 'requests/s', Array.from({ length: dims }, (_, j) => ({ id: `d${j}` })), T - 10, T + 10, value(c));
  return db;
}

function conf(endpoint: string, jsonPort: number, extra: string[] = []): string {
  const common = ['hostname = web01', 'host tags = dc=eu', 'update every = 1', 'data source = average', 'send charts matching = system.*', 'timeout ms = 10000'];
  return [
    '[backend]', 'enabled = no',
    '[backend:kin]', 'enabled = yes', 'type = kinesis', `destination = ${REGION}`, `kinesis endpoint = ${endpoint}`, ...common, ...extra,
    '[backend:json]', 'enabled = yes', 'type = json', `destination = 127.0.0.1:${jsonPort}`, ...common,
  ].join('\n');
}

const kinesisConf = (stream: string): string => [
  `aws_access_key_id = ${DUMMY_CREDENTIALS.accessKeyId}`,
  `aws_secret_access_key = "${DUMMY_CREDENTIALS.secretAccessKey}"`,
  `stream name = ${stream}`,
].join('\n');

/** Sequence of a `web01_<n>` partition key: the sink numbers records in queue order. */
const keyNo = (r: ReadRecord): number => Number(r.partitionKey.slice(r.partitionKey.lastIndexOf('_') + 1));

/** Reads the stream and JSON collector after each iteration and compares what is new in both. */
class Comparer {
  private seenRecords = new Set<string>();
  private seenLines = 0;

  constructor(private readonly x: ConfiguredExporter, private readonly json: LineCollector, private readonly readAll: () => Promise<ReadRecord[]>) {}

  /** Records and JSON lines new since the last call; asserts they are the same bytes. */
  async next(what: string): Promise<{ records: ReadRecord[]; lines: string[] }> {
    const jsonIt = this.x.iterations.get('json')!.at(-1)!;
    const total = this.x.iterations.get('json')!.reduce((n, c) => n + c.sentMetrics, 0);
    await this.json.waitForLines(total);
    const lines = this.json.lines.slice(this.seenLines);
    this.seenLines = this.json.lines.length;
    assert.strictEqual(lines.length, jsonIt.sentMetrics, `${what}: the json instance delivered its iteration`);
    const all = await this.readAll();
    const records = all.filter((r) => !this.seenRecords.has(r.sequenceNumber + r.shardId)).sort((a, b) => keyNo(a) - keyNo(b));
    for (const r of records) this.seenRecords.add(r.sequenceNumber + r.shardId);
    const got = Buffer.concat(records.map((r) => r.data));
    assert.strictEqual(got.toString('latin1'), lines.map((l) => `${l}\n`).join(''), `${what}: the kinesis records are the JSON lines of the same iteration`);
    for (const r of records) assert.strictEqual(r.data[r.data.length - 1], 0x0a, 'every record ends after a newline (SPEC §7 row 8 fix)');
    return { records, lines };
  }
}

/** The values of SPEC §3.1 for the window of iteration `c`, per chart and dimension. */
function checkValues(lines: string[], c: IterationCounters, count = CHARTS * DIMS): void {
  assert.strictEqual(lines.length, count);
  for (const line of lines) {
    const o = JSON.parse(line) as { chart_id: string; id: string; value: number; timestamp: number; hostname: string; host_tags: string };
    const chart = Number(/^system\.c(\d+)$/.exec(o.chart_id)![1]);
    const j = Number(o.id.slice(1));
    const want = storedAverage(c.after, c.before, (t) => value(chart)(t, j));
    assert.deepStrictEqual([o.hostname, o.host_tags, o.value, o.timestamp], ['web01', 'dc=eu', want.value, want.ts], line);
  }
}

describe('exporter: kinesis from configuration into kinesalite (GetRecords read-back)', function () {
  this.timeout(60_000);
  const k = useKinesalite();
  let collector: LineCollector | null = null;
  let x: ConfiguredExporter | null = null;
  let proxy: ThrottlingProxy | null = null;
  const T = Math.floor(Date.now() / 1000) - 100;

  beforeEach(async () => {
    collector = await LineCollector.start();
  });
  afterEach(async () => {
    await x?.exporter.stop(0);
    await proxy?.close();
    await collector?.close();
    x = null;
    proxy = null;
    collector = null;
  });

  it('every record read back equals the JSON lines of the same iteration; values, counters and charts add up', async () => {
    await k().createStream('metrics', 2);
    const db = database(T);
    // Chunks of whole charts from ~1500 bytes: several records per iteration (each chunk is cut on its own).
    x = await configuredExporter(db, conf(k().endpoint, collector!.port), T, { chunkBytes: 1500 }, kinesisConf('metrics'));
    const cmp = new Comparer(x, collector!, () => k().readAll('metrics'));
    for (let it = 1; it <= 3; it++) {
      await x.step(it === 1 ? 2 : 1);
      const c: IterationCounters = x.iterations.get('kin')!.at(-1)!;
      const { records, lines } = await cmp.next(`iteration ${it}`);
      checkValues(lines, c);
      assert.ok(records.length >= 3, `${records.length} records`);
      const bytes = records.reduce((n, r) => n + r.data.length, 0);
      assert.deepStrictEqual([c.newMetrics, c.sentMetrics, c.lostMetrics, c.remainingMetrics, c.newBytes, c.sentBytes], [CHARTS * DIMS, CHARTS * DIMS, 0, 0, bytes, bytes]);
      // `write` = records stored, `read` = PutRecords calls answered: one per queued chunk, and each ~1500-byte
      // chunk is one record here.
      assert.deepStrictEqual([c.transmissionSuccesses, c.transmissionFailures, c.receptions, c.dataLostEvents], [records.length, 0, records.length, 0]);
      assert.deepStrictEqual([chartValue(db, 'netdata.backend_kin_metrics', 'sent'), chartValue(db, 'netdata.backend_kin_ops', 'write')], [c.sentMetrics, records.length]);
    }
    // Partition keys count up across iterations (never restart at netdata_0, SPEC §7 row 8).
    const keys = (await k().readAll('metrics')).map(keyNo).sort((a, b) => a - b);
    assert.deepStrictEqual(keys, keys.map((_, i) => i + 1));
    assert.deepStrictEqual(x.reconnected.get('kin')?.map((e) => e.first), [true]);
    const report = (await x.exporter.stop()).get('kin')!;
    assert.deepStrictEqual([report.lostMetrics, report.totals.formattedMetrics, report.totals.sentMetrics], [0, 3 * CHARTS * DIMS, 3 * CHARTS * DIMS]);
    assert.ok(!x.logs.some(([, m]) => m.includes(DUMMY_CREDENTIALS.secretAccessKey)), 'the secret key is never logged');
    x = null;
  });

  it('throttled records are retried alone, keep their partition keys and are stored once', async () => {
    await k().createStream('throttled', 2);
    // ~2.4 MB of JSON lines per iteration: records of ~1 MiB, several in one PutRecords call. Records with
    // an odd key number are throttled on their first attempt, web01_1 on its first two.
    const attempts = new Map<string, number>();
    const plan = (_call: number, keys: string[]): boolean[] => keys.map((key) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      const no = Number(key.slice(key.lastIndexOf('_') + 1));
      return no === 1 ? n <= 2 : no % 2 === 1 && n === 1;
    });
    proxy = new ThrottlingProxy(k().port, plan);
    await proxy.listen();
    x = await configuredExporter(database(T, 80, 100), conf(proxy.endpoint, collector!.port), T, {}, kinesisConf('throttled'));
    const cmp = new Comparer(x, collector!, () => k().readAll('throttled'));
    await x.step(2);
    const c1 = x.iterations.get('kin')![0]!;
    const { records, lines } = await cmp.next('throttled iteration');
    checkValues(lines, c1, 8000);
    const calls = proxy.calls;
    assert.strictEqual(calls[0]!.keys.length, records.length, `the first call carries all ${records.length} records`);
    assert.ok(records.length >= 3);
    // After a call with throttled records, the next call carries exactly those, with the same keys.
    calls.forEach((call, i) => {
      const again = call.keys.filter((_, r) => call.throttled[r]);
      if (again.length > 0) assert.deepStrictEqual(calls[i + 1]?.keys, again, `call ${i + 1} retries only the throttled records of call ${i}`);
    });
    const throttled = calls.reduce((n, c) => n + c.throttled.filter(Boolean).length, 0);
    const odd = records.filter((r) => keyNo(r) % 2 === 1).length;
    assert.strictEqual(throttled, odd + 1, 'each odd record throttled once, web01_1 twice');
    assert.strictEqual(calls.reduce((n, c) => n + c.keys.length, 0), records.length + throttled);
    // Every record stored once (read-back equals the JSON lines, compared above): `write` counts outcomes,
    // not submissions; nothing lost, nothing left.
    assert.deepStrictEqual([c1.sentMetrics, c1.lostMetrics, c1.remainingMetrics, c1.transmissionSuccesses, c1.transmissionFailures, c1.receptions], [8000, 0, 0, records.length, 0, calls.length]);
    assert.strictEqual(x.logged('ProvisionedThroughputExceededException').length, calls.filter((c) => c.throttled.some(Boolean)).length, 'one line per call with throttled records');
    await x.step(1);
    await cmp.next('the next iteration');
  });

  it('a missing stream keeps the data within `buffer on failures`, then drops it; once the stream exists only new data is sent', async () => {
    const db = database(T);
    x = await configuredExporter(db, conf(k().endpoint, collector!.port, ['buffer on failures = 1']), T, { chunkBytes: 1500 }, kinesisConf('late'));
    await x.step(2);
    await x.step(1);
    const [c1, c2] = x.iterations.get('kin')! as [IterationCounters, IterationCounters];
    assert.deepStrictEqual([c1.sentMetrics, c1.remainingMetrics, c1.failures, c1.transmissionFailures], [0, CHARTS * DIMS, 1, 1]);
    assert.deepStrictEqual([c2.bufferedMetrics, c2.lostMetrics, c2.remainingMetrics, c2.failures, c2.dataLostEvents], [2 * CHARTS * DIMS, 2 * CHARTS * DIMS, 0, 0, 1]);
    assert.deepStrictEqual(x.losses.get('kin')?.map((l) => [l.reason, l.metrics]), [['buffer-on-failures', 2 * CHARTS * DIMS]]);
    assert.ok(x.logged('ResourceNotFoundException').length >= 2);
    assert.strictEqual(chartValue(db, 'netdata.backend_kin_metrics', 'lost'), 2 * CHARTS * DIMS);

    await k().createStream('late', 1);
    await x.step(1);
    const c3 = x.iterations.get('kin')![2]!;
    assert.deepStrictEqual([c3.bufferedMetrics, c3.sentMetrics, c3.remainingMetrics], [CHARTS * DIMS, CHARTS * DIMS, 0]);
    const read = (await k().readAll('late')).sort((a, b) => keyNo(a) - keyNo(b));
    const jsonLines = collector!.lines.slice(-CHARTS * DIMS);
    assert.strictEqual(Buffer.concat(read.map((r) => r.data)).toString('latin1'), jsonLines.map((l) => `${l}\n`).join(''), 'only the third iteration reached the stream');
    checkValues(jsonLines, c3);
  });
});
