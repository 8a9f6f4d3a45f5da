// Hostile input to the parsers and the collection API (issue 8): any bytes (control characters, invalid
// UTF-8, lone surrogates), 10 MB strings, and collected values at and beyond the int64 limits, NaN, ±Inf.
// Properties: nothing but the module's own typed error (with its stable code) ever escapes, the work is
// linear (a 10 MB input takes a bounded time, no stack overflow), and what is accepted keeps its promises.
// The small-input properties of these parsers live in config.test.ts, simple-pattern.test.ts and
// transport-destination.test.ts; this file adds the sizes and byte mixes they do not generate.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { ConfigError, loadBackendConfigSync, parseBackendConfig } from '../lib/exporter/config';
import { FormatBuffer, LineFormatter } from '../lib/formats';
import { SimplePattern } from '../lib/formats/simple-pattern';
import { ChartFilter, HostFilter } from '../lib/formats/simple-pattern-filters';
import { getKernel, kernel } from '../lib/kernels';
import type { Kernel } from '../lib/kernels/types';
import { RrdDatabase, RrdError } from '../lib/rrd';
import { DestinationError, parseDestinationList } from '../lib/transport';

const MB10 = 10 * 1024 * 1024;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** `unit` repeated to `bytes` UTF-16 code units (close enough to bytes for the purpose: big). */
const big = (unit: string, bytes = MB10): string => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);

// 10 MB strings, each built once: every byte class the parsers branch on, in long runs.
const HUGE: Record<string, string> = {
  letters: big('a'),
  controls: big('\u0000\u0001\u001f\u007f\t\u000b\f'),
  newlines: big('\r\n'),
  surrogates: big('\ud800x\udc00'),
  invalidUtf8: Buffer.from(big('\xff\xfe\xc3'), 'latin1').toString('utf8'),
  quotes: big('"\\{}=;:'),
};
// Inputs made of millions of tiny items (pattern pieces, words, destination entries) cost about a
// microsecond per item, so they are 1 MB: 350,000 to 500,000 items, far beyond the ~10,000 levels at which
// a recursion per item overflows the stack (SimplePattern's did, see the simple-pattern test below).
const DENSE: Record<string, string> = {
  stars: big('a*', 1 << 20),
  escapes: big('\\*!', 1 << 20),
  separators: big(' ,:[]%', 1 << 20),
  words: big('h1 ', 1 << 20),
  v6: big('[::1]:1,', 1 << 20),
};
const ALL = { ...HUGE, ...DENSE };

/** Milliseconds of `fn`; a 10 MB input must be handled in linear time (generous bound for a busy CI). */
function timed<T>(what: string, fn: () => T, limitMs = 8000): T {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  assert.ok(ms < limitMs, `${what} took ${ms.toFixed(0)} ms (> ${limitMs} ms): not linear in the input size`);
  return r;
}

function onlyConfigErrors(fn: () => void): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    assert.match(e.code, /^ERR_CONFIG_[A-Z_]+$/);
    return 'error';
  }
}

