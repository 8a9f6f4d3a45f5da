// GET /api/v1/allmetrics (SPEC §4.7): query validation, the Prometheus text lines for each data source,
// the shell and json formats, the server's routes and errors, and a real Prometheus scraping the agent.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Agent } from '../lib/agent/agent';
import { AllmetricsConfig, AllmetricsEndpoint } from '../lib/http/allmetrics';
import { parseAllmetricsQuery } from '../lib/http/allmetrics-query';
import { roundDecimalText, shellName } from '../lib/http/allmetrics-other';
import { AgentHttpServer } from '../lib/http/server';
import { RrdDatabase } from '../lib/rrd';
import { httpRequest } from './support/receiver-process';
import { ScrapingPrometheus } from './support/prometheus-scrape';

const T = 1_700_000_000;
const UE = 10;

/** localhost with a homogeneous gauge chart, a heterogeneous chart, a renamed chart; one child host. */
function makeDb(): RrdDatabase {
  const db = new RrdDatabase({ hostname: 'web "01"', tags: 'dc="eu"', programName: 'rrd-backends', programVersion: '9.9', updateEvery: 1, entries: 120 });
  const gauge = db.localhost.createChart({ type: 'test', id: 'load', family: 'fam', units: 'KiB/s' });
  gauge.addDimensions([{ id: 'a' }, { id: 'b', name: 'b"q' }]);
  const het = db.localhost.createChart({ type: 'test', id: 'het', name: 'renamed', family: 'fam', units: 'things' });
  het.addDimensions([{ id: 'abs' }, { id: 'inc', algorithm: 'incremental' }]);
  const child = db.addHost({ hostname: 'child1' });
  const cc = child.createChart({ type: 'test', id: 'load', family: 'fam', units: 'KiB/s' });
  cc.addDimension('a');
  for (let t = T - 60; t <= T; t++) {
    gauge.set('a', 10, t * 1e6);
    gauge.set('b', 20, t * 1e6);
    gauge.done(t * 1e6);
    het.set('abs', 5, t * 1e6);
    het.set('inc', 1000 + (t - T) * 4, t * 1e6);
    het.done(t * 1e6);
    cc.set('a', 7, t * 1e6);
    cc.done(t * 1e6);
  }
  return db;
}

function endpoint(db: RrdDatabase, over: Partial<AllmetricsConfig> = {}): AllmetricsEndpoint {
  return new AllmetricsEndpoint(db, () => ({ prefix: 'netdata', dataSource: 'average', sendNames: true, sendChartsMatching: '*', updateEvery: UE, ...over }));
}

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const linesOf = (body: string): string[] => body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('allmetrics: query validation', () => {
  it('defaults (shell, timestamps on) and every data source spelling', () => {
    const d = parseAllmetricsQuery(q(''));
    assert.deepStrictEqual([d.format, d.timestamps, d.help, d.names, d.dataSource], ['shell', true, false, null, null]);
    assert.strictEqual(parseAllmetricsQuery(q('data%20source=as%20collected')).dataSource, 'as-collected');
    assert.strictEqual(parseAllmetricsQuery(q('datasource=volume')).dataSource, 'sum');
    assert.strictEqual(parseAllmetricsQuery(q('names=no&timestamps=0&help=yes')).names, false);
  });

  for (const [query, why] of [
    ['format=xml', /format="xml" is not accepted; accepted: prometheus, prometheus_all_hosts, shell, json/],
    ['bogus=1', /unknown parameter "bogus"; accepted:/],
    ['format=json&format=shell', /'format' is given twice/],
    ['prefix=net%0Adata', /prefix=.* is not accepted/],
    ['prefix=1abc', /not starting with a digit/],
    ['source=median', /is not a data source; accepted: raw, as collected/],
    ['source=sum&data=average', /data source is given twice/],
    ['help=maybe', /help="maybe" is not accepted; accepted: yes, true, 1, no, false, 0/],
    ['server=', /server="" is not accepted/],
  ] as const) {
    it(`400 for ${query}`, () => {
      assert.throws(() => parseAllmetricsQuery(q(query)), (e: Error & { code?: string; status?: number }) => {
        assert.strictEqual(e.code, 'ERR_HTTP_QUERY');
        assert.strictEqual(e.status, 400);
        assert.match(e.message, why);
        return true;
      });
    });
  }
});

