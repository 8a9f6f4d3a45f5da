// Remote write end to end into real receivers on 127.0.0.1 (issue 5): database → RemoteWriteEncoder →
// RemoteWriteSink/RemoteWriteClient → Prometheus (--web.enable-remote-write-receiver) and VictoriaMetrics,
// read back through their query APIs with exact values, timestamps and label sets.
import * as assert from 'assert';
import { RemoteWriteEncoder, RemoteWriteSource } from '../lib/formats/remote-write';
import { RemoteWriteSink } from '../lib/exporter/sinks/remote-write';
import { SendQueue } from '../lib/exporter/send-queue';
import { RemoteWriteClient } from '../lib/transport/remote-write-client';
import { RrdChart, RrdDatabase } from '../lib/rrd';
import { labelKey, usePrometheus, useVictoriaMetrics } from './support/receivers';

interface Expected {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

const NOW = Math.floor(Date.now() / 1000);
/** Data ends a little in the past, well inside what both receivers accept as fresh. */
const T0 = NOW - 100;

/** The window of SPEC §3.1 from its text (ue = 1 here): the reported timestamp. */
function reportedTs(after: number, before: number, lastT: number): number {
  return Math.min(before - 2 - 1, lastT);
}

function database(): { db: RrdDatabase; cpu: RrdChart; net: RrdChart } {
  const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 300, tags: 'dc="eu",rack=r7', programVersion: 'v1.15.0' });
  const cpu = db.localhost.createChart({ id: 'system.cpu', family: 'cpu', units: '%' });
  cpu.addDimensions([{ id: 'user', divisor: 10 }, { id: 'system', divisor: 10 }, { id: 'quote"d', divisor: 10 }]);
  const net = db.localhost.createChart({ id: 'net.eth0', family: 'eth0', units: 'kilobits/s' });
  net.addDimensions([{ id: 'received' }, { id: 'sent', multiplier: -1 }]);
  for (let s = 0; s < 60; s++) {
    const t = (T0 + s) * 1e6 + 125_000;
    cpu.set('user', 1234, t);
    cpu.set('system', 55, t);
    cpu.set('quote"d', 7, t);
    cpu.done(t);
    net.set('received', 4000, t);
    net.set('sent', 900, t);
    net.done(t);
  }
  return { db, cpu, net };
}

