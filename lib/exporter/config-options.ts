// The options of one backend instance as a typed object (for embedding) and their validation with
// defaults. The netdata.conf reader (config-backend.ts) converts `[backend]` text into the same
// BackendOptions and lets this module validate it, passing where each value came from so that errors
// name the file, line, key and value.
import * as os from 'os';
import {
  ConfigError, ConfigErrorCode, ConfigSite, ConfigWarningCode, WarningSink, describeSite, describeValue, showValue, REDACTED,
} from './config-errors';
import { Secret } from './config-secret';
import {
  BACKEND_TYPES, BackendProtocol, BackendType, DATA_SOURCE_SPELLINGS, DataSource, backendTypeInfo, parseDataSource,
} from './config-values';
import { SimplePattern } from '../formats/simple-pattern';

/** Credentials of the kinesis backend (SPEC §5.14 aws_kinesis.conf). */
export interface KinesisCredentials {
  /** `aws_access_key_id`; null (or "") = use the SDK's default credential chain. */
  accessKeyId: string | null;
  /** `aws_secret_access_key`; never printed (SPEC §7 rows 8, 25). */
  secretAccessKey: Secret | null;
  /** `stream name`, mandatory for an enabled kinesis instance. */
  streamName: string;
}

export type KinesisPartitionKey = 'hostname-counter' | 'random';

/** One extra HTTP header of remote write requests; the value may be a token, so it is a Secret. */
export interface HttpHeader {
  readonly name: string;
  readonly value: Secret;
}

/**
 * Options of one backend instance. Every property is optional; resolveBackendOptions() applies the
 * reference's defaults (SPEC §5.2) and the defaults of the options beyond the reference.
 */
export interface BackendOptions {
  /** Instance name: null for `[backend]`, NAME for `[backend:NAME]` ([A-Za-z0-9_-]+). */
  name?: string | null;
  /** `enabled` (default false). */
  enabled?: boolean;
  /** `data source` (default 'average'); the netdata spellings of SPEC §5.3 are accepted too. */
  dataSource?: DataSource | string;
  /** `type` (default 'graphite'), spelled as in netdata.conf (SPEC §5.3), case-sensitive. */
  type?: BackendType | string;
  /** `destination` (default 'localhost'); kinesis: the AWS region. Parsed by the transport (SPEC §5.10). */
  destination?: string;
  /** `prefix` (default 'netdata'). */
  prefix?: string;
  /** `hostname`: the name of localhost's metrics (default `[global] hostname`, else the OS host name). */
  hostname?: string;
  /** `update every` in seconds (default 10); < 1 disables the instance (SPEC §5.2). */
  updateEvery?: number;
  /** `buffer on failures` (default 10): failed iterations kept before data is dropped (SPEC §5.5 step 11). */
  bufferOnFailures?: number;
  /** `timeout ms` (default 2 × updateEvery × 1000); < 1 falls back to the default (SPEC §5.2). */
  timeoutMs?: number;
  /** `send names instead of ids` (default true). */
  sendNames?: boolean;
  /** `send charts matching` (default '*'); empty sends no chart (SPEC §7 row 16). */
  sendChartsMatching?: string;
  /** `send hosts matching` (default 'localhost *'); empty sends every host (SPEC §5.6). */
  sendHostsMatching?: string;
  /** `host tags` of localhost (default none; "" = none, SPEC §1.1). */
  hostTags?: string | null;
  /** `tls verify` (default true): verify the server certificate and host name (SPEC §7 row 10). */
  tlsVerify?: boolean;
  /** `tls ca file`: PEM file of CAs to trust; null/"" = the system CAs. */
  tlsCaFile?: string | null;
  /** `tls server name`: SNI and the name to verify; null/"" = the destination host. */
  tlsServerName?: string | null;
  /**
   * `buffer max bytes` (default 256 MiB): cap of unsent data; unlimited is not accepted (SPEC §7 row 12).
   * Sized for large hosts: one iteration of 1M dimensions is ~69 MB in graphite and ~274 MB in JSON, and a
   * healthy destination still receives an iteration larger than the cap (only what stays unsent is cut).
   */
  bufferMaxBytes?: number;
  /** `jitter ms` (default 0): random delay added to each wake-up, < updateEvery × 1000 (SPEC §7 row 21). */
  jitterMs?: number;
  /** `opentsdb http batch size`: points per OpenTSDB HTTP request (default 50, SPEC §7 row 9). */
  opentsdbHttpBatchSize?: number;
  /**
   * `opentsdb http max body bytes` (default 8192): body cap of one OpenTSDB HTTP request. Stock OpenTSDB
   * refuses HTTP bodies larger than its 8 KiB chunk limit ("Chunked request not supported") unless
   * `tsd.http.request.enable_chunked` is set (and `tsd.http.request.max_chunk` raised).
   */
  opentsdbHttpMaxBodyBytes?: number;
  /** `remote write URL path` (default '/receive'). */
  remoteWriteUrlPath?: string;
  /** `remote write username` for HTTP basic authentication (null/"" = none). */
  remoteWriteUsername?: string | null;
  /** `remote write password` (null/"" = none); needs a username. */
  remoteWritePassword?: string | Secret | null;
  /** `remote write headers`: `Name: value; Name2: value2`, or as an object / list of pairs. */
  remoteWriteHeaders?: string | Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /**
   * `remote write max request bytes` (default 1 MiB): serialized WriteRequest bytes (before snappy) per HTTP
   * request; larger iterations are split between series. Lower it for receivers with a smaller body limit.
   */
  remoteWriteMaxRequestBytes?: number;
  /** `remote write max series per request` (default 2000, Prometheus' own max_samples_per_send). */
  remoteWriteMaxSeriesPerRequest?: number;
  /** `kinesis endpoint`: an http(s) URL; null/"" = the AWS endpoint of the region. */
  kinesisEndpoint?: string | null;
  /** `kinesis partition key` (default 'hostname-counter', SPEC §7 row 8). */
  kinesisPartitionKey?: KinesisPartitionKey;
  /** aws_kinesis.conf contents; required for an enabled kinesis instance (the file reader fills it). */
  kinesisCredentials?: KinesisCredentials | null;
}

