// The reuse of queued output chunks (lib/exporter/chunk-pool.ts, issue 7): chunks come back only when no
// I/O can still read them, the pool stays bounded, and reuse never changes a byte of what is queued or sent.
import * as assert from 'assert';
import { ChunkPool } from '../lib/exporter/chunk-pool';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { ChartFilter, HostFilter } from '../lib/exporter/filters';
import { LineProducer } from '../lib/exporter/producer';
import { SendQueue } from '../lib/exporter/send-queue';
import { SimplePattern } from '../lib/formats/simple-pattern';
import { RrdDatabase } from '../lib/rrd';
import { fillCharts } from './exporter-harness';

const KiB = 1024;

function chunkWith(text: string, size = 64 * KiB): { chunk: Buffer; data: Buffer } {
  const chunk = Buffer.allocUnsafe(size);
  const n = chunk.write(text, 'latin1');
  return { chunk, data: chunk.subarray(0, n) };
}

describe('chunk pool (issue 7: output chunks reused between iterations)', () => {
  it('hands a buffer back out only after it was given back; keeps no views and no more than its bound', () => {
    const pool = new ChunkPool(3 * 64 * KiB);
    const a = pool.take(64 * KiB);
    assert.strictEqual(pool.stats.allocated, 1);
    assert.notStrictEqual(pool.take(64 * KiB), a, 'not given back: a new buffer');
    pool.give(a);
    assert.strictEqual(pool.take(64 * KiB), a, 'given back: reused');
    assert.strictEqual(pool.stats.reused, 1);
    pool.give(a.subarray(0, 10)); // a view of shared memory is never pooled
    assert.strictEqual(pool.stats.freeChunks, 0);
    const bufs = [0, 1, 2, 3, 4].map(() => Buffer.allocUnsafe(64 * KiB));
    for (const b of bufs) pool.give(b);
    assert.strictEqual(pool.stats.freeBytes, 3 * 64 * KiB, 'bounded by maxBytes');
    assert.notStrictEqual(pool.take(200 * KiB).length, 64 * KiB, 'a larger request is not served by a smaller chunk');
  });

  it('adapts to what an iteration takes: a shrinking database gives its memory back', () => {
    const pool = new ChunkPool(1 << 30);
    const round = (n: number): void => {
      const got = Array.from({ length: n }, () => pool.take(64 * KiB));
      pool.endRound();
      for (const b of got) pool.give(b);
    };
    round(8);
    assert.strictEqual(pool.stats.freeChunks, 8);
    round(8);
    assert.strictEqual(pool.stats.allocated, 8, 'the second round reused all eight');
    round(2);
    assert.strictEqual(pool.stats.freeChunks, 2, 'after a smaller round only that much stays');
  });

  it('SendQueue gives a chunk back when it was sent completely, never while a part of it waits', () => {
    const given: Buffer[] = [];
    const q = new SendQueue();
    const { chunk, data } = chunkWith('a 1 1\nb 2 2\nc 3 3\n');
    q.pushLines(1, data, 3, chunk, (c) => given.push(c));
    const head = q.head!;
    const first = head.remaining();
    q.takeLines(head, 6); // one line of three
    assert.deepStrictEqual(given, [], 'partly sent: still queued');
    q.takeLines(head, first.length - 6);
    assert.deepStrictEqual(given, [chunk], 'sent completely: back to the pool');
    assert.throws(() => q.pushLines(2, Buffer.from('x 1 1\n'), 1, chunk, () => undefined), /not a view of the chunk/);
  });

  it('a chunk dropped before any sink saw it is recycled; one a sink may still read is left to the GC', () => {
    const given: Buffer[] = [];
    const recycle = (c: Buffer): void => {
      given.push(c);
    };
    const q = new SendQueue();
    const one = chunkWith('a 1 1\n'.repeat(100));
    const two = chunkWith('b 1 1\n'.repeat(100));
    const three = chunkWith('c 1 1\n'.repeat(100));
    q.pushLines(1, one.data, 100, one.chunk, recycle);
    q.pushLines(2, two.data, 100, two.chunk, recycle);
    q.pushLines(3, three.data, 100, three.chunk, recycle);
    q.head!.remaining(); // a sink took a view of the head (e.g. a socket write still queued)
    const r = q.enforceCap(700); // drops iterations 1 and 2, trims nothing of 3 (600 bytes)
    assert.deepStrictEqual([r.metrics, r.batches], [200, 2]);
    assert.deepStrictEqual(given, [two.chunk], 'the exposed head is not reused; the unseen second is');
    q.dropAll();
    assert.deepStrictEqual(given, [two.chunk, three.chunk]);
    q.check();
  });

  it('trimming the newest iteration keeps a copy of what stays and recycles the chunk', () => {
    const given: Buffer[] = [];
    const q = new SendQueue();
    const { chunk, data } = chunkWith('d 1 1\n'.repeat(100));
    q.pushLines(1, data, 100, chunk, (c) => given.push(c));
    q.enforceCap(60);
    assert.deepStrictEqual(given, [chunk]);
    assert.strictEqual(q.metrics, 10);
    chunk.fill(0x58); // the pool's next user overwrites it: the queued lines must not change
    assert.strictEqual(q.head!.remaining().toString('latin1'), 'd 1 1\n'.repeat(10));
  });

  it('the producer reuses sent chunks: every iteration gives the same bytes, and later ones allocate nothing', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const T0 = 1_700_000_000;
    fillCharts(db, 'system', 400, 50, T0 + 1, (i, j) => 1000 * i + j);
    const o = resolveBackendOptions({ type: 'graphite', destination: '127.0.0.1:2003', dataSource: 'as collected', hostname: 'h', sendChartsMatching: '*' });
    const chunkBytes = 300 * KiB; // several chunks per iteration
    const producer = new LineProducer(o, chunkBytes);
    const hostFilter = new HostFilter(SimplePattern.parse(o.sendHostsMatching), () => undefined);
    const chartFilter = new ChartFilter(SimplePattern.parse(o.sendChartsMatching), true);
    const outputs: string[] = [];
    let allocatedAfter2 = -1;
    for (let it = 1; it <= 4; it++) {
      const q = new SendQueue();
      await producer.produce({
        db, hostFilter, chartFilter, localHostname: 'h', localTags: null, after: T0, before: T0 + 2, iteration: it, nowMs: 0,
        queue: q, queued: () => undefined, sliceMs: 1000, aborted: () => false,
      });
      assert.ok(q.length >= 2, `${q.length} chunks`);
      let text = '';
      for (let b = q.head; b !== null; b = q.head) {
        text += b.remaining().toString('latin1');
        q.takeLines(b, b.remainingBytes);
      }
      outputs.push(text);
      if (it === 2) {
        const s = producer.pool.stats;
        assert.ok(s.reused >= 1, `iteration 2 reused ${s.reused} chunks`);
        allocatedAfter2 = s.allocated;
      }
    }
    assert.strictEqual(outputs[0]!.split('\n').length - 1, 20_000);
    for (const t of outputs.slice(1)) assert.strictEqual(t, outputs[0], 'the same bytes every iteration');
    assert.strictEqual(producer.pool.stats.allocated, allocatedAfter2, 'iterations 3 and 4 allocated no chunk');
  });
});
