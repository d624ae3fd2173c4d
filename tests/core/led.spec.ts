import { ledReset, ledToggle, ledOn, ledId } from "../../core/led";
import { resetHost, ledCount, ledLast } from "./support/host";

describe("led", () => {
  beforeEach(() => {
    resetHost();
  });

  it("reset sets state and id and drives the pin", () => {
    ledReset(1, 41);
    expect(ledOn()).toBe(1);
    expect(ledId()).toBe(41);
    expect(ledCount()).toBe(1);
    expect(ledLast()).toBe(1);
    ledReset(0, 0);
    expect(ledOn()).toBe(0);
    expect(ledId()).toBe(0);
    expect(ledCount()).toBe(2);
    expect(ledLast()).toBe(0);
  });

  it("toggle flips the state, drives the pin and advances the id", () => {
    ledReset(0, 5);
    ledToggle();
    expect(ledOn()).toBe(1);
    expect(ledId()).toBe(6);
    expect(ledLast()).toBe(1);
    ledToggle();
    expect(ledOn()).toBe(0);
    expect(ledId()).toBe(7);
    expect(ledLast()).toBe(0);
    expect(ledCount()).toBe(3);
  });

  it("the id wraps to 0 instead of turning negative", () => {
    ledReset(0, 0x7ffffffe);
    ledToggle();
    expect(ledId()).toBe(0x7fffffff);
    ledToggle();
    expect(ledId()).toBe(0);
  });
});
