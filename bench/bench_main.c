/* bench_main.c - gilsim-bench: runs the sections, prints a table and,
 * with --json FILE, the same figures as JSON.  See bench/README.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../reports/report.h"
#include "../sched/machine/real/io.h"
#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_summarize(bench_figure *f, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    f->min = v[0];
    f->max = v[n - 1];
    f->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

gs_workload bench_workload(gs_workload_kind kind)
{
    gs_workload w;
    char err[GS_ERRMSG_MAX];
    gs_workload_spec spec = {.kind = kind};
    if (gs_workload_load(&w, &spec, err) != 0) {
        fprintf(stderr, "gilsim-bench: %s\n", err);
        exit(1);
    }
    return w;
}

void bench_calibrate(gs_calibration *cal)
{
    char err[GS_ERRMSG_MAX];
    fprintf(stderr, "gilsim-bench: calibrating...\n");
    if (gs_calibrate(cal, NULL, NULL, err) != 0) {
        fprintf(stderr, "gilsim-bench: %s\n", err);
        exit(1);
    }
    const gs_sim_model *m = &cal->model;
    printf("Calibrated model: --cores %u --instruction-ns %.2f", m->cores, m->instruction_ns);
    for (size_t i = 0; i < GS_SIM_COST_COUNT; i++)
        printf(" --%s %lluns", gs_sim_costs[i].option, (unsigned long long)gs_sim_cost_of(m, &gs_sim_costs[i]));
    printf("\n\n");
}

static bench_row *new_row(bench_report *r)
{
    if (r->nrows == BENCH_MAX) {
        fprintf(stderr, "gilsim-bench: too many rows\n");
        exit(1);
    }
    return &r->rows[r->nrows++];
}

void bench_add(bench_report *r, const char *section, const char *name, const char *unit, const bench_figure *f)
{
    *new_row(r) = (bench_row){.section = section, .name = name, .unit = unit, .fig = *f};
}

void bench_add_ratio(bench_report *r, const char *section, const char *name, double value, const char *unit,
                     const char *target)
{
    *new_row(r) = (bench_row){.section = section, .name = name, .unit = unit, .target = target,
                              .fig = {value, value, value}, .is_ratio = 1};
}

void bench_add_timed(bench_report *r, const char *section, const char *name, const char *unit,
                     const bench_figure *wall, const bench_figure *cpu)
{
    *new_row(r) = (bench_row){.section = section, .name = name, .unit = unit, .fig = *wall, .cpu = *cpu,
                              .has_cpu = 1};
}

bench_mark bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    bench_mark m = {.wall = (double)t.tv_sec + (double)t.tv_nsec / 1e9};
    struct rusage self, children;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    m.cpu = (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec +
                     children.ru_stime.tv_sec) +
            (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec +
                     children.ru_stime.tv_usec) / 1e6;
    FILE *f = fopen("/proc/stat", "r"); /* cpu user nice system idle iowait irq softirq steal ... */
    unsigned long long v[8] = {0};
    if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                    &v[6], &v[7]) == 8)
        m.busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double)sysconf(_SC_CLK_TCK);
    if (f)
        fclose(f);
    return m;
}

/* The 1-minute load average, or -1. */
static double load1(void)
{
    double l = -1;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf", &l) != 1)
        l = -1;
    if (f)
        fclose(f);
    return l;
}

void bench_note(bench_report *r, const char *note)
{
    if (r->nnotes < 16)
        r->notes[r->nnotes++] = note;
}

static const bench_section *section_of(const bench_report *r, const char *name)
{
    for (int i = 0; i < r->nsections; i++)
        if (strcmp(r->sections[i].name, name) == 0)
            return &r->sections[i];
    return NULL;
}

/* Whether row was measured beside other programs' work: a figure of time
 * in a busy section (a size or a count is what it is however busy the
 * machine). */
static bool busy(const bench_report *r, const bench_row *row)
{
    static const char *const not_time[] = {"KiB", "bytes", "pages", "stacks", "instr"};
    const bench_section *sec = section_of(r, row->section);
    for (size_t i = 0; i < sizeof not_time / sizeof not_time[0]; i++)
        if (strcmp(row->unit, not_time[i]) == 0)
            return false;
    return sec && sec->others_share > BENCH_BUSY_SHARE;
}

