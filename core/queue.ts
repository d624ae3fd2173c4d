// Fixed ring of events in static memory. A full ring drops the *new* event
// (the queued ones keep their order) and counts the drop.

export const QUEUE_CAPACITY: i32 = 64;
// One slot: kind (i32), arg (i32), time (u32).
const SLOT_SIZE: i32 = 12;

// Static, never reallocated: the core has no heap.
export const QUEUE_PTR: usize = memory.data(QUEUE_CAPACITY * SLOT_SIZE, 4);

let head: i32 = 0; // index of the oldest event
let count: i32 = 0;
let dropped: i32 = 0;

// The event last taken by queuePop (globals instead of a returned object:
// nothing may be allocated).
export let poppedKind: i32 = 0;
export let poppedArg: i32 = 0;
export let poppedTime: u32 = 0;

export function queueReset(): void {
  head = 0;
  count = 0;
  dropped = 0;
}

/** Appends an event; returns false (and counts a drop) when the ring is full. */
export function queuePush(kind: i32, arg: i32, time: u32): bool {
  if (count >= QUEUE_CAPACITY) {
    dropped += 1;
    return false;
  }
  let index = head + count;
  if (index >= QUEUE_CAPACITY) index -= QUEUE_CAPACITY;
  const slot = QUEUE_PTR + <usize>(index * SLOT_SIZE);
  store<i32>(slot, kind);
  store<i32>(slot, arg, 4);
  store<u32>(slot, time, 8);
  count += 1;
  return true;
}

/** Takes the oldest event into poppedKind/Arg/Time; false when empty. */
export function queuePop(): bool {
  if (count == 0) return false;
  const slot = QUEUE_PTR + <usize>(head * SLOT_SIZE);
  poppedKind = load<i32>(slot);
  poppedArg = load<i32>(slot, 4);
  poppedTime = load<u32>(slot, 8);
  head += 1;
  if (head == QUEUE_CAPACITY) head = 0;
  count -= 1;
  return true;
}

export function queueLength(): i32 {
  return count;
}

export function queueDropped(): i32 {
  return dropped;
}
