#!/usr/bin/env bash
# Builds dist/core_image.wasm: the firmware's signed-core validator
# (host/portable/core_image.c, wasm_code.c, core_abi.c) and the trial's frame
# checker (sse_frame.c) compiled unchanged to
# freestanding Wasm with Debian's clang + lld, for the simulator
# (scripts/core-validator.ts loads it). No libc: the handful of string
# functions come from scripts/validator-wasm/.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in clang wasm-ld; do
  if ! command -v "$tool" >/dev/null; then
    echo "build-validator: $tool not found: run npm run setup (apt packages clang lld)" >&2
    exit 1
  fi
done

mkdir -p dist
out=dist/core_image.wasm
clang --target=wasm32 -std=c11 -O2 -ffreestanding -fno-builtin -nostdlib \
  -Wall -Wextra -Werror -Wshadow -Wconversion -Wno-sign-conversion \
  -isystem scripts/validator-wasm/include -I host/portable \
  -Wl,--no-entry -Wl,--strip-all -Wl,-z,stack-size=65536 \
  -o "$out" \
  scripts/validator-wasm/validator_wasm.c \
  host/portable/core_image.c host/portable/wasm_code.c host/portable/core_abi.c host/portable/sse_frame.c
echo "build-validator: $out ($(wc -c <"$out") bytes)"
