// Kinesis record framing of the JSON lines (SPEC §4.5, §5.14; fix of §7 row 8): one iteration's lines are
// cut into records of at most `maxRecordBytes`, always AFTER a newline, so every record holds whole lines
// and ends with its '\n'. The reference cut BEFORE the newline (each record but the first began with the
// previous line's '\n'), looped forever on a line longer than the limit, and used `<` where the limit is
// inclusive. A single line longer than the limit is put in a record of its own, which the sink drops and
// counts as lost: Kinesis would refuse it, and cutting a JSON line would only send garbage.

/** Kinesis PutRecords limits: data + partition key per record, records and bytes per call. */
export const KINESIS_RECORD_MAX_BYTES = 1024 * 1024;
export const KINESIS_PARTITION_KEY_MAX_CHARS = 256;
export const KINESIS_PUT_MAX_RECORDS = 500;
export const KINESIS_PUT_MAX_BYTES = 5 * 1024 * 1024;
/** Default data bytes per record: the record limit less the longest partition key. */
export const KINESIS_DEFAULT_RECORD_DATA_BYTES = KINESIS_RECORD_MAX_BYTES - KINESIS_PARTITION_KEY_MAX_CHARS * 4;

export interface KinesisRecordLayout {
  /** Triples (start, end, lines) into the data: the layout SendQueue.pushRecords takes. */
  readonly records: Float64Array;
  readonly count: number;
  /** Lines longer than the limit (each alone in a record, to be dropped by the sink). */
  readonly oversizeLines: number;
}

const NL = 0x0a;

/**
 * Cuts `data` (JSON lines) into records of at most `maxRecordBytes` bytes, each ending after a newline.
 * A trailing piece without a newline counts as one line. Runs in O(lines).
 */
export function splitKinesisRecords(data: Uint8Array, maxRecordBytes: number = KINESIS_DEFAULT_RECORD_DATA_BYTES): KinesisRecordLayout {
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 1 || maxRecordBytes > KINESIS_RECORD_MAX_BYTES) {
    throw new RangeError(`maxRecordBytes = ${String(maxRecordBytes)} is not accepted; accepted: an integer from 1 to ${KINESIS_RECORD_MAX_BYTES}`);
  }
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: number[] = [];
  let oversize = 0;
  let recStart = 0;
  let recLines = 0;
  let pos = 0;
  const close = (end: number): void => {
    if (recLines > 0) out.push(recStart, end, recLines);
  };
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    const lineEnd = nl < 0 ? buf.length : nl + 1;
    if (lineEnd - recStart <= maxRecordBytes) {
      recLines++;
    } else {
      close(pos);
      if (lineEnd - pos > maxRecordBytes) {
        out.push(pos, lineEnd, 1);
        oversize++;
        recStart = lineEnd;
        recLines = 0;
      } else {
        recStart = pos;
        recLines = 1;
      }
    }
    pos = lineEnd;
  }
  close(pos);
  return { records: Float64Array.from(out), count: out.length / 3, oversizeLines: oversize };
}
