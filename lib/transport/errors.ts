// Typed errors of the transport layer: every error carries a stable `code` (CONVENTIONS, Level style).
// Parse errors of the `destination` option are DestinationError (ERR_DESTINATION_*); everything that
// happens on the wire is a TransportError (ERR_TRANSPORT_*). Run-time failures (refused, timed out, reset)
// are returned inside results, never thrown at the exporter loop.

export type DestinationErrorCode =
  | 'ERR_DESTINATION_EMPTY'      // the list holds no entry at all
  | 'ERR_DESTINATION_TYPE'       // the list (or an option of the parser) has the wrong JS type
  | 'ERR_DESTINATION_HOST'       // missing or malformed host (incl. IPv6 without brackets)
  | 'ERR_DESTINATION_PORT'       // malformed port, port out of range, or a port is required but missing
  | 'ERR_DESTINATION_INTERFACE'  // malformed %INTERFACE
  | 'ERR_DESTINATION_PATH';      // malformed unix socket path

/** What every destination error message ends with: the syntax that is accepted (SPEC §5.10). */
export const DESTINATION_SYNTAX =
  'accepted: [PROTOCOL:]HOST[%INTERFACE][:PORT] separated by spaces and/or commas, PROTOCOL tcp (default), ' +
  'udp or unix (unix:/path/to/socket), IPv6 in brackets ([::1]:2003), PORT a number 1-65535 or a service name';

export class DestinationError extends Error {
  /**
   * @param code stable error code
   * @param entry the offending entry as written (null when the whole list is at fault)
   */
  constructor(readonly code: DestinationErrorCode, message: string, readonly entry: string | null = null) {
    super(message);
    this.name = 'DestinationError';
  }
}

export type TransportErrorCode =
  | 'ERR_TRANSPORT_OPTION'         // a transport option has a value that is not accepted
  | 'ERR_TRANSPORT_STATE'          // a method was called in a state that does not allow it
  | 'ERR_TRANSPORT_CHUNK'          // a chunk handed to a line sender is not made of complete lines
  | 'ERR_TRANSPORT_RESOLVE'        // name or service resolution failed
  | 'ERR_TRANSPORT_CONNECT'        // the connection was refused or failed
  | 'ERR_TRANSPORT_TIMEOUT'        // connect, handshake, send (backpressure) or request took too long
  | 'ERR_TRANSPORT_TLS'            // TLS handshake or certificate verification failed
  | 'ERR_TRANSPORT_CLOSED'         // the peer closed or reset the connection, or none is open
  | 'ERR_TRANSPORT_WRITE'          // the operating system reported a write error
  | 'ERR_TRANSPORT_DATAGRAM_SIZE'  // a UDP chunk is larger than one datagram can carry
  | 'ERR_TRANSPORT_HTTP';          // an HTTP response status that is not a success

export class TransportError extends Error {
  /**
   * @param code stable error code
   * @param syscallCode the operating system's code when there is one (ECONNREFUSED, ECONNRESET, ...)
   */
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly syscallCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** The OS/Node error code of an unknown thrown value, if any. */
export function errnoOf(err: unknown): string | null {
  if (err !== null && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return null;
}

/** A one-line description of an unknown thrown value. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Log sink of the transport: same shape as the exporter's Logger, declared here so data flows one way. */
export type TransportLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type TransportLogger = (level: TransportLogLevel, message: string) => void;
export const silentLogger: TransportLogger = () => undefined;
