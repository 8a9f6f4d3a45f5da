// The exporter loop (SPEC §5.5) and its accounting against a fake line receiver (fault injection only;
// the wire format against real receivers is in exporter-receivers.test.ts).
import * as assert from 'assert';
import { BackendInstance } from '../lib/exporter/backend-instance';
import type { IterationCounters } from '../lib/exporter/counters';
import { Exporter } from '../lib/exporter/exporter';
import { RrdDatabase } from '../lib/rrd';
import { LineCollector, makeTestPki, TestPki, waitFor } from './support/fake-servers';
import { FaultProxy } from './support/fault-proxy';
import { expectedGraphiteLines, fillCharts, harness, ManualClock, sameLines, sleep } from './exporter-harness';

const T0 = 1_700_000_000;
const v = (i: number, j: number): number => 1000 * i + j;

function newDb(): RrdDatabase {
  return new RrdDatabase({ hostname: 'real-name', updateEvery: 1, entries: 60 });
}

describe('exporter loop (SPEC §5.5) with a fake line receiver', function () {
  this.timeout(30_000);
  let collector: LineCollector;
  let proxy: FaultProxy;

  beforeEach(async () => {
    collector = await LineCollector.start();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: collector.port });
  });
  afterEach(async () => {
    await proxy.close();
    await collector.close();
  });

  const base = (port: number) => ({ type: 'graphite', destination: `127.0.0.1:${port}`, hostname: 'web01', dataSource: 'as collected', updateEvery: 1 });

  it('formats, sends and accounts; the monitoring charts arrive like any chart (SPEC §5.4, §5.15)', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, base(collector.port), { clock });
    await h.inst.start();
    assert.strictEqual(h.logged(`BACKEND: configured ('graphite' on '127.0.0.1:${collector.port}' sending 'as-collected' data, every 1 seconds, as host 'web01', with prefix 'netdata')`).length, 1);
    fillCharts(db, 'system', 2, 3, T0 + 1, v);
    const c1 = await h.inst.runOnce(clock.advance(2));
    const want1 = expectedGraphiteLines('netdata', 'web01', 'system', 2, 3, T0 + 1, v);
    await collector.waitForLines(want1.length);
    sameLines(collector.lines, want1, 'iteration 1');
    const bytes1 = want1.reduce((n, l) => n + l.length + 1, 0);
    assert.deepStrictEqual(
      [c1.after, c1.before, c1.newMetrics, c1.bufferedMetrics, c1.sentMetrics, c1.lostMetrics, c1.remainingMetrics, c1.bufferedBytes, c1.sentBytes],
      [T0, T0 + 2, 6, 6, 6, 0, 0, bytes1, bytes1],
    );
    assert.deepStrictEqual([c1.transmissionSuccesses, c1.transmissionFailures, c1.reconnects, c1.dataLostEvents], [1, 0, 1, 0]);
    assert.strictEqual(h.logged("enabled backend for host 'localhost'").length, 1);

    // Iteration 2: the window starts where the first ended; the monitoring charts now have data.
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.strictEqual(c2.after, T0 + 2);
    await collector.waitForLines(want1.length + c2.sentMetrics);
    const lines2 = collector.lines.slice(want1.length);
    const mon = (chart: string, dim: string): string | undefined =>
      lines2.find((l) => l.startsWith(`netdata.web01.netdata.${chart}.${dim} `))?.split(' ').slice(1).join(' ');
    const ts = T0 + 2; // the monitoring charts were updated at the end of iteration 1
    assert.strictEqual(mon('backend_metrics', 'buffered'), `6 ${ts}`);
    assert.strictEqual(mon('backend_metrics', 'sent'), `6 ${ts}`);
    assert.strictEqual(mon('backend_metrics', 'lost'), `0 ${ts}`);
    assert.strictEqual(mon('backend_bytes', 'buffered'), `${bytes1} ${ts}`);
    assert.strictEqual(mon('backend_bytes', 'sent'), `${bytes1} ${ts}`);
    assert.strictEqual(mon('backend_ops', 'write'), `1 ${ts}`);
    assert.strictEqual(mon('backend_ops', 'reconnect'), `1 ${ts}`);
    assert.strictEqual(mon('backend_ops', 'failure'), `0 ${ts}`);
    assert.strictEqual(mon('backend_ops', 'discard'), `0 ${ts}`);
    assert.ok(mon('backend_thread_cpu', 'user') !== undefined && mon('backend_thread_cpu', 'system') !== undefined);
    // 3 + 4 + 5 + 2 dimensions of the four charts; the data charts were not collected again (SPEC §5.8).
    assert.strictEqual(c2.newMetrics, 14);
    assert.deepStrictEqual(h.inst.monitoringChartIds, ['netdata.backend_metrics', 'netdata.backend_bytes', 'netdata.backend_ops', 'netdata.backend_thread_cpu']);
    await h.inst.stop();
  });

  it('receiver down at start: failures counted, data carried over, then delivered exactly once', async () => {
    await proxy.refuse(true);
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'system.*' }, { clock });
    await h.inst.start();
    fillCharts(db, 'system', 2, 5, T0 + 1, v);
    const c1 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c1.newMetrics, c1.sentMetrics, c1.remainingMetrics, c1.transmissionFailures, c1.failures, c1.reconnects], [10, 0, 10, 1, 1, 1]);
    assert.strictEqual(h.logged(`BACKEND: failed to update database backend '127.0.0.1:${proxy.port}'`).length, 1);
    fillCharts(db, 'system', 2, 5, T0 + 3, (i, j) => v(i, j) + 1);
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c2.bufferedMetrics, c2.newMetrics, c2.remainingMetrics, c2.failures], [20, 10, 20, 2]);
    await proxy.refuse(false);
    const c3 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c3.bufferedMetrics, c3.sentMetrics, c3.remainingMetrics, c3.failures, c3.transmissionSuccesses], [20, 20, 0, 0, 1]);
    const want = [
      ...expectedGraphiteLines('netdata', 'web01', 'system', 2, 5, T0 + 1, v),
      ...expectedGraphiteLines('netdata', 'web01', 'system', 2, 5, T0 + 3, (i, j) => v(i, j) + 1),
    ];
    await collector.waitForLines(20);
    await sleep(50);
    // Oldest iteration first; nothing twice.
    sameLines(collector.lines, want, 'carried iterations, oldest first');
    assert.deepStrictEqual(collector.duplicates(), []);
    await h.inst.stop();
  });

  it('buffer on failures: the buffer is dropped when failures exceed it, with exact counts and one log line', async () => {
    await proxy.refuse(true);
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'system.*', bufferOnFailures: 2 }, { clock });
    await h.inst.start();
    const counts: number[] = [];
    for (let k = 0; k < 3; k++) {
      fillCharts(db, 'system', k + 1, 5, T0 + 1 + 2 * k, v); // 5, 10, 15 metrics: distinguishable counts
      counts.push((await h.inst.runOnce(clock.advance(2))).newMetrics);
    }
    assert.deepStrictEqual(counts, [5, 10, 15]);
    const [c1, c2, c3] = h.iterations;
    assert.deepStrictEqual([c1!.failures, c2!.failures, c3!.failures], [1, 2, 0]);
    assert.deepStrictEqual([c3!.bufferedMetrics, c3!.lostMetrics, c3!.remainingMetrics, c3!.dataLostEvents], [30, 30, 0, 1]);
    assert.strictEqual(c3!.lostBytes, c3!.bufferedBytes);
    assert.deepStrictEqual(h.losses.map((l) => [l.reason, l.metrics, l.bytes]), [['buffer-on-failures', 30, c3!.bufferedBytes]]);
    assert.strictEqual(h.logged(`BACKEND: reached 3 backend failures. Flushing buffers to protect this host - this results in data loss on back-end server '127.0.0.1:${proxy.port}'`).length, 1);
    await h.inst.stop();
    assert.strictEqual(collector.lines.length, 0);
  });

  it('buffer max bytes: the oldest iterations are dropped first and the buffer never exceeds the cap', async () => {
    await proxy.refuse(true);
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const cap = 1024;
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'sys*', bufferMaxBytes: cap, bufferOnFailures: 1000 }, { clock });
    await h.inst.start();
    const iterLines: string[][] = [];
    for (let k = 0; k < 3; k++) {
      const value = (i: number, j: number): number => v(i, j) + 10 * k;
      fillCharts(db, 'system', 1, 20, T0 + 1 + 2 * k, value);
      iterLines.push(expectedGraphiteLines('netdata', 'web01', 'system', 1, 20, T0 + 1 + 2 * k, value));
      await h.inst.runOnce(clock.advance(2));
    }
    const size = (ls: string[]): number => ls.reduce((n, l) => n + l.length + 1, 0);
    assert.ok(size(iterLines[0]!) < cap && size(iterLines[0]!) + size(iterLines[1]!) > cap, 'the fixture fits one iteration under the cap, not two');
    // Iterations 2 and 3 each pushed the oldest iteration out.
    assert.deepStrictEqual(h.losses.map((l) => [l.reason, l.iteration, l.metrics, l.bytes]), [
      ['buffer-max-bytes', 2, 20, size(iterLines[0]!)],
      ['buffer-max-bytes', 3, 20, size(iterLines[1]!)],
    ]);
    assert.ok(h.logged('buffer max bytes (1024) exceeded: dropped 20 metrics').length === 2);
    // One iteration larger than the cap alone is cut after its last whole line that fits.
    const big = (i: number, j: number): number => 7_000_000 + j;
    fillCharts(db, 'sysbig', 1, 40, T0 + 7, big);
    const bigLines = expectedGraphiteLines('netdata', 'web01', 'sysbig', 1, 40, T0 + 7, big);
    const c4 = await h.inst.runOnce(clock.advance(2));
    let keep = 0;
    for (let n = 0; keep < bigLines.length && n + bigLines[keep]!.length + 1 <= cap; keep++) n += bigLines[keep]!.length + 1;
    assert.strictEqual(c4.remainingMetrics, keep);
    assert.strictEqual(c4.lostMetrics, 20 + 40 - keep);
    await proxy.refuse(false);
    await h.inst.runOnce(clock.advance(2));
    await collector.waitForLines(keep);
    await sleep(50);
    sameLines(collector.lines, bigLines.slice(0, keep), 'the part of the big iteration under the cap');
    await h.inst.stop();
  });

  it('an iteration is queued in chunks of whole lines: the cap and the sends work across chunks', async () => {
    await proxy.refuse(true);
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const cap = 2048;
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'system.*', bufferMaxBytes: cap, bufferOnFailures: 1000 }, { clock, chunkBytes: 300 });
    await h.inst.start();
    const lines: string[][] = [];
    for (let k = 0; k < 2; k++) {
      const value = (i: number, j: number): number => v(i, j) + 100_000 * k;
      fillCharts(db, 'system', 10, 8, T0 + 1 + 2 * k, value);
      lines.push(expectedGraphiteLines('netdata', 'web01', 'system', 10, 8, T0 + 1 + 2 * k, value));
      await h.inst.runOnce(clock.advance(2));
    }
    const size = (ls: string[]): number => ls.reduce((n, l) => n + l.length + 1, 0);
    assert.ok(size(lines[1]!) > cap, 'the fixture makes one iteration larger than the cap');
    // Each iteration alone keeps its longest prefix under the cap; iteration 2 first pushes out iteration 1.
    const prefixUnderCap = (ls: string[]): number => {
      let k = 0;
      for (let n = 0; n + ls[k]!.length + 1 <= cap; k++) n += ls[k]!.length + 1;
      return k;
    };
    const keep1 = prefixUnderCap(lines[0]!);
    const keep = prefixUnderCap(lines[1]!);
    const [c1, c2] = h.iterations as [IterationCounters, IterationCounters];
    assert.deepStrictEqual([c1.newMetrics, c1.remainingMetrics, c1.lostMetrics], [80, keep1, 80 - keep1]);
    assert.deepStrictEqual([c2.newMetrics, c2.bufferedMetrics, c2.remainingMetrics, c2.lostMetrics], [80, keep1 + 80, keep, keep1 + 80 - keep]);
    assert.ok(h.inst.buffered.bytes <= cap && h.inst.buffered.iterations === 1);
    await proxy.refuse(false);
    const c3 = await h.inst.runOnce(clock.advance(2));
    assert.strictEqual(c3.sentMetrics, keep);
    await collector.waitForLines(keep);
    await sleep(50);
    sameLines(collector.lines, lines[1]!.slice(0, keep), 'the kept prefix of iteration 2, sent chunk by chunk');
    await h.inst.stop();
  });

  it('a healthy destination gets a whole iteration even when it is larger than the buffer cap', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const cap = 1024;
    const h = harness(db, { ...base(collector.port), sendChartsMatching: 'system.*', bufferMaxBytes: cap }, { clock, chunkBytes: 256 });
    await h.inst.start();
    fillCharts(db, 'system', 10, 8, T0 + 1, v);
    const want = expectedGraphiteLines('netdata', 'web01', 'system', 10, 8, T0 + 1, v);
    assert.ok(want.reduce((n, l) => n + l.length + 1, 0) > 3 * cap);
    const c = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c.newMetrics, c.sentMetrics, c.lostMetrics, c.remainingMetrics], [80, 80, 0, 0]);
    await collector.waitForLines(80);
    sameLines(collector.lines, want, 'the whole iteration, sent in chunks');
    await h.inst.stop();
  });

  it('the receiver closes after N bytes mid-send: the rest is resent from a whole line, nothing twice', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    // Long lines (4 KiB prefix) make an iteration of ~8 MB, more than the socket buffers take at once.
    const prefix = 'p'.repeat(4096);
    const h = harness(db, { ...base(proxy.port), prefix, sendChartsMatching: 'system.*', timeoutMs: 5000 }, { clock });
    await h.inst.start();
    fillCharts(db, 'system', 20, 100, T0 + 1, v);
    const want1 = expectedGraphiteLines(prefix, 'web01', 'system', 20, 100, T0 + 1, v);
    proxy.closeAfter(100_000, { once: true });
    const c1 = await h.inst.runOnce(clock.advance(2));
    assert.strictEqual(c1.newMetrics, 2000);
    assert.ok(c1.transmissionFailures === 1 && c1.remainingMetrics > 0, `the close interrupted the send (sent ${c1.sentMetrics}, remaining ${c1.remainingMetrics})`);
    fillCharts(db, 'system', 1, 10, T0 + 3, (i, j) => -j);
    const want2 = expectedGraphiteLines(prefix, 'web01', 'system', 1, 10, T0 + 3, (i, j) => -j);
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c2.remainingMetrics, c2.failures], [0, 0]);
    await waitFor(() => collector.connections.length === 2 && collector.lines.length >= c2.sentMetrics, 10_000, 'the resent lines');
    await sleep(100);
    const all = new Set([...want1, ...want2]);
    const got = collector.lines;
    assert.deepStrictEqual(collector.duplicates(), [], 'no line arrives twice');
    assert.ok(got.every((l) => all.has(l)), 'every complete line received is a line that was formatted');
    // The second connection starts with a whole line and carries everything not counted as sent before.
    const second = collector.connections[1]!.lines;
    assert.strictEqual(second.length, c2.sentMetrics);
    sameLines(second.slice(-10), want2, 'iteration 2 on the new connection');
    sameLines(second.slice(0, -10), want1.slice(want1.length - c1.remainingMetrics), 'the unsent rest of iteration 1, from its first unsent line');
    // The first connection got whole lines up to N bytes and at most a fragment of the next.
    assert.ok(collector.connections[0]!.lines.length <= c1.sentMetrics);
    await h.inst.stop();
  });

  it('the receiver stops reading (backpressure): the send times out without blocking, then every line arrives exactly once', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const prefix = 'q'.repeat(4096);
    const h = harness(db, { ...base(proxy.port), prefix, sendChartsMatching: 'system.*', timeoutMs: 400 }, { clock });
    await h.inst.start();
    fillCharts(db, 'system', 40, 100, T0 + 1, v); // ~16 MB
    const want = expectedGraphiteLines(prefix, 'web01', 'system', 40, 100, T0 + 1, v);
    proxy.stopReading(true);
    // The event loop keeps running while the send waits.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const t0 = Date.now();
    const c1 = await h.inst.runOnce(clock.advance(2));
    const took = Date.now() - t0;
    clearInterval(ticker);
    assert.ok(c1.transmissionFailures === 1 && c1.remainingMetrics > 0, `backpressure made the send fail (remaining ${c1.remainingMetrics})`);
    assert.ok(took < 5000, `the iteration ended within the timeout (${took} ms)`);
    assert.ok(ticks >= 5, `the event loop ran during the send (${ticks} ticks)`);
    assert.ok(h.logged('failed to write data to database backend').length === 1);
    proxy.stopReading(false);
    const c2 = await h.inst.runOnce(clock.advance(2));
    assert.deepStrictEqual([c2.sentMetrics, c2.remainingMetrics], [c1.remainingMetrics, 0]);
    // Everything not counted as sent before is resent on a new connection, from its first unsent line.
    await waitFor(() => collector.connections.length === 2 && collector.connections[1]!.lines.length >= c2.sentMetrics, 15_000, 'the resent lines');
    await sleep(100);
    sameLines(collector.connections[1]!.lines, want.slice(c1.sentMetrics), 'the second connection');
    // What the first connection delivered is a prefix of the lines counted as sent there (the kernel
    // buffers of a connection closed on timeout may or may not reach the receiver: the documented TCP
    // ambiguity of lib/transport/line-sender.ts), and nothing arrives twice.
    const first = collector.connections[0]!.lines;
    assert.ok(first.length <= c1.sentMetrics);
    sameLines(first, want.slice(0, first.length), 'the first connection');
    assert.deepStrictEqual(collector.duplicates(), []);
    await h.inst.stop();
  });

  it('the receiver is killed and restarted mid-run: reconnects, carries data over, no duplicates', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'system.*' }, { clock });
    const reconnected: boolean[] = [];
    h.inst.on('reconnected', (e) => reconnected.push(e.first));
    await h.inst.start();
    const sent: string[] = [];
    const step = async (k: number): Promise<void> => {
      fillCharts(db, 'system', 1, 5, T0 + 1 + 2 * k, (i, j) => 100 * k + j);
      sent.push(...expectedGraphiteLines('netdata', 'web01', 'system', 1, 5, T0 + 1 + 2 * k, (i, j) => 100 * k + j));
      await h.inst.runOnce(clock.advance(2));
    };
    await step(0);
    await collector.waitForLines(5);
    // Kill: every connection reset and the port closed.
    proxy.dropAll();
    await proxy.refuse(true);
    await sleep(50);
    await step(1);
    await step(2);
    assert.deepStrictEqual(h.iterations.slice(1).map((c) => c.remainingMetrics), [5, 10]);
    await proxy.refuse(false);
    await step(3);
    await collector.waitForLines(20);
    await sleep(50);
    sameLines(collector.lines, sent, 'every iteration once, in order');
    assert.deepStrictEqual(reconnected, [true, false]);
    await h.inst.stop();
  });

  it('filters: hosts by name (localhost literal), charts cached until renamed, memory mode none only as collected', async () => {
    const db = newDb();
    const child = db.addHost({ hostname: 'child1' });
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(collector.port), sendHostsMatching: 'localhost', sendChartsMatching: 'system.* *renamed*', dataSource: 'average' }, { clock, monitoring: false });
    await h.inst.start();
    const t = (s: number): number => (T0 + s) * 1e6;
    const kid = child.createChart({ id: 'system.kid' });
    kid.addDimension('a');
    const other = db.localhost.createChart({ id: 'apps.x' });
    other.addDimension('a');
    const none = db.localhost.createChart({ id: 'system.nohist', memoryMode: 'none' });
    none.addDimension('a');
    for (let s = 0; s <= 6; s++) {
      for (const c of [kid, other, none]) {
        c.set('a', 10 * s, t(s));
        c.done(t(s));
      }
    }
    clock.ms = (T0 + 6) * 1000;
    const c1 = await h.inst.runOnce(T0 + 6);
    // child1 disabled; apps.x not matched; system.nohist has no history for average.
    assert.strictEqual(c1.newMetrics, 0);
    assert.deepStrictEqual(h.logged('backend for host'), ["enabled backend for host 'localhost'", "disabled backend for host 'child1'"]);
    other.rename('renamed');
    for (let s = 7; s <= 9; s++) {
      other.set('a', 10 * s, t(s));
      other.done(t(s));
    }
    const c2 = await h.inst.runOnce(T0 + 9);
    assert.strictEqual(c2.newMetrics, 1, 'the renamed chart passes the filter now');
    await collector.waitForLines(1);
    assert.match(collector.lines[0]!, /^netdata\.web01\.apps\.renamed\.a \d+\.\d{7} \d+$/);
    assert.strictEqual(h.logged('backend for host').length, 2, 'host decisions are cached');
    await h.inst.stop();

    // The same database as collected: the chart without history is exported.
    const h2 = harness(db, { ...base(collector.port), sendHostsMatching: 'localhost', sendChartsMatching: 'system.*', name: 'raw' }, { clock, monitoring: false });
    await h2.inst.start();
    none.set('a', 77, t(10));
    none.done(t(10));
    const c3 = await h2.inst.runOnce(T0 + 10);
    assert.strictEqual(c3.newMetrics, 1);
    await collector.waitForLines(2);
    assert.strictEqual(collector.lines[1], `netdata.web01.system.nohist.a 77 ${T0 + 10}`);
    await h2.inst.stop();

    // Call-site rules (SPEC §5.6, §7 row 16): an empty hosts pattern sends every host, an empty charts
    // pattern sends no chart.
    const h3 = harness(db, { ...base(collector.port), sendHostsMatching: '', sendChartsMatching: '', name: 'empty' }, { clock, monitoring: false });
    await h3.inst.start();
    const c4 = await h3.inst.runOnce(T0 + 10);
    assert.strictEqual(c4.newMetrics, 0);
    assert.deepStrictEqual(h3.logged('backend for host'), ["enabled backend for host 'localhost'", "enabled backend for host 'child1'"]);
    await h3.inst.stop();
  });

  it('formats a large database in slices: yields to the event loop and reports the longest slice', async () => {
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(collector.port), sendChartsMatching: 'big.*' }, { clock, monitoring: false, sliceMs: 2 });
    await h.inst.start();
    fillCharts(db, 'big', 2000, 10, T0 + 1, v);
    let ticks = 0;
    let running = true;
    const spin = (): void => {
      ticks++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const c = await h.inst.runOnce(clock.advance(2));
    running = false;
    assert.strictEqual(c.newMetrics, 20_000);
    assert.strictEqual(c.charts, 2000);
    assert.ok(c.slices > 1, `formatting was sliced (${c.slices} slice(s) in ${c.formatMs.toFixed(1)} ms)`);
    assert.ok(ticks >= c.slices - 1, `other callbacks ran between the slices (${ticks} for ${c.slices} slices)`);
    assert.ok(c.longestSliceMs < c.formatMs, 'no single slice took the whole pass');
    assert.strictEqual(h.inst.totals.longestSliceMs, c.longestSliceMs);
    await collector.waitForLines(20_000);
    await h.inst.stop();
  });

  it('stop(): a last flush attempt within the grace time, and what cannot be sent is counted lost', async () => {
    await proxy.refuse(true);
    const db = newDb();
    const clock = new ManualClock(T0 * 1000);
    const h = harness(db, { ...base(proxy.port), sendChartsMatching: 'system.*' }, { clock });
    await h.inst.start();
    fillCharts(db, 'system', 1, 6, T0 + 1, v);
    await h.inst.runOnce(clock.advance(2));
    // Receiver back before the shutdown: the final flush delivers.
    await proxy.refuse(false);
    const r1 = await h.inst.stop(2000);
    assert.deepStrictEqual([r1.flushedMetrics, r1.lostMetrics, r1.clean], [6, 0, true]);
    await collector.waitForLines(6);
    sameLines(collector.lines, expectedGraphiteLines('netdata', 'web01', 'system', 1, 6, T0 + 1, v), 'the final flush');
    // Restart, receiver down for good: the buffered metrics are lost at shutdown, counted.
    await proxy.refuse(true);
    await h.inst.start();
    fillCharts(db, 'system', 1, 6, T0 + 5, v);
    const c = await h.inst.runOnce(clock.advance(6));
    assert.strictEqual(c.remainingMetrics, 6);
    const t0 = Date.now();
    const r2 = await h.inst.stop(1000);
    assert.ok(Date.now() - t0 < 3000);
    assert.deepStrictEqual([r2.flushedMetrics, r2.lostMetrics, r2.lostBytes], [0, 6, c.remainingBytes]);
    assert.deepStrictEqual(h.losses.map((l) => [l.reason, l.metrics]), [['shutdown', 6]]);
    const t = r2.totals;
    assert.strictEqual(t.formattedMetrics, t.sentMetrics + t.lostMetrics);
    assert.strictEqual(t.bufferedMetrics, 0);
    assert.strictEqual(h.logged('shutting down with 6 metrics').length, 1);
  });

  it('TLS with a wrong CA is refused and counted; the right CA delivers (SPEC §7 row 10)', async function () {
    this.timeout(60_000);
    let pki: TestPki;
    try {
      pki = await makeTestPki();
    } catch (err) {
      throw new Error(`openssl is needed for this test (apt-get install openssl): ${(err as Error).message}`);
    }
    const tlsCollector = await LineCollector.start({ tls: pki.server });
    try {
      const db = newDb();
      const clock = new ManualClock(T0 * 1000);
      const opts = { ...base(tlsCollector.port), type: 'graphite:https', sendChartsMatching: 'system.*' };
      const bad = harness(db, { ...opts, tlsCaFile: pki.otherCaFile }, { clock, monitoring: false });
      await bad.inst.start();
      fillCharts(db, 'system', 1, 3, T0 + 1, v);
      const c = await bad.inst.runOnce(clock.advance(2));
      assert.deepStrictEqual([c.sentMetrics, c.remainingMetrics, c.transmissionFailures, c.reconnects], [0, 3, 1, 1]);
      assert.ok(bad.logs.some(([l, m]) => l === 'error' && /TLS handshake .* failed/.test(m)), 'the handshake failure is logged');
      assert.strictEqual(tlsCollector.lines.length, 0);
      const r = await bad.inst.stop(500);
      assert.strictEqual(r.lostMetrics, 3);

      const good = harness(db, { ...opts, name: 'good', tlsCaFile: pki.caFile }, { clock, monitoring: false });
      await good.inst.start();
      fillCharts(db, 'system', 1, 3, T0 + 5, v);
      const c2 = await good.inst.runOnce(clock.advance(4));
      assert.deepStrictEqual([c2.sentMetrics, c2.remainingMetrics], [3, 0]);
      await tlsCollector.waitForLines(3);
      sameLines(tlsCollector.lines, expectedGraphiteLines('netdata', 'web01', 'system', 1, 3, T0 + 5, v), 'over TLS');
      await good.inst.stop();
    } finally {
      await tlsCollector.close();
      pki.remove();
    }
  });
});

