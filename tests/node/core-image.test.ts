// The signed-core validator as the simulator runs it: host/portable/core_image.c
// compiled to Wasm (scripts/build-validator.sh -> dist/core_image.wasm),
// with node:crypto for the signature. Every fixture of
// tests/support/core-fixtures.ts must get the verdict, version and policy
// answer its manifest gives, the same manifest tests/c/test_core_image.c
// checks the native build against; and on thousands of mutated files the
// Wasm build and a native build of the same C must answer identically.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { customSection, concat, rawPublicKey, signCore, verifySigned } from "../../scripts/core-image-format.ts";
import { loadValidator, type CoreValidator, type ValidatorResult } from "../../scripts/core-validator.ts";
import { RUNNING_VERSION, writeFixtures, type Fixture } from "../support/core-fixtures.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "core-image-test-"));
let validator: CoreValidator;
let fixtures: Fixture[];
let publicKey: ReturnType<typeof createPublicKey>;

function run(cmd: string, args: string[], input?: Buffer): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, input, encoding: input ? "buffer" : "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout?.toString()}${r.stderr?.toString()}`);
  return r.stdout.toString();
}

before(async () => {
  run("bash", ["scripts/build-validator.sh"]);
  validator = await loadValidator();
  fixtures = writeFixtures(dir);
  const raw = readFileSync(join(dir, "pubkey.bin"));
  // The raw key the C side reads, back into a KeyObject: both sides use the same key.
  publicKey = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: raw.subarray(1, 33).toString("base64url"), y: raw.subarray(33).toString("base64url") },
    format: "jwk",
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the fixture set covers every case the issue lists", () => {
  const names = new Set(fixtures.map((f) => f.name));
  for (const n of ["good", "unsigned", "wrong-key", "replayed-old", "bad-import-name", "bad-import-type", "bad-export-missing",
    "bad-export-type", "grows-memory", "unshrinkable-unaligned", "traps-in-init", "traps-on-second-poll", "truncated",
    "random", "oversize", "behaviour-change", "start-function"]) {
    assert.ok(names.has(n), `fixture ${n}`);
  }
  // Every verdict core_image_check can return appears at least once.
  const seen = new Set(fixtures.map((f) => f.verdict));
  for (const v of validator.verdicts) {
    // The caller's own refusals (never returned by the check) and parser rules covered by hand-made C cases.
    if (["BAD_SIGNATURE", "NOT_NEWER", "TRIAL_FAILED", "UPDATES_DISABLED", "BUSY", "BAD_LEB128", "BAD_SECTION_SIZE", "MALFORMED", "UNSUPPORTED"].includes(v)) continue;
    assert.ok(seen.has(v), `no fixture gets ${v}`);
  }
});

test("every fixture: verdict, version, signature and anti-downgrade as the manifest says", () => {
  const lines = readFileSync(join(dir, "manifest.tsv"), "utf8").trim().split("\n");
  assert.equal(lines[0], `running\t${RUNNING_VERSION}`);
  assert.equal(lines.length - 1, fixtures.length);
  for (const line of lines.slice(1)) {
    const [name, verdict, signature, version, acceptable] = line.split("\t") as [string, string, string, string, string];
    const bytes = readFileSync(join(dir, `${name}.wasm`));
    const r = validator.check(bytes);
    assert.equal(r.verdict, verdict, `${name}: ${r.text} (at byte ${r.errorOffset})`);
    assert.equal(r.text, validator.textOf(verdict));
    if (version !== "-") assert.equal(r.version, Number(version), `${name}: version`);
    if (acceptable !== "-") assert.equal(validator.versionAcceptable(RUNNING_VERSION, r.version), acceptable === "yes", `${name}: policy`);
    if (r.ok) {
      assert.equal(r.sigOffset + r.sigLen, bytes.length, `${name}: signature is the end of the file`);
      assert.equal(verifySigned(bytes, r.signedLen, r.sigOffset, r.sigLen, publicKey), signature === "valid", `${name}: signature`);
    } else {
      assert.equal(signature, "-", `${name}: refused, so never verified`);
    }
  }
});

