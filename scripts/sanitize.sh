#!/usr/bin/env bash
# Builds the native addon with AddressSanitizer + UndefinedBehaviorSanitizer (CMakeLists.txt, cmake-js,
# offline against the local Node headers) and runs the suites that exercise the addon against it: the
# numeric and formatter contract and differential suites, the property and hostile-input suites, and
# test/sanitizer.test.ts (which first proves that this setup reports a planted fault at all).
#
#   scripts/sanitize.sh                 # build + run the default suites
#   scripts/sanitize.sh --build-only
#   SANITIZE_SUITES='dist/test/format-*.test.js' scripts/sanitize.sh
#
# Environment: SANITIZE_CXX (clang++ if installed, else g++), SANITIZE_DIR (build-sanitize),
# SANITIZE_SUITES (mocha spec globs), npm_config_nodedir (Node headers; default: this node's prefix).
# A sanitizer report aborts the test process: the exit status is non-zero and the report is on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${SANITIZE_DIR:-build-sanitize}
if [ -n "${SANITIZE_CXX:-}" ]; then CXX=$SANITIZE_CXX
elif command -v clang++ >/dev/null 2>&1; then CXX=clang++
else CXX=g++; fi
case "$CXX" in *clang*) CC=${CXX/clang++/clang} ;; *) CC=${CXX/g++/gcc} ;; esac
DEFAULT_SUITES='dist/test/numeric-*.test.js dist/test/format-*.test.js dist/test/native-ld.test.js dist/test/ld-*.test.js
  dist/test/conformance.test.js dist/test/rrd*.test.js dist/test/simple-pattern.test.js dist/test/hostile*.test.js
  dist/test/sanitizer*.test.js'
SUITES=${SANITIZE_SUITES:-$DEFAULT_SUITES}

log() { printf '[sanitize] %s\n' "$*"; }
die() { printf '[sanitize] ERROR: %s\n' "$*" >&2; exit 2; }

build_only=0
for a in "$@"; do
  case "$a" in
    --build-only) build_only=1 ;;
    *) die "unknown argument '$a'; accepted: --build-only" ;;
  esac
done
command -v "$CXX" >/dev/null 2>&1 || die "$CXX not found (install clang + libclang-rt-dev, or set SANITIZE_CXX=g++)"

# ---- build (offline) -------------------------------------------------------------------------------
# cmake-js reads the headers' location from npm_config_nodedir (its "runtime directory") and downloads
# only when <nodedir>/include/node/node.h is missing. The mirror is pointed at a closed local port so
# that a download attempt fails loudly instead of reaching the network.
NODEDIR=${npm_config_nodedir:-$(node -p "require('path').resolve(process.execPath, '..', '..')")}
[ -f "$NODEDIR/include/node/node_api.h" ] || die "no Node headers in $NODEDIR/include/node (set npm_config_nodedir)"
t0=$(date +%s)
mkdir -p "$OUT"
env npm_config_nodedir="$NODEDIR" NVM_NODEJS_ORG_MIRROR=http://127.0.0.1:9/ CC="$CC" CXX="$CXX" \
  node node_modules/cmake-js/bin/cmake-js build --out "$OUT" --log-level warn \
  --CDRRDB_SANITIZE=address,undefined --CDCMAKE_CXX_COMPILER="$(command -v "$CXX")" >"$OUT/cmake-js.log" 2>&1 ||
  { tail -40 "$OUT/cmake-js.log" >&2; die "cmake-js build failed (log: $OUT/cmake-js.log)"; }
ADDON=$PWD/$OUT/Release/rrd_backends.node
CANARY=$PWD/$OUT/Release/rrd_sanitizer_canary.node
[ -f "$ADDON" ] || die "the build did not produce $ADDON"
# The instrumented addon calls the ASan runtime: a build that silently lost its flags is refused.
syms=$(nm -D "$ADDON")
grep -q '__asan_report_load' <<<"$syms" || die "$ADDON has no AddressSanitizer instrumentation"
grep -q '__ubsan_handle' <<<"$syms" || die "$ADDON has no UndefinedBehaviorSanitizer instrumentation"
log "built $ADDON with $CXX in $(($(date +%s) - t0)) s (headers: $NODEDIR/include/node)"
[ "$build_only" -eq 0 ] || exit 0

# ---- run -------------------------------------------------------------------------------------------
# node itself is not instrumented, so the runtime must be loaded first, before libc: LD_PRELOAD.
case "$CXX" in
  *clang*) RUNTIME=$("$CXX" -print-file-name=libclang_rt.asan-x86_64.so) ;;
  *) RUNTIME=$("$CXX" -print-file-name=libasan.so) ;;
esac
[ -f "$RUNTIME" ] || die "ASan runtime $RUNTIME not found"
if [ ! -f dist/test/numeric-contract.test.js ] || [ -n "$(find lib test -name '*.ts' -newer dist/test/numeric-contract.test.js -print -quit)" ]; then
  log "compiling TypeScript (npx tsc -p tsconfig.json)"
  npx tsc -p tsconfig.json >/dev/null || true # tsc emits despite type errors elsewhere; the suites decide
fi
# Leak detection is off: V8 and libuv keep memory until exit, which LSan would report by the hundred;
# the fuzz targets (scripts/fuzz.sh) check the kernels for leaks instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# shellcheck disable=SC2086 # SUITES is a list of globs
set -- $SUITES
log "running $# suite files with LD_PRELOAD=$RUNTIME"
t0=$(date +%s)
rc=0
env LD_PRELOAD="$RUNTIME" RRD_BACKENDS_NATIVE=1 RRD_BACKENDS_ADDON_PATH="$ADDON" RRD_BACKENDS_SANITIZER_CANARY="$CANARY" \
  node node_modules/mocha/bin/mocha.js --no-config --timeout 120000 --reporter dot "$@" || rc=$?
log "suites finished in $(($(date +%s) - t0)) s, exit $rc"
exit "$rc"
