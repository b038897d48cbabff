/* none.c - no global lock and no cost: every take succeeds at once,
 * every drop does nothing, so threads run their interpreters in parallel,
 * bounded only by the cores.  The wrappers in lock.c still count takes and
 * time them, which is how a run shows that nobody ever waited.  The ideal
 * a lock-free interpreter would reach; CPython's free-threaded build, which
 * pays where threads meet, is free_threaded.c. */
#include <stdlib.h>

#include "lock.h"

static gs_take none_take(gs_gil *g, gs_gil_client *c)
{
    (void)g;
    (void)c;
    return GS_TOOK;
}

static void none_drop(gs_gil *g, gs_gil_client *c, gs_drop_reason why)
{
    (void)g;
    (void)c;
    (void)why;
}

static void none_destroy(gs_gil *g)
{
    free(g);
}

static const gs_gil_ops none_ops = {
    .take = none_take,
    .drop = none_drop,
    .destroy = none_destroy,
};

gs_gil *gs_gil_none_new(const gs_gil_config *cfg, gs_os *os)
{
    gs_gil *g = calloc(1, sizeof *g);
    if (g)
        gs_gil_base_init(g, os, &none_ops, cfg);
    return g;
}
