/* procs.c - the simulated machine's processes (machine.h, "Processes").
 *
 * DESIGN
 * A modelled process is a thread of the model (a fiber) that runs the
 * runner's child function, which allocates everything it uses for itself
 * and touches nothing of the parent's but the argument it was given and
 * the memory shared_new made: what a fork's copy gives a real child.
 * Starting one costs its parent fork_ns instead of a system call's
 * 500 ns; collecting it (reading what it sent, reaping it) collect_ns.
 * The children start together at the machine's start gate, parked there
 * without a stack until released (sim.c, "Start gates"): 16,384 of them,
 * one unit each on 8 modelled cores, took 185 MB, now 123 MB.
 * What it sends home is kept in order, up to the largest message it may
 * send (beyond that it is dropped, as the real parent drops it: the
 * message is too long to be believed anyway).
 *
 * Stopping: past the deadline or on an interrupt the parent calls each
 * unfinished child's stop, at once, from its own thread of the model.  A
 * modelled child has no signal to ignore and no way to hang outside the
 * interpreter, whose breaker it heeds, so none is ever killed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../run.h"
#include "sim_machine.h"

struct gs_home {
    gs_procs *group;
    uint32_t i;
    gs_thread *thread;
    unsigned char *sent;
    size_t len, cap;
    bool ended;
    int status;
    void (*stop)(void *arg, bool interrupted);
    void *stop_arg;
    int stop_pending;      /* 0, or 1 + interrupted: asked before it registered a stop */
};

struct gs_procs {
    gs_os *os;
    uint32_t n;
    size_t max;            /* the largest message a child may send, plus one */
    gs_home *homes;
    int (*child)(uint32_t i, void *arg, gs_home *home);
    void *arg;
    gs_gate *start;        /* the children are started at it (machine.h, gate_new) */
    bool go;               /* whether they run: set as the gate opens, read once it has */
    gs_mutex *mutex;
    gs_cond *cond;         /* signalled when a child ends */
    uint32_t ended;        /* guarded by mutex */
};

void *gs_sim_shared_new(gs_os *os, size_t size)
{
    (void)os;
    return calloc(1, size); /* one memory for every modelled process */
}

void gs_sim_shared_free(gs_os *os, void *p, size_t size)
{
    (void)os, (void)size;
    free(p);
}

static void *process_main(void *arg)
{
    gs_home *h = arg;
    gs_procs *g = h->group;
    gs_os *os = g->os;
    int status = g->go ? g->child(h->i, g->arg, h) : 0;
    gs_os_lock(os, g->mutex);
    h->status = status;
    h->ended = true;
    g->ended++;
    gs_os_broadcast(os, g->cond);
    gs_os_unlock(os, g->mutex);
    return NULL;
}

uint32_t gs_sim_procs_start(gs_os *os, gs_procs **out, uint32_t n, int (*child)(uint32_t i, void *arg, gs_home *home),
                            void *arg, size_t max_message, char err[GS_ERRMSG_MAX])
{
    gs_procs *g = calloc(1, sizeof *g);
    gs_home *homes = calloc(n, sizeof *homes);
    *out = g;
    if (!g || !homes) {
        snprintf(err, GS_ERRMSG_MAX, "cannot prepare %u processes: out of memory", n);
        free(homes);
        return 0;
    }
    *g = (gs_procs){.os = os, .max = max_message + 1, .homes = homes, .child = child, .arg = arg,
                    .start = os->ops->gate_new(os), .mutex = gs_os_mutex(os), .cond = gs_os_cond(os)};
    for (; g->n < n; g->n++) {
        gs_home *h = &homes[g->n];
        *h = (gs_home){.group = g, .i = g->n};
        gs_sim_spawn(os, &h->thread, process_main, h, gs_sim_model_of(os)->fork_ns, g->start);
    }
    return g->n;
}

void gs_sim_procs_release(gs_os *os, gs_procs *g, bool go)
{
    g->go = go;
    os->ops->gate_open(os, g->start);
}

static void ask_to_stop(gs_home *h, bool interrupted)
{
    if (h->stop)
        h->stop(h->stop_arg, interrupted);
    else
        h->stop_pending = 1 + interrupted;
}

bool gs_sim_procs_wait(gs_os *os, gs_procs *g, uint64_t deadline_ns, gs_proc_end *ends)
{
    bool asked = false;
    gs_os_lock(os, g->mutex);
    while (g->ended < g->n) {
        uint64_t now = gs_os_now(os);
        gs_os_wait_until(os, g->cond, g->mutex, now + gs_os_tick_ns(now, asked ? 0 : deadline_ns));
        if (!asked && (gs_run_stopping() || (deadline_ns && gs_os_now(os) >= deadline_ns))) {
            asked = true;
            for (uint32_t i = 0; i < g->n; i++)
                if (!g->homes[i].ended)
                    ask_to_stop(&g->homes[i], gs_run_stopping());
        }
    }
    gs_os_unlock(os, g->mutex);
    for (uint32_t i = 0; i < g->n; i++) {
        gs_home *h = &g->homes[i];
        os->ops->thread_join(os, h->thread);
        gs_sim_charge(os, gs_sim_model_of(os)->collect_ns);
        ends[i] = (gs_proc_end){.message = h->sent, .len = h->len, .code = h->status};
    }
    return asked;
}

void gs_sim_procs_free(gs_os *os, gs_procs *g)
{
    if (!g)
        return;
    for (uint32_t i = 0; g->homes && i < g->n; i++)
        free(g->homes[i].sent);
    if (g->mutex) {
        os->ops->gate_free(os, g->start);
        os->ops->cond_free(os, g->cond);
        os->ops->mutex_free(os, g->mutex);
    }
    free(g->homes);
    free(g);
}

int gs_sim_home_send(gs_os *os, gs_home *h, const void *bytes, size_t len)
{
    (void)os;
    size_t room = h->group->max - h->len;
    len = len < room ? len : room;
    if (h->len + len > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + len)
            cap *= 2;
        unsigned char *p = realloc(h->sent, cap);
        if (!p)
            return -1;
        h->sent = p;
        h->cap = cap;
    }
    if (len) /* bytes may be NULL when len is 0 */
        memcpy(h->sent + h->len, bytes, len);
    h->len += len;
    return 0;
}

/* The CPU that sending home costs, spent as computing is: on a core,
 * sliced and preempted with the other threads; the bytes themselves go
 * nowhere. */
int gs_sim_home_transfer(gs_os *os, gs_home *h, uint64_t bytes)
{
    (void)h;
    gs_sim_compute(os, (double)bytes / 1024 * (double)gs_sim_model_of(os)->transfer_kib_ns);
    return 0;
}

void gs_sim_home_on_stop(gs_os *os, gs_home *h, void (*stop)(void *arg, bool interrupted), void *arg)
{
    (void)os;
    h->stop = stop;
    h->stop_arg = arg;
    if (h->stop_pending)
        stop(arg, h->stop_pending == 2);
}
