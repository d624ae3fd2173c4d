#include "slots_rig.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core_sig.h"

void rig_open(rig_t *r)
{
    core_slots_config_t cfg = {.flash = &r->f.flash, .sha256 = core_sig_sha256, .max_attempts = 0};
    assert_int_equal(core_slots_init(&r->cs, &cfg), CORE_SLOTS_OK);
}

void rig_init(rig_t *r, size_t size, uint32_t seed)
{
    fake_flash_init(&r->f, size, SLOTS_RIG_SECTOR, seed);
    rig_open(r);
    r->cap = r->cs.capacity;
    r->buf = malloc(r->cap);
    assert_non_null(r->buf);
}

void rig_reboot(rig_t *r)
{
    fake_flash_power_on(&r->f);
    rig_open(r);
    assert_int_equal(core_slots_scan(&r->cs, r->buf, r->cap), CORE_SLOTS_OK);
}

void rig_free(rig_t *r)
{
    assert_int_equal(r->f.zero_to_one, 0);
    assert_int_equal(r->f.misaligned, 0);
    assert_int_equal(r->f.out_of_range, 0);
    fake_flash_free(&r->f);
    free(r->buf);
}
