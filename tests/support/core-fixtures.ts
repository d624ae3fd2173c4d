// Builds the signed-core fixtures of docs/update.md "Tests" from
// dist/core.wasm (and core/ for the AssemblyScript variants), with a
// throwaway P-256 key pair made for this run only (the private key is never
// written anywhere). Writes every fixture, the public key and a manifest of
// expected outcomes to one folder; tests/c/test_core_image.c and
// tests/node/core-image.test.ts both read them, so the C validator and its
// Wasm build must give the same verdict for each.
//
//   node --import tsx tests/support/core-fixtures.ts [OUT_DIR]   (default test-output/core-fixtures)
//
// manifest.tsv: "running <version>", then one line per fixture:
//   name  verdict  signature  version  acceptable  description
// verdict: core_image_verdict_name(); signature: valid / invalid / - (not
// checked: refused before); version: the core-version read, or -;
// acceptable: core_image_version_acceptable(running, version), or -.

import { spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  concat, customSection, rawPublicKey, SIGNATURE_SECTION, signBytes, signCore, versioned,
} from "../../scripts/core-image-format.ts";
import {
  appendFunction, editExports, editGlobals, editImports, exportedFunctionIndex, exportedGlobalIndex,
  i32TypeIndex, insertSection, splitSections,
} from "./wasm-edit.ts";
import { readWasm } from "./wasm-binary.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_FIXTURE_DIR = join(ROOT, "test-output", "core-fixtures");

/** The version the tests pretend is running: fixtures at or below it are replays. */
export const RUNNING_VERSION = 2;
/** core_image.h CORE_IMAGE_DEFAULT_MAX_LEN. */
const MAX_LEN = 32 * 1024;

export interface Fixture {
  name: string;
  bytes: Uint8Array;
  verdict: string;
  signature: "valid" | "invalid" | "-";
  version: number | null;
  description: string;
}

/** Deterministic bytes (xorshift32), so "random" fixtures have a fixed verdict. */
function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** One textual edit of a file in a copy of core/; fails loudly when core/ changed under it. */
export interface SourceEdit { file: string; find: RegExp; replace: string }

const REV_FIELD = ',"rev":2}\n\n';
/** Same ABI, new behaviour: every state frame gets an extra JSON field "rev":2. */
export const REV_FIELD_EDIT: SourceEdit = {
  file: "sse.ts",
  find: /const END = memory\.data<u8>\(\[[^\]]*\]\);.*\nconst END_LEN: i32 = \d+;/,
  replace: `const END = memory.data<u8>([${[...REV_FIELD].map((c) => c.charCodeAt(0)).join(", ")}]);\nconst END_LEN: i32 = ${REV_FIELD.length};`,
};
/** init executes unreachable: the trial fails. */
export const TRAP_IN_INIT_EDIT: SourceEdit = {
  file: "index.ts",
  find: /(export function init\([^)]*\)\s*:\s*i32\s*\{)/,
  replace: "$1\n  if (led_on >= 0) unreachable();",
};

/**
 * Compiles a copy of core/ with `edits` applied, with the repo's asc, the
 * release target of asconfig.json and its heap-base transform, into a temp
 * folder; returns the module.
 */
