/* threads.c - the threads runner: N threads, one interpreter state each,
 * all sharing one lock.
 *
 * DESIGN
 * The threads, their clock and their synchronisation are the machine's
 * (machine.h), so this runner runs over a simulated machine as over the
 * real one.  Each thread lives the life of a worker (worker.h) on the one
 * shared lock (or, for the per-interpreter policy, on a lock of its own).
 * The workers share the process's variables and user locks (sharing.h),
 * but for the per-interpreter policy, where each has its own, as
 * subinterpreters do.
 * Workers start together at the machine's start gate (machine.h,
 * gate_new), so none gets a head start while the others are still being
 * created.  The calling thread then waits for them,
 * waking every few milliseconds to apply --timeout and interrupts by setting
 * GS_BREAK_STOP on every interpreter; a running worker sees it at its next
 * back-edge.  A thread that cannot be created is reported, and the workers
 * already created are released without running. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "runner.h"
#include "worker.h"

typedef struct {
    gs_worker worker;
    gs_run_sync *sync;
    bool shares_memory; /* other threads compute on its shared variables */
    bool alone;         /* nothing the others do reaches its instructions (machine.h) */
    bool interpreter;   /* per-interpreter: it starts an interpreter of its own ... */
    uint64_t transfer;  /* ... and sends each unit's bytes through a channel (--transfer) */
} thread_worker;

static void *worker_main(void *arg)
{
    thread_worker *t = arg;
    gs_os *os = t->worker.gil->os;
    if (t->shares_memory)
        os->ops->shares_memory(os);
    if (t->alone)
        os->ops->computes_alone(os);
    if (t->sync->go) {
        if (t->interpreter) /* inside the run, as a pool's start is inside its caller's wait */
            os->ops->interpreter_start(os);
        gs_worker_run(&t->worker);
        gs_worker_result *res = t->worker.res;
        res->transfer_bytes = t->interpreter ? res->units * t->transfer : 0;
        if (res->transfer_bytes) { /* the units' data to the interpreter that asked */
            uint64_t t0 = gs_os_now(os);
            os->ops->channel_send(os, res->transfer_bytes);
            res->transfer_ns = gs_os_now(os) - t0;
        }
    }
    gs_run_sync_done(t->sync);
    return NULL;
}

typedef struct {
    gs_os *os;
    thread_worker *w;
    uint32_t n;
    gs_process_state *states;
    uint32_t nstates;
    gs_gil **locks;
    uint32_t nlocks;
    gs_io *io;
} stop_args;

/* Every worker stops at its next poll, or now if it waits for the lock,
 * for a user lock or is in I/O. */
static void stop_workers(void *arg)
{
    stop_args *a = arg;
    for (uint32_t i = 0; i < a->n; i++)
        gs_vm_set_breaker(a->w[i].worker.vm, GS_BREAK_STOP);
    for (uint32_t i = 0; i < a->nlocks; i++)
        gs_gil_stop(a->locks[i]);
    for (uint32_t i = 0; i < a->nstates; i++)
        gs_ulocks_stop(&a->states[i].locks);
    a->os->ops->io_stop(a->os, a->io);
}

