/* async_sim.c - the async runner on the simulated machine (sim.h): N tasks
 * on one loop thread, in virtual time.
 *
 * DESIGN
 * libuv cannot run here: its timers and polls read the real clock and
 * block in the kernel.  So this file is the loop alone, over the run's
 * operating system; what a task does between two I/O requests is
 * async_tasks.c's, the same code as under libuv.
 * The loop thread holds the lock while it runs tasks, as asyncio's does.
 * Each turn it runs the tasks that were ready when the turn began.  With
 * none ready it drops the lock, sleeps until the earliest I/O is due, takes
 * the lock again, and completes every request now due: a sleep's loop lag
 * is how late that was.  An I/O request takes the latency its kind takes on
 * the model (gs_os_ops.io_latency); nothing real is read or written.
 * Stopping: the caller's thread sets GS_BREAK_STOP on every task and
 * stop_asked; the loop fails whatever has not finished at its next turn. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_tasks.h"

static int sim_submit_io(task *t, char msg[GS_ERRMSG_MAX])
{
    (void)msg;
    gs_os *os = t->run->os;
    t->timer_due_ns = t->io_start_ns + os->ops->io_latency(os, t->run->io, (int)t->vm->io_kind);
    t->io_pending = true;
    return 0;
}

static void sim_ready(async_run *r) { (void)r; }  /* the loop looks at the queue every turn */
static void sim_finished(task *t) { (void)t; }    /* nothing held */

static const async_backend sim_backend = {.submit_io = sim_submit_io, .ready = sim_ready, .finished = sim_finished};

/* The earliest due time of a request in flight, or 0 when none is. */
static uint64_t next_due(const async_run *r)
{
    uint64_t due = 0;
    for (uint32_t i = 0; i < r->n; i++) {
        const task *t = &r->tasks[i];
        if (!t->finished && t->io_pending && (!due || t->timer_due_ns < due))
            due = t->timer_due_ns;
    }
    return due;
}

/* Completes every request due by now, in task order. */
static void complete_due(async_run *r, uint64_t now)
{
    for (uint32_t i = 0; i < r->n; i++) {
        task *t = &r->tasks[i];
        if (t->finished || !t->io_pending || t->timer_due_ns > now)
            continue;
        t->io_pending = false;
        if (t->vm->io_kind == GS_IO_SLEEP)
            gs_hist_add(&t->res->loop_lag, now - t->timer_due_ns);
        gs_async_io_done(t, t->vm->io_arg);
    }
}

static void *loop_main(void *arg)
{
    async_run *r = arg;
    gs_os *os = r->os;
    for (uint32_t i = 0; i < r->n; i++)
        r->out->workers[i].cpus = os->ops->cpus(os);
    if (gs_run_sync_wait_gate(r->sync)) {
        gs_gil_take(r->gil, &r->client);
        while (r->finished < r->n) {
            gs_async_run_ready(r);
            if (atomic_load(&r->stop_asked)) {
                gs_async_fail_unfinished(r);
                break;
            }
            if (r->count)
                continue;
            uint64_t due = next_due(r);
            if (!due)
                break; /* every task finished, or failed */
            gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
            uint64_t now = gs_os_now(os);
            if (due > now)
                gs_os_sleep(os, due - now);
            gs_gil_take(r->gil, &r->client);
            complete_due(r, gs_os_now(os));
        }
        gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
    }
    gs_run_sync_done(r->sync);
    return NULL;
}

static void stop_loop(void *arg)
{
    async_run *r = arg;
    atomic_store(&r->stop_asked, true);
    for (uint32_t i = 0; i < r->n; i++)
        gs_vm_set_breaker(r->tasks[i].vm, GS_BREAK_STOP);
}

int gs_async_sim_run(const gs_run_config *cfg, gs_run_result *out)
{
    uint32_t n = cfg->workers;
    gs_os *os = gs_run_os(cfg);
    char err[GS_ERRMSG_MAX];
    gs_run_sync sync;
    async_run r = {.be = &sim_backend, .os = os, .cfg = cfg, .out = out, .n = n, .sync = &sync};
    r.io = gs_io_open(0, n, cfg->io_latency_ns, err); /* only its latency is used: nothing real */
    if (!r.io) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return -1;
    }
    gs_run_sync_init(&sync, os);
    r.gil = gs_gil_new(&cfg->gil, os);
    r.loop_vm = aligned_alloc(_Alignof(gs_vm), sizeof(gs_vm));
    if (r.loop_vm)
        memset(r.loop_vm, 0, sizeof *r.loop_vm);
    r.client = (gs_gil_client){.vm = r.loop_vm, .id = 0, .rec = &r.no_events, .stats = &out->loop_lock};
    r.tasks = calloc(n, sizeof *r.tasks);
    r.queue = calloc(n, sizeof *r.queue);
    int rc = -1;
    if (!r.gil || !r.loop_vm || !r.tasks || !r.queue) {
        snprintf(out->error, sizeof out->error, "out of memory for %u tasks", n);
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) {
        task *t = &r.tasks[i];
        t->run = &r;
        t->res = &out->workers[i];
        t->vm = gs_worker_vm_new(cfg, t->res, err);
        if (!t->vm) {
            snprintf(out->error, sizeof out->error, "%s", err);
            goto done;
        }
    }
    out->start_ns = gs_os_now(os);
    for (uint32_t i = 0; i < n; i++) {
        r.queue[i] = i;
        gs_record(&out->workers[i].rec, GS_EV_WANT, out->start_ns, 0);
    }
    r.count = n;
    gs_thread *loop;
    int e = os->ops->thread_start(os, &loop, GS_WORKER_STACK, loop_main, &r);
    if (e != 0) {
        snprintf(out->error, sizeof out->error, "cannot create the loop's thread: %s", strerror(e));
        goto done;
    }
    out->spawn_ns = gs_os_now(os) - out->start_ns;
    gs_run_sync_open_gate(&sync, GS_GATE_GO);
    uint64_t deadline = cfg->timeout_ns ? out->start_ns + cfg->timeout_ns : 0;
    out->stopped = gs_run_sync_wait(&sync, 1, deadline, stop_loop, &r);
    os->ops->thread_join(os, loop);
    out->end_ns = gs_os_now(os);
    rc = 0;
done:
    for (uint32_t i = 0; r.tasks && i < n; i++)
        free(r.tasks[i].vm);
    free(r.tasks);
    free(r.loop_vm);
    free(r.queue);
    if (r.gil)
        gs_gil_destroy(r.gil);
    gs_io_close(r.io);
    gs_run_sync_destroy(&sync);
    return rc;
}
