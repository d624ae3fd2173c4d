// The signed core file format (docs/update.md "File format"), the Node side:
// append a "core-version" custom section (u32 little-endian), sign every byte
// so far with ECDSA P-256 / SHA-256 (DER), append the signature as the
// "core-signature" custom section, which must be last. The board checks it
// with host/portable/core_image.c + core_sig.c; the simulator with the same
// core_image.c compiled to Wasm and node:crypto.

import { createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export const VERSION_SECTION = "core-version";
export const SIGNATURE_SECTION = "core-signature";

/** Unsigned LEB128 (WebAssembly spec 5.2.2), for sizes and counts. */
export function uleb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`uleb128: ${value} is not a u32`);
  const out: number[] = [];
  let v = value;
  do {
    let b = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** A custom section (id 0): size, name, payload. */
export function customSection(name: string, payload: Uint8Array): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const body = [...uleb128(nameBytes.length), ...nameBytes, ...payload];
  return Uint8Array.from([0, ...uleb128(body.length), ...body]);
}

export function versionPayload(version: number): Uint8Array {
  if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) throw new RangeError(`version ${version} is not a u32`);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, version, true);
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Module + version section: the bytes the signature covers. */
export function versioned(module: Uint8Array, version: number): Uint8Array {
  return concat(module, customSection(VERSION_SECTION, versionPayload(version)));
}

/** ECDSA P-256 over SHA-256 of `signed`, DER-encoded (what core_sig.c verifies). */
export function signBytes(signed: Uint8Array, privateKey: KeyObject): Uint8Array {
  return new Uint8Array(sign("sha256", signed, { key: privateKey, dsaEncoding: "der" }));
}

/** The whole signed file: module, version section, signature section. */
export function signCore(module: Uint8Array, version: number, privateKey: KeyObject): Uint8Array {
  const signed = versioned(module, version);
  return concat(signed, customSection(SIGNATURE_SECTION, signBytes(signed, privateKey)));
}

/** Verifies the DER signature over bytes [0, signedLen) the validator reported. */
export function verifySigned(file: Uint8Array, signedLen: number, sigOffset: number, sigLen: number, publicKey: KeyObject): boolean {
  const sig = file.subarray(sigOffset, sigOffset + sigLen);
  return verify("sha256", file.subarray(0, signedLen), { key: publicKey, dsaEncoding: "der" }, sig);
}

/** What a POST /core/rollback signs (docs/update.md "Protocol"): the target
 * and the running core, so a signature cannot be replayed once either changed. */
export function rollbackMessage(to: string, runningSha256: string): string {
  return `rollback:${to}:${runningSha256}`;
}

/** The request's base64 DER signature over rollbackMessage(to, runningSha256). */
export function signRollback(to: string, runningSha256: string, privateKey: KeyObject): string {
  return Buffer.from(signBytes(Buffer.from(rollbackMessage(to, runningSha256)), privateKey)).toString("base64");
}

/** True when `signature` (base64 DER) signs rollbackMessage(to, runningSha256). */
export function verifyRollback(to: string, runningSha256: string, signature: string, publicKey: KeyObject): boolean {
  const message = Buffer.from(rollbackMessage(to, runningSha256));
  return verify("sha256", message, { key: publicKey, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
}

/** The 65-byte uncompressed point 0x04 || X || Y that core_sig_verify_p256 takes. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = (key.type === "public" ? key : createPublicKey(key)).export({ format: "jwk" });
  if (jwk.crv !== "P-256" || !jwk.x || !jwk.y) throw new Error("rawPublicKey: not a P-256 key");
  const x = Buffer.from(jwk.x, "base64url");
  const y = Buffer.from(jwk.y, "base64url");
  return concat(Uint8Array.of(4), x, y);
}
