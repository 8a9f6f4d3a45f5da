import * as assert from 'assert';
import fc from 'fast-check';
import {
  DestinationError,
  formatDestination,
  parseDestination,
  parseDestinationList,
  parseServices,
  responseLogLine,
  responseSample,
  ResponseDiscarder,
  SAMPLE_MAX,
} from '../lib/transport';

const G = { defaultPort: 2003 };

function throwsCode(fn: () => unknown, code: string, mentions: string[] = []): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DestinationError, `expected DestinationError, got ${String(err)}`);
    assert.strictEqual(err.code, code, err.message);
    for (const m of mentions) assert.ok(err.message.includes(m), `message ${JSON.stringify(err.message)} should mention ${m}`);
    return true;
  });
}

describe('transport: destination list (SPEC §5.10, §7 row 14)', () => {
  it('parses host, protocol, interface and port forms', () => {
    const list = parseDestinationList('localhost  tcp:10.0.0.1:2004,udp:[::1]:8125 , [fe80::1%eth0]:99 unix:/run/carbon/carbon.sock host%lo:carbon', G);
    assert.deepStrictEqual(
      list.map((d) => ({ ...d })),
      [
        { protocol: 'tcp', host: 'localhost', ipVersion: 0, iface: null, port: 2003, service: null, text: 'localhost' },
        { protocol: 'tcp', host: '10.0.0.1', ipVersion: 4, iface: null, port: 2004, service: null, text: 'tcp:10.0.0.1:2004' },
        { protocol: 'udp', host: '::1', ipVersion: 6, iface: null, port: 8125, service: null, text: 'udp:[::1]:8125' },
        { protocol: 'tcp', host: 'fe80::1', ipVersion: 6, iface: 'eth0', port: 99, service: null, text: '[fe80::1%eth0]:99' },
        { protocol: 'unix', path: '/run/carbon/carbon.sock', text: 'unix:/run/carbon/carbon.sock' },
        { protocol: 'tcp', host: 'host', ipVersion: 0, iface: 'lo', port: null, service: 'carbon', text: 'host%lo:carbon' },
      ],
    );
  });

  it('uses the default port for a missing or empty port, and the interface after the brackets', () => {
    const [a, b, c] = parseDestinationList('h: [::1]%lo 127.0.0.1', { defaultPort: 4242 });
    assert.strictEqual((a as { port: number }).port, 4242);
    assert.deepStrictEqual({ ...b }, { protocol: 'tcp', host: '::1', ipVersion: 6, iface: 'lo', port: 4242, service: null, text: '[::1]%lo' });
    assert.strictEqual((c as { port: number }).port, 4242);
  });

  it('keeps unix paths whole, including ":" and "/" (the reference stopped at "/")', () => {
    const d = parseDestination('unix:/tmp/a:b/c.sock', G);
    assert.deepStrictEqual({ ...d }, { protocol: 'unix', path: '/tmp/a:b/c.sock', text: 'unix:/tmp/a:b/c.sock' });
    throwsCode(() => parseDestination('unix:', G), 'ERR_DESTINATION_PATH', ['unix:']);
    throwsCode(() => parseDestination(`unix:/${'x'.repeat(107)}`, G), 'ERR_DESTINATION_PATH', ['108 bytes', '107']);
  });

  it('matches protocol prefixes case-insensitively', () => {
    assert.strictEqual(parseDestination('UDP:h:1', G).protocol, 'udp');
    assert.strictEqual(parseDestination('Unix:/s', G).protocol, 'unix');
  });

  it('requires a port when the backend type has none (SPEC §7 row 6)', () => {
    throwsCode(() => parseDestinationList('localhost', { defaultPort: null }), 'ERR_DESTINATION_PORT', ['"localhost"', 'no default port']);
    throwsCode(() => parseDestinationList('localhost:', { defaultPort: 0 }), 'ERR_DESTINATION_PORT');
    assert.strictEqual((parseDestinationList('localhost:9090', {})[0] as { port: number }).port, 9090);
  });

  it('rejects bad entries with an error naming the entry and the accepted syntax', () => {
    throwsCode(() => parseDestinationList(' , ', G), 'ERR_DESTINATION_EMPTY', ['accepted:']);
    throwsCode(() => parseDestinationList('good :2003', G), 'ERR_DESTINATION_HOST', ['":2003"', 'does not specify a host', 'accepted:']);
    throwsCode(() => parseDestinationList('::1', G), 'ERR_DESTINATION_HOST', ['"::1"', 'brackets']);
    throwsCode(() => parseDestinationList('fe80::1:2003', G), 'ERR_DESTINATION_HOST', ['brackets']);
    throwsCode(() => parseDestinationList('[::1', G), 'ERR_DESTINATION_HOST', ["']'"]);
    throwsCode(() => parseDestinationList('[::1]x', G), 'ERR_DESTINATION_HOST', ['"x"']);
    throwsCode(() => parseDestinationList('[]:1', G), 'ERR_DESTINATION_HOST');
    throwsCode(() => parseDestinationList('ho$t', G), 'ERR_DESTINATION_HOST', ['"ho$t"']);
    throwsCode(() => parseDestinationList('http://example.com:4242', G), 'ERR_DESTINATION_HOST', ['URL']);
    throwsCode(() => parseDestinationList(`${'a'.repeat(64)}.example`, G), 'ERR_DESTINATION_HOST');
    throwsCode(() => parseDestinationList('h:0', G), 'ERR_DESTINATION_PORT', ['out of range', '1-65535']);
    throwsCode(() => parseDestinationList('h:65536', G), 'ERR_DESTINATION_PORT', ['65536']);
    throwsCode(() => parseDestinationList('h:99999999999999999999', G), 'ERR_DESTINATION_PORT');
    throwsCode(() => parseDestinationList('h:-1', G), 'ERR_DESTINATION_PORT', ['service name']);
    throwsCode(() => parseDestinationList('h%:1', G), 'ERR_DESTINATION_INTERFACE', ['%eth0']);
    throwsCode(() => parseDestinationList('h%averyveryverylongname', G), 'ERR_DESTINATION_INTERFACE');
    throwsCode(() => parseDestinationList('[::1%lo]%lo', G), 'ERR_DESTINATION_INTERFACE', ['twice']);
    throwsCode(() => parseDestinationList(42 as unknown, G), 'ERR_DESTINATION_TYPE', ['number']);
    throwsCode(() => parseDestinationList('h', { defaultPort: 70000 }), 'ERR_DESTINATION_PORT', ['default port']);
    throwsCode(() => parseDestination('a b', G), 'ERR_DESTINATION_HOST');
  });

  it('accepts service names and leading zeros like getaddrinfo', () => {
    const d = parseDestination('h:0080', G) as { port: number };
    assert.strictEqual(d.port, 80);
    const s = parseDestination('h:http-alt', G) as { port: null; service: string };
    assert.strictEqual(s.port, null);
    assert.strictEqual(s.service, 'http-alt');
  });

  it('property: any string either parses or throws a DestinationError with an ERR_DESTINATION_ code', () => {
    const chars = fc.constantFrom(...'ab1:[]%,/ .-_\t\nuUdpcnix@$'.split(''), 'tcp:', 'udp:', 'unix:', '::', '[::1]', '%lo', ':2003', '\u00e9', '\0');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(chars, { maxLength: 30 }).map((a) => a.join(''))), fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -5, max: 70000 })), (text, port) => {
        try {
          const list = parseDestinationList(text, { defaultPort: port });
          assert.ok(list.length > 0);
        } catch (err) {
          if (!(err instanceof DestinationError) || !err.code.startsWith('ERR_DESTINATION_') || err.message.length === 0) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: formatting a parsed entry and parsing it again gives the same destination', () => {
    const host = fc.oneof(
      fc.ipV4(),
      fc.ipV6().map((a) => `[${a}]`),
      fc.domain().filter((d) => d.length <= 253),
    );
    const entry = fc.tuple(fc.constantFrom('', 'tcp:', 'udp:'), host, fc.constantFrom('', '%eth0', '%lo'), fc.oneof(fc.constant(''), fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`), fc.constant(':carbon')));
    fc.assert(
      fc.property(entry, ([proto, h, iface, port]) => {
        const d = parseDestination(`${proto}${h}${iface}${port}`, G);
        const again = parseDestination(formatDestination(d), G);
        assert.deepStrictEqual({ ...again, text: '' }, { ...d, text: '' });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('transport: /etc/services parsing', () => {
  it('maps names and aliases per protocol, first definition wins, comments ignored', () => {
    const t = parseServices('# comment\nhttp 80/tcp www # WorldWideWeb\nhttp 80/udp\ncarbon 2003/tcp\ncarbon 9999/tcp\nbad x/tcp\n');
    assert.strictEqual(t.get('http/tcp'), 80);
    assert.strictEqual(t.get('www/tcp'), 80);
    assert.strictEqual(t.get('http/udp'), 80);
    assert.strictEqual(t.get('carbon/tcp'), 2003);
    assert.strictEqual(t.get('bad/tcp'), undefined);
    assert.strictEqual(t.size, 4);
  });
});

describe('transport: response sample (SPEC §5.9)', () => {
  it('keeps at most 1023 chars, stops at the first NUL, replaces non-printables by spaces', () => {
    assert.strictEqual(responseSample(Buffer.from('ok\r\n\tx\x7f\xffy\0hidden', 'latin1')), 'ok   x  y');
    const long = Buffer.alloc(5000, 0x41);
    assert.strictEqual(responseSample(long).length, SAMPLE_MAX);
    assert.strictEqual(responseLogLine('graphite', 12, 'abc'), "BACKEND: received 12 bytes from graphite backend. Ignoring them. Sample: 'abc'");
  });

  it('counts bytes and reads across chunks, samples their concatenation, resets on take', () => {
    const d = new ResponseDiscarder();
    const parts = [Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x62), Buffer.from('tail')];
    for (const p of parts) d.add(p);
    const r = d.take();
    assert.strictEqual(r.bytes, 1204);
    assert.strictEqual(r.reads, 3);
    assert.strictEqual(r.sample, 'a'.repeat(600) + 'b'.repeat(423));
    assert.deepStrictEqual(d.take(), { bytes: 0, reads: 0, sample: '' });
  });
});
