/* workload.c - building the workload programs.
 *
 * The built-in programs are the .gsa files of workloads/programs, compiled
 * into the binary (cmake/embed.cmake) and assembled and verified like any
 * user file, so they double as examples of the format.  The I/O loop is a
 * template: "@IO@" becomes the chosen I/O kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../interp/label.h"
#include "../interp/names.h"
#include "../interp/vm.h"
#include "embedded.h"
#include "workload.h"

/* Unit sizes and default work, chosen so that one worker doing the default
 * work takes about a second on a 2-core laptop of 2026. */
#define COUNTDOWN_UNIT   10000
#define COUNTDOWN_WORK   20000
#define FIB_UNIT         20
#define FIB_WORK         4000
#define PRIMES_UNIT      1000
#define PRIMES_WORK      2000
#define IO_SPIN          100
#define IO_WORK          1000
#define RACE_UNIT        1000   /* updates per unit */
#define RACE_WORK        4000   /* 4 million updates, some 50 ms of one thread's time */
#define NATIVE_UNIT_NS   100000 /* a native-heavy unit takes about 100 us */
#define NATIVE_WORK      2000
#define CONVOY_WORK      40

const char *const gs_race_variant_names[GS_RACE_COUNT] = {
#define GS_RACE_NAME(e, name, workload, meaning) name,
    GS_RACE_VARIANTS(GS_RACE_NAME)
#undef GS_RACE_NAME
};
const char *const gs_race_workload_names[GS_RACE_COUNT] = {
#define GS_RACE_WL(e, name, workload, meaning) workload,
    GS_RACE_VARIANTS(GS_RACE_WL)
#undef GS_RACE_WL
};

/* One update of the race's counter, per variant (see race.gsa.in).  Each
 * call to f() is a call as CPython's costs: 20 instructions that do
 * nothing before it (CPython's time from its loop's back-edge to f's
 * entry) and f's own after (race.gsa.in says why).  The 20 are five runs
 * of countdown's superinstruction whose jump is never taken, so that they
 * cost what the instructions `gilsim calibrate` times cost, and poll
 * nowhere; local 4 (the steps left in the unit) is never past 2^62.  The
 * lock's update pays a call before it takes the lock and one after it
 * lets go: what `with guard:` costs CPython around the update. */
#define IDLE4(n)  "    inc 4 0\n    load 4\n    push 4611686018427387904\n    jgt idle" #n "\n"
#define CALL_F(n) IDLE4(n) IDLE4(n) IDLE4(n) IDLE4(n) IDLE4(n) "idle" #n ":\n    call f\n    pop\n"
static const char *const race_steps[GS_RACE_COUNT] = {
    [GS_RACE_CALL] = "    gload counter\n" CALL_F(1) "    push 1\n    add\n    gstore counter\n",
    [GS_RACE_LOCK] = (CALL_F(1) "    acquire guard\n    gload counter\n" CALL_F(2)
                      "    push 1\n    add\n    gstore counter\n    release guard\n" CALL_F(3)),
    [GS_RACE_INPLACE] = "    gload counter\n    push 1\n    add\n    gstore counter\n",
};

/* The workloads that are a built-in program as it is written: its file
 * (workloads/programs, without .gsa), unit size and default work, and
 * whether it does the run's kind of I/O ("@IO@").  gs_workload_load makes
 * the others. */
typedef struct {
    const char *program;
    int64_t unit_size;
    uint64_t default_work;
    bool io;
} built_in;
static const built_in built_ins[GS_WL_COUNT] = {
    [GS_WL_COUNTDOWN] = {"countdown", COUNTDOWN_UNIT, COUNTDOWN_WORK, false},
    [GS_WL_FIB] = {"fib", FIB_UNIT, FIB_WORK, false},
    [GS_WL_PRIMES] = {"primes", PRIMES_UNIT, PRIMES_WORK, false},
    [GS_WL_IO_BOUND] = {"ioloop", IO_SPIN, IO_WORK, true},
    [GS_WL_CONVOY] = {"convoy", COUNTDOWN_UNIT, CONVOY_WORK, true},
    [GS_WL_SHARED] = {"shared", COUNTDOWN_UNIT, COUNTDOWN_WORK, false},
};

