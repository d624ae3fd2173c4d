// Keepalive timer: a comment frame is due when nothing was broadcast for
// `period` ms (0 = off). Keeps idle SSE connections from being timed out by
// proxies and lets hosts notice dead sockets.

import { reached, remaining, NO_DEADLINE } from "./clock";

export const KEEPALIVE_MIN_MS: i32 = 1000;
export const KEEPALIVE_MAX_MS: i32 = 600000;

let period: u32 = 0;
let lastBroadcast: u32 = 0;

export function keepaliveReset(periodMs: u32, now: u32): void {
  period = periodMs;
  lastBroadcast = now;
}

export function keepaliveNoteBroadcast(now: u32): void {
  lastBroadcast = now;
}

/** Milliseconds from `now` until the next keepalive is due (0 = due now),
 *  or NO_DEADLINE when keepalives are off. */
export function keepaliveRemaining(now: u32): i32 {
  if (period == 0) return NO_DEADLINE;
  return remaining(now, lastBroadcast, period);
}

export function keepaliveDue(now: u32): bool {
  return period != 0 && reached(now, lastBroadcast, period);
}
