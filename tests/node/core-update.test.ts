// Live update of the core in the simulator over HTTP (docs/update.md
// "Protocol"): signed uploads replace the running core with no reconnect,
// every refusal leaves it running, a core that keeps faulting is rolled
// back by itself, and a signed rollback request goes back.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sign } from "node:crypto";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { openSse, putIcon, rawRequest, simState, type SseStream } from "../support/sim-client.ts";
import { updateCores, type UpdateCores } from "../support/update-cores.ts";
import { waitFor } from "../support/wait.ts";

let cores: UpdateCores;
let sim: Simulator;
let streams: SseStream[];

const putCore = (bytes: Uint8Array, type = "application/wasm") =>
  rawRequest(sim.url, "PUT", "/core", { body: Buffer.from(bytes), headers: { "Content-Type": type, "Content-Length": String(bytes.length) } });
const coreStatus = async () => JSON.parse((await rawRequest(sim.url, "GET", "/core")).body);

before(async () => {
  cores = updateCores();
  sim = await startSimulator({ port: 0, corePublicKey: cores.publicKey, watchTraps: 3, watchWindowMs: 60_000 });
  streams = await Promise.all([openSse(sim.url), openSse(sim.url), openSse(sim.url)]);
  for (const s of streams) await s.waitEvents(1);
});

after(async () => {
  for (const s of streams) s.close();
  await sim.close();
});

test("GET /core: the embedded core runs, updates enabled", async () => {
  const s = await coreStatus();
  assert.equal(s.abi, 2);
  assert.equal(s.updates, "enabled");
  assert.deepEqual({ source: s.running.source, version: s.running.version, state: s.running.state }, { source: "embedded", version: 0, state: "embedded" });
  assert.match(s.running.sha256, /^[0-9a-f]{64}$/);
  assert.equal(s.previous, null);
  assert.equal(s.last_refusal, null);
});

test("refusals: nothing changes, each with its status and one-line reason", async () => {
  const before = await simState(sim.url);
  const good = cores.release(10);
  const other = updateCores();
  const cases: Array<[string, () => Promise<{ status: number; body: string }>, number, RegExp]> = [
    ["wrong content type", () => putCore(good, "application/octet-stream"), 415, /application\/wasm/],
    ["not wasm", () => putCore(new TextEncoder().encode("<html>not a core</html>")), 400, /not a WebAssembly/],
    ["cut short", () => putCore(new Uint8Array(good.subarray(0, good.length - 80))), 400, /refused/],
    ["oversize", () => putCore(new Uint8Array(40 * 1024)), 413, /larger than the size limit/],
    ["traps in init", () => putCore(cores.trapsInInit(11)), 422, /failed its trial.*trapped/],
    ["wrong key", () => putCore(other.release(12)), 403, /signature does not verify/],
  ];
  for (const [what, send, status, text] of cases) {
    const r = await send();
    assert.equal(r.status, status, `${what}: ${r.body}`);
    assert.match(r.body, text, what);
    assert.equal(r.body.trim().split("\n").length, 1, `${what}: one line`);
  }
  const after = await simState(sim.url);
  assert.deepEqual({ led: after.led, id: after.id, clients: after.clients }, { led: before.led, id: before.id, clients: 3 });
  const s = await coreStatus();
  assert.equal(s.running.source, "embedded");
  assert.equal(s.last_refusal.status, 403);
});

test("a signed, newer core replaces the running one: pages stay connected, state and ids continue, new behaviour visible", async () => {
  const before = await simState(sim.url);
  const counts = streams.map((s) => s.events.length);
  const r = await putCore(cores.behaviour(20));
  assert.equal(r.status, 200, r.body);
  const s = JSON.parse(r.body);
  assert.deepEqual({ source: s.running.source, version: s.running.version, state: s.running.state }, { source: "uploaded", version: 20, state: "trial" });
  // Every page got a resync frame from the new core: same LED, next id.
  for (const [i, st] of streams.entries()) {
    const ev = await st.waitEvents(counts[i]! + 1);
    const last = ev[counts[i]!]!;
    assert.equal(Number(last.id), before.id + 1);
    assert.deepEqual(JSON.parse(last.data), { led: before.led, rev: 2 });
  }
  // The new behaviour on the next click, to every page, id after id.
  assert.equal(await putIcon(sim.url, "led"), 204);
  for (const [i, st] of streams.entries()) {
    const ev = await st.waitEvents(counts[i]! + 2);
    assert.deepEqual(JSON.parse(ev[counts[i]! + 1]!.data), { led: !before.led, rev: 2 });
    assert.equal(Number(ev[counts[i]! + 1]!.id), before.id + 2);
  }
  assert.equal((await simState(sim.url)).clients, 3, "no page reconnected");
});

