/* os.h - the operating system, as the lock policies, a worker's life and
 * the runners see it.
 *
 * DESIGN
 * Code in sched/ does not call pthreads, clocks or sleeps directly: it
 * calls a gs_os, a table of operations of one substrate.  The real one
 * (os_real.c) is pthreads, CLOCK_MONOTONIC and nanosleep.  The simulated
 * machine of DESIGN.md section 8 will be a second table over fibers in
 * virtual time, so that each policy's algorithm, a worker's life and the
 * runners are written once and run over both, as CPython's ceval_gil.c
 * runs over condvar.h.
 *
 * The operations are the ones the policies and runners need and no more:
 * a clock, mutexes, condition variables with a timed wait, threads started
 * and joined, sleeping, a worker's blocking I/O, and the interpreter's
 * budget (below).  Each object
 * belongs to the os that made it.  Every operation that fails in a way
 * that means a bug (a mutex that cannot be locked) stops the program with
 * the call named, as CPython's pthread calls do; creating a thread, which
 * a user's limits can refuse, returns an error instead.
 *
 * The budget.  A worker runs its interpreter for at most gs_os_budget()
 * instructions at a time and then reports how many it ran.  The real os
 * grants what was asked and ignores the report; a simulated one will end
 * each budget at the next moment anything else could happen and advance
 * virtual time by the instructions run, so a drop request lands at the
 * right instruction.
 *
 * Threading: every operation may be called from any thread of the run. */
#ifndef GS_OS_H
#define GS_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

typedef struct gs_os gs_os;
typedef struct gs_mutex gs_mutex;
typedef struct gs_cond gs_cond;
typedef struct gs_thread gs_thread;
typedef struct gs_io gs_io; /* io.h */

typedef struct {
    const char *name;                          /* "real" */
    uint64_t (*now_ns)(gs_os *os);              /* monotonic nanoseconds */
    uint64_t (*thread_cpu_ns)(gs_os *os);       /* the calling thread's CPU time */
    uint32_t (*cpus)(gs_os *os);                /* the CPUs the calling thread may run on */
    gs_mutex *(*mutex_new)(gs_os *os);         /* never NULL: out of memory is fatal */
    void (*mutex_lock)(gs_os *os, gs_mutex *m);
    void (*mutex_unlock)(gs_os *os, gs_mutex *m);
    void (*mutex_free)(gs_os *os, gs_mutex *m);
    gs_cond *(*cond_new)(gs_os *os);           /* never NULL: out of memory is fatal */
    /* Precondition of the waits: m is held; it is held again on return. */
    void (*cond_wait)(gs_os *os, gs_cond *c, gs_mutex *m);
    /* Returns true if deadline_ns (of now_ns) passed without a wake-up. */
    bool (*cond_wait_until)(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline_ns);
    void (*cond_signal)(gs_os *os, gs_cond *c);
    void (*cond_broadcast)(gs_os *os, gs_cond *c);
    void (*cond_free)(gs_os *os, gs_cond *c);
    /* Starts fn(arg) on a thread with a stack of stack_size bytes.
     * Returns 0, or an errno value. */
    int (*thread_start)(gs_os *os, gs_thread **t, size_t stack_size, void *(*fn)(void *), void *arg);
    void (*thread_join)(gs_os *os, gs_thread *t);
    void (*sleep_ns)(gs_os *os, uint64_t ns);
    /* A worker's blocking I/O request (gs_io_perform in io.h): kind is a
     * gs_io_kind.  Returns 0, or -1 with err. */
    int (*io_perform)(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                      char *err);
    /* How long a request of that kind takes when nothing is in its way
     * (the async runner of virtual time starts requests without
     * blocking, and completes them then). */
    uint64_t (*io_latency)(gs_os *os, gs_io *io, int kind);
    uint64_t (*budget)(gs_os *os, uint64_t wanted); /* instructions the caller may run now */
    void (*ran)(gs_os *os, uint64_t instructions);  /* ... and how many it ran */
} gs_os_ops;

struct gs_os {
    const gs_os_ops *ops;
};

/* The real operating system, shared by every real run. */
gs_os *gs_os_real(void);

struct gs_sim_model;
/* A simulated machine for one run (sim/sim.c; the model is ../sim.h's),
 * its first thread being the caller.  Returns NULL when out of memory. */
gs_os *gs_os_sim_new(const struct gs_sim_model *model);
void gs_os_sim_free(gs_os *os);
/* From now on a thread started is a process: its start costs the starter
 * fork_ns, and joining it costs the joiner collect_ns. */
void gs_os_sim_processes(gs_os *os);

/* Stops the program naming the pthread call that failed: such a failure is
 * a bug or a broken system, never a user's mistake. */
_Noreturn void gs_fatal_pthread(const char *call, int err);
/* A condition variable whose timed waits take CLOCK_MONOTONIC deadlines
 * (gs_timespec_after), so a change of the wall clock cannot stretch or cut
 * a switch interval. */
void gs_cond_init_monotonic(pthread_cond_t *cond);

#define GS_PTHREAD(call)                          \
    do {                                          \
        int rc_ = (call);                         \
        if (rc_ != 0)                             \
            gs_fatal_pthread(#call, rc_);         \
    } while (0)

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
