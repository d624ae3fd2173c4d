// Frames produced by dist/core.wasm, as each SSE client receives them, fed to
// eventsource-parser (a reference SSE parser): ids increase, data JSON matches
// the LED, the first frame sets retry 2000, keepalives parse as comments.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { EVENT_CLIENT_CLOSE, EVENT_CLIENT_OPEN, EVENT_REFRESH, EVENT_SWITCH } from "../../sim/abi.ts";
import { ABI_DOC, RecordingHost, loadCore } from "../support/core-loader.ts";

interface Parsed { events: EventSourceMessage[]; retries: number[]; comments: string[]; errors: Error[] }

/** Parses one client's byte stream, fed in the given chunk sizes (cycled). */
function parse(stream: string, chunkSizes: number[] = [stream.length || 1]): Parsed {
  const out: Parsed = { events: [], retries: [], comments: [], errors: [] };
  const parser = createParser({
    onEvent: (e) => out.events.push(e),
    onRetry: (ms) => out.retries.push(ms),
    onComment: (c) => out.comments.push(c),
    onError: (e) => out.errors.push(e),
  });
  for (let i = 0, k = 0; i < stream.length; k++) {
    const n = Math.max(1, chunkSizes[k % chunkSizes.length]!);
    parser.feed(stream.slice(i, i + n));
    i += n;
  }
  return out;
}

const WINDOW = 20;

async function scenario() {
  const host = new RecordingHost();
  const core = await loadCore(host);
  const e = core.exports;
  let now = 1000;
  assert.equal(e.init(0, 100, WINDOW, 15000, now), 0);
  const press = () => {
    // a bouncy press and release, posted as raw samples
    for (const level of [0, 1, 0]) e.post_event(EVENT_SWITCH, level, now++);
    e.poll(now);
    now += 100;
    e.post_event(EVENT_SWITCH, 0, now);
    e.poll(now);
    for (const level of [1, 0, 1]) e.post_event(EVENT_SWITCH, level, now++);
    now += WINDOW;
    e.poll(now);
  };
  host.open(1);
  e.post_event(EVENT_CLIENT_OPEN, 1, now);
  e.poll(now);
  press(); // led on, id 101
  host.open(2);
  e.post_event(EVENT_CLIENT_OPEN, 2, now);
  e.poll(now);
  assert.equal(core.iconPut("led\r\n"), 0);
  e.poll(++now); // led off, id 102
  assert.equal(core.iconPut("lamp"), 1); // rejected: nothing sent
  e.poll(++now);
  e.post_event(EVENT_REFRESH, 2, now);
  e.post_event(EVENT_REFRESH, -1, now);
  e.poll(now);
  now += 15000; // nothing broadcast for the keepalive period
  e.poll(now);
  press(); // led on, id 103
  host.close(1);
  e.post_event(EVENT_CLIENT_CLOSE, 1, now);
  e.poll(now);
  press(); // led off, id 104 (client 2 only)
  now += 15000;
  e.poll(now);
  return { host, e };
}

test("a client's stream parses: retry first, increasing ids, data follows the LED", async () => {
  const { host, e } = await scenario();
  assert.equal(e.event_id(), 104);
  assert.equal(e.led_state(), 0);
  assert.deepEqual(host.led, [0, 1, 0, 1, 0]); // init, then one per toggle

  assert.equal(host.streams.has(1), false); // closed by the host
  const two = parse(host.streams.get(2)!);
  assert.deepEqual(two.errors, []);
  assert.deepEqual(two.retries, [2000]);
  assert.deepEqual(two.comments, ["keepalive", "keepalive"]);
  // first frame (current state), toggle, refresh to 2, refresh to all, toggle, toggle
  assert.deepEqual(two.events.map((m) => m.id), ["101", "102", "102", "102", "103", "104"]);
  assert.deepEqual(two.events.map((m) => JSON.parse(m.data)), [
    { led: true }, { led: false }, { led: false }, { led: false }, { led: true }, { led: false },
  ]);
  assert.ok(two.events.every((m) => m.event === undefined), "default message events");
});

