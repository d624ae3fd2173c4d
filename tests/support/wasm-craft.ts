// Small modules built with binaryen that each break one of WAMR's linear
// memory rules (tests/support/wamr-memory.ts), so the layout test can show
// every check fails when it should. The same bytes can be fed to a real
// `iwasm -v=5` by hand.

import binaryen from "binaryen";

export interface CraftSpec {
  /** Exported immutable i32 `__data_end`; null: not exported. */
  dataEnd: number | null;
  /** Exported i32 `__heap_base`; null: not exported. */
  heapBase: number | null;
  /** Make `__heap_base` mutable (WAMR then ignores it). */
  heapBaseMutable?: boolean;
  /** Import `__heap_base` (env.__heap_base) and re-export it (WAMR ignores it). */
  heapBaseImported?: boolean;
  /** Initial values of mutable i32 globals declared before the exported ones, in order. */
  mutableGlobals?: number[];
  /** Add a function using memory.grow / memory.size. */
  grow?: boolean;
  size?: boolean;
  /** Declared pages (initial, maximum); default one page, at most one. */
  pages?: [number, number];
}

/**
 * The module's exports: `run` () -> i32 returns 0; `set` (i32) stores its
 * argument in the first mutable global (when there is one).
 */
export function craftModule(spec: CraftSpec): Uint8Array {
  const m = new binaryen.Module();
  m.setFeatures(binaryen.Features.MutableGlobals); // only used to export a mutable __heap_base
  try {
    const [initial, maximum] = spec.pages ?? [1, 1];
    m.setMemory(initial, maximum, "memory");
    const mutables = spec.mutableGlobals ?? [];
    mutables.forEach((init, i) => m.addGlobal(`g${i}`, binaryen.i32, true, m.i32.const(init)));
    if (mutables.length > 0) {
      m.addFunction("set", binaryen.i32, binaryen.none, [], m.global.set("g0", m.local.get(0, binaryen.i32)));
      m.addFunctionExport("set", "set");
    }
    if (spec.heapBase !== null) {
      if (spec.heapBaseImported) m.addGlobalImport("heap_base", "env", "__heap_base", binaryen.i32, false);
      else m.addGlobal("heap_base", binaryen.i32, spec.heapBaseMutable ?? false, m.i32.const(spec.heapBase));
    }
    if (spec.dataEnd !== null) m.addGlobal("data_end", binaryen.i32, false, m.i32.const(spec.dataEnd));
    // WAMR walks exports in order; the core exports __heap_base first, too.
    if (spec.heapBase !== null) m.addGlobalExport("heap_base", "__heap_base");
    if (spec.dataEnd !== null) m.addGlobalExport("data_end", "__data_end");
    let run = m.i32.const(0);
    if (spec.grow) run = m.i32.add(run, m.memory.grow(m.i32.const(0)));
    if (spec.size) run = m.i32.add(run, m.memory.size());
    m.addFunction("run", binaryen.none, binaryen.i32, [], run);
    m.addFunctionExport("run", "run");
    if (!m.validate()) throw new Error("crafted module does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}
