// main/dist_files.cmake: a firmware build without dist/ stops with the npm
// command to run; configuring does not need dist/; once npm has built the
// files the build passes and picks up every rebuild. ESP-IDF is not
// installable here, so the project below embeds a file the way ESP-IDF's
// target_add_binary_data does (tools/cmake/utilities.cmake, v5.5.5 lines
// 79-109: a custom command in the component's directory whose
// MAIN_DEPENDENCY is the embedded file, its output added to the component
// library) and calls the real require_dist_files().

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/core-loader.ts";

const cmake = (args: string[], cwd: string) => spawnSync("cmake", args, { cwd, encoding: "utf8" });

test("a build without dist/ stops with the npm command; with it, it embeds every rebuild", () => {
  const dir = mkdtempSync(join(tmpdir(), "dist-rule-"));
  try {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "x.c"), "int x;\n");
    writeFileSync(join(dir, "CMakeLists.txt"), `cmake_minimum_required(VERSION 3.16)
project(dist_rule C)
set(project_dir "${"${CMAKE_SOURCE_DIR}"}")
set(embedded "${"${project_dir}"}/dist/core.wasm")
# target_add_binary_data, as ESP-IDF v5.5.5 writes it (the embed script
# replaced by a copy).
add_custom_command(OUTPUT "${"${CMAKE_BINARY_DIR}"}/core.wasm.S"
    COMMAND ${"${CMAKE_COMMAND}"} -E copy "${"${embedded}"}" "${"${CMAKE_BINARY_DIR}"}/core.wasm.S"
    MAIN_DEPENDENCY "${"${embedded}"}"
    VERBATIM)
add_library(main STATIC "${"${CMAKE_BINARY_DIR}"}/core.wasm.S" x.c)
set_source_files_properties("${"${CMAKE_BINARY_DIR}"}/core.wasm.S" PROPERTIES LANGUAGE C HEADER_FILE_ONLY TRUE)
include("${join(ROOT, "main", "dist_files.cmake")}")
require_dist_files("${"${project_dir}"}" ${"${embedded}"})
`);
    const configured = cmake(["-S", ".", "-B", "build"], dir);
    assert.equal(configured.status, 0, `configuring needs no dist/: ${configured.stderr}`);

    const missing = cmake(["--build", "build"], dir);
    assert.notEqual(missing.status, 0, "the build stops while dist/core.wasm is missing");
    assert.match(missing.stdout + missing.stderr, /dist\/core\.wasm is missing: run `npm ci && npm run asbuild`/);

    writeFileSync(join(dir, "dist", "core.wasm"), "first");
    const built = cmake(["--build", "build"], dir);
    assert.equal(built.status, 0, `the build passes once npm built the file: ${built.stdout}${built.stderr}`);
    assert.equal(readFileSync(join(dir, "build", "core.wasm.S"), "utf8"), "first");

    writeFileSync(join(dir, "dist", "core.wasm"), "second");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "dist", "core.wasm"), later, later);
    const rebuilt = cmake(["--build", "build"], dir);
    assert.equal(rebuilt.status, 0);
    assert.equal(readFileSync(join(dir, "build", "core.wasm.S"), "utf8"), "second", "a new npm run asbuild is embedded");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("main/CMakeLists.txt embeds what require_dist_files guards", () => {
  const text = readFileSync(join(ROOT, "main", "CMakeLists.txt"), "utf8");
  assert.match(text, /require_dist_files\("\$\{project_dir\}" \$\{embedded\} \$\{embedded_text\}\)/);
  assert.match(text, /EMBED_FILES \$\{embedded\}/);
  assert.match(text, /EMBED_TXTFILES \$\{embedded_text\}/);
  assert.doesNotMatch(readFileSync(join(ROOT, "CMakeLists.txt"), "utf8"), /FATAL_ERROR/, "the top level does not stop configuring");
});
