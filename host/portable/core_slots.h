/*
 * core_slots: where uploaded cores are kept across reboots (docs/update.md
 * "Storage"). Two slots, A and B, split one flash partition in halves; an
 * upload always goes into the slot that does not hold the newest good core,
 * and becomes valid only when its commit record, written last, is complete,
 * so a power cut at any byte of any write leaves the previous good core
 * bootable. State changes after the commit (boot attempt, confirmed, bad)
 * only clear bits in words erased with the slot, so they never erase.
 *
 * Not thread-safe: one task (the core task) makes every call.
 *
 * Plain C over a small NOR flash interface (core_flash_t): ESP-IDF's
 * esp_partition_* on the board (host/esp/core_flash_partition.c), a fake
 * flash that cuts power at every step in tests/c/test_core_slots.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A NOR flash region, offsets relative to its start (ESP-IDF v5.x
 * esp_partition.h: esp_partition_read/write/erase_range). Erase sets bytes
 * to 0xFF and takes offsets and lengths that are multiples of erase_size
 * (SPI_FLASH_SEC_SIZE, 4096); write takes any offset and length and can only
 * clear bits (the stored byte becomes old AND new). Each function returns 0
 * on success, anything else on failure.
 */
typedef struct core_flash {
    size_t size;
    size_t erase_size;
    int (*read)(void *ctx, size_t off, void *dst, size_t len);
    int (*write)(void *ctx, size_t off, const void *src, size_t len);
    int (*erase)(void *ctx, size_t off, size_t len);
    void *ctx;
} core_flash_t;

/* One-shot SHA-256, the signature of core_sig_sha256() (host/portable/core_sig.h). */
typedef void (*core_slots_sha256_fn)(const uint8_t *data, size_t len, uint8_t out[32]);

#define CORE_SLOTS_COUNT 2
/* The boot choice when no slot may run: the core built into the firmware. */
#define CORE_SLOT_EMBEDDED (-1)

/* Boot attempts a trial slot gets before it stops being chosen (a start that
 * is not followed by core_slots_confirm() counts as a failed attempt). */
#define CORE_SLOTS_DEFAULT_MAX_ATTEMPTS 3u
/* The attempt counter is a 32-bit bitmap: at most 32 attempts. */
#define CORE_SLOTS_ATTEMPT_BITS 32u

/* Byte offsets in a slot's first sector (the header sector); the module
 * starts at the second sector. Little-endian. docs/update.md has the table. */
#define CORE_SLOT_MAGIC 0x4C534357u /* "WCSL" */
#define CORE_SLOT_FORMAT 1u
#define CORE_SLOT_HEADER_SIZE 52u  /* magic, format, generation, version, length, sha256 */
#define CORE_SLOT_COMMIT_OFF 64u   /* commit record: magic + CRC-32 of the header */
#define CORE_SLOT_COMMIT_MAGIC 0x54494D43u /* "CMIT" */
#define CORE_SLOT_COMMIT_SIZE 8u
#define CORE_SLOT_CONFIRM_OFF 128u /* 0xFFFFFFFF: on trial; CORE_SLOT_CONFIRM_WORD: good */
#define CORE_SLOT_CONFIRM_WORD 0x00600D00u
#define CORE_SLOT_BAD_OFF 132u     /* 0xFFFFFFFF: not bad; anything else: bad */
#define CORE_SLOT_ATTEMPTS_OFF 136u /* 32 bits; each boot attempt clears one */
#define CORE_SLOT_STATE_END 140u

typedef enum {
    CORE_SLOT_EMPTY = 0, /* erased, never written */
    CORE_SLOT_INVALID,   /* written but not committed (torn upload) or corrupt: never runs */
    CORE_SLOT_TRIAL,     /* committed, not yet confirmed */
    CORE_SLOT_GOOD,      /* confirmed: survived the watch period */
    CORE_SLOT_BAD,       /* rolled back */
} core_slot_state_t;

/* Why a slot was marked bad; the value is stored in the bad word as
 * 0xBAD00000 | reason. */
typedef enum {
    CORE_SLOT_BAD_NONE = 0,
    CORE_SLOT_BAD_TRAPS = 1,         /* the trap watcher's K-within-T rule fired */
    CORE_SLOT_BAD_BOOT_ATTEMPTS = 2, /* started max_attempts times, never confirmed */
    CORE_SLOT_BAD_ROLLBACK = 3,      /* an operator asked for the previous core */
    CORE_SLOT_BAD_UNKNOWN = 255,     /* bad word torn or unknown: still bad */
} core_slot_bad_reason_t;

typedef struct {
    core_slot_state_t state;
    /* The fields below are meaningful for TRIAL, GOOD and BAD only. */
    uint32_t generation; /* orders the two slots: the newer is higher */
    uint32_t version;    /* the core's version, as given to commit */
    uint32_t length;     /* module bytes */
    uint8_t sha256[32];  /* of the module bytes, checked on every read */
    uint8_t attempts;    /* starts counted while on trial */
    core_slot_bad_reason_t bad_reason;
} core_slot_info_t;

typedef struct {
    const core_flash_t *flash;
    core_slots_sha256_fn sha256;
    uint8_t max_attempts; /* 1..32; 0 means CORE_SLOTS_DEFAULT_MAX_ATTEMPTS */
} core_slots_config_t;

