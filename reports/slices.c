/* slices.c - events to slices (see slices.h).
 *
 * The runners record I/O in two orders: a thread notes the I/O start while
 * it still holds the lock, then drops it; an async task drops the loop,
 * then starts the I/O.  Either way the I/O slice begins when the running
 * one ends, so slices never overlap.  A wait for a user lock is recorded
 * the same ways.  A native call of an async task is made while it runs on
 * the loop: it runs again when the call ends. */
#include "slices.h"

typedef struct {
    void (*fn)(const gs_slice *, void *);
    void *arg;
    int cur;          /* the open slice's kind, or -1 */
    uint64_t since;
    uint32_t what;    /* of the I/O or user-lock slice: its gs_io_kind or lock */
    int pending;      /* an I/O or user-lock wait begun while running, which
                         starts at the drop; -1 when none */
    bool resume;      /* a native call made while running: running again after */
    int before_core;  /* the kind a wait for a core interrupted, or -1 */
} reader;

static void close_at(reader *r, uint64_t t)
{
    if (r->cur >= 0)
        r->fn(&(gs_slice){GS_EDGE_END, (gs_slice_kind)r->cur, r->since, t < r->since ? r->since : t,
                          r->what},
              r->arg);
    r->cur = -1;
}

static void open_at(reader *r, gs_slice_kind kind, uint64_t t)
{
    close_at(r, t);
    r->cur = (int)kind;
    r->since = t;
    r->fn(&(gs_slice){GS_EDGE_BEGIN, kind, t, t, r->what}, r->arg);
}

static void mark(reader *r, gs_slice_kind kind, uint64_t t)
{
    r->fn(&(gs_slice){GS_EDGE_MARK, kind, t, t, 0}, r->arg);
}

void gs_worker_slices(const gs_worker_result *w, void (*fn)(const gs_slice *, void *), void *arg)
{
    reader r = {.fn = fn, .arg = arg, .cur = -1, .pending = -1, .before_core = -1};
    uint64_t last = 0;
    for (uint32_t i = 0; i < w->rec.n; i++) {
        const gs_event *e = gs_rec_event(&w->rec, i);
        last = e->t_ns;
        switch ((gs_event_type)e->type) {
        case GS_EV_WANT:
            open_at(&r, GS_SLICE_WAITING, e->t_ns);
            break;
        case GS_EV_GOT:
            open_at(&r, GS_SLICE_RUNNING, e->t_ns);
            break;
        case GS_EV_DROP_FORCED:
        case GS_EV_DROP_VOLUNTARY:
        case GS_EV_DROP_TICK:
            close_at(&r, e->t_ns);
            if (e->type == GS_EV_DROP_FORCED) {
                /* it waits inside the lock until another takes it (forced
                 * switching), then wants it again: waiting all along */
                mark(&r, GS_MARK_FORCED_DROP, e->t_ns);
                open_at(&r, GS_SLICE_WAITING, e->t_ns);
            }
            if (r.pending >= 0)
                open_at(&r, (gs_slice_kind)r.pending, e->t_ns);
            r.pending = -1;
            break;
        case GS_EV_IO_START:
        case GS_EV_ULOCK_WAIT:
            r.what = e->arg;
            if (r.cur == GS_SLICE_RUNNING)
                r.pending = e->type == GS_EV_IO_START ? GS_SLICE_IO : GS_SLICE_USER_LOCK;
            else
                open_at(&r, e->type == GS_EV_IO_START ? GS_SLICE_IO : GS_SLICE_USER_LOCK, e->t_ns);
            break;
        case GS_EV_IO_END:
            close_at(&r, e->t_ns);
            r.pending = -1;
            break;
        case GS_EV_NATIVE_START:
            r.resume = r.cur == GS_SLICE_RUNNING;
            open_at(&r, GS_SLICE_NATIVE, e->t_ns);
            break;
        case GS_EV_NATIVE_END:
            if (r.resume)
                open_at(&r, GS_SLICE_RUNNING, e->t_ns);
            else
                close_at(&r, e->t_ns);
            r.resume = false;
            break;
        case GS_EV_DROP_REQUEST:
            mark(&r, GS_MARK_DROP_REQUEST, e->t_ns);
            break;
        case GS_EV_FUTILE_WAKE:
            mark(&r, GS_MARK_FUTILE_WAKE, e->t_ns);
            break;
        case GS_EV_CORE_WAIT: /* whatever it was doing goes on once it has a core */
            r.before_core = r.cur;
            open_at(&r, GS_SLICE_CORE_WAIT, e->t_ns);
            break;
        case GS_EV_CORE_GOT:
            if (r.before_core >= 0)
                open_at(&r, (gs_slice_kind)r.before_core, e->t_ns);
            else
                close_at(&r, e->t_ns);
            r.before_core = -1;
            break;
        case GS_EV_DONE:
            close_at(&r, e->t_ns);
            mark(&r, GS_MARK_DONE, e->t_ns);
            break;
        default:
            break;
        }
    }
    close_at(&r, last);
}

