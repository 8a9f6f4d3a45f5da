// The exporter (SPEC §5): backend instances, the multi-instance Exporter, their events and counters.
// Configuration (lib/exporter/config.ts) and the heartbeat are exported by their own modules.
export { BackendInstance } from './backend-instance';
export type {
  InstanceDatabase, InstanceDependencies, InstanceEvents, SentEvent, FailedEvent, LostEvent, LossReason,
  ReconnectedEvent, StopReport,
} from './backend-instance';
export { Exporter } from './exporter';
export type { ExporterEvents } from './exporter';
export type { IterationCounters, TotalCounters } from './counters';
export { ExporterError } from './errors';
export type { ExporterErrorCode } from './errors';
export { stderrLogger, filterLogger, LOG_LEVELS } from './logger';
export type { Logger, LogLevel } from './logger';
export { MONITORING_CHARTS, monitoringChartId } from './monitoring';
export type { MonitoringChartDef } from './monitoring';
export { SendQueue, PendingBatch } from './send-queue';
export type { Sink, FlushResult, SinkIoCounters } from './sink';
export { LineSink } from './line-sink';
export { HttpSink, OPENTSDB_PUT_PATH } from './http-sink';
export { LineProducer, DEFAULT_CHUNK_BYTES } from './producer';
export type { Producer, ProduceInput, ProduceResult } from './producer';
export { createProducer } from './producer-factory';
// Prometheus remote write (SPEC §4.6, §5.13) and AWS Kinesis (SPEC §4.5, §5.14).
export { RemoteWriteProducer } from './remote-write-producer';
export { RemoteWriteSink, createRemoteWriteSink, remoteWriteEncoderFor, REMOTE_WRITE_SINK_NAME } from './sinks/remote-write';
export type { RemoteWritePoster, RemoteWriteSinkOptions, SinkFactoryDeps } from './sinks/remote-write';
export { remoteWritePass } from './sinks/remote-write-pass';
export type { RemoteWritePassInput, RemoteWritePassResult, RemoteWritePassHost, RemoteWritePassChart } from './sinks/remote-write-pass';
export { KinesisProducer } from './kinesis-producer';
export { KinesisSink, createKinesisSink, queueKinesisLines, KINESIS_SINK_NAME } from './sinks/kinesis';
export type { KinesisPutter, KinesisSinkOptions, KinesisPartitionKeyScheme } from './sinks/kinesis';
