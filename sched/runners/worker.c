/* worker.c - one worker's life under a lock (see worker.h). */
#include <stdio.h>
#include <stdlib.h>

#include "worker.h"

void gs_worker_fail(gs_worker_result *res, const char *msg)
{
    res->failed = true;
    snprintf(res->rare->error, sizeof res->rare->error, "%s", msg);
}

void gs_worker_check_figures(gs_worker_result *res)
{
    gs_worker_hist *h[GS_WORKER_HISTS];
    gs_worker_hists(res, h);
    uint64_t lost = 0;
    for (int i = 0; i < GS_WORKER_HISTS; i++)
        lost += h[i]->lost;
    if (lost && !res->failed) {
        char msg[GS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "out of memory for its figures (%llu times not kept)", (unsigned long long)lost);
        gs_worker_fail(res, msg);
    }
}

int gs_worker_vm_init(gs_vm *vm, const gs_run_config *cfg, const gs_worker_result *res, char err[GS_ERRMSG_MAX])
{
    int64_t args[3];
    uint32_t nargs = gs_workload_args(cfg->workload, res->first_unit, res->units, args);
    return gs_vm_init(vm, &cfg->workload->prog, args, nargs, err);
}

int gs_worker_init(gs_worker *w, const gs_run_config *cfg, gs_worker_result *res, gs_gil *gil, gs_io *io,
                   uint32_t io_slot, gs_vm *vm, char err[GS_ERRMSG_MAX])
{
    *w = (gs_worker){.gil = gil, .io = io, .io_slot = io_slot, .vm = vm, .res = res};
    if (gs_worker_vm_init(vm, cfg, res, err) != 0)
        return -1;
    w->client = (gs_gil_client){.vm = vm, .id = res->id, .rec = &res->rec, .stats = &res->lock};
    return 0;
}

void gs_worker_share(gs_worker *w, gs_process_state *process, uint32_t user, gs_native_meter *meter)
{
    w->process = process;
    w->user = user;
    w->meter = meter;
    w->vm->shared = process->vars;
    w->vm->object_locks = process->nobjects > 0;
}

int64_t gs_worker_native(gs_os *os, uint64_t n, gs_worker_result *res, gs_native_meter *meter)
{
    uint64_t start = gs_os_now(os);
    gs_record(&res->rec, GS_EV_NATIVE_START, start, 0);
    if (meter)
        gs_native_enter(meter);
    uint64_t state = n;
    for (uint64_t left = n; left > 0;) {
        uint64_t k = os->ops->budget(os, left); /* a unit costs what an instruction costs */
        state = gs_native_work(state, k);
        os->ops->ran(os, k);
        left -= k;
    }
    if (meter)
        gs_native_leave(meter);
    uint64_t end = gs_os_now(os);
    gs_record(&res->rec, GS_EV_NATIVE_END, end, 0);
    res->native_calls++;
    res->native_ns += end - start;
    return gs_native_result(state);
}

/* Takes the lock back (by a take, or a tick's drop and take).  Returns
 * false when the run is stopping: w ends, failed, without the lock. */
static bool take_back(gs_worker *w, bool tick)
{
    w->has_gil = tick ? gs_gil_tick(w->gil, &w->client) : gs_gil_take(w->gil, &w->client);
    if (!w->has_gil)
        gs_worker_fail(w->res, gs_run_stop_reason());
    return w->has_gil;
}

static void do_native(gs_worker *w)
{
    gs_gil_drop(w->gil, &w->client, GS_DROP_VOLUNTARY);
    int64_t result = gs_worker_native(w->gil->os, w->vm->native_work, w->res, w->meter);
    if (take_back(w, false))
        gs_vm_complete(w->vm, result);
}

