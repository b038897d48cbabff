/* machine.h - the machine: everything the lock policies, a worker's life
 * and the runners ask of an operating system (private to sched/).
 *
 * DESIGN (docs/design.md, "The machine")
 * Nothing in sched/ but the real machine (real/) calls pthreads, a clock,
 * a sleep, fork, waitpid, poll or libuv: it calls a gs_os, a table of
 * operations of one substrate, passed explicitly (no global).  There are
 * two: the real machine (real/: pthreads, CLOCK_MONOTONIC, real I/O, fork
 * and pipes, a libuv loop) and the simulated one (sim/: fibers on N
 * modelled cores in virtual time, deterministic by seed).  Each lock
 * policy, a worker's life and each of the three runners is written once
 * and runs on both, as CPython's ceval_gil.c runs over condvar.h and
 * FoundationDB's code over its INetwork; so the hostile schedules of the
 * simulated machine test all of them.  CI's grep keeps it so.
 *
 * The operations are the ones the code needs and no more: a clock,
 * mutexes, condition variables with a timed wait, threads, sleeping, a
 * run's I/O, the interpreter's budget, memory every process of a run sees,
 * processes started together and collected with what each sent home, an
 * event loop for async tasks, and pinning to cores.  Each object belongs
 * to the machine that made it.  A failure that means a bug (a mutex that
 * cannot be locked) stops the program naming the call (gs_fatal); what a
 * user's limits can refuse (a thread, a process, a descriptor) returns an
 * error.
 *
 * The budget.  A worker runs its interpreter for at most budget()
 * instructions at a time and then reports how many it ran (ran()).  The
 * real machine grants what was asked and ignores the report; the simulated
 * one ends each budget at the next moment anything else could happen and
 * advances virtual time by the instructions run, so a drop request lands
 * at the right instruction.
 *
 * Processes.  A process runs child(i, arg, home), whose return is its exit
 * status, with memory of its own
 * (real: a fork's copy; simulated: what the child allocates, touching
 * nothing of the parent's but what it was given), held at a gate until the
 * whole group is started, then sends its result home (any number of
 * bytes, in order) and ends.  The parent waits for the group: past a
 * deadline, or once the run is interrupted, it asks each process to stop
 * (the stop the child registered with home_on_stop is called: real, from a
 * signal handler, so it must be async-signal-safe), and a process that
 * does not end in GS_STOP_GRACE_NS is killed, and so reported.
 *
 * The loop.  An async runner's tasks run on one thread; each I/O request
 * is submitted to the loop, which does it without blocking the thread, and
 * loop_wait returns completions, blocking only when none is ready (real:
 * libuv; simulated: each request completes at its latency).
 *
 * Threading: every operation may be called from any thread of the run,
 * except those a comment names (a process's own, the loop's thread). */
#ifndef GS_MACHINE_H
#define GS_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../interp/asm.h"

typedef struct gs_os gs_os;
typedef struct gs_mutex gs_mutex;
typedef struct gs_cond gs_cond;
typedef struct gs_thread gs_thread;
typedef struct gs_io gs_io;       /* a run's I/O: echo peers, the file (io.h) */
typedef struct gs_procs gs_procs; /* processes started together */
typedef struct gs_home gs_home;   /* a process's way home: where its result goes */
typedef struct gs_loop gs_loop;   /* an event loop for async tasks */
typedef struct gs_sem gs_sem;     /* a counting semaphore, as POSIX's */
typedef struct gs_gate gs_gate;   /* holds the threads started at it until it opens */

#define GS_STOP_GRACE_NS 2000000000ull /* a process asked to stop has 2 s, then it is killed */
#define GS_IO_STOPPED (-2)             /* io_perform: the run is being stopped */
#define GS_NO_DEADLINE UINT64_MAX       /* sem_wait: wait as long as it takes */

/* How a semaphore wait went (sem_wait). */
typedef struct {
    bool slept;      /* it found the count 0 and counted itself a waiter */
    uint32_t futile; /* woken, it found the count taken again first: times */
} gs_sem_waited;

