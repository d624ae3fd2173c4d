// Byte-level edits of a wasm module for the update fixtures: split into
// sections, rewrite one section's entries, join again with the sizes
// recomputed. Only what the fixtures need, for asc's output (function
// imports, i32.const-initialised globals).

import { concat, uleb128 } from "../../scripts/core-image-format.ts";
import { Reader, readWasm, type ExternKind } from "./wasm-binary.ts";

export interface Section {
  id: number;
  payload: Uint8Array;
}

const HEADER_LEN = 8;
const KIND_CODE: Record<ExternKind, number> = { function: 0, table: 1, memory: 2, global: 3 };

export function splitSections(bytes: Uint8Array): Section[] {
  const r = new Reader(bytes, HEADER_LEN);
  const out: Section[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, payload: r.bytesOf(size) });
  }
  return out;
}

export function joinSections(sections: Section[]): Uint8Array {
  const header = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  return concat(header, ...sections.map((s) => concat(Uint8Array.of(s.id, ...uleb128(s.payload.length)), s.payload)));
}

/** Signed LEB128 of an i32 (spec 5.2.2). */
export function sleb32(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function nameBytes(s: string): number[] {
  const b = new TextEncoder().encode(s);
  return [...uleb128(b.length), ...b];
}

function vector(entries: number[][]): Uint8Array {
  return Uint8Array.from([...uleb128(entries.length), ...entries.flat()]);
}

function replaceSection(bytes: Uint8Array, id: number, payload: Uint8Array): Uint8Array {
  const sections = splitSections(bytes);
  const s = sections.find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  s.payload = payload;
  return joinSections(sections);
}

export interface ImportEntry { module: string; name: string; typeIndex: number }

/** Rewrites the import section (function imports only, as the core has). */
export function editImports(bytes: Uint8Array, edit: (imports: ImportEntry[]) => ImportEntry[]): Uint8Array {
  const info = readWasm(bytes);
  const imports = info.imports.map((i) => {
    if (i.kind !== "function" || i.typeIndex === undefined) throw new Error("editImports: only function imports");
    return { module: i.module, name: i.name, typeIndex: i.typeIndex };
  });
  const entries = edit(imports).map((i) => [...nameBytes(i.module), ...nameBytes(i.name), 0, ...uleb128(i.typeIndex)]);
  return replaceSection(bytes, 2, vector(entries));
}

export interface ExportEntry { name: string; kind: ExternKind; index: number }

export function editExports(bytes: Uint8Array, edit: (exports: ExportEntry[]) => ExportEntry[]): Uint8Array {
  const entries = edit(readWasm(bytes).exports.map((e) => ({ ...e })))
    .map((e) => [...nameBytes(e.name), KIND_CODE[e.kind], ...uleb128(e.index)]);
  return replaceSection(bytes, 7, vector(entries));
}

export interface GlobalEntry { mutable: boolean; init: number }

/** Rewrites the globals (all i32 with an i32.const initialiser, as asc emits). */
export function editGlobals(bytes: Uint8Array, edit: (globals: GlobalEntry[]) => GlobalEntry[]): Uint8Array {
  const globals = readWasm(bytes).globals.map((g) => {
    if (g.type !== "i32" || g.init === null) throw new Error("editGlobals: only i32.const-initialised i32 globals");
    return { mutable: g.mutable, init: g.init };
  });
  const entries = edit(globals).map((g) => [0x7f, g.mutable ? 1 : 0, 0x41, ...sleb32(g.init), 0x0b]);
  return replaceSection(bytes, 6, vector(entries));
}

/** Index (in the global index space) of an exported global. */
export function exportedGlobalIndex(bytes: Uint8Array, name: string): number {
  const e = readWasm(bytes).exports.find((x) => x.name === name && x.kind === "global");
  if (!e) throw new Error(`no exported global ${name}`);
  return e.index;
}

/** Index of an exported function. */
export function exportedFunctionIndex(bytes: Uint8Array, name: string): number {
  const e = readWasm(bytes).exports.find((x) => x.name === name && x.kind === "function");
  if (!e) throw new Error(`no exported function ${name}`);
  return e.index;
}

/**
 * Appends a function of type `typeIndex` whose body (locals vector and
 * instructions, final `end` included) is `body`; returns the new module.
 */
export function appendFunction(bytes: Uint8Array, typeIndex: number, body: number[]): Uint8Array {
  const sections = splitSections(bytes);
  const fn = sections.find((s) => s.id === 3);
  const code = sections.find((s) => s.id === 10);
  if (!fn || !code) throw new Error("appendFunction: no function or code section");
  const grow = (payload: Uint8Array, entry: number[]): Uint8Array => {
    const r = new Reader(payload);
    const n = r.u32();
    return Uint8Array.from([...uleb128(n + 1), ...payload.subarray(r.pos), ...entry]);
  };
  fn.payload = grow(fn.payload, uleb128(typeIndex));
  code.payload = grow(code.payload, [...uleb128(body.length), ...body]);
  return joinSections(sections);
}

/** Inserts a section before the first known section with a larger id. */
export function insertSection(bytes: Uint8Array, section: Section): Uint8Array {
  const sections = splitSections(bytes);
  const at = sections.findIndex((s) => s.id !== 0 && s.id > section.id);
  sections.splice(at < 0 ? sections.length : at, 0, section);
  return joinSections(sections);
}

/** Index of the first function type equal to (params) -> results, all i32. */
export function i32TypeIndex(bytes: Uint8Array, params: number, results: number): number {
  const i = readWasm(bytes).types.findIndex((t) =>
    t.params.length === params && t.results.length === results && [...t.params, ...t.results].every((v) => v === "i32"));
  if (i < 0) throw new Error(`no type (${params} x i32) -> ${results} x i32`);
  return i;
}
