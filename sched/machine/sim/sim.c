/* sim.c - the simulated machine behind machine.h (the model: ../../sim.h):
 * time, cores, threads and turns.  How far a thread computes is
 * compute.c's; how threads sleep and wake wake.c's; its mutexes,
 * condition variables and semaphores sync.c's; its I/O and event loop
 * io.c's; its processes procs.c's.
 *
 * How time passes
 * - Every thread has a clock of its own, t, in virtual nanoseconds.  A
 *   thread on a core advances it by running instructions (instruction_ns
 *   each) and by the costs of what it asks of the OS; a thread off a core
 *   has it set when it gets one.
 * - Order.  Operations on shared things (mutexes, condition variables,
 *   threads started, joined or ended, the clock read) happen in the order
 *   of the clocks of the threads doing them: a thread about to do one
 *   waits until no thread on a core is behind it.  At one instant, events
 *   (timers, wake-ups) come first, in the order they were scheduled, then
 *   operations by thread id, then computing.
 * - Computing: compute.c says how far a thread computes before others'
 *   operations and events come first.
 * - Cores.  At most `cores` threads hold a core; the others wait in a run
 *   queue, first come first served.  When others wait, a computing thread
 *   gives up its core at the end of its slice.  A thread woken alone by a
 *   signal or a post while every core is busy takes its waker's core as
 *   the waker's call returns, if its deadline (when it last took a core,
 *   plus a slice, kept through a sleep shorter than that) is earlier than
 *   the waker's: wake-up preemption, as Linux's EEVDF decides it
 *   (takes_core_of).  A thread its timer wakes takes the core of the
 *   running thread with the latest deadline, if later than its own
 *   (sim_timer_preempts).  Taking a core from another
 *   thread costs switch_ns; going to sleep costs syscall_ns, and waking a
 *   sleeping thread costs its waker signal_ns (a waiter on a condition
 *   variable or a semaphore still going to sleep, only a system call:
 *   sim_wake_call).  Each call's time is its thread's CPU (sim_spend).
 * - Wake-ups.  A woken thread runs its own code again wake_ns (give or
 *   take a quarter, drawn) after the call that woke it began: the kernel
 *   wakes it during the call, and the caller returns signal_ns after it
 *   began.  From that call it claims a core (the kernel queues it on one,
 *   which is idle no more: io.c's pipe asks how many are claimed).  The
 *   last wake_cpu_ns of the latency is its way back out of the kernel,
 *   CPU time on a core (sim_schedule): a busy machine delays it.  A thread
 *   woken in the first half of its call to go to sleep, before the kernel
 *   has queued it, never sleeps: it returns when that call ends, and its
 *   waker's call wakes nobody (wake.c).  A timed wait or a sleep ends timer_ns
 *   after its deadline, its way back the end of that: timer_cpu_ns, a
 *   timer's wake-up, which on a virtual machine costs the sleeper several
 *   times a futex wake-up's way back (sim.h).
 * - Cold caches.  A thread that slept past idle_poll_ns finds its caches
 *   cold, and its next stretch of work (interpreter instructions, a native
 *   call) takes cold_ns longer, where it runs: inside the lock if it took
 *   the lock first.  With holds longer, threads meet at the lock more
 *   often: 256 I/O-bound threads that sleep 1 ms on 2 cores can then fall
 *   into a convoy, where each release signals a waiter while holding the
 *   lock's mutex (signal_ns), and the waiters, the mutex and the cores
 *   queue, most takes waiting for a lock that is mostly free (real runs on
 *   the development VM always do: 793 to 862 of 1,536 takes waited, the
 *   lock held 8% to 10% of the time, 33x to 38x).  The model has that
 *   state and the quiet one, where the threads hardly meet (222x warm,
 *   about 210x with the default cold_ns); which one a run settles in
 *   depends on its costs and its seed.
 * - Mutexes are glibc's: unlocking wakes the first waiter but hands it
 *   nothing, so the unlocker (or anyone) may take the mutex again first,
 *   and the woken waiter tries again or sleeps again.  A signaller holding
 *   the mutex through a slow call can so block the very thread it woke,
 *   which is how Python 2's lock fought on two cores.
 * - Choices.  Which waiter a signal wakes, and how long each wake-up
 *   takes, are drawn from one generator seeded by the model's seed.  Nothing else is random, and nothing
 *   depends on real time, so one seed gives one history.
 * - Adversarial schedules (model.adversarial) draw more from the same
 *   generator: every cost between half and one and a half of its value,
 *   computing cut after a random number of instructions and preempted at
 *   random when others wait for a core, and spurious wake-ups.  Whatever
 *   they choose, a correct lock keeps its invariants.
 *
 * The scheduler is a fiber of its own.  A thread that blocks, or whose
 * turn has not come, switches to it; it handles events and switches to
 * the thread whose turn it is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../start_gate.h"
#include "fiber.h"
#include "sim_core.h"
#include "sim_machine.h"

void sim_push(sim_queue *q, sim_thread *th)
{
    th->next = NULL;
    if (q->tail)
        q->tail->next = th;
    else
        q->head = th;
    q->tail = th;
}

sim_thread *sim_pop(sim_queue *q)
{
    sim_thread *th = q->head;
    if (th) {
        q->head = th->next;
        if (!q->head)
            q->tail = NULL;
        else /* the next to leave: in a queue of thousands, long out of the caches */
            for (size_t at = 0; at < sizeof *th; at += 64)
                __builtin_prefetch((const char *)q->head + at);
        th->next = NULL;
    }
    return th;
}

