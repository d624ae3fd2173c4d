// A small WebAssembly binary reader for the core's tests: sections, types,
// imports, exports, globals, memories, data segments, and a real instruction
// decoder for function bodies (every immediate is decoded, so an opcode byte
// is never confused with a constant or an offset). Unknown opcodes throw.

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";
export interface FuncType { params: ValType[]; results: ValType[] }
export type ExternKind = "function" | "table" | "memory" | "global";
export interface Import { module: string; name: string; kind: ExternKind; typeIndex?: number }
export interface Export { name: string; kind: ExternKind; index: number }
export interface Global { type: ValType; mutable: boolean; init: number | null }
export interface DataSegment { offset: number | null; size: number }
export interface Memory { min: number; max: number | null }
export interface FunctionBody { index: number; opcodes: Map<string, number> }

export interface WasmInfo {
  types: FuncType[];
  imports: Import[];
  functionTypes: number[]; // type index of every function, imports first
  memories: Memory[]; // imported and defined
  globals: Global[]; // defined globals only (the core imports none)
  importedGlobals: number;
  exports: Export[];
  start: number | null;
  data: DataSegment[];
  bodies: FunctionBody[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref",
};
const KINDS: ExternKind[] = ["function", "table", "memory", "global"];

export class Reader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0, readonly end = bytes.length) {
    this.pos = pos;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  byte(): number {
    if (this.pos >= this.end) throw new Error(`read past end at ${this.pos}`);
    return this.bytes[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) throw new Error("u32 LEB too long");
    }
    return result;
  }
  /** Signed LEB128 of up to `bits` bits (returned as a Number; i64 may lose precision). */
  sleb(bits: number): number {
    let result = 0n;
    let shift = 0n;
    let b: number;
    do {
      b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (shift > BigInt(bits + 7)) throw new Error("signed LEB too long");
    } while (b & 0x80);
    if (b & 0x40) result -= 1n << shift;
    return Number(result);
  }
  bytesOf(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new Error("read past end");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  name(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytesOf(this.u32()));
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new Error(`unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): Memory {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : null;
    return { min, max };
  }
  /** A constant expression; returns its value when it is a single i32.const. */
  constExpr(): number | null {
    let value: number | null = null;
    let count = 0;
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) break;
      count++;
      if (op === 0x41) value = this.sleb(32);
      else if (op === 0x42) this.sleb(64);
      else if (op === 0x43) this.bytesOf(4);
      else if (op === 0x44) this.bytesOf(8);
      else if (op === 0x23 || op === 0xd2) this.u32();
      else if (op === 0xd0) this.byte();
      else throw new Error(`unsupported opcode 0x${op.toString(16)} in constant expression`);
    }
    return count === 1 ? value : null;
  }
}

/** The sections after the 8-byte header: id and a reader over the payload. */
export function* sections(bytes: Uint8Array): Generator<{ id: number; s: Reader }> {
  const r = new Reader(bytes, 8);
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const s = new Reader(bytes, r.pos, r.pos + size);
    r.pos += size;
    yield { id, s };
  }
}

function blockType(r: Reader): void {
  const b = r.bytes[r.pos]!;
  if (b === 0x40 || VALTYPES[b] !== undefined) r.pos++;
  else r.sleb(33); // type index
}

/** Names of the opcodes that matter to the tests; everything else is "op:0x..". */
const NAMED: Record<number, string> = {
  0x00: "unreachable", 0x10: "call", 0x11: "call_indirect", 0x3f: "memory.size", 0x40: "memory.grow",
};
const NAMED_FC: Record<number, string> = {
  8: "memory.init", 9: "data.drop", 10: "memory.copy", 11: "memory.fill",
};

/** Decodes one function body; returns how often each instruction occurs. */
function decodeBody(r: Reader): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  const localGroups = r.u32();
  for (let i = 0; i < localGroups; i++) {
    r.u32();
    r.valtype();
  }
  let depth = 1; // the body is an implicit block closed by its final `end`
  while (depth > 0) {
    const op = r.byte();
    if (op === 0xfc) {
      const sub = r.u32();
      count(NAMED_FC[sub] ?? `op:0xfc.${sub}`);
      if (sub <= 7) continue; // saturating truncations
      switch (sub) {
        case 8: r.u32(); r.byte(); break; // memory.init data, mem
        case 9: r.u32(); break; // data.drop
        case 10: r.byte(); r.byte(); break; // memory.copy mem, mem
        case 11: r.byte(); break; // memory.fill mem
        case 12: case 14: r.u32(); r.u32(); break; // table.init, table.copy
        case 13: case 15: case 16: case 17: r.u32(); break; // elem.drop, table.grow/size/fill
        default: throw new Error(`unsupported 0xfc ${sub} at ${r.pos}`);
      }
      continue;
    }
    count(NAMED[op] ?? `op:0x${op.toString(16).padStart(2, "0")}`);
    if (op === 0x02 || op === 0x03 || op === 0x04) { blockType(r); depth++; }
    else if (op === 0x0b) depth--;
    else if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0f || op === 0x1a || op === 0x1b) { /* no immediates */ }
    else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) r.u32();
    else if (op === 0x0e) { const n = r.u32(); for (let i = 0; i <= n; i++) r.u32(); }
    else if (op === 0x11) { r.u32(); r.u32(); }
    else if (op === 0x1c) { const n = r.u32(); for (let i = 0; i < n; i++) r.valtype(); }
    else if (op >= 0x28 && op <= 0x3e) { r.u32(); r.u32(); } // memarg: align, offset
    else if (op === 0x3f || op === 0x40) r.byte(); // memory index
    else if (op === 0x41) r.sleb(32);
    else if (op === 0x42) r.sleb(64);
    else if (op === 0x43) r.bytesOf(4);
    else if (op === 0x44) r.bytesOf(8);
    else if (op >= 0x45 && op <= 0xc4) { /* numeric and sign-extension: no immediates */ }
    else if (op === 0xd0) r.byte();
    else if (op === 0xd1) { /* ref.is_null */ }
    else throw new Error(`unsupported opcode 0x${op.toString(16)} at byte ${r.pos - 1}`);
  }
  if (!r.done) throw new Error(`function body has ${r.end - r.pos} bytes after its final end`);
  return counts;
}

export function readWasm(bytes: Uint8Array): WasmInfo {
  const r = new Reader(bytes);
  const magic = r.bytesOf(8);
  if (magic.join() !== [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0].join()) throw new Error("not a wasm v1 module");
  const info: WasmInfo = {
    types: [], imports: [], functionTypes: [], memories: [], globals: [], importedGlobals: 0,
    exports: [], start: null, data: [], bodies: [],
  };
  let importedFunctions = 0;
  for (const { id, s } of sections(bytes)) {
    switch (id) {
      case 0: break; // custom (names, source maps)
      case 1: {
        for (let n = s.u32(); n > 0; n--) {
          if (s.byte() !== 0x60) throw new Error("expected a function type");
          const params = Array.from({ length: s.u32() }, () => s.valtype());
          const results = Array.from({ length: s.u32() }, () => s.valtype());
          info.types.push({ params, results });
        }
        break;
      }
      case 2: {
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = KINDS[s.byte()];
          if (!kind) throw new Error("bad import kind");
          if (kind === "function") {
            const typeIndex = s.u32();
            info.imports.push({ module, name, kind, typeIndex });
            info.functionTypes.push(typeIndex);
            importedFunctions++;
          } else {
            info.imports.push({ module, name, kind });
            if (kind === "table") { s.byte(); s.limits(); }
            else if (kind === "memory") info.memories.push(s.limits());
            else { s.valtype(); s.byte(); info.importedGlobals++; }
          }
        }
        break;
      }
      case 3: for (let n = s.u32(); n > 0; n--) info.functionTypes.push(s.u32()); break;
      case 4: for (let n = s.u32(); n > 0; n--) { s.byte(); s.limits(); } break;
      case 5: for (let n = s.u32(); n > 0; n--) info.memories.push(s.limits()); break;
      case 6: {
        for (let n = s.u32(); n > 0; n--) {
          const type = s.valtype();
          const mutable = s.byte() === 1;
          info.globals.push({ type, mutable, init: s.constExpr() });
        }
        break;
      }
      case 7: {
        for (let n = s.u32(); n > 0; n--) {
          const name = s.name();
          const kind = KINDS[s.byte()];
          if (!kind) throw new Error("bad export kind");
          info.exports.push({ name, kind, index: s.u32() });
        }
        break;
      }
      case 8: info.start = s.u32(); break;
      case 9: s.pos = s.end; break; // element segments: not used by the core
      case 10: {
        const n = s.u32();
        for (let i = 0; i < n; i++) {
          const bodySize = s.u32();
          const body = new Reader(bytes, s.pos, s.pos + bodySize);
          s.pos += bodySize;
          info.bodies.push({ index: importedFunctions + i, opcodes: decodeBody(body) });
        }
        break;
      }
      case 11: {
        for (let n = s.u32(); n > 0; n--) {
          const flags = s.u32();
          let offset: number | null = null;
          if (flags === 0) offset = s.constExpr();
          else if (flags === 2) { s.u32(); offset = s.constExpr(); }
          else if (flags !== 1) throw new Error(`bad data segment flags ${flags}`);
          const size = s.u32();
          s.bytesOf(size);
          info.data.push({ offset, size });
        }
        break;
      }
      case 12: s.u32(); break; // data count
      default: throw new Error(`unknown section ${id}`);
    }
    if (id !== 0 && !s.done) throw new Error(`section ${id}: ${s.end - s.pos} bytes left over`);
  }
  return info;
}

/** `(i32, i32) -> i32` / `() -> nil`, the notation of docs/abi.md. */
export function formatType(t: FuncType): string {
  const results = t.results.length === 0 ? "nil" : t.results.join(", ");
  return `(${t.params.join(", ")}) -> ${results}`;
}

/** Type of the function an import or export refers to. */
export function functionType(info: WasmInfo, funcIndex: number): FuncType {
  const typeIndex = info.functionTypes[funcIndex];
  const t = typeIndex === undefined ? undefined : info.types[typeIndex];
  if (!t) throw new Error(`no type for function ${funcIndex}`);
  return t;
}

/** The global an export refers to (defined globals only). */
export function exportedGlobal(info: WasmInfo, name: string): Global {
  const e = info.exports.find((x) => x.name === name && x.kind === "global");
  if (!e) throw new Error(`no exported global ${name}`);
  const g = info.globals[e.index - info.importedGlobals];
  if (!g) throw new Error(`exported global ${name} is imported or missing`);
  return g;
}

/** Total count of one instruction over all function bodies. */
export function countOpcode(info: WasmInfo, name: string): number {
  return info.bodies.reduce((sum, b) => sum + (b.opcodes.get(name) ?? 0), 0);
}
