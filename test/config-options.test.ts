// The typed options for embedding: resolveBackendOptions() validates, applies the same defaults as the
// file reader, and throws ConfigError naming the property, the value and what is accepted.
import * as assert from 'assert';
import { inspect } from 'util';
import {
  BackendOptions, ConfigError, ConfigWarning, Secret, parseBackendConfig, resolveBackendOptions,
} from '../lib/exporter/config';

function resolve(o: BackendOptions) {
  const warnings: ConfigWarning[] = [];
  const r = resolveBackendOptions(o, { onWarning: (w) => warnings.push(w), defaultHostname: 'h' });
  return { r, warnings };
}

function rejects(o: unknown, code: string, ...parts: string[]): ConfigError {
  try {
    resolveBackendOptions(o as BackendOptions, { defaultHostname: 'h' });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.strictEqual(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return e;
  }
  assert.fail(`accepted ${inspect(o)}`);
}

describe('resolveBackendOptions (typed options)', () => {
  it('gives the same defaults as an empty netdata.conf', () => {
    const typed = resolveBackendOptions({}, { defaultHostname: 'h' });
    const fromFile = parseBackendConfig('', { defaultHostname: 'h' }).instances[0];
    assert.deepStrictEqual(JSON.parse(JSON.stringify(typed)), JSON.parse(JSON.stringify(fromFile)));
    assert.ok(Object.isFrozen(typed));
    assert.strictEqual(resolveBackendOptions().name, null);
  });

  it('the same options typed and written give the same result', () => {
    const typed = resolveBackendOptions({
      name: 'x', enabled: true, dataSource: 'as-collected', type: 'opentsdb:http', destination: 'tsdb:4242', prefix: 'p',
      hostname: 'web', updateEvery: 5, bufferOnFailures: 2, sendNames: false, sendChartsMatching: 'system.*',
      hostTags: 'a=b', opentsdbHttpBatchSize: 20, opentsdbHttpMaxBodyBytes: 4096,
    });
    const written = parseBackendConfig([
      '[backend:x]', 'enabled = yes', 'data source = as collected', 'type = opentsdb:http', 'destination = tsdb:4242', 'prefix = p',
      'hostname = web', 'update every = 5', 'buffer on failures = 2', 'send names instead of ids = no', 'send charts matching = system.*',
      'host tags = a=b', 'opentsdb http batch size = 20', 'opentsdb http max body bytes = 4096',
    ].join('\n')).instances[1];
    assert.deepStrictEqual(typed.toJSON(), written.toJSON());
    assert.strictEqual(typed.timeoutMs, 10000);
    assert.strictEqual(typed.optionsBitmap, 1);
  });

  it('unknown properties and wrong JS types are ERR_CONFIG_OPTION', () => {
    rejects({ updateevery: 5 }, 'ERR_CONFIG_OPTION', "'updateevery'", 'updateEvery');
    rejects({ enabled: 'yes' }, 'ERR_CONFIG_OPTION', "'enabled'", '"yes"', 'true or false');
    rejects({ updateEvery: '10' }, 'ERR_CONFIG_OPTION', "'updateEvery'", '"10"');
    rejects({ prefix: 5 }, 'ERR_CONFIG_OPTION', "'prefix'");
    rejects(null, 'ERR_CONFIG_OPTION', 'not an object');
    rejects([], 'ERR_CONFIG_OPTION', 'not an object');
  });

  it('bad values name the property, the value and what is accepted', () => {
    rejects({ type: 'carbon' }, 'ERR_CONFIG_BAD_VALUE', "backend option 'type'", '"carbon"', 'graphite:https');
    rejects({ dataSource: 'mean' }, 'ERR_CONFIG_BAD_VALUE', "'dataSource'", '"mean"', 'volume');
    rejects({ name: 'a.b' }, 'ERR_CONFIG_BAD_VALUE', "'name'", '"a.b"');
    rejects({ updateEvery: 1.5 }, 'ERR_CONFIG_RANGE', "'updateEvery'", '1.5');
    rejects({ updateEvery: 86401 }, 'ERR_CONFIG_RANGE', '86400');
    rejects({ timeoutMs: Infinity }, 'ERR_CONFIG_RANGE', "'timeoutMs'");
    rejects({ bufferMaxBytes: 0 }, 'ERR_CONFIG_RANGE', 'unlimited is not accepted');
    rejects({ jitterMs: 10000 }, 'ERR_CONFIG_RANGE', "'jitterMs'", '9999');
    rejects({ jitterMs: -1 }, 'ERR_CONFIG_RANGE', "'jitterMs'");
    rejects({ prefix: 'a\nb' }, 'ERR_CONFIG_BAD_VALUE', "'prefix'", 'CR or LF');
    rejects({ hostname: 'a\u0000' }, 'ERR_CONFIG_BAD_VALUE', "'hostname'");
    rejects({ kinesisPartitionKey: 'shard' as never }, 'ERR_CONFIG_BAD_VALUE', 'hostname-counter, random');
    rejects({ kinesisEndpoint: 'ftp://x' }, 'ERR_CONFIG_BAD_VALUE', "'kinesisEndpoint'", '"ftp://x"');
    rejects({ remoteWriteMaxRequestBytes: 512 }, 'ERR_CONFIG_RANGE', "'remoteWriteMaxRequestBytes'", '512', 'from 1024 to 67108864');
    rejects({ remoteWriteMaxSeriesPerRequest: 0 }, 'ERR_CONFIG_RANGE', "'remoteWriteMaxSeriesPerRequest'", '0', 'from 1 to 1000000');
    rejects({ remoteWriteMaxSeriesPerRequest: '10' }, 'ERR_CONFIG_OPTION', "'remoteWriteMaxSeriesPerRequest'", '"10"');
  });

  it('update every < 1 disables; jitter is checked against the update every', () => {
    const { r, warnings } = resolve({ enabled: true, updateEvery: 0 });
    assert.deepStrictEqual([r.enabled, r.updateEvery, r.timeoutMs], [false, 0, 2000]);
    assert.deepStrictEqual(warnings.map((w) => w.code), ['WARN_CONFIG_DISABLED']);
    assert.strictEqual(resolve({ updateEvery: 1, jitterMs: 999 }).r.jitterMs, 999);
    rejects({ updateEvery: 1, jitterMs: 1000 }, 'ERR_CONFIG_RANGE', '999');
  });

  it('remote write headers as text, object or pairs; reserved and repeated names are refused', () => {
    const type = 'prometheus_remote_write';
    const forms: BackendOptions['remoteWriteHeaders'][] = ['A: 1; B-2: x y', { A: '1', 'B-2': 'x y' }, [['A', '1'], ['B-2', 'x y']]];
    for (const h of forms) {
      const { r } = resolve({ type, remoteWriteHeaders: h });
      assert.deepStrictEqual(r.remoteWriteHeaders.map((x) => [x.name, x.value.reveal()]), [['A', '1'], ['B-2', 'x y']]);
      assert.ok(Object.isFrozen(r.remoteWriteHeaders));
    }
    rejects({ remoteWriteHeaders: 'Content-Length: 5' }, 'ERR_CONFIG_BAD_VALUE', "'Content-Length' is set by the transport");
    rejects({ remoteWriteHeaders: 'a: 1; A: 2' }, 'ERR_CONFIG_BAD_VALUE', "'A' is given twice");
    rejects({ remoteWriteHeaders: { 'X-Token': 'v\r\nInjected: 1' } }, 'ERR_CONFIG_BAD_VALUE', "'X-Token'", 'CR or LF');
    rejects({ remoteWriteHeaders: [['A']] as never }, 'ERR_CONFIG_OPTION', 'pair');
    rejects({ remoteWriteHeaders: 5 as never }, 'ERR_CONFIG_OPTION');
  });

  it('secrets: strings become Secret objects that render as <redacted>', () => {
    const { r } = resolve({
      type: 'prometheus_remote_write', remoteWriteUsername: 'u', remoteWritePassword: 'pw-SECRET',
      remoteWriteHeaders: { Authorization: 'Bearer tok-SECRET' },
    });
    assert.ok(r.remoteWritePassword instanceof Secret);
    assert.strictEqual(r.remoteWritePassword.reveal(), 'pw-SECRET');
    for (const s of [String(r), JSON.stringify(r), inspect(r, { depth: 5 }), `${r.remoteWritePassword}`]) assert.ok(!s.includes('SECRET'), s);
    const given = new Secret('x');
    assert.strictEqual(resolve({ remoteWriteUsername: 'u', remoteWritePassword: given }).r.remoteWritePassword, given);
    assert.strictEqual(resolve({ remoteWritePassword: '' }).r.remoteWritePassword, null);
    const e = rejects({ remoteWritePassword: 'pw-SECRET' }, 'ERR_CONFIG_BAD_VALUE', 'needs a user name');
    assert.ok(!e.message.includes('SECRET'));
    const e2 = rejects({ remoteWriteHeaders: 'tok-SECRET' }, 'ERR_CONFIG_BAD_VALUE', '<redacted>');
    assert.ok(!e2.message.includes('SECRET'));
  });

  it('kinesis: an enabled instance needs a stream name; credentials are redacted', () => {
    rejects({ enabled: true, type: 'kinesis' }, 'ERR_CONFIG_KINESIS', 'stream name is a mandatory Kinesis parameter');
    rejects({ enabled: true, type: 'kinesis', kinesisCredentials: { accessKeyId: null, secretAccessKey: null, streamName: '' } }, 'ERR_CONFIG_KINESIS');
    assert.strictEqual(resolve({ enabled: false, type: 'kinesis' }).r.kinesisCredentials, null);
    const { r, warnings } = resolve({
      enabled: true, type: 'kinesis', kinesisCredentials: { accessKeyId: 'AKIA', secretAccessKey: 'sk-SECRET' as never, streamName: 's' },
    });
    assert.strictEqual(r.kinesisCredentials?.secretAccessKey?.reveal(), 'sk-SECRET');
    assert.ok(!JSON.stringify(r).includes('SECRET') && !inspect(r, { depth: 5 }).includes('SECRET'));
    assert.deepStrictEqual(warnings, []);
    const half = resolve({ enabled: true, type: 'kinesis', kinesisCredentials: { accessKeyId: 'AKIA', secretAccessKey: null, streamName: 's' } });
    assert.deepStrictEqual(half.warnings.map((w) => w.code), ['WARN_CONFIG_FALLBACK']);
    const bad = rejects({ type: 'kinesis', kinesisCredentials: { streamName: 5, secretAccessKey: 'sk-SECRET' } }, 'ERR_CONFIG_OPTION', 'streamName');
    assert.ok(!bad.message.includes('SECRET'));
  });

  it('toString is the reference "configured" text without secrets', () => {
    const r = resolveBackendOptions({ enabled: true, type: 'json', destination: 'j:5448', hostname: 'web', prefix: 'nd', updateEvery: 3 });
    assert.strictEqual(String(r), "backend: 'json' on 'j:5448' sending 'average' data, every 3 seconds, as host 'web', with prefix 'nd'");
  });
});
