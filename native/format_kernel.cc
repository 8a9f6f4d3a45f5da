// Batch line formatting of one chart (SPEC §4.1-4.4); byte-identical to lib/kernels/fallback/format.ts.
#include "format_kernel.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "decimal.h"
#include "value_calc.h"

namespace rrdb {
namespace {

// META_* of lib/kernels/types.ts.
constexpr size_t kMetaEntries = 0;
constexpr size_t kMetaDims = 5;
constexpr size_t kMetaLength = 6;

// |tv_sec| beyond this cannot come from a struct timeval (and would not fit int64): such dims are skipped.
constexpr double kTimeLimit = 9.2e18;

// With slack, source and destination both have at least kSlack readable/writable bytes past every run,
// so a short run is copied as one fixed 32-byte block (two vector moves) instead of a variable-length
// memcpy call; the bytes written past the run are overwritten by the next run or lie beyond the line.
// lib/formats/chart-plan.ts pads every template with kSlack bytes for this.
constexpr size_t kSlack = 32;

template <bool kWithSlack>
inline uint8_t* Copy(uint8_t* p, const void* src, size_t n) {
  if (kWithSlack && n <= kSlack) {
    std::memcpy(p, src, kSlack);
  } else if (n != 0) {  // an empty template may have no storage at all
    std::memcpy(p, src, n);
  }
  return p + n;
}

inline int DecimalDigits(uint64_t v) {
  int n = 1;
  while (v >= 10) {
    v /= 10;
    n++;
  }
  return n;
}

inline uint8_t* PutUint(uint8_t* p, uint64_t v) {
  const int n = DecimalDigits(v);
  uint8_t* q = p + n;
  do {
    *--q = static_cast<uint8_t>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  return p + n;
}

inline bool IsCount(double v) { return v >= 0 && v <= 4294967295.0 && std::floor(v) == v; }
inline bool IsTime(double v) { return v >= -kTimeLimit && v <= kTimeLimit; }

}  // namespace

int FormatChart(int flags, const FormatArrays& a) {
  if (a.meta.size < kMetaLength || a.io.size < static_cast<size_t>(kIoLength)) return kStatusBadInput;
  const double dims_d = a.meta.data[kMetaDims];
  const double entries_d = a.meta.data[kMetaEntries];
  if (!IsCount(dims_d) || !IsCount(entries_d)) return kStatusBadInput;
  const size_t dims = static_cast<size_t>(dims_d);
  const size_t entries = static_cast<size_t>(entries_d);
  const int mode = flags & kFmtModeMask;
  const bool collected = mode == kFmtModeCollected;
  if (a.lct.size < dims) return kStatusBadInput;
  if (collected ? a.lcv.size < dims : a.ring.size < dims * entries) return kStatusBadInput;
  if (a.idx.size < static_cast<size_t>(kIdxDims) + dims + 1) return kStatusBadInput;
  const uint32_t* idx = a.idx.data;
  for (int k = 0; k < kSegments; k++) {
    if (idx[2 * k] > idx[2 * k + 1] || idx[2 * k + 1] > a.tpl.size) return kStatusBadInput;
  }
  double* io = a.io.data;
  const double pos_d = io[kIoPos];
  const double dim_d = io[kIoDim];
  if (!IsCount(pos_d) || pos_d > static_cast<double>(a.out.size) || !IsCount(dim_d)) return kStatusBadInput;
  io[kIoAppended] = 0;
  if (!IsTime(io[kIoAfter]) || !IsTime(io[kIoBefore])) return kStatusBadInput;

  const uint8_t* tpl = a.tpl.data;
  // Every constant segment ends kSlack bytes before the end of the template (the plan pads it).
  bool tpl_slack = a.tpl.size >= kSlack;
  for (int k = 0; k < kSegments && tpl_slack; k++) tpl_slack = idx[2 * k + 1] <= a.tpl.size - kSlack;
  uint8_t* const out = a.out.data;
  const size_t out_size = a.out.size;
  size_t pos = static_cast<size_t>(pos_d);
  size_t d = static_cast<size_t>(dim_d);

  const uint32_t lead_s = idx[2 * kSegLead], lead_e = idx[2 * kSegLead + 1];
  const uint32_t ad_s = idx[2 * kSegAfterDim], ad_e = idx[2 * kSegAfterDim + 1];
  const uint32_t mid_s = idx[2 * kSegMid], mid_e = idx[2 * kSegMid + 1];
  const uint32_t tail_s = idx[2 * kSegTail], tail_e = idx[2 * kSegTail + 1];
  const uint32_t rqh_s = idx[2 * kSegReqHead], rqh_e = idx[2 * kSegReqHead + 1];
  const uint32_t rqs_s = idx[2 * kSegReqSep], rqs_e = idx[2 * kSegReqSep + 1];
  const size_t fixed = (lead_e - lead_s) + (ad_e - ad_s) + (mid_e - mid_s) + (tail_e - tail_s);
  const bool ts_first = (flags & kFmtTsFirst) != 0;
  const bool header = (flags & kFmtHttpHeader) != 0;
  const bool batch = (flags & kFmtBatch) != 0;
  const bool records = (flags & kFmtRecords) != 0;
  const double since = io[kIoSince];
  double req_points = io[kIoReqPoints];
  double req_bytes = io[kIoReqBytes];
  const double max_points = io[kIoMaxPoints];
  const double max_bytes = io[kIoMaxBytes];
  if (records && !IsCount(io[kIoRecCount])) return kStatusBadInput;
  size_t rec_count = records ? static_cast<size_t>(io[kIoRecCount]) : 0;

  char value_buf[128];  // >= kSlack bytes: the fast copy reads a whole block
  char time_buf[64];    // likewise
  int time_len = 0;
  double last_time = std::nan("");
  int64_t aligned_after = 0;
  int64_t aligned_before = 0;
  ChartMeta meta{};
  if (!collected) {
    // SPEC §3.1 steps 1-9 are per chart: every dimension of an in-memory chart shares the ring geometry.
    meta = ChartMetaFromArray(a.meta.data);
    if (entries == 0 || !AlignWindow(meta, static_cast<int64_t>(io[kIoAfter]), static_cast<int64_t>(io[kIoBefore]),
                                     &aligned_after, &aligned_before)) {
      io[kIoDim] = static_cast<double>(dims);
      return kStatusDone;
    }
    time_len = WriteUint64(time_buf, static_cast<uint64_t>(aligned_before));
  }
  const bool sum = mode == kFmtModeSum;
  size_t appended = 0;
  int status = kStatusDone;
  for (; d < dims; d++) {
    const double t = a.lct.data[d];
    // SPEC §5.8: only dimensions collected since the window start.
    if (!(t >= since) || !IsTime(t)) continue;
    int value_len;
    if (collected) {
      value_len = WriteInt64(value_buf, a.lcv.data[d]);
      // Dimensions of a chart are usually collected in the same second: print it once.
      if (!(t == last_time)) {
        time_len = WriteUint64(time_buf, static_cast<uint64_t>(static_cast<int64_t>(t)));
        last_time = t;
      }
    } else {
      value_len = WriteDimValue(a.ring.data + d * entries, meta, aligned_after, aligned_before, sum, value_buf);
      if (value_len < 0) continue;  // NaN: nothing is sent (SPEC §4.1)
    }
    const uint32_t dim_s = idx[kIdxDims + d], dim_e = idx[kIdxDims + d + 1];
    if (dim_s > dim_e || dim_e > a.tpl.size) {
      status = kStatusBadInput;
      break;
    }
    const size_t body_len = fixed + (dim_e - dim_s) + static_cast<size_t>(value_len) + static_cast<size_t>(time_len);
    size_t line_len = body_len;
    if (header) line_len += (rqh_e - rqh_s) + DecimalDigits(body_len) + (rqs_e - rqs_s);
    if (batch) {
      // '[' opens a request, ',' separates points; one more byte for the closing ']'.
      if (req_points > 0 &&
          (req_points >= max_points || req_bytes + 1 + static_cast<double>(body_len) + 1 > max_bytes)) {
        status = kStatusRequestFull;
        break;
      }
      line_len += 1;
    }
    if (line_len > out_size - pos) {
      status = kStatusOutFull;
      io[kIoNeed] = static_cast<double>(line_len);
      break;
    }
    if (records && (rec_count + 1) * 3 > a.recs.size) {
      status = kStatusRecordsFull;
      break;
    }
    const size_t start = pos;
    if (batch) {
      req_points += 1;
      req_bytes += static_cast<double>(body_len + 1);
    }
    const bool first_point = req_points == 1;
    auto emit = [&](auto with_slack) -> uint8_t* {
      constexpr bool S = decltype(with_slack)::value;
      uint8_t* p = out + pos;
      if (header) {
        p = Copy<S>(p, tpl + rqh_s, rqh_e - rqh_s);
        p = PutUint(p, body_len);
        p = Copy<S>(p, tpl + rqs_s, rqs_e - rqs_s);
      }
      if (batch) *p++ = first_point ? '[' : ',';
      p = Copy<S>(p, tpl + lead_s, lead_e - lead_s);
      p = Copy<S>(p, tpl + dim_s, dim_e - dim_s);
      p = Copy<S>(p, tpl + ad_s, ad_e - ad_s);
      if (ts_first) {
        p = Copy<S>(p, time_buf, time_len);
        p = Copy<S>(p, tpl + mid_s, mid_e - mid_s);
        p = Copy<S>(p, value_buf, value_len);
      } else {
        p = Copy<S>(p, value_buf, value_len);
        p = Copy<S>(p, tpl + mid_s, mid_e - mid_s);
        p = Copy<S>(p, time_buf, time_len);
      }
      return Copy<S>(p, tpl + tail_s, tail_e - tail_s);
    };
    const bool slack = tpl_slack && dim_e + kSlack <= a.tpl.size && line_len + kSlack <= out_size - pos;
    uint8_t* p = slack ? emit(std::true_type{}) : emit(std::false_type{});
    pos = static_cast<size_t>(p - out);
    if (records) {
      a.recs.data[rec_count * 3] = static_cast<double>(start);
      a.recs.data[rec_count * 3 + 1] = static_cast<double>(pos);
      a.recs.data[rec_count * 3 + 2] = 1;
      rec_count++;
    }
    appended++;
  }
  io[kIoPos] = static_cast<double>(pos);
  io[kIoDim] = static_cast<double>(d);
  io[kIoAppended] = static_cast<double>(appended);
  io[kIoReqPoints] = req_points;
  io[kIoReqBytes] = req_bytes;
  if (records) io[kIoRecCount] = static_cast<double>(rec_count);
  return status;
}

}  // namespace rrdb
