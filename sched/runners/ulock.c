/* ulock.c - user locks, and finding their deadlocks (see ulock.h). */
#include <stdlib.h>
#include <string.h>

#include "ulock.h"

int gs_ulocks_init(gs_ulocks *u, gs_os *os, uint32_t n, uint32_t nusers)
{
    *u = (gs_ulocks){.os = os, .n = n, .nusers = nusers};
    if (n == 0)
        return 0;
    u->locks = calloc(n, sizeof *u->locks);
    u->users = calloc(nusers, sizeof *u->users);
    if (!u->locks || !u->users) {
        free(u->locks);
        free(u->users);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        u->locks[i].sem = os->ops->sem_new(os, 1);
        atomic_init(&u->locks[i].holder, -1);
        gs_hist_init(&u->locks[i].wait);
    }
    for (uint32_t k = 0; k < nusers; k++)
        atomic_init(&u->users[k].lock, -1);
    return 0;
}

void gs_ulocks_destroy(gs_ulocks *u)
{
    for (uint32_t i = 0; i < u->n && u->locks; i++)
        u->os->ops->sem_free(u->os, u->locks[i].sem);
    free(u->locks);
    free(u->users);
    *u = (gs_ulocks){0};
}

/* Whether the count just taken from l's semaphore is the taker's: not
 * once the run is stopping (then it is passed on, see the header). */
static bool kept(gs_ulocks *u, gs_ulock *l)
{
    if (!atomic_load(&u->stopping))
        return true;
    u->os->ops->sem_post(u->os, l->sem);
    return false;
}

/* Records that `who`, who asked at asked_ns, took l at now, and pays for
 * the acquire's work (lock_op), on its way out once the count is taken,
 * as a release pays on its way out once it posted: the modelled cost of
 * each lies after the semaphore's own operation. */
static void take(gs_ulocks *u, gs_ulock *l, uint32_t who, uint64_t asked_ns, uint64_t now, bool waited,
                 gs_ulock_counts *c)
{
    atomic_store(&l->holder, (int32_t)who);
    u->os->ops->lock_op(u->os);
    l->got_ns = now;
    c->acquisitions++;
    if (waited) {
        c->contended++;
        c->wait_ns += now - asked_ns;
        gs_hist_add(&l->wait, now - asked_ns);
    }
}

bool gs_ulock_try(gs_ulocks *u, uint32_t i, uint32_t who, uint64_t asked_ns, gs_ulock_counts *c)
{
    gs_ulock *l = &u->locks[i];
    gs_sem_waited how;
    if (!u->os->ops->sem_wait(u->os, l->sem, 0, &how) || !kept(u, l))
        return false;
    take(u, l, who, asked_ns, asked_ns, false, c); /* at once: no clock read of its own, which
                                                      costs a real lock a tenth of its time */
    return true;
}

/* One look at who's waits: the chain from who (waiting for lock i) along
 * holders and what they wait for.  Each user's wait is read as (waits,
 * lock, waits again), so that a wait seen is one wait.  Returns whether
 * the chain comes back to who; *cycle and waits[] (each user's count)
 * describe it. */
static bool look(gs_ulocks *u, uint32_t who, uint32_t i, gs_ulock_cycle *cycle, uint64_t waits[GS_MAX_ULOCKS])
{
    cycle->n = 0;
    for (uint32_t user = who, lock = i;;) {
        if (cycle->n == GS_MAX_ULOCKS)
            return false; /* a chain into a cycle of others: theirs to report */
        if (user != who) {
            const gs_ulock_user *x = &u->users[user];
            uint64_t before = atomic_load(&x->waits);
            int32_t l = atomic_load(&x->lock);
            if (l < 0 || atomic_load(&x->waits) != before)
                return false;
            lock = (uint32_t)l;
            waits[cycle->n] = before;
        } else {
            waits[cycle->n] = atomic_load(&u->users[who].waits);
        }
        cycle->user[cycle->n] = user;
        cycle->lock[cycle->n] = lock;
        cycle->n++;
        int32_t holder = atomic_load(&u->locks[lock].holder);
        if (holder < 0)
            return false;
        if ((uint32_t)holder == who)
            return true;
        user = (uint32_t)holder;
    }
}

/* Whether a is the lowest-numbered user of cycle c. */
static bool lowest(const gs_ulock_cycle *c, uint32_t a)
{
    for (uint32_t k = 0; k < c->n; k++)
        if (c->user[k] < a)
            return false;
    return true;
}

/* Whether two looks saw the same cycle, every user in the same wait. */
static bool same(const gs_ulock_cycle *a, const uint64_t a_waits[], const gs_ulock_cycle *b, const uint64_t b_waits[])
{
    if (a->n == 0 || a->n != b->n)
        return false;
    for (uint32_t k = 0; k < a->n; k++)
        if (a->user[k] != b->user[k] || a->lock[k] != b->lock[k] || a_waits[k] != b_waits[k])
            return false;
    return true;
}

gs_ulock_outcome gs_ulock_wait(gs_ulocks *u, uint32_t i, uint32_t who, uint64_t asked_ns, gs_ulock_counts *c,
                               gs_ulock_cycle *cycle)
{
    gs_ulock *l = &u->locks[i];
    gs_ulock_user *me = &u->users[who];
    atomic_fetch_add(&me->waits, 1);
    atomic_store(&me->lock, (int32_t)i);
    gs_ulock_cycle seen = {0};
    uint64_t seen_waits[GS_MAX_ULOCKS] = {0}, waits[GS_MAX_ULOCKS] = {0};
    gs_ulock_outcome outcome = GS_ULOCK_STOPPED;
    while (!atomic_load(&u->stopping)) {
        gs_sem_waited how;
        bool took = u->os->ops->sem_wait(u->os, l->sem, gs_os_now(u->os) + GS_DEADLOCK_CHECK_NS, &how);
        c->futile += how.futile;
        if (took) {
            if (kept(u, l)) {
                take(u, l, who, asked_ns, gs_os_now(u->os), true, c);
                outcome = GS_ULOCK_TAKEN;
            }
            break;
        }
        bool found = look(u, who, i, cycle, waits) && lowest(cycle, who);
        if (found && same(&seen, seen_waits, cycle, waits)) {
            outcome = GS_ULOCK_DEADLOCK;
            break;
        }
        seen = found ? *cycle : (gs_ulock_cycle){0};
        memcpy(seen_waits, waits, sizeof waits);
    }
    atomic_store(&me->lock, -1);
    return outcome;
}

bool gs_ulock_park(gs_ulocks *u, uint32_t i, uint32_t who, gs_ulock_cycle *cycle)
{
    gs_ulock_user *me = &u->users[who];
    atomic_fetch_add(&me->waits, 1);
    atomic_store(&me->lock, (int32_t)i);
    uint64_t waits[GS_MAX_ULOCKS];
    if (!look(u, who, i, cycle, waits))
        return false;
    atomic_store(&me->lock, -1);
    return true;
}

void gs_ulock_release(gs_ulocks *u, uint32_t i, uint64_t now, gs_ulock_counts *c)
{
    gs_ulock *l = &u->locks[i];
    c->held_ns += now - l->got_ns;
    atomic_store(&l->holder, -1);
    u->os->ops->sem_post(u->os, l->sem);
    u->os->ops->lock_op(u->os); /* the release's work, on its way out */
}

void gs_ulocks_stop(gs_ulocks *u)
{
    atomic_store(&u->stopping, true);
    for (uint32_t i = 0; i < u->n; i++)
        u->os->ops->sem_post(u->os, u->locks[i].sem);
}
