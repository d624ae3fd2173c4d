// Static facts about dist/core.wasm that matter on the ESP32 under WAMR:
// file size, declared linear memory, __heap_base / __data_end, how much linear
// memory WAMR 2.4.0 keeps on ESP-IDF (tests/support/wamr-memory.ts, the same
// emulation the layout test uses), and whether memory.grow / memory.size or
// any allocator is reachable from the exports.
// Everything is read with binaryen's API from npm; nothing is executed.
import binaryen from "binaryen";
import { readWasm, sections } from "../tests/support/wasm-binary.ts";
import { wamrMemory, type WamrMemory } from "../tests/support/wamr-memory.ts";
import { visitExpressions } from "./wasm-instrument.ts";

export interface CoreStatic {
  file: string;
  sizeBytes: number;
  /** Sections by name with their byte size (custom sections included). */
  sections: Array<{ name: string; bytes: number }>;
  imports: string[];
  exports: string[];
  memoryInitialPages: number;
  memoryMaxPages: number | null;
  /** Bytes of all active data segments. */
  dataBytes: number;
  heapBase: number | null;
  dataEnd: number | null;
  /** What WAMR 2.4.0 keeps of linear memory on ESP-IDF (allocation, bounds, aux stack). */
  wamr: WamrMemory;
  functions: number;
  /** Defined functions reachable from exports, the start function and the table. */
  reachableFunctions: number;
  /** Reachable functions containing memory.grow / memory.size. */
  growReachable: string[];
  sizeReachable: string[];
  /** Reachable functions (or exports) whose name says allocator/runtime. */
  allocatorReachable: string[];
  /** memory.grow / memory.size anywhere in the module, reachable or not. */
  growOrSizeAnywhere: number;
  /** Functions anywhere in the module whose name says allocator/runtime. */
  allocatorPresent: string[];
  /** Any mutable global, besides those the core's state needs, is listed for review. */
  mutableGlobals: number;
  hasDebugTrap: boolean;
}

// Names AssemblyScript gives its runtime's allocation entry points (debug
// builds keep names; release builds are checked by the absence of
// memory.grow/memory.size, which every AS allocator needs).
const ALLOCATOR_NAME = /(^|\/)(__new|__alloc|__realloc|__renew|__free|__pin|__unpin|__collect|__link|__visit)$|~lib\/rt\/(tlsf|itcms|tcms|stub|pure)\//;

/** Raw section sizes from the binary itself (independent of binaryen). */
export function sectionSizes(wasm: Uint8Array): Array<{ name: string; bytes: number }> {
  const names = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"];
  const out: Array<{ name: string; bytes: number }> = [];
  for (const { id, s } of sections(wasm)) {
    const bytes = s.end - s.pos; // payload size (the id and size bytes are not counted)
    const name = id === 0 ? `custom "${new TextDecoder().decode(s.bytesOf(s.u32()))}"` : names[id] ?? `section ${id}`;
    out.push({ name, bytes });
  }
  return out;
}

/** Active/passive data segments from the binary's data section. */
export function dataSegments(wasm: Uint8Array): Array<{ offset: number | null; bytes: number }> {
  for (const { id, s } of sections(wasm)) {
    if (id !== 11) continue;
    const out: Array<{ offset: number | null; bytes: number }> = [];
    const count = s.u32();
    for (let i = 0; i < count; i++) {
      const flags = s.u32();
      let offset: number | null = null;
      if (flags === 2) s.u32(); // memory index
      if (flags === 0 || flags === 2) {
        const op = s.byte();
        offset = op === 0x41 ? s.u32() | 0 : null; // i32.const n
        if (op !== 0x41) s.u32();
        if (s.byte() !== 0x0b) throw new Error("data segment offset is not a constant expression");
      }
      const n = s.u32();
      out.push({ offset, bytes: n });
      s.pos += n;
    }
    return out;
  }
  return [];
}

function constValue(expr: number): number | null {
  if (binaryen.getExpressionId(expr) !== binaryen.ConstId) return null;
  const v = (binaryen.getExpressionInfo(expr) as binaryen.ConstInfo).value;
  return typeof v === "number" ? v : null;
}