export interface ResolvedBackendOptions {
  readonly name: string | null;
  /** False when `enabled` is off or the instance was disabled (see disabledReason). */
  readonly enabled: boolean;
  /** Why an instance with `enabled = yes` is nevertheless off (`update every` < 1), else null. */
  readonly disabledReason: string | null;
  readonly dataSource: DataSource;
  /** The type as spelled in the configuration. */
  readonly type: BackendType;
  readonly protocol: BackendProtocol;
  readonly tls: boolean;
  /** Port for destinations that name none; null: the destination must name one (remote write) / n/a. */
  readonly defaultPort: number | null;
  /** Name used in the reference's "received N bytes from <name> backend" log line (SPEC §5.9). */
  readonly logName: string;
  readonly destination: string;
  readonly prefix: string;
  readonly hostname: string;
  /** Seconds; >= 1 whenever `enabled` is true. */
  readonly updateEvery: number;
  readonly bufferOnFailures: number;
  readonly timeoutMs: number;
  readonly sendNames: boolean;
  readonly sendChartsMatching: string;
  readonly sendHostsMatching: string;
  readonly hostTags: string | null;
  /** SPEC §5.3 options bitmap: bit 0 as-collected, bit 1 average, bit 2 sum, bit 16 send names. */
  readonly optionsBitmap: number;
  readonly tlsVerify: boolean;
  readonly tlsCaFile: string | null;
  readonly tlsServerName: string | null;
  readonly bufferMaxBytes: number;
  readonly jitterMs: number;
  readonly opentsdbHttpBatchSize: number;
  readonly opentsdbHttpMaxBodyBytes: number;
  readonly remoteWriteUrlPath: string;
  readonly remoteWriteUsername: string | null;
  readonly remoteWritePassword: Secret | null;
  readonly remoteWriteHeaders: readonly HttpHeader[];
  readonly remoteWriteMaxRequestBytes: number;
  readonly remoteWriteMaxSeriesPerRequest: number;
  readonly kinesisEndpoint: string | null;
  readonly kinesisPartitionKey: KinesisPartitionKey;
  readonly kinesisCredentials: Readonly<KinesisCredentials> | null;
  /** One line like the reference's `BACKEND: configured (...)` log text; never contains secrets. */
  toString(): string;
  /** All options with every secret replaced by `<redacted>`. */
  toJSON(): Record<string, unknown>;
}

/** Where each property came from (the file reader passes this so errors name file, line and key). */
export type OptionSites = Partial<Record<keyof BackendOptions, ConfigSite & { raw?: string }>>;

export interface ResolveContext {
  /** Receives every warning (also collected by the file reader). */
  onWarning?: WarningSink;
  /** Default of `hostname`: netdata's `[global] hostname`; else os.hostname(). */
  defaultHostname?: string;
  /** @internal file positions of the values (config-backend.ts). */
  sites?: OptionSites;
  /** @internal the section the options came from, for instance-level messages. */
  section?: ConfigSite;
}

