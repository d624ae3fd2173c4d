// The conditions under which WAMR keeps only the data size of the core's
// linear memory instead of a 64 KiB page (docs/abi.md "Memory"): no
// memory.grow / memory.size in any function, exactly one memory, and
// immutable i32 exports __heap_base / __data_end with __data_end <= __heap_base.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import binaryen from "binaryen";
import { RELEASE_WASM } from "../support/core-loader.ts";
import { countOpcode, exportedGlobal, readWasm } from "../support/wasm-binary.ts";

const bytes = readFileSync(RELEASE_WASM);
const info = readWasm(bytes);

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

test("__heap_base / __data_end: immutable i32, __data_end <= __heap_base, data inside", (t) => {
  const heapBase = exportedGlobal(info, "__heap_base");
  const dataEnd = exportedGlobal(info, "__data_end");
  for (const g of [heapBase, dataEnd]) {
    assert.equal(g.type, "i32");
    assert.equal(g.mutable, false);
    assert.equal(typeof g.init, "number");
  }
  assert.ok(dataEnd.init! <= heapBase.init!);
  for (const seg of info.data) {
    assert.equal(typeof seg.offset, "number", "active data segment with a constant offset");
    assert.ok(seg.offset! + seg.size <= dataEnd.init!, `segment at ${seg.offset} (+${seg.size}) ends before __data_end`);
  }
  assert.ok(heapBase.init! < 65536);
  const size = statSync(RELEASE_WASM).size;
  t.diagnostic(`dist/core.wasm: ${size} bytes, __heap_base ${heapBase.init}, __data_end ${dataEnd.init}`);
  console.log(`core.wasm release size ${size} bytes; data size (__heap_base) ${heapBase.init} bytes; __data_end ${dataEnd.init}`);
});

test("the only imports are the host functions (no env.abort, env.seed)", () => {
  assert.deepEqual(info.imports.map((i) => `${i.module}.${i.name}`).sort(),
    ["host.led_set", "host.sse_broadcast", "host.sse_send"]);
});