describe('allmetrics: prometheus text (SPEC §4.7)', () => {
  // Window of a first scrape at T: [T − UE, T]. Average/sum read the slots from align(after − 2) to
  // align(before − 2) − 1 and report that last slot's time (SPEC §3.1).
  const reported = T - 3;
  const slots = (T - 3) - (T - UE - 2) + 1;

  it('average: context + units + _average, chart/family/dimension labels, %0.7Lf values, ms of the reported slot', () => {
    const db = makeDb();
    const r = endpoint(db).handle(q('format=prometheus'), '10.0.0.1', T * 1000);
    assert.strictEqual(r.contentType, 'text/plain; version=0.0.4');
    const lines = r.body.split('\n');
    assert.strictEqual(lines[0], `netdata_info{instance="web \\"01\\"",application="rrd-backends",version="9.9"} 1 ${T * 1000}`);
    assert.strictEqual(lines[1], `netdata_host_tags_info{dc="eu"} 1 ${T * 1000}`);
    assert.strictEqual(lines[2], `netdata_host_tags{dc="eu"} 1 ${T * 1000}`);
    assert.ok(lines.includes(`netdata_test_load_KiB_persec_average{chart="test.load",family="fam",dimension="a"} 10.0000000 ${reported * 1000}`), r.body);
    assert.ok(lines.includes(`netdata_test_load_KiB_persec_average{chart="test.load",family="fam",dimension="b\\"q"} 20.0000000 ${reported * 1000}`), r.body);
    // The renamed chart is labelled with its name (send names), and the context is prom-name'd.
    assert.ok(lines.includes(`netdata_test_het_things_average{chart="test.renamed",family="fam",dimension="abs"} 5.0000000 ${reported * 1000}`), r.body);
    // The incremental dimension grows by 4 per second.
    assert.ok(lines.includes(`netdata_test_het_things_average{chart="test.renamed",family="fam",dimension="inc"} 4.0000000 ${reported * 1000}`), r.body);
    // The single-host format has no instance label and no child.
    assert.ok(!r.body.includes('child1') && !r.body.includes(',instance='));
  });

  it('sum: no units, _sum, the window total', () => {
    const r = endpoint(makeDb(), { dataSource: 'sum' }).handle(q('format=prometheus&names=no'), 'x', T * 1000);
    assert.ok(linesOf(r.body).includes(`netdata_test_load_sum{chart="test.load",family="fam",dimension="a"} ${10 * slots}.0000000 ${reported * 1000}`), r.body);
    assert.ok(linesOf(r.body).some((l) => l.startsWith('netdata_test_het_sum{chart="test.het"')), 'names=no labels the chart by id');
  });

  it('as collected: raw values, _total for counters, per-dimension names for heterogeneous charts', () => {
    const r = endpoint(makeDb()).handle(q('format=prometheus&source=as-collected&timestamps=no'), 'x', T * 1000);
    const l = linesOf(r.body);
    assert.ok(l.includes('netdata_test_load{chart="test.load",family="fam",dimension="a"} 10'), r.body);
    assert.ok(l.includes('netdata_test_het_abs{chart="test.renamed",family="fam"} 5'), r.body);
    assert.ok(l.includes('netdata_test_het_inc_total{chart="test.renamed",family="fam"} 1000'), r.body);
    assert.ok(l.includes('netdata_info{instance="web \\"01\\"",application="rrd-backends",version="9.9"} 1'));
  });

  it('all hosts: every host, instance label on every metric, tags with the instance', () => {
    const r = endpoint(makeDb()).handle(q('format=prometheus_all_hosts&prefix=nd'), 'x', T * 1000);
    const l = linesOf(r.body);
    assert.ok(l.includes(`netdata_host_tags_info{instance="web \\"01\\"",dc="eu"} 1 ${T * 1000}`), r.body);
    assert.ok(l.includes(`nd_test_load_KiB_persec_average{chart="test.load",family="fam",dimension="a",instance="child1"} 7.0000000 ${reported * 1000}`), r.body);
    assert.ok(l.includes(`nd_test_load_KiB_persec_average{chart="test.load",family="fam",dimension="a",instance="web \\"01\\""} 10.0000000 ${reported * 1000}`), r.body);
  });

  it('help and types lines, hideunits, oldunits, and the charts pattern', () => {
    const db = makeDb();
    const r = endpoint(db, { sendChartsMatching: 'test.load' }).handle(q('format=prometheus&help=yes&types=yes&oldunits=yes&server=s1'), 'x', T * 1000);
    assert.ok(r.body.startsWith(`# COMMENT netdata "web "01"" to FIRST SEEN prometheus "s1", source "average", last seen 0 never, time range ${T - UE} to ${T}\n\n`), r.body.slice(0, 200));
    assert.ok(r.body.includes('# COMMENT TYPE netdata_test_load_kilobytes_persec_average gauge\n'), r.body);
    assert.ok(!r.body.includes('test_het'), 'test.het does not match the pattern');
    const hidden = endpoint(db).handle(q('format=prometheus&hideunits=yes'), 'x', T * 1000);
    assert.ok(linesOf(hidden.body).some((l) => l.startsWith('netdata_test_load_average{')), hidden.body);
  });

  it('the window starts at the same server\'s previous scrape', () => {
    const db = makeDb();
    const e = endpoint(db);
    const first = e.handle(q('format=prometheus&source=as-collected&help=yes&server=p'), 'x', (T + 5) * 1000).body;
    assert.ok(first.includes('FIRST SEEN'));
    // Nothing was collected after T: a later scrape by the same server skips every dimension (SPEC §5.8).
    const again = e.handle(q('format=prometheus&source=as-collected&help=yes&server=p'), 'x', (T + 20) * 1000).body;
    assert.ok(again.includes(`last seen 15 seconds ago, time range ${T + 5} to ${T + 20}`), again.slice(0, 200));
    assert.deepStrictEqual(linesOf(again).filter((l) => l.startsWith('netdata_test')), []);
    // Another server still gets its first window.
    assert.ok(linesOf(e.handle(q('format=prometheus&source=as-collected&server=other'), 'x', (T + 5) * 1000).body).some((l) => l.startsWith('netdata_test_load{')));
  });
});

