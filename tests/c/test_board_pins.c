/* board_pins: the per-target pin rules against ESP-IDF v5.5.5's own pin
 * facts, the Kconfig pin defaults and ranges of every target against those
 * rules, and the build-time checks (board_pins.cmake) against board_pins.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "board_pins.h"

#define BIT(n) (UINT64_C(1) << (n))

static const char *const VERDICT_NAMES[] = {
    [BOARD_PIN_OK] = "OK",
    [BOARD_PIN_NO_SUCH_GPIO] = "NO_SUCH_GPIO",
    [BOARD_PIN_PACKAGE] = "PACKAGE",
    [BOARD_PIN_FLASH] = "FLASH",
    [BOARD_PIN_CONSOLE] = "CONSOLE",
    [BOARD_PIN_USB] = "USB",
    [BOARD_PIN_INPUT_ONLY] = "INPUT_ONLY",
    [BOARD_PIN_UNKNOWN_TARGET] = "UNKNOWN_TARGET",
};
#define VERDICT_COUNT (sizeof(VERDICT_NAMES) / sizeof(VERDICT_NAMES[0]))

static void assert_range(board_target_t t, int first, int last, board_pin_role_t role, board_pin_verdict_t want)
{
    for (int g = first; g <= last; g++) {
        if (board_pin_check(t, g, role) != want) {
            fail_msg("%s GPIO %d role %d: got %s, want %s", board_target_name(t), g, (int)role,
                     VERDICT_NAMES[board_pin_check(t, g, role)], VERDICT_NAMES[want]);
        }
    }
}

static void assert_both_roles(board_target_t t, int first, int last, board_pin_verdict_t want)
{
    assert_range(t, first, last, BOARD_PIN_INPUT, want);
    assert_range(t, first, last, BOARD_PIN_OUTPUT, want);
}

static void targets_and_names(void **state)
{
    (void)state;
    assert_int_equal(board_target_from_name("esp32"), BOARD_TARGET_ESP32);
    assert_int_equal(board_target_from_name("esp32s3"), BOARD_TARGET_ESP32S3);
    assert_int_equal(board_target_from_name("esp32c3"), BOARD_TARGET_ESP32C3);
    assert_int_equal(board_target_from_name("esp32c6"), BOARD_TARGET_ESP32C6);
    assert_int_equal(board_target_from_name("esp32c2"), BOARD_TARGET_UNKNOWN);
    assert_int_equal(board_target_from_name("ESP32"), BOARD_TARGET_UNKNOWN);
    assert_int_equal(board_target_from_name(""), BOARD_TARGET_UNKNOWN);
    assert_int_equal(board_target_from_name(NULL), BOARD_TARGET_UNKNOWN);
    for (int t = 0; t < BOARD_TARGET_COUNT; t++) {
        assert_int_equal(board_target_from_name(board_target_name((board_target_t)t)), t);
    }
    assert_string_equal(board_target_name(BOARD_TARGET_UNKNOWN), "unknown");
    assert_int_equal(board_pin_check(BOARD_TARGET_UNKNOWN, 4, BOARD_PIN_OUTPUT), BOARD_PIN_UNKNOWN_TARGET);
    assert_int_equal(board_pin_check((board_target_t)BOARD_TARGET_COUNT, 4, BOARD_PIN_OUTPUT),
                     BOARD_PIN_UNKNOWN_TARGET);
}

/* SOC_GPIO_PIN_COUNT, components/soc/<target>/include/soc/soc_caps.h (v5.5.5):
 * esp32 l.175 = 40, esp32s3 l.177 = 49, esp32c3 l.162 = 22, esp32c6 l.191 = 31. */
