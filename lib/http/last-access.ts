// When each Prometheus server last scraped each host (SPEC §4.7): the next scrape's window starts there.
// The reference keeps one entry per (server, host) forever; `server=` comes from the query, so here the
// table is bounded and forgets the least recently used entry first.

export const LAST_ACCESS_MAX = 4096;

export class LastAccessTable {
  private readonly map = new Map<string, number>();

  constructor(private readonly max = LAST_ACCESS_MAX) {}

  /** The previous access (0 = never) of `server` to `host`, and records `now` as the new one. */
  swap(server: string, host: string, now: number): number {
    const key = `${server}\u0000${host}`;
    const prev = this.map.get(key) ?? 0;
    // Re-insert so Map order is least recently used first.
    this.map.delete(key);
    this.map.set(key, now);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    return prev;
  }

  get size(): number {
    return this.map.size;
  }
}
