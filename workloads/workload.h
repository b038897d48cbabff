/* workload.h - what the workers run: the built-in programs and user files.
 *
 * Every workload is a program whose main takes up to three arguments:
 * (first unit, unit count, unit size).  Work is counted in units; a worker
 * given units [first, first+count) returns a checksum that depends only on
 * those units, and the checksums of any split add up to the checksum of one
 * worker doing them all.  That is how every run is checked against the
 * sequential one. */
#ifndef GS_WORKLOAD_H
#define GS_WORKLOAD_H

#include <stdint.h>

#include "../interp/asm.h"
#include "../interp/opcodes.h"
#include "../interp/program.h"

/* The workloads, a row each: its enum name, its name, how a sweep's
 * --workloads spells it (NULL: a sweep cannot name it; "mixed:" takes a
 * ratio after the colon; the race is spelled by its variants, below), and
 * what it does.  Adding one is its program in programs/, its row here, and
 * its case in gs_workload_load (docs/design.md, "Adding a workload"). */
#define GS_WORKLOAD_KINDS(X)                                                                          \
    X(COUNTDOWN, "countdown", "countdown", "Beazley's while n > 0: n -= 1")                           \
    X(FIB,       "fib",       "fib",       "recursive fib(n) per unit")                               \
    X(PRIMES,    "primes",    "primes",    "trial-division prime counting")                           \
    X(IO_BOUND,  "io-bound",  "io-bound",  "a little CPU, then one I/O, per unit")                    \
    X(MIXED,     "mixed",     "mixed:",    "CPU then I/O per unit, at a chosen CPU share of time")    \
    X(CONVOY,    "convoy",    NULL,        "the worker at unit 0 does I/O, the others compute")       \
    X(RACE,      "race",      NULL,        "unit_size updates of a shared counter per unit")          \
    X(SHARED,    "shared",    "shared",    "countdown that adds to a shared variable every 32 steps") \
    X(NATIVE,    "native",    "native:",   "CPU work per unit, a share of it in native calls")        \
    X(PROGRAM,   "program",   NULL,        "a user's program file")

typedef enum {
#define GS_WL_ENUM(e, name, spelled, what) GS_WL_##e,
    GS_WORKLOAD_KINDS(GS_WL_ENUM)
#undef GS_WL_ENUM
    GS_WL_COUNT
} gs_workload_kind;

extern const char *const gs_workload_kind_names[GS_WL_COUNT]; /* "countdown", ... */

/* How the race updates its counter (race.gsa says why each matters). */
#define GS_RACE_VARIANTS(X)                                                    \
    X(CALL,    "call",    "race",         "counter = c + 1 after a call")      \
    X(LOCK,    "lock",    "race-lock",    "the same under a user lock")        \
    X(INPLACE, "inplace", "race-inplace", "counter += 1, no call")

typedef enum {
#define GS_RACE_ENUM(e, name, workload, meaning) GS_RACE_##e,
    GS_RACE_VARIANTS(GS_RACE_ENUM)
#undef GS_RACE_ENUM
    GS_RACE_COUNT
} gs_race_variant;

extern const char *const gs_race_variant_names[GS_RACE_COUNT]; /* "call", ... */
extern const char *const gs_race_workload_names[GS_RACE_COUNT]; /* "race", "race-lock", ... */

/* Where a setting of a workload came from, for the report to say. */
typedef enum {
    GS_FROM_BUILTIN,  /* the built-in workload's own */
    GS_FROM_OPTION,   /* the command line */
    GS_FROM_PROGRAM,  /* the program file (.default: pyc.h says how a .py file gives one) */
    GS_FROM_MEASURED, /* measured here: about a second's worth of a program's units */
    GS_FROM_NOWHERE,  /* nobody said: gilsim's fallback */
} gs_origin;

typedef struct {
    gs_workload_kind kind;
    gs_race_variant race;   /* race: how it updates */
    double native_share;    /* native: the share of a unit's time in native calls, 0..1 */
    gs_io_kind io_kind;     /* I/O-bound and mixed: the kind of I/O */
    double cpu_share;       /* mixed: CPU's share of a unit's time, 0 < r < 1 */
    uint64_t io_latency_ns; /* the run's I/O latency (mixed: the share is set against it) */
    bool latency_given;     /* io_latency_ns came from --io-latency (else a program may ask for its own) */
    double instruction_ns;  /* mixed: a modelled cost per instruction (virtual
                               time); 0 = measure this machine's */
    const char *path;       /* program: the file */
    int64_t unit_size;      /* program: main's third argument (--unit-size) */
    bool unit_size_given;   /* ... and whether it was given */
} gs_workload_spec;

