// A deliberately tiny, independent Prometheus remote-write encoder for the receiver smoke tests:
// protobuf WriteRequest (SPEC §4.6 schema) + a snappy block of literals only. It exists so the
// receivers can be proven before (and independently of) lib/formats' remote-write writer; it is not
// a second implementation to keep in step with it.

export interface RwSample {
  value: number;
  /** Milliseconds since the epoch. */
  timestampMs: number;
}

export interface RwSeries {
  /** Label pairs in the order they are to be written (include `__name__`). */
  labels: Array<[string, string]>;
  samples: RwSample[];
}

function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

const key = (field: number, wireType: number): Buffer => varint((field << 3) | wireType);
const lengthDelimited = (field: number, body: Buffer): Buffer => Buffer.concat([key(field, 2), varint(body.length), body]);

/** WriteRequest{1: TimeSeries{1: Label{1 name, 2 value}, 2: Sample{1 double value, 2 int64 timestamp}}} */
export function encodeWriteRequest(series: RwSeries[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of series) {
    const ts: Buffer[] = [];
    for (const [name, value] of s.labels) {
      ts.push(lengthDelimited(1, Buffer.concat([lengthDelimited(1, Buffer.from(name)), lengthDelimited(2, Buffer.from(value))])));
    }
    for (const smp of s.samples) {
      const d = Buffer.alloc(8);
      d.writeDoubleLE(smp.value);
      ts.push(lengthDelimited(2, Buffer.concat([key(1, 1), d, key(2, 0), varint(smp.timestampMs)])));
    }
    parts.push(lengthDelimited(1, Buffer.concat(ts)));
  }
  return Buffer.concat(parts);
}

/**
 * Snappy block format with literal elements only (valid, just not compressed): the uncompressed
 * length as a varint, then literals of at most 65536 bytes, tagged `61 << 2` + 2-byte LE (len - 1).
 */
export function snappyLiteralBlock(data: Buffer): Buffer {
  const parts: Buffer[] = [varint(data.length)];
  for (let off = 0; off < data.length; off += 65536) {
    const chunk = data.subarray(off, Math.min(off + 65536, data.length));
    const tag = Buffer.alloc(3);
    tag[0] = 61 << 2;
    tag.writeUInt16LE(chunk.length - 1, 1);
    parts.push(tag, chunk);
  }
  return Buffer.concat(parts);
}

/** Body and headers of a remote-write POST as Prometheus' own client sends them. */
export function remoteWriteRequest(series: RwSeries[]): { body: Buffer; headers: Record<string, string> } {
  const body = snappyLiteralBlock(encodeWriteRequest(series));
  return {
    body,
    headers: {
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'Content-Length': String(body.length),
    },
  };
}
