// What an instance's options mean for formatting and transport: the formatter options of its type and the
// sink that carries its output (SPEC §5.3 type table; §7 rows 9-11 fixes).
import type { FormatOptions } from '../formats/options';
import type { HostLookup } from '../transport/connector';
import { HttpClient } from '../transport/http-client';
import { LineTransport } from '../transport/line-transport';
import type { TlsClientOptions } from '../transport/tls-options';
import type { ResolvedBackendOptions } from './config-options';
import { ExporterError } from './errors';
import { HttpSink } from './http-sink';
import { LineSink } from './line-sink';
import type { Logger } from './logger';
import type { Sink, SinkEvents } from './sink';

/** Formatter options of an instance (SPEC §4). */
export function formatOptionsOf(o: ResolvedBackendOptions): FormatOptions {
  if (o.protocol === 'prometheus-remote-write' || o.protocol === 'kinesis') {
    throw new ExporterError('ERR_EXPORTER_UNSUPPORTED', `type '${o.type}' has no line format`);
  }
  const base = { format: o.protocol, source: o.dataSource, prefix: o.prefix, sendNames: o.sendNames };
  if (o.protocol !== 'opentsdb-http') return base;
  // Batched JSON arrays (SPEC §7 row 9 fix) of `opentsdb http batch size` points and at most `opentsdb http
  // max body bytes` each, host tags as separate tag keys; the HTTP client frames them (Host = destination).
  return { ...base, http: { mode: 'batch', maxPoints: o.opentsdbHttpBatchSize, maxBytes: o.opentsdbHttpMaxBodyBytes, framing: 'body' } };
}

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
 * The sink of an instance: OpenTSDB HTTP/HTTPS through the HTTP client, every other line protocol through
 * a LineTransport (tcp, udp, unix; TLS for the `:https` types). Validates destinations and TLS files now,
 * so a misconfiguration fails start() instead of every iteration.
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
  if (o.protocol === 'prometheus-remote-write' || o.protocol === 'kinesis') {
    throw new ExporterError('ERR_EXPORTER_UNSUPPORTED', `type '${o.type}' has no sink yet`);
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
