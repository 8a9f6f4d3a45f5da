// The `file:PATH` destination: parsing, rotation by size on line boundaries, the FileSink's accounting
// against the send queue, and an exporter instance writing real graphite lines to a file.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BackendInstance } from '../lib/exporter/backend-instance';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { SendQueue } from '../lib/exporter/send-queue';
import { FileSink } from '../lib/exporter/sinks/file';
import { RrdDatabase } from '../lib/rrd';
import { FILE_DESTINATION_DEFAULTS, isFileDestination, parseFileDestination, RotatingFileWriter } from '../lib/transport/file-destination';

const lines = (prefix: string, n: number, width = 20): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(width - prefix.length - 1, '0')}\n`).join(''));

describe('file destination: parsing', () => {
  it('accepts file:PATH with rotate/keep and resolves relative paths', () => {
    const d = parseFileDestination('file:out/x.txt?rotate=2m&keep=5', '/base');
    assert.deepStrictEqual({ ...d }, { protocol: 'file', path: '/base/out/x.txt', rotateBytes: 2 * 1024 * 1024, keep: 5, text: 'file:out/x.txt?rotate=2m&keep=5' });
    const plain = parseFileDestination('file:/tmp/a');
    assert.strictEqual(plain.rotateBytes, FILE_DESTINATION_DEFAULTS.rotateBytes);
    assert.strictEqual(plain.keep, FILE_DESTINATION_DEFAULTS.keep);
    assert.strictEqual(parseFileDestination('file:/tmp/a?rotate=0').rotateBytes, 0);
    assert.ok(isFileDestination(' file:/x') && !isFileDestination('localhost:2003'));
  });

  for (const [text, why] of [
    ['file:', /has no path/], ['file:/tmp/', /names a directory/], ['file:/tmp/a?rotate=12q', /is not a size/],
    ['file:/tmp/a?rotate=100', /below 1024 bytes/], ['file:/tmp/a?keep=101', /keep=/], ['file:/tmp/a?color=red', /unknown parameter/],
    ['file:/tmp/a?keep=1&keep=2', /twice/], ['file:/tmp/a,localhost', /must be the only entry/], ['tcp:x:1', /not a file destination/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)} naming the problem and the syntax`, () => {
      assert.throws(() => parseFileDestination(text), (e: Error & { code?: string }) => {
        assert.strictEqual(e.code, 'ERR_DESTINATION_PATH');
        assert.match(e.message, why);
        return true;
      });
    });
  }
});

describe('file destination: rotation', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-file-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rotates before passing the size, only after whole lines, keeping N old files', async () => {
    const file = path.join(dir, 'm.txt');
    const w = new RotatingFileWriter(parseFileDestination(`file:${file}?rotate=1k&keep=2`));
    const all: Buffer[] = [];
    // 6 chunks of 30 lines × 20 bytes = 600 bytes each: 3600 bytes through files of at most 1024 bytes.
    for (let k = 0; k < 6; k++) {
      const chunk = lines(`c${k}_`, 30);
      all.push(chunk);
      const r = await w.write(chunk);
      assert.strictEqual(r.error, null);
      assert.strictEqual(r.bytesWritten, chunk.length);
    }
    await w.close();
    const names = fs.readdirSync(dir).sort();
    assert.deepStrictEqual(names, ['m.txt', 'm.txt.1', 'm.txt.2']);
    for (const n of names) {
      const b = fs.readFileSync(path.join(dir, n));
      assert.ok(b.length <= 1024, `${n} has ${b.length} bytes`);
      assert.strictEqual(b[b.length - 1], 0x0a, `${n} ends inside a line`);
    }
    // 3600 bytes in files of 1020 bytes (51 lines): 1020 + 1020 + 1020 + 540, three rotations; with two old
    // files kept, the first 1020 bytes were dropped.
    assert.strictEqual(w.rotations, 3);
    const kept = Buffer.concat(['m.txt.2', 'm.txt.1', 'm.txt'].map((n) => fs.readFileSync(path.join(dir, n))));
    assert.ok(Buffer.concat(all).subarray(1020).equals(kept), 'the newest data, in order, without gaps');
  });

  it('a line longer than the limit goes whole into a file of its own', async () => {
    const file = path.join(dir, 'big.txt');
    const w = new RotatingFileWriter(parseFileDestination(`file:${file}?rotate=1k&keep=1`));
    await w.write(Buffer.from('small\n'));
    const long = Buffer.from(`${'x'.repeat(3000)}\n`);
    const r = await w.write(long);
    await w.close();
    assert.strictEqual(r.rotations, 1);
    assert.strictEqual(fs.readFileSync(file).length, long.length);
    assert.strictEqual(fs.readFileSync(`${file}.1`, 'utf8'), 'small\n');
  });
});