void *sim_must(void *p)
{
    if (!p)
        gs_fatal("the simulated machine ran out of memory", 0);
    return p;
}

uint64_t sim_random(sim *s) /* splitmix64 */
{
    uint64_t z = (s->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A timer's lateness: timer_ns, drawn (the slack and the wake-up behind
 * it vary; a timer that always fired at the same instant would always stop
 * a thread at the same instruction). */
uint64_t sim_timer_late(sim *s)
{
    return sim_drawn(s, s->m.timer_ns);
}

uint64_t sim_cost(sim *s, uint64_t ns)
{
    return s->m.adversarial ? ns / 2 + sim_random(s) % (ns + 1) : ns;
}

uint64_t sim_drawn(sim *s, uint64_t ns)
{
    ns = sim_cost(s, ns);
    return ns - ns / 4 + sim_random(s) % (ns / 2 + 1);
}

/* ---- cores ---- */

static void take_core(sim *s, sim_thread *th, uint64_t t)
{
    if (s->current && s->current != th && s->current->at[SIM_TURNS])
        sim_turns_update(s, s->current); /* its clock may have moved since it last waited its turn */
    if (th->state == READY && t > th->ready_at) { /* it waited for this core */
        th->core_wait_ns += t - th->ready_at;
        if (th->waited)
            th->waited(th->waited_arg, th->ready_at, t);
    }
    th->state = RUNNING;
    th->t = t;
    th->slice_end = t + s->m.slice_ns;
    sim_turns_update(s, th);
}

void sim_leave_core(sim *s, sim_thread *th)
{
    sim_turns_remove(s, th);
    sim_thread *next = sim_pop(&s->runq);
    if (next) {
        if (next->fiber)
            gs_fiber_prefetch(next->fiber); /* it runs soon */
        take_core(s, next, (next->ready_at > th->t ? next->ready_at : th->t) + sim_cost(s, s->m.switch_ns));
    }
}

void sim_make_ready(sim *s, sim_thread *th, uint64_t t)
{
    if (th->waking) {
        th->waking = false;
        s->waking--;
    }
    th->state = READY;
    th->ready_at = t;
    th->wait++;
    if (s->turns[SIM_TURNS].n < s->m.cores) {
        take_core(s, th, t);
        return;
    }
    sim_push(&s->runq, th);
}

/* ---- whose turn (turns.c keeps the order) ---- */

/* The thread on a core whose turn it is, if it comes before every due
 * event; NULL when an event comes first (or no thread holds a core). */
static sim_thread *next_turn(sim *s)
{
    sim_thread *best = sim_turns_first(s);
    return best && !(s->nheap && s->heap[0].time <= best->t) ? best : NULL;
}

static void thread_main(void *room);

/* Th's fiber, taken from the pool as th first runs: a thread not yet run
 * (one at a shut start gate) holds no stack (see "Start gates"), and one
 * that starts after another ended runs on that one's stack, still in the
 * caches. */
static gs_fiber *fiber_of(sim *s, sim_thread *th)
{
    if (!th->fiber) {
        void *room;
        th->fiber = gs_fiber_pool_take(s->fibers, thread_main, s->scheduler, &room);
        if (!th->fiber)
            gs_fatal("the simulated machine ran out of memory for a thread's stack", 0);
        *(sim_thread **)room = th;
    }
    return th->fiber;
}

/* The scheduler's fiber: a block of the threads' pool, whose room names
 * the machine. */
static void scheduler_loop(void *room)
{
    sim *s = *(sim **)room;
    for (;;) {
        sim_thread *best = next_turn(s);
        if (!best && s->nheap) {
            sim_event ev = sim_pop_event(s);
            sim_thread *th = ev.thread;
            if (th->state != BLOCKED || th->wait != ev.wait)
                continue; /* it was woken another way first */
            if (th->cond)
                sim_cond_remove(th->cond, th);
            th->timed_out = ev.by == SIM_BY_TIMEOUT;
            th->way_back = ev.way_back;
            uint64_t at = ev.time > th->t ? ev.time : th->t; /* not before it went to sleep */
            if (ev.by == SIM_BY_CALL || !sim_timer_preempts(s, th, at))
                sim_make_ready(s, th, at);
            continue;
        }
        if (!best)
            gs_fatal("the simulated machine deadlocked: every thread waits and nothing is due", 0);
        s->current = best;
        gs_fiber_switch(s->scheduler, fiber_of(s, best));
    }
}

/* What the scheduler would do first, done without it where it would only
 * pass control on: run the thread whose turn it is, unless an event comes
 * first.  Each turn taken so is one fiber switch instead of two, and with
 * a thousand threads on as many modelled cores a switch goes to a cold
 * stack (fiber.c). */
void sim_to_scheduler(sim *s, sim_thread *th)
{
    sim_thread *best = next_turn(s);
    if (best) {
        if (best != th) {
            s->current = best;
            gs_fiber_switch(th->fiber, fiber_of(s, best));
        }
        return;
    }
    gs_fiber_switch(th->fiber, s->scheduler);
}

/* Returns once it is th's turn to operate: no thread on a core is behind
 * it and no event is due before it. */
void sim_wait_turn(sim *s, sim_thread *th)
{
    sim_turns_update(s, th);
    while ((s->nheap && s->heap[0].time <= th->t) || sim_turns_first(s) != th)
        sim_to_scheduler(s, th);
}

/* ---- the operations ---- */

static uint64_t sim_now(gs_os *os)
{
    sim_wait_turn(sim_of(os), sim_me(os));
    return sim_me(os)->t;
}

static uint64_t sim_thread_cpu(gs_os *os)
{
    return sim_me(os)->cpu_ns;
}

static uint32_t sim_cpus(gs_os *os)
{
    return sim_of(os)->m.cores;
}

static bool sim_core_wait(gs_os *os, uint64_t *ns)
{
    *ns = sim_me(os)->core_wait_ns;
    return true;
}

static bool sim_others_cpu(gs_os *os, int64_t *ns, uint64_t *error_ns)
{
    *ns = (int64_t)sim_of(os)->background_cpu_ns;
    *error_ns = 0;
    return true;
}

/* Another program's thread: it computes, forever. */
static void *background_main(void *arg)
{
    gs_os *os = arg;
    for (;;)
        os->ops->ran(os, os->ops->budget(os, UINT64_C(1) << 30));
    return NULL;
}

static bool sim_watch_core_wait(gs_os *os, void (*waited)(void *, uint64_t, uint64_t), void *arg)
{
    sim_me(os)->waited = waited;
    sim_me(os)->waited_arg = arg;
    return true;
}

/* ---- start gates ----
 * A start gate (../start_gate.h) is what a runner would make of a mutex,
 * a condition variable and a flag: a thread started at it first takes the
 * mutex and, while the gate is shut, waits on the variable; opening it
 * sets the flag and broadcasts, holding the mutex, and each thread woken
 * takes the mutex in turn before it runs (the herd that spreads real
 * threads' starts).  The simulated threads do just that, with one
 * difference that is the host's, not the model's: a thread asleep at a shut gate gives its fiber
 * back (it is parked), and, once woken, goes on from its wait on a fresh
 * one.  Its stack holds nothing a gate's wait needs, so 16,384 threads at
 * a gate are 16,384 records, not 16,384 stacks in use, each switched to
 * and from again before any thread ran its work (gilsim-bench's growth
 * rows: the host's caches lost at every pass). */
/* Th, asleep at its gate, gives its fiber back and leaves it, control
 * going to the scheduler; fiber_of gives th one again once it is woken. */
static _Noreturn void park(sim *s, sim_thread *th)
{
    gs_fiber *f = th->fiber;
    th->fiber = NULL;
    th->parked = true;
    gs_fiber_pool_give(s->fibers, f);
    gs_fiber_leave(f);
}

/* Th's wait at its gate, as a runner's would be: the mutex, and the
 * condition variable while the gate is shut.  A thread first asleep there
 * parks; woken, it goes on where its wait ended. */
static void pass_gate(sim *s, sim_thread *th)
{
    gs_os *os = &s->os;
    gs_gate *g = th->gate;
    if (th->parked) { /* the rest of the wait that parked it (sync.c, cond_wait) */
        th->parked = false;
        sim_woken(s, th);
        gs_sim_lock(os, g->mutex);
    } else {
        gs_sim_lock(os, g->mutex);
        if (!g->open) {
            sim_cond_enter(os, g->cond, g->mutex, FOREVER);
            sim_fall_asleep(s, th);
            park(s, th);
        }
    }
    while (!g->open) /* woken by chance (an adversarial model's spurious wake-up) */
        gs_sim_wait(os, g->cond, g->mutex);
    gs_sim_unlock(os, g->mutex);
}

static void thread_main(void *room)
{
    sim_thread *th = *(sim_thread **)room;
    sim *s = th->machine;
    if (th->gate)
        pass_gate(s, th);
    th->fn(th->arg);
    sim_wait_turn(s, th);
    th->state = DONE;
    if (th->joiner)
        sim_schedule(s, th->t, s->m.wake_ns, th->joiner, SIM_BY_CALL);
    sim_leave_core(s, th);
    gs_fiber_pool_give(s->fibers, th->fiber); /* taken again once done, when it has switched away */
    th->fiber = NULL;
    /* returning switches to the scheduler for good */
}

/* Counts th, zeroed, among s's threads. */
static sim_thread *add_thread(sim *s, sim_thread *th)
{
    if (s->nthreads == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->threads = sim_must(realloc(s->threads, s->cap * sizeof *s->threads));
    }
    th->id = s->nthreads;
    th->machine = s;
    s->threads[s->nthreads++] = th;
    return th;
}

void gs_sim_spawn(gs_os *os, gs_thread **t, void *(*fn)(void *), void *arg, uint64_t cost_ns, gs_gate *gate)
{
    sim *s = sim_of(os);
    sim_thread *by = sim_me(os);
    sim_wait_turn(s, by);
    sim_thread *th = add_thread(s, sim_must(calloc(1, sizeof *th))); /* its fiber comes as it first runs */
    th->fn = fn;
    th->arg = arg;
    sim_spend(by, cost_ns);
    th->gate = gate;
    sim_make_ready(s, th, by->t + s->m.wake_ns);
    *t = (gs_thread *)(void *)th;
}

static int sim_thread_start(gs_os *os, gs_thread **t, size_t stack_size, void *(*fn)(void *), void *arg,
                            gs_gate *gate)
{
    (void)stack_size; /* a fiber's stack holds only C frames: STACK is enough */
    gs_sim_spawn(os, t, fn, arg, sim_cost(sim_of(os), sim_of(os)->m.thread_start_ns), gate);
    return 0;
}

static void sim_thread_join(gs_os *os, gs_thread *t)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os), *target = (sim_thread *)(void *)t;
    sim_wait_turn(s, th);
    if (target->state != DONE) {
        target->joiner = th;
        sim_block(s, th);
    }
}

