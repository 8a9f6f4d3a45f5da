// libFuzzer target: storage numbers and the 80-bit arithmetic under them (SPEC §2, §2.5, §7 rows 1, 24).
//
// Input: records of 12 bytes, `f64 value | u32 word` (little endian; fuzz/make-seeds.js writes the
// storage_number.json vectors in this layout). For every record, with oracles that need no golden data:
// - pack(value, word-as-flags): the soft long double (SoftArith) and the x87 hardware type (X87Arith)
//   give the same word and the same row-1 verdict; the flag bits given are kept (SPEC §2.1) and the
//   mantissa never carries into them (SPEC §7 row 1 fix);
// - unpack(word): soft and hardware give the same value; the nearest double and "%0.7Lf" agree with the
//   hardware type and with glibc's printf of it (the reference printed with glibc, SPEC §2.5);
// - Ld operations on the record values (add, multiply and divide by 32-bit integers, compare, to double,
//   lrint) equal the hardware operations, and an arbitrary 80-bit pattern prints like glibc.
// Any disagreement aborts with a description (a finding); ASan/UBSan catch memory errors and UB.
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "decimal.h"
#include "ld.h"
#include "storage_number.h"

#if !RRDB_HAVE_X87_LD
#error "fuzz_storage_number compares against the x87 long double: build it on x86-64 Linux"
#endif

