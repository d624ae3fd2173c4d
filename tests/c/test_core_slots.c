/*
 * core_slots: the A/B storage of uploaded cores (docs/update.md "Storage"),
 * on a fake NOR flash that loses power at every step (support/fake_flash.h
 * states the ESP-IDF rules it emulates, with file and line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_slots.h"
#include "core_sig.h"
#include "fake_flash.h"
#include "slots_rig.h"

#define SECTOR SLOTS_RIG_SECTOR
/* The partition in partitions.csv: 2 x (header sector + 32 KiB). */
#define ESP_PARTITION_SIZE 0x12000u
/* A smaller one for the exhaustive runs: 2 x (header sector + 2 sectors). */
#define SMALL_PARTITION_SIZE (6u * SECTOR)
#define SMALL_CAPACITY (2u * SECTOR)
/* Spans both data sectors of a small slot, not a multiple of 4 or 64. */
#define CUT_MODULE_LEN (SECTOR + 37u)

static void make_module(uint8_t *out, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = (uint8_t)(x >> 24);
    }
}

static void assert_sha_of(const uint8_t *data, size_t len, const uint8_t sha[32])
{
    uint8_t got[32];
    core_sig_sha256(data, len, got);
    assert_memory_equal(got, sha, 32);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the helpers themselves ---- */

static void crc32_is_zlibs(void **state)
{
    (void)state;
    /* The CRC-32 check value (zlib's crc32(0, "123456789", 9)). */
    assert_int_equal(core_slots_crc32("123456789", 9), 0xCBF43926u);
    assert_int_equal(core_slots_crc32("", 0), 0);
}

static void fake_flash_is_nor(void **state)
{
    (void)state;
    fake_flash_t f;
    fake_flash_init(&f, 2 * SECTOR, SECTOR, 1);
    const core_flash_t *fl = &f.flash;
    uint8_t b = 0xF0;
    assert_int_equal(fl->write(fl->ctx, 5, &b, 1), 0);
    b = 0x3C;
    assert_int_equal(fl->write(fl->ctx, 5, &b, 1), 0); /* AND: 0x30, and a 0->1 request counted */
    assert_int_equal(fl->read(fl->ctx, 5, &b, 1), 0);
    assert_int_equal(b, 0x30);
    assert_int_equal(f.zero_to_one, 1);
    assert_int_not_equal(fl->erase(fl->ctx, 1, SECTOR), 0); /* off a sector bound */
    assert_int_not_equal(fl->erase(fl->ctx, 0, 100), 0);
    assert_int_equal(f.misaligned, 2);
    assert_int_equal(fl->erase(fl->ctx, 0, SECTOR), 0);
    assert_int_equal(fl->read(fl->ctx, 5, &b, 1), 0);
    assert_int_equal(b, 0xFF);
    assert_int_not_equal(fl->read(fl->ctx, 2 * SECTOR - 1, &b, 2), 0); /* past the end */
    /* A cut after 2 steps: bytes 0 and 1 written, byte 2 torn, byte 3 untouched, power off. */
    uint8_t zeros[4] = {0, 0, 0, 0};
    fake_flash_cut_after(&f, 2);
    assert_int_not_equal(fl->write(fl->ctx, 100, zeros, 4), 0);
    assert_true(f.off);
    assert_int_not_equal(fl->read(fl->ctx, 100, zeros, 4), 0);
    fake_flash_power_on(&f);
    uint8_t got[4];
    assert_int_equal(fl->read(fl->ctx, 100, got, 4), 0);
    assert_int_equal(got[0], 0);
    assert_int_equal(got[1], 0);
    assert_int_equal(got[3], 0xFF);
    /* A cut during an erase leaves garbage in that sector only. */
    memset(f.mem, 0, 2 * SECTOR);
    fake_flash_cut_after(&f, 1);
    assert_int_not_equal(fl->erase(fl->ctx, 0, 2 * SECTOR), 0);
    fake_flash_power_on(&f);
    size_t ff = 0;
    for (size_t i = 0; i < SECTOR; i++) {
        assert_int_equal(f.mem[i], 0xFF);
        ff += f.mem[SECTOR + i] == 0xFF;
    }
    assert_true(ff < SECTOR / 2);
    fake_flash_free(&f);
}

/* ---- layout and format ---- */

static void layout_follows_the_partition(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, ESP_PARTITION_SIZE, 1);
    assert_int_equal(r.cs.slot_size, 0x9000);
    assert_int_equal(r.cs.capacity, 32 * 1024);
    assert_int_equal(r.cs.cfg.max_attempts, CORE_SLOTS_DEFAULT_MAX_ATTEMPTS);
    rig_free(&r);

    fake_flash_t f;
    core_slots_t cs;
    fake_flash_init(&f, 3 * SECTOR, SECTOR, 1); /* a slot needs a header and a data sector */
    core_slots_config_t cfg = {.flash = &f.flash, .sha256 = core_sig_sha256, .max_attempts = 0};
    assert_int_equal(core_slots_init(&cs, &cfg), CORE_SLOTS_ERR_LAYOUT);
    cfg.max_attempts = CORE_SLOTS_ATTEMPT_BITS + 1;
    f.flash.size = 4 * SECTOR;
    assert_int_equal(core_slots_init(&cs, &cfg), CORE_SLOTS_ERR_ARG);
    cfg.max_attempts = CORE_SLOTS_ATTEMPT_BITS;
    assert_int_equal(core_slots_init(&cs, &cfg), CORE_SLOTS_OK);
    cfg.sha256 = NULL;
    assert_int_equal(core_slots_init(&cs, &cfg), CORE_SLOTS_ERR_ARG);
    fake_flash_free(&f);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void slot_bytes_are_where_the_docs_say(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, ESP_PARTITION_SIZE, 1);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    uint8_t m[1000];
    make_module(m, sizeof(m), 7);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 42), 0);
    assert_int_equal(core_slots_note_start(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 43), 1);
    assert_int_equal(core_slots_mark_bad(&r.cs, 1, CORE_SLOT_BAD_ROLLBACK), CORE_SLOTS_OK);

    const uint8_t *a = r.f.mem;
    const uint8_t *b = r.f.mem + 0x9000;
    uint8_t sha[32];
    core_sig_sha256(m, sizeof(m), sha);
    assert_memory_equal(a, "WCSL", 4);
    assert_int_equal(le32(a + 4), 1);     /* format */
    assert_int_equal(le32(a + 8), 1);     /* generation */
    assert_int_equal(le32(a + 12), 42);   /* version */
    assert_int_equal(le32(a + 16), 1000); /* length */
    assert_memory_equal(a + 20, sha, 32);
    for (size_t i = 52; i < 64; i++) {
        assert_int_equal(a[i], 0xFF);
    }
    assert_memory_equal(a + 64, "CMIT", 4);
    assert_int_equal(le32(a + 68), core_slots_crc32(a, 52));
    assert_int_equal(le32(a + 128), 0x00600D00u); /* confirmed */
    assert_int_equal(le32(a + 132), 0xFFFFFFFFu); /* not bad */
    assert_int_equal(le32(a + 136), 0xFFFFFFFEu); /* one start */
    assert_memory_equal(a + SECTOR, m, sizeof(m));
    assert_int_equal(le32(b + 8), 2);
    assert_int_equal(le32(b + 128), 0xFFFFFFFFu);
    assert_int_equal(le32(b + 132), 0xBAD00003u); /* bad: rollback */
    assert_int_equal(le32(b + 136), 0xFFFFFFFFu);

    rig_reboot(&r);
    const core_slot_info_t *ia = core_slots_info(&r.cs, 0);
    assert_int_equal(ia->state, CORE_SLOT_GOOD);
    assert_int_equal(ia->version, 42);
    assert_int_equal(ia->attempts, 1);
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_BAD);
    assert_int_equal(core_slots_info(&r.cs, 1)->bad_reason, CORE_SLOT_BAD_ROLLBACK);
    assert_int_equal(core_slots_choice(&r.cs), 0);
    assert_memory_equal(r.buf, m, sizeof(m));
    assert_null(core_slots_info(&r.cs, 2));
    rig_free(&r);
}

