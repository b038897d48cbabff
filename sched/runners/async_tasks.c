/* async_tasks.c - what the async runners share: a task's life between
 * two I/O requests (see async_tasks.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "async_tasks.h"

static void release(task *t, uint32_t i, uint64_t now);

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
    char msg[GS_ERRMSG_MAX];
    if (gs_worker_release_held(t->vm, t->held, msg)) /* or the tasks parked there would wait forever */
        for (uint32_t i = 0; i < GS_MAX_ULOCKS; i++)
            if (t->held[i])
                release(t, i, gs_os_now(r->os));
    if (msg[0] && !t->res->failed)
        gs_worker_fail(t->res, msg);
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
    gs_vm_complete(t->vm, result);
    gs_async_enqueue(t);
}

/* t releases user lock i, and the first task parked on it takes it. */
static void release(task *t, uint32_t i, uint64_t now)
{
    async_run *r = t->run;
    gs_ulock_release(&r->process.locks, i, &t->res->ulocks[i]);
    gs_record(&t->res->rec, GS_EV_ULOCK_RELEASE, now, i);
    t->held[i] = false;
    task *w = r->parked[i];
    if (!w)
        return;
    r->parked[i] = w->next_waiter;
    if (!r->parked[i])
        r->parked_last[i] = NULL;
    gs_ulock_cycle none;
    gs_ulock_wait(&r->process.locks, i, (uint32_t)(w - r->tasks), w->asked_ns, &w->res->ulocks[i],
                  &none); /* free: no waiting, the wait counted */
    gs_record(&w->res->rec, GS_EV_ULOCK_GOT, now, i);
    w->held[i] = true;
    gs_vm_complete(w->vm, 0);
    gs_async_enqueue(w);
}

/* A user lock's acquire or release, as asyncio.Lock: a task that finds the
 * lock held parks, and the loop runs the others; a release hands the lock
 * to the first task parked on it.  Returns true when t goes on running
 * (it took a free lock, or released one), as a coroutine does. */
