// Functions the host provides (module "host", see docs/abi.md "Imports").
// Frames are handed over as (ptr, len) into the core's memory; the host must
// copy or write them before returning because the frame buffer is reused.

@external("host", "led_set")
export declare function led_set(on: i32): void;

@external("host", "sse_send")
export declare function sse_send(client: i32, ptr: usize, len: i32): i32;

@external("host", "sse_broadcast")
export declare function sse_broadcast(ptr: usize, len: i32): void;
