/* The "corewasm" data partition (partitions.csv) as the core_flash_t that
 * host/portable/core_slots.c keeps uploaded cores in. */
#pragma once

#include "esp_err.h"

#include "core_slots.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CORE_FLASH_PARTITION_LABEL "corewasm"

/* Fills *out with the partition behind esp_partition_read/write/erase_range.
 * ESP_ERR_NOT_FOUND when the partition table has no such partition (the
 * board then runs the embedded core only), ESP_ERR_NOT_SUPPORTED when it is
 * marked encrypted. */
esp_err_t core_flash_partition_open(core_flash_t *out);

#ifdef __cplusplus
}
#endif
