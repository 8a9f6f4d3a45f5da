// The shape of a chart the formatters read (SPEC §1.2, §1.3, §1.8) is the database's own view: data flows
// rrd -> kernels -> formats, so the formatters take the type from lib/rrd rather than declaring a twin.
import type { ChartView } from '../rrd/chart-view';

export type { ChartView };
export type DimensionView = ChartView['dimensions'][number];
