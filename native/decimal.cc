// Number printing: see decimal.h.
#include "decimal.h"

#include <cstring>
#include <vector>

namespace rrdb {

namespace {

constexpr uint64_t kUnitsPerOne = 10000000;  // 10^7: "%0.7Lf" has 7 decimals
constexpr uint64_t kPow10_19 = 10000000000000000000ull;

const char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/** Exactly `width` digits of v (v < 10^width), zero padded. */
void WritePadded(char* out, uint64_t v, int width) {
  char* p = out + width;
  while (p - out >= 2) {
    const unsigned r = static_cast<unsigned>(v % 100);
    v /= 100;
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * r, 2);
  }
  if (p != out) *--p = static_cast<char>('0' + v % 10);
}

int WriteSeven(char* out, uint32_t frac) {
  WritePadded(out, frac, 7);
  return 7;
}

/** Integer part and 7 decimals of a 128-bit count of 1e-7 units. */
int WriteUnitsU128(char* out, bool neg, U128 units) {
  if (units.hi == 0) return WriteUnitsF7(out, neg, units.lo);
  char* p = out;
  if (neg) *p++ = '-';
  uint64_t frac;
  const U128 ip = Div128ByU64(units, kUnitsPerOne, &frac);
  p += WriteU128(p, ip);
  *p++ = '.';
  p += WriteSeven(p, static_cast<uint32_t>(frac));
  return static_cast<int>(p - out);
}

/** Exact decimal digits of mant * 2^exp for exp > 64 (values >= 2^128), by base-10^9 long division. */
int WriteHugeInteger(char* out, uint64_t mant, int32_t exp) {
  const size_t word = static_cast<size_t>(exp) / 32, bit = static_cast<size_t>(exp) % 32;
  std::vector<uint32_t> limbs(word + 4, 0);
  const U128 v = Shl128(U128{0, mant}, static_cast<int>(bit));  // < 2^96
  limbs[word] = static_cast<uint32_t>(v.lo);
  limbs[word + 1] = static_cast<uint32_t>(v.lo >> 32);
  limbs[word + 2] = static_cast<uint32_t>(v.hi);
  size_t top = limbs.size();
  std::vector<uint32_t> chunks;  // base 10^9, least significant first
  for (;;) {
    while (top > 0 && limbs[top - 1] == 0) top--;
    if (top == 0) break;
    uint64_t rem = 0;
    for (size_t i = top; i-- > 0;) {
      const uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<uint32_t>(cur / 1000000000u);
      rem = cur % 1000000000u;
    }
    chunks.push_back(static_cast<uint32_t>(rem));
  }
  char* p = out;
  p += WriteUint64(p, chunks.back());
  for (size_t i = chunks.size() - 1; i-- > 0;) {
    WritePadded(p, chunks[i], 9);
    p += 9;
  }
  return static_cast<int>(p - out);
}

}  // namespace

/** Number of decimal digits of v (1 for 0). */
static int DigitCount(uint64_t v) {
  if (v < 10) return 1;
  static const uint64_t kPow10[] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                    100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
                                    1000000000000ull, 10000000000000ull, 100000000000000ull,
                                    1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                                    1000000000000000000ull, 10000000000000000000ull};
  // floor(log2(v)) * 1233 / 4096 approximates log10 from below by at most one.
  const int bits = 64 - Clz64(v | 1);
  const int guess = (bits * 1233) >> 12;
  return guess + (v >= kPow10[guess] ? 1 : 0);
}

int WriteUint64(char* out, uint64_t v) {
  // Digits are written backwards straight into out: no temporary, no variable-length copy.
  const int len = DigitCount(v);
  char* p = out + len;
  while (v >= 100) {
    const unsigned r = static_cast<unsigned>(v % 100);
    v /= 100;
    p -= 2;
    p[0] = kDigitPairs[2 * r];
    p[1] = kDigitPairs[2 * r + 1];
  }
  if (v >= 10) {
    p[-2] = kDigitPairs[2 * v];
    p[-1] = kDigitPairs[2 * v + 1];
  } else {
    p[-1] = static_cast<char>('0' + v);
  }
  return len;
}