void gs_sim_charge(gs_os *os, uint64_t ns)
{
    sim_wait_turn(sim_of(os), sim_me(os));
    sim_spend(sim_me(os), ns);
}

const gs_sim_model *gs_sim_model_of(gs_os *os)
{
    return &sim_of(os)->m;
}

/* The calling thread sleeps ns, then latency more, woken by `by`, its way
 * back the end of it (sim_schedule). */
static void doze(gs_os *os, uint64_t ns, uint64_t latency, sim_wake_by by)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_wait_turn(s, th);
    sim_schedule(s, th->t + ns, latency, th, by);
    sim_block(s, th);
}

void gs_sim_doze_exactly(gs_os *os, uint64_t ns, uint64_t latency)
{
    doze(os, ns, latency, SIM_BY_CALL);
}

void gs_sim_doze(gs_os *os, uint64_t ns, uint64_t late)
{
    sim *s = sim_of(os);
    sim_wait_turn(s, sim_me(os)); /* draws are made in turn: one seed, one history */
    doze(os, ns, sim_drawn(s, late), SIM_BY_CALL); /* as a wake-up's latency is */
}

void gs_sim_doze_timer(gs_os *os, uint64_t ns)
{
    sim *s = sim_of(os);
    sim_wait_turn(s, sim_me(os));
    doze(os, ns, sim_timer_late(s), SIM_BY_TIMER);
}

