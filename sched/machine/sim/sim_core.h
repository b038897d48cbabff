/* sim_core.h - the simulated machine's insides (private to sim/): its
 * threads, their queues, the machine, and the operations every part of it
 * builds on.  sim.c says how time passes (its header comment is the
 * model's specification); compute.c how far a thread computes; wake.c
 * how its threads sleep and wake; sync.c is its mutexes, condition
 * variables and semaphores. */
#ifndef GS_SIM_CORE_H
#define GS_SIM_CORE_H

#include "sim_machine.h"

struct gs_fiber;
typedef struct gs_fiber gs_fiber;
typedef struct gs_fiber_pool gs_fiber_pool;

enum { READY, RUNNING, BLOCKED, DONE };
/* A simulated thread's C stack.  The interpreter keeps its own stack on
 * the heap, so this holds only C frames: the suite's deepest simulated
 * thread used 3.7 KiB (7 KiB in the AddressSanitizer build, whose frames
 * carry red zones; measured by painting every stack, 2026-12-07), and a
 * thread whose stack reaches its last page stops the run when it is freed
 * (fiber.c: the block is of whole pages, so the stack has up to a page
 * more than this, and its lowest is the tripwire).
 * With 64 KiB, and the fiber's record and the thread allocated apart from
 * it, CPU a simulated thread was 3% to 8% more (paired runs, 15 each:
 * 4,096 threads on 8 modelled cores 9.69 -> 8.94 us, on 1,024 11.13 ->
 * 10.78; 100,000 threads on 1,024 cores 1.09 -> 0.97 s), a switch to a
 * thread then touching three places long out of the caches, not one.
 * The thread has since left its fiber's page again, for a good reason: a
 * stack is now a running thread's only, taken as it first runs and given
 * back as it ends or parks at a start gate (sim.c, fiber_of and "Start
 * gates"), so the thread's record outlives it.  Runs whose threads do
 * not all wait at once then keep a few stacks, still in the caches:
 * 16,384 threads of one unit on 8 modelled cores 6.2 -> 4.3 us of CPU a
 * thread, on 1,024 7.1 -> 5.0 (gilsim-bench, two runs each, 2026-12-07);
 * runs whose threads all wait mid-run (for the lock) keep one stack each
 * as before, and 0.25 KiB more a thread for the record apart (100,000
 * CPU-bound threads: 614 -> 637 MB, in as much CPU). */
enum { STACK = 16 * 1024 };
#define FOREVER UINT64_MAX

/* The heaps of on-core threads that say whose turn it is (turns.c). */
enum { SIM_TURNS, SIM_OPERATING, SIM_SHARING, SIM_DEADLINES, SIM_HEAPS };

typedef struct sim_thread {
    gs_fiber *fiber;
    uint32_t id;
    int state;
    bool computing;           /* between budget and ran */
    bool shares_memory;       /* computes on memory others compute on (shares_memory) */
    bool alone;               /* nothing others do reaches its instructions (computes_alone) */
    bool to_slice_end;        /* alone, its budget runs to its slice's end (sim_budget) */
    uint64_t t;               /* its clock */
    uint64_t ps;              /* picoseconds of instructions not yet on t */
    uint64_t ready_at;        /* READY: since when */
    uint64_t blocked_at;      /* BLOCKED: since when (its core idle since then, as far
                                 as a wake-up's latency goes) */
    uint64_t queued_at;       /* BLOCKED: halfway through its call to sleep, where it
                                 is queued to be woken (sim_block) */
    bool cold;                /* slept past idle_poll_ns: its next work pays cold_ns (sim_ran) */
    uint32_t way_back;        /* woken: the CPU it spends on its way back to its code (sim_block) */
    uint64_t slice_end;       /* its deadline (EEVDF's): when it took its core, plus a slice */
    struct sim_thread *handing; /* woke it and gives it its core as its call returns */
    uint64_t cpu_ns;
    uint64_t core_wait_ns;    /* READY, waiting for a core (switch costs included) */
    bool background;          /* another program's: it only computes, forever */
    void (*waited)(void *arg, uint64_t from, uint64_t to); /* told each such stretch */
    void *waited_arg;
    void *(*fn)(void *);
    void *arg;
    struct sim_thread *next;  /* in the run queue or a mutex's queue */
    struct sim_thread *joiner;
    void *machine;            /* the sim it belongs to */
    struct sim_cond *cond;    /* BLOCKED on a condition variable: which */
    uint32_t cond_slot;       /* ... and its place in that variable's queue */
    uint32_t at[SIM_HEAPS];   /* on a core: its place in each heap of turns.c, 0 if none */
    uint64_t wait;            /* numbers its waits, so a stale wake-up is ignored */
    bool timed_out;
    bool waking;              /* BLOCKED and woken: it has claimed a core (sim_wake) */
    gs_gate *gate;            /* started at a gate: it waits there first (sim.c, "Start gates") */
    bool parked;              /* asleep at its gate, its fiber given back (park) */
} sim_thread;

