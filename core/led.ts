// The LED state machine (off/on) and the SSE id of the current state.

import { led_set } from "./host";

let on: i32 = 0;
let id: i32 = 0;

export function ledReset(ledOn: i32, firstId: i32): void {
  on = ledOn;
  id = firstId;
  led_set(on, id);
}

/** Flips the LED, drives the pin and advances the id. The id wraps to 0
 *  after 2^31 - 1 so event_id() never turns negative. */
export function ledToggle(): void {
  on ^= 1;
  id = (id + 1) & 0x7fffffff;
  led_set(on, id);
}

export function ledOn(): i32 {
  return on;
}

export function ledId(): i32 {
  return id;
}
