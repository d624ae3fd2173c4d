#include "switch_edges.h"

void switch_edges_init(switch_edges_t *s, int32_t level)
{
    *s = (switch_edges_t){.level = level};
}

bool switch_edges_record(switch_edges_t *s, int32_t level, uint32_t time_ms, bool *first_since_take)
{
    if (level == s->level) {
        return false;
    }
    const switch_edge_t e = {.level = level, .time_ms = time_ms};
    if (s->count == 0) {
        s->first = e;
    } else {
        s->before_last = s->last;
    }
    s->last = e;
    s->level = level;
    s->count++;
    s->total++;
    if (first_since_take != NULL) {
        *first_since_take = (s->count == 1);
    }
    return true;
}

bool switch_edges_pending(const switch_edges_t *s)
{
    return s->count > 0;
}

size_t switch_edges_take(switch_edges_t *s, switch_edge_t out[SWITCH_EDGES_MAX_TAKE])
{
    size_t n = 0;
    if (s->count >= 1) {
        out[n++] = s->first;
    }
    /* With 2 edges, "before last" is the first one, already out. */
    if (s->count >= 3) {
        out[n++] = s->before_last;
    }
    if (s->count >= 2) {
        out[n++] = s->last;
    }
    s->count = 0;
    return n;
}
