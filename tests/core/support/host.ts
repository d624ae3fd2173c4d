// Test-only view of the calls the core made to its `host` imports. The
// recording side lives in as-pect.config.js (import module "spec").

@external("spec", "reset")
export declare function resetHost(): void;

/** What the recorded sse_send returns from now on (0 ok, -1 client gone). */
@external("spec", "set_send_result")
export declare function setSendResult(result: i32): void;

@external("spec", "led_count")
export declare function ledCount(): i32;

/** Last value passed to led_set, or -1 if none since reset. */
@external("spec", "led_last")
export declare function ledLast(): i32;

/** Last id passed to led_set, or -1 if none since reset. */
@external("spec", "led_last_id")
export declare function ledLastId(): i32;

@external("spec", "send_count")
export declare function sendCount(): i32;

@external("spec", "send_client")
export declare function sendClient(i: i32): i32;

@external("spec", "send_frame")
export declare function sendFrame(i: i32): string;

@external("spec", "broadcast_count")
export declare function broadcastCount(): i32;

@external("spec", "broadcast_frame")
export declare function broadcastFrame(i: i32): string;
