// N-API glue of the batch formatter (SPEC §4): formatChart(flags, tpl, idx, ring, meta, lcv, lct, out, io, recs).
// One call per chart; arguments are typed arrays read once each (napi_get_typedarray_info), never JS objects.
#include <napi.h>

#include "binding_parts.h"
#include "format_kernel.h"

namespace rrdb {
namespace {

// Reads a typed array of the wanted element type; false (and a pending TypeError naming `what`) otherwise.
template <typename T>
bool GetArray(napi_env env, napi_value v, napi_typedarray_type want, const char* what, Span<T>* span) {
  // napi_get_typedarray_info fails (napi_invalid_arg) for anything that is not a typed array, so no
  // separate napi_is_typedarray call; the ArrayBuffer and offset outputs are not requested.
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) == napi_ok && type == want) {
    span->data = static_cast<T*>(data);
    span->size = length;
    return true;
  }
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
  return false;
}

napi_value FormatChartJs(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 10) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "formatChart(flags, tpl, idx, ring, meta, lcv, lct, out, io, recs) needs 10 arguments");
    return nullptr;
  }
  int32_t flags = 0;
  if (napi_get_value_int32(env, argv[0], &flags) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "formatChart: flags must be a number");
    return nullptr;
  }
  FormatArrays a;
  if (!GetArray(env, argv[1], napi_uint8_array, "formatChart: tpl must be a Uint8Array/Buffer", &a.tpl) ||
      !GetArray(env, argv[2], napi_uint32_array, "formatChart: idx must be a Uint32Array", &a.idx) ||
      !GetArray(env, argv[3], napi_uint32_array, "formatChart: ring must be a Uint32Array", &a.ring) ||
      !GetArray(env, argv[4], napi_float64_array, "formatChart: meta must be a Float64Array", &a.meta) ||
      !GetArray(env, argv[5], napi_bigint64_array, "formatChart: lastCollectedValue must be a BigInt64Array", &a.lcv) ||
      !GetArray(env, argv[6], napi_float64_array, "formatChart: lastCollectedTime must be a Float64Array", &a.lct) ||
      !GetArray(env, argv[7], napi_uint8_array, "formatChart: out must be a Uint8Array/Buffer", &a.out) ||
      !GetArray(env, argv[8], napi_float64_array, "formatChart: io must be a Float64Array", &a.io) ||
      !GetArray(env, argv[9], napi_float64_array, "formatChart: recs must be a Float64Array", &a.recs)) {
    return nullptr;
  }
  napi_value result;
  napi_create_int32(env, FormatChart(flags, a), &result);
  return result;
}

}  // namespace

void RegisterFormat(Napi::Env env, Napi::Object exports) {
  // A plain napi callback: no Napi::CallbackInfo wrapper on the per-chart hot path.
  napi_value fn;
  if (napi_create_function(env, "formatChart", NAPI_AUTO_LENGTH, FormatChartJs, nullptr, &fn) == napi_ok) {
    exports.Set("formatChart", Napi::Value(env, fn));
  }
}

}  // namespace rrdb
