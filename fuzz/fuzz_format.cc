// libFuzzer target: the batch line formatter FormatChart (SPEC §4, native/format_kernel.cc) and, through
// its stored modes, the value calculation of SPEC §3.1 (native/value_calc.cc).
//
// Input ("format case", little endian; fuzz/make-seeds.js writes real chart plans built by
// lib/formats/chart-plan.ts from the formatters_*.json vectors in this layout):
//   u32 flags | u32 out_extra | u32 recs_len | f64 io[12]
//   then six arrays, each `u32 count` + count elements: tpl (u8), idx (u32), ring (u32), meta (f64),
//   lcv (i64), lct (f64). A count larger than the bytes left is cut to what is left.
// Every array is copied into a heap block of exactly its length, so a read or write one element past
// any of them is an ASan report. Lengths are NOT made consistent: inconsistent arrays are what a direct
// caller of the binding can pass, and the kernel must refuse them (status -1) without touching memory.
//
// Oracles (a violation aborts with "FINDING: ..."):
// 1. the status is one of FMT_STATUS_*, io stays within bounds, bytes before io[POS] are never written,
//    records lie inside the output and follow each other;
// 2. liveness: driven like lib/formats/formatter.ts drives it (grow `out` by io[NEED] on OUT_FULL, grow
//    `recs` on RECORDS_FULL, close the request on REQUEST_FULL) a chart finishes in a bounded number of
//    calls, and OUT_FULL is only returned when the line really does not fit;
// 3. chunking: a driver starting from an exactly full buffer (grows for every line) produces the same
//    bytes as one starting with plenty of room;
// 4. numeric paths: the same bytes with the integer fast path disabled, and with the soft long double
//    forced instead of the x87 one (SPEC §2.5, §7 row 24).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "format_kernel.h"
#include "storage_number.h"

