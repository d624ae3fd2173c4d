#include "core_fallback.h"

static bool is_slot(int slot)
{
    return slot >= 0 && slot < CORE_SLOTS_COUNT;
}

int core_fallback_previous(const core_slots_t *cs, int running)
{
    int best = CORE_SLOT_EMBEDDED;
    for (int i = 0; i < CORE_SLOTS_COUNT; i++) {
        const core_slot_info_t *s = core_slots_info(cs, i);
        if (i != running && s != NULL && s->state == CORE_SLOT_GOOD &&
            (best == CORE_SLOT_EMBEDDED || s->generation > cs->slot[best].generation)) {
            best = i;
        }
    }
    return best;
}

int core_fallback_mark(core_slots_t *cs, int running, core_slot_bad_reason_t reason, bool to_embedded)
{
    if (cs == NULL) {
        return CORE_SLOTS_ERR_ARG;
    }
    if (is_slot(running)) {
        const core_slot_info_t *s = core_slots_info(cs, running);
        if (s->state == CORE_SLOT_TRIAL || s->state == CORE_SLOT_GOOD) {
            int err = core_slots_mark_bad(cs, running, reason);
            if (err != CORE_SLOTS_OK) {
                return err;
            }
        }
    }
    /* Whatever the boot rule would still pick but a rollback must not run.
     * Each mark changes the choice; at most one pass per slot. */
    for (int pass = 0; pass < CORE_SLOTS_COUNT; pass++) {
        int next = core_slots_choice(cs);
        if (!is_slot(next)) {
            break;
        }
        if (!to_embedded && core_slots_info(cs, next)->state == CORE_SLOT_GOOD) {
            break;
        }
        int err = core_slots_mark_bad(cs, next, CORE_SLOT_BAD_ROLLBACK);
        if (err != CORE_SLOTS_OK) {
            return err;
        }
    }
    return core_slots_choice(cs);
}
