// Batch line formatting of one chart (SPEC §4.1-4.4); byte-identical to lib/kernels/fallback/format.ts.
#include "format_kernel.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#include "decimal.h"
#include "swar_digits.h"
#include "value_calc.h"
#include "value_fast.h"

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

// ---------------------------------------------------------------------------------------------
// The common path (issue 7): graphite, OpenTSDB telnet and JSON lines, i.e. no HTTP framing. A line is
//   lead · dim · x · value · y
// with x = after_dim (+ time + mid when the timestamp comes first) and y = mid + time + tail (or just
// tail), both composed once per chart (once per distinct timestamp as collected). Every run is copied in
// 16-byte blocks and the value is printed straight into the output: no length-dependent branch and no
// memcpy call per run. That needs kBlock readable bytes after every source run (the template padding,
// the local parts) and, in the output, room for the line with the longest value plus kBlock. Near the
// end of the output the careful path (exact lengths) takes over, so a line is never written partially.
// ---------------------------------------------------------------------------------------------

constexpr size_t kBlock = 16;
static_assert(kBlock <= kSlack, "the template padding must cover a block");
// The longest value the direct path can print: WriteLdF7(out, 64) or swar_digits.h's 8-byte stores.
constexpr size_t kValueRoom = 64;
// x and y are composed in local buffers; charts with longer constant parts take the general path.
constexpr size_t kPartMax = 480;
constexpr size_t kTimeMax = 24;

inline uint8_t* CopyBlocks(uint8_t* p, const uint8_t* s, size_t n) {
  size_t i = 0;
  do {
    std::memcpy(p + i, s + i, kBlock);
    i += kBlock;
  } while (i < n);
  return p + n;
}

struct Part {
  uint8_t bytes[kPartMax + kTimeMax + kBlock];
  size_t n = 0;
  void Add(const uint8_t* s, size_t len) {
    if (len != 0) std::memcpy(bytes + n, s, len);
    n += len;
  }
};

// Prefetch distance in dimensions: one line costs a few tens of ns, a miss to memory about 100 ns.
constexpr size_t kPrefetchDims = 10;

/** Fetches the window of dimension d (a prefetch never faults; the address is an integer). */
inline void PrefetchWindow(const uint32_t* ring, size_t entries, size_t d, const WindowSlots& w) {
#if defined(__GNUC__) || defined(__clang__)
  const uintptr_t dim = reinterpret_cast<uintptr_t>(ring) + d * entries * 4;
  __builtin_prefetch(reinterpret_cast<const void*>(dim + w.start * 4));
  __builtin_prefetch(reinterpret_cast<const void*>(dim + (w.start + w.first) * 4 - 1));
  if (w.wrapped != 0) __builtin_prefetch(reinterpret_cast<const void*>(dim));
#else
  (void)ring;
  (void)entries;
  (void)d;
  (void)w;
#endif
}

/** A prefetch of byte `at` of `base` (integer arithmetic: never a pointer outside its array). */
inline void PrefetchAt(const void* base, size_t at) {
#if defined(__GNUC__) || defined(__clang__)
  if (base != nullptr) __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(base) + at));
#else
  (void)base;
  (void)at;
#endif
}

// Per-dimension arrays (8-byte values) are read sequentially: their next cache lines are requested this many
// dimensions ahead (two lines), and the first lines of the next chart's while this one ends.
constexpr size_t kPerDimAhead = 16;

/** The constant runs of a chart's lines (see above). */
struct LineParts {
  const uint8_t* lead;
  size_t lead_n;
  Part x;
  Part y;

