#include "guarded_io.h"

int guarded_io(session_guard_t *g, const guarded_io_ops_t *ops, int fd, guarded_io_dir_t dir, void *buf,
               size_t len)
{
    /* The first read or write of a connection starts its deadline. */
    (void)session_guard_wait_ms(g, fd, ops->now_ms(ops->ctx));
    for (;;) {
        int r = ops->attempt(ops->ctx, fd, dir, buf, len);
        if (r != GUARDED_IO_AGAIN) {
            return r;
        }
        uint32_t wait_ms = session_guard_wait_ms(g, fd, ops->now_ms(ops->ctx));
        if (wait_ms == 0) {
            session_guard_timed_out(g, fd, dir == GUARDED_IO_WRITE);
            return GUARDED_IO_TIMEOUT;
        }
        if (ops->wait(ops->ctx, fd, dir, wait_ms) < 0) {
            return GUARDED_IO_FAIL;
        }
        /* Ready, or woken early: try again, then ask the guard again. */
    }
}
