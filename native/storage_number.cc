// Storage numbers: path selection for storage_number.h.
#include "storage_number.h"

#include "decimal.h"

namespace rrdb {

int& NumericPaths() {
  static int flags = 0;
  return flags;
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
