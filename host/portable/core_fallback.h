/*
 * What a rollback runs, decided on the A/B slots (docs/update.md
 * "Rollback"): the previous *good* core, else the embedded one. The slots'
 * own boot rule (core_slots.h) would also run a newer slot still on trial
 * (an upload that was replaced before its watch window passed); a rollback
 * marks such a slot bad as well, so that what runs after the rollback is
 * also what the next boot chooses.
 *
 * Same thread rule as core_slots: one task at a time (the caller locks).
 */
#pragma once

#include <stdbool.h>

#include "core_slots.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The running core is an uploaded one that is in no slot (its store
 * failed): nothing to mark, the slots still say what runs next. */
#define CORE_FALLBACK_UNSTORED (-2)

/* What a rollback to "previous" would run while `running` runs (a slot,
 * CORE_SLOT_EMBEDDED or CORE_FALLBACK_UNSTORED): the newest GOOD slot other
 * than running, else CORE_SLOT_EMBEDDED. Reads nothing. */
int core_fallback_previous(const core_slots_t *cs, int running);

/*
 * Rolls back in flash. Marks `running` bad with `reason` when it is a slot;
 * then, so that core_slots_choice() is a GOOD slot or the embedded core,
 * every other slot that could boot but is not GOOD (or, with to_embedded,
 * every slot that could boot) bad with CORE_SLOT_BAD_ROLLBACK. Returns the
 * core to run now, which is also what the next boot chooses: a GOOD slot
 * (read it with core_slots_read) or CORE_SLOT_EMBEDDED; or a negative
 * core_slots_err_t when a flash write failed (then run the embedded core:
 * the slots are unknown until the next scan).
 */
int core_fallback_mark(core_slots_t *cs, int running, core_slot_bad_reason_t reason, bool to_embedded);

#ifdef __cplusplus
}
#endif
