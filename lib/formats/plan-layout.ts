// The byte layout of a chart's format plan as the native batch formatter reads it (issue 7: one N-API call
// formats a batch of charts, two ArrayBuffers per chart -- its plan and its storage slab -- so no typed
// array is looked up per chart). Mirrored by kPlan* in native/format_kernel.h; both must stay equal.
//
// A plan is one ArrayBuffer: PLAN_HEADER_WORDS uint32 header words, then the segment index (uint32,
// FMT_IDX_DIMS + dims + 1 words, layout FMT_* of lib/kernels/types.ts), then the template bytes. The
// header also records where the chart's ring, meta, last collected values and times lie in the chart's
// slab ArrayBuffer (lib/rrd/chart-slab.ts keeps all of a chart's numbers in one buffer); native code
// checks every offset and length against the real buffer sizes before it reads anything.
export const PLAN_MAGIC = 0x31504452; // "RDP1"
export const PLAN_WORD_MAGIC = 0;
export const PLAN_WORD_DIMS = 1;
export const PLAN_WORD_IDX_AT = 2; // byte offset of the index
export const PLAN_WORD_IDX_WORDS = 3;
export const PLAN_WORD_TPL_AT = 4; // byte offset of the template
export const PLAN_WORD_TPL_BYTES = 5;
/** 1 when the slab words below describe the chart's arrays (see ChartFormatPlan.bind). */
export const PLAN_WORD_BOUND = 6;
export const PLAN_WORD_RING_AT = 7; // byte offsets into the slab, and element counts
export const PLAN_WORD_RING_LEN = 8;
export const PLAN_WORD_META_AT = 9;
export const PLAN_WORD_META_LEN = 10;
export const PLAN_WORD_LCV_AT = 11;
export const PLAN_WORD_LCV_LEN = 12;
export const PLAN_WORD_LCT_AT = 13;
export const PLAN_WORD_LCT_LEN = 14;
export const PLAN_HEADER_WORDS = 16;
