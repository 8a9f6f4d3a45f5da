// kinesalite (an in-memory Kinesis implementation from npm) started from the test on 127.0.0.1 only, an
// SDK client to create streams and read every record back, and a fault-injecting proxy that answers
// chosen records of PutRecords calls with ProvisionedThroughputExceededException (kinesalite does not
// throttle), forwarding the others. No traffic leaves 127.0.0.1: the endpoint is overridden and the
// credentials are dummies (kinesalite checks that a signature is present, not what it signs).
import {
  CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as http from 'http';
import type { AddressInfo } from 'net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (opts: Record<string, unknown>) => http.Server;

export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret-not-real' };
export const REGION = 'us-east-1';

export interface ReadRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  data: Buffer;
}

export class Kinesalite {
  readonly client: KinesisClient;

  private constructor(private readonly server: http.Server, readonly port: number) {
    this.client = new KinesisClient({ region: REGION, endpoint: this.endpoint, credentials: DUMMY_CREDENTIALS, requestHandler: new NodeHttpHandler() });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<Kinesalite> {
    // Streams become ACTIVE at once; no persistence (memdown).
    const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new Kinesalite(server, (server.address() as AddressInfo).port);
  }

  async createStream(name: string, shards: number): Promise<void> {
    await this.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (let i = 0; i < 100; i++) {
      const d = await this.client.send(new DescribeStreamCommand({ StreamName: name }));
      if (d.StreamDescription?.StreamStatus === 'ACTIVE') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`kinesalite stream ${name} did not become ACTIVE`);
  }

  /** Every record of every shard, shard by shard in sequence order. */
  async readAll(name: string): Promise<ReadRecord[]> {
    const out: ReadRecord[] = [];
    const shards = await this.client.send(new ListShardsCommand({ StreamName: name }));
    for (const shard of shards.Shards ?? []) {
      const it = await this.client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      let iterator = it.ShardIterator;
      for (let guard = 0; iterator && guard < 1000; guard++) {
        const g = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10000 }));
        for (const r of g.Records ?? []) {
          out.push({ shardId: shard.ShardId ?? '', partitionKey: r.PartitionKey ?? '', sequenceNumber: r.SequenceNumber ?? '', data: Buffer.from(r.Data ?? []) });
        }
        if ((g.Records ?? []).length === 0) break;
        iterator = g.NextShardIterator;
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Registers before/after hooks that run kinesalite for one describe(). */
export function useKinesalite(): () => Kinesalite {
  let k: Kinesalite | null = null;
  before(async function () {
    this.timeout(30_000);
    k = await Kinesalite.start();
  });
  after(async () => {
    const x = k;
    k = null;
    await x?.stop();
  });
  return () => {
    if (!k) throw new Error('kinesalite is not running (its before() hook failed)');
    return k;
  };
}

/** An HTTP server on 127.0.0.1 with a free port, for proxies in front of kinesalite. */
export class LoopbackHttpServer {
  protected readonly server: http.Server;
  port = 0;

  constructor(handler: http.RequestListener) {
    this.server = http.createServer(handler);
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

export interface ProxiedCall {
  /** Partition keys of the records in the call, in order. */
  keys: string[];
  /** Which of them the proxy answered as throttled. */
  throttled: boolean[];
}

/**
 * An HTTP proxy in front of kinesalite. For PutRecords, `plan(callIndex, keys)` says which records to
 * answer with ProvisionedThroughputExceededException; the others are forwarded and their real results
 * merged back in order. Every other call is forwarded unchanged.
 */
export class ThrottlingProxy extends LoopbackHttpServer {
  readonly calls: ProxiedCall[] = [];

  constructor(private readonly targetPort: number, private readonly plan: (call: number, keys: string[]) => boolean[]) {
    super((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks)).then(
          ({ status, headers, body }) => {
            res.writeHead(status, headers);
            res.end(body);
          },
          (err: Error) => {
            res.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
            res.end(JSON.stringify({ __type: 'InternalFailure', message: err.message }));
          },
        );
      });
    });
  }


  private async handle(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!target.endsWith('.PutRecords')) return this.forward(req, body);
    const call = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: Array<{ Data: string; PartitionKey: string }> };
    const keys = call.Records.map((r) => r.PartitionKey);
    const throttled = this.plan(this.calls.length, keys);
    this.calls.push({ keys, throttled });
    const passed = call.Records.filter((_, i) => !throttled[i]);
    let results: Array<Record<string, string>> = [];
    if (passed.length > 0) {
      const fwd = await this.forward(req, Buffer.from(JSON.stringify({ ...call, Records: passed })));
      if (fwd.status !== 200) return fwd;
      results = (JSON.parse(fwd.body.toString('utf8')) as { Records: Array<Record<string, string>> }).Records;
    }
    let k = 0;
    const merged = call.Records.map((_, i) => (throttled[i]
      ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected by the test proxy)' }
      : results[k++]!));
    const failed = throttled.filter(Boolean).length;
    return {
      status: 200,
      headers: { 'Content-Type': 'application/x-amz-json-1.1' },
      body: Buffer.from(JSON.stringify({ FailedRecordCount: failed, Records: merged })),
    };
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.OutgoingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length), host: `127.0.0.1:${this.targetPort}` };
      const r = http.request({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: { 'content-type': res.headers['content-type'] ?? 'application/x-amz-json-1.1' }, body: Buffer.concat(parts) }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });
  }
}
