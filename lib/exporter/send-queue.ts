// The exporter's buffer of unsent data and the ledger that accounts for every metric in it
// (SPEC §5.5 steps 3-4 and 11, §5.12, §5.15, §7 rows 11-12).
//
// The reference keeps one byte buffer, appends each iteration's output to it, sends all of it, and on
// the (buffer on failures + 1)-th failed iteration throws it away, setting lost = buffered (an
// assignment, so the count is approximate). Here each iteration's output is a separate batch, so:
// - a byte cap can drop the OLDEST whole iterations first (§7 row 12: bound memory);
// - a partial send consumes whole units (lines, or HTTP request bodies) from the head, and the metrics
//   of exactly those units are counted as sent (§7 row 11: resume on whole lines, never resend);
// - every metric that enters the queue leaves it exactly once, as sent or as lost. The invariant
//   queued = sent + lost + pending holds for metrics and bytes at any moment (check()).
//
// Units: for the line formats one line = one metric (SPEC §4.1-4.4), so the metrics of a written prefix
// are its newline count. (Only a prefix, hostname or host tags containing '\n' could break that, and those
// already corrupt the wire format; the count is clamped to the batch so the ledger still balances.)
// For HTTP, a batch is a list of request bodies, each carrying a known number of points.

export interface DropReport {
  metrics: number;
  bytes: number;
  /** Chunks removed whole. */
  batches: number;
}

export interface QueueTotals {
  queuedMetrics: number;
  queuedBytes: number;
  sentMetrics: number;
  sentBytes: number;
  lostMetrics: number;
  lostBytes: number;
}

const NL = 0x0a;

/** Newlines in buf[from, to). */
export function countLines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let at = buf.indexOf(NL, from);
  while (at !== -1 && at < to) {
    n++;
    at = buf.indexOf(NL, at + 1);
  }
  return n;
}

/** One chunk of an iteration's unsent output. Only the head chunk of a queue is ever partially consumed. */
export class PendingBatch {
  /** Bytes already consumed (sent or lost) from the start of `data`. */
  offset = 0;
  /** Index of the first record not consumed (record batches). */
  recordIndex = 0;
  /**
   * Its bytes were handed out (remaining(), nextRecord()): a sink may still hold a view of them, so if the
   * batch is dropped rather than sent, its chunk is not recycled (a reused chunk could be overwritten while
   * a write of the old bytes is still queued).
   */
  exposed = false;
  /** The whole chunk `data` lives in, and where to give it back once nothing reads it (ChunkPool). */
  recycle: ((chunk: Buffer) => void) | null = null;
  chunk: Buffer | null = null;

  /**
   * @param iteration the iteration that formatted it
   * @param data its bytes
   * @param metrics metrics in `data` not consumed yet
   * @param records null for lines; else pairs (end, points): record i is data[end(i-1), end(i)) and
   *   carries `points` metrics (the first starts at 0)
   */
  constructor(
    readonly iteration: number,
    public data: Buffer,
    public metrics: number,
    public records: Float64Array | null,
  ) {}

  get remainingBytes(): number {
    return this.data.length - this.offset;
  }

  /** The unsent bytes (a view). */
  remaining(): Buffer {
    this.exposed = true;
    return this.data.subarray(this.offset);
  }

  get recordCount(): number {
    return this.records === null ? 0 : this.records.length / 2;
  }

  /** The next unsent record: its bytes and points, or null. */
  nextRecord(): { body: Buffer; points: number } | null {
    const r = this.records;
    if (r === null || this.recordIndex >= r.length / 2) return null;
    this.exposed = true;
    const end = r[2 * this.recordIndex] as number;
    return { body: this.data.subarray(this.offset, end), points: r[2 * this.recordIndex + 1] as number };
  }

  get done(): boolean {
    return this.offset >= this.data.length && (this.records === null || this.recordIndex >= this.records.length / 2);
  }
}

