// The module's exports, exactly as listed in docs/abi.md. Behaviour lives in
// the modules imported here; this file only maps ABI names onto them.

import { coreInit, postEvent, corePoll, iconPut, ABI_VERSION } from "./app";
import { queueLength, queueDropped } from "./queue";
import { ledOn, ledId } from "./led";
import { BODY_PTR, BODY_CAPACITY } from "./icon";

// WAMR shrinks linear memory to __heap_base (which the build sets to a whole
// 4 KiB page, docs/abi.md "Memory") only when these two exist as immutable
// i32 globals and nothing uses memory.grow / memory.size.
export { __heap_base, __data_end };

export function abi_version(): i32 {
  return ABI_VERSION;
}

export function init(led_on: i32, first_id: i32, debounce_ms: i32, keepalive_ms: i32, now_ms: i32): i32 {
  return coreInit(led_on, first_id, debounce_ms, keepalive_ms, <u32>now_ms);
}

export function post_event(kind: i32, arg: i32, time_ms: i32): i32 {
  return postEvent(kind, arg, <u32>time_ms);
}

export function poll(now_ms: i32): i32 {
  return corePoll(<u32>now_ms);
}

export function body_ptr(): i32 {
  return <i32>BODY_PTR;
}

export function body_capacity(): i32 {
  return BODY_CAPACITY;
}

export function icon_put(body_len: i32): i32 {
  return iconPut(body_len);
}

export function led_state(): i32 {
  return ledOn();
}

export function event_id(): i32 {
  return ledId();
}

export function dropped_events(): i32 {
  return queueDropped();
}

export function queue_length(): i32 {
  return queueLength();
}

// Target-specific extras: the debug build adds debug_trap (core/targets/*).
export * from "target-exports";
