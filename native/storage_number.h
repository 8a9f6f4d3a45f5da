// 32-bit storage numbers (SPEC §2.1-2.4) with the row-1 fix (SPEC §7 row 1).
//
// PackWith / UnpackWith are written once over an arithmetic (ld.h: SoftArith everywhere, X87Arith on
// x86-64), so the soft and the hardware path run literally the same algorithm.
#pragma once
#include <cstdint>

#include "ld.h"

namespace rrdb {

constexpr uint32_t kSnExists = 0x01000000u;
constexpr uint32_t kSnExistsReset = 0x02000000u;
constexpr uint32_t kSnExists100 = 0x04000000u;
constexpr uint32_t kSnFlags = 0x07000000u;
constexpr uint32_t kSnSign = 0x80000000u;
constexpr uint32_t kSnMultiply = 0x40000000u;
constexpr uint32_t kSnMantissa = 0x00ffffffu;

/** SPEC §2.1: a slot exists iff any flag bit is set. */
inline bool SnExists(uint32_t w) { return (w & kSnFlags) != 0; }

/** SPEC §2.3, in the arithmetic A. */
template <class A>
typename A::T UnpackWith(uint32_t w) {
  if (w == 0) return A::Zero();
  typename A::T n = A::FromU32(w & kSnMantissa);
  int m = static_cast<int>((w >> 27) & 7);
  if ((w & kSnMultiply) != 0) {
    const uint32_t factor = (w & kSnExists100) != 0 ? 100 : 10;
    for (; m > 0; m--) n = A::MulU32(n, factor);
  } else {
    for (; m > 0; m--) n = A::DivU32(n, 10);  // always 10 in divide mode
  }
  if ((w & kSnSign) != 0) n = A::Neg(n);
  return n;
}

/**
 * SPEC §2.2 in the arithmetic A, plus the row-1 fix: in divide mode, when the rounded mantissa would
 * exceed 24 bits (the reference then carried into the flag bits), divide by 10 once more and
 * decrement m. *row1 is set when the fix applied (it always changes the word).
 */
template <class A>
uint32_t PackWith(typename A::T value, uint32_t flags, bool* row1) {
  using T = typename A::T;
  *row1 = false;
  uint32_t r = flags & kSnFlags;
  if (A::IsZero(value)) return r;  // either zero; NaN is not zero and continues
  const T max24 = A::FromU32(kSnMantissa);
  T n = value;
  uint32_t factor = 10;
  int m = 0;
  if (A::Less(n, A::Zero())) {
    r += kSnSign;
    n = A::Neg(n);
  }
  if (A::Greater(A::DivU32(n, 10000000), max24)) {
    factor = 100;
    r |= kSnExists100;
  }
  while (m < 7 && A::Greater(n, max24)) {
    n = A::DivU32(n, factor);
    m++;
  }
  int64_t mantissa;
  if (m != 0) {
    r += kSnMultiply + (static_cast<uint32_t>(m) << 27);
    if (A::Greater(n, max24)) return r + kSnMantissa;  // saturation
    mantissa = LrintDouble(A::ToDouble(n));  // n <= 2^24 - 1: the rounded mantissa fits
  } else {
    const T min_mul = A::FromU32(0x0019999eu);
    while (m < 7 && A::Less(n, min_mul)) {
      n = A::MulU32(n, 10);
      m++;
    }
    // STORAGE_WITH_MATH: LD -> double, then lrint (ties to even). NaN gives INT64_MIN, whose low
    // 32 bits are 0, so a NaN packs to the flags alone as on x86-64.
    mantissa = LrintDouble(A::ToDouble(n));
    if (mantissa > static_cast<int64_t>(kSnMantissa)) {  // SPEC §7 row 1 (m >= 1 here)
      n = A::DivU32(n, 10);
      m--;
      mantissa = LrintDouble(A::ToDouble(n));
      *row1 = true;
    }
    r += static_cast<uint32_t>(m) << 27;
  }
  return r + static_cast<uint32_t>(static_cast<uint64_t>(mantissa));
}

/** Exact-arithmetic selection shared by every entry point (test hook: numeric_binding.cc _setPaths). */
enum NumericPathFlags : int {
  kPathNoIntegerFastPath = 1,  // value_calc: always take the exact long double path
  kPathForceSoftLd = 2,        // never use the hardware long double, even on x86-64
};
/** Process-wide; 0 in production. */
int& NumericPaths();
/**
 * Whether the hardware long double really computes with a 64-bit mantissa in this process: the x87
 * precision-control field could have been lowered by other code (it is checked once, at load).
 */
bool X87Usable();
inline bool UseX87() {
#if RRDB_HAVE_X87_LD
  return (NumericPaths() & kPathForceSoftLd) == 0 && X87Usable();
#else
  return false;
#endif
}

/** pack(value, flags) with the row-1 fix; *row1 as in PackWith. */
uint32_t Pack(double value, uint32_t flags, bool* row1);
/** The unpacked value as an Ld (exact). */
Ld UnpackLd(uint32_t w);
/** Nearest double to the unpacked value. */
double UnpackDouble(uint32_t w);
/** "%0.7Lf" of the unpacked value; out needs kLdF7SmallLen bytes. */
int UnpackText(uint32_t w, char* out);

}  // namespace rrdb
