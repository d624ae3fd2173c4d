#include "core_slots.h"

#include <string.h>

#define ERASED_WORD 0xFFFFFFFFu
#define BAD_WORD_BASE 0xBAD00000u
/* Header sector bytes read by a scan: header, commit record and state words. */
#define META_SIZE CORE_SLOT_STATE_END
/* Read-back buffer: a stack-friendly size for the core task. */
#define VERIFY_CHUNK 64u


const char *core_slots_strerror(int err)
{
    switch (err) {
    case CORE_SLOTS_OK:
        return "ok";
    case CORE_SLOTS_ERR_ARG:
        return "bad argument (a bug in the caller: check the slot index and lengths)";
    case CORE_SLOTS_ERR_LAYOUT:
        return "the corewasm partition is too small or its erase size is unusable: check partitions.csv";
    case CORE_SLOTS_ERR_FLASH:
        return "flash read/write/erase failed: scan again, then retry";
    case CORE_SLOTS_ERR_VERIFY:
        return "flash did not read back what was written: scan again, then retry; if it persists the flash is worn";
    case CORE_SLOTS_ERR_TOO_BIG:
        return "module is empty or larger than a slot";
    case CORE_SLOTS_ERR_STATE:
        return "not allowed in the slot's current state: read GET /core";
    case CORE_SLOTS_ERR_RESCAN:
        return "slot state unknown after an error: call core_slots_scan first";
    case CORE_SLOTS_ERR_CORRUPT:
        return "slot bytes do not match their SHA-256: the slot is not used";
    default:
        return "unknown core_slots error";
    }
}

const char *core_slots_choice_name(int slot)
{
    return slot == 0 ? "A" : slot == 1 ? "B" : "embedded";
}

uint32_t core_slots_crc32(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static bool valid_slot(int slot)
{
    return slot == 0 || slot == 1;
}

static size_t slot_base(const core_slots_t *cs, int slot)
{
    return (size_t)slot * cs->slot_size;
}

static size_t data_base(const core_slots_t *cs, int slot)
{
    return slot_base(cs, slot) + cs->cfg.flash->erase_size;
}

static bool committed(core_slot_state_t state)
{
    return state == CORE_SLOT_TRIAL || state == CORE_SLOT_GOOD || state == CORE_SLOT_BAD;
}

static bool bootable(const core_slots_t *cs, const core_slot_info_t *s)
{
    return s->state == CORE_SLOT_GOOD || (s->state == CORE_SLOT_TRIAL && s->attempts < cs->cfg.max_attempts);
}

/* The rule in core_slots.h: the newest bootable slot; A on a tie (a tie
 * needs a corrupted generation: uploads always number past the other slot). */
static int choose(const core_slots_t *cs)
{
    int best = CORE_SLOT_EMBEDDED;
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        if (bootable(cs, &cs->slot[i]) && (best < 0 || cs->slot[i].generation > cs->slot[best].generation)) {
            best = i;
        }
    }
    return best;
}

/* Any failed flash call leaves the slots in a state only a scan can tell. */
static int lost(core_slots_t *cs, int err)
{
    cs->scanned = false;
    cs->writing = false;
    return err;
}

static int flash_read(const core_slots_t *cs, size_t off, void *dst, size_t len)
{
    const core_flash_t *f = cs->cfg.flash;
    return f->read(f->ctx, off, dst, len) == 0 ? CORE_SLOTS_OK : CORE_SLOTS_ERR_FLASH;
}

/* Writes, then reads back: on NOR flash a write over bits already cleared
 * "succeeds" with other bytes than asked for. */
static int flash_write(core_slots_t *cs, size_t off, const uint8_t *src, size_t len)
{
    const core_flash_t *f = cs->cfg.flash;
    if (f->write(f->ctx, off, src, len) != 0) {
        return lost(cs, CORE_SLOTS_ERR_FLASH);
    }
    uint8_t back[VERIFY_CHUNK];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof(back) ? len - done : sizeof(back);
        if (f->read(f->ctx, off + done, back, n) != 0) {
            return lost(cs, CORE_SLOTS_ERR_FLASH);
        }
        if (memcmp(back, src + done, n) != 0) {
            return lost(cs, CORE_SLOTS_ERR_VERIFY);
        }
        done += n;
    }
    return CORE_SLOTS_OK;
}

