// The `destination` option: a list of `[PROTOCOL:]HOST[%INTERFACE][:PORT]` entries (SPEC §5.10).
//
// Differences from the reference, all deliberate (SPEC §7 row 14):
// - an entry ends only at whitespace or a comma, so `unix:/run/carbon.sock` keeps its path (the reference
//   stopped at '/', which made unix sockets unusable and read past the end of the string);
// - every entry is validated up front and a bad one is an error naming the entry, instead of a failed
//   connection attempt every iteration;
// - a backend type without a default port (remote write, SPEC §7 row 6) requires the port in every entry;
// - protocol prefixes are matched case-insensitively (`TCP:` would otherwise silently become host "TCP"
//   with the service name as port);
// - `%INTERFACE` may also be written inside the brackets (`[fe80::1%eth0]:2003`, the RFC 4007 form).
// Service names are kept as written and resolved when connecting, as getaddrinfo did in the reference.

import { isIP, isIPv6 } from 'node:net';
import { DestinationError, DESTINATION_SYNTAX } from './errors';

export type Protocol = 'tcp' | 'udp' | 'unix';

export interface NetworkDestination {
  readonly protocol: 'tcp' | 'udp';
  /** Host name or IP literal, without brackets. */
  readonly host: string;
  /** 4 or 6 for an IP literal, 0 for a name that needs resolving. */
  readonly ipVersion: 0 | 4 | 6;
  /** Interface whose index becomes the scope id of IPv6 addresses (SPEC §5.10), or null. */
  readonly iface: string | null;
  /** Numeric port (given or the type's default), or null when `service` must be resolved. */
  readonly port: number | null;
  /** Service name to resolve at connect time (e.g. `carbon`), or null. */
  readonly service: string | null;
  /** The entry as written in the list. */
  readonly text: string;
}

export interface UnixDestination {
  readonly protocol: 'unix';
  readonly path: string;
  readonly text: string;
}

export type Destination = NetworkDestination | UnixDestination;

export interface DestinationParseOptions {
  /**
   * Port used when an entry names none: the backend type's default (SPEC §5.3: graphite 2003, opentsdb 4242,
   * json 5448). null or 0 means the type has none, and then every tcp/udp entry must name a port.
   */
  defaultPort?: number | null;
}

/** Linux `sun_path` is 108 bytes including the terminating NUL. */
const MAX_UNIX_PATH_BYTES = 107;
/** Linux IFNAMSIZ is 16 including the NUL. */
const MAX_IFACE_CHARS = 15;
const MAX_HOST_CHARS = 253;
const MAX_SERVICE_CHARS = 32;

const SEPARATORS = /[\s,]+/u;
const HOST_NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;
const IFACE = /^[A-Za-z0-9_.@-]+$/;
const SERVICE = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** Parses a whole destination list. Throws DestinationError (and nothing else) on bad input. */
export function parseDestinationList(list: unknown, options: DestinationParseOptions = {}): Destination[] {
  if (typeof list !== 'string') {
    throw new DestinationError('ERR_DESTINATION_TYPE', `destination must be a string, got ${typeName(list)}; ${DESTINATION_SYNTAX}`);
  }
  const defaultPort = checkDefaultPort(options);
  const entries = list.split(SEPARATORS).filter((e) => e.length > 0);
  if (entries.length === 0) {
    throw new DestinationError('ERR_DESTINATION_EMPTY', `destination ${JSON.stringify(list)} holds no entry; ${DESTINATION_SYNTAX}`);
  }
  return entries.map((e) => parseEntry(e, defaultPort));
}