describe('file destination: FileSink and an exporter instance', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-fsink-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const log = (): void => undefined;

  it('writes the queue, counts sent metrics and bytes, and keeps the ledger balanced', async () => {
    const o = resolveBackendOptions({ enabled: true, type: 'graphite', destination: `file:${path.join(dir, 'q.txt')}` });
    const sink = await FileSink.create(o, log, 'BACKEND:');
    const q = new SendQueue();
    const a = lines('a', 10);
    const b = lines('b', 5);
    q.pushLines(1, a, 10);
    q.pushLines(2, b, 5);
    const r = await sink.flush(q, performance.now() + 5000);
    assert.deepStrictEqual([r.sentMetrics, r.sentBytes, r.successes, r.failures, r.complete], [15, a.length + b.length, 1, 0, true]);
    assert.strictEqual(sink.takeIoCounters().reconnects, 1);
    q.check();
    await sink.close();
    assert.ok(fs.readFileSync(path.join(dir, 'q.txt')).equals(Buffer.concat([a, b])));
  });

  it('a write failure is a failed iteration that keeps the data queued', async () => {
    const file = path.join(dir, 'sub', 'q.txt');
    fs.mkdirSync(path.dirname(file));
    const o = resolveBackendOptions({ enabled: true, type: 'json', destination: `file:${file}` });
    const sink = await FileSink.create(o, log, 'BACKEND:');
    await sink.close();
    // The directory disappears: reopening fails (ENOENT).
    fs.rmSync(path.dirname(file), { recursive: true });
    const q = new SendQueue();
    q.pushLines(1, lines('z', 4), 4);
    const r = await sink.flush(q, performance.now() + 5000);
    assert.deepStrictEqual([r.sentMetrics, r.failures, r.complete], [0, 1, false]);
    assert.match(String(r.error?.message), /ENOENT|no such file/);
    assert.strictEqual(q.metrics, 4);
    q.check();
  });

  it('refuses a non-line type and an unopenable path at start', async () => {
    const rw = resolveBackendOptions({ enabled: true, type: 'prometheus_remote_write', destination: 'file:/tmp/x' });
    await assert.rejects(FileSink.create(rw, log, 'BACKEND:'), (e: Error & { code?: string }) => e.code === 'ERR_EXPORTER_OPTION' && /cannot write to a file/.test(e.message));
    const bad = resolveBackendOptions({ enabled: true, type: 'graphite', destination: `file:${path.join(dir, 'missing', 'x.txt')}` });
    await assert.rejects(FileSink.create(bad, log, 'BACKEND:'), (e: Error & { code?: string }) => e.code === 'ERR_TRANSPORT_WRITE' && /cannot open/.test(e.message));
  });

  it('an exporter instance writes the graphite lines of the database to the file', async () => {
    const db = new RrdDatabase({ hostname: 'box', updateEvery: 1, entries: 60 });
    const chart = db.localhost.createChart({ type: 'test', id: 'gauge', units: 'things' });
    chart.addDimensions(['a', 'b']);
    const T = 1_700_000_000;
    for (let t = 0; t < 20; t++) {
      chart.set('a', 10, (T + t) * 1e6);
      chart.set('b', 20, (T + t) * 1e6);
      chart.done((T + t) * 1e6);
    }
    const file = path.join(dir, 'g.txt');
    const o = resolveBackendOptions({ enabled: true, type: 'graphite', destination: `file:${file}`, updateEvery: 10, hostname: 'box' });
    const inst = new BackendInstance(db, o, { sink: await FileSink.create(o, log, 'BACKEND:'), manual: true, monitoring: false, logger: log, clock: { nowMs: () => T * 1000, monotonicMs: () => performance.now(), setTimeout, clearTimeout } });
    await inst.start();
    const c = await inst.runOnce(T + 19);
    await inst.stop();
    const got = fs.readFileSync(file, 'utf8').trim().split('\n');
    // Window [T, T+19]: slots T−2 … T+16 stored (SPEC §3.1), averages of constant values, reported at T+16.
    assert.deepStrictEqual(got, [`netdata.box.test.gauge.a 10.0000000 ${T + 16}`, `netdata.box.test.gauge.b 20.0000000 ${T + 16}`]);
    assert.deepStrictEqual([c.bufferedMetrics, c.sentMetrics, c.remainingMetrics], [2, 2, 0]);
  });
});
