// Kinesis framing and sending rules (SPEC §4.5, §5.14, §7 rows 8 and 25; issue 5), without a server:
// record splitting after newlines, PutRecords limits, retry of only the failed records, outcome counting,
// and client option checks. The real round trip through kinesalite is in kinesis-kinesalite.test.ts.
import * as assert from 'assert';
import { KINESIS_PUT_MAX_BYTES, KINESIS_PUT_MAX_RECORDS, splitKinesisRecords } from '../lib/formats/kinesis-records';
import { KinesisSink, queueKinesisLines } from '../lib/exporter/sinks/kinesis';
import { SendQueue } from '../lib/exporter/send-queue';
import { KinesisClient, KinesisPutResult, KinesisRecordInput } from '../lib/transport/kinesis-client';
import { TransportError } from '../lib/transport/errors';
import { Secret } from '../lib/exporter/config-secret';

function lines(n: number, width: (i: number) => number): Buffer {
  let s = '';
  for (let i = 0; i < n; i++) {
    const head = `{"i":${i},"p":"`;
    s += head + 'x'.repeat(Math.max(0, width(i) - head.length - 3)) + '"}\n';
  }
  return Buffer.from(s);
}

function recordsOf(data: Buffer, max: number): Buffer[] {
  const l = splitKinesisRecords(data, max);
  const out: Buffer[] = [];
  for (let i = 0; i < l.count; i++) out.push(data.subarray(l.records[3 * i], l.records[3 * i + 1]));
  return out;
}

describe('kinesis: records cut after a newline (SPEC §7 row 8)', () => {
  it('whole lines per record, each ending with its newline, the limit inclusive', () => {
    const data = lines(100, (i) => 50 + (i % 7) * 13);
    for (const max of [128, 137, 500, 4096, data.length, data.length - 1]) {
      const recs = recordsOf(data, max);
      assert.deepStrictEqual(Buffer.concat(recs), data, `max ${max}: nothing lost, repeated or reordered`);
      for (const r of recs) {
        assert.ok(r.length <= max, `record of ${r.length} > ${max}`);
        assert.strictEqual(r[r.length - 1], 0x0a);
      }
      const l = splitKinesisRecords(data, max);
      let points = 0;
      for (let i = 0; i < l.count; i++) points += l.records[3 * i + 2]!;
      assert.strictEqual(points, 100);
    }
    // Exactly at the limit: one record (the reference's `<` made it two).
    assert.strictEqual(recordsOf(data, data.length).length, 1);
  });

  it('a line over the limit gets a record of its own (to be dropped), never an endless loop', () => {
    const data = Buffer.concat([lines(3, () => 40), Buffer.from(`${'y'.repeat(300)}\n`), lines(2, () => 40)]);
    const l = splitKinesisRecords(data, 100);
    assert.strictEqual(l.oversizeLines, 1);
    const recs = recordsOf(data, 100);
    assert.deepStrictEqual(Buffer.concat(recs), data);
    assert.deepStrictEqual(recs.map((r) => r.length), [80, 40, 301, 80]);
  });

  it('a last line without a newline is a line; empty input has no record', () => {
    assert.deepStrictEqual(recordsOf(Buffer.from('a\nbb'), 3).map(String), ['a\n', 'bb']);
    assert.strictEqual(splitKinesisRecords(Buffer.alloc(0)).count, 0);
    assert.throws(() => splitKinesisRecords(Buffer.from('a'), 0), RangeError);
  });
});

type Plan = (call: number, inputs: readonly KinesisRecordInput[]) => KinesisPutResult;

/** A fake PutRecords endpoint: records each call, answers from `plan`. */
class FakePutter {
  readonly calls: KinesisRecordInput[][] = [];
  readonly stored: KinesisRecordInput[] = [];
  label = "kinesis stream 'test' (fake)";
  closed = false;
  constructor(private readonly plan: Plan) {}
  async putRecords(records: readonly KinesisRecordInput[]): Promise<KinesisPutResult> {
    this.calls.push([...records]);
    const r = this.plan(this.calls.length - 1, records);
    if (r.kind === 'done') r.records.forEach((o, i) => o.ok && this.stored.push(records[i]!));
    return r;
  }
  close(): void {
    this.closed = true;
  }
}

const ok = { ok: true as const, shardId: 'shardId-0', sequenceNumber: '1' };
const throttled = { ok: false as const, retryable: true, code: 'ProvisionedThroughputExceededException', message: 'Rate exceeded' };

function virtualTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms) => { sleeps.push(ms); t += ms; }, sleeps };
}