/** Parses one entry (no separators inside). Throws DestinationError (and nothing else) on bad input. */
export function parseDestination(entry: unknown, options: DestinationParseOptions = {}): Destination {
  if (typeof entry !== 'string') {
    throw new DestinationError('ERR_DESTINATION_TYPE', `destination entry must be a string, got ${typeName(entry)}; ${DESTINATION_SYNTAX}`);
  }
  const defaultPort = checkDefaultPort(options);
  if (entry.length === 0 || SEPARATORS.test(entry)) {
    throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} must be one non-empty entry without spaces or commas; ${DESTINATION_SYNTAX}`, entry);
  }
  return parseEntry(entry, defaultPort);
}

/** The canonical text of a destination; parsing it again gives an equal destination. */
export function formatDestination(d: Destination): string {
  if (d.protocol === 'unix') return `unix:${d.path}`;
  const host = d.ipVersion === 6 || d.host.includes(':') ? `[${d.host}]` : d.host;
  const iface = d.iface === null ? '' : `%${d.iface}`;
  const port = d.port !== null ? `:${d.port}` : d.service !== null ? `:${d.service}` : '';
  return `${d.protocol}:${host}${iface}${port}`;
}

/** A short label for logs: the entry as the user wrote it. */
export function destinationLabel(d: Destination): string {
  return d.text;
}

function checkDefaultPort(options: DestinationParseOptions): number | null {
  if (options === null || typeof options !== 'object') {
    throw new DestinationError('ERR_DESTINATION_TYPE', `destination parse options must be an object, got ${typeName(options)}`);
  }
  const p = options.defaultPort;
  if (p === undefined || p === null || p === 0) return null;
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new DestinationError('ERR_DESTINATION_PORT', `default port must be an integer 1-65535, or 0/null for none, got ${typeName(p)} ${String(p)}`);
  }
  return p;
}

function parseEntry(entry: string, defaultPort: number | null): Destination {
  const colon = entry.indexOf(':');
  const prefix = colon > 0 ? entry.slice(0, colon).toLowerCase() : '';
  if (prefix === 'unix') return parseUnix(entry, entry.slice(colon + 1));
  if (entry.includes('://')) {
    throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} is a URL, not a destination (no scheme://); ${DESTINATION_SYNTAX}`, entry);
  }
  if (prefix === 'tcp' || prefix === 'udp') return parseNetwork(entry, prefix, entry.slice(colon + 1), defaultPort);
  return parseNetwork(entry, 'tcp', entry, defaultPort);
}

function parseUnix(entry: string, path: string): UnixDestination {
  if (path.length === 0) {
    throw new DestinationError('ERR_DESTINATION_PATH', `destination entry ${quote(entry)} has no socket path after "unix:"; ${DESTINATION_SYNTAX}`, entry);
  }
  if (path.includes('\0')) {
    throw new DestinationError('ERR_DESTINATION_PATH', `destination entry ${quote(entry)}: a unix socket path cannot contain NUL; ${DESTINATION_SYNTAX}`, entry);
  }
  const bytes = Buffer.byteLength(path, 'utf8');
  if (bytes > MAX_UNIX_PATH_BYTES) {
    throw new DestinationError('ERR_DESTINATION_PATH', `destination entry ${quote(entry)}: unix socket path is ${bytes} bytes, the limit is ${MAX_UNIX_PATH_BYTES}`, entry);
  }
  return { protocol: 'unix', path, text: entry };
}

