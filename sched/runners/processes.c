/* processes.c - the processes runner: N processes, each with its own
 * interpreter state and its own lock, as a multiprocessing pool has.
 *
 * DESIGN
 * The machine starts N processes together (machine.h, "Processes": a fork
 * on the real machine, a modelled process in virtual time), and this file
 * is the same for both.  A child works on its own copy of its worker's
 * result, with an event buffer of its own: it lives the life of a worker
 * (worker.h) on a lock of its own with I/O of its own, sends its result
 * home (wire.h) and ends.  Wall time runs from before the first process
 * starts to after the last is collected: what a user waits for.  Starting
 * and collecting are also timed on their own.
 *
 * Whatever happened to a child (crashed, killed by a signal, exited
 * non-zero, sent a message cut short or garbled) becomes that worker's
 * failure with the reason; the others' results stand.  Stopping is the
 * machine's: past --timeout, or on an interrupt, each child's stop sets
 * GS_BREAK_STOP on its interpreter and ends its I/O waits, so it stops at
 * its next back-edge and still sends home what it did; the machine kills
 * one that does not end within GS_STOP_GRACE_NS, and says so. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "runner.h"
#include "worker.h"

typedef struct {
    gs_os *os;
    const gs_run_config *cfg;
    const gs_worker_result *results; /* the parent's: what each child is to do */
    gs_native_meter *meter;          /* shared by every process */
} processes_run;

/* What a child's stop reaches: its one interpreter and its I/O. */
typedef struct {
    gs_os *os;
    atomic_bool asked;
    gs_vm *_Atomic vm;
    gs_io *_Atomic io;
} child_stop;

/* Called by the machine (on the real one, from a signal handler:
 * async-signal-safe only). */
static void stop_child(void *arg, bool interrupted)
{
    child_stop *s = arg;
    if (interrupted)
        gs_run_stop(); /* the worker reports "interrupted" */
    atomic_store(&s->asked, true);
    gs_vm *vm = atomic_load(&s->vm);
    if (vm)
        gs_vm_set_breaker(vm, GS_BREAK_STOP);
    gs_io *io = atomic_load(&s->io);
    if (io)
        s->os->ops->io_stop(s->os, io); /* a sleep or an echo in progress ends now */
}

typedef struct {
    gs_os *os;
    gs_home *home;
} home_line;

static int send_home(void *arg, const void *bytes, size_t len)
{
    home_line *h = arg;
    return h->os->ops->home_send(h->os, h->home, bytes, len);
}

/* Worker i's life in its own process: on the real machine the parent's
 * memory is a copy here, on a modelled one it is the parent's, so the
 * child writes only what it allocates.  Returns its exit status. */
static int child_main(uint32_t i, void *arg, gs_home *home)
{
    processes_run *pr = arg;
    gs_os *os = pr->os;
    const gs_run_config *cfg = pr->cfg;
    if (cfg->in_child)
        cfg->in_child(i, os, home);
    char err[GS_ERRMSG_MAX];
    /* on the heap: a modelled process runs on a fiber's small stack */
    gs_worker_result *res = malloc(sizeof *res);
    if (!res)
        return 1; /* home hears nothing: the parent says this child sent no results */
    *res = pr->results[i];
    res->rec.events = res->rec.cap ? malloc((size_t)res->rec.cap * sizeof *res->rec.events) : NULL;
    res->rec.gap = 0; /* a buffer of its own: the events go home in order */
    child_stop stop = {.os = os};
    os->ops->home_on_stop(os, home, stop_child, &stop);
    gs_gil *gil = gs_gil_new(&cfg->gil, os);
    gs_io *io = os->ops->io_open(os, gs_program_io_kinds(&cfg->workload->prog), 1, cfg->io_latency_ns, err);
    gs_process_state *ps = calloc(1, sizeof *ps); /* its own variables and locks */
    bool ps_ready = ps && gs_process_init(ps, &cfg->workload->prog, os, 1, false) == 0;
    gs_worker w = {0};
    gs_vm *vm = gs_vm_new();
    if (!gil || !ps_ready || !vm || (res->rec.cap && !res->rec.events))
        gs_worker_fail(res, "out of memory for the lock or the interpreter state");
    else if (!io)
        gs_worker_fail(res, err);
    else if (gs_worker_init(&w, cfg, res, gil, io, 0, vm, err) != 0)
        gs_worker_fail(res, err);
    else {
        gs_worker_share(&w, ps, 0, pr->meter);
        atomic_store(&stop.io, io);
        atomic_store(&stop.vm, w.vm);
        if (atomic_load(&stop.asked)) { /* asked before the stop could reach them */
            gs_vm_set_breaker(w.vm, GS_BREAK_STOP);
            os->ops->io_stop(os, io);
        }
        os->ops->computes_alone(os); /* the lock and the variables are the process's */
        gs_worker_run(&w);
        for (uint32_t v = 0; v < cfg->workload->prog.nshared; v++)
            res->rare->shared_end[v] = atomic_load(&ps->vars[v]);
    }
    /* the units' data crosses home (--transfer), inside the run's wall
     * time as a pool's results are inside the caller's wait */
    uint64_t t0 = gs_os_now(os);
    res->transfer_bytes = res->units * cfg->transfer_bytes;
    if (res->transfer_bytes && os->ops->home_transfer(os, home, res->transfer_bytes) != 0 && !res->failed)
        gs_worker_fail(res, "could not send its data home");
    res->transfer_ns = res->transfer_bytes ? gs_os_now(os) - t0 : 0;
    home_line line = {os, home};
    int status = gs_wire_send(res, send_home, &line) == 0 ? 0 : 1;
    atomic_store(&stop.vm, NULL);
    atomic_store(&stop.io, NULL);
    gs_vm_free(vm);
    if (ps_ready)
        gs_process_destroy(ps);
    free(ps);
    if (io)
        os->ops->io_close(os, io);
    if (gil)
        gs_gil_destroy(gil);
    free(res->rec.events);
    gs_worker_result_free(res);
    free(res);
    return status;
}