static void never_trusts_a_header_over_other_bytes(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, ESP_PARTITION_SIZE, 1);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    uint8_t m[3000];
    make_module(m, sizeof(m), 3);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 1), 0);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    make_module(m, sizeof(m), 4);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 2), 1);
    rig_reboot(&r);
    assert_int_equal(core_slots_choice(&r.cs), 1);

    /* One bit of B's module flips: B's header no longer describes its bytes. */
    r.f.mem[0x9000 + SECTOR + 2999] ^= 0x10;
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_INVALID);
    assert_int_equal(core_slots_choice(&r.cs), 0);
    size_t len = 0;
    assert_int_equal(core_slots_read(&r.cs, 1, r.buf, r.cap, &len), CORE_SLOTS_ERR_STATE);
    r.f.mem[0x9000 + SECTOR + 2999] ^= 0x10;

    /* A header field changes (the version): the commit record's CRC no longer matches. */
    r.f.mem[0x9000 + 12] ^= 0x01;
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_INVALID);
    r.f.mem[0x9000 + 12] ^= 0x01;

    /* The bytes change after the scan: core_slots_read refuses them. */
    rig_reboot(&r);
    assert_int_equal(core_slots_choice(&r.cs), 1);
    r.f.mem[0x9000 + SECTOR] ^= 0x80;
    assert_int_equal(core_slots_read(&r.cs, 1, r.buf, r.cap, &len), CORE_SLOTS_ERR_CORRUPT);
    assert_int_equal(len, 0);
    assert_int_equal(core_slots_read(&r.cs, 0, r.buf, r.cap, &len), CORE_SLOTS_OK);
    assert_int_equal(len, 3000);

    /* Both bad: the embedded core. */
    r.f.mem[SECTOR] ^= 0x80;
    rig_reboot(&r);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    rig_free(&r);
}

