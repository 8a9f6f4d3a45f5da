// Portable 64x64->128 multiply and 128/64 divide for the soft long double (ld.h) and the exact
// decimal printer (decimal.h). GCC/Clang use unsigned __int128, MSVC x64 uses _umul128; every other
// target (MSVC arm64/x86) uses the schoolbook versions below. The portable versions are compiled on
// every platform and compared with the fast ones by _ldSelfTest (test/native-ld.test.ts), so the
// fallback is tested even where it is not the one in use.
//
// RRDB_PORTABLE_WIDE_INT forces the portable versions (porting check on a GCC/Clang machine).
#pragma once
#include <cstdint>
#if defined(_MSC_VER) && defined(_M_X64)
#include <intrin.h>
#endif

namespace rrdb {

struct U128 {
  uint64_t hi;
  uint64_t lo;
};

inline bool operator==(U128 a, U128 b) { return a.hi == b.hi && a.lo == b.lo; }
inline bool operator<(U128 a, U128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

inline U128 Add128(U128 a, U128 b, bool* carry) {
  U128 r;
  r.lo = a.lo + b.lo;
  const uint64_t c = r.lo < a.lo ? 1 : 0;
  r.hi = a.hi + b.hi + c;
  *carry = r.hi < a.hi || (r.hi == a.hi && c != 0);
  return r;
}

/** a - b, requires a >= b. */
inline U128 Sub128(U128 a, U128 b) {
  U128 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}

/** Number of leading zero bits of a non-zero 64-bit value. */
inline int Clz64(uint64_t x) {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(RRDB_PORTABLE_WIDE_INT)
  return __builtin_clzll(x);
#else
  int n = 0;
  if ((x >> 32) == 0) { n += 32; x <<= 32; }
  if ((x >> 48) == 0) { n += 16; x <<= 16; }
  if ((x >> 56) == 0) { n += 8; x <<= 8; }
  if ((x >> 60) == 0) { n += 4; x <<= 4; }
  if ((x >> 62) == 0) { n += 2; x <<= 2; }
  if ((x >> 63) == 0) { n += 1; }
  return n;
#endif
}

inline int Clz128(U128 x) { return x.hi != 0 ? Clz64(x.hi) : 64 + Clz64(x.lo); }

/** x << s for 0 <= s < 128. */
inline U128 Shl128(U128 x, int s) {
  if (s == 0) return x;
  if (s >= 64) return U128{x.lo << (s - 64), 0};
  return U128{(x.hi << s) | (x.lo >> (64 - s)), x.lo << s};
}

/** x >> s for any s >= 0; *sticky is set when a non-zero bit was shifted out (never cleared). */
inline U128 Shr128Sticky(U128 x, int s, bool* sticky) {
  if (s == 0) return x;
  if (s >= 128) {
    if (x.hi != 0 || x.lo != 0) *sticky = true;
    return U128{0, 0};
  }
  if (s >= 64) {
    const int t = s - 64;
    if (x.lo != 0 || (t != 0 && (x.hi << (64 - t)) != 0)) *sticky = true;
    return U128{0, t == 0 ? x.hi : x.hi >> t};
  }
  if ((x.lo << (64 - s)) != 0) *sticky = true;
  return U128{x.hi >> s, (x.lo >> s) | (x.hi << (64 - s))};
}

/** Schoolbook product on 32-bit halves. */
inline U128 Mul64Portable(uint64_t a, uint64_t b) {
  const uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  const uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  U128 r;
  r.lo = (mid << 32) | (p00 & 0xffffffffu);
  r.hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
  return r;
}

inline U128 Mul64(uint64_t a, uint64_t b) {
#if defined(RRDB_PORTABLE_WIDE_INT)
  return Mul64Portable(a, b);
#elif defined(__SIZEOF_INT128__)
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return U128{static_cast<uint64_t>(p >> 64), static_cast<uint64_t>(p)};
#elif defined(_MSC_VER) && defined(_M_X64)
  U128 r;
  r.lo = _umul128(a, b, &r.hi);
  return r;
#else
  return Mul64Portable(a, b);
#endif
}

/**
 * (hi:lo) / d, requires hi < d (so the quotient fits 64 bits). Hacker's Delight "divlu":
 * normalised long division with 32-bit digits.
 */
inline uint64_t Div128By64Portable(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
  const uint64_t b = 1ull << 32;
  const int s = Clz64(d);
  d <<= s;
  const uint64_t vn1 = d >> 32, vn0 = d & 0xffffffffu;
  const uint64_t un32 = s == 0 ? hi : (hi << s) | (lo >> (64 - s));
  const uint64_t un10 = lo << s;
  const uint64_t un1 = un10 >> 32, un0 = un10 & 0xffffffffu;
  uint64_t q1 = un32 / vn1;
  uint64_t rhat = un32 - q1 * vn1;
  while (q1 >= b || q1 * vn0 > b * rhat + un1) {
    q1 -= 1;
    rhat += vn1;
    if (rhat >= b) break;
  }
  const uint64_t un21 = un32 * b + un1 - q1 * d;
  uint64_t q0 = un21 / vn1;
  rhat = un21 - q0 * vn1;
  while (q0 >= b || q0 * vn0 > b * rhat + un0) {
    q0 -= 1;
    rhat += vn1;
    if (rhat >= b) break;
  }
  *rem = (un21 * b + un0 - q0 * d) >> s;
  return q1 * b + q0;
}

inline uint64_t Div128By64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t* rem) {
#if defined(RRDB_PORTABLE_WIDE_INT)
  return Div128By64Portable(hi, lo, d, rem);
#elif defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // One divq: hi < d guarantees no #DE. Avoids the __udivti3 call of the generic __int128 path.
  uint64_t q, r;
  __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
  *rem = r;
  return q;
#elif defined(__SIZEOF_INT128__)
  const unsigned __int128 n = (static_cast<unsigned __int128>(hi) << 64) | lo;
  const uint64_t q = static_cast<uint64_t>(n / d);
  *rem = lo - q * d;  // exact modulo 2^64 because the true remainder is < d < 2^64
  return q;
#else
  return Div128By64Portable(hi, lo, d, rem);
#endif
}

/** x / d for a full 128-bit x (two chained divisions); returns the 128-bit quotient. */
inline U128 Div128ByU64(U128 x, uint64_t d, uint64_t* rem) {
  U128 q;
  q.hi = x.hi / d;
  uint64_t r = x.hi % d;
  q.lo = Div128By64(r, x.lo, d, &r);
  *rem = r;
  return q;
}

}  // namespace rrdb
