// main/Kconfig.projbuild and the files that use it: one prefix for every
// project option, the WiFi limits the firmware relies on, no option used
// that does not exist (or declared and never used), cppcheck configured with
// every option the C code reads, and the WAMR settings of sdkconfig.defaults.
// The pin defaults and ranges per target are checked against the pin table
// in tests/c/test_board_pins.c; main/config_checks.cmake in config-checks.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ROOT, RELEASE_WASM } from "../support/core-loader.ts";
import { defaultOf, rangeOf, readKconfig, type KconfigEnv } from "../support/kconfig.ts";
import { readWasm } from "../support/wasm-binary.ts";

const PREFIX = "WASM_LED_";
const TARGETS = ["esp32", "esp32s3", "esp32c3", "esp32c6"];
const symbols = readKconfig();
const byName = new Map(symbols.map((s) => [s.name, s]));

function sym(name: string) {
  const s = byName.get(name);
  assert.ok(s, `main/Kconfig.projbuild declares ${name}`);
  return s;
}

/** Files under dir (recursively) whose name matches re. */
function files(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, re));
    else if (re.test(name)) out.push(path);
  }
  return out;
}

/** The firmware's own sources: what ESP-IDF compiles or evaluates. */
const FIRMWARE = [
  ...files(join(ROOT, "main"), /\.(c|h|cmake)$|^CMakeLists\.txt$/),
  ...files(join(ROOT, "host"), /\.(c|h|cmake)$|^CMakeLists\.txt$/),
];

function optionsUsedIn(paths: string[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const path of paths) {
    for (const m of readFileSync(path, "utf8").matchAll(/\bCONFIG_(WASM_LED_[A-Z0-9_]+)/g)) {
      const where = used.get(m[1]!) ?? [];
      where.push(relative(ROOT, path));
      used.set(m[1]!, where);
    }
  }
  return used;
}

test("every project option has the WASM_LED_ prefix, once", () => {
  assert.ok(symbols.length >= 12, `found ${symbols.length} options`);
  for (const s of symbols) {
    assert.match(s.name, /^WASM_LED_[A-Z0-9_]+$/, `line ${s.line}: ${s.name} must start with ${PREFIX} (APP_ is ESP-IDF's)`);
    assert.ok(s.type !== null, `${s.name} has a type`);
  }
  assert.equal(new Set(symbols.map((s) => s.name)).size, symbols.length, "no option is declared twice");
});

test("no file still uses the old CONFIG_APP_ names for project options", () => {
  const old = ["WIFI_SSID", "WIFI_PASSWORD", "WIFI_CHANNEL", "WIFI_MAX_STA", "SWITCH_GPIO", "LED_GPIO",
    "MAX_SSE_CLIENTS", "DEBOUNCE_MS", "SAMPLE_PERIOD_MS", "SSE_KEEPALIVE_MS", "SSE_WRITE_BUDGET_MS", "WAMR_POOL_KB"];
  const re = new RegExp(`\\b(CONFIG_)?APP_(${old.join("|")})\\b`);
  const checked = [...FIRMWARE, join(ROOT, "README.md"), join(ROOT, "tests/c/run.sh"),
    ...files(join(ROOT, "docs"), /\.md$/),
    ...readdirSync(ROOT).filter((n) => n.startsWith("sdkconfig.defaults")).map((n) => join(ROOT, n))];
  for (const path of checked) {
    const hit = re.exec(readFileSync(path, "utf8"));
    assert.equal(hit, null, `${relative(ROOT, path)} still says ${hit?.[0]}`);
  }
});

test("WiFi channel: 1..11 in the default country 01, 1..13 with a country code", () => {
  const country = sym("WASM_LED_WIFI_COUNTRY");
  assert.equal(country.type, "string");
  assert.equal(defaultOf(country, { target: "esp32", values: {} }), "01");
  const channel = sym("WASM_LED_WIFI_CHANNEL");
  // ESP-IDF's default country info: cc "01", schan 1, nchan 11
  // (docs/en/api-guides/wifi.rst v5.5.5 l.1851-1857).
  for (const target of TARGETS) {
    const in01: KconfigEnv = { target, values: { WASM_LED_WIFI_COUNTRY: "01" } };
    assert.deepEqual(rangeOf(channel, in01), [1, 11], `${target}, country 01`);
    assert.deepEqual(rangeOf(channel, { target, values: { WASM_LED_WIFI_COUNTRY: "DE" } }), [1, 13]);
    const def = Number(defaultOf(channel, in01));
    assert.ok(def >= 1 && def <= 11, `default channel ${def} is valid in country 01`);
  }
});