static void pin_counts(void **state)
{
    (void)state;
    assert_int_equal(board_target_gpio_count(BOARD_TARGET_ESP32), 40);
    assert_int_equal(board_target_gpio_count(BOARD_TARGET_ESP32S3), 49);
    assert_int_equal(board_target_gpio_count(BOARD_TARGET_ESP32C3), 22);
    assert_int_equal(board_target_gpio_count(BOARD_TARGET_ESP32C6), 31);
    assert_int_equal(board_target_gpio_count(BOARD_TARGET_UNKNOWN), 0);
    for (int t = 0; t < BOARD_TARGET_COUNT; t++) {
        int n = board_target_gpio_count((board_target_t)t);
        assert_int_equal(board_pin_check((board_target_t)t, -1, BOARD_PIN_INPUT), BOARD_PIN_NO_SUCH_GPIO);
        assert_int_equal(board_pin_check((board_target_t)t, n, BOARD_PIN_INPUT), BOARD_PIN_NO_SUCH_GPIO);
        assert_int_equal(board_pin_check((board_target_t)t, 1000, BOARD_PIN_OUTPUT), BOARD_PIN_NO_SUCH_GPIO);
    }
}

/* The driver's own checks, GPIO_IS_VALID_GPIO / GPIO_IS_VALID_OUTPUT_GPIO
 * (components/esp_driver_gpio/include/driver/gpio.h l.25-29), test these masks, written
 * here as soc_caps.h v5.5.5 states them: esp32 l.182/184, esp32s3 l.187/189,
 * esp32c3 l.173/174, esp32c6 l.206/207. A pin the table accepts must pass
 * them; a pin they reject must be rejected with the matching verdict. */
static void never_more_permissive_than_the_driver(void **state)
{
    (void)state;
    const uint64_t esp32 = UINT64_C(0xFFFFFFFFFF) & ~(BIT(24) | BIT(28) | BIT(29) | BIT(30) | BIT(31));
    const uint64_t esp32s3 = UINT64_C(0x1FFFFFFFFFFFF) & ~(BIT(22) | BIT(23) | BIT(24) | BIT(25));
    const struct {
        board_target_t t;
        uint64_t valid;
        uint64_t output;
    } soc[] = {
        {BOARD_TARGET_ESP32, esp32, esp32 & ~(BIT(34) | BIT(35) | BIT(36) | BIT(37) | BIT(38) | BIT(39))},
        {BOARD_TARGET_ESP32S3, esp32s3, esp32s3},
        {BOARD_TARGET_ESP32C3, (UINT64_C(1) << 22) - 1, (UINT64_C(1) << 22) - 1},
        {BOARD_TARGET_ESP32C6, (UINT64_C(1) << 31) - 1, (UINT64_C(1) << 31) - 1},
    };
    for (size_t i = 0; i < sizeof(soc) / sizeof(soc[0]); i++) {
        uint64_t valid = soc[i].valid;
        uint64_t output = soc[i].output;
        for (int g = 0; g < 64; g++) {
            board_pin_verdict_t in = board_pin_check(soc[i].t, g, BOARD_PIN_INPUT);
            board_pin_verdict_t out = board_pin_check(soc[i].t, g, BOARD_PIN_OUTPUT);
            if ((valid & BIT(g)) == 0) {
                assert_int_equal(in, BOARD_PIN_NO_SUCH_GPIO);
                assert_int_equal(out, BOARD_PIN_NO_SUCH_GPIO);
            } else if ((output & BIT(g)) == 0) {
                assert_int_equal(out, BOARD_PIN_INPUT_ONLY);
            }
            if (out == BOARD_PIN_OK) {
                assert_true(output & BIT(g));
            }
            if (in == BOARD_PIN_OK) {
                assert_true(valid & BIT(g));
            }
        }
    }
}

/* ESP32, docs/en/api-reference/peripherals/gpio/esp32.inc (v5.5.5): 34
 * physical pins GPIO0-19, 21-23, 25-27, 32-39; "SPI0/1: GPIO6-11 and
 * GPIO16-17 are usually connected to the SPI flash and PSRAM"; "GPIO34-39
 * can only be set as input mode and do not have software-enabled pullup";
 * strapping GPIO0, 2, 5, 12, 15. Console: soc/esp32/include/soc/uart_pins.h
 * U0TXD_GPIO_NUM 1, U0RXD_GPIO_NUM 3. */
