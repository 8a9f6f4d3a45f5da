// Randomised self tests: see numeric_selftest.h.
#include "numeric_selftest.h"

#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "decimal.h"
#include "ld.h"
#include "storage_number.h"
#include "value_calc.h"
#include "wide_int.h"

namespace rrdb {

namespace {

/** splitmix64: tiny, seedable, good enough to spread test inputs. */
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  bool Chance(uint32_t percent) { return Below(100) < percent; }

 private:
  uint64_t s_;
};

double BitsDouble(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}

void Note(SelfTestResult* r, const std::string& what) {
  r->mismatches++;
  if (r->mismatches <= 12) r->first += what + "\n";
}

const double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                         1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/** Doubles from the families that matter to the reference (SPEC §2.4), plus arbitrary bit patterns. */
double RandomDouble(Rng& rng) {
  const double sign = rng.Chance(35) ? -1.0 : 1.0;
  switch (rng.Below(8)) {
    case 0:
      return BitsDouble(rng.Next());  // anything: NaN, inf, denormals
    case 1: {  // decimals with up to 9 digits and 0..12 decimals
      const double digits = static_cast<double>(rng.Next() % 1000000000ull);
      return sign * digits / kPow10[rng.Below(13)];
    }
    case 2:  // integers of any size
      return sign * static_cast<double>(rng.Next() >> rng.Below(64));
    case 3: {
      static const double kSpecial[] = {0.0, -0.0, NAN, HUGE_VAL, -HUGE_VAL, DBL_MIN, DBL_MAX, 4.9e-324,
                                        16777215.0, 16777215.5, 16777216.0, 1677726.0, 1677725.99, 1677721.5,
                                        1.6777215, 1.677726, 0.5, 1e-7, 5e-8, 1.6777215e21, 2e14, 1e21};
      return sign * kSpecial[rng.Below(sizeof kSpecial / sizeof kSpecial[0])];
    }
    case 4:  // log-uniform over a wide range
      return sign * std::ldexp(static_cast<double>(rng.Next() >> 11), static_cast<int>(rng.Below(240)) - 173);
    case 5: {  // the 1.677722 band and the 24-bit boundary at every scale, +-a few ulps
      double base = rng.Chance(50) ? 1.6777215 + 0.0000045 * (static_cast<double>(rng.Below(1000)) / 1000.0)
                                   : 1.6777215;
      base *= kPow10[rng.Below(22)];
      uint64_t b;
      std::memcpy(&b, &base, sizeof b);
      b += static_cast<uint64_t>(static_cast<int64_t>(rng.Below(9)) - 4);
      return sign * BitsDouble(b);
    }
    case 6: {  // exact halves after scaling: (k + 0.5) / 10^j
      const double k = static_cast<double>(rng.Below(16777216));
      return sign * (k + 0.5) / kPow10[rng.Below(8)];
    }
    default:  // ordinary magnitudes
      return sign * static_cast<double>(rng.Next() % 100000000ull) / 1000.0;
  }
}

#if RRDB_HAVE_X87_LD
std::string Describe(const Ld& v) {
  char buf[96];
  if (v.IsNaN()) return "nan";
  if (v.IsInf()) return v.neg ? "-inf" : "inf";
  std::snprintf(buf, sizeof buf, "%s0x%016" PRIx64 "p%d", v.neg ? "-" : "+", v.mant, v.exp);
  return buf;
}

uint32_t RandomDivisor(Rng& rng) {
  switch (rng.Below(4)) {
    case 0:
      return 10;
    case 1:
      return 10000000;
    case 2:
      return 1 + rng.Below(2000);
    default:
      return 1 + static_cast<uint32_t>(rng.Next() % 0xffffffffull);
  }
}

bool SameNative(const Ld& soft, long double hw) { return LdSameBits(soft, LdFromNative(hw)); }
#endif

/** The portable 128-bit helpers against the native ones (runs on every platform). */
void CheckWideInt(Rng& rng, SelfTestResult* r) {
  const uint64_t a = rng.Next() >> rng.Below(64), b = rng.Next() >> rng.Below(64);
  const U128 p1 = Mul64(a, b), p2 = Mul64Portable(a, b);
  r->cases++;
  if (!(p1 == p2)) Note(r, "Mul64Portable differs");
  uint64_t d = rng.Next() >> rng.Below(64);
  if (d == 0) d = 1;
  const uint64_t hi = rng.Next() % d, lo = rng.Next();
  uint64_t r1, r2;
  const uint64_t q1 = Div128By64(hi, lo, d, &r1), q2 = Div128By64Portable(hi, lo, d, &r2);
  r->cases++;
  if (q1 != q2 || r1 != r2) Note(r, "Div128By64Portable differs");
  // Cross-check the division with the multiplication: q * d + r == (hi:lo).
  U128 back = Mul64(q1, d);
  bool carry;
  back = Add128(back, U128{0, r1}, &carry);
  r->cases++;
  if (!(back == U128{hi, lo}) || r1 >= d) Note(r, "Div128By64 inconsistent");
}

/**
 * Checks that need no x87: every double is exactly an Ld, so the conversion must round-trip and the
 * printer must agree with the C library's exact "%.7f" of the double.
 */
void CheckDoubles(Rng& rng, SelfTestResult* r) {
  const double d = RandomDouble(rng);
  const Ld v = Ld::FromDouble(d);
  const double back = LdToDouble(v);
  r->cases++;
  if (std::memcmp(&back, &d, sizeof d) != 0 && !(std::isnan(d) && std::isnan(back))) Note(r, "double round trip");
  if (std::isnan(d) || std::fabs(d) > 1e40) return;  // keep the printing cheap
  char mine[kLdF7MaxLen], libc[512];
  const int lm = WriteLdF7(mine, sizeof mine, v);
  const int lc = std::snprintf(libc, sizeof libc, "%.7f", d);
  r->cases++;
  if (lm != lc || std::memcmp(mine, libc, static_cast<size_t>(lc)) != 0) {
    Note(r, "print double " + std::string(libc) + " as " + std::string(mine, lm > 0 ? static_cast<size_t>(lm) : 0));
  }
}

}  // namespace