export const BACKEND_DEFAULTS = Object.freeze({
  enabled: false,
  dataSource: 'average' as DataSource,
  type: 'graphite' as BackendType,
  destination: 'localhost',
  prefix: 'netdata',
  updateEvery: 10,
  bufferOnFailures: 10,
  sendNames: true,
  sendChartsMatching: '*',
  sendHostsMatching: 'localhost *',
  tlsVerify: true,
  // 256 MiB: one iteration of 1M dimensions is ~69 MB in graphite, ~274 MB in JSON (see bufferMaxBytes).
  bufferMaxBytes: 256 * 1024 * 1024,
  jitterMs: 0,
  // 50 points and 8 KiB per request: stock OpenTSDB refuses bodies above its 8 KiB chunk limit unless
  // tsd.http.request.enable_chunked is set (see opentsdbHttpMaxBodyBytes).
  opentsdbHttpBatchSize: 50,
  opentsdbHttpMaxBodyBytes: 8192,
  remoteWriteUrlPath: '/receive',
  // 1 MiB uncompressed and 2000 series per remote write request (the encoder splits between series).
  remoteWriteMaxRequestBytes: 1024 * 1024,
  remoteWriteMaxSeriesPerRequest: 2000,
  kinesisPartitionKey: 'hostname-counter' as KinesisPartitionKey,
});

/** Limits of the numeric options (inclusive). */
export const LIMITS = Object.freeze({
  updateEvery: [1, 86400],
  bufferOnFailures: [-2147483648, 2147483647],
  timeoutMs: [1, 2147483647],
  bufferMaxBytes: [1024, 1024 * 1024 * 1024],
  opentsdbHttpBatchSize: [1, 100000],
  opentsdbHttpMaxBodyBytes: [64, 64 * 1024 * 1024],
  // The encoder's own bounds (lib/formats/remote-write.ts).
  remoteWriteMaxRequestBytes: [1024, 64 * 1024 * 1024],
  remoteWriteMaxSeriesPerRequest: [1, 1_000_000],
} as const);

const OPTION_NAMES: readonly (keyof BackendOptions)[] = [
  'name', 'enabled', 'dataSource', 'type', 'destination', 'prefix', 'hostname', 'updateEvery', 'bufferOnFailures',
  'timeoutMs', 'sendNames', 'sendChartsMatching', 'sendHostsMatching', 'hostTags', 'tlsVerify', 'tlsCaFile',
  'tlsServerName', 'bufferMaxBytes', 'jitterMs', 'opentsdbHttpBatchSize', 'opentsdbHttpMaxBodyBytes',
  'remoteWriteUrlPath', 'remoteWriteUsername', 'remoteWritePassword', 'remoteWriteHeaders', 'remoteWriteMaxRequestBytes',
  'remoteWriteMaxSeriesPerRequest', 'kinesisEndpoint', 'kinesisPartitionKey', 'kinesisCredentials',
];

/** Properties whose values are never echoed. */
const SECRET_PROPS = new Set<keyof BackendOptions>(['remoteWritePassword', 'remoteWriteHeaders', 'kinesisCredentials']);

const INSTANCE_NAME = /^[A-Za-z0-9_-]+$/;
/** Characters that would split a line or a header (NUL, CR, LF). */
const LINE_BREAKERS = /[\u0000\r\n]/;
/** HTTP field-name token (RFC 9110 §5.1). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the transport owns: framing must not be overridden. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection']);

/** Validates `partial` and applies the defaults; throws ConfigError naming the option and value. */
export function resolveBackendOptions(partial: BackendOptions = {}, ctx: ResolveContext = {}): ResolvedBackendOptions {
  return new Resolver(partial, ctx).run();
}

class Resolver {
  private readonly sites: OptionSites;

  constructor(private readonly o: BackendOptions, private readonly ctx: ResolveContext) {
    this.sites = ctx.sites ?? {};
  }

  private site(prop: keyof BackendOptions): ConfigSite {
    const s = this.sites[prop];
    if (s !== undefined) return { file: s.file, line: s.line, section: s.section, key: s.key };
    return { ...(this.ctx.section ?? {}), key: prop };
  }

  /** The value as the user wrote it (file text when it came from a file). */
  private shown(prop: keyof BackendOptions, value: unknown): unknown {
    return this.sites[prop]?.raw ?? value;
  }