/* ---- lifecycle ---- */

static void lifecycle_embedded_a_b_rollback_embedded(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, ESP_PARTITION_SIZE, 1);
    int boot = 99;
    static uint8_t ma[32 * 1024], mb[32 * 1024 - 5], mc[20000];
    make_module(ma, sizeof(ma), 10);
    make_module(mb, sizeof(mb), 11);
    make_module(mc, sizeof(mc), 12);

    /* Fresh board: the embedded core. */
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, CORE_SLOT_EMBEDDED);

    /* Upload A (a full slot), swapped in live: one start on trial. */
    assert_int_equal(core_slots_store(&r.cs, ma, sizeof(ma), 1), 0);
    assert_int_equal(core_slots_note_start(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_TRIAL);
    assert_int_equal(core_slots_info(&r.cs, 0)->attempts, 1);
    assert_int_equal(core_slots_choice(&r.cs), 0);

    /* A survives the watch period. */
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    fake_flash_power_on(&r.f);
    rig_open(&r);
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, 0);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_GOOD);
    assert_int_equal(core_slots_info(&r.cs, 0)->attempts, 1); /* a good slot's starts are not counted */
    assert_memory_equal(r.buf, ma, sizeof(ma));

    /* Upload B: on trial, A kept. */
    assert_int_equal(core_slots_store(&r.cs, mb, sizeof(mb), 2), 1);
    assert_int_equal(core_slots_note_start(&r.cs, 1), CORE_SLOTS_OK);
    assert_int_equal(core_slots_choice(&r.cs), 1);

    /* B traps K times within T (the watcher's rule): rolled back to A. */
    assert_int_equal(core_slots_mark_bad(&r.cs, 1, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    assert_int_equal(core_slots_choice(&r.cs), 0);
    size_t len = 0;
    assert_int_equal(core_slots_read(&r.cs, 0, r.buf, r.cap, &len), CORE_SLOTS_OK);
    assert_int_equal(len, sizeof(ma));
    assert_memory_equal(r.buf, ma, sizeof(ma));
    const core_slot_info_t *b = core_slots_info(&r.cs, 1);
    assert_int_equal(b->state, CORE_SLOT_BAD);
    assert_int_equal(b->generation, 2);
    assert_int_equal(b->version, 2);
    assert_int_equal(b->length, 32763);
    assert_int_equal(b->attempts, 1);
    assert_int_equal(b->bad_reason, CORE_SLOT_BAD_TRAPS);

    /* After a reboot still A. */
    fake_flash_power_on(&r.f);
    rig_open(&r);
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, 0);

    /* A traps too: the embedded core, now and after a reboot. */
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    fake_flash_power_on(&r.f);
    rig_open(&r);
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, CORE_SLOT_EMBEDDED);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    assert_int_equal(r.cs.cfg.max_attempts, 3);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_BAD);

    /* And an upload still works: into the older bad slot, numbered past B. */
    assert_int_equal(core_slots_store(&r.cs, mc, sizeof(mc), 3), 0);
    assert_int_equal(core_slots_info(&r.cs, 0)->generation, 3);
    fake_flash_power_on(&r.f);
    rig_open(&r);
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, 0);
    assert_memory_equal(r.buf, mc, sizeof(mc));
    rig_free(&r);
}

static void unconfirmed_trial_runs_out_of_boot_attempts(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 1);
    int boot = 99;
    uint8_t ma[500], mb[600];
    make_module(ma, sizeof(ma), 1);
    make_module(mb, sizeof(mb), 2);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, ma, sizeof(ma), 1), 0);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, mb, sizeof(mb), 2), 1);
    assert_int_equal(core_slots_note_start(&r.cs, 1), CORE_SLOTS_OK); /* the live swap */

    /* B is never confirmed: each reset before the watch period ends is a failed attempt. */
    for (unsigned attempt = 2; attempt <= CORE_SLOTS_DEFAULT_MAX_ATTEMPTS; attempt++) {
        fake_flash_power_on(&r.f);
        rig_open(&r);
        assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
        assert_int_equal(boot, 1);
        assert_memory_equal(r.buf, mb, sizeof(mb));
        assert_int_equal(core_slots_info(&r.cs, 1)->attempts, attempt);
    }
    assert_int_equal(core_slots_note_start(&r.cs, 1), CORE_SLOTS_ERR_STATE);
    fake_flash_power_on(&r.f);
    rig_open(&r);
    assert_int_equal(core_slots_boot(&r.cs, r.buf, r.cap, &boot), CORE_SLOTS_OK);
    assert_int_equal(boot, 0);
    assert_memory_equal(r.buf, ma, sizeof(ma));
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_BAD);
    assert_int_equal(core_slots_info(&r.cs, 1)->bad_reason, CORE_SLOT_BAD_BOOT_ATTEMPTS);
    assert_int_equal(core_slots_info(&r.cs, 0)->attempts, 0);
    rig_free(&r);
}

