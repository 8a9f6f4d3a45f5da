// Value syntax of netdata.conf (SPEC §5.2, §5.3): strtoll against glibc itself, C trimming, boolean
// words, the data source and type tables.
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import fc from 'fast-check';
import {
  BACKEND_TYPES, DATA_SOURCE_SPELLINGS, backendTypeInfo, cTrim, closest, parseBooleanWord, parseDataSource, strtoll,
} from '../lib/exporter/config-values';

/** glibc strtoll(s, &end, 0) through Python's ctypes: [value as decimal text, end offset] per input. */
function glibcStrtoll(inputs: string[]): [string, number][] | null {
  const script = [
    'import ctypes, json, sys',
    'libc = ctypes.CDLL(None)',
    'f = libc.strtoll',
    'f.restype = ctypes.c_longlong',
    'f.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int]',
    'out = []',
    'for s in json.load(sys.stdin):',
    '    b = ctypes.create_string_buffer(s.encode("ascii"))',
    '    end = ctypes.c_char_p()',
    '    v = f(b, ctypes.byref(end), 0)',
    '    off = ctypes.cast(end, ctypes.c_void_p).value - ctypes.addressof(b)',
    '    out.append([str(v), off])',
    'json.dump(out, sys.stdout)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8', timeout: 20000 });
  if (r.error !== undefined || r.status !== 0) return null;
  return JSON.parse(r.stdout) as [string, number][];
}

