// Runs the collectors once per `updateEvery` seconds, on wall-clock multiples (netdata's plugins also
// collect on second boundaries), never overlapping: a slow collection delays the next one instead of
// stacking up. Errors of one collector are logged (once per message) and do not stop the others; every
// round logs its duration at the debug level (`--log-level debug`).
import type { Logger } from '../exporter/logger';

export interface Collector {
  readonly name: string;
  collect(timeUs: number): void | Promise<void>;
}

export class CollectionLoop {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private readonly reported = new Set<string>();
  /** Completed rounds. */
  rounds = 0;

  constructor(private readonly collectors: readonly Collector[], private readonly log: Logger, readonly updateEvery = 1) {}

  /** Collects once now, then on every following multiple of updateEvery seconds. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.current = this.round().then(() => this.arm());
  }

  private arm(): void {
    if (!this.running) return;
    const tick = this.updateEvery * 1000;
    const now = Date.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.current = this.round().then(() => this.arm());
    }, tick - (now % tick));
  }

  /** One collection by every collector at the same timestamp. */
  async round(timeUs: number = Date.now() * 1000): Promise<void> {
    const t0 = performance.now();
    for (const c of this.collectors) {
      try {
        await c.collect(timeUs);
      } catch (err) {
        const msg = `collector '${c.name}' failed: ${err instanceof Error ? err.message : String(err)}`;
        if (!this.reported.has(msg)) {
          this.reported.add(msg);
          this.log('error', msg);
        }
      }
    }
    this.rounds++;
    this.log('debug', `collection #${this.rounds} (${this.collectors.map((c) => c.name).join(', ') || 'no collectors'}) took ${(performance.now() - t0).toFixed(1)} ms`);
  }

  /** Stops the timer and waits for a collection in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }
}
