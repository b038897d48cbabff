/* async.c - the async runner: N tasks, each an interpreter state, on one
 * event loop run by one thread, as asyncio runs coroutines.
 *
 * DESIGN
 * A task runs until it finishes, reaches an io instruction or yields; no
 * two tasks ever run at once.  Ready tasks wait in a FIFO queue.  Each
 * round the loop's thread runs the tasks that were ready when the round
 * began (as asyncio's _run_once runs the callbacks ready at its start), so
 * a task that yields goes behind the others; then it asks the machine's
 * event loop (machine.h, "The loop": libuv on the real machine, modelled
 * in virtual time) for the I/O completed meanwhile, blocking only when no
 * task is ready, and queues each completed task again.  This file is the
 * same for both machines.
 *
 * Loop lag: for each sleep, how late its completion came after the
 * latency was over.  While a task computes the loop takes no completion at
 * all, so CPU work in one task is lag in every other.
 *
 * The lock: the loop's thread treats the lock as asyncio's thread does:
 * held while it runs tasks, dropped around every look at the loop for I/O.
 * Nothing else wants it, so it is never contended; the report says so
 * with the counts measured here.
 *
 * User locks are asyncio.Lock's: a task that finds one held parks, the
 * loop runs the others, and a release hands the lock to the first task
 * parked on it.
 *
 * Stopping: the calling thread waits as the threads runner does; on
 * timeout or interrupt it sets GS_BREAK_STOP on every task (a running task
 * stops at its next back-edge), ends the I/O waits and wakes the loop,
 * whose thread then fails every unfinished task with the reason.
 *
 * Threading: everything here belongs to the loop's thread, except the
 * breakers and stop_asked. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "runner.h"
#include "worker.h"

typedef struct async_run async_run;

typedef struct task {
    async_run *run;
    gs_vm *vm;
    gs_worker_result *res;
    bool started, finished, in_io;
    uint64_t io_start_ns;
    bool held[GS_MAX_ULOCKS]; /* the user locks it holds */
    uint64_t asked_ns;        /* parked on a user lock: since when */
    struct task *next_waiter; /* parked on a user lock: the next one parked there */
} task;

struct async_run {
    gs_os *os;
    const gs_run_config *cfg;
    gs_run_result *out;
    gs_io *io;
    gs_loop *loop;
    atomic_bool stop_asked;
    task *tasks;
    gs_vm *task_vms;      /* the tasks' interpreter states, in one block */
    uint32_t n, finished;
    uint32_t in_io;       /* tasks whose request the loop has */
    uint32_t *queue;      /* ring of ready task indices; each task at most once */
    uint32_t head, count;
    gs_loop_done *done;   /* room for a completion a task */
    gs_gil *gil;
    gs_gil_client client; /* the loop thread, as a user of the lock */
    gs_vm *loop_vm;       /* the loop thread's own state: it runs nothing, but
                             carries the eval breaker the lock may touch */
    gs_recorder no_events;
    gs_process_state process; /* the tasks' shared variables and user locks */
    gs_native_meter meter;
    task *parked[GS_MAX_ULOCKS], *parked_last[GS_MAX_ULOCKS]; /* waiting for each user lock, in order */
    gs_run_sync sync;
    task *running;        /* the task being stepped, whose timeline a wait for a core interrupts */
};

static void release(task *t, uint32_t i, uint64_t now);

/* Queues t to run, as a callback becomes ready in asyncio. */
static void enqueue(task *t)
{
    async_run *r = t->run;
    r->queue[(r->head + r->count++) % r->n] = (uint32_t)(t - r->tasks);
    gs_record(&t->res->rec, GS_EV_WANT, gs_os_now(r->os), 0);
}

/* t is done (finished, failed or stopped): its figures are final. */
static void finish(task *t)
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
    gs_worker_check_figures(t->res);
    r->finished++;
}

static void fail(task *t, const char *msg)
{
    gs_worker_fail(t->res, msg);
    finish(t);
}

/* t's I/O request completed with result: it is ready to run again. */
static void io_done(task *t, int64_t result)
{
    if (t->finished)
        return;
    gs_record(&t->res->rec, GS_EV_IO_END, gs_os_now(t->run->os), 0);
    gs_vm_complete(t->vm, result);
    enqueue(t);
}

