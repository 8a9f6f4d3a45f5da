// The round-robin database (SPEC §1): hosts → charts → dimensions, rings, and the collection API.
export { RrdDatabase, DatabaseOptions, DEFAULT_ENTRIES, DEFAULT_GAP_WHEN_LOST_ITERATIONS_ABOVE, DEFAULT_UPDATE_EVERY } from './database';
export { RrdHost, HostOptions } from './host';
export { RrdChart, ChartOptions, ChartType, CHART_TYPES, DEFAULT_CHART_PRIORITY, DimensionOptions, DimensionUpdate, DimensionInfo, ChartDefaults, ENTRIES_MAX, ENTRIES_MIN, UPDATE_EVERY_MAX } from './chart';
export type { ChartView } from './chart-view';
export { RestoreState } from './restore';
export { CycleResult, USEC_PER_SEC } from './collection';
export { RrdError, RrdErrorCode } from './errors';
export { MemoryMode, DEFAULT_MEMORY_MODE } from './memory-mode';
export * from './algorithm';
export { DIM_FLAG_HIDDEN, DIM_FLAG_OBSOLETE, DIM_FLAG_DONT_DETECT_RESETS, chartSlabBytes } from './chart-slab';
export { jsonFixString, sanitizeChartName, RRD_ID_LENGTH_MAX } from './strings';
export { firstEntryTime, lastEntryTime, firstSlot, lastSlot, timeToSlot, slotToTime } from './slots';
