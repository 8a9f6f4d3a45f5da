// `[backend]` and `[backend:NAME]` sections of netdata.conf → BackendOptions (SPEC §5.2, §5.3). The keys
// of SPEC §5.2 are read exactly as netdata reads them (strtoll numbers, boolean words, data source
// fallback), with a warning wherever netdata silently reads something else than what was written. The
// keys beyond the reference are strict: a bad value is an error.
import {
  ConfigError, ConfigSite, ConfigWarning, ConfigWarningCode, WarningSink, describeSite, describeValue, isSensitiveKey, REDACTED,
} from './config-errors';
import { IniDocument, IniEntry, IniSection } from './config-ini';
import { BackendOptions, OptionSites } from './config-options';
import {
  DATA_SOURCE_SPELLINGS, FALSE_WORDS, TRUE_WORDS, closest, parseBooleanWord, parseDataSource, strtoll,
} from './config-values';

type Kind =
  | 'ref-bool'      // netdata boolean words, anything else is "no" (with a warning)
  | 'ref-int'       // strtoll(value, NULL, 0)
  | 'data-source'   // SPEC §5.3 table, unknown → average (with a warning)
  | 'bool'          // boolean words, anything else is an error
  | 'int'           // decimal integer, anything else is an error
  | 'string';       // passed on verbatim

interface KeySpec {
  prop: Exclude<keyof BackendOptions, 'name' | 'kinesisCredentials'>;
  kind: Kind;
  /** The value may be a credential: never echoed. */
  secret?: boolean;
}

/** Every key of an instance section, spelled exactly as in netdata.conf (keys are case-sensitive). */
export const BACKEND_KEYS: Readonly<Record<string, KeySpec>> = Object.freeze({
  // SPEC §5.2, in the reference's reading order
  'enabled': { prop: 'enabled', kind: 'ref-bool' },
  'data source': { prop: 'dataSource', kind: 'data-source' },
  'type': { prop: 'type', kind: 'string' },
  'destination': { prop: 'destination', kind: 'string' },
  'prefix': { prop: 'prefix', kind: 'string' },
  'hostname': { prop: 'hostname', kind: 'string' },
  'update every': { prop: 'updateEvery', kind: 'ref-int' },
  'buffer on failures': { prop: 'bufferOnFailures', kind: 'ref-int' },
  'timeout ms': { prop: 'timeoutMs', kind: 'ref-int' },
  'send names instead of ids': { prop: 'sendNames', kind: 'ref-bool' },
  'send charts matching': { prop: 'sendChartsMatching', kind: 'string' },
  'send hosts matching': { prop: 'sendHostsMatching', kind: 'string' },
  'remote write URL path': { prop: 'remoteWriteUrlPath', kind: 'string' },
  'host tags': { prop: 'hostTags', kind: 'string' },
  // beyond the reference
  'tls verify': { prop: 'tlsVerify', kind: 'bool' },
  'tls ca file': { prop: 'tlsCaFile', kind: 'string' },
  'tls server name': { prop: 'tlsServerName', kind: 'string' },
  'buffer max bytes': { prop: 'bufferMaxBytes', kind: 'int' },
  'jitter ms': { prop: 'jitterMs', kind: 'int' },
  'opentsdb http batch size': { prop: 'opentsdbHttpBatchSize', kind: 'int' },
  'opentsdb http max body bytes': { prop: 'opentsdbHttpMaxBodyBytes', kind: 'int' },
  'remote write username': { prop: 'remoteWriteUsername', kind: 'string' },
  'remote write password': { prop: 'remoteWritePassword', kind: 'string', secret: true },
  'remote write headers': { prop: 'remoteWriteHeaders', kind: 'string', secret: true },
  'remote write max request bytes': { prop: 'remoteWriteMaxRequestBytes', kind: 'int' },
  'remote write max series per request': { prop: 'remoteWriteMaxSeriesPerRequest', kind: 'int' },
  'kinesis endpoint': { prop: 'kinesisEndpoint', kind: 'string' },
  'kinesis partition key': { prop: 'kinesisPartitionKey', kind: 'string' },
});

/** Renamed to `host tags` at startup when `host tags` itself is not set (SPEC §1.1). */
export const LEGACY_HOST_TAGS = 'opentsdb host tags';

const INSTANCE_SECTION = /^backend:(.*)$/s;
const INSTANCE_NAME = /^[A-Za-z0-9_-]+$/;

/** One instance section read from a file, not yet validated. */
export interface InstanceDraft {
  /** null for [backend]. */
  name: string | null;
  section: ConfigSite;
  options: BackendOptions;
  sites: OptionSites;
}

export interface SectionReadOptions {
  file: string;
  onWarning: WarningSink;
  /** 'error' (default): an unknown key in an instance section is a ConfigError; 'warn': a warning. */
  unknownKeys?: 'error' | 'warn';
}

