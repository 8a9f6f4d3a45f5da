// AWS Kinesis PutRecords through @aws-sdk/client-kinesis (SPEC §5.14; fixes of §7 rows 8 and 25).
//
// Configuration as the reference: stream name, optional static key id + secret (aws_kinesis.conf), region =
// `[backend] destination`; beyond it: without static keys the SDK's default credential chain (environment,
// shared config/credentials files, SSO, container and instance metadata) is used, and `endpoint` overrides
// the AWS endpoint (kinesalite, LocalStack, a VPC endpoint). Timeouts are `timeout ms` for the connection and
// for each request. The SDK's own retries are off (maxAttempts 1): the sink retries exactly the records
// that failed, with its own backoff and deadline.
//
// Secrets never reach a log line or an error message: the secret key stays inside the SDK's credential
// object, and error messages carry only the service's error code and text.
import { KinesisClient as SdkKinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as http from 'node:http';
import * as https from 'node:https';
import { TransportError, TransportLogger, describe, silentLogger } from './errors';
import { ResolvedTls, TlsClientOptions, resolveTlsOptions } from './tls-options';

/** Anything with reveal() (lib/exporter's Secret), so transport does not import the exporter. */
export interface SecretValue {
  reveal(): string;
}

export interface KinesisClientOptions {
  /** AWS region (`[backend] destination`, SPEC §5.14). */
  region: string;
  /** `stream name` of aws_kinesis.conf. */
  streamName: string;
  /** Static credentials; both or neither (neither = the SDK's default credential chain). */
  accessKeyId?: string | null;
  secretAccessKey?: string | SecretValue | null;
  /** http(s) URL replacing the AWS endpoint of the region (`kinesis endpoint`). */
  endpoint?: string | null;
  /** Connection and request timeout (`timeout ms`). */
  timeoutMs: number;
  /**
   * TLS of https endpoints (`tls verify`, `tls ca file`): resolved options, or plain options through
   * KinesisClient.create(). Default: the SDK's (Node's CA bundle, verification on).
   */
  tls?: ResolvedTls | null;
  logger?: TransportLogger;
}

export interface KinesisRecordInput {
  data: Uint8Array;
  partitionKey: string;
}

/** Per-record outcome of one PutRecords call. */
export type KinesisRecordOutcome =
  | { ok: true; shardId: string; sequenceNumber: string }
  | { ok: false; retryable: boolean; code: string; message: string };

export type KinesisPutResult =
  | { kind: 'done'; records: KinesisRecordOutcome[] }
  /** The whole call failed (network, throttled call, missing stream, bad credentials, ...): nothing was stored. */
  | { kind: 'error'; retryable: boolean; error: TransportError };

/** Per-record error codes Kinesis documents as transient (the others are refused for good). */
export const KINESIS_RETRYABLE_RECORD_ERRORS: readonly string[] = ['ProvisionedThroughputExceededException', 'InternalFailure'];

/** Call-level errors worth retrying later; everything else (missing stream, access denied) needs a person. */
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException', 'LimitExceededException', 'ThrottlingException', 'InternalFailure',
  'InternalFailureException', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException',
  'TimeoutError', 'KMSThrottlingException',
]);

const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;

function optionError(message: string): TransportError {
  return new TransportError('ERR_TRANSPORT_OPTION', message);
}

export class KinesisClient {
  readonly streamName: string;
  readonly region: string;
  readonly endpoint: string | null;
  private readonly sdk: SdkKinesisClient;
  private readonly log: TransportLogger;
  private closed = false;

  /** Like the constructor, but resolves plain TLS options (reads the CA file) first. */
  static async create(o: Omit<KinesisClientOptions, 'tls'> & { tls?: TlsClientOptions | null }): Promise<KinesisClient> {
    const tls = o.tls == null ? null : await resolveTlsOptions(o.tls);
    return new KinesisClient({ ...o, tls });
  }

