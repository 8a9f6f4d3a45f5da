// Value calculation (SPEC §3.1) with an integer fast path that is provably identical to the
// reference's long double arithmetic; see the derivation above FastValue.
#include "value_calc.h"

#include <cmath>

#include "decimal.h"
#include "storage_number.h"
#include "swar_digits.h"
#include "value_fast.h"

namespace rrdb {

namespace {

// Bounds that keep every int64 computation below free of overflow: timestamps are clamped to
// +-2^62 (the facade only passes safe integers, |t| <= 2^53, so this never changes a result),
// update_every to 2^53, and a ring's duration saturates at 2^62, which is further back than any
// timestamp that can be compared with it, so the saturation does not change a comparison either.
constexpr int64_t kTimeLimit = int64_t{1} << 62;
constexpr int64_t kUpdateEveryLimit = int64_t{1} << 53;
constexpr uint64_t kDurationLimit = uint64_t{1} << 62;

uint64_t ClampToU64(double d, uint64_t max) {
  if (!(d > 0)) return 0;  // NaN too
  if (d >= static_cast<double>(max)) return max;
  return static_cast<uint64_t>(d);
}

int64_t ClampToI64(double d, int64_t lo, int64_t hi) {
  if (std::isnan(d)) return 0;
  if (d <= static_cast<double>(lo)) return lo;
  if (d >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(d);
}

int64_t ClampTime(int64_t t) { return t < -kTimeLimit ? -kTimeLimit : (t > kTimeLimit ? kTimeLimit : t); }

struct Edges {
  int64_t first_t, last_t;
  uint32_t first_slot, last_slot;
};

// SPEC §1.4: rrdset_first_entry_t / rrdset_last_entry_t / first and last slot.
Edges EdgesOf(const ChartMeta& m) {
  Edges e;
  const bool wrapped = m.counter >= m.entries;
  const uint64_t stored = wrapped ? m.entries : m.counter;
  const uint64_t ue = static_cast<uint64_t>(m.update_every);
  const uint64_t duration = (stored != 0 && ue > kDurationLimit / stored) ? kDurationLimit : stored * ue;
  e.last_t = m.last_updated;
  e.first_t = e.last_t - static_cast<int64_t>(duration);  // >= -2^62 - 2^62: no overflow
  e.last_slot = m.current_entry == 0 ? m.entries - 1 : m.current_entry - 1;
  e.first_slot = wrapped ? m.current_entry : 0;
  return e;
}

// SPEC §1.4 rrdset_time2slot, including its final clamp (which also keeps a bad current_entry in bounds).
uint32_t TimeToSlot(const ChartMeta& m, const Edges& e, int64_t t) {
  uint64_t ret;
  if (t >= e.last_t) {
    ret = e.last_slot;
  } else if (t <= e.first_t) {
    ret = e.first_slot;
  } else {
    const uint64_t back = m.update_every == 1
                              ? static_cast<uint64_t>(e.last_t - t)
                              : static_cast<uint64_t>(e.last_t - t) / static_cast<uint64_t>(m.update_every);
    ret = e.last_slot >= back ? e.last_slot - back : e.last_slot + static_cast<uint64_t>(m.entries) - back;
  }
  if (ret >= m.entries) ret = m.entries - 1;
  return static_cast<uint32_t>(ret);
}

/** The query of SPEC §1.4: slots start, start+1, ... (wrapping), count of them. */
struct SlotWalk {
  uint32_t start;
  uint32_t count;
};

SlotWalk WalkOf(const ChartMeta& m, int64_t a, int64_t b) {
  const Edges e = EdgesOf(m);
  const uint32_t start = TimeToSlot(m, e, a);
  const uint32_t stop = TimeToSlot(m, e, b);
  const uint32_t count = stop >= start ? stop - start + 1 : m.entries - start + stop + 1;
  return SlotWalk{start, count};
}

/** Calls f(word) for every slot of the walk, in order. */
template <class F>
inline void ForEachSlot(const uint32_t* slots, uint32_t entries, SlotWalk walk, F&& f) {
  const uint64_t end = static_cast<uint64_t>(walk.start) + walk.count;
  const uint32_t first_end = end > entries ? entries : static_cast<uint32_t>(end);
  for (uint32_t i = walk.start; i < first_end; i++) f(slots[i]);
  const uint32_t wrapped = static_cast<uint32_t>(end - first_end);
  for (uint32_t i = 0; i < wrapped; i++) f(slots[i]);
}

/**
 * Formatters call WriteDimValue for dimension after dimension of a dimension-major ring, so the
 * window of the dimension two ahead is fetched now: on rings larger than the caches the walk is
 * otherwise bound by memory latency. A prefetch never faults, and the address is formed as an
 * integer so nothing points outside the ring.
 */
inline void PrefetchAhead(const uint32_t* slots, uint32_t entries, SlotWalk walk) {
#if defined(__GNUC__) || defined(__clang__)
  const uintptr_t base = reinterpret_cast<uintptr_t>(slots) + (2 * static_cast<uintptr_t>(entries) + walk.start) * 4;
  __builtin_prefetch(reinterpret_cast<const void*>(base));
  if (walk.count > 8) __builtin_prefetch(reinterpret_cast<const void*>(base + 60));
#else
  (void)slots;
  (void)entries;
  (void)walk;
#endif
}

/** SPEC §3.1 steps 10-11 in the arithmetic A. */
template <class A>
bool DimValueWith(const uint32_t* slots, uint32_t entries, SlotWalk walk, bool sum, typename A::T* out) {
  typename A::T s = A::Zero();  // +0.0
  uint32_t count = 0;
  ForEachSlot(slots, entries, walk, [&](uint32_t w) {
    if (!SnExists(w)) return;
    s = A::Add(s, UnpackWith<A>(w));
    count++;
  });
  if (count == 0) return false;
  *out = sum ? s : A::DivU32(s, count);
  return true;
}

bool DimValueSoftLd(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, Ld* out) {
  if (m.entries == 0) return false;
  return DimValueWith<SoftArith>(slots, m.entries, WalkOf(m, a, b), sum, out);
}

// ---------------------------------------------------------------------------------------------
// The integer fast path.
//
// Units: U = 1e-7. Every existing word w_i with |value| = n * 10^-m (divide mode) or n * f^m
// (multiply mode) has the exact value x_i = K_i * U with the integer K_i = n * 10^(7-m) or
// n * f^m * 10^7. We take the fast path only when every K_i < 2^62, so multiply-mode values are
// integers below 2^62 whose LD unpacking is exact; divide-mode unpacking performs m <= 7 rounded
// divisions. With u = 2^-64 (the unit roundoff of a 64-bit mantissa) and g(k) = k*u / (1 - k*u):
//   unpack:  v_i = x_i (1 + t_i),       |t_i| <= g(7)
//   sum:     s = +0 + v_1 + ... + v_c   (the first addition is exact; recursive summation)
//            s = sum_i v_i (1 + h_i),   |h_i| <= g(c - 1)                 [Higham, ASNA 4.2]
//            so |s - X| <= g(c + 6) * S, X = sum x_i, S = sum |x_i|       [(1+g(j))(1+g(k)) <= 1+g(j+k)]
//   average: a = (s / c)(1 + d), |d| <= u  =>  |a - X/c| <= g(c + 7) * S / c.
// In units, with K = sum K_i and SK = sum |K_i|, the printed number is round-half-even(s / U) for
// the sum and round-half-even(a / U) for the average (decimal.cc prints the exact binary value).
// Condition C: (c + 8) * SK <= 2^61. Then 2 * g(c + 7) * SK < 2 * 2^61 * 2^-64 * 1.0001 < 1/4, so
//   sum:     |s/U - K| < 1/8 < 1/2: it prints K, and s has the sign of K when K != 0;
//   average: t = K/c lies at distance |2r - c| / (2c) from the nearest half-integer, r = |K| mod c;
//            when that is not 0 (no exact tie) it is >= 1/(2c) > g(c+7) SK / c >= |a/U - t|, so a/U
//            and t round to the same integer, round-half-even(t) = q + (2r > c) with q = |K| div c,
//            and a has the sign of K.
// Declined (exact path): condition C fails, an exact tie 2r == c, or K == 0 with SK != 0 (then
// the LD rounding residue decides between "0.0000000" and "-0.0000000"). SK == 0 means every
// value is +-0: the sum is +0 (+0 + -0 = +0) and so is the average.
// ---------------------------------------------------------------------------------------------

constexpr uint64_t kKLimit = uint64_t{1} << 62;
constexpr uint64_t kBound = uint64_t{1} << 61;

struct FastTables {
  uint64_t scale[32];  // K of a unit mantissa, indexed by bits 30..26 of the word
  uint32_t limit[32];  // largest mantissa whose K stays below 2^62
};

constexpr FastTables MakeFastTables() {
  FastTables t{};
  for (int i = 0; i < 32; i++) {
    const bool f100 = (i & 1) != 0;
    const int m = (i >> 1) & 7;
    const bool multiply = (i >> 4) != 0;
    uint64_t scale = 1;
    bool overflow = false;
    if (multiply) {
      scale = 10000000;
      const uint64_t f = f100 ? 100 : 10;
      for (int j = 0; j < m; j++) {
        if (scale > kKLimit / f) overflow = true;
        scale *= f;
      }
    } else {
      for (int j = 0; j < 7 - m; j++) scale *= 10;
    }
    if (overflow || scale >= kKLimit) {
      t.scale[i] = 0;
      t.limit[i] = 0;  // only a zero mantissa (value exactly 0) qualifies
    } else {
      const uint64_t lim = (kKLimit - 1) / scale;
      t.scale[i] = scale;
      t.limit[i] = lim > kSnMantissa ? kSnMantissa : static_cast<uint32_t>(lim);
    }
  }
  return t;
}

constexpr FastTables kFast = MakeFastTables();

/** Running sums of the fast path over one dimension's window. */
struct FastSum {
  uint64_t k_mod = 0;  // K modulo 2^64 (see FastFinish)
  uint64_t k_abs = 0;  // SK
  uint32_t count = 0;
  uint32_t bad = 0;  // a K_i beyond the tables or SK beyond 2^61: declined
};

/**
 * One slot, without a data-dependent branch (a missing slot, 1 in 50 on W1, or the sign would otherwise
 * mispredict): a missing slot contributes K = 0 and count 0.
 */
inline void FastAdd(FastSum& s, uint32_t w) {
  const uint64_t exists = (w & kSnFlags) != 0 ? 1 : 0;
  const uint32_t idx = (w >> 26) & 31;
  const uint32_t n = w & kSnMantissa;
  s.bad |= static_cast<uint32_t>(exists) & (n > kFast.limit[idx] ? 1u : 0u);
  const uint64_t k = (static_cast<uint64_t>(n) * kFast.scale[idx]) & (0 - exists);  // K_i < 2^62 unless bad
  s.k_abs += k;
  s.bad |= s.k_abs > kBound ? 1u : 0u;  // sticky, so a later wrap of k_abs cannot clear it
  const uint64_t neg = 0 - static_cast<uint64_t>(w >> 31);
  s.k_mod += (k ^ neg) - neg;
  s.count += static_cast<uint32_t>(exists);
}

/** The end of the fast path; -1 = NaN, -2 = declined (take the exact path). */
inline int FastFinish(const FastSum& s, bool sum, char* out) {
  // Once `bad` is set the sums may have wrapped, which is harmless because they are then discarded;
  // otherwise |K| <= SK <= 2^61 and the final conversion is exact.
  if (s.count == 0) return -1;
  if (s.bad != 0) return -2;
  const int64_t k_sum = static_cast<int64_t>(s.k_mod);
  if (s.k_abs == 0) return swar::WriteUnits7(out, false, 0);
  if (k_sum == 0) return -2;
  const U128 bound = Mul64(s.k_abs, static_cast<uint64_t>(s.count) + 8);
  if (bound.hi != 0 || bound.lo > kBound) return -2;
  const bool neg = k_sum < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(k_sum) : static_cast<uint64_t>(k_sum);
  if (sum || s.count == 1) return swar::WriteUnits7(out, neg, mag);
  const uint64_t q = mag / s.count, r = mag - q * s.count;
  if (2 * r == s.count) return -2;  // exact tie: the LD rounding decides
  return swar::WriteUnits7(out, neg, 2 * r > s.count ? q + 1 : q);
}

/** The fast path over a precomputed window; -1 = NaN, -2 = declined (take the exact path). */
inline int FastValueIn(const uint32_t* slots, const WindowSlots& w, bool sum, char* out) {
  FastSum s;
  const uint32_t* p = slots + w.start;
  for (uint32_t i = 0; i < w.first; i++) FastAdd(s, p[i]);
  for (uint32_t i = 0; i < w.wrapped; i++) FastAdd(s, slots[i]);
  return FastFinish(s, sum, out);
}

// The divide-mode path (issue 7): see value_fast.h for the derivation. DivModeValueIn is its scalar form
// for any window (mixed exponents, wrapping); it hands what it cannot decide to FastValueIn.
using fast::kDivMaxCount;
using fast::kDivScale;
using fast::kReciprocal;

inline int DivModeValueIn(const uint32_t* slots, const WindowSlots& w, bool sum, char* out) {
  uint64_t k_mod = 0;
  uint32_t count = 0;
  uint32_t seen = 0;  // OR of the existing words
  auto add = [&](uint32_t x) {
    const uint32_t e = 0 - static_cast<uint32_t>((x & kSnFlags) != 0);  // all ones when the slot exists
    const uint64_t k = (static_cast<uint64_t>(x & kSnMantissa) * kDivScale[(x >> 27) & 7]) &
                       static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(e)));
    const uint64_t neg = 0 - static_cast<uint64_t>(x >> 31);
    k_mod += (k ^ neg) - neg;
    count += e & 1;
    seen |= x & e;
  };
  const uint32_t* p = slots + w.start;
  for (uint32_t i = 0; i < w.first; i++) add(p[i]);
  for (uint32_t i = 0; i < w.wrapped; i++) add(slots[i]);
  if (count == 0) return -1;
  const int64_t k_sum = static_cast<int64_t>(k_mod);
  if ((seen & kSnMultiply) != 0 || count > kDivMaxCount || k_sum == 0) return FastValueIn(slots, w, sum, out);
  const bool neg = k_sum < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(k_sum) : static_cast<uint64_t>(k_sum);
  if (sum || count == 1) return swar::WriteUnits7(out, neg, mag);
  const uint64_t q = Mul64(mag, kReciprocal.m[count]).hi;
  const uint64_t r = mag - q * count;
  if (2 * r == count) return -2;  // exact tie: the LD rounding decides
  return swar::WriteUnits7(out, neg, 2 * r > count ? q + 1 : q);
}

WindowSlots WindowOf(uint32_t entries, SlotWalk walk) {
  const uint64_t end = static_cast<uint64_t>(walk.start) + walk.count;
  const uint32_t first_end = end > entries ? entries : static_cast<uint32_t>(end);
  return WindowSlots{walk.start, first_end - walk.start, static_cast<uint32_t>(end - first_end)};
}

/** The fast path; -1 = NaN, -2 = declined (take the exact path). */
int FastValue(const uint32_t* slots, uint32_t entries, SlotWalk walk, bool sum, char* out) {
  return FastValueIn(slots, WindowOf(entries, walk), sum, out);
}

}  // namespace

