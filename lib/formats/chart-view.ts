// The shape of a chart the formatters read (SPEC §1.2, §1.3, §1.8). The database (lib/rrd) declares the
// same structural interface; TypeScript's structural typing joins the two without an import cycle.

export interface DimensionView {
  id: string;
  /** null means "no name": the id is used instead (SPEC §1.8 "name/id"). */
  name: string | null;
}

export interface ChartView {
  /** `type.id` as the collector gave it, unsanitised (SPEC §1.2). */
  id: string;
  name: string | null;
  type: string;
  family: string;
  context: string;
  units: string;
  /** dims × entries storage numbers, dimension-major: dim d slot s at ring[d * entries + s]. */
  ring: Uint32Array;
  /** META_* layout of lib/kernels/types.ts. */
  meta: Float64Array;
  /** Raw last collected value per dimension (SPEC §1.3). */
  lastCollectedValue: BigInt64Array;
  /** last_collected_time.tv_sec per dimension (whole seconds). */
  lastCollectedTime: Float64Array;
  dimensions: ReadonlyArray<DimensionView>;
  /** Bumped whenever any chart/dimension name or id changes or a dimension is added. */
  namesVersion: number;
}
