// `rrd-backends`: the command-line agent. Parses the arguments, runs the Agent (lib/agent) until a signal
// (or for one iteration with --once), prints status lines on stdout and logs on stderr, and maps failures
// to the exit codes of help.ts.
import { Agent } from '../agent/agent';
import { installSignalHandlers } from '../agent/signals';
import { iterationStatusLine, sectionLabel, stopStatusLine } from '../agent/status-line';
import { packageInfo } from '../agent/version';
import { stderrLogger } from '../exporter/logger';
import { CliArgs, parseArgs, RunArgs, UsageError } from './args';
import { EXIT, helpText } from './help';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(`${s}\n`),
  stderr: (s) => process.stderr.write(`${s}\n`),
};

/** The exit code an error at start-up maps to. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return EXIT.FAILED;
  if (code === 'ERR_CLI_USAGE') return EXIT.USAGE;
  if (code === 'ERR_HTTP_LISTEN' || code.startsWith('ERR_TRANSPORT_') || code === 'EACCES' || code === 'ENOENT' || code === 'EEXIST' || code === 'ENOTDIR') return EXIT.IO;
  if (code.startsWith('ERR_CONFIG_') || code.startsWith('ERR_DESTINATION_') || code === 'ERR_EXPORTER_OPTION' || code === 'ERR_EXPORTER_UNSUPPORTED' || code.startsWith('ERR_RRD_')) return EXIT.CONFIG;
  return EXIT.FAILED;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs the command; resolves with the exit code (the process is not exited here). */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`rrd-backends: ${err.message}`);
    return EXIT.USAGE;
  }
  if (args.action === 'help') {
    io.stdout(helpText(packageInfo().version).trimEnd());
    return EXIT.OK;
  }
  if (args.action === 'version') {
    io.stdout(packageInfo().version);
    return EXIT.OK;
  }
  return runAgent(args, io);
}

async function runAgent(args: RunArgs, io: CliIo): Promise<number> {
  const log = stderrLogger(args.logLevel);
  let agent: Agent;
  try {
    agent = new Agent({ configFile: args.config, exportFile: args.file ?? undefined, http: args.http, demoCharts: args.demoCharts, log, manual: args.once });
    agent.on('iteration', (m, c) => io.stdout(iterationStatusLine(m.options.name, m.options.destination, c)));
    await agent.start();
  } catch (err) {
    io.stderr(`rrd-backends: ${(err as Error).message}`);
    return exitCodeOf(err);
  }
  banner(agent, args, io);
  return args.once ? once(agent, io) : untilSignal(agent, io);
}

function banner(agent: Agent, args: RunArgs, io: CliIo): void {
  const s = agent.status();
  io.stdout(`rrd-backends ${s.version}: collecting the metrics of '${s.hostname}' every second${args.demoCharts > 0 ? ` plus ${args.demoCharts} demo charts of 50 dimensions` : ''}`);
  io.stdout(`configuration: ${s.configFile ?? 'embedded default (no --config)'}`);
  for (const m of agent.managed) {
    const o = m.options;
    io.stdout(`exporting ${sectionLabel(o.name)}: ${o.enabled ? `'${o.type}' ${o.dataSource} every ${o.updateEvery} s -> ${o.destination}` : 'disabled'}`);
  }
  if (s.exportFile !== null) io.stdout(`export file: ${s.exportFile} (rotated at 64 MiB; follow it with: tail -f ${s.exportFile})`);
  if (s.dashboard !== null) {
    io.stdout(`dashboard: ${s.dashboard}`);
    io.stdout(`prometheus: ${s.dashboard}api/v1/allmetrics?format=prometheus`);
  }
}

function finalLines(reports: Awaited<ReturnType<Agent['stop']>>, io: CliIo): void {
  for (const { m, report } of reports) io.stdout(stopStatusLine(m.options.name, m.options.destination, report));
}

/** --once: one export interval of collection, one iteration, counts, exit 0 only if all was sent. */
async function once(agent: Agent, io: CliIo): Promise<number> {
  const running = agent.managed.filter((m) => m.instance.running);
  if (running.length === 0) {
    io.stderr('rrd-backends: --once: no backend instance is enabled; nothing to export (set enabled = yes in the configuration)');
    await agent.stop();
    return EXIT.CONFIG;
  }
  // Average/sum export slots at least two chart intervals old (SPEC §3.1): collect for one export
  // interval plus that lag, so the window holds stored points.
  const waitSec = agent.longestUpdateEvery + 3;
  io.stdout(`--once: collecting for ${waitSec} s, then one export iteration`);
  let stopped = false;
  const remove = installSignalHandlers({
    stop: async (signal) => {
      io.stdout(`${signal}: stopping before the --once iteration (last flush of what is buffered)`);
      stopped = true;
    },
    reload: async () => undefined,
    forceExit: (signal) => forceExit(signal, io),
  });
  try {
    const until = Date.now() + waitSec * 1000;
    while (!stopped && Date.now() < until) await sleep(Math.min(200, until - Date.now()));
    if (stopped) {
      finalLines(await agent.stop(), io);
      return EXIT.FAILED;
    }
    const results = await agent.runOnce();
    const reports = await agent.stop();
    finalLines(reports, io);
    const ok = results.every(({ counters: c }) => c.remainingMetrics === 0 && c.lostMetrics === 0 && c.transmissionFailures === 0)
      && reports.every(({ report }) => report.lostMetrics === 0);
    const sent = results.reduce((n, r) => n + r.counters.sentMetrics, 0);
    const buffered = results.reduce((n, r) => n + r.counters.bufferedMetrics, 0);
    io.stdout(`--once: ${ok ? 'ok' : 'NOT everything was sent'}: ${sent} of ${buffered} buffered metrics sent`);
    return ok ? EXIT.OK : EXIT.FAILED;
  } finally {
    remove();
  }
}

/** Runs until SIGINT/SIGTERM; SIGHUP reloads. */
function untilSignal(agent: Agent, io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const remove = installSignalHandlers({
      stop: async (signal) => {
        io.stdout(`${signal}: stopping (last flush of what is buffered)`);
        try {
          finalLines(await agent.stop(), io);
          resolve(EXIT.OK);
        } catch (err) {
          io.stderr(`rrd-backends: stopping failed: ${(err as Error).message}`);
          resolve(EXIT.FAILED);
        } finally {
          remove();
        }
      },
      reload: async () => {
        io.stdout('SIGHUP: reloading the configuration');
        return agent.reload();
      },
      forceExit: (signal) => forceExit(signal, io),
    });
  });
}

/** A second SIGINT/SIGTERM while stopping: exit at once (exit code 1), whatever the last flush is doing. */
function forceExit(signal: NodeJS.Signals, io: CliIo): never {
  io.stderr(`rrd-backends: second ${signal} while stopping: exiting now, unsent data is lost`);
  process.exit(EXIT.FAILED);
}

/** Entry point of bin/rrd-backends: runs main() on the process's arguments and sets the exit code. */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Anything still open (a socket in its close handshake) must not keep a stopped agent alive.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (err: unknown) => {
      process.stderr.write(`rrd-backends: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(EXIT.FAILED);
    },
  );
}