export class SendQueue {
  private batches: PendingBatch[] = [];
  private pendingBytes = 0;
  private pendingMetrics = 0;
  private readonly t: QueueTotals = { queuedMetrics: 0, queuedBytes: 0, sentMetrics: 0, sentBytes: 0, lostMetrics: 0, lostBytes: 0 };

  /** Bytes waiting to be sent. */
  get bytes(): number {
    return this.pendingBytes;
  }

  /** Metrics waiting to be sent. */
  get metrics(): number {
    return this.pendingMetrics;
  }

  /** Chunks with data waiting (an iteration is queued as one or more chunks). */
  get length(): number {
    return this.batches.length;
  }

  /** Iterations with data waiting. */
  get iterations(): number {
    let n = 0;
    let last = NaN;
    for (const b of this.batches) {
      if (b.iteration !== last) n++;
      last = b.iteration;
    }
    return n;
  }

  get head(): PendingBatch | null {
    return this.batches[0] ?? null;
  }

  /** Lifetime totals (a copy). */
  totals(): QueueTotals {
    return { ...this.t };
  }

  /**
   * Appends one iteration's lines. Empty output is not queued. With `recycle`, `data` is a view of `chunk`,
   * which is given back to `recycle` when the batch has been sent completely, or dropped before any sink saw
   * it (see PendingBatch.exposed).
   */
  pushLines(iteration: number, data: Buffer, metrics: number, chunk?: Buffer, recycle?: (chunk: Buffer) => void): void {
    if (data.length === 0 && metrics === 0) {
      if (chunk !== undefined) recycle?.(chunk);
      return;
    }
    const b = new PendingBatch(iteration, data, metrics, null);
    if (chunk !== undefined && recycle !== undefined) {
      if (data.buffer !== chunk.buffer) throw new RangeError('pushLines(): data is not a view of the chunk given with it');
      b.chunk = chunk;
      b.recycle = recycle;
    }
    this.add(b);
  }

  /**
   * Appends one iteration's HTTP request bodies. `bodies` are (start, end, points) triples into `data`
   * (FormatBuffer.requests); they are copied into one contiguous buffer so the batch owns its bytes.
   */
  pushRecords(iteration: number, data: Buffer, triples: Float64Array, count: number): void {
    if (count === 0) return;
    let size = 0;
    for (let i = 0; i < count; i++) size += (triples[3 * i + 1] as number) - (triples[3 * i] as number);
    const out = Buffer.allocUnsafe(size);
    const recs = new Float64Array(2 * count);
    let at = 0;
    let metrics = 0;
    for (let i = 0; i < count; i++) {
      const s = triples[3 * i] as number;
      const e = triples[3 * i + 1] as number;
      const p = triples[3 * i + 2] as number;
      at += data.copy(out, at, s, e);
      recs[2 * i] = at;
      recs[2 * i + 1] = p;
      metrics += p;
    }
    this.add(new PendingBatch(iteration, out, metrics, recs));
  }

  private add(b: PendingBatch): void {
    this.batches.push(b);
    this.pendingBytes += b.data.length;
    this.pendingMetrics += b.metrics;
    this.t.queuedBytes += b.data.length;
    this.t.queuedMetrics += b.metrics;
  }

  /**
   * The head batch's next `bytes` bytes were written completely (whole lines; the end of the data is
   * a boundary too). Returns the metrics they carried. Removes the batch when it is done.
   */
  takeLines(batch: PendingBatch, bytes: number): number {
    this.checkHead(batch);
    if (batch.records !== null) throw new RangeError('takeLines() on a batch of HTTP records; use takeRecord()');
    if (!(Number.isInteger(bytes) && bytes >= 0 && bytes <= batch.remainingBytes)) {
      throw new RangeError(`takeLines(): ${bytes} bytes is not within the ${batch.remainingBytes} remaining bytes`);
    }
    const end = batch.offset + bytes;
    const metrics = end >= batch.data.length ? batch.metrics : Math.min(batch.metrics, countLines(batch.data, batch.offset, end));
    this.consume(batch, bytes, metrics, true);
    return metrics;
  }

