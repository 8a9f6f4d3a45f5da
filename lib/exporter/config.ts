// Reading the exporter's configuration: netdata.conf's `[backend]` and `[backend:NAME]` sections (SPEC
// §5.2-5.3) plus aws_kinesis.conf for enabled kinesis instances (SPEC §5.14). Files are read with
// fs.promises (a sync variant exists for the CLI); parsing itself is pure and never throws anything but
// ConfigError.
import { promises as fsp, readFileSync } from 'fs';
import * as path from 'path';
import { ConfigError, ConfigWarning, WarningSink } from './config-errors';
import { parseIni } from './config-ini';
import { BackendSections, InstanceDraft, readBackendSections } from './config-backend';
import { parseKinesisConf } from './config-kinesis';
import { KinesisCredentials, ResolvedBackendOptions, resolveBackendOptions } from './config-options';
import { backendTypeInfo } from './config-values';

export { ConfigError, REDACTED } from './config-errors';
export type { ConfigErrorCode, ConfigWarning, ConfigWarningCode, WarningSink } from './config-errors';
export { Secret } from './config-secret';
export {
  resolveBackendOptions, BACKEND_DEFAULTS, LIMITS,
} from './config-options';
export type {
  BackendOptions, ResolvedBackendOptions, KinesisCredentials, KinesisPartitionKey, HttpHeader,
} from './config-options';
export { BACKEND_TYPES, DATA_SOURCE_SPELLINGS, strtoll } from './config-values';
export type { BackendType, BackendProtocol, DataSource } from './config-values';
export { BACKEND_KEYS, LEGACY_HOST_TAGS } from './config-backend';
export { parseKinesisConf } from './config-kinesis';

export interface ConfigReadOptions {
  /** Called for every warning as it happens (they are also returned in `warnings`). */
  onWarning?: WarningSink;
  /** Replaces os.hostname() as the last-resort default hostname (`[global] hostname` still wins). */
  defaultHostname?: string;
  /** 'error' (default) or 'warn' for unknown keys in backend sections. */
  unknownKeys?: 'error' | 'warn';
}

export interface ParseConfigOptions extends ConfigReadOptions {
  /** Name used in messages (default 'netdata.conf'). */
  file?: string;
  /** Text of aws_kinesis.conf, needed when an enabled instance has type kinesis. */
  kinesisConfText?: string;
  /** Name of that file in messages (default 'aws_kinesis.conf'). */
  kinesisConfFile?: string;
}

export interface LoadConfigOptions extends ConfigReadOptions {
  /** aws_kinesis.conf to read for enabled kinesis instances (default: next to the netdata.conf file). */
  kinesisConfFile?: string;
}

export interface BackendConfig {
  readonly file: string;
  /** `[global] hostname` or null. */
  readonly globalHostname: string | null;
  /** [backend] first (always present), then every [backend:NAME] in file order. */
  readonly instances: readonly ResolvedBackendOptions[];
  readonly warnings: readonly ConfigWarning[];
}

/** Finds an instance by name (null = [backend]). */
export function findInstance(config: BackendConfig, name: string | null): ResolvedBackendOptions | undefined {
  return config.instances.find((i) => i.name === name);
}

/** Parses the text of a netdata.conf (no I/O). */
export function parseBackendConfig(text: string, opts: ParseConfigOptions = {}): BackendConfig {
  const file = opts.file ?? 'netdata.conf';
  const warnings: ConfigWarning[] = [];
  const sink = collector(warnings, opts.onWarning);
  const sections = sectionsOf(text, file, opts, sink);
  let creds: KinesisCredentials | null = null;
  if (sections.drafts.some(wantsKinesis) && opts.kinesisConfText !== undefined) {
    creds = parseKinesisConf(opts.kinesisConfText, opts.kinesisConfFile ?? 'aws_kinesis.conf', sink);
  }
  return finish(file, sections, creds, opts, warnings, sink);
}