test("ids never decrease and each state change carries the LED value just set", async () => {
  const { host } = await scenario();
  const all = parse(host.broadcasts.join(""));
  assert.deepEqual(all.errors, []);
  const ids = all.events.map((m) => Number(m.id));
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! >= ids[i - 1]!, `id ${ids[i]} after ${ids[i - 1]}`);
  // state-change broadcasts carry id = first_id + toggles and the LED after the toggle
  const changes = all.events.filter((m, i) => i === 0 || m.id !== all.events[i - 1]!.id);
  assert.deepEqual(changes.map((m) => [Number(m.id), JSON.parse(m.data).led]), [
    [101, true], [102, false], [103, true], [104, false],
  ]);
  assert.deepEqual(changes.map((m) => (JSON.parse(m.data).led ? 1 : 0)), host.led.slice(1));
});

test("first frame to every new client has retry 2000 and the current state", async () => {
  const host = new RecordingHost();
  const core = await loadCore(host);
  const e = core.exports;
  assert.equal(e.init(1, 7, 20, 0, 0), 0);
  for (let c = 0; c < 5; c++) {
    host.open(c);
    e.post_event(EVENT_CLIENT_OPEN, c, c);
  }
  e.poll(10);
  for (let c = 0; c < 5; c++) {
    const p = parse(host.streams.get(c)!);
    assert.deepEqual(p.retries, [2000]);
    assert.deepEqual(p.events.map((m) => [m.id, JSON.parse(m.data)]), [["7", { led: true }]]);
  }
});

test("frames parse identically whatever the chunking", async () => {
  const { host } = await scenario();
  const stream = host.streams.get(2)!;
  const whole = parse(stream);
  for (const sizes of [[1], [2, 3], [7], [13, 1, 5], [64]]) {
    const chunked = parse(stream, sizes);
    assert.deepEqual(chunked.events, whole.events, `chunks ${sizes.join(",")}`);
    assert.deepEqual(chunked.retries, whole.retries);
    assert.deepEqual(chunked.comments, whole.comments);
  }
});

/** The "SSE frames" table of docs/abi.md as regular expressions, by frame name. */
function frameTemplates(): Map<string, RegExp> {
  const doc = readFileSync(ABI_DOC, "utf8");
  const section = doc.slice(doc.indexOf("## SSE frames"));
  const templates = new Map<string, RegExp>();
  for (const line of section.split("\n").slice(1)) {
    if (line.startsWith("## ")) break;
    const m = /^\|\s*([^|`]+?)\s*\|\s*`(.+)`\s*\|\s*$/.exec(line);
    if (!m) continue;
    // The cell is markdown: `\|` is a pipe, `\n` (backslash, n) a line feed.
    const cell = m[2]!.replace(/\\\|/g, "|");
    const pattern = cell
      .split(/(\\n|<id>|<true\|false>)/)
      .map((part) => {
        if (part === "\\n") return "\\n";
        if (part === "<id>") return "(0|[1-9][0-9]*)";
        if (part === "<true|false>") return "(true|false)";
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    templates.set(m[1]!, new RegExp(`^${pattern}$`));
  }
  return templates;
}

test("frames are exactly the bytes of docs/abi.md", async () => {
  const host = new RecordingHost();
  const core = await loadCore(host);
  const e = core.exports;
  e.init(0, 41, 20, 1000, 0);
  host.open(9);
  e.post_event(EVENT_CLIENT_OPEN, 9, 0);
  e.poll(0);
  core.iconPut("led");
  e.poll(1);
  e.poll(1001);
  assert.deepEqual(host.sends.map((s) => s.frame), ['retry: 2000\nid: 41\ndata: {"led":false}\n\n']);
  assert.deepEqual(host.broadcasts, ['id: 42\ndata: {"led":true}\n\n', ": keepalive\n\n"]);
  const t = frameTemplates();
  assert.equal(t.size, 3, "three frame rows in docs/abi.md");
  const first = t.get("first frame to a new client");
  const change = t.get("state change (to all) / refresh");
  const keepalive = t.get("keepalive");
  assert.ok(first && change && keepalive);
  assert.match(host.sends[0]!.frame, first);
  assert.match(host.broadcasts[0]!, change);
  assert.match(host.broadcasts[1]!, keepalive);
  assert.doesNotMatch(host.sends[0]!.frame, change); // retry: only in the first frame
});
