// The firmware's signed-core validator (host/portable/core_image.c) in
// Node: dist/core_image.wasm, built by scripts/build-validator.sh from the
// same C, so the simulator refuses exactly what the board refuses, for the
// same reason. The signature is then checked with node:crypto over the
// range the validator reports (scripts/core-image-format.ts verifySigned).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const VALIDATOR_WASM = fileURLToPath(new URL("../dist/core_image.wasm", import.meta.url));

export interface ValidatorLimits {
  /** Largest file accepted (core_image_limits_t.max_len). */
  maxLen: number;
  /** Largest linear memory (__heap_base) accepted. */
  maxMemory: number;
}

export interface ValidatorResult {
  /** Verdict number (core_image_verdict_t). */
  code: number;
  /** core_image_verdict_name(): "OK", "TOO_LARGE", ... */
  verdict: string;
  /** core_image_verdict_text(): the one-line reason. */
  text: string;
  ok: boolean;
  /** core-version, when the whole file could be read and it had one (0 otherwise). */
  version: number;
  /** Bytes [0, signedLen) are covered by the signature at [sigOffset, sigOffset + sigLen). */
  signedLen: number;
  sigOffset: number;
  sigLen: number;
  /** __heap_base: linear memory the core gets. */
  memoryBytes: number;
  /** Where the refusal was found (diagnostics). */
  errorOffset: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  cv_buffer(): number;
  cv_capacity(): number;
  cv_check(len: number, maxLen: number, maxMemory: number): number;
  cv_version(): number;
  cv_signed_len(): number;
  cv_sig_offset(): number;
  cv_sig_len(): number;
  cv_memory_bytes(): number;
  cv_error_offset(): number;
  cv_verdict_count(): number;
  cv_verdict_name(v: number): number;
  cv_verdict_text(v: number): number;
  cv_default_max_len(): number;
  cv_default_max_memory(): number;
  cv_version_acceptable(running: number, candidate: number): number;
  cv_verdict_status(v: number): number;
  cv_frame_check(len: number, led: number, id: number): number;
  cv_frame_text(v: number): number;
}

export interface CoreValidator {
  readonly defaults: ValidatorLimits;
  /** Every verdict name, indexed by number. */
  readonly verdicts: readonly string[];
  check(bytes: Uint8Array, limits?: Partial<ValidatorLimits>): ValidatorResult;
  /** core_image_version_acceptable: candidate strictly newer than running. */
  versionAcceptable(running: number, candidate: number): boolean;
  /** The one-line text of a verdict name (including the caller's own, BAD_SIGNATURE and NOT_NEWER). */
  textOf(verdict: string): string;
  /** core_image_verdict_http_status of a verdict name. */
  httpStatus(verdict: string): number;
  /** sse_frame_check: null for a good state or comment frame, else what is wrong. */
  frameCheck(frame: Uint8Array, led: number, id: number): string | null;
}

export async function loadValidator(path = VALIDATOR_WASM): Promise<CoreValidator> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new Error(`${path} is missing: run npm run build:validator (scripts/build-validator.sh)`);
  }
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), {});
  const x = instance.exports as unknown as Exports;
  // Wasm i32 results arrive signed in JavaScript: every u32 below is read with >>> 0.
  const cString = (ptr: number): string => {
    const mem = new Uint8Array(x.memory.buffer);
    let end = ptr;
    while (mem[end] !== 0) end++;
    return new TextDecoder().decode(mem.subarray(ptr, end));
  };
  const verdicts = Array.from({ length: x.cv_verdict_count() }, (_, v) => cString(x.cv_verdict_name(v)));
  const texts = Array.from({ length: verdicts.length }, (_, v) => cString(x.cv_verdict_text(v)));
  const defaults = { maxLen: x.cv_default_max_len(), maxMemory: x.cv_default_max_memory() };
  const capacity = x.cv_capacity();

  return {
    defaults,
    verdicts,
    check(file, limits = {}) {
      const { maxLen, maxMemory } = { ...defaults, ...limits };
      if (maxLen > capacity) throw new RangeError(`maxLen ${maxLen} is above the validator's buffer (${capacity} bytes)`);
      // A file above maxLen is refused before any byte is read: copy only what fits.
      const n = Math.min(file.length, capacity);
      new Uint8Array(x.memory.buffer, x.cv_buffer(), n).set(file.subarray(0, n));
      const code = x.cv_check(file.length, maxLen, maxMemory);
      if (code < 0) throw new Error("validator refused its limits");
      return {
        code,
        verdict: verdicts[code] ?? `#${code}`,
        text: texts[code] ?? "unknown verdict",
        ok: code === 0,
        version: x.cv_version() >>> 0,
        signedLen: x.cv_signed_len() >>> 0,
        sigOffset: x.cv_sig_offset() >>> 0,
        sigLen: x.cv_sig_len() >>> 0,
        memoryBytes: x.cv_memory_bytes() >>> 0,
        errorOffset: x.cv_error_offset() >>> 0,
      };
    },
    versionAcceptable: (running, candidate) => x.cv_version_acceptable(running >>> 0, candidate >>> 0) === 1,
    textOf(verdict) {
      const i = verdicts.indexOf(verdict);
      if (i < 0) throw new Error(`unknown verdict ${verdict}`);
      return texts[i]!;
    },
    httpStatus(verdict) {
      const i = verdicts.indexOf(verdict);
      if (i < 0) throw new Error(`unknown verdict ${verdict}`);
      return x.cv_verdict_status(i);
    },
    frameCheck(frame, led, id) {
      const n = Math.min(frame.length, capacity);
      new Uint8Array(x.memory.buffer, x.cv_buffer(), n).set(frame.subarray(0, n));
      const v = x.cv_frame_check(frame.length > capacity ? capacity + 1 : n, led, id);
      return v === 0 || v === 1 ? null : cString(x.cv_frame_text(v));
    },
  };
}
