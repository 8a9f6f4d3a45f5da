// The lifecycle events an embedding agent subscribes to ('sent', 'stopped', with 'failed', 'lost' and
// 'iteration' for their order), and the heartbeat as an instance sees it: late and missed beats in the
// iteration counters and the log, windows that cover the gap, and wall-clock steps.
import * as assert from 'assert';
import type { BackendInstance, FailedEvent, LostEvent, ReconnectedEvent, SentEvent, StopReport } from '../lib/exporter/backend-instance';
import type { IterationCounters } from '../lib/exporter/counters';
import { RrdDatabase } from '../lib/rrd';
import { FakeClock } from './support/fake-clock';
import { LineCollector, waitFor } from './support/fake-servers';
import { expectedGraphiteLines, fillCharts, harness, Harness, ManualClock } from './exporter-harness';
import { closedPort } from './support/ports';

const T0 = 1_700_000_000; // a multiple of 5

type Recorded =
  | ['iteration', IterationCounters]
  | ['sent', SentEvent]
  | ['failed', FailedEvent]
  | ['lost', LostEvent]
  | ['reconnected', ReconnectedEvent]
  | ['stopped', StopReport];

/** Every event of the instance, in emission order. */
function recordEvents(inst: BackendInstance): Recorded[] {
  const out: Recorded[] = [];
  inst.on('iteration', (e) => out.push(['iteration', e]));
  inst.on('sent', (e) => out.push(['sent', e]));
  inst.on('failed', (e) => out.push(['failed', e]));
  inst.on('lost', (e) => out.push(['lost', e]));
  inst.on('reconnected', (e) => out.push(['reconnected', e]));
  inst.on('stopped', (e) => out.push(['stopped', e]));
  return out;
}

const names = (events: Recorded[]): string[] => events.map(([n]) => n);
const payloads = <N extends Recorded[0]>(events: Recorded[], name: N): Array<Extract<Recorded, [N, unknown]>[1]> =>
  events.filter((e) => e[0] === name).map((e) => e[1] as Extract<Recorded, [N, unknown]>[1]);


const value = (i: number, j: number): number => 10 * i + j;

/** An instance whose first iteration (6 metrics) failed: nothing listens on its destination port yet. */
async function failedFirstIteration() {
  const port = await closedPort();
  const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
  const clock = new ManualClock(T0 * 1000);
  const h = harness(db, { type: 'graphite', hostname: 'h', destination: `127.0.0.1:${port}`, dataSource: 'as collected', sendChartsMatching: 'system.*' }, { clock });
  const events = recordEvents(h.inst);
  await h.inst.start();
  fillCharts(db, 'system', 2, 3, T0 + 1, value);
  const c = await h.inst.runOnce(clock.advance(2));
  return { port, h, events, c };
}