  fail(code: ConfigErrorCode, prop: keyof BackendOptions, value: unknown, problem: string, accepted: string): never {
    const site = this.site(prop);
    const secret = SECRET_PROPS.has(prop);
    throw new ConfigError(code, `${describeValue(site, this.shown(prop, value), secret)}: ${problem}; accepted: ${accepted}`, site);
  }

  warn(code: ConfigWarningCode, prop: keyof BackendOptions, message: string): void {
    const site = this.site(prop);
    this.ctx.onWarning?.({ code, message: `${describeSite(site)}: ${message}`, ...site });
  }

  private bool(prop: keyof BackendOptions, dflt: boolean): boolean {
    const v = this.o[prop];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') this.fail('ERR_CONFIG_OPTION', prop, v, 'not a boolean', 'true or false');
    return v;
  }

  private str(prop: keyof BackendOptions, dflt: string, what = 'text without NUL, CR or LF'): string {
    const v = this.o[prop];
    if (v === undefined) return dflt;
    if (typeof v !== 'string') this.fail('ERR_CONFIG_OPTION', prop, v, 'not a string', what);
    if (LINE_BREAKERS.test(v)) this.fail('ERR_CONFIG_BAD_VALUE', prop, v, 'contains NUL, CR or LF, which would break the output', what);
    return v;
  }

  /** A string where "" (or null) means "not set". */
  private optStr(prop: keyof BackendOptions, what = 'text without NUL, CR or LF (empty: not set)'): string | null {
    const v = this.o[prop];
    if (v === undefined || v === null) return null;
    const s = this.str(prop, '', what);
    return s === '' ? null : s;
  }

  private int(prop: keyof BackendOptions, dflt: number, lo: number, hi: number, extra = ''): number {
    const v = this.o[prop];
    if (v === undefined) return dflt;
    const accepted = `a whole number from ${lo} to ${hi}${extra}`;
    if (typeof v !== 'number') this.fail('ERR_CONFIG_OPTION', prop, v, 'not a number', accepted);
    if (!Number.isInteger(v)) this.fail('ERR_CONFIG_RANGE', prop, v, 'not a whole number', accepted);
    if (v < lo || v > hi) this.fail('ERR_CONFIG_RANGE', prop, v, 'out of range', accepted);
    return v;
  }