typedef struct {
    gs_workload_spec spec;
    char name[64];         /* for reports: "countdown", "mixed 0.80", "my.gsa" */
    gs_program prog;
    int64_t unit_size;     /* main's third argument */
    int race_counter;      /* the race: the shared variable counted, whose end
                              value should be units x unit_size; -1 otherwise */
    uint64_t default_work; /* units when the user gives no --work */
    bool whole;            /* program: main takes no count of units (fewer than
                              two arguments), so a worker cannot run a share
                              of them: every worker runs all of it, once (a
                              weak-scaling run of one unit a worker) */
    uint64_t io_latency_ns; /* the I/O latency the run should use: the spec's, or the program's own */
    gs_origin unit_size_from, work_from, latency_from;
    bool may_not_end;      /* program: its first unit (a whole one's main) ran
                              GS_PROBE_INSTRUCTIONS without ending, alone, as
                              gilsim measured its default work: it runs long,
                              or forever (a student's `while True`) */
} gs_workload;

/* How far gilsim runs a program's first unit, alone, to measure it: at
 * most a third of a second here. */
#define GS_PROBE_INSTRUCTIONS 300000000ull

/* Returns the kind for a CPU-bound kernel name (countdown, fib, primes), or -1. */
int gs_workload_cpu_kind(const char *name);

/* The workloads a sweep's --workloads names, as it spells them (the
 * kinds' and the race variants'), NULL-terminated: for completion and
 * messages. */
extern const char *const gs_workload_sweep_names[];
enum { GS_WORKLOAD_SWEEP_NAMES = GS_WL_COUNT + GS_RACE_COUNT };

/* Finds the workload a --workloads item names ("cpu-bound" is countdown):
 * 0 with spec->kind (and spec->race), *ratio pointing after the colon of
 * "mixed:R" and "native:R" (else NULL); or -1. */
int gs_workload_named(const char *name, gs_workload_spec *spec, const char **ratio);

/* Builds the workload's program (calibrating the mixed one on this machine,
 * or, in virtual time, at the modelled cost per instruction).  A program
 * file's unit size and I/O latency are the command line's, else what the
 * program asks for (.default), else 0 and the spec's; its default work is
 * about a second's worth of units for one worker, measured by running one
 * unit here (in virtual time, its instructions at the modelled cost), or
 * 1 unit when one takes longer than that to tell; a whole program's (its
 * main takes no count) is 1 unit a worker, GS_FROM_PROGRAM, which every
 * run of it keeps (experiment.c).  Work origin is otherwise
 * GS_FROM_MEASURED or GS_FROM_BUILTIN; the command line sets work_from
 * when --work says.  Returns 0, or -1 with a message. */
int gs_workload_load(gs_workload *w, const gs_workload_spec *spec, char err[GS_ERRMSG_MAX]);
void gs_workload_free(gs_workload *w);

/* The countdown unit size for which units units compute for about cpu_ns
 * in all (the convoy's CPU threads): on a model at instruction_ns an
 * instruction, or, with 0, at this machine's pace, measured (about a
 * millisecond).  The convoy's figures are counted while every CPU thread
 * runs, so that window is as long as the CPU threads' work lasts. */
int64_t gs_countdown_unit_size(uint64_t units, uint64_t cpu_ns, double instruction_ns);

/* Fills args for a worker doing units [first, first+count); returns how
 * many main takes. */
uint32_t gs_workload_args(const gs_workload *w, uint64_t first, uint64_t count, int64_t args[3]);
/* How many of (first unit, units, unit size) the program's main takes. */
uint32_t gs_workload_main_args(const gs_workload *w);

/* Runs units [first, first+count) on this thread with every I/O answered at
 * once with its token: the checksum every schedule must reproduce.  Returns
 * 0, or -1 with the runtime error. */
int gs_workload_sequential(const gs_workload *w, uint64_t first, uint64_t count, int64_t *checksum,
                           char err[GS_ERRMSG_MAX]);

/* The share of work units [0, total) that worker k of n does (strong
 * scaling: as even as integers allow). */
void gs_workload_split(uint64_t total, uint32_t n, uint32_t k, uint64_t *first, uint64_t *count);

#endif
