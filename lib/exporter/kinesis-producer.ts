// What fills the queue of a `kinesis` instance (SPEC §4.5, §5.14; fix of §7 row 8): the JSON lines of §4.4,
// formatted by the same pass as every line format (format-pass.ts, through LineProducer), then cut into
// Kinesis records AFTER a newline (queueKinesisLines) instead of queued as one stream of lines. A chunk of
// the pass (whole charts) is cut on its own, so no record spans two chunks; records stay whole lines.
import { KINESIS_DEFAULT_RECORD_DATA_BYTES } from '../formats/kinesis-records';
import type { Kernel } from '../kernels/types';
import type { ResolvedBackendOptions } from './config-options';
import { ExporterError } from './errors';
import { DEFAULT_CHUNK_BYTES, LineProducer } from './producer';
import type { SendQueue } from './send-queue';
import { queueKinesisLines } from './sinks/kinesis';

export class KinesisProducer extends LineProducer {
  /** Lines longer than a record (each queued alone; the sink drops and counts them). */
  oversizeLines = 0;

  /**
   * @param maxRecordBytes data bytes per record; must equal the sink's (KinesisSink maxRecordBytes), both
   *   default to 1 MiB less the longest partition key
   */
  constructor(options: ResolvedBackendOptions, chunkBytes: number = DEFAULT_CHUNK_BYTES, kernel?: Kernel, private readonly maxRecordBytes: number = KINESIS_DEFAULT_RECORD_DATA_BYTES) {
    if (options.protocol !== 'kinesis') {
      throw new ExporterError('ERR_EXPORTER_OPTION', `KinesisProducer: type '${options.type}' is not accepted; accepted: kinesis, kinesis:plaintext`);
    }
    super(options, chunkBytes, kernel);
  }

  protected override enqueue(queue: SendQueue, it: number, metrics: number): void {
    const out = this.out;
    const len = out.length;
    if (len === 0 && metrics === 0) return;
    // pushRecords() copies the records into the queue's own buffer, so the view can be reused at once.
    const r = queueKinesisLines(queue, it, out.buf.subarray(0, len), this.maxRecordBytes);
    this.oversizeLines += r.oversizeLines;
    out.clear();
  }
}
