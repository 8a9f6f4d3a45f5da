// Client TLS settings shared by stream connections and the HTTP client (SPEC §5.11, fix of §7 row 10).
//
// The reference verified nothing, sent no SNI, allowed only TLS 1.2 with two RSA suites and fell back to
// plaintext when the handshake failed. Here:
// - certificates AND host names are verified by default, against the system CAs (lib/transport/system-ca.ts);
// - SNI is the destination's host name (never an IP literal, RFC 6066 §3), or `serverName` when given;
// - TLS 1.2 minimum, otherwise OpenSSL's defaults (TLS 1.3, modern suites, ECDSA and RSA certificates);
// - `caFile` REPLACES the default trust store (as curl --cacert and Node's own `ca` option do): a private
//   CA for a private server should not also make every public CA trusted for it. `caMode: 'add'` keeps the
//   system CAs and adds the file's certificates;
// - `verify: false` must be asked for explicitly; it skips both checks (the connection is still encrypted);
// - a failed handshake is a failed connection: there is no plaintext fallback anywhere.

import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { TransportError, describe } from './errors';
import { systemCaStore } from './system-ca';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';

export interface TlsClientOptions {
  /** Verify the certificate chain and the host name. Default true. */
  verify?: boolean;
  /** PEM file of CA certificates (netdata.conf `tls ca file`; empty = system CAs). */
  caFile?: string | null;
  /** PEM text of CA certificates, for embedding (combined with `caFile` when both are given). */
  ca?: string | Buffer | ReadonlyArray<string | Buffer> | null;
  /** 'replace' (default): trust only the given CAs. 'add': the system CAs plus the given ones. */
  caMode?: 'replace' | 'add';
  /** Name sent as SNI and checked against the certificate, instead of the destination host (`tls server name`). */
  serverName?: string | null;
  /** Lowest protocol version accepted. Default TLSv1.2. */
  minVersion?: TlsVersion;
}

export interface ResolvedTls {
  readonly verify: boolean;
  readonly serverName: string | null;
  readonly minVersion: TlsVersion;
  /** Built once: parsing a few hundred CA certificates per connection would cost tens of milliseconds. */
  readonly secureContext: tls.SecureContext;
  /** Where trust comes from, for logs: e.g. "system CAs (/etc/ssl/certs/ca-certificates.crt)". */
  readonly trust: string;
}

const KEYS = new Set(['verify', 'caFile', 'ca', 'caMode', 'serverName', 'minVersion']);
const NAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_.])?$/;

/** Validates the options, reads the CA file and builds the secure context. Throws ERR_TRANSPORT_OPTION. */
export async function resolveTlsOptions(options: TlsClientOptions = {}): Promise<ResolvedTls> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionError(`tls options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const k of Object.keys(options)) {
    if (!KEYS.has(k)) throw optionError(`unknown tls option ${JSON.stringify(k)}; accepted: ${[...KEYS].join(', ')}`);
  }
  const verify = options.verify ?? true;
  if (typeof verify !== 'boolean') throw optionError(`tls option verify must be true or false, got ${JSON.stringify(verify)}`);
  const caMode = options.caMode ?? 'replace';
  if (caMode !== 'replace' && caMode !== 'add') throw optionError(`tls option caMode must be 'replace' or 'add', got ${JSON.stringify(caMode)}`);
  const minVersion = options.minVersion ?? 'TLSv1.2';
  if (minVersion !== 'TLSv1.2' && minVersion !== 'TLSv1.3') {
    throw optionError(`tls option minVersion must be 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(minVersion)}`);
  }
  const serverName = checkServerName(options.serverName);

  const given: Array<string | Buffer> = [];
  const caFile = options.caFile ?? null;
  if (caFile !== null && caFile !== '') {
    if (typeof caFile !== 'string') throw optionError(`tls option caFile must be a file path, got ${typeof caFile}`);
    let pem: Buffer;
    try {
      pem = await fs.readFile(caFile);
    } catch (err) {
      throw optionError(`tls ca file ${JSON.stringify(caFile)} cannot be read: ${describe(err)}`, err);
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw optionError(`tls ca file ${JSON.stringify(caFile)} holds no PEM certificate (expected "-----BEGIN CERTIFICATE-----" blocks)`);
    }
    given.push(pem);
  }
  const ca = options.ca ?? null;
  if (ca !== null) {
    const list = Array.isArray(ca) ? ca : [ca];
    for (const c of list) {
      if (typeof c !== 'string' && !Buffer.isBuffer(c)) throw optionError('tls option ca must be PEM text (string or Buffer) or an array of them');
      given.push(c);
    }
  }

  let trust: string;
  let secureContext: tls.SecureContext;
  if (!verify) {
    // Nothing is checked, so no trust store is loaded (that costs ~100 ms).
    trust = 'verification disabled';
    secureContext = makeContext(given.length > 0 ? given : undefined, minVersion, caFile);
  } else if (given.length > 0 && caMode === 'replace') {
    trust = caFile ? `CA file ${caFile} only` : 'given CAs only';
    secureContext = makeContext(given, minVersion, caFile);
  } else {
    const store = await systemCaStore();
    trust = `system CAs (${store.bundle ?? "Node's bundled roots"})${given.length > 0 ? ` plus ${caFile ?? 'given CAs'}` : ''}`;
    if (given.length > 0) {
      secureContext = makeContext([...store.pems, ...given], minVersion, caFile);
    } else {
      // The same for every transport: parse the system store once per process.
      let ctx = systemContexts.get(minVersion);
      if (ctx === undefined) {
        ctx = makeContext([...store.pems], minVersion, null);
        systemContexts.set(minVersion, ctx);
      }
      secureContext = ctx;
    }
  }
  return { verify, serverName, minVersion, secureContext, trust };
}

/**
 * Options for tls.connect() to `host` (a name or an IP literal, no brackets). SNI is set from the server
 * name override or the host, except for IP literals; the identity check uses the same name.
 */
export function tlsConnectOptions(resolved: ResolvedTls, host: string): tls.ConnectionOptions {
  const name = (resolved.serverName ?? host).replace(/\.$/, '');
  return {
    secureContext: resolved.secureContext,
    minVersion: resolved.minVersion,
    rejectUnauthorized: resolved.verify,
    servername: isIP(name) === 0 ? name : undefined,
    host: name,
    // Bound to `name` so an IP-literal override is checked against the certificate too (it cannot be SNI).
    checkServerIdentity: resolved.verify ? (_host, cert) => tls.checkServerIdentity(name, cert) : () => undefined,
  };
}

const systemContexts = new Map<TlsVersion, tls.SecureContext>();

function makeContext(ca: Array<string | Buffer> | undefined, minVersion: TlsVersion, caFile: string | null): tls.SecureContext {
  try {
    return tls.createSecureContext({ ca, minVersion });
  } catch (err) {
    throw optionError(`tls CA certificates cannot be loaded${caFile ? ` from ${JSON.stringify(caFile)}` : ''}: ${describe(err)}`, err);
  }
}

function checkServerName(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || (isIP(v) === 0 && (v.length > 253 || !NAME.test(v)))) {
    throw optionError(`tls option serverName must be a host name or IP address, got ${JSON.stringify(v)}`);
  }
  return v;
}

function optionError(message: string, cause?: unknown): TransportError {
  return new TransportError('ERR_TRANSPORT_OPTION', message, null, cause === undefined ? undefined : { cause });
}
