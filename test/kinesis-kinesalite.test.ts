// Kinesis end to end (issue 5): database → JSON formatter → records → KinesisSink → @aws-sdk/client-kinesis
// → kinesalite on 127.0.0.1, every record read back with GetRecords; throttling injected by a proxy.
import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as http from 'http';
import { parseBackendConfig } from '../lib/exporter/config';
import { FormatBuffer } from '../lib/formats/format-buffer';
import { LineFormatter } from '../lib/formats/formatter';
import { createKinesisSink, KinesisSink, queueKinesisLines } from '../lib/exporter/sinks/kinesis';
import { resolveBackendOptions } from '../lib/exporter/config-options';
import { Secret } from '../lib/exporter/config-secret';
import { SendQueue } from '../lib/exporter/send-queue';
import { KinesisClient } from '../lib/transport/kinesis-client';
import { RrdDatabase } from '../lib/rrd';
import { DUMMY_CREDENTIALS, LoopbackHttpServer, ReadRecord, REGION, ThrottlingProxy, useKinesalite } from './support/kinesalite';

const T0 = 1_700_000_000;

/** JSON lines of a database with `charts` charts of 10 dimensions each, as the exporter formats them. */
function jsonLines(charts: number): { data: Buffer; metrics: number } {
  const db = new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 30, tags: 'dc=eu' });
  const list = [];
  for (let c = 0; c < charts; c++) {
    const ch = db.localhost.createChart({ id: `app.c${c}`, family: 'apps', units: 'requests/s' });
    ch.addDimensions(Array.from({ length: 10 }, (_, d) => ({ id: `d${d}`, divisor: 100 })));
    for (let s = 0; s < 20; s++) {
      for (let d = 0; d < 10; d++) ch.set(d, 1000 * c + 37 * d + s, (T0 + s) * 1e6);
      ch.done((T0 + s) * 1e6);
    }
    list.push(ch);
  }
  const fmt = new LineFormatter({ format: 'kinesis', source: 'average', prefix: 'netdata', sendNames: true });
  const out = new FormatBuffer();
  const host = fmt.host('web01', db.localhost.tags);
  let metrics = 0;
  for (const ch of db.localhost.charts) metrics += fmt.formatChart(host, ch, T0 + 5, T0 + 15, out);
  fmt.finish(out);
  return { data: Buffer.from(out.view()), metrics };
}

/** Records ordered as they were sent: the `hostname_counter` partition keys count up in send order. */
function inSendOrder(records: ReadRecord[]): Buffer {
  const n = (r: ReadRecord): number => Number(r.partitionKey.slice(r.partitionKey.lastIndexOf('_') + 1));
  return Buffer.concat([...records].sort((a, b) => n(a) - n(b)).map((r) => r.data));
}

/** Forwards every call to kinesalite and keeps the access key id of each request's SigV4 Authorization header. */
class SignatureRecorder extends LoopbackHttpServer {
  readonly keyIds: string[] = [];