/* t releases user lock i, and the first task parked on it takes it. */
static void release(task *t, uint32_t i, uint64_t now)
{
    async_run *r = t->run;
    gs_ulock_release(&r->process.locks, i, now, &t->res->rare->ulocks[i]);
    gs_record(&t->res->rec, GS_EV_ULOCK_RELEASE, now, i);
    t->held[i] = false;
    task *w = r->parked[i];
    if (!w)
        return;
    r->parked[i] = w->next_waiter;
    if (!r->parked[i])
        r->parked_last[i] = NULL;
    gs_ulock_cycle none;
    gs_ulock_wait(&r->process.locks, i, (uint32_t)(w - r->tasks), w->asked_ns, &w->res->rare->ulocks[i],
                  &none); /* free: no waiting, the wait counted */
    gs_record(&w->res->rec, GS_EV_ULOCK_GOT, now, i);
    w->held[i] = true;
    gs_vm_complete(w->vm, 0);
    enqueue(w);
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
    if (vm->request == GS_REQ_ACQUIRE && !gs_ulock_try(&r->process.locks, i, who, now, &t->res->rare->ulocks[i])) {
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
    t->run->running = t;
    gs_worker_result *res = t->res;
    gs_os *os = t->run->os;
    uint64_t now = gs_os_now(os);
    if (!t->started) {
        t->started = true;
        res->start_ns = now;
    }
    if (t->in_io) {
        t->in_io = false;
        gs_worker_hist_add(&res->io_latency, now - t->io_start_ns);
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
        finish(t);
        break;
    case GS_STOP_IO:
        res->io_ops++;
        t->in_io = true;
        t->io_start_ns = now;
        gs_record(&res->rec, GS_EV_IO_START, now, (uint32_t)t->vm->io_kind);
        if (t->run->os->ops->loop_submit(t->run->os, t->run->loop, (uint32_t)(t - t->run->tasks),
                                         (int)t->vm->io_kind, t->vm->io_arg, msg) != 0)
            fail(t, msg);
        else
            t->run->in_io++;
        break;
    case GS_STOP_ERROR:
        res->failed = true;
        gs_vm_format_error(t->vm, res->rare->error, sizeof res->rare->error);
        finish(t);
        break;
    case GS_STOP_NATIVE: /* done on the loop's thread, above: the loop waits, as for a C call */
    case GS_STOP_LOCK:   /* parked on a user lock: its release enqueues it */
        break;
    case GS_STOP_BREAK:
        if (gs_vm_breaker(t->vm) & GS_BREAK_STOP) {
            fail(t, gs_run_stop_reason());
            break;
        }
        enqueue(t);
        break;
    case GS_STOP_YIELD:
    case GS_STOP_BUDGET:
        enqueue(t);
        break;
    }
}

/* Runs the tasks that were ready when it began, each until it stops.
 * Precondition: the loop's thread holds the lock. */
static void run_ready(async_run *r)
{
    for (uint32_t batch = r->count; batch > 0 && r->count > 0; batch--) {
        task *t = &r->tasks[r->queue[r->head]];
        r->head = (r->head + 1) % r->n;
        r->count--;
        if (!t->finished)
            step(t);
        r->running = NULL;
    }
}

/* Fails every unfinished task with the reason the run stopped. */
static void fail_unfinished(async_run *r)
{
    const char *why = gs_run_stop_reason();
    for (uint32_t i = 0; i < r->n && r->finished < r->n; i++)
        if (!r->tasks[i].finished)
            fail(&r->tasks[i], why);
}


/* Acts on a completed request. */
static void completed(async_run *r, const gs_loop_done *d)
{
    task *t = &r->tasks[d->task];
    r->in_io--;
    if (t->finished)
        return;
    if (d->is_sleep)
        gs_worker_hist_add(&t->res->loop_lag, d->late_ns);
    if (d->failed)
        fail(t, d->failed);
    else
        io_done(t, d->result);
}

/* The loop thread waited for a core: the task it was running waited. */
static void loop_core_waited(void *arg, uint64_t from_ns, uint64_t to_ns)
{
    async_run *r = arg;
    if (!r->running)
        return;
    gs_record(&r->running->res->rec, GS_EV_CORE_WAIT, from_ns, 0);
    gs_record(&r->running->res->rec, GS_EV_CORE_GOT, to_ns, 0);
}

static void *loop_main(void *arg)
{
    async_run *r = arg;
    gs_os *os = r->os;
    uint32_t cpus = os->ops->cpus(os); /* every task runs on this thread */
    for (uint32_t i = 0; i < r->n; i++)
        r->out->workers[i].cpus = cpus;
    uint64_t cpu0 = gs_os_thread_cpu(os);
    os->ops->thread_watch_core_wait(os, loop_core_waited, r);
    os->ops->computes_alone(os); /* every task is on this thread */
    if (r->sync.go) {
        /* The loop's thread is the lock's one client, and nothing stops
         * the lock (stop_loop stops the tasks), so every take succeeds. */
        gs_gil_take(r->gil, &r->client);
        while (r->finished < r->n) {
            run_ready(r);
            if (atomic_load(&r->stop_asked)) {
                fail_unfinished(r);
                break;
            }
            if (!r->count && !r->in_io)
                break; /* every task finished, or failed */
            gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
            uint32_t k = os->ops->loop_wait(os, r->loop, r->done, r->n, r->count == 0);
            gs_gil_take(r->gil, &r->client);
            for (uint32_t i = 0; i < k; i++)
                completed(r, &r->done[i]);
        }
        gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
    }
    os->ops->thread_watch_core_wait(os, NULL, NULL);
    r->out->loop_cpu_ns = gs_os_thread_cpu(os) - cpu0;
    r->out->loop_core_wait_known = os->ops->thread_core_wait_ns(os, &r->out->loop_core_wait_ns);
    gs_run_sync_done(&r->sync);
    return NULL;
}

static void stop_loop(void *arg)
{
    async_run *r = arg;
    atomic_store(&r->stop_asked, true);
    for (uint32_t i = 0; i < r->n; i++)
        gs_vm_set_breaker(r->tasks[i].vm, GS_BREAK_STOP);
    r->os->ops->io_stop(r->os, r->io);    /* pipe peers waiting out their latency answer now */
    r->os->ops->loop_wake(r->os, r->loop);
}

/* Makes the lock and the loop thread's client of it, the tasks with their
 * interpreters, the ready queue, the shared variables and user locks.
 * Returns 0, or -1 with r->out->error. */
static int setup(async_run *r)
{
    gs_run_result *out = r->out;
    char err[GS_ERRMSG_MAX];
    r->gil = gs_gil_new(&r->cfg->gil, r->os);
    r->loop_vm = gs_vm_new();
    if (r->loop_vm) /* never run: only its breaker is read, so zeroed is enough */
        memset(r->loop_vm, 0, sizeof *r->loop_vm);
    r->client = (gs_gil_client){.vm = r->loop_vm, .id = 0, .rec = &r->no_events, .stats = &out->loop_lock};
    r->tasks = calloc(r->n, sizeof *r->tasks);
    r->task_vms = gs_vm_new_many(r->n);
    r->queue = calloc(r->n, sizeof *r->queue);
    r->done = calloc(r->n, sizeof *r->done);
    if (!r->gil || !r->loop_vm || !r->tasks || !r->task_vms || !r->queue || !r->done ||
        gs_process_init(&r->process, &r->cfg->workload->prog, r->os, r->n, false) != 0) {
        snprintf(out->error, sizeof out->error, "out of memory for %u tasks", r->n);
        return -1;
    }
    for (uint32_t i = 0; i < r->n; i++) {
        task *t = &r->tasks[i];
        t->run = r;
        t->res = &out->workers[i];
        t->vm = &r->task_vms[i];
        if (gs_worker_vm_init(t->vm, r->cfg, t->res, err) != 0) {
            snprintf(out->error, sizeof out->error, "%s", err);
            return -1;
        }
        t->vm->shared = r->process.vars;
    }
    return 0;
}

/* Adds the run's figures of what setup made to r->out, and frees it all. */
static void release_all(async_run *r)
{
    if (gs_process_collect(&r->process, &r->cfg->workload->prog, r->out) != 0)
        snprintf(r->out->error, sizeof r->out->error, "out of memory for the user locks' figures");
    r->out->native_max = atomic_load(&r->meter.max);
    gs_process_destroy(&r->process);
    gs_vm_free_many(r->task_vms, r->n);
    free(r->tasks);
    gs_vm_free(r->loop_vm);
    free(r->queue);
    free(r->done);
    if (r->gil)
        gs_gil_destroy(r->gil);
}

/* Runs the loop: every task ready, loop_main on a thread of the machine,
 * the caller waiting as the threads runner does.  Returns 0, or -1 with
 * r->out->error. */
static int drive(async_run *r)
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
    int e = os->ops->thread_start(os, &loop, GS_WORKER_STACK, loop_main, r, r->sync.start);
    if (e != 0) {
        snprintf(out->error, sizeof out->error, "cannot create the loop's thread: %s", strerror(e));
        return -1;
    }
    out->spawn_ns = gs_os_now(os) - out->start_ns;
    gs_run_sync_open_gate(&r->sync, true, 1);
    uint64_t deadline = r->cfg->timeout_ns ? out->start_ns + r->cfg->timeout_ns : 0;
    out->stopped = gs_run_sync_wait(&r->sync, deadline, stop_loop, r);
    os->ops->thread_join(os, loop);
    out->end_ns = gs_os_now(os);
    return 0;
}

int gs_async_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    async_run r = {.os = os, .cfg = cfg, .out = out, .n = cfg->workers};
    char err[GS_ERRMSG_MAX];
    r.io = os->ops->io_open(os, gs_program_io_kinds(&cfg->workload->prog), r.n, cfg->io_latency_ns, err);
    r.loop = r.io ? os->ops->loop_open(os, r.io, r.n, err) : NULL;
    if (!r.loop) {
        snprintf(out->error, sizeof out->error, "%s", err);
        if (r.io)
            os->ops->io_close(os, r.io);
        return -1;
    }
    gs_run_sync_init(&r.sync, os);
    int rc = setup(&r) == 0 ? drive(&r) : -1;
    os->ops->loop_close(os, r.loop);
    release_all(&r);
    os->ops->io_close(os, r.io);
    gs_run_sync_destroy(&r.sync);
    return rc;
}
