// The default trust store for TLS destinations (SPEC §7 row 10: verify against the system CAs).
//
// Node's own default store is the Mozilla bundle compiled into the binary, not the operating system's
// store (an administrator who adds a company CA with update-ca-certificates expects it to be trusted).
// The default here is therefore the union of both: Node's bundled roots plus the first OS bundle found at
// the usual locations (SSL_CERT_FILE first). Read once, asynchronously, and cached.

import { promises as fs } from 'node:fs';
import { rootCertificates } from 'node:tls';

/** Where distributions keep the PEM bundle (same list and order as Go's crypto/x509 on Linux). */
export const SYSTEM_CA_BUNDLES: readonly string[] = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Gentoo, Arch
  '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, RHEL 6
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/pki/tls/cacert.pem', // OpenELEC
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // CentOS, RHEL 7
  '/etc/ssl/cert.pem', // Alpine, macOS
];

export interface SystemCaStore {
  /** PEM certificates (Node's bundled roots first, then the OS bundle as one PEM text). */
  readonly pems: readonly string[];
  /** The OS bundle that was read, or null when none was found (Node's roots only). */
  readonly bundle: string | null;
}

let cached: Promise<SystemCaStore> | null = null;

export function systemCaStore(): Promise<SystemCaStore> {
  cached ??= load();
  return cached;
}

async function load(): Promise<SystemCaStore> {
  const candidates = [process.env['SSL_CERT_FILE'], ...SYSTEM_CA_BUNDLES].filter((p): p is string => typeof p === 'string' && p.length > 0);
  for (const path of candidates) {
    try {
      const text = await fs.readFile(path, 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) return { pems: [...rootCertificates, text], bundle: path };
    } catch {
      /* try the next location */
    }
  }
  return { pems: [...rootCertificates], bundle: null };
}
