/* threads.c - the threads runner: N pthreads, one interpreter state each,
 * all sharing one lock.
 *
 * DESIGN
 * Each worker takes the lock and runs its interpreter until the interpreter
 * stops, then does what CPython's eval loop would do:
 *   - drop request (breaker GS_BREAK_DROP): drop the lock (forced), take it
 *     again;
 *   - io instruction: drop the lock (voluntary), do the real blocking call,
 *     take the lock again, as Py_BEGIN/END_ALLOW_THREADS around a syscall;
 *   - yield: drop and take again, as time.sleep(0);
 *   - finished or runtime error: drop the lock and end.
 * Workers start together at a gate, so none gets a head start while the
 * others are still being created.  The calling thread then waits for them,
 * waking every few milliseconds to apply --timeout and interrupts by setting
 * GS_BREAK_STOP on every interpreter; a running worker sees it at its next
 * back-edge.  A thread that cannot be created is reported, and the workers
 * already created are released without running. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "io.h"
#include "run.h"

enum { GATE_WAIT, GATE_GO, GATE_ABORT };

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    int gate;        /* guarded by mutex: GATE_* */
    uint32_t done;   /* guarded by mutex: workers finished */
} run_sync;

typedef struct {
    const gs_run_config *cfg;
    gs_gil *gil;
    gs_io *io;
    run_sync *sync;
    gs_vm *vm;
    gs_worker_result *res;
    gs_gil_client client;
} thread_worker;

static void fail(gs_worker_result *res, const char *msg)
{
    res->failed = true;
    snprintf(res->error, sizeof res->error, "%s", msg);
}

static bool wait_at_gate(run_sync *s)
{
    GS_PTHREAD(pthread_mutex_lock(&s->mutex));
    while (s->gate == GATE_WAIT)
        GS_PTHREAD(pthread_cond_wait(&s->cond, &s->mutex));
    bool go = s->gate == GATE_GO;
    GS_PTHREAD(pthread_mutex_unlock(&s->mutex));
    return go;
}

static void do_io(thread_worker *t)
{
    gs_vm *vm = t->vm;
    gs_worker_result *res = t->res;
    char err[GS_ERRMSG_MAX];
    int64_t result = 0;
    uint64_t start = gs_now_ns();
    gs_record(&res->rec, GS_EV_IO_START, start, (uint32_t)vm->io_kind);
    gs_gil_drop(t->gil, &t->client, GS_DROP_VOLUNTARY);
    int rc = gs_io_perform(t->io, res->id, vm->io_kind, vm->io_arg, &result, err);
    gs_record(&res->rec, GS_EV_IO_END, gs_now_ns(), 0);
    gs_gil_take(t->gil, &t->client);
    res->io_ops++;
    gs_hist_add(&res->io_latency, gs_now_ns() - start);
    if (rc != 0)
        fail(res, err);
    else
        gs_vm_complete_io(vm, result);
}

/* Runs the interpreter under the lock until it finishes, fails or is
 * stopped.  Precondition: the lock is held; it is still held on return. */
static void run_under_lock(thread_worker *t)
{
    gs_vm *vm = t->vm;
    gs_worker_result *res = t->res;
    while (!res->failed) {
        switch (gs_vm_run(vm, UINT64_MAX)) {
        case GS_STOP_BREAK:
            if (gs_vm_breaker(vm) & GS_BREAK_STOP) {
                fail(res, gs_run_stopping() ? "interrupted" : "stopped by --timeout");
                return;
            }
            if (gs_vm_breaker(vm) & GS_BREAK_DROP) {
                gs_gil_drop(t->gil, &t->client, GS_DROP_FORCED);
                gs_gil_take(t->gil, &t->client);
            }
            break;
        case GS_STOP_IO:
            do_io(t);
            break;
        case GS_STOP_YIELD:
            gs_gil_drop(t->gil, &t->client, GS_DROP_VOLUNTARY);
            gs_gil_take(t->gil, &t->client);
            break;
        case GS_STOP_DONE:
            res->checksum = vm->result;
            return;
        case GS_STOP_ERROR:
            res->failed = true;
            gs_vm_format_error(vm, res->error, sizeof res->error);
            return;
        case GS_STOP_BUDGET:
            break;
        }
    }
}

static void *worker_main(void *arg)
{
    thread_worker *t = arg;
    gs_worker_result *res = t->res;
    if (wait_at_gate(t->sync)) {
        res->start_ns = gs_now_ns();
        uint64_t cpu0 = gs_thread_cpu_ns();
        gs_gil_take(t->gil, &t->client);
        run_under_lock(t);
        res->instructions = t->vm->instructions;
        gs_record(&res->rec, GS_EV_DONE, gs_now_ns(), 0);
        gs_gil_drop(t->gil, &t->client, GS_DROP_VOLUNTARY);
        res->end_ns = gs_now_ns();
        res->cpu_ns = gs_thread_cpu_ns() - cpu0;
    }
    run_sync *s = t->sync;
    GS_PTHREAD(pthread_mutex_lock(&s->mutex));
    s->done++;
    GS_PTHREAD(pthread_cond_broadcast(&s->cond));
    GS_PTHREAD(pthread_mutex_unlock(&s->mutex));
    return NULL;
}

