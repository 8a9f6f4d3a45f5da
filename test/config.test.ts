// netdata.conf reading (SPEC §5.2, §5.3): INI syntax, every [backend] key with its default and spellings,
// netdata's number and boolean semantics with warnings, [backend:NAME] instances, errors that name the
// file, line, key and value, secrets that never show, and a parser that only ever throws ConfigError.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import fc from 'fast-check';
import {
  BACKEND_KEYS, ConfigError, ConfigWarning, findInstance, loadBackendConfig, loadBackendConfigSync, parseBackendConfig,
  ParseConfigOptions, ResolvedBackendOptions,
} from '../lib/exporter/config';
import { parseIni } from '../lib/exporter/config-ini';

const FILE = '/etc/netdata/netdata.conf';

function parse(text: string, opts: ParseConfigOptions = {}) {
  const seen: ConfigWarning[] = [];
  const cfg = parseBackendConfig(text, { file: FILE, defaultHostname: 'testhost', onWarning: (w) => seen.push(w), ...opts });
  assert.deepStrictEqual(seen, [...cfg.warnings], 'the callback sees exactly the returned warnings');
  return cfg;
}

function backend(body: string, opts?: ParseConfigOptions): { b: ResolvedBackendOptions; warnings: readonly ConfigWarning[] } {
  const cfg = parse(`[backend]\n${body}\n`, opts);
  return { b: cfg.instances[0], warnings: cfg.warnings };
}