  run(): ResolvedBackendOptions {
    const o = this.o;
    if (o === null || typeof o !== 'object' || Array.isArray(o)) {
      throw new ConfigError('ERR_CONFIG_OPTION', `backend options = ${showValue(o)}: not an object; accepted: an object with the properties ${OPTION_NAMES.join(', ')}`);
    }
    for (const k of Object.keys(o)) {
      if (!(OPTION_NAMES as readonly string[]).includes(k)) {
        throw new ConfigError('ERR_CONFIG_OPTION', `backend option '${k}' is unknown; accepted: ${OPTION_NAMES.join(', ')}`, { key: k });
      }
    }

    // name
    let name: string | null = null;
    if (o.name !== undefined && o.name !== null) {
      if (typeof o.name !== 'string' || !INSTANCE_NAME.test(o.name)) {
        this.fail('ERR_CONFIG_BAD_VALUE', 'name', o.name, 'not a valid instance name', 'letters, digits, _ and - (at least one), or null for [backend]');
      }
      name = o.name;
    }

    const enabledWanted = this.bool('enabled', BACKEND_DEFAULTS.enabled);

    // data source (SPEC §5.3): the file reader already turned an unknown spelling into a warning.
    let dataSource: DataSource = BACKEND_DEFAULTS.dataSource;
    if (o.dataSource !== undefined) {
      const ds = typeof o.dataSource === 'string' ? parseDataSource(o.dataSource) : null;
      if (ds === null) this.fail('ERR_CONFIG_BAD_VALUE', 'dataSource', o.dataSource, 'unknown data source', Object.keys(DATA_SOURCE_SPELLINGS).join(', '));
      dataSource = ds;
    }

    // type (SPEC §5.3; unknown → error, as the reference exits)
    let type: BackendType = BACKEND_DEFAULTS.type;
    if (o.type !== undefined) {
      if (typeof o.type !== 'string' || backendTypeInfo(o.type) === null) {
        this.fail('ERR_CONFIG_BAD_VALUE', 'type', o.type, 'unknown backend type (case-sensitive)', Object.keys(BACKEND_TYPES).join(', '));
      }
      type = o.type as BackendType;
    }
    const info = BACKEND_TYPES[type];

    const destination = this.str('destination', BACKEND_DEFAULTS.destination);
    if (destination.trim() === '') {
      this.fail('ERR_CONFIG_BAD_VALUE', 'destination', destination, 'empty', info.protocol === 'kinesis'
        ? 'an AWS region such as us-east-1' : 'a list of [PROTOCOL:]HOST[%INTERFACE][:PORT] entries separated by spaces or commas');
    }
    const prefix = this.str('prefix', BACKEND_DEFAULTS.prefix);
    const hostname = this.str('hostname', this.ctx.defaultHostname ?? os.hostname());
    // The default (`[global] hostname`) ends up in every line too: the same check as a configured value.
    if (LINE_BREAKERS.test(hostname)) this.fail('ERR_CONFIG_BAD_VALUE', 'hostname', hostname, 'the default from [global] hostname contains NUL, CR or LF, which would break the output', 'text without NUL, CR or LF');

    // update every (SPEC §5.2): < 1 silently disables the exporter in the reference; here with a warning.
    let updateEvery: number = BACKEND_DEFAULTS.updateEvery;
    let disabledReason: string | null = null;
    if (o.updateEvery !== undefined) {
      const v = o.updateEvery;
      if (typeof v !== 'number') this.fail('ERR_CONFIG_OPTION', 'updateEvery', v, 'not a number', `a whole number of seconds from 1 to ${LIMITS.updateEvery[1]}`);
      if (!Number.isInteger(v)) this.fail('ERR_CONFIG_RANGE', 'updateEvery', v, 'not a whole number of seconds', `a whole number from 1 to ${LIMITS.updateEvery[1]}`);
      if (v > LIMITS.updateEvery[1]) this.fail('ERR_CONFIG_RANGE', 'updateEvery', v, 'out of range', `a whole number from 1 to ${LIMITS.updateEvery[1]} (values < 1 disable the instance)`);
      updateEvery = v;
      if (v < 1) {
        disabledReason = `update every = ${v} is less than 1`;
        if (enabledWanted) this.warn('WARN_CONFIG_DISABLED', 'updateEvery', `${v} is less than 1: this backend instance is disabled (as in netdata)`);
      }
    }
    const ue = Math.max(updateEvery, 1);
    const enabled = enabledWanted && disabledReason === null;

    const bufferOnFailures = this.int('bufferOnFailures', BACKEND_DEFAULTS.bufferOnFailures, ...LIMITS.bufferOnFailures);
    if (bufferOnFailures < 0) {
      this.warn('WARN_CONFIG_FALLBACK', 'bufferOnFailures', `${bufferOnFailures} is negative: every iteration that fails discards the buffer at once (as in netdata)`);
    }

    // timeout ms (SPEC §5.2): default computed from the UE read above; < 1 → logged, default used.
    const timeoutDefault = 2 * ue * 1000;
    let timeoutMs = timeoutDefault;
    if (o.timeoutMs !== undefined) {
      const v = o.timeoutMs;
      const accepted = `a whole number of milliseconds from 1 to ${LIMITS.timeoutMs[1]}`;
      if (typeof v !== 'number') this.fail('ERR_CONFIG_OPTION', 'timeoutMs', v, 'not a number', accepted);
      if (!Number.isInteger(v)) this.fail('ERR_CONFIG_RANGE', 'timeoutMs', v, 'not a whole number', accepted);
      if (v > LIMITS.timeoutMs[1]) this.fail('ERR_CONFIG_RANGE', 'timeoutMs', v, 'out of range', accepted);
      if (v < 1) {
        this.warn('WARN_CONFIG_FALLBACK', 'timeoutMs', `invalid timeout ${v} ms given. Assuming ${timeoutDefault} ms (2 x update every x 1000, as netdata)`);
      } else {
        timeoutMs = v;
      }
    }

    const sendNames = this.bool('sendNames', BACKEND_DEFAULTS.sendNames);
    const sendChartsMatching = this.str('sendChartsMatching', BACKEND_DEFAULTS.sendChartsMatching);
    const sendHostsMatching = this.str('sendHostsMatching', BACKEND_DEFAULTS.sendHostsMatching);
    this.checkPattern('sendChartsMatching', sendChartsMatching, 'no chart matches an empty charts pattern: nothing will be sent (as in netdata)');
    this.checkPattern('sendHostsMatching', sendHostsMatching, 'an empty hosts pattern sends every host (as in netdata)');

    const hostTags = this.optStr('hostTags');

    const tlsVerify = this.bool('tlsVerify', BACKEND_DEFAULTS.tlsVerify);
    if (!tlsVerify && (info.tls || info.protocol === 'kinesis')) {
      this.warn('WARN_CONFIG_INSECURE', 'tlsVerify', 'server certificates and host names are not verified: anyone on the path can read and change the data');
    }
    const tlsCaFile = this.optStr('tlsCaFile', 'a path to a PEM file (empty: the system CAs)');
    const tlsServerName = this.optStr('tlsServerName', 'a host name (empty: the destination host)');
    if (tlsServerName !== null && /[\s/]/.test(tlsServerName)) {
      this.fail('ERR_CONFIG_BAD_VALUE', 'tlsServerName', tlsServerName, 'not a host name', 'a DNS name without spaces or slashes (empty: the destination host)');
    }

    const bufferMaxBytes = this.int('bufferMaxBytes', BACKEND_DEFAULTS.bufferMaxBytes, ...LIMITS.bufferMaxBytes,
      ' (0 = unlimited is not accepted: the buffer must be bounded)');
    const jitterMs = this.int('jitterMs', BACKEND_DEFAULTS.jitterMs, 0, ue * 1000 - 1, ` (less than update every x 1000 = ${ue * 1000})`);
    const opentsdbHttpBatchSize = this.int('opentsdbHttpBatchSize', BACKEND_DEFAULTS.opentsdbHttpBatchSize, ...LIMITS.opentsdbHttpBatchSize);
    const opentsdbHttpMaxBodyBytes = this.int('opentsdbHttpMaxBodyBytes', BACKEND_DEFAULTS.opentsdbHttpMaxBodyBytes, ...LIMITS.opentsdbHttpMaxBodyBytes);

    const remoteWriteUrlPath = this.str('remoteWriteUrlPath', BACKEND_DEFAULTS.remoteWriteUrlPath);
    if (!remoteWriteUrlPath.startsWith('/') || /[\s\u0000-\u001f\u007f]/.test(remoteWriteUrlPath)) {
      this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteUrlPath', remoteWriteUrlPath, 'not a URL path', 'a path starting with / without spaces or control characters, e.g. /api/v1/write');
    }
    const remoteWriteUsername = this.optStr('remoteWriteUsername', 'a user name without : (empty: no authentication)');
    if (remoteWriteUsername !== null && remoteWriteUsername.includes(':')) {
      this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteUsername', remoteWriteUsername, 'contains ":", which basic authentication cannot carry', 'a user name without :');
    }
    const remoteWritePassword = this.secret('remoteWritePassword');
    if (remoteWritePassword !== null && remoteWriteUsername === null) {
      this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWritePassword', REDACTED, 'a password needs a user name', 'set remote write username too, or use remote write headers for a token');
    }
    const remoteWriteHeaders = this.headers();
    const remoteWriteMaxRequestBytes = this.int('remoteWriteMaxRequestBytes', BACKEND_DEFAULTS.remoteWriteMaxRequestBytes,
      ...LIMITS.remoteWriteMaxRequestBytes, ' (uncompressed WriteRequest bytes per request)');
    const remoteWriteMaxSeriesPerRequest = this.int('remoteWriteMaxSeriesPerRequest', BACKEND_DEFAULTS.remoteWriteMaxSeriesPerRequest,
      ...LIMITS.remoteWriteMaxSeriesPerRequest, ' (series per request)');

    const kinesisEndpoint = this.optStr('kinesisEndpoint', 'an http:// or https:// URL (empty: the AWS endpoint of the region)');
    if (kinesisEndpoint !== null && !isHttpUrl(kinesisEndpoint)) {
      this.fail('ERR_CONFIG_BAD_VALUE', 'kinesisEndpoint', kinesisEndpoint, 'not an http(s) URL', 'an http:// or https:// URL such as https://kinesis.eu-west-1.amazonaws.com (empty: the AWS default)');
    }
    let kinesisPartitionKey = BACKEND_DEFAULTS.kinesisPartitionKey;
    if (o.kinesisPartitionKey !== undefined) {
      if (o.kinesisPartitionKey !== 'hostname-counter' && o.kinesisPartitionKey !== 'random') {
        this.fail('ERR_CONFIG_BAD_VALUE', 'kinesisPartitionKey', o.kinesisPartitionKey, 'unknown partition key scheme', 'hostname-counter, random');
      }
      kinesisPartitionKey = o.kinesisPartitionKey;
    }
    const kinesisCredentials = this.kinesis(enabled && info.protocol === 'kinesis');

    this.noEffect(info.tls || info.protocol === 'kinesis', ['tlsVerify', 'tlsCaFile', 'tlsServerName'], type);
    this.noEffect(info.protocol === 'opentsdb-http', ['opentsdbHttpBatchSize', 'opentsdbHttpMaxBodyBytes'], type);
    this.noEffect(info.protocol === 'prometheus-remote-write',
      ['remoteWriteUrlPath', 'remoteWriteUsername', 'remoteWritePassword', 'remoteWriteHeaders', 'remoteWriteMaxRequestBytes',
        'remoteWriteMaxSeriesPerRequest'], type);
    this.noEffect(info.protocol === 'kinesis', ['kinesisEndpoint', 'kinesisPartitionKey'], type);

    const optionsBitmap = (dataSource === 'as-collected' ? 1 : dataSource === 'average' ? 2 : 4) | (sendNames ? 65536 : 0);

    const resolved = {
      name, enabled, disabledReason, dataSource, type, protocol: info.protocol, tls: info.tls, defaultPort: info.defaultPort,
      logName: info.logName, destination, prefix, hostname, updateEvery, bufferOnFailures, timeoutMs, sendNames,
      sendChartsMatching, sendHostsMatching, hostTags, optionsBitmap, tlsVerify, tlsCaFile, tlsServerName, bufferMaxBytes,
      jitterMs, opentsdbHttpBatchSize, opentsdbHttpMaxBodyBytes, remoteWriteUrlPath, remoteWriteUsername,
      remoteWritePassword, remoteWriteHeaders, remoteWriteMaxRequestBytes, remoteWriteMaxSeriesPerRequest, kinesisEndpoint,
      kinesisPartitionKey, kinesisCredentials,
    };
    return finish(resolved);
  }

