/* wake.c - how the simulated machine's threads sleep and wake (sim.c,
 * "Wake-ups" and "Cores", is the model's specification): the system call
 * that puts a thread to sleep, what waking it costs its waker and how
 * long it takes, a woken thread's way back, and wake-up preemption. */
#include "sim_core.h"

/* A wake-up's latency: wake_ns, drawn.  Real wake-ups vary so; with one
 * fixed latency, threads that wake each other fall into step with their
 * own periods and stay there, and a figure such as Python 2's battle
 * swings with the cost of an instruction. */
uint64_t sim_wake_latency(sim *s, uint64_t idle_ns)
{
    return sim_drawn(s, idle_ns <= s->m.idle_poll_ns ? s->m.wake_fast_ns : s->m.wake_ns);
}

/* th blocks at its clock, after paying for the system call, and returns
 * on a core again, once woken.  Halfway through that call it is queued to
 * be woken: a wake-up before then finds it still on its way (the futex
 * call finds the word changed and returns), and it goes on when its call
 * ends; one after finds it queued, and costs what waking a sleeper costs.
 * Measured on the development VM (2026-12-06): a thread announced its
 * futex wait, and another core woke it d ns after seeing that; for d up
 * to 100 ns the wake call took 260 to 400 ns, for d of 200 ns to 50 us
 * it took 4 to 7 us, as for a thread long asleep (but for a slot near
 * 1.1 us, 0.6 us, where the idle core still polled), against a whole
 * call to sleep of 290 ns.  When a sleeper counted as still on its way
 * for the whole call, Python 2's lock at short check intervals fell into
 * step: each release came while the other thread was still in its call,
 * which took the lock at once (the lock changed hands at every tick of
 * 800 instructions, 1.1x; real gilsim: 4% of ticks, 2x, and the model
 * now 4%).  If it slept, it pays its way back then,
 * before it does anything: not inside what it then takes (a mutex it was
 * woken for, the lock).  There, with 256 threads waking from 1 ms sleeps
 * on 2 cores and a way back of 19 us (what a 1 ms ppoll costs its thread
 * on the development VM is 12 to 19 us), the lock's mutex was held so
 * long that every hand-off waited out a switch interval: the lock held
 * 0.0% of the time, the run 1.12x as fast as one thread. */
void sim_block(sim *s, sim_thread *th)
{
    sim_fall_asleep(s, th);
    sim_to_scheduler(s, th);
    sim_woken(s, th);
}

void sim_fall_asleep(sim *s, sim_thread *th)
{
    uint64_t call = sim_cost(s, s->m.syscall_ns);
    th->queued_at = th->t + call / 2;
    sim_spend(th, call);
    th->state = BLOCKED;
    th->blocked_at = th->t;
    sim_leave_core(s, th);
}

void sim_woken(sim *s, sim_thread *th)
{
    th->cold |= th->ready_at > th->blocked_at + s->m.idle_poll_ns;
    if (th->ready_at > th->blocked_at) { /* it slept */
        sim_spend(th, th->way_back);
        sim_wait_turn(s, th); /* what it does next happens at its new clock, in turn */
    }
}

/* Wake-up preemption, as Linux's EEVDF scheduler decides it: with no core
 * free, a woken thread takes its waker's core if its deadline is earlier.
 * A thread keeps its deadline (the moment it took its core, plus a slice)
 * through a sleep shorter than that slice, and comes back from a longer
 * one with a fresh deadline, later than any running thread's.  So a
 * thread that slept a moment, after running a moment, gets the core back
 * at once: on one core, Python 2's waiter, woken by the holder's release,
 * runs before the holder can take the lock again (real runs: the lock
 * changes hands about once a time slice, and the releases in between cost
 * no system call, as nobody is left waiting), where without it the holder
 * kept the lock for the whole run, paying a system call at every release.
 * The waker is preempted when its call returns, before it does anything
 * else. */
static bool takes_core_of(sim *s, const sim_thread *w, const sim_thread *waker, uint64_t called)
{
    if (s->turns[SIM_TURNS].n < s->m.cores || waker->state != RUNNING || waker->background)
        return false; /* a core is free: w wakes there */
    uint64_t deadline = w->slice_end > called ? w->slice_end : called + s->m.slice_ns;
    return deadline < waker->slice_end;
}