static void esp32_pins(void **state)
{
    (void)state;
    const board_target_t t = BOARD_TARGET_ESP32;
    assert_both_roles(t, 6, 11, BOARD_PIN_FLASH);
    assert_both_roles(t, 16, 17, BOARD_PIN_FLASH);
    assert_both_roles(t, 1, 1, BOARD_PIN_CONSOLE);
    assert_both_roles(t, 3, 3, BOARD_PIN_CONSOLE);
    assert_both_roles(t, 20, 20, BOARD_PIN_PACKAGE);
    assert_both_roles(t, 24, 24, BOARD_PIN_NO_SUCH_GPIO);
    assert_both_roles(t, 28, 31, BOARD_PIN_NO_SUCH_GPIO);
    assert_range(t, 34, 39, BOARD_PIN_OUTPUT, BOARD_PIN_INPUT_ONLY);
    assert_range(t, 34, 39, BOARD_PIN_INPUT, BOARD_PIN_OK);
    for (int g = 34; g <= 39; g++) {
        assert_int_equal(board_pin_notes(t, g, BOARD_PIN_INPUT), BOARD_PIN_NOTE_NO_PULLUP);
        assert_int_equal(board_pin_notes(t, g, BOARD_PIN_OUTPUT), 0); /* rejected: no notes */
    }
    const int usable[] = {0, 2, 4, 5, 12, 13, 14, 15, 18, 19, 21, 22, 23, 25, 26, 27, 32, 33};
    for (size_t i = 0; i < sizeof(usable) / sizeof(usable[0]); i++) {
        assert_int_equal(board_pin_check(t, usable[i], BOARD_PIN_OUTPUT), BOARD_PIN_OK);
        assert_int_equal(board_pin_check(t, usable[i], BOARD_PIN_INPUT), BOARD_PIN_OK);
    }
    const int strapping[] = {0, 2, 5, 12, 15};
    for (size_t i = 0; i < sizeof(strapping) / sizeof(strapping[0]); i++) {
        assert_int_equal(board_pin_notes(t, strapping[i], BOARD_PIN_OUTPUT), BOARD_PIN_NOTE_STRAPPING);
        assert_int_equal(board_pin_notes(t, strapping[i], BOARD_PIN_INPUT), BOARD_PIN_NOTE_STRAPPING);
    }
    assert_int_equal(board_pin_notes(t, 4, BOARD_PIN_OUTPUT), 0);
}

/* ESP32-S3, gpio/esp32s3.inc: GPIO0-21 and 26-48; SPI0/1 GPIO26-32, and
 * 33-37 with octal flash/PSRAM; USB-JTAG GPIO19/20 (io_mux_reg.h
 * USB_INT_PHY0_DM/DP_GPIO_NUM); strapping GPIO0, 3, 45, 46; console
 * uart_pins.h U0TXD 43, U0RXD 44. */
static void esp32s3_pins(void **state)
{
    (void)state;
    const board_target_t t = BOARD_TARGET_ESP32S3;
    assert_both_roles(t, 19, 20, BOARD_PIN_USB);
    assert_both_roles(t, 22, 25, BOARD_PIN_NO_SUCH_GPIO);
    assert_both_roles(t, 26, 37, BOARD_PIN_FLASH);
    assert_both_roles(t, 43, 44, BOARD_PIN_CONSOLE);
    assert_both_roles(t, 38, 42, BOARD_PIN_OK);
    assert_both_roles(t, 45, 48, BOARD_PIN_OK);
    assert_both_roles(t, 0, 18, BOARD_PIN_OK);
    assert_both_roles(t, 21, 21, BOARD_PIN_OK);
    for (int g = 0; g < 49; g++) {
        bool strap = g == 0 || g == 3 || g == 45 || g == 46;
        if (board_pin_check(t, g, BOARD_PIN_OUTPUT) == BOARD_PIN_OK) {
            assert_int_equal(board_pin_notes(t, g, BOARD_PIN_OUTPUT), strap ? BOARD_PIN_NOTE_STRAPPING : 0);
        }
    }
}

/* ESP32-C3, gpio/esp32c3.inc: GPIO0-21; SPI0/1 GPIO12-17; USB-JTAG GPIO18/19;
 * strapping GPIO2, 8, 9; console uart_pins.h U0TXD 21, U0RXD 20. */
