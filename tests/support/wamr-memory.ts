// How much linear memory WAMR 2.4.0 keeps for a module's instance, emulated
// rule by rule as its source states them (tag WAMR-2.4.0 of
// github.com/bytecodealliance/wasm-micro-runtime; line numbers of that tag).
// The one implementation used by tests/node/wasm-layout.test.ts,
// bench/core-static.ts and the post-build check scripts/check-core-layout.ts.
//
// Configuration emulated: the ESP-IDF component (build-scripts/esp-idf/wamr),
// interpreter, normal loader (the mini loader, wasm_mini_loader.c:2980,
// 3025, 3168, has the same rules), multi-module and shared memory off
// (Kconfig defaults), WASM_ENABLE_SHRUNK_MEMORY 1 (core/config.h:711-712),
// no hardware bounds check (the ESP-IDF port defines no
// OS_ENABLE_HW_BOUND_CHECK), app heap size 0 (host/wamr/core_vm.c passes 0).

import { countOpcode, type WasmInfo } from "./wasm-binary.ts";

/** os_getpagesize() of the ESP-IDF port: core/shared/platform/esp-idf/platform_internal.h:137-141. */
export const ESP_IDF_PAGE_SIZE = 4096;
/** DEFAULT_NUM_BYTES_PER_PAGE / DEFAULT_MAX_PAGES (wasm_loader.c:3463, 3479). */
const WASM_PAGE = 65536;
const DEFAULT_MAX_PAGES = 65536;
const UINT32_MAX = 0xffffffff;

/** align_uint64 (core/iwasm/interpreter/wasm.h:1193-1197) and align_as_and_cast (wasm_memory.c:73-78). */
export const alignUp = (v: number, to: number): number => Math.ceil(v / to) * to;

export interface AuxStack {
  /** aux_stack_top_global_index: imports first (wasm_loader.c:6353-6354; the log prints it minus imported globals). */
  globalIndex: number;
  /** Initial value = aux_stack_bottom. */
  top: number;
  /** aux_stack_size; non-zero makes every global.set to it a checked op. */
  size: number;
}

export interface WamrMemory {
  /** Values of __heap_base / __data_end when WAMR recognises them (immutable i32, constant, not imported). */
  heapBase: number | null;
  dataEnd: number | null;
  /** align16(__data_end): what WAMR compares with __heap_base. */
  auxDataEnd: number | null;
  /** The aux stack global WAMR picked, or null when aux info was not resolved. */
  auxStack: AuxStack | null;
  /** Any memory.grow or memory.size in any function. */
  possibleMemoryGrow: boolean;
  /** The loader shrank memory 0 to align8(__heap_base). */
  shrunk: boolean;
  /** Memory 0 after loading and instantiation (what `iwasm -v=5` prints as page bytes / init / max pages). */
  bytesPerPage: number;
  initPages: number;
  maxPages: number;
  /** Bytes the instance allocates for linear memory (map_size, then os_mmap -> heap_caps_malloc). */
  allocatedBytes: number;
  /** memory_data_size: the allocation rounded up to the OS page; WAMR bounds-checks against this. */
  boundsBytes: number;
  /** Each rule that stopped the shrink or that a caller must know about, in WAMR's order. */
  notes: string[];
}

/**
 * The loader's "Resolve auxiliary data/stack/heap info" block
 * (core/iwasm/interpreter/wasm_loader.c:6265-6383) and its memory shrink
 * (6498-6570), then memory_instantiate (wasm_runtime.c:276-475) and
 * wasm_allocate_linear_memory (core/iwasm/common/wasm_memory.c:1939-1998).
 */
