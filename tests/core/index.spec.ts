// The exported ABI functions (core/index.ts -> core/app.ts) against docs/abi.md.
import {
  abi_version, init, post_event, poll, body_ptr, body_capacity, icon_put,
  led_state, event_id, dropped_events, queue_length,
} from "../../core/index";
import {
  resetHost, setSendResult, ledCount, ledLast, ledLastId, sendCount, sendClient, sendFrame,
  broadcastCount, broadcastFrame,
} from "./support/host";

const SWITCH = 1;
const OPEN = 2;
const CLOSE = 3;
const REFRESH = 4;

function putBody(text: string): i32 {
  const ptr = <usize>body_ptr();
  const n = min(text.length, body_capacity());
  for (let i = 0; i < n; i++) store<u8>(ptr + <usize>i, <u8>text.charCodeAt(i));
  return icon_put(text.length);
}

/** A debounced press and release (window 20 ms) starting at t. */
function pressRelease(t: i32): void {
  post_event(SWITCH, 0, t);
  post_event(SWITCH, 1, t + 50);
  poll(t + 100);
}

describe("abi_version", () => {
  it("is 2, the event-driven ABI of docs/abi.md", () => {
    expect(abi_version()).toBe(2);
  });
});

describe("init", () => {
  beforeEach(() => {
    resetHost();
  });

  it("sets LED, id and drives the pin", () => {
    expect(init(1, 42, 20, 0, 0)).toBe(0);
    expect(led_state()).toBe(1);
    expect(event_id()).toBe(42);
    expect(ledCount()).toBe(1);
    expect(ledLast()).toBe(1);
    expect(ledLastId()).toBe(42); // led_set tells the host the id too
    expect(init(0, 0, 20, 0, 0)).toBe(0);
    expect(led_state()).toBe(0);
    expect(ledLast()).toBe(0);
  });

  it("accepts the range limits", () => {
    expect(init(0, 0, 1, 0, 0)).toBe(0);
    expect(init(0, 0, 1000, 1000, 0)).toBe(0);
    expect(init(0, 0x7fffffff, 1000, 600000, -1)).toBe(0);
  });

  it("rejects every out-of-range argument and changes nothing", () => {
    expect(init(1, 9, 30, 0, 0)).toBe(0);
    post_event(OPEN, 1, 0);
    resetHost();
    expect(init(2, 0, 20, 0, 0)).toBe(-1);
    expect(init(-1, 0, 20, 0, 0)).toBe(-1);
    expect(init(0, -1, 20, 0, 0)).toBe(-1);
    expect(init(0, 0, 0, 0, 0)).toBe(-1);
    expect(init(0, 0, 1001, 0, 0)).toBe(-1);
    expect(init(0, 0, -20, 0, 0)).toBe(-1);
    expect(init(0, 0, 20, 999, 0)).toBe(-1);
    expect(init(0, 0, 20, 1, 0)).toBe(-1);
    expect(init(0, 0, 20, 600001, 0)).toBe(-1);
    expect(init(0, 0, 20, -1, 0)).toBe(-1);
    expect(ledCount()).toBe(0);
    expect(led_state()).toBe(1);
    expect(event_id()).toBe(9);
    expect(queue_length()).toBe(1);
  });

  it("resets queue, drop counter and debounce", () => {
    init(0, 0, 20, 0, 0);
    post_event(SWITCH, 0, 0);
    poll(100); // press accepted
    for (let i = 0; i < 70; i++) post_event(CLOSE, 1, 100);
    expect(dropped_events()).toBe(6);
    expect(init(0, 5, 20, 0, 200)).toBe(0);
    expect(queue_length()).toBe(0);
    expect(dropped_events()).toBe(0);
    post_event(SWITCH, 1, 300);
    poll(400); // the press before init is forgotten
    expect(led_state()).toBe(0);
    expect(event_id()).toBe(5);
  });
});

describe("post_event", () => {
  beforeEach(() => {
    resetHost();
    init(0, 0, 20, 0, 0);
  });

  it("queues valid events", () => {
    expect(post_event(SWITCH, 0, 1)).toBe(0);
    expect(post_event(SWITCH, 1, 2)).toBe(0);
    expect(post_event(OPEN, 0, 3)).toBe(0);
    expect(post_event(CLOSE, 12345, 4)).toBe(0);
    expect(post_event(REFRESH, -1, 5)).toBe(0);
    expect(post_event(REFRESH, 3, 6)).toBe(0);
    expect(queue_length()).toBe(6);
  });

  it("rejects invalid kinds and args with -2, not queued, not counted", () => {
    expect(post_event(0, 0, 0)).toBe(-2);
    expect(post_event(5, 0, 0)).toBe(-2); // click is internal: only icon_put queues it
    expect(post_event(6, 0, 0)).toBe(-2);
    expect(post_event(-1, 0, 0)).toBe(-2);
    expect(post_event(SWITCH, 2, 0)).toBe(-2);
    expect(post_event(SWITCH, -1, 0)).toBe(-2);
    expect(post_event(OPEN, -1, 0)).toBe(-2);
    expect(post_event(CLOSE, -1, 0)).toBe(-2);
    expect(post_event(REFRESH, -2, 0)).toBe(-2);
    expect(queue_length()).toBe(0);
    expect(dropped_events()).toBe(0);
  });

  it("returns -1 when full and counts only valid drops", () => {
    for (let i = 0; i < 64; i++) expect(post_event(CLOSE, i, 0)).toBe(0);
    expect(post_event(CLOSE, 64, 0)).toBe(-1);
    expect(post_event(9, 0, 0)).toBe(-2);
    expect(dropped_events()).toBe(1);
    expect(queue_length()).toBe(64);
    poll(0);
    expect(queue_length()).toBe(0);
  });
});

