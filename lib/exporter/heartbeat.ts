// The exporter's clock (SPEC §5.16, beyond it: wall-clock alignment and optional jitter).
//
// The reference sleeps until the next multiple of UE on the monotonic clock, so its phase against
// wall-clock seconds is arbitrary. We align wake-ups to multiples of UE on the wall clock (every
// agent of a fleet then reports the same window boundaries), add an optional per-instance random
// jitter (SPEC §7 row 21: a fleet must not all send at the same instant), and report late or missed
// beats. A late beat is never caught up: the caller keeps `after` from the previous window, so the next
// window covers the gap (SPEC §5.5 step 6).
//
// Sleeping: timers run on the monotonic clock (Clock.setTimeout), and no sleep is ever longer than one
// tick: each sleep lasts until the next grid instant computed from the wall clock read just before it.
// At every wake-up the wall clock is read again and the target re-evaluated:
//  * wall >= target: the beat fires; `lateMs` is how far past the target the wall clock is, so a wall
//    clock stepped FORWARD (or a stalled process) is reported as late/missed beats, and the caller's next
//    window covers the whole gap;
//  * wall < target: the wall clock is behind the timer (a few ms of lag, or a step BACK). The target is
//    re-computed from the current wall clock (the next grid instant after it, at most one tick away), so a
//    step back delays the next beat by less than one UE instead of stalling until the old target.
// Each beat also carries `stepMs`: wall-clock time minus monotonic time elapsed since the previous beat,
// i.e. how far the wall clock was stepped in between (0 on the first beat; a few ms is ordinary drift).

export interface Clock {
  /** Wall clock, milliseconds since the epoch. */
  nowMs(): number;
  /** Monotonic clock, milliseconds. */
  monotonicMs(): number;
  setTimeout(fn: () => void, ms: number): { unref?: () => void } | unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface Beat {
  /** Wall-clock seconds at the wake-up: the `before` of the window. */
  nowSec: number;
  /** Milliseconds between the target instant and the actual wake-up (>= 0). */
  lateMs: number;
  /** Ticks skipped since the previous beat (0 when on time). */
  missed: number;
  /**
   * Wall-clock ms minus monotonic ms elapsed since the previous beat: > 0 when the wall clock was
   * stepped forward, < 0 when stepped back (0 or absent on the first beat and for manual iterations).
   */
  stepMs?: number;
}

export class Heartbeat {
  private readonly tickMs: number;
  private readonly jitterMs: number;
  private timer: unknown = null;
  private stopped = false;
  /** Bumped by start() and stop(): a callback of an earlier start() never re-arms. */
  private generation = 0;

  /**
   * @param updateEverySec UE, whole seconds >= 1
   * @param jitterMs fixed offset in [0, UE*1000) added to every wake-up; chosen once per instance so the
   *   spacing of windows stays exactly UE.
   */
  constructor(updateEverySec: number, jitterMs = 0, private readonly clock: Clock = systemClock) {
    if (!Number.isInteger(updateEverySec) || updateEverySec < 1) {
      throw new RangeError(`update every must be a whole number of seconds >= 1, got ${updateEverySec}`);
    }
    if (!(jitterMs >= 0 && jitterMs < updateEverySec * 1000)) {
      throw new RangeError(`jitter ms must be in [0, ${updateEverySec * 1000}), got ${jitterMs}`);
    }
    this.tickMs = updateEverySec * 1000;
    this.jitterMs = Math.floor(jitterMs);
  }

  /** The next target instant strictly after `nowMs`, on the grid k*tick + jitter. */
  nextTarget(nowMs: number): number {
    const base = nowMs - this.jitterMs;
    return base - (((base % this.tickMs) + this.tickMs) % this.tickMs) + this.tickMs + this.jitterMs;
  }

  /** Calls `onBeat` at every tick until stop(). `onBeat` may be async; beats never overlap. */
  start(onBeat: (beat: Beat) => void | Promise<void>): void {
    this.stop();
    this.stopped = false;
    const gen = this.generation;
    const live = (): boolean => !this.stopped && this.generation === gen;
    let prev: { wall: number; mono: number } | null = null;
    let target = 0;
    const sleep = (): void => {
      // Never longer than one tick (target is the next grid instant after the wall clock just read).
      this.timer = this.clock.setTimeout(fire, Math.max(0, target - this.clock.nowMs()));
    };
    const arm = (): void => {
      if (!live()) return;
      target = this.nextTarget(this.clock.nowMs());
      sleep();
    };
    const fire = (): void => {
      this.timer = null;
      if (!live()) return;
      const now = this.clock.nowMs();
      if (now < target) {
        // The wall clock lags the (monotonic) timer: a few ms of skew, or a step back. Re-align on the
        // current wall clock instead of waiting for the old target (after a step back of an hour, that
        // would stall the exporter for an hour).
        target = this.nextTarget(now);
        sleep();
        return;
      }
      const mono = this.clock.monotonicMs();
      const lateMs = now - target;
      const stepMs = prev === null ? 0 : (now - prev.wall) - (mono - prev.mono);
      prev = { wall: now, mono };
      const beat: Beat = { nowSec: Math.floor(now / 1000), lateMs, missed: Math.floor(lateMs / this.tickMs), stepMs };
      let result: void | Promise<void>;
      try {
        result = onBeat(beat);
      } catch {
        result = undefined;
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(arm, arm);
      } else {
        arm();
      }
    };
    arm();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
