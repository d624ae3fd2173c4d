// How much linear memory WAMR 2.4.0 keeps for the core on ESP-IDF
// (docs/abi.md "Memory"). The rules are emulated in
// tests/support/wamr-memory.ts, each with the file and line of WAMR-2.4.0 it
// comes from: the loader shrinks memory to align8(__heap_base) only without
// memory.grow/memory.size (wasm_loader.c:6498, 14194, 14206) and with
// immutable i32 __heap_base/__data_end where align16(__data_end) <=
// __heap_base (6269-6313, 6332-6333); the first mutable i32 global whose
// initial value is <= __heap_base becomes the aux stack pointer
// (6340-6366) and, with a non-zero size, every global.set to it is checked
// (14039-14059; wasm_interp_fast.c:3688-3696); on ESP-IDF
// (platform_internal.h:137-141, page 4096) the bounds are the shrunk size
// rounded up to 4096 while only the shrunk size is allocated
// (wasm_memory.c:1958, 1969-1973, 1986). The core must keep exactly 4096 B
// with bounds == allocation; crafted modules show each rule can fail.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import binaryen from "binaryen";
import asc from "assemblyscript/asc";
import { DEBUG_WASM, RELEASE_WASM } from "../support/core-loader.ts";
import { countOpcode, exportedGlobal, readWasm } from "../support/wasm-binary.ts";
import { auxStackSetTraps, ESP_IDF_PAGE_SIZE, layoutProblems, wamrMemory, type WamrMemory } from "../support/wamr-memory.ts";
import { craftModule, type CraftSpec } from "../support/wasm-craft.ts";

const bytes = readFileSync(RELEASE_WASM);
const info = readWasm(bytes);

const crafted = (spec: CraftSpec): WamrMemory => wamrMemory(readWasm(craftModule(spec)));
const describe = (m: WamrMemory): string =>
  `__data_end ${m.dataEnd} (align16 ${m.auxDataEnd}), __heap_base ${m.heapBase} -> page bytes ${m.bytesPerPage} x ${m.initPages}, ` +
  `allocated ${m.allocatedBytes} B, bounds ${m.boundsBytes} B, aux stack ${m.auxStack ? `global ${m.auxStack.globalIndex} init ${m.auxStack.top} size ${m.auxStack.size}` : "none"}`;

test("the decoder walks every function body and sees real instructions", () => {
  const defined = info.functionTypes.length - info.imports.filter((i) => i.kind === "function").length;
  assert.equal(info.bodies.length, defined);
  assert.ok(countOpcode(info, "call") > 0, "the core calls its host imports");
});

test("the decoder finds memory.grow and memory.size when they are there", () => {
  // A module built with binaryen that does contain both, so the check below can fail.
  const m = new binaryen.Module();
  m.setMemory(1, 2);
  m.addFunction("f", binaryen.none, binaryen.i32, [],
    m.i32.add(m.memory.size(), m.memory.grow(m.i32.const(0x40))));
  m.addFunctionExport("f", "f");
  assert.ok(m.validate());
  const probe = readWasm(m.emitBinary());
  m.dispose();
  assert.equal(countOpcode(probe, "memory.size"), 1);
  assert.equal(countOpcode(probe, "memory.grow"), 1);
});

test("release core has no memory.grow, memory.size or bulk-memory instruction", () => {
  for (const op of ["memory.grow", "memory.size", "memory.copy", "memory.fill", "memory.init", "data.drop"]) {
    assert.equal(countOpcode(info, op), 0, `${op} in dist/core.wasm`);
  }
});

test("binaryen agrees: no MemoryGrow / MemorySize expression", () => {
  const m = binaryen.readBinary(bytes);
  const found: string[] = [];
  const text = m.emitText();
  m.dispose();
  for (const op of ["memory.grow", "memory.size"]) if (text.includes(op)) found.push(op);
  assert.deepEqual(found, []);
});

test("exactly one memory, no imported memory, one page at most", () => {
  assert.equal(info.memories.length, 1);
  assert.ok(!info.imports.some((i) => i.kind === "memory"));
  assert.equal(info.memories[0]!.min, 1);
  assert.equal(info.memories[0]!.max, 1);
});

test("every data segment lies below __data_end", () => {
  const dataEnd = exportedGlobal(info, "__data_end").init!;
  for (const seg of info.data) {
    assert.equal(typeof seg.offset, "number", "active data segment with a constant offset");
    assert.ok(seg.offset! + seg.size <= dataEnd, `segment at ${seg.offset} (+${seg.size}) ends before __data_end`);
  }
});

