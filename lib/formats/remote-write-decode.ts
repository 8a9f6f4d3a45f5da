// Decoding of remote-write bodies (snappy block → WriteRequest), for diagnostics, fake receivers in tests
// and anyone who wants to look at what is sent. Strict: wrong wire types and trailing garbage are errors.
import { ProtobufError, readFields, WIRE_FIXED64, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './protobuf';
import { RemoteWriteError } from './remote-write-errors';
import { snappyUncompress } from './snappy';

export interface DecodedSample {
  value: number;
  timestampMs: number;
}

export interface DecodedSeries {
  /** Label pairs in wire order. */
  labels: Array<[string, string]>;
  samples: DecodedSample[];
}

function fail(why: string): RemoteWriteError {
  return new RemoteWriteError('ERR_REMOTE_WRITE_DECODE', `not a valid WriteRequest: ${why}`);
}

function expect(wireType: number, want: number, what: string): void {
  if (wireType !== want) throw fail(`${what} has wire type ${wireType}, expected ${want}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function str(b: Buffer, what: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw fail(`${what} is not valid UTF-8`);
  }
}

/** Decodes a serialized (uncompressed) WriteRequest. */
export function decodeWriteRequest(buf: Buffer): DecodedSeries[] {
  try {
    const out: DecodedSeries[] = [];
    for (const f of readFields(buf)) {
      if (f.field !== 1) throw fail(`unknown WriteRequest field ${f.field}`);
      expect(f.wireType, WIRE_LENGTH_DELIMITED, 'WriteRequest.timeseries');
      const s: DecodedSeries = { labels: [], samples: [] };
      for (const g of readFields(f.bytes)) {
        expect(g.wireType, WIRE_LENGTH_DELIMITED, `TimeSeries field ${g.field}`);
        if (g.field === 1) {
          let name = '';
          let value = '';
          for (const h of readFields(g.bytes)) {
            expect(h.wireType, WIRE_LENGTH_DELIMITED, `Label field ${h.field}`);
            if (h.field === 1) name = str(h.bytes, 'a label name');
            else if (h.field === 2) value = str(h.bytes, 'a label value');
            else throw fail(`unknown Label field ${h.field}`);
          }
          s.labels.push([name, value]);
        } else if (g.field === 2) {
          const smp: DecodedSample = { value: 0, timestampMs: 0 };
          for (const h of readFields(g.bytes)) {
            if (h.field === 1) {
              expect(h.wireType, WIRE_FIXED64, 'Sample.value');
              smp.value = h.value;
            } else if (h.field === 2) {
              expect(h.wireType, WIRE_VARINT, 'Sample.timestamp');
              smp.timestampMs = h.value;
            } else {
              throw fail(`unknown Sample field ${h.field}`);
            }
          }
          s.samples.push(smp);
        } else {
          throw fail(`unknown TimeSeries field ${g.field}`);
        }
      }
      out.push(s);
    }
    return out;
  } catch (err) {
    if (err instanceof ProtobufError) throw fail(err.message);
    throw err;
  }
}

/** Decodes a remote-write HTTP body: a raw snappy block holding a WriteRequest. */
export function decodeRemoteWriteBody(body: Uint8Array, maxUncompressed?: number): DecodedSeries[] {
  return decodeWriteRequest(snappyUncompress(body, maxUncompressed));
}
