// Signed cores for the live-update tests (docs/update.md): the release core
// and AssemblyScript variants of it, signed with a key pair made for the run.
// Built once per process (each variant is an asc build of a copy of core/).

import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { signCore } from "../../scripts/core-image-format.ts";
import { buildVariant, REV_FIELD_EDIT, TRAP_IN_INIT_EDIT } from "./core-fixtures.ts";
import { ROOT } from "./core-loader.ts";

export interface UpdateCores {
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** dist/core.wasm, signed with `version`. */
  release(version: number): Uint8Array;
  /** Same ABI, new behaviour: every state frame carries "rev":2. */
  behaviour(version: number): Uint8Array;
  /** Passes the trial, then traps on every click (icon_put). */
  trapsOnClick(version: number): Uint8Array;
  /** Traps in init: its trial fails. */
  trapsInInit(version: number): Uint8Array;
  /** The same modules unsigned, for npm run deploy (which signs). */
  unsigned: { release: Uint8Array; behaviour: Uint8Array; trapsOnClick: Uint8Array; trapsInInit: Uint8Array };
}

let modules: { release: Uint8Array; behaviour: Uint8Array; trapsOnClick: Uint8Array; trapsInInit: Uint8Array } | undefined;

function build(): NonNullable<typeof modules> {
  return {
    release: new Uint8Array(readFileSync(join(ROOT, "dist", "core.wasm"))),
    behaviour: buildVariant("update-rev", [REV_FIELD_EDIT]),
    trapsOnClick: buildVariant("update-trap-click", [{
      file: "index.ts",
      find: /(export function icon_put\([^)]*\)\s*:\s*i32\s*\{)/,
      replace: "$1\n  if (body_len >= 0) unreachable();",
    }]),
    trapsInInit: buildVariant("update-trap-init", [TRAP_IN_INIT_EDIT]),
  };
}

export function updateCores(): UpdateCores {
  modules ??= build();
  const m = modules;
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    publicKey,
    privateKey,
    release: (v) => signCore(m.release, v, privateKey),
    behaviour: (v) => signCore(m.behaviour, v, privateKey),
    trapsOnClick: (v) => signCore(m.trapsOnClick, v, privateKey),
    trapsInInit: (v) => signCore(m.trapsInInit, v, privateKey),
    unsigned: m,
  };
}
