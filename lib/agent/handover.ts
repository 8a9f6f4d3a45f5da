// Moving an instance's unsent data to its replacement when the configuration is reloaded (SIGHUP), so a
// reload loses nothing that was buffered for a destination that is down. It uses only the public parts
// of the exporter: the Producer hook (which sees the instance's SendQueue every iteration) and the
// queue's own take/push methods, which keep both ledgers balanced (lib/exporter/send-queue.ts).
//
// Timing: the old instance's queue may only be touched between its iterations. The agent takes it from
// inside the instance's 'iteration' event (the sink is done with the queue then) and stops the instance
// right after, so the old instance's final flush finds an empty queue. The new instance pushes the data in
// front of its own first iteration's output: it is sent first, in its original order.
import type { ProduceInput, ProduceResult, Producer } from '../exporter/producer';
import type { SendQueue } from '../exporter/send-queue';

/** One queued chunk lifted out of a queue: lines (records null) or HTTP bodies with their points. */
export interface HandedBatch {
  iteration: number;
  data: Buffer;
  metrics: number;
  /** Triples (start, end, points) into `data`, as SendQueue.pushRecords takes them; null for lines. */
  records: Float64Array | null;
  recordCount: number;
}

/** Empties `queue` (whole batches, oldest first) into a list that pushInto() can queue again. */
export function takeAll(queue: SendQueue): HandedBatch[] {
  const out: HandedBatch[] = [];
  for (let b = queue.head; b !== null; b = queue.head) {
    if (b.records === null) {
      const data = Buffer.from(b.remaining());
      const metrics = queue.takeLines(b, data.length);
      out.push({ iteration: b.iteration, data, metrics, records: null, recordCount: 0 });
      continue;
    }
    const parts: Buffer[] = [];
    const triples: number[] = [];
    let at = 0;
    let metrics = 0;
    for (let r = b.nextRecord(); r !== null; r = b.nextRecord()) {
      const body = Buffer.from(r.body);
      const points = queue.takeRecord(b, true);
      parts.push(body);
      triples.push(at, at + body.length, points);
      at += body.length;
      metrics += points;
    }
    out.push({ iteration: b.iteration, data: Buffer.concat(parts), metrics, records: Float64Array.from(triples), recordCount: triples.length / 3 });
  }
  return out;
}

/** Queues handed batches again, in order. */
export function pushInto(queue: SendQueue, batches: readonly HandedBatch[]): void {
  for (const b of batches) {
    if (b.records === null) queue.pushLines(b.iteration, b.data, b.metrics);
    else queue.pushRecords(b.iteration, b.data, b.records, b.recordCount);
  }
}

export function handedTotals(batches: readonly HandedBatch[]): { metrics: number; bytes: number } {
  let metrics = 0;
  let bytes = 0;
  for (const b of batches) {
    metrics += b.metrics;
    bytes += b.data.length;
  }
  return { metrics, bytes };
}

/**
 * Wraps an instance's producer: remembers the instance's queue, and queues data handed over from a
 * replaced instance ahead of the first output it produces.
 */
export class HandoverProducer implements Producer {
  private seen: SendQueue | null = null;
  private incoming: HandedBatch[] = [];

  constructor(private readonly inner: Producer) {}

  /** The instance's queue (null before its first iteration, when nothing can be queued yet). */
  get queue(): SendQueue | null {
    return this.seen;
  }

  /** Data waiting to enter the queue at the next iteration. */
  get waiting(): { metrics: number; bytes: number } {
    return handedTotals(this.incoming);
  }

  /** Hands data over; it is queued at the start of the next iteration. */
  give(batches: readonly HandedBatch[]): void {
    this.incoming.push(...batches);
  }

  /** Takes everything the instance has queued (call only between its iterations). */
  takeQueued(): HandedBatch[] {
    return this.seen === null ? [] : takeAll(this.seen);
  }

  async produce(input: ProduceInput): Promise<ProduceResult> {
    this.seen = input.queue;
    if (this.incoming.length > 0) {
      const batches = this.incoming;
      this.incoming = [];
      pushInto(input.queue, batches);
      input.queued();
    }
    return this.inner.produce(input);
  }
}
