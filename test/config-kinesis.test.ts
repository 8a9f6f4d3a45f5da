// aws_kinesis.conf (SPEC §5.14): trimming, comments, quotes, exact keys, later duplicates win, a mandatory
// stream name, and warnings that never quote a line (it may hold a key).
import * as assert from 'assert';
import { inspect } from 'util';
import { ConfigError, ConfigWarning, parseKinesisConf } from '../lib/exporter/config';

function parse(text: string) {
  const warnings: ConfigWarning[] = [];
  const c = parseKinesisConf(text, '/etc/netdata/aws_kinesis.conf', (w) => warnings.push(w));
  return { c, warnings, id: c.accessKeyId, secret: c.secretAccessKey?.reveal() ?? null, stream: c.streamName };
}

describe('aws_kinesis.conf', () => {
  it('reads the three keys; the shipped empty keys mean the default credential chain', () => {
    const a = parse('# AWS credentials\naws_access_key_id = AKIA123\naws_secret_access_key = abc/def+ghi\nstream name = netdata\n');
    assert.deepStrictEqual([a.id, a.secret, a.stream, a.warnings.length], ['AKIA123', 'abc/def+ghi', 'netdata', 0]);
    const b = parse('aws_access_key_id =\naws_secret_access_key =\nstream name = s\n');
    assert.deepStrictEqual([b.id, b.secret, b.stream], [null, null, 's']);
  });

  it('trims lines, names and values (C whitespace only); CRLF works', () => {
    const a = parse('  \t stream name \t=\t my stream \r\n\r\n   # comment = x\r\n');
    assert.strictEqual(a.stream, 'my stream');
    assert.deepStrictEqual(a.warnings, []);
  });

  it('quotes: the first char decides, one trailing quote of either kind is removed', () => {
    const q = (v: string) => parse(`stream name = s\naws_access_key_id = ${v}\n`).id;
    assert.strictEqual(q('"abc"'), 'abc');
    assert.strictEqual(q("'abc'"), 'abc');
    assert.strictEqual(q('"abc\''), 'abc');
    assert.strictEqual(q('"abc'), 'abc');
    assert.strictEqual(q('abc"'), 'abc"');
    assert.strictEqual(q('" a b "'), ' a b ');
    assert.strictEqual(q('"'), null);
    assert.strictEqual(q('""'), null);
    assert.strictEqual(q('"a"b"'), 'a"b');
  });

  it('keys are exact; unknown keys and lines without = are ignored with warnings that do not quote the line', () => {
    const a = parse('Stream Name = x\nstream name = s\nAKIA-SECRET-LINE\naws_secret_access_key: nope-SECRET\n= v\nregion = eu\n');
    assert.strictEqual(a.stream, 's');
    assert.deepStrictEqual(a.warnings.map((w) => [w.code, w.line]), [
      ['WARN_CONFIG_UNKNOWN_KEY', 1], ['WARN_CONFIG_IGNORED_LINE', 3], ['WARN_CONFIG_IGNORED_LINE', 4], ['WARN_CONFIG_IGNORED_LINE', 5],
      ['WARN_CONFIG_UNKNOWN_KEY', 6],
    ]);
    for (const w of a.warnings) {
      assert.ok(!w.message.includes('SECRET'), w.message);
      assert.ok(w.message.startsWith('/etc/netdata/aws_kinesis.conf:'), w.message);
    }
    assert.ok(a.warnings[4].message.includes("'region'"));
  });

  it('later duplicates win', () => {
    assert.strictEqual(parse('stream name = a\nstream name = b\n').stream, 'b');
  });

  it('a missing or empty stream name is ERR_CONFIG_KINESIS naming the file', () => {
    for (const t of ['', 'aws_access_key_id = AKIA\naws_secret_access_key = sk-SECRET\n', 'stream name =\n', "stream name = ''\n"]) {
      assert.throws(() => parse(t), (e: unknown) => e instanceof ConfigError && e.code === 'ERR_CONFIG_KINESIS'
        && e.message.includes('/etc/netdata/aws_kinesis.conf') && e.message.includes('stream name is a mandatory Kinesis parameter')
        && !e.message.includes('SECRET') && !inspect(e).includes('SECRET'));
    }
  });

  it('the secret is a Secret: redacted in JSON and inspect', () => {
    const { c } = parse('aws_secret_access_key = sk-SECRET\nstream name = s\n');
    assert.ok(!JSON.stringify(c).includes('SECRET'));
    assert.ok(!inspect(c).includes('SECRET'));
    assert.strictEqual(c.secretAccessKey?.reveal(), 'sk-SECRET');
  });
});
