/* gil.c - what all lock policies share: timing, events and counters around
 * each policy's take and drop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "gil.h"

_Noreturn void gs_fatal_pthread(const char *call, int err)
{
    fprintf(stderr, "gilsim: fatal: %s failed: %s\n", call, strerror(err));
    abort();
}

void gs_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    GS_PTHREAD(pthread_condattr_init(&attr));
    GS_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    GS_PTHREAD(pthread_cond_init(cond, &attr));
    GS_PTHREAD(pthread_condattr_destroy(&attr));
}

void gs_gil_take(gs_gil *g, gs_gil_client *c)
{
    uint64_t want = gs_now_ns();
    gs_record(c->rec, GS_EV_WANT, want, 0);
    bool waited = g->ops->take(g, c);
    uint64_t got = gs_now_ns();
    gs_record(c->rec, GS_EV_GOT, got, 0);

    gs_lock_stats *s = c->stats;
    s->acquisitions++;
    s->wait_ns += got - want;
    gs_hist_add(&s->wait, got - want);
    uint32_t prev = atomic_exchange_explicit(&g->last_holder_id, c->id, memory_order_relaxed);
    if (prev != c->id && prev != GS_NOBODY)
        s->switches_in++;
    if (waited) {
        s->contended++;
        uint64_t released = atomic_load_explicit(&g->last_release_ns, memory_order_relaxed);
        if (prev != c->id && released && released <= got)
            gs_hist_add(&s->handoff, got - released);
    }
    c->got_ns = got;
}

void gs_gil_drop(gs_gil *g, gs_gil_client *c, gs_drop_reason why)
{
    uint64_t now = gs_now_ns();
    gs_lock_stats *s = c->stats;
    s->hold_ns += now - c->got_ns;
    gs_hist_add(&s->hold, now - c->got_ns);
    if (why == GS_DROP_FORCED)
        s->forced_drops++;
    else
        s->voluntary_drops++;
    gs_record(c->rec, why == GS_DROP_FORCED ? GS_EV_DROP_FORCED : GS_EV_DROP_VOLUNTARY, now, 0);
    atomic_store_explicit(&g->last_release_ns, now, memory_order_relaxed);
    g->ops->drop(g, c, why);
}

void gs_lock_stats_init(gs_lock_stats *s)
{
    memset(s, 0, sizeof *s);
    gs_hist_init(&s->wait);
    gs_hist_init(&s->hold);
    gs_hist_init(&s->handoff);
}

void gs_lock_stats_merge(gs_lock_stats *into, const gs_lock_stats *from)
{
    into->acquisitions += from->acquisitions;
    into->contended += from->contended;
    into->switches_in += from->switches_in;
    into->drop_requests += from->drop_requests;
    into->forced_drops += from->forced_drops;
    into->voluntary_drops += from->voluntary_drops;
    into->wait_ns += from->wait_ns;
    into->hold_ns += from->hold_ns;
    gs_hist_merge(&into->wait, &from->wait);
    gs_hist_merge(&into->hold, &from->hold);
    gs_hist_merge(&into->handoff, &from->handoff);
}

const char *const gs_event_names[GS_EV_COUNT] = {
#define GS_EV_NAME(e, text) [GS_EV_##e] = text,
    GS_EVENTS(GS_EV_NAME)
#undef GS_EV_NAME
};