function throwsConfig(fn: () => unknown, code: string, ...parts: (string | number)[]): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.strictEqual(caught.code, code, caught.message);
  for (const p of parts) assert.ok(caught.message.includes(String(p)), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(p)}`);
  return caught;
}

function codes(ws: readonly ConfigWarning[]): string[] {
  return ws.map((w) => w.code);
}

describe('netdata.conf [backend] configuration', () => {
  describe('INI syntax (SPEC §5.2)', () => {
    it('sections, trimmed names and values split at the first =, comments, CRLF, BOM', () => {
      const doc = parseIni('\ufeff# top comment\r\n[a]\r\n  k 1 =  v = w  \r\n\t# x = y\n[b c]\nempty =\n');
      assert.deepStrictEqual(doc.sections.map((s) => [s.name, s.line]), [['a', 2], ['b c', 5]]);
      assert.deepStrictEqual(doc.sections[0].entries, [{ key: 'k 1', value: 'v = w', line: 3 }]);
      assert.deepStrictEqual(doc.sections[1].entries, [{ key: 'empty', value: '', line: 6 }]);
      assert.deepStrictEqual(doc.outside, []);
    });

    it('lines outside sections, without =, or with an empty name are reported, not read', () => {
      const doc = parseIni('stray line\n[s]\nno equals here\n= v\n k=v ; not a comment\n');
      assert.deepStrictEqual(doc.outside, [1]);
      assert.deepStrictEqual(doc.sections[0].badLines.map((b) => [b.line, b.problem]), [[3, 'no-equals'], [4, 'empty-name']]);
      assert.deepStrictEqual(doc.sections[0].entries, [{ key: 'k', value: 'v ; not a comment', line: 5 }]);
    });

    it('section names are not trimmed, as in netdata', () => {
      assert.deepStrictEqual(parseIni('[ backend ]\n').sections.map((s) => s.name), [' backend ']);
    });
  });

  describe('defaults (SPEC §5.2 table and the options beyond it)', () => {
    it('an empty file gives one disabled [backend] with every default', () => {
      const cfg = parse('');
      assert.strictEqual(cfg.instances.length, 1);
      const b = cfg.instances[0];
      assert.deepStrictEqual({
        name: b.name, enabled: b.enabled, dataSource: b.dataSource, type: b.type, destination: b.destination, prefix: b.prefix,
        hostname: b.hostname, updateEvery: b.updateEvery, bufferOnFailures: b.bufferOnFailures, timeoutMs: b.timeoutMs,
        sendNames: b.sendNames, sendChartsMatching: b.sendChartsMatching, sendHostsMatching: b.sendHostsMatching,
        remoteWriteUrlPath: b.remoteWriteUrlPath, hostTags: b.hostTags,
      }, {
        name: null, enabled: false, dataSource: 'average', type: 'graphite', destination: 'localhost', prefix: 'netdata',
        hostname: 'testhost', updateEvery: 10, bufferOnFailures: 10, timeoutMs: 20000, sendNames: true,
        sendChartsMatching: '*', sendHostsMatching: 'localhost *', remoteWriteUrlPath: '/receive', hostTags: null,
      });
      assert.deepStrictEqual({
        tlsVerify: b.tlsVerify, tlsCaFile: b.tlsCaFile, tlsServerName: b.tlsServerName, bufferMaxBytes: b.bufferMaxBytes,
        jitterMs: b.jitterMs, opentsdbHttpBatchSize: b.opentsdbHttpBatchSize, opentsdbHttpMaxBodyBytes: b.opentsdbHttpMaxBodyBytes,
        remoteWriteUsername: b.remoteWriteUsername, remoteWritePassword: b.remoteWritePassword, remoteWriteHeaders: b.remoteWriteHeaders,
        kinesisEndpoint: b.kinesisEndpoint, kinesisPartitionKey: b.kinesisPartitionKey, kinesisCredentials: b.kinesisCredentials,
      }, {
        tlsVerify: true, tlsCaFile: null, tlsServerName: null, bufferMaxBytes: 268435456, jitterMs: 0, opentsdbHttpBatchSize: 50,
        opentsdbHttpMaxBodyBytes: 8192, remoteWriteUsername: null, remoteWritePassword: null, remoteWriteHeaders: [],
        kinesisEndpoint: null, kinesisPartitionKey: 'hostname-counter', kinesisCredentials: null,
      });
      assert.deepStrictEqual([b.protocol, b.tls, b.defaultPort, b.optionsBitmap, b.disabledReason], ['graphite', false, 2003, 2 | 65536, null]);
      assert.deepStrictEqual(cfg.warnings, []);
    });

    it('hostname defaults to [global] hostname, then to the given default, then to os.hostname()', () => {
      assert.strictEqual(parse('[global]\nhostname = web01\n[backend]\n').instances[0].hostname, 'web01');
      assert.strictEqual(parse('[global]\nhostname = a\nhostname = b\n').globalHostname, 'b');
      assert.strictEqual(parse('[backend]\nhostname = mine\n[global]\nhostname = web01\n').instances[0].hostname, 'mine');
      assert.strictEqual(parse('').instances[0].hostname, 'testhost');
      assert.strictEqual(parseBackendConfig('').instances[0].hostname, os.hostname());
    });

    it('timeout ms defaults to 2 x update every x 1000, computed from the update every read', () => {
      assert.strictEqual(backend('update every = 3').b.timeoutMs, 6000);
      assert.strictEqual(backend('update every = 0x5').b.timeoutMs, 10000);
      assert.strictEqual(backend('update every = 7\ntimeout ms = 1500').b.timeoutMs, 1500);
    });
  });

  describe('every key and spelling', () => {
    it('reads every key of the table', () => {
      const { b, warnings } = backend([
        'enabled = yes', 'data source = sum', 'type = json', 'destination = tcp:10.0.0.1:5448 10.0.0.2', 'prefix = nd',
        'hostname = h1', 'update every = 5', 'buffer on failures = 3', 'timeout ms = 2500', 'send names instead of ids = no',
        'send charts matching = system.* !apps.*', 'send hosts matching = web*', 'host tags = dc=eu rack=1',
      ].join('\n'));
      assert.deepStrictEqual([b.enabled, b.dataSource, b.type, b.protocol, b.destination, b.prefix, b.hostname, b.updateEvery,
        b.bufferOnFailures, b.timeoutMs, b.sendNames, b.sendChartsMatching, b.sendHostsMatching, b.hostTags, b.optionsBitmap],
      [true, 'sum', 'json', 'json', 'tcp:10.0.0.1:5448 10.0.0.2', 'nd', 'h1', 5, 3, 2500, false, 'system.* !apps.*', 'web*', 'dc=eu rack=1', 4]);
      assert.deepStrictEqual(warnings, []);
    });

    it('reads every key beyond the reference', () => {
      const { b } = backend([
        'type = opentsdb:https', 'tls verify = yes', 'tls ca file = /etc/ssl/my-ca.pem', 'tls server name = tsdb.example.com',
        'buffer max bytes = 1048576', 'jitter ms = 9999', 'opentsdb http batch size = 7', 'opentsdb http max body bytes = 4096',
      ].join('\n'));
      assert.deepStrictEqual([b.tls, b.tlsVerify, b.tlsCaFile, b.tlsServerName, b.bufferMaxBytes, b.jitterMs, b.opentsdbHttpBatchSize,
        b.opentsdbHttpMaxBodyBytes], [true, true, '/etc/ssl/my-ca.pem', 'tsdb.example.com', 1048576, 9999, 7, 4096]);
      const rw = backend([
        'type = prometheus_remote_write:https', 'destination = vm:8428', 'remote write URL path = /api/v1/write',
        'remote write username = user', 'remote write password = s3cr3t', 'remote write headers = X-Scope-OrgID: t1; Authorization: Bearer abc ;',
      ].join('\n')).b;
      assert.deepStrictEqual([rw.protocol, rw.tls, rw.remoteWriteUrlPath, rw.remoteWriteUsername, rw.remoteWritePassword?.reveal()],
        ['prometheus-remote-write', true, '/api/v1/write', 'user', 's3cr3t']);
      assert.deepStrictEqual(rw.remoteWriteHeaders.map((h) => [h.name, h.value.reveal()]), [['X-Scope-OrgID', 't1'], ['Authorization', 'Bearer abc']]);
      const k = backend('type = kinesis\ndestination = eu-west-1\nkinesis endpoint = http://127.0.0.1:4567\nkinesis partition key = random').b;
      assert.deepStrictEqual([k.protocol, k.kinesisEndpoint, k.kinesisPartitionKey], ['kinesis', 'http://127.0.0.1:4567', 'random']);
    });

    it('every data source spelling (SPEC §5.3)', () => {
      const table: [string, string, number][] = [
        ['raw', 'as-collected', 1], ['as collected', 'as-collected', 1], ['as-collected', 'as-collected', 1],
        ['as_collected', 'as-collected', 1], ['ascollected', 'as-collected', 1], ['average', 'average', 2], ['sum', 'sum', 4], ['volume', 'sum', 4],
      ];
      for (const [spelling, mode, bit] of table) {
        const { b, warnings } = backend(`data source = ${spelling}`);
        assert.deepStrictEqual([b.dataSource, b.optionsBitmap & 7, warnings.length], [mode, bit, 0], spelling);
      }
    });

    it('an invalid data source is logged and average is used; the instance still runs (SPEC §5.3)', () => {
      const { b, warnings } = backend('enabled = yes\ndata source = Sum');
      assert.deepStrictEqual([b.dataSource, b.enabled], ['average', true]);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_FALLBACK']);
      for (const p of [FILE, ':3', 'data source', '"Sum"', 'average']) assert.ok(warnings[0].message.includes(p), p);
      assert.strictEqual(warnings[0].line, 3);
    });

    it('every type spelling; an unknown type is an error listing the accepted ones', () => {
      const types = ['graphite', 'graphite:plaintext', 'graphite:https', 'opentsdb', 'opentsdb:telnet', 'opentsdb:http', 'opentsdb:https',
        'json', 'json:plaintext', 'json:https', 'prometheus_remote_write', 'prometheus_remote_write:https', 'kinesis', 'kinesis:plaintext'];
      for (const t of types) assert.strictEqual(backend(`type = ${t}`).b.type, t);
      throwsConfig(() => backend('type = Graphite'), 'ERR_CONFIG_BAD_VALUE', FILE, ':2', "'type'", '"Graphite"', 'graphite:plaintext', 'kinesis');
      throwsConfig(() => backend('type = influxdb'), 'ERR_CONFIG_BAD_VALUE', 'influxdb');
    });

    it('booleans: netdata words in any case; anything else is "no" with a warning (SPEC §5.2)', () => {
      for (const w of ['yes', 'Yes', 'TRUE', 'on', 'auto', 'on demand', 'ON DEMAND']) {
        const { b, warnings } = backend(`enabled = ${w}`);
        assert.deepStrictEqual([b.enabled, warnings.length], [true, 0], w);
      }
      for (const w of ['no', 'False', 'off']) {
        const { b, warnings } = backend(`send names instead of ids = ${w}`);
        assert.deepStrictEqual([b.sendNames, warnings.length], [false, 0], w);
      }
      for (const w of ['1', 'enable', '']) {
        const { b, warnings } = backend(`enabled = ${w}`);
        assert.strictEqual(b.enabled, false, w);
        assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_BOOLEAN'], w);
        assert.ok(warnings[0].message.includes(`"${w}"`) && warnings[0].message.includes('"no"'));
      }
    });

    it('new boolean keys are strict: a non-word is an error', () => {
      assert.strictEqual(backend('tls verify = off\ntype = json:https').b.tlsVerify, false);
      throwsConfig(() => backend('tls verify = 0'), 'ERR_CONFIG_BAD_VALUE', FILE, ':2', "'tls verify'", '"0"', 'yes');
    });
  });

  describe('numbers: strtoll semantics with warnings (SPEC §5.2)', () => {
    it('0x10 is hexadecimal, silently', () => {
      const { b, warnings } = backend('buffer on failures = 0x10');
      assert.deepStrictEqual([b.bufferOnFailures, warnings.length], [16, 0]);
    });

    it('010 is octal, with a warning', () => {
      const { b, warnings } = backend('buffer on failures = 010');
      assert.strictEqual(b.bufferOnFailures, 8);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_NUMBER']);
      assert.ok(warnings[0].message.includes('octal') && warnings[0].message.includes('read as 8'));
    });

    it('trailing garbage is ignored, with a warning', () => {
      const { b, warnings } = backend('update every = 15s');
      assert.deepStrictEqual([b.updateEvery, b.timeoutMs], [15, 30000]);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_NUMBER']);
      assert.ok(warnings[0].message.includes('"s"'));
    });

    it('non-numeric reads as 0, with a warning', () => {
      const { b, warnings } = backend('buffer on failures = ten');
      assert.strictEqual(b.bufferOnFailures, 0);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_NUMBER']);
      assert.ok(warnings[0].message.includes('"ten"') && warnings[0].message.includes('0'));
    });

    it('update every < 1 disables the instance (with a warning when it was enabled)', () => {
      for (const v of ['0', '-5', 'never']) {
        const { b, warnings } = backend(`enabled = yes\nupdate every = ${v}`);
        assert.strictEqual(b.enabled, false, v);
        assert.ok(b.disabledReason !== null && b.disabledReason.includes('less than 1'));
        assert.ok(codes(warnings).includes('WARN_CONFIG_DISABLED'), v);
        assert.ok(String(b).includes('disabled'));
      }
      assert.deepStrictEqual(codes(backend('update every = 0').warnings), [], 'not enabled: nothing to warn about');
    });

    it('timeout ms < 1 logs the reference line and uses the default', () => {
      const { b, warnings } = backend('update every = 4\ntimeout ms = -3');
      assert.strictEqual(b.timeoutMs, 8000);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_FALLBACK']);
      assert.ok(warnings[0].message.includes('invalid timeout -3 ms given. Assuming 8000 ms'));
    });

    it('a negative buffer on failures is accepted with a warning (SPEC §5.5 step 11)', () => {
      const { b, warnings } = backend('buffer on failures = -1');
      assert.strictEqual(b.bufferOnFailures, -1);
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_FALLBACK']);
    });

    it('out of range numbers are errors naming file, line, key and the value as written', () => {
      throwsConfig(() => backend('update every = 99999999999999999999'), 'ERR_CONFIG_RANGE', FILE, ':2', "'update every'", '"99999999999999999999"', '86400');
      throwsConfig(() => backend('\n\ntimeout ms = 0x80000000'), 'ERR_CONFIG_RANGE', ':4', "'timeout ms'", '"0x80000000"');
      throwsConfig(() => backend('buffer on failures = 4294967296'), 'ERR_CONFIG_RANGE', 'buffer on failures');
    });

    it('new number keys are strict decimals with ranges', () => {
      throwsConfig(() => backend('buffer max bytes = 0'), 'ERR_CONFIG_RANGE', FILE, ':2', "'buffer max bytes'", '"0"', 'unlimited is not accepted');
      throwsConfig(() => backend('buffer max bytes = 64k'), 'ERR_CONFIG_BAD_VALUE', "'buffer max bytes'", '"64k"', 'decimal');
      throwsConfig(() => backend('jitter ms = 0x10'), 'ERR_CONFIG_BAD_VALUE', "'jitter ms'");
      throwsConfig(() => backend('update every = 2\njitter ms = 2000'), 'ERR_CONFIG_RANGE', ':3', "'jitter ms'", '"2000"', '1999');
      throwsConfig(() => backend('opentsdb http batch size = 0'), 'ERR_CONFIG_RANGE', 'opentsdb http batch size', '100000');
      throwsConfig(() => backend('opentsdb http max body bytes = 63'), 'ERR_CONFIG_RANGE', 'opentsdb http max body bytes');
    });

    it('remote write request caps: defaults 1 MiB and 2000 series, read from the file, validated with key, value and range (issue 5)', () => {
      const d = backend('type = prometheus_remote_write\ndestination = vm:8428').b;
      assert.deepStrictEqual([d.remoteWriteMaxRequestBytes, d.remoteWriteMaxSeriesPerRequest], [1048576, 2000]);
      const { b, warnings } = backend([
        'type = prometheus_remote_write', 'destination = vm:8428', 'remote write max request bytes = 65536', 'remote write max series per request = 100',
      ].join('\n'));
      assert.deepStrictEqual([b.remoteWriteMaxRequestBytes, b.remoteWriteMaxSeriesPerRequest], [65536, 100]);
      assert.deepStrictEqual(warnings, []);
      const rw = 'type = prometheus_remote_write\ndestination = vm:8428\n';
      throwsConfig(() => backend(`${rw}remote write max request bytes = 1023`), 'ERR_CONFIG_RANGE',
        FILE, ':4', "'remote write max request bytes'", '"1023"', 'from 1024 to 67108864');
      throwsConfig(() => backend(`${rw}remote write max request bytes = 67108865`), 'ERR_CONFIG_RANGE', "'remote write max request bytes'", '"67108865"', '67108864');
      throwsConfig(() => backend(`${rw}remote write max request bytes = 1m`), 'ERR_CONFIG_BAD_VALUE', "'remote write max request bytes'", '"1m"', 'decimal');
      throwsConfig(() => backend(`${rw}remote write max series per request = 0`), 'ERR_CONFIG_RANGE',
        ':4', "'remote write max series per request'", '"0"', 'from 1 to 1000000');
      throwsConfig(() => backend(`${rw}remote write max series per request = 1000001`), 'ERR_CONFIG_RANGE', "'remote write max series per request'", '1000000');
      const other = backend('type = graphite\nremote write max series per request = 10').warnings;
      assert.deepStrictEqual(other.map((w) => [w.code, w.key]), [['WARN_CONFIG_NO_EFFECT', 'remote write max series per request']]);
    });
  });

  describe('duplicates, legacy names, sections', () => {
    it('a later duplicate wins, with a warning naming both lines', () => {
      const { b, warnings } = backend('prefix = a\nprefix = b\nprefix = c');
      assert.strictEqual(b.prefix, 'c');
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_DUPLICATE_KEY', 'WARN_CONFIG_DUPLICATE_KEY']);
      assert.ok(warnings[1].message.includes('line 3') && warnings[1].message.includes('line 4'));
    });

    it('repeated [backend] headers merge, as in netdata', () => {
      const cfg = parse('[backend]\nprefix = a\n[global]\n[backend]\ndestination = d1\n');
      assert.strictEqual(cfg.instances.length, 1);
      assert.deepStrictEqual([cfg.instances[0].prefix, cfg.instances[0].destination], ['a', 'd1']);
    });

    it('opentsdb host tags is read as host tags, unless host tags is set too (SPEC §1.1)', () => {
      const a = backend('opentsdb host tags = dc=eu');
      assert.deepStrictEqual([a.b.hostTags, codes(a.warnings)], ['dc=eu', ['WARN_CONFIG_LEGACY_KEY']]);
      const b = backend('opentsdb host tags = old\nhost tags = new');
      assert.deepStrictEqual([b.b.hostTags, codes(b.warnings)], ['new', ['WARN_CONFIG_LEGACY_KEY']]);
      assert.strictEqual(backend('host tags =').b.hostTags, null, 'empty tags are no tags');
    });

    it('[backend:NAME] sections are independent instances, in file order after [backend]', () => {
      const cfg = parse([
        '[backend]', 'enabled = yes', 'prefix = main',
        '[backend:graphite-2]', 'enabled = yes', 'type = graphite', 'destination = g2:2003',
        '[plugins]', 'apps = no',
        '[backend:vm_1]', 'type = opentsdb:http', 'update every = 1',
      ].join('\n'));
      assert.deepStrictEqual(cfg.instances.map((i) => [i.name, i.enabled, i.prefix, i.type, i.updateEvery, i.timeoutMs]), [
        [null, true, 'main', 'graphite', 10, 20000],
        ['graphite-2', true, 'netdata', 'graphite', 10, 20000],
        ['vm_1', false, 'netdata', 'opentsdb:http', 1, 2000],
      ]);
      assert.strictEqual(findInstance(cfg, 'vm_1')?.type, 'opentsdb:http');
      assert.strictEqual(findInstance(cfg, null)?.prefix, 'main');
      assert.strictEqual(findInstance(cfg, 'nope'), undefined);
      assert.strictEqual(String(cfg.instances[1]).startsWith("backend 'graphite-2': 'graphite' on 'g2:2003'"), true);
    });

    it('a bad or repeated instance name is an error naming the file and lines', () => {
      throwsConfig(() => parse('[backend:my backend]\n'), 'ERR_CONFIG_SECTION', FILE, ':1', '"my backend"', 'letters, digits');
      throwsConfig(() => parse('[backend:]\n'), 'ERR_CONFIG_SECTION', ':1');
      throwsConfig(() => parse('[backend:é]\n'), 'ERR_CONFIG_SECTION');
      throwsConfig(() => parse('[backend:a]\n\n[backend:a]\n'), 'ERR_CONFIG_SECTION', ':3', 'line 1', 'unique');
    });

    it('look-alike sections are ignored with a warning; other sections are ignored silently', () => {
      const cfg = parse('[Backend]\nenabled = yes\n[ backend ]\n[BACKEND:x]\n[web]\nmode = static-threaded\n');
      assert.strictEqual(cfg.instances.length, 1);
      assert.strictEqual(cfg.instances[0].enabled, false);
      assert.deepStrictEqual(codes(cfg.warnings), ['WARN_CONFIG_IGNORED_SECTION', 'WARN_CONFIG_IGNORED_SECTION', 'WARN_CONFIG_IGNORED_SECTION']);
      assert.deepStrictEqual(cfg.warnings.map((w) => w.line), [1, 3, 4]);
    });

    it('lines the reference ignores: warnings outside backend sections, errors inside them', () => {
      const cfg = parse('stray\n[web]\nno equals\n');
      assert.deepStrictEqual(cfg.warnings.map((w) => [w.code, w.line]), [['WARN_CONFIG_IGNORED_LINE', 1], ['WARN_CONFIG_IGNORED_LINE', 3]]);
      throwsConfig(() => backend('enabled yes'), 'ERR_CONFIG_SYNTAX', FILE, ':2', '"enabled yes"', 'name = value');
      throwsConfig(() => backend('= yes'), 'ERR_CONFIG_SYNTAX', ':2');
    });
  });

  describe('errors and warnings name file, line, key and value', () => {
    it('unknown keys: an error with a did-you-mean hint and the accepted keys', () => {
      const e = throwsConfig(() => backend('\nupdate evry = 5'), 'ERR_CONFIG_UNKNOWN_KEY', FILE, ':3', "'update evry'", '"5"', "did you mean 'update every'", 'send hosts matching');
      assert.deepStrictEqual([e.file, e.line, e.section, e.key], [FILE, 3, 'backend', 'update evry']);
      throwsConfig(() => backend('Enabled = yes'), 'ERR_CONFIG_UNKNOWN_KEY', "'enabled'");
      throwsConfig(() => backend('toString = x'), 'ERR_CONFIG_UNKNOWN_KEY', "'toString'");
    });

    it('unknown keys can be demoted to warnings', () => {
      const { b, warnings } = backend('prefix = p\nfoo = bar', { unknownKeys: 'warn' });
      assert.strictEqual(b.prefix, 'p');
      assert.deepStrictEqual(codes(warnings), ['WARN_CONFIG_UNKNOWN_KEY']);
      assert.ok(warnings[0].message.includes("'foo'") && warnings[0].message.includes('"bar"'));
    });

    it('bad values of the keys beyond the reference', () => {
      throwsConfig(() => backend('remote write URL path = receive'), 'ERR_CONFIG_BAD_VALUE', ':2', "'remote write URL path'", '"receive"', 'starting with /');
      throwsConfig(() => backend('remote write URL path = /a b'), 'ERR_CONFIG_BAD_VALUE', '"/a b"');
      throwsConfig(() => backend('kinesis endpoint = localhost:4567'), 'ERR_CONFIG_BAD_VALUE', "'kinesis endpoint'", '"localhost:4567"', 'https://');
      throwsConfig(() => backend('kinesis partition key = hash'), 'ERR_CONFIG_BAD_VALUE', "'kinesis partition key'", '"hash"', 'hostname-counter, random');
      throwsConfig(() => backend('remote write username = a:b'), 'ERR_CONFIG_BAD_VALUE', "'remote write username'", '"a:b"');
      throwsConfig(() => backend('tls server name = a b'), 'ERR_CONFIG_BAD_VALUE', "'tls server name'");
      throwsConfig(() => backend('destination =   '), 'ERR_CONFIG_BAD_VALUE', "'destination'", 'HOST');
    });

    it('keys without effect for the type and disabled verification are warned about', () => {
      const { warnings } = backend('type = graphite\nkinesis partition key = random\nopentsdb http batch size = 5\ntls verify = no');
      assert.deepStrictEqual(warnings.map((w) => [w.code, w.key]), [
        ['WARN_CONFIG_NO_EFFECT', 'tls verify'], ['WARN_CONFIG_NO_EFFECT', 'opentsdb http batch size'], ['WARN_CONFIG_NO_EFFECT', 'kinesis partition key'],
      ]);
      assert.deepStrictEqual(codes(backend('type = json:https\ntls verify = no').warnings), ['WARN_CONFIG_INSECURE']);
    });

    it('patterns: empty charts pattern, lone !, doubled * are warned about', () => {
      const { b, warnings } = backend('send charts matching =\nsend hosts matching = ! web* a**b');
      assert.strictEqual(b.sendChartsMatching, '');
      assert.deepStrictEqual(warnings.map((w) => [w.code, w.key]), [
        ['WARN_CONFIG_PATTERN', 'send charts matching'], ['WARN_CONFIG_PATTERN', 'send hosts matching'], ['WARN_CONFIG_PATTERN', 'send hosts matching'],
      ]);
      assert.ok(warnings[0].message.includes('nothing will be sent'));
    });
  });

  describe('secrets never show', () => {
    const text = [
      '[backend:rw]', 'enabled = yes', 'type = prometheus_remote_write', 'destination = 127.0.0.1:8428', 'remote write username = alice',
      'remote write password = pw-SECRET-1', 'remote write headers = Authorization: Bearer tok-SECRET-2',
    ].join('\n');

    it('not in String(), JSON.stringify() or util.inspect() of the options', () => {
      const rw = parse(text).instances[1];
      for (const rendered of [String(rw), JSON.stringify(rw), inspect(rw, { depth: 10 }), JSON.stringify(parse(text))]) {
        assert.ok(!rendered.includes('SECRET'), rendered);
      }
      assert.ok(JSON.stringify(rw).includes('"remoteWritePassword":"<redacted>"'));
      assert.ok(inspect(rw).includes('Secret(<redacted>)'));
      assert.strictEqual(rw.remoteWritePassword?.reveal(), 'pw-SECRET-1');
      assert.strictEqual(`${String(rw.remoteWritePassword)}`, '<redacted>');
    });

    it('not in error messages (bad value, misspelt key, line without =)', () => {
      const msgs: string[] = [];
      for (const t of [
        '[backend]\nremote write password = pw-SECRET-3', // a password without a user name
        '[backend]\nremote write headers = Bearer tok-SECRET-4',
        '[backend]\nremote write headers = Bad Name: a-SECRET-5',
        '[backend]\nremote write pasword = pw-SECRET-6',
        '[backend]\nremote write password pw-SECRET-7',
        '[backend]\nremote write headers = X: 1; X: tok-SECRET-8',
      ]) {
        try {
          parseBackendConfig(t, { file: FILE });
          msgs.push('no error');
        } catch (e) {
          assert.ok(e instanceof ConfigError);
          msgs.push(e.message);
          assert.ok(!e.message.includes('SECRET'), e.message);
          assert.ok(!inspect(e).includes('SECRET'), inspect(e));
          assert.ok(e.message.includes(FILE) && e.message.includes(':2'), e.message);
        }
      }
      assert.ok(!msgs.includes('no error'), msgs.join('\n'));
    });
  });

  describe('reading files', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-config-'));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('async and sync readers give the same result', async () => {
      const f = path.join(dir, 'netdata.conf');
      fs.writeFileSync(f, '[global]\n hostname = box\n[backend]\n enabled = yes\n update every = 2\n[backend:b]\n prefix = x\n');
      const a = await loadBackendConfig(f);
      const s = loadBackendConfigSync(f);
      assert.strictEqual(JSON.stringify(a), JSON.stringify(s));
      assert.deepStrictEqual(a.instances.map((i) => [i.name, i.hostname, i.enabled, i.timeoutMs]), [[null, 'box', true, 4000], ['b', 'box', false, 20000]]);
      assert.strictEqual(a.file, f);
    });

    it('a missing file is ERR_CONFIG_READ naming it', async () => {
      const f = path.join(dir, 'missing.conf');
      await assert.rejects(loadBackendConfig(f), (e: unknown) => e instanceof ConfigError && e.code === 'ERR_CONFIG_READ' && e.message.includes(f) && e.message.includes('ENOENT'));
      throwsConfig(() => loadBackendConfigSync(f), 'ERR_CONFIG_READ', f);
    });

    it('invalid UTF-8 is read with a warning', async () => {
      const f = path.join(dir, 'latin1.conf');
      fs.writeFileSync(f, Buffer.concat([Buffer.from('[backend]\nprefix = caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
      const cfg = await loadBackendConfig(f);
      assert.strictEqual(cfg.instances[0].prefix, 'caf\ufffd');
      assert.deepStrictEqual(codes(cfg.warnings), ['WARN_CONFIG_ENCODING']);
    });

    it('an enabled kinesis instance reads aws_kinesis.conf next to netdata.conf (SPEC §5.14)', async () => {
      const sub = fs.mkdtempSync(path.join(dir, 'k-'));
      const f = path.join(sub, 'netdata.conf');
      fs.writeFileSync(f, '[backend]\nenabled = yes\ntype = kinesis\ndestination = us-east-1\n');
      await assert.rejects(loadBackendConfig(f), (e: unknown) => e instanceof ConfigError && e.code === 'ERR_CONFIG_READ'
        && e.message.includes('kinesis backend type is set but cannot read its configuration from') && e.message.includes(path.join(sub, 'aws_kinesis.conf')));
      fs.writeFileSync(path.join(sub, 'aws_kinesis.conf'), '# netdata\naws_access_key_id = AKIA1\naws_secret_access_key = "sk-SECRET-9"\nstream name = metrics\n');
      for (const cfg of [await loadBackendConfig(f), loadBackendConfigSync(f)]) {
        const k = cfg.instances[0];
        assert.strictEqual(k.kinesisCredentials?.streamName, 'metrics');
        assert.strictEqual(k.kinesisCredentials?.accessKeyId, 'AKIA1');
        assert.strictEqual(k.kinesisCredentials?.secretAccessKey?.reveal(), 'sk-SECRET-9');
        assert.ok(!JSON.stringify(cfg).includes('SECRET') && !inspect(cfg, { depth: 10 }).includes('SECRET'));
      }
      fs.writeFileSync(path.join(sub, 'aws_kinesis.conf'), 'stream name =\n');
      await assert.rejects(loadBackendConfig(f), (e: unknown) => e instanceof ConfigError && e.code === 'ERR_CONFIG_KINESIS' && e.message.includes('stream name is a mandatory'));
      // A disabled kinesis instance does not need the file.
      fs.writeFileSync(f, '[backend]\nenabled = no\ntype = kinesis\n');
      fs.rmSync(path.join(sub, 'aws_kinesis.conf'));
      assert.strictEqual((await loadBackendConfig(f)).instances[0].kinesisCredentials, null);
    });

    it('parseBackendConfig takes the kinesis file text directly', () => {
      const t = '[backend:k]\nenabled = yes\ntype = kinesis\ndestination = eu-west-1\n';
      throwsConfig(() => parseBackendConfig(t), 'ERR_CONFIG_KINESIS', "'kinesisCredentials'");
      const cfg = parseBackendConfig(t, { kinesisConfText: "stream name = 'm'\n" });
      assert.deepStrictEqual({ ...cfg.instances[1].kinesisCredentials }, { accessKeyId: null, secretAccessKey: null, streamName: 'm' });
    });
  });

  describe('robustness (fast-check)', () => {
    it('parsing any text throws nothing but ConfigError', function () {
      // 1500 runs take ~1 s on an idle 2-core machine; mocha's default 2 s is too tight when it is shared.
      this.timeout(10_000);
      const keys = [...Object.keys(BACKEND_KEYS), 'opentsdb host tags', 'hostname', 'bogus'];
      const values = ['yes', 'no', '0', '-1', '0x10', '010', '1e9', 'abc', '', 'graphite', 'kinesis', 'json:https', '/p', 'a: b; c: d',
        'http://x', '99999999999999999999', '*', '! x', 'average', 'volume', '\u00e9', '\ud800'];
      const line = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.tuple(fc.constantFrom(...keys), fc.oneof(fc.constantFrom(...values), fc.string({ maxLength: 12 }))).map(([k, v]) => `${k} = ${v}`),
        fc.constantFrom('[backend]', '[backend:a]', '[backend:b]', '[backend:a b]', '[global]', '[Backend]', '# c', '', '[x]'),
      );
      let ok = 0;
      let errors = 0;
      fc.assert(fc.property(fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), (lines, nl) => {
        try {
          const cfg = parseBackendConfig(lines.join(nl), { kinesisConfText: 'stream name = s' });
          assert.ok(cfg.instances.length >= 1);
          ok++;
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          assert.ok(/^ERR_CONFIG_[A-Z_]+$/.test(e.code));
          errors++;
        }
      }), { numRuns: 1500 });
      assert.ok(ok > 50 && errors > 50, `ok=${ok} errors=${errors}`);
    });
  });
});
