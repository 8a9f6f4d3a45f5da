// Memory modes (SPEC §1.6). `none` keeps no ring; the in-memory modes share the ring of SPEC §1.4.
// Persistence (map/save) belongs to the embedding agent: it loads a saved ring with RrdChart.restore().
import { describeValue, RrdError } from './errors';

export type MemoryMode = 'none' | 'ram' | 'alloc' | 'map' | 'save';

const MODES: readonly MemoryMode[] = ['none', 'ram', 'alloc', 'map', 'save'];

/** The reference's default memory mode (SPEC §1.6). */
export const DEFAULT_MEMORY_MODE: MemoryMode = 'save';

export function checkMemoryMode(value: unknown, what: string, dflt: MemoryMode): MemoryMode {
  if (value === undefined) return dflt;
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as MemoryMode;
  const hint = value === 'dbengine' ? " ('dbengine' is a paged on-disk engine this package does not implement)" : '';
  throw new RrdError('ERR_RRD_BAD_MEMORY_MODE', `${what}: ${describeValue(value)} is not a memory mode${hint}; accepted: ${MODES.map((m) => `'${m}'`).join(', ')}`);
}
