// Randomized debounce, fed with edges as the event-driven hosts do: generated
// switch signals with a known number of real presses (held >= window) buried
// in bounces and edge storms (each shorter than the window) must produce
// exactly that many toggles. Start times near 2^32 make the clock wrap inside
// sequences. Three hosts:
//  - deadline-driven: every edge posted at its time, polls ONLY at the
//    deadlines the core returns (docs/abi.md "poll");
//  - coalescing: edges taken in bursts the way the board's interrupt bridge
//    does (first, second-to-last and last edge of each burst shorter than the
//    window, docs/abi.md "Debounce"), polls at the deadlines;
//  - changes plus extra polls at random moments (polling early or often is
//    harmless).

import { debounceReset, debounceSample, debounceAdvance, debounceRemaining } from "../../core/debounce";
import { reached } from "../../core/clock";
import { seed, below, between, chance, next } from "./support/prng";

const SEQUENCES = 10000;
const MAX_SEGMENTS = 4096;
const levels = new StaticArray<i32>(MAX_SEGMENTS);
const lengths = new StaticArray<u32>(MAX_SEGMENTS);
let segmentCount = 0;
let wrapped = 0; // sequences whose clock passed 2^32
let longHolds = 0; // presses held down for >= 100 s
let storms = 0; // bounce bursts of >= 50 edges
let coalesced = 0; // edges a coalescing host never posted

function push(level: i32, length: u32): void {
  levels[segmentCount] = level;
  lengths[segmentCount] = length;
  segmentCount++;
}

/** Bounces around a level change: ordinary ones (1..window-1 ms each) or a
 *  storm (up to 400 edges mostly 0..1 ms apart, i.e. thousands of edges a
 *  second, with a few longer pauses still shorter than the window). Starts
 *  with `first` and ends on the level before it. */
function bounces(first: i32, window: u32): void {
  if (window < 2) return;
  if (chance(20)) {
    let level = first;
    const edges = between(1, 200) * 2;
    for (let e: u32 = 0; e < edges; e++) {
      push(level, chance(10) && window > 2 ? between(2, window - 1) : below(2));
      level ^= 1;
    }
    if (edges >= 50) storms++;
    return;
  }
  const n = below(6);
  for (let b: u32 = 0; b < n; b++) {
    push(first, between(1, window - 1));
    push(first ^ 1, between(1, window - 1));
  }
}

/** Builds the signal; returns its number of real presses. */
function generate(window: u32): i32 {
  segmentCount = 0;
  push(1, window + below(3 * window)); // idle, released
  const presses = <i32>below(6);
  for (let p = 0; p < presses; p++) {
    bounces(0, window);
    let hold = window + below(4 * window);
    if (chance(3)) {
      hold += between(100000, 20000000); // held down long
      longHolds++;
    }
    push(0, hold);
    bounces(1, window);
    push(1, window + below(3 * window));
  }
  return presses;
}

function startTime(): u32 {
  const pick = below(4);
  if (pick == 0) return 0xffffffff - below(20000); // wraps during the sequence
  if (pick == 1) return below(100000);
  return next();
}

// The emulated host's pending wake-up: the core's deadline, as an absolute time.
let hasDeadline = false;
let deadline: u32 = 0;
let toggles = 0;

function arm(now: u32): void {
  const d = debounceRemaining(now);
  hasDeadline = d >= 0;
  deadline = now + <u32>d;
}

/** Fires the pending deadline if it is due by `t` (the host's timer). */
function fireDue(t: u32): void {
  if (hasDeadline && reached(t, deadline, 0)) {
    const at = deadline;
    if (debounceAdvance(at)) toggles++;
    arm(at);
  }
}

function edge(level: i32, t: u32): void {
  if (debounceSample(level, t)) toggles++;
}

/** Every edge posted at its own time; polls only at deadlines. */
function runDeadlineDriven(window: u32, start: u32): i32 {
  debounceReset(window, start);
  toggles = 0;
  hasDeadline = false;
  let t = start;
  for (let i = 0; i < segmentCount; i++) {
    fireDue(t);
    edge(levels[i], t);
    arm(t);
    t += lengths[i];
  }
  if (t < start) wrapped++;
  fireDue(t);
  return toggles;
}

/**
 * Edges taken in bursts like the board's interrupt bridge: a burst is the
 * edges within `gather` ms (< window) of its first one; the host posts its
 * first, second-to-last and last edge, then polls and waits for the deadline.
 * A deadline that comes first ends the burst early (the task wakes for it).
 */