SelfTestResult LdSelfTest(uint64_t n, uint64_t seed) {
  SelfTestResult r;
  Rng rng(seed);
  for (uint64_t i = 0; i < n / 8 + 1; i++) {
    CheckWideInt(rng, &r);
    CheckDoubles(rng, &r);
  }
#if RRDB_HAVE_X87_LD
  r.hardware = true;
  constexpr int kRegs = 4;
  Ld soft[kRegs];
  long double hw[kRegs];
  for (int j = 0; j < kRegs; j++) {
    const double d = RandomDouble(rng);
    soft[j] = Ld::FromDouble(d);
    hw[j] = d;
  }
  char text_soft[kLdF7MaxLen], text_hw[kLdF7MaxLen + 16];
  for (uint64_t i = 0; i < n; i++) {
    const int dst = static_cast<int>(rng.Below(kRegs));
    const int x = static_cast<int>(rng.Below(kRegs)), y = static_cast<int>(rng.Below(kRegs));
    const uint32_t op = rng.Below(16);
    const char* name = "";
    switch (op) {
      case 0:
      case 1: {
        name = "from double";
        const double d = RandomDouble(rng);
        soft[dst] = Ld::FromDouble(d);
        hw[dst] = d;
        break;
      }
      case 2: {
        // Extremes of the x87 range (denormals, overflow) built from raw fields: also exercises LdToNative.
        name = "load extreme";
        const uint64_t mant = rng.Next() | (1ull << 63);
        const int32_t e = rng.Chance(50) ? kLdMinExp - static_cast<int32_t>(rng.Below(70))
                                          : kLdMaxExp - static_cast<int32_t>(rng.Below(8));
        Ld v = LdRoundPack(rng.Chance(50), U128{mant, 0}, e - 64, false);
        soft[dst] = v;
        hw[dst] = LdToNative(v);
        break;
      }
      case 3:
      case 4:
        name = "add";
        soft[dst] = LdAdd(soft[x], soft[y]);
        hw[dst] = hw[x] + hw[y];
        break;
      case 5: {
        name = "add double";
        const double d = RandomDouble(rng);
        soft[dst] = LdAdd(soft[x], Ld::FromDouble(d));
        hw[dst] = hw[x] + static_cast<long double>(d);
        break;
      }
      case 6:
        name = "neg";
        soft[dst] = LdNeg(soft[x]);
        hw[dst] = -hw[x];
        break;
      case 7:
      case 8: {
        name = "mul";
        const uint32_t k = rng.Chance(70) ? (rng.Chance(50) ? 10 : 100) : RandomDivisor(rng);
        soft[dst] = LdMulU32(soft[x], k);
        hw[dst] = hw[x] * static_cast<long double>(k);
        break;
      }
      case 9:
      case 10: {
        name = "div";
        const uint32_t d = RandomDivisor(rng);
        soft[dst] = LdDivU32(soft[x], d);
        hw[dst] = hw[x] / static_cast<long double>(d);
        break;
      }
      case 11: {
        r.cases++;
        const int c = LdCompare(soft[x], soft[y]);
        const long double a = hw[x], b = hw[y];
        const int expect = (a < b) ? -1 : (a > b) ? 1 : (a == b) ? 0 : 2;
        if (c != expect) Note(&r, "compare " + Describe(soft[x]) + " vs " + Describe(soft[y]));
        continue;
      }
      case 12: {
        r.cases++;
        const double ds = LdToDouble(soft[x]), dh = static_cast<double>(hw[x]);
        uint64_t bs, bh;
        std::memcpy(&bs, &ds, 8);
        std::memcpy(&bh, &dh, 8);
        if (bs != bh && !(std::isnan(ds) && std::isnan(dh))) Note(&r, "to double " + Describe(soft[x]));
        r.cases++;
        const int64_t ls = LrintDouble(ds);
        const long long lh = std::llrint(dh);  // glibc, default rounding mode
        if (ls != static_cast<int64_t>(lh)) Note(&r, "lrint " + Describe(soft[x]));
        continue;
      }
      default: {
        // The printer against glibc's own "%0.7Lf". Values beyond 2^200 take thousands of digits
        // (slow on both sides): only a few of those.
        if (soft[x].kind == Ld::kFinite && soft[x].exp > 200 && !rng.Chance(2)) continue;
        r.cases++;
        // NaN sign and payload are not modelled (a NaN is never printed or stored by the exporter:
        // SPEC §2.2, §3.1), so "nan" and "-nan" count as the same here.
        if (soft[x].IsNaN() && std::isnan(hw[x])) continue;
        const int ls = WriteLdF7(text_soft, sizeof text_soft, soft[x]);
        const int lh = std::snprintf(text_hw, sizeof text_hw, "%0.7Lf", hw[x]);
        if (ls != lh || std::memcmp(text_soft, text_hw, static_cast<size_t>(ls > 0 ? ls : 0)) != 0) {
          Note(&r, "print " + Describe(soft[x]) + ": " + std::string(text_soft, ls > 0 ? ls : 0) + " vs " + text_hw);
        }
        continue;
      }
    }
    r.cases++;
    if (!SameNative(soft[dst], hw[dst])) {
      Note(&r, std::string(name) + ": soft " + Describe(soft[dst]) + " x87 " + Describe(LdFromNative(hw[dst])));
      soft[dst] = LdFromNative(hw[dst]);  // resynchronise so one difference is counted once
    }
  }
#endif
  return r;
}