export function wamrMemory(info: WasmInfo, osPageSize = ESP_IDF_PAGE_SIZE): WamrMemory {
  const notes: string[] = [];
  const importedGlobals = info.importedGlobals;
  let heapBase: number | null = null;
  let dataEnd: number | null = null;
  let auxDataEnd: number | null = null;
  let auxStack: AuxStack | null = null;

  // wasm_loader.c:6266-6313: walk the exports in order; __heap_base and
  // __data_end count only when defined here (6270, 6291), i32, immutable and
  // initialised by i32.const (6279-6282, 6300-6303). `init` is non-null
  // exactly for a single i32.const (wasm-binary.ts constExpr); WAMR reads it
  // as uint32 (6285, 6307). __data_end is rounded up to 16 (6312).
  for (const e of info.exports) {
    if (e.kind !== "global") continue;
    if (e.name === "__heap_base" || e.name === "__data_end") {
      if (e.index < importedGlobals) {
        notes.push(`${e.name} is imported (wasm_loader.c:6270/6291)`);
        continue;
      }
      const g = info.globals[e.index - importedGlobals];
      if (g && g.type === "i32" && !g.mutable && g.init !== null) {
        if (e.name === "__heap_base") heapBase = g.init >>> 0;
        else {
          dataEnd = g.init >>> 0;
          auxDataEnd = alignUp(dataEnd, 16);
        }
      } else {
        notes.push(`${e.name} is not an immutable i32 global with an i32.const value (wasm_loader.c:6279-6282/6300-6303)`);
      }
    }
    // wasm_loader.c:6332-6333: checked after every global export.
    if (heapBase !== null && auxDataEnd !== null && auxDataEnd <= heapBase) {
      // 6340-6366: the FIRST defined global that is mutable, i32 and
      // i32.const-initialised with (uint32)init <= __heap_base is the aux
      // stack pointer; size = init > align16(data_end) ? init - align16(data_end) : init.
      for (let i = 0; i < info.globals.length; i++) {
        const g = info.globals[i]!;
        if (g.mutable && g.type === "i32" && g.init !== null && g.init >>> 0 <= heapBase) {
          const top = g.init >>> 0;
          auxStack = { globalIndex: importedGlobals + i, top, size: top > auxDataEnd ? top - auxDataEnd : top };
          break;
        }
      }
      // 6368-6379: none found: __heap_base itself stands in, size 0.
      auxStack ??= { globalIndex: info.exports.find((x) => x.name === "__heap_base")!.index, top: heapBase, size: 0 };
      break;
    }
  }
  if (heapBase === null || dataEnd === null) notes.push("__heap_base and __data_end are not both recognised (wasm_loader.c:6332)");
  else if (auxStack === null) notes.push(`align16(__data_end) ${auxDataEnd} > __heap_base ${heapBase} (wasm_loader.c:6312, 6333)`);
  if (auxStack && auxStack.size > 0) {
    notes.push(`aux stack global ${auxStack.globalIndex} (init ${auxStack.top}) has size ${auxStack.size}: every global.set to it is checked (wasm_loader.c:14039-14040 classic, 14058-14059 fast)`);
  }

  // wasm_loader.c:14194 (memory.size) and 14206 (memory.grow) set possible_memory_grow.
  const possibleMemoryGrow = countOpcode(info, "memory.grow") + countOpcode(info, "memory.size") > 0;
  if (possibleMemoryGrow) notes.push("memory.grow or memory.size present: no shrink (wasm_loader.c:6498, 14194, 14206)");

  // Memory 0 as loaded (wasm_loader.c:3460-3479 / 3047-3136 for an import):
  // 64 KiB pages, max defaults to DEFAULT_MAX_PAGES.
  const mem = info.memories[0];
  if (!mem) return { heapBase, dataEnd, auxDataEnd, auxStack, possibleMemoryGrow, shrunk: false, bytesPerPage: 0, initPages: 0, maxPages: 0, allocatedBytes: 0, boundsBytes: 0, notes };
  let bytesPerPage = WASM_PAGE;
  let initPages = mem.min;
  let maxPages = Math.min(mem.max ?? DEFAULT_MAX_PAGES, DEFAULT_MAX_PAGES);
  let shrunk = false;

  if (!possibleMemoryGrow) {
    // 6500-6537: shrink to align8(__heap_base) when all three aux globals
    // were resolved and it fits in the declared initial memory.
    if (heapBase !== null && dataEnd !== null && auxStack !== null) {
      const shrunkSize = alignUp(heapBase, 8);
      if (shrunkSize <= UINT32_MAX) {
        if (shrunkSize <= bytesPerPage * initPages) {
          bytesPerPage = shrunkSize;
          initPages = 1;
          shrunk = true;
        } else {
          notes.push(`align8(__heap_base) ${shrunkSize} > initial memory ${bytesPerPage * initPages} (wasm_loader.c:6528)`);
        }
      }
    }
    // 6540-6570 (multi-module off): collapse to one "page" of everything.
    if (initPages < DEFAULT_MAX_PAGES) {
      bytesPerPage *= initPages;
      initPages = maxPages = initPages > 0 ? 1 : 0;
    }
  }

  // memory_instantiate, wasm_runtime.c:334-339: one page at most and heap
  // size 0: the page keeps its size (the app heap would be appended).
  // wasm_memory.c:1958 map_size = init pages * bytes per page, allocated at
  // 1986 -> 1504 os_mmap(map_size) = heap_caps_malloc(size + 4 +
  // sizeof(uintptr_t)) (core/shared/platform/esp-idf/espidf_memmap.c:59-60);
  // 1969-1973 memory_data_size = the same rounded up to os_getpagesize(),
  // stored as the bounds (wasm_runtime.c:450, 475).
  const allocatedBytes = initPages * bytesPerPage;
  const boundsBytes = alignUp(allocatedBytes, osPageSize);
  if (boundsBytes !== allocatedBytes) {
    notes.push(`bounds ${boundsBytes} B (rounded up to the ${osPageSize} B OS page, wasm_memory.c:1969-1973) exceed the ${allocatedBytes} B allocated (wasm_memory.c:1958)`);
  }
  return { heapBase, dataEnd, auxDataEnd, auxStack, possibleMemoryGrow, shrunk, bytesPerPage, initPages, maxPages, allocatedBytes, boundsBytes, notes };
}