/* acquire or release of user lock vm->ulock. */
static void do_lock(gs_worker *w)
{
    gs_vm *vm = w->vm;
    gs_os *os = w->gil->os;
    if (vm->request == GS_REQ_STORE) { /* free-threaded: under the variable's own lock */
        gs_process_store(w->process, vm->store_var, vm->store_value);
        gs_vm_complete(vm, 0);
        return;
    }
    uint32_t i = vm->ulock;
    gs_ulock_counts *c = &w->res->rare->ulocks[i];
    char msg[GS_ERRMSG_MAX];
    if (gs_vm_lock_misuse(vm, w->held, msg)) {
        gs_vm_raise(vm, msg);
        return;
    }
    uint64_t now = gs_os_now(os);
    if (vm->request == GS_REQ_RELEASE) {
        gs_ulock_release(&w->process->locks, i, now, c);
        gs_record(&w->res->rec, GS_EV_ULOCK_RELEASE, now, i);
    } else if (!gs_ulock_try(&w->process->locks, i, w->user, now, c)) {
        gs_record(&w->res->rec, GS_EV_ULOCK_WAIT, now, i);
        gs_gil_drop(w->gil, &w->client, GS_DROP_VOLUNTARY);
        gs_ulock_cycle cycle;
        gs_ulock_outcome outcome = gs_ulock_wait(&w->process->locks, i, w->user, now, c, &cycle);
        if (!take_back(w, false)) {
            if (outcome == GS_ULOCK_TAKEN)
                w->held[i] = true; /* released at the end, as by a worker that fails holding it */
            return;
        }
        if (outcome == GS_ULOCK_STOPPED) {
            gs_worker_fail(w->res, gs_run_stop_reason());
            return;
        }
        if (outcome == GS_ULOCK_DEADLOCK) {
            gs_worker_deadlock(vm->prog, "thread", &cycle, msg);
            gs_vm_raise(vm, msg);
            return;
        }
        gs_record(&w->res->rec, GS_EV_ULOCK_GOT, gs_os_now(os), i);
    } else {
        gs_record(&w->res->rec, GS_EV_ULOCK_GOT, now, i);
    }
    w->held[i] = vm->request == GS_REQ_ACQUIRE;
    gs_vm_complete(vm, 0);
}

static void do_io(gs_worker *w)
{
    gs_vm *vm = w->vm;
    gs_worker_result *res = w->res;
    char err[GS_ERRMSG_MAX];
    int64_t result = 0;
    uint64_t start = gs_os_now(w->gil->os);
    gs_record(&res->rec, GS_EV_IO_START, start, (uint32_t)vm->io_kind);
    gs_gil_drop(w->gil, &w->client, GS_DROP_VOLUNTARY);
    gs_os *os = w->gil->os;
    int rc = os->ops->io_perform(os, w->io, w->io_slot, (int)vm->io_kind, vm->io_arg, &result, err);
    gs_record(&res->rec, GS_EV_IO_END, gs_os_now(w->gil->os), 0);
    bool held = take_back(w, false);
    res->io_ops++;
    gs_worker_hist_add(&res->io_latency, gs_os_now(w->gil->os) - start);
    if (!held)
        return;
    if (rc != 0)
        gs_worker_fail(res, rc == GS_IO_STOPPED ? gs_run_stop_reason() : err);
    else
        gs_vm_complete(vm, result);
}

gs_stop gs_worker_run_granted(gs_os *os, gs_vm *vm, uint64_t wanted)
{
    for (;;) {
        uint64_t before = vm->instructions;
        uint64_t budget = os->ops->budget(os, wanted);
        gs_stop why = os->ops->breaker_between_budgets && !gs_vm_breaker(vm) ? gs_vm_run_unpolled(vm, budget)
                                                                            : gs_vm_run(vm, budget);
        uint64_t ran = vm->instructions - before;
        os->ops->ran(os, ran);
        if (vm->shared_touched) { /* free-threaded: the cache lines it brought over */
            os->ops->touched_shared(os, vm->shared_touched);
            vm->shared_touched = 0;
        }
        if (why != GS_STOP_BUDGET || ran >= wanted)
            return why;
        wanted -= ran;
    }
}

/* Runs the interpreter until it finishes, fails or is stopped.
 * Precondition: the lock is held; it is still held on return unless a
 * take was stopped (w->has_gil). */
