// The transport layer: moves bytes to backends (SPEC §5.9-5.13). Knows nothing of charts or formats.
export * from './errors';
export * from './destination';
export * from './services';
export * from './system-ca';
export * from './tls-options';
export * from './connector';
export * from './response-discarder';
export * from './line-sender';
export * from './datagram-sender';
export * from './line-transport';
export * from './http-client';