/* A timer's wake-up preempts too.  The timer's interrupt comes on a busy
 * core, and the woken thread takes it from the thread running there if
 * its deadline is earlier, by the rule above: a thread that slept 1 ms
 * keeps the deadline it had, and one that took its core since has a
 * later one.  The model has no thread's own core: the running thread
 * with the latest deadline is preempted, if its deadline is later than
 * the woken thread's (a thread that computes alone never is: its clock
 * runs ahead, compute.c).  It waits for a core again, as
 * a thread a waker's wake-up preempted does.  Without this, a thread
 * holding the lock kept its core through every wake-up: 256 I/O-bound
 * threads that sleep 1 ms on 2 cores (calibrated on the development VM)
 * hardly met at the lock, 93x as fast as one thread, where real runs, the
 * lock's holder preempted now and then, queue at it: CPython 3.11 there
 * 34x, the model now 36x (sched/experiments/lessons.c). */
bool sim_timer_preempts(sim *s, sim_thread *th, uint64_t at)
{
    if (s->turns[SIM_TURNS].n < s->m.cores)
        return false; /* a core is free: th wakes there */
    sim_thread *victim = sim_turns_latest_deadline(s);
    uint64_t deadline = th->slice_end > at ? th->slice_end : at + s->m.slice_ns;
    if (!victim || victim->slice_end <= deadline || victim->t < at)
        return false;
    sim_turns_remove(s, victim);
    victim->state = READY;
    victim->ready_at = victim->t;
    sim_push(&s->runq, victim);
    sim_make_ready(s, th, victim->t + sim_cost(s, s->m.switch_ns));
    return true;
}

/* The waker gives w its core: w runs once the switch is made, the waker
 * waits for a core again. */
static void hand_over(sim *s, sim_thread *waker, sim_thread *w)
{
    waker->handing = NULL;
    sim_turns_remove(s, waker);
    waker->state = READY;
    waker->ready_at = waker->t;
    sim_push(&s->runq, waker);
    w->way_back = (uint32_t)sim_cost(s, s->m.wake_cpu_ns); /* no latency: all of it after the switch */
    sim_make_ready(s, w, waker->t + sim_cost(s, s->m.switch_ns)); /* the core it left */
    sim_to_scheduler(s, waker);
}

/* Wakes blocked w by a call made at `called`.  If w is not queued yet
 * (sim_block), it never sleeps and returns when its own call ends.  Where
 * w is to take the waker's core (sim_wake_call said so), the waker hands
 * it over here, as its call's last act. */
void sim_wake(sim *s, sim_thread *w, uint64_t called)
{
    if (s->current && s->current->handing == w) {
        hand_over(s, s->current, w);
        return;
    }
    if (!w->waking) {
        w->waking = true;
        s->waking++;
    }
    if (w->queued_at > called)
        sim_schedule(s, w->t, 0, w, SIM_BY_CALL); /* still on its way to sleep */
    else
        sim_schedule(s, called, sim_wake_latency(s, called > w->blocked_at ? called - w->blocked_at : 0), w,
                     SIM_BY_CALL);
}

/* The call that wakes w costs its waker a system call, and, if w is
 * queued to sleep by the time the call is made, the interrupt that fetches
 * w's core back: signal_ns in all (6 to 9 us on the development VM, where
 * the interrupt leaves the virtual machine).  A thread in the first half
 * of its own call to go to sleep (sim_block) is not queued yet: the futex
 * wake finds nobody to wake, a plain system call (syscall_ns), and the
 * sleeper's own call returns, finding the word changed.  This is what
 * makes a tiny switch interval cheap on a real machine: the waiter that just set the drop request is
 * on its way back to sleep when the holder signals it, and the holder's
 * signal and the hand-off take a microsecond, not a wake-up (real runs on
 * the development VM at 1 us: hand-off p50 1 us, 12,600 switches a
 * second; the model with that VM's calibration: 0.5 us, 13,600; it gave
 * 34 us and 8,400 when every wake-up cost signal_ns).  Condition
 * variables and semaphores wake so; a mutex's unlock still pays signal_ns
 * (sync.c): pricing it so too made 16 free-threaded threads on a shared
 * object faster than 4, against the published runs test_sim_locks holds. */
uint64_t sim_wake_call(sim *s, sim_thread *waker, sim_thread *w, bool alone)
{
    uint64_t called = waker->t;
    bool asleep = w->queued_at <= called;
    waker->handing = alone && asleep && takes_core_of(s, w, waker, called) ? w : NULL; /* no interrupt: it runs here */
    sim_spend(waker, sim_cost(s, asleep && !waker->handing ? s->m.signal_ns : s->m.syscall_ns));
    return called;
}
