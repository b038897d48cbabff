/* none.c - no global lock: every take succeeds at once, every drop does
 * nothing, so threads run their interpreters in parallel, bounded only by
 * the cores.  The wrappers in lock.c still count takes and time them,
 * which is how a run shows that nobody ever waited.  Two policies have it:
 *
 * - none: the ideal, with nothing to pay: what a perfect lock-free
 *   interpreter would give.
 * - free-threaded: CPython's free-threaded build (PEP 703; Python 3.13t
 *   and 3.14t), which has no global lock but pays where threads meet:
 *   each object carries its own lock, taken to change it (PEP 703's
 *   per-object critical sections on dict, list and set; gilsim's shared
 *   variables stand for a module's globals, written under their dict's
 *   lock: sharing.c, gs_process_store), and its reference count, which
 *   biased reference counting keeps cheap for the owner thread only, so
 *   an object touched by several threads moves its cache line between
 *   their cores at every touch (the machine's touched_shared: line_ns in
 *   virtual time, the real cost on real cores).  A lone thread's bytecode
 *   is dearer too (gil.h: GS_FT_BUILDS, charged in virtual time).  A
 *   read-modify-write such as `counter += 1` is still two operations:
 *   without the global lock, threads lose updates between them.
 * Left out: the free-threaded garbage collector's stop-the-world pauses
 * (gilsim's programs allocate nothing), and per-object locks' spinning
 * before they park (the machine's mutex parks at once). */
#include <stdlib.h>

#include "lock.h"

static bool none_take(gs_gil *g, gs_gil_client *c)
{
    (void)g;
    (void)c;
    return false;
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
