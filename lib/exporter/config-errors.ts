// Typed configuration errors and warnings. Every error carries a stable `code` (CONVENTIONS, Level
// style) and, when it comes from a file, the file, line, section and key; the value is echoed unless
// it may be a secret (SPEC §7 row 25: never show secrets).

export type ConfigErrorCode =
  | 'ERR_CONFIG_READ'          // a configuration file cannot be read
  | 'ERR_CONFIG_SYNTAX'        // a line of a [backend] section is not `name = value`
  | 'ERR_CONFIG_SECTION'       // a [backend:NAME] section with a bad or repeated NAME
  | 'ERR_CONFIG_UNKNOWN_KEY'   // a key no backend instance knows
  | 'ERR_CONFIG_BAD_VALUE'     // a value outside the accepted set (type, paths, headers, ...)
  | 'ERR_CONFIG_RANGE'         // a number outside its accepted range
  | 'ERR_CONFIG_KINESIS'       // kinesis credentials file without a stream name
  | 'ERR_CONFIG_OPTION';       // typed API: an unknown property or a value of the wrong JS type

export type ConfigWarningCode =
  | 'WARN_CONFIG_IGNORED_LINE'   // a line the reference ignores (outside sections, no '=', empty name)
  | 'WARN_CONFIG_IGNORED_SECTION'// a section that looks like [backend] but is not spelled exactly so
  | 'WARN_CONFIG_UNKNOWN_KEY'    // an unknown key, when unknown keys are only warned about
  | 'WARN_CONFIG_DUPLICATE_KEY'  // a key set twice in one section: the later value wins
  | 'WARN_CONFIG_LEGACY_KEY'     // `opentsdb host tags` (renamed to `host tags`, SPEC §1.1)
  | 'WARN_CONFIG_NUMBER'         // strtoll read something other than what was written (SPEC §5.2)
  | 'WARN_CONFIG_BOOLEAN'        // a word that is not a boolean word: read as "no" (SPEC §5.2)
  | 'WARN_CONFIG_FALLBACK'       // the reference silently (or with a log line) used a default instead
  | 'WARN_CONFIG_DISABLED'       // `update every` < 1 disables the instance (SPEC §5.2)
  | 'WARN_CONFIG_PATTERN'        // a simple pattern with a surprising meaning (SPEC §6, §7 rows 16-17)
  | 'WARN_CONFIG_NO_EFFECT'      // a key that does nothing for this instance's type
  | 'WARN_CONFIG_INSECURE'       // TLS verification switched off
  | 'WARN_CONFIG_ENCODING';      // the file is not valid UTF-8

/** Where a value came from: a line of a file, or a property of the typed options. */
export interface ConfigSite {
  file?: string;
  line?: number;
  section?: string;
  /** The ini key (`update every`) or the typed property (`updateEvery`). */
  key?: string;
}

export class ConfigError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly section?: string;
  readonly key?: string;

  constructor(readonly code: ConfigErrorCode, message: string, site: ConfigSite = {}) {
    super(message);
    this.name = 'ConfigError';
    if (site.file !== undefined) this.file = site.file;
    if (site.line !== undefined) this.line = site.line;
    if (site.section !== undefined) this.section = site.section;
    if (site.key !== undefined) this.key = site.key;
  }
}

export interface ConfigWarning extends ConfigSite {
  readonly code: ConfigWarningCode;
  readonly message: string;
}

export type WarningSink = (w: ConfigWarning) => void;

export const REDACTED = '<redacted>';

/** Unknown key names (typos of known ones) whose values may hold credentials. */
const SENSITIVE = /pass|pasw|pwd|secret|token|auth|credential|header|cookie|key/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE.test(key);
}

/** Short, single-line rendering of a value for messages (never throws). */
export function showValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v)
      : typeof v === 'bigint' ? `${v}n`
        : typeof v === 'function' ? 'a function'
          : JSON.stringify(v) ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** `file:line: [section] 'key'` or `option 'key'`: the subject of a message. */
export function describeSite(site: ConfigSite): string {
  if (site.file !== undefined) {
    const at = site.line !== undefined ? `${site.file}:${site.line}` : site.file;
    const sec = site.section !== undefined ? ` [${site.section}]` : '';
    return site.key !== undefined ? `${at}:${sec} '${site.key}'` : `${at}:${sec}`;
  }
  return site.key !== undefined ? `backend option '${site.key}'` : 'backend options';
}

/** `<site> = <value>`, the value replaced by <redacted> when it is (or may be) a secret. */
export function describeValue(site: ConfigSite, value: unknown, secret: boolean): string {
  return `${describeSite(site)} = ${secret ? REDACTED : showValue(value)}`;
}