ChartMeta ChartMetaFromArray(const double* meta) {
  ChartMeta m;
  m.entries = static_cast<uint32_t>(ClampToU64(meta[0], 0xffffffffu));
  m.current_entry = static_cast<uint32_t>(ClampToU64(meta[1], 0xffffffffu));
  m.counter = ClampToU64(meta[2], uint64_t{1} << 62);
  m.last_updated = ClampToI64(meta[3], -kTimeLimit, kTimeLimit);
  m.update_every = ClampToI64(meta[4], 0, kUpdateEveryLimit);
  return m;
}

bool AlignWindow(const ChartMeta& m, int64_t after, int64_t before, int64_t* a, int64_t* b) {
  if (m.entries == 0 || m.update_every <= 0 || m.update_every > kUpdateEveryLimit) return false;
  const int64_t ue = m.update_every;
  const Edges e = EdgesOf(m);
  after = ClampTime(after) - ue * 2;  // step back two intervals
  before = ClampTime(before) - ue * 2;
  after -= after % ue;  // C's truncating remainder, as the reference (time_t % int)
  before -= before % ue;
  before -= ue;  // the newest point is reported next time
  if (after > before) after = before;
  if (after < e.first_t) after = e.first_t;
  if (before > e.last_t) before = e.last_t;
  if (before < e.first_t || after > e.last_t) return false;
  *a = after;
  *b = before;
  return true;
}