describe('allmetrics: shell and json', () => {
  it('shell: NETDATA_CHART_DIM="rounded value", negatives flipped, visible total', () => {
    assert.strictEqual(shellName('disk_ops.dm-0'), 'DISK_OPS_DM_0');
    assert.deepStrictEqual(['2.5000000', '-2.5000000', '2.4999990', '0.0000000'].map(roundDecimalText), [3n, -3n, 2n, 0n]);
    const body = endpoint(makeDb()).handle(q('format=shell'), 'x', T * 1000).body;
    assert.ok(body.includes('\n# chart: test.load (name: test.load)\nNETDATA_TEST_LOAD_A="10"      # KiB/s\nNETDATA_TEST_LOAD_B_Q="20"      # KiB/s\nNETDATA_TEST_LOAD_VISIBLETOTAL="30"      # KiB/s\n'), body);
    assert.ok(body.endsWith('\n# NETDATA ALARMS RUNNING\n'));
  });

  it('json: valid JSON with every chart, escaped names and the newest stored values', () => {
    const r = endpoint(makeDb()).handle(q('format=json'), 'x', T * 1000);
    assert.strictEqual(r.contentType, 'application/json');
    const j = JSON.parse(r.body) as Record<string, { name: string; last_updated: number; dimensions: Record<string, { name: string; value: number }> }>;
    assert.deepStrictEqual(Object.keys(j).sort(), ['test.het', 'test.load']);
    assert.strictEqual(j['test.load']!.last_updated, T);
    assert.deepStrictEqual(j['test.load']!.dimensions['b'], { name: 'b"q', value: 20 });
    assert.strictEqual(j['test.het']!.name, 'test.renamed');
  });
});

