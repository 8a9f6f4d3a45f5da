import * as assert from 'assert';
import { LineSender, LineTransport, SendResult, TransportError, TransportLogger, countLines, wholeLinesEnd } from '../lib/transport';
import { FaultProxy } from './support/fault-proxy';
import { LineCollector, waitFor } from './support/fake-servers';

/** `n` numbered lines of 40 bytes each (so every line is unique and its position is in its text). */
function numbered(n: number, from = 0): Buffer {
  const b = Buffer.alloc(n * 40);
  for (let i = 0; i < n; i++) b.write(`netdata.system.cpu.user.${String(from + i).padStart(10, '0')} 1 17\n`, i * 40, 'latin1');
  return b;
}

function linesOf(b: Buffer): string[] {
  const s = b.toString('latin1');
  return s.length === 0 ? [] : s.slice(0, s.endsWith('\n') ? -1 : undefined).split('\n');
}

/** Longest gap between 10 ms ticks while `p` runs: shows whether the event loop was ever blocked. */
async function maxLoopGap<T>(p: () => Promise<T>): Promise<{ value: T; gapMs: number }> {
  let last = Date.now();
  let gap = 0;
  const iv = setInterval(() => {
    const now = Date.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 10);
  try {
    const value = await p();
    return { value, gapMs: gap };
  } finally {
    clearInterval(iv);
  }
}

function logSink(): { log: TransportLogger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (level, message) => lines.push(`${level}: ${message}`) };
}

