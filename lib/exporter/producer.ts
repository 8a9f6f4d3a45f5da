// What fills an instance's queue each iteration (SPEC §5.5 step 3). The loop (backend-instance.ts) does
// not know the wire format: a Producer walks the database for the window and queues its output, a Sink
// (sink.ts) delivers it. Implemented: LineProducer (graphite, OpenTSDB telnet/HTTP, JSON lines),
// KinesisProducer (JSON lines cut into records, kinesis-producer.ts) and RemoteWriteProducer (snappy
// WriteRequests as records, remote-write-producer.ts); producer-factory.ts picks one per type.
import { FormatBuffer } from '../formats/format-buffer';
import { LineFormatter } from '../formats/formatter';
import type { Kernel } from '../kernels/types';
import type { ExportChart, ExportDatabase, ExportHost } from './db-view';
import type { ChartFilter, HostFilter } from './filters';
import { formatPass } from './format-pass';
import type { SendQueue } from './send-queue';
import type { FormatOptions } from '../formats/options';
import type { ResolvedBackendOptions } from './config-options';
import { ExporterError } from './errors';
import { ChunkPool } from './chunk-pool';

export interface ProduceInput {
  db: ExportDatabase;
  hostFilter: HostFilter;
  chartFilter: ChartFilter;
  /** The name printed for localhost (`[backend] hostname`, SPEC §4). */
  localHostname: string;
  /** Host tags printed for localhost; null: the database's tags of localhost. */
  localTags: string | null;
  after: number;
  before: number;
  /** The iteration the queued output belongs to. */
  iteration: number;
  /** Wall clock at formatting (ms): the timestamp of remote write's host-info series (SPEC §4.6). */
  nowMs: number;
  queue: SendQueue;
  /** Called after every push to the queue (the instance applies the byte cap there). */
  queued: () => void;
  sliceMs: number;
  onChartError?: (host: ExportHost, chart: ExportChart, err: unknown) => void;
  /** Host tags the line format leaves out (see FormatPassInput.onDroppedTags). */
  onDroppedTags?: (hostname: string, tags: readonly string[]) => void;
  /** True when the pass must stop (shutdown). */
  aborted: () => boolean;
}

export interface ProduceResult {
  hosts: number;
  charts: number;
  /** Wall time of the pass, its longest synchronous slice (ms), and the number of slices. */
  totalMs: number;
  longestSliceMs: number;
  slices: number;
  /** Stopped by `aborted()`: what was queued stays queued; nothing else was. */
  aborted: boolean;
}

export interface Producer {
  produce(input: ProduceInput): Promise<ProduceResult>;
}

/** Formatter options of an instance (SPEC §4). */
export function formatOptionsOf(o: ResolvedBackendOptions): FormatOptions {
  if (o.protocol === 'prometheus-remote-write') {
    throw new ExporterError('ERR_EXPORTER_UNSUPPORTED', `type '${o.type}' has no line format (it is encoded by RemoteWriteProducer)`);
  }
  // SPEC §4.5: the payload of kinesis is exactly the JSON lines of §4.4.
  if (o.protocol === 'kinesis') return { format: 'json', source: o.dataSource, prefix: o.prefix, sendNames: o.sendNames };
  const base = { format: o.protocol, source: o.dataSource, prefix: o.prefix, sendNames: o.sendNames };
  if (o.protocol !== 'opentsdb-http') return base;
  // Batched JSON arrays (SPEC §7 row 9 fix) of `opentsdb http batch size` points and at most `opentsdb http
  // max body bytes` each, host tags as separate tag keys; the HTTP client frames them (Host = destination).
  return { ...base, http: { mode: 'batch', maxPoints: o.opentsdbHttpBatchSize, maxBytes: o.opentsdbHttpMaxBodyBytes, framing: 'body' } };
}

/** Chunks of a few MiB: small enough to allocate without long pauses, large enough for few writes. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Beyond this the pool keeps nothing more (a database whose one pass is larger allocates the rest). */
const MAX_POOL_BYTES = 512 * 1024 * 1024;

/** The line formats: one kernel call per chart into a FormatBuffer, queued in chunks of whole charts. */
export class LineProducer implements Producer {
  private readonly formatter: LineFormatter;
  protected readonly out = new FormatBuffer();
  /** Chunks handed to the queue come back here once sent (or dropped unseen) and are reused (issue 7). */
  readonly pool: ChunkPool;
  private readonly recycle = (chunk: Buffer): void => this.pool.give(chunk);

  constructor(options: ResolvedBackendOptions, private readonly chunkBytes: number = DEFAULT_CHUNK_BYTES, kernel?: Kernel) {
    this.formatter = new LineFormatter(formatOptionsOf(options), kernel);
    // What waits in the pool is bounded like the queue: never more than `buffer max bytes`.
    this.pool = new ChunkPool(Math.min(options.bufferMaxBytes, MAX_POOL_BYTES));
  }

  async produce(p: ProduceInput): Promise<ProduceResult> {
    this.out.clear();
    const r = await formatPass({
      db: p.db,
      formatter: this.formatter,
      hostFilter: p.hostFilter,
      chartFilter: p.chartFilter,
      localHostname: p.localHostname,
      localTags: p.localTags,
      after: p.after,
      before: p.before,
      out: this.out,
      sliceMs: p.sliceMs,
      chunkBytes: this.chunkBytes,
      onChunk: (metrics) => {
        this.enqueue(p.queue, p.iteration, metrics);
        p.queued();
      },
      onChartError: p.onChartError,
      onDroppedTags: p.onDroppedTags,
      aborted: p.aborted,
    });
    this.out.clear();
    this.pool.endRound();
    return { hosts: r.hosts, charts: r.charts, totalMs: r.totalMs, longestSliceMs: r.longestSliceMs, slices: r.slices, aborted: r.aborted };
  }

  /** Moves the format buffer's content into the queue. */
  protected enqueue(queue: SendQueue, it: number, metrics: number): void {
    const out = this.out;
    if (out.requestCount > 0) {
      queue.pushRecords(it, out.buf, out.requests, out.requestCount);
      out.clear();
      return;
    }
    const len = out.length;
    if (len === 0 && metrics === 0) return;
    // A small chunk (or one that fills less than half its buffer) is copied; a large one hands over its buffer (no copy) and the format buffer takes
    // another of the same size from the pool, so it does not grow again. The queue gives the chunk back to
    // the pool when it has been sent.
    if (len < 64 * 1024 || len * 2 < out.buf.length) {
      const data = Buffer.from(out.buf.subarray(0, len));
      out.clear();
      queue.pushLines(it, data, metrics);
    } else {
      const chunk = out.buf;
      out.buf = this.pool.take(chunk.length);
      out.clear();
      queue.pushLines(it, chunk.subarray(0, len), metrics, chunk, this.recycle);
    }
  }
}