export interface BackendSections {
  /** `[global] hostname` (the default of every instance's `hostname`), or null. */
  globalHostname: string | null;
  /** [backend] first (present even without the section: all defaults), then [backend:NAME] in file order. */
  drafts: InstanceDraft[];
}

/** Classifies the sections of a parsed netdata.conf and converts the instance sections. */
export function readBackendSections(doc: IniDocument, opts: SectionReadOptions): BackendSections {
  const { file, onWarning } = opts;
  const warn = (code: ConfigWarningCode, site: ConfigSite, message: string): void =>
    onWarning({ code, message: `${describeSite(site)} ${message}`, ...site } as ConfigWarning);

  for (const line of doc.outside) {
    warn('WARN_CONFIG_IGNORED_LINE', { file, line }, 'is outside all sections and is ignored (as netdata)');
  }

  // Repeated [backend] headers merge as in netdata; a [backend:NAME] must appear once.
  const main: IniSection[] = [];
  const named = new Map<string, IniSection>();
  let globalHostname: string | null = null;
  for (const sec of doc.sections) {
    const m = INSTANCE_SECTION.exec(sec.name);
    if (sec.name === 'backend') {
      main.push(sec);
    } else if (m !== null) {
      const name = m[1];
      if (!INSTANCE_NAME.test(name)) {
        throw new ConfigError('ERR_CONFIG_SECTION',
          `${file}:${sec.line}: [${sec.name}]: instance name ${JSON.stringify(name)} is not accepted; accepted: [backend:NAME] with NAME made of letters, digits, _ and -`,
          { file, line: sec.line, section: sec.name });
      }
      const prev = named.get(name);
      if (prev !== undefined) {
        throw new ConfigError('ERR_CONFIG_SECTION',
          `${file}:${sec.line}: [${sec.name}] repeats the section of line ${prev.line}; accepted: each [backend:NAME] once (instance names are unique)`,
          { file, line: sec.line, section: sec.name });
      }
      named.set(name, sec);
    } else {
      const t = sec.name.trim().toLowerCase();
      if (t === 'backend' || t.startsWith('backend:')) {
        warn('WARN_CONFIG_IGNORED_SECTION', { file, line: sec.line, section: sec.name },
          `is not a backend section and is ignored: section names are case-sensitive and not trimmed; accepted: [backend] or [backend:NAME]`);
      }
      for (const bad of sec.badLines) {
        warn('WARN_CONFIG_IGNORED_LINE', { file, line: bad.line, section: sec.name },
          bad.problem === 'no-equals' ? 'has no = in it and is ignored (as netdata)' : 'has an empty name and is ignored (as netdata)');
      }
      if (sec.name === 'global') {
        for (const e of sec.entries) if (e.key === 'hostname') globalHostname = e.value;
      }
    }
  }

  const reader = new SectionReader(opts);
  const drafts: InstanceDraft[] = [];
  drafts.push(reader.read(null, main, main.length > 0 ? { file, line: main[0].line, section: 'backend' } : { file, section: 'backend' }));
  for (const [name, sec] of named) {
    drafts.push(reader.read(name, [sec], { file, line: sec.line, section: sec.name }));
  }
  return { globalHostname, drafts };
}

class SectionReader {
  constructor(private readonly opts: SectionReadOptions) {}

  private warn(code: ConfigWarningCode, site: ConfigSite, message: string): void {
    this.opts.onWarning({ code, message: `${describeSite(site)}: ${message}`, ...site });
  }