export function analyzeCore(wasm: Uint8Array, file: string): CoreStatic {
  const m = binaryen.readBinary(wasm);
  try {
    const imports: string[] = [];
    const defined = new Map<string, number>();
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const f = m.getFunctionByIndex(i);
      const info = binaryen.getFunctionInfo(f);
      if (info.module) imports.push(`${info.module}.${info.base} (function)`);
      else defined.set(info.name, info.body);
    }
    const exports: string[] = [];
    const roots: string[] = [];
    const exportedAs = new Map<string, string>();
    let heapBase: number | null = null;
    let dataEnd: number | null = null;
    let hasDebugTrap = false;
    for (let i = 0; i < m.getNumExports(); i++) {
      const e = binaryen.getExportInfo(m.getExportByIndex(i));
      const kind = ["function", "table", "memory", "global", "tag"][e.kind] ?? String(e.kind);
      exports.push(`${e.name} (${kind})`);
      if (e.kind === binaryen.ExternalFunction) {
        roots.push(e.value);
        exportedAs.set(e.value, e.name);
        if (e.name === "debug_trap") hasDebugTrap = true;
      }
      if (e.kind === binaryen.ExternalGlobal) {
        const g = binaryen.getGlobalInfo(m.getGlobal(e.value));
        if (e.name === "__heap_base") heapBase = constValue(g.init);
        if (e.name === "__data_end") dataEnd = constValue(g.init);
      }
    }
    const start = m.getStart();
    if (start) roots.push(binaryen.getFunctionInfo(start).name);
    let hasCallIndirect = false;
    const tableFuncs: string[] = [];
    for (let i = 0; i < m.getNumElementSegments(); i++) {
      const seg = binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i));
      tableFuncs.push(...seg.data);
    }
    let mutableGlobals = 0;
    for (let i = 0; i < m.getNumGlobals(); i++) {
      const g = binaryen.getGlobalInfo(m.getGlobalByIndex(i));
      if (g.mutable) mutableGlobals++;
      if (g.module) imports.push(`${g.module}.${g.base} (global)`);
    }

    // Reachability over direct calls; call_indirect makes every table entry reachable.
    const reachable = new Set<string>();
    const grow = new Set<string>();
    const size = new Set<string>();
    const queue = [...roots];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (reachable.has(name)) continue;
      reachable.add(name);
      const body = defined.get(name);
      if (body === undefined) continue; // an import
      visitExpressions(body, (e) => {
        const id = binaryen.getExpressionId(e);
        if (id === binaryen.CallId) queue.push((binaryen.getExpressionInfo(e) as binaryen.CallInfo).target);
        else if (id === binaryen.CallIndirectId && !hasCallIndirect) {
          hasCallIndirect = true;
          queue.push(...tableFuncs);
        } else if (id === binaryen.MemoryGrowId) grow.add(name);
        else if (id === binaryen.MemorySizeId) size.add(name);
      });
    }
    let growOrSizeAnywhere = 0;
    for (const body of defined.values()) {
      visitExpressions(body, (e) => {
        const id = binaryen.getExpressionId(e);
        if (id === binaryen.MemoryGrowId || id === binaryen.MemorySizeId) growOrSizeAnywhere++;
      });
    }
    const label = (n: string): string => (exportedAs.has(n) ? `${n} (export ${exportedAs.get(n)})` : n);
    const allocatorReachable = [...reachable].filter((n) => ALLOCATOR_NAME.test(n) || ALLOCATOR_NAME.test(exportedAs.get(n) ?? ""));

    const mem = m.hasMemory() ? m.getMemoryInfo() : null;
    const dataBytes = dataSegments(wasm).reduce((sum, seg) => sum + seg.bytes, 0);
    return {
      file,
      sizeBytes: wasm.byteLength,
      sections: sectionSizes(wasm),
      imports,
      exports,
      memoryInitialPages: mem?.initial ?? 0,
      memoryMaxPages: mem && mem.max !== undefined && mem.max !== null ? mem.max : null,
      dataBytes,
      heapBase,
      dataEnd,
      wamr: wamrMemory(readWasm(wasm)),
      functions: defined.size,
      reachableFunctions: [...reachable].filter((n) => defined.has(n)).length,
      growReachable: [...grow].map(label),
      sizeReachable: [...size].map(label),
      allocatorReachable: allocatorReachable.map(label),
      growOrSizeAnywhere,
      allocatorPresent: [...defined.keys()].filter((n) => ALLOCATOR_NAME.test(n)),
      mutableGlobals,
      hasDebugTrap,
    };
  } finally {
    m.dispose();
  }
}
