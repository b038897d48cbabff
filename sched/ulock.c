/* ulock.c - user locks (see ulock.h). */
#include <stdlib.h>

#include "ulock.h"

int gs_ulocks_init(gs_ulocks *u, gs_os *os, uint32_t n)
{
    *u = (gs_ulocks){.os = os, .n = n};
    if (n == 0)
        return 0;
    u->locks = calloc(n, sizeof *u->locks);
    if (!u->locks)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        u->locks[i].mutex = gs_os_mutex(os);
        u->locks[i].cond = gs_os_cond(os);
        gs_hist_init(&u->locks[i].wait);
    }
    return 0;
}

void gs_ulocks_destroy(gs_ulocks *u)
{
    for (uint32_t i = 0; i < u->n && u->locks; i++) {
        u->os->ops->cond_free(u->os, u->locks[i].cond);
        u->os->ops->mutex_free(u->os, u->locks[i].mutex);
    }
    free(u->locks);
    *u = (gs_ulocks){0};
}

/* Takes l, which is free, for a caller that asked at asked_ns.
 * Precondition: l->mutex is held. */
static void take(gs_ulocks *u, gs_ulock *l, uint64_t asked_ns, bool waited, gs_ulock_counts *c)
{
    uint64_t now = gs_os_now(u->os);
    l->locked = true;
    l->got_ns = now;
    c->acquisitions++;
    if (waited) {
        c->contended++;
        c->wait_ns += now - asked_ns;
        gs_hist_add(&l->wait, now - asked_ns);
    }
}

bool gs_ulock_try(gs_ulocks *u, uint32_t i, uint64_t asked_ns, gs_ulock_counts *c)
{
    gs_ulock *l = &u->locks[i];
    gs_os_lock(u->os, l->mutex);
    bool free_now = !l->locked;
    if (free_now)
        take(u, l, asked_ns, false, c);
    gs_os_unlock(u->os, l->mutex);
    return free_now;
}

void gs_ulock_wait(gs_ulocks *u, uint32_t i, uint64_t asked_ns, gs_ulock_counts *c)
{
    gs_ulock *l = &u->locks[i];
    gs_os_lock(u->os, l->mutex);
    while (l->locked)
        gs_os_wait(u->os, l->cond, l->mutex);
    take(u, l, asked_ns, true, c);
    gs_os_unlock(u->os, l->mutex);
}

void gs_ulock_release(gs_ulocks *u, uint32_t i, gs_ulock_counts *c)
{
    gs_ulock *l = &u->locks[i];
    gs_os_lock(u->os, l->mutex);
    l->locked = false;
    c->held_ns += gs_os_now(u->os) - l->got_ns;
    gs_os_signal(u->os, l->cond);
    gs_os_unlock(u->os, l->mutex);
}
