// host/CMakeLists.txt against the files in host/: every C file of the
// component is compiled into the firmware and every listed file exists. CI
// cannot run idf.py, so a source left out of SRCS would only show as a link
// error on the first board build.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/core-loader.ts";

const HOST = join(ROOT, "host");
const cmake = readFileSync(join(HOST, "CMakeLists.txt"), "utf8");
const srcsBlock = /SRCS\s+([\s\S]*?)\n\s*(?:INCLUDE_DIRS|PRIV_INCLUDE_DIRS|REQUIRES|PRIV_REQUIRES|EMBED_)/.exec(cmake);
const listed = [...(srcsBlock?.[1] ?? "").matchAll(/"([^"]+\.c)"/g)].map((m) => m[1]!);

test("host/CMakeLists.txt SRCS lists every C file under host/, and only existing ones", () => {
  assert.ok(listed.length > 10, `SRCS parsed (${listed.length} files)`);
  const onDisk = ["portable", "wamr", "esp"].flatMap((dir) =>
    readdirSync(join(HOST, dir)).filter((f) => f.endsWith(".c")).map((f) => `${dir}/${f}`));
  assert.deepEqual(onDisk.filter((f) => !listed.includes(f)), [], "C files the firmware would not compile");
  assert.deepEqual(listed.filter((f) => !existsSync(join(HOST, f))), [], "SRCS entries with no file");
  assert.equal(new Set(listed).size, listed.length, "no file listed twice");
});

test("the C tests build every portable module the firmware compiles", () => {
  const tests = readFileSync(join(ROOT, "tests", "c", "CMakeLists.txt"), "utf8");
  const portable = listed.filter((f) => f.startsWith("portable/")).map((f) => f.slice("portable/".length));
  assert.deepEqual(portable.filter((f) => !tests.includes(`\${HOST_SRC}/${f}`)), [], "portable modules without unit-test build");
});
