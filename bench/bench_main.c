/* bench_main.c - gilsim-bench: runs the sections, prints a table and,
 * with --json FILE, the same figures as JSON.  See bench/README.md. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "../reports/report.h"
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

void bench_note(bench_report *r, const char *note)
{
    if (r->nnotes < 16)
        r->notes[r->nnotes++] = note;
}

static void print_table(const bench_report *r, const char *cpu, long cores)
{
    printf("gilsim-bench: %ld cores, %s; median of %d runs [min .. max]\n", cores, cpu, BENCH_REPS);
    const char *section = "";
    for (int i = 0; i < r->nrows; i++) {
        const bench_row *row = &r->rows[i];
        if (strcmp(section, row->section) != 0)
            printf("\n[%s]\n", section = row->section);
        if (row->is_ratio)
            printf("  %-42s %10.2f %-3s %s\n", row->name, row->fig.median, row->unit,
                   row->target ? row->target : "");
        else
            printf("  %-42s %10.3f %-3s [%.3f .. %.3f]\n", row->name, row->fig.median, row->unit, row->fig.min,
                   row->fig.max);
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
    {"merge", bench_merge}, {"calibration", bench_calibration},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

int main(int argc, char **argv)
{
    char names[128] = "";
    for (size_t k = 0; k < NSECTIONS; k++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? "|" : "", sections[k].name);
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
    for (size_t k = 0; k < NSECTIONS; k++)
        if (!only || strcmp(only, sections[k].name) == 0)
            sections[k].run(&rep);
    print_table(&rep, host.cpu, host.cores);
    if (json && write_json(&rep, json, host.cpu, host.cores) != 0) {
        fprintf(stderr, "gilsim-bench: cannot write %s\n", json);
        return 1;
    }
    return 0;
}
