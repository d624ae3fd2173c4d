// dist/core.wasm against the Imports and Exports tables of docs/abi.md:
// names, kinds and function types, read from the binary itself.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ABI_DOC, DEBUG_WASM, RELEASE_WASM, loadCore } from "../support/core-loader.ts";
import { exportedGlobal, formatType, functionType, readWasm, type WasmInfo } from "../support/wasm-binary.ts";

interface Row { name: string; cells: string[] }

/** Rows of the first table under the `## title` heading (until the next heading). */
function tableRows(doc: string, title: string): Row[] {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`## ${title}`));
  assert.ok(start >= 0, `docs/abi.md has a "## ${title}" section`);
  const rows: Row[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,3} /.test(line)) break;
    const m = /^\|\s*`([^`]+)`\s*\|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    const cells = m[2]!.split("|").map((c) => c.trim().replace(/^`|`$/g, ""));
    rows.push({ name: m[1]!, cells });
  }
  assert.ok(rows.length > 0, `the ${title} table has rows`);
  return rows;
}

/** Normalises `(i32,i32)->i32` spacing so doc and binary compare as text. */
function normType(t: string): string {
  return t.replace(/\s+/g, "").replace(/,/g, ", ").replace("->", " -> ");
}

/** Parameter count and result of a WAMR signature such as `(i*~)i`. */
function wamrShape(sig: string): { params: number; result: boolean } {
  const m = /^\(([iIfF*~$]*)\)([iIfF]?)$/.exec(sig);
  assert.ok(m, `WAMR signature ${sig} is well formed`);
  return { params: m[1]!.length, result: m[2] !== "" };
}

const doc = readFileSync(ABI_DOC, "utf8");
const importRows = tableRows(doc, "Imports");
const exportRows = tableRows(doc, "Exports");
const release = readWasm(readFileSync(RELEASE_WASM));
const releaseModule = new WebAssembly.Module(readFileSync(RELEASE_WASM));

function importType(info: WasmInfo, name: string): string {
  const index = info.imports.filter((i) => i.kind === "function").findIndex((i) => i.name === name);
  assert.ok(index >= 0, `import ${name} exists`);
  return formatType(functionType(info, index));
}

test("imports are exactly the documented ones, from module host", () => {
  const importsTitle = doc.split("\n").find((l) => l.startsWith("## Imports")) ?? "";
  assert.match(importsTitle, /module `host`/);
  const actual = WebAssembly.Module.imports(releaseModule);
  assert.deepEqual(
    actual.map((i) => `${i.module}.${i.name}:${i.kind}`).sort(),
    importRows.map((r) => `host.${r.name}:function`).sort(),
  );
  assert.deepEqual(release.imports.map((i) => i.name).sort(), importRows.map((r) => r.name).sort());
});

test("import function types match the table", () => {
  for (const row of importRows) {
    const [wasmType] = row.cells;
    assert.equal(importType(release, row.name), normType(wasmType!), `type of import ${row.name}`);
  }
});

test("WAMR signatures agree with the wasm types", () => {
  for (const row of importRows) {
    const [wasmType, wamr] = row.cells;
    const shape = wamrShape(wamr!);
    const m = /^\((.*)\)\s*->\s*(.*)$/.exec(wasmType!)!;
    const params = m[1]!.trim() === "" ? 0 : m[1]!.split(",").length;
    assert.equal(shape.params, params, `${row.name}: ${wamr} vs ${wasmType}`);
    assert.equal(shape.result, m[2]!.trim() !== "nil", `${row.name}: result of ${wamr} vs ${wasmType}`);
  }
});

test("exports are exactly the documented ones with their kinds", () => {
  const actual = WebAssembly.Module.exports(releaseModule);
  assert.deepEqual(
    actual.map((e) => `${e.name}:${e.kind}`).sort(),
    exportRows.map((r) => `${r.name}:${r.cells[0]}`).sort(),
  );
});

test("export function types match the table", () => {
  for (const row of exportRows.filter((r) => r.cells[0] === "function")) {
    const e = release.exports.find((x) => x.name === row.name && x.kind === "function");
    assert.ok(e, `export ${row.name}`);
    assert.equal(formatType(functionType(release, e.index)), normType(row.cells[1]!), `type of ${row.name}`);
  }
});

test("exactly one memory, exported as memory", () => {
  assert.equal(release.memories.length, 1);
  const mem = exportRows.filter((r) => r.cells[0] === "memory");
  assert.deepEqual(mem.map((r) => r.name), ["memory"]);
  assert.ok(release.exports.some((e) => e.kind === "memory" && e.name === "memory"));
});

test("__heap_base and __data_end are immutable i32 globals, __data_end <= __heap_base", () => {
  const globals = exportRows.filter((r) => r.cells[0] === "global");
  assert.deepEqual(globals.map((r) => r.name).sort(), ["__data_end", "__heap_base"]);
  for (const row of globals) {
    assert.equal(row.cells[1], "i32");
    assert.match(row.cells[2]!, /Immutable/);
    const g = exportedGlobal(release, row.name);
    assert.equal(g.type, "i32", `${row.name} type`);
    assert.equal(g.mutable, false, `${row.name} is immutable`);
    assert.equal(typeof g.init, "number", `${row.name} has a constant value`);
  }
  const heapBase = exportedGlobal(release, "__heap_base").init!;
  const dataEnd = exportedGlobal(release, "__data_end").init!;
  assert.ok(dataEnd > 0 && dataEnd <= heapBase, `__data_end ${dataEnd} <= __heap_base ${heapBase}`);
});

test("debug build: exactly the release exports plus debug_trap () -> nil", async () => {
  const debugBytes = readFileSync(DEBUG_WASM);
  const debug = readWasm(debugBytes);
  const sig = (info: WasmInfo) =>
    info.exports
      .map((e) => `${e.name}:${e.kind}${e.kind === "function" ? ` ${formatType(functionType(info, e.index))}` : ""}`)
      .sort();
  const expected = [...sig(release), "debug_trap:function () -> nil"].sort();
  assert.deepEqual(sig(debug), expected);
  assert.deepEqual(
    WebAssembly.Module.imports(new WebAssembly.Module(debugBytes)).map((i) => `${i.module}.${i.name}`).sort(),
    WebAssembly.Module.imports(releaseModule).map((i) => `${i.module}.${i.name}`).sort(),
  );
  assert.match(doc, /`debug_trap`\s*\n?\(`\(\) -> nil`\)/);
  const core = await loadCore({ led_set() {}, sse_send: () => 0, sse_broadcast() {} }, DEBUG_WASM);
  assert.throws(() => core.exports.debug_trap!(), WebAssembly.RuntimeError);
});

test("release build has no debug_trap and no start function", () => {
  assert.ok(!release.exports.some((e) => e.name === "debug_trap"));
  // A start function would run code at instantiation, before init().
  assert.equal(release.start, null);
});
