// Text and JSON renderings of conformance results (the CLI's output format).
import { FileReport } from './runner';

/** How many failing cases the text output prints per file. */
export const MAX_PRINTED_FAILURES = 20;

function rowsText(rows: Record<string, number>): string {
  return Object.keys(rows)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((r) => ` ${r}=${rows[r]}`)
    .join('');
}

/** Deviations per single SPEC §7 row over all files (each row once per case it applies to). */
export function rowTotals(reports: FileReport[]): Record<string, number> {
  const all: Record<string, number> = {};
  for (const r of reports) for (const [row, n] of Object.entries(r.rowTotals ?? {})) all[row] = (all[row] ?? 0) + n;
  return all;
}

/** Files whose run failed count as failed (an unreadable file is a failure, not a pass). */
export function totals(reports: FileReport[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const r of reports) {
    passed += r.passed + r.deviations;
    failed += r.failed + (r.error ? 1 : 0);
  }
  return { passed, failed };
}

export function renderText(reports: FileReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.error) {
      lines.push(`${r.file}: error: ${r.error}`);
      continue;
    }
    // The deviations by label as the checkers give them (a case several fixes explain is counted once,
    // under e.g. `row15+row9`), then, indented, each row's own total: every row once per case it applies
    // to (so row9 and row15 can be read directly), then notes (skipped cases, parts not checked).
    lines.push(`${r.file}: cases=${r.cases} passed=${r.passed} deviations=${r.deviations} failed=${r.failed}${rowsText(r.rows)}`);
    if (r.deviations > 0) lines.push(`  per-row totals:${rowsText(r.rowTotals)}`);
    for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
    let printed = 0;
    for (const [name, sec] of Object.entries(r.sections)) {
      for (const f of sec.failing) {
        if (printed === MAX_PRINTED_FAILURES) break;
        printed++;
        const parts = [`  FAIL ${name}[${f.index}] inputs=${JSON.stringify(f.inputs)}`];
        if (f.message) parts.push(`    ${f.message}`);
        if (f.expected !== undefined) parts.push(`    expected=${JSON.stringify(f.expected)}`);
        if (f.actual !== undefined) parts.push(`    actual=  ${JSON.stringify(f.actual)}`);
        lines.push(...parts);
      }
    }
    if (r.failed > printed) lines.push(`  ... ${r.failed - printed} more failures (use --json for all)`);
  }
  const all = rowTotals(reports);
  if (Object.keys(all).length > 0) lines.push(`per-row totals, all files:${rowsText(all)}`);
  const t = totals(reports);
  lines.push(`${t.passed} passed, ${t.failed} failed`);
  return lines.join('\n') + '\n';
}

export function renderJson(reports: FileReport[], implementation: string): string {
  const t = totals(reports);
  return JSON.stringify({ implementation, files: reports, rowTotals: rowTotals(reports), passed: t.passed, failed: t.failed }) + '\n';
}