  read(name: string | null, sections: IniSection[], section: ConfigSite): InstanceDraft {
    const { file } = this.opts;
    const sectionName = section.section ?? 'backend';
    const latest = new Map<string, IniEntry>();
    for (const sec of sections) {
      for (const bad of sec.badLines) {
        const shown = isSensitiveKey(bad.text) ? REDACTED : JSON.stringify(bad.text);
        throw new ConfigError('ERR_CONFIG_SYNTAX',
          `${file}:${bad.line}: [${sectionName}] line ${shown}: ${bad.problem === 'no-equals' ? 'there is no = in it' : 'the name before = is empty'}; accepted: name = value`,
          { file, line: bad.line, section: sectionName });
      }
      for (const e of sec.entries) {
        const prev = latest.get(e.key);
        if (prev !== undefined) {
          this.warn('WARN_CONFIG_DUPLICATE_KEY', { file, line: e.line, section: sectionName, key: e.key },
            `is also set on line ${prev.line}; the later value (line ${e.line}) wins (as netdata)`);
        }
        latest.set(e.key, e);
      }
    }

    // SPEC §1.1: `opentsdb host tags` is renamed to `host tags` unless that is set too.
    const legacy = latest.get(LEGACY_HOST_TAGS);
    if (legacy !== undefined) {
      latest.delete(LEGACY_HOST_TAGS);
      const site = { file, line: legacy.line, section: sectionName, key: LEGACY_HOST_TAGS };
      if (latest.has('host tags')) {
        this.warn('WARN_CONFIG_LEGACY_KEY', site, `is ignored because 'host tags' is set too (as netdata)`);
      } else {
        this.warn('WARN_CONFIG_LEGACY_KEY', site, `is the old name of 'host tags'; it is used as 'host tags'`);
        latest.set('host tags', legacy);
      }
    }

    const options: BackendOptions = { name };
    const sites: OptionSites = {};
    // The map key is the key's meaning; the entry keeps the key as written (the legacy name, say).
    const entries = [...latest.entries()].sort((a, b) => a[1].line - b[1].line);
    for (const [key, e] of entries) {
      const spec = Object.prototype.hasOwnProperty.call(BACKEND_KEYS, key) ? BACKEND_KEYS[key] : undefined;
      const site: ConfigSite = { file, line: e.line, section: sectionName, key: e.key };
      if (spec === undefined) {
        this.unknownKey(e, site);
        continue;
      }
      sites[spec.prop] = { ...site, raw: e.value };
      (options as Record<string, unknown>)[spec.prop] = this.convert(spec, e.value, site);
    }
    return { name, section, options, sites };
  }

  private unknownKey(e: IniEntry, site: ConfigSite): void {
    const hint = closest(e.key, [...Object.keys(BACKEND_KEYS), LEGACY_HOST_TAGS]);
    // A misspelt secret key still holds a secret: redact when the key looks like one or is close to one.
    const secret = isSensitiveKey(e.key) || (hint !== null && BACKEND_KEYS[hint]?.secret === true);
    const msg = `${describeValue(site, e.value, secret)}: unknown key${hint !== null ? ` (did you mean '${hint}'?)` : ''}; accepted: ${Object.keys(BACKEND_KEYS).join(', ')}`;
    if (this.opts.unknownKeys === 'warn') {
      this.opts.onWarning({ code: 'WARN_CONFIG_UNKNOWN_KEY', message: `${msg} (ignored)`, ...site });
      return;
    }
    throw new ConfigError('ERR_CONFIG_UNKNOWN_KEY', msg, site);
  }

  private convert(spec: KeySpec, value: string, site: ConfigSite): unknown {
    const secret = spec.secret === true;
    const bad = (problem: string, accepted: string): never => {
      throw new ConfigError('ERR_CONFIG_BAD_VALUE', `${describeValue(site, value, secret)}: ${problem}; accepted: ${accepted}`, site);
    };
    switch (spec.kind) {
      case 'string':
        return value;
      case 'ref-bool': {
        const b = parseBooleanWord(value);
        if (!b.recognised) {
          this.warn('WARN_CONFIG_BOOLEAN', site,
            `${JSON.stringify(value)} is not a boolean word, so netdata reads it as "no"; true words: ${TRUE_WORDS.join(', ')}; false words: ${FALSE_WORDS.join(', ')}`);
        }
        return b.value;
      }
      case 'bool': {
        const b = parseBooleanWord(value);
        if (!b.recognised) bad('not a boolean word', `${TRUE_WORDS.join(', ')} (true) or ${FALSE_WORDS.join(', ')} (false), any case`);
        return b.value;
      }
      case 'ref-int': {
        // SPEC §5.2: strtoll(value, NULL, 0).
        const r = strtoll(value);
        if (!r.numeric) {
          this.warn('WARN_CONFIG_NUMBER', site, `${JSON.stringify(value)} is not a number, so netdata reads it as 0`);
        } else {
          if (r.rest !== '') this.warn('WARN_CONFIG_NUMBER', site, `${JSON.stringify(value)}: the trailing ${JSON.stringify(r.rest)} is ignored, read as ${r.value}`);
          if (r.base === 8 && /^[\s+-]*0[0-7]/.test(value)) {
            this.warn('WARN_CONFIG_NUMBER', site, `${JSON.stringify(value)} starts with 0, so it is octal: read as ${r.value}`);
          }
        }
        return Number(r.value);
      }
      case 'int': {
        if (!/^[+-]?[0-9]+$/.test(value)) bad('not a whole number', 'decimal digits, e.g. 65536');
        return Number(value);
      }
      case 'data-source': {
        // SPEC §5.3: an unknown data source is logged and the mode stays average; the exporter runs.
        if (parseDataSource(value) === null) {
          this.warn('WARN_CONFIG_FALLBACK', site,
            `invalid data source method ${JSON.stringify(value)}; using 'average' (as netdata); accepted: ${Object.keys(DATA_SOURCE_SPELLINGS).join(', ')}`);
          return 'average';
        }
        return value;
      }
    }
  }
}