describe('hostile input: configuration parser (SPEC §5.2)', () => {
  it('10 MB sections, keys, values and lines: only ConfigError, accepted options keep their promises', () => {
    const positions = (h: string): string[] => [
      `[${h}]\n`,
      `[backend:${h}]\n`,
      `[backend]\n${h}\n`,
      `[backend]\n${h} = yes\n`,
      `[backend]\nenabled = yes\ndestination = localhost\nprefix = ${h}\n`,
      `[backend]\nenabled = yes\ndestination = localhost\nhostname = ${h}\n`,
      `[backend]\nenabled = yes\ndestination = localhost\nhost tags = ${h}\n`,
      `[backend]\nenabled = yes\ndestination = ${h}\n`,
      `[backend]\nenabled = yes\ndestination = localhost\nsend charts matching = ${h}\n`,
      `[backend]\nenabled = yes\ndestination = localhost\nsend hosts matching = ${h}\n`,
      `[backend]\nenabled = ${h}\nupdate every = ${h}\ntype = ${h}\ndata source = ${h}\n`,
      `[global]\nhostname = ${h}\n[backend]\nenabled = yes\ndestination = localhost\n`,
      `# ${h}\n[backend]\n`,
    ];
    let ok = 0;
    let errors = 0;
    const kinds = Object.entries(HUGE);
    // Every position with one of the 10 MB kinds (rotating), and the dense kinds in the pattern and
    // destination positions, where they make millions of items.
    const cases: Array<[string, string]> = [];
    positions('').forEach((_, i) => {
      const [name, h] = kinds[i % kinds.length] as [string, string];
      cases.push([name, positions(h)[i] as string]);
    });
    Object.entries(DENSE).forEach(([name, h], i) => cases.push([name, positions(h)[7 + (i % 3)] as string]));
    {
      for (const [name, text] of cases) {
        const r = onlyConfigErrors(() => {
          const cfg = timed(`parsing a huge ${name} config`, () => parseBackendConfig(text, { kinesisConfText: 'stream name = s' }));
          for (const inst of cfg.instances) {
            // config-options.ts: these end up in every line, so NUL, CR and LF are refused there.
            for (const v of [inst.prefix, inst.hostname, inst.hostTags ?? '']) assert.ok(!/[\u0000\r\n]/.test(v), 'no line breaker in an accepted option');
            assert.ok(Number.isInteger(inst.updateEvery) && inst.updateEvery >= 1);
          }
        });
        if (r === 'ok') ok++;
        else errors++;
      }
    }
    // Both outcomes happened (the inputs reach the validation, not only the syntax check).
    assert.ok(ok > 3 && errors > 3, `ok=${ok} errors=${errors}`);
  });

  it('control characters in every position: accepted prefix, hostname and host tags never hold NUL, CR or LF', () => {
    const text = fc.string({ unit: fc.constantFrom('\u0000', '\r', '\u000b', '\u001f', '\u007f', '\t', ' ', 'a', '=', '[', ']', '\ud800', 'é'), maxLength: 8 });
    const position = fc.constantFrom('prefix', 'hostname', 'host tags', 'opentsdb host tags', 'global');
    let accepted = 0;
    fc.assert(fc.property(position, text, (pos, v) => {
      const conf = pos === 'global'
        ? `[global]\nhostname = ${v}\n[backend]\nenabled = yes\ndestination = localhost\n`
        : `[backend]\nenabled = yes\ndestination = localhost\n${pos} = ${v}\n`;
      if (onlyConfigErrors(() => {
        const inst = parseBackendConfig(conf).instances[0];
        assert.ok(inst !== undefined);
        for (const s of [inst.prefix, inst.hostname, inst.hostTags ?? '']) assert.ok(!/[\u0000\r\n]/.test(s), `${pos} = ${JSON.stringify(v)} was accepted as ${JSON.stringify(s)}`);
      }) === 'ok') accepted++;
    }), { numRuns: 400 });
    assert.ok(accepted > 100, `most values are accepted (${accepted})`);
  });

  it('any bytes in a file, invalid UTF-8 included: only ConfigError, read with a warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrdb-hostile-'));
    try {
      const file = path.join(dir, 'netdata.conf');
      const line = fc.oneof(
        fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
        fc.constantFrom('[backend]', '[backend:x]', 'enabled = yes', 'destination = localhost', 'type = json', 'prefix = \xff\xfe')
          .map((s) => Buffer.from(s, 'latin1')),
      );
      let invalid = 0;
      fc.assert(fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
        const bytes = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        fs.writeFileSync(file, bytes);
        onlyConfigErrors(() => {
          const cfg = loadBackendConfigSync(file, { unknownKeys: 'warn' });
          let valid = true;
          try { new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch { valid = false; }
          if (!valid) {
            invalid++;
            assert.ok(cfg.warnings.some((w) => w.code === 'WARN_CONFIG_ENCODING'), 'invalid UTF-8 is reported');
          }
        });
      }), { numRuns: 200 });
      assert.ok(invalid > 20, `invalid UTF-8 files were generated (${invalid})`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hostile input: destination parser (SPEC §5.10)', () => {
  it('10 MB lists of every byte class: a list of destinations or a DestinationError, in linear time', () => {
    let ok = 0;
    for (const [name, h] of Object.entries({ ...ALL, unix: 'unix:/' + HUGE.letters, port: 'h:' + big('9') })) {
      try {
        const list = timed(`parsing a huge ${name} destination`, () => parseDestinationList(h, { defaultPort: 2003 }));
        assert.ok(list.length > 0);
        for (const d of list) assert.ok(d.protocol === 'unix' || (d.port !== null || d.service !== null), 'every network entry has a port');
        ok++;
      } catch (e) {
        if (!(e instanceof DestinationError)) throw e;
        assert.match(e.code, /^ERR_DESTINATION_[A-Z]+$/);
      }
    }
    assert.ok(ok >= 2, `some huge lists were valid (${ok})`);
  });
});