namespace {

uint32_t RandomWord(Rng& rng) {
  const uint32_t sign = rng.Chance(30) ? kSnSign : 0;
  const uint32_t flags = rng.Chance(90) ? kSnExists : (rng.Chance(50) ? kSnExistsReset : kSnExists | kSnExists100);
  switch (rng.Below(10)) {
    case 0:
      return static_cast<uint32_t>(rng.Next());  // arbitrary
    case 1:
      return 0;  // gap
    case 2:  // multiply mode, either factor
      return sign | kSnMultiply | (rng.Below(8) << 27) | flags | (rng.Chance(50) ? kSnExists100 : 0) |
             rng.Below(16777216);
    case 3:  // zero mantissas of either sign
      return sign | (rng.Below(8) << 27) | flags;
    case 4: {  // a few repeated values so sums cancel and averages tie
      static const uint32_t kCommon[] = {0x39989680u, 0xB9989680u, 0x390F4240u, 0xB90F4240u, 0x3901E848u,
                                         0xB912D3C0u, 0x39000001u, 0xB9000001u, 0x39000003u, 0x01000001u};
      return kCommon[rng.Below(10)];
    }
    default: {  // divide mode, the common case
      const uint32_t m = rng.Below(8);
      const uint32_t n = rng.Chance(50) ? 1677726 + rng.Below(16777215 - 1677726) : rng.Below(16777216);
      return sign | (m << 27) | flags | n;
    }
  }
}

bool SameText(const char* a, int la, const char* b, int lb) {
  return la == lb && (la < 0 || std::memcmp(a, b, static_cast<size_t>(la)) == 0);
}

std::string Text(const char* t, int len) { return len < 0 ? std::string("nan") : std::string(t, static_cast<size_t>(len)); }

}  // namespace