  /** x and y for the timestamp text `time`. */
  void Compose(const uint8_t* tpl, const uint32_t* idx, bool ts_first, const char* time, size_t time_n) {
    const uint8_t* t = reinterpret_cast<const uint8_t*>(time);
    x.n = 0;
    y.n = 0;
    x.Add(tpl + idx[2 * kSegAfterDim], idx[2 * kSegAfterDim + 1] - idx[2 * kSegAfterDim]);
    if (ts_first) {
      x.Add(t, time_n);
      x.Add(tpl + idx[2 * kSegMid], idx[2 * kSegMid + 1] - idx[2 * kSegMid]);
    } else {
      y.Add(tpl + idx[2 * kSegMid], idx[2 * kSegMid + 1] - idx[2 * kSegMid]);
      y.Add(t, time_n);
    }
    y.Add(tpl + idx[2 * kSegTail], idx[2 * kSegTail + 1] - idx[2 * kSegTail]);
  }
};

/** Whether the common path can take a chart: no HTTP framing, parts that fit the local buffers. */
bool SimpleApplies(int flags, const uint32_t* idx, bool tpl_slack) {
  if ((flags & (kFmtHttpHeader | kFmtBatch | kFmtRecords)) != 0 || !tpl_slack) return false;
  const size_t after_dim = idx[2 * kSegAfterDim + 1] - idx[2 * kSegAfterDim];
  const size_t mid = idx[2 * kSegMid + 1] - idx[2 * kSegMid];
  const size_t tail = idx[2 * kSegTail + 1] - idx[2 * kSegTail];
  return after_dim + mid + tail <= kPartMax;
}

/**
 * The common path. Same contract as FormatChart; the caller has validated the arrays and io, and
 * SimpleApplies() holds.
 */
