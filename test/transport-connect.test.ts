import * as assert from 'assert';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToOneOf, Destination, LineTransport, parseDestinationList, TransportError, TransportLogger } from '../lib/transport';
import { FaultProxy } from './support/fault-proxy';
import { Blackhole, LineCollector, startBlackhole, waitFor } from './support/fake-servers';

function logSink(): { log: TransportLogger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

function lines(n: number, tag: string): Buffer {
  let s = '';
  for (let i = 0; i < n; i++) s += `${tag}.metric.${i} ${i} 1700000000\n`;
  return Buffer.from(s);
}

describe('transport: connecting (SPEC §5.10, §7 rows 13-14)', function () {
  this.timeout(20000);
  let hole: Blackhole;
  let collector: LineCollector;

  before(async () => {
    hole = await startBlackhole();
    collector = await LineCollector.start();
  });
  after(async () => {
    hole.close();
    await collector.close();
  });

  it('a connect that is never answered fails after timeoutMs, counted, and the next entry is tried', async () => {
    const { log, lines: logged } = logSink();
    const dests = parseDestinationList(`127.0.0.1:${hole.port} 127.0.0.1:${collector.port}`, { defaultPort: 2003 });
    const t0 = Date.now();
    const out = await connectToOneOf(dests, { timeoutMs: 300, logger: log });
    const elapsed = Date.now() - t0;
    assert.ok(out.connection, 'the second entry connects');
    assert.strictEqual(out.attempts, 2);
    assert.strictEqual(out.failures.length, 1);
    assert.strictEqual(out.failures[0]!.error.code, 'ERR_TRANSPORT_TIMEOUT');
    assert.strictEqual(out.failures[0]!.address, '127.0.0.1');
    assert.strictEqual(out.failures[0]!.port, hole.port);
    assert.ok(elapsed >= 290 && elapsed < 1500, `took ${elapsed} ms`);
    assert.ok(logged.some((l) => l.includes(`Timed out while connecting to '127.0.0.1', port '${hole.port}'`)), logged.join('\n'));
    assert.strictEqual(out.connection.kind, 'stream');
    (out.connection.socket as { destroy(): void }).destroy();
  });

  it('tries every address of a resolution in order, and treats resolution failures as failed attempts', async () => {
    const dests = parseDestinationList(`multi:${collector.port} nowhere:${collector.port}`, {});
    const looked: string[] = [];
    const out = await connectToOneOf([dests[1]!, dests[0]!], {
      timeoutMs: 500,
      lookup: async (host) => {
        looked.push(host);
        if (host === 'nowhere') throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' });
        // 127.0.0.2 is loopback too, but nothing listens there: refused, then the next address answers.
        return [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }];
      },
    });
    assert.deepStrictEqual(looked, ['nowhere', 'multi']);
    assert.strictEqual(out.attempts, 2);
    assert.deepStrictEqual(out.failures.map((f) => [f.destination, f.address, f.error.code, f.error.syscallCode]), [
      [`nowhere:${collector.port}`, null, 'ERR_TRANSPORT_RESOLVE', 'ENOTFOUND'],
      [`multi:${collector.port}`, '127.0.0.2', 'ERR_TRANSPORT_CONNECT', 'ECONNREFUSED'],
    ]);
    assert.ok(out.connection && out.connection.address === '127.0.0.1');
    (out.connection.socket as { destroy(): void }).destroy();
  });

  it('a resolver that never answers is bounded by timeoutMs; service names come from the services table', async () => {
    const dests = parseDestinationList(`slow:carbon svc:carbon`, {});
    const t0 = Date.now();
    const out = await connectToOneOf(dests, {
      timeoutMs: 200,
      services: new Map([['carbon/tcp', collector.port]]),
      lookup: (host) => (host === 'slow' ? new Promise(() => undefined) : Promise.resolve([{ address: '127.0.0.1', family: 4 as const }])),
    });
    assert.ok(Date.now() - t0 < 1500);
    assert.strictEqual(out.failures[0]!.error.code, 'ERR_TRANSPORT_RESOLVE');
    assert.match(out.failures[0]!.error.message, /timed out after 200 ms/);
    assert.ok(out.connection && out.connection.port === collector.port);
    (out.connection.socket as { destroy(): void }).destroy();
    const unknown = await connectToOneOf(parseDestinationList('127.0.0.1:no-such-service', {}), { timeoutMs: 200, services: new Map() });
    assert.strictEqual(unknown.connection, null);
    assert.strictEqual(unknown.attempts, 1);
    assert.strictEqual(unknown.failures[0]!.error.code, 'ERR_TRANSPORT_RESOLVE');
    assert.match(unknown.failures[0]!.error.message, /no-such-service/);
  });

  it('rejects a bad timeout with ERR_TRANSPORT_OPTION', async () => {
    await assert.rejects(connectToOneOf([], { timeoutMs: 0 }), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION' && /timeoutMs/.test(e.message));
  });

  it('fails over to the second destination, and returns to the first after the connection breaks', async () => {
    const first = await LineCollector.start();
    const proxyFirst = await FaultProxy.start({ host: '127.0.0.1', port: first.port });
    const second = await LineCollector.start();
    const proxySecond = await FaultProxy.start({ host: '127.0.0.1', port: second.port });
    const t = await LineTransport.create({ destinations: `127.0.0.1:${proxyFirst.port},127.0.0.1:${proxySecond.port}`, timeoutMs: 1000, responseName: 'graphite' });
    try {
      await proxyFirst.refuse(true);
      const c1 = await t.connect();
      assert.strictEqual(c1.attempts, 2);
      assert.strictEqual(c1.failures[0]!.error.syscallCode, 'ECONNREFUSED');
      assert.strictEqual(t.current, `127.0.0.1:${proxySecond.port}`);
      assert.ok((await t.send(lines(10, 'a'))).ok);
      await second.waitForLines(10);

      // Connected: no attempt is made while the connection works.
      assert.strictEqual((await t.connect()).attempts, 0);

      await proxyFirst.refuse(false);
      proxySecond.dropAll();
      await waitFor(() => !t.connected, 2000, 'the reset to be noticed');
      assert.strictEqual(t.takeResponses().closed, true);
      const c2 = await t.connect();
      assert.strictEqual(c2.attempts, 1, 'the list starts over from the first entry');
      assert.strictEqual(t.current, `127.0.0.1:${proxyFirst.port}`);
      assert.ok((await t.send(lines(5, 'b'))).ok);
      await first.waitForLines(5);
      assert.deepStrictEqual(first.lines, lines(5, 'b').toString().trimEnd().split('\n'));
      assert.deepStrictEqual(second.lines, lines(10, 'a').toString().trimEnd().split('\n'));
    } finally {
      t.close();
      await Promise.all([proxyFirst.close(), proxySecond.close(), first.close(), second.close()]);
    }
  });

  it('connects to a unix socket given as unix:/absolute/path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrd-unix-'));
    const path = join(dir, 'carbon.sock');
    const server = await LineCollector.start({ path, reply: Buffer.from('thanks\n') });
    const { log, lines: logged } = logSink();
    const t = await LineTransport.create({ destinations: `unix:${path}`, timeoutMs: 1000, responseName: 'graphite', logger: log });
    try {
      const c = await t.connect();
      assert.strictEqual(c.attempts, 1);
      const r = await t.send(lines(100, 'u'));
      assert.deepStrictEqual([r.ok, r.lines, r.bytesWritten], [true, 100, lines(100, 'u').length]);
      await server.waitForLines(100);
      assert.strictEqual(server.lines[99], 'u.metric.99 99 1700000000');
      await waitFor(() => (t as unknown as { sender: { discarder: { bytes: number } } }).sender.discarder.bytes > 0, 2000, 'the reply');
      const resp = t.takeResponses();
      assert.ok(resp.bytes >= 7 && resp.bytes % 7 === 0, `received ${resp.bytes}`);
      assert.ok(resp.reads >= 1);
      assert.strictEqual(resp.closed, false);
      assert.ok(logged.includes(`info: BACKEND: received ${resp.bytes} bytes from graphite backend. Ignoring them. Sample: '${'thanks '.repeat(resp.bytes / 7).slice(0, 1023)}'`), logged.join('\n'));
    } finally {
      t.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const missing = await connectToOneOf(parseDestinationList(`unix:${path}`, {}), { timeoutMs: 300 });
    assert.strictEqual(missing.connection, null);
    assert.strictEqual(missing.failures[0]!.error.syscallCode, 'ENOENT');
  });

  it('udp: the whole chunk is one datagram, an oversized chunk is refused before sending, replies are counted', async () => {
    const server = dgram.createSocket('udp4');
    const got: Buffer[] = [];
    server.on('message', (m, rinfo) => {
      got.push(m);
      server.send('ack', rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const port = server.address().port;
    const t = await LineTransport.create({ destinations: `udp:127.0.0.1:${port}`, timeoutMs: 500, responseName: 'graphite' });
    try {
      await t.connect();
      const chunk = lines(50, 'd');
      const ok = await t.send(chunk);
      assert.deepStrictEqual([ok.ok, ok.lines, ok.bytesAccepted], [true, 50, chunk.length]);
      const big = Buffer.alloc(65508, 0x61);
      big[big.length - 1] = 0x0a;
      const tooBig = await t.send(big);
      assert.strictEqual(tooBig.ok, false);
      assert.strictEqual(tooBig.error!.code, 'ERR_TRANSPORT_DATAGRAM_SIZE');
      assert.match(tooBig.error!.message, /65508 bytes.*at most 65507/);
      assert.strictEqual(tooBig.bytesAccepted, 0);
      await waitFor(() => got.length >= 1, 2000, 'the datagram');
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(got.length, 1);
      assert.ok(got[0]!.equals(chunk));
      const resp = t.takeResponses();
      assert.deepStrictEqual([resp.bytes, resp.reads, resp.sample], [3, 1, 'ack']);
      assert.ok(t.connected, 'an oversized chunk does not close the socket');
    } finally {
      t.close();
      server.close();
    }
  });

  it('close() aborts a connection attempt in progress', async () => {
    const t = await LineTransport.create({ destinations: [...parseDestinationList(`127.0.0.1:${hole.port}`, {})] as Destination[], timeoutMs: 5000, responseName: 'graphite' });
    const t0 = Date.now();
    const p = t.connect();
    setTimeout(() => t.close(), 50);
    const out = await p;
    assert.strictEqual(out.connection, null);
    assert.ok(Date.now() - t0 < 1000, `abort took ${Date.now() - t0} ms`);
    await assert.rejects(t.connect(), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_STATE');
  });
});

describe('transport: IPv6 destinations in brackets, connected over [::1] (SPEC §5.10)', function () {
  this.timeout(20000);
  let server: net.Server;
  let port = 0;
  /** A port on ::1 where nothing listens. */
  let closedPort = 0;
  const peers: string[] = [];
  const received: Buffer[] = [];

  const listen = (s: net.Server, host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, host, () => resolve((s.address() as net.AddressInfo).port));
    });

  before(async function () {
    // Skip only when this machine has no IPv6 loopback: binding ::1 tells.
    const probe = net.createServer();
    try {
      closedPort = await listen(probe, '::1');
    } catch (e) {
      console.log(`      (skipped: cannot bind [::1]: ${(e as NodeJS.ErrnoException).code ?? String(e)}; this machine has no IPv6 loopback)`);
      this.skip();
    }
    await new Promise<void>((r) => probe.close(() => r()));
    server = net.createServer((s) => {
      peers.push(`${s.remoteFamily} ${s.remoteAddress}`);
      s.on('data', (d: Buffer) => received.push(d));
      s.on('error', () => undefined);
    });
    port = await listen(server, '::1');
  });
  after(async () => {
    if (server) await new Promise<void>((r) => server.close(() => r()));
  });

  it('tcp: [::1]:PORT connects over IPv6 after a refused [::1] entry, and the lines arrive', async () => {
    const { log, lines: logged } = logSink();
    const t = await LineTransport.create({ destinations: `[::1]:${closedPort} tcp:[::1]:${port}`, timeoutMs: 2000, responseName: 'graphite', logger: log });
    try {
      const c = await t.connect();
      assert.strictEqual(c.attempts, 2, logged.join('\n'));
      assert.deepStrictEqual(c.failures.map((f) => [f.address, f.port, f.error.syscallCode]), [['::1', closedPort, 'ECONNREFUSED']]);
      assert.ok(c.connection && c.connection.kind === 'stream');
      assert.deepStrictEqual([c.connection.address, c.connection.port], ['::1', port]);
      assert.strictEqual(t.current, `tcp:[::1]:${port}`);
      const chunk = lines(20, 'v6');
      const r = await t.send(chunk);
      assert.deepStrictEqual([r.ok, r.lines, r.bytesWritten], [true, 20, chunk.length]);
      await waitFor(() => Buffer.concat(received).length >= chunk.length, 5000, 'the lines over IPv6');
      assert.ok(Buffer.concat(received).equals(chunk));
      assert.deepStrictEqual(peers, ['IPv6 ::1']);
    } finally {
      t.close();
    }
  });

  it('[::1] without a port takes the default port; udp:[::1]:PORT sends IPv6 datagrams (at most 65527 bytes)', async () => {
    const out = await connectToOneOf(parseDestinationList('[::1]', { defaultPort: port }), { timeoutMs: 2000 });
    assert.ok(out.connection && out.connection.kind === 'stream', JSON.stringify(out.failures.map((f) => f.error.message)));
    assert.deepStrictEqual([out.attempts, out.connection.address, out.connection.port], [1, '::1', port]);
    (out.connection.socket as { destroy(): void }).destroy();

    const udp = dgram.createSocket('udp6');
    const got: Array<[Buffer, string]> = [];
    udp.on('message', (m, rinfo) => got.push([m, rinfo.address]));
    await new Promise<void>((r) => udp.bind(0, '::1', r));
    const t = await LineTransport.create({ destinations: `udp:[::1]:${udp.address().port}`, timeoutMs: 2000, responseName: 'graphite' });
    try {
      const c = await t.connect();
      assert.ok(c.connection && c.connection.kind === 'datagram');
      assert.deepStrictEqual([c.connection.address, c.connection.maxPayload], ['::1', 65527]);
      const chunk = lines(10, 'u6');
      assert.ok((await t.send(chunk)).ok);
      await waitFor(() => got.length >= 1, 5000, 'the datagram over IPv6');
      assert.ok(got[0]![0].equals(chunk));
      assert.strictEqual(got[0]![1], '::1');
      const big = Buffer.alloc(65528, 0x61);
      big[big.length - 1] = 0x0a;
      const tooBig = await t.send(big);
      assert.strictEqual(tooBig.error?.code, 'ERR_TRANSPORT_DATAGRAM_SIZE');
      assert.match(tooBig.error!.message, /65528 bytes.*at most 65527/);
    } finally {
      t.close();
      udp.close();
    }
  });
});
