// The live dashboard in headless Chromium: the page loads from the agent alone (uPlot from node_modules, no
// other host contacted), the four self-monitoring charts and the system charts get points and keep
// updating, the destinations table shows the running instance with the agent's own counters (iterations,
// sent, lost, left), and a screenshot is saved.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Agent } from '../lib/agent/agent';
import { formatBytes } from '../lib/agent/status-line';
import { MONITORING_CHARTS } from '../lib/exporter/monitoring';
import { HeadlessBrowser, launchChromium, requireChromium } from './support/chromium';

/** Where the screenshot goes (outside the work tree, so nothing needs ignoring). */
export const SCREENSHOT_DIR = path.join(os.tmpdir(), 'rrd-backends-test-output');

/** The agent's own lifetime counters of an instance, as they were right after its iteration N. */
interface TotalsSnapshot {
  iterations: number;
  sentMetrics: number;
  sentBytes: number;
  lostMetrics: number;
  lostBytes: number;
}

/** The counter cells of a destinations row: iterations, buffered, sent, lost, left. */
interface CounterCells {
  iterations: number;
  sent: { metrics: number; bytes: string };
  lost: { metrics: number; bytes: string };
  left: number;
}

/** `1234 (96.4 KiB)` -> metrics and the bytes text; anything else fails the test. */
function metricsCell(text: string, column: string): { metrics: number; bytes: string } {
  const m = /^(\d+) \((\d+ B|\d+\.\d (?:KiB|MiB|GiB|TiB))\)$/.exec(text.trim());
  assert.ok(m, `the ${column} column shows ${JSON.stringify(text)}, not "N (bytes)"`);
  return { metrics: Number(m[1]), bytes: m[2] as string };
}

function wholeNumber(text: string, column: string): number {
  assert.match(text.trim(), /^\d+$/, `the ${column} column shows ${JSON.stringify(text)}, not a number`);
  return Number(text.trim());
}

interface DashboardState {
  ticks: number;
  errors: number;
  lastError: string | null;
  charts: Record<string, { points: number }>;
}