namespace {

using rrdb::Ld;

[[noreturn]] void Finding(const char* what, long double x, uint32_t w) {
  std::fprintf(stderr, "FINDING: %s (value %.21Lg, word 0x%08" PRIx32 ")\n", what, x, w);
  std::abort();
}

/** glibc "%0.7Lf", the reference's printing. */
std::vector<char> GlibcF7(long double x) {
  std::vector<char> buf(rrdb::kLdF7MaxLen + 16);
  const int n = std::snprintf(buf.data(), buf.size(), "%0.7Lf", x);
  if (n < 0 || static_cast<size_t>(n) >= buf.size()) Finding("glibc output does not fit kLdF7MaxLen", x, 0);
  buf.resize(static_cast<size_t>(n));
  return buf;
}

void CheckPrint(long double x, uint32_t w) {
  const Ld l = rrdb::LdFromNative(x);
  std::vector<char> ours(rrdb::kLdF7MaxLen);
  const int n = rrdb::WriteLdF7(ours.data(), ours.size(), l);
  if (n < 0) Finding("WriteLdF7 refused kLdF7MaxLen", x, w);
  ours.resize(static_cast<size_t>(n));
  if (ours != GlibcF7(x)) Finding("WriteLdF7 differs from glibc %0.7Lf", x, w);
  // A too small buffer is refused, never overrun (the vector is exactly n - 1 bytes long).
  if (n > 0) {
    std::vector<char> small(static_cast<size_t>(n - 1));
    if (rrdb::WriteLdF7(small.data(), small.size(), l) != -1) Finding("WriteLdF7 accepted a too small buffer", x, w);
  }
}

void SameLd(const Ld& soft, long double hw, const char* what, long double x, uint32_t w) {
  if (!rrdb::LdSameBits(soft, rrdb::LdFromNative(hw))) Finding(what, x, w);
}

/** A valid 80-bit encoding from 10 arbitrary bytes (the integer bit made consistent with the exponent). */
long double FromBits(uint64_t mant, uint16_t se) {
  const int be = se & 0x7fff;
  if (be == 0) mant &= ~(1ull << 63);  // denormal or zero (no pseudo-denormals)
  else mant |= 1ull << 63;             // normal, infinity or NaN (no unnormals)
  unsigned char bytes[sizeof(long double)] = {};
  std::memcpy(bytes, &mant, 8);
  std::memcpy(bytes + 8, &se, 2);
  long double x;
  std::memcpy(&x, bytes, sizeof x);
  return x;
}

void CheckPack(double v, uint32_t flags) {
  bool row1_soft = false, row1_hw = false;
  const uint32_t soft = rrdb::PackWith<rrdb::SoftArith>(Ld::FromDouble(v), flags, &row1_soft);
  const uint32_t hw = rrdb::PackWith<rrdb::X87Arith>(static_cast<long double>(v), flags, &row1_hw);
  if (soft != hw || row1_soft != row1_hw) Finding("pack: soft and x87 differ", v, flags);
  // SPEC §2.1-2.2: EXISTS / EXISTS_RESET come from the caller unchanged; EXISTS_100 may only be added.
  constexpr uint32_t kCaller = rrdb::kSnExists | rrdb::kSnExistsReset;
  if ((soft & kCaller) != (flags & kCaller)) Finding("pack: caller flag bits changed (mantissa carry, SPEC §7 row 1)", v, flags);
  if ((flags & rrdb::kSnExists100) != 0 && (soft & rrdb::kSnExists100) == 0) Finding("pack: EXISTS_100 dropped", v, flags);
  if (rrdb::Pack(v, flags, &row1_soft) != soft) Finding("pack: Pack() differs from PackWith", v, flags);
}

void CheckUnpack(uint32_t w) {
  const Ld soft = rrdb::UnpackWith<rrdb::SoftArith>(w);
  const long double hw = rrdb::UnpackWith<rrdb::X87Arith>(w);
  SameLd(soft, hw, "unpack: soft and x87 differ", hw, w);
  const double d = rrdb::UnpackDouble(w);
  const double want = static_cast<double>(hw);
  if (!(d == want || (std::isnan(d) && std::isnan(want)))) Finding("unpack: nearest double differs", hw, w);
  char text[rrdb::kLdF7SmallLen];
  const int n = rrdb::UnpackText(w, text);
  const std::vector<char> glibc = GlibcF7(hw);
  if (n < 0 || std::vector<char>(text, text + n) != glibc) Finding("unpackText differs from glibc %0.7Lf", hw, w);
}

void CheckOps(long double a, long double b, uint32_t k) {
  const Ld la = rrdb::LdFromNative(a), lb = rrdb::LdFromNative(b);
  SameLd(rrdb::LdAdd(la, lb), a + b, "LdAdd differs", a, k);
  SameLd(rrdb::LdNeg(la), -a, "LdNeg differs", a, k);
  const uint32_t m = k == 0 ? 1 : k;  // both take k >= 1
  SameLd(rrdb::LdMulU32(la, m), a * static_cast<long double>(m), "LdMulU32 differs", a, m);
  SameLd(rrdb::LdDivU32(la, m), a / static_cast<long double>(m), "LdDivU32 differs", a, m);
  const int c = rrdb::LdCompare(la, lb);
  const int hc = (std::isnan(a) || std::isnan(b)) ? 2 : (a < b ? -1 : (a > b ? 1 : 0));
  if (c != hc) Finding("LdCompare differs", a, k);
  const double d = rrdb::LdToDouble(la);
  const double hd = static_cast<double>(a);
  if (!(std::memcmp(&d, &hd, sizeof d) == 0 || (std::isnan(d) && std::isnan(hd)))) Finding("LdToDouble differs", a, k);
  if (!std::isnan(hd) && rrdb::LrintDouble(hd) != static_cast<int64_t>(std::lrint(hd))) Finding("LrintDouble differs from lrint", a, k);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kRecord = 12;
  long double prev = 0.0L;
  for (size_t off = 0; off + kRecord <= size; off += kRecord) {
    double v;
    uint32_t w;
    std::memcpy(&v, data + off, 8);
    std::memcpy(&w, data + off + 8, 4);
    CheckPack(v, w);
    CheckUnpack(w);
    const long double lv = static_cast<long double>(v);
    CheckOps(lv, prev, w);
    // The same 12 bytes read as an arbitrary 80-bit value: exercises exponents a double cannot reach.
    uint64_t mant;
    uint16_t se;
    std::memcpy(&mant, data + off, 8);
    std::memcpy(&se, data + off + 8, 2);
    const long double raw = FromBits(mant, se);
    CheckOps(raw, lv, w >> 16);
    // Printing a value near 2^16383 (4933 digits) costs ~2 ms with glibc: one arbitrary 80-bit value per
    // input keeps the target at hundreds of inputs per second; doubles (<= 309 digits) are cheap.
    if (off == 0) CheckPrint(raw, w);
    CheckPrint(lv, w);
    prev = rrdb::UnpackWith<rrdb::X87Arith>(w);
  }
  return 0;
}