test("anti-downgrade: the same or an older version is refused with 409", async () => {
  for (const v of [20, 19, 1]) {
    const r = await putCore(cores.release(v));
    assert.equal(r.status, 409, `version ${v}: ${r.body}`);
    assert.match(r.body, /not newer/);
  }
  assert.equal((await coreStatus()).running.version, 20);
});

test("a core that faults after the swap is rolled back by itself; pages stay connected", async () => {
  const r = await putCore(cores.trapsOnClick(30));
  assert.equal(r.status, 200, r.body);
  assert.equal((await coreStatus()).running.version, 30);
  const ledBefore = (await simState(sim.url)).led;
  for (let i = 0; i < 3; i++) assert.equal(await putIcon(sim.url, "led"), 503, `click ${i + 1} hits the trap`);
  const s = await waitFor("the rollback", async () => {
    const st = await coreStatus();
    return st.running.version !== 30 && st;
  }, 5000);
  // The previous core (version 20) was still on trial, not good: the embedded one runs.
  assert.equal(s.running.source, "embedded");
  assert.match(s.last_rollback.reason, /3 faults within 60000 ms/, "GET /core says why it rolled back");
  assert.equal((await simState(sim.url)).led, ledBefore, "the LED survived");
  assert.equal((await simState(sim.url)).clients, 3);
  assert.equal(await putIcon(sim.url, "led"), 204, "and clicks work again");
});

test("a signed rollback request; a wrongly signed one is refused", async () => {
  const r = await putCore(cores.release(40));
  assert.equal(r.status, 200, r.body);
  const running = (await coreStatus()).running.sha256;
  const bad = sign("sha256", Buffer.from(`rollback:embedded:${"0".repeat(64)}`), { key: cores.privateKey, dsaEncoding: "der" }).toString("base64");
  const refused = await rawRequest(sim.url, "POST", "/core/rollback", { body: JSON.stringify({ to: "embedded", signature: bad }), headers: { "Content-Type": "application/json" } });
  assert.equal(refused.status, 403);
  assert.equal((await coreStatus()).running.version, 40);
  const good = sign("sha256", Buffer.from(`rollback:embedded:${running}`), { key: cores.privateKey, dsaEncoding: "der" }).toString("base64");
  const ok = await rawRequest(sim.url, "POST", "/core/rollback", { body: JSON.stringify({ to: "embedded", signature: good }), headers: { "Content-Type": "application/json" } });
  assert.equal(ok.status, 200, ok.body);
  assert.equal(JSON.parse(ok.body).running.source, "embedded");
  const again = await rawRequest(sim.url, "POST", "/core/rollback", { body: JSON.stringify({ to: "embedded", signature: good }), headers: { "Content-Type": "application/json" } });
  assert.ok(again.status === 403 || again.status === 409, `nothing to roll back to: ${again.status}`);
});

test("without a public key every upload is refused with 403", async () => {
  const plain = await startSimulator({ port: 0, corePublicKey: null });
  try {
    const r = await rawRequest(plain.url, "PUT", "/core", { body: Buffer.from(cores.release(50)), headers: { "Content-Type": "application/wasm" } });
    assert.equal(r.status, 403);
    assert.match(r.body, /updates are disabled/);
    assert.equal(JSON.parse((await rawRequest(plain.url, "GET", "/core")).body).updates, "disabled: no public key");
  } finally {
    await plain.close();
  }
});
