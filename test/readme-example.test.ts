// The README's embedding example runs as written: the ```js block of its "## Embedding" section is taken
// from README.md, the package import pointed at this build, the Graphite destination at a local collector
// (and the export interval shortened to 1 s so the test is quick), then run as a CommonJS file in a child
// process: it must print its iteration lines, deliver the chart's lines, and stop cleanly on SIGTERM with
// totals that match what the collector received.
import * as assert from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LineCollector, waitFor } from './support/fake-servers';

const ROOT = path.join(__dirname, '..', '..');

/** The first ```js block of README.md's `## Embedding` section. */
export function embeddingExample(readme: string): string {
  const start = readme.search(/^## Embedding$/m);
  assert.ok(start >= 0, 'README.md has no "## Embedding" section');
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  const section = end >= 0 ? rest.slice(0, end) : rest;
  const m = /^```js\n([\s\S]*?)^```$/m.exec(section);
  assert.ok(m, 'the Embedding section has no ```js block');
  return m[1] as string;
}

/** Replaces `from` (which must occur exactly once, so a README edit cannot silently skip a rewrite). */
function rewriteOnce(code: string, from: RegExp, to: string): string {
  const hits = code.match(new RegExp(from.source, 'g'))?.length ?? 0;
  assert.strictEqual(hits, 1, `expected ${from} exactly once in the README example:\n${code}`);
  return code.replace(from, to);
}

describe('README: the embedding example', function () {
  this.timeout(90_000);
  let dir: string;
  let child: ChildProcess | null = null;
  let rx: LineCollector | null = null;

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rrd-readme-'))));
  afterEach(async () => {
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
    await rx?.close();
    rx = null;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written: iteration lines, the chart exported, a clean stop on SIGTERM', async () => {
    rx = await LineCollector.start();
    let code = embeddingExample(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    code = rewriteOnce(code, /require\('rrd-backends'\)/, `require(${JSON.stringify(require.resolve(ROOT))})`);
    code = rewriteOnce(code, /destination: 'localhost:2003'/, `destination: '127.0.0.1:${rx.port}'`);
    code = rewriteOnce(code, /updateEvery: 10\b/, 'updateEvery: 1');
    // .cjs: CommonJS whatever package.json sits above the temp dir, as `require` in the example implies.
    const file = path.join(dir, 'example.cjs');
    fs.writeFileSync(file, code);

    const out: string[] = [];
    const err: string[] = [];
    const c = spawn(process.execPath, [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const exited = new Promise<number | null>((r) => c.on('exit', (n) => r(n)));
    let exitCode: number | null | undefined;
    void exited.then((n) => (exitCode = n));
    const collect = (into: string[]) => {
      let rest = '';
      return (d: Buffer) => {
        const parts = (rest + d.toString()).split('\n');
        rest = parts.pop() as string;
        into.push(...parts);
      };
    };
    c.stdout!.on('data', collect(out));
    c.stderr!.on('data', collect(err));
    const dump = (): string => `stdout:\n${out.join('\n')}\nstderr:\n${err.join('\n')}`;

    // An iteration that sent everything it buffered (the first ones have no stored points yet).
    await waitFor(() => exitCode !== undefined || out.some((l) => /^sent ([1-9]\d*) of \1$/.test(l)), 45_000, `a "sent N of N" line\n${dump()}`);
    assert.strictEqual(exitCode, undefined, `the example exited with ${String(exitCode)}\n${dump()}`);
    assert.ok(out.every((l) => /^sent \d+ of \d+$/.test(l)), dump());
    await waitFor(() => rx!.lines.length > 0, 10_000, 'lines at the collector');
    // The example's chart and the exporter's own monitoring charts (netdata.backend_*), as host myapp-01.
    const line = /^netdata\.myapp-01\.(myapp\.requests\.(ok|failed)|netdata\.backend_\w+\.\w+) -?\d+\.\d{7} \d+$/;
    assert.ok(rx.lines.every((l) => line.test(l)), rx.lines.join('\n'));
    assert.ok(rx.lines.some((l) => l.includes('.requests.ok ')) && rx.lines.some((l) => l.includes('.requests.failed ')), rx.lines.join('\n'));

    c.kill('SIGTERM');
    assert.strictEqual(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 20_000))]), 0, `exit after SIGTERM\n${dump()}`);
    const stopped = out.find((l) => l.startsWith('stopped: '));
    const m = /^stopped: sent (\d+) metrics, left unsent 0$/.exec(String(stopped));
    assert.ok(m, dump());
    // Everything the totals count as sent reached the collector, once.
    await waitFor(() => rx!.lines.length >= Number(m[1]), 5_000, `${m[1]} lines at the collector (have ${rx.lines.length})`);
    assert.strictEqual(rx.lines.length, Number(m[1]));
    assert.deepStrictEqual(rx.duplicates(), []);
  });
});
