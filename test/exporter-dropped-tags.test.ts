// Batched OpenTSDB HTTP carries host tags as separate tag keys, so words that are not `key=value` (and a
// `host=` key, which would replace the host) cannot be sent. They are left out -- never silently: the
// instance logs them once per host and tag set (issue 3 / SPEC §7 row 9, "nothing lost silently").
import * as assert from 'assert';
import { RrdDatabase } from '../lib/rrd';
import { fillCharts, harness, ManualClock } from './exporter-harness';
import { closedPort } from './support/ports';

const T0 = 1_700_000_000;


describe('exporter: host tags a format cannot carry are logged, once', () => {
  it('opentsdb:http names the dropped words and keeps quiet about them afterwards; telnet drops nothing', async () => {
    const port = await closedPort();
    const db = new RrdDatabase({ hostname: 'h', updateEvery: 1, entries: 60 });
    const clock = new ManualClock(T0 * 1000);
    const run = async (type: string) => {
      const h = harness(db, { type, destination: `127.0.0.1:${port}`, hostname: 'web01', hostTags: 'dc=eu loose host=other rack=7', updateEvery: 1 }, { clock, monitoring: false });
      await h.inst.start();
      for (let k = 0; k < 3; k++) {
        fillCharts(db, 'system', 1, 2, clock.sec + 1, (i, j) => j);
        await h.inst.runOnce(clock.advance(1));
      }
      await h.inst.stop(0);
      return h.logged('left out');
    };
    const http = await run('opentsdb:http');
    assert.strictEqual(http.length, 1, `logged once in three iterations: ${JSON.stringify(http)}`);
    assert.match(http[0]!, /'loose'/);
    assert.match(http[0]!, /'host=other'/);
    assert.doesNotMatch(http[0]!, /dc=eu|rack=7/);
    assert.deepStrictEqual(await run('opentsdb'), [], 'telnet sends the tags as they are');
  });
});
