// Conformance plugin for formatters_{graphite,opentsdb_telnet,opentsdb_http,json}.json (vectors README):
// each case becomes a one-dimension chart; the collected and the stored formatter run through the kernel;
// the bytes are compared with the vector. A difference is a deviation only when the case's inputs call for
// one of our fixes (SPEC §7 rows 9, 15, the empty-tags fix) AND undoing exactly those fixes on our output
// (lib/formats/reference-inverse.ts) gives the vector's bytes; anything else is a failure.
import type { Kernel } from '../kernels/types';
import { META_COUNTER, META_CURRENT_ENTRY, META_DIMS, META_ENTRIES, META_LAST_UPDATED, META_LENGTH, META_UPDATE_EVERY } from '../kernels/types';
import type { ChartView } from '../formats/chart-view';
import { FormatBuffer } from '../formats/format-buffer';
import { LineFormatter } from '../formats/formatter';
import { jsonHostTagsNeedFix } from '../formats/host-tags';
import { needsJsonEscape } from '../formats/json-escape';
import type { LineFormat } from '../formats/options';
import { FixLabel, undoFixes } from '../formats/reference-inverse';
import { CaseOutcome, CheckContext, registerCategory, VectorCase } from './registry';

export interface FormatterCase {
  prefix: string;
  hostname: string;
  host_tags: string | null;
  chart_id: string;
  chart_name: string | null;
  chart_family?: string;
  chart_context?: string;
  chart_type?: string;
  chart_units?: string;
  dim_id: string;
  dim_name: string | null;
  options: number;
  data_source: 'sum' | 'average';
  last_collected_value: string;
  last_collected_time: number;
  after: number;
  before: number;
  db: { entries: number; update_every: number; current_entry: number; counter: number; last_updated: number; values: number[] };
  collected: VectorOutput;
  stored: VectorOutput;
}

interface VectorOutput {
  ret: number;
  output: string | null;
  output_base64?: string;
}

export type Variant = 'collected' | 'stored';

export interface VariantResult {
  variant: Variant;
  verdict: 'passed' | 'deviation' | 'failed';
  /** The fixes that explain a deviation. */
  rows: FixLabel[];
  expected: Buffer;
  actual: Buffer;
  expectedRet: number;
  actualRet: number;
  error?: string;
}

export interface CaseResult {
  verdict: 'passed' | 'deviation' | 'failed';
  rows: FixLabel[];
  variants: VariantResult[];
}

/** Vector file category → our format name. */
export const FORMATTER_CATEGORIES: Readonly<Record<string, LineFormat>> = {
  formatters_graphite: 'graphite',
  formatters_opentsdb_telnet: 'opentsdb',
  formatters_opentsdb_http: 'opentsdb-http',
  formatters_json: 'json',
};

const SEND_NAMES = 65536;

/** The one-dimension chart a case describes (vectors README, formatters section). */
export function caseChart(c: FormatterCase): ChartView {
  const meta = new Float64Array(META_LENGTH);
  meta[META_ENTRIES] = c.db.entries;
  meta[META_CURRENT_ENTRY] = c.db.current_entry;
  meta[META_COUNTER] = c.db.counter;
  meta[META_LAST_UPDATED] = c.db.last_updated;
  meta[META_UPDATE_EVERY] = c.db.update_every;
  meta[META_DIMS] = 1;
  return {
    id: c.chart_id,
    name: c.chart_name,
    type: c.chart_type ?? '',
    family: c.chart_family ?? '',
    context: c.chart_context ?? '',
    units: c.chart_units ?? '',
    ring: Uint32Array.from(c.db.values),
    meta,
    lastCollectedValue: BigInt64Array.of(BigInt(c.last_collected_value)),
    lastCollectedTime: Float64Array.of(c.last_collected_time),
    dimensions: [{ id: c.dim_id, name: c.dim_name }],
    namesVersion: 0,
  };
}

function expectedBytes(o: VectorOutput): Buffer {
  if (o.output !== null) return Buffer.from(o.output, 'utf8');
  if (typeof o.output_base64 === 'string') return Buffer.from(o.output_base64, 'base64');
  throw new Error('case output has neither output nor output_base64');
}

/** Runs one variant of a case through `kernel` exactly as the vectors' harness called the C formatter. */
export function formatCase(format: LineFormat, c: FormatterCase, variant: Variant, kernel: Kernel): { bytes: Buffer; appended: number } {
  const fmt = new LineFormatter({
    format,
    source: variant === 'collected' ? 'as-collected' : c.data_source,
    prefix: c.prefix,
    sendNames: (c.options & SEND_NAMES) !== 0,
    // The reference's one-request-per-point bytes with the vector's hostname as Host header (SPEC §4.3).
    http: { mode: 'single', framing: 'request', host: c.hostname },
  }, kernel);
  const out = new FormatBuffer(1024);
  // The harness called the formatter directly: no §5.8 skip rule (since = -Infinity).
  const appended = fmt.formatChart(fmt.host(c.hostname, c.host_tags), caseChart(c), c.after, c.before, out, -Infinity);
  fmt.finish(out);
  return { bytes: Buffer.from(out.view()), appended };
}