/* Threads waiting in order: the run queue, a mutex's waiters. */
typedef struct {
    sim_thread *head, *tail;
} sim_queue;

typedef struct {
    sim_thread *owner;
    sim_queue waiting;
} sim_mutex;

/* A condition variable's waiters, in the order they came (sync.c). */
typedef struct sim_cond {
    sim_thread **slot;   /* by arrival; NULL where one has left */
    uint32_t *count;     /* a Fenwick tree over slot: waiters in each range */
    uint32_t used, cap;  /* slots used, slots allocated */
    uint32_t n;          /* waiters */
} sim_cond;

/* A heap's entry: a thread and its order's key, copied from it when it
 * was last placed (turns.c), so that sifting reads the heap's own array. */
typedef struct {
    uint64_t key, tie; /* compared in turn, the smaller first */
    sim_thread *th;
} sim_heap_entry;

typedef struct {
    sim_heap_entry *a;
    uint32_t n;
} sim_heap;

typedef struct {
    uint64_t time, seq;
    sim_thread *thread;
    uint64_t wait;
    uint32_t way_back;        /* what its thread pays once on a core (sim_schedule) */
    uint8_t by;               /* what wakes it (sim_wake_by) */
} sim_event;

typedef struct {
    gs_os os;
    gs_sim_model m;
    uint64_t instruction_ps;
    uint64_t rng;
    gs_fiber *scheduler;
    gs_fiber_pool *fibers;  /* the scheduler's and the running threads' (sim.c, fiber_of) */
    sim_thread *current;
    sim_thread **threads;
    uint32_t nthreads, cap;
    sim_thread *line_owner[64]; /* each shared variable's cache line: whose core has it
                                   (sim_touched_shared; the threads runner's variables) */
    sim_heap turns[SIM_HEAPS]; /* the threads holding a core (turns.c) */
    sim_queue runq;           /* READY threads waiting for a core */
    uint32_t waking;          /* threads woken, not READY yet: each has claimed a core */
    sim_event *heap;
    uint32_t nheap, capheap;
    uint64_t seq;
    uint64_t background_cpu_ns; /* the background threads' CPU time */
} sim;

static inline sim *sim_of(gs_os *os) { return (sim *)os; }
static inline sim_thread *sim_me(gs_os *os) { return sim_of(os)->current; }

/* th spends ns on its core in the kernel, in a system call made for it
 * (a futex call, a signal, a write, a thread's or a process's start): CPU
 * time, as a real thread's CPU clock counts its system time.  When it was
 * not, Python 2's battle on 2 calibrated cores spent 100 ms of CPU where
 * real runs spend 200, its releases' wake-up calls in no column of the
 * report. */
static inline void sim_spend(sim_thread *th, uint64_t ns)
{
    th->t += ns;
    th->cpu_ns += ns;
}

void sim_push(sim_queue *q, sim_thread *th);
sim_thread *sim_pop(sim_queue *q);
void *sim_must(void *p);
uint64_t sim_random(sim *s);
/* A cost of the model: as it is, or drawn around it when adversarial. */
uint64_t sim_cost(sim *s, uint64_t ns);
/* A cost that varies from one time to the next, as a wake-up's latency
 * and a timer's lateness do: ns (as sim_cost has it), give or take a
 * quarter, drawn from the seed. */
uint64_t sim_drawn(sim *s, uint64_t ns);
/* How late a timed wait or a sleep ends: timer_ns, give or take a quarter. */
uint64_t sim_timer_late(sim *s);
/* How long a thread that slept idle_ns takes to run once woken (its core
 * idle as long): wake_fast_ns within idle_poll_ns, else wake_ns, give or
 * take a quarter. */
uint64_t sim_wake_latency(sim *s, uint64_t idle_ns);
/* What ends a wait: another thread's call (a signal, a post, an unlock, a
 * join, the peer's answer), or th's timer, ending its sleep or timing its
 * wait out.  A timer's wake-up costs its thread timer_cpu_ns on its way
 * back, a call's wake_cpu_ns, and only a timer's may preempt a running
 * thread when it comes (sim_timer_preempts). */
typedef enum { SIM_BY_CALL, SIM_BY_TIMER, SIM_BY_TIMEOUT } sim_wake_by;
/* Wakes th so that it runs its own code again `latency` after `from` if a
 * core is free, unless woken otherwise first; its way back, the end of
 * that latency, it spends on a core (wake.c, sim_block).  events.c. */
