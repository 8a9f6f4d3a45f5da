// Typed facade over the addon's batch formatter (native/format_binding.cc); same contract as
// lib/kernels/fallback/format.ts (FormatKernel in ./types).
import { FormatKernel } from './types';

export interface NativeFormatBinding {
  formatChart(flags: number, tpl: Uint8Array, idx: Uint32Array, ring: Uint32Array, meta: Float64Array,
    lastCollectedValue: BigInt64Array, lastCollectedTime: Float64Array, out: Uint8Array, io: Float64Array,
    recs: Float64Array): number;
  /** Absent from addons built before issue 7: the formatter then makes one call per chart. */
  formatSlabs?(flags: number, items: ReadonlyArray<ArrayBuffer>, count: number, out: Uint8Array, io: Float64Array,
    recs: Float64Array): number;
}

export function wrapNativeFormat(binding: NativeFormatBinding): FormatKernel {
  if (typeof binding.formatChart !== 'function') throw new Error('native binding has no formatChart(); rebuild the addon');
  // The binding is called directly: no wrapper frame per call.
  const k: FormatKernel = { formatChart: binding.formatChart };
  if (typeof binding.formatSlabs === 'function') k.formatSlabs = binding.formatSlabs;
  return k;
}