static void esp32c3_pins(void **state)
{
    (void)state;
    const board_target_t t = BOARD_TARGET_ESP32C3;
    assert_both_roles(t, 0, 11, BOARD_PIN_OK);
    assert_both_roles(t, 12, 17, BOARD_PIN_FLASH);
    assert_both_roles(t, 18, 19, BOARD_PIN_USB);
    assert_both_roles(t, 20, 21, BOARD_PIN_CONSOLE);
    assert_both_roles(t, 22, 22, BOARD_PIN_NO_SUCH_GPIO);
    for (int g = 0; g <= 11; g++) {
        bool strap = g == 2 || g == 8 || g == 9;
        assert_int_equal(board_pin_notes(t, g, BOARD_PIN_INPUT), strap ? BOARD_PIN_NOTE_STRAPPING : 0);
    }
}

/* ESP32-C6, gpio/esp32c6.inc: GPIO0-30; SPI0/1 GPIO24-30; USB-JTAG GPIO12/13;
 * strapping GPIO4, 5, 8, 9, 15; "with an SiP flash ... GPIO10 ~ GPIO11 are
 * not led out", "without an in-package flash, GPIO14 is not led out";
 * console uart_pins.h U0TXD 16, U0RXD 17. */
static void esp32c6_pins(void **state)
{
    (void)state;
    const board_target_t t = BOARD_TARGET_ESP32C6;
    assert_both_roles(t, 0, 9, BOARD_PIN_OK);
    assert_both_roles(t, 10, 11, BOARD_PIN_PACKAGE);
    assert_both_roles(t, 12, 13, BOARD_PIN_USB);
    assert_both_roles(t, 14, 14, BOARD_PIN_PACKAGE);
    assert_both_roles(t, 15, 15, BOARD_PIN_OK);
    assert_both_roles(t, 16, 17, BOARD_PIN_CONSOLE);
    assert_both_roles(t, 18, 23, BOARD_PIN_OK);
    assert_both_roles(t, 24, 30, BOARD_PIN_FLASH);
    for (int g = 0; g <= 23; g++) {
        if (board_pin_check(t, g, BOARD_PIN_OUTPUT) != BOARD_PIN_OK) {
            continue;
        }
        bool strap = g == 4 || g == 5 || g == 8 || g == 9 || g == 15;
        assert_int_equal(board_pin_notes(t, g, BOARD_PIN_OUTPUT), strap ? BOARD_PIN_NOTE_STRAPPING : 0);
    }
}

static void texts(void **state)
{
    (void)state;
    for (size_t a = 0; a < VERDICT_COUNT; a++) {
        const char *ta = board_pin_verdict_text((board_pin_verdict_t)a);
        assert_non_null(ta);
        assert_true(strlen(ta) > 5);
        for (size_t b = a + 1; b < VERDICT_COUNT; b++) {
            assert_string_not_equal(ta, board_pin_verdict_text((board_pin_verdict_t)b));
        }
    }
    assert_true(strstr(board_pin_verdict_text(BOARD_PIN_FLASH), "flash") != NULL);
    assert_true(strstr(board_pin_note_text(BOARD_PIN_NOTE_STRAPPING), "strapping") != NULL);
    assert_true(strstr(board_pin_note_text(BOARD_PIN_NOTE_NO_PULLUP), "pull-up") != NULL);
    assert_string_equal(board_pin_note_text(0), "");
}

/* --- main/Kconfig.projbuild ------------------------------------------------ */

typedef struct {
    bool has_default[BOARD_TARGET_COUNT];
    int def[BOARD_TARGET_COUNT];
    bool has_range[BOARD_TARGET_COUNT];
    int lo[BOARD_TARGET_COUNT];
    int hi[BOARD_TARGET_COUNT];
} kconfig_int_t;

