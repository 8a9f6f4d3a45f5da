// The passes of BENCHMARK.md over workload W1 and the reference's figures for them (a 2-vCPU x86-64 KVM guest
// at 2.3 GHz: gcc -O2, long double, glibc printf, one core, median of 21 passes).

export type PassId = 'graphite-average' | 'graphite-sum' | 'graphite-collected' | 'opentsdb-average' | 'json-average';

export interface PassDef {
  id: PassId;
  label: string;
  /** Backend `type` and `data source` as an exporter instance is configured (SPEC §5.3). */
  type: 'graphite' | 'opentsdb' | 'json';
  dataSource: 'average' | 'sum' | 'as collected';
  /** The reference's output of the full W1 pass and its cost. */
  reference: { bytes: number; fnv: string; ns: number; peakRssMiB: number };
}

export const W1_PASSES: readonly PassDef[] = [
  { id: 'graphite-average', label: 'graphite stored average', type: 'graphite', dataSource: 'average', reference: { bytes: 69115680, fnv: 'df2e7f529a5d44fd', ns: 707, peakRssMiB: 497 } },
  { id: 'graphite-sum', label: 'graphite stored sum', type: 'graphite', dataSource: 'sum', reference: { bytes: 70112782, fnv: 'f07c373db9099107', ns: 715, peakRssMiB: 498 } },
  { id: 'graphite-collected', label: 'graphite as collected', type: 'graphite', dataSource: 'as collected', reference: { bytes: 64115012, fnv: 'f841bf0a7d9a9dc4', ns: 300, peakRssMiB: 492 } },
  { id: 'opentsdb-average', label: 'opentsdb telnet stored average', type: 'opentsdb', dataSource: 'average', reference: { bytes: 78115680, fnv: '56c99381c259dfff', ns: 705, peakRssMiB: 505 } },
  { id: 'json-average', label: 'json stored average', type: 'json', dataSource: 'average', reference: { bytes: 274360180, fnv: '9a461d4819d14613', ns: 920, peakRssMiB: 692 } },
];

/** The value calculation alone (SPEC §3.1 over every dimension, no formatting). */
export const VALUE_CALC = { id: 'value-calc' as const, label: 'value calculation only', reference: { ns: 120 } };

export type BenchPassId = PassId | typeof VALUE_CALC.id;

export const ALL_PASS_IDS: readonly BenchPassId[] = [...W1_PASSES.map((p) => p.id), VALUE_CALC.id];

/** The reference implementation's figures quoted from BENCHMARK.md (for the chart and the table). */
export const REFERENCE_NOTE = 'reference: netdata C (2019), gcc -O2, long double, glibc printf; BENCHMARK.md';
