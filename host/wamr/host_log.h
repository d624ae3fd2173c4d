/*
 * ESP_LOGx for the files that must also build off-target (core_vm.c is
 * tried against a Linux build of WAMR): the real esp_log.h on ESP-IDF,
 * stderr otherwise.
 */
#pragma once

#ifdef ESP_PLATFORM
#include "esp_log.h"
#else
#include <stdio.h>
#define HOST_LOG_(level, tag, fmt, ...) fprintf(stderr, level " (%s) " fmt "\n", tag, ##__VA_ARGS__)
#define ESP_LOGE(tag, fmt, ...) HOST_LOG_("E", tag, fmt, ##__VA_ARGS__)
#define ESP_LOGW(tag, fmt, ...) HOST_LOG_("W", tag, fmt, ##__VA_ARGS__)
#define ESP_LOGI(tag, fmt, ...) HOST_LOG_("I", tag, fmt, ##__VA_ARGS__)
#define ESP_LOGD(tag, fmt, ...) ((void)(tag))
#endif