static void sim_sleep(gs_os *os, uint64_t ns)
{
    gs_sim_doze_timer(os, ns);
}

/* A modelled machine has the cores of its model: pinning is the model's
 * core count, set before the run. */
static int sim_pin(gs_os *os, uint32_t cores, char err[GS_ERRMSG_MAX])
{
    (void)os, (void)cores, (void)err;
    return 0;
}

/* Nothing modelled opens a descriptor. */
static int sim_reserve_fds(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit)
{
    (void)os, (void)more, (void)need, (void)limit;
    return 0;
}

/* Nor does it start a real thread or process. */
static int sim_reserve_tasks(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit)
{
    (void)os, (void)more, (void)need, (void)limit;
    return 0;
}

static const gs_os_ops sim_ops = {
    .now_ns = sim_now,
    .thread_cpu_ns = sim_thread_cpu,
    .cpus = sim_cpus,
    .thread_core_wait_ns = sim_core_wait,
    .thread_watch_core_wait = sim_watch_core_wait,
    .others_cpu_ns = sim_others_cpu,
    .mutex_new = gs_sim_mutex_new,
    .mutex_lock = gs_sim_lock,
    .mutex_unlock = gs_sim_unlock,
    .mutex_trylock = gs_sim_trylock,
    .yield = sim_yield,
    .mutex_free = gs_sim_mutex_free,
    .cond_new = gs_sim_cond_new,
    .cond_wait = gs_sim_wait,
    .cond_wait_until = gs_sim_wait_until,
    .cond_signal = gs_sim_signal,
    .cond_broadcast = gs_sim_broadcast,
    .cond_free = gs_sim_cond_free,
    .sem_new = gs_sim_sem_new,
    .sem_wait = gs_sim_sem_wait,
    .sem_post = gs_sim_sem_post,
    .sem_free = gs_sim_sem_free,
    .thread_start = sim_thread_start,
    .gate_new = gs_start_gate_new,
    .gate_open = gs_start_gate_open,
    .gate_free = gs_start_gate_free,
    .thread_join = sim_thread_join,
    .sleep_ns = sim_sleep,
    .io_open = gs_sim_io_open,
    .io_perform = gs_sim_io_perform,
    .io_stop = gs_sim_io_stop,
    .io_close = gs_sim_io_close,
    .budget = sim_budget,
    .breaker_between_budgets = true,
    .ran = sim_ran,
    .shares_memory = sim_shares_memory,
    .computes_alone = sim_computes_alone,
    .touched_shared = sim_touched_shared,
    .interpreter_start = sim_interpreter_start,
    .lock_op = sim_lock_op,
    .channel_send = sim_channel_send,
    .compute = sim_compute,
    .shared_new = gs_sim_shared_new,
    .shared_free = gs_sim_shared_free,
    .procs_start = gs_sim_procs_start,
    .procs_release = gs_sim_procs_release,
    .procs_wait = gs_sim_procs_wait,
    .procs_free = gs_sim_procs_free,
    .home_send = gs_sim_home_send,
    .home_transfer = gs_sim_home_transfer,
    .home_on_stop = gs_sim_home_on_stop,
    .loop_open = gs_sim_loop_open,
    .loop_submit = gs_sim_loop_submit,
    .loop_wait = gs_sim_loop_wait,
    .loop_wake = gs_sim_loop_wake,
    .loop_close = gs_sim_loop_close,
    .pin = sim_pin,
    .reserve_fds = sim_reserve_fds,
    .reserve_tasks = sim_reserve_tasks,
};

