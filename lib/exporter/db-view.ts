// What the exporter reads from the database (SPEC §1.1-1.2, §1.7, §5.5-5.7). lib/rrd's classes satisfy
// these structural interfaces; the exporter depends on nothing else of the database, so the data flow
// stays one-way (rrd → formats → transport, the exporter drives it).
import type { ChartView } from '../formats/chart-view';

export interface ExportChart extends ChartView {
  /** SPEC §1.2: enabled, not obsolete, at least one dimension. */
  isAvailableForBackends(): boolean;
  /** SPEC §1.6; 'none' keeps no history (only as-collected can be exported, §5.7). */
  readonly memoryMode: string;
}

export interface ExportHost {
  readonly hostname: string;
  readonly isLocalhost: boolean;
  /** Host tags, null when empty (SPEC §1.1). */
  readonly tags: string | null;
  /** Charts newest first (SPEC §1.7). */
  readonly charts: ReadonlyArray<ExportChart>;
  /** `program_name` / `program_version` (SPEC §1.1): remote write's `netdata_info` needs them (RrdHost has them). */
  readonly programName?: string;
  readonly programVersion?: string;
}

export interface ExportDatabase {
  /** localhost first, then children newest first (SPEC §1.7). */
  readonly hosts: ReadonlyArray<ExportHost>;
}
