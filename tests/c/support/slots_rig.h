/*
 * The slot tests' rig: core_slots over a fake NOR flash (fake_flash.h),
 * hashed with the firmware's core_sig_sha256, with a buffer of one slot's
 * capacity. Test-only code (cmocka assertions).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core_slots.h"
#include "fake_flash.h"

#define SLOTS_RIG_SECTOR 4096u

typedef struct {
    fake_flash_t f;
    core_slots_t cs;
    uint8_t *buf;
    size_t cap;
} rig_t;

/* A fresh chip of `size` bytes (garbage of torn steps from `seed`), opened. */
void rig_init(rig_t *r, size_t size, uint32_t seed);
/* core_slots_init on the rig's flash, as after a reset (no scan). */
void rig_open(rig_t *r);
/* Power back on and start over: a fresh core_slots_t, scanned. */
void rig_reboot(rig_t *r);
/* Checks that no code path asked the NOR flash for what it cannot do, then frees. */
void rig_free(rig_t *r);