for (const [label, file] of [["dist/core.wasm", RELEASE_WASM], ["dist/core.debug.wasm", DEBUG_WASM]] as const) {
  test(`${label}: WAMR on ESP-IDF keeps exactly 4096 B, bounds == allocation, no checked global.set`, (t) => {
    const m = wamrMemory(readWasm(readFileSync(file)));
    const line = `${label}: ${statSync(file).size} bytes; ${describe(m)}`;
    t.diagnostic(line);
    console.log(line);
    assert.equal(m.possibleMemoryGrow, false);
    assert.ok(m.auxDataEnd! <= m.heapBase!, `align16(__data_end) ${m.auxDataEnd} <= __heap_base ${m.heapBase}`);
    assert.equal(m.shrunk, true, m.notes.join("; "));
    assert.equal(m.heapBase! % ESP_IDF_PAGE_SIZE, 0, "__heap_base is a whole number of 4 KiB pages");
    assert.equal(m.allocatedBytes, 4096,
      "the core's static data no longer fits below 4096: update docs/core.md, docs/abi.md and docs/benchmarks.md to the new figure");
    assert.equal(m.boundsBytes, m.allocatedBytes);
    assert.equal(m.auxStack?.size, 0, "the aux stack global WAMR picks must have size 0");
    for (const v of [0, 1, 50, m.auxStack!.top, m.heapBase!, 65536, -1]) assert.equal(auxStackSetTraps(m.auxStack!, v), false);
    assert.deepEqual(layoutProblems(m), []);
  });
}

test("crafted 972/972 (the old core): align16(972) = 976 > 972, WAMR keeps the whole 64 KiB page", (t) => {
  const m = crafted({ dataEnd: 972, heapBase: 972, mutableGlobals: [0] });
  t.diagnostic(describe(m));
  assert.equal(m.shrunk, false);
  assert.equal(m.auxStack, null);
  assert.equal(m.allocatedBytes, 65536);
  assert.ok(layoutProblems(m).some((p) => p.includes("65536 B instead of shrinking")));
  // One byte short of the rounding is still refused; exactly 976 is accepted.
  assert.equal(crafted({ dataEnd: 961, heapBase: 975 }).shrunk, false);
  assert.equal(crafted({ dataEnd: 961, heapBase: 976 }).shrunk, true);
});

test("crafted 972/976: shrunk to 976 B, but ESP-IDF bounds-checks 4096 B of a 976 B allocation", (t) => {
  const m = crafted({ dataEnd: 972, heapBase: 976, mutableGlobals: [0] });
  t.diagnostic(describe(m));
  assert.equal(m.shrunk, true);
  assert.equal(m.allocatedBytes, 976);
  assert.equal(m.boundsBytes, 4096);
  assert.equal(wamrMemory(readWasm(craftModule({ dataEnd: 972, heapBase: 976 })), 976).boundsBytes, 976,
    "with a page size dividing the shrunk size the two agree");
  assert.ok(layoutProblems(m).some((p) => p.includes("bounds-check 4096 B but allocate 976 B")));
  // align8: a __heap_base of 4092 is shrunk to 4096.
  assert.equal(crafted({ dataEnd: 972, heapBase: 4092 }).allocatedBytes, 4096);
});

test("crafted 972/4096: the layout the core uses passes every check", (t) => {
  const m = crafted({ dataEnd: 972, heapBase: 4096, mutableGlobals: [0, 50] });
  t.diagnostic(describe(m));
  assert.deepEqual(layoutProblems(m), []);
  assert.equal(m.allocatedBytes, 4096);
});

test("crafted: memory.grow or memory.size anywhere keeps 64 KiB pages", () => {
  for (const op of [{ grow: true }, { size: true }]) {
    const m = crafted({ dataEnd: 972, heapBase: 4096, ...op });
    assert.equal(m.possibleMemoryGrow, true);
    assert.equal(m.shrunk, false);
    assert.equal(m.allocatedBytes, 65536);
    assert.equal(m.maxPages, 1);
    assert.ok(layoutProblems(m).length > 0);
  }
  // Two declared pages without growth and without a shrink: one "page" of
  // 128 KiB (wasm_loader.c:6558-6568); with a valid __heap_base: shrunk.
  const two = crafted({ dataEnd: 972, heapBase: 972, pages: [2, 2] });
  assert.deepEqual([two.bytesPerPage, two.initPages, two.allocatedBytes], [131072, 1, 131072]);
  assert.equal(crafted({ dataEnd: 972, heapBase: 4096, pages: [2, 2] }).allocatedBytes, 4096);
});

