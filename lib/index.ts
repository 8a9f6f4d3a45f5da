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
export { HostFilter as HostPatternFilter, ChartFilter as ChartPatternFilter } from './formats/simple-pattern-filters';
