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

#define GS_MAX_WORKERS   4096u
#define GS_MAX_WORK      (1ull << 40)
#define GS_MAX_LATENCY_NS 10000000000ull  /* 10 s */
#define GS_DEFAULT_EVENTS (1u << 20)      /* events kept per run, all workers */
#define GS_WORKER_STACK  (64u * 1024)     /* pthread stack of a worker */

#define GS_MODES(X)                                         \
    X(THREADS,   "threads",   "thread",  "pthreads sharing one lock")          \
    X(PROCESSES, "processes", "process", "forked children, one lock each")     \
    X(ASYNC,     "async",     "task",    "tasks on one libuv loop")

typedef enum {
#define GS_MODE_ENUM(e, name, one, what) GS_MODE_##e,
    GS_MODES(GS_MODE_ENUM)
#undef GS_MODE_ENUM
    GS_MODE_COUNT
} gs_mode;

extern const char *const gs_mode_names[GS_MODE_COUNT];     /* "threads" */
extern const char *const gs_mode_singular[GS_MODE_COUNT];  /* "thread" */

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
} gs_run_config;

typedef struct {
    uint32_t id;
    uint64_t first_unit, units;
    bool failed;
    char error[1024];         /* why it failed, with the frames of a runtime error */
    int64_t checksum;
    uint64_t instructions;
    uint64_t start_ns, end_ns; /* gs_now_ns(): first and last moment it ran */
    uint64_t cpu_ns;
    gs_lock_stats lock;
    uint64_t io_ops;
    gs_hist io_latency;       /* request -> resumption with the lock */
    gs_recorder rec;
} gs_worker_result;

typedef struct {
    gs_run_config cfg;
    uint32_t nworkers;
    gs_worker_result *workers;
    uint64_t start_ns, end_ns; /* the whole run, as a user waits for it */
    uint32_t failed;           /* workers that failed */
    bool stopped;              /* stopped early: timeout or interrupt */
    char error[256];           /* why the run itself could not start, if it could not */
} gs_run_result;

/* Runs the experiment.  Returns 0 when the run took place (even if some
 * workers failed: see failed), or -1 with out->error when it could not
 * start.  Free with gs_run_result_free either way. */
int gs_run(const gs_run_config *cfg, gs_run_result *out);
void gs_run_result_free(gs_run_result *r);

/* Asks every run in progress to stop as soon as it can. */
void gs_run_stop(void);
bool gs_run_stopping(void);

/* For runners: set up and finish one worker's result. */
int gs_worker_result_init(gs_worker_result *w, const gs_run_config *cfg, uint32_t id, uint32_t nworkers);
int gs_threads_run(const gs_run_config *cfg, gs_run_result *out);

#endif
