// The integer fast path of the value calculation for divide-mode windows (SPEC §3.1, issue 7), inline so
// that the formatters' per-dimension loop (format_kernel.cc) runs it without a call. value_calc.cc holds
// the derivation it relies on (condition C) and every slower path.
#pragma once
#include <cstdint>
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define RRDB_SSE2_VALUE 1
#else
#define RRDB_SSE2_VALUE 0
#endif

#include "storage_number.h"
#include "swar_digits.h"
#include "value_calc.h"
#include "wide_int.h"

namespace rrdb {
namespace fast {

// The divide-mode path: nearly every stored value of a real chart (and all of W1) is in divide mode
// (|value| < 1677721.5: K_i = n * 10^(7-m) < 2^24 * 10^7 < 2^48). With at most kDivMaxCount slots
// condition C of the derivation in value_calc.cc ("The integer fast path") holds by itself -- (c + 8) * SK <= (c + 8) * c * 2^48 <= 2^61
// for c <= 86 -- so neither SK nor a per-slot limit is needed: the loop only sums K (|K| < 2^55) and
// ORs the existing words, and any multiply-mode word, a larger window or K == 0 hands the dimension to
// the general integer path (value_calc.cc FastValueIn). The average divides by a reciprocal: q = floor(mag * M_c / 2^64) with M_c = ceil(2^64 / c)
// is exact because mag * (M_c * c - 2^64) / (c * 2^64) < mag / 2^64 < 2^-9 < 1 / c.
constexpr uint32_t kDivMaxCount = 86;
constexpr uint64_t kDivScale[8] = {10000000, 1000000, 100000, 10000, 1000, 100, 10, 1};  // 10^(7-m)

struct Reciprocals {
  uint64_t m[kDivMaxCount + 1];
};
constexpr Reciprocals MakeReciprocals() {
  Reciprocals r{};
  for (uint32_t c = 2; c <= kDivMaxCount; c++) r.m[c] = ~uint64_t{0} / c + 1;  // ceil(2^64 / c)
  return r;
}
constexpr Reciprocals kReciprocal = MakeReciprocals();

#if RRDB_SSE2_VALUE
// The same sum four slots at a time (SSE2 is part of x86-64). Within one dimension's window the values
// nearly always share the exponent m (a window crosses a power of ten rarely), so the vector loop only
// adds the signed mantissas (int32 lanes: 16 slots of < 2^24 per lane at most) and checks that every
// existing word has the same bits 27-30 (m and the multiply flag); K = 10^(7-m) * sum. Anything else
// -- a window of fewer than 4 or more than 64 slots, one that wraps, mixed exponents, multiply mode,
// K == 0, an exact tie -- is declined (-2): the caller takes WriteDimValueIn, whose scalar paths decide.
constexpr uint32_t kSseMaxCount = 64;
constexpr uint32_t kExpBits = 0x78000000u;  // m and SN_MULTIPLY

inline int DivModeValueSse2(const uint32_t* slots, const WindowSlots& w, bool sum, char* out) {
  const uint32_t n = w.first;
  if (w.wrapped != 0 || n < 4 || n > kSseMaxCount) return -2;
  const uint32_t* p = slots + w.start;
  const __m128i flags = _mm_set1_epi32(static_cast<int>(kSnFlags));
  const __m128i mant = _mm_set1_epi32(static_cast<int>(kSnMantissa));
  const __m128i zero = _mm_setzero_si128();
  __m128i acc = zero, cnt = zero, ors = zero, zeros = zero;
  auto step = [&](__m128i v, __m128i valid) {
    const __m128i e = _mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(v, flags), zero), valid);  // -1: exists
    const __m128i sign = _mm_srai_epi32(v, 31);
    const __m128i sn = _mm_sub_epi32(_mm_xor_si128(_mm_and_si128(v, mant), sign), sign);
    acc = _mm_add_epi32(acc, _mm_and_si128(sn, e));
    cnt = _mm_sub_epi32(cnt, e);
    ors = _mm_or_si128(ors, _mm_and_si128(v, e));
    zeros = _mm_or_si128(zeros, _mm_andnot_si128(v, e));
  };
  const __m128i all = _mm_set1_epi32(-1);
  uint32_t i = 0;
  for (; i + 4 <= n; i += 4) step(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), all);
  if (i < n) {
    // The last 4 slots of the window, without the lanes counted already: no read outside the window.
    const int done = static_cast<int>(4 - (n - i));
    const __m128i lane = _mm_set_epi32(3, 2, 1, 0);
    step(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 4)), _mm_cmpgt_epi32(lane, _mm_set1_epi32(done - 1)));
  }
  auto hsum = [](__m128i v) {
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0xb1));
    return _mm_cvtsi128_si32(v);
  };
  auto hor = [](__m128i v) {
    v = _mm_or_si128(v, _mm_shuffle_epi32(v, 0x4e));
    v = _mm_or_si128(v, _mm_shuffle_epi32(v, 0xb1));
    return static_cast<uint32_t>(_mm_cvtsi128_si32(v));
  };
  const uint32_t count = static_cast<uint32_t>(hsum(cnt));
  if (count == 0) return -1;
  const uint32_t set = hor(ors);
  const int32_t n_sum = hsum(acc);
  if ((set & hor(zeros) & kExpBits) != 0 || (set & kSnMultiply) != 0 || n_sum == 0) return -2;
  const bool neg = n_sum < 0;
  const uint64_t mag = static_cast<uint64_t>(neg ? -static_cast<int64_t>(n_sum) : n_sum) * kDivScale[(set >> 27) & 7];
  if (sum || count == 1) return swar::WriteUnits7(out, neg, mag);
  const uint64_t q = Mul64(mag, kReciprocal.m[count]).hi;
  const uint64_t r = mag - q * count;
  if (2 * r == count) return -2;  // exact tie: the LD rounding decides
  return swar::WriteUnits7(out, neg, 2 * r > count ? q + 1 : q);
}
#endif

/**
 * "%0.7Lf" of one dimension's value over the window when the divide-mode fast path can decide it: the
 * length, -1 (NaN: no existing slot) or -2 (declined: call WriteDimValueIn). out needs 64 bytes.
 */
inline int DivModeValue(const uint32_t* slots, const WindowSlots& w, bool sum, char* out) {
#if RRDB_SSE2_VALUE
  return DivModeValueSse2(slots, w, sum, out);
#else
  (void)slots;
  (void)w;
  (void)sum;
  (void)out;
  return -2;
#endif
}

}  // namespace fast
}  // namespace rrdb
