// Batch line formatting of one chart (SPEC §4): the C++ twin of lib/kernels/fallback/format.ts.
// The layout constants mirror the FMT_* constants of lib/kernels/types.ts and must stay equal.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rrdb {

enum FormatFlags : int {
  kFmtModeCollected = 0,
  kFmtModeAverage = 1,
  kFmtModeSum = 2,
  kFmtModeMask = 3,
  kFmtTsFirst = 4,
  kFmtHttpHeader = 8,
  kFmtBatch = 16,
  kFmtRecords = 32,
};

enum FormatSegment : int {
  kSegLead = 0,
  kSegAfterDim = 1,
  kSegMid = 2,
  kSegTail = 3,
  kSegReqHead = 4,
  kSegReqSep = 5,
  kSegments = 6,
  kIdxDims = 2 * kSegments,
};

enum FormatIo : int {
  kIoPos = 0,
  kIoDim = 1,
  kIoAppended = 2,
  kIoReqPoints = 3,
  kIoReqBytes = 4,
  kIoMaxPoints = 5,
  kIoMaxBytes = 6,
  kIoRecCount = 7,
  kIoSince = 8,
  kIoAfter = 9,
  kIoBefore = 10,
  kIoNeed = 11,
  kIoLength = 12,
  // FormatSlabs only (FMT_IO_CHART, FMT_IO_STOP_AT, FMT_SLABS_IO_LENGTH).
  kIoChart = 12,
  kIoStopAt = 13,
  kSlabsIoLength = 14,
};

enum FormatStatus : int {
  kStatusDone = 0,
  kStatusOutFull = 1,
  kStatusRequestFull = 2,
  kStatusRecordsFull = 3,
  kStatusStopped = 4,
  kStatusBadInput = -1,
};

// The plan buffer of lib/formats/plan-layout.ts (PLAN_*): uint32 header words.
enum PlanWord : int {
  kPlanMagic = 0,
  kPlanDims = 1,
  kPlanIdxAt = 2,
  kPlanIdxWords = 3,
  kPlanTplAt = 4,
  kPlanTplBytes = 5,
  kPlanBound = 6,
  kPlanRingAt = 7,
  kPlanRingLen = 8,
  kPlanMetaAt = 9,
  kPlanMetaLen = 10,
  kPlanLcvAt = 11,
  kPlanLcvLen = 12,
  kPlanLctAt = 13,
  kPlanLctLen = 14,
  kPlanHeaderWords = 16,
};
constexpr uint32_t kPlanMagicValue = 0x31504452u;

template <typename T>
struct Span {
  T* data = nullptr;
  size_t size = 0;
};

struct FormatArrays {
  Span<const uint8_t> tpl;
  Span<const uint32_t> idx;
  Span<const uint32_t> ring;
  Span<const double> meta;
  Span<const int64_t> lcv;
  Span<const double> lct;
  Span<uint8_t> out;
  Span<double> io;
  Span<double> recs;
  // Optional: the ring of the chart formatted next, so that the windows of its first dimensions are
  // fetched while this chart's last lines are written (a hint: never dereferenced).
  const uint32_t* next_ring = nullptr;
  // Likewise its per-dimension arrays (last collected time, and value as collected).
  const double* next_lct = nullptr;
  const int64_t* next_lcv = nullptr;
};

// One chart of a FormatSlabs batch: its plan buffer and its slab buffer (the raw ArrayBuffer contents).
struct SlabChart {
  Span<const uint8_t> plan;
  Span<const uint8_t> slab;
};

// Formats dimensions io[kIoDim].. of one chart; returns a FormatStatus. Never writes a partial line.
int FormatChart(int flags, const FormatArrays& a);

// Formats charts io[kIoChart].. of a batch (io has kSlabsIoLength numbers) into out; after each complete
// chart, stops with kStatusStopped once the write position reached io[kIoStopAt]. Any other status
// leaves io[kIoChart] / io[kIoDim] at the chart and dimension to resume from; kStatusBadInput means
// chart io[kIoChart] cannot be read (its plan or slab does not match).
int FormatSlabs(int flags, const SlabChart* charts, size_t count, Span<uint8_t> out, Span<double> io, Span<double> recs);

}  // namespace rrdb
