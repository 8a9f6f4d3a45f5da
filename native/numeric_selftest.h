// Randomised self tests of the numeric kernel (test-only bindings _ldSelfTest / _valueSelfTest):
// the soft long double against the x87 hardware type, the portable 128-bit helpers against the
// native ones, and the integer fast path of value_calc against both exact paths.
#pragma once
#include <cstdint>
#include <string>

namespace rrdb {

struct SelfTestResult {
  bool hardware = false;    // false: no x87 long double on this platform (only portable checks ran)
  uint64_t cases = 0;       // comparisons made
  uint64_t mismatches = 0;  // comparisons that differed
  uint64_t fast_taken = 0;  // _valueSelfTest: cases the integer fast path answered
  std::string first;        // description of the first mismatch
};

/** n random operation steps on the soft type and on `long double`; seeded, deterministic. */
SelfTestResult LdSelfTest(uint64_t n, uint64_t seed);
/** n random rings and words: pack/unpack soft vs x87, value fast path vs soft vs x87. */
SelfTestResult ValueSelfTest(uint64_t n, uint64_t seed);

}  // namespace rrdb
