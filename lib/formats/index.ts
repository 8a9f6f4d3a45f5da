// Line formatters (SPEC §4): graphite, OpenTSDB telnet, OpenTSDB HTTP, JSON lines.
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
