// Test PKI made with the `openssl` CLI in a fresh temp dir: a CA, a server certificate for
// 127.0.0.1/localhost signed by it, and three bad ones for TLS fault tests (SPEC §5.11):
// expired (CA-signed, validity in 2020), self-signed (not from the CA), wrong host (CA-signed,
// valid, but for wrong.example.invalid only).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findExecutable, notInstalledError, ReceiverError } from './receiver-process';

export const OPENSSL_PACKAGE = 'openssl';

export interface CertPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (unencrypted). */
  key: string;
  /** Certificate followed by key, the single-file form InfluxDB's `certificate =` wants. */
  combined: string;
}

export interface TestCerts {
  dir: string;
  ca: CertPair;
  /** CA-signed, SAN IP:127.0.0.1 + DNS:localhost, valid now. */
  server: CertPair;
  /** CA-signed for 127.0.0.1/localhost, but notAfter is in 2020. */
  expired: CertPair;
  /** Self-signed for 127.0.0.1/localhost: no chain to the CA. */
  selfSigned: CertPair;
  /** CA-signed and valid, for DNS:wrong.example.invalid only. */
  wrongHost: CertPair;
  /** The CA certificate's PEM bytes, for `tls.connect({ ca })`. */
  caPem(): Buffer;
  remove(): void;
}

export type KeyType = 'ec' | 'rsa';

const SERVER_SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

function openssl(bin: string, args: string[], cwd: string): void {
  try {
    execFileSync(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new ReceiverError('ERR_OPENSSL_FAILED', `openssl ${args.join(' ')} failed: ${e.message}\n${e.stderr?.toString() ?? ''}`);
  }
}

/**
 * Generates the whole set (about 0.1 s with EC P-256 keys; `rsa` gives 2048-bit RSA keys, ~1 s).
 * Missing openssl fails with the package name (a cert is no optional part of a TLS test).
 */
export function generateTestCerts(opts: { keyType?: KeyType; dir?: string } = {}): TestCerts {
  const bin = findExecutable('openssl');
  if (!bin) throw notInstalledError('openssl', OPENSSL_PACKAGE);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-backends-certs-'));
  fs.mkdirSync(dir, { recursive: true });
  const keyType = opts.keyType ?? 'ec';
  const p = (f: string): string => path.join(dir, f);

  const newKey = (name: string): string => {
    const args =
      keyType === 'ec'
        ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(name)]
        : ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p(name)];
    openssl(bin, args, dir);
    return p(name);
  };
  const pair = (base: string): CertPair => {
    const combined = p(`${base}.combined.pem`);
    fs.writeFileSync(combined, Buffer.concat([fs.readFileSync(p(`${base}.crt`)), fs.readFileSync(p(`${base}.key`))]));
    return { cert: p(`${base}.crt`), key: p(`${base}.key`), combined };
  };

  // CA: a real CA (basicConstraints CA:TRUE, keyCertSign) so strict verifiers accept its children.
  newKey('ca.key');
  openssl(
    bin,
    ['req', '-x509', '-new', '-key', p('ca.key'), '-sha256', '-days', '3650', '-subj', '/CN=rrd-backends test CA', '-out', p('ca.crt'),
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );

  // Leaf certificates go through `openssl ca` so notBefore/notAfter can be set (the expired one).
  fs.writeFileSync(p('index.txt'), '');
  fs.writeFileSync(p('serial'), '1000\n');
  fs.mkdirSync(p('issued'), { recursive: true });
  fs.writeFileSync(
    p('ca.cnf'),
    [
      '[ca]',
      'default_ca = test_ca',
      '[test_ca]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir/issued',
      'certificate = $dir/ca.crt',
      'private_key = $dir/ca.key',
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'copy_extensions = none',
      '[policy_any]',
      'commonName = supplied',
      '[leaf_ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = ${ENV::LEAF_SAN}',
      '',
    ].join('\n'),
  );
  const issue = (base: string, cn: string, san: string, validity: string[]): CertPair => {
    newKey(`${base}.key`);
    openssl(bin, ['req', '-new', '-key', p(`${base}.key`), '-subj', `/CN=${cn}`, '-out', p(`${base}.csr`)], dir);
    const env = { ...process.env, LEAF_SAN: san };
    try {
      execFileSync(
        bin,
        ['ca', '-batch', '-notext', '-config', p('ca.cnf'), '-extensions', 'leaf_ext', '-in', p(`${base}.csr`), '-out', p(`${base}.crt`), ...validity],
        { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
      );
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      throw new ReceiverError('ERR_OPENSSL_FAILED', `openssl ca for ${base} failed: ${e.message}\n${e.stderr?.toString() ?? ''}`);
    }
    return pair(base);
  };

  const san = SERVER_SAN.replace('subjectAltName=', '');
  const server = issue('server', 'localhost', san, ['-days', '3650']);
  const expired = issue('expired', 'localhost', san, ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
  const wrongHost = issue('wrong-host', 'wrong.example.invalid', 'DNS:wrong.example.invalid', ['-days', '3650']);

  newKey('self-signed.key');
  openssl(
    bin,
    ['req', '-x509', '-new', '-key', p('self-signed.key'), '-sha256', '-days', '3650', '-subj', '/CN=localhost', '-out', p('self-signed.crt'), '-addext', SERVER_SAN],
    dir,
  );

  const ca = pair('ca');
  return {
    dir,
    ca,
    server,
    expired,
    selfSigned: pair('self-signed'),
    wrongHost,
    caPem: () => fs.readFileSync(ca.cert),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
