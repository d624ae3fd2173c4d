// Every fixture of docs/update.md "Tests" uploaded to the simulator with
// PUT /core: the simulator must accept or refuse each exactly as the C
// validator's manifest says (tests/c/test_core_image.c checks the same
// manifest natively), with the same reason text and the status of
// docs/update.md's table; the two trap fixtures pass validation and are then
// refused by the trial.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadValidator, type CoreValidator } from "../../scripts/core-validator.ts";
import { startSimulator, type Simulator } from "../../sim/index.ts";
import { RUNNING_VERSION, writeFixtures, type Fixture } from "../support/core-fixtures.ts";
import { rawRequest } from "../support/sim-client.ts";

const dir = mkdtempSync(join(tmpdir(), "core-update-fixtures-"));
let fixtures: Fixture[];
let validator: CoreValidator;
let sim: Simulator;

const put = (f: Fixture) =>
  rawRequest(sim.url, "PUT", "/core", { body: Buffer.from(f.bytes), headers: { "Content-Type": "application/wasm" } });
const byName = (name: string): Fixture => {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, `fixture ${name}`);
  return f;
};

before(async () => {
  fixtures = writeFixtures(dir);
  validator = await loadValidator();
  sim = await startSimulator({ port: 0, corePublicKey: createPublicKey(readFileSync(join(dir, "pubkey.pem"))) });
  // The manifest's policy column assumes version RUNNING_VERSION runs.
  const same = byName("replayed-same");
  assert.equal(same.version, RUNNING_VERSION);
  assert.equal((await put(same)).status, 200, "the running-version core installs on the embedded one");
});

after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the simulator must answer for a fixture, from the C manifest alone. */
function expected(f: Fixture): { status: number; text: string } {
  if (f.verdict !== "OK") return { status: validator.httpStatus(f.verdict), text: validator.textOf(f.verdict) };
  if (f.signature === "invalid") return { status: validator.httpStatus("BAD_SIGNATURE"), text: validator.textOf("BAD_SIGNATURE") };
  if ((f.version ?? 0) <= RUNNING_VERSION) return { status: validator.httpStatus("NOT_NEWER"), text: validator.textOf("NOT_NEWER") };
  if (f.name.startsWith("traps-")) return { status: validator.httpStatus("TRIAL_FAILED"), text: validator.textOf("TRIAL_FAILED") };
  return { status: 200, text: "" };
}

test("every refused fixture: the simulator's status and reason are the C validator's", async () => {
  let refused = 0;
  for (const f of fixtures) {
    const want = expected(f);
    if (want.status === 200 || f.name === "replayed-same") continue;
    const r = await put(f);
    assert.equal(r.status, want.status, `${f.name} (${f.description}): ${r.body.trim()}`);
    assert.ok(r.body.includes(want.text), `${f.name}: "${r.body.trim()}" does not say "${want.text}"`);
    refused++;
  }
  assert.ok(refused >= 30, `${refused} fixtures refused`);
  const s = JSON.parse((await rawRequest(sim.url, "GET", "/core")).body);
  assert.equal(s.running.version, RUNNING_VERSION, "no refusal changed the running core");
});

test("the accepted fixtures install: good, then the behaviour change (newer)", async () => {
  for (const name of ["good", "behaviour-change"]) {
    const f = byName(name);
    assert.equal(expected(f).status, 200);
    const r = await put(f);
    assert.equal(r.status, 200, `${name}: ${r.body}`);
    assert.equal(JSON.parse(r.body).running.version, f.version);
  }
});
