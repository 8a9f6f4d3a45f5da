import * as assert from 'assert';
import { countLines, SendQueue } from '../lib/exporter/send-queue';

/** n lines "m<i> <i>\n" of iteration `it`, and their byte length. */
function lines(it: number, n: number): Buffer {
  let s = '';
  for (let i = 0; i < n; i++) s += `it${it}.m${i} ${i * 7}\n`;
  return Buffer.from(s, 'latin1');
}

/** Bytes of the first k lines of a buffer. */
function prefixOfLines(buf: Buffer, k: number): number {
  let at = 0;
  for (let i = 0; i < k; i++) at = buf.indexOf(0x0a, at) + 1;
  return at;
}

describe('exporter send queue (SPEC §5.5 steps 3-4, 11; §7 rows 11-12)', () => {
  it('counts newlines in a range', () => {
    const b = Buffer.from('a\nbb\n\nccc\n', 'latin1');
    assert.strictEqual(countLines(b, 0, b.length), 4);
    assert.strictEqual(countLines(b, 2, 5), 1);
    assert.strictEqual(countLines(b, 3, 4), 0);
  });

  it('accounts for partial sends on whole lines: sent metrics = lines fully written', () => {
    const q = new SendQueue();
    const a = lines(1, 10);
    const b = lines(2, 5);
    q.pushLines(1, a, 10);
    q.pushLines(2, b, 5);
    assert.strictEqual(q.metrics, 15);
    assert.strictEqual(q.bytes, a.length + b.length);
    const head = q.head!;
    const three = prefixOfLines(a, 3);
    assert.strictEqual(q.takeLines(head, three), 3);
    assert.strictEqual(q.metrics, 12);
    assert.strictEqual(q.bytes, a.length - three + b.length);
    assert.deepStrictEqual(head.remaining(), a.subarray(three));
    // The rest of the first batch completes it; the second becomes the head.
    assert.strictEqual(q.takeLines(head, head.remainingBytes), 7);
    assert.strictEqual(q.length, 1);
    assert.strictEqual(q.head!.iteration, 2);
    q.check();
    const t = q.totals();
    assert.deepStrictEqual([t.queuedMetrics, t.sentMetrics, t.lostMetrics], [15, 10, 0]);
    assert.strictEqual(t.sentBytes, a.length);
  });

  it('refuses to consume anything but the head, or more than it holds', () => {
    const q = new SendQueue();
    q.pushLines(1, lines(1, 2), 2);
    q.pushLines(2, lines(2, 2), 2);
    const second = (q as unknown as { batches: unknown[] }).batches[1] as never;
    assert.throws(() => q.takeLines(second, 1), /only the head batch/);
    assert.throws(() => q.takeLines(q.head!, 10_000), /not within the \d+ remaining bytes/);
  });

  it('drops everything with exact counts (the failure rule)', () => {
    const q = new SendQueue();
    q.pushLines(1, lines(1, 4), 4);
    q.takeLines(q.head!, prefixOfLines(q.head!.data, 1));
    q.pushLines(2, lines(2, 6), 6);
    const before = q.bytes;
    const rep = q.dropAll();
    assert.deepStrictEqual(rep, { metrics: 9, bytes: before, batches: 2 });
    assert.strictEqual(q.metrics, 0);
    assert.strictEqual(q.bytes, 0);
    q.check();
    const t = q.totals();
    assert.strictEqual(t.queuedMetrics, t.sentMetrics + t.lostMetrics);
    assert.deepStrictEqual([t.sentMetrics, t.lostMetrics], [1, 9]);
  });

  it('enforces the byte cap by dropping the oldest whole iterations first', () => {
    const q = new SendQueue();
    const bufs = [lines(1, 10), lines(2, 10), lines(3, 10)];
    bufs.forEach((b, i) => q.pushLines(i + 1, b, 10));
    const cap = bufs[1]!.length + bufs[2]!.length;
    const rep = q.enforceCap(cap);
    assert.deepStrictEqual(rep, { metrics: 10, bytes: bufs[0]!.length, batches: 1 });
    assert.strictEqual(q.head!.iteration, 2);
    assert.ok(q.bytes <= cap);
    q.check();
  });

  it('cuts an iteration that alone exceeds the cap after its last whole line', () => {
    const q = new SendQueue();
    const big = lines(7, 100);
    q.pushLines(7, big, 100);
    const cap = prefixOfLines(big, 40) + 5; // 40 whole lines and part of the 41st fit
    const rep = q.enforceCap(cap);
    assert.strictEqual(rep.metrics, 60);
    assert.strictEqual(rep.bytes, big.length - prefixOfLines(big, 40));
    assert.strictEqual(q.metrics, 40);
    assert.deepStrictEqual(q.head!.remaining(), big.subarray(0, prefixOfLines(big, 40)));
    assert.ok(q.bytes <= cap);
    q.check();
    // A cap smaller than one line drops the iteration entirely.
    const rep2 = q.enforceCap(3);
    assert.deepStrictEqual(rep2, { metrics: 40, bytes: prefixOfLines(big, 40), batches: 1 });
    assert.strictEqual(q.length, 0);
    q.check();
  });

  it('cuts a partially sent head relative to what is left of it', () => {
    const q = new SendQueue();
    const big = lines(1, 20);
    q.pushLines(1, big, 20);
    q.takeLines(q.head!, prefixOfLines(big, 5));
    const cap = prefixOfLines(big, 15) - prefixOfLines(big, 5); // exactly lines 5..14
    const rep = q.enforceCap(cap);
    assert.deepStrictEqual([rep.metrics, q.metrics], [5, 10]);
    assert.deepStrictEqual(q.head!.remaining(), big.subarray(prefixOfLines(big, 5), prefixOfLines(big, 15)));
    q.check();
  });

  it('an iteration queued in chunks: older iterations go first, then the newest loses its last lines', () => {
    const q = new SendQueue();
    const a = [lines(1, 5), lines(1, 5)];
    const b = [lines(2, 6), lines(2, 6), lines(2, 6)];
    a.forEach((x) => q.pushLines(1, x, 5));
    b.forEach((x) => q.pushLines(2, x, 6));
    assert.deepStrictEqual([q.length, q.iterations, q.metrics], [5, 2, 28]);
    // Room for the first chunk of iteration 2 and 4 lines of its second chunk.
    const cap = b[0]!.length + prefixOfLines(b[1]!, 4) + 3;
    const rep = q.enforceCap(cap);
    assert.deepStrictEqual(rep, { metrics: 10 + 2 + 6, bytes: a[0]!.length + a[1]!.length + (b[1]!.length - prefixOfLines(b[1]!, 4)) + b[2]!.length, batches: 3 });
    assert.deepStrictEqual([q.length, q.iterations, q.metrics], [2, 1, 10]);
    assert.ok(q.bytes <= cap);
    assert.deepStrictEqual(Buffer.concat([q.head!.remaining()]), b[0]);
    q.takeLines(q.head!, q.head!.remainingBytes);
    assert.deepStrictEqual(q.head!.remaining(), b[1]!.subarray(0, prefixOfLines(b[1]!, 4)));
    q.check();
    // trimNewest = false: only older iterations make room; the newest stays whole, above the cap.
    const q2 = new SendQueue();
    a.forEach((x) => q2.pushLines(1, x, 5));
    b.forEach((x) => q2.pushLines(2, x, 6));
    const rep2 = q2.enforceCap(cap, false);
    assert.deepStrictEqual([rep2.metrics, rep2.batches, q2.metrics, q2.iterations], [10, 2, 18, 1]);
    assert.ok(q2.bytes > cap);
    q2.check();
  });

  it('HTTP record batches: copies the request bodies, sends and loses whole requests', () => {
    const q = new SendQueue();
    const data = Buffer.from('xx[1,2]yy[3][4,5,6]', 'latin1');
    // triples (start, end, points): the bodies need not be contiguous in the source
    const triples = new Float64Array([2, 7, 2, 9, 12, 1, 12, 19, 3]);
    q.pushRecords(4, data, triples, 3);
    assert.strictEqual(q.metrics, 6);
    assert.strictEqual(q.bytes, 5 + 3 + 7);
    const h = q.head!;
    assert.deepStrictEqual(h.nextRecord(), { body: Buffer.from('[1,2]'), points: 2 });
    assert.strictEqual(q.takeRecord(h, true), 2);
    assert.deepStrictEqual(h.nextRecord(), { body: Buffer.from('[3]'), points: 1 });
    assert.strictEqual(q.takeRecord(h, false), 1); // refused for good: lost
    assert.deepStrictEqual(h.nextRecord(), { body: Buffer.from('[4,5,6]'), points: 3 });
    assert.throws(() => q.takeLines(h, 1), /HTTP records/);
    assert.strictEqual(q.takeRecord(h, true), 3);
    assert.strictEqual(q.length, 0);
    q.check();
    const t = q.totals();
    assert.deepStrictEqual([t.sentMetrics, t.lostMetrics, t.sentBytes, t.lostBytes], [5, 1, 12, 3]);
  });

  it('caps record batches on whole requests', () => {
    const q = new SendQueue();
    const data = Buffer.from('[1][2,3][4,5,6]', 'latin1');
    q.pushRecords(1, data, new Float64Array([0, 3, 1, 3, 8, 2, 8, 15, 3]), 3);
    const rep = q.enforceCap(9);
    assert.deepStrictEqual(rep, { metrics: 3, bytes: 7, batches: 0 });
    assert.strictEqual(q.head!.recordCount, 2);
    assert.deepStrictEqual(q.head!.nextRecord(), { body: Buffer.from('[1]'), points: 1 });
    q.check();
  });

  it('keeps the ledger balanced under random operations', () => {
    // Seeded LCG: deterministic, fast (a few thousand operations).
    let s = 12345;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    const q = new SendQueue();
    let it = 0;
    for (let step = 0; step < 3000; step++) {
      const op = rnd(10);
      if (op < 4) {
        const n = rnd(30);
        q.pushLines(++it, lines(it, n), n);
      } else if (op < 8 && q.head) {
        const h = q.head;
        const k = rnd(countLines(h.data, h.offset, h.data.length) + 1);
        let at = h.offset;
        for (let i = 0; i < k; i++) at = h.data.indexOf(0x0a, at) + 1;
        q.takeLines(h, at - h.offset);
      } else if (op === 8) {
        const cap = rnd(2000);
        q.enforceCap(cap);
        assert.ok(q.bytes <= cap, `queue holds ${q.bytes} bytes above the cap ${cap}`);
      } else if (rnd(5) === 0) {
        q.dropAll();
      }
      q.check();
    }
    const t = q.totals();
    assert.ok(t.sentMetrics > 0 && t.lostMetrics > 0, 'the random walk exercised sends and losses');
  });
});