static board_target_t kconfig_target(const char *suffix)
{
    char name[32];
    size_t n = strlen(suffix);
    if (n == 0 || n >= sizeof(name)) {
        return BOARD_TARGET_UNKNOWN;
    }
    for (size_t i = 0; i <= n; i++) {
        char c = suffix[i];
        name[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return board_target_from_name(name);
}

/* The per-target "default N if IDF_TARGET_X" and "range A B if IDF_TARGET_X"
 * lines of one int option. */
static kconfig_int_t read_kconfig_int(const char *option)
{
    kconfig_int_t k;
    memset(&k, 0, sizeof(k));
    FILE *f = fopen(KCONFIG_PROJBUILD, "r");
    if (f == NULL) {
        fail_msg("cannot open %s", KCONFIG_PROJBUILD);
    }
    char line[512];
    bool inside = false;
    bool found = false;
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *p = line;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        char name[128];
        if (sscanf(p, "config %127s", name) == 1 || sscanf(p, "menuconfig %127s", name) == 1) {
            inside = strcmp(name, option) == 0;
            found = found || inside;
            continue;
        }
        if (!inside) {
            continue;
        }
        int a = 0;
        int b = 0;
        char target[32];
        if (sscanf(p, "default %d if IDF_TARGET_%31s", &a, target) == 2) {
            board_target_t t = kconfig_target(target);
            assert_int_not_equal(t, BOARD_TARGET_UNKNOWN);
            k.has_default[t] = true;
            k.def[t] = a;
        } else if (sscanf(p, "range %d %d if IDF_TARGET_%31s", &a, &b, target) == 3) {
            board_target_t t = kconfig_target(target);
            assert_int_not_equal(t, BOARD_TARGET_UNKNOWN);
            k.has_range[t] = true;
            k.lo[t] = a;
            k.hi[t] = b;
        }
    }
    fclose(f);
    if (!found) {
        fail_msg("%s: no option %s", KCONFIG_PROJBUILD, option);
    }
    return k;
}

/* Highest GPIO that can be an output: SOC_GPIO_OUT_RANGE_MAX (esp32 33). */
static int highest_output(board_target_t t)
{
    int g = board_target_gpio_count(t) - 1;
    while (g >= 0 && board_pin_check(t, g, BOARD_PIN_OUTPUT) == BOARD_PIN_INPUT_ONLY) {
        g--;
    }
    return g;
}

static void kconfig_defaults_pass_the_pin_rules(void **state)
{
    (void)state;
    kconfig_int_t sw = read_kconfig_int("WASM_LED_SWITCH_GPIO");
    kconfig_int_t led = read_kconfig_int("WASM_LED_LED_GPIO");
    for (int i = 0; i < BOARD_TARGET_COUNT; i++) {
        board_target_t t = (board_target_t)i;
        const char *name = board_target_name(t);
        if (!sw.has_default[t] || !led.has_default[t]) {
            fail_msg("Kconfig has no switch/LED default for %s", name);
        }
        board_pin_verdict_t v = board_pin_check(t, sw.def[t], BOARD_PIN_INPUT);
        if (v != BOARD_PIN_OK) {
            fail_msg("%s: default switch GPIO %d %s", name, sw.def[t], board_pin_verdict_text(v));
        }
        v = board_pin_check(t, led.def[t], BOARD_PIN_OUTPUT);
        if (v != BOARD_PIN_OK) {
            fail_msg("%s: default LED GPIO %d %s", name, led.def[t], board_pin_verdict_text(v));
        }
        /* The LED default is a free pin: no strapping pin, no caveat at all. */
        assert_int_equal(board_pin_notes(t, led.def[t], BOARD_PIN_OUTPUT), 0);
        assert_int_not_equal(sw.def[t], led.def[t]);
    }
}

/* The switch defaults are the DevKits' BOOT buttons, as ESP-IDF's own
 * examples/system/light_sleep/main/gpio_wakeup.c (v5.5.5, l.15-23) has them:
 * GPIO 9 on ESP32-C3/C6, GPIO 0 otherwise. */
static void kconfig_switch_defaults_are_the_boot_buttons(void **state)
{
    (void)state;
    kconfig_int_t sw = read_kconfig_int("WASM_LED_SWITCH_GPIO");
    assert_int_equal(sw.def[BOARD_TARGET_ESP32], 0);
    assert_int_equal(sw.def[BOARD_TARGET_ESP32S3], 0);
    assert_int_equal(sw.def[BOARD_TARGET_ESP32C3], 9);
    assert_int_equal(sw.def[BOARD_TARGET_ESP32C6], 9);
}

static void kconfig_ranges_are_the_chips(void **state)
{
    (void)state;
    kconfig_int_t sw = read_kconfig_int("WASM_LED_SWITCH_GPIO");
    kconfig_int_t led = read_kconfig_int("WASM_LED_LED_GPIO");
    for (int i = 0; i < BOARD_TARGET_COUNT; i++) {
        board_target_t t = (board_target_t)i;
        assert_true(sw.has_range[t]);
        assert_true(led.has_range[t]);
        assert_int_equal(sw.lo[t], 0);
        assert_int_equal(sw.hi[t], board_target_gpio_count(t) - 1);
        assert_int_equal(led.lo[t], 0);
        assert_int_equal(led.hi[t], highest_output(t));
    }
    assert_int_equal(led.hi[BOARD_TARGET_ESP32], 33); /* SOC_GPIO_OUT_RANGE_MAX, soc_caps.h l.187 */
}

/* --- board_pins.cmake ------------------------------------------------------- */

static void cmake_checks_agree_with_the_c_table(void **state)
{
    (void)state;
    FILE *f = fopen(BOARD_PINS_CMAKE_DUMP, "r");
    if (f == NULL) {
        fail_msg("cannot open %s (written when tests/c is configured)", BOARD_PINS_CMAKE_DUMP);
    }
    char line[512];
    int lines = 0;
    int targets_seen = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char target[32];
        char role[16];
        char verdict[32];
        char notes[64];
        int gpio = 0;
        int used = 0;
        if (sscanf(line, "%31s %d %15s %31s %63s %n", target, &gpio, role, verdict, notes, &used) != 5) {
            fail_msg("unreadable line: %s", line);
        }
        char *text = line + used;
        text[strcspn(text, "\n")] = '\0';
        board_target_t t = board_target_from_name(target);
        assert_int_not_equal(t, BOARD_TARGET_UNKNOWN);
        if (gpio == 0 && strcmp(role, "INPUT") == 0) {
            targets_seen++;
        }
        board_pin_role_t r = strcmp(role, "OUTPUT") == 0 ? BOARD_PIN_OUTPUT : BOARD_PIN_INPUT;
        board_pin_verdict_t v = board_pin_check(t, gpio, r);
        if (strcmp(VERDICT_NAMES[v], verdict) != 0) {
            fail_msg("%s GPIO %d %s: CMake says %s, C says %s", target, gpio, role, verdict, VERDICT_NAMES[v]);
        }
        assert_string_equal(text, board_pin_verdict_text(v));
        unsigned n = board_pin_notes(t, gpio, r);
        char want[64] = "";
        if (n & BOARD_PIN_NOTE_STRAPPING) {
            strcat(want, "STRAPPING");
        }
        if (n & BOARD_PIN_NOTE_NO_PULLUP) {
            strcat(want, want[0] ? ",NO_PULLUP" : "NO_PULLUP");
        }
        assert_string_equal(notes, want[0] ? want : "-");
        lines++;
    }
    fclose(f);
    assert_int_equal(targets_seen, BOARD_TARGET_COUNT);
    assert_int_equal(lines, BOARD_TARGET_COUNT * 51 * 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(targets_and_names),
        cmocka_unit_test(pin_counts),
        cmocka_unit_test(never_more_permissive_than_the_driver),
        cmocka_unit_test(esp32_pins),
        cmocka_unit_test(esp32s3_pins),
        cmocka_unit_test(esp32c3_pins),
        cmocka_unit_test(esp32c6_pins),
        cmocka_unit_test(texts),
        cmocka_unit_test(kconfig_defaults_pass_the_pin_rules),
        cmocka_unit_test(kconfig_switch_defaults_are_the_boot_buttons),
        cmocka_unit_test(kconfig_ranges_are_the_chips),
        cmocka_unit_test(cmake_checks_agree_with_the_c_table),
    };
    return cmocka_run_group_tests_name("board_pins", tests, NULL, NULL);
}
