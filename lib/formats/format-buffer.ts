// The reusable output of one exporter instance: a growable Buffer plus, for OpenTSDB HTTP, the list of
// complete requests (start, end, points) and the state of the batched request still being filled.
import type { HostSegments } from './host-format';

export class FormatBuffer {
  buf: Buffer;
  /** Bytes in use. */
  length = 0;
  /** Triples (start, end, points) of complete HTTP requests; `requestCount` of them are valid. */
  requests: Float64Array;
  requestCount = 0;
  /** Batched HTTP: body start, points and body bytes of the open request (openPoints 0 = none open). */
  openStart = 0;
  openPoints = 0;
  openBytes = 0;
  /** Batched HTTP: whose request head (Host header) the open request gets when it is closed. */
  openHead: HostSegments | null = null;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
    this.requests = new Float64Array(3 * 64);
  }

  /** Makes room for `extra` more bytes after `length`, keeping the contents. */
  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  /**
   * Makes the buffer at least `bytes` long in one step (keeping the contents). The exporter reserves its
   * chunk size plus a margin, so the buffer does not double past the chunk size: every chunk handed over
   * is then about chunk-sized, not twice that (issue 7: less external memory, fewer full GCs).
   */
  reserve(bytes: number): void {
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`reserve(${bytes}): a byte count is accepted`);
    if (bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(bytes);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  growRequests(): void {
    const next = new Float64Array(this.requests.length * 2);
    next.set(this.requests);
    this.requests = next;
  }

  addRequest(start: number, end: number, points: number): void {
    if ((this.requestCount + 1) * 3 > this.requests.length) this.growRequests();
    const r = this.requestCount * 3;
    this.requests[r] = start;
    this.requests[r + 1] = end;
    this.requests[r + 2] = points;
    this.requestCount++;
  }

  /** The i-th complete request. */
  request(i: number): { start: number; end: number; points: number } {
    if (!(i >= 0 && i < this.requestCount)) throw new RangeError(`request index ${i} out of range 0..${this.requestCount - 1}`);
    const r = i * 3;
    return { start: this.requests[r] as number, end: this.requests[r + 1] as number, points: this.requests[r + 2] as number };
  }

  /** The bytes in use (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
    this.requestCount = 0;
    this.openPoints = 0;
    this.openBytes = 0;
    this.openStart = 0;
    this.openHead = null;
  }
}