static void judge(const gs_proc_end *end, gs_worker_result *res)
{
    char why[GS_ERRMSG_MAX], reason[GS_ERRMSG_MAX];
    int got = gs_wire_receive(end->message, end->len, res, why);
    if (end->killed) {
        snprintf(reason, sizeof reason, "%s", end->killed);
    } else if (end->signaled) {
        const char *name = sigabbrev_np(end->code);
        snprintf(reason, sizeof reason, "killed by signal %s%s (%s)", name ? "SIG" : "", name ? name : "?",
                 strsignal(end->code));
    } else if (end->code != 0) {
        snprintf(reason, sizeof reason, "exited with status %d", end->code);
    } else if (got != 0) {
        snprintf(reason, sizeof reason, "%s", why);
    } else {
        return; /* a clean exit with a whole message: its own result stands */
    }
    if (got == 0 && res->failed)
        return; /* it failed for a reason of its own and said so */
    gs_worker_fail(res, reason);
}

int gs_processes_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    uint32_t n = cfg->workers;
    gs_proc_end *ends = calloc(n, sizeof *ends);
    gs_native_meter *meter = os->ops->shared_new(os, sizeof *meter);
    if (!ends || !meter) {
        snprintf(out->error, sizeof out->error, "cannot prepare %u processes: out of memory", n);
        free(ends);
        if (meter)
            os->ops->shared_free(os, meter, sizeof *meter);
        return -1;
    }
    processes_run pr = {.os = os, .cfg = cfg, .results = out->workers, .meter = meter};
    size_t max_message = gs_wire_max_size(n ? out->workers[0].rec.cap : 0);
    gs_procs *g = NULL;
    out->start_ns = gs_os_now(os);
    uint32_t started = os->ops->procs_start(os, &g, n, child_main, &pr, max_message, out->error);
    if (!g) {
        os->ops->shared_free(os, meter, sizeof *meter);
        free(ends);
        return -1;
    }
    out->spawn_ns = gs_os_now(os) - out->start_ns;
    os->ops->procs_release(os, g, started == n);
    uint64_t deadline = cfg->timeout_ns ? out->start_ns + cfg->timeout_ns : 0;
    out->stopped = os->ops->procs_wait(os, g, deadline, ends);
    out->end_ns = gs_os_now(os);
    for (uint32_t i = 0; started == n && i < n; i++)
        judge(&ends[i], &out->workers[i]);
    os->ops->procs_free(os, g);
    /* Each child's copy of the shared variables, added up; its locks were
     * its own, so nobody waited for them. */
    const gs_program *prog = &cfg->workload->prog;
    out->nshared = prog->nshared;
    out->nulocks = prog->nulocks;
    for (uint32_t i = 0; i < started; i++)
        for (uint32_t v = 0; v < prog->nshared; v++)
            out->shared[v] += out->workers[i].rare->shared_end[v];
    out->native_max = atomic_load(&meter->max);
    os->ops->shared_free(os, meter, sizeof *meter);
    free(ends);
    return started == n ? 0 : -1;
}
