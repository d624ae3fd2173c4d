#!/usr/bin/env bash
# C host tests: builds the portable C with gcc + cmocka under ASan/UBSan,
# runs every test binary, runs cppcheck over host/ and main/, and ends with
# one "N passed, N failed" line (cmocka test totals; a binary or cppcheck
# failure that reported no count adds one failure). Exit status 0 only if
# everything passed.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=tests/c/build

passed=0
failed=0
finish() {
  echo "$passed passed, $failed failed"
  if ((failed > 0)); then exit 1; fi
  exit 0
}

if [[ ! -f dist/core.wasm ]]; then
  echo "tests/c: dist/core.wasm is missing: run npm run asbuild first" >&2
  failed=1
  finish
fi

for tool in cmake pkg-config cppcheck; do
  if ! command -v "$tool" >/dev/null; then
    echo "tests/c: $tool not found: run npm run setup (apt packages cmake gcc make pkg-config libcmocka-dev cppcheck)" >&2
    failed=1
    finish
  fi
done

# Signed-core fixtures (docs/update.md "Tests"): built fresh with a
# throwaway key pair; test_core_image and test_core_sig read them.
echo "==> core fixtures (tests/support/core-fixtures.ts)"
mkdir -p "$build"
if node --import tsx tests/support/core-fixtures.ts test-output/core-fixtures >"$build/fixtures.txt" 2>&1; then
  echo "core fixtures: $(($(wc -l <test-output/core-fixtures/manifest.tsv) - 1)) in test-output/core-fixtures"
else
  cat "$build/fixtures.txt" >&2
  echo "tests/c: building the core fixtures failed (npm ci done? dist/core.wasm built?)" >&2
  failed=$((failed + 1))
fi

echo "==> configure + build ($build)"
log="$build/cmake-output.txt"
if ! cmake -S tests/c -B "$build" -DCMAKE_BUILD_TYPE=Debug >"$log" 2>&1 ||
   ! cmake --build "$build" --parallel >>"$log" 2>&1; then
  cat "$log" >&2
  echo "tests/c: build failed" >&2
  failed=1
  finish
fi

# cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)," per group.
for exe in "$build"/test_*; do
  [[ -x "$exe" && -f "$exe" ]] || continue
  name=$(basename "$exe")
  echo "==> $name"
  out=$("$exe" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
  if ((rc != 0 && f == 0)); then
    echo "tests/c: $name exited with $rc without reporting a failed test (crash or setup failure)" >&2
    failed=$((failed + 1))
  fi
done

# libFuzzer harnesses over the parsers of untrusted bytes, under ASan/UBSan:
# a fixed number of runs from a fixed seed, starting from the corpus in the
# repo; inputs they find go to a scratch folder, not the repo. Each harness
# counts as one pass or one failure.
fuzz_dir=tests/c/fuzz
fuzz_new="$build/fuzz-new"

# fuzz NAME RUNS "SOURCES..." [LIBFUZZER ARGS...]: builds tests/c/fuzz/NAME.c
# with the portable SOURCES and runs it on tests/c/fuzz/corpus/${NAME#fuzz_}.
fuzz() {
  local name=$1 runs=$2 sources=$3
  shift 3
  local bin="$build/$name"
  echo "==> $name (libFuzzer, $runs runs)"
  if ! command -v clang >/dev/null; then
    echo "tests/c: clang not found: run npm run setup (apt packages clang libclang-rt-14-dev)" >&2
    failed=$((failed + 1))
    return
  fi
  # shellcheck disable=SC2086 # SOURCES is a list of words
  if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -I host/portable \
       "$fuzz_dir/$name.c" $sources -o "$bin" 2>"$build/fuzz-build.txt"; then
    cat "$build/fuzz-build.txt" >&2
    echo "tests/c: $name did not build (libFuzzer runtime or libmbedtls-dev missing? npm run setup)" >&2
    failed=$((failed + 1))
    return
  fi
  rm -rf "$fuzz_new" && mkdir -p "$fuzz_new"
  if "$bin" "$fuzz_new" "$fuzz_dir/corpus/${name#fuzz_}" -runs="$runs" -seed=1 "$@" \
       -artifact_prefix="$build/" >"$build/fuzz-log.txt" 2>&1; then
    grep -E '^Done|^#[0-9]+ *DONE' "$build/fuzz-log.txt" || true
    passed=$((passed + 1))
  else
    tail -40 "$build/fuzz-log.txt" >&2
    echo "tests/c: $name found a failing input (saved under $build/crash-*): reproduce with $bin FILE" >&2
    failed=$((failed + 1))
  fi
}

# The captive portal's DNS responder.
fuzz fuzz_dns_answer 1000000 "host/portable/dns_answer.c"
# The Transfer-/Content-Encoding decision, checked against a reference
# implementation inside the harness.
fuzz fuzz_http_coding 1000000 "host/portable/http_coding.c" -max_len=96
# The signed-core validator and the DER parser of core_sig.c: untrusted
# uploads. Seeds are fixtures; the dictionary holds the names and opcodes the
# validator looks for.
fuzz fuzz_core_image 300000 "host/portable/core_image.c host/portable/wasm_code.c host/portable/core_abi.c host/portable/core_sig.c -I tests/c/support tests/c/support/der_encode.c -lmbedcrypto" \
  -dict="$fuzz_dir/core_image.dict"
# The rollback request body (JSON + base64).
fuzz fuzz_core_rollback 300000 "host/portable/core_rollback.c" -dict="$fuzz_dir/core_rollback.dict"

echo "==> cppcheck host/ main/"
# ESP-IDF, FreeRTOS and WAMR headers are not installed here: system-include
# lookups are suppressed and the Kconfig values are given explicitly, so
# cppcheck checks exactly the configuration the defaults build.
cppcheck_defs=(
  -DESP_PLATFORM=1
  -DCONFIG_LWIP_MAX_SOCKETS=16
  -DCONFIG_IDF_TARGET=\"esp32\"
  -DCONFIG_IDF_TARGET_ESP32=1
  -DCONFIG_WASM_LED_WIFI_SSID=\"ESP32SSID\"
  -DCONFIG_WASM_LED_WIFI_PASSWORD=\"secret123\"
  -DCONFIG_WASM_LED_WIFI_COUNTRY=\"01\"
  -DCONFIG_WASM_LED_WIFI_CHANNEL=1
  -DCONFIG_WASM_LED_WIFI_MAX_STA=4
  -DCONFIG_WASM_LED_SWITCH_GPIO=0
  -DCONFIG_WASM_LED_LED_GPIO=4
  -DCONFIG_WASM_LED_MAX_SSE_CLIENTS=10
  -DCONFIG_WASM_LED_DEBOUNCE_MS=30
  -DCONFIG_WASM_LED_SSE_KEEPALIVE_MS=15000
  -DCONFIG_WASM_LED_SSE_WRITE_BUDGET_MS=100
  -DCONFIG_WASM_LED_WAMR_POOL_KB=40
  -DCONFIG_WASM_LED_CAPTIVE_PORTAL=1
  -DCONFIG_WASM_LED_MDNS_HOSTNAME=\"esp32-led\"
  -DCONFIG_WASM_LED_JOIN_QR=1
  -DCONFIG_WASM_LED_CORE_PUBKEY=\"\"
  -DCONFIG_WASM_LED_CORE_MAX_KB=32
  -DCONFIG_WASM_LED_CORE_WATCH_TRAPS=3
  -DCONFIG_WASM_LED_CORE_WATCH_WINDOW_S=60
)
if cppcheck --enable=warning,style,performance,portability --error-exitcode=1 --inline-suppr \
     --std=c11 --quiet --suppress=missingIncludeSystem --suppress=missingInclude \
     -I host/portable -I host/wamr -I host/esp -I host/include "${cppcheck_defs[@]}" \
     host main 2>&1 | tee "$root/tests/c/cppcheck.log"; then
  if [[ -s "$root/tests/c/cppcheck.log" ]]; then
    echo "tests/c: cppcheck reported findings" >&2
    failed=$((failed + 1))
  else
    echo "cppcheck: clean"
  fi
else
  echo "tests/c: cppcheck failed" >&2
  failed=$((failed + 1))
fi
rm -f "$root/tests/c/cppcheck.log"

finish
