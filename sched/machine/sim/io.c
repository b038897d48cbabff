/* io.c - the simulated machine's I/O and event loop (machine.h).
 *
 * DESIGN
 * Nothing real is read or written: a request takes the time its kind
 * takes on the model and returns its token, as the real ones do.
 *   sleep  the run's latency, then timer_ns late (a timer wakes it);
 *   pipe   a round trip to the worker's echo peer, as real mode's peer (a
 *          thread a worker, blocked reading its end of a socket pair)
 *          makes it: the worker's write wakes the peer (the worker pays
 *          waking one, signal_ns); the peer wakes as a thread that slept
 *          since its last answer does (wake_fast_ns or wake_ns, its way
 *          back the end of it, sim.c), pays a read (syscall_ns), waits out the
 *          run's latency if there is one (a timed wait: timer_ns late) and
 *          writes back, waking the worker (signal_ns); the worker's own
 *          wake-up follows.  Each wake-up counts from the start of the
 *          write that makes it, as every wake-up of the model does (sim.c,
 *          "Wake-ups"): a writer pays its signal, but the signal lies on
 *          no round trip's path (when both did, the calibrated model's
 *          lone thread made 16,342 round trips a second on the development
 *          VM, against CPython's 25,734; since, 28,642).  A pipe with no
 *          latency is so a wake-up and back, about 35 us there, not a
 *          timer's 70.  The peer is not a modelled thread: it
 *          is taken to find an idle core at once.  When there is none, and
 *          no more threads claim the cores than there are (each running
 *          thread, and each woken one, which claims an idle core from the
 *          call that wakes it), the peer runs in sync on the writer's core
 *          instead: a pipe's write is a sync wake-up, and Linux puts its
 *          wakee on the waker's CPU when no CPU is idle and the waker runs
 *          alone there, as it is about to sleep (kernel/sched/fair.c,
 *          wake_affine_idle and select_idle_sibling).  The round trip is
 *          then the write, the read's sleep, a switch to the peer, its
 *          write, a switch back and the worker's way back, a few
 *          microseconds and no wake-up.  This decides the convoy beside one
 *          CPU thread: the I/O thread's release wakes the CPU thread onto
 *          the other core, so the peer runs in sync, and where that wake-up
 *          is slower than the round trip (17.6 us on the development VM)
 *          the I/O thread is often back and takes the lock again first
 *          (CPython 3.11 there: it loses the lock at 35% to 50% of its
 *          round trips, each costing an interval).  With more threads
 *          claiming the cores than there are (beside 2 CPU threads), one
 *          is queued on the writer's core and the peer waits behind it as
 *          the cross-core round trip does (CPython there: 90% to 95%
 *          lost);
 *   file   file_io_ns, then a wake-up (the disk's interrupt).
 * A stop needs nothing here: a modelled wait ends at its latency, and a
 * run's waits are virtual, so waiting them out costs no real time.
 *
 * The loop keeps each task's request with the moment it is due, the
 * pending ones in a heap by that moment (and task), so that a wait costs
 * O(log tasks) a request, not a look at every task.  A blocking wait with nothing due sleeps until the earliest is: timer_ns
 * late when that is a sleep, as a real loop's poll times out, and a
 * wake-up's latency otherwise, as a pipe's or the thread pool's answer
 * wakes the poll; then every request due by now completes, in task order,
 * a sleep with how late that was (the loop's lag). */
#include <stdio.h>
#include <stdlib.h>

#include "../../../interp/opcodes.h"
#include "sim_core.h"
#include "sim_machine.h"

struct gs_io {
    uint64_t latency_ns;
    uint64_t *peer_idle_since; /* per worker: its echo peer's last answer (0: none yet);
                                  NULL when the run's programs do no pipe I/O */
};

typedef struct {
    bool is_sleep;
    uint64_t due_ns;
    int64_t token;
} sim_request;