describe('config values', () => {
  describe('strtoll (SPEC §5.2 numbers)', () => {
    it('the documented quirks: base prefixes, trailing garbage, non-numeric, overflow', () => {
      const v = (s: string) => strtoll(s).value;
      assert.strictEqual(v('0x10'), 16n);
      assert.strictEqual(v('0X1f'), 31n);
      assert.strictEqual(v('010'), 8n);
      assert.strictEqual(v('08'), 0n);
      assert.strictEqual(strtoll('08').rest, '8');
      assert.strictEqual(v('10s'), 10n);
      assert.strictEqual(strtoll('10s').rest, 's');
      assert.strictEqual(v('-0x10'), -16n);
      assert.strictEqual(v('+7'), 7n);
      assert.strictEqual(v(' \t42'), 42n);
      const junk = strtoll('abc');
      assert.deepStrictEqual([junk.value, junk.numeric, junk.rest], [0n, false, 'abc']);
      assert.strictEqual(strtoll('').numeric, false);
      assert.strictEqual(strtoll('-').numeric, false);
      const zx = strtoll('0x');
      assert.deepStrictEqual([zx.value, zx.numeric, zx.rest], [0n, true, 'x']);
      const big = strtoll('99999999999999999999');
      assert.deepStrictEqual([big.value, big.overflow], [(1n << 63n) - 1n, true]);
      const small = strtoll('-99999999999999999999');
      assert.deepStrictEqual([small.value, small.overflow], [-(1n << 63n), true]);
      assert.deepStrictEqual([strtoll('-9223372036854775808').value, strtoll('-9223372036854775808').overflow], [-(1n << 63n), false]);
    });

    it('equals glibc strtoll(s, &end, 0) on thousands of generated inputs (value and end pointer)', function () {
      const alphabet = fc.constantFrom('0', '0', '1', '7', '8', '9', 'x', 'X', 'a', 'f', 'F', 'g', '+', '-', ' ', '\t', '\v', '.', 'e');
      const gen = fc.oneof(
        fc.array(alphabet, { maxLength: 8 }).map((a) => a.join('')),
        fc.tuple(fc.constantFrom('', '-', '+', ' -', '0x', '-0x', '0'), fc.array(fc.constantFrom('0', '1', '7', '9', 'f'), { minLength: 15, maxLength: 24 }))
          .map(([p, d]) => p + d.join('')),
      );
      const inputs = fc.sample(gen, { numRuns: 3000, seed: 20190627 });
      inputs.push('9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809',
        '0x7fffffffffffffff', '0x8000000000000000', '0777777777777777777777', '01000000000000000000000');
      const ref = glibcStrtoll(inputs);
      if (ref === null) {
        console.log('    SKIPPED: python3 with ctypes is not available to call glibc strtoll');
        this.skip();
      }
      let mismatches = 0;
      inputs.forEach((s, i) => {
        const r = strtoll(s);
        const end = s.length - r.rest.length;
        if (r.value.toString() !== ref[i][0] || end !== ref[i][1]) {
          mismatches++;
          if (mismatches < 5) console.log(`    ${JSON.stringify(s)}: ours ${r.value} end ${end}, glibc ${ref[i][0]} end ${ref[i][1]}`);
        }
      });
      assert.strictEqual(mismatches, 0);
    });
  });

  it('cTrim removes only C whitespace (a no-break space or BOM stays)', () => {
    assert.strictEqual(cTrim(' \t\r\n\v\f x y \r'), 'x y');
    assert.strictEqual(cTrim('\u00a0x\u00a0'), '\u00a0x\u00a0');
    assert.strictEqual(cTrim('\ufeffx'), '\ufeffx');
    assert.strictEqual(cTrim('   '), '');
  });

  it('boolean words (SPEC §5.2): yes/true/on/auto/on demand in any case; everything else is false', () => {
    for (const w of ['yes', 'YES', 'True', 'on', 'oN', 'auto', 'AUTO', 'on demand', 'On Demand']) {
      assert.deepStrictEqual(parseBooleanWord(w), { value: true, recognised: true }, w);
    }
    for (const w of ['no', 'NO', 'false', 'Off']) assert.deepStrictEqual(parseBooleanWord(w), { value: false, recognised: true }, w);
    for (const w of ['1', '0', 'enable', 'on  demand', 'y', '']) {
      assert.deepStrictEqual(parseBooleanWord(w), { value: false, recognised: false }, w);
    }
  });

  it('data source table (SPEC §5.3), case-sensitive', () => {
    const expected: Record<string, string> = {
      raw: 'as-collected', 'as collected': 'as-collected', 'as-collected': 'as-collected', as_collected: 'as-collected',
      ascollected: 'as-collected', average: 'average', sum: 'sum', volume: 'sum',
    };
    assert.deepStrictEqual({ ...DATA_SOURCE_SPELLINGS }, expected);
    for (const [k, v] of Object.entries(expected)) assert.strictEqual(parseDataSource(k), v);
    for (const k of ['Average', 'SUM', 'Raw', 'avg', '', 'toString', 'constructor']) assert.strictEqual(parseDataSource(k), null, k);
  });

  it('type table (SPEC §5.3 + TLS variants), case-sensitive, with default ports', () => {
    const info = (t: string) => {
      const i = backendTypeInfo(t);
      return i === null ? null : [i.protocol, i.tls, i.defaultPort];
    };
    assert.deepStrictEqual(info('graphite'), ['graphite', false, 2003]);
    assert.deepStrictEqual(info('graphite:plaintext'), ['graphite', false, 2003]);
    assert.deepStrictEqual(info('graphite:https'), ['graphite', true, 2003]);
    assert.deepStrictEqual(info('opentsdb'), ['opentsdb', false, 4242]);
    assert.deepStrictEqual(info('opentsdb:telnet'), ['opentsdb', false, 4242]);
    assert.deepStrictEqual(info('opentsdb:http'), ['opentsdb-http', false, 4242]);
    assert.deepStrictEqual(info('opentsdb:https'), ['opentsdb-http', true, 4242]);
    assert.deepStrictEqual(info('json'), ['json', false, 5448]);
    assert.deepStrictEqual(info('json:plaintext'), ['json', false, 5448]);
    assert.deepStrictEqual(info('json:https'), ['json', true, 5448]);
    assert.deepStrictEqual(info('prometheus_remote_write'), ['prometheus-remote-write', false, null]);
    assert.deepStrictEqual(info('prometheus_remote_write:https'), ['prometheus-remote-write', true, null]);
    assert.deepStrictEqual(info('kinesis'), ['kinesis', false, null]);
    assert.deepStrictEqual(info('kinesis:plaintext'), ['kinesis', false, null]);
    assert.strictEqual(Object.keys(BACKEND_TYPES).length, 14);
    for (const t of ['Graphite', 'OPENTSDB', 'opentsdb:HTTP', 'graphite ', 'prometheus', 'toString', '']) assert.strictEqual(info(t), null, t);
    assert.strictEqual(backendTypeInfo('prometheus_remote_write')?.logName, 'prometheus remote write');
  });

  it('closest(): typo hints', () => {
    assert.strictEqual(closest('update evry', ['update every', 'prefix']), 'update every');
    assert.strictEqual(closest('Remote Write URL Path', ['remote write URL path']), 'remote write URL path');
    assert.strictEqual(closest('completely different', ['prefix', 'type']), null);
  });
});