  private checkPattern(prop: 'sendChartsMatching' | 'sendHostsMatching', text: string, emptyMeaning: string): void {
    const p = SimplePattern.parse(text);
    if (p.isNull) this.warn('WARN_CONFIG_PATTERN', prop, emptyMeaning);
    if (p.quirks.includes('lone-negation')) {
      this.warn('WARN_CONFIG_PATTERN', prop, 'a "!" followed by a space (or at the end) negates nothing: the next word is positive (SPEC §6.1, as in netdata)');
    }
    if (p.quirks.includes('literal-star')) {
      this.warn('WARN_CONFIG_PATTERN', prop, 'a doubled "*" inside a word is a literal asterisk ("a**b" matches only "a*b"; SPEC §6.1, as in netdata)');
    }
  }

  private secret(prop: 'remoteWritePassword'): Secret | null {
    const v = this.o[prop];
    if (v === undefined || v === null) return null;
    if (v instanceof Secret) return v.isEmpty ? null : v;
    if (typeof v !== 'string') this.fail('ERR_CONFIG_OPTION', prop, v, 'not a string', 'a string or a Secret');
    if (LINE_BREAKERS.test(v)) this.fail('ERR_CONFIG_BAD_VALUE', prop, v, 'contains NUL, CR or LF', 'text without NUL, CR or LF');
    return v === '' ? null : new Secret(v);
  }