struct gs_loop {
    gs_io *io;
    uint32_t n, pending;
    sim_request *req;      /* one a task */
    uint32_t *heap;        /* the pending tasks, soonest due first (then the lower task) */
    uint32_t *ready;       /* a wait's: the tasks it found due */
    bool woken;
};

static bool sooner(const gs_loop *l, uint32_t a, uint32_t b)
{
    return l->req[a].due_ns < l->req[b].due_ns || (l->req[a].due_ns == l->req[b].due_ns && a < b);
}

static void heap_push(gs_loop *l, uint32_t task)
{
    uint32_t i = l->pending++;
    for (; i > 0 && sooner(l, task, l->heap[(i - 1) / 2]); i = (i - 1) / 2)
        l->heap[i] = l->heap[(i - 1) / 2];
    l->heap[i] = task;
}

static uint32_t heap_pop(gs_loop *l)
{
    uint32_t top = l->heap[0], last = l->heap[--l->pending], i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= l->pending)
            break;
        if (c + 1 < l->pending && sooner(l, l->heap[c + 1], l->heap[c]))
            c++;
        if (!sooner(l, l->heap[c], last))
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    if (l->pending)
        l->heap[i] = last;
    return top;
}

static int by_task(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

gs_io *gs_sim_io_open(gs_os *os, unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX])
{
    (void)os;
    gs_io *io = calloc(1, sizeof *io);
    uint64_t *idle = kinds & (1u << GS_IO_PIPE) ? calloc(nworkers, sizeof *idle) : NULL;
    if (!io || (kinds & (1u << GS_IO_PIPE) && !idle)) {
        free(io);
        free(idle);
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the run's I/O");
        return NULL;
    }
    *io = (gs_io){.latency_ns = latency_ns, .peer_idle_since = idle};
    return io;
}

/* How long after a write's call began worker's echo peer begins its
 * answer's write (io.c's header): a wake-up's latency counts from the
 * start of the call that wakes, as the model's every wake-up does
 * (sim.c, "Wake-ups"), so neither the write's signal nor the answer's
 * lies on the round trip's path, only on their callers' clocks.  The peer
 * is idle again once its write returns. */
static uint64_t peer_answer(gs_os *os, gs_io *io, uint32_t worker, uint64_t called)
{
    sim *s = sim_of(os);
    const gs_sim_model *m = &s->m;
    uint64_t since = io->peer_idle_since ? io->peer_idle_since[worker] : 0;
    uint64_t ns = sim_wake_latency(s, since ? called - since : UINT64_MAX) + sim_cost(s, m->syscall_ns);
    if (io->latency_ns)
        ns += io->latency_ns + sim_timer_late(s);
    if (io->peer_idle_since)
        io->peer_idle_since[worker] = called + ns + sim_cost(s, m->signal_ns);
    return ns;
}

/* The wake-up base of a thread (or the loop) asleep for ns. */
static uint64_t woken_after(const gs_sim_model *m, uint64_t ns)
{
    return ns <= m->idle_poll_ns ? m->wake_fast_ns : m->wake_ns;
}

int gs_sim_io_perform(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                      char err[GS_ERRMSG_MAX])
{
    (void)err;
    const gs_sim_model *m = gs_sim_model_of(os);
    switch (kind) {
    case GS_IO_PIPE: {
        sim *s = sim_of(os);
        sim_wait_turn(s, sim_me(os));
        if (!io->latency_ns && !s->runq.head && s->turns[SIM_TURNS].n + s->waking == m->cores) {
            /* Every core claimed, none twice: the peer runs here, in sync (the header). */
            gs_sim_charge(os, sim_cost(s, m->syscall_ns)); /* the write queues the peer here */
            /* the read's sleep, the switch to the peer, its write, the switch back */
            uint64_t back = 2 * sim_cost(s, m->syscall_ns) + 2 * sim_cost(s, m->switch_ns);
            if (io->peer_idle_since)
                io->peer_idle_since[worker] = gs_os_now(os) + back;
            gs_sim_doze_exactly(os, back, sim_cost(s, m->wake_cpu_ns)); /* and the worker's way back */
            break;
        }
        uint64_t called = gs_os_now(os);
        gs_sim_charge(os, sim_cost(s, m->signal_ns)); /* the write wakes the peer */
        uint64_t answer = peer_answer(os, io, worker, called), now = gs_os_now(os);
        gs_sim_doze(os, called + answer > now ? called + answer - now : 0, woken_after(m, answer));
        break;
    }
    case GS_IO_FILE:
        gs_sim_doze(os, m->file_io_ns, m->wake_ns);
        break;
    default:
        gs_sim_doze_timer(os, io->latency_ns);
        break;
    }
    *result = token;
    return 0;
}

