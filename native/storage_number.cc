// Storage numbers: path selection for storage_number.h.
#include "storage_number.h"

#include "decimal.h"

namespace rrdb {

int& NumericPaths() {
  static int flags = 0;
  return flags;
}

bool X87Usable() {
#if RRDB_HAVE_X87_LD
  static const bool usable = [] {
    // 1 + 2^-63 is representable only with a 64-bit mantissa; 1 + 2^-64 must round (to even) to 1.
    volatile long double one = 1.0L, half_ulp = 0x1p-64L, ulp = 0x1p-63L;
    return one + ulp != one && one + half_ulp == one;
  }();
  return usable;
#else
  return false;
#endif
}

uint32_t Pack(double value, uint32_t flags, bool* row1) {
#if RRDB_HAVE_X87_LD
  if (UseX87()) return PackWith<X87Arith>(static_cast<long double>(value), flags, row1);
#endif
  return PackWith<SoftArith>(Ld::FromDouble(value), flags, row1);
}

Ld UnpackLd(uint32_t w) {
#if RRDB_HAVE_X87_LD
  if (UseX87()) return LdFromNative(UnpackWith<X87Arith>(w));
#endif
  return UnpackWith<SoftArith>(w);
}

double UnpackDouble(uint32_t w) {
#if RRDB_HAVE_X87_LD
  if (UseX87()) return static_cast<double>(UnpackWith<X87Arith>(w));
#endif
  return LdToDouble(UnpackWith<SoftArith>(w));
}

int UnpackText(uint32_t w, char* out) {
  // Unpacked values are below 2^71 (16777215 * 100^7), so the small buffer always suffices.
  return WriteLdF7(out, kLdF7SmallLen, UnpackLd(w));
}

}  // namespace rrdb
