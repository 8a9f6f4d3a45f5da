// Configuration reload (SIGHUP) without losing buffered data: the queue handover between an instance and
// its replacement, and the Agent's reload rules (unchanged instances keep running, a broken file changes
// nothing). The destination is a fake line receiver switched off and on (fault injection).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Agent } from '../lib/agent/agent';
import { handedTotals, pushInto, takeAll } from '../lib/agent/handover';
import { InstanceSet } from '../lib/agent/instances';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { SendQueue } from '../lib/exporter/send-queue';
import { RrdDatabase } from '../lib/rrd';
import { LineCollector, waitFor } from './support/fake-servers';

const quiet = (): void => undefined;

function filledDb(from: number, to: number): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'box', updateEvery: 1, entries: 600 });
  const chart = db.localhost.createChart({ type: 'test', id: 'c' });
  chart.addDimensions(['x', 'y', 'z']);
  for (let t = from; t <= to; t++) {
    chart.set('x', t % 7, t * 1e6);
    chart.set('y', 100, t * 1e6);
    chart.set('z', -3, t * 1e6);
    chart.done(t * 1e6);
  }
  return db;
}

describe('agent reload: queue handover', () => {
  it('takeAll/pushInto move lines and HTTP records with their metrics, both ledgers balanced', () => {
    const a = new SendQueue();
    a.pushLines(1, Buffer.from('l1\nl2\n'), 2);
    a.pushLines(2, Buffer.from('l3\n'), 1);
    const body = Buffer.from('[r1][r2,r3]');
    a.pushRecords(3, body, Float64Array.from([0, 4, 1, 4, 11, 2]), 2);
    const moved = takeAll(a);
    assert.deepStrictEqual(handedTotals(moved), { metrics: 6, bytes: 9 + body.length });
    assert.deepStrictEqual([a.metrics, a.bytes, a.length], [0, 0, 0]);
    a.check();
    const b = new SendQueue();
    b.pushLines(9, Buffer.from('own\n'), 1);
    pushInto(b, moved);
    b.check();
    assert.deepStrictEqual([b.metrics, b.bytes], [7, 4 + 9 + body.length]);
    // Order is kept: the receiving queue's own batch first, then the handed batches as they were.
    assert.deepStrictEqual(takeAll(b).map((x) => x.data.toString()), ['own\n', 'l1\nl2\n', 'l3\n', '[r1][r2,r3]']);
  });

  it('a changed instance hands its unsent lines to its replacement, which delivers them once', async function () {
    this.timeout(20_000);
    const now = Math.floor(Date.now() / 1000);
    const db = filledDb(now - 60, now + 60);
    // A port with nothing listening: the destination is down.
    const probe = await LineCollector.start();
    const port = probe.port;
    await probe.close();
    const set = new InstanceSet(db, { log: quiet, manual: true });
    const opts = (prefix: string) => resolveBackendOptions({ enabled: true, type: 'graphite', destination: `127.0.0.1:${port}`, prefix, hostname: 'box', updateEvery: 10, timeoutMs: 1000 });
    await set.start([opts('old')]);
    const old = set.instances[0]!;
    const c1 = await old.instance.runOnce(now + 10);
    assert.ok(c1.bufferedMetrics > 0 && c1.remainingMetrics === c1.bufferedMetrics, 'the first iteration stays buffered');
    // Reload with another prefix: the old instance is replaced at its next iteration boundary.
    const reloading = set.reload([opts('new')]);
    const c2 = await old.instance.runOnce(now + 20);
    const held = c2.remainingMetrics;
    assert.ok(held >= c1.bufferedMetrics, 'still failing: everything is held');
    const r = await reloading;
    assert.deepStrictEqual(r, { kept: 0, replaced: 1, added: 0, removed: 0 });
    assert.strictEqual(old.instance.running, false);
    assert.strictEqual(old.instance.totals.lostMetrics, 0, 'nothing was dropped by the old instance');
    const fresh = set.instances[0]!;
    assert.notStrictEqual(fresh, old);
    // The destination comes back; the new instance sends the handed-over lines first, then its own.
    const rx = await LineCollector.start({ port });
    try {
      const c3 = await fresh.instance.runOnce(now + 30);
      assert.strictEqual(c3.remainingMetrics, 0);
      assert.strictEqual(c3.sentMetrics, c3.bufferedMetrics);
      await rx.waitForLines(c3.sentMetrics);
      const oldLines = rx.lines.filter((l) => l.startsWith('old.'));
      const newLines = rx.lines.filter((l) => l.startsWith('new.'));
      assert.strictEqual(oldLines.length, held, 'every held line arrived');
      assert.strictEqual(oldLines.length + newLines.length, c3.sentMetrics);
      assert.deepStrictEqual(rx.duplicates(), []);
      assert.ok(rx.lines.indexOf(oldLines[oldLines.length - 1]!) < rx.lines.indexOf(newLines[0]!), 'the older data is sent first');
    } finally {
      await set.stop(1000);
      await rx.close();
    }
  });
});

describe('agent reload: configuration file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-reload-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const conf = (sections: string): string => `[global]\n  hostname = reload-box\n${sections}`;
  const section = (name: string, file: string, prefix: string): string =>
    `[${name}]\n  enabled = yes\n  type = graphite\n  destination = file:${path.join(dir, file)}\n  prefix = ${prefix}\n  update every = 1\n`;

  it('keeps unchanged instances, replaces changed ones, adds and removes, and ignores a broken file', async function () {
    this.timeout(20_000);
    const file = path.join(dir, 'netdata.conf');
    fs.writeFileSync(file, conf(section('backend', 'a.txt', 'a') + section('backend:two', 'b.txt', 'b') + section('backend:three', 'c.txt', 'c')));
    const logs: string[] = [];
    const agent = new Agent({ configFile: file, http: null, collectSystem: false, log: (l, m) => logs.push(`${l} ${m}`) });
    await agent.start();
    try {
      const [a, two, three] = agent.managed;
      assert.strictEqual(agent.status().hostname, 'reload-box');
      // [backend:two] changes its prefix, [backend:three] goes, [backend:four] comes.
      fs.writeFileSync(file, conf(section('backend', 'a.txt', 'a') + section('backend:two', 'b.txt', 'b2') + section('backend:four', 'd.txt', 'd')));
      assert.strictEqual(await agent.reload(), true);
      const names = agent.managed.map((m) => m.options.name);
      assert.deepStrictEqual(names, [null, 'two', 'four']);
      assert.strictEqual(agent.managed[0], a, '[backend] did not change and keeps running as it was');
      assert.notStrictEqual(agent.managed[1], two);
      assert.strictEqual(agent.managed[1]!.options.prefix, 'b2');
      assert.strictEqual(two!.instance.running, false);
      assert.strictEqual(three!.instance.running, false);
      assert.ok(agent.managed.every((m) => m.instance.running));
      // A file that does not load changes nothing.
      fs.writeFileSync(file, conf('[backend]\n  enabled = yes\n  type = nosuchtype\n'));
      assert.strictEqual(await agent.reload(), false);
      assert.deepStrictEqual(agent.managed.map((m) => m.options.name), [null, 'two', 'four']);
      assert.ok(logs.some((l) => l.startsWith('error reload:') && l.includes('nosuchtype') && l.includes('keeping the running configuration')), logs.join('\n'));
      await waitFor(() => fs.existsSync(path.join(dir, 'd.txt')), 5000, 'the added instance to open its file');
    } finally {
      await agent.stop(1000);
    }
  });
});