/** Encodes and sends one iteration; returns the series as they should read back. */
async function sendIteration(port: number, path: string, source: RemoteWriteSource, prefix: string, after: number, before: number): Promise<Expected[]> {
  const { db, cpu, net } = database();
  const enc = new RemoteWriteEncoder({ source, prefix, sendNames: true });
  const nowMs = (NOW - 5) * 1000 + 321;
  const batch = enc.encode([{ host: { hostname: 'web01', tags: db.localhost.tags, programName: 'netdata', programVersion: 'v1.15.0' }, charts: [net, cpu] }], after, before, nowMs);
  const queue = new SendQueue();
  queue.pushRecords(1, batch.data, batch.records, batch.count);
  const client = await RemoteWriteClient.create({ destinations: `127.0.0.1:${port}`, path, timeoutMs: 10_000 });
  const logs: string[] = [];
  const sink = new RemoteWriteSink({ client, destinationText: `127.0.0.1:${port}`, log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:' });
  const r = await sink.flush(queue, performance.now() + 20_000);
  await sink.close();
  assert.strictEqual(r.complete, true, logs.join('\n'));
  assert.strictEqual(r.sentMetrics, 5);
  assert.strictEqual(r.lostMetrics, 0);

  // What must read back, computed from the inputs (not from the encoder).
  const lastT = cpu.lastEntryTime();
  const ts = source === 'as-collected' ? (T0 + 59) * 1000 + 125 : reportedTs(after, before, lastT) * 1000;
  const points = before - after; // ue = 1: slots [after-2, before-3]
  const v = (x: number): number => (source === 'sum' ? x * points : x);
  const info = { instance: 'web01' };
  const cpuName = source === 'as-collected' ? `${prefix}_system_cpu` : source === 'average' ? `${prefix}_system_cpu_percent_average` : `${prefix}_system_cpu_sum`;
  const netName = source === 'as-collected' ? `${prefix}_net_eth0` : source === 'average' ? `${prefix}_net_eth0_kilobits_persec_average` : `${prefix}_net_eth0_sum`;
  const raw = source === 'as-collected';
  return [
    { labels: { __name__: 'netdata_info', application: 'netdata', version: 'v1.15.0', ...info }, value: 1, timestampMs: nowMs },
    { labels: { __name__: 'netdata_host_tags_info', dc: 'eu', rack: 'r7', ...info }, value: 1, timestampMs: nowMs },
    { labels: { __name__: netName, chart: 'net.eth0', family: 'eth0', dimension: 'received', ...info }, value: v(4000), timestampMs: ts },
    { labels: { __name__: netName, chart: 'net.eth0', family: 'eth0', dimension: 'sent', ...info }, value: raw ? 900 : v(-900), timestampMs: ts },
    { labels: { __name__: cpuName, chart: 'system.cpu', family: 'cpu', dimension: 'user', ...info }, value: raw ? 1234 : v(123.4), timestampMs: ts },
    { labels: { __name__: cpuName, chart: 'system.cpu', family: 'cpu', dimension: 'system', ...info }, value: raw ? 55 : v(5.5), timestampMs: ts },
    // Protobuf carries the label value as is: no prom-label backslash escape (SPEC §7 row 4).
    { labels: { __name__: cpuName, chart: 'system.cpu', family: 'cpu', dimension: 'quote"d', ...info }, value: raw ? 7 : v(0.7), timestampMs: ts },
  ];
}

function sorted(list: Array<{ labels: Record<string, string>; value: number; timestampMs: number }>): typeof list {
  return [...list].sort((a, b) => labelKey(a.labels).localeCompare(labelKey(b.labels)));
}

describe('remote write into Prometheus (--web.enable-remote-write-receiver)', function () {
  const prom = usePrometheus();

  for (const [source, prefix] of [['average', 'avg'], ['as-collected', 'raw'], ['sum', 'sum']] as const) {
    it(`${source}: every series reads back with its exact labels, value and timestamp`, async () => {
      const p = prom();
      const expected = await sendIteration(p.port, p.remoteWritePath, source, prefix, T0 + 40, T0 + 50);
      const mine = expected.filter((e) => e.labels.__name__!.startsWith(`${prefix}_`));
      const got = await p.waitForSamples(`{__name__=~"${prefix}_.*"}`, mine.length);
      const flat = got.flatMap((s) => s.samples.map((x) => ({ labels: s.metric, value: x.value, timestampMs: x.timestampMs })));
      assert.deepStrictEqual(sorted(flat), sorted(mine));
      const info = await p.waitForSamples('{__name__=~"netdata_.*info"}', 2);
      const infoFlat = info.flatMap((s) => s.samples.map((x) => ({ labels: s.metric, value: x.value, timestampMs: x.timestampMs })));
      assert.deepStrictEqual(sorted(infoFlat), sorted(expected.filter((e) => e.labels.__name__!.startsWith('netdata_'))));
    });
  }
});

describe('remote write into VictoriaMetrics', function () {
  const vm = useVictoriaMetrics();

  for (const [source, prefix] of [['average', 'avg'], ['as-collected', 'raw'], ['sum', 'sum']] as const) {
    it(`${source}: every series reads back with its exact labels, value and timestamp`, async () => {
      const v = vm();
      const expected = await sendIteration(v.httpPort, v.remoteWritePath, source, prefix, T0 + 40, T0 + 50);
      const mine = expected.filter((e) => e.labels.__name__!.startsWith(`${prefix}_`));
      const got = await v.waitForSeries(`{__name__=~"${prefix}_.*"}`, mine.length);
      const flat = got.flatMap((s) => s.values.map((x, i) => ({ labels: s.metric, value: x, timestampMs: s.timestamps[i]! })));
      assert.deepStrictEqual(sorted(flat), sorted(mine));
    });
  }
});