static void uploads_never_overwrite_the_newest_good_slot(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 1);
    uint8_t m[100];
    make_module(m, sizeof(m), 1);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    /* No good slot: empty first. */
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 1), 0);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 2), 1);
    /* Two trials, none good: the older goes. */
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 3), 0);
    assert_int_equal(core_slots_info(&r.cs, 0)->generation, 3);
    /* A bad slot goes before a trial one. */
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 4), 0);
    /* A trial that used up its attempts counts as bad. */
    for (unsigned i = 0; i < CORE_SLOTS_DEFAULT_MAX_ATTEMPTS; i++) {
        assert_int_equal(core_slots_note_start(&r.cs, 0), CORE_SLOTS_OK);
    }
    assert_int_equal(core_slots_choice(&r.cs), 1);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 5), 0);
    /* A good, B trial and newer: B is replaced, A kept. */
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 6), 1);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 7), 1);
    /* Both good: the older goes, the newest good stays. */
    assert_int_equal(core_slots_confirm(&r.cs, 1), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 8), 0);
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_GOOD);
    /* A good one that is newer than a bad one stays. */
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    assert_int_equal(core_slots_mark_bad(&r.cs, 1, CORE_SLOT_BAD_ROLLBACK), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 9), 1);
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 0)->version, 8);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_GOOD);
    assert_int_equal(core_slots_info(&r.cs, 1)->version, 9);
    assert_int_equal(core_slots_choice(&r.cs), 1);
    rig_free(&r);
}

static void misuse_is_refused(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 1);
    uint8_t m[SMALL_CAPACITY + 1];
    make_module(m, sizeof(m), 1);
    uint8_t sha[32] = {0};
    size_t len;
    /* Nothing before a scan. */
    assert_int_equal(core_slots_begin_write(&r.cs, 10), CORE_SLOTS_ERR_RESCAN);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_ERR_RESCAN);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap - 1), CORE_SLOTS_ERR_ARG);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    /* Sizes. */
    assert_int_equal(core_slots_begin_write(&r.cs, 0), CORE_SLOTS_ERR_TOO_BIG);
    assert_int_equal(core_slots_store(&r.cs, m, SMALL_CAPACITY + 1, 1), CORE_SLOTS_ERR_TOO_BIG);
    assert_int_equal(core_slots_store(&r.cs, m, SMALL_CAPACITY, 1), 0);
    /* Streaming out of order. */
    assert_int_equal(core_slots_write_chunk(&r.cs, m, 1), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_commit(&r.cs, 1, sha), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_begin_write(&r.cs, 10), 1);
    assert_int_equal(core_slots_write_chunk(&r.cs, m, 11), CORE_SLOTS_ERR_ARG);
    assert_int_equal(core_slots_write_chunk(&r.cs, m, 9), CORE_SLOTS_OK);
    assert_int_equal(core_slots_commit(&r.cs, 1, sha), CORE_SLOTS_ERR_STATE);
    /* States. */
    assert_int_equal(core_slots_confirm(&r.cs, 1), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_mark_bad(&r.cs, 1, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_note_start(&r.cs, 1), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_read(&r.cs, 1, r.buf, r.cap, &len), CORE_SLOTS_ERR_STATE);
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_NONE), CORE_SLOTS_ERR_ARG);
    assert_int_equal(core_slots_confirm(&r.cs, 2), CORE_SLOTS_ERR_ARG);
    assert_int_equal(core_slots_confirm(&r.cs, CORE_SLOT_EMBEDDED), CORE_SLOTS_ERR_ARG);
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_ERR_STATE); /* bad stays bad */
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    /* A wrong SHA-256 from the caller: committed, and never chosen. */
    assert_int_equal(core_slots_begin_write(&r.cs, 10), 1);
    assert_int_equal(core_slots_write_chunk(&r.cs, m, 10), CORE_SLOTS_OK);
    assert_int_equal(core_slots_commit(&r.cs, 5, sha), 1);
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 1)->state, CORE_SLOT_INVALID);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    /* A flash error: the state is unknown until the next scan. */
    fake_flash_cut_after(&r.f, 0);
    assert_int_equal(core_slots_store(&r.cs, m, 10, 6), CORE_SLOTS_ERR_FLASH);
    assert_int_equal(core_slots_begin_write(&r.cs, 10), CORE_SLOTS_ERR_RESCAN);
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_ERR_RESCAN);
    rig_reboot(&r);
    assert_int_equal(core_slots_store(&r.cs, m, 10, 6), 1);
    for (int e = 0; e >= -9; e--) {
        assert_non_null(core_slots_strerror(e));
    }
    rig_free(&r);
}

