// N-API surface of the numeric kernel (SPEC §2, §3.1). lib/kernels/native-numeric.ts validates the
// arguments and turns them into typed errors; the checks here only keep a direct caller from
// reading out of bounds (programmer errors: TypeError / RangeError naming the argument).
#include <cmath>
#include <string>

#include "binding_parts.h"
#include "decimal.h"
#include "numeric_selftest.h"
#include "storage_number.h"
#include "value_calc.h"

namespace rrdb {

namespace {

constexpr size_t kMetaDims = 5;     // META_DIMS
constexpr size_t kMetaLength = 6;   // META_LENGTH
constexpr double kMaxSafe = 9007199254740991.0;

void Throw(Napi::Env env, bool range, const std::string& message) {
  const char* code = range ? "ERR_RRD_NATIVE_ARG_RANGE" : "ERR_RRD_NATIVE_ARG_TYPE";
  if (range) {
    Napi::RangeError e = Napi::RangeError::New(env, message);
    e.Value().Set("code", Napi::String::New(env, code));
    e.ThrowAsJavaScriptException();
  } else {
    Napi::TypeError e = Napi::TypeError::New(env, message);
    e.Value().Set("code", Napi::String::New(env, code));
    e.ThrowAsJavaScriptException();
  }
}

// Raw N-API calls where node-addon-api would make several per argument (type check, then value):
// these arguments are unwrapped on every call, and a call should cost little more than the work.
bool GetNumber(const Napi::CallbackInfo& info, size_t i, const char* name, double* out) {
  if (i >= info.Length() || napi_get_value_double(info.Env(), info[i], out) != napi_ok) {
    Throw(info.Env(), false, std::string(name) + " must be a number");
    return false;
  }
  return true;
}

bool GetUint32(const Napi::CallbackInfo& info, size_t i, const char* name, uint32_t* out) {
  double d;
  if (!GetNumber(info, i, name, &d)) return false;
  if (!(d >= 0 && d <= 4294967295.0 && d == std::floor(d))) {
    Throw(info.Env(), true, std::string(name) + " must be an integer in [0, 4294967295]");
    return false;
  }
  *out = static_cast<uint32_t>(d);
  return true;
}

bool GetTime(const Napi::CallbackInfo& info, size_t i, const char* name, int64_t* out) {
  double d;
  if (!GetNumber(info, i, name, &d)) return false;
  if (!(d >= -kMaxSafe && d <= kMaxSafe && d == std::floor(d))) {
    Throw(info.Env(), true, std::string(name) + " must be a safe integer (seconds)");
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

bool GetBool(const Napi::CallbackInfo& info, size_t i, const char* name, bool* out) {
  if (i >= info.Length() || !info[i].IsBoolean()) {
    Throw(info.Env(), false, std::string(name) + " must be a boolean");
    return false;
  }
  *out = info[i].As<Napi::Boolean>().Value();
  return true;
}

template <class T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

template <class T>
bool GetTyped(const Napi::CallbackInfo& info, size_t i, const char* name, napi_typedarray_type type,
              const char* type_name, View<T>* out) {
  napi_typedarray_type actual;
  size_t length = 0;
  void* data = nullptr;
  // One call gives type, length and the element pointer (already adjusted by the byte offset); it
  // fails without throwing when the value is not a typed array.
  if (i >= info.Length() ||
      napi_get_typedarray_info(info.Env(), info[i], &actual, &length, &data, nullptr, nullptr) != napi_ok ||
      actual != type) {
    Throw(info.Env(), false, std::string(name) + " must be a " + type_name);
    return false;
  }
  out->data = static_cast<T*>(data);
  out->length = length;
  return true;
}

/** The printed numbers are ASCII: latin1 skips the UTF-8 decoding of napi_create_string_utf8. */
Napi::Value Latin1(Napi::Env env, const char* text, int len) {
  napi_value v;
  if (napi_create_string_latin1(env, text, static_cast<size_t>(len), &v) != napi_ok) return Napi::Value();
  return Napi::Value(env, v);
}

/** meta + ring checks needed for memory safety; returns the chart metadata. */
bool GetChart(const Napi::CallbackInfo& info, size_t meta_arg, size_t min_meta, View<double>* meta, ChartMeta* m) {
  if (!GetTyped(info, meta_arg, "meta", napi_float64_array, "Float64Array", meta)) return false;
  if (meta->length < min_meta) {
    Throw(info.Env(), true, "meta must hold at least " + std::to_string(min_meta) + " numbers (META_* layout)");
    return false;
  }
  *m = ChartMetaFromArray(meta->data);
  if (m->entries == 0 || static_cast<double>(m->entries) != meta->data[0]) {
    Throw(info.Env(), true, "meta[META_ENTRIES] must be an integer in [1, 4294967295]");
    return false;
  }
  return true;
}

Napi::Value PackJs(const Napi::CallbackInfo& info) {
  double value;
  uint32_t flags;
  if (!GetNumber(info, 0, "value", &value) || !GetUint32(info, 1, "flags", &flags)) return Napi::Value();
  bool row1 = false;
  const uint32_t w = rrdb::Pack(value, flags, &row1);
  // One number carries both results: the word, plus 2^32 when the row-1 fix applied.
  return Napi::Number::New(info.Env(), static_cast<double>(w) + (row1 ? 4294967296.0 : 0.0));
}

Napi::Value PackInto(const Napi::CallbackInfo& info) {
  View<double> values;
  uint32_t flags;
  View<uint32_t> out;
  if (!GetTyped(info, 0, "values", napi_float64_array, "Float64Array", &values) ||
      !GetUint32(info, 1, "flags", &flags) ||
      !GetTyped(info, 2, "out", napi_uint32_array, "Uint32Array", &out)) {
    return Napi::Value();
  }
  if (out.length < values.length) {
    Throw(info.Env(), true, "out must be at least as long as values");
    return Napi::Value();
  }
  double fixed = 0;
  for (size_t i = 0; i < values.length; i++) {
    bool row1 = false;
    out.data[i] = rrdb::Pack(values.data[i], flags, &row1);
    if (row1) fixed += 1;
  }
  return Napi::Number::New(info.Env(), fixed);
}

Napi::Value Unpack(const Napi::CallbackInfo& info) {
  uint32_t w;
  if (!GetUint32(info, 0, "word", &w)) return Napi::Value();
  return Napi::Number::New(info.Env(), UnpackDouble(w));
}

Napi::Value UnpackInto(const Napi::CallbackInfo& info) {
  View<uint32_t> words;
  View<double> out;
  if (!GetTyped(info, 0, "words", napi_uint32_array, "Uint32Array", &words) ||
      !GetTyped(info, 1, "out", napi_float64_array, "Float64Array", &out)) {
    return Napi::Value();
  }
  if (out.length < words.length) {
    Throw(info.Env(), true, "out must be at least as long as words");
    return Napi::Value();
  }
  for (size_t i = 0; i < words.length; i++) out.data[i] = UnpackDouble(words.data[i]);
  return info.Env().Undefined();
}

Napi::Value UnpackTextJs(const Napi::CallbackInfo& info) {
  uint32_t w;
  if (!GetUint32(info, 0, "word", &w)) return Napi::Value();
  char buf[kLdF7SmallLen];
  const int len = UnpackText(w, buf);
  return Latin1(info.Env(), buf, len);
}

// storedValue(ring, offset, meta, after, before, sum, ts): text or null; ts[0], ts[1] = first/last
// timestamps as the reference leaves them (vectors README, value_calculation).
Napi::Value StoredValue(const Napi::CallbackInfo& info) {
  View<uint32_t> ring;
  View<double> meta, ts;
  ChartMeta m;
  uint32_t offset;
  int64_t after, before;
  bool sum;
  if (!GetTyped(info, 0, "ring", napi_uint32_array, "Uint32Array", &ring) || !GetUint32(info, 1, "offset", &offset) ||
      !GetChart(info, 2, kMetaDims, &meta, &m) || !GetTime(info, 3, "after", &after) ||
      !GetTime(info, 4, "before", &before) || !GetBool(info, 5, "sum", &sum) ||
      !GetTyped(info, 6, "ts", napi_float64_array, "Float64Array", &ts)) {
    return Napi::Value();
  }
  if (static_cast<uint64_t>(offset) + m.entries > ring.length) {
    Throw(info.Env(), true, "offset + meta[META_ENTRIES] must not exceed ring.length");
    return Napi::Value();
  }
  if (ts.length < 2) {
    Throw(info.Env(), true, "ts must hold 2 numbers");
    return Napi::Value();
  }
  int64_t a, b;
  if (!AlignWindow(m, after, before, &a, &b)) {
    ts.data[0] = static_cast<double>(after);  // the early return leaves them untouched
    ts.data[1] = static_cast<double>(before);
    return info.Env().Null();
  }
  ts.data[0] = static_cast<double>(a);
  ts.data[1] = static_cast<double>(b);
  char buf[64];
  const int len = WriteDimValue(ring.data + offset, m, a, b, sum, buf);
  if (len < 0) return info.Env().Null();
  return Latin1(info.Env(), buf, len);
}

// storedValuesInto(ring, meta, after, before, sum, out): out[d] = value of dimension d (nearest double,
// NaN when none); returns the reported timestamp, or NaN when the window is outside the database.
Napi::Value StoredValuesInto(const Napi::CallbackInfo& info) {
  View<uint32_t> ring;
  View<double> meta, out;
  ChartMeta m;
  int64_t after, before;
  bool sum;
  if (!GetTyped(info, 0, "ring", napi_uint32_array, "Uint32Array", &ring) || !GetChart(info, 1, kMetaLength, &meta, &m) ||
      !GetTime(info, 2, "after", &after) || !GetTime(info, 3, "before", &before) || !GetBool(info, 4, "sum", &sum) ||
      !GetTyped(info, 5, "out", napi_float64_array, "Float64Array", &out)) {
    return Napi::Value();
  }
  const double dims_d = meta.data[kMetaDims];
  if (!(dims_d >= 0 && dims_d <= 4294967295.0 && dims_d == std::floor(dims_d))) {
    Throw(info.Env(), true, "meta[META_DIMS] must be an integer >= 0");
    return Napi::Value();
  }
  const uint64_t dims = static_cast<uint64_t>(dims_d);
  if (dims * m.entries > ring.length || dims > out.length) {
    Throw(info.Env(), true, "ring must hold meta[META_DIMS] * meta[META_ENTRIES] slots and out meta[META_DIMS] numbers");
    return Napi::Value();
  }
  int64_t a, b;
  if (!AlignWindow(m, after, before, &a, &b)) {
    for (uint64_t d = 0; d < dims; d++) out.data[d] = NAN;
    return Napi::Number::New(info.Env(), NAN);
  }
  for (uint64_t d = 0; d < dims; d++) out.data[d] = DimValueDouble(ring.data + d * m.entries, m, a, b, sum);
  return Napi::Number::New(info.Env(), static_cast<double>(b));
}

Napi::Value SelfTestObject(Napi::Env env, const SelfTestResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("hardware", Napi::Boolean::New(env, r.hardware));
  o.Set("cases", Napi::Number::New(env, static_cast<double>(r.cases)));
  o.Set("mismatches", Napi::Number::New(env, static_cast<double>(r.mismatches)));
  o.Set("fastTaken", Napi::Number::New(env, static_cast<double>(r.fast_taken)));
  o.Set("first", Napi::String::New(env, r.first));
  return o;
}

bool GetSelfTestArgs(const Napi::CallbackInfo& info, uint32_t* n, uint32_t* seed) {
  return GetUint32(info, 0, "n", n) && GetUint32(info, 1, "seed", seed);
}

Napi::Value LdSelfTestJs(const Napi::CallbackInfo& info) {
  uint32_t n, seed;
  if (!GetSelfTestArgs(info, &n, &seed)) return Napi::Value();
  return SelfTestObject(info.Env(), LdSelfTest(n, seed));
}

Napi::Value ValueSelfTestJs(const Napi::CallbackInfo& info) {
  uint32_t n, seed;
  if (!GetSelfTestArgs(info, &n, &seed)) return Napi::Value();
  return SelfTestObject(info.Env(), ValueSelfTest(n, seed));
}

// _setPaths(flags): test hook; bit 0 disables the integer fast path, bit 1 forces the soft long
// double. Returns the previous flags. Process-wide (shared by every kernel user).
Napi::Value SetPaths(const Napi::CallbackInfo& info) {
  uint32_t flags;
  if (!GetUint32(info, 0, "flags", &flags)) return Napi::Value();
  if (flags > 3) {
    Throw(info.Env(), true, "flags must be 0..3");
    return Napi::Value();
  }
  const int previous = NumericPaths();
  NumericPaths() = static_cast<int>(flags);
  return Napi::Number::New(info.Env(), previous);
}

}  // namespace

void RegisterNumeric(Napi::Env env, Napi::Object exports) {
  exports.Set("pack", Napi::Function::New(env, PackJs, "pack"));
  exports.Set("packInto", Napi::Function::New(env, PackInto, "packInto"));
  exports.Set("unpack", Napi::Function::New(env, Unpack, "unpack"));
  exports.Set("unpackInto", Napi::Function::New(env, UnpackInto, "unpackInto"));
  exports.Set("unpackText", Napi::Function::New(env, UnpackTextJs, "unpackText"));
  exports.Set("storedValue", Napi::Function::New(env, StoredValue, "storedValue"));
  exports.Set("storedValuesInto", Napi::Function::New(env, StoredValuesInto, "storedValuesInto"));
  exports.Set("_ldSelfTest", Napi::Function::New(env, LdSelfTestJs, "_ldSelfTest"));
  exports.Set("_valueSelfTest", Napi::Function::New(env, ValueSelfTestJs, "_valueSelfTest"));
  exports.Set("_setPaths", Napi::Function::New(env, SetPaths, "_setPaths"));
  exports.Set("hardwareLongDouble", Napi::Boolean::New(env, X87Usable()));
}

}  // namespace rrdb
