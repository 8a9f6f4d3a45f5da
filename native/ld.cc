// Soft x87 extended precision: see ld.h.
#include "ld.h"

#include <cmath>
#include <cstring>

namespace rrdb {

namespace {

uint64_t DoubleBits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

double BitsDouble(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

/** |a| compared with |b| for finite non-zero values. */
int CompareMagnitude(const Ld& a, const Ld& b) {
  if (a.exp != b.exp) return a.exp < b.exp ? -1 : 1;
  if (a.mant != b.mant) return a.mant < b.mant ? -1 : 1;
  return 0;
}

}  // namespace

Ld Ld::FromDouble(double d) {
  const uint64_t b = DoubleBits(d);
  const bool neg = (b >> 63) != 0;
  const int be = static_cast<int>((b >> 52) & 0x7ff);
  const uint64_t frac = b & ((1ull << 52) - 1);
  if (be == 0x7ff) return frac != 0 ? Ld{0, 0, neg, kNaN} : Inf(neg);
  if (be == 0) {
    if (frac == 0) return Zero(neg);
    const int s = Clz64(frac);
    return Ld{frac << s, -1074 - s, neg, kFinite};  // double denormal: frac * 2^-1074
  }
  return Ld{((1ull << 52) | frac) << 11, be - 1075 - 11, neg, kFinite};
}

Ld LdRoundPack(bool neg, U128 sig, int32_t exp, bool sticky) {
  if (sig.hi == 0 && sig.lo == 0) return Ld::Zero(neg);
  // Normalise so the top bit is bit 127. Callers that pass sticky give at least 66 significant
  // bits, so the unknown remainder stays below the round bit (bit 63) after the shift.
  const int lz = Clz128(sig);
  sig = Shl128(sig, lz);
  exp -= lz;
  int32_t e = exp + 64;  // exponent of the mantissa = sig.hi
  if (e < kLdMinExp) {
    // Gradual underflow: the x87 rounds denormals at the fixed position 2^-16445.
    const int64_t shift = static_cast<int64_t>(kLdMinExp) - e;
    sig = Shr128Sticky(sig, shift > 200 ? 200 : static_cast<int>(shift), &sticky);
    e = kLdMinExp;
  }
  uint64_t mant = sig.hi;
  const bool half = (sig.lo >> 63) != 0;
  const bool rest = (sig.lo << 1) != 0 || sticky;
  if (half && (rest || (mant & 1) != 0)) {
    mant += 1;
    if (mant == 0) {
      mant = 1ull << 63;
      e += 1;
    }
  }
  if (mant == 0) return Ld::Zero(neg);
  const int s = Clz64(mant);  // non-zero only for denormal results
  mant <<= s;
  e -= s;
  if (e > kLdMaxExp) return Ld::Inf(neg);
  return Ld{mant, e, neg, Ld::kFinite};
}

Ld LdAdd(Ld a, Ld b) {
  if (a.kind != Ld::kFinite || b.kind != Ld::kFinite) {
    if (a.IsNaN()) return a;
    if (b.IsNaN()) return b;
    if (a.IsInf() && b.IsInf()) return a.neg == b.neg ? a : Ld::NaN();
    return a.IsInf() ? a : b;
  }
  if (a.mant == 0) {
    if (b.mant == 0) return Ld::Zero(a.neg && b.neg);  // round to nearest: -0 only for -0 + -0
    return b;
  }
  if (b.mant == 0) return a;
  // x = the operand of larger magnitude.
  const Ld& x = CompareMagnitude(a, b) >= 0 ? a : b;
  const Ld& y = &x == &a ? b : a;
  const int32_t d = x.exp - y.exp;  // >= 0
  // 128-bit working precision: x occupies the top 64 bits; y is aligned below it, bits beyond
  // 128 fold into a sticky bit. 64 guard bits are far more than the 2 that correct rounding needs.
  const U128 sx{x.mant, 0};
  bool sticky = false;
  const U128 sy = Shr128Sticky(U128{y.mant, 0}, d, &sticky);
  const int32_t e = x.exp - 64;
  if (x.neg == y.neg) {
    bool carry = false;
    U128 s = Add128(sx, sy, &carry);
    if (!carry) return LdRoundPack(x.neg, s, e, sticky);
    // 129-bit sum: shift right once, keeping the dropped bit as sticky.
    if ((s.lo & 1) != 0) sticky = true;
    s = U128{(s.hi >> 1) | (1ull << 63), (s.lo >> 1) | (s.hi << 63)};
    return LdRoundPack(x.neg, s, e + 1, sticky);
  }
  U128 diff = Sub128(sx, sy);
  if (sticky) {
    // The true subtrahend is sy + s with 0 < s < 1: write x - y as (diff - 1) + (1 - s).
    diff = Sub128(diff, U128{0, 1});
  }
  if (diff.hi == 0 && diff.lo == 0 && !sticky) return Ld::Zero(false);  // exact cancellation: +0
  return LdRoundPack(x.neg, diff, e, sticky);
}

Ld LdMulU32(Ld a, uint32_t k) {
  if (a.IsNaN()) return a;
  if (k == 0) return a.IsInf() ? Ld::NaN() : Ld::Zero(a.neg);
  if (a.IsInf() || a.mant == 0) return a;
  const U128 p = Mul64(a.mant, k);
  return LdRoundPack(a.neg, p, a.exp, false);
}

Ld LdDivU32(Ld a, uint32_t d) {
  if (a.IsNaN()) return a;
  if (d == 0) return (a.IsInf() || a.mant != 0) ? Ld::Inf(a.neg) : Ld::NaN();
  if (a.IsInf() || a.mant == 0) return a;
  // mant * 2^64 / d has at least 95 significant bits (mant >= 2^63, d < 2^32): exact quotient
  // bits plus a sticky remainder.
  U128 q;
  uint64_t r;
  if (d == 10) {
    // The common divisor, without a hardware 128/64 division: 2^64 = 10 * Q10 + 6.
    constexpr uint64_t kQ10 = 0x1999999999999999ull;
    q.hi = a.mant / 10;
    const uint64_t r0 = a.mant % 10;
    q.lo = r0 * kQ10 + (r0 * 6) / 10;
    r = (r0 * 6) % 10;
  } else {
    q.hi = a.mant / d;
    q.lo = Div128By64(a.mant % d, 0, d, &r);
  }
  return LdRoundPack(a.neg, q, a.exp - 64, r != 0);
}

int LdCompare(Ld a, Ld b) {
  if (a.IsNaN() || b.IsNaN()) return 2;
  const bool az = a.IsZero(), bz = b.IsZero();
  if (az && bz) return 0;
  // Signs of non-zero values (a zero counts as neither).
  if (az) return b.neg ? 1 : -1;
  if (bz) return a.neg ? -1 : 1;
  if (a.neg != b.neg) return a.neg ? -1 : 1;
  int mag;
  if (a.IsInf() || b.IsInf()) {
    mag = (a.IsInf() && b.IsInf()) ? 0 : (a.IsInf() ? 1 : -1);
  } else {
    mag = CompareMagnitude(a, b);
  }
  return a.neg ? -mag : mag;
}

double LdToDouble(Ld a) {
  if (a.IsNaN()) return BitsDouble((a.neg ? 1ull << 63 : 0) | 0x7ff8000000000000ull);
  if (a.IsInf()) return a.neg ? -HUGE_VAL : HUGE_VAL;
  if (a.mant == 0) return a.neg ? -0.0 : 0.0;
  const uint64_t sign = a.neg ? 1ull << 63 : 0;
  const int32_t top = a.exp + 63;  // exponent of the leading bit
  uint64_t q;
  int shift;      // mantissa bits dropped
  int32_t be;     // biased exponent of the result before rounding carry
  if (top >= -1022) {
    shift = 11;
    be = top + 1023;
  } else {
    // Double denormal: the last bit is 2^-1074.
    const int64_t s = static_cast<int64_t>(-1074) - a.exp;
    if (s > 65) return BitsDouble(sign);  // below a quarter of the smallest denormal: rounds to 0
    shift = static_cast<int>(s);
    be = 0;
  }
  bool half, rest;
  if (shift == 64) {
    q = 0;
    half = (a.mant >> 63) != 0;
    rest = (a.mant << 1) != 0;
  } else if (shift == 65) {
    q = 0;
    half = false;
    rest = true;
  } else {
    q = a.mant >> shift;
    half = ((a.mant >> (shift - 1)) & 1) != 0;
    rest = (a.mant & ((1ull << (shift - 1)) - 1)) != 0;
  }
  if (half && (rest || (q & 1) != 0)) q += 1;
  uint64_t bits;
  if (be == 0) {
    bits = q;  // q == 2^52 encodes the smallest normal number, as it should
  } else {
    if (q == (1ull << 53)) {
      q >>= 1;
      be += 1;
    }
    if (be >= 0x7ff) return a.neg ? -HUGE_VAL : HUGE_VAL;
    bits = (static_cast<uint64_t>(be) << 52) | (q & ((1ull << 52) - 1));
  }
  return BitsDouble(sign | bits);
}

bool LdSameBits(Ld a, Ld b) {
  if (a.kind != b.kind) return false;
  if (a.kind == Ld::kNaN) return true;
  if (a.neg != b.neg) return false;
  if (a.kind == Ld::kInf) return true;
  if (a.mant != b.mant) return false;
  return a.mant == 0 || a.exp == b.exp;
}

int64_t LrintDouble(double x) {
  if (!(x > -9223372036854775808.0 && x < 9223372036854775808.0)) return INT64_MIN;
  const double t = std::trunc(x);
  const double f = x - t;  // exact
  int64_t i = static_cast<int64_t>(t);
  if (f > 0.5 || (f == 0.5 && (i & 1) != 0)) {
    i += 1;
  } else if (f < -0.5 || (f == -0.5 && (i & 1) != 0)) {
    i -= 1;
  }
  return i;
}

#if RRDB_HAVE_X87_LD
Ld LdFromNative(long double x) {
  unsigned char bytes[sizeof(long double)];
  std::memcpy(bytes, &x, sizeof x);
  uint64_t mant;
  uint16_t se;
  std::memcpy(&mant, bytes, 8);
  std::memcpy(&se, bytes + 8, 2);
  const bool neg = (se >> 15) != 0;
  const int be = se & 0x7fff;
  if (be == 0x7fff) return (mant << 1) != 0 ? Ld{0, 0, neg, Ld::kNaN} : Ld::Inf(neg);
  if (mant == 0) return Ld::Zero(neg);
  // be == 0: denormal, mant * 2^-16445; otherwise mant * 2^(be - 16383 - 63).
  int32_t e = be == 0 ? kLdMinExp : be - 16383 - 63;
  const int s = Clz64(mant);
  return Ld{mant << s, e - s, neg, Ld::kFinite};
}

long double LdToNative(Ld a) {
  uint64_t mant = 0;
  uint16_t se = a.neg ? 0x8000 : 0;
  if (a.IsNaN()) {
    mant = 0xc000000000000000ull;
    se |= 0x7fff;
  } else if (a.IsInf()) {
    mant = 1ull << 63;
    se |= 0x7fff;
  } else if (a.mant != 0) {
    int32_t be = a.exp + 63 + 16383;
    mant = a.mant;
    if (be <= 0) {
      mant >>= (1 - be);  // exact: the value is a multiple of 2^-16445
      be = 0;
    }
    se |= static_cast<uint16_t>(be);
  }
  unsigned char bytes[sizeof(long double)] = {};
  std::memcpy(bytes, &mant, 8);
  std::memcpy(bytes + 8, &se, 2);
  long double x;
  std::memcpy(&x, bytes, sizeof x);
  return x;
}
#endif

}  // namespace rrdb
