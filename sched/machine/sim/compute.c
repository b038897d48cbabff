/* compute.c - how the simulated machine's threads compute (sim.c has
 * time, cores and turns): a thread's budget of instructions, what running
 * them costs it, and the operations that are computing in the model (a
 * user lock's bookkeeping, a subinterpreter's start, bytes through a
 * channel, a shared variable's cache line).
 *
 * Computing reads nothing shared but the thread's eval breaker, and only
 * operations write breakers.  At most one thread computes under a lock
 * that is shared; threads without one, or with one each, cannot touch
 * each other's breakers.  So a computing thread need not wait for other
 * computing threads: its budget ends where an operation or an event could
 * come before its next instruction, at the earliest clock of a thread
 * waiting to operate, the next event, or the end of its slice.  The
 * budget rounds up, so its last instruction starts before that moment
 * and a drop request set then is seen at the first poll after it.
 * A thread that computes alone (computes_alone: no other thread shares
 * its lock or its memory, so no operation but a stop's reaches its
 * breaker) need not stop for others' operations or events: within its
 * slice its budget ends at the slice's end (or half a stop tick on,
 * if sooner), and there, before it reads the run queue to decide
 * whether to give up its core, it waits its turn, so that what others
 * did before that moment is done.  A stop reaches it within half a
 * stop tick.  With a thousand cores computing at once, budgets cut at
 * every operation cost the simulator O(threads x operations): 4,096
 * threads on 1,024 cores took 0.89 s, now 0.15 s.  The exception:
 * threads that said they compute on shared variables (shares_memory)
 * with no lock between them run in turns a few nanoseconds long, in the
 * order of their clocks, so that one's read and write can fall either
 * side of the other's, as on real cores. */
#include "sim_core.h"
#include "sim_machine.h"

/* The turns of threads computing on shared variables at once: 8 ns, a
 * few instructions, as long as `counter += 1` takes, so that a read and
 * its write may fall either side of another thread's.  Turns of 1 ns
 * interleave no better for the races gilsim runs and cost four times the
 * simulation's time. */
#define SHARED_TURN_NS 8

/* th, computing, gives its core to the first thread waiting for one and
 * waits for a core again. */
static void give_up_core(sim *s, sim_thread *th)
{
    sim_leave_core(s, th);
    sim_make_ready(s, th, th->t);
    sim_to_scheduler(s, th);
}

uint64_t sim_budget(gs_os *os, uint64_t wanted)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    th->computing = true; /* so that an operation due at this instant goes first */
    sim_wait_turn(s, th);
    th->to_slice_end = th->alone && th->slice_end > th->t;
    uint64_t horizon;
    if (th->to_slice_end) {
        /* Nothing else can end its budget but a stop, which it sees within
         * half a stop tick, however long a slice the model gives (ending
         * its budgets at events too, as the run's timeout is one, cut them
         * at every other thread's wake-up: 0.71 s for 4,096 threads on
         * 1,024 cores against 0.15 s). */
        horizon = th->slice_end < th->t + GS_STOP_TICK_NS / 2 ? th->slice_end : th->t + GS_STOP_TICK_NS / 2;
    } else {
        /* Another sharing thread's clock is at or past th's (th waited its
         * turn): th runs to two turns past it, so at least one instruction. */
        horizon = sim_turns_horizon(s, th, s->nheap ? s->heap[0].time : FOREVER, 2 * SHARED_TURN_NS);
        if (s->runq.head && th->slice_end < horizon)
            horizon = th->slice_end > th->t ? th->slice_end : th->t + 1;
    }
    if (horizon == FOREVER)
        return s->m.adversarial ? 1 + sim_random(s) % (wanted < 100000 ? wanted : 100000) : wanted;
    uint64_t ps = (horizon - th->t) * 1000 - th->ps; /* horizon > t, and th->ps < 1000 */
    uint64_t n = (ps + s->instruction_ps - 1) / s->instruction_ps; /* the last starts before horizon */
    n = n < wanted ? n : wanted;
    return s->m.adversarial ? 1 + sim_random(s) % n : n; /* cut anywhere */
}

void sim_ran(gs_os *os, uint64_t instructions)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    th->ps += instructions * s->instruction_ps;
    if (th->cold) {
        th->cold = false;
        th->ps += sim_cost(s, s->m.cold_ns) * 1000;
    }
    th->t += th->ps / 1000;
    th->cpu_ns += th->ps / 1000;
    if (th->background)
        s->background_cpu_ns += th->ps / 1000;
    th->ps %= 1000;
    th->computing = false;
    if (th->to_slice_end) /* it ran past others' operations: they come first, the run queue theirs */
        sim_wait_turn(s, th);
    bool preempt = th->t >= th->slice_end || (s->m.adversarial && sim_random(s) % 8 == 0);
    if (s->runq.head && preempt) /* others wait for a core: its slice is over */
        give_up_core(s, th);
}

/* sched_yield: a system call, and the core to the first thread waiting
 * for one, if any. */
void sim_yield(gs_os *os)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_wait_turn(s, th);
    sim_spend(th, sim_cost(s, s->m.syscall_ns));
    if (s->runq.head) {
        sim_leave_core(s, th);
        sim_make_ready(s, th, th->t);
        sim_to_scheduler(s, th);
    }
}

void sim_shares_memory(gs_os *os)
{
    sim_me(os)->shares_memory = true;
}

void sim_computes_alone(gs_os *os)
{
    sim_me(os)->alone = true;
}

/* Each shared variable's cache line is where the thread that touched it
 * last runs; a thread touching it after another pays line_ns to bring it
 * over (reads too: the free-threaded build's reference counts write to
 * an object that is read).  On one core nothing moves. */
void sim_touched_shared(gs_os *os, uint64_t vars)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    for (; vars; vars &= vars - 1) {
        unsigned v = (unsigned)__builtin_ctzll(vars);
        if (s->line_owner[v] && s->line_owner[v] != th && s->m.cores > 1) {
            uint64_t ns = sim_cost(s, s->m.line_ns);
            th->t += ns;
            th->cpu_ns += ns;
        }
        s->line_owner[v] = th;
    }
}

void gs_sim_compute(gs_os *os, double ns)
{
    sim *s = sim_of(os);
    uint64_t left = s->m.instruction_ns > 0 ? (uint64_t)(ns / s->m.instruction_ns + 0.5) : 0;
    while (left > 0) {
        uint64_t k = sim_budget(os, left);
        sim_ran(os, k);
        left -= k;
    }
}

void sim_interpreter_start(gs_os *os)
{
    gs_sim_compute(os, (double)sim_cost(sim_of(os), sim_of(os)->m.interp_start_ns));
}

void sim_lock_op(gs_os *os)
{
    gs_sim_compute(os, (double)sim_cost(sim_of(os), sim_of(os)->m.lock_op_ns));
}

void sim_compute(gs_os *os, uint64_t ns)
{
    gs_sim_compute(os, (double)ns);
}

void sim_channel_send(gs_os *os, uint64_t bytes)
{
    gs_sim_compute(os, (double)bytes / 1024 * (double)sim_of(os)->m.channel_kib_ns);
}