function parseNetwork(entry: string, protocol: 'tcp' | 'udp', rest: string, defaultPort: number | null): NetworkDestination {
  let host: string;
  let iface: string | null = null;
  let tail: string; // what follows host (and interface): '' or ':PORT'
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} opens '[' without a closing ']'; ${DESTINATION_SYNTAX}`, entry);
    }
    host = rest.slice(1, close);
    const pct = host.indexOf('%');
    if (pct >= 0) {
      iface = checkIface(entry, host.slice(pct + 1));
      host = host.slice(0, pct);
    }
    tail = rest.slice(close + 1);
    if (tail.startsWith('%')) {
      if (iface !== null) {
        throw new DestinationError('ERR_DESTINATION_INTERFACE', `destination entry ${quote(entry)} names an interface twice; ${DESTINATION_SYNTAX}`, entry);
      }
      const end = tail.indexOf(':');
      iface = checkIface(entry, end < 0 ? tail.slice(1) : tail.slice(1, end));
      tail = end < 0 ? '' : tail.slice(end);
    }
    if (tail.length > 0 && !tail.startsWith(':')) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} has ${quote(tail)} after ']' (expected ':PORT' or nothing); ${DESTINATION_SYNTAX}`, entry);
    }
    if (host.length === 0) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} does not specify a host; ${DESTINATION_SYNTAX}`, entry);
    }
    if (!isIPv6(host) && isIP(host) === 0 && !validHostName(host)) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)}: ${quote(host)} inside brackets is not an IPv6 address or host name; ${DESTINATION_SYNTAX}`, entry);
    }
  } else {
    const end = firstOf(rest, '%:');
    host = end < 0 ? rest : rest.slice(0, end);
    tail = end < 0 ? '' : rest.slice(end);
    if (tail.startsWith('%')) {
      const c = tail.indexOf(':');
      iface = checkIface(entry, c < 0 ? tail.slice(1) : tail.slice(1, c));
      tail = c < 0 ? '' : tail.slice(c);
    }
    if (tail.indexOf(':', 1) >= 0) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} looks like an IPv6 address without brackets; write it as [ADDRESS]:PORT; ${DESTINATION_SYNTAX}`, entry);
    }
    if (host.length === 0) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)} does not specify a host; ${DESTINATION_SYNTAX}`, entry);
    }
    if (isIP(host) === 0 && !validHostName(host)) {
      throw new DestinationError('ERR_DESTINATION_HOST', `destination entry ${quote(entry)}: ${quote(host)} is not a valid host name or IPv4 address (letters, digits, '-', '_' and '.', at most ${MAX_HOST_CHARS} characters); ${DESTINATION_SYNTAX}`, entry);
    }
  }
  const version = isIP(host);
  const { port, service } = parsePort(entry, tail, defaultPort);
  return { protocol, host, ipVersion: version === 4 ? 4 : version === 6 ? 6 : 0, iface, port, service, text: entry };
}

function parsePort(entry: string, tail: string, defaultPort: number | null): { port: number | null; service: string | null } {
  const p = tail.startsWith(':') ? tail.slice(1) : '';
  if (p.length === 0) {
    // SPEC §5.10: missing or empty port -> the type's default.
    if (defaultPort === null) {
      throw new DestinationError('ERR_DESTINATION_PORT', `destination entry ${quote(entry)} does not specify a port and this backend type has no default port; write HOST:PORT`, entry);
    }
    return { port: defaultPort, service: null };
  }
  if (/^[0-9]+$/.test(p)) {
    const n = p.length > 5 ? Infinity : Number(p);
    if (n < 1 || n > 65535) {
      throw new DestinationError('ERR_DESTINATION_PORT', `destination entry ${quote(entry)}: port ${p} is out of range; accepted: 1-65535 or a service name`, entry);
    }
    return { port: n, service: null };
  }
  if (p.length > MAX_SERVICE_CHARS || !SERVICE.test(p)) {
    throw new DestinationError('ERR_DESTINATION_PORT', `destination entry ${quote(entry)}: ${quote(p)} is not a port; accepted: a number 1-65535 or a service name of letters, digits, '-', '_', '.', '+' (at most ${MAX_SERVICE_CHARS} characters)`, entry);
  }
  return { port: null, service: p };
}

function checkIface(entry: string, name: string): string {
  if (name.length === 0 || name.length > MAX_IFACE_CHARS || !IFACE.test(name)) {
    throw new DestinationError('ERR_DESTINATION_INTERFACE', `destination entry ${quote(entry)}: interface ${quote(name)} is not valid; accepted: 1-${MAX_IFACE_CHARS} characters of letters, digits, '_', '.', '-', '@' (e.g. %eth0)`, entry);
  }
  return name;
}

function validHostName(h: string): boolean {
  if (h.length > MAX_HOST_CHARS || !HOST_NAME.test(h)) return false;
  const labels = h.endsWith('.') ? h.slice(0, -1).split('.') : h.split('.');
  return labels.every((l) => l.length > 0 && l.length <= 63);
}

function firstOf(s: string, chars: string): number {
  for (let i = 0; i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return -1;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 117)}...` : s);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}
