// The Producer of an instance, chosen by its type (SPEC §5.3 type table): the line formats through
// LineProducer, `kinesis` through KinesisProducer (JSON lines cut into records, SPEC §4.5), and
// `prometheus_remote_write` through RemoteWriteProducer (WriteRequests, SPEC §4.6).
import type { Kernel } from '../kernels/types';
import type { ResolvedBackendOptions } from './config-options';
import { KinesisProducer } from './kinesis-producer';
import { DEFAULT_CHUNK_BYTES, LineProducer, Producer } from './producer';
import { RemoteWriteProducer } from './remote-write-producer';

export function createProducer(o: ResolvedBackendOptions, chunkBytes: number = DEFAULT_CHUNK_BYTES, kernel?: Kernel): Producer {
  if (o.protocol === 'prometheus-remote-write') return new RemoteWriteProducer(o, kernel);
  if (o.protocol === 'kinesis') return new KinesisProducer(o, chunkBytes, kernel);
  return new LineProducer(o, chunkBytes, kernel);
}