bool DimValueLd(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, Ld* out) {
  if (m.entries == 0) return false;
#if RRDB_HAVE_X87_LD
  if (UseX87()) {
    long double v;
    if (!DimValueWith<X87Arith>(slots, m.entries, WalkOf(m, a, b), sum, &v)) return false;
    *out = LdFromNative(v);
    return true;
  }
#endif
  return DimValueSoftLd(slots, m, a, b, sum, out);
}

double DimValueDouble(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum) {
  if (m.entries == 0) return NAN;
  const SlotWalk walk = WalkOf(m, a, b);
  PrefetchAhead(slots, m.entries, walk);
#if RRDB_HAVE_X87_LD
  if (UseX87()) {
    long double v;
    if (!DimValueWith<X87Arith>(slots, m.entries, walk, sum, &v)) return NAN;
    return static_cast<double>(v);
  }
#endif
  Ld v;
  if (!DimValueWith<SoftArith>(slots, m.entries, walk, sum, &v)) return NAN;
  return LdToDouble(v);
}

int WriteDimValue(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out) {
  if (m.entries == 0) return -1;
  const SlotWalk walk = WalkOf(m, a, b);
  PrefetchAhead(slots, m.entries, walk);
  if ((NumericPaths() & kPathNoIntegerFastPath) == 0) {
    const int len = FastValue(slots, m.entries, walk, sum, out);
    if (len != -2) return len;
  }
  Ld v;
  if (!DimValueLd(slots, m, a, b, sum, &v)) return -1;
  return WriteLdF7(out, 64, v);
}

