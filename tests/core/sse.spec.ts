import { FRAME_PTR, FRAME_CAPACITY, formatState, formatKeepalive } from "../../core/sse";

function frame(len: i32): string {
  return String.UTF8.decodeUnsafe(FRAME_PTR, <usize>len);
}

describe("sse frames", () => {
  it("first frame carries retry, id and data", () => {
    const len = formatState(true, 7, false);
    expect(frame(len)).toStrictEqual("retry: 2000\nid: 7\ndata: {\"led\":false}\n\n");
    expect(len).toBe(39);
  });

  it("state frame has no retry", () => {
    const len = formatState(false, 8, true);
    expect(frame(len)).toStrictEqual("id: 8\ndata: {\"led\":true}\n\n");
    expect(len).toBe(26);
  });

  it("writes ids in decimal", () => {
    expect(frame(formatState(false, 0, true))).toStrictEqual("id: 0\ndata: {\"led\":true}\n\n");
    expect(frame(formatState(false, 9, true))).toStrictEqual("id: 9\ndata: {\"led\":true}\n\n");
    expect(frame(formatState(false, 10, true))).toStrictEqual("id: 10\ndata: {\"led\":true}\n\n");
    expect(frame(formatState(false, 1234567890, false))).toStrictEqual("id: 1234567890\ndata: {\"led\":false}\n\n");
    expect(frame(formatState(false, 2147483647, true))).toStrictEqual("id: 2147483647\ndata: {\"led\":true}\n\n");
  });

  it("the longest frame fits the buffer", () => {
    const len = formatState(true, 0xffffffff, false);
    expect(frame(len)).toStrictEqual("retry: 2000\nid: 4294967295\ndata: {\"led\":false}\n\n");
    expect(len).toBeLessThanOrEqual(FRAME_CAPACITY);
  });

  it("keepalive is a comment frame", () => {
    const len = formatKeepalive();
    expect(frame(len)).toStrictEqual(": keepalive\n\n");
    expect(len).toBe(13);
  });

  it("a shorter frame after a longer one is exact", () => {
    formatState(true, 123456, false);
    expect(frame(formatState(false, 1, true))).toStrictEqual("id: 1\ndata: {\"led\":true}\n\n");
  });
});