static bool do_lock(task *t)
{
    async_run *r = t->run;
    gs_vm *vm = t->vm;
    uint32_t i = vm->ulock;
    uint64_t now = gs_os_now(r->os);
    char msg[GS_ERRMSG_MAX];
    if (gs_vm_lock_misuse(vm, t->held, msg)) {
        gs_vm_raise(vm, msg);
        return true; /* to its error */
    }
    uint32_t who = (uint32_t)(t - r->tasks);
    if (vm->request == GS_REQ_ACQUIRE && !gs_ulock_try(&r->process.locks, i, who, now, &t->res->ulocks[i])) {
        gs_ulock_cycle cycle;
        if (gs_ulock_park(&r->process.locks, i, who, &cycle)) { /* asyncio would wait forever */
            gs_worker_deadlock(vm->prog, "task", &cycle, msg);
            gs_vm_raise(vm, msg);
            return true; /* to its error */
        }
        gs_record(&t->res->rec, GS_EV_ULOCK_WAIT, now, i);
        t->asked_ns = now;
        t->next_waiter = NULL;
        if (r->parked_last[i])
            r->parked_last[i]->next_waiter = t;
        else
            r->parked[i] = t;
        r->parked_last[i] = t;
        return false;
    }
    if (vm->request == GS_REQ_RELEASE) {
        release(t, i, now);
    } else {
        gs_record(&t->res->rec, GS_EV_ULOCK_GOT, now, i);
        t->held[i] = true;
    }
    gs_vm_complete(vm, 0);
    return true;
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
    gs_stop why;
    for (;;) { /* native calls and lock operations that need no wait: the task goes on */
        why = gs_worker_run_granted(os, t->vm, UINT64_MAX);
        if (why == GS_STOP_NATIVE)
            gs_vm_complete(t->vm, gs_worker_native(os, t->vm->native_work, res, &t->run->meter));
        else if (why != GS_STOP_LOCK || !do_lock(t))
            break;
    }
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
    case GS_STOP_NATIVE: /* done on the loop's thread, above: the loop waits, as for a C call */
    case GS_STOP_LOCK:   /* parked on a user lock: its release enqueues it */
        break;
    case GS_STOP_BREAK:
        if (gs_vm_breaker(t->vm) & GS_BREAK_STOP) {
            gs_async_fail(t, gs_run_stop_reason());
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
    const char *why = gs_run_stop_reason();
    for (uint32_t i = 0; i < r->n && r->finished < r->n; i++)
        if (!r->tasks[i].finished)
            gs_async_fail(&r->tasks[i], why);
}

int gs_async_setup(async_run *r)
{
    gs_run_result *out = r->out;
    char err[GS_ERRMSG_MAX];
    r->gil = gs_gil_new(&r->cfg->gil, r->os);
    r->loop_vm = aligned_alloc(_Alignof(gs_vm), sizeof(gs_vm));
    if (r->loop_vm)
        memset(r->loop_vm, 0, sizeof *r->loop_vm);
    r->client = (gs_gil_client){.vm = r->loop_vm, .id = 0, .rec = &r->no_events, .stats = &out->loop_lock};
    r->tasks = calloc(r->n, sizeof *r->tasks);
    r->queue = calloc(r->n, sizeof *r->queue);
    if (!r->gil || !r->loop_vm || !r->tasks || !r->queue ||
        gs_process_init(&r->process, &r->cfg->workload->prog, r->os, r->n) != 0) {
        snprintf(out->error, sizeof out->error, "out of memory for %u tasks", r->n);
        return -1;
    }
    for (uint32_t i = 0; i < r->n; i++) {
        task *t = &r->tasks[i];
        t->run = r;
        t->res = &out->workers[i];
        t->vm = gs_worker_vm_new(r->cfg, t->res, err);
        if (!t->vm) {
            snprintf(out->error, sizeof out->error, "%s", err);
            return -1;
        }
        t->vm->shared = r->process.vars;
    }
    return 0;
}

void gs_async_release(async_run *r)
{
    if (gs_process_collect(&r->process, &r->cfg->workload->prog, r->out) != 0)
        snprintf(r->out->error, sizeof r->out->error, "out of memory for the user locks' figures");
    r->out->native_max = atomic_load(&r->meter.max);
    gs_process_destroy(&r->process);
    for (uint32_t i = 0; r->tasks && i < r->n; i++)
        free(r->tasks[i].vm);
    free(r->tasks);
    free(r->loop_vm);
    free(r->queue);
    if (r->gil)
        gs_gil_destroy(r->gil);
}

int gs_async_drive(async_run *r, void *(*loop_main)(void *), void (*stop)(void *))
{
    gs_run_result *out = r->out;
    gs_os *os = r->os;
    out->start_ns = gs_os_now(os);
    for (uint32_t i = 0; i < r->n; i++) {
        r->queue[i] = i;
        gs_record(&out->workers[i].rec, GS_EV_WANT, out->start_ns, 0);
    }
    r->count = r->n;
    gs_thread *loop;
    int e = os->ops->thread_start(os, &loop, GS_WORKER_STACK, loop_main, r);
    if (e != 0) {
        snprintf(out->error, sizeof out->error, "cannot create the loop's thread: %s", strerror(e));
        return -1;
    }
    out->spawn_ns = gs_os_now(os) - out->start_ns;
    gs_run_sync_open_gate(r->sync, GS_GATE_GO);
    uint64_t deadline = r->cfg->timeout_ns ? out->start_ns + r->cfg->timeout_ns : 0;
    out->stopped = gs_run_sync_wait(r->sync, 1, deadline, stop, r);
    os->ops->thread_join(os, loop);
    out->end_ns = gs_os_now(os);
    return 0;
}

void gs_async_ask_stop(async_run *r)
{
    atomic_store(&r->stop_asked, true);
    for (uint32_t i = 0; i < r->n; i++)
        gs_vm_set_breaker(r->tasks[i].vm, GS_BREAK_STOP);
}
