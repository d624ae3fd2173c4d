// Validation of the `PUT /icon` body the host copied to BODY_PTR.

export const BODY_CAPACITY: i32 = 64;
export const BODY_PTR: usize = memory.data(BODY_CAPACITY, 4);

// Result codes of icon_put (docs/abi.md).
export const PUT_OK: i32 = 0;
export const PUT_UNKNOWN_ICON: i32 = 1;
export const PUT_BAD_BODY: i32 = 2;
export const PUT_TOO_LARGE: i32 = 3;
export const PUT_QUEUE_FULL: i32 = 4;

// The only known icon name: "led" (ASCII, matched case-sensitively).
const LED_NAME = memory.data<u8>([0x6c, 0x65, 0x64]);
const LED_NAME_LEN: i32 = 3;

// @ts-ignore: decorator
@inline
function isSpace(c: u32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0d || c == 0x0a;
}

/** Classifies the body of `bodyLen` bytes: PUT_OK .. PUT_TOO_LARGE (never
 *  PUT_QUEUE_FULL: queueing is the caller's job). */
export function validateBody(bodyLen: i32): i32 {
  if (bodyLen < 0) return PUT_BAD_BODY; // not a length a client can send
  if (bodyLen > BODY_CAPACITY) return PUT_TOO_LARGE;
  let start = 0;
  let end = bodyLen;
  while (start < end && isSpace(load<u8>(BODY_PTR + <usize>start))) start++;
  while (end > start && isSpace(load<u8>(BODY_PTR + <usize>(end - 1)))) end--;
  if (start == end) return PUT_BAD_BODY;
  for (let i = start; i < end; i++) {
    const c = load<u8>(BODY_PTR + <usize>i);
    if (c < 0x20 || c > 0x7e) return PUT_BAD_BODY;
  }
  if (end - start != LED_NAME_LEN) return PUT_UNKNOWN_ICON;
  for (let i = 0; i < LED_NAME_LEN; i++) {
    if (load<u8>(BODY_PTR + <usize>(start + i)) != load<u8>(LED_NAME + <usize>i)) {
      return PUT_UNKNOWN_ICON;
    }
  }
  return PUT_OK;
}