static void print_table(const bench_report *r, const char *cpu, long cores, double load_before, double load_after)
{
    printf("gilsim-bench: %ld cores, %s; median of %d runs [min .. max], CPU time's median beside\n"
           "load average (1 min): %.2f when it began, %.2f when it ended\n",
           cores, cpu, BENCH_REPS, load_before, load_after);
    const char *section = "";
    for (int i = 0; i < r->nrows; i++) {
        const bench_row *row = &r->rows[i];
        if (strcmp(section, row->section) != 0) {
            const bench_section *sec = section_of(r, section = row->section);
            printf("\n[%s]", section);
            if (sec)
                printf(" %.1f s, CPU %.1f s; other programs used %.0f%% of the cores%s", sec->wall_s, sec->cpu_s,
                       100 * sec->others_share,
                       sec->others_share > BENCH_BUSY_SHARE ? ": BUSY, its figures were measured beside them" : "");
            putchar('\n');
        }
        const char *mark = busy(r, row) ? " busy" : "";
        if (row->is_ratio)
            printf("  %-46s %10.2f %-5s %s%s\n", row->name, row->fig.median, row->unit,
                   row->target ? row->target : "", mark);
        else if (row->has_cpu)
            printf("  %-46s %10.3f %-5s [%.3f .. %.3f]  CPU %.3f%s\n", row->name, row->fig.median, row->unit,
                   row->fig.min, row->fig.max, row->cpu.median, mark);
        else
            printf("  %-46s %10.3f %-5s [%.3f .. %.3f]%s\n", row->name, row->fig.median, row->unit, row->fig.min,
                   row->fig.max, mark);
    }
    for (int i = 0; i < r->nnotes; i++)
        printf("note: %s\n", r->notes[i]);
}

static int write_json(const bench_report *r, const char *path, const char *cpu, long cores)
{
    json_t *rows = json_array();
    for (int i = 0; i < r->nrows; i++) {
        const bench_row *row = &r->rows[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:f}", "section", row->section, "name", row->name, "unit",
                              row->unit, "median", row->fig.median);
        if (!row->is_ratio) {
            json_object_set_new(o, "min", json_real(row->fig.min));
            json_object_set_new(o, "max", json_real(row->fig.max));
        }
        if (row->target)
            json_object_set_new(o, "target", json_string(row->target));
        if (row->has_cpu) {
            json_object_set_new(o, "cpu_median", json_real(row->cpu.median));
            json_object_set_new(o, "cpu_min", json_real(row->cpu.min));
            json_object_set_new(o, "cpu_max", json_real(row->cpu.max));
        }
        json_object_set_new(o, "busy", json_boolean(busy(r, row)));
        json_array_append_new(rows, o);
    }
    json_t *doc = json_pack("{s:s, s:i, s:s, s:i, s:o}", "tool", "gilsim-bench", "cores", (json_int_t)cores,
                            "cpu", cpu, "reps", BENCH_REPS, "figures", rows);
    int rc = strcmp(path, "-") == 0 ? json_dumpf(doc, stdout, JSON_INDENT(2))
                                    : json_dump_file(doc, path, JSON_INDENT(2));
    json_decref(doc);
    return rc;
}

