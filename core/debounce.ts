// Window debounce of the push switch (raw level: 0 = pressed, active low).
// A new raw level is accepted once it has stayed unchanged for the window,
// judged at the next sample or poll time at or after that moment. A toggle is
// reported on the accepted release (1) that follows an accepted press (0), so a
// held switch does nothing until it is let go.

import { reached, remaining, NO_DEADLINE } from "./clock";

export const DEBOUNCE_MIN_MS: i32 = 1;
export const DEBOUNCE_MAX_MS: i32 = 1000;

let windowMs: u32 = 50;
let rawLevel: i32 = 1; // last level seen
let rawSince: u32 = 0; // when rawLevel last changed
let stableLevel: i32 = 1; // last accepted level; the switch starts released
let pressed: bool = false; // an accepted press waits for its release

export function debounceReset(window: u32, now: u32): void {
  windowMs = window;
  rawLevel = 1;
  rawSince = now;
  stableLevel = 1;
  pressed = false;
}

/** Judges the current raw level at `now`; true if a press-release completed. */
export function debounceAdvance(now: u32): bool {
  if (rawLevel == stableLevel || !reached(now, rawSince, windowMs)) return false;
  stableLevel = rawLevel;
  if (stableLevel == 0) {
    pressed = true;
    return false;
  }
  const toggle = pressed;
  pressed = false;
  return toggle;
}

/** Feeds one raw sample taken at `time`; true if a press-release completed. */
export function debounceSample(level: i32, time: u32): bool {
  // The old level lasted until this sample: judge it first, so hosts that post
  // only level changes still get presses longer than the window accepted.
  const toggle = debounceAdvance(time);
  if (level != rawLevel) {
    rawLevel = level;
    rawSince = time;
  }
  return toggle;
}

/** Milliseconds from `now` until a waiting level is judged (0 = due now),
 *  or NO_DEADLINE when the raw level is the accepted one and nothing is pending. */
export function debounceRemaining(now: u32): i32 {
  if (rawLevel == stableLevel) return NO_DEADLINE;
  return remaining(now, rawSince, windowMs);
}

export function debounceStableLevel(): i32 {
  return stableLevel;
}

export function debouncePressed(): bool {
  return pressed;
}