int gs_threads_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    char err[GS_ERRMSG_MAX];
    uint32_t n = cfg->workers;
    gs_io *io = os->ops->io_open(os, gs_program_io_kinds(&cfg->workload->prog), n, cfg->io_latency_ns, err);
    if (!io) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return -1;
    }
    /* per-interpreter: a lock and a module's variables for each worker,
     * shared with nobody (subinterpreters share no objects: PEP 684, 734) */
    bool apart = gs_gil_policy_scope[cfg->gil.policy] == GS_SCOPE_PER_WORKER;
    uint32_t nlocks = apart ? n : 1, nstates = apart ? n : 1;
    gs_gil **locks = calloc(nlocks, sizeof *locks);
    bool have_locks = locks != NULL;
    for (uint32_t i = 0; have_locks && i < nlocks; i++)
        have_locks = (locks[i] = gs_gil_new(&cfg->gil, os)) != NULL;
    gs_process_state *states = calloc(nstates, sizeof *states);
    bool objects = gs_gil_has(cfg->gil.policy, GS_TRAIT_OBJECTS); /* free-threaded: each variable its lock */
    uint32_t ready = 0;
    for (; states && ready < nstates; ready++)
        if (gs_process_init(&states[ready], &cfg->workload->prog, os, apart ? 1 : n, objects) != 0)
            break;
    gs_native_meter meter = {0};
    thread_worker *w = calloc(n, sizeof *w);
    gs_vm *vms = gs_vm_new_many(n); /* the workers' interpreter states, in one block */
    gs_thread **tids = calloc(n, sizeof *tids);
    gs_run_sync sync;
    gs_run_sync_init(&sync, os);
    int rc = -1;
    uint32_t started = 0;
    if (!have_locks || !w || !vms || !tids || !states || ready < nstates) {
        snprintf(out->error, sizeof out->error, "out of memory for %u threads", n);
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        w[i].sync = &sync;
        w[i].shares_memory = !apart && n > 1 && cfg->workload->prog.nshared > 0;
        /* its lock its own, or none at all (free-threaded's collector
         * stops the others), and no variable shared */
        bool no_lock = gs_gil_policy_scope[cfg->gil.policy] == GS_SCOPE_NONE && !objects;
        w[i].alone = !w[i].shares_memory && (apart || n == 1 || no_lock);
        w[i].interpreter = apart;
        w[i].transfer = cfg->transfer_bytes;
        if (gs_worker_init(&w[i].worker, cfg, &out->workers[i], locks[i % nlocks], io, i, &vms[i], err) != 0) {
            snprintf(out->error, sizeof out->error, "%s", err);
            goto done;
        }
        gs_worker_share(&w[i].worker, &states[i % nstates], apart ? 0 : i, &meter);
    }

    out->start_ns = gs_os_now(os);
    for (; started < n; started++) {
        int e = os->ops->thread_start(os, &tids[started], GS_WORKER_STACK, worker_main, &w[started], sync.start);
        if (e != 0) {
            snprintf(out->error, sizeof out->error,
                     "cannot create thread %u of %u: %s (see the limits on threads, ulimit -u, "
                     "and on memory, ulimit -v)", started + 1, n, strerror(e));
            break;
        }
    }
    out->spawn_ns = gs_os_now(os) - out->start_ns;
    gs_run_sync_open_gate(&sync, started == n, started);
    uint64_t deadline = cfg->timeout_ns ? out->start_ns + cfg->timeout_ns : 0;
    stop_args stop = {os, w, started, states, nstates, locks, nlocks, io};
    out->stopped = gs_run_sync_wait(&sync, deadline, stop_workers, &stop);
    for (uint32_t i = 0; i < started; i++)
        os->ops->thread_join(os, tids[i]);
    out->end_ns = gs_os_now(os);
    rc = started == n ? 0 : -1;
    for (uint32_t i = 0; rc == 0 && i < nstates; i++) /* interpreters' copies: added up, as processes' are */
        if (gs_process_collect(&states[i], &cfg->workload->prog, out) != 0) {
            snprintf(out->error, sizeof out->error, "out of memory for the user locks' figures");
            rc = -1;
        }
    out->native_max = atomic_load(&meter.max);
done:
    for (uint32_t i = 0; i < ready; i++)
        gs_process_destroy(&states[i]);
    free(states);
    gs_vm_free_many(vms, n);
    free(w);
    free(tids);
    for (uint32_t i = 0; locks && i < nlocks; i++)
        if (locks[i])
            gs_gil_destroy(locks[i]);
    free(locks);
    os->ops->io_close(os, io);
    gs_run_sync_destroy(&sync);
    return rc;
}