int WriteInt64(char* out, int64_t v) {
  if (v >= 0) return WriteUint64(out, static_cast<uint64_t>(v));
  out[0] = '-';
  // 0 - (uint64)v is the magnitude, also for INT64_MIN.
  return 1 + WriteUint64(out + 1, 0 - static_cast<uint64_t>(v));
}

int WriteU128(char* out, U128 v) {
  if (v.hi == 0) return WriteUint64(out, v.lo);
  uint64_t low19, mid19;
  const U128 q = Div128ByU64(v, kPow10_19, &low19);  // q < 2^128 / 10^19 < 4 * 10^19
  char* p = out;
  if (q.hi == 0 && q.lo < kPow10_19) {
    p += WriteUint64(p, q.lo);
  } else {
    const U128 top = Div128ByU64(q, kPow10_19, &mid19);  // top < 4
    p += WriteUint64(p, top.lo);
    WritePadded(p, mid19, 19);
    p += 19;
  }
  WritePadded(p, low19, 19);
  return static_cast<int>(p + 19 - out);
}

int WriteUnitsF7(char* out, bool neg, uint64_t units) {
  char* p = out;
  if (neg) *p++ = '-';
  p += WriteUint64(p, units / kUnitsPerOne);
  *p++ = '.';
  p += WriteSeven(p, static_cast<uint32_t>(units % kUnitsPerOne));
  return static_cast<int>(p - out);
}

int WriteLdF7(char* out, size_t cap, const Ld& v) {
  char small[kLdF7SmallLen];
  int len;
  if (v.IsNaN() || v.IsInf()) {
    const char* text = v.IsNaN() ? (v.neg ? "-nan" : "nan") : (v.neg ? "-inf" : "inf");
    len = static_cast<int>(std::strlen(text));
    std::memcpy(small, text, static_cast<size_t>(len));
  } else if (v.mant == 0) {
    len = WriteUnitsF7(small, v.neg, 0);
  } else if (v.exp >= 0) {
    if (v.exp > 64) {
      std::vector<char> big(kLdF7MaxLen);
      char* p = big.data();
      if (v.neg) *p++ = '-';
      p += WriteHugeInteger(p, v.mant, v.exp);
      std::memcpy(p, ".0000000", 8);
      p += 8;
      const size_t n = static_cast<size_t>(p - big.data());
      if (n > cap) return -1;
      std::memcpy(out, big.data(), n);
      return static_cast<int>(n);
    }
    // An integer below 2^128.
    char* p = small;
    if (v.neg) *p++ = '-';
    p += WriteU128(p, Shl128(U128{0, v.mant}, v.exp));
    std::memcpy(p, ".0000000", 8);
    len = static_cast<int>(p + 8 - small);
  } else {
    // value * 10^7 = mant * 10^7 / 2^k: the exact quotient rounded half to even (glibc rounds the
    // exact binary value in the current rounding mode, i.e. to nearest with ties to even).
    const int64_t k = -static_cast<int64_t>(v.exp);
    const U128 n = Mul64(v.mant, kUnitsPerOne);  // < 2^88
    U128 q{0, 0};
    if (k <= 88) {  // otherwise n < 2^88 <= 2^(k-1), below half a unit: rounds to 0
      bool sticky = false;
      const U128 t = Shr128Sticky(n, static_cast<int>(k - 1), &sticky);
      const bool round_bit = (t.lo & 1) != 0;
      q = U128{t.hi >> 1, (t.lo >> 1) | (t.hi << 63)};
      if (round_bit && (sticky || (q.lo & 1) != 0)) {
        bool carry;
        q = Add128(q, U128{0, 1}, &carry);
      }
    }
    len = WriteUnitsU128(small, v.neg, q);
  }
  if (static_cast<size_t>(len) > cap) return -1;
  std::memcpy(out, small, static_cast<size_t>(len));
  return len;
}

}  // namespace rrdb