static const char *const named[GS_SLICE_KINDS] = {
#define GS_SLICE_NAMED(e, glyph, colour, category, named, named_async) named,
    GS_SLICE_TABLE(GS_SLICE_NAMED)
#undef GS_SLICE_NAMED
};
static const char *const named_async[GS_SLICE_KINDS] = {
#define GS_SLICE_NAMED_ASYNC(e, glyph, colour, category, named, named_async) named_async,
    GS_SLICE_TABLE(GS_SLICE_NAMED_ASYNC)
#undef GS_SLICE_NAMED_ASYNC
};
const char gs_slice_glyph[GS_SLICE_KINDS] = {
#define GS_SLICE_GLYPH(e, glyph, colour, category, named, named_async) glyph,
    GS_SLICE_TABLE(GS_SLICE_GLYPH)
#undef GS_SLICE_GLYPH
};
const char *const gs_slice_colour[GS_SLICE_KINDS] = {
#define GS_SLICE_COLOUR(e, glyph, colour, category, named, named_async) colour,
    GS_SLICE_TABLE(GS_SLICE_COLOUR)
#undef GS_SLICE_COLOUR
};
const char *const gs_slice_category[GS_SLICE_KINDS] = {
#define GS_SLICE_CATEGORY(e, glyph, colour, category, named, named_async) category,
    GS_SLICE_TABLE(GS_SLICE_CATEGORY)
#undef GS_SLICE_CATEGORY
};

const char *gs_slice_name(gs_slice_kind kind, gs_mode mode)
{
    if (kind < GS_SLICE_KINDS)
        return mode == GS_MODE_ASYNC ? named_async[kind] : named[kind];
    switch (kind) {
    case GS_MARK_DROP_REQUEST: return "asked the holder to drop the lock";
    case GS_MARK_FORCED_DROP:  return "dropped the lock on request";
    case GS_MARK_FUTILE_WAKE:  return "woke up to find the lock taken again";
    case GS_MARK_DONE:         return "finished";
    default:                   return "?";
    }
}

bool gs_slice_kind_shown(const gs_run_result *r, gs_slice_kind kind)
{
    const gs_program *p = &r->cfg.workload->prog;
    switch (kind) {
    case GS_SLICE_NATIVE:    return gs_program_has_op(p, GS_OP_NATIVE);
    case GS_SLICE_USER_LOCK: return p->nulocks > 0;
    case GS_SLICE_IO:
        if (gs_program_io_kinds(p) != 0)
            return true;
        for (uint32_t i = 0; i < r->nworkers; i++) /* a run made of events (a test's) */
            for (uint32_t k = 0; k < r->workers[i].rec.n; k++)
                if (gs_rec_event(&r->workers[i].rec, k)->type == GS_EV_IO_START)
                    return true;
        return false;
    case GS_SLICE_CORE_WAIT: return true; /* measured, or said to be unmeasured */
    default:                 return true;
    }
}

bool gs_run_times_core_waits(const gs_run_result *r)
{
    return r->cfg.sim != NULL;
}
