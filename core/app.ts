// Wiring: argument checks, event dispatch and the poll loop. Modules below
// hold one concern each; this file decides what an event does.

import { sse_send, sse_broadcast } from "./host";
import { queueReset, queuePush, queuePop, poppedKind, poppedArg, poppedTime } from "./queue";
import { debounceReset, debounceSample, debounceAdvance, debounceRemaining, DEBOUNCE_MIN_MS, DEBOUNCE_MAX_MS } from "./debounce";
import { ledReset, ledToggle, ledOn, ledId } from "./led";
import { FRAME_PTR, formatState, formatKeepalive } from "./sse";
import { keepaliveReset, keepaliveNoteBroadcast, keepaliveDue, keepaliveRemaining, KEEPALIVE_MIN_MS, KEEPALIVE_MAX_MS } from "./keepalive";
import { validateBody, PUT_OK, PUT_QUEUE_FULL } from "./icon";

// Event kinds (docs/abi.md). EVENT_CLICK is internal: only icon_put queues it.
export const EVENT_SWITCH: i32 = 1;
export const EVENT_CLIENT_OPEN: i32 = 2;
export const EVENT_CLIENT_CLOSE: i32 = 3;
export const EVENT_REFRESH: i32 = 4;
export const EVENT_CLICK: i32 = 5;

// The ABI this core implements (docs/abi.md "Versions"); hosts refuse others.
export const ABI_VERSION: i32 = 2;

export const POST_OK: i32 = 0;
export const POST_FULL: i32 = -1;
export const POST_INVALID: i32 = -2;

// Time of the poll being run; broadcasts are stamped with it for the keepalive.
let pollNow: u32 = 0;

export function coreInit(ledOnArg: i32, firstId: i32, debounceMs: i32, keepaliveMs: i32, nowMs: u32): i32 {
  // Validate everything before touching any state ("nothing changed" on -1).
  if (ledOnArg != 0 && ledOnArg != 1) return -1;
  if (firstId < 0) return -1;
  if (debounceMs < DEBOUNCE_MIN_MS || debounceMs > DEBOUNCE_MAX_MS) return -1;
  if (keepaliveMs != 0 && (keepaliveMs < KEEPALIVE_MIN_MS || keepaliveMs > KEEPALIVE_MAX_MS)) return -1;
  queueReset();
  debounceReset(<u32>debounceMs, nowMs);
  keepaliveReset(<u32>keepaliveMs, nowMs);
  pollNow = nowMs;
  ledReset(ledOnArg, firstId);
  return 0;
}

export function postEvent(kind: i32, arg: i32, timeMs: u32): i32 {
  let valid = false;
  if (kind == EVENT_SWITCH) valid = arg == 0 || arg == 1;
  else if (kind == EVENT_CLIENT_OPEN || kind == EVENT_CLIENT_CLOSE) valid = arg >= 0;
  else if (kind == EVENT_REFRESH) valid = arg >= -1;
  if (!valid) return POST_INVALID;
  return queuePush(kind, arg, timeMs) ? POST_OK : POST_FULL;
}

export function iconPut(bodyLen: i32): i32 {
  const code = validateBody(bodyLen);
  if (code != PUT_OK) return code;
  // A click carries no time: debounce and keepalive never look at it.
  return queuePush(EVENT_CLICK, 0, pollNow) ? PUT_OK : PUT_QUEUE_FULL;
}

function broadcastState(): void {
  const len = formatState(false, <u32>ledId(), ledOn() != 0);
  sse_broadcast(FRAME_PTR, len);
  keepaliveNoteBroadcast(pollNow);
}

function toggle(): void {
  ledToggle();
  broadcastState();
}

function dispatch(kind: i32, arg: i32, time: u32): void {
  if (kind == EVENT_SWITCH) {
    if (debounceSample(arg, time)) toggle();
  } else if (kind == EVENT_CLICK) {
    toggle();
  } else if (kind == EVENT_CLIENT_OPEN) {
    // -1 means the host already dropped the client: nothing left to do.
    sse_send(arg, FRAME_PTR, formatState(true, <u32>ledId(), ledOn() != 0));
  } else if (kind == EVENT_REFRESH) {
    if (arg == -1) broadcastState();
    else sse_send(arg, FRAME_PTR, formatState(false, <u32>ledId(), ledOn() != 0));
  }
  // EVENT_CLIENT_CLOSE: kept for ordering only; the host has unregistered it.
}

/** The earlier of two delays, either of which may be NO_DEADLINE (< 0). */
function earlier(a: i32, b: i32): i32 {
  if (a < 0) return b;
  if (b < 0) return a;
  return min(a, b);
}

/** Drains the queue, judges the switch and the keepalive at `nowMs`, and
 *  returns the ms until the core must be polled again if no event comes
 *  (a debounce or keepalive deadline), or NO_DEADLINE. */
export function corePoll(nowMs: u32): i32 {
  pollNow = nowMs;
  while (queuePop()) {
    dispatch(poppedKind, poppedArg, poppedTime);
  }
  if (debounceAdvance(nowMs)) toggle();
  if (keepaliveDue(nowMs)) {
    sse_broadcast(FRAME_PTR, formatKeepalive());
    keepaliveNoteBroadcast(nowMs);
  }
  return earlier(debounceRemaining(nowMs), keepaliveRemaining(nowMs));
}