  private headers(): readonly HttpHeader[] {
    const v = this.o.remoteWriteHeaders;
    if (v === undefined) return [];
    const accepted = '"Name: value; Name2: value2" (names are HTTP tokens; values without ;, CR or LF)';
    let pairs: (readonly [string, string])[];
    if (typeof v === 'string') {
      pairs = [];
      for (const part of v.split(';')) {
        const item = part.trim();
        if (item === '') continue;
        const colon = item.indexOf(':');
        if (colon < 0) this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteHeaders', v, `an item has no ":" (item ${pairs.length + 1})`, accepted);
        pairs.push([item.slice(0, colon).trim(), item.slice(colon + 1).trim()]);
      }
    } else if (Array.isArray(v)) {
      pairs = v.map((p, i) => {
        if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string') {
          this.fail('ERR_CONFIG_OPTION', 'remoteWriteHeaders', v, `item ${i + 1} is not a [name, value] pair of strings`, accepted);
        }
        return [p[0], p[1]] as const;
      });
    } else if (v !== null && typeof v === 'object') {
      pairs = Object.entries(v).map(([k, val]) => {
        if (typeof val !== 'string') this.fail('ERR_CONFIG_OPTION', 'remoteWriteHeaders', v, `the value of header '${k}' is not a string`, accepted);
        return [k, val] as const;
      });
    } else {
      this.fail('ERR_CONFIG_OPTION', 'remoteWriteHeaders', v, 'not a string, object or list of pairs', accepted);
    }
    const seen = new Set<string>();
    return Object.freeze(pairs.map(([n, val]) => {
      // Header names are not secret, values may be (tokens): name the header, never its value.
      if (!HEADER_NAME.test(n)) this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteHeaders', v, `header name ${showValue(n)} is not an HTTP token`, accepted);
      if (/[\u0000\r\n]/.test(val)) this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteHeaders', v, `the value of header '${n}' contains NUL, CR or LF`, accepted);
      const l = n.toLowerCase();
      if (RESERVED_HEADERS.has(l)) this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteHeaders', v, `header '${n}' is set by the transport`, `${accepted}, except ${[...RESERVED_HEADERS].join(', ')}`);
      if (seen.has(l)) this.fail('ERR_CONFIG_BAD_VALUE', 'remoteWriteHeaders', v, `header '${n}' is given twice`, accepted);
      seen.add(l);
      return Object.freeze({ name: n, value: new Secret(val) });
    }));
  }

  private kinesis(required: boolean): Readonly<KinesisCredentials> | null {
    const v = this.o.kinesisCredentials;
    const accepted = '{ accessKeyId, secretAccessKey, streamName } with a non-empty streamName (the file aws_kinesis.conf, SPEC §5.14)';
    if (v === undefined || v === null) {
      if (required) this.fail('ERR_CONFIG_KINESIS', 'kinesisCredentials', null, 'stream name is a mandatory Kinesis parameter but it is not configured', accepted);
      return null;
    }
    if (typeof v !== 'object') this.fail('ERR_CONFIG_OPTION', 'kinesisCredentials', v, 'not an object', accepted);
    const { accessKeyId, secretAccessKey, streamName } = v;
    if (typeof streamName !== 'string') this.fail('ERR_CONFIG_OPTION', 'kinesisCredentials', v, 'streamName is not a string', accepted);
    if (required && streamName === '') this.fail('ERR_CONFIG_KINESIS', 'kinesisCredentials', v, 'stream name is a mandatory Kinesis parameter but it is not configured', accepted);
    if (accessKeyId !== null && accessKeyId !== undefined && typeof accessKeyId !== 'string') {
      this.fail('ERR_CONFIG_OPTION', 'kinesisCredentials', v, 'accessKeyId is not a string', accepted);
    }
    const sk: unknown = secretAccessKey;
    if (sk !== null && sk !== undefined && typeof sk !== 'string' && !(sk instanceof Secret)) {
      this.fail('ERR_CONFIG_OPTION', 'kinesisCredentials', v, 'secretAccessKey is not a string or Secret', accepted);
    }
    const id = typeof accessKeyId === 'string' && accessKeyId !== '' ? accessKeyId : null;
    const secret = typeof sk === 'string' ? (sk === '' ? null : new Secret(sk)) : sk instanceof Secret && !sk.isEmpty ? sk : null;
    if ((id === null) !== (secret === null)) {
      this.warn('WARN_CONFIG_FALLBACK', 'kinesisCredentials', 'only one of aws_access_key_id and aws_secret_access_key is set: both are needed, the AWS default credential chain is used instead (as in netdata)');
    }
    return Object.freeze({ accessKeyId: id, secretAccessKey: secret, streamName });
  }

  private noEffect(applies: boolean, props: (keyof BackendOptions)[], type: string): void {
    if (applies) return;
    for (const p of props) {
      if (this.o[p] !== undefined) this.warn('WARN_CONFIG_NO_EFFECT', p, `has no effect with type '${type}'`);
    }
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

type Plain = Omit<ResolvedBackendOptions, 'toString' | 'toJSON'>;

/** Freezes the options and gives them a redacting toString/toJSON (secrets are Secret objects). */
function finish(r: Plain): ResolvedBackendOptions {
  const out = { ...r } as ResolvedBackendOptions;
  Object.defineProperties(out, {
    toString: {
      enumerable: false,
      value: () => {
        const who = r.name === null ? 'backend' : `backend '${r.name}'`;
        const state = r.enabled ? '' : r.disabledReason !== null ? ` (disabled: ${r.disabledReason})` : ' (disabled)';
        return `${who}: '${r.type}' on '${r.destination}' sending '${r.dataSource}' data, every ${r.updateEvery} seconds, as host '${r.hostname}', with prefix '${r.prefix}'${state}`;
      },
    },
    toJSON: {
      enumerable: false,
      value: () => JSON.parse(JSON.stringify({ ...r })) as Record<string, unknown>,
    },
  });
  return Object.freeze(out);
}