/* The sections, in the order they run. */
static const struct {
    const char *name;
    void (*run)(bench_report *r);
} sections[] = {
    {"interp", bench_interp}, {"lock", bench_lock}, {"scale", bench_scale}, {"sim", bench_sim},
    {"merge", bench_merge}, {"calibration", bench_calibration}, {"fidelity", bench_fidelity},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* A row as it crosses from a section's process to this one: its names
 * by value (a section builds some in its own static buffers); its section
 * is the one that process ran. */
typedef struct {
    char name[128], unit[16], target[32];
    bench_figure fig, cpu;
    int has_cpu, is_ratio, has_target;
} wire_row;

static void copy_name(char *to, size_t size, const char *from)
{
    snprintf(to, size, "%s", from ? from : "");
}

/* A copy that lives as long as the program, for a row's or note's name
 * read back from a section's process. */
static const char *keep(const char *s)
{
    char *k = strdup(s);
    if (!k) {
        fprintf(stderr, "gilsim-bench: out of memory\n");
        exit(1);
    }
    return k;
}

/* In the section's own process: runs section k and writes its rows and
 * notes to fd. */
static _Noreturn void section_child(size_t k, int fd)
{
    static bench_report own;
    sections[k].run(&own);
    bool ok = gs_write_all(fd, &own.nrows, sizeof own.nrows) == 0 &&
              gs_write_all(fd, &own.nnotes, sizeof own.nnotes) == 0;
    for (int i = 0; ok && i < own.nrows; i++) {
        const bench_row *row = &own.rows[i];
        wire_row w = {.fig = row->fig, .cpu = row->cpu, .has_cpu = row->has_cpu, .is_ratio = row->is_ratio,
                      .has_target = row->target != NULL};
        copy_name(w.name, sizeof w.name, row->name);
        copy_name(w.unit, sizeof w.unit, row->unit);
        copy_name(w.target, sizeof w.target, row->target);
        ok = gs_write_all(fd, &w, sizeof w) == 0;
    }
    for (int i = 0; ok && i < own.nnotes; i++) {
        char note[256];
        copy_name(note, sizeof note, own.notes[i]);
        ok = gs_write_all(fd, note, sizeof note) == 0;
    }
    exit(ok ? 0 : 1); /* exit, not _exit: what the section printed is flushed */
}

/* Runs section k in a process of its own, forked from this one before it
 * has run any, and adds its rows and notes to rep.  A section measures a
 * process of gilsim's size, whatever ran before it: in one process the
 * merge section's 550 MB stayed mapped after it was freed, and the
 * calibration's forks then copied its page tables (a process start read
 * 7.5 ms there, against 0.17 ms with --only calibration; given back with
 * malloc_trim, still 0.24 to 0.34 ms, and the real processes row 1.45x to
 * 1.50x against 1.86x; 2026-12-08).  Returns 0, or -1 having said why. */
static int run_section(size_t k, bench_report *rep)
{
    int fds[2];
    fflush(NULL); /* nothing buffered here is printed twice */
    if (pipe(fds) != 0) {
        perror("gilsim-bench: pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("gilsim-bench: fork");
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        section_child(k, fds[1]);
    }
    close(fds[1]);
    int nrows = 0, nnotes = 0;
    bool ok = gs_read_all(fds[0], &nrows, sizeof nrows) == 1 && gs_read_all(fds[0], &nnotes, sizeof nnotes) == 1 &&
              nrows >= 0 && nnotes >= 0 && nrows <= BENCH_MAX - rep->nrows;
    for (int i = 0; ok && i < nrows; i++) {
        wire_row w;
        if (!(ok = gs_read_all(fds[0], &w, sizeof w) == 1))
            break;
        w.name[sizeof w.name - 1] = w.unit[sizeof w.unit - 1] = w.target[sizeof w.target - 1] = '\0';
        rep->rows[rep->nrows++] = (bench_row){.section = sections[k].name, .name = keep(w.name),
                                              .unit = keep(w.unit), .target = w.has_target ? keep(w.target) : NULL,
                                              .fig = w.fig, .cpu = w.cpu, .has_cpu = w.has_cpu,
                                              .is_ratio = w.is_ratio};
    }
    for (int i = 0; ok && i < nnotes; i++) {
        char note[256];
        if ((ok = gs_read_all(fds[0], note, sizeof note) == 1)) {
            note[sizeof note - 1] = '\0';
            bench_note(rep, keep(note));
        }
    }
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !ok) {
        fprintf(stderr, "gilsim-bench: the %s section failed\n", sections[k].name);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char names[128] = "";
    for (size_t k = 0; k < NSECTIONS; k++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? "|" : "", sections[k].name);
    if (argc > 1 && strcmp(argv[1], "--scale-child") == 0)
        return bench_scale_child(argc, argv);
    const char *json = NULL, *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json = argv[++i];
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: gilsim-bench [--json FILE|-] [--only %s]\n", names);
            return 2;
        }
    }
    bool known = !only;
    for (size_t k = 0; k < NSECTIONS && only; k++)
        known |= strcmp(only, sections[k].name) == 0;
    if (!known) {
        fprintf(stderr, "gilsim-bench: --only: '%s' is not a section: give one of %s\n", only, names);
        return 2;
    }
    static bench_report rep;
    gs_host host;
    gs_host_detect(&host);
    double load_before = load1();
    for (size_t k = 0; k < NSECTIONS; k++)
        if (!only || strcmp(only, sections[k].name) == 0) {
            bench_mark a = bench_now();
            if (run_section(k, &rep) != 0)
                return 1;
            bench_mark b = bench_now();
            double wall = b.wall - a.wall, others = (b.busy - a.busy) - (b.cpu - a.cpu);
            rep.sections[rep.nsections++] =
                (bench_section){.name = sections[k].name, .wall_s = wall, .cpu_s = b.cpu - a.cpu,
                                .others_share = wall > 0 && others > 0 ? others / (wall * (double)host.cores) : 0};
        }
    print_table(&rep, host.cpu, host.cores, load_before, load1());
    if (json && write_json(&rep, json, host.cpu, host.cores) != 0) {
        fprintf(stderr, "gilsim-bench: cannot write %s\n", json);
        return 1;
    }
    return 0;
}
