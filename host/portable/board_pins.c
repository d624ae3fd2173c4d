/* Pin rules per target, built from board_pins.def (see there for sources). */
#include "board_pins.h"

#include <stddef.h>
#include <string.h>

typedef enum {
    RULE_ABSENT,
    RULE_PACKAGE,
    RULE_FLASH,
    RULE_CONSOLE,
    RULE_USB,
    RULE_INPUT_ONLY,
    RULE_STRAPPING,
    RULE_NO_PULLUP,
} rule_kind_t;

typedef struct {
    board_target_t target;
    const char *name;
    int gpio_count;
} target_info_t;

typedef struct {
    board_target_t target;
    int first;
    int last;
    rule_kind_t kind;
} pin_rule_t;

static const target_info_t s_targets[] = {
#define BOARD_PIN_TARGET(id, name, count) {BOARD_TARGET_##id, name, count},
#define BOARD_PIN_RULE(id, first, last, kind)
#include "board_pins.def"
#undef BOARD_PIN_TARGET
#undef BOARD_PIN_RULE
};

static const pin_rule_t s_rules[] = {
#define BOARD_PIN_TARGET(id, name, count)
#define BOARD_PIN_RULE(id, first, last, kind) {BOARD_TARGET_##id, first, last, RULE_##kind},
#include "board_pins.def"
#undef BOARD_PIN_TARGET
#undef BOARD_PIN_RULE
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const target_info_t *find_target(board_target_t t)
{
    for (size_t i = 0; i < COUNT_OF(s_targets); i++) {
        if (s_targets[i].target == t) {
            return &s_targets[i];
        }
    }
    return NULL;
}

board_target_t board_target_from_name(const char *idf_target)
{
    if (idf_target == NULL) {
        return BOARD_TARGET_UNKNOWN;
    }
    for (size_t i = 0; i < COUNT_OF(s_targets); i++) {
        if (strcmp(s_targets[i].name, idf_target) == 0) {
            return s_targets[i].target;
        }
    }
    return BOARD_TARGET_UNKNOWN;
}

const char *board_target_name(board_target_t t)
{
    const target_info_t *info = find_target(t);
    return info != NULL ? info->name : "unknown";
}

int board_target_gpio_count(board_target_t t)
{
    const target_info_t *info = find_target(t);
    return info != NULL ? info->gpio_count : 0;
}

static board_pin_verdict_t rule_verdict(rule_kind_t kind, board_pin_role_t role)
{
    switch (kind) {
    case RULE_ABSENT:
        return BOARD_PIN_NO_SUCH_GPIO;
    case RULE_PACKAGE:
        return BOARD_PIN_PACKAGE;
    case RULE_FLASH:
        return BOARD_PIN_FLASH;
    case RULE_CONSOLE:
        return BOARD_PIN_CONSOLE;
    case RULE_USB:
        return BOARD_PIN_USB;
    case RULE_INPUT_ONLY:
        return role == BOARD_PIN_OUTPUT ? BOARD_PIN_INPUT_ONLY : BOARD_PIN_OK;
    case RULE_STRAPPING:
    case RULE_NO_PULLUP:
        break;
    }
    return BOARD_PIN_OK;
}

board_pin_verdict_t board_pin_check(board_target_t t, int gpio, board_pin_role_t role)
{
    const target_info_t *info = find_target(t);
    if (info == NULL) {
        return BOARD_PIN_UNKNOWN_TARGET;
    }
    if (gpio < 0 || gpio >= info->gpio_count) {
        return BOARD_PIN_NO_SUCH_GPIO;
    }
    for (size_t i = 0; i < COUNT_OF(s_rules); i++) {
        const pin_rule_t *r = &s_rules[i];
        if (r->target == t && gpio >= r->first && gpio <= r->last) {
            board_pin_verdict_t v = rule_verdict(r->kind, role);
            if (v != BOARD_PIN_OK) {
                return v;
            }
        }
    }
    return BOARD_PIN_OK;
}

const char *board_pin_verdict_text(board_pin_verdict_t v)
{
    switch (v) {
    case BOARD_PIN_OK:
        return "can be used";
    case BOARD_PIN_NO_SUCH_GPIO:
        return "does not exist on this chip";
    case BOARD_PIN_PACKAGE:
        return "is not bonded out on every package of this chip";
    case BOARD_PIN_FLASH:
        return "is wired to the SPI flash or PSRAM";
    case BOARD_PIN_CONSOLE:
        return "is the console UART (log output and idf.py monitor)";
    case BOARD_PIN_USB:
        return "is the USB-Serial-JTAG port (flashing and console over USB)";
    case BOARD_PIN_INPUT_ONLY:
        return "is input-only and cannot drive an LED";
    case BOARD_PIN_UNKNOWN_TARGET:
        return "belongs to a chip this firmware has no pin table for";
    }
    return "is not usable";
}

unsigned board_pin_notes(board_target_t t, int gpio, board_pin_role_t role)
{
    if (board_pin_check(t, gpio, role) != BOARD_PIN_OK) {
        return 0;
    }
    unsigned notes = 0;
    for (size_t i = 0; i < COUNT_OF(s_rules); i++) {
        const pin_rule_t *r = &s_rules[i];
        if (r->target != t || gpio < r->first || gpio > r->last) {
            continue;
        }
        if (r->kind == RULE_STRAPPING) {
            notes |= BOARD_PIN_NOTE_STRAPPING;
        } else if (r->kind == RULE_NO_PULLUP && role == BOARD_PIN_INPUT) {
            notes |= BOARD_PIN_NOTE_NO_PULLUP;
        }
    }
    return notes;
}

const char *board_pin_note_text(unsigned note)
{
    switch (note) {
    case BOARD_PIN_NOTE_STRAPPING:
        return "is a strapping pin: nothing may pull it away from its boot level while the chip resets";
    case BOARD_PIN_NOTE_NO_PULLUP:
        return "has no internal pull-up: the switch needs an external one to 3.3 V";
    default:
        return "";
    }
}