template <bool kCollected>
int FormatSimple(int flags, const FormatArrays& a, size_t dims, size_t entries) {
  const uint8_t* const tpl = a.tpl.data;
  const size_t tpl_size = a.tpl.size;
  const uint32_t* const idx = a.idx.data;
  double* const io = a.io.data;
  uint8_t* const out = a.out.data;
  const size_t out_size = a.out.size;
  const bool ts_first = (flags & kFmtTsFirst) != 0;
  const bool sum = (flags & kFmtModeMask) == kFmtModeSum;
  size_t pos = static_cast<size_t>(io[kIoPos]);
  size_t d = static_cast<size_t>(io[kIoDim]);
  const double since = io[kIoSince];

  LineParts parts;
  parts.lead = tpl + idx[2 * kSegLead];
  parts.lead_n = idx[2 * kSegLead + 1] - idx[2 * kSegLead];
  char time_buf[kTimeMax + 8];
  double last_time = std::nan("");
  ChartMeta meta{};
  WindowSlots win{0, 0, 0};
  int64_t aligned_after = 0, aligned_before = 0;
  bool integer_path = true;
  if (!kCollected) {
    // SPEC §3.1 steps 1-9 are per chart: every dimension of an in-memory chart shares the ring geometry.
    meta = ChartMetaFromArray(a.meta.data);
    if (entries == 0 || !AlignWindow(meta, static_cast<int64_t>(io[kIoAfter]), static_cast<int64_t>(io[kIoBefore]),
                                     &aligned_after, &aligned_before)) {
      io[kIoDim] = static_cast<double>(dims);
      return kStatusDone;
    }
    win = WindowSlotsOf(meta, aligned_after, aligned_before);
    integer_path = IntegerPathEnabled();
    const int n = swar::WriteU64(time_buf, static_cast<uint64_t>(aligned_before));
    parts.Compose(tpl, idx, ts_first, time_buf, static_cast<size_t>(n));
  }
  // Everything of a line but the dimension part and the value.
  size_t fixed = parts.lead_n + parts.x.n + parts.y.n;
  const uint32_t* const ring = a.ring.data;
  size_t appended = 0;
  int status = kStatusDone;
  char value_buf[kValueRoom + 16];
  const uint32_t* const next_ring = a.next_ring;
  if (!kCollected) {
    // The first windows of the chart are all requested at once so their misses overlap (when the
    // previous chart of a batch already asked for them, this costs a few instructions).
    for (size_t j = d; j < d + kPrefetchDims && j < dims; j++) PrefetchWindow(ring, entries, j, win);
  }
  const double* const lct = a.lct.data;
  const int64_t* const lcv = a.lcv.data;
  PrefetchAt(lct, d * 8 + 64);
  if (kCollected) PrefetchAt(lcv, d * 8 + 64);
  for (; d < dims; d++) {
    if ((d & 7) == 0) {
      // One cache line holds 8 per-dimension values: the line two ahead, or the next chart's first lines.
      const size_t ahead = d + kPerDimAhead;
      if (ahead < dims) {
        PrefetchAt(lct, ahead * 8);
        if (kCollected) PrefetchAt(lcv, ahead * 8);
      } else if (ahead - 8 < dims) {
        PrefetchAt(a.next_lct, 0);
        PrefetchAt(a.next_lct, 64);
        if (kCollected) {
          PrefetchAt(a.next_lcv, 0);
          PrefetchAt(a.next_lcv, 64);
        }
      }
    }
    if (!kCollected) {
      // Near the end of the chart, the first windows of the next one (assuming the same geometry, as
      // charts of one database nearly always have; a wrong guess only wastes a prefetch).
      const size_t ahead = d + kPrefetchDims;
      if (ahead < dims) {
        PrefetchWindow(ring, entries, ahead, win);
      } else if (next_ring != nullptr) {
        PrefetchWindow(next_ring, entries, ahead - dims, win);
      }
    }
    const double t = lct[d];
    // SPEC §5.8: only dimensions collected since the window start.
    if (!(t >= since) || !IsTime(t)) continue;
    if (kCollected && !(t == last_time)) {
      // Dimensions of a chart are usually collected in the same second: compose once per timestamp.
      const int n = swar::WriteU64(time_buf, static_cast<uint64_t>(static_cast<int64_t>(t)));
      parts.Compose(tpl, idx, ts_first, time_buf, static_cast<size_t>(n));
      fixed = parts.lead_n + parts.x.n + parts.y.n;
      last_time = t;
    }
    const uint32_t dim_s = idx[kIdxDims + d], dim_e = idx[kIdxDims + d + 1];
    if (dim_s > dim_e || dim_e > tpl_size) {
      status = kStatusBadInput;
      break;
    }
    const size_t dim_n = dim_e - dim_s;
    if (dim_e + kBlock <= tpl_size && fixed + dim_n + kValueRoom + kBlock <= out_size - pos) {
      // Direct path: the whole line fits with room to spare.
      uint8_t* p = CopyBlocks(out + pos, parts.lead, parts.lead_n);
      p = CopyBlocks(p, tpl + dim_s, dim_n);
      p = CopyBlocks(p, parts.x.bytes, parts.x.n);
      int value_n;
      if (kCollected) {
        value_n = swar::WriteI64(reinterpret_cast<char*>(p), lcv[d]);
      } else {
        // The divide-mode fast path inline; what it declines takes the full value calculation.
        const uint32_t* slots = ring + d * entries;
        value_n = integer_path ? fast::DivModeValue(slots, win, sum, reinterpret_cast<char*>(p)) : -2;
        if (value_n == -2) {
          value_n = WriteDimValueIn(slots, meta, win, aligned_after, aligned_before, sum, integer_path, reinterpret_cast<char*>(p));
        }
        if (value_n < 0) continue;  // NaN: nothing is sent (SPEC §4.1)
      }
      p = CopyBlocks(p + value_n, parts.y.bytes, parts.y.n);
      pos = static_cast<size_t>(p - out);
    } else {
      int value_n;
      if (kCollected) {
        value_n = swar::WriteI64(value_buf, a.lcv.data[d]);
      } else {
        value_n = WriteDimValueIn(ring + d * entries, meta, win, aligned_after, aligned_before, sum, integer_path,
                                  value_buf);
        if (value_n < 0) continue;
      }
      size_t need = 0;
      const size_t line = fixed + dim_n + static_cast<size_t>(value_n);
      if (line > out_size - pos) {
        need = line;
        status = kStatusOutFull;
        io[kIoNeed] = static_cast<double>(need);
        break;
      }
      uint8_t* p = out + pos;
      auto put = [&p](const void* s, size_t n) {
        if (n != 0) std::memcpy(p, s, n);
        p += n;
      };
      put(parts.lead, parts.lead_n);
      put(tpl + dim_s, dim_n);
      put(parts.x.bytes, parts.x.n);
      put(value_buf, static_cast<size_t>(value_n));
      put(parts.y.bytes, parts.y.n);
      pos += line;
    }
    appended++;
  }
  io[kIoPos] = static_cast<double>(pos);
  io[kIoDim] = static_cast<double>(d);
  io[kIoAppended] = static_cast<double>(appended);
  return status;
}

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
  if (SimpleApplies(flags, idx, tpl_slack)) {
    return collected ? FormatSimple<true>(flags, a, dims, entries) : FormatSimple<false>(flags, a, dims, entries);
  }

  // The general path: HTTP framing (single requests, batched arrays, request records).
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
  WindowSlots win{0, 0, 0};
  bool integer_path = true;
  if (!collected) {
    // SPEC §3.1 steps 1-9 are per chart: every dimension of an in-memory chart shares the ring geometry.
    meta = ChartMetaFromArray(a.meta.data);
    if (entries == 0 || !AlignWindow(meta, static_cast<int64_t>(io[kIoAfter]), static_cast<int64_t>(io[kIoBefore]),
                                     &aligned_after, &aligned_before)) {
      io[kIoDim] = static_cast<double>(dims);
      return kStatusDone;
    }
    win = WindowSlotsOf(meta, aligned_after, aligned_before);
    integer_path = IntegerPathEnabled();
    time_len = swar::WriteU64(time_buf, static_cast<uint64_t>(aligned_before));
  }
  const bool sum = mode == kFmtModeSum;
  size_t appended = 0;
  int status = kStatusDone;
  if (!collected) {
    for (size_t j = d; j < d + kPrefetchDims && j < dims; j++) PrefetchWindow(a.ring.data, entries, j, win);
  }
  for (; d < dims; d++) {
    if (!collected) {
      const size_t ahead = d + kPrefetchDims;
      if (ahead < dims) {
        PrefetchWindow(a.ring.data, entries, ahead, win);
      } else if (a.next_ring != nullptr) {
        PrefetchWindow(a.next_ring, entries, ahead - dims, win);
      }
    }
    const double t = a.lct.data[d];
    // SPEC §5.8: only dimensions collected since the window start.
    if (!(t >= since) || !IsTime(t)) continue;
    int value_len;
    if (collected) {
      value_len = swar::WriteI64(value_buf, a.lcv.data[d]);
      // Dimensions of a chart are usually collected in the same second: print it once.
      if (!(t == last_time)) {
        time_len = swar::WriteU64(time_buf, static_cast<uint64_t>(static_cast<int64_t>(t)));
        last_time = t;
      }
    } else {
      value_len = WriteDimValueIn(a.ring.data + d * entries, meta, win, aligned_after, aligned_before, sum,
                                  integer_path, value_buf);
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

namespace {

template <typename T>
inline uint32_t ReadU32(const T* base, size_t word) {
  uint32_t v;
  std::memcpy(&v, reinterpret_cast<const uint8_t*>(base) + word * 4, 4);
  return v;
}

/** A typed view of `len` elements at byte `at` of the slab, if it lies inside and is aligned. */
template <typename T>
bool SlabField(const SlabChart& c, uint32_t at, uint32_t len, Span<const T>* out) {
  const uint64_t end = static_cast<uint64_t>(at) + static_cast<uint64_t>(len) * sizeof(T);
  if (end > c.slab.size) return false;
  const uint8_t* p = c.slab.data + at;
  if (reinterpret_cast<uintptr_t>(p) % alignof(T) != 0) return false;
  out->data = reinterpret_cast<const T*>(p);
  out->size = len;
  return true;
}

/** The arrays of chart c from its plan and slab; false when they do not describe valid memory. */
bool ResolveSlabChart(const SlabChart& c, FormatArrays* a) {
  if (c.plan.size < kPlanHeaderWords * 4 || c.plan.data == nullptr) return false;
  const uint8_t* h = c.plan.data;
  if (ReadU32(h, kPlanMagic) != kPlanMagicValue || ReadU32(h, kPlanBound) != 1 || c.slab.data == nullptr) return false;
  const uint32_t idx_at = ReadU32(h, kPlanIdxAt), idx_words = ReadU32(h, kPlanIdxWords);
  const uint32_t tpl_at = ReadU32(h, kPlanTplAt), tpl_bytes = ReadU32(h, kPlanTplBytes);
  if (static_cast<uint64_t>(idx_at) + static_cast<uint64_t>(idx_words) * 4 > c.plan.size ||
      static_cast<uint64_t>(tpl_at) + tpl_bytes > c.plan.size) {
    return false;
  }
  const uint8_t* idx = h + idx_at;
  if (reinterpret_cast<uintptr_t>(idx) % alignof(uint32_t) != 0) return false;
  a->idx = Span<const uint32_t>{reinterpret_cast<const uint32_t*>(idx), idx_words};
  a->tpl = Span<const uint8_t>{h + tpl_at, tpl_bytes};
  return SlabField(c, ReadU32(h, kPlanRingAt), ReadU32(h, kPlanRingLen), &a->ring) &&
         SlabField(c, ReadU32(h, kPlanMetaAt), ReadU32(h, kPlanMetaLen), &a->meta) &&
         SlabField(c, ReadU32(h, kPlanLcvAt), ReadU32(h, kPlanLcvLen), &a->lcv) &&
         SlabField(c, ReadU32(h, kPlanLctAt), ReadU32(h, kPlanLctLen), &a->lct);
}

}  // namespace

int FormatSlabs(int flags, const SlabChart* charts, size_t count, Span<uint8_t> out, Span<double> io, Span<double> recs) {
  if (io.size < static_cast<size_t>(kSlabsIoLength) || !IsCount(io.data[kIoChart])) return kStatusBadInput;
  size_t i = static_cast<size_t>(io.data[kIoChart]);
  const double stop_at = io.data[kIoStopAt];
  double appended = 0;
  int status = kStatusDone;
  FormatArrays next;
  bool next_ok = i < count && ResolveSlabChart(charts[i], &next);
  for (; i < count; i++) {
    FormatArrays a = next;
    if (!next_ok) {
      status = kStatusBadInput;
      break;
    }
    next_ok = i + 1 < count && ResolveSlabChart(charts[i + 1], &next);
    if (next_ok) PrefetchAt(next.meta.data, 0);  // read first thing when the next chart starts
    if (i + 2 < count) {
      // Two charts ahead: the plan header and the slab's first line (meta) are what resolving it reads.
      PrefetchAt(charts[i + 2].plan.data, 0);
      PrefetchAt(charts[i + 2].slab.data, 0);
    }
    a.out = out;
    a.io = io;
    a.recs = recs;
    a.next_ring = next_ok ? next.ring.data : nullptr;
    a.next_lct = next_ok ? next.lct.data : nullptr;
    a.next_lcv = next_ok ? next.lcv.data : nullptr;
    io.data[kIoAppended] = 0;  // FormatChart's early refusals leave it as it was
    status = FormatChart(flags, a);
    appended += io.data[kIoAppended];
    if (status != kStatusDone) break;
    io.data[kIoDim] = 0;
    if (io.data[kIoPos] >= stop_at) {
      i++;
      status = i < count ? kStatusStopped : kStatusDone;
      break;
    }
  }
  io.data[kIoChart] = static_cast<double>(i);
  io.data[kIoAppended] = appended;
  return status;
}

}  // namespace rrdb