function runCoalescing(window: u32, start: u32, gather: u32): i32 {
  debounceReset(window, start);
  toggles = 0;
  hasDeadline = false;
  let t = start;
  let i = 0;
  while (i < segmentCount) {
    fireDue(t);
    // Gather the burst starting at segment i (its edge is at time t).
    const burstStart = t;
    let last = i;
    let tLast = t;
    let u = t + lengths[i];
    while (last + 1 < segmentCount && <i32>(u - burstStart) < <i32>gather &&
           !(hasDeadline && reached(u, deadline, 0))) {
      last++;
      tLast = u;
      u += lengths[last];
    }
    edge(levels[i], burstStart);
    if (last > i) {
      // the second-to-last edge's time: walk back from the last one
      const tBefore = tLast - lengths[last - 1];
      if (last - 1 > i) edge(levels[last - 1], tBefore);
      edge(levels[last], tLast);
      coalesced += last - i + 1 - (last - 1 > i ? 3 : 2);
    }
    arm(tLast);
    t = u;
    i = last + 1;
  }
  if (t < start) wrapped++;
  fireDue(t);
  return toggles;
}

/** Every edge posted, plus polls at random moments between them. */
function runWithExtraPolls(window: u32, start: u32): i32 {
  debounceReset(window, start);
  toggles = 0;
  let t = start;
  for (let i = 0; i < segmentCount; i++) {
    const len = lengths[i];
    edge(levels[i], t);
    const polls = below(3);
    for (let k: u32 = 0; k < polls; k++) {
      if (debounceAdvance(t + below(len + 1))) toggles++; // inside the segment
    }
    t += len;
  }
  if (t < start) wrapped++;
  if (debounceAdvance(t + window)) toggles++; // the last release is judged here
  return toggles;
}

const HOST_DEADLINE = 0;
const HOST_COALESCING = 1;
const HOST_EXTRA_POLLS = 2;

/** SEQUENCES signals through one host; each must toggle exactly as often as it was pressed. */
function expectExactToggles(host: i32): void {
  let failures = 0;
  let firstFailure = -1;
  let totalPresses = 0;
  let totalToggles = 0;
  for (let s = 0; s < SEQUENCES; s++) {
    const window = between(1, 300);
    const presses = generate(window);
    const start = startTime();
    let got: i32;
    if (host == HOST_DEADLINE) got = runDeadlineDriven(window, start);
    else if (host == HOST_COALESCING) got = runCoalescing(window, start, between(1, max<u32>(1, min<u32>(window - 1, 3))));
    else got = runWithExtraPolls(window, start);
    totalPresses += presses;
    totalToggles += got;
    if (got != presses) {
      if (firstFailure < 0) firstFailure = s;
      failures++;
    }
  }
  expect(firstFailure).toBe(-1, "index of the first sequence with a wrong toggle count");
  expect(failures).toBe(0);
  expect(totalToggles).toBe(totalPresses);
  expect(totalPresses).toBeGreaterThan(SEQUENCES); // the generator really pressed
}

describe("debounce fed with edges, randomized", () => {
  it("counts exactly the real presses in 10,000 sequences, polled only at its deadlines", () => {
    seed(0xC0FFEE);
    wrapped = 0;
    longHolds = 0;
    storms = 0;
    expectExactToggles(HOST_DEADLINE);
    expect(wrapped).toBeGreaterThan(100); // and crossed the 2^32 wrap
    expect(longHolds).toBeGreaterThan(100);
    expect(storms).toBeGreaterThan(1000); // and went through edge storms
  });

  it("counts exactly the real presses in 10,000 sequences with storms coalesced like the board", () => {
    seed(0xBADC0DE);
    wrapped = 0;
    storms = 0;
    coalesced = 0;
    expectExactToggles(HOST_COALESCING);
    expect(wrapped).toBeGreaterThan(100);
    expect(storms).toBeGreaterThan(1000);
    expect(coalesced).toBeGreaterThan(100000); // many edges really were never posted
  });

  it("polling early and often changes nothing", () => {
    seed(0x5EED);
    expectExactToggles(HOST_EXTRA_POLLS);
  });

  it("the generator's bounces would toggle without a window (sanity check)", () => {
    // Same signals with a 1 ms window: every bounce pair longer than 1 ms is
    // then a real press, so the count must differ for some sequences.
    seed(0xC0FFEE);
    let differing = 0;
    for (let s = 0; s < 1000; s++) {
      const window = between(2, 300);
      const presses = generate(window);
      if (runDeadlineDriven(1, startTime()) != presses) differing++;
    }
    expect(differing).toBeGreaterThan(100);
  });
});
