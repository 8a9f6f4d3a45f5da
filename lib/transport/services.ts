// Service names as ports (SPEC §5.10: PORT is "number or service name", resolved by getaddrinfo in the
// reference). Node has no getservbyname, so /etc/services is read once, asynchronously, when the first
// service name has to be resolved. A name that is not found is a failed connection attempt, as in the
// reference, not a configuration error: the file may differ between the machine that wrote the config
// and the one that runs it.

import { promises as fs } from 'node:fs';

export type ServiceProtocol = 'tcp' | 'udp';
export type ServiceTable = ReadonlyMap<string, number>;

/** Parses /etc/services text: `name port/proto [aliases...] [# comment]`. Keys are `name/proto`. */
export function parseServices(text: string): Map<string, number> {
  const table = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const fields = (hash < 0 ? raw : raw.slice(0, hash)).trim().split(/\s+/);
    if (fields.length < 2) continue;
    const m = /^([0-9]+)\/([A-Za-z]+)$/.exec(fields[1]!);
    if (!m) continue;
    const port = Number(m[1]);
    if (port < 1 || port > 65535) continue;
    const proto = m[2]!.toLowerCase();
    for (const name of [fields[0]!, ...fields.slice(2)]) {
      const key = `${name}/${proto}`;
      if (!table.has(key)) table.set(key, port); // the first definition wins, as in getservbyname
    }
  }
  return table;
}

let cached: Promise<ServiceTable> | null = null;

/** The system's service table (empty when /etc/services cannot be read). */
export function systemServices(path = '/etc/services'): Promise<ServiceTable> {
  if (path !== '/etc/services') return fs.readFile(path, 'utf8').then(parseServices, () => new Map());
  cached ??= fs.readFile(path, 'utf8').then(parseServices, () => new Map<string, number>());
  return cached;
}

/** Port of a service name for a protocol, or null when unknown. */
export async function resolveService(name: string, protocol: ServiceProtocol, table?: ServiceTable): Promise<number | null> {
  const t = table ?? (await systemServices());
  return t.get(`${name}/${protocol}`) ?? null;
}
