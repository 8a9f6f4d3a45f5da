// Number printing without printf, byte-identical to glibc in the "C" locale (SPEC §2.5):
// "%lld", "%llu" and the exact "%0.7Lf" of an x87 long double. None of them NUL-terminates.
#pragma once
#include <cstddef>
#include <cstdint>

#include "ld.h"
#include "wide_int.h"

namespace rrdb {

/** "%lld"; out needs 20 bytes. Returns the length. */
int WriteInt64(char* out, int64_t v);
/** "%llu"; out needs 20 bytes. Returns the length. */
int WriteUint64(char* out, uint64_t v);
/** Decimal digits of a 128-bit integer; out needs 39 bytes. Returns the length. */
int WriteU128(char* out, U128 v);

/**
 * A value given as an integer number of units of 1e-7 printed as "%0.7Lf" would print it:
 * optional '-', the integer part, '.', exactly 7 decimals. out needs 29 bytes.
 */
int WriteUnitsF7(char* out, bool neg, uint64_t units);

/** Longest "%0.7Lf" of a finite x87 value: '-', 4933 integer digits, '.', 7 decimals. */
constexpr size_t kLdF7MaxLen = 1 + 4933 + 1 + 7;
/** Enough for every |v| < 2^128 (39 integer digits), which covers all values of SPEC §3.1. */
constexpr size_t kLdF7SmallLen = 1 + 39 + 1 + 7;

/**
 * glibc "%0.7Lf": the exact binary value rounded to 7 decimals, ties to even; '-' for every
 * negative value including -0 and tiny negatives; never an exponent; "nan"/"inf" with their sign.
 * Writes at most `cap` bytes; returns the length, or -1 when cap is too small (nothing useful written).
 */
int WriteLdF7(char* out, size_t cap, const Ld& v);

}  // namespace rrdb
