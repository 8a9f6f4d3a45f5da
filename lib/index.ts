// Public entry point of rrd-backends.
export { kernel, implementation, nativeLoadError, getKernel } from './kernels';
export * from './kernels/types';
export * from './exporter';
export {
  loadBackendConfig, loadBackendConfigSync, parseBackendConfig, findInstance, loadKinesisCredentials, parseKinesisConf,
  resolveBackendOptions, ConfigError, Secret, BACKEND_DEFAULTS, BACKEND_TYPES,
} from './exporter/config';
export type {
  BackendConfig, BackendOptions, ResolvedBackendOptions, ConfigWarning, ConfigErrorCode, ConfigWarningCode, KinesisCredentials,
  HttpHeader, BackendType, BackendProtocol, LoadConfigOptions, ParseConfigOptions,
} from './exporter/config';
export { SimplePattern } from './formats/simple-pattern';
export { RemoteWriteEncoder } from './formats/remote-write';
export type { RemoteWriteOptions, RemoteWriteBatch, RemoteWriteSource } from './formats/remote-write';
export { decodeRemoteWriteBody, decodeWriteRequest } from './formats/remote-write-decode';
export type { DecodedSeries, DecodedSample } from './formats/remote-write-decode';
export { RemoteWriteError } from './formats/remote-write-errors';
export { splitKinesisRecords } from './formats/kinesis-records';
export { RemoteWriteClient, nextBackoffMs } from './transport/remote-write-client';
export type { RemoteWriteClientOptions } from './transport/remote-write-client';
export { KinesisClient } from './transport/kinesis-client';
export type { KinesisClientOptions, KinesisPutResult } from './transport/kinesis-client';
export { HostFilter as HostPatternFilter, ChartFilter as ChartPatternFilter } from './formats/simple-pattern-filters';
// The database and collection API an embedding agent writes its charts with (SPEC §1), and the agent
// pieces the command is built from (file destination, HTTP endpoint/dashboard, /proc collector).
export * from './rrd';
export { Agent } from './agent/agent';
export type { AgentOptions, AgentStatus } from './agent/agent';
export { SystemCollector } from './agent/system-collector';
export { FileSink } from './exporter/sinks/file';
export { parseFileDestination, RotatingFileWriter } from './transport/file-destination';
export type { FileDestination } from './transport/file-destination';
export { AgentHttpServer } from './http/server';
export { AllmetricsEndpoint } from './http/allmetrics';