describe('hostile input: simple patterns (SPEC §6)', () => {
  it('10 MB patterns and subjects: never throw, no stack overflow, linear time', () => {
    // Subjects as bytes: matches() takes them as the C code would see them (no per-call UTF-8 encoding).
    const subjects = [HUGE.letters, DENSE.stars, HUGE.controls, HUGE.invalidUtf8, 'a', 'system.cpu']
      .map((s) => Buffer.from(s as string, 'utf8'));
    let matched = 0;
    for (const [name, text] of Object.entries(ALL)) {
      const p = timed(`parsing a huge ${name} pattern`, () => SimplePattern.parse(text));
      assert.strictEqual(typeof p.isNull, 'boolean');
      for (const s of subjects) {
        if (timed(`matching a ${name} pattern`, () => p.matches(s))) matched++;
      }
      assert.strictEqual(typeof new ChartFilter(p).allows('a'.repeat(1000), HUGE.letters), 'boolean');
      assert.strictEqual(typeof new HostFilter(p).allows(HUGE.quotes, false), 'boolean');
    }
    // Huge subjects against ordinary patterns.
    for (const pattern of ['*a*', 'a*a*a*a*b', '!*\u0000* *', '*' + 'a*'.repeat(2000), 'x* *y *z*']) {
      const p = SimplePattern.parse(pattern);
      for (const s of subjects) if (timed(`matching ${JSON.stringify(pattern.slice(0, 20))}`, () => p.matches(s))) matched++;
    }
    assert.ok(matched > 5, `some matched (${matched})`);
  });

  it('a chain of N pieces matches exactly when the subject has the N literals in order', () => {
    // Long chains compared with a direct statement of the rule: prefix "a", then "b" N times, then suffix.
    fc.assert(fc.property(fc.integer({ min: 1, max: 50000 }), fc.boolean(), (n, complete) => {
      const pattern = 'a' + '*b'.repeat(n) + '*z';
      const subject = 'a' + 'xb'.repeat(complete ? n : n - 1) + 'yz';
      assert.strictEqual(SimplePattern.parse(pattern).matches(subject), complete);
    }), { numRuns: 20 });
  });
});

// ---- values into the database's collection API (SPEC §1.3, §1.5) ----------------------------------------

const validValue = fc.oneof(
  fc.constantFrom(INT64_MIN, INT64_MAX, INT64_MIN + 1n, INT64_MAX - 1n, 0n, -1n, 1n, 2n ** 53n, -(2n ** 53n)),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
);
const invalidValue = fc.oneof(
  fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 0.5, -0.5, 2 ** 53, -(2 ** 63), 1e300, Number.MIN_VALUE, '1', null, undefined, {}, [1]),
  fc.bigInt({ min: INT64_MAX + 1n, max: 2n ** 70n }),
  fc.bigInt({ min: -(2n ** 70n), max: INT64_MIN - 1n }),
  fc.double({ noInteger: true }),
);
const dimArb = fc.record({
  algorithm: fc.constantFrom('absolute', 'incremental', 'percentage-of-incremental-row', 'percentage-of-absolute-row') as fc.Arbitrary<'absolute'>,
  multiplier: fc.oneof(fc.constantFrom(1, -1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0), fc.integer()),
  divisor: fc.oneof(fc.constantFrom(1, -1, Number.MAX_SAFE_INTEGER, 0), fc.integer()),
  detectResets: fc.boolean(),
});
const stepArb = fc.record({
  values: fc.array(fc.oneof({ weight: 4, arbitrary: validValue.map((v) => ({ v, ok: true })) }, { weight: 1, arbitrary: invalidValue.map((v) => ({ v, ok: false })) }), { minLength: 3, maxLength: 3 }),
  // Seconds since the previous step: regular, late, early (clock going back), and gaps beyond the ring.
  dt: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 3 }), fc.constant(-5), fc.integer({ min: 10, max: 40 })),
  usec: fc.integer({ min: 0, max: 999_999 }),
});

