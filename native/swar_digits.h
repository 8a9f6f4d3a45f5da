// Decimal digits eight at a time in one 64-bit register ("SIMD within a register"), for the formatters'
// hot loop (issue 7): a value line needs an integer part and seven decimals, a timestamp ten digits, and
// the byte-at-a-time printers of decimal.h cost about a division per two digits. Output is
// byte-identical to decimal.h's WriteUint64 / WriteInt64 / WriteUnitsF7 (SPEC §2.5 "%llu", "%lld",
// "%0.7Lf" of an integer number of 1e-7 units); test/format-*.test.ts compare every formatter byte for
// byte with the fallback and the golden vectors.
//
// Every writer may store up to 8 bytes past the returned length (the caller provides that slack).
#pragma once
#include <cstdint>
#include <cstring>
#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define RRDB_SSE2_DIGITS 1
#else
#define RRDB_SSE2_DIGITS 0
#endif

#include "decimal.h"
#include "wide_int.h"

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define RRDB_SWAR_DIGITS 0
#else
#define RRDB_SWAR_DIGITS 1  // the lane layout below is little-endian
#endif

namespace rrdb {
namespace swar {

constexpr uint64_t kE8 = 100000000;

/**
 * The eight decimal digits of x < 10^8 (leading zeros included) as byte values 0..9, most significant
 * digit in the lowest byte (so that storing the word little-endian writes them in reading order).
 */
inline uint64_t Digits8(uint32_t x) {
  // Two lanes of 32 bits: x / 10^4 and x % 10^4.
  const uint64_t hi4 = x / 10000;
  uint64_t v = hi4 | (static_cast<uint64_t>(x - static_cast<uint32_t>(hi4) * 10000) << 32);
  // Each lane (< 10^4) into two 16-bit lanes: lane / 100 and lane % 100 (10486 / 2^20 is 1/100 to
  // within 2.3e-7, exact for every lane < 43,690; no product crosses into the next lane).
  uint64_t q = ((v * 10486) >> 20) & 0x0000007F0000007Full;
  v = q | ((v - q * 100) << 16);
  // Each 16-bit lane (< 100) into two bytes: lane / 10 and lane % 10 (103 / 2^10, exact below 179).
  q = ((v * 103) >> 10) & 0x000F000F000F000Full;
  return q | ((v - q * 10) << 8);
}

/** Number of trailing zero bits of a non-zero word. */
inline int Ctz64(uint64_t x) {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(RRDB_PORTABLE_WIDE_INT)
  return __builtin_ctzll(x);
#else
  return 63 - Clz64(x & (0 - x));
#endif
}

inline void Store8(char* p, uint64_t v) { std::memcpy(p, &v, 8); }

constexpr uint64_t kAsciiZeros = 0x3030303030303030ull;

/** x < 10^8 without leading zeros ("0" for 0). Writes 8 bytes; returns the length. */
inline int WriteShort(char* p, uint32_t x) {
  const uint64_t d = Digits8(x);
  // Leading zero digits are the low zero bytes; byte 7 (the last digit) always counts.
  const int lead = Ctz64(d | (uint64_t{1} << 56)) >> 3;
  Store8(p, (d + kAsciiZeros) >> (8 * lead));
  return 8 - lead;
}

/** "%llu" for v < 10^16; 16 bytes of slack. */
inline int WriteU64Small(char* p, uint64_t v) {
  if (v < kE8) return WriteShort(p, static_cast<uint32_t>(v));
  const uint64_t hi = v / kE8;
  const int n = WriteShort(p, static_cast<uint32_t>(hi));
  Store8(p + n, Digits8(static_cast<uint32_t>(v - hi * kE8)) + kAsciiZeros);
  return n + 8;
}

/** "%llu" (decimal.h WriteUint64); needs 24 bytes at p. */
inline int WriteU64(char* p, uint64_t v) {
#if RRDB_SWAR_DIGITS
  if (v < kE8 * kE8) return WriteU64Small(p, v);
#endif
  return WriteUint64(p, v);
}

/** "%lld" (decimal.h WriteInt64); needs 24 bytes at p. */
inline int WriteI64(char* p, int64_t v) {
  if (v >= 0) return WriteU64(p, static_cast<uint64_t>(v));
  *p = '-';
  return 1 + WriteU64(p + 1, 0 - static_cast<uint64_t>(v));  // the magnitude, also of INT64_MIN
}

#if RRDB_SSE2_DIGITS
/**
 * The eight decimal digits of x < 10^8 as eight 16-bit lanes, most significant first (W. Mula's SSE2
 * conversion): x = abcd * 10^4 + efgh, then each half divided by 10^3, 10^2, 10^1, 10^0 at once with
 * multiply-high by reciprocals, and the tens subtracted.
 */
inline __m128i Digits8Sse2(uint32_t x) {
  const __m128i v = _mm_cvtsi32_si128(static_cast<int>(x));
  const __m128i abcd = _mm_srli_epi64(_mm_mul_epu32(v, _mm_set1_epi32(static_cast<int>(0xd1b71759u))), 45);  // x / 10^4
  const __m128i efgh = _mm_sub_epi32(v, _mm_mul_epu32(abcd, _mm_set1_epi32(10000)));
  const __m128i v1 = _mm_slli_epi64(_mm_unpacklo_epi16(abcd, efgh), 2);
  const __m128i v2a = _mm_unpacklo_epi16(v1, v1);
  const __m128i v2 = _mm_unpacklo_epi32(v2a, v2a);  // abcd * 4 four times, efgh * 4 four times
  const __m128i v3 = _mm_mulhi_epu16(v2, _mm_setr_epi16(8389, 5243, 13108, static_cast<int16_t>(32768), 8389, 5243, 13108, static_cast<int16_t>(32768)));
  const __m128i v4 = _mm_mulhi_epu16(v3, _mm_setr_epi16(1 << 7, 1 << 11, 1 << 13, static_cast<int16_t>(1 << 15), 1 << 7, 1 << 11, 1 << 13, static_cast<int16_t>(1 << 15)));
  // v4 = a, ab, abc, abcd, e, ef, efg, efgh; minus 10 times the lane before (within each half).
  return _mm_sub_epi16(v4, _mm_slli_epi64(_mm_mullo_epi16(v4, _mm_set1_epi16(10)), 16));
}
#endif

/**
 * decimal.h WriteUnitsF7: `units` of 1e-7 as "%0.7Lf" prints them (optional '-', integer part, '.',
 * seven decimals). Needs 40 bytes at p.
 */
inline int WriteUnits7(char* p, bool neg, uint64_t units) {
#if RRDB_SWAR_DIGITS && RRDB_SSE2_DIGITS
  if (units < 1000000000000000ull) {  // integer part below 10^8: both halves in one register
    char* q = p;
    *q = '-';
    q += neg ? 1 : 0;
    const uint64_t ip = units / 10000000;
    const uint32_t frac = static_cast<uint32_t>(units - ip * 10000000);
    const __m128i d = _mm_packus_epi16(Digits8Sse2(static_cast<uint32_t>(ip)), Digits8Sse2(frac));
    // Leading zero digits of the integer part (7 at most: "0" stays).
    const uint32_t zero = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())));
    const int lead = Ctz64((~zero & 0xffu) | 0x80u);
    const __m128i a = _mm_add_epi8(d, _mm_set1_epi8('0'));
    uint64_t lo, hi;
    std::memcpy(&lo, &a, 8);  // the compiler keeps these in registers (movq / punpckhqdq + movq)
    const __m128i h = _mm_unpackhi_epi64(a, a);
    std::memcpy(&hi, &h, 8);
    Store8(q, lo >> (8 * lead));
    q += 8 - lead;
    // frac < 10^7: its eight digits start with a 0, which becomes the '.'.
    Store8(q, (hi & ~uint64_t{0xff}) | '.');
    return static_cast<int>(q + 8 - p);
  }
#endif
#if RRDB_SWAR_DIGITS
  if (units < kE8 * kE8) {  // integer part below 10^9
    char* q = p;
    *q = '-';
    q += neg ? 1 : 0;
    const uint64_t ip = units / 10000000;
    const uint32_t frac = static_cast<uint32_t>(units - ip * 10000000);
    q += WriteU64Small(q, ip);
    // frac < 10^7: its eight digits start with a 0, which becomes the '.'.
    Store8(q, ((Digits8(frac) + kAsciiZeros) & ~uint64_t{0xff}) | '.');
    return static_cast<int>(q + 8 - p);
  }
#endif
  return WriteUnitsF7(p, neg, units);
}

}  // namespace swar
}  // namespace rrdb
