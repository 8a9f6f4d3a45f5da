// The system header of every benchmark report (pino / better-sqlite3 style): what ran, where, how loaded.
import * as os from 'os';

export interface SystemInfo {
  date: string;
  cpu: string;
  cpus: number;
  memGiB: number;
  os: string;
  node: string;
  v8: string;
  /** 1-minute load average when the run started: other work on the machine shows up as noise. */
  load: number;
}

export function systemInfo(): SystemInfo {
  const cpu = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpu[0]?.model.trim() ?? 'unknown cpu',
    cpus: cpu.length,
    memGiB: os.totalmem() / 2 ** 30,
    os: `${os.platform()} ${os.arch()} ${os.release()}`,
    node: process.version,
    v8: process.versions.v8,
    load: os.loadavg()[0] ?? NaN,
  };
}

export function headerLines(s: SystemInfo): string[] {
  return [
    `# rrd-backends benchmark, ${s.date}`,
    `# ${s.cpu} x ${s.cpus}, ${s.memGiB.toFixed(1)} GiB, ${s.os}`,
    `# node ${s.node}, v8 ${s.v8}, load average ${s.load.toFixed(2)} at start`,
  ];
}