/* How a process ended, as its parent saw it. */
typedef struct {
    const unsigned char *message; /* all it sent home, in order (the group owns it) */
    size_t len;
    bool signaled;                /* killed by a signal (code is its number) ... */
    int code;                     /* ... or exited (code is its status) */
    const char *killed;           /* why the machine killed it, or NULL */
} gs_proc_end;

/* A loop's completed request. */
typedef struct {
    uint32_t task;
    int64_t result;
    uint64_t late_ns;     /* sleep: how late it completed past its latency (loop lag) */
    bool is_sleep;
    const char *failed;   /* why it failed, or NULL; the loop's, valid until
                             the task's next request */
} gs_loop_done;

typedef struct {
    uint64_t (*now_ns)(gs_os *os);              /* monotonic nanoseconds */
    uint64_t (*thread_cpu_ns)(gs_os *os);       /* the calling thread's CPU time */
    uint32_t (*cpus)(gs_os *os);                /* the CPUs the calling thread may run on */
    /* The calling thread's time runnable but waiting for a CPU (on a run
     * queue: other threads, ours or another program's, had the cores),
     * since it started.  False when the machine cannot say (real: a kernel
     * without /proc/thread-self/schedstat). */
    bool (*thread_core_wait_ns)(gs_os *os, uint64_t *ns);
    /* Asks to be told each stretch the calling thread waits for a CPU, as
     * it ends: waited(arg, from_ns, to_ns), on the calling thread's own
     * behalf (so it may write that thread's recorder).  The simulated
     * machine can; the real one cannot time each stretch and returns
     * false (its totals are thread_core_wait_ns's). */
    bool (*thread_watch_core_wait)(gs_os *os, void (*waited)(void *arg, uint64_t from_ns, uint64_t to_ns),
                                   void *arg);
    /* A counter of the CPU time other programs spent on the CPUs the
     * calling thread may use (real: /proc/stat's busy time of those CPUs,
     * steal included, less this process's and its reaped children's;
     * simulated: --background's threads'), to be read twice and
     * differenced; *error_ns is how far a difference may be off (real: the
     * counters count clock ticks, 10 ms each, one per CPU and four of our
     * own; simulated: 0).  False when the machine cannot say. */
    bool (*others_cpu_ns)(gs_os *os, int64_t *ns, uint64_t *error_ns);

    gs_mutex *(*mutex_new)(gs_os *os);          /* never NULL: out of memory is fatal */
    void (*mutex_lock)(gs_os *os, gs_mutex *m);
    void (*mutex_unlock)(gs_os *os, gs_mutex *m);
    bool (*mutex_trylock)(gs_os *os, gs_mutex *m); /* takes it if it is free, without waiting */
    void (*yield)(gs_os *os);                     /* sched_yield: another runnable thread may run */
    void (*mutex_free)(gs_os *os, gs_mutex *m);
    gs_cond *(*cond_new)(gs_os *os);            /* never NULL: out of memory is fatal */
    /* Precondition of the waits: m is held; it is held again on return. */
    void (*cond_wait)(gs_os *os, gs_cond *c, gs_mutex *m);
    /* Returns true if deadline_ns (of now_ns) passed without a wake-up. */
    bool (*cond_wait_until)(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline_ns);
    void (*cond_signal)(gs_os *os, gs_cond *c);
    void (*cond_broadcast)(gs_os *os, gs_cond *c);
    void (*cond_free)(gs_os *os, gs_cond *c);

    /* A counting semaphore with value, as Python 2's locks and Python 3's
     * threading.Lock are on Linux (POSIX sem_t, a count and a futex).
     * Never NULL: out of memory is fatal. */
    gs_sem *(*sem_new)(gs_os *os, uint32_t value);
    /* Takes one from the count, sleeping while it is 0 until deadline_ns
     * (of now_ns; GS_NO_DEADLINE: none; one already past: only if the
     * count has one, as sem_trywait).  Returns whether it took one; *how
     * says whether it slept and how often it woke to find the count taken
     * again first (futile wake-ups). */
    bool (*sem_wait)(gs_os *os, gs_sem *s, uint64_t deadline_ns, gs_sem_waited *how);
    /* Adds one to the count, then, if anyone waits (or was woken and has
     * not yet taken it), makes the system call that wakes one: the count
     * is free before the call ends. */
    void (*sem_post)(gs_os *os, gs_sem *s);
    void (*sem_free)(gs_os *os, gs_sem *s);

    /* Starts fn(arg) on a thread with a stack of stack_size bytes (0: the
     * machine's choice): at once, or with a gate (gate_new) once the gate
     * opens.  Returns 0, or an errno value. */
    int (*thread_start)(gs_os *os, gs_thread **t, size_t stack_size, void *(*fn)(void *), void *arg,
                        gs_gate *gate);
    /* A start gate: a runner's workers start together at one, none with a
     * head start while the others are still being made.  The threads wait
     * as a condition variable's waiters would, and gate_open wakes them
     * all, as a broadcast; what was written before gate_open is seen by
     * every thread it releases.  A gate is the machine's, not the runner's,
     * so that the simulated machine need not run a thread before its gate
     * opens: a waiting thread is then a record, not a stack in use (sim.c,
     * "Start gates").  Never NULL: out of memory is fatal. */
    gs_gate *(*gate_new)(gs_os *os);
    void (*gate_open)(gs_os *os, gs_gate *g);
    void (*gate_free)(gs_os *os, gs_gate *g);
    void (*thread_join)(gs_os *os, gs_thread *t);
    void (*sleep_ns)(gs_os *os, uint64_t ns);

    /* A run's I/O for nworkers workers of the kinds in the bit set kinds
     * (io.h says what each kind is).  Returns NULL with err. */
    gs_io *(*io_open)(gs_os *os, unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX]);
    /* Worker's blocking request of kind (a gs_io_kind) with token.  Returns
     * 0 with *result, -1 with err, or GS_IO_STOPPED (io.h) after io_stop. */
    int (*io_perform)(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                      char err[GS_ERRMSG_MAX]);
    /* Ends every sleep and wait of io's requests, now and from now on.
     * Async-signal-safe. */
    void (*io_stop)(gs_os *os, gs_io *io);
    void (*io_close)(gs_os *os, gs_io *io);

    uint64_t (*budget)(gs_os *os, uint64_t wanted); /* instructions the caller may run now */
    void (*ran)(gs_os *os, uint64_t instructions);  /* ... and how many it ran */
    /* Nothing sets the caller's eval breaker while it runs a budget: its
     * threads take turns between budgets (simulated: fibers of one OS
     * thread).  The interpreter then looks at the breaker only when it
     * is set as the budget begins (interp/vm_eval.c).  Real: false, it
     * looks every 1,024 instructions and, once set, stops at the next
     * back-edge or call, where CPython's loop would. */
    bool breaker_between_budgets;
    /* The calling thread's instructions read and write memory that other
     * threads of the run compute on at the same time (a program's shared
     * variables, with no lock between them).  Real cores interleave such
     * reads and writes anyway; the simulated machine then ends each budget
     * a few nanoseconds past the clock of the next such thread, so that
     * their instructions run in the order of their clocks, as a data race
     * needs. */
    void (*shares_memory)(gs_os *os);
    /* Nothing another thread of the run does reaches the calling thread's
     * instructions: no other thread shares its lock or its memory, so no
     * operation but a stop's writes its eval breaker.  The simulated
     * machine then lets it compute to the end of its slice, where it would
     * otherwise end its budget at every other thread's operation (with a
     * thousand cores computing at once, a budget of a few nanoseconds
     * each); a stop reaches it within half a stop tick (GS_STOP_TICK_NS).
     * Real cores: nothing. */
    void (*computes_alone)(gs_os *os);
    /* The calling thread read or wrote the shared variables whose bits are
     * set in vars (interp/vm.h: shared_touched) since it last said so.  A
     * variable another thread touched last has its cache line in that
     * thread's core: the simulated machine charges line_ns to bring it
     * over (sim.h); real cores pay what they pay, and this does nothing. */
    void (*touched_shared)(gs_os *os, uint64_t vars);
    /* The calling thread takes or releases a lock the runners keep on a
     * semaphore: a program's user lock (its acquire or release), or
     * Python 2's interpreter lock at a tick (lock/legacy.c: a PyThread
     * lock, as threading.Lock is).  Real: its own code is the cost,
     * nothing to add; simulated: lock_op_ns of computing (sim.h). */
    void (*lock_op)(gs_os *os);
    /* The calling thread starts an interpreter of its own (a
     * subinterpreter: its modules, its builtins).  Real: nothing to add,
     * gilsim's interpreter state is made in microseconds; simulated:
     * interp_start_ns of computing. */
    void (*interpreter_start)(gs_os *os);
    /* The calling thread sends `bytes` bytes through a channel to another
     * interpreter of the process (a queue copies them).  Real: a copy
     * through memory; simulated: channel_kib_ns of computing a KiB. */
    void (*channel_send)(gs_os *os, uint64_t bytes);
    /* The calling thread computes for ns outside the interpreter (a
     * garbage collector's pass): real, it spins on the CPU so long;
     * simulated, ns of computing on its core. */
    void (*compute)(gs_os *os, uint64_t ns);

    /* size bytes, zeroed, that every process the caller starts sees and
     * may change (real: a shared mapping made before fork).  NULL when out
     * of memory. */
    void *(*shared_new)(gs_os *os, size_t size);
    void (*shared_free)(gs_os *os, void *p, size_t size);

    /* Starts n processes, each child(i, arg, home) held at the group's
     * gate.  Returns how many started: fewer than n only with err (a
     * user's limits); the rest are never started. */
    uint32_t (*procs_start)(gs_os *os, gs_procs **g, uint32_t n, int (*child)(uint32_t i, void *arg, gs_home *home),
                            void *arg, size_t max_message, char err[GS_ERRMSG_MAX]);
    /* Opens the gate: every process runs (go), or ends at once (!go). */
    void (*procs_release)(gs_os *os, gs_procs *g, bool go);
    /* Waits for every process of the group to end, filling ends[] (one a
     * process, valid until procs_free).  Past deadline_ns (of now_ns; 0:
     * none) or on an interrupt, asks each to stop; kills one still there
     * GS_STOP_GRACE_NS after.  Returns true if it asked. */
    bool (*procs_wait)(gs_os *os, gs_procs *g, uint64_t deadline_ns, gs_proc_end *ends);
    void (*procs_free)(gs_os *os, gs_procs *g);
    /* In a process: sends len bytes home (in order after what it sent
     * before).  Returns 0, or -1. */
    int (*home_send)(gs_os *os, gs_home *h, const void *bytes, size_t len);
    /* In a process: sends `bytes` bytes of data home, which the parent
     * reads and throws away: a worker's results crossing to the parent, as
     * multiprocessing's pickled results do (real: through its pipe;
     * simulated: the CPU that costs, transfer_kib_ns a KiB).  Before its
     * result (home_send).  Returns 0, or -1. */
    int (*home_transfer)(gs_os *os, gs_home *h, uint64_t bytes);
    /* In a process: what asking it to stop does, stop(arg, interrupted):
     * interrupted, or past the deadline.  Called from a signal handler on
     * the real machine: async-signal-safe only. */
    void (*home_on_stop)(gs_os *os, gs_home *h, void (*stop)(void *arg, bool interrupted), void *arg);

    /* A loop for ntasks tasks over io (opened by io_open).  Returns NULL
     * with err.  The loop's calls but loop_wake belong to one thread. */
    gs_loop *(*loop_open)(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX]);
    /* Starts task's request of kind with token.  Returns 0, or -1 with err. */
    int (*loop_submit)(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX]);
    /* Completed requests, at most max, into done.  With block, waits
     * until there is one or loop_wake was called (then it may return 0);
     * without, returns at once what is ready (a loop polls so between two
     * rounds of tasks, as asyncio's does). */
    uint32_t (*loop_wait)(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block);
    /* Makes loop_wait return, now or at its next call.  Any thread. */
    void (*loop_wake)(gs_os *os, gs_loop *l);
    void (*loop_close)(gs_os *os, gs_loop *l);

    /* Keeps the calling thread, and every thread and process it starts, on
     * the first `cores` CPUs it may use (Beazley's "one core disabled");
     * 0 puts the mask it had back.  Returns 0, or -1 with err. */
    int (*pin)(gs_os *os, uint32_t cores, char err[GS_ERRMSG_MAX]);

    /* Makes room for `more` descriptors beyond those open now, raising
     * the soft limit toward the hard one if it must.  Returns 0, or -1
     * with *need (open now plus more) and *limit (the hard limit). */
    int (*reserve_fds)(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit);

    /* The same for tasks (threads and processes, which the system counts
     * together, per user: ulimit -u): room for `more` beyond this
     * process's own.  Returns 0, or -1 with *need and *limit. */
    int (*reserve_tasks)(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit);
} gs_os_ops;

