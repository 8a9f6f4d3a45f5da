import * as assert from 'assert';
import { Heartbeat, Clock, Beat } from '../lib/exporter/heartbeat';

/** A fake clock whose timers fire in order when advanced. */
class FakeClock implements Clock {
  wall: number;
  mono = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  constructor(startWallMs: number) { this.wall = startWallMs; }
  nowMs(): number { return this.wall; }
  monotonicMs(): number { return this.mono; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.mono + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void { this.timers = this.timers.filter((t) => t.id !== h); }
  /** Advances both clocks; `stallMs` simulates a blocked process (timers fire late). */
  advance(ms: number): void {
    const end = this.mono + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const t = this.timers[0];
      if (!t || t.at > end) break;
      this.timers.shift();
      if (t.at > this.mono) {
        this.wall += t.at - this.mono;
        this.mono = t.at;
      }
      t.fn();
    }
    this.wall += end - this.mono;
    this.mono = end;
  }
}

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
    clock.advance(5_000);
    assert.strictEqual(beats[beats.length - 1].nowSec % 5, 0);
    hb.stop();
    const n = beats.length;
    clock.advance(60_000);
    assert.strictEqual(beats.length, n, 'no beat after stop()');
  });

  it('rejects bad update every and jitter with the value in the message', () => {
    assert.throws(() => new Heartbeat(0), /update every .* got 0/);
    assert.throws(() => new Heartbeat(2, 2000), /jitter ms .* got 2000/);
  });
});
