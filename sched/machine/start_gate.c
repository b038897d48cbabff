/* start_gate.c - the start gate both machines keep (start_gate.h). */
#include <errno.h>
#include <stdlib.h>

#include "start_gate.h"

gs_gate *gs_start_gate_new(gs_os *os)
{
    gs_gate *g = malloc(sizeof *g);
    if (!g)
        gs_fatal("allocating a start gate", ENOMEM);
    *g = (gs_gate){.mutex = gs_os_mutex(os), .cond = gs_os_cond(os)};
    return g;
}

void gs_start_gate_open(gs_os *os, gs_gate *g)
{
    gs_os_lock(os, g->mutex);
    g->open = true;
    gs_os_broadcast(os, g->cond);
    gs_os_unlock(os, g->mutex);
}

void gs_start_gate_free(gs_os *os, gs_gate *g)
{
    if (!g)
        return;
    os->ops->cond_free(os, g->cond);
    os->ops->mutex_free(os, g->mutex);
    free(g);
}

void gs_start_gate_wait(gs_os *os, gs_gate *g)
{
    gs_os_lock(os, g->mutex);
    while (!g->open)
        gs_os_wait(os, g->cond, g->mutex);
    gs_os_unlock(os, g->mutex);
}