struct gs_os {
    const gs_os_ops *ops;
};

/* The real machine (real/real.c), shared by every real run: it holds only
 * its table and the affinity mask pin saved. */
gs_os *gs_os_real(void);

struct gs_sim_model;
/* A simulated machine for one run (sim/sim.c; the model is ../sim.h's),
 * its first thread being the caller.  Returns NULL when out of memory. */
gs_os *gs_os_sim_new(const struct gs_sim_model *model);
void gs_os_sim_free(gs_os *os);
/* The C stacks a simulated machine has made for its scheduler and its
 * threads so far: its host memory, which grows with the threads running
 * at once, not with those waiting at a shut start gate (sim/sim.c,
 * "Start gates"). */
uint32_t gs_os_sim_stacks(gs_os *os);

/* Stops the program: what went wrong is a bug or a broken system, never a
 * user's mistake (a pthread call that failed, a lock dropped by one who
 * does not hold it).  what names it; err is an errno value, or 0. */
_Noreturn void gs_fatal(const char *what, int err);

/* How long a thread waiting for others may sleep before it must look at
 * the run's stop again: a tick of 20 ms (an interrupt sets a flag that no
 * wait can be woken by), or less when deadline_ns (0 = none) comes
 * sooner; 0 once it is past. */
#define GS_STOP_TICK_NS 20000000ull
static inline uint64_t gs_os_tick_ns(uint64_t now_ns, uint64_t deadline_ns)
{
    if (!deadline_ns)
        return GS_STOP_TICK_NS;
    if (now_ns >= deadline_ns)
        return 0;
    return deadline_ns - now_ns < GS_STOP_TICK_NS ? deadline_ns - now_ns : GS_STOP_TICK_NS;
}

