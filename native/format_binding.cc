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

// The contents of an ArrayBuffer; false for anything else (also a SharedArrayBuffer).
bool GetArrayBuffer(napi_env env, napi_value v, Span<const uint8_t>* span) {
  void* data = nullptr;
  size_t length = 0;
  if (napi_get_arraybuffer_info(env, v, &data, &length) != napi_ok) return false;
  span->data = static_cast<const uint8_t*>(data);
  span->size = length;
  return true;
}

// Charts per call at most (their buffers are resolved into a stack array), and per resolution window.
constexpr uint32_t kMaxSlabCharts = 256;
constexpr uint32_t kResolveWindow = 32;

// formatSlabs(flags, items, count, out, io, recs): `items` is a JS array of 2 * count ArrayBuffers (plan,
// slab per chart; lib/formats/plan-layout.ts). Per chart this costs two element reads and two ArrayBuffer
// lookups, against ten typed-array lookups and a call for formatChart (issue 7).
napi_value FormatSlabsJs(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 6) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "formatSlabs(flags, items, count, out, io, recs) needs 6 arguments");
    return nullptr;
  }
  int32_t flags = 0;
  uint32_t count = 0;
  if (napi_get_value_int32(env, argv[0], &flags) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "formatSlabs: flags must be a number");
    return nullptr;
  }
  if (napi_get_value_uint32(env, argv[2], &count) != napi_ok || count > kMaxSlabCharts) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "formatSlabs: count must be an integer from 0 to 256");
    return nullptr;
  }
  uint32_t items = 0;
  bool is_array = false;
  if (napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &items) != napi_ok || items < 2 * count) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "formatSlabs: items must be an array of 2 * count ArrayBuffers");
    return nullptr;
  }
  Span<uint8_t> out;
  Span<double> io;
  Span<double> recs;
  if (!GetArray(env, argv[3], napi_uint8_array, "formatSlabs: out must be a Uint8Array/Buffer", &out) ||
      !GetArray(env, argv[4], napi_float64_array, "formatSlabs: io must be a Float64Array", &io) ||
      !GetArray(env, argv[5], napi_float64_array, "formatSlabs: recs must be a Float64Array", &recs)) {
    return nullptr;
  }
  // Charts are resolved a window at a time, from where the kernel is to start: a call that stops early (a
  // full HTTP request, a full output buffer, the chunk size) and is made again does not look up again the
  // buffers of charts it will not reach (batched OpenTSDB HTTP stops every few dozen points).
  SlabChart charts[kMaxSlabCharts];
  auto resolve = [&](uint32_t i) {
    napi_value plan, slab;
    // A chart whose buffers cannot be read keeps empty spans: the kernel reports it as bad input.
    if (napi_get_element(env, argv[1], 2 * i, &plan) != napi_ok || !GetArrayBuffer(env, plan, &charts[i].plan)) {
      charts[i].plan = Span<const uint8_t>{};
    }
    if (napi_get_element(env, argv[1], 2 * i + 1, &slab) != napi_ok || !GetArrayBuffer(env, slab, &charts[i].slab)) {
      charts[i].slab = Span<const uint8_t>{};
    }
  };
  double appended = 0;
  int status = kStatusDone;
  uint32_t resolved = 0;  // charts [first resolved, resolved) are filled
  uint32_t window = 2;
  for (;;) {
    const double at_d = io.size >= static_cast<size_t>(kSlabsIoLength) ? io.data[kIoChart] : -1;
    if (!(at_d >= 0 && at_d < count && at_d == static_cast<double>(static_cast<uint32_t>(at_d)))) {
      // Nothing (more) to do, or an io the kernel refuses: let it answer.
      status = FormatSlabs(flags, charts, at_d >= count ? count : 0, out, io, recs);
      break;
    }
    const uint32_t at = static_cast<uint32_t>(at_d);
    const uint32_t end = count - at > window ? at + window : count;
    if (window < kResolveWindow) window *= 2;  // small first: calls that stop early are common (HTTP batches)
    for (uint32_t i = at > resolved ? at : resolved; i < end; i++) resolve(i);
    if (end > resolved) resolved = end;
    bool pending = false;
    napi_is_exception_pending(env, &pending);  // a getter on the array could have thrown
    if (pending) return nullptr;
    const double stop_at = io.data[kIoStopAt];
    status = FormatSlabs(flags, charts, end, out, io, recs);
    appended += io.data[kIoAppended];
    if (status != kStatusDone || end == count) break;
    if (io.data[kIoPos] >= stop_at) {  // the window's last chart filled the chunk
      status = kStatusStopped;
      break;
    }
  }
  if (io.size >= static_cast<size_t>(kSlabsIoLength)) io.data[kIoAppended] = appended;
  napi_value result;
  napi_create_int32(env, status, &result);
  return result;
}

}  // namespace

void RegisterFormat(Napi::Env env, Napi::Object exports) {
  // A plain napi callback: no Napi::CallbackInfo wrapper on the per-chart hot path.
  napi_value fn;
  if (napi_create_function(env, "formatChart", NAPI_AUTO_LENGTH, FormatChartJs, nullptr, &fn) == napi_ok) {
    exports.Set("formatChart", Napi::Value(env, fn));
  }
  if (napi_create_function(env, "formatSlabs", NAPI_AUTO_LENGTH, FormatSlabsJs, nullptr, &fn) == napi_ok) {
    exports.Set("formatSlabs", Napi::Value(env, fn));
  }
}

}  // namespace rrdb
