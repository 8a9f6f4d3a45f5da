// The real receivers for integration tests, and mocha hooks that run them for one describe():
//
//   describe('graphite to carbon', function () {
//     const carbon = useCarbon();                 // started in before(), stopped in after()
//     it('stores', async () => { ... carbon().port ... await carbon().waitForPoints('a.b', 1) });
//   });
//
// Each receiver listens on 127.0.0.1 only, on ports picked at run time, with its data in a fresh
// temp dir that is removed when it stops. A test that fails prints the receivers' captured logs.
// A missing binary fails under CI=true with the Debian package to install; elsewhere the suite is
// skipped with a loud warning (see requireExecutable).
import { Carbon, CarbonOptions } from './receiver-carbon';
import { InfluxDB, InfluxOptions } from './receiver-influxdb';
import { ReceiverProcess, requireExecutable } from './receiver-process';
import { Prometheus } from './receiver-prometheus';
import { VictoriaMetrics } from './receiver-victoria';
import { generateTestCerts, KeyType, OPENSSL_PACKAGE, TestCerts } from './certs';

export * from './receiver-process';
export * from './receiver-whisper';
export * from './receiver-carbon';
export * from './receiver-victoria';
export * from './receiver-prometheus';
export * from './receiver-influxdb';
export * from './receiver-remote-write';
export * from './certs';

/** Start-up budget per receiver (a cold start here takes well under 1 s; CI may be slower). */
const START_TIMEOUT_MS = 45_000;

interface Stoppable {
  readonly proc: ReceiverProcess;
  stop(): Promise<void>;
}

/**
 * Registers before/afterEach/after hooks in the current describe() that start one receiver, print
 * its logs when a test fails, and stop it. Returns an accessor for use inside the tests.
 */
export function useReceiver<T extends Stoppable>(label: string, start: (ctx: Mocha.Context) => Promise<T>): () => T {
  let receiver: T | null = null;
  before(async function () {
    this.timeout(START_TIMEOUT_MS + 15_000);
    receiver = await start(this);
    console.log(`      [receiver] ${label} ready in ${receiver.proc.startupMs} ms on 127.0.0.1:${receiver.proc.ports.join(',')}`);
  });
  afterEach(function () {
    if (receiver && this.currentTest?.state === 'failed') console.error(receiver.proc.formatLogs());
  });
  after(async function () {
    this.timeout(15_000);
    const r = receiver;
    receiver = null;
    await r?.stop();
  });
  return () => {
    if (!receiver) throw new Error(`${label} is not running (its before() hook failed or was skipped)`);
    return receiver;
  };
}

export const useCarbon = (opts: CarbonOptions = {}): (() => Carbon) => useReceiver('carbon-cache', (ctx) => Carbon.start(ctx, { readyTimeoutMs: START_TIMEOUT_MS, ...opts }));

export const useVictoriaMetrics = (opts: { extraArgs?: string[] } = {}): (() => VictoriaMetrics) =>
  useReceiver('victoria-metrics', (ctx) => VictoriaMetrics.start(ctx, { readyTimeoutMs: START_TIMEOUT_MS, ...opts }));

export const usePrometheus = (): (() => Prometheus) => useReceiver('prometheus', (ctx) => Prometheus.start(ctx, { readyTimeoutMs: START_TIMEOUT_MS }));

/** `opts` may be a function so it can read certificates made in an earlier before() hook. */
export const useInfluxDB = (opts: InfluxOptions | (() => InfluxOptions) = {}): (() => InfluxDB) =>
  useReceiver('influxdb', (ctx) => InfluxDB.start(ctx, { readyTimeoutMs: START_TIMEOUT_MS, ...(typeof opts === 'function' ? opts() : opts) }));

/** A test PKI (see certs.ts) made in before() and removed in after(). Register it before its users. */
export function useTestCerts(opts: { keyType?: KeyType } = {}): () => TestCerts {
  let certs: TestCerts | null = null;
  before(function () {
    this.timeout(30_000);
    requireExecutable(this, 'openssl', OPENSSL_PACKAGE);
    certs = generateTestCerts(opts);
  });
  after(() => {
    certs?.remove();
    certs = null;
  });
  return () => {
    if (!certs) throw new Error('test certificates were not generated (their before() hook failed or was skipped)');
    return certs;
  };
}
