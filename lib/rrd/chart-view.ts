// The shape of a chart the formatters and native kernels read (SPEC §1.2, §1.3, §1.8); lib/formats uses
// this type (lib/formats/chart-view.ts re-exports it).

export interface ChartView {
  /** `type.id` as the collector gave it, unsanitised (SPEC §1.2). */
  id: string;
  /** Sanitised `type.name` (SPEC §1.2); never null for charts of this database. */
  name: string | null;
  type: string;
  family: string;
  context: string;
  units: string;
  /** dims × entries storage numbers, dimension-major: dim d slot s at ring[d * entries + s]. */
  ring: Uint32Array;
  /** META_* layout of lib/kernels/types.ts: entries, current_entry, counter, last_updated, update_every, dims. */
  meta: Float64Array;
  /** Raw last collected value per dimension (SPEC §1.3). */
  lastCollectedValue: BigInt64Array;
  /** last_collected_time.tv_sec per dimension. */
  lastCollectedTime: Float64Array;
  dimensions: ReadonlyArray<{ id: string; name: string | null }>;
  /** Bumped whenever any chart/dimension name or id changes or a dimension is added. */
  namesVersion: number;
}