  constructor(o: KinesisClientOptions) {
    if (o === null || typeof o !== 'object') throw optionError('kinesis client options must be an object');
    if (typeof o.region !== 'string' || !REGION.test(o.region)) {
      throw optionError(`kinesis region (the destination) ${JSON.stringify(o.region)} is not accepted; accepted: an AWS region name such as eu-west-1`);
    }
    if (typeof o.streamName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(o.streamName)) {
      throw optionError(`kinesis stream name ${JSON.stringify(o.streamName)} is not accepted; accepted: 1-128 characters of letters, digits, '_', '.', '-'`);
    }
    if (typeof o.timeoutMs !== 'number' || !Number.isFinite(o.timeoutMs) || o.timeoutMs < 1) {
      throw optionError(`kinesis timeoutMs must be a number of milliseconds >= 1, got ${JSON.stringify(o.timeoutMs)}`);
    }
    const endpoint = o.endpoint ?? null;
    if (endpoint !== null && endpoint !== '') {
      let u: URL | null = null;
      try {
        u = new URL(endpoint);
      } catch {
        u = null;
      }
      if (u === null || (u.protocol !== 'http:' && u.protocol !== 'https:')) {
        throw optionError(`kinesis endpoint ${JSON.stringify(endpoint)} is not accepted; accepted: an http:// or https:// URL`);
      }
    }
    const id = o.accessKeyId ?? null;
    const secret = o.secretAccessKey ?? null;
    const secretText = secret === null ? '' : typeof secret === 'string' ? secret : secret.reveal();
    const hasId = id !== null && id !== '';
    const hasSecret = secretText !== '';
    if (hasId !== hasSecret) {
      throw optionError('kinesis credentials: aws_access_key_id and aws_secret_access_key must be given together (or both left empty for the default credential chain)');
    }
    this.streamName = o.streamName;
    this.region = o.region;
    this.endpoint = endpoint === '' ? null : endpoint;
    this.log = o.logger ?? silentLogger;
    const agent = { keepAlive: true, maxSockets: 8 };
    this.sdk = new SdkKinesisClient({
      region: o.region,
      ...(this.endpoint !== null ? { endpoint: this.endpoint } : {}),
      ...(hasId ? { credentials: { accessKeyId: id as string, secretAccessKey: secretText } } : {}),
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: o.timeoutMs,
        requestTimeout: o.timeoutMs,
        throwOnRequestTimeout: true,
        httpAgent: new http.Agent(agent),
        httpsAgent: new https.Agent(o.tls ? { ...agent, secureContext: o.tls.secureContext, rejectUnauthorized: o.tls.verify, minVersion: o.tls.minVersion } : agent),
      }),
    });
  }

  /** Where records go, for log lines: the stream and the endpoint (never a credential). */
  get label(): string {
    return `kinesis stream '${this.streamName}' in ${this.region}${this.endpoint !== null ? ` at ${this.endpoint}` : ''}`;
  }

  /** One PutRecords call (≤ 500 records, ≤ 5 MiB: the caller batches). Never throws for service failures. */
  async putRecords(records: readonly KinesisRecordInput[], abortSignal?: AbortSignal): Promise<KinesisPutResult> {
    if (this.closed) throw new TransportError('ERR_TRANSPORT_STATE', 'the kinesis client is closed');
    if (records.length === 0) return { kind: 'done', records: [] };
    let out;
    try {
      out = await this.sdk.send(new PutRecordsCommand({
        StreamName: this.streamName,
        Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })),
      }), abortSignal ? { abortSignal } : {});
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
      const name = e.name ?? 'Error';
      const status = e.$metadata?.httpStatusCode;
      const noResponse = status === undefined;
      const retryable = RETRYABLE_CALL_ERRORS.has(name) || (status !== undefined && status >= 500) || noResponse;
      const code = name === 'TimeoutError' || e.code === 'ETIMEDOUT' ? 'ERR_TRANSPORT_TIMEOUT' : noResponse ? 'ERR_TRANSPORT_CONNECT' : 'ERR_TRANSPORT_HTTP';
      const error = new TransportError(code, `PutRecords to ${this.label} failed: ${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${describe(err)}`, e.code ?? null, { cause: err });
      this.log('error', error.message);
      return { kind: 'error', retryable, error };
    }
    const results = out.Records ?? [];
    if (results.length !== records.length) {
      const error = new TransportError('ERR_TRANSPORT_HTTP', `PutRecords to ${this.label} answered ${results.length} results for ${records.length} records`);
      return { kind: 'error', retryable: true, error };
    }
    return {
      kind: 'done',
      records: results.map((r): KinesisRecordOutcome => (r.ErrorCode
        ? { ok: false, retryable: KINESIS_RETRYABLE_RECORD_ERRORS.includes(r.ErrorCode), code: r.ErrorCode, message: r.ErrorMessage ?? '' }
        : { ok: true, shardId: r.ShardId ?? '', sequenceNumber: r.SequenceNumber ?? '' })),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sdk.destroy();
  }
}