  constructor(targetPort: number) {
    super((req, res) => {
      const m = /Credential=([^/,\s]*)\//.exec(String(req.headers.authorization ?? ''));
      this.keyIds.push(m ? m[1]! : '(unsigned)');
      const fwd = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${targetPort}` }, agent: false }, (r) => {
        res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'application/x-amz-json-1.1' });
        r.pipe(res);
      });
      fwd.on('error', (err) => {
        res.writeHead(502);
        res.end(err.message);
      });
      req.pipe(fwd);
    });
  }
}

/**
 * Runs `fn` with the AWS_* environment replaced by `vars` (nothing else of AWS_* left: no profile, no
 * shared files, instance metadata off, so only the environment provider of the SDK's default chain can
 * answer and nothing is asked of a non-loopback address), then restores the environment exactly.
 */
async function withAwsEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'));
  for (const [k] of saved) delete process.env[k];
  Object.assign(process.env, {
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/rrd-backends-test/credentials',
    AWS_CONFIG_FILE: '/nonexistent/rrd-backends-test/config',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...vars,
  });
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  }
}

describe('kinesis into kinesalite (GetRecords read-back)', function () {
  const k = useKinesalite();

  it('every line the JSON formatter produced is stored once, in whole-line records spread over the shards', async () => {
    await k().createStream('metrics', 4);
    const { data, metrics } = jsonLines(30);
    assert.strictEqual(metrics, 300);
    const queue = new SendQueue();
    const layout = queueKinesisLines(queue, 1, data, 2048);
    assert.ok(layout.records > 20);
    const client = new KinesisClient({ region: REGION, streamName: 'metrics', endpoint: k().endpoint, ...DUMMY_CREDENTIALS, timeoutMs: 10_000 });
    const logs: string[] = [];
    const sink = new KinesisSink({ client, hostname: 'web01', maxRecordBytes: 2048, log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:' });
    const r = await sink.flush(queue, performance.now() + 20_000);
    await sink.close();
    assert.strictEqual(r.complete, true, logs.join('\n'));
    assert.strictEqual(r.sentMetrics, 300);
    assert.strictEqual(r.sentBytes, data.length);
    assert.strictEqual(r.successes, layout.records);
    assert.strictEqual(r.failures, 0);
    queue.check();

    const read = await k().readAll('metrics');
    assert.strictEqual(read.length, layout.records);
    for (const rec of read) {
      assert.ok(rec.data.length <= 2048);
      assert.strictEqual(rec.data[rec.data.length - 1], 0x0a, 'every record ends with its newline');
      assert.match(rec.partitionKey, /^web01_\d+$/);
    }
    assert.deepStrictEqual(inSendOrder(read), data, 'the lines read back are exactly the formatter output');
    for (const line of data.toString().trimEnd().split('\n')) JSON.parse(line);
    assert.ok(new Set(read.map((x) => x.shardId)).size >= 3, `records spread over ${new Set(read.map((x) => x.shardId)).size} shard(s)`);
  });

  it('throttled records (ProvisionedThroughputExceededException) are retried alone and stored once', async () => {
    await k().createStream('throttled', 2);
    const proxy = new ThrottlingProxy(k().port, (call, keys) => keys.map((_, i) => call < 2 && i % 4 === 0));
    await proxy.listen();
    try {
      const { data, metrics } = jsonLines(12);
      const queue = new SendQueue();
      const layout = queueKinesisLines(queue, 1, data, 2048);
      const client = new KinesisClient({ region: REGION, streamName: 'throttled', endpoint: proxy.endpoint, ...DUMMY_CREDENTIALS, timeoutMs: 10_000 });
      const logs: string[] = [];
      const sink = new KinesisSink({ client, hostname: 'web01', maxRecordBytes: 2048, log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:', backoffBaseMs: 20 });
      const r = await sink.flush(queue, performance.now() + 20_000);
      await sink.close();
      assert.strictEqual(r.complete, true, logs.join('\n'));
      assert.strictEqual(r.sentMetrics, metrics);
      assert.strictEqual(r.successes, layout.records);
      // Call 0 carries every record; call 1 only those throttled in call 0; call 2 only those throttled again.
      assert.strictEqual(proxy.calls.length, 3);
      assert.strictEqual(proxy.calls[0]!.keys.length, layout.records);
      const again0 = proxy.calls[0]!.keys.filter((_, i) => proxy.calls[0]!.throttled[i]);
      assert.deepStrictEqual(proxy.calls[1]!.keys, again0);
      const again1 = proxy.calls[1]!.keys.filter((_, i) => proxy.calls[1]!.throttled[i]);
      assert.deepStrictEqual(proxy.calls[2]!.keys, again1);
      assert.ok(logs.some((l) => l.includes('ProvisionedThroughputExceededException')), logs.join('\n'));
      const read = await k().readAll('throttled');
      assert.strictEqual(read.length, layout.records, 'no record stored twice');
      assert.deepStrictEqual(inSendOrder(read), data);
      queue.check();
    } finally {
      await proxy.close();
    }
  });

  it('createKinesisSink() wires the instance options: region, stream, keys, endpoint, partition keys', async () => {
    await k().createStream('wired', 1);
    const o = resolveBackendOptions({
      enabled: true, type: 'kinesis', destination: REGION, hostname: 'edge-7', kinesisEndpoint: k().endpoint,
      kinesisCredentials: { accessKeyId: DUMMY_CREDENTIALS.accessKeyId, secretAccessKey: new Secret(DUMMY_CREDENTIALS.secretAccessKey), streamName: 'wired' },
    });
    const logs: string[] = [];
    const sink = await createKinesisSink(o, { log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:' });
    const { data } = jsonLines(2);
    const queue = new SendQueue();
    queueKinesisLines(queue, 1, data);
    const r = await sink.flush(queue, performance.now() + 10_000);
    await sink.close();
    assert.strictEqual(r.complete, true, logs.join('\n'));
    const read = await k().readAll('wired');
    assert.deepStrictEqual(read.map((x) => x.partitionKey), ['edge-7_1']);
    assert.deepStrictEqual(read[0]!.data, data);
    assert.ok(!JSON.stringify(o).includes(DUMMY_CREDENTIALS.secretAccessKey));
  });

  it('no keys in the configuration: the AWS SDK default credential chain signs with the environment keys', async () => {
    await k().createStream('envchain', 2);
    const envId = 'AKIDENVCHAINTEST0001';
    const envSecret = `env-secret-${randomBytes(12).toString('hex')}`;
    const recorder = new SignatureRecorder(k().port);
    await recorder.listen();
    const netdataConf = ['[backend]', 'enabled = yes', 'type = kinesis', `destination = ${REGION}`, 'hostname = envhost',
      `kinesis endpoint = ${recorder.endpoint}`].join('\n');
    // aws_kinesis.conf with the stream name only: the default credential chain is used.
    const config = parseBackendConfig(netdataConf, { kinesisConfText: 'stream name = envchain\n' });
    const o = config.instances[0]!;
    assert.deepStrictEqual([o.kinesisCredentials?.accessKeyId, o.kinesisCredentials?.secretAccessKey], [null, null]);
    const logs: string[] = [];
    const log = (_l: unknown, m: string): void => void logs.push(m);
    try {
      // Without keys in the environment either, no provider of the chain answers: nothing is sent or lost.
      const noKeys = await withAwsEnv({}, async () => {
        const sink = await createKinesisSink(o, { log, logPrefix: 'BACKEND:' });
        const queue = new SendQueue();
        queueKinesisLines(queue, 1, jsonLines(1).data);
        const r = await sink.flush(queue, performance.now() + 10_000);
        await sink.close();
        return { r, left: queue.metrics };
      });
      assert.strictEqual(noKeys.r.complete, false);
      assert.deepStrictEqual([noKeys.r.sentMetrics, noKeys.r.lostMetrics, noKeys.left], [0, 0, 10]);
      assert.deepStrictEqual(recorder.keyIds, [], 'an unsigned call never left the client');

      // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment: the chain finds them.
      const { data, metrics } = jsonLines(6);
      const withKeys = await withAwsEnv({ AWS_ACCESS_KEY_ID: envId, AWS_SECRET_ACCESS_KEY: envSecret }, async () => {
        const sink = await createKinesisSink(o, { log, logPrefix: 'BACKEND:' });
        const queue = new SendQueue();
        const layout = queueKinesisLines(queue, 1, data, 2048);
        const r = await sink.flush(queue, performance.now() + 10_000);
        await sink.close();
        queue.check();
        return { r, layout };
      });
      assert.notStrictEqual(process.env.AWS_SECRET_ACCESS_KEY, envSecret, 'the environment is restored');
      assert.strictEqual(withKeys.r.complete, true, logs.join('\n'));
      assert.deepStrictEqual([withKeys.r.sentMetrics, withKeys.r.lostMetrics], [metrics, 0]);
      assert.ok(recorder.keyIds.length >= 1);
      assert.deepStrictEqual([...new Set(recorder.keyIds)], [envId], 'every PutRecords call was signed with the key id from the environment');

      const read = await k().readAll('envchain');
      assert.ok(withKeys.layout.records > 1);
      assert.strictEqual(read.length, withKeys.layout.records);
      assert.deepStrictEqual(inSendOrder(read), data, 'the lines read back are exactly the formatter output');
      for (const rec of read) assert.match(rec.partitionKey, /^envhost_\d+$/);

      const shown = [logs.join('\n'), String(noKeys.r.error?.message ?? ''), JSON.stringify(o), String(o)].join('\n');
      assert.ok(logs.some((l) => /credential/i.test(l)), `the failed attempt says why: ${logs.join('\n')}`);
      assert.ok(!shown.includes(envSecret), 'the secret key from the environment is never logged');
    } finally {
      await recorder.close();
    }
  });

  it('a missing stream is a failed flush that keeps the data queued', async () => {
    const { data } = jsonLines(1);
    const queue = new SendQueue();
    queueKinesisLines(queue, 1, data);
    const client = new KinesisClient({ region: REGION, streamName: 'does-not-exist', endpoint: k().endpoint, ...DUMMY_CREDENTIALS, timeoutMs: 10_000 });
    const logs: string[] = [];
    const sink = new KinesisSink({ client, hostname: 'web01', log: (_l, m) => logs.push(m), logPrefix: 'BACKEND:' });
    const r = await sink.flush(queue, performance.now() + 5000);
    await sink.close();
    assert.strictEqual(r.complete, false);
    assert.strictEqual(r.lostMetrics, 0);
    assert.strictEqual(queue.metrics, 10);
    assert.match(logs.join('\n'), /ResourceNotFoundException/);
    assert.ok(!logs.join('\n').includes(DUMMY_CREDENTIALS.secretAccessKey), 'the secret key is never logged');
  });
});
