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
    gs_async_ask_stop(arg);
}

int gs_async_sim_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    char err[GS_ERRMSG_MAX];
    gs_run_sync sync;
    async_run r = {.be = &sim_backend, .os = os, .cfg = cfg, .out = out, .n = cfg->workers, .sync = &sync};
    r.io = gs_io_open(0, r.n, cfg->io_latency_ns, err); /* only its latency is used: nothing real */
    if (!r.io) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return -1;
    }
    gs_run_sync_init(&sync, os);
    int rc = gs_async_setup(&r) == 0 ? gs_async_drive(&r, loop_main, stop_loop) : -1;
    gs_async_release(&r);
    gs_io_close(r.io);
    gs_run_sync_destroy(&sync);
    return rc;
}
