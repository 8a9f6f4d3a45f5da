// PLACEHOLDER owned by the formatter work.
#include "binding_parts.h"
namespace rrdb {
void RegisterFormat(Napi::Env env, Napi::Object exports) {}
}  // namespace rrdb
