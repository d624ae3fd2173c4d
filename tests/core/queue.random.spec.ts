// Randomized queue: random bursts of pushes and pops against a simple model;
// order and the drop count must match exactly. Then the same through the ABI
// (post_event / poll), where the order is observed in the frames sent.

import {
  queueReset, queuePush, queuePop, queueLength, queueDropped, poppedKind, poppedArg, poppedTime,
} from "../../core/queue";
import { init, post_event, poll, dropped_events, queue_length } from "../../core/index";
import { resetHost, sendCount, sendClient } from "./support/host";
import { seed, below, chance } from "./support/prng";

describe("queue, randomized", () => {
  it("keeps order and counts drops exactly over 200,000 operations", () => {
    seed(0x5EED1);
    queueReset();
    const model = new Array<i32>(); // queued sequence numbers, oldest first
    let head = 0;
    let nextValue = 0;
    let expectedDrops = 0;
    let mismatches = 0;
    let ops = 0;
    let fullHits = 0;
    while (ops < 200000) {
      // Bursts: mostly push-heavy or pop-heavy phases so the ring fills and empties.
      const pushing = chance(50);
      const burst = 1 + <i32>below(100);
      for (let i = 0; i < burst; i++, ops++) {
        if (pushing ? chance(85) : chance(15)) {
          const value = nextValue++;
          const ok = queuePush(2, value, <u32>value * 3);
          const queued = model.length - head;
          if (queued < 64) {
            if (!ok) mismatches++;
            model.push(value);
          } else {
            fullHits++;
            expectedDrops++;
            if (ok) mismatches++;
          }
        } else {
          const ok = queuePop();
          if (head < model.length) {
            const value = model[head++];
            if (!ok || poppedKind != 2 || poppedArg != value || poppedTime != <u32>value * 3) mismatches++;
          } else if (ok) {
            mismatches++;
          }
        }
        if (queueLength() != model.length - head) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    expect(queueDropped()).toBe(expectedDrops);
    expect(fullHits).toBeGreaterThan(1000); // the ring really overflowed
  });

  it("drops only the newest events through post_event and delivers the rest in order", () => {
    seed(0x5EED2);
    resetHost();
    init(0, 0, 20, 0, 0);
    let expectedDrops = 0;
    let nextClient = 0;
    let sendsSeen = 0;
    let mismatches = 0;
    for (let round = 0; round < 500; round++) {
      const n = <i32>below(140);
      const first = nextClient;
      for (let i = 0; i < n; i++) {
        const r = post_event(2, nextClient++, round);
        if (i < 64 ? r != 0 : r != -1) mismatches++;
      }
      if (n > 64) expectedDrops += n - 64;
      if (queue_length() != min(n, 64)) mismatches++;
      if (poll(round) != -1) mismatches++; // nothing pending afterwards
      if (queue_length() != 0) mismatches++;
      // Each CLIENT_OPEN sends one frame: clients first .. first+63, in order.
      for (let i = 0; i < min(n, 64); i++) {
        if (sendClient(sendsSeen + i) != first + i) mismatches++;
      }
      sendsSeen += min(n, 64);
      if (sendCount() != sendsSeen) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(dropped_events()).toBe(expectedDrops);
    expect(expectedDrops).toBeGreaterThan(1000);
  });
});
