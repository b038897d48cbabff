/* sharing.c - a process's shared variables and user locks (sharing.h). */
#include <stdlib.h>

#include "sharing.h"

static void destroy_objects(gs_process_state *ps)
{
    for (uint32_t i = 0; i < ps->nobjects; i++)
        ps->os->ops->mutex_free(ps->os, ps->objects[i]);
    ps->nobjects = 0;
}

int gs_process_init(gs_process_state *ps, const gs_program *prog, gs_os *os, uint32_t nusers, bool object_locks)
{
    gs_vm_shared_init(prog, ps->vars);
    ps->os = os;
    ps->nobjects = 0;
    for (; object_locks && ps->nobjects < prog->nshared; ps->nobjects++)
        if (!(ps->objects[ps->nobjects] = gs_os_mutex(os))) {
            destroy_objects(ps);
            return -1;
        }
    if (gs_ulocks_init(&ps->locks, os, prog->nulocks, nusers) != 0) {
        destroy_objects(ps);
        return -1;
    }
    return 0;
}

/* An object's lock is a PyMutex (CPython's Python/lock.c): in the
 * free-threaded build a taker that finds it held yields the CPU and tries
 * again, up to 40 times, before it parks (sleeps until an unlock wakes
 * it). */
#define OBJECT_LOCK_SPINS 40

/* The line comes over while the lock is held: that is how long a store
 * holds it, and why a hot object's lock is contended, its takers spinning
 * and at last sleeping and waking, once enough threads write it. */
void gs_process_store(gs_process_state *ps, uint32_t v, int64_t value)
{
    gs_os *os = ps->os;
    for (int spin = 0; !os->ops->mutex_trylock(os, ps->objects[v]); spin++) {
        if (spin == OBJECT_LOCK_SPINS) {
            gs_os_lock(os, ps->objects[v]);
            break;
        }
        os->ops->yield(os);
    }
    ps->os->ops->touched_shared(ps->os, 1ull << v);
    atomic_store_explicit(&ps->vars[v], value, memory_order_relaxed);
    gs_os_unlock(ps->os, ps->objects[v]);
}

void gs_process_destroy(gs_process_state *ps)
{
    gs_ulocks_destroy(&ps->locks);
    destroy_objects(ps);
}

int gs_process_collect(const gs_process_state *ps, const gs_program *prog, gs_run_result *r)
{
    r->nshared = prog->nshared;
    for (uint32_t i = 0; i < prog->nshared; i++)
        r->shared[i] += atomic_load(&ps->vars[i]);
    r->nulocks = prog->nulocks;
    if (prog->nulocks && !r->ulock_wait) {
        r->ulock_wait = calloc(prog->nulocks, sizeof *r->ulock_wait);
        if (!r->ulock_wait)
            return -1;
        for (uint32_t i = 0; i < prog->nulocks; i++)
            gs_hist_init(&r->ulock_wait[i]);
    }
    for (uint32_t i = 0; i < prog->nulocks && ps->locks.locks; i++)
        gs_hist_merge(&r->ulock_wait[i], &ps->locks.locks[i].wait);
    return 0;
}

void gs_native_enter(gs_native_meter *m)
{
    uint32_t now = atomic_fetch_add(&m->now, 1) + 1;
    for (uint32_t max = atomic_load(&m->max); now > max && !atomic_compare_exchange_weak(&m->max, &max, now);)
        ;
}

void gs_native_leave(gs_native_meter *m)
{
    atomic_fetch_sub(&m->now, 1);
}