export function buildVariant(label: string, edits: SourceEdit[]): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), `core-variant-${label}-`));
  try {
    cpSync(join(ROOT, "core"), join(dir, "core"), { recursive: true });
    cpSync(join(ROOT, "asconfig.json"), join(dir, "asconfig.json"));
    for (const e of edits) {
      const path = join(dir, "core", e.file);
      const src = readFileSync(path, "utf8");
      if (!e.find.test(src)) {
        throw new Error(`fixture ${label}: core/${e.file} no longer matches ${e.find}; update the edit in tests/support/core-fixtures.ts`);
      }
      writeFileSync(path, src.replace(e.find, e.replace));
    }
    const out = join(dir, "out.wasm");
    const asc = join(ROOT, "node_modules", ".bin", "asc");
    const r = spawnSync(asc, ["core/index.ts", "--config", "asconfig.json", "--target", "release",
      "--transform", join(ROOT, "scripts", "asc-heap-base-page.js"), "--outFile", out, "--textFile", join(dir, "out.wat")],
    { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`fixture ${label}: asc failed:\n${r.stdout}${r.stderr}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A module signed with `key` but with only a signature, no version. */
function signedWithoutVersion(module: Uint8Array, key: KeyObject): Uint8Array {
  return concat(module, customSection(SIGNATURE_SECTION, signBytes(module, key)));
}

/** The whole fixture set. `key` signs; `otherKey` is the wrong key. */
export function makeFixtures(key: KeyObject, otherKey: KeyObject): Fixture[] {
  const core = new Uint8Array(readFileSync(join(ROOT, "dist", "core.wasm")));
  const debugCore = new Uint8Array(readFileSync(join(ROOT, "dist", "core.debug.wasm")));
  const fixtures: Fixture[] = [];
  const add = (name: string, bytes: Uint8Array, verdict: string, signature: Fixture["signature"], version: number | null, description: string) =>
    fixtures.push({ name, bytes, verdict, signature, version, description });
  const ok = (name: string, module: Uint8Array, version: number, description: string) =>
    add(name, signCore(module, version, key), "OK", "valid", version, description);
  // Refused after the whole file was read (so the version is known)...
  const refused = (name: string, module: Uint8Array, verdict: string, description: string) =>
    add(name, signCore(module, 3, key), verdict, "-", 3, description);
  // ... or while reading it (structure): no version reported.
  const malformed = (name: string, module: Uint8Array, verdict: string, description: string) =>
    add(name, signCore(module, 3, key), verdict, "-", null, description);

  // Accepted by the validator (the signature and version decide the rest).
  ok("good", core, 3, "dist/core.wasm signed, version 3");
  ok("good-debug", debugCore, 3, "dist/core.debug.wasm signed (name section, table, debug_trap export)");
  add("wrong-key", signCore(core, 3, otherKey), "OK", "invalid", 3, "signed with another key");
  const tampered = signCore(core, 3, key);
  // Flip the module's last byte, the end of the last data segment's
  // contents: still a valid module, no longer the signed one.
  const sections = splitSections(core);
  if (sections.at(-1)?.id !== 11 || readWasm(core).data.at(-1)?.size === 0) {
    throw new Error("dist/core.wasm no longer ends with data bytes: pick another byte for the tampered fixture");
  }
  const coreEnd = core.length;
  tampered[coreEnd - 1] = tampered[coreEnd - 1]! ^ 0x01;
  add("tampered", tampered, "OK", "invalid", 3, "one byte of a data segment changed after signing");
  ok("replayed-old", core, 1, `version 1, older than the running ${RUNNING_VERSION}`);
  ok("replayed-same", core, RUNNING_VERSION, `version ${RUNNING_VERSION}, the running one`);
  ok("traps-in-init", buildVariant("trap-init", [TRAP_IN_INIT_EDIT]), 3, "AssemblyScript variant: init executes unreachable");
  ok("traps-on-second-poll", buildVariant("trap-poll", [{
    file: "index.ts",
    find: /(export function poll\([^)]*\)\s*:\s*i32\s*\{)/,
    replace: "let pollCalls: i32 = 0;\n$1\n  pollCalls++;\n  if (pollCalls == 2) unreachable();",
  }]), 3, "AssemblyScript variant: the second poll executes unreachable");
  ok("behaviour-change", buildVariant("behaviour", [REV_FIELD_EDIT]), 4, 'AssemblyScript variant: every state frame gets an extra JSON field "rev":2');

  // Refused by the validator.
  add("unsigned-plain", core, "NO_SIGNATURE", "-", null, "dist/core.wasm as built, no sections added");
  add("unsigned", versioned(core, 3), "NO_SIGNATURE", "-", 3, "version section but no signature");
  add("no-version", signedWithoutVersion(core, key), "NO_VERSION", "-", null, "signed, no core-version section");
  add("two-versions", signCore(versioned(core, 5), 3, key), "NO_VERSION", "-", null, "two core-version sections");
  add("signature-not-last", concat(signCore(core, 3, key), customSection("trailer", Uint8Array.of(1))), "SIGNATURE_NOT_LAST", "-", 3,
    "a custom section after core-signature");
  add("bad-signature-format", concat(versioned(core, 3), customSection(SIGNATURE_SECTION, pseudoRandom(10, 7))), "BAD_SIGNATURE_FORMAT", "-", 3,
    "core-signature holds 10 bytes that are not DER");
  refused("bad-import-name", editImports(core, (im) => im.map((i) => (i.name === "led_set" ? { ...i, name: "led_sez" } : i))),
    "BAD_IMPORT", "imports host.led_sez");
  refused("bad-import-module", editImports(core, (im) => im.map((i) => (i.name === "led_set" ? { ...i, module: "env" } : i))),
    "BAD_IMPORT", "imports env.led_set");
  refused("extra-import", editImports(core, (im) => [...im, { module: "env", name: "abort", typeIndex: im[0]!.typeIndex }]),
    "BAD_IMPORT", "also imports env.abort");
  refused("bad-import-type", editImports(core, (im) => im.map((i) => (i.name === "sse_send" ? { ...i, typeIndex: i32TypeIndex(core, 1, 1) } : i))),
    "IMPORT_TYPE", "host.sse_send imported as (i32) -> i32");
  refused("bad-export-missing", editExports(core, (ex) => ex.map((e) => (e.name === "poll" ? { ...e, name: "pole" } : e))),
    "EXPORT_MISSING", "poll exported as pole");
  refused("bad-export-type", editExports(core, (ex) => ex.map((e) => (e.name === "poll" ? { ...e, index: exportedFunctionIndex(core, "abi_version") } : e))),
    "EXPORT_TYPE", "poll is () -> i32");
  const heapBase = exportedGlobalIndex(core, "__heap_base");
  const dataEnd = exportedGlobalIndex(core, "__data_end");
  refused("bad-export-heap-base-mutable", editGlobals(core, (gs) => gs.map((g, i) => (i === heapBase ? { ...g, mutable: true } : g))),
    "EXPORT_TYPE", "__heap_base is a mutable global");
  refused("start-function", insertSection(core, { id: 8, payload: Uint8Array.from([exportedFunctionIndex(core, "abi_version")]) }),
    "START_FUNCTION", "abi_version is the start function");
  const unitType = i32TypeIndex(core, 0, 1);
  refused("grows-memory", appendFunction(core, unitType, [0x00, 0x41, 0x00, 0x40, 0x00, 0x0b]),
    "MEMORY_GROW", "an extra function does memory.grow(0)");
  refused("memory-size", appendFunction(core, unitType, [0x00, 0x3f, 0x00, 0x0b]),
    "MEMORY_GROW", "an extra function does memory.size");
  malformed("bulk-memory", appendFunction(core, unitType, [0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00, 0x41, 0x00, 0x0b]),
    "BAD_INSTRUCTION", "an extra function does memory.copy (bulk memory)");
  const globals = readWasm(core).globals;
  const heapBaseValue = globals[heapBase]!.init!;
  const dataEndValue = globals[dataEnd]!.init!;
  refused("unshrinkable-unaligned", editGlobals(core, (gs) => gs.map((g, i) => (i === heapBase ? { ...g, init: heapBaseValue + 8 } : g))),
    "LAYOUT", `__heap_base ${heapBaseValue + 8}: not a whole number of 4 KiB pages`);
  refused("unshrinkable-data-end", editGlobals(core, (gs) => gs.map((g, i) => (i === heapBase ? { ...g, init: dataEndValue } : g))),
    "LAYOUT", `__heap_base = __data_end = ${dataEndValue}, as asc leaves it: align16(__data_end) passes __heap_base`);
  const firstMutable = globals.findIndex((g) => g.mutable);
  refused("unshrinkable-aux-stack", editGlobals(core, (gs) => gs.map((g, i) => (i === firstMutable ? { ...g, init: 2048 } : g))),
    "LAYOUT", "first mutable i32 global starts at 2048: WAMR takes it as an aux stack of non-zero size");
  refused("memory-too-large", editGlobals(core, (gs) => gs.map((g, i) => (i === heapBase ? { ...g, init: 32768 } : g))),
    "MEMORY_TOO_LARGE", "__heap_base 32768, above the 16 KiB default limit");

  const good = signCore(core, 3, key);
  add("truncated", good.subarray(0, Math.floor(good.length / 2)), "TRUNCATED", "-", null, "the good file cut in half");
  add("truncated-last-byte", good.subarray(0, good.length - 1), "TRUNCATED", "-", null, "the good file without its last byte");
  add("random", pseudoRandom(1500, 1), "NOT_WASM", "-", null, "1500 pseudo-random bytes");
  add("random-after-header", concat(core.subarray(0, 8), pseudoRandom(1500, 2)), "BAD_SECTION", "-", null,
    "a wasm header then 1500 pseudo-random bytes");
  add("empty", new Uint8Array(0), "NOT_WASM", "-", null, "zero bytes");
  // Padding inside the module (a custom section before the version), so the
  // file is a correctly signed core just over the limit. DER signatures
  // vary by a byte or two: grow the padding until the file is over.
  let oversize = good;
  for (let pad = MAX_LEN - good.length; oversize.length <= MAX_LEN; pad += 1 + MAX_LEN - oversize.length) {
    oversize = signCore(concat(core, customSection("padding", new Uint8Array(pad))), 3, key);
  }
  add("oversize", oversize, "TOO_LARGE", "-", null, `${oversize.length} bytes, over the ${MAX_LEN}-byte limit, otherwise good`);
  return fixtures;
}

/** Writes the fixtures, pubkey.bin (65 bytes) and manifest.tsv into `dir`; returns them. */
export function writeFixtures(dir: string): Fixture[] {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const fixtures = makeFixtures(privateKey, other.privateKey);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pubkey.bin"), rawPublicKey(publicKey));
  writeFileSync(join(dir, "pubkey.pem"), publicKey.export({ type: "spki", format: "pem" }));
  const lines = [`running\t${RUNNING_VERSION}`];
  for (const f of fixtures) {
    writeFileSync(join(dir, `${f.name}.wasm`), f.bytes);
    const acceptable = f.version === null ? "-" : f.version > RUNNING_VERSION ? "yes" : "no";
    lines.push([f.name, f.verdict, f.signature, f.version ?? "-", acceptable, f.description].join("\t"));
  }
  writeFileSync(join(dir, "manifest.tsv"), `${lines.join("\n")}\n`);
  return fixtures;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? DEFAULT_FIXTURE_DIR;
  const fixtures = writeFixtures(dir);
  process.stdout.write(`core fixtures in ${dir} (throwaway key pair; public key in pubkey.bin):\n`);
  for (const f of fixtures) {
    process.stdout.write(`  ${f.name.padEnd(30)} ${String(f.bytes.length).padStart(6)} B  ${f.verdict.padEnd(20)} ${f.description}\n`);
  }
}
