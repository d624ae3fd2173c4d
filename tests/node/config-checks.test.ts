// main/config_checks.cmake, the firmware's build-time checks, run with the
// machine's cmake exactly as ESP-IDF includes it (CONFIG_* variables set,
// here with -D): the Kconfig defaults of every target pass without a
// warning, and each setting that boot-loops or silently fails on a board
// stops the build with a message that names the option and the fix.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../support/core-loader.ts";
import { defaultsFor, readKconfig } from "../support/kconfig.ts";

const SCRIPT = join(ROOT, "main/config_checks.cmake");
const TARGETS = ["esp32", "esp32s3", "esp32c3", "esp32c6"];
const symbols = readKconfig();

// ESP-IDF settings the checks read: sdkconfig.defaults' socket count and the
// component defaults (lwip/Kconfig LWIP_DHCPS_MAX_STATION_NUM 8, esp_wifi/Kconfig
// ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM 7).
const IDF = { LWIP_MAX_SOCKETS: "16", LWIP_DHCPS_MAX_STATION_NUM: "8", ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM: "7" };

interface Run { status: number | null; out: string }

function check(target: string, overrides: Record<string, string> = {}): Run {
  const values: Record<string, string> = { IDF_TARGET: target, ...IDF, ...defaultsFor(symbols, target), ...overrides };
  const args = Object.entries(values).map(([k, v]) => `-DCONFIG_${k}=${v}`);
  const r = spawnSync("cmake", [...args, "-P", SCRIPT], { encoding: "utf8" });
  if (r.error) throw new Error(`cmake not found (npm run setup installs it): ${r.error.message}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}`.replace(/\s+/g, " ") };
}

function assertRejected(r: Run, ...phrases: string[]) {
  assert.notEqual(r.status, 0, `the build should stop: ${r.out}`);
  assert.match(r.out, /CMake Error/);
  for (const p of phrases) assert.ok(r.out.includes(p), `message has "${p}": ${r.out}`);
}

test("the Kconfig defaults of every target pass, without a warning", () => {
  for (const target of TARGETS) {
    const r = check(target);
    assert.equal(r.status, 0, `${target}: ${r.out}`);
    assert.doesNotMatch(r.out, /CMake (Warning|Error)/, `${target}: ${r.out}`);
  }
});

test("an unsupported target stops the build and lists the supported ones", () => {
  assertRejected(check("esp32c2"), "esp32c2 is not supported", "esp32, esp32s3, esp32c3, esp32c6");
});

test("pins that do not exist, or belong to flash, console or USB, stop the build", () => {
  const cases: [string, string, string, string][] = [
    ["esp32", "LED_GPIO", "7", "is wired to the SPI flash or PSRAM"],
    ["esp32", "SWITCH_GPIO", "17", "is wired to the SPI flash or PSRAM"],
    ["esp32", "LED_GPIO", "1", "is the console UART"],
    ["esp32", "SWITCH_GPIO", "3", "is the console UART"],
    ["esp32", "LED_GPIO", "24", "does not exist on this chip"],
    ["esp32", "LED_GPIO", "34", "is input-only"],
    ["esp32s3", "SWITCH_GPIO", "19", "is the USB-Serial-JTAG port"],
    ["esp32s3", "LED_GPIO", "35", "is wired to the SPI flash or PSRAM"],
    ["esp32s3", "LED_GPIO", "43", "is the console UART"],
    ["esp32c3", "LED_GPIO", "21", "is the console UART"],
    ["esp32c3", "LED_GPIO", "18", "is the USB-Serial-JTAG port"],
    ["esp32c3", "LED_GPIO", "22", "does not exist on this chip"],
    ["esp32c6", "LED_GPIO", "10", "is not bonded out on every package"],
    ["esp32c6", "SWITCH_GPIO", "27", "is wired to the SPI flash or PSRAM"],
    ["esp32c6", "LED_GPIO", "16", "is the console UART"],
  ];
  for (const [target, option, gpio, why] of cases) {
    assertRejected(check(target, { [`WASM_LED_${option}`]: gpio }),
      `CONFIG_WASM_LED_${option}=${gpio}`, why, `on ${target}`, "idf.py menuconfig -> ESP32 Wasm LED");
  }
  assertRejected(check("esp32", { WASM_LED_SWITCH_GPIO: "4", WASM_LED_LED_GPIO: "4" }), "both on GPIO 4");
});