WindowSlots WindowSlotsOf(const ChartMeta& m, int64_t a, int64_t b) {
  if (m.entries == 0) return WindowSlots{0, 0, 0};
  return WindowOf(m.entries, WalkOf(m, a, b));
}

int WriteDimValueIn(const uint32_t* slots, const ChartMeta& m, const WindowSlots& w, int64_t a, int64_t b, bool sum,
                    bool integer_path, char* out) {
  if (m.entries == 0) return -1;
  if (integer_path) {
    int len = fast::DivModeValue(slots, w, sum, out);
    if (len == -2) len = DivModeValueIn(slots, w, sum, out);
    if (len != -2) return len;
  }
  Ld v;
  if (!DimValueLd(slots, m, a, b, sum, &v)) return -1;
  return WriteLdF7(out, 64, v);
}

bool IntegerPathEnabled() { return (NumericPaths() & kPathNoIntegerFastPath) == 0; }

int WriteDimValueFast(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out) {
  if (m.entries == 0) return -1;
  return FastValue(slots, m.entries, WalkOf(m, a, b), sum, out);
}

int WriteDimValueSoft(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out) {
  Ld v;
  if (!DimValueSoftLd(slots, m, a, b, sum, &v)) return -1;
  return WriteLdF7(out, 64, v);
}

#if RRDB_HAVE_X87_LD
int WriteDimValueX87(const uint32_t* slots, const ChartMeta& m, int64_t a, int64_t b, bool sum, char* out) {
  if (m.entries == 0) return -1;
  long double v;
  if (!DimValueWith<X87Arith>(slots, m.entries, WalkOf(m, a, b), sum, &v)) return -1;
  return WriteLdF7(out, 64, LdFromNative(v));
}
#endif

}  // namespace rrdb
