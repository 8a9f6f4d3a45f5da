import * as assert from 'assert';
import { Heartbeat, Beat } from '../lib/exporter/heartbeat';
import { FakeClock } from './support/fake-clock';


describe('heartbeat (SPEC §5.16)', () => {
  it('wakes at wall-clock multiples of update every, strictly in the future', () => {
    const hb = new Heartbeat(10);
    assert.strictEqual(hb.nextTarget(1000_000), 1010_000);
    assert.strictEqual(hb.nextTarget(1000_001), 1010_000);
    assert.strictEqual(hb.nextTarget(1009_999), 1010_000);
    const jittered = new Heartbeat(10, 2500);
    assert.strictEqual(jittered.nextTarget(1000_000), 1002_500);
    assert.strictEqual(jittered.nextTarget(1002_500), 1012_500);
  });

  it('delivers consecutive beats UE apart and reports missed beats when the process stalls', () => {
    const clock = new FakeClock(1_700_000_003_000);
    const beats: Beat[] = [];
    const hb = new Heartbeat(5, 0, clock);
    hb.start((b) => { beats.push(b); });
    clock.advance(11_000); // beats at ..005 and ..010
    assert.deepStrictEqual(beats.map((b) => b.nowSec), [1_700_000_005, 1_700_000_010]);
    assert.deepStrictEqual(beats.map((b) => b.missed), [0, 0]);
    // A stall: the wall clock jumps 11 s while no timer can run.
    clock.wall += 11_000; clock.mono += 11_000;
    clock.advance(1);
    const last = beats[beats.length - 1];
    // The beat due at ..015 fires at ..025: 10 s late, two ticks (..020 and ..025) missed.
    assert.strictEqual(last.nowSec, 1_700_000_025);
    assert.strictEqual(last.lateMs, 10_000);
    assert.strictEqual(last.missed, 2);
    assert.strictEqual(last.stepMs, 0, 'a stall is not a wall-clock step');
    clock.advance(5_000);
    assert.strictEqual(beats[beats.length - 1].nowSec % 5, 0);
    hb.stop();
    const n = beats.length;
    clock.advance(60_000);
    assert.strictEqual(beats.length, n, 'no beat after stop()');
  });

  /** Records every beat with the wall and monotonic instants at which it fired. */
  function record(clock: FakeClock, beats: Array<Beat & { wall: number; mono: number }>, inBeat?: () => void): (b: Beat) => void {
    return (b) => {
      beats.push({ ...b, wall: clock.wall, mono: clock.mono });
      inBeat?.();
    };
  }

  it('a wall clock stepped BACK never stalls the beats beyond one update every, and they re-align to the new wall clock', () => {
    const tick = 5000;
    const cases: string[] = [];
    for (const jitter of [0, 2500]) {
      for (const step of [700, 5000, 12_345, 3_600_000, 86_400_000]) {
        // Where the step happens: inside the beat callback (before the re-arm), or during the sleep.
        for (const at of ['in-beat', 1, 2500, 4999] as const) {
          const label = `jitter ${jitter} ms, step back ${step} ms ${at === 'in-beat' ? 'inside the beat' : `${at} ms into the sleep`}`;
          cases.push(label);
          const clock = new FakeClock(1_700_000_003_137);
          const beats: Array<Beat & { wall: number; mono: number }> = [];
          let stepInBeat = false;
          const hb = new Heartbeat(5, jitter, clock);
          hb.start(record(clock, beats, () => {
            if (stepInBeat) {
              stepInBeat = false;
              clock.stepWall(-step);
            }
          }));
          clock.advance(3 * tick); // three beats on time
          assert.ok(beats.length >= 2, label);
          // Move exactly to the next beat.
          const lastMono = beats[beats.length - 1]!.mono;
          if (at === 'in-beat') stepInBeat = true;
          clock.advance(lastMono + tick - clock.mono);
          const stepIndex = beats.length - 1; // the beat the step follows
          if (at !== 'in-beat') {
            clock.advance(at);
            clock.stepWall(-step);
          }
          clock.advance(6 * tick);
          const after = beats.slice(stepIndex);
          assert.ok(after.length >= 5, `${label}: ${after.length - 1} beats in 6 ticks after the step`);
          for (let i = 1; i < after.length; i++) {
            const gap = after[i]!.mono - after[i - 1]!.mono;
            assert.ok(gap > 0 && gap <= 2 * tick, `${label}: beat ${i} came ${gap} ms (monotonic) after the previous one`);
            assert.strictEqual(((after[i]!.wall - jitter) % tick + tick) % tick, 0, `${label}: beat ${i} at wall ${after[i]!.wall} is off the grid`);
            assert.strictEqual(after[i]!.lateMs, 0, label);
            assert.strictEqual(after[i]!.missed, 0, label);
            assert.strictEqual(after[i]!.stepMs, i === 1 ? -step : 0, `${label}: stepMs of beat ${i}`);
            assert.strictEqual(after[i]!.nowSec, Math.floor(after[i]!.wall / 1000), label);
          }
          // From the second beat after the step on, the spacing is exactly one tick again.
          for (let i = 2; i < after.length; i++) assert.strictEqual(after[i]!.mono - after[i - 1]!.mono, tick, `${label}: spacing at beat ${i}`);
          hb.stop();
        }
      }
    }
    assert.strictEqual(cases.length, 40);
  });

  it('a wall clock stepped FORWARD is reported as late/missed beats (stepMs tells it from a stall); beats stay on the grid', () => {
    const clock = new FakeClock(1_700_000_003_000);
    const beats: Array<Beat & { wall: number; mono: number }> = [];
    const hb = new Heartbeat(5, 0, clock);
    hb.start(record(clock, beats));
    clock.advance(2_000); // beat at ..005
    assert.deepStrictEqual(beats.map((b) => [b.nowSec, b.lateMs, b.missed, b.stepMs]), [[1_700_000_005, 0, 0, 0]]);
    clock.advance(1_000);
    clock.stepWall(3_600_000); // one hour forward, mid-sleep
    clock.advance(4_000); // the timer (monotonic) fires when the ..010 beat was due
    const b1 = beats[1]!;
    assert.strictEqual(b1.nowSec, 1_700_003_610);
    assert.strictEqual(b1.lateMs, 3_600_000);
    assert.strictEqual(b1.missed, 720);
    assert.strictEqual(b1.stepMs, 3_600_000);
    assert.strictEqual(b1.mono - beats[0]!.mono, 5_000, 'the step does not delay the beat');
    clock.advance(5_000);
    assert.deepStrictEqual(beats.slice(2).map((b) => [b.nowSec, b.lateMs, b.missed, b.stepMs]), [[1_700_003_615, 0, 0, 0]]);
    // A forward step smaller than a tick: late, no missed beat, and the next beat is back on the grid.
    clock.advance(1_000);
    clock.stepWall(3_000);
    clock.advance(4_000);
    assert.deepStrictEqual(beats.slice(3).map((b) => [b.wall, b.lateMs, b.missed, b.stepMs]), [[1_700_003_623_000, 3_000, 0, 3_000]]);
    clock.advance(2_000);
    assert.deepStrictEqual(beats.slice(4).map((b) => [b.wall, b.lateMs, b.missed, b.stepMs]), [[1_700_003_625_000, 0, 0, 0]]);
    hb.stop();
  });

  it('stop() then start() while a beat is still running: the old beat never re-arms a second timer', async () => {
    const clock = new FakeClock(1_700_000_003_000);
    const beats: number[] = [];
    let release: () => void = () => undefined;
    const hb = new Heartbeat(5, 0, clock);
    hb.start((b) => {
      beats.push(b.nowSec);
      return new Promise<void>((r) => (release = r));
    });
    clock.advance(2_000); // beat at ..005, still running
    assert.deepStrictEqual(beats, [1_700_000_005]);
    const releaseOld = release;
    hb.stop();
    hb.start((b) => {
      beats.push(b.nowSec);
    });
    releaseOld();
    await new Promise((r) => setImmediate(r));
    assert.strictEqual(clock.pending, 1, 'one timer armed');
    clock.advance(20_000);
    assert.deepStrictEqual(beats, [1_700_000_005, 1_700_000_010, 1_700_000_015, 1_700_000_020, 1_700_000_025]);
    hb.stop();
    assert.strictEqual(clock.pending, 0);
  });

  it('rejects bad update every and jitter with the value in the message', () => {
    assert.throws(() => new Heartbeat(0), /update every .* got 0/);
    assert.throws(() => new Heartbeat(2, 2000), /jitter ms .* got 2000/);
  });
});