describe('agent HTTP server', () => {
  let server: AgentHttpServer;
  let port: number;
  before(async () => {
    const db = makeDb();
    server = new AgentHttpServer({
      db,
      allmetrics: () => ({ prefix: 'netdata', dataSource: 'average', sendNames: true, sendChartsMatching: '*', updateEvery: UE }),
      status: () => ({ ok: true }),
      rank: () => 0,
    });
    const a = await server.listen({ host: '127.0.0.1', port: 0 });
    port = a.port;
  });
  after(() => server?.close());

  it('binds the address given (127.0.0.1)', () => {
    assert.strictEqual(server.address?.address, '127.0.0.1');
    assert.strictEqual(server.url, `http://127.0.0.1:${port}/`);
  });

  it('serves allmetrics, and answers errors as JSON with a code', async () => {
    const ok = await httpRequest(port, 'GET', '/api/v1/allmetrics?format=prometheus');
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(ok.headers['content-type'], 'text/plain; version=0.0.4');
    assert.match(ok.body.toString(), /^netdata_info\{/);
    const bad = await httpRequest(port, 'GET', '/api/v1/allmetrics?format=prometheus&x=1');
    assert.strictEqual(bad.status, 400);
    assert.strictEqual(JSON.parse(bad.body.toString()).error, 'ERR_HTTP_QUERY');
    const missing = await httpRequest(port, 'GET', '/etc/passwd');
    assert.strictEqual(missing.status, 404);
    const traversal = await httpRequest(port, 'GET', '/uplot/../../package.json');
    assert.strictEqual(traversal.status, 404);
    const post = await httpRequest(port, 'POST', '/api/v1/allmetrics', 'x');
    assert.deepStrictEqual([post.status, post.headers.allow], [405, 'GET, HEAD']);
    const head = await httpRequest(port, 'HEAD', '/');
    assert.strictEqual(head.status, 200);
    assert.strictEqual(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 0);
  });

  it('serves the dashboard data and uPlot from node_modules', async () => {
    const lib = await httpRequest(port, 'GET', '/uplot/uPlot.iife.min.js');
    assert.strictEqual(lib.status, 200);
    assert.ok(lib.body.equals(fs.readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'))));
    const charts = JSON.parse((await httpRequest(port, 'GET', '/api/v1/charts')).body.toString()) as Array<{ id: string }>;
    assert.deepStrictEqual(charts.map((c) => c.id).sort(), ['test.het', 'test.load']);
    const data = JSON.parse((await httpRequest(port, 'GET', '/api/v1/data?chart=test.load&points=5')).body.toString()) as { labels: string[]; data: number[][] };
    assert.deepStrictEqual(data.labels, ['a', 'b"q']);
    assert.deepStrictEqual(data.data, [[T - 4, T - 3, T - 2, T - 1, T], [10, 10, 10, 10, 10], [20, 20, 20, 20, 20]]);
    assert.strictEqual((await httpRequest(port, 'GET', '/api/v1/data?chart=nope')).status, 404);
    assert.strictEqual((await httpRequest(port, 'GET', '/api/v1/data?chart=test.load&points=0')).status, 400);
  });
});

describe('allmetrics scraped by Prometheus (Debian prometheus)', function () {
  this.timeout(90_000);
  let agent: Agent | null = null;
  let prom: ScrapingPrometheus | null = null;
  let timer: NodeJS.Timeout | null = null;
  let dir: string;

  before(async function () {
    this.timeout(60_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-prom-'));
    agent = new Agent({ http: { host: '127.0.0.1', port: 0 }, exportFile: path.join(dir, 'export.txt'), log: () => undefined });
    // A chart the test knows the value of, collected every second like the system charts.
    const chart = agent.db.localhost.createChart({ type: 'scrape', id: 'answer', units: 'answers', family: 'test' });
    chart.addDimension('value');
    const collect = (): void => {
      chart.set('value', 42);
      chart.done();
    };
    collect();
    timer = setInterval(collect, 1000);
    await agent.start();
    prom = await ScrapingPrometheus.start(this, { target: new URL(agent.dashboardUrl as string).host, metricsPath: '/api/v1/allmetrics', params: { format: 'prometheus' } });
  });
  after(async () => {
    if (timer) clearInterval(timer);
    await prom?.stop();
    await agent?.stop(1000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Prometheus scrapes the agent and the values read back are the agent\'s', async () => {
    const got = await prom!.waitFor('netdata_scrape_answer_answers_average');
    assert.strictEqual(got.length, 1);
    assert.deepStrictEqual(got[0]!.metric, { __name__: 'netdata_scrape_answer_answers_average', chart: 'scrape.answer', family: 'test', dimension: 'value', instance: got[0]!.metric.instance!, job: 'rrd-backends' });
    assert.strictEqual(got[0]!.value, 42);
    // This machine's own metrics come through the same endpoint.
    const cpu = await prom!.waitFor('netdata_system_cpu_percentage_average');
    assert.ok(cpu.length >= 5, `cpu dimensions scraped: ${cpu.map((s) => s.metric.dimension).join(',')}`);
    assert.ok(cpu.every((s) => s.value >= 0 && s.value <= 100));
    assert.strictEqual((await prom!.targetHealth()).health, 'up');
  });
});
