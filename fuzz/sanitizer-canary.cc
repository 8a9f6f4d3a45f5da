// A deliberately faulty addon, built only by CMakeLists.txt next to the sanitizer build of the real one.
// test/sanitizer.test.ts loads it under the same LD_PRELOAD / ASAN_OPTIONS / UBSAN_OPTIONS that
// scripts/sanitize.sh uses for the suites and expects each fault to be REPORTED and to kill the process:
// a clean sanitizer run of the real addon means something only if this canary is caught.
#include <node_api.h>

#include <climits>
#include <cstdint>
#include <cstdlib>

namespace {

int32_t ArgInt(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t v = 0;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc >= 1) napi_get_value_int32(env, argv[0], &v);
  return v;
}

napi_value Int(napi_env env, int64_t v) {
  napi_value r;
  napi_create_double(env, static_cast<double>(v), &r);
  return r;
}

// Reads buf[n] of an 8-byte heap block: n = 8 is one past the end (ASan: heap-buffer-overflow).
napi_value HeapOverflow(napi_env env, napi_callback_info info) {
  const int32_t n = ArgInt(env, info);
  volatile char* buf = static_cast<char*>(std::malloc(8));
  for (int i = 0; i < 8; i++) buf[i] = static_cast<char>(i);
  const int64_t v = buf[n];
  std::free(const_cast<char*>(buf));
  return Int(env, v);
}

// INT_MAX + n overflows for n > 0 (UBSan: signed-integer-overflow).
napi_value SignedOverflow(napi_env env, napi_callback_info info) {
  volatile int32_t big = INT_MAX;
  const int32_t n = ArgInt(env, info);
  return Int(env, big + n);
}

// A double far outside int32 converted to int32 (UBSan: float-cast-overflow).
napi_value FloatCast(napi_env env, napi_callback_info info) {
  volatile double d = 1e300 * ArgInt(env, info);
  return Int(env, static_cast<int32_t>(d));
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"heapOverflow", nullptr, HeapOverflow, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"signedOverflow", nullptr, SignedOverflow, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"floatCast", nullptr, FloatCast, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(rrd_sanitizer_canary, Init)