test("pins with a caveat build, with a warning that says it", () => {
  const strap = check("esp32", { WASM_LED_LED_GPIO: "2" });
  assert.equal(strap.status, 0, strap.out);
  assert.match(strap.out, /CMake Warning.*CONFIG_WASM_LED_LED_GPIO=2 is a strapping pin of esp32/);
  const pull = check("esp32", { WASM_LED_SWITCH_GPIO: "36" });
  assert.equal(pull.status, 0, pull.out);
  assert.match(pull.out, /CMake Warning.*no internal pull-up/);
  // The boot buttons are strapping pins too: no warning for the switch.
  assert.doesNotMatch(check("esp32c3").out, /Warning/);
});

test("channel 12/13 needs a country that allows it", () => {
  for (const ch of ["12", "13"]) {
    assertRejected(check("esp32", { WASM_LED_WIFI_CHANNEL: ch }),
      `CONFIG_WASM_LED_WIFI_CHANNEL=${ch}`, "country 01 (channels 1..11)", "WiFi country code");
  }
  assert.equal(check("esp32", { WASM_LED_WIFI_CHANNEL: "13", WASM_LED_WIFI_COUNTRY: "DE" }).status, 0);
  assert.equal(check("esp32", { WASM_LED_WIFI_CHANNEL: "11" }).status, 0);
  assertRejected(check("esp32", { WASM_LED_WIFI_CHANNEL: "14", WASM_LED_WIFI_COUNTRY: "JP" }), "use 1..13");
  assertRejected(check("esp32", { WASM_LED_WIFI_COUNTRY: "de" }), "CONFIG_WASM_LED_WIFI_COUNTRY=\"de\"");
  assertRejected(check("esp32", { WASM_LED_WIFI_COUNTRY: "DEU" }), "two upper-case letters");
});

test("stations: at most 8, and within the DHCP leases and the WiFi key slots", () => {
  assert.equal(check("esp32", { WASM_LED_WIFI_MAX_STA: "8" }).status, 0);
  assertRejected(check("esp32", { WASM_LED_WIFI_MAX_STA: "9" }), "CONFIG_WASM_LED_WIFI_MAX_STA=9", "use 1..8");
  assertRejected(check("esp32", { WASM_LED_WIFI_MAX_STA: "8", LWIP_DHCPS_MAX_STATION_NUM: "6" }),
    "leases only 6 addresses", "CONFIG_LWIP_DHCPS_MAX_STATION_NUM");
  // 17 key slots - 10 for ESP-NOW = 7 (wifi.rst v5.5.5 l.1454, "max_connection").
  assertRejected(check("esp32", { WASM_LED_WIFI_MAX_STA: "8", ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM: "10" }),
    "leaving 7 for stations", "CONFIG_ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM");
  assert.equal(check("esp32", { WASM_LED_WIFI_MAX_STA: "7", ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM: "10" }).status, 0);
  // With ESP-NOW at 2 or fewer keys the soft-AP gets its full 15.
  assert.equal(check("esp32", { WASM_LED_WIFI_MAX_STA: "8", ESP_WIFI_ESPNOW_MAX_ENCRYPT_NUM: "2" }).status, 0);
});

test("SSE clients must fit the sockets; the message gives the LWIP_MAX_SOCKETS history", () => {
  // Captive portal off (ESP-IDF's sdkconfig.cmake gives a disabled bool as ""): 3 + 2 + clients.
  const noPortal = { WASM_LED_CAPTIVE_PORTAL: "" };
  assert.equal(check("esp32", { ...noPortal, WASM_LED_MAX_SSE_CLIENTS: "11" }).status, 0);
  assertRejected(check("esp32", { ...noPortal, WASM_LED_MAX_SSE_CLIENTS: "12" }), "needs LWIP_MAX_SOCKETS >= 17",
    "at most 16 on ESP-IDF 5.1.x, 5.2-5.2.3 and 5.3-5.3.1; up to 253 from 5.2.4, 5.3.2 and 5.4");
  assert.equal(check("esp32", { ...noPortal, WASM_LED_MAX_SSE_CLIENTS: "12", LWIP_MAX_SOCKETS: "17" }).status, 0);
  // Captive portal on (the default): its DNS socket is one more.
  assert.equal(check("esp32", { WASM_LED_MAX_SSE_CLIENTS: "10" }).status, 0);
  assertRejected(check("esp32", { WASM_LED_MAX_SSE_CLIENTS: "11" }), "needs LWIP_MAX_SOCKETS >= 17");
});

test("WiFi password and SSID lengths", () => {
  assertRejected(check("esp32", { WASM_LED_WIFI_PASSWORD: "short" }), "WPA2 needs 8..63");
  assert.equal(check("esp32", { WASM_LED_WIFI_PASSWORD: "" }).status, 0);
  assertRejected(check("esp32", { WASM_LED_WIFI_SSID: "x".repeat(33) }), "an SSID has 1..32");
});
