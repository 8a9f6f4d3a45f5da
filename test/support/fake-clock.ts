// A fake Clock (lib/exporter/heartbeat.ts) for the heartbeat tests: a wall clock and a monotonic clock
// that move together when advanced, timers that run on the monotonic clock (like Node's), and hooks to
// step the wall clock alone (NTP, an operator) or to stall the process (both move, no timer runs).
import type { Clock } from '../../lib/exporter/heartbeat';

export class FakeClock implements Clock {
  wall: number;
  mono = 0;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private ids = 0;
  constructor(startWallMs: number) {
    this.wall = startWallMs;
  }
  nowMs(): number {
    return this.wall;
  }
  monotonicMs(): number {
    return this.mono;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.timers.push({ at: this.mono + ms, fn, id });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== h);
  }
  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.timers.length;
  }
  /** Milliseconds (monotonic) until the earliest timer, or null when none is armed. */
  get nextTimerIn(): number | null {
    return this.timers.length === 0 ? null : Math.min(...this.timers.map((t) => t.at)) - this.mono;
  }
  /** Steps the wall clock alone (the monotonic clock and the timers do not move). */
  stepWall(ms: number): void {
    this.wall += ms;
  }
  /** A blocked process: both clocks move `ms` while no timer can run (they fire late at the next advance). */
  stall(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  /** Advances both clocks, firing the timers that come due, in order, each at its own instant. */
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
