/* sharing.c - a process's shared variables and user locks (sharing.h). */
#include <stdlib.h>

#include "sharing.h"

int gs_process_init(gs_process_state *ps, const gs_program *prog, gs_os *os, uint32_t nusers)
{
    gs_vm_shared_init(prog, ps->vars);
    return gs_ulocks_init(&ps->locks, os, prog->nulocks, nusers);
}

void gs_process_destroy(gs_process_state *ps)
{
    gs_ulocks_destroy(&ps->locks);
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
