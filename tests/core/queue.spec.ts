import {
  QUEUE_CAPACITY, queueReset, queuePush, queuePop, queueLength, queueDropped,
  poppedKind, poppedArg, poppedTime,
} from "../../core/queue";

describe("queue", () => {
  beforeEach(() => {
    queueReset();
  });

  it("starts empty", () => {
    expect(queueLength()).toBe(0);
    expect(queueDropped()).toBe(0);
    expect(queuePop()).toBe(false);
  });

  it("returns events in the order they were pushed", () => {
    expect(queuePush(1, 0, 100)).toBe(true);
    expect(queuePush(2, 7, 200)).toBe(true);
    expect(queuePush(4, -1, 0xffffffff)).toBe(true);
    expect(queueLength()).toBe(3);

    expect(queuePop()).toBe(true);
    expect(poppedKind).toBe(1);
    expect(poppedArg).toBe(0);
    expect(poppedTime).toBe(100);
    expect(queuePop()).toBe(true);
    expect(poppedKind).toBe(2);
    expect(poppedArg).toBe(7);
    expect(poppedTime).toBe(200);
    expect(queuePop()).toBe(true);
    expect(poppedKind).toBe(4);
    expect(poppedArg).toBe(-1);
    expect(poppedTime).toBe(0xffffffff);
    expect(queuePop()).toBe(false);
    expect(queueLength()).toBe(0);
  });

  it("holds 64 events", () => {
    expect(QUEUE_CAPACITY).toBe(64);
    for (let i = 0; i < 64; i++) expect(queuePush(1, i & 1, i)).toBe(true);
    expect(queueLength()).toBe(64);
    expect(queueDropped()).toBe(0);
  });

  it("drops the new event when full, keeps the queued ones and counts the drop", () => {
    for (let i = 0; i < 64; i++) queuePush(2, i, i);
    expect(queuePush(2, 1000, 1000)).toBe(false);
    expect(queuePush(2, 1001, 1001)).toBe(false);
    expect(queueLength()).toBe(64);
    expect(queueDropped()).toBe(2);
    for (let i = 0; i < 64; i++) {
      expect(queuePop()).toBe(true);
      expect(poppedArg).toBe(i);
    }
    expect(queuePop()).toBe(false);
  });

  it("wraps around the ring many times", () => {
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 40; i++) expect(queuePush(3, next++, 0)).toBe(true);
      for (let i = 0; i < 40; i++) {
        expect(queuePop()).toBe(true);
        expect(poppedArg).toBe(expected++);
      }
    }
    expect(queueLength()).toBe(0);
  });

  it("reset empties the ring and clears the drop counter", () => {
    for (let i = 0; i < 70; i++) queuePush(1, 0, 0);
    expect(queueDropped()).toBe(6);
    queueReset();
    expect(queueLength()).toBe(0);
    expect(queueDropped()).toBe(0);
    expect(queuePop()).toBe(false);
  });
});
