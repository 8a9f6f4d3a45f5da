// Issue 8 §5: no shell, no eval anywhere on the package's input paths. The shipped code (lib/, bin/, esm/)
// is scanned as text, so a later change that starts a process or compiles a string fails here, with the
// file and line to look at. (Tests and benchmarks may start receivers and children; they are not shipped.)
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SHIPPED = ['lib', 'bin', 'esm'];

const FORBIDDEN: Array<{ what: string; re: RegExp }> = [
  { what: 'child processes (node:child_process)', re: /\b(?:require\(\s*['"](?:node:)?child_process['"]\s*\)|from\s+['"](?:node:)?child_process['"])/ },
  { what: 'eval', re: /(?<![\w.$])eval\s*\(/ },
  { what: 'new Function (eval of a string)', re: /\bnew\s+Function\s*\(/ },
  { what: 'the vm module (runs strings as code)', re: /\b(?:require\(\s*['"](?:node:)?vm['"]\s*\)|from\s+['"](?:node:)?vm['"])/ },
  { what: 'a shell option', re: /\bshell\s*:\s*(?:true|['"])/ },
  { what: 'string timers (setTimeout("code"))', re: /\bset(?:Timeout|Interval|Immediate)\s*\(\s*['"`]/ },
];

function files(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (/\.(?:ts|mts|cts|js|mjs|cjs)$/.test(e.name) || dir.endsWith(`${path.sep}bin`)) out.push(p);
  }
  return out;
}

/** The text without comments, so a comment that names a forbidden call does not count. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

describe('security (issue 8): no shell and no eval in the shipped code', () => {
  const shipped = SHIPPED.flatMap((d) => files(path.join(ROOT, d)));

  it('scans the shipped sources (the scan is not empty)', () => {
    assert.ok(shipped.length > 50, `only ${shipped.length} files found under ${SHIPPED.join(', ')}`);
    assert.ok(shipped.some((f) => f.endsWith(path.join('lib', 'cli', 'main.ts'))), 'the CLI is among them');
  });

  it('the patterns catch what they are meant to (so the scan can fail)', () => {
    const samples: Record<string, string> = {
      'child processes (node:child_process)': "import { spawn } from 'node:child_process';",
      eval: 'const x = eval(input);',
      'new Function (eval of a string)': 'const f = new Function("a", body);',
      'the vm module (runs strings as code)': "const vm = require('vm');",
      'a shell option': 'spawn(cmd, { shell: true });',
      'string timers (setTimeout("code"))': 'setTimeout("run()", 10);',
    };
    for (const f of FORBIDDEN) assert.match(code(samples[f.what] as string), f.re, f.what);
    assert.doesNotMatch(code('// eval(x) is not used here'), /(?<![\w.$])eval\s*\(/);
    assert.doesNotMatch(code('retrieval(x); medieval (y)'), /(?<![\w.$])eval\s*\(/);
  });

  it('finds none of them in lib/, bin/ or esm/', () => {
    const found: string[] = [];
    for (const file of shipped) {
      const lines = code(fs.readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, i) => {
        for (const f of FORBIDDEN) if (f.re.test(line)) found.push(`${path.relative(ROOT, file)}:${i + 1}: ${f.what}: ${line.trim()}`);
      });
    }
    assert.deepStrictEqual(found, []);
  });
});
