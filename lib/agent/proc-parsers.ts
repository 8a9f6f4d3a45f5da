// Parsers of the /proc files the system collector reads (Linux proc(5)). Pure functions of the file
// text, so they are tested on fixed text; counters are returned as bigint because the kernel's are
// unsigned 64-bit and the database takes signed 64-bit raw values (SPEC §1.3).

/** `cpu` line of /proc/stat, in USER_HZ ticks. */
export interface CpuTicks {
  user: bigint;
  nice: bigint;
  system: bigint;
  idle: bigint;
  iowait: bigint;
  irq: bigint;
  softirq: bigint;
  steal: bigint;
  guest: bigint;
  guest_nice: bigint;
}

export const CPU_FIELDS: readonly (keyof CpuTicks)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'];

const DIGITS = /^[0-9]+$/;

function counter(s: string | undefined): bigint {
  // Older kernels print fewer columns; a missing column is 0.
  if (s === undefined || !DIGITS.test(s)) return 0n;
  return BigInt.asIntN(64, BigInt(s));
}

/** The aggregate `cpu` line of /proc/stat, or null when the text has none. */
export function parseProcStatCpu(text: string): CpuTicks | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu ')) continue;
    const f = line.trim().split(/\s+/);
    const out = {} as CpuTicks;
    CPU_FIELDS.forEach((k, i) => (out[k] = counter(f[i + 1])));
    return out;
  }
  return null;
}

/** /proc/meminfo: field → value in KiB (lines without a kB unit keep their raw number). */
export function parseMeminfo(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+([0-9]+)/.exec(line);
    if (m) out.set(m[1] as string, BigInt(m[2] as string));
  }
  return out;
}

/** /proc/loadavg's three averages in thousandths (netdata stores load × 1000 with divisor 1000). */
export function parseLoadavg(text: string): { load1: number; load5: number; load15: number } | null {
  const f = text.trim().split(/\s+/);
  const v = f.slice(0, 3).map(thousandths);
  if (v.length < 3 || v.some((x) => x === null)) return null;
  return { load1: v[0] as number, load5: v[1] as number, load15: v[2] as number };
}

/** "2.84" → 2840, exactly (no binary floating point on the way). */
function thousandths(s: string): number | null {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(s);
  if (m === null) return null;
  const frac = ((m[2] ?? '') + '000').slice(0, 3);
  return Number(m[1]) * 1000 + Number(frac);
}

export interface NetDevCounters {
  iface: string;
  rbytes: bigint;
  rpackets: bigint;
  rmulticast: bigint;
  tbytes: bigint;
  tpackets: bigint;
}

/** /proc/net/dev: one entry per interface, in file order. */
export function parseNetDev(text: string): NetDevCounters[] {
  const out: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const iface = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/);
    if (iface === '' || f.length < 10) continue;
    out.push({ iface, rbytes: counter(f[0]), rpackets: counter(f[1]), rmulticast: counter(f[7]), tbytes: counter(f[8]), tpackets: counter(f[9]) });
  }
  return out;
}

export interface DiskCounters {
  major: number;
  minor: number;
  name: string;
  /** Completed reads/writes and 512-byte sectors read/written. */
  reads: bigint;
  readSectors: bigint;
  writes: bigint;
  writeSectors: bigint;
}

/** /proc/diskstats: one entry per block device, in file order. */
export function parseDiskstats(text: string): DiskCounters[] {
  const out: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !DIGITS.test(f[0] as string) || !DIGITS.test(f[1] as string)) continue;
    out.push({
      major: Number(f[0]), minor: Number(f[1]), name: f[2] as string,
      reads: counter(f[3]), readSectors: counter(f[5]), writes: counter(f[7]), writeSectors: counter(f[9]),
    });
  }
  return out;
}