static void open_gate(run_sync *s, int state)
{
    GS_PTHREAD(pthread_mutex_lock(&s->mutex));
    s->gate = state;
    GS_PTHREAD(pthread_cond_broadcast(&s->cond));
    GS_PTHREAD(pthread_mutex_unlock(&s->mutex));
}

/* Waits for n workers, stopping them on timeout or interrupt.  Returns true
 * if they had to be stopped. */
static bool wait_for_workers(run_sync *s, thread_worker *w, uint32_t n, uint64_t deadline_ns)
{
    bool stopped = false;
    GS_PTHREAD(pthread_mutex_lock(&s->mutex));
    while (s->done < n) {
        struct timespec tick = gs_timespec_after(20 * 1000 * 1000);
        int rc = pthread_cond_timedwait(&s->cond, &s->mutex, &tick);
        if (rc != 0 && rc != ETIMEDOUT)
            gs_fatal_pthread("pthread_cond_timedwait(&s->cond, &s->mutex)", rc);
        if (!stopped && (gs_run_stopping() || (deadline_ns && gs_now_ns() >= deadline_ns))) {
            stopped = true;
            for (uint32_t i = 0; i < n; i++)
                gs_vm_set_breaker(w[i].vm, GS_BREAK_STOP);
        }
    }
    GS_PTHREAD(pthread_mutex_unlock(&s->mutex));
    return stopped;
}

static int prepare_workers(const gs_run_config *cfg, gs_run_result *out, thread_worker *w, gs_gil *gil,
                           gs_io *io, run_sync *sync)
{
    char err[GS_ERRMSG_MAX];
    for (uint32_t i = 0; i < cfg->workers; i++) {
        gs_worker_result *res = &out->workers[i];
        w[i] = (thread_worker){.cfg = cfg, .gil = gil, .io = io, .sync = sync, .res = res};
        w[i].vm = aligned_alloc(_Alignof(gs_vm), sizeof(gs_vm));
        if (!w[i].vm) {
            snprintf(out->error, sizeof out->error, "out of memory for %u interpreter states", cfg->workers);
            return -1;
        }
        int64_t args[3];
        uint32_t nargs = gs_workload_args(cfg->workload, res->first_unit, res->units, args);
        if (gs_vm_init(w[i].vm, &cfg->workload->prog, args, nargs, err) != 0) {
            snprintf(out->error, sizeof out->error, "%s", err);
            return -1;
        }
        w[i].client = (gs_gil_client){.vm = w[i].vm, .id = i, .rec = &res->rec, .stats = &res->lock};
    }
    return 0;
}

int gs_threads_run(const gs_run_config *cfg, gs_run_result *out)
{
    char err[GS_ERRMSG_MAX];
    uint32_t n = cfg->workers;
    gs_io *io = gs_io_open(gs_program_io_kinds(&cfg->workload->prog), n, cfg->io_latency_ns, err);
    if (!io) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return -1;
    }
    gs_gil *gil = gs_gil_cpython_new(&cfg->gil);
    thread_worker *w = calloc(n, sizeof *w);
    pthread_t *tids = calloc(n, sizeof *tids);
    run_sync sync = {.gate = GATE_WAIT};
    GS_PTHREAD(pthread_mutex_init(&sync.mutex, NULL));
    gs_cond_init_monotonic(&sync.cond);
    int rc = -1;
    uint32_t started = 0;
    if (!gil || !w || !tids) {
        snprintf(out->error, sizeof out->error, "out of memory for %u threads", n);
        goto done;
    }
    if (prepare_workers(cfg, out, w, gil, io, &sync) != 0)
        goto done;

    pthread_attr_t attr;
    GS_PTHREAD(pthread_attr_init(&attr));
    GS_PTHREAD(pthread_attr_setstacksize(&attr, GS_WORKER_STACK));
    for (; started < n; started++) {
        int e = pthread_create(&tids[started], &attr, worker_main, &w[started]);
        if (e != 0) {
            snprintf(out->error, sizeof out->error, "cannot create thread %u of %u: %s (see ulimit -u)",
                     started + 1, n, strerror(e));
            break;
        }
    }
    pthread_attr_destroy(&attr);
    out->start_ns = gs_now_ns();
    open_gate(&sync, started == n ? GATE_GO : GATE_ABORT);
    uint64_t deadline = cfg->timeout_ns ? out->start_ns + cfg->timeout_ns : 0;
    out->stopped = wait_for_workers(&sync, w, started, deadline);
    out->end_ns = gs_now_ns();
    for (uint32_t i = 0; i < started; i++)
        GS_PTHREAD(pthread_join(tids[i], NULL));
    if (started == n) {
        rc = 0;
        for (uint32_t i = 0; i < n; i++)
            out->failed += out->workers[i].failed;
    }
done:
    for (uint32_t i = 0; w && i < n; i++)
        free(w[i].vm);
    free(w);
    free(tids);
    if (gil)
        gs_gil_destroy(gil);
    gs_io_close(io);
    GS_PTHREAD(pthread_cond_destroy(&sync.cond));
    GS_PTHREAD(pthread_mutex_destroy(&sync.mutex));
    return rc;
}