function setup(plan: Plan, data: Buffer, maxRecordBytes: number, extra: { partitionKey?: 'random' } = {}) {
  const putter = new FakePutter(plan);
  const time = virtualTime();
  const logs: string[] = [];
  const sink = new KinesisSink({ client: putter, hostname: 'web01', maxRecordBytes, log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:', random: () => 1, now: time.now, sleep: time.sleep, ...extra });
  const queue = new SendQueue();
  const layout = queueKinesisLines(queue, 1, data, maxRecordBytes);
  return { putter, time, logs, sink, queue, layout };
}

describe('kinesis sink: PutRecords rules (issue 5)', () => {
  it('retries only the records that were throttled, with backoff, keeping their partition keys', async () => {
    const data = lines(40, () => 100);
    const { putter, time, sink, queue } = setup((call, recs) => ({
      kind: 'done', records: recs.map((_, i) => (call === 0 && i % 3 === 1 ? throttled : ok)),
    }), data, 300);
    const r = await sink.flush(queue, 60_000);
    assert.strictEqual(putter.calls.length, 2);
    const first = putter.calls[0]!;
    assert.strictEqual(first.length, 14); // 40 lines of 100 bytes, 3 per record → 14 records
    const expectRetry = first.filter((_, i) => i % 3 === 1);
    assert.deepStrictEqual(putter.calls[1]!.map((x) => x.partitionKey), expectRetry.map((x) => x.partitionKey));
    assert.deepStrictEqual(putter.calls[1]!.map((x) => Buffer.from(x.data)), expectRetry.map((x) => Buffer.from(x.data)));
    assert.deepStrictEqual(time.sleeps, [100]);
    // Every line stored exactly once (order by the key counter = send order).
    const byKey = [...putter.stored].sort((a, b) => Number(a.partitionKey.split('_')[1]) - Number(b.partitionKey.split('_')[1]));
    assert.deepStrictEqual(Buffer.concat(byKey.map((x) => Buffer.from(x.data))), data);
    assert.strictEqual(r.complete, true);
    assert.strictEqual(r.sentMetrics, 40);
    assert.strictEqual(r.sentBytes, data.length);
    assert.strictEqual(r.successes, 14, 'write counts records stored, not attempts');
    assert.strictEqual(r.failures, 0);
    queue.check();
  });

  it('partition keys spread: hostname_counter never restarts; random keys differ', async () => {
    const data = lines(10, () => 50);
    const s = setup((_c, recs) => ({ kind: 'done', records: recs.map(() => ok) }), data, 100);
    await s.sink.flush(s.queue, 1e9);
    queueKinesisLines(s.queue, 2, data, 100);
    await s.sink.flush(s.queue, 1e9);
    const keys = s.putter.calls.flat().map((x) => x.partitionKey);
    assert.deepStrictEqual(keys, Array.from({ length: 10 }, (_, i) => `web01_${i + 1}`));
    const rnd = setup((_c, recs) => ({ kind: 'done', records: recs.map(() => ok) }), data, 100, { partitionKey: 'random' });
    await rnd.sink.flush(rnd.queue, 1e9);
    const rk = rnd.putter.calls.flat().map((x) => x.partitionKey);
    assert.strictEqual(new Set(rk).size, rk.length);
    for (const k of rk) assert.match(k, /^[0-9a-f-]{36}$/);
  });

  it('at most 500 records and 5 MiB per call', async () => {
    const many = lines(1200, () => 20);
    const s = setup((_c, recs) => ({ kind: 'done', records: recs.map(() => ok) }), many, 20);
    const r = await s.sink.flush(s.queue, 1e9);
    assert.deepStrictEqual(s.putter.calls.map((c) => c.length), [KINESIS_PUT_MAX_RECORDS, KINESIS_PUT_MAX_RECORDS, 200]);
    assert.strictEqual(r.sentMetrics, 1200);
    const big = lines(12, () => 1_000_000);
    const b = setup((_c, recs) => ({ kind: 'done', records: recs.map(() => ok) }), big, 1_000_000);
    await b.sink.flush(b.queue, 1e9);
    for (const c of b.putter.calls) {
      const bytes = c.reduce((n, x) => n + x.data.length + x.partitionKey.length, 0);
      assert.ok(bytes <= KINESIS_PUT_MAX_BYTES, `${bytes} bytes in one call`);
    }
    assert.deepStrictEqual(b.putter.calls.map((c) => c.length), [5, 5, 2]);
  });

  it('an oversize line and a record refused for good are dropped and counted; the rest is sent', async () => {
    const data = Buffer.concat([lines(2, () => 50), Buffer.from(`${'z'.repeat(500)}\n`), lines(2, () => 50)]);
    const { putter, sink, queue, logs } = setup((_c, recs) => ({
      kind: 'done',
      records: recs.map((x) => (x.partitionKey === 'web01_1' ? { ok: false as const, retryable: false, code: 'KMSAccessDeniedException', message: 'denied' } : ok)),
    }), data, 100);
    const r = await sink.flush(queue, 1e9);
    assert.strictEqual(putter.calls.length, 1);
    assert.strictEqual(r.complete, true);
    assert.strictEqual(r.lostMetrics, 3); // the refused record's two lines and the oversize line
    assert.strictEqual(r.lostBytes, 100 + 501);
    assert.strictEqual(r.sentMetrics, 2);
    assert.strictEqual(r.failures, 2);
    assert.strictEqual(r.sentMetrics + r.lostMetrics, 5);
    assert.strictEqual(r.sentBytes + r.lostBytes, data.length);
    assert.ok(logs.some((l) => l.includes('501 bytes')), logs.join('\n'));
    assert.ok(logs.some((l) => l.includes('KMSAccessDeniedException')), logs.join('\n'));
    queue.check();
  });

  it('still throttled at the deadline: the flush stops, nothing lost; a stored later record is not sent again', async () => {
    const data = lines(4, () => 50);
    // Record 0 is throttled on every call before the 3rd; the others are stored at once.
    const { putter, sink, queue } = setup((call, recs) => ({
      kind: 'done', records: recs.map((x) => (call < 3 && Buffer.from(x.data).includes('"i":0,') ? throttled : ok)),
    }), data, 50);
    const r1 = await sink.flush(queue, 250); // backoffs 100, 200: the second would pass the deadline
    assert.strictEqual(r1.complete, false);
    assert.strictEqual(r1.lostMetrics, 0);
    assert.strictEqual(r1.sentMetrics, 0, 'record 0 blocks the head; 1-3 are stored but wait for it');
    assert.strictEqual(r1.failures, 1);
    assert.strictEqual(queue.metrics, 4);
    const callsBefore = putter.calls.length;
    const r2 = await sink.flush(queue, 1e9);
    assert.strictEqual(r2.complete, true);
    assert.strictEqual(r2.sentMetrics, 4);
    for (const c of putter.calls.slice(callsBefore)) assert.deepStrictEqual(c.map((x) => Buffer.from(x.data).toString()), [data.subarray(0, 50).toString()]);
    assert.strictEqual(putter.stored.length, 4, 'each record stored once');
    queue.check();
  });

  it('a failed call keeps everything queued (the buffer budget decides), with a backoff', async () => {
    const data = lines(3, () => 50);
    const err = new TransportError('ERR_TRANSPORT_HTTP', 'PutRecords failed: ResourceNotFoundException (HTTP 400): Stream test not found');
    const { putter, sink, queue, logs } = setup(() => ({ kind: 'error', retryable: false, error: err }), data, 50);
    const r = await sink.flush(queue, 1e9);
    assert.strictEqual(putter.calls.length, 1);
    assert.strictEqual(r.complete, false);
    assert.strictEqual(r.failures, 1);
    assert.strictEqual(queue.metrics, 3);
    assert.strictEqual(r.error, err);
    assert.ok(logs.some((l) => l.includes('stay buffered')));
    queue.check();
  });
});

describe('kinesis client: options (SPEC §5.14, §7 row 25)', () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof TransportError, String(e));
      return e.code;
    }
    return assert.fail('expected an error');
  };

  it('validates region, stream, endpoint and credential pairs; never shows the secret', () => {
    assert.strictEqual(code(() => new KinesisClient({ region: 'EU West', streamName: 's', timeoutMs: 1000 })), 'ERR_TRANSPORT_OPTION');
    assert.strictEqual(code(() => new KinesisClient({ region: 'eu-west-1', streamName: 'a b', timeoutMs: 1000 })), 'ERR_TRANSPORT_OPTION');
    assert.strictEqual(code(() => new KinesisClient({ region: 'eu-west-1', streamName: 's', endpoint: 'ftp://x', timeoutMs: 1000 })), 'ERR_TRANSPORT_OPTION');
    try {
      new KinesisClient({ region: 'eu-west-1', streamName: 's', secretAccessKey: new Secret('TOPSECRETVALUE'), timeoutMs: 1000 });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TransportError);
      assert.ok(!e.message.includes('TOPSECRETVALUE'), e.message);
    }
    const c = new KinesisClient({ region: 'eu-west-1', streamName: 'metrics', accessKeyId: 'AKID', secretAccessKey: new Secret('TOPSECRETVALUE'), endpoint: 'http://127.0.0.1:1', timeoutMs: 1000 });
    assert.strictEqual(c.label, "kinesis stream 'metrics' in eu-west-1 at http://127.0.0.1:1");
    c.close();
    // No keys: the SDK's default credential chain (nothing is resolved until a call is made).
    new KinesisClient({ region: 'eu-west-1', streamName: 'metrics', timeoutMs: 1000 }).close();
  });
});
