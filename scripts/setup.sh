#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian 12 machine:
# Debian packages for the browser tests and the C host tests, then the pinned
# npm dependencies. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang + libclang-rt-14-dev: libFuzzer and the sanitizer runtimes (not pulled
# in by clang without recommends); bind9-dnsutils: dig, the real DNS client
# tests/c/test_dns_dig.c checks the captive portal's responder with;
# libmbedtls-dev: mbedTLS 2.28 for the signature check of uploaded cores
# (host/portable/core_sig.c); lld: wasm-ld, which links the validator's Wasm
# build for the simulator (scripts/build-validator.sh).
apt_packages=(chromium libcmocka-dev cppcheck cmake gcc make pkg-config wabt clang libclang-rt-14-dev bind9-dnsutils libmbedtls-dev lld)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]} (about a minute)"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: Debian packages already present (${apt_packages[*]})"
fi

echo "setup: installing npm dependencies from package-lock.json"
npm ci --no-audit --no-fund
