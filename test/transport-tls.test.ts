import * as assert from 'assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineTransport, LineTransportOptions, TlsClientOptions, TransportError, resolveTlsOptions, wholeLinesEnd } from '../lib/transport';
import { FaultProxy } from './support/fault-proxy';
import { LineCollector, TestPki, makeTestPki, waitFor } from './support/fake-servers';

function numbered(n: number): Buffer {
  const b = Buffer.alloc(n * 40);
  for (let i = 0; i < n; i++) b.write(`netdata.system.cpu.user.${String(i).padStart(10, '0')} 1 17\n`, i * 40, 'latin1');
  return b;
}

describe('transport: TLS (SPEC §5.11, §7 row 10)', function () {
  this.timeout(30000);
  let pki: TestPki;
  let good: LineCollector;
  let expired: LineCollector;
  let wrongHost: LineCollector;
  const open: LineTransport[] = [];

  async function transport(dest: string, tls: TlsClientOptions, extra: Partial<LineTransportOptions> = {}): Promise<LineTransport> {
    const t = await LineTransport.create({ destinations: dest, timeoutMs: 2000, responseName: 'opentsdb', tls, ...extra });
    open.push(t);
    return t;
  }

  before(async () => {
    pki = await makeTestPki();
    good = await LineCollector.start({ tls: pki.server });
    expired = await LineCollector.start({ tls: pki.expired });
    wrongHost = await LineCollector.start({ tls: pki.wrongHost });
  });
  afterEach(() => {
    for (const t of open.splice(0)) t.close();
  });
  after(async () => {
    await Promise.all([good.close(), expired.close(), wrongHost.close()]);
    pki.remove();
  });

  it('a certificate from the configured CA passes; no SNI is sent for an IP literal', async () => {
    const t = await transport(`127.0.0.1:${good.port}`, { caFile: pki.caFile });
    const c = await t.connect();
    assert.ok(c.connection, c.failures.map((f) => f.error.message).join('; '));
    assert.strictEqual(c.attempts, 1);
    assert.ok((await t.send(numbered(3))).ok);
    await good.waitForLines(3);
    assert.strictEqual(good.connections.at(-1)!.servername, false);
    assert.match(t.tlsTrust!, /CA file .*ca\.pem only/);
  });

  it('a host name destination sends it as SNI and checks it against the certificate', async () => {
    const t = await transport(`localhost:${good.port}`, { caFile: pki.caFile });
    const c = await t.connect();
    assert.ok(c.connection, c.failures.map((f) => f.error.message).join('; '));
    await t.send(numbered(1));
    await waitFor(() => good.connections.at(-1)!.lines.length === 1, 2000, 'the line');
    assert.strictEqual(good.connections.at(-1)!.servername, 'localhost');
  });

  const refusals: Array<[string, () => LineCollector, TlsClientOptions, RegExp]> = [
    ['a certificate from another CA', () => good, { caFile: '' /* set below */ }, /self[- ]signed|unable to (get|verify)/i],
    ['the system CAs (verification is on by default)', () => good, {}, /self[- ]signed|unable to (get|verify)/i],
    ['an expired certificate', () => expired, { caFile: '' }, /expired/i],
    ['a certificate for another host', () => wrongHost, { caFile: '' }, /altnames|does not match|not in the cert/i],
  ];
  for (const [what, server, opts, reason] of refusals) {
    it(`refuses ${what}: a failed, counted attempt and never a plaintext fallback`, async () => {
      const o = { ...opts };
      if (o.caFile === '') o.caFile = what.includes('another CA') ? pki.otherCaFile : pki.caFile;
      const s = server();
      const before = s.connections.length;
      const t = await transport(`127.0.0.1:${s.port}`, o);
      const c = await t.connect();
      assert.strictEqual(c.connection, null);
      assert.strictEqual(c.attempts, 1);
      assert.strictEqual(c.failures.length, 1);
      assert.strictEqual(c.failures[0]!.error.code, 'ERR_TRANSPORT_TLS');
      assert.match(c.failures[0]!.error.message, reason);
      assert.strictEqual(t.connected, false);
      const r = await t.send(numbered(2));
      assert.deepStrictEqual([r.ok, r.error!.code, r.bytesAccepted], [false, 'ERR_TRANSPORT_CLOSED', 0]);
      await new Promise((res) => setTimeout(res, 50));
      assert.ok(s.connections.slice(before).every((x) => x.bytes === 0), 'no application byte reached the server');
    });
  }

  it('verify: false accepts what verification refuses (explicit opt-out)', async () => {
    for (const s of [expired, wrongHost]) {
      const t = await transport(`127.0.0.1:${s.port}`, { verify: false });
      assert.ok((await t.connect()).connection);
      assert.ok((await t.send(numbered(1))).ok);
      await waitFor(() => s.lines.length >= 1, 2000, 'the line');
    }
    assert.strictEqual((await resolveTlsOptions({ verify: false })).trust, 'verification disabled');
  });

  it('serverName overrides SNI and the name checked; caMode add keeps the system CAs and adds the file', async () => {
    const t = await transport(`127.0.0.1:${wrongHost.port}`, { caFile: pki.caFile, caMode: 'add', serverName: 'wrong.example' });
    const c = await t.connect();
    assert.ok(c.connection, c.failures.map((f) => f.error.message).join('; '));
    await t.send(numbered(1));
    await waitFor(() => wrongHost.connections.some((x) => x.servername === 'wrong.example' && x.lines.length === 1), 2000, 'the line with SNI');
    assert.match(t.tlsTrust!, /^system CAs \(.*\) plus .*ca\.pem$/);
  });

  it('backpressure over TLS: failed send, then every line exactly once after resuming (whole TLS records)', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: good.port });
    try {
      const t = await transport(`127.0.0.1:${proxy.port}`, { caFile: pki.caFile }, { timeoutMs: 400 });
      assert.ok((await t.connect()).connection);
      const firstConn = good.connections.length; // index of the proxied connection
      proxy.stopReading(true);
      const chunk = numbered(150000);
      const r = await t.send(chunk);
      assert.strictEqual(r.ok, false);
      assert.strictEqual(r.error!.code, 'ERR_TRANSPORT_TIMEOUT');
      assert.ok(r.bytesAccepted > 0 && r.bytesAccepted < chunk.length);
      assert.strictEqual(r.bytesWritten, wholeLinesEnd(chunk, r.bytesAccepted), 'TLS segments end on whole lines');
      assert.strictEqual(r.bytesAccepted, r.bytesWritten);
      proxy.stopReading(false);
      t.takeResponses();
      assert.strictEqual((await t.connect()).attempts, 1);
      const r2 = await t.send(r.remainder);
      assert.ok(r2.ok, r2.error?.message);
      await waitFor(() => good.connections.slice(firstConn).reduce((n, c) => n + c.lines.length, 0) >= 150000, 10000, 'all lines');
      const got = good.connections.slice(firstConn).flatMap((c) => c.lines);
      assert.strictEqual(got.length, 150000);
      assert.strictEqual(new Set(got).size, 150000, 'no duplicates');
      assert.deepStrictEqual(got, chunk.toString('latin1').trimEnd().split('\n'));
    } finally {
      await proxy.close();
    }
  });

  it('rejects bad TLS options with ERR_TRANSPORT_OPTION naming the option', async () => {
    const bad = join(pki.dir, 'not-a-cert.pem');
    writeFileSync(bad, 'hello\n');
    const cases: Array<[unknown, RegExp]> = [
      [{ verify: 'yes' }, /verify must be true or false/],
      [{ caMode: 'merge' }, /caMode must be 'replace' or 'add'/],
      [{ minVersion: 'TLSv1.0' }, /minVersion/],
      [{ serverName: 'bad name' }, /serverName/],
      [{ caFile: join(pki.dir, 'missing.pem') }, /missing\.pem.*cannot be read/],
      [{ caFile: bad }, /not-a-cert\.pem.*no PEM certificate/],
      [{ cafile: 'x' }, /unknown tls option "cafile"/],
    ];
    for (const [opts, re] of cases) {
      await assert.rejects(resolveTlsOptions(opts as TlsClientOptions), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION' && re.test(e.message), JSON.stringify(opts));
    }
    await assert.rejects(
      LineTransport.create({ destinations: 'udp:127.0.0.1:1', timeoutMs: 100, responseName: 'graphite', tls: {} }),
      (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION' && /udp/.test(e.message),
    );
  });
});