int core_slots_init(core_slots_t *cs, const core_slots_config_t *cfg)
{
    if (cs == NULL || cfg == NULL || cfg->flash == NULL || cfg->sha256 == NULL || cfg->flash->read == NULL ||
        cfg->flash->write == NULL || cfg->flash->erase == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    memset(cs, 0, sizeof(*cs));
    cs->cfg = *cfg;
    if (cs->cfg.max_attempts == 0) {
        cs->cfg.max_attempts = CORE_SLOTS_DEFAULT_MAX_ATTEMPTS;
    }
    if (cs->cfg.max_attempts > CORE_SLOTS_ATTEMPT_BITS) {
        return CORE_SLOTS_ERR_ARG;
    }
    size_t es = cfg->flash->erase_size;
    /* The state words must share the header sector. */
    if (es < META_SIZE) {
        return CORE_SLOTS_ERR_LAYOUT;
    }
    cs->slot_size = cfg->flash->size / 2 / es * es;
    if (cs->slot_size < 2 * es) {
        return CORE_SLOTS_ERR_LAYOUT;
    }
    cs->capacity = cs->slot_size - es;
    cs->boot = CORE_SLOT_EMBEDDED;
    return CORE_SLOTS_OK;
}

static bool all_erased(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

static unsigned zero_bits(uint32_t w)
{
    unsigned n = 0;
    for (; w != ERASED_WORD; w |= w + 1) { /* sets the lowest clear bit */
        n++;
    }
    return n;
}

static core_slot_bad_reason_t decode_bad(uint32_t word)
{
    if (word == ERASED_WORD) {
        return CORE_SLOT_BAD_NONE;
    }
    uint32_t reason = word ^ BAD_WORD_BASE;
    if (reason >= CORE_SLOT_BAD_TRAPS && reason <= CORE_SLOT_BAD_ROLLBACK) {
        return (core_slot_bad_reason_t)reason;
    }
    return CORE_SLOT_BAD_UNKNOWN;
}

/* Header, commit record and state words; the module is checked separately. */
static int read_meta(const core_slots_t *cs, int slot, core_slot_info_t *out)
{
    uint8_t m[META_SIZE];
    memset(out, 0, sizeof(*out));
    if (flash_read(cs, slot_base(cs, slot), m, sizeof(m)) != CORE_SLOTS_OK) {
        out->state = CORE_SLOT_INVALID;
        return CORE_SLOTS_ERR_FLASH;
    }
    if (all_erased(m, sizeof(m))) {
        out->state = CORE_SLOT_EMPTY;
        return CORE_SLOTS_OK;
    }
    out->state = CORE_SLOT_INVALID;
    uint32_t length = get_le32(m + 16);
    if (get_le32(m) != CORE_SLOT_MAGIC || get_le32(m + 4) != CORE_SLOT_FORMAT || length == 0 ||
        length > cs->capacity || get_le32(m + CORE_SLOT_COMMIT_OFF) != CORE_SLOT_COMMIT_MAGIC ||
        get_le32(m + CORE_SLOT_COMMIT_OFF + 4) != core_slots_crc32(m, CORE_SLOT_HEADER_SIZE)) {
        return CORE_SLOTS_OK;
    }
    out->generation = get_le32(m + 8);
    out->version = get_le32(m + 12);
    out->length = length;
    memcpy(out->sha256, m + 20, sizeof(out->sha256));
    out->attempts = (uint8_t)zero_bits(get_le32(m + CORE_SLOT_ATTEMPTS_OFF));
    out->bad_reason = decode_bad(get_le32(m + CORE_SLOT_BAD_OFF));
    if (out->bad_reason != CORE_SLOT_BAD_NONE) {
        out->state = CORE_SLOT_BAD;
    } else if (get_le32(m + CORE_SLOT_CONFIRM_OFF) == CORE_SLOT_CONFIRM_WORD) {
        out->state = CORE_SLOT_GOOD;
    } else {
        out->state = CORE_SLOT_TRIAL; /* erased or a torn confirm: confirm again */
    }
    return CORE_SLOTS_OK;
}

/* Reads the module into buf and compares its SHA-256 with the header's. */
static int read_module(const core_slots_t *cs, int slot, const core_slot_info_t *info, uint8_t *buf, size_t cap)
{
    if (info->length > cap) {
        return CORE_SLOTS_ERR_ARG;
    }
    if (flash_read(cs, data_base(cs, slot), buf, info->length) != CORE_SLOTS_OK) {
        return CORE_SLOTS_ERR_FLASH;
    }
    uint8_t sha[32];
    cs->cfg.sha256(buf, info->length, sha);
    return memcmp(sha, info->sha256, sizeof(sha)) == 0 ? CORE_SLOTS_OK : CORE_SLOTS_ERR_CORRUPT;
}

int core_slots_scan(core_slots_t *cs, uint8_t *buf, size_t cap)
{
    if (cs == NULL || buf == NULL || cap < cs->capacity) {
        return CORE_SLOTS_ERR_ARG;
    }
    cs->writing = false;
    cs->scanned = false;
    cs->boot = CORE_SLOT_EMBEDDED;
    /* A slot that cannot be read is neither run nor overwritten: no result. */
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        if (read_meta(cs, i, &cs->slot[i]) != CORE_SLOTS_OK) {
            return CORE_SLOTS_ERR_FLASH;
        }
    }
    /* Older first, so the newer (the likely choice) is left in buf. */
    int order[CORE_SLOTS_COUNT] = {0, 1};
    if (cs->slot[1].generation < cs->slot[0].generation) {
        order[0] = 1;
        order[1] = 0;
    }
    int in_buf = CORE_SLOT_EMBEDDED;
    for (int k = 0; k < CORE_SLOTS_COUNT; k++) {
        core_slot_info_t *s = &cs->slot[order[k]];
        if (committed(s->state)) {
            int err = read_module(cs, order[k], s, buf, cap);
            if (err == CORE_SLOTS_ERR_FLASH) {
                return err;
            }
            if (err == CORE_SLOTS_OK) {
                in_buf = order[k];
            } else {
                s->state = CORE_SLOT_INVALID; /* never trust a header over bytes it does not describe */
                in_buf = CORE_SLOT_EMBEDDED;
            }
        }
    }
    /* Each pass drops one slot, so this ends. */
    for (;;) {
        cs->boot = choose(cs);
        if (cs->boot == CORE_SLOT_EMBEDDED || cs->boot == in_buf) {
            break;
        }
        int err = read_module(cs, cs->boot, &cs->slot[cs->boot], buf, cap);
        if (err == CORE_SLOTS_ERR_FLASH) {
            cs->boot = CORE_SLOT_EMBEDDED;
            return err;
        }
        if (err == CORE_SLOTS_OK) {
            break;
        }
        cs->slot[cs->boot].state = CORE_SLOT_INVALID;
    }
    cs->scanned = true;
    return CORE_SLOTS_OK;
}

static int check_slot(const core_slots_t *cs, int slot)
{
    if (cs == NULL || !valid_slot(slot)) {
        return CORE_SLOTS_ERR_ARG;
    }
    return cs->scanned ? CORE_SLOTS_OK : CORE_SLOTS_ERR_RESCAN;
}

static int write_word(core_slots_t *cs, int slot, size_t off, uint32_t value)
{
    uint8_t b[4];
    put_le32(b, value);
    return flash_write(cs, slot_base(cs, slot) + off, b, sizeof(b));
}

int core_slots_note_start(core_slots_t *cs, int slot)
{
    int err = check_slot(cs, slot);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    core_slot_info_t *s = &cs->slot[slot];
    if (s->state != CORE_SLOT_TRIAL || s->attempts >= cs->cfg.max_attempts) {
        return CORE_SLOTS_ERR_STATE;
    }
    /* Clear the lowest set bit: one byte written, no erase. */
    uint8_t bits[4];
    size_t off = slot_base(cs, slot) + CORE_SLOT_ATTEMPTS_OFF;
    if (flash_read(cs, off, bits, sizeof(bits)) != CORE_SLOTS_OK) {
        return lost(cs, CORE_SLOTS_ERR_FLASH);
    }
    size_t i = 0;
    while (i < sizeof(bits) && bits[i] == 0) {
        i++;
    }
    if (i == sizeof(bits)) {
        return CORE_SLOTS_ERR_STATE;
    }
    uint8_t next = (uint8_t)(bits[i] & (bits[i] - 1));
    err = flash_write(cs, off + i, &next, 1);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    bits[i] = next;
    s->attempts = (uint8_t)zero_bits(get_le32(bits));
    cs->boot = choose(cs);
    return CORE_SLOTS_OK;
}

int core_slots_confirm(core_slots_t *cs, int slot)
{
    int err = check_slot(cs, slot);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    core_slot_info_t *s = &cs->slot[slot];
    if (s->state == CORE_SLOT_GOOD) {
        return CORE_SLOTS_OK;
    }
    if (s->state != CORE_SLOT_TRIAL) {
        return CORE_SLOTS_ERR_STATE;
    }
    /* Over a torn earlier confirm this completes the word: the torn bits
     * are a subset of the word's cleared bits. */
    err = write_word(cs, slot, CORE_SLOT_CONFIRM_OFF, CORE_SLOT_CONFIRM_WORD);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    s->state = CORE_SLOT_GOOD;
    cs->boot = choose(cs);
    return CORE_SLOTS_OK;
}

int core_slots_mark_bad(core_slots_t *cs, int slot, core_slot_bad_reason_t reason)
{
    int err = check_slot(cs, slot);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    if (reason < CORE_SLOT_BAD_TRAPS || reason > CORE_SLOT_BAD_ROLLBACK) {
        return CORE_SLOTS_ERR_ARG;
    }
    core_slot_info_t *s = &cs->slot[slot];
    if (!committed(s->state)) {
        return CORE_SLOTS_ERR_STATE;
    }
    if (s->state == CORE_SLOT_BAD && s->bad_reason != CORE_SLOT_BAD_UNKNOWN) {
        return CORE_SLOTS_OK;
    }
    size_t off = slot_base(cs, slot) + CORE_SLOT_BAD_OFF;
    const core_flash_t *f = cs->cfg.flash;
    uint8_t b[4];
    put_le32(b, BAD_WORD_BASE | (uint32_t)reason);
    if (f->write(f->ctx, off, b, sizeof(b)) != 0 || f->read(f->ctx, off, b, sizeof(b)) != 0) {
        return lost(cs, CORE_SLOTS_ERR_FLASH);
    }
    /* Any cleared bit means bad; over a torn word of another reason the
     * reason reads as unknown, the slot is bad all the same. */
    if (get_le32(b) == ERASED_WORD) {
        return lost(cs, CORE_SLOTS_ERR_VERIFY);
    }
    s->state = CORE_SLOT_BAD;
    s->bad_reason = decode_bad(get_le32(b));
    cs->boot = choose(cs);
    return CORE_SLOTS_OK;
}

int core_slots_boot(core_slots_t *cs, uint8_t *buf, size_t cap, int *boot)
{
    if (boot == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    *boot = CORE_SLOT_EMBEDDED;
    int err = core_slots_scan(cs, buf, cap);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        const core_slot_info_t *s = &cs->slot[i];
        if (s->state == CORE_SLOT_TRIAL && s->attempts >= cs->cfg.max_attempts) {
            /* Not chosen either way; marked so GET /core says why. A failed
             * write is not fatal: the attempt count already rules it out. */
            if (core_slots_mark_bad(cs, i, CORE_SLOT_BAD_BOOT_ATTEMPTS) != CORE_SLOTS_OK) {
                err = core_slots_scan(cs, buf, cap);
                if (err != CORE_SLOTS_OK) {
                    return err;
                }
            }
        }
    }
    /* Marking a slot that is not chosen leaves the chosen module in buf. */
    int chosen = cs->boot;
    if (chosen != CORE_SLOT_EMBEDDED && cs->slot[chosen].state == CORE_SLOT_TRIAL) {
        err = core_slots_note_start(cs, chosen);
        if (err != CORE_SLOTS_OK) {
            return err;
        }
    }
    *boot = chosen;
    return CORE_SLOTS_OK;
}

/* The slot an upload may overwrite: never the newest GOOD one (the fallback
 * every upload must keep); otherwise the least useful: empty or invalid,
 * then bad or out of attempts, then the older trial. */
static int pick_target(const core_slots_t *cs)
{
    int good = CORE_SLOT_EMBEDDED;
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        if (cs->slot[i].state == CORE_SLOT_GOOD &&
            (good < 0 || cs->slot[i].generation > cs->slot[good].generation)) {
            good = i;
        }
    }
    if (good != CORE_SLOT_EMBEDDED) {
        return 1 - good;
    }
    int rank[CORE_SLOTS_COUNT];
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        const core_slot_info_t *s = &cs->slot[i];
        rank[i] = !committed(s->state) ? 0 : !bootable(cs, s) ? 1 : 2;
    }
    if (rank[0] != rank[1]) {
        return rank[0] < rank[1] ? 0 : 1;
    }
    if (rank[0] == 0) {
        return 0;
    }
    return cs->slot[1].generation < cs->slot[0].generation ? 1 : 0;
}