const char *const gs_workload_kind_names[GS_WL_COUNT] = {
#define GS_WL_NAME(e, name, spelled, what) name,
    GS_WORKLOAD_KINDS(GS_WL_NAME)
#undef GS_WL_NAME
};

static const char *const sweep_spelling[GS_WL_COUNT] = {
#define GS_WL_SPELLED(e, name, spelled, what) spelled,
    GS_WORKLOAD_KINDS(GS_WL_SPELLED)
#undef GS_WL_SPELLED
};

const char *const gs_workload_sweep_names[GS_WORKLOAD_SWEEP_NAMES + 1] = {
#define GS_WL_SPELLED(e, name, spelled, what) spelled,
    GS_WORKLOAD_KINDS(GS_WL_SPELLED)
#undef GS_WL_SPELLED
#define GS_RACE_WL(e, name, workload, meaning) workload,
    GS_RACE_VARIANTS(GS_RACE_WL)
#undef GS_RACE_WL
    NULL,
};

int gs_workload_cpu_kind(const char *name)
{
    static const char *const kernels[] = {[GS_WL_COUNTDOWN] = "countdown", [GS_WL_FIB] = "fib",
                                          [GS_WL_PRIMES] = "primes"};
    return gs_name_index(kernels, (int)(sizeof kernels / sizeof *kernels), name);
}

int gs_workload_named(const char *name, gs_workload_spec *spec, const char **ratio)
{
    const char *colon = strchr(name, ':');
    size_t len = colon ? (size_t)(colon + 1 - name) : strlen(name);
    *ratio = colon ? colon + 1 : NULL;
    int k = strcmp(name, "cpu-bound") == 0 ? GS_WL_COUNTDOWN
                                           : gs_name_find(sweep_spelling, sizeof *sweep_spelling, GS_WL_COUNT, name, len);
    if (k >= 0) {
        spec->kind = (gs_workload_kind)k;
        return 0;
    }
    int r = colon ? -1 : gs_name_index(gs_race_workload_names, GS_RACE_COUNT, name);
    if (r < 0)
        return -1;
    spec->kind = GS_WL_RACE;
    spec->race = (gs_race_variant)r;
    return 0;
}

static const char *embedded(const char *name)
{
    for (const gs_embedded_program *e = gs_embedded_programs; e->name; e++)
        if (strcmp(e->name, name) == 0)
            return e->text;
    return NULL;
}

/* Replaces every "@KEY@" of tmpl by its value, for the n keys given.
 * Returns malloc'd text, or NULL when out of memory. */
static char *instantiate(const char *tmpl, const char *const keys[], const char *const values[], size_t n)
{
    size_t len = strlen(tmpl) + 1;
    for (size_t k = 0; k < n; k++)
        for (const char *p = tmpl; (p = strstr(p, keys[k])); p += strlen(keys[k]))
            len += strlen(values[k]);
    char *out = malloc(len), *o = out;
    for (const char *p = tmpl; out;) {
        const char *hit = NULL;
        size_t which = 0;
        for (size_t k = 0; k < n; k++) {
            const char *h = strstr(p, keys[k]);
            if (h && (!hit || h < hit)) {
                hit = h;
                which = k;
            }
        }
        size_t plain = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, plain);
        o += plain;
        if (!hit)
            break;
        o += sprintf(o, "%s", values[which]);
        p = hit + strlen(keys[which]);
    }
    if (out)
        *o = '\0';
    return out;
}

static int load_embedded_with(gs_workload *w, const char *name, const char *const keys[],
                              const char *const values[], size_t n, char err[GS_ERRMSG_MAX])
{
    const char *text = embedded(name);
    if (!text) {
        snprintf(err, GS_ERRMSG_MAX, "built-in program %s is missing", name);
        return -1;
    }
    char *src = instantiate(text, keys, values, n);
    if (!src) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
        return -1;
    }
    char fname[48];
    snprintf(fname, sizeof fname, "<%s.gsa>", name);
    int rc = gs_load_source(src, strlen(src), fname, &w->prog, err);
    free(src);
    return rc;
}

