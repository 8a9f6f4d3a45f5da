// Dimension algorithms (SPEC §1.3, §1.5). Codes follow netdata's RRD_ALGORITHM enum order.
import { describeValue, RrdError } from './errors';

export const ALGORITHM_ABSOLUTE = 0;
export const ALGORITHM_INCREMENTAL = 1;
export const ALGORITHM_PCENT_OVER_DIFF_TOTAL = 2;
export const ALGORITHM_PCENT_OVER_ROW_TOTAL = 3;

export type AlgorithmName = 'absolute' | 'incremental' | 'percentage-of-incremental-row' | 'percentage-of-absolute-row';

export const ALGORITHM_NAMES: readonly AlgorithmName[] = ['absolute', 'incremental', 'percentage-of-incremental-row', 'percentage-of-absolute-row'];

export function algorithmCode(name: unknown, what: string): number {
  if (name === undefined) return ALGORITHM_ABSOLUTE;
  const i = typeof name === 'string' ? ALGORITHM_NAMES.indexOf(name as AlgorithmName) : -1;
  if (i >= 0) return i;
  throw new RrdError('ERR_RRD_BAD_ALGORITHM', `${what}: ${describeValue(name)} is not an algorithm; accepted: ${ALGORITHM_NAMES.map((n) => `'${n}'`).join(', ')}`);
}

/** Algorithms whose stored value derives from increments: counters (remote write `_total`, SPEC §4.6). */
export function isIncrementalAlgorithm(code: number): boolean {
  return code === ALGORITHM_INCREMENTAL || code === ALGORITHM_PCENT_OVER_DIFF_TOTAL;
}