void sim_schedule(sim *s, uint64_t from, uint64_t latency, sim_thread *th, sim_wake_by by);
/* The earliest event, taken off the heap (s->nheap > 0). */
sim_event sim_pop_event(sim *s);
/* Returns once it is th's turn to operate (sim.c, "Order"). */
void sim_wait_turn(sim *s, sim_thread *th);
/* th, running, passes control on (to the thread whose turn it is, or to
 * the scheduler when an event comes first) and returns when switched
 * back to. */
void sim_to_scheduler(sim *s, sim_thread *th);
/* th leaves its core at its clock; the first in the run queue takes it. */
void sim_leave_core(sim *s, sim_thread *th);
/* Whether th, its timer's wake-up due at `at` with every core busy, took
 * a running thread's core (wake.c). */
bool sim_timer_preempts(sim *s, sim_thread *th, uint64_t at);
/* th is runnable at t: on a free core at once, else last in the run queue. */
void sim_make_ready(sim *s, sim_thread *th, uint64_t t);
/* wake.c: th goes to sleep at its clock, after paying for the system
 * call, and returns once woken and on a core again, its way back paid. */
void sim_block(sim *s, sim_thread *th);
/* sim_block in two: th goes to sleep (its call paid, off its core), and,
 * once woken and on a core again, pays its way back. */
void sim_fall_asleep(sim *s, sim_thread *th);
void sim_woken(sim *s, sim_thread *th);
/* Wakes blocked w by a call made at called. */
void sim_wake(sim *s, sim_thread *w, uint64_t called);
/* The waker's call that wakes w (the first of several when not alone):
 * charges it and returns when it began.  Where w, woken alone, is to take
 * the waker's core (wake-up preemption), sim_wake then hands the core
 * over, so it must be the call's last act. */
uint64_t sim_wake_call(sim *s, sim_thread *waker, sim_thread *w, bool alone);
/* A wait on c, holding m, up to the sleep (sync.c, cond_wait): th queued
 * on c, m unlocked, its timeout due. */
void sim_cond_enter(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline);
/* th's cond is one it no longer waits on (sync.c). */
void sim_cond_remove(sim_cond *c, sim_thread *th);

/* compute.c: the machine's computing operations (machine.h says what
 * each does). */
uint64_t sim_budget(gs_os *os, uint64_t wanted);
void sim_ran(gs_os *os, uint64_t instructions);
void sim_yield(gs_os *os);
void sim_shares_memory(gs_os *os);
void sim_computes_alone(gs_os *os);
void sim_touched_shared(gs_os *os, uint64_t vars);
void sim_interpreter_start(gs_os *os);
void sim_lock_op(gs_os *os);
void sim_compute(gs_os *os, uint64_t ns);
void sim_channel_send(gs_os *os, uint64_t bytes);

/* turns.c: th, on a core, has a new clock or deadline, began or ended
 * computing, or computes alone now. */
void sim_turns_update(sim *s, sim_thread *th);
/* th leaves its core. */
void sim_turns_remove(sim *s, sim_thread *th);
/* The on-core thread whose turn it is (sim.c, "Order"), or NULL. */
sim_thread *sim_turns_first(const sim *s);
/* The on-core thread, of those that do not compute alone, with the latest
 * deadline, or NULL. */
sim_thread *sim_turns_latest_deadline(const sim *s);
/* Where computing th's budget must end, at the latest horizon: the
 * earliest clock of another on-core thread about to operate, and for a
 * thread sharing memory, shared_turn_ns after the earliest other such. */
uint64_t sim_turns_horizon(const sim *s, const sim_thread *th, uint64_t horizon, uint64_t shared_turn_ns);

/* sync.c: the operations of machine.h on mutexes, condition variables and
 * semaphores. */
gs_mutex *gs_sim_mutex_new(gs_os *os);
void gs_sim_lock(gs_os *os, gs_mutex *m);
void gs_sim_unlock(gs_os *os, gs_mutex *m);
bool gs_sim_trylock(gs_os *os, gs_mutex *m);
void gs_sim_mutex_free(gs_os *os, gs_mutex *m);
gs_cond *gs_sim_cond_new(gs_os *os);
void gs_sim_wait(gs_os *os, gs_cond *c, gs_mutex *m);
bool gs_sim_wait_until(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline_ns);
void gs_sim_signal(gs_os *os, gs_cond *c);
void gs_sim_broadcast(gs_os *os, gs_cond *c);
void gs_sim_cond_free(gs_os *os, gs_cond *c);
gs_sem *gs_sim_sem_new(gs_os *os, uint32_t value);
bool gs_sim_sem_wait(gs_os *os, gs_sem *s, uint64_t deadline_ns, gs_sem_waited *how);
void gs_sim_sem_post(gs_os *os, gs_sem *s);
void gs_sim_sem_free(gs_os *os, gs_sem *s);

#endif
