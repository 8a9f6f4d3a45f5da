// Module entry: each part of the addon registers its functions here.
#include <napi.h>
#include "binding_parts.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abi", Napi::Number::New(env, rrdb::kKernelAbi));
  rrdb::RegisterNumeric(env, exports);
  rrdb::RegisterFormat(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(rrd_backends, Init)