const HTTP_TRUNCATED = Buffer.from('Content-Length: 1024\r\n\r\n', 'latin1');

/** The fixes whose conditions the case's inputs (and, for row 9, the reference's own output) meet. */
export function applicableFixes(format: LineFormat, c: FormatterCase, expected: Buffer): Set<FixLabel> {
  const fixes = new Set<FixLabel>();
  if (c.host_tags === '' && format !== 'json') fixes.add('empty-tags');
  if (format === 'json') {
    const strings = [c.prefix, c.hostname, c.chart_id, c.chart_name ?? c.chart_id, c.chart_family ?? '', c.chart_context ?? '',
      c.chart_type ?? '', c.chart_units ?? '', c.dim_id, c.dim_name ?? c.dim_id];
    if (strings.some(needsJsonEscape) || jsonHostTagsNeedFix(c.host_tags === '' ? null : c.host_tags)) fixes.add('row15');
  }
  if (format === 'opentsdb-http') {
    // Metric parts are sanitised; prefix, hostname and tags go into the body's strings.
    if ([c.prefix, c.hostname, c.host_tags ?? ''].some(needsJsonEscape)) fixes.add('row15');
    const at = expected.indexOf(HTTP_TRUNCATED);
    if (at >= 0 && expected.length - (at + HTTP_TRUNCATED.length) === 1023) fixes.add('row9');
  }
  return fixes;
}

export function checkVariant(format: LineFormat, c: FormatterCase, variant: Variant, kernel: Kernel): VariantResult {
  const vec = c[variant];
  const expected = expectedBytes(vec);
  const r: VariantResult = { variant, verdict: 'failed', rows: [], expected, actual: Buffer.alloc(0), expectedRet: vec.ret, actualRet: -1 };
  try {
    const got = formatCase(format, c, variant, kernel);
    r.actual = got.bytes;
    r.actualRet = got.appended;
  } catch (err) {
    r.error = err instanceof Error ? `${(err as { code?: string }).code ?? err.name}: ${err.message}` : String(err);
    return r;
  }
  if (r.actualRet !== r.expectedRet) return r;
  if (r.actual.equals(expected)) {
    r.verdict = 'passed';
    return r;
  }
  const fixes = applicableFixes(format, c, expected);
  if (fixes.size === 0) return r;
  let undone: Buffer;
  try {
    undone = undoFixes(format, r.actual, fixes, c.host_tags);
  } catch (err) {
    r.error = `cannot undo ${[...fixes].join('+')}: ${err instanceof Error ? err.message : String(err)}`;
    return r;
  }
  if (undone.equals(expected)) {
    r.verdict = 'deviation';
    r.rows = [...fixes].sort();
  }
  return r;
}

/** Both variants; the case passes when both pass, fails when either fails. */
export function checkFormatterCase(format: LineFormat, c: FormatterCase, kernel: Kernel): CaseResult {
  const variants = (['collected', 'stored'] as const).map((v) => checkVariant(format, c, v, kernel));
  const failed = variants.some((v) => v.verdict === 'failed');
  const rows = [...new Set(variants.flatMap((v) => v.rows))].sort();
  return {
    verdict: failed ? 'failed' : rows.length > 0 ? 'deviation' : 'passed',
    rows: failed ? [] : rows,
    variants,
  };
}

// ----- registration with the conformance runner (lib/conformance/registry.ts) -----

function printable(b: Buffer): string {
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : `base64:${b.toString('base64')}`;
}

function toOutcome(r: CaseResult): CaseOutcome {
  if (r.verdict === 'passed') return { status: 'pass' };
  // Several fixes can explain one case (e.g. a truncated body whose tags also needed escaping): the
  // label lists them all, sorted, joined with '+'.
  if (r.verdict === 'deviation') return { status: 'deviation', row: r.rows.join('+') };
  const v = r.variants.find((x) => x.verdict === 'failed') as VariantResult;
  return {
    status: 'fail',
    expected: { variant: v.variant, ret: v.expectedRet, output: printable(v.expected) },
    actual: { variant: v.variant, ret: v.actualRet, output: printable(v.actual) },
    message: v.error ?? (v.actualRet !== v.expectedRet ? 'metric count differs' : 'bytes differ and no fix explains the difference'),
  };
}

for (const [category, format] of Object.entries(FORMATTER_CATEGORIES)) {
  registerCategory(category, {
    sections: {
      cases: (c: VectorCase, ctx: CheckContext): CaseOutcome => {
        try {
          return toOutcome(checkFormatterCase(format, c as unknown as FormatterCase, ctx.kernel));
        } catch (err) {
          return { status: 'fail', message: `malformed case: ${err instanceof Error ? err.message : String(err)}` };
        }
      },
    },
    inputsOf: (_section: string, c: VectorCase): unknown => {
      const { collected: _c, stored: _s, ...inputs } = c;
      return inputs;
    },
  });
}