namespace {

using rrdb::FormatArrays;

[[noreturn]] void Finding(const char* what) {
  std::fprintf(stderr, "FINDING: %s\n", what);
  std::abort();
}

/** A heap block of exactly n elements (n == 0 still gives a distinct, unusable pointer). */
template <typename T>
struct Block {
  T* data = nullptr;
  size_t size = 0;
  explicit Block(size_t n = 0) : data(static_cast<T*>(std::malloc(n == 0 ? 1 : n * sizeof(T)))), size(n) {
    if (data == nullptr) std::abort();
  }
  Block(const Block& o) : Block(o.size) { if (o.size) std::memcpy(data, o.data, o.size * sizeof(T)); }
  Block& operator=(const Block& o) {
    if (this != &o) {
      Block t(o);
      std::swap(data, t.data);
      std::swap(size, t.size);
    }
    return *this;
  }
  ~Block() { std::free(data); }
  /** Same contents, exactly n elements (new ones zeroed). */
  void Resize(size_t n) {
    Block t(n);
    const size_t keep = n < size ? n : size;
    if (keep) std::memcpy(t.data, data, keep * sizeof(T));
    if (n > keep) std::memset(t.data + keep, 0, (n - keep) * sizeof(T));
    std::swap(data, t.data);
    std::swap(size, t.size);
  }
};

struct Reader {
  const uint8_t* p;
  size_t left;
  template <typename T>
  T Get() {
    T v{};
    if (left >= sizeof(T)) {
      std::memcpy(&v, p, sizeof(T));
      p += sizeof(T);
      left -= sizeof(T);
    } else {
      left = 0;
    }
    return v;
  }
  template <typename T>
  Block<T> Array() {
    size_t n = Get<uint32_t>();
    if (n > left / sizeof(T)) n = left / sizeof(T);
    Block<T> b(n);
    if (n) std::memcpy(b.data, p, n * sizeof(T));
    p += n * sizeof(T);
    left -= n * sizeof(T);
    return b;
  }
};

struct Case {
  int flags = 0;
  uint32_t out_extra = 0;
  uint32_t recs_len = 0;
  double io[rrdb::kIoLength] = {};
  Block<uint8_t> tpl;
  Block<uint32_t> idx, ring;
  Block<double> meta;
  Block<int64_t> lcv;
  Block<double> lct;
};

struct Result {
  int status;
  std::vector<uint8_t> bytes;  // out[0 .. final pos)
  std::vector<double> recs;    // the records written
  bool operator==(const Result& o) const { return status == o.status && bytes == o.bytes && recs == o.recs; }
};

FormatArrays ArraysOf(const Case& c, Block<uint8_t>& out, Block<double>& io, Block<double>& recs) {
  FormatArrays a;
  a.tpl = {c.tpl.data, c.tpl.size};
  a.idx = {c.idx.data, c.idx.size};
  a.ring = {c.ring.data, c.ring.size};
  a.meta = {c.meta.data, c.meta.size};
  a.lcv = {c.lcv.data, c.lcv.size};
  a.lct = {c.lct.data, c.lct.size};
  a.out = {out.data, out.size};
  a.io = {io.data, io.size};
  a.recs = {recs.data, recs.size};
  return a;
}

constexpr uint8_t kCanary = 0xA5;

/**
 * One call exactly as given (oracle 1); returns the status. `pos0` bytes of canaries precede the
 * output position and must survive.
 */
int Single(const Case& c) {
  Block<double> io(rrdb::kIoLength);
  std::memcpy(io.data, c.io, sizeof c.io);
  const double pos_d = c.io[rrdb::kIoPos];
  const size_t pos0 = (pos_d >= 0 && pos_d <= 65536) ? static_cast<size_t>(pos_d) : 0;
  Block<uint8_t> out(pos0 + c.out_extra);
  std::memset(out.data, kCanary, out.size);
  Block<double> recs(c.recs_len);
  for (size_t i = 0; i < recs.size; i++) recs.data[i] = -7;
  const double dim0 = c.io[rrdb::kIoDim];
  const double rec0 = c.io[rrdb::kIoRecCount];
  const int status = rrdb::FormatChart(c.flags, ArraysOf(c, out, io, recs));
  if (status < rrdb::kStatusBadInput || status > rrdb::kStatusRecordsFull) Finding("status outside FMT_STATUS_*");
  if (status == rrdb::kStatusBadInput) return status;
  const double pos = io.data[rrdb::kIoPos];
  if (!(pos >= pos_d && pos <= static_cast<double>(out.size))) Finding("io[POS] moved backwards or past out");
  if (pos_d == static_cast<double>(pos0)) {
    for (size_t i = 0; i < pos0; i++) if (out.data[i] != kCanary) Finding("a byte before io[POS] was written");
  }
  // A call starts at io[DIM] and ends at most at meta[DIMS] (a start beyond it formats nothing).
  const double dims = c.meta.data[5];  // status != BAD_INPUT: meta has the META_* layout
  const double lo = dim0 < dims ? dim0 : dims, hi = dim0 > dims ? dim0 : dims;
  const double dim1 = io.data[rrdb::kIoDim];
  if (!(dim1 >= lo && dim1 <= hi)) Finding("io[DIM] outside [start, dims]");
  const double walked = dim1 > dim0 ? dim1 - dim0 : 0;
  if (!(io.data[rrdb::kIoAppended] >= 0 && io.data[rrdb::kIoAppended] <= walked))
    Finding("io[APPENDED] larger than the dimensions walked");
  if (status == rrdb::kStatusOutFull) {
    const double need = io.data[rrdb::kIoNeed];
    if (!(need > static_cast<double>(out.size) - pos)) Finding("OUT_FULL although the line fits");
  }
  if ((c.flags & rrdb::kFmtRecords) != 0) {
    const double n = io.data[rrdb::kIoRecCount];
    // A count given beyond recs is only refused when a record is to be written (nothing else reads recs).
    if (!(n >= rec0 && (n == rec0 || n * 3 <= static_cast<double>(recs.size)))) Finding("io[REC_COUNT] outside recs");
    double prev_end = pos_d;
    for (size_t r = static_cast<size_t>(rec0); r < static_cast<size_t>(n); r++) {
      const double s = recs.data[3 * r], e = recs.data[3 * r + 1];
      if (!(s >= prev_end && e > s && e <= pos)) Finding("a record is not inside the new output, in order");
      prev_end = e;
    }
  }
  return status;
}

/**
 * Drives one chart to the end like LineFormatter.formatChart (oracles 2, 3). `room` = initial spare
 * bytes of `out`. The case must have passed Single() with a status other than BAD_INPUT.
 */
Result Drive(const Case& c, size_t room) {
  Block<double> io(rrdb::kIoLength);
  std::memcpy(io.data, c.io, sizeof c.io);
  io.data[rrdb::kIoPos] = 0;
  const bool records = (c.flags & rrdb::kFmtRecords) != 0;
  if (records) io.data[rrdb::kIoRecCount] = 0;
  Block<uint8_t> out(room);
  Block<double> recs(c.recs_len < 3 ? 3 : c.recs_len);
  const double dims = c.meta.data[5];
  // Every call either finishes, or makes progress after growing: one line per dimension at most needs
  // one OUT_FULL, one RECORDS_FULL and one REQUEST_FULL first.
  const double todo = dims - io.data[rrdb::kIoDim];
  const double max_calls = 4 * (todo > 0 ? todo : 0) + 8;
  Result r{};
  for (double calls = 0;; calls++) {
    if (calls > max_calls) Finding("the formatter makes no progress (driver loop would not end)");
    r.status = rrdb::FormatChart(c.flags, ArraysOf(c, out, io, recs));
    const size_t pos = static_cast<size_t>(io.data[rrdb::kIoPos]);
    if (r.status == rrdb::kStatusDone || r.status == rrdb::kStatusBadInput) {
      r.bytes.assign(out.data, out.data + pos);
      if (records) r.recs.assign(recs.data, recs.data + 3 * static_cast<size_t>(io.data[rrdb::kIoRecCount]));
      return r;
    }
    if (r.status == rrdb::kStatusOutFull) {
      const double need = io.data[rrdb::kIoNeed];
      if (!(need > 0 && need < 1e9)) Finding("io[NEED] is not a sane byte count");
      out.Resize(pos + static_cast<size_t>(need));  // exactly enough: an overrun is an ASan report
    } else if (r.status == rrdb::kStatusRecordsFull) {
      recs.Resize(recs.size * 2 + 3);
    } else if (r.status == rrdb::kStatusRequestFull) {
      // LineFormatter.closeRequest: ']' ends the open request; the next point opens a new one.
      out.Resize(pos + 1);
      out.data[pos] = ']';
      io.data[rrdb::kIoPos] = static_cast<double>(pos + 1);
      io.data[rrdb::kIoReqPoints] = 0;
      io.data[rrdb::kIoReqBytes] = 0;
    }
  }
}

Case Parse(const uint8_t* data, size_t size) {
  Reader rd{data, size};
  Case c;
  c.flags = static_cast<int>(rd.Get<uint32_t>() & 63);
  c.out_extra = rd.Get<uint32_t>() % 65536;
  c.recs_len = rd.Get<uint32_t>() % 4096;
  for (int i = 0; i < rrdb::kIoLength; i++) c.io[i] = rd.Get<double>();
  c.tpl = rd.Array<uint8_t>();
  c.idx = rd.Array<uint32_t>();
  c.ring = rd.Array<uint32_t>();
  c.meta = rd.Array<double>();
  c.lcv = rd.Array<int64_t>();
  c.lct = rd.Array<double>();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Case c = Parse(data, size);
  rrdb::NumericPaths() = 0;
  if (Single(c) == rrdb::kStatusBadInput) return 0;
  // io[POS] as given was valid; the drivers start at 0 (their own, empty buffer).
  const Result big = Drive(c, 1 << 16);
  const Result tight = Drive(c, 0);
  if (!(big == tight)) Finding("output differs between a roomy and an exactly-grown buffer");
  if ((c.flags & rrdb::kFmtModeMask) != rrdb::kFmtModeCollected) {
    rrdb::NumericPaths() = rrdb::kPathNoIntegerFastPath;
    const Result exact = Drive(c, 1 << 16);
    rrdb::NumericPaths() = rrdb::kPathNoIntegerFastPath | rrdb::kPathForceSoftLd;
    const Result soft = Drive(c, 1 << 16);
    rrdb::NumericPaths() = 0;
    if (!(exact == big)) Finding("integer fast path and exact x87 path print different values");
    if (!(soft == big)) Finding("soft long double and x87 print different values");
  }
  return 0;
}
