// @ts-check
// AssemblyScript transform (asconfig.json "transform"): moves the core's
// exported __heap_base up to the next whole 4 KiB page above its static data,
// so that WAMR 2.4.0 on ESP-IDF keeps exactly that many bytes of linear memory
// (docs/abi.md "Memory"; the rules are emulated and cited in
// tests/support/wamr-memory.ts). It runs on every `asc` build of asconfig.json,
// so it keeps holding when the core's static data grows or shrinks; the
// post-build check scripts/check-core-layout.ts then verifies the optimised
// output under the same rules.
//
// Why 4 KiB: WAMR's loader shrinks linear memory to align8(__heap_base), and
// ESP-IDF's os_getpagesize() is 4096: WAMR then bounds-checks that size
// rounded up to 4096 while allocating only the shrunk size. A __heap_base that
// is a multiple of 4096 makes the two equal. There is no heap (stub runtime,
// nothing allocates), so the bytes between __data_end and __heap_base are
// simply unused.

import binaryen from "assemblyscript/binaryen"; // asc's own instance, the one `module` belongs to
import { Transform } from "assemblyscript/transform";

/** os_getpagesize() of WAMR 2.4.0's ESP-IDF port (core/shared/platform/esp-idf/platform_internal.h:137-141). */
export const ESP_IDF_PAGE = 4096;

/** @param {number} v @param {number} to a power of two */
const alignUp = (v, to) => Math.ceil(v / to) * to;

export default class HeapBaseToPage extends Transform {
  /** @param {binaryen.Module} module asc's module right after compilation, before optimisation */
  afterCompile(module) {
    /** @type {Map<string, string>} export name -> internal global name */
    const globals = new Map();
    for (let i = 0; i < module.getNumExports(); i++) {
      const e = binaryen.getExportInfo(module.getExportByIndex(i));
      if (e.kind === binaryen.ExternalGlobal) globals.set(e.name, e.value);
    }
    /** @param {string} name */
    const constI32 = (name) => {
      const internal = globals.get(name);
      if (internal === undefined) {
        throw new Error(`core layout: ${name} is not exported; keep "export { __heap_base, __data_end }" in core/index.ts (WAMR shrinks linear memory only with both).`);
      }
      const info = binaryen.getGlobalInfo(module.getGlobal(internal));
      const init = /** @type {binaryen.ConstInfo} */ (binaryen.getExpressionInfo(info.init));
      if (info.type !== binaryen.i32 || info.mutable || init.id !== binaryen.ConstId || typeof init.value !== "number") {
        throw new Error(`core layout: ${name} must be an immutable i32 global with a constant value.`);
      }
      return { internal, value: init.value >>> 0 };
    };
    const dataEnd = constI32("__data_end");
    const heapBase = constI32("__heap_base");
    // WAMR rounds __data_end up to 16 and needs the result <= __heap_base.
    const target = Math.max(ESP_IDF_PAGE, alignUp(Math.max(alignUp(dataEnd.value, 16), heapBase.value), ESP_IDF_PAGE));
    // No need to check the declared memory: asc sizes it (or refuses
    // initialMemory) so that __data_end fits, and whole 64 KiB pages are
    // whole 4 KiB pages, so `target` fits too.
    if (target === heapBase.value) return;
    module.removeGlobal(heapBase.internal);
    module.addGlobal(heapBase.internal, binaryen.i32, false, module.i32.const(target));
  }
}