static int load_embedded(gs_workload *w, const char *name, gs_io_kind io, char err[GS_ERRMSG_MAX])
{
    static const char *const keys[] = {"@IO@"};
    const char *values[] = {gs_io_kind_names[io]};
    return load_embedded_with(w, name, keys, values, 1, err);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What one spin of the mixed workload's CPU part costs: measured on this
 * machine, or, with a modelled cost per instruction (virtual time), its
 * instructions at that cost, so that the workload is the same everywhere. */
static double ns_per_spin(gs_workload *w, double instruction_ns, char err[GS_ERRMSG_MAX])
{
    const int64_t spins = 200000;
    double best = 0;
    gs_vm *vm = gs_vm_new();
    if (!vm)
        return 0;
    for (int i = 0; i < (instruction_ns > 0 ? 1 : 3); i++) {
        int64_t args[3] = {0, 1, spins};
        if (gs_vm_init(vm, &w->prog, args, 3, err) != 0)
            break;
        uint64_t t0 = now_ns();
        bool held[GS_MAX_ULOCKS] = {false};
        gs_vm_run_alone(vm, held);
        double ns = instruction_ns > 0 ? (double)vm->instructions * instruction_ns / (double)spins
                                       : (double)(now_ns() - t0) / (double)spins;
        if (best == 0 || ns < best)
            best = ns;
    }
    gs_vm_free(vm);
    return best;
}

/* A second's worth of work for one worker, the goal of a program's
 * default work: long enough to time, short enough for a class. */
#define PROGRAM_SECOND_NS 1000000000.0
#define PROGRAM_MAX_WORK 100000u

/* About a second's worth of w's units: one unit (unit 0) run alone, its
 * instructions timed here (or, with a modelled cost per instruction,
 * counted at that cost), plus the I/O latency for each of its sleeps and
 * pipes.  1 when a unit fails or takes longer than the probe to tell,
 * which sets w->may_not_end. */
static uint64_t units_for_a_second(gs_workload *w, double instruction_ns)
{
    gs_vm *vm = gs_vm_new();
    int64_t args[3];
    uint32_t nargs = gs_workload_args(w, 0, 1, args);
    char err[GS_ERRMSG_MAX];
    if (!vm || gs_vm_init(vm, &w->prog, args, nargs, err) != 0) {
        gs_vm_free(vm);
        return 1;
    }
    _Atomic int64_t shared[GS_MAX_SHARED];
    gs_vm_shared_init(&w->prog, shared);
    vm->shared = shared;
    bool held[GS_MAX_ULOCKS] = {false};
    uint64_t waits = 0, native = 0, t0 = now_ns();
    gs_stop stop = GS_STOP_BUDGET;
    while (vm->instructions < GS_PROBE_INSTRUCTIONS && stop != GS_STOP_DONE && stop != GS_STOP_ERROR) {
        stop = gs_vm_run(vm, GS_PROBE_INSTRUCTIONS - vm->instructions);
        if (stop == GS_STOP_IO) { /* answered at once: its latency is counted below */
            waits += vm->io_kind != GS_IO_FILE;
            gs_vm_complete(vm, vm->io_arg);
        } else if (stop == GS_STOP_NATIVE) {
            native += vm->native_work;
            gs_vm_complete(vm, gs_native_result(gs_native_work(vm->native_work, vm->native_work)));
        } else if (stop == GS_STOP_LOCK && !gs_vm_lock_misuse(vm, held, err)) {
            held[vm->ulock] = vm->request == GS_REQ_ACQUIRE;
            gs_vm_complete(vm, 0);
        } else if (stop == GS_STOP_LOCK) {
            stop = GS_STOP_ERROR;
        }
    }
    double unit_ns = instruction_ns > 0 ? (double)(vm->instructions + native) * instruction_ns
                                        : (double)(now_ns() - t0);
    unit_ns += (double)waits * (double)w->io_latency_ns;
    gs_vm_free(vm);
    w->may_not_end = stop != GS_STOP_DONE && stop != GS_STOP_ERROR;
    if (stop != GS_STOP_DONE)
        return 1;
    double units = PROGRAM_SECOND_NS / (unit_ns > 1 ? unit_ns : 1);
    return units < 1 ? 1 : units > PROGRAM_MAX_WORK ? PROGRAM_MAX_WORK : (uint64_t)units;
}

int gs_workload_load(gs_workload *w, const gs_workload_spec *spec, char err[GS_ERRMSG_MAX])
{
    memset(w, 0, sizeof *w);
    w->spec = *spec;
    w->race_counter = -1;
    w->io_latency_ns = spec->io_latency_ns;
    w->latency_from = spec->latency_given ? GS_FROM_OPTION : GS_FROM_NOWHERE;
    int rc;
    const built_in *b = (unsigned)spec->kind < GS_WL_COUNT ? &built_ins[spec->kind] : NULL;
    if (b && b->program) {
        snprintf(w->name, sizeof w->name, "%s", gs_workload_kind_names[spec->kind]);
        w->unit_size = b->unit_size;
        w->default_work = b->default_work;
        return load_embedded(w, b->program, b->io ? spec->io_kind : 0, err);
    }
    switch (spec->kind) {
    case GS_WL_MIXED: {
        snprintf(w->name, sizeof w->name, "mixed %.2f", spec->cpu_share);
        w->default_work = IO_WORK;
        if ((rc = load_embedded(w, "ioloop", spec->io_kind, err)) != 0)
            return rc;
        double ns = ns_per_spin(w, spec->instruction_ns, err);
        double cpu_ns = spec->cpu_share / (1 - spec->cpu_share) * (double)spec->io_latency_ns;
        w->unit_size = ns > 0 ? (int64_t)(cpu_ns / ns + 0.5) : IO_SPIN;
        return 0;
    }
    case GS_WL_RACE: {
        snprintf(w->name, sizeof w->name, "%s", gs_race_workload_names[spec->race]);
        w->unit_size = RACE_UNIT;
        w->default_work = RACE_WORK;
        w->race_counter = 0;
        static const char *const keys[] = {"@STEP@"};
        const char *values[] = {race_steps[spec->race]};
        return load_embedded_with(w, "race", keys, values, 1, err);
    }
    case GS_WL_NATIVE: {
        /* A native unit and an instruction cost about a nanosecond each (the
         * model's --instruction-ns), a countdown step four instructions. */
        snprintf(w->name, sizeof w->name, "native %.2f", spec->native_share);
        w->default_work = NATIVE_WORK;
        char native[32];
        snprintf(native, sizeof native, "%.0f", spec->native_share * NATIVE_UNIT_NS);
        w->unit_size = (int64_t)((1 - spec->native_share) * NATIVE_UNIT_NS / 4);
        static const char *const keys[] = {"@NATIVE@"};
        const char *values[] = {native};
        return load_embedded_with(w, "native", keys, values, 1, err);
    }
    case GS_WL_PROGRAM: {
        const char *base = strrchr(spec->path, '/') ? strrchr(spec->path, '/') + 1 : spec->path;
        gs_label(base, strlen(base), w->name, sizeof w->name); /* reports show the label; the JSON keeps the path */
        if ((rc = gs_load_file(spec->path, &w->prog, err)) != 0)
            return rc;
        uint32_t nargs = gs_workload_main_args(w);
        if (nargs > 3) {
            snprintf(err, GS_ERRMSG_MAX, "%s: main takes %u arguments; at most 3 (first unit, units, unit size)",
                     w->prog.source, nargs);
            gs_workload_free(w);
            return -1;
        }
        /* main(first) or main() cannot loop over a worker's share, so N
         * workers do N times the work of one: told as a strong-scaling run,
         * 4 threads under the lock read 0.25x as fast as 1. */
        w->whole = nargs < 2;
        const gs_program *p = &w->prog;
        w->unit_size_from = spec->unit_size_given ? GS_FROM_OPTION
                            : p->has_default[GS_DEFAULT_UNIT_SIZE] ? GS_FROM_PROGRAM : GS_FROM_NOWHERE;
        w->unit_size = spec->unit_size_given ? spec->unit_size
                       : p->has_default[GS_DEFAULT_UNIT_SIZE] ? p->defaults[GS_DEFAULT_UNIT_SIZE] : 0;
        if (!spec->latency_given && p->has_default[GS_DEFAULT_IO_LATENCY]) {
            w->io_latency_ns = (uint64_t)p->defaults[GS_DEFAULT_IO_LATENCY];
            w->latency_from = GS_FROM_PROGRAM;
        }
        uint64_t second = units_for_a_second(w, spec->instruction_ns); /* a whole one's too: may it not end? */
        w->default_work = w->whole ? 1 : second;
        w->work_from = w->whole ? GS_FROM_PROGRAM : GS_FROM_MEASURED;
        return 0;
    }
    default: /* the built-in programs above, or no workload */
        break;
    }
    snprintf(err, GS_ERRMSG_MAX, "unknown workload kind %d", (int)spec->kind);
    return -1;
}

void gs_workload_free(gs_workload *w)
{
    gs_program_free(&w->prog);
}

uint32_t gs_workload_args(const gs_workload *w, uint64_t first, uint64_t count, int64_t args[3])
{
    args[0] = (int64_t)first;
    args[1] = (int64_t)count;
    args[2] = w->unit_size;
    return gs_workload_main_args(w);
}

uint32_t gs_workload_main_args(const gs_workload *w)
{
    return w->prog.funcs[w->prog.main].nargs;
}

int gs_workload_sequential(const gs_workload *w, uint64_t first, uint64_t count, int64_t *checksum,
                           char err[GS_ERRMSG_MAX])
{
    int64_t args[3];
    uint32_t nargs = gs_workload_args(w, first, count, args);
    gs_vm *vm = gs_vm_new();
    if (!vm) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
        return -1;
    }
    int rc = gs_vm_init(vm, &w->prog, args, nargs, err);
    _Atomic int64_t shared[GS_MAX_SHARED];
    gs_vm_shared_init(&w->prog, shared);
    vm->shared = shared;
    bool held[GS_MAX_ULOCKS] = {false};
    gs_stop stop = rc == 0 ? gs_vm_run_alone(vm, held) : GS_STOP_ERROR;
    if (rc == 0 && stop == GS_STOP_ERROR) {
        gs_vm_format_error(vm, err, GS_ERRMSG_MAX);
        rc = -1;
    }
    if (rc == 0)
        *checksum = vm->result;
    gs_vm_free(vm);
    return rc;
}

