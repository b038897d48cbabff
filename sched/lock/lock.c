/* gil.c - what all lock policies share: timing, events and counters around
 * each policy's take and drop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

const char *const gs_gil_policy_names[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_NAME(e, name, what) [GS_GIL_##e] = name,
    GS_POLICIES(GS_POLICY_NAME)
#undef GS_POLICY_NAME
};

const char *const gs_gil_policy_about[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_ABOUT(e, name, what) [GS_GIL_##e] = what,
    GS_POLICIES(GS_POLICY_ABOUT)
#undef GS_POLICY_ABOUT
};

void gs_gil_base_init(gs_gil *g, gs_os *os, const gs_gil_ops *ops, const gs_gil_config *cfg)
{
    g->ops = ops;
    g->os = os;
    g->policy = cfg->policy;
    g->interval_ns = cfg->interval_ns;
    g->check_interval = cfg->policy == GS_GIL_LEGACY ? cfg->check_interval : 0;
    atomic_init(&g->queued, 0);
    atomic_init(&g->last_release_ns, 0);
    atomic_init(&g->last_holder_id, GS_NOBODY);
}

gs_gil *gs_gil_new(const gs_gil_config *cfg, gs_os *os)
{
    switch (cfg->policy) {
    case GS_GIL_LEGACY: return gs_gil_legacy_new(cfg, os);
    case GS_GIL_FIFO:   return gs_gil_fifo_new(cfg, os);
    case GS_GIL_NONE:   return gs_gil_none_new(cfg, os);
    default:            return gs_gil_cpython_new(cfg, os);
    }
}

void gs_gil_take(gs_gil *g, gs_gil_client *c)
{
    uint32_t ahead = atomic_load_explicit(&g->queued, memory_order_relaxed);
    uint64_t want = gs_os_now(g->os);
    gs_record(c->rec, GS_EV_WANT, want, 0);
    bool waited = g->ops->take(g, c);
    uint64_t got = gs_os_now(g->os);
    gs_record(c->rec, GS_EV_GOT, got, 0);

    gs_lock_stats *s = c->stats;
    s->acquisitions++;
    s->queue_sum += ahead;
    if (ahead > s->queue_max)
        s->queue_max = ahead;
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
    uint64_t now = gs_os_now(g->os);
    gs_lock_stats *s = c->stats;
    s->hold_ns += now - c->got_ns;
    gs_hist_add(&s->hold, now - c->got_ns);
    static const gs_event_type event[] = {[GS_DROP_VOLUNTARY] = GS_EV_DROP_VOLUNTARY,
                                          [GS_DROP_FORCED] = GS_EV_DROP_FORCED, [GS_DROP_TICK] = GS_EV_DROP_TICK};
    s->forced_drops += why == GS_DROP_FORCED;
    s->voluntary_drops += why == GS_DROP_VOLUNTARY;
    s->tick_drops += why == GS_DROP_TICK;
    gs_record(c->rec, event[why], now, 0);
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
    into->tick_drops += from->tick_drops;
    into->futile_wakeups += from->futile_wakeups;
    into->queue_sum += from->queue_sum;
    if (from->queue_max > into->queue_max)
        into->queue_max = from->queue_max;
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
