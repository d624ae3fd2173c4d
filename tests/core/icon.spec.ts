import {
  BODY_PTR, BODY_CAPACITY, validateBody,
  PUT_OK, PUT_UNKNOWN_ICON, PUT_BAD_BODY, PUT_TOO_LARGE,
} from "../../core/icon";

/** Copies the string's code units (all < 256 here) as bytes into the body buffer. */
function body(text: string): i32 {
  const n = min(text.length, BODY_CAPACITY);
  for (let i = 0; i < n; i++) store<u8>(BODY_PTR + <usize>i, <u8>text.charCodeAt(i));
  return text.length;
}

describe("icon body", () => {
  it("accepts the known icon name", () => {
    expect(validateBody(body("led"))).toBe(PUT_OK);
  });

  it("ignores surrounding spaces, tabs, CR and LF", () => {
    expect(validateBody(body(" led"))).toBe(PUT_OK);
    expect(validateBody(body("led\r\n"))).toBe(PUT_OK);
    expect(validateBody(body("\t \nled \t\r\n"))).toBe(PUT_OK);
  });

  it("reports well-formed unknown names", () => {
    expect(validateBody(body("LED"))).toBe(PUT_UNKNOWN_ICON);
    expect(validateBody(body("le"))).toBe(PUT_UNKNOWN_ICON);
    expect(validateBody(body("leds"))).toBe(PUT_UNKNOWN_ICON);
    expect(validateBody(body("lamp"))).toBe(PUT_UNKNOWN_ICON);
    expect(validateBody(body("l ed"))).toBe(PUT_UNKNOWN_ICON);
    expect(validateBody(body("{\"icon\":\"led\"}"))).toBe(PUT_UNKNOWN_ICON);
  });

  it("rejects empty bodies", () => {
    expect(validateBody(body(""))).toBe(PUT_BAD_BODY);
    expect(validateBody(body(" \t\r\n "))).toBe(PUT_BAD_BODY);
  });

  it("rejects bytes outside printable ASCII", () => {
    expect(validateBody(body("le\x00d"))).toBe(PUT_BAD_BODY);
    expect(validateBody(body("l\ted"))).toBe(PUT_BAD_BODY);
    expect(validateBody(body("led\x7f"))).toBe(PUT_BAD_BODY);
    expect(validateBody(body("\x1bled"))).toBe(PUT_BAD_BODY);
    expect(validateBody(body("l\xc3\xa9d"))).toBe(PUT_BAD_BODY);
    expect(validateBody(body("\x0bled"))).toBe(PUT_BAD_BODY); // vertical tab is not trimmed
  });

  it("accepts a body of exactly the capacity and rejects a longer one", () => {
    expect(BODY_CAPACITY).toBeGreaterThanOrEqual(16);
    let padded = "led";
    while (padded.length < BODY_CAPACITY) padded += " ";
    expect(validateBody(body(padded))).toBe(PUT_OK);
    expect(validateBody(body(padded + " "))).toBe(PUT_TOO_LARGE);
    expect(validateBody(0x7fffffff)).toBe(PUT_TOO_LARGE);
  });

  it("treats a negative length as a bad body", () => {
    expect(validateBody(-1)).toBe(PUT_BAD_BODY);
  });

  it("reads only body_len bytes", () => {
    body("led!!");
    expect(validateBody(3)).toBe(PUT_OK);
    expect(validateBody(4)).toBe(PUT_UNKNOWN_ICON);
  });
});
