#pragma once
#include <napi.h>

namespace rrdb {

// Must equal KERNEL_ABI in lib/kernels/types.ts.
constexpr int kKernelAbi = 1;

// native/numeric_binding.cc: storage numbers, value calculation (SPEC §2, §3).
void RegisterNumeric(Napi::Env env, Napi::Object exports);
// native/format_binding.cc: batch formatting of charts (SPEC §4).
void RegisterFormat(Napi::Env env, Napi::Object exports);

}  // namespace rrdb