gs_os *gs_os_sim_new(const gs_sim_model *model)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->os.ops = &sim_ops;
    s->m = *model;
    s->instruction_ps = (uint64_t)(model->instruction_ns * 1000 + 0.5);
    if (s->instruction_ps == 0)
        s->instruction_ps = 1;
    s->rng = model->seed;
    bool heaps = true;
    for (int k = 0; k < SIM_HEAPS; k++)
        heaps &= (s->turns[k].a = calloc(model->cores, sizeof *s->turns[k].a)) != NULL;
    sim_thread *first = heaps ? add_thread(s, sim_must(calloc(1, sizeof *first))) : NULL; /* the calling thread */
    if (first)
        first->fiber = gs_fiber_main();
    s->fibers = first ? gs_fiber_pool_new(STACK, sizeof(void *)) : NULL; /* the room: whose fiber it is */
    void *room = NULL;
    if (s->fibers && first->fiber)
        s->scheduler = gs_fiber_pool_take(s->fibers, scheduler_loop, first->fiber, &room);
    if (s->scheduler)
        *(sim **)room = s;
    if (!first || !first->fiber || !s->scheduler || !s->fibers) {
        gs_os_sim_free(&s->os);
        return NULL;
    }
    take_core(s, first, 0);
    s->current = first;
    for (uint32_t i = 0; i < model->background; i++) { /* the busy machine's other programs */
        gs_thread *t;
        gs_sim_spawn(&s->os, &t, background_main, &s->os, 0, NULL);
        s->threads[s->nthreads - 1]->background = true;
    }
    return &s->os;
}

uint32_t gs_os_sim_stacks(gs_os *os)
{
    return gs_fiber_pool_made(sim_of(os)->fibers);
}

void gs_os_sim_free(gs_os *os)
{
    sim *s = sim_of(os);
    if (!s)
        return;
    uint32_t waking = 0; /* io.c's pipe trusts the count: every run checks it */
    for (uint32_t i = 0; i < s->nthreads; i++)
        waking += s->threads[i]->waking;
    if (waking != s->waking)
        gs_fatal("the simulated machine lost count of its woken threads", 0);
    if (s->nthreads) /* the calling thread's fiber, its own */
        gs_fiber_free(s->threads[0]->fiber);
    for (uint32_t i = 0; i < s->nthreads; i++)
        free(s->threads[i]);
    gs_fiber_pool_free(s->fibers); /* the scheduler's and the spawned threads' */
    free(s->threads);
    for (int k = 0; k < SIM_HEAPS; k++)
        free(s->turns[k].a);
    free(s->heap);
    free(s);
}