describe('exporter: lifecycle events (sent, stopped)', function () {
  this.timeout(20_000);

  it("'sent' reports each delivery with the iteration's counts and the destination; 'stopped' comes once, with the report stop() returns", async () => {
    const collector = await LineCollector.start();
    try {
      const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
      const clock = new ManualClock(T0 * 1000);
      const h = harness(db, { type: 'graphite', hostname: 'h', destination: `127.0.0.1:${collector.port}`, dataSource: 'as collected', sendChartsMatching: 'system.*' }, { clock });
      const events = recordEvents(h.inst);
      await h.inst.start();
      fillCharts(db, 'system', 2, 3, T0 + 1, value);
      const c1 = await h.inst.runOnce(clock.advance(2));
      assert.strictEqual(c1.sentMetrics, 6);
      await collector.waitForLines(6);
      assert.deepStrictEqual(collector.lines, expectedGraphiteLines('netdata', 'h', 'system', 2, 3, T0 + 1, value));
      // Nothing collected since: nothing sent, so no 'sent' event.
      const c2 = await h.inst.runOnce(clock.advance(1));
      assert.strictEqual(c2.sentMetrics, 0);
      assert.deepStrictEqual(names(events), ['reconnected', 'sent', 'iteration', 'iteration']);
      assert.deepStrictEqual(payloads(events, 'sent'), [{ iteration: 1, metrics: 6, bytes: collector.connections[0]!.bytes, destination: `127.0.0.1:${collector.port}` }]);
      assert.strictEqual(c1.sentBytes, collector.connections[0]!.bytes);

      const report = await h.inst.stop();
      const stopped = payloads(events, 'stopped');
      assert.strictEqual(stopped.length, 1, "one 'stopped' event");
      assert.strictEqual(stopped[0], report, "the event carries the report stop() returns");
      assert.deepStrictEqual(
        [report.flushedMetrics, report.flushedBytes, report.lostMetrics, report.lostBytes, report.clean],
        [0, 0, 0, 0, true],
      );
      assert.deepStrictEqual(report.totals, h.inst.totals);
      assert.deepStrictEqual([report.totals.iterations, report.totals.sentMetrics, report.totals.sentBytes, report.totals.lostMetrics], [2, 6, c1.sentBytes, 0]);
      assert.strictEqual(names(events).at(-1), 'stopped');
      // Stopping again is a no-op: no second 'stopped'.
      await h.inst.stop();
      assert.strictEqual(payloads(events, 'stopped').length, 1);
    } finally {
      await collector.close();
    }
  });

  it("the last flush at stop() delivers what a failed iteration buffered: 'sent' then 'stopped' with the flushed counts", async () => {
    const { port, h, events, c } = await failedFirstIteration();
    assert.deepStrictEqual([c.sentMetrics, c.remainingMetrics], [0, 6]);
    assert.deepStrictEqual(names(events), ['failed', 'iteration']);
    // The receiver comes up; stop() makes the last attempt.
    const collector = await LineCollector.start({ port });
    try {
      const report = await h.inst.stop();
      await collector.waitForLines(6);
      assert.deepStrictEqual(collector.lines, expectedGraphiteLines('netdata', 'h', 'system', 2, 3, T0 + 1, value));
      assert.deepStrictEqual(names(events), ['failed', 'iteration', 'reconnected', 'sent', 'stopped']);
      assert.deepStrictEqual(payloads(events, 'sent'), [{ iteration: 1, metrics: 6, bytes: c.remainingBytes, destination: `127.0.0.1:${port}` }]);
      assert.strictEqual(payloads(events, 'stopped')[0], report);
      assert.deepStrictEqual(
        [report.flushedMetrics, report.flushedBytes, report.lostMetrics, report.lostBytes, report.clean],
        [6, c.remainingBytes, 0, 0, true],
      );
      assert.deepStrictEqual([report.totals.sentMetrics, report.totals.lostMetrics, report.totals.bufferedMetrics], [6, 0, 0]);
    } finally {
      await collector.close();
    }
  });

  it("what cannot be flushed at stop() is one 'lost' (shutdown) event, then 'stopped' with the same counts", async () => {
    const { h, events, c } = await failedFirstIteration();
    const report = await h.inst.stop();
    assert.deepStrictEqual(names(events), ['failed', 'iteration', 'lost', 'stopped']);
    assert.deepStrictEqual(payloads(events, 'lost'), [{ iteration: 1, reason: 'shutdown', metrics: 6, bytes: c.remainingBytes }]);
    assert.strictEqual(payloads(events, 'stopped')[0], report);
    assert.deepStrictEqual([report.flushedMetrics, report.lostMetrics, report.lostBytes], [0, 6, c.remainingBytes]);
    assert.deepStrictEqual([report.totals.sentMetrics, report.totals.lostMetrics, report.totals.bufferedMetrics], [0, 6, 0]);
    assert.strictEqual(h.logged('shutting down with 6 metrics').length, 1);
  });
});

