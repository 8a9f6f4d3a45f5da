#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (clang, -fsanitize=fuzzer,address,undefined) against the native
# kernel sources that do not need Node (every native/*.cc without N-API), seeds them from the golden
# vectors (fuzz/make-seeds.js) and runs each for a bounded time. Exit status non-zero = a finding (the
# crashing input is left in build-fuzz/artifacts/), a build failure, or a target that did not run.
#
#   scripts/fuzz.sh                      # every target, FUZZ_SECONDS (default 60) each
#   FUZZ_SECONDS=10 scripts/fuzz.sh format
#   scripts/fuzz.sh --build-only
#   build-fuzz/fuzz_format build-fuzz/artifacts/crash-...   # reproduce a finding
#
# Environment: FUZZ_SECONDS (per target), CXX (default clang++), FUZZ_DIR (default build-fuzz),
# RRD_VECTORS_DIR (default ../shared/vectors). The corpus grows in $FUZZ_DIR/corpus/<target> and is kept
# between local runs; CI starts from the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CXX=${FUZZ_CXX:-clang++}
OUT=${FUZZ_DIR:-build-fuzz}
ALL_TARGETS=(storage_number format)

log() { printf '[fuzz] %s\n' "$*"; }
die() { printf '[fuzz] ERROR: %s\n' "$*" >&2; exit 2; }

build_only=0
targets=()
for a in "$@"; do
  case "$a" in
    --build-only) build_only=1 ;;
    storage_number | format) targets+=("$a") ;;
    *) die "unknown argument '$a'; accepted: --build-only, ${ALL_TARGETS[*]}" ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=("${ALL_TARGETS[@]}")
[[ "$FUZZ_SECONDS" =~ ^[0-9]+$ ]] && [ "$FUZZ_SECONDS" -ge 1 ] || die "FUZZ_SECONDS='$FUZZ_SECONDS' is not accepted; accepted: a whole number of seconds >= 1"
command -v "$CXX" >/dev/null 2>&1 || die "$CXX not found: install clang and libclang-rt-dev (.ci/install-deps.sh)"

mkdir -p "$OUT/artifacts"
# The kernel sources that include neither napi.h nor binding_parts.h: the fuzz targets call them directly.
mapfile -t kernel_sources < <(grep -L -e 'napi.h' -e 'binding_parts.h' native/*.cc | sort)
flags=(-std=c++17 -O1 -g -fno-omit-frame-pointer -Inative
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Wall -Wextra -Wno-unused-parameter)

for t in "${targets[@]}"; do
  t0=$(date +%s)
  "$CXX" "${flags[@]}" "fuzz/fuzz_${t}.cc" "${kernel_sources[@]}" -o "$OUT/fuzz_${t}"
  log "built $OUT/fuzz_${t} in $(($(date +%s) - t0)) s (${#kernel_sources[@]} kernel sources)"
done
[ "$build_only" -eq 0 ] || exit 0

if [ ! -f dist/lib/formats/index.js ]; then
  log "dist/ missing: npx tsc -p tsconfig.json (the format seeds come from the real chart plans)"
  npx tsc -p tsconfig.json >/dev/null || true
fi
node fuzz/make-seeds.js "$OUT/seeds"

# detect_leaks stays on: the kernels allocate nothing that should outlive a call.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  corpus="$OUT/corpus/$t"
  mkdir -p "$corpus"
  log "fuzz_${t}: ${FUZZ_SECONDS} s, corpus $corpus + seeds $OUT/seeds/$t"
  t0=$(date +%s)
  rc=0
  # -timeout: one input taking > 10 s is a finding (a hang); -rss_limit_mb bounds memory.
  "$OUT/fuzz_${t}" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$OUT/artifacts/${t}-" "$corpus" "$OUT/seeds/$t" \
    >"$OUT/fuzz_${t}.log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|INFO: seed corpus)' "$OUT/fuzz_${t}.log" | sed 's/^/[fuzz]   /' || true
  if [ "$rc" -ne 0 ]; then
    log "fuzz_${t}: FINDING (exit $rc) after $(($(date +%s) - t0)) s; log $OUT/fuzz_${t}.log:"
    grep -E 'FINDING|ERROR: |SUMMARY|runtime error|Test unit written' "$OUT/fuzz_${t}.log" | head -20 >&2 || true
    status=1
  else
    log "fuzz_${t}: no findings in $(($(date +%s) - t0)) s"
  fi
done
exit "$status"
