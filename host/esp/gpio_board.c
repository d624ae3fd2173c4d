/*
 * GPIO of the board. The switch is on GPIO 0, a strapping pin: held low at
 * reset it selects the ROM's download mode. The ROM samples it only at
 * reset, so configuring it as an input here, long after boot, is safe; the
 * pull-up keeps it released when nothing drives it.
 */
#include "gpio_board.h"

#include "driver/gpio.h"
#include "esp_check.h"
#include "esp_log.h"
#include "esp_timer.h"

static const char *TAG = "gpio_board";

static int s_led_gpio = -1;
static int s_switch_gpio = -1;
static int s_reported_level = 1; /* the core starts from "released" */
static gpio_board_switch_cb_t s_on_change;
static esp_timer_handle_t s_timer;

esp_err_t gpio_board_init(int led_gpio, int switch_gpio)
{
    const gpio_config_t led = {
        .pin_bit_mask = 1ULL << led_gpio,
        .mode = GPIO_MODE_OUTPUT,
        .pull_up_en = GPIO_PULLUP_DISABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    ESP_RETURN_ON_ERROR(gpio_config(&led), TAG, "LED GPIO %d", led_gpio);
    ESP_RETURN_ON_ERROR(gpio_set_level(led_gpio, 0), TAG, "LED off");

    const gpio_config_t sw = {
        .pin_bit_mask = 1ULL << switch_gpio,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE, /* sampled, not interrupt driven: bounce is the core's job */
    };
    ESP_RETURN_ON_ERROR(gpio_config(&sw), TAG, "switch GPIO %d", switch_gpio);
    s_led_gpio = led_gpio;
    s_switch_gpio = switch_gpio;
    ESP_LOGI(TAG, "LED on GPIO %d, switch on GPIO %d (active low, pull-up)", led_gpio, switch_gpio);
    return ESP_OK;
}

void gpio_board_led_set(bool on)
{
    if (s_led_gpio >= 0) {
        gpio_set_level(s_led_gpio, on ? 1 : 0);
    }
}

static void sample(void *arg)
{
    (void)arg;
    int level = gpio_get_level(s_switch_gpio);
    if (level == s_reported_level) {
        return;
    }
    uint32_t now = (uint32_t)(esp_timer_get_time() / 1000);
    if (s_on_change(level, now)) {
        s_reported_level = level;
    }
}

esp_err_t gpio_board_start_sampler(uint32_t period_ms, gpio_board_switch_cb_t on_change)
{
    ESP_RETURN_ON_FALSE(on_change != NULL && s_switch_gpio >= 0 && period_ms > 0, ESP_ERR_INVALID_STATE, TAG,
                        "init first");
    s_on_change = on_change;
    const esp_timer_create_args_t args = {
        .callback = sample,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "switch",
        .skip_unhandled_events = true, /* a late sample is not worth two */
    };
    ESP_RETURN_ON_ERROR(esp_timer_create(&args, &s_timer), TAG, "timer");
    ESP_RETURN_ON_ERROR(esp_timer_start_periodic(s_timer, (uint64_t)period_ms * 1000u), TAG, "start");
    return ESP_OK;
}