void gs_sim_io_stop(gs_os *os, gs_io *io)
{
    (void)os, (void)io;
}

void gs_sim_io_close(gs_os *os, gs_io *io)
{
    (void)os;
    free(io->peer_idle_since);
    free(io);
}

gs_loop *gs_sim_loop_open(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX])
{
    (void)os;
    gs_loop *l = calloc(1, sizeof *l);
    sim_request *req = calloc(ntasks, sizeof *req);
    uint32_t *heap = malloc(ntasks * sizeof *heap), *ready = malloc(ntasks * sizeof *ready);
    if (!l || !req || !heap || !ready) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory for the loop of %u tasks", ntasks);
        free(l);
        free(req);
        free(heap);
        free(ready);
        return NULL;
    }
    *l = (gs_loop){.io = io, .n = ntasks, .req = req, .heap = heap, .ready = ready};
    return l;
}

int gs_sim_loop_submit(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX])
{
    (void)err;
    const gs_sim_model *m = gs_sim_model_of(os);
    uint64_t takes = kind == GS_IO_FILE ? m->file_io_ns
                     : kind == GS_IO_PIPE ? peer_answer(os, l->io, task, gs_os_now(os))
                                          : l->io->latency_ns;
    l->req[task] = (sim_request){.is_sleep = kind == GS_IO_SLEEP,
                                 .due_ns = gs_os_now(os) + takes, .token = token};
    heap_push(l, task);
    return 0;
}

uint32_t gs_sim_loop_wait(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block)
{
    uint64_t now = gs_os_now(os);
    if (block && !l->woken && l->pending && l->req[l->heap[0]].due_ns > now) {
        const sim_request *first = &l->req[l->heap[0]];
        const gs_sim_model *m = gs_sim_model_of(os);
        uint64_t ns = first->due_ns - now;
        if (first->is_sleep)
            gs_sim_doze_timer(os, ns);
        else
            gs_sim_doze(os, ns, woken_after(m, ns));
        now = gs_os_now(os);
    }
    l->woken = false;
    /* Every request due by now, in task order; those past max wait for
     * the next call. */
    uint32_t due = 0;
    while (l->pending && l->req[l->heap[0]].due_ns <= now)
        l->ready[due++] = heap_pop(l);
    qsort(l->ready, due, sizeof *l->ready, by_task);
    uint32_t k = 0;
    for (; k < due && k < max; k++) {
        uint32_t i = l->ready[k];
        const sim_request *r = &l->req[i];
        done[k] = (gs_loop_done){.task = i, .result = r->token, .is_sleep = r->is_sleep,
                                 .late_ns = r->is_sleep ? now - r->due_ns : 0};
    }
    for (uint32_t j = k; j < due; j++)
        heap_push(l, l->ready[j]);
    return k;
}

void gs_sim_loop_wake(gs_os *os, gs_loop *l)
{
    (void)os;
    l->woken = true;
}

void gs_sim_loop_close(gs_os *os, gs_loop *l)
{
    (void)os;
    free(l->req);
    free(l->heap);
    free(l->ready);
    free(l);
}
