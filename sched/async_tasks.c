/* async_tasks.c - what the async runners share: a task's life between
 * two I/O requests (see async_tasks.h). */
#include <stdio.h>
#include <stdlib.h>

#include "async_tasks.h"

void gs_async_enqueue(task *t)
{
    async_run *r = t->run;
    r->queue[(r->head + r->count++) % r->n] = (uint32_t)(t - r->tasks);
    gs_record(&t->res->rec, GS_EV_WANT, gs_os_now(r->os), 0);
    r->be->ready(r);
}

void gs_async_finish(task *t)
{
    if (t->finished)
        return;
    async_run *r = t->run;
    t->finished = true;
    t->res->instructions = t->vm->instructions;
    t->res->end_ns = gs_os_now(r->os);
    if (!t->started)
        t->res->start_ns = t->res->end_ns;
    gs_record(&t->res->rec, GS_EV_DONE, t->res->end_ns, 0);
    r->finished++;
    r->be->finished(t);
}

void gs_async_fail(task *t, const char *msg)
{
    gs_worker_fail(t->res, msg);
    gs_async_finish(t);
}

void gs_async_io_done(task *t, int64_t result)
{
    if (t->finished)
        return;
    gs_record(&t->res->rec, GS_EV_IO_END, gs_os_now(t->run->os), 0);
    gs_vm_complete_io(t->vm, result);
    gs_async_enqueue(t);
}

/* Runs t until it stops, and acts on why.  The loop's thread holds the lock. */
static void step(task *t)
{
    gs_worker_result *res = t->res;
    gs_os *os = t->run->os;
    uint64_t now = gs_os_now(os);
    if (!t->started) {
        t->started = true;
        res->start_ns = now;
    }
    if (t->in_io) {
        t->in_io = false;
        gs_hist_add(&res->io_latency, now - t->io_start_ns);
    }
    gs_record(&res->rec, GS_EV_GOT, now, 0);
    uint64_t cpu0 = gs_os_thread_cpu(os);
    gs_stop why = gs_worker_run_granted(os, t->vm, UINT64_MAX);
    res->cpu_ns += gs_os_thread_cpu(os) - cpu0;
    now = gs_os_now(os);
    gs_record(&res->rec, GS_EV_DROP_VOLUNTARY, now, 0);
    char msg[GS_ERRMSG_MAX];
    switch (why) {
    case GS_STOP_DONE:
        res->checksum = t->vm->result;
        gs_async_finish(t);
        break;
    case GS_STOP_IO:
        res->io_ops++;
        t->in_io = true;
        t->io_start_ns = now;
        gs_record(&res->rec, GS_EV_IO_START, now, (uint32_t)t->vm->io_kind);
        if (t->run->be->submit_io(t, msg) != 0)
            gs_async_fail(t, msg);
        break;
    case GS_STOP_ERROR:
        res->failed = true;
        gs_vm_format_error(t->vm, res->error, sizeof res->error);
        gs_async_finish(t);
        break;
    case GS_STOP_BREAK:
        if (gs_vm_breaker(t->vm) & GS_BREAK_STOP) {
            gs_async_fail(t, gs_worker_stop_reason());
            break;
        }
        gs_async_enqueue(t);
        break;
    case GS_STOP_YIELD:
    case GS_STOP_BUDGET:
        gs_async_enqueue(t);
        break;
    }
}

void gs_async_run_ready(async_run *r)
{
    for (uint32_t batch = r->count; batch > 0 && r->count > 0; batch--) {
        task *t = &r->tasks[r->queue[r->head]];
        r->head = (r->head + 1) % r->n;
        r->count--;
        if (!t->finished)
            step(t);
    }
}

void gs_async_fail_unfinished(async_run *r)
{
    const char *why = gs_worker_stop_reason();
    for (uint32_t i = 0; i < r->n && r->finished < r->n; i++)
        if (!r->tasks[i].finished)
            gs_async_fail(&r->tasks[i], why);
}
