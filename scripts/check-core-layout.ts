// Post-build check run by `npm run asbuild:release` / `asbuild:debug`: the
// optimised core must keep exactly a whole number of 4 KiB pages of linear
// memory under WAMR 2.4.0 on ESP-IDF, with no checked aux-stack global.set.
// The rules are emulated (with WAMR source citations) in
// tests/support/wamr-memory.ts; this only applies them and says what to do.
//
//   node --import tsx scripts/check-core-layout.ts dist/core.wasm [...]

import { readFileSync } from "node:fs";
import { readWasm } from "../tests/support/wasm-binary.ts";
import { layoutProblems, wamrMemory } from "../tests/support/wamr-memory.ts";

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: node --import tsx scripts/check-core-layout.ts <core.wasm> [...]\n");
  process.exit(2);
}
let failed = false;
for (const file of files) {
  const m = wamrMemory(readWasm(readFileSync(file)));
  const problems = layoutProblems(m);
  const stack = m.auxStack ? `aux stack global ${m.auxStack.globalIndex} size ${m.auxStack.size}` : "no aux stack";
  process.stdout.write(`${file}: __data_end ${m.dataEnd}, __heap_base ${m.heapBase}; WAMR keeps ${m.allocatedBytes} B ` +
    `(bounds ${m.boundsBytes} B on ESP-IDF), ${stack}\n`);
  if (problems.length === 0) continue;
  failed = true;
  for (const p of problems) process.stderr.write(`${file}: ${p}\n`);
}
if (failed) {
  process.stderr.write([
    "What to do:",
    "- build with `npm run asbuild:release` / `asbuild:debug`: they pass `--transform ./scripts/asc-heap-base-page.js`, which",
    "  moves __heap_base to the next 4 KiB page above the static data;",
    "- no memory.grow / memory.size in core/ (keep asconfig.json's stub runtime; nothing may allocate);",
    "- aux stack: WAMR takes the first mutable i32 global whose initial value is <= __heap_base (order as in the",
    "  .wat) as a stack pointer; give it the initial value 0 and set its real value in init().",
    "",
  ].join("\n"));
  process.exit(1);
}