void gs_workload_split(uint64_t total, uint32_t n, uint32_t k, uint64_t *first, uint64_t *count)
{
    uint64_t base = total / n, extra = total % n;
    *first = k * base + (k < extra ? k : extra);
    *count = base + (k < extra ? 1 : 0);
}

int64_t gs_countdown_unit_size(uint64_t units, uint64_t cpu_ns, double instruction_ns)
{
    /* A fixed pace (4 ns an iteration, a laptop's of 2026) once sized these
     * units: when the interpreter's jumps became one load (2.0 ns here),
     * the convoy's CPU threads ended in half the time its demo meant, and
     * beside 4 of them the I/O thread finished nothing in the window. */
    double ns_per_iteration = 4 * instruction_ns;
    if (instruction_ns <= 0) {
        gs_workload w = {0};
        char err[GS_ERRMSG_MAX];
        if (load_embedded(&w, "countdown", 0, err) == 0) {
            ns_per_iteration = ns_per_spin(&w, 0, err);
            gs_workload_free(&w);
        }
        if (ns_per_iteration <= 0)
            ns_per_iteration = 4.0; /* out of memory to measure: a laptop's pace */
    }
    int64_t size = (int64_t)((double)cpu_ns / (double)units / ns_per_iteration);
    return size > 1 ? size : 1;
}
