// Loads dist/core.wasm (or the debug build) in Node with given host imports,
// as a host would (docs/abi.md), plus helpers the core's Node tests share.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CoreExports } from "../../sim/abi.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const RELEASE_WASM = `${ROOT}dist/core.wasm`;
export const DEBUG_WASM = `${ROOT}dist/core.debug.wasm`;
export const ABI_DOC = `${ROOT}docs/abi.md`;

/** Plus the layout globals every build exports (docs/abi.md), which tests read. */
export interface TestCoreExports extends CoreExports {
  __heap_base: WebAssembly.Global;
  __data_end: WebAssembly.Global;
}

export interface HostFunctions {
  led_set(on: number, id: number): void;
  /** Gets the frame already copied out of the core's memory. */
  sse_send(client: number, frame: Uint8Array): number;
  sse_broadcast(frame: Uint8Array): void;
}

export interface Core {
  exports: TestCoreExports;
  /** Copies `body` to body_ptr (up to body_capacity bytes) and calls icon_put. */
  iconPut(body: string | Uint8Array): number;
}

/**
 * Instantiates the core. Frames are bounds-checked against the current memory
 * and copied before the host functions see them (the core reuses its buffer);
 * an out-of-range (ptr, len) throws, which a host treats like a trap.
 */
export async function loadCore(host: HostFunctions, path = RELEASE_WASM): Promise<Core> {
  let memory: WebAssembly.Memory | null = null;
  const frame = (ptr: number, len: number): Uint8Array => {
    if (!memory) throw new Error("core called the host before instantiation finished");
    const size = memory.buffer.byteLength;
    if (ptr < 0 || len < 0 || ptr + len > size) throw new RangeError(`frame (${ptr}, ${len}) outside memory of ${size} bytes`);
    return new Uint8Array(memory.buffer.slice(ptr, ptr + len));
  };
  const imports = {
    host: {
      led_set: (on: number, id: number) => host.led_set(on, id),
      sse_send: (client: number, ptr: number, len: number) => host.sse_send(client, frame(ptr, len)),
      sse_broadcast: (ptr: number, len: number) => host.sse_broadcast(frame(ptr, len)),
    },
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(path), imports);
  const exports = instance.exports as unknown as TestCoreExports;
  memory = exports.memory;
  return {
    exports,
    iconPut(body) {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      const n = Math.min(bytes.length, exports.body_capacity());
      new Uint8Array(exports.memory.buffer, exports.body_ptr(), n).set(bytes.subarray(0, n));
      return exports.icon_put(bytes.length);
    },
  };
}

/** A host that records every call, with SSE clients that get broadcasts once opened. */
export class RecordingHost implements HostFunctions {
  led: number[] = [];
  /** The id passed with each led_set. */
  ids: number[] = [];
  /** Bytes each client received, in order (sends and broadcasts). */
  streams = new Map<number, string>();
  broadcasts: string[] = [];
  sends: { client: number; frame: string }[] = [];
  private decoder = new TextDecoder("utf-8", { fatal: true });

  /** Registers a client the way a host does before posting EVENT_CLIENT_OPEN. */
  open(client: number): void {
    this.streams.set(client, "");
  }
  close(client: number): void {
    this.streams.delete(client);
  }
  led_set(on: number, id: number): void {
    this.led.push(on);
    this.ids.push(id);
  }
  sse_send(client: number, frame: Uint8Array): number {
    const text = this.decoder.decode(frame);
    this.sends.push({ client, frame: text });
    const stream = this.streams.get(client);
    if (stream === undefined) return -1;
    this.streams.set(client, stream + text);
    return 0;
  }
  sse_broadcast(frame: Uint8Array): void {
    const text = this.decoder.decode(frame);
    this.broadcasts.push(text);
    for (const [client, stream] of this.streams) this.streams.set(client, stream + text);
  }
}