/**
 * Whether WAMR traps a `global.set` of `value` to the aux stack global:
 * WASM_OP_SET_GLOBAL_AUX_STACK, core/iwasm/interpreter/wasm_interp_fast.c:3688-3696
 * (classic: wasm_interp_classic.c:4358-4366), with the bounds set in
 * core/iwasm/common/wasm_exec_env.c:156-158 (boundary = bottom - size).
 * Only emitted when size > 0 (wasm_loader.c:14039-14040, 14058-14059).
 */
export function auxStackSetTraps(stack: AuxStack, value: number): boolean {
  if (stack.size === 0) return false;
  const v = value >>> 0;
  return v <= stack.top - stack.size || v > stack.top;
}

/** The layout the firmware needs: shrunk, no growth, a whole number of ESP-IDF pages, no checked global.set. */
export function layoutProblems(m: WamrMemory): string[] {
  const problems: string[] = [];
  if (m.possibleMemoryGrow) problems.push("the module contains memory.grow or memory.size, so WAMR keeps whole 64 KiB pages and may grow them");
  if (!m.shrunk) problems.push(`WAMR keeps ${m.allocatedBytes} B instead of shrinking to __heap_base (${m.notes.join("; ") || "see wamr-memory.ts"})`);
  if (m.heapBase !== null && m.heapBase % ESP_IDF_PAGE_SIZE !== 0) {
    const shrunk = alignUp(m.heapBase, 8);
    problems.push(`__heap_base ${m.heapBase} is not a multiple of ${ESP_IDF_PAGE_SIZE}: shrunk to ${shrunk} B, WAMR on ESP-IDF ` +
      `would bounds-check ${alignUp(shrunk, ESP_IDF_PAGE_SIZE)} B but allocate ${shrunk} B`);
  } else if (m.boundsBytes !== m.allocatedBytes) {
    problems.push(`bounds ${m.boundsBytes} B != allocation ${m.allocatedBytes} B`);
  }
  if (m.auxStack && m.auxStack.size > 0) {
    problems.push(`WAMR takes mutable global ${m.auxStack.globalIndex} (initial value ${m.auxStack.top}) as the aux stack pointer with size ${m.auxStack.size}, ` +
      "so a global.set to it outside its range traps; the first mutable i32 global of the core must start at 0");
  }
  return problems;
}
