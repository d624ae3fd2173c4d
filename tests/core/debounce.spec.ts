import {
  debounceReset, debounceSample, debounceAdvance, debounceStableLevel, debouncePressed,
} from "../../core/debounce";

const W: u32 = 20;

describe("debounce", () => {
  beforeEach(() => {
    debounceReset(W, 0);
  });

  it("starts released with no press pending", () => {
    expect(debounceStableLevel()).toBe(1);
    expect(debouncePressed()).toBe(false);
    expect(debounceSample(1, 5)).toBe(false);
    expect(debounceAdvance(100000)).toBe(false);
  });

  it("accepts a press only after the window and toggles on the release", () => {
    expect(debounceSample(0, 100)).toBe(false);
    expect(debounceAdvance(119)).toBe(false);
    expect(debounceStableLevel()).toBe(1); // 19 ms: not yet
    expect(debounceAdvance(120)).toBe(false); // press accepted, no toggle yet
    expect(debounceStableLevel()).toBe(0);
    expect(debouncePressed()).toBe(true);
    expect(debounceSample(1, 300)).toBe(false);
    expect(debounceAdvance(319)).toBe(false);
    expect(debounceAdvance(320)).toBe(true); // release accepted: toggle
    expect(debouncePressed()).toBe(false);
    expect(debounceAdvance(10000)).toBe(false); // exactly once
  });

  it("ignores flicker shorter than the window", () => {
    expect(debounceSample(0, 100)).toBe(false);
    expect(debounceSample(1, 110)).toBe(false);
    expect(debounceSample(0, 115)).toBe(false);
    expect(debounceSample(1, 134)).toBe(false); // 0 lasted 19 ms
    expect(debounceAdvance(1000)).toBe(false);
    expect(debounceStableLevel()).toBe(1);
    expect(debouncePressed()).toBe(false);
  });

  it("judges the old level at the next sample when only changes are posted", () => {
    expect(debounceSample(0, 100)).toBe(false);
    // No sample in between: the 0 lasted 50 ms, so the press is accepted here.
    expect(debounceSample(1, 150)).toBe(false);
    expect(debouncePressed()).toBe(true);
    expect(debounceAdvance(169)).toBe(false);
    expect(debounceAdvance(170)).toBe(true);
  });

  it("does not toggle while the switch is held, however long", () => {
    debounceSample(0, 100);
    for (let t: u32 = 100; t < 3600100; t += 997) {
      expect(debounceSample(0, t)).toBe(false);
    }
    expect(debounceAdvance(3600100)).toBe(false);
    expect(debouncePressed()).toBe(true);
    debounceSample(1, 3600200);
    expect(debounceAdvance(3600220)).toBe(true);
  });

  it("a release without an accepted press does not toggle", () => {
    debounceSample(0, 100);
    debounceSample(1, 105); // press too short
    expect(debounceAdvance(500)).toBe(false);
    expect(debounceSample(1, 600)).toBe(false);
  });

  it("counts time across the 2^32 wrap", () => {
    debounceReset(W, 0xfffffff0);
    expect(debounceSample(0, 0xfffffff8)).toBe(false);
    expect(debounceAdvance(0xffffffff)).toBe(false);
    expect(debounceAdvance(11)).toBe(false); // 19 ms after 0xfffffff8
    expect(debouncePressed()).toBe(false);
    expect(debounceAdvance(12)).toBe(false); // 20 ms: press accepted
    expect(debouncePressed()).toBe(true);
    debounceSample(1, 40);
    expect(debounceAdvance(60)).toBe(true);
  });

  it("treats a judgement time slightly before the change as not yet", () => {
    debounceSample(0, 1000);
    expect(debounceAdvance(990)).toBe(false);
    expect(debounceStableLevel()).toBe(1);
    expect(debounceAdvance(1020)).toBe(false);
    expect(debounceStableLevel()).toBe(0);
  });

  it("honours the window it was reset with", () => {
    debounceReset(1000, 0);
    debounceSample(0, 10);
    expect(debounceAdvance(1009)).toBe(false);
    expect(debouncePressed()).toBe(false);
    expect(debounceAdvance(1010)).toBe(false);
    expect(debouncePressed()).toBe(true);
    debounceReset(1, 0);
    debounceSample(0, 10);
    debounceSample(1, 11); // 1 ms press is enough with a 1 ms window
    expect(debounceAdvance(12)).toBe(true);
  });

  it("reset forgets a pending press", () => {
    debounceSample(0, 100);
    debounceAdvance(200);
    expect(debouncePressed()).toBe(true);
    debounceReset(W, 300);
    expect(debouncePressed()).toBe(false);
    debounceSample(1, 310);
    expect(debounceAdvance(400)).toBe(false);
  });
});
