/* io.c - the simulated machine's I/O and event loop (machine.h).
 *
 * DESIGN
 * Nothing real is read or written: a request takes the time its kind
 * takes on the model and returns its token, as the real ones do.
 *   sleep, pipe  the run's latency, then timer_ns late (a timer wakes it);
 *   file         file_io_ns, then a wake-up (the disk's interrupt).
 * A stop needs nothing here: a modelled wait ends at its latency, and a
 * run's waits are virtual, so waiting them out costs no real time.
 *
 * The loop keeps each task's request with the moment it is due.  A
 * blocking wait with nothing due sleeps until the earliest is (timer_ns
 * late, as a real loop's poll is); then every request due by now completes,
 * in task order, a sleep with how late that was (the loop's lag). */
#include <stdio.h>
#include <stdlib.h>

#include "../../../interp/opcodes.h"
#include "sim_machine.h"

struct gs_io {
    uint64_t latency_ns;
};

typedef struct {
    bool pending;
    bool is_sleep;
    uint64_t due_ns;
    int64_t token;
} sim_request;

struct gs_loop {
    gs_io *io;
    uint32_t n, pending;
    sim_request *req;      /* one a task */
    bool woken;
};

gs_io *gs_sim_io_open(gs_os *os, unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX])
{
    (void)os, (void)kinds, (void)nworkers;
    gs_io *io = calloc(1, sizeof *io);
    if (!io) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the run's I/O");
        return NULL;
    }
    io->latency_ns = latency_ns;
    return io;
}

/* How long a request of kind takes on the model. */
static uint64_t latency(gs_os *os, const gs_io *io, int kind)
{
    return kind == GS_IO_FILE ? gs_sim_model_of(os)->file_io_ns : io->latency_ns;
}

int gs_sim_io_perform(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                      char err[GS_ERRMSG_MAX])
{
    (void)worker, (void)err;
    const gs_sim_model *m = gs_sim_model_of(os);
    gs_sim_doze(os, latency(os, io, kind), kind == GS_IO_FILE ? m->wake_ns : m->timer_ns);
    *result = token;
    return 0;
}

void gs_sim_io_stop(gs_os *os, gs_io *io)
{
    (void)os, (void)io;
}

void gs_sim_io_close(gs_os *os, gs_io *io)
{
    (void)os;
    free(io);
}

gs_loop *gs_sim_loop_open(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX])
{
    (void)os;
    gs_loop *l = calloc(1, sizeof *l);
    sim_request *req = calloc(ntasks, sizeof *req);
    if (!l || !req) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the loop of %u tasks", ntasks);
        free(l);
        free(req);
        return NULL;
    }
    *l = (gs_loop){.io = io, .n = ntasks, .req = req};
    return l;
}

int gs_sim_loop_submit(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX])
{
    (void)err;
    l->req[task] = (sim_request){.pending = true, .is_sleep = kind == GS_IO_SLEEP,
                                 .due_ns = gs_os_now(os) + latency(os, l->io, kind), .token = token};
    l->pending++;
    return 0;
}

uint32_t gs_sim_loop_wait(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block)
{
    uint64_t now = gs_os_now(os), due = UINT64_MAX;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->req[i].pending && l->req[i].due_ns < due)
            due = l->req[i].due_ns;
    if (block && !l->woken && l->pending && due > now) {
        gs_os_sleep(os, due - now);
        now = gs_os_now(os);
    }
    l->woken = false;
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n && k < max; i++) {
        sim_request *r = &l->req[i];
        if (!r->pending || r->due_ns > now)
            continue;
        r->pending = false;
        l->pending--;
        done[k++] = (gs_loop_done){.task = i, .result = r->token, .is_sleep = r->is_sleep,
                                   .late_ns = r->is_sleep ? now - r->due_ns : 0};
    }
    return k;
}

void gs_sim_loop_wake(gs_os *os, gs_loop *l)
{
    (void)os;
    l->woken = true;
}

void gs_sim_loop_close(gs_os *os, gs_loop *l)
{
    (void)os;
    free(l->req);
    free(l);
}
