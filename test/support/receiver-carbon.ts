// carbon-cache (Debian graphite-carbon) as a graphite plaintext receiver, read back from its
// whisper files. Config per the brief: ENABLE_TAGS = False (tagged names would be rewritten and
// stored under _tagged/), retention 1s so every second's point is kept as sent.
import * as fs from 'fs';
import * as path from 'path';
import { pollUntil, ReceiverProcess, requireExecutable, tcpAccepts } from './receiver-process';
import { readWhisperFile, WhisperPoint } from './receiver-whisper';

export const CARBON_COMMAND = 'carbon-cache';
export const CARBON_PACKAGE = 'graphite-carbon';

export interface CarbonOptions {
  /** storage-schemas.conf retentions for every metric; default `1s:1h`. */
  retentions?: string;
  readyTimeoutMs?: number;
}

export class Carbon {
  private constructor(readonly proc: ReceiverProcess) {}

  /** The plaintext (graphite line protocol) TCP port on 127.0.0.1. */
  get port(): number {
    return this.proc.ports[0];
  }

  get whisperDir(): string {
    return path.join(this.proc.dir, 'storage', 'whisper');
  }

  static async start(ctx: Mocha.Context, opts: CarbonOptions = {}): Promise<Carbon> {
    const command = requireExecutable(ctx, CARBON_COMMAND, CARBON_PACKAGE);
    const proc = await ReceiverProcess.start({
      name: 'carbon-cache',
      command,
      portCount: 2, // line receiver, cache query (twisted needs a port for it; pickle is disabled with 0)
      prepare: (dir, [line, query]) => writeCarbonConfig(dir, line, query, opts.retentions ?? '1s:1h'),
      // --debug: foreground, logs to stdout (captured) instead of LOG_DIR.
      args: (dir) => [`--config=${path.join(dir, 'conf', 'carbon.conf')}`, `--pidfile=${path.join(dir, 'carbon.pid')}`, '--debug', 'start'],
      env: { PYTHONWARNINGS: 'ignore' }, // twisted's cryptography deprecation noise
      ready: ([line]) => tcpAccepts(line),
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
    });
    return new Carbon(proc);
  }

  /** Where carbon stores a metric: dots become directories (ENABLE_TAGS = False). */
  whisperPath(metric: string): string {
    return path.join(this.whisperDir, ...metric.split('.')) + '.wsp';
  }

  /** The stored points of `metric` now, or [] when carbon has not created its file yet. */
  fetch(metric: string): WhisperPoint[] {
    const file = this.whisperPath(metric);
    if (!fs.existsSync(file)) return [];
    return readWhisperFile(file);
  }

  /**
   * Carbon writes whisper files 1-3 s after a send: poll until `metric` holds at least
   * `minPoints` points, then return them all.
   */
  waitForPoints(metric: string, minPoints = 1, timeoutMs = 10_000): Promise<WhisperPoint[]> {
    return pollUntil(`carbon to store ${minPoints} point(s) of ${metric} in ${this.whisperPath(metric)}`, timeoutMs, async () => {
      const pts = this.fetch(metric);
      return pts.length >= minPoints ? pts : undefined;
    });
  }

  /** Every metric carbon has created a file for, dotted, sorted. */
  listMetrics(): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string[]): void => {
      if (!fs.existsSync(dir)) return;
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name), [...prefix, e.name]);
        else if (e.name.endsWith('.wsp')) out.push([...prefix, e.name.slice(0, -4)].join('.'));
      }
    };
    walk(this.whisperDir, []);
    return out.sort();
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

function writeCarbonConfig(dir: string, linePort: number, queryPort: number, retentions: string): void {
  const conf = path.join(dir, 'conf');
  fs.mkdirSync(conf, { recursive: true });
  fs.mkdirSync(path.join(dir, 'storage', 'whisper'), { recursive: true });
  fs.writeFileSync(
    path.join(conf, 'carbon.conf'),
    [
      '[cache]',
      `STORAGE_DIR = ${dir}/storage/`,
      `LOCAL_DATA_DIR = ${dir}/storage/whisper/`,
      `WHITELISTS_DIR = ${dir}/storage/lists/`,
      `CONF_DIR = ${conf}/`,
      `LOG_DIR = ${dir}/log/`,
      `PID_DIR = ${dir}/`,
      'USER =',
      'ENABLE_TAGS = False',
      'MAX_CACHE_SIZE = inf',
      'MAX_UPDATES_PER_SECOND = 100000',
      'MAX_CREATES_PER_MINUTE = 100000',
      'LINE_RECEIVER_INTERFACE = 127.0.0.1',
      `LINE_RECEIVER_PORT = ${linePort}`,
      'ENABLE_UDP_LISTENER = False',
      'PICKLE_RECEIVER_INTERFACE = 127.0.0.1',
      'PICKLE_RECEIVER_PORT = 0',
      'CACHE_QUERY_INTERFACE = 127.0.0.1',
      `CACHE_QUERY_PORT = ${queryPort}`,
      'WHISPER_AUTOFLUSH = True',
      'ENABLE_LOGROTATION = False',
      'LOG_LISTENER_CONN_SUCCESS = False',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(conf, 'storage-schemas.conf'), `[everything]\npattern = .*\nretentions = ${retentions}\n`);
  // With several archives, downsample by keeping the last value (predictable read-back), not the average.
  fs.writeFileSync(path.join(conf, 'storage-aggregation.conf'), '[everything]\npattern = .*\nxFilesFactor = 0\naggregationMethod = last\n');
}
