/* bench_sim.c - gilsim-bench, sim section: what the simulated machine's
 * machinery costs (issue "Virtual time").  So far the fiber switch, the
 * simulator's inner loop: two fibers handing over to each other, in
 * switches per real second (target: at least 2 million). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "fiber.h"

enum { SWITCHES = 2000000 };

typedef struct {
    gs_fiber *self, *other, *main;
    long left;
} pinger;

static void ping(void *arg)
{
    pinger *p = arg;
    while (p->left-- > 0)
        gs_fiber_switch(p->self, p->other);
    gs_fiber_switch(p->self, p->main);
}

static double switches_per_s(void)
{
    gs_fiber *main = gs_fiber_main();
    pinger a = {.main = main, .left = SWITCHES / 2}, b = {.main = main, .left = SWITCHES / 2};
    a.self = gs_fiber_new(64 * 1024, ping, &a, main);
    b.self = gs_fiber_new(64 * 1024, ping, &b, main);
    if (!main || !a.self || !b.self) {
        fprintf(stderr, "gilsim-bench: out of memory for fibers\n");
        exit(1);
    }
    a.other = b.self;
    b.other = a.self;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    gs_fiber_switch(main, a.self);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    gs_fiber_free(a.self);
    gs_fiber_free(b.self);
    gs_fiber_free(main);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return SWITCHES / s / 1e6;
}

void bench_sim(bench_report *rep)
{
    double v[BENCH_REPS];
    for (int r = 0; r < BENCH_REPS; r++)
        v[r] = switches_per_s();
    bench_figure f;
    bench_summarize(&f, v, BENCH_REPS);
    bench_add(rep, "sim", "fiber switches per real second", "M", &f);
}