test("crafted: __heap_base mutable, imported, missing or beyond the initial memory is not shrunk", () => {
  const cases: Array<[string, CraftSpec]> = [
    ["mutable", { dataEnd: 972, heapBase: 4096, heapBaseMutable: true }],
    ["imported", { dataEnd: 972, heapBase: 4096, heapBaseImported: true }],
    ["no __data_end", { dataEnd: null, heapBase: 4096 }],
    ["no __heap_base", { dataEnd: 972, heapBase: null }],
    ["beyond one page", { dataEnd: 972, heapBase: 69632 }],
  ];
  for (const [name, spec] of cases) {
    const m = crafted(spec);
    assert.equal(m.shrunk, false, name);
    assert.equal(m.allocatedBytes, 65536, name);
    assert.ok(layoutProblems(m).length > 0, name);
  }
});

test("crafted: the first mutable i32 global <= __heap_base becomes the aux stack, and a non-zero size traps global.set", (t) => {
  // init 50 <= align16(__data_end): size = init (wasm_loader.c:6356-6359), range (0, 50].
  const small = crafted({ dataEnd: 972, heapBase: 4096, mutableGlobals: [50, 0] });
  t.diagnostic(describe(small));
  assert.deepEqual(small.auxStack, { globalIndex: 0, top: 50, size: 50 });
  assert.equal(auxStackSetTraps(small.auxStack!, 30), false);
  assert.equal(auxStackSetTraps(small.auxStack!, 50), false);
  assert.equal(auxStackSetTraps(small.auxStack!, 51), true, "underflow");
  assert.equal(auxStackSetTraps(small.auxStack!, 0), true, "overflow");
  assert.ok(layoutProblems(small).some((p) => p.includes("aux stack")));
  // init 2000 > align16(972) = 976: size = 2000 - 976, range (976, 2000].
  const big = crafted({ dataEnd: 972, heapBase: 4096, mutableGlobals: [2000] }).auxStack!;
  assert.deepEqual(big, { globalIndex: 0, top: 2000, size: 1024 });
  assert.deepEqual([976, 977, 2000, 2001].map((v) => auxStackSetTraps(big, v)), [true, false, false, true]);
  // init 5000 > __heap_base is skipped; the next one (0) is taken, size 0.
  assert.deepEqual(crafted({ dataEnd: 972, heapBase: 4096, mutableGlobals: [5000, 0] }).auxStack, { globalIndex: 1, top: 0, size: 0 });
  // -1 reads as 4294967295 (uint32), > __heap_base: skipped.
  assert.deepEqual(crafted({ dataEnd: 972, heapBase: 4096, mutableGlobals: [-1, 7] }).auxStack, { globalIndex: 1, top: 7, size: 7 });
  // No mutable global: __heap_base stands in with size 0 (6368-6379).
  const none = crafted({ dataEnd: 972, heapBase: 4096 });
  assert.equal(none.auxStack?.size, 0);
  assert.equal(none.auxStack?.top, 4096);
});

/** Compiles `source` like `npm run asbuild:release` does (asconfig.json + the heap-base transform). */
async function compileLikeTheCore(source: string): Promise<Uint8Array> {
  const outputs = new Map<string, Uint8Array | string>();
  const { error, stderr } = await asc.main(
    ["probe.ts", "--config", "asconfig.json", "--target", "release", "--outFile", "probe.wasm", "--textFile", "",
      "--transform", "./scripts/asc-heap-base-page.js"],
    {
      readFile: (name: string) => (name === "probe.ts" ? source : name === "asconfig.json" ? readFileSync("asconfig.json", "utf8") : null),
      writeFile: (name: string, contents: Uint8Array | string) => { outputs.set(name, contents); },
      listFiles: () => [],
    },
  );
  if (error) throw new Error(`${error.message}\n${stderr.toString()}`);
  const wasm = outputs.get("probe.wasm");
  if (!(wasm instanceof Uint8Array)) throw new Error("no probe.wasm written");
  return wasm;
}

test("the build's transform follows the static data: next 4 KiB page above align16(__data_end)", async (t) => {
  // memoryBase is 16: n bytes of static data end at 16 + n, which asc rounds up to 4.
  for (const [n, heapBase] of [[100, 4096], [4080, 4096], [4081, 8192], [12000, 12288]] as const) {
    const wasm = await compileLikeTheCore(`export function p(): usize { return memory.data(${n}); }\n` +
      "export { __heap_base, __data_end };\n");
    const m = wamrMemory(readWasm(wasm));
    t.diagnostic(`${n} B of static data: ${describe(m)}`);
    assert.equal(m.dataEnd, Math.ceil((16 + n) / 4) * 4);
    assert.equal(m.heapBase, heapBase);
    assert.deepEqual(layoutProblems(m), []);
  }
});

test("the only imports are the host functions (no env.abort, env.seed)", () => {
  assert.deepEqual(info.imports.map((i) => `${i.module}.${i.name}`).sort(),
    ["host.led_set", "host.sse_broadcast", "host.sse_send"]);
});