SelfTestResult ValueSelfTest(uint64_t n, uint64_t seed) {
  SelfTestResult r;
  Rng rng(seed);
#if RRDB_HAVE_X87_LD
  r.hardware = true;
#endif
  std::vector<uint32_t> ring;
  char t_fast[64], t_soft[64], t_hw[64];
  for (uint64_t i = 0; i < n; i++) {
    // Storage numbers: soft against x87 (pack with flags, unpack to text and to double).
    {
      const double v = RandomDouble(rng);
      const uint32_t flags = rng.Chance(80) ? kSnExists : static_cast<uint32_t>(rng.Next());
      bool row1_soft = false;
      const uint32_t w_soft = PackWith<SoftArith>(Ld::FromDouble(v), flags, &row1_soft);
#if RRDB_HAVE_X87_LD
      bool row1_hw = false;
      const uint32_t w_hw = PackWith<X87Arith>(static_cast<long double>(v), flags, &row1_hw);
      r.cases++;
      if (w_soft != w_hw || row1_soft != row1_hw) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "pack %.17g: soft %08x x87 %08x", v, w_soft, w_hw);
        Note(&r, buf);
      }
      const uint32_t w = rng.Chance(50) ? w_soft : static_cast<uint32_t>(rng.Next());
      r.cases++;
      if (!SameNative(UnpackWith<SoftArith>(w), UnpackWith<X87Arith>(w))) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "unpack %08x", w);
        Note(&r, buf);
      }
#else
      (void)w_soft;
#endif
    }
    // A random ring and window: the fast path against the exact paths.
    ChartMeta m;
    m.entries = 1 + rng.Below(rng.Chance(80) ? 16 : 200);
    m.update_every = 1 + rng.Below(rng.Chance(70) ? 1 : 10);
    m.counter = rng.Chance(30) ? rng.Below(m.entries + 1) : m.entries + rng.Below(5000);
    m.current_entry = static_cast<uint32_t>(m.counter % m.entries);
    m.last_updated = 1000000000 + rng.Below(100000);
    ring.assign(m.entries, 0);
    const uint32_t written = m.counter < m.entries ? static_cast<uint32_t>(m.counter) : m.entries;
    const uint32_t style = rng.Below(4);
    uint32_t base = RandomWord(rng);
    for (uint32_t s = 0; s < written; s++) {
      if (style == 0) {
        ring[s] = RandomWord(rng);
      } else if (style == 1) {
        ring[s] = rng.Chance(70) ? base : RandomWord(rng);  // repeats: cancellations and ties
      } else if (style == 2) {
        ring[s] = rng.Chance(50) ? base : (base ^ kSnSign);  // +x / -x pairs: K == 0
      } else {
        ring[s] = rng.Chance(20) ? 0 : (kSnExists | (rng.Below(8) << 27) | rng.Below(16777216) |
                                        (rng.Chance(50) ? kSnSign : 0));
      }
    }
    const int64_t span = static_cast<int64_t>(m.entries) * m.update_every;
    const int64_t before = m.last_updated + 1 + static_cast<int64_t>(rng.Below(static_cast<uint32_t>(span + 3 * m.update_every)));
    const int64_t after = before - static_cast<int64_t>(rng.Below(static_cast<uint32_t>(span + 1)));
    int64_t a, b;
    if (!AlignWindow(m, after, before, &a, &b)) continue;
    for (int sum = 0; sum < 2; sum++) {
      const int lf = WriteDimValueFast(ring.data(), m, a, b, sum != 0, t_fast);
      const int ls = WriteDimValueSoft(ring.data(), m, a, b, sum != 0, t_soft);
      if (lf != -2) {
        r.fast_taken++;
        r.cases++;
        if (!SameText(t_fast, lf, t_soft, ls)) Note(&r, "fast " + Text(t_fast, lf) + " soft " + Text(t_soft, ls));
      }
#if RRDB_HAVE_X87_LD
      const int lh = WriteDimValueX87(ring.data(), m, a, b, sum != 0, t_hw);
      r.cases++;
      if (!SameText(t_hw, lh, t_soft, ls)) Note(&r, "x87 " + Text(t_hw, lh) + " soft " + Text(t_soft, ls));
#else
      (void)t_hw;
#endif
    }
  }
  return r;
}

}  // namespace rrdb
