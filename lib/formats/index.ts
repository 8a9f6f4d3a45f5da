// Line formatters (SPEC §4): graphite, OpenTSDB telnet, OpenTSDB HTTP, JSON lines.
//
// Use: one LineFormatter per exporter instance (options validated once), `formatter.host(name, tags)` per
// host, `formatter.formatChart(host, chart, after, before, out)` per chart (one kernel call formats every
// dimension, value calculation and the SPEC §5.8 skip rule included; returns the metrics appended), then
// `formatter.finish(out)` once per iteration (closes a batched OpenTSDB HTTP request). Plans (sanitised
// names and constant bytes) are cached per host context and chart; see chart-plan.ts for invalidation.
//
// Decisions (SPEC §7):
// - row 15: every string in a JSON line or an OpenTSDB HTTP body is JSON-escaped ('"', '\', U+0000-001F);
//   lone surrogates become U+FFFD; lines whose inputs need no escaping are the reference's bytes. Host tags
//   that start with '{', '[' or '"' stay raw only when they are valid JSON (CR/LF in them become spaces).
// - row 9: OpenTSDB HTTP bodies are never truncated; Content-Length is the real byte count. The DEFAULT is
//   the batched mode (JSON arrays of <= 50 points / 8 KiB, host tags as separate tag keys): one request per
//   metric costs a round trip and a response per metric, and glued tags make a bogus `host` tag value.
//   `http: { mode: 'single' }` gives the reference's exact one-point-per-request bytes.
// - empty tags: "" is no tags in every format.
// - The HTTP Host header is `http.host` (the destination, for the exporter), else the host name as the
//   reference sent it; a value with CR/LF is refused (ERR_FORMAT_HTTP_HOST).
// - Graphite and OpenTSDB telnet lines keep prefix, hostname and tags verbatim (SPEC §4.1-4.2).
export type { ChartView, DimensionView } from './chart-view';
export { FormatError } from './errors';
export type { FormatErrorCode } from './errors';
export { FormatBuffer } from './format-buffer';
export { LineFormatter, HostFormat } from './formatter';
export type { ChartFormatPlan } from './chart-plan';
export { resolveFormatOptions, HTTP_DEFAULTS } from './options';
export type { FormatOptions, HttpFormatOptions, LineFormat, DataSource, ResolvedFormatOptions } from './options';
export { sanitizeName, nameOrId, NAME_MAX_BYTES } from './names';
export { escapeJsonString, needsJsonEscape, isValidJson } from './json-escape';
export { effectiveTags, parseOpenTsdbTags } from './host-tags';