static void torn_state_words_finish_on_the_next_write(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 1);
    uint8_t m[100];
    make_module(m, sizeof(m), 1);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, m, sizeof(m), 1), 0);
    /* Confirm cut after 2 of its 4 bytes: still on trial; confirming again completes it. */
    fake_flash_cut_after(&r.f, 2);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_ERR_FLASH);
    rig_reboot(&r);
    assert_int_not_equal(le32(r.f.mem + CORE_SLOT_CONFIRM_OFF), 0xFFFFFFFFu);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_TRIAL);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_GOOD);
    /* Mark-bad cut after one byte: bad already (any cleared bit), reason unknown until marked again. */
    fake_flash_cut_after(&r.f, 1);
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_ERR_FLASH);
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 0)->state, CORE_SLOT_BAD);
    assert_int_equal(core_slots_info(&r.cs, 0)->bad_reason, CORE_SLOT_BAD_UNKNOWN);
    assert_int_equal(core_slots_choice(&r.cs), CORE_SLOT_EMBEDDED);
    assert_int_equal(core_slots_mark_bad(&r.cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    rig_reboot(&r);
    assert_int_equal(core_slots_info(&r.cs, 0)->bad_reason, CORE_SLOT_BAD_TRAPS);
    rig_free(&r);
}

/* ---- power cuts ---- */

typedef enum { OP_STORE, OP_CONFIRM, OP_MARK_BAD, OP_NOTE_START, OP_BOOT } op_kind_t;

typedef struct {
    op_kind_t kind;
    int slot;
    core_slot_bad_reason_t reason;
    const uint8_t *module;
    size_t len;
    uint32_t version;
    uint8_t sha256[32]; /* of module, filled by dry_run() */
} op_t;

static int run_op(rig_t *r, const op_t *op)
{
    int boot;
    switch (op->kind) {
    case OP_STORE:
        return core_slots_store(&r->cs, op->module, op->len, op->version);
    case OP_CONFIRM:
        return core_slots_confirm(&r->cs, op->slot);
    case OP_MARK_BAD:
        return core_slots_mark_bad(&r->cs, op->slot, op->reason);
    case OP_NOTE_START:
        return core_slots_note_start(&r->cs, op->slot);
    case OP_BOOT:
        return core_slots_boot(&r->cs, r->buf, r->cap, &boot);
    }
    return CORE_SLOTS_ERR_ARG;
}

static bool committed(const core_slot_info_t *s)
{
    return s->state == CORE_SLOT_TRIAL || s->state == CORE_SLOT_GOOD || s->state == CORE_SLOT_BAD;
}

/* Same slot contents and state; a bad slot whose reason word is torn
 * matches a bad one with a reason. */
static bool info_same(const core_slot_info_t *a, const core_slot_info_t *b)
{
    if (a->state != b->state) {
        return false;
    }
    if (!committed(a)) {
        return true;
    }
    if (a->state == CORE_SLOT_BAD && a->bad_reason != b->bad_reason && a->bad_reason != CORE_SLOT_BAD_UNKNOWN &&
        b->bad_reason != CORE_SLOT_BAD_UNKNOWN) {
        return false;
    }
    return a->generation == b->generation && a->version == b->version && a->length == b->length &&
           a->attempts == b->attempts && memcmp(a->sha256, b->sha256, 32) == 0;
}

/* The boot rule, as docs/update.md states it. */
static int ref_choice(const core_slot_info_t s[CORE_SLOTS_COUNT], unsigned max_attempts)
{
    int best = CORE_SLOT_EMBEDDED;
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        bool ok = s[i].state == CORE_SLOT_GOOD || (s[i].state == CORE_SLOT_TRIAL && s[i].attempts < max_attempts);
        if (ok && (best < 0 || s[i].generation > s[best].generation)) {
            best = i;
        }
    }
    return best;
}

typedef struct {
    core_slot_info_t pre[CORE_SLOTS_COUNT];
    core_slot_info_t post[CORE_SLOTS_COUNT];
    uint8_t *post_image;
    int post_rc;
    uint64_t steps; /* flash steps the op takes without a cut */
} dry_run_t;

static void snapshot_infos(const rig_t *r, core_slot_info_t out[CORE_SLOTS_COUNT])
{
    memcpy(out, r->cs.slot, sizeof(r->cs.slot));
}

