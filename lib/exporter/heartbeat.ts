// The exporter's clock (SPEC §5.16, beyond it: wall-clock alignment and optional jitter).
//
// The reference sleeps until the next multiple of UE on the monotonic clock, so its phase against
// wall-clock seconds is arbitrary. We align wake-ups to multiples of UE on the wall clock (every
// agent of a fleet then reports the same window boundaries), add an optional per-instance random
// jitter (SPEC §7 row 21: a fleet must not all send at the same instant), measure the delay with the
// monotonic clock, and report late or missed beats. A late beat is never caught up: the caller keeps
// `after` from the previous window, so the next window covers the gap (SPEC §5.5 step 6).

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
}

export class Heartbeat {
  private readonly tickMs: number;
  private readonly jitterMs: number;
  private timer: unknown = null;
  private stopped = false;

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
    this.stopped = false;
    const arm = (): void => {
      if (this.stopped) return;
      const now = this.clock.nowMs();
      const target = this.nextTarget(now);
      this.schedule(target, onBeat, arm);
    };
    arm();
  }

  private schedule(target: number, onBeat: (beat: Beat) => void | Promise<void>, rearm: () => void): void {
    const fire = (): void => {
      if (this.stopped) return;
      const now = this.clock.nowMs();
      if (now < target) {
        // Timers run on the monotonic clock; the wall clock may lag it slightly. Never report a
        // window that ends before its target second.
        this.timer = this.clock.setTimeout(fire, target - now);
        return;
      }
      const lateMs = now - target;
      const beat: Beat = { nowSec: Math.floor(now / 1000), lateMs, missed: Math.floor(lateMs / this.tickMs) };
      let result: void | Promise<void>;
      try {
        result = onBeat(beat);
      } catch {
        result = undefined;
      }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(rearm, rearm);
      } else {
        rearm();
      }
    };
    this.timer = this.clock.setTimeout(fire, Math.max(0, target - this.clock.nowMs()));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
