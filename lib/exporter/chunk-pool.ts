// Reuse of the output chunks an instance queues every iteration (issue 7).
//
// A pass over a large database queues tens of MiB in chunks of a few MiB. Allocating them fresh every
// iteration costs a page fault per 4 KiB on first touch, an munmap when they are collected, and V8
// garbage collections triggered by the external-memory pressure: at a million dimensions that was about
// half of the pass (W1 graphite average: ~130 ns per dimension with fresh chunks, ~80 with reused ones).
// The reference keeps its one output buffer between iterations for the same reason.
//
// The pool only takes back a chunk that no I/O can still read: SendQueue gives a chunk back when it was
// sent completely (the bytes were accepted by the kernel, written to the file, or copied out) or when it is
// dropped without ever having been handed to a sink (PendingBatch.exposed). A chunk dropped while a sink
// may still hold a view of it is left to the garbage collector.
//
// Memory: the pool holds at most what the previous iteration took from it (plus what it holds now is
// never more than `maxBytes`), so a database that shrinks gives its memory back within two iterations.

export interface ChunkPoolStats {
  /** Chunks handed out that were reused / newly allocated (lifetime). */
  reused: number;
  allocated: number;
  /** Chunks and bytes waiting in the pool now. */
  freeChunks: number;
  freeBytes: number;
}

export class ChunkPool {
  private free: Buffer[] = [];
  private freeBytes = 0;
  private takenThisRound = 0;
  private limit: number;
  private reused = 0;
  private allocated = 0;

  /** @param maxBytes never more than this many bytes wait in the pool */
  constructor(private readonly maxBytes: number) {
    if (!(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) throw new RangeError(`ChunkPool maxBytes = ${String(maxBytes)}: a byte count is accepted`);
    this.limit = maxBytes;
  }

  /** A buffer of at least `size` bytes (contents undefined). */
  take(size: number): Buffer {
    // Chunks are nearly always of one size; a buffer up to twice the request is good enough.
    for (let i = this.free.length - 1; i >= 0; i--) {
      const b = this.free[i] as Buffer;
      if (b.length >= size && b.length <= 2 * size) {
        this.free[i] = this.free[this.free.length - 1] as Buffer;
        this.free.pop();
        this.freeBytes -= b.length;
        this.takenThisRound += b.length;
        this.reused++;
        return b;
      }
    }
    this.allocated++;
    this.takenThisRound += size;
    return Buffer.allocUnsafe(size);
  }

  /** Takes back a whole chunk (not a view into one) that nothing reads any more. */
  give(buf: Buffer): void {
    if (buf.byteOffset !== 0 || buf.length !== buf.buffer.byteLength) return; // a view: its memory is shared
    if (this.freeBytes + buf.length > this.limit) return;
    this.free.push(buf);
    this.freeBytes += buf.length;
  }

  /**
   * An iteration ended: from now on the pool keeps no more than the iteration took (so it adapts to the
   * database), and gives back what it holds beyond that.
   */
  endRound(): void {
    this.limit = Math.min(this.maxBytes, this.takenThisRound);
    this.takenThisRound = 0;
    while (this.freeBytes > this.limit && this.free.length > 0) this.freeBytes -= (this.free.pop() as Buffer).length;
  }

  get stats(): ChunkPoolStats {
    return { reused: this.reused, allocated: this.allocated, freeChunks: this.free.length, freeBytes: this.freeBytes };
  }
}
