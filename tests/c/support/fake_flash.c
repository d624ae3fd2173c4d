#include "fake_flash.h"

#include <stdlib.h>
#include <string.h>

static uint8_t next_rand(fake_flash_t *f)
{
    /* xorshift32: deterministic garbage for a given seed */
    uint32_t x = f->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    return (uint8_t)(x >> 24);
}

/* Returns true when this step is the torn one (and powers off). */
static bool tear_now(fake_flash_t *f)
{
    if (f->steps == f->cut_at) {
        f->steps++;
        f->off = true;
        return true;
    }
    f->steps++;
    return false;
}

static bool in_range(fake_flash_t *f, size_t off, size_t len)
{
    if (off > f->size || len > f->size - off) {
        f->out_of_range++;
        return false;
    }
    return true;
}

static int ff_read(void *ctx, size_t off, void *dst, size_t len)
{
    fake_flash_t *f = ctx;
    if (f->off || !in_range(f, off, len)) {
        return -1;
    }
    memcpy(dst, f->mem + off, len);
    return 0;
}

static int ff_write(void *ctx, size_t off, const void *src, size_t len)
{
    fake_flash_t *f = ctx;
    if (f->off || !in_range(f, off, len)) {
        return -1;
    }
    const uint8_t *s = src;
    for (size_t i = 0; i < len; i++) {
        uint8_t *b = &f->mem[off + i];
        if ((uint8_t)(~*b & s[i]) != 0) {
            f->zero_to_one++;
        }
        if (tear_now(f)) {
            *b &= (uint8_t)(s[i] | next_rand(f)); /* only some bits programmed */
            return -1;
        }
        *b &= s[i];
    }
    return 0;
}

static int ff_erase(void *ctx, size_t off, size_t len)
{
    fake_flash_t *f = ctx;
    if (f->off || !in_range(f, off, len)) {
        return -1;
    }
    if (off % f->erase_size != 0 || len % f->erase_size != 0) {
        f->misaligned++;
        return -1;
    }
    for (size_t s = off; s < off + len; s += f->erase_size) {
        if (tear_now(f)) {
            for (size_t i = 0; i < f->erase_size; i++) {
                f->mem[s + i] |= next_rand(f); /* only some bits erased */
            }
            return -1;
        }
        memset(f->mem + s, 0xFF, f->erase_size);
    }
    return 0;
}

void fake_flash_init(fake_flash_t *f, size_t size, size_t erase_size, uint32_t seed)
{
    memset(f, 0, sizeof(*f));
    f->mem = malloc(size);
    if (f->mem == NULL) {
        abort();
    }
    memset(f->mem, 0xFF, size);
    f->size = size;
    f->erase_size = erase_size;
    f->cut_at = FAKE_FLASH_NEVER;
    f->rng = seed != 0 ? seed : 1;
    f->flash = (core_flash_t){
        .size = size,
        .erase_size = erase_size,
        .read = ff_read,
        .write = ff_write,
        .erase = ff_erase,
        .ctx = f,
    };
}

void fake_flash_free(fake_flash_t *f)
{
    free(f->mem);
    f->mem = NULL;
}

void fake_flash_cut_after(fake_flash_t *f, uint64_t steps_from_now)
{
    f->cut_at = f->steps + steps_from_now;
}

void fake_flash_power_on(fake_flash_t *f)
{
    f->off = false;
    f->cut_at = FAKE_FLASH_NEVER;
}