int core_slots_begin_write(core_slots_t *cs, size_t length)
{
    if (cs == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    if (!cs->scanned) {
        return CORE_SLOTS_ERR_RESCAN;
    }
    if (length == 0 || length > cs->capacity) {
        return CORE_SLOTS_ERR_TOO_BIG;
    }
    int target = pick_target(cs);
    const core_slot_info_t *other = &cs->slot[1 - target];
    uint32_t generation = 1;
    if (committed(other->state)) {
        if (other->generation == UINT32_MAX) {
            return CORE_SLOTS_ERR_STATE; /* 4 billion uploads: erase the partition */
        }
        generation = other->generation + 1;
    }
    const core_flash_t *f = cs->cfg.flash;
    size_t es = f->erase_size;
    cs->writing = false;
    memset(&cs->slot[target], 0, sizeof(cs->slot[target]));
    cs->slot[target].state = CORE_SLOT_INVALID;
    cs->boot = choose(cs);
    /* Header sector first: from its first erased byte the old contents of
     * this slot can no longer be taken for a whole slot. */
    if (f->erase(f->ctx, slot_base(cs, target), es) != 0 ||
        f->erase(f->ctx, data_base(cs, target), (length + es - 1) / es * es) != 0) {
        return lost(cs, CORE_SLOTS_ERR_FLASH);
    }
    cs->slot[target].state = CORE_SLOT_EMPTY;
    cs->writing = true;
    cs->w_slot = target;
    cs->w_generation = generation;
    cs->w_length = (uint32_t)length;
    cs->w_written = 0;
    return target;
}

int core_slots_write_chunk(core_slots_t *cs, const uint8_t *data, size_t len)
{
    if (cs == NULL || (data == NULL && len > 0)) {
        return CORE_SLOTS_ERR_ARG;
    }
    if (!cs->writing) {
        return cs->scanned ? CORE_SLOTS_ERR_STATE : CORE_SLOTS_ERR_RESCAN;
    }
    if (len > cs->w_length - cs->w_written) {
        return CORE_SLOTS_ERR_ARG;
    }
    int err = flash_write(cs, data_base(cs, cs->w_slot) + cs->w_written, data, len);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    cs->w_written += (uint32_t)len;
    return CORE_SLOTS_OK;
}

int core_slots_commit(core_slots_t *cs, uint32_t version, const uint8_t sha256[32])
{
    if (cs == NULL || sha256 == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    if (!cs->writing) {
        return cs->scanned ? CORE_SLOTS_ERR_STATE : CORE_SLOTS_ERR_RESCAN;
    }
    if (cs->w_written != cs->w_length) {
        return CORE_SLOTS_ERR_STATE;
    }
    int slot = cs->w_slot;
    uint8_t h[CORE_SLOT_HEADER_SIZE];
    put_le32(h, CORE_SLOT_MAGIC);
    put_le32(h + 4, CORE_SLOT_FORMAT);
    put_le32(h + 8, cs->w_generation);
    put_le32(h + 12, version);
    put_le32(h + 16, cs->w_length);
    memcpy(h + 20, sha256, 32);
    uint8_t c[CORE_SLOT_COMMIT_SIZE];
    put_le32(c, CORE_SLOT_COMMIT_MAGIC);
    put_le32(c + 4, core_slots_crc32(h, sizeof(h)));
    /* Two writes, in this order: the commit record is whole only after the
     * header it checks is. */
    int err = flash_write(cs, slot_base(cs, slot), h, sizeof(h));
    if (err == CORE_SLOTS_OK) {
        err = flash_write(cs, slot_base(cs, slot) + CORE_SLOT_COMMIT_OFF, c, sizeof(c));
    }
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    core_slot_info_t *s = &cs->slot[slot];
    memset(s, 0, sizeof(*s));
    s->state = CORE_SLOT_TRIAL;
    s->generation = cs->w_generation;
    s->version = version;
    s->length = cs->w_length;
    memcpy(s->sha256, sha256, 32);
    cs->writing = false;
    cs->boot = choose(cs);
    return slot;
}

int core_slots_store(core_slots_t *cs, const uint8_t *module, size_t len, uint32_t version)
{
    if (cs == NULL || module == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    uint8_t sha[32];
    cs->cfg.sha256(module, len, sha);
    int slot = core_slots_begin_write(cs, len);
    if (slot < 0) {
        return slot;
    }
    int err = core_slots_write_chunk(cs, module, len);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    return core_slots_commit(cs, version, sha);
}

int core_slots_read(const core_slots_t *cs, int slot, uint8_t *buf, size_t cap, size_t *len)
{
    int err = check_slot(cs, slot);
    if (err != CORE_SLOTS_OK) {
        return err;
    }
    if (buf == NULL || len == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    const core_slot_info_t *s = &cs->slot[slot];
    if (!committed(s->state)) {
        return CORE_SLOTS_ERR_STATE;
    }
    err = read_module(cs, slot, s, buf, cap);
    *len = err == CORE_SLOTS_OK ? s->length : 0;
    return err;
}

int core_slots_choice(const core_slots_t *cs)
{
    return cs->boot;
}

const core_slot_info_t *core_slots_info(const core_slots_t *cs, int slot)
{
    return valid_slot(slot) ? &cs->slot[slot] : NULL;
}

