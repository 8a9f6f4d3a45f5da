// Remote write without long event-loop blocks (issue 8): the iteration's requests are compressed one per
// step (RemoteWriteEncoder.closeIteration()), and the pass yields between steps like between charts.
import * as assert from 'assert';
import { remoteWritePass } from '../lib/exporter/sinks/remote-write-pass';
import { ChartFilter, HostFilter } from '../lib/exporter/filters';
import { RemoteWriteBatch, RemoteWriteEncoder } from '../lib/formats/remote-write';
import { decodeRemoteWriteBody } from '../lib/formats/remote-write-decode';
import { RemoteWriteError } from '../lib/formats/remote-write-errors';
import { SimplePattern } from '../lib/formats/simple-pattern';
import { RrdDatabase } from '../lib/rrd';
import { fillCharts } from './exporter-harness';

const T0 = 1_700_000_000;
const host = { hostname: 'web01', tags: 'role=db', programName: 'netdata', programVersion: 'v1' };

function database(charts: number, dims: number): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'real-name', updateEvery: 1, entries: 10 });
  fillCharts(db, 'system', charts, dims, T0 + 1, (i, j) => i * 1000 + j);
  return db;
}

function encodeAll(enc: RemoteWriteEncoder, db: RrdDatabase): void {
  enc.beginIteration(T0, T0 + 2, T0 * 1000);
  const ctx = enc.addHost(host);
  for (const c of db.localhost.charts) enc.addChart(ctx, c);
}

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RemoteWriteError, `a RemoteWriteError, got ${String(e)}`);
    return e.code;
  }
  return undefined;
};

/** Series per request, decoded from the compressed bodies. */
function seriesPerRequest(b: RemoteWriteBatch): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.count; i++) out.push(decodeRemoteWriteBody(b.data.subarray(b.records[3 * i]!, b.records[3 * i + 1]!)).length);
  return out;
}

describe('remote write: compression one request at a time (issue 8)', () => {
  it('stepping gives the same bodies and records as finishIteration(), one request per step', () => {
    const db = database(30, 20);
    const a = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, maxSeriesPerRequest: 64 });
    encodeAll(a, db);
    const whole = a.finishIteration();
    const b = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, maxSeriesPerRequest: 64 });
    encodeAll(b, db);
    const c = b.closeIteration();
    assert.strictEqual(c.count, Math.ceil((600 + 2) / 64));
    let steps = 0;
    while (c.step()) {
      steps++;
      assert.strictEqual(c.done, steps);
    }
    assert.strictEqual(c.done, c.count);
    const stepped = c.result();
    assert.ok(stepped.data.equals(whole.data), 'same compressed bytes');
    assert.deepStrictEqual(Array.from(stepped.records), Array.from(whole.records));
    assert.deepStrictEqual([stepped.count, stepped.metrics, stepped.series, stepped.uncompressedBytes], [whole.count, whole.metrics, whole.series, whole.uncompressedBytes]);
    const per = seriesPerRequest(stepped);
    assert.strictEqual(per.reduce((n, x) => n + x, 0), 602);
    assert.ok(per.every((n) => n <= 64));
    assert.strictEqual(stepped.metrics, 600);
  });

  it('the encoder is refused a new iteration while a compressor reads its buffer; abandon() or finishing frees it', () => {
    const db = database(4, 5);
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, maxSeriesPerRequest: 3 });
    encodeAll(enc, db);
    const c = enc.closeIteration();
    c.step();
    assert.strictEqual(code(() => enc.beginIteration(T0, T0 + 2, 0)), 'ERR_REMOTE_WRITE_STATE');
    assert.strictEqual(code(() => c.result()), 'ERR_REMOTE_WRITE_STATE');
    c.abandon();
    assert.strictEqual(code(() => c.step()), 'ERR_REMOTE_WRITE_STATE');
    encodeAll(enc, db); // allowed again
    const d = enc.closeIteration();
    while (d.step()) { /* all */ }
    assert.strictEqual(d.result().metrics, 20);
    encodeAll(enc, db);
    assert.strictEqual(enc.finishIteration().metrics, 20);
    // An empty iteration is finished at once.
    enc.beginIteration(T0, T0 + 2, 0);
    const e = enc.closeIteration();
    assert.strictEqual(e.step(), false);
    assert.strictEqual(e.result().count, 0);
    enc.beginIteration(T0, T0 + 2, 0);
    enc.finishIteration();
  });

  it('100k dimensions: the pass never blocks the event loop for long; the batch is complete', async function () {
    this.timeout(60_000);
    const db = database(2000, 50);
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true });
    // Before: the whole compression in one step.
    encodeAll(enc, db);
    const t0 = performance.now();
    const whole = enc.finishIteration();
    const oneStepMs = performance.now() - t0;

    const input = {
      hosts: db.hosts,
      encoder: enc,
      hostFilter: new HostFilter(SimplePattern.parse('*'), () => undefined),
      chartFilter: new ChartFilter(SimplePattern.parse('*'), true),
      localHostname: 'web01',
      localTags: 'role=db',
      after: T0,
      before: T0 + 2,
      nowMs: T0 * 1000,
      sliceMs: 10,
    };
    await remoteWritePass(input); // warm-up: label plans are built once per chart
    // A timer that should fire every 5 ms: its worst lateness is the longest block seen from outside.
    let last = performance.now();
    let worstGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    const r = await remoteWritePass(input);
    clearInterval(timer);
    const b = r.batch!;
    console.log(`      [remote write 100k] ${b.count} requests, ${(b.uncompressedBytes / 1048576).toFixed(1)} MiB -> ${(b.data.length / 1048576).toFixed(1)} MiB; ` +
      `compression in one step ${oneStepMs.toFixed(1)} ms; pass ${r.totalMs.toFixed(1)} ms in ${r.slices} slices, longest ${r.longestSliceMs.toFixed(1)} ms; ` +
      `worst 5 ms timer gap ${worstGap.toFixed(1)} ms`);
    assert.strictEqual(r.aborted, false);
    assert.strictEqual(b.metrics, 100_000);
    assert.strictEqual(b.count, whole.count);
    assert.ok(r.slices >= 3, `slices ${r.slices}`);
    // sliceMs 10: a slice ends after the first chart or request past 10 ms; 50 ms leaves room for a busy 2-core box.
    assert.ok(r.longestSliceMs < 50, `longest slice ${r.longestSliceMs.toFixed(1)} ms`);
  });

  it('a pass aborted while compressing returns nothing and frees the encoder', async () => {
    const db = database(200, 50);
    const enc = new RemoteWriteEncoder({ source: 'as-collected', prefix: 'netdata', sendNames: true, maxSeriesPerRequest: 100 });
    let checks = 0;
    const r = await remoteWritePass({
      hosts: db.hosts,
      encoder: enc,
      hostFilter: new HostFilter(SimplePattern.parse('*'), () => undefined),
      chartFilter: new ChartFilter(SimplePattern.parse('*'), true),
      localHostname: 'web01',
      after: T0,
      before: T0 + 2,
      nowMs: 1,
      sliceMs: 0.000001,
      // The walk over 200 charts yields ~200 times; abort on the first yield of the compression.
      aborted: () => ++checks > 200 + 1,
    });
    assert.strictEqual(r.aborted, true);
    assert.strictEqual(r.batch, null);
    encodeAll(enc, db);
    assert.strictEqual(enc.finishIteration().metrics, 10_000);
  });
});
