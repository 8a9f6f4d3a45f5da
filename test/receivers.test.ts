// Smoke tests for the real receivers the integration tests use: each one is started here, fed
// hand-written lines over plain net/tls/http (no exporter code involved), and read back through
// the helpers in test/support — so a later exporter test that fails points at the exporter,
// not at the receiver set-up.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import {
  encodeWriteRequest,
  findExecutable,
  httpRequest,
  isCI,
  notInstalledError,
  readWhisperFile,
  ReceiverProcess,
  remoteWriteRequest,
  requireExecutable,
  snappyLiteralBlock,
  useCarbon,
  useInfluxDB,
  usePrometheus,
  useTestCerts,
  useVictoriaMetrics,
} from './support/receivers';

/** Whole seconds, a few seconds in the past so every receiver accepts them as "now-ish". */
const nowSec = (): number => Math.floor(Date.now() / 1000) - 5;

function sendTcp(port: number, data: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end(data));
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

function sendTls(port: number, ca: Buffer, data: string, servername = 'localhost'): Promise<{ authorized: boolean; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, () => {
      const info = { authorized: s.authorized, protocol: s.getProtocol() };
      s.end(data, () => resolve(info));
    });
    s.on('error', reject);
  });
}

describe('receiver support: missing binaries', () => {
  it('names the Debian package to install', () => {
    const e = notInstalledError('carbon-cache', 'graphite-carbon');
    assert.strictEqual(e.code, 'ERR_RECEIVER_NOT_INSTALLED');
    assert.match(e.message, /carbon-cache is not installed/);
    assert.match(e.message, /apt-get install -y --no-install-recommends graphite-carbon/);
  });

  it('fails under CI=true and skips loudly elsewhere', () => {
    const saved = process.env.CI;
    const missing = 'rrd-backends-no-such-receiver-binary';
    let skipped = 0;
    const fakeCtx = { skip: () => { skipped++; throw new Error('pending'); } } as unknown as Mocha.Context;
    const warn = console.warn;
    const warned: string[] = [];
    console.warn = (m: string) => warned.push(m);
    try {
      process.env.CI = 'true';
      assert.strictEqual(isCI(), true);
      assert.throws(() => requireExecutable(fakeCtx, missing, 'some-package'), (e: NodeJS.ErrnoException) => e.code === 'ERR_RECEIVER_NOT_INSTALLED' && /some-package/.test(e.message));
      assert.strictEqual(skipped, 0);
      process.env.CI = '';
      assert.strictEqual(isCI(), false);
      assert.throws(() => requireExecutable(fakeCtx, missing, 'some-package'), /pending/);
      assert.strictEqual(skipped, 1);
      assert.strictEqual(warned.length, 1);
      assert.match(warned[0], /SKIPPING.*some-package/s);
      // A present binary is returned, skip or not.
      assert.strictEqual(requireExecutable(fakeCtx, 'sh', 'dash'), findExecutable('sh'));
    } finally {
      console.warn = warn;
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

describe('receiver support: process start-up failures', () => {
  const leftovers = (name: string): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`rrd-backends-${name}-`));

  it('reports a receiver that exits during start-up with its log, after 3 attempts, leaving no temp dir', async () => {
    const name = `exits${process.pid}`;
    await assert.rejects(
      ReceiverProcess.start({ name, command: 'sh', args: () => ['-c', 'echo "boom: config rejected" >&2; exit 3'], portCount: 1, ready: async () => false }),
      (e: NodeJS.ErrnoException) => e.code === 'ERR_RECEIVER_EXITED' && /code 3/.test(e.message) && /boom: config rejected/.test(e.message),
    );
    assert.deepStrictEqual(leftovers(name), []);
  });

  it('kills a receiver that is not ready in time and says so', async () => {
    const name = `slow${process.pid}`;
    const t0 = Date.now();
    await assert.rejects(
      ReceiverProcess.start({ name, command: 'sleep', args: () => ['30'], portCount: 1, ready: async () => false, readyTimeoutMs: 300 }),
      (e: NodeJS.ErrnoException) => e.code === 'ERR_RECEIVER_START_TIMEOUT' && /not ready within 300 ms/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 5000, 'the start-up timeout bounds the wait');
    assert.deepStrictEqual(leftovers(name), []);
  });
});

describe('receiver support: whisper reader agrees with python3-whisper', () => {
  it('reads the points whisper-update wrote, with their timestamps', function () {
    const create = requireExecutable(this, 'whisper-create', 'python3-whisper');
    const update = requireExecutable(this, 'whisper-update', 'python3-whisper');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-backends-whisper-'));
    try {
      const file = path.join(dir, 'm.wsp');
      execFileSync(create, ['--xFilesFactor=0', file, '1s:1h', '10s:1d'], { stdio: 'pipe' });
      const t = nowSec();
      const points = [
        { timestamp: t - 3, value: 1.5 },
        { timestamp: t - 1, value: -2.25 },
        { timestamp: t, value: 1234.56789 },
      ];
      execFileSync(update, [file, ...points.map((p) => `${p.timestamp}:${p.value}`)], { stdio: 'pipe' });
      assert.deepStrictEqual(readWhisperFile(file), points);
      // xFilesFactor 0: the points also propagate to the 10 s archive, whose slots are aligned to 10 s.
      const buckets = new Map<number, number[]>();
      for (const p of points) buckets.set(p.timestamp - (p.timestamp % 10), [...(buckets.get(p.timestamp - (p.timestamp % 10)) ?? []), p.value]);
      const averages = [...buckets].map(([timestamp, vs]) => ({ timestamp, value: vs.reduce((a, b) => a + b, 0) / vs.length }));
      assert.deepStrictEqual(readWhisperFile(file, { archive: 1 }), averages);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('receiver support: remote-write encoding', () => {
  it('encodes a WriteRequest and a literal-only snappy block byte by byte', () => {
    const pb = encodeWriteRequest([{ labels: [['__name__', 'a']], samples: [{ value: 1, timestampMs: 1000 }] }]);
    // TimeSeries(len 20){ Label(len 13){ name "__name__", value "a" }, Sample(len 12){ double 1, int64 1000 } }
    const label = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.from('__name__'), Buffer.from([0x12, 1]), Buffer.from('a')]);
    const sample = Buffer.concat([Buffer.from([0x09]), Buffer.from([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), Buffer.from([0x10, 0xe8, 0x07])]);
    const series = Buffer.concat([Buffer.from([0x0a, label.length]), label, Buffer.from([0x12, sample.length]), sample]);
    assert.deepStrictEqual(pb, Buffer.concat([Buffer.from([0x0a, series.length]), series]));
    const sn = snappyLiteralBlock(Buffer.from('hello'));
    assert.deepStrictEqual(sn, Buffer.from([5, 61 << 2, 4, 0, ...Buffer.from('hello')]));
  });
});

describe('receiver support: test certificates', function () {
  const certs = useTestCerts();

  function handshake(pair: { cert: string; key: string }, servername: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const server = tls.createServer({ cert: fs.readFileSync(pair.cert), key: fs.readFileSync(pair.key) }, (s) => s.end());
      server.on('tlsClientError', () => undefined);
      server.listen(0, '127.0.0.1', () => {
        const port = (server.address() as net.AddressInfo).port;
        const c = tls.connect({ host: '127.0.0.1', port, ca: certs().caPem(), servername });
        const done = (r: string): void => {
          c.destroy();
          server.close();
          resolve(r);
        };
        c.on('secureConnect', () => done('ok'));
        c.on('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
      });
      server.on('error', reject);
    });
  }

  it('server cert verifies against the CA for localhost and 127.0.0.1; the bad ones fail for their reason', async () => {
    const c = certs();
    assert.strictEqual(await handshake(c.server, 'localhost'), 'ok');
    assert.strictEqual(await handshake(c.expired, 'localhost'), 'CERT_HAS_EXPIRED');
    assert.strictEqual(await handshake(c.selfSigned, 'localhost'), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.strictEqual(await handshake(c.wrongHost, 'localhost'), 'ERR_TLS_CERT_ALTNAME_INVALID');
    // InfluxDB's single-file form: certificate first, then the key.
    const combined = fs.readFileSync(c.server.combined, 'utf8');
    assert.ok(combined.startsWith('-----BEGIN CERTIFICATE-----') && combined.includes('PRIVATE KEY-----'));
  });
});

describe('receiver: carbon-cache (graphite plaintext -> whisper)', function () {
  const carbon = useCarbon();

  it('stores each line at its timestamp with its exact value', async () => {
    const t = nowSec();
    const metric = 'netdata.smoke.system.cpu.user';
    // netdata's graphite line shape (SPEC §4.1): "name value timestamp\n", values printed %0.7Lf.
    await sendTcp(carbon().port, `${metric} 1.5000000 ${t - 2}\n${metric} 1234.5678900 ${t - 1}\n${metric} -0.0000001 ${t}\n`);
    const points = await carbon().waitForPoints(metric, 3);
    assert.deepStrictEqual(points, [
      { timestamp: t - 2, value: 1.5 },
      { timestamp: t - 1, value: 1234.56789 },
      { timestamp: t, value: -1e-7 },
    ]);
    assert.deepStrictEqual(carbon().listMetrics(), [metric]);
  });
});

describe('receiver: VictoriaMetrics (graphite, OpenTSDB telnet and HTTP, remote write)', function () {
  const vm = useVictoriaMetrics();

  it('graphite line -> /api/v1/export', async () => {
    const t = nowSec();
    await sendTcp(vm().graphitePort, `netdata.smoke.graphite.x 42.1250000 ${t}\n`);
    const [s, ...rest] = await vm().waitForSeries('{__name__="netdata.smoke.graphite.x"}');
    assert.strictEqual(rest.length, 0);
    assert.deepStrictEqual(s, { metric: { __name__: 'netdata.smoke.graphite.x' }, values: [42.125], timestamps: [t * 1000] });
  });

  it('OpenTSDB telnet put -> /api/v1/export, tags kept', async () => {
    const t = nowSec();
    // SPEC §4.2 shape: "put name timestamp value host=HOST TAGS\n".
    await sendTcp(vm().opentsdbPort, `put netdata.smoke.tsdb.x ${t - 1} 7.2500000 host=web01 dc=eu\nput netdata.smoke.tsdb.x ${t} 8 host=web01 dc=eu\n`);
    const series = await vm().waitForSeries('{__name__="netdata.smoke.tsdb.x"}', 2);
    assert.deepStrictEqual(series, [{ metric: { __name__: 'netdata.smoke.tsdb.x', host: 'web01', dc: 'eu' }, values: [7.25, 8], timestamps: [(t - 1) * 1000, t * 1000] }]);
  });

  it('OpenTSDB HTTP /api/put JSON -> /api/v1/export', async () => {
    const t = nowSec();
    const body = JSON.stringify([{ metric: 'netdata.smoke.http.x', timestamp: t, value: 0.5, tags: { host: 'web02' } }]);
    const r = await httpRequest(vm().opentsdbHttpPort, 'POST', '/api/put', body, { 'Content-Type': 'application/json' });
    assert.strictEqual(r.status, 204, r.body.toString());
    const series = await vm().waitForSeries('{__name__="netdata.smoke.http.x"}');
    assert.deepStrictEqual(series, [{ metric: { __name__: 'netdata.smoke.http.x', host: 'web02' }, values: [0.5], timestamps: [t * 1000] }]);
  });

  it('remote write /api/v1/write -> /api/v1/export', async () => {
    const t = nowSec();
    const { body, headers } = remoteWriteRequest([
      { labels: [['__name__', 'netdata_smoke_rw'], ['instance', 'web03']], samples: [{ value: 3.75, timestampMs: t * 1000 + 250 }] },
    ]);
    const r = await httpRequest(vm().httpPort, 'POST', vm().remoteWritePath, body, headers);
    assert.strictEqual(r.status, 204, r.body.toString());
    const series = await vm().waitForSeries('{__name__="netdata_smoke_rw"}');
    assert.deepStrictEqual(series, [{ metric: { __name__: 'netdata_smoke_rw', instance: 'web03' }, values: [3.75], timestamps: [t * 1000 + 250] }]);
  });
});

describe('receiver: Prometheus (remote-write receiver)', function () {
  const prom = usePrometheus();

  it('answers /-/ready and stores a remote-write sample, read back by /api/v1/query', async () => {
    assert.strictEqual(await prom().ready(), 200);
    const t = nowSec();
    const { body, headers } = remoteWriteRequest([
      { labels: [['__name__', 'netdata_smoke_rw'], ['instance', 'web04']], samples: [{ value: 2.5, timestampMs: t * 1000 - 1000 }, { value: -1, timestampMs: t * 1000 }] },
    ]);
    const r = await httpRequest(prom().port, 'POST', prom().remoteWritePath, body, headers);
    assert.strictEqual(r.status, 204, r.body.toString());
    const series = await prom().waitForSamples('netdata_smoke_rw', 2);
    assert.deepStrictEqual(series, [
      { metric: { __name__: 'netdata_smoke_rw', instance: 'web04' }, samples: [{ timestampMs: t * 1000 - 1000, value: 2.5 }, { timestampMs: t * 1000, value: -1 }] },
    ]);
  });
});

describe('receiver: InfluxDB (OpenTSDB telnet over TLS)', function () {
  const certs = useTestCerts();
  const influx = useInfluxDB(() => ({ tlsCertificate: certs().server.combined }));

  it('accepts TLS 1.2 with the test CA and stores the put line, read back by /query', async () => {
    const t = nowSec();
    const info = await sendTls(influx().opentsdbPort, certs().caPem(), `put netdata.smoke.tls.x ${t} 99.0000001 host=web05 dc=eu\n`);
    assert.deepStrictEqual(info, { authorized: true, protocol: 'TLSv1.2' });
    const rows = await influx().waitForPoints('netdata.smoke.tls.x');
    assert.deepStrictEqual(rows, [{ time: t * 1000, dc: 'eu', host: 'web05', value: 99.0000001 }]);
  });
});