describe('exporter: the heartbeat seen by an instance (SPEC §5.5, §5.16)', function () {
  this.timeout(20_000);
  let collector: LineCollector;
  beforeEach(async () => {
    collector = await LineCollector.start();
  });
  afterEach(async () => {
    await collector.close();
  });

  /** Heartbeat log lines (level, text). */
  const heartbeatLogs = (h: Harness): Array<[string, string]> => h.logs.filter(([, m]) => /heartbeat|wall clock/.test(m));

  /** Fires the due beat with `act`, waits for its iteration and for the heartbeat to re-arm. */
  async function beat(h: Harness, clock: FakeClock, act: () => void): Promise<IterationCounters> {
    const n = h.iterations.length;
    act();
    await waitFor(() => h.iterations.length > n, 10_000, `iteration ${n + 1}`);
    await waitFor(() => clock.pending === 1, 10_000, 'the heartbeat to re-arm');
    return h.iterations[n]!;
  }

  it('late and missed beats are counted and logged at warn; the next window covers the gap; wall-clock steps are logged and do not stall it', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 600 });
    const clock = new FakeClock(T0 * 1000 + 3000);
    const h = harness(db, { type: 'graphite', hostname: 'h', destination: `127.0.0.1:${collector.port}`, dataSource: 'as collected', sendChartsMatching: 'system.*', updateEvery: 5 }, { clock, manual: false });
    await h.inst.start();
    assert.strictEqual(clock.pending, 1, 'the heartbeat is armed');
    fillCharts(db, 'system', 1, 2, T0 + 4, (_i, j) => 40 + j);

    // On time.
    const c1 = await beat(h, clock, () => clock.advance(2000));
    assert.deepStrictEqual([c1.after, c1.before, c1.lateMs, c1.missedBeats, c1.sentMetrics], [T0 + 3, T0 + 5, 0, 0, 2]);
    assert.deepStrictEqual(heartbeatLogs(h), []);

    // The process stalls 17 s: the beat due at +10 fires at +22, two ticks missed; the window covers the gap.
    fillCharts(db, 'system', 1, 2, T0 + 14, (_i, j) => 140 + j);
    const c2 = await beat(h, clock, () => {
      clock.stall(17_000);
      clock.advance(0);
    });
    assert.deepStrictEqual([c2.after, c2.before, c2.lateMs, c2.missedBeats, c2.sentMetrics], [T0 + 5, T0 + 22, 12_000, 2, 2]);
    await collector.waitForLines(4);
    assert.deepStrictEqual(collector.lines.slice(2), [`netdata.h.system.c0.d0 140 ${T0 + 14}`, `netdata.h.system.c0.d1 141 ${T0 + 14}`]);
    assert.deepStrictEqual(heartbeatLogs(h), [['warn', 'BACKEND: heartbeat missed 2 beat(s): woke up 12000 ms late; the window covers the gap']]);

    // Late by more than half a tick, no tick missed: still a warning.
    const c3 = await beat(h, clock, () => {
      clock.stall(5_800);
      clock.advance(0);
    });
    assert.deepStrictEqual([c3.after, c3.before, c3.lateMs, c3.missedBeats], [T0 + 22, T0 + 27, 2_800, 0]);
    assert.deepStrictEqual(heartbeatLogs(h).slice(1), [['warn', 'BACKEND: heartbeat woke up 2800 ms late (update every is 5 s); the window covers the gap']]);

    // Late by less than half a tick: counted, not logged.
    const c4 = await beat(h, clock, () => {
      clock.stall(3_200);
      clock.advance(0);
    });
    assert.deepStrictEqual([c4.after, c4.before, c4.lateMs, c4.missedBeats], [T0 + 27, T0 + 31, 1_000, 0]);
    assert.strictEqual(heartbeatLogs(h).length, 2);

    // The wall clock is stepped back one hour during the sleep: the next beat comes within two ticks
    // (monotonic), aligned to the new wall clock, with the step logged.
    clock.stepWall(-3_600_000);
    const c5 = await beat(h, clock, () => clock.advance(10_000));
    assert.strictEqual(c5.before, T0 + 35 - 3600 + 5);
    assert.deepStrictEqual([c5.lateMs, c5.missedBeats], [0, 0]);
    assert.deepStrictEqual(heartbeatLogs(h).slice(2), [['warn', 'BACKEND: the wall clock jumped back by 3600000 ms since the previous beat; beats stay aligned to the new wall clock']]);
    // And beats go on every tick.
    const c6 = await beat(h, clock, () => clock.advance(5_000));
    assert.deepStrictEqual([c6.after, c6.before, c6.lateMs, c6.missedBeats], [c5.before, c5.before + 5, 0, 0]);

    // Stepped forward one hour: reported as missed beats (720 ticks), the window spans the hour.
    fillCharts(db, 'system', 1, 2, T0 + 40, (_i, j) => 400 + j);
    clock.advance(1_000);
    const c7 = await beat(h, clock, () => {
      clock.stepWall(3_600_000);
      clock.advance(4_000);
    });
    assert.deepStrictEqual([c7.after, c7.before, c7.lateMs, c7.missedBeats, c7.sentMetrics], [c6.before, c6.before + 5 + 3600, 3_600_000, 720, 2]);
    assert.deepStrictEqual(heartbeatLogs(h).slice(3), [
      ['warn', 'BACKEND: the wall clock jumped forward (a clock step, or the system was suspended) by 3600000 ms since the previous beat; beats stay aligned to the new wall clock'],
      ['warn', 'BACKEND: heartbeat missed 720 beat(s): woke up 3600000 ms late; the window covers the gap'],
    ]);
    await h.inst.stop();
    assert.strictEqual(clock.pending, 0, 'stop() disarms the heartbeat');
  });
});