describe('dashboard in headless Chromium', function () {
  this.timeout(120_000);
  let agent: Agent | null = null;
  let browser: HeadlessBrowser | null = null;
  let dir: string;
  // The agent's counters after each iteration, by iteration number (what the table must show).
  const history = new Map<number, TotalsSnapshot>();

  before(async function () {
    this.timeout(90_000);
    const exe = requireChromium(this);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-dash-'));
    agent = new Agent({ http: { host: '127.0.0.1', port: 0 }, exportFile: path.join(dir, 'export.txt'), log: () => undefined });
    agent.on('iteration', (m) => {
      const t = m.instance.totals;
      history.set(t.iterations, { iterations: t.iterations, sentMetrics: t.sentMetrics, sentBytes: t.sentBytes, lostMetrics: t.lostMetrics, lostBytes: t.lostBytes });
    });
    await agent.start();
    browser = await launchChromium(exe);
  });
  after(async () => {
    await browser?.close();
    await agent?.stop(1000);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('draws the monitoring and system charts with points, updates them, and lists the destination', async () => {
    const base = agent!.dashboardUrl as string;
    const page = await browser!.context.newPage();
    const foreign: string[] = [];
    const consoleErrors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(base)) foreign.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    const res = await page.goto(base, { waitUntil: 'load' });
    assert.strictEqual(res?.status(), 200);

    const wanted = [...MONITORING_CHARTS.map((c) => `netdata.${c.id}`), 'system.cpu', 'system.ram', 'system.load'];
    // Every wanted chart drawn with at least 3 points (the CPU chart of the exporter needs two iterations).
    await page.waitForFunction((ids: string[]) => {
      const s = (globalThis as unknown as { __dashboard?: DashboardState }).__dashboard;
      return s !== undefined && ids.every((id) => (s.charts[id]?.points ?? 0) >= 3);
    }, wanted, { timeout: 60_000, polling: 250 });
    const first = await page.evaluate(() => (globalThis as unknown as { __dashboard: DashboardState }).__dashboard);
    assert.strictEqual(first.errors, 0, String(first.lastError));
    // uPlot drew each chart into a canvas with a legend row per visible dimension.
    for (const id of wanted) {
      const canvases = await page.locator(`section.chart[data-chart="${id}"] canvas`).count();
      assert.ok(canvases >= 1, `chart ${id} has no canvas`);
    }
    assert.ok(await page.locator('section.chart[data-chart="netdata.backend_metrics"] .u-legend').innerText().then((t) => /buffered/.test(t) && /sent/.test(t)));

    // The page keeps updating every second.
    const ticks = first.ticks;
    await page.waitForFunction((t: number) => (globalThis as unknown as { __dashboard: DashboardState }).__dashboard.ticks >= t + 2, ticks, { timeout: 10_000 });

    const row = await page.locator('#destinations tbody tr').first().innerText();
    assert.match(row, /\[backend\]/);
    assert.match(row, /graphite/);
    assert.match(row, /file:/);
    assert.match(row, /running/);

    // The counter columns are numbers, and they are the agent's own counters of the iteration shown.
    const header = await page.locator('#destinations thead th').allInnerTexts();
    const col = (name: string): number => {
      const i = header.indexOf(name);
      assert.ok(i >= 0, `no ${name} column in ${header.join(', ')}`);
      return i;
    };
    const readCounters = async (): Promise<CounterCells> => {
      const cells = await page.locator('#destinations tbody tr').first().locator('td').allInnerTexts();
      assert.strictEqual(cells.length, header.length, `cells ${JSON.stringify(cells)} for columns ${header.join(', ')}`);
      metricsCell(cells[col('buffered')] as string, 'buffered');
      return {
        iterations: wholeNumber(cells[col('iterations')] as string, 'iterations'),
        sent: metricsCell(cells[col('sent')] as string, 'sent'),
        lost: metricsCell(cells[col('lost')] as string, 'lost'),
        left: wholeNumber(cells[col('left')] as string, 'left'),
      };
    };
    const matchesAgent = (shown: CounterCells): void => {
      const own = history.get(shown.iterations);
      assert.ok(own, `the table shows iteration ${shown.iterations}; the agent has had ${[...history.keys()].join(', ')}`);
      assert.deepStrictEqual(
        { iterations: shown.iterations, sent: shown.sent, lost: shown.lost, left: shown.left },
        { iterations: own.iterations, sent: { metrics: own.sentMetrics, bytes: formatBytes(own.sentBytes) }, lost: { metrics: own.lostMetrics, bytes: formatBytes(own.lostBytes) }, left: 0 },
      );
    };
    // Poll until the table shows an iteration that sent something (the first ones may have no points).
    let shown: CounterCells | null = null;
    const until = Date.now() + 30_000;
    while ((shown = await readCounters()).sent.metrics === 0 || !history.has(shown.iterations)) {
      assert.ok(Date.now() < until, `no sent metrics in the table after 30 s: ${JSON.stringify(shown)}`);
      await page.waitForTimeout(250);
    }
    matchesAgent(shown);
    // Later: more iterations, more sent, still the agent's numbers.
    const earlier = shown;
    while ((shown = await readCounters()).iterations <= earlier.iterations || !history.has(shown.iterations)) {
      assert.ok(Date.now() < until + 30_000, `the table's counters did not move past iteration ${earlier.iterations}: ${JSON.stringify(shown)}`);
      await page.waitForTimeout(250);
    }
    matchesAgent(shown);
    assert.ok(shown.sent.metrics > earlier.sent.metrics, `sent ${earlier.sent.metrics} then ${shown.sent.metrics}`);
    assert.strictEqual(shown.lost.metrics, 0);

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = path.join(SCREENSHOT_DIR, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = fs.readFileSync(shot);
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG file');
    assert.ok(png.length > 10_000, `screenshot of ${png.length} bytes`);
    console.log(`      [dashboard] screenshot: ${shot} (${png.length} bytes)`);

    assert.deepStrictEqual(foreign, [], 'the page requested nothing but the agent');
    assert.deepStrictEqual(consoleErrors, []);
  });
});