test("limits are parameters: size and memory", () => {
  const good = readFileSync(join(dir, "good.wasm"));
  assert.equal(validator.defaults.maxLen, 32768);
  assert.equal(validator.defaults.maxMemory, 16384);
  assert.equal(validator.check(good, { maxLen: good.length }).verdict, "OK");
  assert.equal(validator.check(good, { maxLen: good.length - 1 }).verdict, "TOO_LARGE");
  assert.equal(validator.check(good, { maxMemory: 4095 }).verdict, "MEMORY_TOO_LARGE");
  assert.equal(validator.check(good).memoryBytes, 4096);
  assert.throws(() => validator.check(good, { maxLen: 1 << 30 }), /buffer/);
  // A file larger than the buffer is refused by size without being copied.
  assert.equal(validator.check(new Uint8Array(1 << 20)).verdict, "TOO_LARGE");
});

test("node:crypto accepts the same signature variants the C side accepts", () => {
  // The high-s twin (r, n - s) of a valid signature verifies in both
  // (tests/c/test_core_sig.c der_strictness); a re-encoding with a
  // superfluous leading zero is refused by both.
  const good = readFileSync(join(dir, "good.wasm"));
  const r = validator.check(good);
  const der = good.subarray(r.sigOffset, r.sigOffset + r.sigLen);
  const ints: Buffer[] = [];
  for (let p = 2; p < der.length;) {
    const n = der[p + 1]!;
    ints.push(Buffer.from(der.subarray(p + 2, p + 2 + n)));
    p += 2 + n;
  }
  const order = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const s = BigInt(`0x${ints[1]!.toString("hex")}`);
  const encodeInt = (v: bigint): Buffer => {
    let hex = v.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let b = Buffer.from(hex, "hex");
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.of(0), b]);
    return Buffer.concat([Buffer.of(2, b.length), b]);
  };
  const seq = (a: Buffer, b: Buffer): Buffer => Buffer.concat([Buffer.of(0x30, a.length + b.length), a, b]);
  const rInt = Buffer.concat([Buffer.of(2, ints[0]!.length), ints[0]!]);
  const signed = good.subarray(0, r.signedLen);
  const withSig = (sig: Buffer) => concat(signed, customSection("core-signature", sig));
  const twin = withSig(seq(rInt, encodeInt(order - s)));
  const tr = validator.check(twin);
  assert.equal(tr.verdict, "OK", `twin ${seq(rInt, encodeInt(order - s)).toString("hex")} of ${Buffer.from(der).toString("hex")}`);
  assert.ok(verifySigned(twin, tr.signedLen, tr.sigOffset, tr.sigLen, publicKey));
  const padded = Buffer.concat([Buffer.of(2, ints[0]!.length + 1, 0), ints[0]!]);
  // Only when r has no leading zero already (else the re-encoding would pass 72 bytes, the longest P-256 DER).
  if (ints[0]![0]! !== 0 && ints[0]![0]! < 0x80) {
    const bad = withSig(seq(padded, encodeInt(s)));
    const br = validator.check(bad);
    assert.equal(br.verdict, "OK", `padded ${seq(padded, encodeInt(s)).toString("hex")}`); // shape only; the signature check refuses it
    assert.equal(verifySigned(bad, br.signedLen, br.sigOffset, br.sigLen, publicKey), false);
  }
});

/** Deterministic mutations of a file: cuts, bit flips, byte overwrites, inserts, deletes. */
function mutations(base: Uint8Array, seed: number, count: number): Uint8Array[] {
  let x = seed;
  const rnd = (n: number): number => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
  const out: Uint8Array[] = [];
  for (let n = 0; n <= base.length; n++) out.push(base.subarray(0, n));
  for (let i = 0; i < base.length; i++) {
    const m = Uint8Array.from(base);
    m[i] = m[i]! ^ (1 << (i % 8));
    out.push(m);
  }
  for (let k = 0; k < count; k++) {
    const m = Array.from(base);
    for (let e = 1 + rnd(4); e > 0; e--) {
      const at = rnd(m.length);
      const kind = rnd(3);
      if (kind === 0) m[at] = rnd(256);
      else if (kind === 1) m.splice(at, 0, rnd(256));
      else m.splice(at, 1);
    }
    out.push(Uint8Array.from(m));
  }
  return out;
}