describe("poll", () => {
  beforeEach(() => {
    resetHost();
    init(0, 10, 20, 0, 0);
    resetHost();
  });

  it("drains every queued event", () => {
    post_event(SWITCH, 1, 0);
    post_event(CLOSE, 1, 0);
    expect(queue_length()).toBe(2);
    poll(1);
    expect(queue_length()).toBe(0);
  });

  it("returns -1 (no deadline) when nothing is pending and keepalive is off", () => {
    expect(poll(0)).toBe(-1);
    post_event(SWITCH, 1, 0); // the level it already has: nothing to judge
    expect(poll(5)).toBe(-1);
  });

  it("returns the debounce deadline after an edge, and -1 once judged", () => {
    post_event(SWITCH, 0, 100); // press edge at 100, window 20
    expect(poll(100)).toBe(20);
    expect(poll(107)).toBe(13); // polled early: the same moment, nearer
    expect(poll(120)).toBe(-1); // press accepted exactly at its deadline
    post_event(SWITCH, 1, 150);
    expect(poll(151)).toBe(19); // measured from the edge's time, not the poll's
    expect(led_state()).toBe(0);
    expect(poll(170)).toBe(-1);
    expect(led_state()).toBe(1); // toggled at the deadline
  });

  it("restarts the deadline on every bounce", () => {
    post_event(SWITCH, 0, 100);
    post_event(SWITCH, 1, 105);
    post_event(SWITCH, 0, 110);
    expect(poll(111)).toBe(19); // 110 + 20 - 111
    post_event(SWITCH, 1, 125); // back to the accepted level within the window
    expect(poll(125)).toBe(-1); // nothing left to judge
    expect(led_state()).toBe(0);
  });

  it("leads a deadline-driven host to exactly one toggle per press-release", () => {
    // The host polls only after edges and at the deadlines it is given.
    let t: u32 = 1000;
    let wake = -1;
    for (let round = 0; round < 3; round++) {
      for (let b = 0; b < 5; b++) {
        post_event(SWITCH, b & 1, t); // bounce: 0,1,0,1,0 every 2 ms
        wake = poll(t);
        t += 2;
      }
      expect(wake).toBe(20);
      t = t - 2 + <u32>wake; // the last edge was at t - 2
      expect(poll(t - 1)).toBe(1); // a moment early: not yet
      expect(poll(t)).toBe(-1); // press accepted exactly at the deadline
      post_event(SWITCH, 1, t + 100);
      wake = poll(t + 100);
      expect(wake).toBe(20);
      expect(poll(t + 100 + <u32>wake)).toBe(-1);
      t += 300;
    }
    expect(event_id()).toBe(13);
    expect(broadcastCount()).toBe(3);
  });

  it("sends a new client its first frame with retry", () => {
    post_event(OPEN, 3, 0);
    poll(0);
    expect(sendCount()).toBe(1);
    expect(sendClient(0)).toBe(3);
    expect(sendFrame(0)).toStrictEqual("retry: 2000\nid: 10\ndata: {\"led\":false}\n\n");
    expect(broadcastCount()).toBe(0);
  });

  it("toggles on a debounced press-release: led_set(on, id), id+1, one broadcast", () => {
    pressRelease(100);
    expect(led_state()).toBe(1);
    expect(event_id()).toBe(11);
    expect(ledCount()).toBe(1);
    expect(ledLast()).toBe(1);
    expect(ledLastId()).toBe(11);
    expect(broadcastCount()).toBe(1);
    expect(broadcastFrame(0)).toStrictEqual("id: 11\ndata: {\"led\":true}\n\n");
    pressRelease(300);
    expect(led_state()).toBe(0);
    expect(ledLast()).toBe(0);
    expect(broadcastFrame(1)).toStrictEqual("id: 12\ndata: {\"led\":false}\n\n");
  });

  it("accepts the release at poll time when no later sample comes", () => {
    post_event(SWITCH, 0, 100);
    poll(100);
    poll(130);
    post_event(SWITCH, 1, 140);
    poll(159);
    expect(led_state()).toBe(0);
    poll(160);
    expect(led_state()).toBe(1);
  });

  it("refreshes one client without retry, or every client by broadcast", () => {
    post_event(REFRESH, 7, 0);
    post_event(REFRESH, -1, 0);
    poll(0);
    expect(sendCount()).toBe(1);
    expect(sendClient(0)).toBe(7);
    expect(sendFrame(0)).toStrictEqual("id: 10\ndata: {\"led\":false}\n\n");
    expect(broadcastCount()).toBe(1);
    expect(broadcastFrame(0)).toStrictEqual("id: 10\ndata: {\"led\":false}\n\n");
    expect(event_id()).toBe(10);
  });

  it("close sends nothing", () => {
    post_event(CLOSE, 3, 0);
    poll(0);
    expect(queue_length()).toBe(0);
    expect(sendCount()).toBe(0);
    expect(broadcastCount()).toBe(0);
  });

  it("keeps going when the host reports a client gone", () => {
    setSendResult(-1);
    post_event(OPEN, 1, 0);
    post_event(REFRESH, 1, 0);
    post_event(OPEN, 2, 0);
    poll(0);
    expect(sendCount()).toBe(3);
    expect(sendClient(2)).toBe(2);
  });

  it("processes events in order: a client opened after a toggle sees the new state", () => {
    post_event(SWITCH, 0, 100);
    post_event(SWITCH, 1, 150);
    post_event(SWITCH, 1, 200); // release accepted here: toggle
    post_event(OPEN, 4, 200);
    poll(200);
    expect(sendFrame(0)).toStrictEqual("retry: 2000\nid: 11\ndata: {\"led\":true}\n\n");
  });
});