/* Runs op on a copy of image to learn what it does without a cut. */
static void dry_run(rig_t *r, const uint8_t *image, op_t *op, dry_run_t *d)
{
    if (op->kind == OP_STORE) {
        core_sig_sha256(op->module, op->len, op->sha256);
    }
    memcpy(r->f.mem, image, r->f.size);
    rig_reboot(r);
    snapshot_infos(r, d->pre);
    uint64_t s0 = r->f.steps;
    d->post_rc = run_op(r, op);
    d->steps = r->f.steps - s0;
    memcpy(d->post_image, r->f.mem, r->f.size);
    rig_reboot(r);
    snapshot_infos(r, d->post);
}

/*
 * After a cut and a reboot (r scanned): every slot is as before the op or as
 * after it; the slot an upload writes is committed only once its commit
 * record is whole, and then is the new module; a good slot the op does not
 * touch is still there; the choice follows the rule and its bytes are in buf.
 */
static void check_after_cut(const rig_t *r, const op_t *op, const dry_run_t *d)
{
    const core_slot_info_t *now = r->cs.slot;
    int target = op->kind == OP_STORE && d->post_rc >= 0 ? d->post_rc : CORE_SLOT_EMBEDDED;
    bool whole = false;
    if (target >= 0) {
        size_t base = (size_t)target * r->cs.slot_size;
        whole = memcmp(r->f.mem + base, d->post_image + base, CORE_SLOT_COMMIT_OFF + CORE_SLOT_COMMIT_SIZE) == 0;
    }
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        if (i == target) {
            if (whole) {
                assert_true(info_same(&now[i], &d->post[i]));
                assert_memory_equal(now[i].sha256, op->sha256, 32);
            } else {
                assert_true(!committed(&now[i]) || info_same(&now[i], &d->pre[i]));
            }
            continue;
        }
        assert_true(info_same(&now[i], &d->pre[i]) || info_same(&now[i], &d->post[i]));
        bool touched = (op->kind == OP_MARK_BAD && op->slot == i) || op->kind == OP_BOOT;
        if (d->pre[i].state == CORE_SLOT_GOOD && !touched) {
            assert_true(info_same(&now[i], &d->pre[i])); /* the previous good core is never lost */
        }
    }
    int choice = core_slots_choice(&r->cs);
    assert_int_equal(choice, ref_choice(now, r->cs.cfg.max_attempts));
    if (target >= 0 && !whole) {
        /* Not committed yet: as if the target slot were empty. */
        core_slot_info_t without[CORE_SLOTS_COUNT];
        memcpy(without, d->pre, sizeof(without));
        without[target].state = CORE_SLOT_EMPTY;
        assert_true(choice == ref_choice(without, r->cs.cfg.max_attempts) || choice == ref_choice(d->pre, r->cs.cfg.max_attempts));
    }
    if (choice >= 0) {
        assert_sha_of(r->buf, now[choice].length, now[choice].sha256);
    }
}

/* After any cut: the next upload works and is what boots. */
static void check_next_upload(rig_t *r, uint32_t seed)
{
    uint8_t m[300];
    make_module(m, sizeof(m), seed);
    int good = CORE_SLOT_EMBEDDED;
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        if (r->cs.slot[i].state == CORE_SLOT_GOOD && (good < 0 || r->cs.slot[i].generation > r->cs.slot[good].generation)) {
            good = i;
        }
    }
    core_slot_info_t kept;
    if (good >= 0) {
        kept = r->cs.slot[good];
    }
    int slot = core_slots_store(&r->cs, m, sizeof(m), 1000);
    assert_true(slot == 0 || slot == 1);
    assert_int_not_equal(slot, good);
    rig_reboot(r);
    assert_int_equal(core_slots_choice(&r->cs), slot);
    assert_memory_equal(r->buf, m, sizeof(m));
    if (good >= 0) {
        assert_true(info_same(&r->cs.slot[good], &kept));
    }
}

/* Cuts the power at every step of op, from image; returns the cuts made. */
static uint64_t cut_everywhere(rig_t *r, const uint8_t *image, op_t *op)
{
    dry_run_t d;
    d.post_image = malloc(r->f.size);
    assert_non_null(d.post_image);
    dry_run(r, image, op, &d);
    assert_true(d.post_rc >= 0);
    /* One scan of the start image serves every run (scans only read). */
    memcpy(r->f.mem, image, r->f.size);
    rig_reboot(r);
    core_slots_t scanned = r->cs;
    for (uint64_t n = 0; n <= d.steps; n++) {
        memcpy(r->f.mem, image, r->f.size);
        r->cs = scanned;
        fake_flash_cut_after(&r->f, n);
        int rc = run_op(r, op);
        if (n < d.steps) {
            assert_true(rc < 0);
            assert_true(r->f.off);
        } else {
            assert_int_equal(rc, d.post_rc);
        }
        rig_reboot(r);
        check_after_cut(r, op, &d);
        check_next_upload(r, (uint32_t)n);
    }
    free(d.post_image);
    return d.steps + 1;
}

