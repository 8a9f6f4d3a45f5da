// The package's own name and version, read from its package.json (found by walking up from this file,
// which works from lib/ under ts-node and from dist/lib/ after the build).
import * as fs from 'fs';
import * as path from 'path';

let cached: { name: string; version: string } | null = null;

export function packageInfo(): { name: string; version: string } {
  if (cached !== null) return cached;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, 'package.json');
    try {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'rrd-backends' && typeof pkg.version === 'string') return (cached = { name: pkg.name, version: pkg.version });
    } catch {
      /* not here: keep walking up */
    }
    dir = path.dirname(dir);
  }
  return (cached = { name: 'rrd-backends', version: '0.0.0' });
}
