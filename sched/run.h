/* run.h - one experiment: a workload run by N workers in one mode.
 *
 * gs_run is the single entry point for every mode; it fills a gs_run_result
 * with per-worker figures measured on the real execution.  Reports read
 * results; they never run anything.
 *
 * Threading: gs_run is called from one thread and returns when every worker
 * has finished, failed or been stopped.  gs_run_stop may be called from any
 * thread or from a signal handler (it only stores to an atomic). */
#ifndef GS_RUN_H
#define GS_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../workloads/workload.h"
#include "gil.h"
#include "hist.h"
#include "recorder.h"

/* One user lock's figures, as one worker saw it or as a run adds them up
 * (runners/ulock.h keeps them). */
typedef struct {
    uint64_t acquisitions;
    uint64_t contended;  /* acquisitions that found it held and waited */
    uint64_t wait_ns;    /* total, over the contended ones */
    uint64_t held_ns;    /* total, from each acquisition to its release */
    uint64_t futile;     /* woken while waiting, to find it taken again first */
} gs_ulock_counts;

#define GS_MAX_WORKERS   1000000u         /* the largest of the modes' limits */
#define GS_MAX_WORK      (1ull << 40)
#define GS_MAX_LATENCY_NS 10000000000ull  /* 10 s */
#define GS_DEFAULT_EVENTS (1u << 20)      /* events kept per run, all workers */
#define GS_WORKER_STACK  (64u * 1024)     /* pthread stack of a worker */

/* Each mode: its name (options, JSON), what one worker and several are
 * called in prose, and the most workers it takes in real time (threads:
 * each a stack and a kernel task; processes: each a whole process; tasks:
 * an interpreter state and a few handles each) and in virtual time, where
 * a worker is a fiber and its interpreter, and the simulator's cost grows
 * as events x log(threads) (machine/sim/turns.c). */
#define GS_MODES(X)                                                           \
    X(THREADS,   "threads",   "thread",  "threads",   4096u,  100000u)        \
    X(PROCESSES, "processes", "process", "processes", 1024u,  16384u)         \
    X(ASYNC,     "async",     "task",    "tasks",     65536u, 1000000u)

typedef enum {
#define GS_MODE_ENUM(e, name, one, many, max, sim_max) GS_MODE_##e,
    GS_MODES(GS_MODE_ENUM)
#undef GS_MODE_ENUM
    GS_MODE_COUNT
} gs_mode;

extern const char *const gs_mode_names[GS_MODE_COUNT];     /* "threads" */
extern const char *const gs_mode_singular[GS_MODE_COUNT];  /* "thread" */
extern const char *const gs_mode_plural[GS_MODE_COUNT];    /* "threads" */
extern const uint32_t gs_mode_max_workers[GS_MODE_COUNT]; /* real time */
extern const uint32_t gs_mode_max_simulated[GS_MODE_COUNT]; /* virtual time */

struct gs_os;   /* the machine a run is on (private to sched/) */
struct gs_home; /* a child process's way home (private to sched/) */

#define GS_MAX_TRANSFER (64ull << 20) /* --transfer: at most 64 MiB a unit */

typedef struct {
    gs_mode mode;
    uint32_t workers;
    const gs_workload *workload;
    uint64_t work;            /* units: in total, or per worker when weak */
    bool weak;                /* --work-per-worker */
    gs_gil_config gil;
    uint64_t io_latency_ns;
    uint32_t event_cap;       /* events kept per run, over all workers; 0 = off */
    uint64_t timeout_ns;      /* 0 = none */
    const struct gs_sim_model *sim; /* virtual time on this model (sim.h); NULL = real time */
    uint32_t cores;           /* pin every worker to the first `cores` CPUs gilsim may
                                 use (CPU affinity); 0 = no pinning */
    uint64_t transfer_bytes;  /* processes: the bytes each unit's data takes to cross to
                                 the parent, as multiprocessing pickles a result and
                                 pipes it home (--transfer); interpreters (threads of
                                 the per-interpreter policy): to cross a channel to the
                                 interpreter that asked; other threads and tasks share
                                 memory and move nothing */
    /* Processes: called in each child as it starts, before it runs its
     * work, with the machine and the child's way home (machine.h).  NULL
     * normally; tests use it to make a child fail the ways real children
     * do. */
    void (*in_child)(uint32_t worker, struct gs_os *os, struct gs_home *home);
} gs_run_config;

/* What few workers write: a program's user locks and shared variables,
 * and an error.  2 KiB a worker, in a block of their own (gs_run_result's
 * rare): a worker that never locks, shares or fails never touches its
 * pages.  Inside gs_worker_result, they were 2 of a task's 5.2 KiB of
 * memory in virtual time, which runs a million tasks. */
typedef struct {
    gs_ulock_counts ulocks[GS_MAX_ULOCKS]; /* the program's user locks, as this worker used them */
    int64_t shared_end[GS_MAX_SHARED]; /* processes: its process's shared variables at its end */
    char error[1024];         /* why it failed, with the frames of a runtime error */
} gs_worker_rare;

