#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: the real receivers the integration tests start
# themselves (test/support/receivers.ts) and the native addon's build tools. Idempotent: when
# `dpkg-query` says every package is installed it does nothing (no apt-get update either).
# Nothing is started here; the tests start each receiver on 127.0.0.1 with free ports.
set -euo pipefail

# The receivers and tools the tests use (package -> what the tests run):
#   graphite-carbon  carbon-cache      python3-whisper  whisper-create/-update
#   victoria-metrics victoria-metrics  prometheus       prometheus
#   influxdb         influxd           netcat-openbsd   nc
#   openssl          openssl (test CA and certificates)
RECEIVER_PACKAGES=(graphite-carbon python3-whisper victoria-metrics prometheus influxdb netcat-openbsd openssl chromium)
# node-gyp needs a compiler, make and python3 to build the addon from source (RRD_BACKENDS_NATIVE=1).
BUILD_PACKAGES=(g++ make python3 cmake clang libclang-rt-dev) # cmake, clang, libclang-rt-dev: scripts/sanitize.sh (cmake-js, ASan/UBSan) and scripts/fuzz.sh (libFuzzer)
# Executables that must exist afterwards, checked so a broken install fails here, not mid-test.
REQUIRED_COMMANDS=(carbon-cache whisper-create whisper-update victoria-metrics prometheus influxd nc openssl g++ make python3)

export DEBIAN_FRONTEND=noninteractive
APT_TIMEOUT_S=${APT_TIMEOUT_S:-1200}

log() { printf '[install-deps] %s\n' "$*"; }
die() {
  printf '\n[install-deps] ERROR: %s\n\n' "$*" >&2
  exit 1
}

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = 'install ok installed' ]
}

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot apt-get install (run as root, or install: ${RECEIVER_PACKAGES[*]} ${BUILD_PACKAGES[*]})"
  SUDO=(sudo -n)
fi

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

missing=()
for p in "${RECEIVER_PACKAGES[@]}" "${BUILD_PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "all packages already installed: ${RECEIVER_PACKAGES[*]} ${BUILD_PACKAGES[*]}"
else
  log "installing: ${missing[*]}"
  start=$(date +%s)

  # The receivers ship init scripts/units; the tests start their own instances, so keep apt from
  # starting the system services (policy-rc.d 101 = "action forbidden"). Only when no policy exists,
  # and removed again on exit.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$policy" >/dev/null
    "${SUDO[@]}" chmod 755 "$policy"
    trap '"${SUDO[@]}" rm -f "$policy"' EXIT
  fi

  apt_opts=(-o Acquire::Retries=3 -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
  log "apt-get update"
  timeout "$APT_TIMEOUT_S" "${SUDO[@]}" apt-get "${apt_opts[@]}" update -q ||
    die "apt-get update failed (exit $?): check the network to the Debian mirrors"
  log "apt-get install -y --no-install-recommends ${missing[*]}"
  timeout "$APT_TIMEOUT_S" "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" ||
    die "apt-get install failed (exit $?) for: ${missing[*]} -- check the names with apt-cache policy"

  for p in "${missing[@]}"; do
    is_installed "$p" || die "package $p is still not installed after apt-get install"
  done
  log "installed in $(($(date +%s) - start)) s"
fi

for c in "${REQUIRED_COMMANDS[@]}"; do
  command -v "$c" >/dev/null 2>&1 || die "command $c not found after installing its package"
done
for p in "${RECEIVER_PACKAGES[@]}"; do
  printf '[install-deps]   %-18s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p")"
done
