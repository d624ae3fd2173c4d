// SSE frame formatting (WHATWG "Server-sent events") into one static buffer.
// Every frame is written at FRAME_PTR; the function returns its length.

// Longest frame: "retry: 2000\nid: 2147483647\ndata: {\"led\":false}\n\n" = 49 bytes.
export const FRAME_CAPACITY: i32 = 64;
export const FRAME_PTR: usize = memory.data(FRAME_CAPACITY, 4);

// ASCII templates as raw bytes (AS strings would be UTF-16 objects).
const RETRY = memory.data<u8>([
  0x72, 0x65, 0x74, 0x72, 0x79, 0x3a, 0x20, 0x32, 0x30, 0x30, 0x30, 0x0a, // "retry: 2000\n"
]);
const RETRY_LEN: i32 = 12;
const ID = memory.data<u8>([0x69, 0x64, 0x3a, 0x20]); // "id: "
const ID_LEN: i32 = 4;
const DATA = memory.data<u8>([
  0x0a, 0x64, 0x61, 0x74, 0x61, 0x3a, 0x20, 0x7b, 0x22, 0x6c, 0x65, 0x64, 0x22, 0x3a, // "\ndata: {\"led\":"
]);
const DATA_LEN: i32 = 14;
const TRUE = memory.data<u8>([0x74, 0x72, 0x75, 0x65]); // "true"
const FALSE = memory.data<u8>([0x66, 0x61, 0x6c, 0x73, 0x65]); // "false"
const END = memory.data<u8>([0x7d, 0x0a, 0x0a]); // "}\n\n"
const END_LEN: i32 = 3;
const KEEPALIVE = memory.data<u8>([
  0x3a, 0x20, 0x6b, 0x65, 0x65, 0x70, 0x61, 0x6c, 0x69, 0x76, 0x65, 0x0a, 0x0a, // ": keepalive\n\n"
]);
const KEEPALIVE_LEN: i32 = 13;

// Byte loop instead of memory.copy: keeps the module free of bulk-memory ops.
function put(at: i32, src: usize, len: i32): i32 {
  for (let i = 0; i < len; i++) {
    store<u8>(FRAME_PTR + <usize>(at + i), load<u8>(src + <usize>i));
  }
  return at + len;
}

/** Writes `value` in decimal at offset `at`; returns the offset after it. */
function putDecimal(at: i32, value: u32): i32 {
  let digits = 1;
  for (let rest = value; rest >= 10; rest /= 10) digits++;
  let pos = at + digits;
  let rest = value;
  do {
    pos--;
    store<u8>(FRAME_PTR + <usize>pos, <u8>(0x30 + rest % 10));
    rest /= 10;
  } while (rest != 0);
  return at + digits;
}

/** State frame: `[retry: 2000\n]id: <id>\ndata: {"led":<bool>}\n\n`. */
export function formatState(withRetry: bool, id: u32, on: bool): i32 {
  let at = 0;
  if (withRetry) at = put(at, RETRY, RETRY_LEN);
  at = put(at, ID, ID_LEN);
  at = putDecimal(at, id);
  at = put(at, DATA, DATA_LEN);
  at = on ? put(at, TRUE, 4) : put(at, FALSE, 5);
  return put(at, END, END_LEN);
}

/** Keepalive comment frame: `: keepalive\n\n`. */
export function formatKeepalive(): i32 {
  return put(0, KEEPALIVE, KEEPALIVE_LEN);
}
