// Remote write request size caps from netdata.conf (issue 5): `remote write max series per request` and
// `remote write max request bytes` reach the encoder of a configured instance, so one iteration is split
// into several HTTP requests, each within the cap, cut between series, carrying together exactly what an
// instance with the default caps (1 MiB, 2000 series) sends in one request.
import * as assert from 'assert';
import { decodeRemoteWriteBody, DecodedSeries } from '../lib/formats/remote-write-decode';
import { snappyUncompressedLength } from '../lib/formats/snappy';
import { RrdDatabase } from '../lib/rrd';
import { collect, configuredExporter } from './exporter-remote-write-harness';
import { RecordedRequest, ScriptedHttpServer } from './support/fake-servers';

function instance(name: string, port: number, extra: string[]): string {
  return [
    `[backend:${name}]`, 'enabled = yes', 'type = prometheus_remote_write', `destination = 127.0.0.1:${port}`,
    `remote write URL path = /${name}`, 'data source = average', 'hostname = web01', 'update every = 1',
    'timeout ms = 10000', 'send charts matching = system.*', ...extra,
  ].join('\n');
}

/** Series as comparable text: labels and samples. */
function seriesText(s: DecodedSeries): string {
  return JSON.stringify([s.labels, s.samples]);
}

function bodiesOf(server: ScriptedHttpServer, path: string): RecordedRequest[] {
  return server.requests.filter((r) => r.url === path);
}

describe('remote write request caps from netdata.conf (issue 5)', function () {
  this.timeout(30_000);

  it('a small `remote write max series per request` / `max request bytes` splits one iteration into capped requests', async () => {
    const T = Math.floor(Date.now() / 1000) - 100;
    const db = new RrdDatabase({ hostname: 'ignored', updateEvery: 1, entries: 120 });
    // 3 charts × 8 dimensions = 24 dimension series, plus netdata_info.
    for (let c = 0; c < 3; c++) {
      collect(db, `c${c}`, 'u', Array.from({ length: 8 }, (_, j) => ({ id: `dimension_number_${j}` })), T - 30, T + 5, (t, j) => t - T + 100 * c + j);
    }
    const server = await ScriptedHttpServer.start([], { fallback: { status: 204 } });
    try {
      const x = await configuredExporter(db, [
        '[backend]', 'enabled = no',
        instance('plain', server.port, []),
        instance('series', server.port, ['remote write max series per request = 5']),
        instance('bytes', server.port, ['remote write max request bytes = 1024']),
      ].join('\n'), T);
      assert.deepStrictEqual(x.exporter.running.map((i) => [i.name, i.options.remoteWriteMaxSeriesPerRequest, i.options.remoteWriteMaxRequestBytes]),
        [['plain', 2000, 1048576], ['series', 5, 1048576], ['bytes', 2000, 1024]]);
      const results = await x.step(2);
      await x.exporter.stop();
      const ran = results.filter((c) => c !== null);
      assert.strictEqual(ran.length, 3);
      for (const c of ran) assert.deepStrictEqual([c.bufferedMetrics, c.sentMetrics, c.lostMetrics], [24, 24, 0]);

      const plain = bodiesOf(server, '/plain');
      assert.strictEqual(plain.length, 1, 'the default caps send the iteration in one request');
      const all = decodeRemoteWriteBody(plain[0]!.body);
      assert.strictEqual(all.length, 25, '24 dimensions and netdata_info');
      assert.ok(snappyUncompressedLength(plain[0]!.body) > 1024 * 2, 'the iteration is larger than the byte cap under test');

      const bySeries = bodiesOf(server, '/series');
      assert.strictEqual(bySeries.length, 5, '25 series, 5 per request');
      const seriesCounts = bySeries.map((r) => decodeRemoteWriteBody(r.body).length);
      assert.deepStrictEqual(seriesCounts, [5, 5, 5, 5, 5]);
      assert.strictEqual(x.iterations.get('series')![0]!.transmissionSuccesses, 5, 'each request is one counted transmission');

      const byBytes = bodiesOf(server, '/bytes');
      assert.ok(byBytes.length >= 3, `split into ${byBytes.length} request(s) of at most 1 KiB`);
      for (const r of byBytes) assert.ok(snappyUncompressedLength(r.body) <= 1024, `uncompressed ${snappyUncompressedLength(r.body)} bytes > 1024`);

      // Together the capped requests carry exactly the series of the single request.
      const want = all.map(seriesText).sort();
      assert.deepStrictEqual(bySeries.flatMap((r) => decodeRemoteWriteBody(r.body)).map(seriesText).sort(), want);
      assert.deepStrictEqual(byBytes.flatMap((r) => decodeRemoteWriteBody(r.body)).map(seriesText).sort(), want);
    } finally {
      await server.close();
    }
  });
});
