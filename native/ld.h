// Soft x87 80-bit extended precision ("LD", SPEC §2.5, §7 row 24).
//
// The reference computes storage-number scaling, unpacking, sums and averages in the x87 extended
// format: a 64-bit mantissa with an explicit integer bit, round to nearest even after every
// operation, a 15-bit exponent. aarch64 Linux (binary128) and Apple arm64 / MSVC (binary64) have a
// different `long double`, so the addon carries its own implementation, Ld, and uses it everywhere
// the hardware type is not the x87 format. Where it is (x86-64 with LDBL_MANT_DIG == 64) the
// hardware type is the same arithmetic and serves as a fast path (X87Arith); _ldSelfTest compares
// the two operation by operation.
//
// Only the operations the reference uses are provided: conversion from double / integers, add,
// negate, multiply by a small integer (10, 100), divide by a 32-bit integer (10, 1e7, a count),
// comparisons, conversion to double (nearest even) and lrint. The full x87 exponent range is honoured
// (overflow to infinity, gradual underflow to denormals at 2^-16445), although the reference's
// values never come near it.
#pragma once
#include <cfloat>
#include <cstdint>

#include "wide_int.h"

// RRDB_NO_X87_LD builds the soft-only configuration of arm64 / MSVC on an x86-64 machine (porting check).
#if !defined(RRDB_NO_X87_LD) && (defined(__x86_64__) || defined(_M_X64)) && defined(LDBL_MANT_DIG) && \
    LDBL_MANT_DIG == 64
#define RRDB_HAVE_X87_LD 1
#else
#define RRDB_HAVE_X87_LD 0
#endif

namespace rrdb {

struct Ld {
  enum Kind : uint8_t { kFinite = 0, kInf = 1, kNaN = 2 };
  /** Finite: 0 for a signed zero, otherwise bit 63 is set (normalised; denormals are normalised too). */
  uint64_t mant;
  /** Finite non-zero: value = mant * 2^exp. */
  int32_t exp;
  bool neg;
  Kind kind;

  static Ld Zero(bool neg) { return Ld{0, 0, neg, kFinite}; }
  static Ld Inf(bool neg) { return Ld{0, 0, neg, kInf}; }
  /** The x87 "real indefinite" QNaN (sign set) that invalid operations produce. */
  static Ld NaN() { return Ld{0, 0, true, kNaN}; }
  static Ld FromDouble(double d);
  /** Exact for every 64-bit value. */
  static Ld FromU64(uint64_t v) {
    if (v == 0) return Zero(false);
    const int s = Clz64(v);
    return Ld{v << s, -s, false, kFinite};
  }

  bool IsNaN() const { return kind == kNaN; }
  bool IsInf() const { return kind == kInf; }
  bool IsZero() const { return kind == kFinite && mant == 0; }
};

/** Lowest exponent (value of the last mantissa bit) of an x87 value: denormals are multiples of 2^-16445. */
constexpr int32_t kLdMinExp = -16445;
/** Highest exponent of a finite x87 value (the top mantissa bit is then 2^16383). */
constexpr int32_t kLdMaxExp = 16383 - 63;

/** Rounds (sig + s) * 2^exp, 0 <= s < 1 and s > 0 iff sticky, to the x87 format. */
Ld LdRoundPack(bool neg, U128 sig, int32_t exp, bool sticky);

Ld LdAdd(Ld a, Ld b);
inline Ld LdNeg(Ld a) {
  a.neg = !a.neg;
  return a;
}
/** a * k, k >= 1. */
Ld LdMulU32(Ld a, uint32_t k);
/** a / d, d >= 1. */
Ld LdDivU32(Ld a, uint32_t d);
/** IEEE comparison: -1, 0, 1, or 2 when unordered (a NaN). -0 == +0. */
int LdCompare(Ld a, Ld b);
/** Nearest double, ties to even (the x87 FST to a double in the default rounding mode). */
double LdToDouble(Ld a);
/** Same value and sign (NaNs compare equal to each other); used by the self tests. */
bool LdSameBits(Ld a, Ld b);

/**
 * lrint of a double in the default rounding mode (ties to even), as glibc on x86-64: NaN and values
 * outside the int64 range give INT64_MIN (the "integer indefinite" of cvtsd2si).
 */
int64_t LrintDouble(double x);

#if RRDB_HAVE_X87_LD
/** Reads the 80-bit representation of a hardware long double. */
Ld LdFromNative(long double x);
long double LdToNative(Ld a);
#endif

/**
 * The arithmetic of the reference, as used by the templates in storage_number.h and value_calc.cc.
 * SoftArith works everywhere; X87Arith (x86-64 only) is the hardware type doing the same operations.
 */
struct SoftArith {
  using T = Ld;
  static T Zero() { return Ld::Zero(false); }
  static T FromU32(uint32_t v) { return Ld::FromU64(v); }
  static T FromDouble(double d) { return Ld::FromDouble(d); }
  static T Add(T a, T b) { return LdAdd(a, b); }
  static T Neg(T a) { return LdNeg(a); }
  static T MulU32(T a, uint32_t k) { return LdMulU32(a, k); }
  static T DivU32(T a, uint32_t d) { return LdDivU32(a, d); }
  static bool IsZero(T a) { return a.IsZero(); }
  static bool Less(T a, T b) { return LdCompare(a, b) == -1; }
  static bool Greater(T a, T b) { return LdCompare(a, b) == 1; }
  static double ToDouble(T a) { return LdToDouble(a); }
  static Ld ToLd(T a) { return a; }
};

#if RRDB_HAVE_X87_LD
struct X87Arith {
  using T = long double;
  static T Zero() { return 0.0L; }
  static T FromU32(uint32_t v) { return static_cast<long double>(v); }
  static T FromDouble(double d) { return static_cast<long double>(d); }
  static T Add(T a, T b) { return a + b; }
  static T Neg(T a) { return -a; }
  static T MulU32(T a, uint32_t k) { return a * static_cast<long double>(k); }
  static T DivU32(T a, uint32_t d) { return a / static_cast<long double>(d); }
  static bool IsZero(T a) { return a == 0.0L; }
  static bool Less(T a, T b) { return a < b; }
  static bool Greater(T a, T b) { return a > b; }
  static double ToDouble(T a) { return static_cast<double>(a); }
  static Ld ToLd(T a) { return LdFromNative(a); }
};
#endif

}  // namespace rrdb
