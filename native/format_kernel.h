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
};

enum FormatStatus : int {
  kStatusDone = 0,
  kStatusOutFull = 1,
  kStatusRequestFull = 2,
  kStatusRecordsFull = 3,
  kStatusBadInput = -1,
};

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
};

// Formats dimensions io[kIoDim].. of one chart; returns a FormatStatus. Never writes a partial line.
int FormatChart(int flags, const FormatArrays& a);

}  // namespace rrdb
