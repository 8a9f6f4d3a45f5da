// The /proc collector (lib/agent): parsers on fixed text, the charts it creates (netdata's ids, families,
// units and algorithms), the values it stores through the collection API, and one real collection of this
// machine.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DemoCharts, DEMO_DIMENSIONS } from '../lib/agent/demo-charts';
import { parseDiskstats, parseLoadavg, parseMeminfo, parseNetDev, parseProcStatCpu } from '../lib/agent/proc-parsers';
import { SYSTEM_CPU } from '../lib/agent/system-charts';
import { SystemCollector } from '../lib/agent/system-collector';
import { kernel } from '../lib/kernels';
import { RrdChart, RrdDatabase } from '../lib/rrd';

const STAT = (user: number, system: number, idle: number, guest = 0): string =>
  `cpu  ${user} 0 ${system} ${idle} 10 0 5 0 ${guest} 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2 3\n`;
const MEMINFO = 'MemTotal:       8000000 kB\nMemFree:        2000000 kB\nMemAvailable:   5000000 kB\nBuffers:          100000 kB\nCached:          1000000 kB\nHugePages_Total:       0\n';
const NETDEV = (rx: number, tx: number): string => 'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n'
  + `    lo: 999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0\n  eth0: ${rx} ${rx / 100} 0 0 0 0 0 3 ${tx} ${tx / 100} 0 0 0 0 0 0\n  idle0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
const DISKSTATS = (sectors: number): string => `   7       0 loop0 5 0 10 0 0 0 0 0 0 0 0\n 254       0 vda 100 0 ${sectors} 0 50 0 ${sectors * 2} 0 0 0 0\n 254       1 vda1 100 0 ${sectors} 0 50 0 ${sectors * 2} 0 0 0 0\n`;

/** Value of dimension `dim` in the newest stored slot. */
function newest(chart: RrdChart, dim: string): number {
  const d = chart.dimensionIndex(dim);
  return kernel.unpack(chart.ring[d * chart.entries + chart.lastSlot()] as number);
}

describe('agent /proc parsers', () => {
  it('reads the aggregate cpu line in ticks (missing columns are 0)', () => {
    const t = parseProcStatCpu('cpu  10 20 30 40 50 60 70 80 90 100\ncpu0 1 1 1 1 1 1 1 1 1 1\n');
    assert.deepStrictEqual(t, { user: 10n, nice: 20n, system: 30n, idle: 40n, iowait: 50n, irq: 60n, softirq: 70n, steal: 80n, guest: 90n, guest_nice: 100n });
    assert.strictEqual(parseProcStatCpu('cpu  1 2 3 4\n')?.steal, 0n);
    assert.strictEqual(parseProcStatCpu('intr 1 2\n'), null);
  });

  it('reads meminfo fields, load averages in exact thousandths, interfaces and disks', () => {
    const m = parseMeminfo(MEMINFO);
    assert.strictEqual(m.get('MemTotal'), 8000000n);
    assert.strictEqual(m.get('HugePages_Total'), 0n);
    assert.deepStrictEqual(parseLoadavg('0.07 1.5 12.345 1/2 3\n'), { load1: 70, load5: 1500, load15: 12345 });
    assert.strictEqual(parseLoadavg('x y z'), null);
    const n = parseNetDev(NETDEV(5000, 700));
    assert.deepStrictEqual(n.map((x) => x.iface), ['lo', 'eth0', 'idle0']);
    assert.deepStrictEqual(n[1], { iface: 'eth0', rbytes: 5000n, rpackets: 50n, rmulticast: 3n, tbytes: 700n, tpackets: 7n });
    const d = parseDiskstats(DISKSTATS(64));
    assert.deepStrictEqual(d.map((x) => x.name), ['loop0', 'vda', 'vda1']);
    assert.deepStrictEqual(d[1], { major: 254, minor: 0, name: 'vda', reads: 100n, readSectors: 64n, writes: 50n, writeSectors: 128n });
  });
});

describe('agent system collector', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-proc-'));
    fs.mkdirSync(path.join(dir, 'proc', 'net'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'sys', 'block', 'vda'), { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(files: Record<string, string>): void {
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'proc', f), text);
  }

  it('creates netdata charts and stores rates through the collection API', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const c = new SystemCollector(db.localhost, { procRoot: path.join(dir, 'proc'), sysRoot: path.join(dir, 'sys') });
    const T = 1_700_000_000;
    // Three collections one second apart: the first is not stored, the next two store rates.
    const rounds = [
      { user: 100, system: 50, idle: 850, rx: 10_000, tx: 2_000, sectors: 1_000 },
      { user: 160, system: 70, idle: 970, rx: 35_000, tx: 4_000, sectors: 1_512 },
      { user: 220, system: 90, idle: 1090, rx: 60_000, tx: 6_000, sectors: 2_024 },
    ];
    for (let i = 0; i < rounds.length; i++) {
      const r = rounds[i]!;
      write({ stat: STAT(r.user, r.system, r.idle), meminfo: MEMINFO, loadavg: '0.50 0.25 0.125 1/1 1\n', 'net/dev': NETDEV(r.rx, r.tx), diskstats: DISKSTATS(r.sectors) });
      await c.collect((T + i) * 1_000_000);
    }
    const host = db.localhost;
    const ids = host.charts.map((ch) => ch.id).sort();
    assert.deepStrictEqual(ids, ['disk.vda', 'disk_ops.vda', 'net.eth0', 'net_packets.eth0', 'system.cpu', 'system.load', 'system.ram']);

    const cpu = host.findChart('system.cpu')!;
    assert.strictEqual(cpu.family, 'cpu');
    assert.strictEqual(cpu.units, 'percentage');
    assert.deepStrictEqual(cpu.dimensions.map((d) => d.id), SYSTEM_CPU.dimensions.map((d) => d.id));
    assert.strictEqual(cpu.dimensionInfo('user').algorithm, 'percentage-of-incremental-row');
    assert.strictEqual(cpu.dimensionInfo('idle').hidden, true);
    // Δuser 60 of Δtotal 200 ticks (60 + 20 + 120 = 200) = 30 %.
    assert.strictEqual(newest(cpu, 'user'), 30);
    assert.strictEqual(newest(cpu, 'system'), 10);
    assert.strictEqual(newest(cpu, 'idle'), 60);

    const net = host.findChart('net.eth0')!;
    assert.deepStrictEqual([net.family, net.units, net.context], ['eth0', 'kilobits/s', 'net.net']);
    // 25000 bytes/s × 8 / 1000 = 200 kilobits/s received; sent is negative: −2000 × 8 / 1000.
    assert.strictEqual(newest(net, 'received'), 200);
    assert.strictEqual(newest(net, 'sent'), -16);
    assert.strictEqual(newest(host.findChart('net_packets.eth0')!, 'received'), 250);

    const disk = host.findChart('disk.vda')!;
    assert.deepStrictEqual([disk.family, disk.units, disk.context], ['vda', 'KiB/s', 'disk.io']);
    // 512 sectors/s × 512 / 1024 = 256 KiB/s read; writes 1024 sectors/s → −512 KiB/s.
    assert.strictEqual(newest(disk, 'reads'), 256);
    assert.strictEqual(newest(disk, 'writes'), -512);

    const ram = host.findChart('system.ram')!;
    // used = total − free − cached − buffers = 4 900 000 KiB, shown in MiB.
    assert.strictEqual(newest(ram, 'used'), kernel.unpack(kernel.pack(4_900_000 / 1024, 0x01000000)));
    assert.strictEqual(newest(host.findChart('system.load')!, 'load15'), 0.125);
    // lo and loop devices are never charted; an interface without traffic and a partition neither.
    assert.strictEqual(host.findChart('net.lo'), undefined);
    assert.strictEqual(host.findChart('net.idle0'), undefined);
    assert.strictEqual(host.findChart('disk.loop0'), undefined);
    assert.strictEqual(host.findChart('disk.vda1'), undefined);
  });

  it('keeps collecting the other sources when one file is missing, and says so once', async () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const logs: string[] = [];
    const c = new SystemCollector(db.localhost, { procRoot: path.join(dir, 'proc'), sysRoot: path.join(dir, 'sys'), log: (_l, m) => logs.push(m) });
    write({ stat: STAT(1, 1, 1), loadavg: '1.00 1.00 1.00 1/1 1\n' });
    await c.collect(1_700_000_000_000_000);
    await c.collect(1_700_000_001_000_000);
    assert.deepStrictEqual(db.localhost.charts.map((ch) => ch.id).sort(), ['system.cpu', 'system.load']);
    assert.strictEqual(logs.filter((l) => l.includes('meminfo')).length, 1, logs.join('\n'));
  });

  it('collects this machine: cpu percentages add up to 100', async function () {
    if (!fs.existsSync('/proc/stat')) {
      console.warn('      !!! no /proc on this machine: the real collection is not checked');
      return this.skip();
    }
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const c = new SystemCollector(db.localhost);
    const now = Math.floor(Date.now() / 1000);
    await c.collect(now * 1_000_000);
    await new Promise((r) => setTimeout(r, 1100));
    await c.collect((now + 1) * 1_000_000);
    const cpu = db.localhost.findChart('system.cpu')!;
    const sum = cpu.dimensions.reduce((s, d) => s + newest(cpu, d.id), 0);
    assert.ok(Math.abs(sum - 100) < 0.01, `cpu states sum to ${sum}`);
    assert.ok(db.localhost.findChart('system.ram') && db.localhost.findChart('system.load'));
  });
});

describe('agent demo charts', () => {
  it('creates N charts of 50 dimensions and writes every dimension each collection', () => {
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 10 });
    const demo = new DemoCharts(db.localhost, 3);
    assert.strictEqual(demo.dimensions, 3 * DEMO_DIMENSIONS);
    const T = 1_700_000_000;
    demo.collect(T * 1e6);
    demo.collect((T + 1) * 1e6);
    const ids = db.localhost.charts.map((c) => c.id).sort();
    assert.deepStrictEqual(ids, ['demo.chart_0', 'demo.chart_1', 'demo.chart_2']);
    for (const c of db.localhost.charts) {
      assert.strictEqual(c.dimensionCount, DEMO_DIMENSIONS);
      for (let d = 0; d < DEMO_DIMENSIONS; d++) {
        const v = c.dimensionInfo(d);
        assert.strictEqual(v.collectionsCounter, 2);
        assert.ok(v.lastCollectedValue >= 0n && v.lastCollectedValue <= 1000n);
      }
    }
    assert.throws(() => new DemoCharts(db.localhost, -1), /accepted: a whole number from 0/);
  });
});