/* Start images, built through the API. */
typedef enum {
    START_EMPTY,
    START_A_GOOD,
    START_A_GOOD_B_TRIAL,
    START_A_GOOD_B_GOOD,
    START_A_TORN_B_GOOD,
    START_A_BAD_B_TRIAL,
    START_A_GOOD_B_OUT_OF_ATTEMPTS,
} start_t;

static void build_start(rig_t *r, start_t start, uint8_t *image)
{
    uint8_t m1[1000], m2[2000];
    make_module(m1, sizeof(m1), 101);
    make_module(m2, sizeof(m2), 102);
    memset(r->f.mem, 0xFF, r->f.size);
    rig_reboot(r);
    if (start != START_EMPTY) {
        assert_int_equal(core_slots_store(&r->cs, m1, sizeof(m1), 1), 0);
        assert_int_equal(core_slots_note_start(&r->cs, 0), CORE_SLOTS_OK);
        assert_int_equal(core_slots_confirm(&r->cs, 0), CORE_SLOTS_OK);
    }
    if (start >= START_A_GOOD_B_TRIAL) {
        assert_int_equal(core_slots_store(&r->cs, m2, sizeof(m2), 2), 1);
        assert_int_equal(core_slots_note_start(&r->cs, 1), CORE_SLOTS_OK);
    }
    if (start == START_A_GOOD_B_GOOD || start == START_A_TORN_B_GOOD) {
        assert_int_equal(core_slots_confirm(&r->cs, 1), CORE_SLOTS_OK);
    }
    if (start == START_A_TORN_B_GOOD) {
        /* An upload into A cut in the middle of its header. */
        fake_flash_cut_after(&r->f, 3 + sizeof(m1) + 20);
        assert_true(core_slots_store(&r->cs, m1, sizeof(m1), 3) < 0);
        rig_reboot(r);
        assert_int_equal(core_slots_info(&r->cs, 0)->state, CORE_SLOT_INVALID);
    }
    if (start == START_A_BAD_B_TRIAL) {
        assert_int_equal(core_slots_mark_bad(&r->cs, 0, CORE_SLOT_BAD_TRAPS), CORE_SLOTS_OK);
    }
    if (start == START_A_GOOD_B_OUT_OF_ATTEMPTS) {
        while (core_slots_info(&r->cs, 1)->attempts < CORE_SLOTS_DEFAULT_MAX_ATTEMPTS) {
            assert_int_equal(core_slots_note_start(&r->cs, 1), CORE_SLOTS_OK);
        }
    }
    memcpy(image, r->f.mem, r->f.size);
}

static void power_cut_at_every_step_of_an_upload(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 77);
    uint8_t *image = malloc(r.f.size);
    assert_non_null(image);
    static uint8_t m[CUT_MODULE_LEN];
    make_module(m, sizeof(m), 5);
    op_t store = {.kind = OP_STORE, .module = m, .len = sizeof(m), .version = 9};
    static const start_t starts[] = {START_EMPTY,         START_A_GOOD,        START_A_GOOD_B_TRIAL,
                                     START_A_GOOD_B_GOOD, START_A_TORN_B_GOOD, START_A_BAD_B_TRIAL};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t cuts = 0;
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        build_start(&r, starts[i], image);
        cuts += cut_everywhere(&r, image, &store);
    }
    printf("[ INFO     ] upload of %u bytes from %zu start states: %llu power-cut points, %.2f s\n",
           (unsigned)sizeof(m), sizeof(starts) / sizeof(starts[0]), (unsigned long long)cuts, seconds_since(&t0));
    free(image);
    rig_free(&r);
}

static void power_cut_at_every_step_of_a_state_change(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 78);
    uint8_t *image = malloc(r.f.size);
    assert_non_null(image);
    static struct {
        start_t start;
        op_t op;
    } cases[] = {
        {START_A_GOOD_B_TRIAL, {.kind = OP_CONFIRM, .slot = 1}},
        {START_A_GOOD_B_TRIAL, {.kind = OP_MARK_BAD, .slot = 1, .reason = CORE_SLOT_BAD_TRAPS}},
        {START_A_GOOD_B_GOOD, {.kind = OP_MARK_BAD, .slot = 1, .reason = CORE_SLOT_BAD_ROLLBACK}},
        {START_A_GOOD_B_GOOD, {.kind = OP_MARK_BAD, .slot = 0, .reason = CORE_SLOT_BAD_ROLLBACK}},
        {START_A_GOOD_B_TRIAL, {.kind = OP_NOTE_START, .slot = 1}},
        {START_A_GOOD_B_TRIAL, {.kind = OP_BOOT}},           /* counts B's second start */
        {START_A_GOOD_B_OUT_OF_ATTEMPTS, {.kind = OP_BOOT}}, /* marks B bad, boots A */
        {START_A_BAD_B_TRIAL, {.kind = OP_BOOT}},
    };
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t cuts = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        build_start(&r, cases[i].start, image);
        cuts += cut_everywhere(&r, image, &cases[i].op);
    }
    printf("[ INFO     ] %zu state changes: %llu power-cut points, %.2f s\n", sizeof(cases) / sizeof(cases[0]),
           (unsigned long long)cuts, seconds_since(&t0));
    free(image);
    rig_free(&r);
}

