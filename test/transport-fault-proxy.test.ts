import * as assert from 'assert';
import * as net from 'node:net';
import { FaultProxy } from './support/fault-proxy';
import { LineCollector, waitFor } from './support/fake-servers';

/** The test tools must themselves be right, or the transport tests prove nothing. */
describe('test support: fault proxy and line collector', function () {
  this.timeout(10000);
  let collector: LineCollector;
  let proxy: FaultProxy;
  beforeEach(async () => {
    collector = await LineCollector.start({ reply: Buffer.from('r') });
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: collector.port });
  });
  afterEach(async () => {
    await proxy.close();
    await collector.close();
  });

  function connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect(proxy.port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
  }

  it('forwards and records both directions; the collector counts lines, fragments and duplicates', async () => {
    const s = await connect();
    const back: Buffer[] = [];
    s.on('data', (d: Buffer) => back.push(d));
    s.write('a 1\nb 2\na 1\nhal');
    await collector.waitForLines(3);
    await waitFor(() => back.length > 0, 2000, 'the reply');
    s.end();
    await waitFor(() => collector.connections[0]!.ended, 2000, 'the end');
    assert.deepStrictEqual(collector.lines, ['a 1', 'b 2', 'a 1']);
    assert.deepStrictEqual(collector.duplicates(), ['a 1']);
    assert.deepStrictEqual(collector.halfLines, ['hal']);
    assert.strictEqual(proxy.forwarded(1).toString(), 'a 1\nb 2\na 1\nhal');
    assert.ok(Buffer.concat(proxy.connections[0]!.returned).toString().startsWith('r'));
    assert.strictEqual(proxy.connections[0]!.end, 'client-closed');
  });

  it('refuses while switched to refuse, on the same port after reopening', async () => {
    const port = proxy.port;
    await proxy.refuse(true);
    await assert.rejects(connect(), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
    await proxy.refuse(false);
    assert.strictEqual(proxy.port, port);
    (await connect()).destroy();
  });

  it('resets after exactly N bytes (once), and delays forwarding', async () => {
    proxy.resetAfter(5, { once: true });
    const s = await connect();
    const err = new Promise<string>((r) => s.once('error', (e: Error & { code?: string }) => r(e.code ?? '')));
    s.write('0123456789\n');
    assert.strictEqual(await err, 'ECONNRESET');
    await waitFor(() => collector.connections[0]?.ended === true, 2000, 'the receiver side to close');
    assert.strictEqual(collector.connections[0]!.fragment, '01234');
    assert.strictEqual(proxy.connections[0]!.end, 'reset-by-proxy');

    proxy.delay(150);
    const s2 = await connect();
    const t0 = Date.now();
    s2.write('late\n');
    await collector.waitForLines(1);
    assert.ok(Date.now() - t0 >= 140, `arrived after ${Date.now() - t0} ms`);
    s2.destroy();
  });
});
