// Randomized end to end through the ABI: switch sequences posted as level
// changes with polls in between, mixed with icon clicks; the LED, the id and
// the frames must follow exactly the real presses plus the clicks.

import { init, post_event, poll, icon_put, body_ptr, led_state, event_id } from "../../core/index";
import { resetHost, ledCount, broadcastCount } from "./support/host";
import { seed, below, between, chance } from "./support/prng";

function putLed(): i32 {
  const p = <usize>body_ptr();
  store<u8>(p, 0x6c);
  store<u8>(p + 1, 0x65);
  store<u8>(p + 2, 0x64);
  return icon_put(3);
}

describe("core, randomized", () => {
  it("toggles once per real press or click over 2,000 sequences", () => {
    seed(0xA11CE);
    let mismatches = 0;
    for (let s = 0; s < 2000; s++) {
      resetHost();
      const window = between(5, 100);
      let t: u32 = chance(25) ? 0xffffffff - below(5000) : below(1000000);
      const firstId = <i32>below(1000000);
      const ledOn = <i32>below(2);
      init(ledOn, firstId, window, 0, t);
      let toggles = 0;
      const presses = <i32>below(5);
      for (let p = 0; p < presses; p++) {
        if (chance(30)) {
          if (putLed() != 0) mismatches++;
          toggles++;
        }
        // bounces, each shorter than the window, posted as changes
        const bounces = below(4);
        for (let b: u32 = 0; b < bounces; b++) {
          post_event(1, 0, t);
          t += between(1, window - 1);
          post_event(1, 1, t);
          t += between(1, window - 1);
        }
        post_event(1, 0, t);
        if (chance(50)) poll(t);
        t += window + below(500);
        poll(t);
        post_event(1, 1, t);
        t += window + below(500);
        poll(t);
        toggles++;
      }
      poll(t);
      if (event_id() != firstId + toggles) mismatches++;
      if (led_state() != (ledOn ^ (toggles & 1))) mismatches++;
      if (ledCount() != 1 + toggles) mismatches++; // init + one per toggle
      if (broadcastCount() != toggles) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});
