import * as assert from 'assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BODY_SAMPLE_BYTES, HttpClient, HttpResult, TransportError, classifyStatus, parseRetryAfter } from '../lib/transport';
import { ScriptedHttpServer, TestPki, makeTestPki } from './support/fake-servers';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const body = Buffer.from('[{"metric":"m","timestamp":1,"value":1,"tags":{"host":"h"}}]');

describe('transport: HTTP client (SPEC §5.13, §7 rows 3, 5, 9)', function () {
  this.timeout(20000);
  const clients: HttpClient[] = [];
  const servers: ScriptedHttpServer[] = [];
  async function client(dest: string, extra: Partial<Parameters<typeof HttpClient.create>[0]> = {}): Promise<HttpClient> {
    const c = await HttpClient.create({ destinations: dest, timeoutMs: 1000, ...extra });
    clients.push(c);
    return c;
  }
  async function server(...args: Parameters<typeof ScriptedHttpServer.start>): Promise<ScriptedHttpServer> {
    const s = await ScriptedHttpServer.start(...args);
    servers.push(s);
    return s;
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('classifies statuses: 2xx success, 429/5xx retryable with Retry-After, other 4xx and 3xx failure; one kept-alive connection', async () => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const s = await server([
      { status: 200, body: 'ok' },
      { status: 204 },
      { status: 400, body: '{"error":"bad metric"}' },
      { status: 429, headers: { 'Retry-After': '3' } },
      { status: 503, headers: { 'Retry-After': date } },
      { status: 500, body: 'boom\r\n' },
      { status: 301, headers: { Location: '/elsewhere' } },
      { status: 404 },
    ]);
    const c = await client(`127.0.0.1:${s.port}`, { headers: { 'X-Scope': 'a' } });
    const results: HttpResult[] = [];
    for (let i = 0; i < 8; i++) results.push(await c.request({ path: '/api/put', headers: { 'Content-Type': 'application/json' }, body }));
    assert.deepStrictEqual(results.map((r) => [r.kind, r.status]), [
      ['success', 200], ['success', 204], ['failure', 400], ['retryable', 429], ['retryable', 503], ['retryable', 500], ['failure', 301], ['failure', 404],
    ]);
    assert.deepStrictEqual(results.map((r) => r.attempts), [1, 0, 0, 0, 0, 0, 0, 0], 'one connection, kept alive');
    assert.strictEqual(results[0]!.body.toString(), 'ok');
    const r400 = results[2]!;
    assert.ok(r400.kind === 'failure' && r400.error.code === 'ERR_TRANSPORT_HTTP' && r400.error.message.includes('HTTP 400') && r400.error.message.includes('bad metric'));
    const r429 = results[3]!;
    assert.ok(r429.kind === 'retryable' && r429.retryAfterMs === 3000);
    const r503 = results[4]!;
    assert.ok(r503.kind === 'retryable' && r503.retryAfterMs !== null && r503.retryAfterMs > 25_000 && r503.retryAfterMs <= 30_000, String((r503 as { retryAfterMs: unknown }).retryAfterMs));
    const r500 = results[5]!;
    assert.ok(r500.kind === 'retryable' && r500.retryAfterMs === null && r500.error.message.endsWith('boom '));
    assert.strictEqual(s.connections, 1);
    assert.strictEqual(s.requests.length, 8);
    const first = s.requests[0]!;
    assert.deepStrictEqual([first.method, first.url, first.headers['content-type'], first.headers['x-scope'], first.headers['content-length'], first.headers.connection], ['POST', '/api/put', 'application/json', 'a', String(body.length), 'keep-alive']);
    assert.ok(first.body.equals(body));
    assert.strictEqual(c.currentDestination, `127.0.0.1:${s.port}`);
  });

  it('a reset or a timeout is retryable; the next request opens a new connection', async () => {
    const s = await server([{ reset: true }, { delayMs: 600 }, { status: 204 }]);
    const c = await client(`127.0.0.1:${s.port}`, { timeoutMs: 250 });
    const reset = await c.request({ path: '/receive', body });
    assert.ok(reset.kind === 'retryable' && reset.status === null && reset.error.code === 'ERR_TRANSPORT_CLOSED' && reset.error.syscallCode === 'ECONNRESET', JSON.stringify(reset));
    assert.strictEqual(c.currentDestination, null);
    const t0 = Date.now();
    const slow = await c.request({ path: '/receive', body });
    const elapsed = Date.now() - t0;
    assert.ok(slow.kind === 'retryable' && slow.error.code === 'ERR_TRANSPORT_TIMEOUT', JSON.stringify(slow));
    assert.ok(elapsed >= 240 && elapsed < 1000, `timed out after ${elapsed} ms`);
    assert.strictEqual(slow.attempts, 1);
    const ok = await c.request({ path: '/receive', body });
    assert.deepStrictEqual([ok.kind, ok.status, ok.attempts], ['success', 204, 1]);
    assert.strictEqual(s.connections, 3);
  });

  it('keeps only the first KiB of a body and still reuses the connection', async () => {
    const s = await server([{ status: 200, body: 'x'.repeat(5000) }, { status: 204 }]);
    const c = await client(`127.0.0.1:${s.port}`);
    const r = await c.request({ method: 'PUT', path: '/p' });
    assert.strictEqual(r.body.length, BODY_SAMPLE_BYTES);
    assert.strictEqual((await c.request({ path: '/p' })).attempts, 0);
    assert.strictEqual(s.requests[0]!.method, 'PUT');
  });

  it('fails over while nothing was sent: a refused first entry, then the second answers; later requests start over from the first', async () => {
    const s = await server([], { fallback: { status: 200 } });
    const dead = await freePort();
    const c = await client(`127.0.0.1:${dead} 127.0.0.1:${s.port}`);
    const r = await c.request({ path: '/api/put', body });
    assert.deepStrictEqual([r.kind, r.destination, r.attempts], ['success', `127.0.0.1:${s.port}`, 2]);
    assert.strictEqual((await c.request({ path: '/api/put', body })).attempts, 0, 'the working entry is kept');
    const none = await (await client(`127.0.0.1:${dead}`)).request({ path: '/x' });
    assert.ok(none.kind === 'retryable' && none.destination === null && none.error.code === 'ERR_TRANSPORT_CONNECT' && none.error.syscallCode === 'ECONNREFUSED' && none.attempts === 1);
  });

  it('works over a unix socket destination', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rrd-http-'));
    const path = join(dir, 'http.sock');
    const srv = http.createServer((req, res) => {
      res.writeHead(204, { 'X-Path': req.url ?? '' });
      res.end();
    });
    await new Promise<void>((r) => srv.listen(path, r));
    try {
      const c = await client(`unix:${path}`);
      const r = await c.request({ path: '/receive', body });
      assert.deepStrictEqual([r.kind, r.status], ['success', 204]);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options and header injection with ERR_TRANSPORT_OPTION', async () => {
    const isOpt = (re: RegExp) => (e: unknown) => e instanceof TransportError && e.code === 'ERR_TRANSPORT_OPTION' && re.test(e.message);
    await assert.rejects(HttpClient.create({ destinations: 'udp:h:1', timeoutMs: 100 }), isOpt(/tcp or unix/));
    await assert.rejects(HttpClient.create({ destinations: 'h:1', timeoutMs: 0 }), isOpt(/timeoutMs/));
    await assert.rejects(HttpClient.create({ destinations: 'h:1', timeoutMs: 100, headers: { 'X-A': 'a\r\nX-Injected: 1' } }), isOpt(/X-A.*CR, LF/));
    const c = await client('127.0.0.1:1');
    await assert.rejects(c.request({ path: 'no-slash' }), isOpt(/path starting with '\/'/));
    await assert.rejects(c.request({ path: '/', headers: { 'Bad Name': 'x' } }), isOpt(/not a token/));
  });

  it('parses Retry-After and classifies statuses', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.strictEqual(parseRetryAfter('120', now), 120000);
    assert.strictEqual(parseRetryAfter(' 0 ', now), 0);
    assert.strictEqual(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now), 30000);
    assert.strictEqual(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date in the past means now');
    assert.strictEqual(parseRetryAfter('-5', now), null);
    assert.strictEqual(parseRetryAfter('soon', now), null);
    assert.strictEqual(parseRetryAfter(undefined, now), null);
    assert.deepStrictEqual([199, 200, 299, 300, 404, 408, 429, 499, 500, 599, 600].map(classifyStatus), [
      'failure', 'success', 'success', 'failure', 'failure', 'failure', 'retryable', 'failure', 'retryable', 'retryable', 'failure',
    ]);
  });

  describe('over TLS', () => {
    let pki: TestPki;
    before(async () => {
      pki = await makeTestPki();
    });
    after(() => pki.remove());

    it('verifies the server with the CA file; a wrong CA is a retryable TLS failure and no request arrives', async () => {
      const s = await server([], { tls: pki.server, fallback: { status: 204 } });
      const good = await client(`localhost:${s.port}`, { tls: { caFile: pki.caFile } });
      const r1 = await good.request({ path: '/api/put', body });
      const r2 = await good.request({ path: '/api/put', body });
      assert.deepStrictEqual([r1.kind, r1.attempts, r2.kind, r2.attempts], ['success', 1, 'success', 0]);
      const bad = await client(`127.0.0.1:${s.port}`, { tls: { caFile: pki.otherCaFile } });
      const r3 = await bad.request({ path: '/api/put', body });
      assert.ok(r3.kind === 'retryable' && r3.error.code === 'ERR_TRANSPORT_TLS' && /verify/.test(r3.error.message), JSON.stringify(r3));
      assert.strictEqual(s.requests.length, 2);
      const off = await client(`127.0.0.1:${s.port}`, { tls: { verify: false } });
      assert.strictEqual((await off.request({ path: '/api/put', body })).kind, 'success');
    });
  });
});