static void run_under_lock(gs_worker *w)
{
    gs_vm *vm = w->vm;
    gs_worker_result *res = w->res;
    uint64_t budget = w->gil->check_interval ? w->gil->check_interval : UINT64_MAX;
    while (!res->failed) {
        switch (gs_worker_run_granted(w->gil->os, vm, budget)) {
        case GS_STOP_BREAK:
            if (gs_vm_breaker(vm) & GS_BREAK_STOP) {
                gs_worker_fail(res, gs_run_stop_reason());
                return;
            }
            if (gs_vm_breaker(vm) & GS_BREAK_DROP) {
                gs_gil_drop(w->gil, &w->client, GS_DROP_FORCED);
                take_back(w, false);
            }
            break;
        case GS_STOP_IO:
            do_io(w);
            break;
        case GS_STOP_NATIVE:
            do_native(w);
            break;
        case GS_STOP_LOCK:
            do_lock(w);
            break;
        case GS_STOP_YIELD:
            gs_gil_drop(w->gil, &w->client, GS_DROP_VOLUNTARY);
            take_back(w, false);
            break;
        case GS_STOP_DONE:
            res->checksum = vm->result;
            return;
        case GS_STOP_ERROR:
            res->failed = true;
            gs_vm_format_error(vm, res->rare->error, sizeof res->rare->error);
            return;
        case GS_STOP_BUDGET: /* legacy: a tick, release and re-take at once */
            take_back(w, true);
            break;
        }
    }
}

void gs_worker_deadlock(const gs_program *prog, const char *kind, const gs_ulock_cycle *c, char msg[GS_ERRMSG_MAX])
{
    int len = snprintf(msg, GS_ERRMSG_MAX, "deadlock:");
    for (uint32_t k = 0; k < c->n && len >= 0 && len < (int)GS_ERRMSG_MAX; k++)
        len += snprintf(msg + len, GS_ERRMSG_MAX - (size_t)len, " %s %u waits for lock %s, held by %s %u%s", kind,
                        c->user[k], prog->ulocks[c->lock[k]].name, kind, c->user[(k + 1) % c->n],
                        k + 1 < c->n ? ";" : " (Python would wait forever)");
}

bool gs_worker_release_held(const gs_vm *vm, const bool held[GS_MAX_ULOCKS], char msg[GS_ERRMSG_MAX])
{
    msg[0] = '\0';
    for (uint32_t i = 0; i < GS_MAX_ULOCKS; i++)
        if (held[i]) {
            snprintf(msg, GS_ERRMSG_MAX, "ended holding lock %s, which the others would wait for forever: "
                     "release it", vm->prog->ulocks[i].name);
            return true;
        }
    return false;
}

/* The machine tells a worker each stretch it waited for a core (only the
 * simulated machine can time them); the worker's timeline shows them. */
static void core_waited(void *arg, uint64_t from_ns, uint64_t to_ns)
{
    gs_worker_result *res = arg;
    gs_record(&res->rec, GS_EV_CORE_WAIT, from_ns, 0);
    gs_record(&res->rec, GS_EV_CORE_GOT, to_ns, 0);
}

void gs_worker_run(gs_worker *w)
{
    gs_worker_result *res = w->res;
    gs_os *os = w->gil->os;
    res->cpus = os->ops->cpus(os);
    res->start_ns = gs_os_now(os);
    uint64_t cpu0 = gs_os_thread_cpu(os);
    os->ops->thread_watch_core_wait(os, core_waited, res);
    if (take_back(w, false))
        run_under_lock(w);
    char msg[GS_ERRMSG_MAX];
    if (gs_worker_release_held(w->vm, w->held, msg)) {
        for (uint32_t i = 0; i < GS_MAX_ULOCKS; i++)
            if (w->held[i])
                gs_ulock_release(&w->process->locks, i, gs_os_now(os), &res->rare->ulocks[i]);
        if (!res->failed)
            gs_worker_fail(res, msg);
    }
    res->instructions = w->vm->instructions;
    gs_record(&res->rec, GS_EV_DONE, gs_os_now(w->gil->os), 0);
    if (w->has_gil)
        gs_gil_drop(w->gil, &w->client, GS_DROP_VOLUNTARY);
    res->end_ns = gs_os_now(os);
    res->cpu_ns = gs_os_thread_cpu(os) - cpu0;
    /* since its thread (or process) started, for the runner made it for
     * this worker: a wait for a core before its first instruction counts */
    res->core_wait_known = os->ops->thread_core_wait_ns(os, &res->core_wait_ns);
    os->ops->thread_watch_core_wait(os, NULL, NULL);
    gs_worker_check_figures(res);
}
