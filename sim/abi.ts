/**
 * The core's ABI (docs/abi.md) and the simulator's GET /sim/state body as
 * TypeScript: one declaration for the simulator, the tests and the benchmarks.
 */

/** The ABI version this simulator implements (`abi_version()`, docs/abi.md "Versions"). */
export const ABI_VERSION = 2;

/** post_event kinds. */
export const EVENT_SWITCH = 1;
export const EVENT_CLIENT_OPEN = 2;
export const EVENT_CLIENT_CLOSE = 3;
export const EVENT_REFRESH = 4;

/** icon_put results. */
export const PUT_OK = 0;
export const PUT_UNKNOWN_ICON = 1;
export const PUT_BAD_BODY = 2;
export const PUT_TOO_LARGE = 3;
export const PUT_QUEUE_FULL = 4;

/** The exports of docs/abi.md; `debug_trap` only in dist/core.debug.wasm. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  init(ledOn: number, firstId: number, debounceMs: number, keepaliveMs: number, nowMs: number): number;
  post_event(kind: number, arg: number, timeMs: number): number;
  poll(nowMs: number): number;
  body_ptr(): number;
  body_capacity(): number;
  icon_put(bodyLen: number): number;
  led_state(): number;
  event_id(): number;
  dropped_events(): number;
  queue_length(): number;
  debug_trap?: () => void;
}

/** The function exports every core build has. */
export const REQUIRED_FUNCTIONS = [
  'abi_version',
  'init',
  'post_event',
  'poll',
  'body_ptr',
  'body_capacity',
  'icon_put',
  'led_state',
  'event_id',
  'dropped_events',
  'queue_length',
] as const;

/** GET /sim/state. */
export interface SimState {
  led: boolean;
  clients: number;
  dropped: number;
  id: number;
  restarts: number;
  /** When the switch last changed level, in microseconds of the host's
   * CLOCK_MONOTONIC (process.hrtime); null before the first edge. The
   * latency bench measures release → frame from it, as a board would from
   * its interrupt's timestamp. */
  switch_edge_us: number | null;
}