describe('transport: LineSender (SPEC §5.12, §7 row 11)', function () {
  this.timeout(30000);
  let collector: LineCollector;
  let proxy: FaultProxy;
  let transport: LineTransport;
  let logged: string[];

  beforeEach(async () => {
    collector = await LineCollector.start();
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: collector.port });
    const sink = logSink();
    logged = sink.lines;
    transport = await LineTransport.create({ destinations: `127.0.0.1:${proxy.port}`, timeoutMs: 400, responseName: 'graphite', logger: sink.log });
    const c = await transport.connect();
    assert.ok(c.connection, 'connected through the proxy');
  });
  afterEach(async () => {
    transport.close();
    await proxy.close();
    await collector.close();
  });

  it('sends chunks on one persistent connection and reports exact counts', async () => {
    const a = numbered(1000);
    const b = numbered(10, 1000);
    const ra = await transport.send(a);
    const rb = await transport.send(b);
    assert.deepStrictEqual([ra.ok, ra.bytesAccepted, ra.bytesWritten, ra.lines, ra.remainder.length, ra.error], [true, a.length, a.length, 1000, 0, null]);
    assert.deepStrictEqual([rb.ok, rb.lines], [true, 10]);
    await collector.waitForLines(1010);
    assert.deepStrictEqual(collector.lines, [...linesOf(a), ...linesOf(b)]);
    assert.strictEqual(proxy.connections.length, 1);
    assert.strictEqual((await transport.send(Buffer.alloc(0))).ok, true);
  });

  it('rejects chunks that are not complete lines, and a second send while one is in flight', async () => {
    await assert.rejects(transport.send(Buffer.from('no newline')), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_CHUNK' && /newline/.test(e.message));
    await assert.rejects(transport.send('text\n' as unknown as Buffer), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_CHUNK' && /Buffer/.test(e.message));
    proxy.stopReading(true);
    const first = transport.send(numbered(200000));
    await assert.rejects(transport.send(numbered(1)), (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_STATE');
    assert.strictEqual((await first).ok, false);
  });

  it('knows exactly how many bytes the kernel accepted on plain sockets (libuv write queue is readable)', () => {
    const sender = (transport as unknown as { sender: LineSender }).sender;
    assert.strictEqual(sender.exactProgress, true, 'this Node no longer exposes writeQueueSize: sends fall back to 4 KiB segments');
  });

  it('backpressure: a receiver that stops reading fails the send within timeoutMs, without blocking the event loop, and resuming delivers every line exactly once', async () => {
    const chunk = numbered(300000); // 12 MB: more than the socket buffers hold
    proxy.stopReading(true);
    const t0 = Date.now();
    const { value: r, gapMs } = await maxLoopGap(() => transport.send(chunk));
    const elapsed = Date.now() - t0;
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.error!.code, 'ERR_TRANSPORT_TIMEOUT');
    assert.ok(elapsed >= 390 && elapsed < 1200, `failure reported after ${elapsed} ms (timeout 400)`);
    assert.ok(gapMs < 150, `event loop blocked for ${gapMs} ms`);
    assert.ok(r.bytesAccepted > 0 && r.bytesAccepted < chunk.length, `accepted ${r.bytesAccepted}`);
    assert.strictEqual(r.bytesWritten, wholeLinesEnd(chunk, r.bytesAccepted));
    assert.strictEqual(r.lines, r.bytesWritten / 40);
    assert.ok(r.remainder.equals(chunk.subarray(r.bytesWritten)));

    // The receiver reads again: the closed connection still delivers what the kernel had accepted --
    // exactly bytesAccepted bytes, which proves the count is exact to the byte.
    proxy.stopReading(false);
    await waitFor(() => proxy.connections[0]!.end !== null, 5000, 'the first connection to drain');
    assert.strictEqual(proxy.connections[0]!.end, 'client-closed', 'closed with FIN');
    const first = proxy.forwarded(1);
    assert.strictEqual(first.length, r.bytesAccepted);
    assert.ok(first.equals(chunk.subarray(0, r.bytesAccepted)));

    assert.strictEqual(transport.takeResponses().closed, true);
    assert.strictEqual((await transport.connect()).attempts, 1);
    const r2 = await transport.send(r.remainder);
    assert.ok(r2.ok, r2.error?.message);
    await collector.waitForLines(300000, 10000);
    await waitFor(() => collector.connections[0]!.ended, 2000, 'the first receiver connection to end');
    const [c1, c2] = collector.connections;
    assert.deepStrictEqual(c1!.lines, linesOf(chunk.subarray(0, r.bytesWritten)));
    assert.strictEqual(c1!.fragment, chunk.subarray(r.bytesWritten, r.bytesAccepted).toString('latin1'), 'the partly written line ends the old connection unterminated');
    assert.deepStrictEqual(c2!.lines, linesOf(r.remainder));
    assert.strictEqual(collector.lines.length, 300000);
    assert.deepStrictEqual(collector.duplicates(), []);
    assert.ok(logged.every((l) => !l.startsWith('info:')), 'no responses arrived');
  });

  for (const kind of ['reset', 'close'] as const) {
    it(`a ${kind} after N bytes mid-write: the resend starts at the first line not fully accepted, no line twice, no line merged`, async () => {
      const chunk = numbered(300000);
      const N = 1_000_003; // inside line 25000
      if (kind === 'reset') proxy.resetAfter(N, { once: true });
      else proxy.closeAfter(N, { once: true });
      proxy.delay(2); // a slow receiver, so the write is still in progress when the connection ends
      const r1 = await transport.send(chunk);
      proxy.delay(0);
      assert.strictEqual(r1.ok, false, 'the connection ended during the write');
      assert.strictEqual(r1.error!.code, 'ERR_TRANSPORT_CLOSED');
      if (kind === 'reset') assert.strictEqual(r1.error!.syscallCode, 'ECONNRESET');
      else assert.ok(logged.includes(`error: BACKEND: '127.0.0.1:${proxy.port}' closed the socket`), logged.join('\n'));
      assert.ok(r1.bytesAccepted >= N, `the kernel accepted ${r1.bytesAccepted} >= the ${N} the receiver got`);
      assert.strictEqual(r1.bytesWritten, wholeLinesEnd(chunk, r1.bytesAccepted));
      assert.ok(proxy.forwarded(1).equals(chunk.subarray(0, N)));

      let r: SendResult = r1;
      for (let i = 0; i < 5 && !r.ok; i++) {
        transport.takeResponses();
        await transport.connect();
        r = await transport.send(r.remainder);
      }
      assert.ok(r.ok, r.error?.message);
      const cut = wholeLinesEnd(chunk, N);
      const expected = [...linesOf(chunk.subarray(0, cut)), ...linesOf(chunk.subarray(r1.bytesWritten))];
      await collector.waitForLines(expected.length, 10000);
      await new Promise((res) => setTimeout(res, 50));
      assert.deepStrictEqual(collector.lines, expected);
      assert.deepStrictEqual(collector.duplicates(), []);
      assert.deepStrictEqual(collector.halfLines, [chunk.subarray(cut, N).toString('latin1')]);
      // The documented ambiguity: lines the kernel accepted after the N bytes the receiver got are lost, counted as sent.
      const lost = countLines(chunk, r1.bytesWritten) - countLines(chunk, cut);
      assert.strictEqual(300000 - collector.lines.length, lost);
    });
  }

  it('detects a peer that closes an idle connection, and logs the reference line', async () => {
    await transport.send(numbered(3));
    await collector.waitForLines(3);
    collector.endAll();
    await waitFor(() => !transport.connected, 2000, 'the close to be noticed');
    assert.strictEqual(transport.takeResponses().closed, true);
    assert.ok(logged.includes(`error: BACKEND: '127.0.0.1:${proxy.port}' closed the socket`), logged.join('\n'));
    const r = await transport.send(numbered(1));
    assert.deepStrictEqual([r.ok, r.error!.code, r.bytesAccepted], [false, 'ERR_TRANSPORT_CLOSED', 0]);
  });

  it('reads and discards responses without blocking, counting bytes and reads', async () => {
    const talker = await LineCollector.start({ reply: Buffer.from('ERR\0hidden\n') });
    const sink = logSink();
    const t = await LineTransport.create({ destinations: `127.0.0.1:${talker.port}`, timeoutMs: 400, responseName: 'opentsdb', logger: sink.log });
    try {
      await t.connect();
      assert.deepStrictEqual(t.takeResponses(), { bytes: 0, reads: 0, sample: '', closed: false });
      await t.send(numbered(2));
      await waitFor(() => (t as unknown as { sender: { discarder: { bytes: number } } }).sender.discarder.bytes >= 11, 2000, 'a reply');
      const r = t.takeResponses();
      assert.deepStrictEqual(r, { bytes: 11, reads: 1, sample: 'ERR', closed: false });
      assert.deepStrictEqual(sink.lines, ["info: BACKEND: received 11 bytes from opentsdb backend. Ignoring them. Sample: 'ERR'"]);
      assert.deepStrictEqual(t.takeResponses(), { bytes: 0, reads: 0, sample: '', closed: false });
    } finally {
      t.close();
      await talker.close();
    }
  });

  it('close() during a send settles it as failed with exact counts', async () => {
    proxy.stopReading(true);
    const chunk = numbered(300000);
    const p = transport.send(chunk);
    await new Promise((res) => setTimeout(res, 50));
    transport.close();
    const r = await p;
    assert.strictEqual(r.ok, false);
    assert.strictEqual(r.error!.code, 'ERR_TRANSPORT_CLOSED');
    assert.match(r.error!.message, /closed by the caller/);
    assert.ok(r.bytesAccepted > 0);
    assert.strictEqual(r.bytesWritten, wholeLinesEnd(chunk, r.bytesAccepted));
    proxy.stopReading(false);
    await waitFor(() => proxy.connections[0]!.end !== null, 5000, 'the connection to end');
    assert.strictEqual(proxy.forwarded(1).length, r.bytesAccepted);
  });
});