test("WiFi stations: at most 8 (DHCP leases, WiFi key slots)", () => {
  // LWIP_DHCPS_MAX_STATION_NUM defaults to 8 (components/lwip/Kconfig v5.5.5 l.410-418);
  // 17 key slots less ESP-NOW's default 7 (components/esp_wifi/Kconfig l.561-572) leave 10.
  const sta = sym("WASM_LED_WIFI_MAX_STA");
  for (const target of TARGETS) {
    const env = { target, values: {} };
    assert.deepEqual(rangeOf(sta, env), [1, 8], target);
    const def = Number(defaultOf(sta, env));
    assert.ok(def >= 1 && def <= 8, `default ${def}`);
  }
});

test("every pin option has a default and a range for every supported target", () => {
  for (const name of ["WASM_LED_SWITCH_GPIO", "WASM_LED_LED_GPIO"]) {
    const s = sym(name);
    for (const target of TARGETS) {
      const cond = `IDF_TARGET_${target.toUpperCase()}`;
      assert.ok(s.defaults.some((d) => d.cond === cond), `${name}: default ... if ${cond}`);
      assert.ok(s.ranges.some((r) => r.cond === cond), `${name}: range ... if ${cond}`);
    }
  }
});

test("the firmware uses only options that exist, and every option is used", () => {
  const used = optionsUsedIn(FIRMWARE);
  for (const [name, where] of used) {
    assert.ok(byName.has(name), `CONFIG_${name} (used in ${where.join(", ")}) is not in main/Kconfig.projbuild`);
  }
  for (const s of symbols) {
    assert.ok(used.has(s.name), `${s.name} is declared but no file in main/ or host/ reads CONFIG_${s.name}`);
  }
});

test("cppcheck is given every option the C code reads", () => {
  const runSh = readFileSync(join(ROOT, "tests/c/run.sh"), "utf8");
  const defined = new Set([...runSh.matchAll(/-DCONFIG_(WASM_LED_[A-Z0-9_]+)=/g)].map((m) => m[1]!));
  const cFiles = FIRMWARE.filter((p) => /\.[ch]$/.test(p));
  for (const [name, where] of optionsUsedIn(cFiles)) {
    assert.ok(defined.has(name), `tests/c/run.sh passes no -DCONFIG_${name} to cppcheck (used in ${where.join(", ")})`);
    assert.ok(byName.has(name), `run.sh defines CONFIG_${name}, which Kconfig does not declare`);
  }
});

// Symbols of WAMR-2.4.0 build-scripts/esp-idf/wamr/Kconfig (all of them), the
// menu the espressif/wasm-micro-runtime 2.4.0~1 component adds.
const WAMR_KCONFIG = new Set(["WAMR_BUILD_RELEASE", "WAMR_BUILD_DEBUG", "WAMR_ENABLE_AOT", "WAMR_ENABLE_INTERP",
  "WAMR_INTERP_CLASSIC", "WAMR_INTERP_FAST", "WAMR_INTERP_LOADER_NORMAL", "WAMR_INTERP_LOADER_MINI",
  "WAMR_ENABLE_LIB_PTHREAD", "WAMR_ENABLE_LIBC_BUILTIN", "WAMR_ENABLE_LIBC_WASI", "WAMR_ENABLE_MEMORY_PROFILING",
  "WAMR_ENABLE_MULTI_MODULE", "WAMR_ENABLE_PERF_PROFILING", "WAMR_ENABLE_REF_TYPES", "WAMR_ENABLE_SHARED_MEMORY"]);

test("sdkconfig.defaults: WAMR interpreter only, no AOT, no libc-builtin, real symbol names", () => {
  const defaults = readFileSync(join(ROOT, "sdkconfig.defaults"), "utf8");
  const set = new Map<string, string>();
  for (const m of defaults.matchAll(/^(?:CONFIG_(WAMR_\w+)=(\S+)|# CONFIG_(WAMR_\w+) is not set)$/gm)) {
    if (m[1]) set.set(m[1], m[2]!);
    else set.set(m[3]!, "n");
  }
  for (const name of set.keys()) assert.ok(WAMR_KCONFIG.has(name), `CONFIG_${name} is not a symbol of WAMR's Kconfig`);
  assert.equal(set.get("WAMR_ENABLE_AOT"), "n", "AOT off");
  assert.equal(set.get("WAMR_ENABLE_LIBC_BUILTIN"), "n", "libc-builtin off");
  assert.equal(set.get("WAMR_ENABLE_LIBC_WASI"), "n", "libc-WASI off");
  assert.equal(set.get("WAMR_ENABLE_LIB_PTHREAD"), "n", "lib-pthread off");
  assert.equal(set.get("WAMR_ENABLE_INTERP"), "y", "interpreter on");
  // With libc-builtin off only registered natives resolve imports: the core
  // must import nothing but the host's module.
  assert.ok(existsSync(RELEASE_WASM), "dist/core.wasm exists (npm run asbuild)");
  const modules = new Set(readWasm(readFileSync(RELEASE_WASM)).imports.map((i) => i.module));
  assert.deepEqual([...modules], ["host"]);
});
