// The configuration the command runs with when it is given none: no server needed. One `[backend]`
// instance writing graphite lines of this machine's metrics, averaged every second, to a local file
// (`file:` destination, rotated at 64 MiB, two old files kept).
import * as os from 'os';
import * as path from 'path';
import { ResolvedBackendOptions, resolveBackendOptions } from '../exporter/config-options';

/** Where the embedded default writes: a per-user directory under the system's temp dir. */
export function defaultExportFile(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return path.join(os.tmpdir(), `rrd-backends-${uid}`, 'export.txt');
}

export const EMBEDDED_UPDATE_EVERY = 1;

export function embeddedOptions(exportFile: string, hostname?: string): ResolvedBackendOptions {
  return resolveBackendOptions({
    enabled: true,
    type: 'graphite',
    destination: `file:${exportFile}`,
    dataSource: 'average',
    updateEvery: EMBEDDED_UPDATE_EVERY,
    ...(hostname !== undefined ? { hostname } : {}),
  });
}