/* Seeded random operations, each cut at a random step (or not at all), the
 * torn result kept as the start of the next one, as on a board that keeps
 * losing power. */
static void random_operations_and_cuts(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, SMALL_PARTITION_SIZE, 4242);
    uint8_t *image = malloc(r.f.size);
    assert_non_null(image);
    static uint8_t m[SMALL_CAPACITY];
    dry_run_t d;
    d.post_image = malloc(r.f.size);
    assert_non_null(d.post_image);
    uint32_t x = 20240601u;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const unsigned rounds = 3000;
    unsigned cut_rounds = 0;
    memcpy(image, r.f.mem, r.f.size);
    for (unsigned round = 0; round < rounds; round++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        op_t op = {.kind = (op_kind_t)(x % 5), .slot = (int)(x >> 8) % 2, .reason = (core_slot_bad_reason_t)(1 + (x >> 9) % 3)};
        if (op.kind == OP_STORE || (x >> 12) % 4 == 0) {
            op.kind = OP_STORE;
            op.len = 1 + (x >> 14) % SMALL_CAPACITY;
            make_module(m, op.len, x);
            op.module = m;
            op.version = round;
        }
        dry_run(&r, image, &op, &d);
        memcpy(r.f.mem, image, r.f.size);
        rig_reboot(&r);
        uint64_t n = (uint64_t)(x >> 3) % (d.steps + 1);
        fake_flash_cut_after(&r.f, n);
        int rc = run_op(&r, &op);
        if (n < d.steps) {
            cut_rounds++;
            assert_true(rc < 0);
        } else {
            assert_int_equal(rc, d.post_rc);
        }
        rig_reboot(&r);
        check_after_cut(&r, &op, &d);
        memcpy(image, r.f.mem, r.f.size);
    }
    printf("[ INFO     ] %u random operations, %u of them cut: %.2f s\n", rounds, cut_rounds, seconds_since(&t0));
    free(d.post_image);
    free(image);
    rig_free(&r);
}

/* A full 32 KiB slot on the real partition size, after a good one. */
static void power_cut_at_every_step_of_a_full_esp_slot(void **state)
{
    (void)state;
    rig_t r;
    rig_init(&r, ESP_PARTITION_SIZE, 79);
    uint8_t *image = malloc(r.f.size);
    assert_non_null(image);
    static uint8_t m[32 * 1024];
    make_module(m, sizeof(m), 6);
    uint8_t old[5000];
    make_module(old, sizeof(old), 7);
    assert_int_equal(core_slots_scan(&r.cs, r.buf, r.cap), CORE_SLOTS_OK);
    assert_int_equal(core_slots_store(&r.cs, old, sizeof(old), 1), 0);
    assert_int_equal(core_slots_confirm(&r.cs, 0), CORE_SLOTS_OK);
    memcpy(image, r.f.mem, r.f.size);
    op_t op = {.kind = OP_STORE, .module = m, .len = sizeof(m), .version = 2};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t cuts = cut_everywhere(&r, image, &op);
    /* Every byte and sector is a step: 9 erased sectors, the module, the header, the commit record. */
    assert_int_equal(cuts, 1 + (1 + sizeof(m) / SECTOR) + sizeof(m) + CORE_SLOT_HEADER_SIZE + CORE_SLOT_COMMIT_SIZE);
    printf("[ INFO     ] upload of a full 32 KiB slot: %llu power-cut points, %.2f s\n", (unsigned long long)cuts,
           seconds_since(&t0));
    free(image);
    rig_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32_is_zlibs),
        cmocka_unit_test(fake_flash_is_nor),
        cmocka_unit_test(layout_follows_the_partition),
        cmocka_unit_test(slot_bytes_are_where_the_docs_say),
        cmocka_unit_test(never_trusts_a_header_over_other_bytes),
        cmocka_unit_test(lifecycle_embedded_a_b_rollback_embedded),
        cmocka_unit_test(unconfirmed_trial_runs_out_of_boot_attempts),
        cmocka_unit_test(uploads_never_overwrite_the_newest_good_slot),
        cmocka_unit_test(misuse_is_refused),
        cmocka_unit_test(torn_state_words_finish_on_the_next_write),
        cmocka_unit_test(power_cut_at_every_step_of_an_upload),
        cmocka_unit_test(power_cut_at_every_step_of_a_state_change),
        cmocka_unit_test(random_operations_and_cuts),
        cmocka_unit_test(power_cut_at_every_step_of_a_full_esp_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
