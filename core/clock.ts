// Host time is an unsigned 32-bit millisecond counter that wraps (~49.7 days).
// Only differences are used, computed with wrapping u32 subtraction and read as
// signed: a time slightly *before* the reference (events and poll times from
// different host tasks may be a little out of order) then counts as "not yet"
// instead of as ~4 billion ms later. Valid while the two times are < 2^31 ms
// (~24.8 days) apart, far more than any debounce window or keepalive period.

/** No deadline: poll()'s result when nothing is pending, so the host sleeps
 *  until the next event. */
export const NO_DEADLINE: i32 = -1;

/** True once `span` ms have passed from `since` to `now`. */
// @ts-ignore: decorator
@inline
export function reached(now: u32, since: u32, span: u32): bool {
  return <i32>(now - since) >= <i32>span;
}

/** Milliseconds from `now` until `span` ms have passed since `since`
 *  (0 once they have). */
// @ts-ignore: decorator
@inline
export function remaining(now: u32, since: u32, span: u32): i32 {
  const left = <i32>span - <i32>(now - since);
  return left > 0 ? left : 0;
}