/* What a worker did. */
typedef struct {
    uint32_t id;
    uint64_t first_unit, units;
    bool failed;
    int64_t checksum;
    uint64_t instructions;
    uint64_t start_ns, end_ns; /* the machine's clock: first and last moment it ran */
    uint64_t cpu_ns;
    uint64_t core_wait_ns;    /* runnable but waiting for a core: other threads,
                                 its own run's or other programs', had them */
    bool core_wait_known;     /* false where the machine cannot tell (no schedstat) */
    uint32_t cpus;            /* CPUs it was allowed to run on, as it started */
    uint64_t io_ops;
    uint64_t native_calls, native_ns; /* native calls, and the time inside them */
    uint64_t transfer_bytes, transfer_ns; /* processes: its data sent home; interpreters: sent
                                             through a channel; and how long that took */
    gs_recorder rec;
    gs_lock_stats lock;
    gs_worker_hist io_latency; /* request -> resumption with the lock (async: on the loop) */
    gs_worker_hist loop_lag;   /* async: how late each of its timers fired */
    gs_worker_rare *rare;     /* its slot in its run's block */
} gs_worker_result;

typedef struct {
    gs_run_config cfg;
    uint32_t nworkers;
    gs_worker_result *workers;
    gs_event *events;          /* the workers' recorders' buffers, one block */
    gs_worker_rare *rare;      /* the workers' rarely written fields, one block */
    uint64_t start_ns, end_ns; /* the whole run, as a user waits for it */
    uint64_t spawn_ns;         /* creating the workers (fork, pthread_create), within the run */
    uint64_t collect_ns;       /* from the last worker's end to the run's end (join, reap, read) */
    gs_lock_stats loop_lock;   /* async: the lock as the loop's one thread used it */
    int64_t others_cpu_ns;     /* CPU time other programs surely spent on the cores the
                                  run could use, during it (machine.h, others_cpu_ns:
                                  less twice what its counter may be off) */
    int64_t others_cpu_max_ns; /* ... and the most they may have spent: plus what the
                                  counters may be off (on a VM's /proc/stat, 10 ms a
                                  tick, a short run's is all uncertainty) */
    bool others_known;         /* ... false where the machine cannot say */
    uint64_t loop_cpu_ns;      /* async: the loop thread's CPU time ... */
    uint64_t loop_core_wait_ns; /* ... and its wait for a core (worker_result's meaning) */
    bool loop_core_wait_known;
    uint32_t nshared;          /* the program's shared variables ... */
    int64_t shared[GS_MAX_SHARED]; /* ... at the end: each process's copy, added up */
    uint32_t nulocks;          /* the program's user locks ... */
    gs_hist *ulock_wait;       /* ... each one's waits (contended acquisitions), nulocks of them */
    uint32_t native_max;       /* the most workers in native calls at once */
    uint32_t sim_stacks;       /* virtual time: the C stacks the simulator made, its host
                                  memory (gs_os_sim_stacks): as many as ran at once */
    uint32_t failed;           /* workers that failed */
    bool stopped;              /* stopped early: timeout or interrupt */
    char error[GS_ERRMSG_MAX]; /* why the run itself could not start, if it could not */
} gs_run_result;

/* A worker's histograms, always in this order: its lock's wait, hold and
 * hand-off, its I/O latency, its loop lag (the order the wire sends them). */
#define GS_WORKER_HISTS 5
void gs_worker_hists(gs_worker_result *w, gs_worker_hist *out[GS_WORKER_HISTS]);

/* Frees what a worker's result owns: its histograms (its events are in
 * its run's block, or, in a child, the child's own). */
void gs_worker_result_free(gs_worker_result *w);

/* Runs the experiment: in real time, or in virtual time on cfg->sim's
 * modelled machine.  Returns 0 when the run took place (even if some
 * workers failed: see failed), or -1 with out->error when it could not
 * start.  Free with gs_run_result_free either way. */
int gs_run(const gs_run_config *cfg, gs_run_result *out);
void gs_run_result_free(gs_run_result *r);

/* The CPUs the calling thread may run on (its affinity mask). */
uint32_t gs_cpus_allowed(void);

/* Makes sure a real run of cfg can have the descriptors (each worker's
 * echo pipe, each child's result pipe, the loop's handles) and the tasks
 * (its threads and processes) it needs at once, raising the soft limits
 * toward the hard ones if it must; called before any work, so that a run
 * that cannot have them is refused at the start, not after a baseline.
 * Returns 0, or -1 with err saying how many it needs and what `ulimit -n`
 * or `ulimit -u` allows. */
int gs_run_reserve(const gs_run_config *cfg, char err[GS_ERRMSG_MAX]);

/* Asks every run in progress to stop as soon as it can. */
void gs_run_stop(void);
bool gs_run_stopping(void);
/* Why a stopped worker stopped, as its error says: "interrupted" (a
 * signal, gs_run_stop) or "stopped by --timeout". */
const char *gs_run_stop_reason(void);

#endif