  /** The head batch's next record was delivered (sent = true) or refused for good (sent = false). */
  takeRecord(batch: PendingBatch, sent: boolean): number {
    this.checkHead(batch);
    const r = batch.records;
    if (r === null) throw new RangeError('takeRecord() on a batch of lines; use takeLines()');
    if (batch.recordIndex >= r.length / 2) throw new RangeError('takeRecord(): no record left in this batch');
    const end = r[2 * batch.recordIndex] as number;
    const points = Math.min(batch.metrics, r[2 * batch.recordIndex + 1] as number);
    batch.recordIndex++;
    this.consume(batch, end - batch.offset, points, sent);
    return points;
  }

  private consume(batch: PendingBatch, bytes: number, metrics: number, sent: boolean): void {
    batch.offset += bytes;
    batch.metrics -= metrics;
    this.pendingBytes -= bytes;
    this.pendingMetrics -= metrics;
    if (sent) {
      this.t.sentBytes += bytes;
      this.t.sentMetrics += metrics;
    } else {
      this.t.lostBytes += bytes;
      this.t.lostMetrics += metrics;
    }
    if (batch.done) {
      // Metrics a miscounted batch still carries (see the header comment) leave with it.
      if (batch.metrics !== 0) {
        this.pendingMetrics -= batch.metrics;
        if (sent) this.t.sentMetrics += batch.metrics;
        else this.t.lostMetrics += batch.metrics;
        batch.metrics = 0;
      }
      this.batches.shift();
      // Sent completely: the sink reports bytes only once they were written (accepted by the kernel, the
      // file, or copied), so nothing reads the chunk any more. A batch emptied by refused records was exposed.
      release(batch, sent || !batch.exposed);
    }
  }

  private checkHead(batch: PendingBatch): void {
    if (this.batches[0] !== batch) throw new RangeError('only the head batch of the queue can be consumed');
  }

  /** Throws everything away (SPEC §5.5 step 11); returns what was lost. */
  dropAll(): DropReport {
    const rep: DropReport = { metrics: this.pendingMetrics, bytes: this.pendingBytes, batches: this.batches.length };
    this.t.lostMetrics += rep.metrics;
    this.t.lostBytes += rep.bytes;
    for (const b of this.batches) release(b, !b.exposed);
    this.batches = [];
    this.pendingBytes = 0;
    this.pendingMetrics = 0;
    return rep;
  }

  /**
   * Bounds the queue to `maxBytes` (SPEC §7 row 12): drops the chunks of the oldest iterations first; if the
   * newest iteration alone is still too big (and `trimNewest`), drops its last chunks and cuts the last one
   * kept after its last whole unit (line or request) that fits, so what stays is the longest prefix of it
   * under the cap.
   */
  enforceCap(maxBytes: number, trimNewest = true): DropReport {
    const rep: DropReport = { metrics: 0, bytes: 0, batches: 0 };
    const newest = this.batches[this.batches.length - 1]?.iteration;
    while (this.pendingBytes > maxBytes && this.batches.length > 0 && (this.batches[0] as PendingBatch).iteration !== newest) {
      const b = this.batches.shift() as PendingBatch;
      this.loseRest(b, rep);
      release(b, !b.exposed);
      rep.batches++;
    }
    while (trimNewest && this.pendingBytes > maxBytes && this.batches.length > 0) {
      const tail = this.batches[this.batches.length - 1] as PendingBatch;
      const room = maxBytes - (this.pendingBytes - tail.remainingBytes);
      const keepTo = room > 0 ? cutPoint(tail, room) : tail.offset;
      if (keepTo <= tail.offset) {
        this.batches.pop();
        this.loseRest(tail, rep);
        release(tail, !tail.exposed);
        rep.batches++;
      } else {
        this.trim(tail, keepTo, rep);
      }
    }
    return rep;
  }

  private loseRest(b: PendingBatch, rep: DropReport): void {
    const bytes = b.remainingBytes;
    rep.bytes += bytes;
    rep.metrics += b.metrics;
    this.pendingBytes -= bytes;
    this.pendingMetrics -= b.metrics;
    this.t.lostBytes += bytes;
    this.t.lostMetrics += b.metrics;
  }