/** Reads and parses a netdata.conf file (and aws_kinesis.conf when an enabled instance needs it). */
export async function loadBackendConfig(file: string, opts: LoadConfigOptions = {}): Promise<BackendConfig> {
  const warnings: ConfigWarning[] = [];
  const sink = collector(warnings, opts.onWarning);
  const text = decode(await readAsync(file, () => `cannot read the configuration file ${file}`), file, sink);
  const sections = sectionsOf(text, file, opts, sink);
  let creds: KinesisCredentials | null = null;
  if (sections.drafts.some(wantsKinesis)) creds = await loadKinesisCredentials(kinesisFile(file, opts), sink);
  return finish(file, sections, creds, opts, warnings, sink);
}

/** Synchronous loadBackendConfig, for the command line tool. */
export function loadBackendConfigSync(file: string, opts: LoadConfigOptions = {}): BackendConfig {
  const warnings: ConfigWarning[] = [];
  const sink = collector(warnings, opts.onWarning);
  const text = decode(readSync(file, () => `cannot read the configuration file ${file}`), file, sink);
  const sections = sectionsOf(text, file, opts, sink);
  let creds: KinesisCredentials | null = null;
  if (sections.drafts.some(wantsKinesis)) {
    const kfile = kinesisFile(file, opts);
    creds = parseKinesisConf(decode(readSync(kfile, () => kinesisReadMessage(kfile)), kfile, sink), kfile, sink);
  }
  return finish(file, sections, creds, opts, warnings, sink);
}

/** Reads aws_kinesis.conf (SPEC §5.14); a missing file or stream name is a ConfigError. */
export async function loadKinesisCredentials(file: string, onWarning?: WarningSink): Promise<KinesisCredentials> {
  const text = decode(await readAsync(file, () => kinesisReadMessage(file)), file, onWarning);
  return parseKinesisConf(text, file, onWarning);
}

function kinesisReadMessage(file: string): string {
  return `kinesis backend type is set but cannot read its configuration from ${file}`;
}

function kinesisFile(file: string, opts: LoadConfigOptions): string {
  return opts.kinesisConfFile ?? path.join(path.dirname(file), 'aws_kinesis.conf');
}

/** An instance that will really run as kinesis needs the credentials file (the reference reads it then). */
function wantsKinesis(d: InstanceDraft): boolean {
  const o = d.options;
  const type = typeof o.type === 'string' ? o.type : 'graphite';
  const ue = typeof o.updateEvery === 'number' ? o.updateEvery : 10;
  return o.enabled === true && ue >= 1 && backendTypeInfo(type)?.protocol === 'kinesis';
}

function collector(list: ConfigWarning[], next: WarningSink | undefined): WarningSink {
  return (w) => {
    list.push(w);
    next?.(w);
  };
}

function sectionsOf(text: string, file: string, opts: ConfigReadOptions, sink: WarningSink): BackendSections {
  if (typeof text !== 'string') throw new ConfigError('ERR_CONFIG_OPTION', `configuration text of ${file} is not a string`, { file });
  return readBackendSections(parseIni(text), { file, onWarning: sink, unknownKeys: opts.unknownKeys });
}

function finish(file: string, sections: BackendSections, creds: KinesisCredentials | null, opts: ConfigReadOptions,
  warnings: ConfigWarning[], sink: WarningSink): BackendConfig {
  const defaultHostname = sections.globalHostname ?? opts.defaultHostname;
  const instances = sections.drafts.map((d) => resolveBackendOptions(
    creds !== null && wantsKinesis(d) ? { ...d.options, kinesisCredentials: creds } : d.options,
    { onWarning: sink, defaultHostname, sites: d.sites, section: d.section },
  ));
  return Object.freeze({ file, globalHostname: sections.globalHostname, instances: Object.freeze(instances), warnings: Object.freeze(warnings) });
}

/** UTF-8 text of a file; invalid bytes become U+FFFD with a warning (netdata would keep the raw bytes). */
function decode(buf: Buffer, file: string, sink: WarningSink | undefined): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    sink?.({ code: 'WARN_CONFIG_ENCODING', message: `${file}: is not valid UTF-8; invalid bytes are read as U+FFFD`, file });
    return buf.toString('utf8');
  }
}

function readError(file: string, message: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return new ConfigError('ERR_CONFIG_READ', `${message}${code !== undefined ? ` (${code})` : ''}`, { file });
}

async function readAsync(file: string, message: () => string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (err) {
    throw readError(file, message(), err);
  }
}

function readSync(file: string, message: () => string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw readError(file, message(), err);
  }
}