describe("icon_put", () => {
  beforeEach(() => {
    resetHost();
    init(1, 0, 20, 0, 0);
    resetHost();
  });

  it("exposes a body buffer", () => {
    expect(body_ptr()).toBeGreaterThan(0);
    expect(body_capacity()).toBeGreaterThanOrEqual(16);
  });

  it("queues a click that toggles at the next poll", () => {
    expect(putBody("led\n")).toBe(0);
    expect(queue_length()).toBe(1);
    expect(led_state()).toBe(1);
    poll(5);
    expect(led_state()).toBe(0);
    expect(event_id()).toBe(1);
    expect(ledLast()).toBe(0);
    expect(broadcastFrame(0)).toStrictEqual("id: 1\ndata: {\"led\":false}\n\n");
  });

  it("returns the validation codes and queues nothing on rejection", () => {
    expect(putBody("lamp")).toBe(1);
    expect(putBody("  ")).toBe(2);
    expect(putBody("l\x01d")).toBe(2);
    let big = "";
    for (let i = 0; i <= body_capacity(); i++) big += " ";
    expect(putBody(big)).toBe(3);
    expect(queue_length()).toBe(0);
    poll(0);
    expect(led_state()).toBe(1);
    expect(ledCount()).toBe(0);
  });

  it("returns 4 when the queue is full and counts the drop", () => {
    for (let i = 0; i < 64; i++) post_event(CLOSE, i, 0);
    expect(putBody("led")).toBe(4);
    expect(dropped_events()).toBe(1);
    poll(0);
    expect(led_state()).toBe(1);
  });
});

describe("keepalive", () => {
  beforeEach(() => {
    resetHost();
  });

  it("broadcasts a comment when nothing was broadcast for the period", () => {
    init(0, 0, 20, 1000, 0);
    poll(999);
    expect(broadcastCount()).toBe(0);
    poll(1000);
    expect(broadcastCount()).toBe(1);
    expect(broadcastFrame(0)).toStrictEqual(": keepalive\n\n");
    poll(1999);
    expect(broadcastCount()).toBe(1);
    poll(2000);
    expect(broadcastCount()).toBe(2);
  });

  it("any broadcast restarts the period", () => {
    init(0, 0, 20, 1000, 0);
    pressRelease(500); // toggle broadcast at poll(600)
    expect(broadcastCount()).toBe(1);
    poll(1599);
    expect(broadcastCount()).toBe(1);
    poll(1600);
    expect(broadcastCount()).toBe(2);
    expect(broadcastFrame(1)).toStrictEqual(": keepalive\n\n");
  });

  it("is off with period 0", () => {
    init(0, 0, 20, 0, 0);
    poll(100000);
    poll(2000000000);
    expect(broadcastCount()).toBe(0);
  });

  it("works across the 2^32 wrap", () => {
    init(0, 0, 20, 1000, -500);
    poll(499);
    expect(broadcastCount()).toBe(0);
    poll(500);
    expect(broadcastCount()).toBe(1);
  });
});
