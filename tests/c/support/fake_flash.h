/*
 * A NOR flash in RAM behind core_flash_t, that can lose power at any step.
 * Test-only code.
 *
 * Semantics as ESP-IDF v5.x states them for esp_partition_* (what the board
 * uses, host/esp/core_flash_partition.c):
 * - erase sets bytes to 0xFF; offset and length must be multiples of the
 *   sector size, else ESP_ERR_INVALID_ARG / ESP_ERR_INVALID_SIZE
 *   (components/esp_partition/partition_target.c, esp_partition_erase_range:
 *   v5.1.7 l.117-135, v5.5.5 l.123-144; SPI_FLASH_SEC_SIZE 4096 in
 *   components/spi_flash/include/spi_flash_mmap.h l.29, both versions);
 * - write takes any offset and length within the partition and stores
 *   old AND new: "(to emulate real NOR FLASH behavior)"
 *   (components/esp_partition/partition_linux.c, v5.5.5 l.486-487,
 *   v5.1.7 l.395-398; components/spi_flash/Kconfig SPI_FLASH_WARN_SETTING_ZERO_TO_ONE,
 *   v5.5.5 l.216-227: "the data in flash becoming a bitwise AND of the new
 *   data and any existing data"). A write that tries to set a 0 bit back to 1
 *   is counted in zero_to_one: the slot code must never need one.
 *
 * Steps: every byte a write stores and every sector an erase clears is one
 * step, in address order. With a cut armed at step N, steps 0..N-1 happen,
 * step N is torn (a written byte gets only some of its cleared bits; an
 * erased sector gets only some of its set bits: garbage), and from then on
 * every call fails (the power is off) until fake_flash_power_on().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_slots.h"

#define FAKE_FLASH_NEVER UINT64_MAX

typedef struct {
    uint8_t *mem;
    size_t size;
    size_t erase_size;
    uint64_t steps;  /* steps done since init (a torn step counts) */
    uint64_t cut_at; /* absolute step that is torn, or FAKE_FLASH_NEVER */
    bool off;        /* power lost: every call fails */
    uint32_t rng;    /* garbage of torn steps, from the seed */
    unsigned long zero_to_one; /* writes that asked to set a cleared bit */
    unsigned long misaligned;  /* erases off sector bounds */
    unsigned long out_of_range;
    core_flash_t flash;
} fake_flash_t;

/* A fresh chip: every byte 0xFF. */
void fake_flash_init(fake_flash_t *f, size_t size, size_t erase_size, uint32_t seed);
void fake_flash_free(fake_flash_t *f);
/* Tears the step that comes after `steps_from_now` more steps. */
void fake_flash_cut_after(fake_flash_t *f, uint64_t steps_from_now);
/* Power back on ("reboot"); no cut armed. */
void fake_flash_power_on(fake_flash_t *f);