  /** Keeps data[offset, keepTo) of `b` (copied, so the dropped tail's memory is released). */
  private trim(b: PendingBatch, keepTo: number, rep: DropReport): void {
    let keptMetrics: number;
    let recs: Float64Array | null = null;
    if (b.records === null) {
      keptMetrics = Math.min(b.metrics, countLines(b.data, b.offset, keepTo));
    } else {
      const r = b.records;
      let n = b.recordIndex;
      keptMetrics = 0;
      while (n < r.length / 2 && (r[2 * n] as number) <= keepTo) {
        keptMetrics += r[2 * n + 1] as number;
        n++;
      }
      keptMetrics = Math.min(keptMetrics, b.metrics);
      recs = new Float64Array(2 * (n - b.recordIndex));
      for (let i = b.recordIndex; i < n; i++) {
        recs[2 * (i - b.recordIndex)] = (r[2 * i] as number) - b.offset;
        recs[2 * (i - b.recordIndex) + 1] = r[2 * i + 1] as number;
      }
    }
    const lostBytes = b.data.length - keepTo;
    const lostMetrics = b.metrics - keptMetrics;
    rep.bytes += lostBytes;
    rep.metrics += lostMetrics;
    this.pendingBytes -= lostBytes;
    this.pendingMetrics -= lostMetrics;
    this.t.lostBytes += lostBytes;
    this.t.lostMetrics += lostMetrics;
    b.data = Buffer.from(b.data.subarray(b.offset, keepTo));
    // The kept part is a copy now: the chunk itself can go back unless a sink may still read it.
    release(b, !b.exposed);
    b.exposed = false;
    b.offset = 0;
    b.recordIndex = 0;
    b.records = recs;
    b.metrics = keptMetrics;
  }

  /** Throws if the ledger does not balance (used by tests and, cheaply, after each iteration). */
  check(): void {
    let bytes = 0;
    let metrics = 0;
    for (const b of this.batches) {
      bytes += b.remainingBytes;
      metrics += b.metrics;
    }
    const t = this.t;
    const problems: string[] = [];
    if (bytes !== this.pendingBytes) problems.push(`pending bytes ${this.pendingBytes} != sum of batches ${bytes}`);
    if (metrics !== this.pendingMetrics) problems.push(`pending metrics ${this.pendingMetrics} != sum of batches ${metrics}`);
    if (t.queuedBytes !== t.sentBytes + t.lostBytes + this.pendingBytes) problems.push(`bytes: queued ${t.queuedBytes} != sent ${t.sentBytes} + lost ${t.lostBytes} + pending ${this.pendingBytes}`);
    if (t.queuedMetrics !== t.sentMetrics + t.lostMetrics + this.pendingMetrics) problems.push(`metrics: queued ${t.queuedMetrics} != sent ${t.sentMetrics} + lost ${t.lostMetrics} + pending ${this.pendingMetrics}`);
    if (problems.length > 0) throw new Error(`send queue ledger does not balance: ${problems.join('; ')}`);
  }
}

/** Gives a batch's chunk back to its pool when `safe`; either way the batch lets go of it. */
function release(b: PendingBatch, safe: boolean): void {
  const chunk = b.chunk;
  const recycle = b.recycle;
  b.chunk = null;
  b.recycle = null;
  if (safe && chunk !== null && recycle !== null) recycle(chunk);
}

/** The end of the last whole unit of `b` that fits in `maxBytes` counted from its offset. */
function cutPoint(b: PendingBatch, maxBytes: number): number {
  const limit = b.offset + maxBytes;
  if (b.records === null) {
    if (limit >= b.data.length) return b.data.length;
    const nl = limit > b.offset ? b.data.lastIndexOf(NL, limit - 1) : -1;
    return nl < b.offset ? b.offset : nl + 1;
  }
  const r = b.records;
  let keep = b.offset;
  for (let i = b.recordIndex; i < r.length / 2 && (r[2 * i] as number) <= limit; i++) keep = r[2 * i] as number;
  return keep;
}
