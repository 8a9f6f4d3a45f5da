// PLACEHOLDER owned by the native-numeric work.
#include "binding_parts.h"
namespace rrdb {
void RegisterNumeric(Napi::Env env, Napi::Object exports) {}
}  // namespace rrdb