const T0 = 1_700_000_000;

interface Collected { db: RrdDatabase; before: number; invalidRefused: number }

function collect(k: Kernel, dims: Array<{ algorithm: 'absolute'; multiplier: number; divisor: number; detectResets: boolean }>, steps: Array<{ values: Array<{ v: unknown; ok: boolean }>; dt: number; usec: number }>): Collected {
  const db = new RrdDatabase({ hostname: 'h', entries: 16, updateEvery: 1, kernel: k });
  const chart = db.localhost.createChart({ type: 'hostile', id: 'values' });
  chart.addDimensions(dims.map((d, i) => ({ id: `d${i}`, ...d })));
  let t = T0;
  let refused = 0;
  for (const s of steps) {
    t += s.dt;
    const us = t * 1e6 + s.usec;
    dims.forEach((_, i) => {
      const { v, ok } = s.values[i] as { v: unknown; ok: boolean };
      try {
        chart.set(i, v as bigint, us);
        assert.ok(ok, `set() accepted ${String(v)}`);
      } catch (e) {
        if (!(e instanceof RrdError)) throw e;
        assert.ok(!ok, `set() refused the valid value ${String(v)}: ${e.message}`);
        assert.strictEqual(e.code, 'ERR_RRD_BAD_VALUE');
        refused++;
      }
    });
    chart.done(us);
  }
  return { db, before: t + 1, invalidRefused: refused };
}

describe('hostile input: collected values into the database (SPEC §1.3, §1.5, §2)', () => {
  it('int64 extremes are stored, NaN/±Inf/fractions/out-of-range are ERR_RRD_BAD_VALUE; every slot unpacks finite and both kernels store the same words', () => {
    let native: Kernel | null = null;
    try { native = getKernel('native'); } catch { /* fallback-only build: the differential half is skipped below */ }
    let refused = 0;
    let words = 0;
    fc.assert(fc.property(fc.array(dimArb, { minLength: 3, maxLength: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 30 }), (dims, steps) => {
      const a = collect(getKernel('fallback'), dims, steps);
      refused += a.invalidRefused;
      const chart = a.db.localhost.charts[0];
      assert.ok(chart !== undefined);
      for (const w of chart.ring) {
        const x = kernel.unpack(w);
        assert.ok(Number.isFinite(x), `slot 0x${w.toString(16)} unpacks to ${x}`);
        if (w !== 0) words++;
      }
      if (native !== null) {
        const b = collect(native, dims, steps);
        const chartB = b.db.localhost.charts[0];
        assert.ok(chartB !== undefined);
        assert.deepStrictEqual(Array.from(chartB.ring), Array.from(chart.ring), 'native and fallback pack the same storage numbers');
      }
    }), { numRuns: 150 });
    assert.ok(refused > 20 && words > 500, `invalid values were offered (${refused}) and slots were stored (${words})`);
  });

  it('what was collected formats as valid graphite lines in every data source (no nan, no inf, no exponent)', () => {
    fc.assert(fc.property(fc.array(dimArb, { minLength: 3, maxLength: 3 }), fc.array(stepArb, { minLength: 1, maxLength: 20 }), (dims, steps) => {
      const { db, before } = collect(kernel, dims, steps);
      const chart = db.localhost.charts[0];
      assert.ok(chart !== undefined);
      for (const source of ['as-collected', 'average', 'sum'] as const) {
        const fmt = new LineFormatter({ format: 'graphite', source, prefix: 'p', sendNames: false });
        const out = new FormatBuffer(64);
        const n = fmt.formatChart(fmt.host('h', null), chart, before - 20, before, out, -Infinity);
        const lines = out.view().toString('latin1').split('\n');
        assert.strictEqual(lines.pop(), '');
        assert.strictEqual(lines.length, n);
        const value = source === 'as-collected' ? '-?\\d{1,19}' : '-?\\d+\\.\\d{7}';
        for (const line of lines) assert.match(line, new RegExp(`^p\\.h\\.hostile\\.values\\.d[0-2] ${value} \\d+$`));
      }
    }), { numRuns: 100 });
  });
});
