#!/usr/bin/env bash
# Runs every test suite of the project in order and prints one total line.
# Suites: core (as-pect), node (contract, SSE round-trip, HTTP, faults),
# c (cmocka + cppcheck), e2e (Chromium). Each prints its own summary; this
# script adds them up so a single "N passed, N failed" line closes the run.
set -uo pipefail
cd "$(dirname "$0")/.."

out_dir=test-output
mkdir -p "$out_dir"
total_pass=0
total_fail=0
failed_stages=()

step() { printf '\n==> %s\n' "$*"; }

# Adds the counts a suite printed to the totals: as-pect/C print
# "N passed, N failed", node:test prints "# pass N" / "# fail N".
count() {
  local log=$1 p f
  p=$(grep -Eo '^(# pass [0-9]+|[0-9]+ passed, [0-9]+ failed)' "$log" | tail -1 | grep -Eo '[0-9]+' | head -1)
  if grep -Eq '^# fail [0-9]+' "$log"; then
    f=$(grep -Eo '^# fail [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  else
    f=$(grep -Eo '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 | grep -Eo '[0-9]+' | tail -1)
  fi
  total_pass=$((total_pass + ${p:-0}))
  total_fail=$((total_fail + ${f:-0}))
}

run_stage() {
  local name=$1; shift
  step "$name: $*"
  local log="$out_dir/$name.log"
  if "$@" 2>&1 | tee "$log"; then
    count "$log"
  else
    count "$log"
    failed_stages+=("$name")
    # A stage that died before printing any count still counts as a failure.
    grep -Eq '^(# fail [1-9]|[0-9]+ passed, [1-9][0-9]* failed)' "$log" || total_fail=$((total_fail + 1))
  fi
}

step "build: dist/core.wasm (debug + release) and the page"
if ! npm run --silent asbuild || ! npm run --silent build:validator; then
  echo "build failed: fix the compiler errors above, then run 'npm test' again" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

run_stage typecheck npm run --silent typecheck
run_stage core npm run --silent test:core
run_stage node npm run --silent test:node
run_stage c npm run --silent test:c
run_stage e2e npm run --silent test:e2e

step "summary"
if ((${#failed_stages[@]})); then
  echo "failed stages: ${failed_stages[*]} (logs in $out_dir/)"
fi
echo "total: $total_pass passed, $total_fail failed"
((${#failed_stages[@]} == 0 && total_fail == 0))