/* Shorthands, so that an algorithm reads as it would over pthreads. */
static inline uint64_t gs_os_now(gs_os *os) { return os->ops->now_ns(os); }
static inline uint64_t gs_os_thread_cpu(gs_os *os) { return os->ops->thread_cpu_ns(os); }
static inline gs_mutex *gs_os_mutex(gs_os *os) { return os->ops->mutex_new(os); }
static inline void gs_os_lock(gs_os *os, gs_mutex *m) { os->ops->mutex_lock(os, m); }
static inline void gs_os_unlock(gs_os *os, gs_mutex *m) { os->ops->mutex_unlock(os, m); }
static inline gs_cond *gs_os_cond(gs_os *os) { return os->ops->cond_new(os); }
static inline void gs_os_wait(gs_os *os, gs_cond *c, gs_mutex *m) { os->ops->cond_wait(os, c, m); }
static inline bool gs_os_wait_until(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline_ns)
{
    return os->ops->cond_wait_until(os, c, m, deadline_ns);
}
static inline void gs_os_signal(gs_os *os, gs_cond *c) { os->ops->cond_signal(os, c); }
static inline void gs_os_broadcast(gs_os *os, gs_cond *c) { os->ops->cond_broadcast(os, c); }
static inline void gs_os_sleep(gs_os *os, uint64_t ns) { os->ops->sleep_ns(os, ns); }

#endif
