// Per-iteration counters of one backend instance (SPEC §5.15) plus the exact accounting this
// implementation adds (§7 row 12). The reference's names are kept where they exist.

export interface IterationCounters {
  /** 1, 2, 3, ... per instance. */
  iteration: number;
  /** The window formatted this iteration (SPEC §5.5): [after, before], wall-clock seconds. */
  after: number;
  before: number;

  // --- SPEC §5.15 ---
  /** Metrics in the buffer when sending started: carried over from failed iterations + formatted now. */
  bufferedMetrics: number;
  /** Bytes in the buffer when sending started (carried + new). */
  bufferedBytes: number;
  /** Metrics/bytes delivered this iteration (whole lines / whole accepted HTTP requests). */
  sentMetrics: number;
  sentBytes: number;
  /** Metrics/bytes thrown away this iteration (failure rule, byte cap, refused requests, shutdown). */
  lostMetrics: number;
  lostBytes: number;
  /** Response bytes read and discarded, and read operations (`read`). */
  receivedBytes: number;
  receptions: number;
  /** Complete flushes of the buffer (`write`). */
  transmissionSuccesses: number;
  /** Failed sends or iterations without a connection (`failure`). */
  transmissionFailures: number;
  /** Events that threw data away (`discard`). */
  dataLostEvents: number;
  /** Connection attempts (`reconnect`). */
  reconnects: number;

  // --- beyond the reference ---
  /** Metrics/bytes formatted this iteration (the rest of bufferedMetrics was carried over). */
  newMetrics: number;
  newBytes: number;
  /** Still buffered after this iteration: bufferedMetrics = sentMetrics + lostMetrics + remainingMetrics. */
  remainingMetrics: number;
  remainingBytes: number;
  /** Consecutive failed iterations after this one (the reference's `failures`). */
  failures: number;
  /** Hosts and charts formatted. */
  hosts: number;
  charts: number;
  /** Time spent formatting (wall, ms), the longest synchronous slice of it, and the number of slices. */
  formatMs: number;
  longestSliceMs: number;
  slices: number;
  /** Time spent sending (ms). */
  sendMs: number;
  /** How late the beat was (ms) and how many beats were missed before it. */
  lateMs: number;
  missedBeats: number;
}

export function emptyCounters(iteration: number, after: number, before: number): IterationCounters {
  return {
    iteration, after, before,
    bufferedMetrics: 0, bufferedBytes: 0, sentMetrics: 0, sentBytes: 0, lostMetrics: 0, lostBytes: 0,
    receivedBytes: 0, receptions: 0, transmissionSuccesses: 0, transmissionFailures: 0, dataLostEvents: 0,
    reconnects: 0, newMetrics: 0, newBytes: 0, remainingMetrics: 0, remainingBytes: 0, failures: 0,
    hosts: 0, charts: 0, formatMs: 0, longestSliceMs: 0, slices: 0, sendMs: 0, lateMs: 0, missedBeats: 0,
  };
}

/** Lifetime totals of an instance (all iterations plus shutdown). */
export interface TotalCounters {
  iterations: number;
  /** Metrics/bytes ever formatted into the buffer. */
  formattedMetrics: number;
  formattedBytes: number;
  sentMetrics: number;
  sentBytes: number;
  lostMetrics: number;
  lostBytes: number;
  /** Still buffered now. formattedMetrics = sentMetrics + lostMetrics + bufferedMetrics. */
  bufferedMetrics: number;
  bufferedBytes: number;
  receivedBytes: number;
  receptions: number;
  transmissionSuccesses: number;
  transmissionFailures: number;
  dataLostEvents: number;
  reconnects: number;
  /** The longest synchronous formatting slice seen (ms). */
  longestSliceMs: number;
}