test("the Wasm build and a native build of the same C agree on every mutated file", () => {
  const cli = join(dir, "core-image-cli");
  run("cc", ["-std=c11", "-O1", "-Wall", "-Werror", "-I", "host/portable", "-o", cli, "tests/support/core-image-cli.c",
    "host/portable/core_image.c", "host/portable/wasm_code.c", "host/portable/core_abi.c"]);
  const inputs: Uint8Array[] = [
    ...fixtures.map((f) => f.bytes).filter((b) => b.length <= 32768),
    ...mutations(readFileSync(join(dir, "good.wasm")), 1, 3000),
    ...mutations(readFileSync(join(dir, "good-debug.wasm")), 2, 1000),
  ];
  const records = Buffer.concat(inputs.flatMap((b) => {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return [len, Buffer.from(b)];
  }));
  const native = run(cli, [], records).trim().split("\n");
  assert.equal(native.length, inputs.length);
  const fields = (r: ValidatorResult): string =>
    [r.code, r.version, r.signedLen, r.sigOffset, r.sigLen, r.memoryBytes, r.errorOffset].join(" ");
  const verdicts = new Map<string, number>();
  inputs.forEach((b, i) => {
    const r = validator.check(b);
    assert.equal(fields(r), native[i], `input ${i} (${b.length} bytes): wasm ${r.verdict}, native ${native[i]}`);
    verdicts.set(r.verdict, (verdicts.get(r.verdict) ?? 0) + 1);
  });
  // The mutations reach deep into the parser, not only the first check.
  for (const v of ["OK", "TRUNCATED", "BAD_SECTION_SIZE", "MALFORMED", "BAD_INSTRUCTION", "BAD_IMPORT", "EXPORT_TYPE"]) {
    assert.ok((verdicts.get(v) ?? 0) > 0, `no mutation got ${v}: ${JSON.stringify([...verdicts])}`);
  }
});

test("a fresh key pair signs and the raw public key round-trips", () => {
  // The fixtures' own plumbing: what the C side reads is the key that signed.
  const { privateKey, publicKey: pub } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const raw = rawPublicKey(pub);
  assert.equal(raw.length, 65);
  assert.equal(raw[0], 4);
  const file = signCore(readFileSync(join(ROOT, "dist", "core.wasm")), 9, privateKey);
  const r = validator.check(file);
  assert.equal(r.verdict, "OK");
  assert.equal(r.version, 9);
  assert.ok(verifySigned(file, r.signedLen, r.sigOffset, r.sigLen, pub));
  assert.ok(!verifySigned(file, r.signedLen, r.sigOffset, r.sigLen, generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey));
});

test("docs/update.md lists every verdict with the text the C gives it", () => {
  const doc = readFileSync(join(ROOT, "docs", "update.md"), "utf8");
  const rows = [...doc.matchAll(/^\| (\d+) \| `([A-Z_0-9]+)` \| ([^|]+) \|/gm)];
  assert.equal(rows.length, validator.verdicts.length, "one row per verdict");
  for (const [, num, name, text] of rows) {
    assert.equal(validator.verdicts[Number(num)], name, `row ${num}`);
    assert.equal(text!.trim(), validator.textOf(name!), `text of ${name}`);
  }
});

test("every verdict's HTTP status is the one docs/update.md's Protocol table gives", () => {
  const doc = readFileSync(new URL("../../docs/update.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("Status codes of a refused upload"), doc.indexOf("`GET /core` (and the answer"));
  const documented = new Map<string, number>();
  for (const m of section.matchAll(/^\| `(\d{3})` \| (.*) \|$/gm)) {
    for (const v of m[2]!.matchAll(/`([A-Z0-9_]+)`/g)) documented.set(v[1]!, Number(m[1]));
  }
  assert.ok(documented.size > 20, `parsed ${documented.size} verdicts from the table`);
  for (const v of validator.verdicts) {
    if (v === "OK") {
      assert.equal(validator.httpStatus(v), 200);
      continue;
    }
    assert.equal(validator.httpStatus(v), documented.get(v), `${v}: C says ${validator.httpStatus(v)}, docs/update.md ${documented.get(v)}`);
  }
});

test("the trial's frame check passes the real core's frames and refuses a wrong one", async () => {
  const { loadCore, RecordingHost } = await import("../support/core-loader.ts");
  const host = new RecordingHost();
  const core = await loadCore(host);
  core.exports.init(1, 41, 30, 1000, 0);
  host.open(3);
  core.exports.post_event(2, 3, 0);
  core.exports.poll(0);
  core.exports.poll(1000); // a keepalive comment
  const frames = [...host.sends.map((s) => s.frame), ...host.broadcasts];
  assert.equal(frames.length, 2);
  for (const f of frames) assert.equal(validator.frameCheck(new TextEncoder().encode(f), 1, 41), null, JSON.stringify(f));
  assert.match(validator.frameCheck(new TextEncoder().encode(frames[0]!), 0, 41) ?? "", /led differs/);
  assert.match(validator.frameCheck(new TextEncoder().encode("id: 1\n\n"), 1, 1) ?? "", /field/);
});
