/* free_threaded.c - CPython's free-threaded build (PEP 703; Python 3.13t
 * and 3.14t): no global lock, but a thread is "attached" while it runs
 * bytecode, and the garbage collector stops the world.
 *
 * Where the default build takes and drops the GIL, the free-threaded one
 * attaches and detaches its thread state (Python/pystate.c: around every
 * blocking call, as Py_BEGIN/END_ALLOW_THREADS).  Many threads are attached
 * at once; take and drop here only count them.  What the build pays where
 * threads meet is elsewhere: each shared variable has its own lock, taken
 * to change it (PEP 703's per-object critical sections on dict, list and
 * set; gilsim's shared variables stand for a module's globals, written
 * under their dict's lock: sharing.c, gs_process_store, a PyMutex that
 * yields 40 times before it sleeps, as Python/lock.c's), and its reference
 * count, which biased reference counting keeps cheap for the owner thread
 * only, so an object several threads touch moves its cache line between
 * their cores at every touch (the machine's touched_shared: line_ns in
 * virtual time, the real cost on real cores).  A lone thread's bytecode is
 * dearer too (gil.h: GS_FT_BUILDS, charged in virtual time).  A
 * read-modify-write such as `counter += 1` is still two operations:
 * without the global lock, threads lose updates between them.
 *
 * Stop-the-world (Python/pystate.c, _PyEval_StopTheWorld; the collector
 * of Python/gc_free_threading.c uses it): every --gc-every of time, the
 * first attached thread to notice becomes the collector.  It asks every
 * other attached thread to detach at its next safe point (the eval
 * breaker: a drop request), waits until none is attached, collects for
 * --gc-pause (computing, as the collector's work is), then lets them all
 * attach again.  A thread that wants to attach meanwhile waits.  Threads
 * in I/O or native code are detached and do not hold the world up, as in
 * CPython.  gilsim's programs allocate nothing, so the collector's rate
 * is the user's to set; off by default.  The check is made whenever a
 * thread attaches, and with pauses on, a running thread detaches and
 * attaches again every GC_CHECK_INSTRUCTIONS (the runner's tick), as
 * CPython's eval breaker makes it poll. */
#include <stdlib.h>

#include "lock.h"

#define GC_CHECK_INSTRUCTIONS 10000u /* about 10 us of bytecode */

typedef struct {
    gs_gil base;
    gs_mutex *mutex;
    gs_cond *cond;               /* changes of attached and collecting */
    gs_gil_client **attached;    /* guarded by mutex: the attached threads, nattached of them */
    uint32_t nattached, cap;
    bool collecting;             /* guarded by mutex: a collector has stopped the world */
    uint64_t gc_every_ns, gc_pause_ns, next_gc_ns; /* next_gc_ns guarded by mutex */
} gil_free_threaded;

static bool attach(gil_free_threaded *g, gs_gil_client *c)
{
    if (g->nattached == g->cap) {
        uint32_t cap = g->cap ? 2 * g->cap : 16;
        gs_gil_client **more = realloc(g->attached, cap * sizeof *more);
        if (!more)
            gs_fatal("out of memory for the free-threaded build's attached threads", 0);
        g->attached = more;
        g->cap = cap;
    }
    g->attached[g->nattached++] = c;
    return true;
}

static void detach(gil_free_threaded *g, gs_gil_client *c)
{
    for (uint32_t i = 0; i < g->nattached; i++)
        if (g->attached[i] == c) {
            g->attached[i] = g->attached[--g->nattached];
            return;
        }
    gs_fatal("a free-threaded thread detached without being attached (a runner's bug)", 0);
}

/* With the mutex held and c not attached: stops the world, collects,
 * lets it go on. */
static void collect(gil_free_threaded *g)
{
    gs_os *os = g->base.os;
    g->collecting = true;
    for (uint32_t i = 0; i < g->nattached; i++)
        gs_vm_set_breaker(g->attached[i]->vm, GS_BREAK_DROP);
    while (g->nattached > 0)
        gs_os_wait(os, g->cond, g->mutex);
    gs_os_unlock(os, g->mutex);
    os->ops->compute(os, g->gc_pause_ns);
    gs_os_lock(os, g->mutex);
    g->collecting = false;
    gs_os_broadcast(os, g->cond);
}

static gs_take ft_take(gs_gil *base, gs_gil_client *c)
{
    gil_free_threaded *g = (gil_free_threaded *)base;
    gs_os *os = g->base.os;
    gs_os_lock(os, g->mutex);
    bool waited = g->collecting;
    while (g->collecting)
        gs_os_wait(os, g->cond, g->mutex);
    if (g->gc_every_ns) {
        uint64_t now = gs_os_now(os);
        if (!g->next_gc_ns)
            g->next_gc_ns = now + g->gc_every_ns;
        if (now >= g->next_gc_ns) {
            g->next_gc_ns = now + g->gc_every_ns;
            collect(g);
            waited = true;
        }
    }
    attach(g, c);
    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP); /* a stop asked of an earlier attachment */
    gs_os_unlock(os, g->mutex);
    return waited ? GS_TOOK_AFTER_WAIT : GS_TOOK;
}

static void ft_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    (void)why;
    gil_free_threaded *g = (gil_free_threaded *)base;
    gs_os_lock(g->base.os, g->mutex);
    detach(g, c);
    if (g->collecting && g->nattached == 0)
        gs_os_broadcast(g->base.os, g->cond);
    gs_os_unlock(g->base.os, g->mutex);
}

static void ft_destroy(gs_gil *base)
{
    gil_free_threaded *g = (gil_free_threaded *)base;
    g->base.os->ops->cond_free(g->base.os, g->cond);
    g->base.os->ops->mutex_free(g->base.os, g->mutex);
    free(g->attached);
    free(g);
}

static const gs_gil_ops ft_ops = {
    .take = ft_take,
    .drop = ft_drop,
    .destroy = ft_destroy,
};

gs_gil *gs_gil_free_threaded_new(const gs_gil_config *cfg, gs_os *os)
{
    gil_free_threaded *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    gs_gil_base_init(&g->base, os, &ft_ops, cfg);
    g->mutex = gs_os_mutex(os);
    g->cond = gs_os_cond(os);
    g->gc_every_ns = cfg->gc_every_ns;
    g->gc_pause_ns = cfg->gc_pause_ns;
    if (g->gc_every_ns) /* running threads reach a safe point this often */
        g->base.check_interval = GC_CHECK_INSTRUCTIONS;
    return &g->base;
}
