// Functions the host provides (module "host", see docs/abi.md "Imports").
// Frames are handed over as (ptr, len) into the core's memory; the host must
// copy or write them before returning because the frame buffer is reused.

/** Drives the LED (`on` 0/1) and tells the host the SSE id of that state,
 *  so a host never has to ask for it (docs/abi.md "Imports"). */
@external("host", "led_set")
export declare function led_set(on: i32, id: i32): void;

@external("host", "sse_send")
export declare function sse_send(client: i32, ptr: usize, len: i32): i32;

@external("host", "sse_broadcast")
export declare function sse_broadcast(ptr: usize, len: i32): void;