typedef struct {
    core_slots_config_t cfg;
    size_t slot_size; /* half the partition, whole sectors */
    size_t capacity;  /* largest module: slot_size minus the header sector */
    bool scanned;     /* slot[] and boot reflect the flash */
    core_slot_info_t slot[CORE_SLOTS_COUNT];
    int boot; /* CORE_SLOT_EMBEDDED or the slot to run, by the rule below */
    /* Upload in progress (begin_write .. commit). */
    bool writing;
    int w_slot;
    uint32_t w_generation;
    uint32_t w_length;
    uint32_t w_written;
} core_slots_t;

typedef enum {
    CORE_SLOTS_OK = 0,
    CORE_SLOTS_ERR_ARG = -1,     /* a caller bug: NULL, an unknown slot, a chunk past the length */
    CORE_SLOTS_ERR_LAYOUT = -2,  /* partition too small or erase size unusable */
    CORE_SLOTS_ERR_FLASH = -3,   /* a flash read/write/erase failed */
    CORE_SLOTS_ERR_VERIFY = -4,  /* flash does not read back what was written */
    CORE_SLOTS_ERR_TOO_BIG = -5, /* module empty or larger than a slot */
    CORE_SLOTS_ERR_STATE = -6,   /* not allowed in the slot's state */
    CORE_SLOTS_ERR_RESCAN = -7,  /* flash state unknown: call core_slots_scan() first */
    CORE_SLOTS_ERR_CORRUPT = -8, /* module bytes do not match the header's SHA-256 */
} core_slots_err_t;

/* One line: what went wrong and what to do next. */
const char *core_slots_strerror(int err);
/* 'A' or 'B'; "embedded" for CORE_SLOT_EMBEDDED via core_slots_choice_name(). */
const char *core_slots_choice_name(int slot);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) of the header, stored in
 * the commit record. */
uint32_t core_slots_crc32(const void *data, size_t len);

/* Checks the layout (two slots of at least two sectors) and sets cs up;
 * reads nothing. */
int core_slots_init(core_slots_t *cs, const core_slots_config_t *cfg);

/*
 * Reads both slots and decides which one boots. A slot counts only if its
 * header and commit record are whole and the SHA-256 of its module bytes
 * matches the header (buf, at least cs->capacity bytes, is the work area).
 *
 * Which slot boots: among slots that are GOOD, or TRIAL with fewer than
 * max_attempts starts, the one with the highest generation; none:
 * CORE_SLOT_EMBEDDED. On return the chosen module is in buf
 * (cs->slot[cs->boot].length bytes). Read-only: a power cut cannot hurt.
 * CORE_SLOTS_ERR_FLASH when a read fails: boot is then CORE_SLOT_EMBEDDED
 * and nothing is written until a scan succeeds (an unreadable slot could be
 * the good one).
 */
int core_slots_scan(core_slots_t *cs, uint8_t *buf, size_t cap);

/*
 * What the board does at boot: scan, mark trial slots that used up their
 * attempts bad (CORE_SLOT_BAD_BOOT_ATTEMPTS), then count one start of the
 * chosen slot if it is on trial. *boot gets cs->boot; the module is in buf.
 * If the start cannot be recorded *boot is CORE_SLOT_EMBEDDED and the error
 * is returned: never run a trial core whose attempt was not counted.
 */
int core_slots_boot(core_slots_t *cs, uint8_t *buf, size_t cap, int *boot);

/* Counts one start of a TRIAL slot (one cleared bit); call it when a trial
 * core starts running, after a live swap as at boot. */
int core_slots_note_start(core_slots_t *cs, int slot);

/*
 * Upload, streamed: begin_write picks the target slot (never the newest GOOD
 * one; else an empty, invalid, bad or the older slot) and erases its header
 * sector, then the sectors the module needs; write_chunk appends bytes and
 * reads them back; commit writes the header, then the commit record. Until
 * the commit record is whole the slot never runs. Returns the target slot
 * (>= 0) or an error. Requires a scan since the last error.
 */
int core_slots_begin_write(core_slots_t *cs, size_t length);
int core_slots_write_chunk(core_slots_t *cs, const uint8_t *data, size_t len);
/* sha256: of all the bytes written (the caller hashed them in RAM). */
int core_slots_commit(core_slots_t *cs, uint32_t version, const uint8_t sha256[32]);

/* The same from one RAM buffer (the validator holds the whole module): the
 * SHA-256 comes from cfg.sha256. Returns the slot written or an error. */
int core_slots_store(core_slots_t *cs, const uint8_t *module, size_t len, uint32_t version);

/* TRIAL -> GOOD (GOOD: nothing to do). */
int core_slots_confirm(core_slots_t *cs, int slot);

/* TRIAL or GOOD -> BAD; the next choice is in cs->boot (read it with
 * core_slots_read()). */
int core_slots_mark_bad(core_slots_t *cs, int slot, core_slot_bad_reason_t reason);

/* Reads a committed slot's module into buf and checks its SHA-256
 * (CORE_SLOTS_ERR_CORRUPT when it does not match). */
int core_slots_read(const core_slots_t *cs, int slot, uint8_t *buf, size_t cap, size_t *len);

/* The boot choice of the last scan or state change. */
int core_slots_choice(const core_slots_t *cs);
const core_slot_info_t *core_slots_info(const core_slots_t *cs, int slot);

#ifdef __cplusplus
}
#endif
