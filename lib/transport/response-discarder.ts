// Reading and discarding what a text backend sends back (SPEC §5.9).
//
// The reference reads everything available each iteration, counts bytes and read calls, then logs one line
// with a sample and throws the data away. Node delivers the data as 'data' events instead of a recv() loop,
// so one 'data' event counts as one read operation (`receptions`). Only the first 1023 bytes are kept for
// the sample, so a chatty backend cannot grow memory (the reference grew its buffer by 4 KiB per read).

/** SPEC §5.9: at most 1023 characters of the received text go into the sample. */
export const SAMPLE_MAX = 1023;

export interface ResponseReport {
  /** Bytes received since the previous report (`received_bytes`). */
  bytes: number;
  /** Read operations since the previous report (`receptions`). */
  reads: number;
  /** The sample of SPEC §5.9, or '' when nothing was received. */
  sample: string;
}

/**
 * The reference's sample: the first bytes up to 1023, cut at the first NUL, every byte that C-locale
 * isprint() rejects (anything outside 0x20-0x7E) replaced by a space.
 */
export function responseSample(head: Buffer): string {
  let end = Math.min(head.length, SAMPLE_MAX);
  const nul = head.indexOf(0);
  if (nul >= 0 && nul < end) end = nul;
  let out = '';
  for (let i = 0; i < end; i++) {
    const c = head[i]!;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : ' ';
  }
  return out;
}

/** The log line of SPEC §5.9 for `name` (graphite, opentsdb, json, ...). */
export function responseLogLine(name: string, bytes: number, sample: string): string {
  return `BACKEND: received ${bytes} bytes from ${name} backend. Ignoring them. Sample: '${sample}'`;
}

export class ResponseDiscarder {
  private bytes = 0;
  private reads = 0;
  private readonly head = Buffer.alloc(SAMPLE_MAX);
  private headLength = 0;

  /** Counts one read operation of `data`. */
  add(data: Buffer): void {
    this.bytes += data.length;
    this.reads++;
    if (this.headLength < SAMPLE_MAX) this.headLength += data.copy(this.head, this.headLength, 0, SAMPLE_MAX - this.headLength);
  }

  /** Returns what arrived since the last call and forgets it. */
  take(): ResponseReport {
    const report = { bytes: this.bytes, reads: this.reads, sample: this.bytes > 0 ? responseSample(this.head.subarray(0, this.headLength)) : '' };
    this.bytes = 0;
    this.reads = 0;
    this.headLength = 0;
    return report;
  }
}
