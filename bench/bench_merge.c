/* bench_merge.c - gilsim-bench, merge section: what gilsim merge does with
 * 100,000 points (issue "Sweeps that outgrow one machine"), timed in wall
 * and CPU time, each a median of BENCH_REPS:
 *
 *   write results   the points' results, a line each, into one file (what
 *                   100,000 `--point K --result -` would write together);
 *   read results    reading and checking them back, as merge does;
 *   CSV, JSON       the sweep's CSV and JSON of that many points;
 *   memory          the points as merge holds them (bytes a point).
 *
 * The points are synthetic (every field set, none the same twice): a
 * real sweep stops at 8 workloads x 3 modes x 1,024 counts, and 100,000
 * simulated points would take this machine hours; what is timed here is
 * everything merge does once the points exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../reports/plan.h"
#include "../reports/report.h"
#include "bench.h"

enum { POINTS = 100000 };

typedef struct {
    double wall[BENCH_REPS], cpu[BENCH_REPS];
} timing;

static void take(timing *t, int rep, bench_mark a, bench_mark b)
{
    t->wall[rep] = b.wall - a.wall;
    t->cpu[rep] = b.cpu - a.cpu;
}

static void add_timing(bench_report *r, const char *name, timing *t)
{
    bench_figure w, c;
    bench_summarize(&w, t->wall, BENCH_REPS);
    bench_summarize(&c, t->cpu, BENCH_REPS);
    bench_add_timed(r, "merge", name, "s", &w, &c);
}

void bench_merge(bench_report *r)
{
    gs_workload wl = bench_workload(GS_WL_COUNTDOWN);
    static gs_point_result res;
    gs_sweep s = {.nworkloads = 1, .workloads = {&wl}, .nmodes = 1, .modes = {GS_MODE_THREADS}, .ncounts = 1,
                  .counts = {1}, .repeat = 1};
    s.points = calloc(POINTS, sizeof *s.points);
    gs_sweep_point *back = calloc(POINTS, sizeof *back);
    char *path = strdup("/tmp/gilsim-bench-merge-XXXXXX");
    int fd = mkstemp(path);
    if (!s.points || !back || fd < 0) {
        fprintf(stderr, "gilsim-bench: out of memory or /tmp for the merge section\n");
        exit(1);
    }
    for (uint32_t i = 0; i < POINTS; i++) {
        gs_sweep_point *p = &s.points[i];
        *p = (gs_sweep_point){.mode = (gs_mode)(i % 3), .workload = &wl, .work = 400 + i, .workers = 1 + i % 1024,
                              .runs = 1, .wall_min_s = 0.01 + i * 1e-7, .wall_max_s = 0.02 + i * 1e-7,
                              .speedup = 1 + (i % 97) / 7.0, .efficiency = 0.5 + (i % 13) / 29.0,
                              .checksum_ok = 1, .speedup_min = 1, .speedup_max = 2, .shared_lost = -1};
        p->median = (gs_point_figures){.wall_s = 0.015 + i * 1e-7, .throughput = 1e5 / (1 + i % 31),
                                       .held_fraction = (i % 100) / 100.0, .wait_fraction = (i % 7) / 7.0,
                                       .switches_per_s = 200 + i % 3000, .cpu_ns = 1000000ull + i,
                                       .core_wait_known = true, .handoffs = i % 5, .handoff_p50 = 5000 + i % 999,
                                       .handoff_p99 = 9000 + i % 777};
    }
    timing write = {0}, read = {0}, csv = {0}, json = {0};
    gs_host host;
    gs_host_detect(&host);
    for (int rep = 0; rep < BENCH_REPS; rep++) {
        bench_mark a = bench_now();
        FILE *f = fopen(path, "w");
        for (uint32_t i = 0; i < POINTS && f; i++) {
            res = (gs_point_result){.version = "bench", .plan = 0x1234, .k = i + 1, .n = POINTS, .host = "bench",
                                    .point = s.points[i]};
            res.point.workload = NULL;
            gs_write_point_result(f, &res);
        }
        if (!f || fclose(f) != 0) {
            fprintf(stderr, "gilsim-bench: cannot write %s\n", path);
            exit(1);
        }
        take(&write, rep, a, bench_now());

        a = bench_now();
        f = fopen(path, "r");
        char *line = NULL, err[GS_ERRMSG_MAX];
        size_t cap = 0;
        ssize_t len;
        uint32_t got = 0;
        while (f && (len = getline(&line, &cap, f)) > 0) {
            line[len - 1] = '\0';
            if (gs_read_point_result(line, &res, err) != 0) {
                fprintf(stderr, "gilsim-bench: a result did not read back: %s\n", err);
                exit(1);
            }
            back[res.k - 1] = res.point;
            got++;
        }
        free(line);
        if (f)
            fclose(f);
        take(&read, rep, a, bench_now());
        if (got != POINTS || back[POINTS - 1].median.handoff_p99 != s.points[POINTS - 1].median.handoff_p99) {
            fprintf(stderr, "gilsim-bench: %u of %u results read back\n", got, POINTS);
            exit(1);
        }

        s.npoints = POINTS;
        FILE *null = fopen("/dev/null", "w");
        a = bench_now();
        gs_write_sweep_csv(null, &s, &host);
        take(&csv, rep, a, bench_now());
        a = bench_now();
        gs_write_sweep_json(null, &s, &host);
        take(&json, rep, a, bench_now());
        fclose(null);
    }
    add_timing(r, "write 100,000 results", &write);
    add_timing(r, "read and check 100,000", &read);
    add_timing(r, "CSV of 100,000 points", &csv);
    add_timing(r, "JSON of 100,000 points", &json);
    bench_add_ratio(r, "merge", "memory a point", (double)sizeof(gs_sweep_point), "bytes", NULL);
    unlink(path);
    free(path);
    free(back);
    free(s.points);
    gs_workload_free(&wl);
}
