#!/usr/bin/env node
// npm run conformance -- FILE... [--json]
// Recomputes every case of golden-vector files with the active kernel (RRD_BACKENDS_NATIVE=0
// selects the fallback) and reports passes, SPEC §7 deviations and failures; exit status 1 on any
// failure, 2 on a usage error.
import { kernel, implementation } from '../kernels';
import { runFile } from './runner';
import { renderText, renderJson, totals } from './report';
import './numeric-checks';

// Checkers of the other categories, registered by their owners; tolerated when absent.
for (const mod of ['./formatters', './patterns']) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(mod);
  } catch (err) {
    if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND' || !String((err as Error).message).includes(mod.slice(2))) throw err;
  }
}

const USAGE = 'usage: npm run conformance -- FILE... [--json]';

function main(argv: string[]): number {
  const files: string[] = [];
  let json = false;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(USAGE + '\n'); return 0; }
    else if (a.startsWith('--')) { process.stderr.write(`unknown option '${a}' (accepted: --json)\n${USAGE}\n`); return 2; }
    else files.push(a);
  }
  if (files.length === 0) { process.stderr.write(`no vector file given\n${USAGE}\n`); return 2; }
  const reports = files.map((f) => runFile(f, kernel));
  process.stdout.write(json ? renderJson(reports, implementation) : renderText(reports));
  return totals(reports).failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