describe('exporter: several instances over one database', function () {
  this.timeout(30_000);

  it('a destination that stops reading never delays another instance; chart ids carry the instance name', async () => {
    const collector = await LineCollector.start();
    const stalled = await FaultProxy.start({ host: '127.0.0.1', port: collector.port });
    stalled.stopReading(true);
    const db = newDb();
    // ~33 MB per iteration for the stalled destination (far more than socket buffers hold): its send waits for the full socket buffers.
    const future = Math.floor(Date.now() / 1000) + 30;
    fillCharts(db, 'big', 200, 10, future, v);
    const exporter = new Exporter(db, [
      { name: 'stuck', enabled: true, type: 'graphite', destination: `127.0.0.1:${stalled.port}`, updateEvery: 1, timeoutMs: 8000, dataSource: 'as collected', sendChartsMatching: 'big.*', prefix: 'x'.repeat(16384) },
      { name: 'live', enabled: true, type: 'graphite', destination: `127.0.0.1:${collector.port}`, updateEvery: 1, hostname: 'web01', dataSource: 'as collected', sendChartsMatching: 'netdata.*' },
    ], { logger: () => undefined });
    const live: IterationCounters[] = [];
    const stuck: IterationCounters[] = [];
    exporter.on('iteration', (name, c) => (name === 'live' ? live : stuck).push(c));
    try {
      await exporter.start();
      await waitFor(() => live.length >= 3, 6000, 'three iterations of the live instance');
      assert.strictEqual(stuck.length, 0, 'the stuck instance is still sending its first iteration');
      // Heartbeat-driven windows are contiguous (SPEC §5.5 step 6) and end on whole seconds.
      for (let k = 1; k < live.length; k++) assert.strictEqual(live[k]!.after, live[k - 1]!.before);
      assert.ok(live.every((c) => c.before > c.after || c.iteration === 1));
      assert.deepStrictEqual(exporter.instance('live')!.monitoringChartIds, [
        'netdata.backend_live_metrics', 'netdata.backend_live_bytes', 'netdata.backend_live_ops', 'netdata.backend_live_thread_cpu',
      ]);
      assert.ok(db.localhost.findChart('netdata.backend_stuck_metrics'), 'the stuck instance has its own charts');
      await waitFor(() => collector.lines.some((l) => l.startsWith('netdata.web01.netdata.backend_live_metrics.sent ')), 3000, 'the live monitoring charts');
    } finally {
      const reports = await exporter.stop(500);
      assert.ok(reports.get('live')!.clean);
      assert.ok(reports.get('stuck')!.lostMetrics > 0, 'what the stuck instance could not send is counted lost at shutdown');
      await stalled.close();
      await collector.close();
    }
  });

  it('start(): transport options are validated up front; jitter is one fixed offset per instance', async () => {
    const db = newDb();
    const bad = new BackendInstance(db, { type: 'graphite:https', destination: '127.0.0.1:1', tlsCaFile: '/nonexistent/ca.pem' }, { manual: true, logger: () => undefined });
    await assert.rejects(bad.start(), (e: Error & { code?: string }) => e.code === 'ERR_TRANSPORT_OPTION' && e.message.includes('/nonexistent/ca.pem'));
    assert.strictEqual(bad.running, false);
    const dest = new BackendInstance(db, { type: 'graphite', destination: '127.0.0.1:99999' }, { manual: true, logger: () => undefined });
    await assert.rejects(dest.start(), (e: Error & { code?: string }) => /^ERR_DESTINATION_/.test(e.code ?? '') && e.message.includes('99999'));
    const j = new BackendInstance(db, { type: 'graphite', updateEvery: 2, jitterMs: 1500 }, { random: () => 0.5 });
    assert.strictEqual(j.jitter, 750);
    assert.strictEqual(new BackendInstance(db, { type: 'graphite' }).jitter, 0);
  });

  it('rejects duplicate names, a kinesis instance without a stream and bad arguments with stable codes', () => {
    const db = newDb();
    assert.throws(() => new Exporter(db, [{ name: 'a' }, { name: 'a' }]), (e: Error & { code?: string }) => e.code === 'ERR_EXPORTER_DUPLICATE' && /'a'/.test(e.message));
    assert.throws(() => new BackendInstance(db, { type: 'kinesis', destination: 'us-east-1' }), (e: Error & { code?: string }) => e.code === 'ERR_CONFIG_KINESIS' && /stream name/.test(e.message));
    assert.throws(() => new BackendInstance(db, { type: 'graphite' }, { sliceMs: 0 }), (e: Error & { code?: string }) => e.code === 'ERR_EXPORTER_OPTION' && /sliceMs/.test(e.message));
    const inst = new BackendInstance(db, { type: 'graphite' }, { manual: true });
    return assert.rejects(inst.runOnce(), (e: Error & { code?: string }) => e.code === 'ERR_EXPORTER_STATE' && /start\(\) first/.test(e.message));
  });
});
