// The sink that carries an instance's output, chosen by its type (SPEC §5.3 type table; §7 rows 9-11 fixes).
import type { HostLookup } from '../transport/connector';
import { HttpClient } from '../transport/http-client';
import { LineTransport } from '../transport/line-transport';
import type { TlsClientOptions } from '../transport/tls-options';
import type { ResolvedBackendOptions } from './config-options';
import { HttpSink } from './http-sink';
import { LineSink } from './line-sink';
import type { Logger } from './logger';
import type { Sink, SinkEvents } from './sink';
import { createKinesisSink } from './sinks/kinesis';
import { createRemoteWriteSink } from './sinks/remote-write';

export interface SinkContext {
  log: Logger;
  /** `BACKEND:` or `BACKEND[NAME]:`. */
  logPrefix: string;
  events: SinkEvents;
  lookup?: HostLookup;
  /** Extra trusted CA certificates (PEM), combined with `tls ca file`. */
  tlsCa?: string | Buffer;
}

/**
 * The sink of an instance: OpenTSDB HTTP/HTTPS through the HTTP client, Prometheus remote write through
 * the remote-write client (SPEC §5.13), Kinesis through the AWS SDK (SPEC §5.14), every other line protocol
 * through a LineTransport (tcp, udp, unix; TLS for the `:https` types). Validates destinations and TLS
 * files now, so a misconfiguration fails start() instead of every iteration.
 */
export async function createSink(o: ResolvedBackendOptions, ctx: SinkContext): Promise<Sink> {
  const tls: TlsClientOptions | null = o.tls
    ? { verify: o.tlsVerify, caFile: o.tlsCaFile, serverName: o.tlsServerName, ...(ctx.tlsCa !== undefined ? { ca: ctx.tlsCa } : {}) }
    : null;
  const logger = (level: 'debug' | 'info' | 'warn' | 'error', message: string): void => ctx.log(level, message);
  if (o.protocol === 'opentsdb-http') {
    const client = await HttpClient.create({ destinations: o.destination, defaultPort: o.defaultPort, timeoutMs: o.timeoutMs, tls, logger });
    return new HttpSink(client, o.logName, o.destination, ctx.log, ctx.logPrefix, ctx.events);
  }
  if (o.protocol === 'prometheus-remote-write') {
    return createRemoteWriteSink(o, { log: ctx.log, logPrefix: ctx.logPrefix, events: ctx.events, tlsCa: ctx.tlsCa });
  }
  if (o.protocol === 'kinesis') {
    return createKinesisSink(o, { log: ctx.log, logPrefix: ctx.logPrefix, events: ctx.events, tlsCa: ctx.tlsCa });
  }
  const transport = await LineTransport.create({
    destinations: o.destination,
    defaultPort: o.defaultPort,
    timeoutMs: o.timeoutMs,
    tls,
    responseName: o.logName,
    logger,
    lookup: ctx.lookup,
  });
  return new LineSink(transport, o.logName, o.destination, ctx.log, ctx.logPrefix, ctx.events);
}
