// Randomized debounce: generated switch signals with a known number of real
// presses (held >= window) buried in bounces (each < window) must produce
// exactly that many toggles. Covers hosts that post only changes (with polls at
// random moments) and hosts that post every periodic sample, long holds, and
// start times near 2^32 so the clock wraps inside sequences.

import { debounceReset, debounceSample, debounceAdvance } from "../../core/debounce";
import { seed, below, between, chance, next } from "./support/prng";

const SEQUENCES = 10000;
const MAX_SEGMENTS = 256;
const levels = new StaticArray<i32>(MAX_SEGMENTS);
const lengths = new StaticArray<u32>(MAX_SEGMENTS);
let segmentCount = 0;
let wrapped = 0; // sequences whose clock passed 2^32
let longHolds = 0; // presses held down for >= 100 s

function push(level: i32, length: u32): void {
  levels[segmentCount] = level;
  lengths[segmentCount] = length;
  segmentCount++;
}

/** Builds the signal; returns its number of real presses. */
function generate(window: u32, sample: u32, periodic: bool): i32 {
  segmentCount = 0;
  // Bounces must end before the window, also as seen through periodic samples
  // (the old level is judged at the next sample, up to one period later). A
  // sampled bounce lasts at least one period, so none is missed: a missed one
  // would merge its neighbours into one long, genuinely accepted level.
  const bounceMin: u32 = periodic ? sample : 1;
  const bounceMax: u32 = periodic ? window - sample - 1 : window - 1;
  const settle: u32 = periodic ? window + 2 * sample : window;
  push(1, settle + below(3 * window)); // idle, released
  const presses = <i32>below(6);
  for (let p = 0; p < presses; p++) {
    if (bounceMax >= bounceMin) {
      const bounces = below(6);
      for (let b: u32 = 0; b < bounces; b++) {
        push(0, between(bounceMin, bounceMax));
        push(1, between(bounceMin, bounceMax));
      }
    }
    let hold = settle + below(4 * window);
    if (chance(3)) {
      hold += periodic ? between(1000, 20000) : between(100000, 20000000); // held down long
      if (hold >= 100000) longHolds++;
    }
    push(0, hold);
    if (bounceMax >= bounceMin) {
      const bounces = below(6);
      for (let b: u32 = 0; b < bounces; b++) {
        push(1, between(bounceMin, bounceMax));
        push(0, between(bounceMin, bounceMax));
      }
    }
    push(1, settle + below(3 * window));
  }
  return presses;
}

function startTime(): u32 {
  const pick = below(4);
  if (pick == 0) return 0xffffffff - below(20000); // wraps during the sequence
  if (pick == 1) return below(100000);
  return next();
}

/** Host that posts only level changes and polls at random moments. */
function runChanges(window: u32, start: u32): i32 {
  debounceReset(window, start);
  let toggles = 0;
  let t = start;
  for (let i = 0; i < segmentCount; i++) {
    const len = lengths[i];
    if (debounceSample(levels[i], t)) toggles++;
    const polls = below(3);
    for (let k: u32 = 0; k < polls; k++) {
      if (debounceAdvance(t + below(len))) toggles++; // inside the segment
    }
    t += len;
  }
  if (t < start) wrapped++;
  if (debounceAdvance(t)) toggles++; // the last release is judged here
  return toggles;
}

/** Host that posts the level every `period` ms. */
function runPeriodic(window: u32, period: u32, start: u32): i32 {
  debounceReset(window, start);
  let toggles = 0;
  let segStart = start;
  let t = start;
  for (let i = 0; i < segmentCount; i++) {
    const len = lengths[i];
    while (t - segStart < len) {
      if (debounceSample(levels[i], t)) toggles++;
      t += period;
    }
    segStart += len;
  }
  if (t < start) wrapped++;
  if (debounceAdvance(t)) toggles++;
  return toggles;
}

/**
 * Generates SEQUENCES signals for the periodic or the changes-only host and
 * expects each to toggle exactly as often as it was really pressed.
 */
function expectExactToggles(periodic: bool): void {
  let failures = 0;
  let firstFailure = -1;
  let totalPresses = 0;
  let totalToggles = 0;
  for (let s = 0; s < SEQUENCES; s++) {
    let presses: i32;
    let toggles: i32;
    if (periodic) {
      const window = between(4, 300);
      const period = between(max<u32>(1, window / 10), window / 4);
      presses = generate(window, period, true);
      toggles = runPeriodic(window, period, startTime());
    } else {
      const window = between(1, 300);
      presses = generate(window, 0, false);
      toggles = runChanges(window, startTime());
    }
    totalPresses += presses;
    totalToggles += toggles;
    if (toggles != presses) {
      if (firstFailure < 0) firstFailure = s;
      failures++;
    }
  }
  expect(firstFailure).toBe(-1, "index of the first sequence with a wrong toggle count");
  expect(failures).toBe(0);
  expect(totalToggles).toBe(totalPresses);
  expect(totalPresses).toBeGreaterThan(SEQUENCES); // the generator really pressed
}

describe("debounce, randomized", () => {
  it("counts exactly the real presses in 10,000 bouncing changes-only sequences", () => {
    seed(0xC0FFEE);
    wrapped = 0;
    longHolds = 0;
    expectExactToggles(false);
    expect(wrapped).toBeGreaterThan(100); // and crossed the 2^32 wrap
    expect(longHolds).toBeGreaterThan(100);
  });

  it("counts exactly the real presses in 10,000 periodically sampled sequences", () => {
    seed(0xBADC0DE);
    wrapped = 0;
    expectExactToggles(true);
    expect(wrapped).toBeGreaterThan(100);
  });

  it("the generator's bounces would toggle without a window (sanity check)", () => {
    // Same signals with a 1 ms window: every bounce pair longer than 1 ms is
    // then a real press, so the count must differ for some sequences.
    seed(0xC0FFEE);
    let differing = 0;
    for (let s = 0; s < 1000; s++) {
      const window = between(1, 300);
      const presses = generate(window, 0, false);
      if (runChanges(1, startTime()) != presses) differing++;
    }
    expect(differing).toBeGreaterThan(100);
  });
});
