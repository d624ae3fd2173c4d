/*
 * GPIO of the board. The switch is on GPIO 0 by default, a strapping pin:
 * held low at reset it selects the ROM's download mode. The ROM samples it
 * only at reset, so using it as an input here, long after boot, is safe; the
 * pull-up keeps it released when nothing drives it.
 */
#include "gpio_board.h"

#include "driver/gpio.h"
#include "esp_check.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"

static const char *TAG = "gpio_board";

static int s_led_gpio = -1;
static int s_switch_gpio = -1;
static gpio_board_wake_fn s_wake;
/* Shared by the interrupt and the core task. */
static portMUX_TYPE s_edges_lock = portMUX_INITIALIZER_UNLOCKED;
static switch_edges_t s_edges;

static uint32_t now_ms(void)
{
    return (uint32_t)(esp_timer_get_time() / 1000);
}

esp_err_t gpio_board_init(int led_gpio, int switch_gpio)
{
    if (led_gpio >= 0) {
        const gpio_config_t led = {
            .pin_bit_mask = 1ULL << led_gpio,
            .mode = GPIO_MODE_OUTPUT,
            .pull_up_en = GPIO_PULLUP_DISABLE,
            .pull_down_en = GPIO_PULLDOWN_DISABLE,
            .intr_type = GPIO_INTR_DISABLE,
        };
        ESP_RETURN_ON_ERROR(gpio_config(&led), TAG, "LED GPIO %d", led_gpio);
        ESP_RETURN_ON_ERROR(gpio_set_level(led_gpio, 0), TAG, "LED off");
        s_led_gpio = led_gpio;
    }
    if (switch_gpio >= 0) {
        const gpio_config_t sw = {
            .pin_bit_mask = 1ULL << switch_gpio,
            .mode = GPIO_MODE_INPUT,
            .pull_up_en = GPIO_PULLUP_ENABLE,
            .pull_down_en = GPIO_PULLDOWN_DISABLE,
            .intr_type = GPIO_INTR_ANYEDGE, /* bounce is the core's job, not the pin's */
        };
        ESP_RETURN_ON_ERROR(gpio_config(&sw), TAG, "switch GPIO %d", switch_gpio);
        s_switch_gpio = switch_gpio;
        switch_edges_init(&s_edges, gpio_get_level(switch_gpio));
    }
    ESP_LOGI(TAG, "LED on GPIO %d, switch on GPIO %d (active low, pull-up, any-edge interrupt)", s_led_gpio,
             s_switch_gpio);
    return ESP_OK;
}

void gpio_board_led_set(bool on)
{
    if (s_led_gpio >= 0) {
        gpio_set_level(s_led_gpio, on ? 1 : 0);
    }
}

/* Runs for every edge, thousands of times a second while the contact
 * bounces: record it, and wake the core task only for the first one since
 * its last take. Constant time, no allocation, nothing to overflow. */
static void on_switch_edge(void *arg)
{
    (void)arg;
    int level = gpio_get_level(s_switch_gpio);
    uint32_t t = now_ms();
    bool first = false;
    portENTER_CRITICAL_ISR(&s_edges_lock);
    bool recorded = switch_edges_record(&s_edges, level, t, &first);
    portEXIT_CRITICAL_ISR(&s_edges_lock);
    if (recorded && first) {
        s_wake();
    }
}

esp_err_t gpio_board_start_edges(gpio_board_wake_fn wake)
{
    ESP_RETURN_ON_FALSE(wake != NULL, ESP_ERR_INVALID_ARG, TAG, "no wake function");
    if (s_switch_gpio < 0) {
        return ESP_OK; /* no usable switch pin: clicks still work */
    }
    s_wake = wake;
    esp_err_t err = gpio_install_isr_service(0);
    /* Another component may have installed the shared service already. */
    ESP_RETURN_ON_FALSE(err == ESP_OK || err == ESP_ERR_INVALID_STATE, err, TAG, "GPIO ISR service");
    ESP_RETURN_ON_ERROR(gpio_isr_handler_add(s_switch_gpio, on_switch_edge, NULL), TAG, "switch ISR");
    return ESP_OK;
}

bool gpio_board_edges_pending(void)
{
    portENTER_CRITICAL(&s_edges_lock);
    bool pending = switch_edges_pending(&s_edges);
    portEXIT_CRITICAL(&s_edges_lock);
    return pending;
}

size_t gpio_board_take_edges(switch_edge_t out[SWITCH_EDGES_MAX_TAKE], uint32_t now)
{
    if (s_switch_gpio < 0) {
        return 0;
    }
    int level = gpio_get_level(s_switch_gpio);
    portENTER_CRITICAL(&s_edges_lock);
    (void)switch_edges_record(&s_edges, level, now, NULL);
    size_t n = switch_edges_take(&s_edges, out);
    portEXIT_CRITICAL(&s_edges_lock);
    return n;
}
