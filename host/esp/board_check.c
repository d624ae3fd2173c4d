#include "board_check.h"

#include "esp_log.h"

static const char *TAG = "board_check";

bool board_check_pin(const char *what, int gpio, board_pin_role_t role)
{
    board_pin_verdict_t verdict = board_pin_check(BOARD_TARGET_THIS, gpio, role);
    if (verdict != BOARD_PIN_OK) {
        ESP_LOGE(TAG, "%s GPIO %d %s on %s: running without the %s (choose another pin: idf.py menuconfig -> ESP32 Wasm LED)",
                 what, gpio, board_pin_verdict_text(verdict), CONFIG_IDF_TARGET, what);
        return false;
    }
    unsigned notes = board_pin_notes(BOARD_TARGET_THIS, gpio, role);
    for (unsigned note = 1; notes != 0; note <<= 1) {
        if ((notes & note) == 0) {
            continue;
        }
        notes &= ~note;
        /* The boot buttons are strapping pins by design: only a reminder. */
        if (note == BOARD_PIN_NOTE_STRAPPING && role == BOARD_PIN_INPUT) {
            ESP_LOGI(TAG, "%s GPIO %d %s", what, gpio, board_pin_note_text(note));
        } else {
            ESP_LOGW(TAG, "%s GPIO %d %s", what, gpio, board_pin_note_text(note));
        }
    }
    return true;
}
