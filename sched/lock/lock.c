/* lock.c - what all lock policies share: the table's views, timing,
 * events and counters around each policy's take and drop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"

const char *const gs_gil_policy_names[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_NAME(e, name, ctor, scope, traits, what) [GS_GIL_##e] = name,
    GS_POLICIES(GS_POLICY_NAME)
#undef GS_POLICY_NAME
};

const char *const gs_gil_policy_about[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_ABOUT(e, name, ctor, scope, traits, what) [GS_GIL_##e] = what,
    GS_POLICIES(GS_POLICY_ABOUT)
#undef GS_POLICY_ABOUT
};

const unsigned gs_gil_policy_traits[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_TRAITS(e, name, ctor, scope, traits, what) [GS_GIL_##e] = traits,
    GS_POLICIES(GS_POLICY_TRAITS)
#undef GS_POLICY_TRAITS
};

const gs_lock_scope gs_gil_policy_scope[GS_GIL_POLICY_COUNT] = {
#define GS_POLICY_SCOPE(e, name, ctor, scope, traits, what) [GS_GIL_##e] = GS_SCOPE_##scope,
    GS_POLICIES(GS_POLICY_SCOPE)
#undef GS_POLICY_SCOPE
};

const char *const gs_ft_build_names[GS_FT_BUILD_COUNT] = {
#define GS_FT_NAME(e, name, factor) [GS_##e] = name,
    GS_FT_BUILDS(GS_FT_NAME)
#undef GS_FT_NAME
};
const double gs_ft_build_factor[GS_FT_BUILD_COUNT] = {
#define GS_FT_FACTOR(e, name, factor) [GS_##e] = factor,
    GS_FT_BUILDS(GS_FT_FACTOR)
#undef GS_FT_FACTOR
};

static gs_gil *(*const constructors[GS_GIL_POLICY_COUNT])(const gs_gil_config *, gs_os *) = {
#define GS_POLICY_CTOR(e, name, ctor, scope, traits, what) [GS_GIL_##e] = gs_gil_##ctor##_new,
    GS_POLICIES(GS_POLICY_CTOR)
#undef GS_POLICY_CTOR
};

void gs_gil_base_init(gs_gil *g, gs_os *os, const gs_gil_ops *ops, const gs_gil_config *cfg)
{
    g->ops = ops;
    g->os = os;
    g->policy = cfg->policy;
    g->interval_ns = cfg->interval_ns;
    g->check_interval = gs_gil_has(cfg->policy, GS_TRAIT_TICKS) ? cfg->check_interval : 0;
    atomic_init(&g->queued, 0);
    atomic_init(&g->last_release_ns, 0);
    atomic_init(&g->last_holder_id, GS_NOBODY);
    atomic_init(&g->last_drop_forced, false);
    atomic_init(&g->stopping, false);
}

gs_gil *gs_gil_new(const gs_gil_config *cfg, gs_os *os)
{
    return constructors[cfg->policy < GS_GIL_POLICY_COUNT ? cfg->policy : GS_GIL_CPYTHON](cfg, os);
}

/* Takes the lock for c, who wants it since *since (a reading of the
 * clock; NULL: now).  A take that did not wait, with nobody else holding
 * the lock since c did, got it then too: the tick's re-take reads the
 * clock once for its release and its take (gs_gil_tick).  Returns false,
 * without the lock, when the run is stopping: a want left without a got
 * ends at the worker's end (its timeline shows it waiting until then),
 * and the wait counts in the total, not as an acquisition's. */
static bool take_since(gs_gil *g, gs_gil_client *c, const uint64_t *since)
{
    if (gs_gil_stopping(g))
        return false;
    uint32_t ahead = atomic_load_explicit(&g->queued, memory_order_relaxed);
    uint64_t want = since ? *since : gs_os_now(g->os);
    gs_record(c->rec, GS_EV_WANT, want, 0);
    uint64_t requests = c->stats->drop_requests; /* the policy counts c's requests as it waits */
    gs_take took = g->ops->take(g, c);
    if (took == GS_TAKE_STOPPED) { /* it waited until the stop: waiting time, though no acquisition */
        c->stats->wait_ns += gs_os_now(g->os) - want;
        return false;
    }
    bool waited = took == GS_TOOK_AFTER_WAIT;
    uint32_t prev = atomic_exchange_explicit(&g->last_holder_id, c->id, memory_order_relaxed);
    uint64_t got = since && !waited && prev == c->id ? want : gs_os_now(g->os);
    gs_record(c->rec, GS_EV_GOT, got, 0);

    gs_lock_stats *s = c->stats;
    s->acquisitions++;
    s->queue_sum += ahead;
    if (ahead > s->queue_max)
        s->queue_max = ahead;
    s->wait_ns += got - want;
    gs_worker_hist_add(&s->wait, got - want);
    if (prev != c->id && prev != GS_NOBODY) {
        s->switches_in++;
        /* Who a forced drop served: the waiter that asked for it, or one
         * that came in ahead of it (docs/design.md, "Who takes the lock
         * after a forced drop"). */
        if (atomic_load_explicit(&g->last_drop_forced, memory_order_relaxed)) {
            bool asked = s->drop_requests > requests;
            s->forced_to_asker += asked;
            s->forced_to_other += !asked;
        }
    }
    if (waited) {
        s->contended++;
        uint64_t released = atomic_load_explicit(&g->last_release_ns, memory_order_relaxed);
        if (prev != c->id && released && released <= got)
            gs_worker_hist_add(&s->handoff, got - released);
    }
    c->got_ns = got;
    return true;
}

bool gs_gil_take(gs_gil *g, gs_gil_client *c)
{
    return take_since(g, c, NULL);
}

void gs_gil_stop(gs_gil *g)
{
    if (atomic_exchange(&g->stopping, true) || !g->ops->stop)
        return;
    g->ops->stop(g);
}

/* Drops the lock for c at `now`, a reading of the clock. */
static void drop_at(gs_gil *g, gs_gil_client *c, gs_drop_reason why, uint64_t now)
{
    gs_lock_stats *s = c->stats;
    s->hold_ns += now - c->got_ns;
    gs_worker_hist_add(&s->hold, now - c->got_ns);
    static const gs_event_type event[] = {[GS_DROP_VOLUNTARY] = GS_EV_DROP_VOLUNTARY,
                                          [GS_DROP_FORCED] = GS_EV_DROP_FORCED, [GS_DROP_TICK] = GS_EV_DROP_TICK};
    s->forced_drops += why == GS_DROP_FORCED;
    s->voluntary_drops += why == GS_DROP_VOLUNTARY;
    s->tick_drops += why == GS_DROP_TICK;
    gs_record(c->rec, event[why], now, 0);
    atomic_store_explicit(&g->last_release_ns, now, memory_order_relaxed);
    atomic_store_explicit(&g->last_drop_forced, why == GS_DROP_FORCED, memory_order_relaxed);
    g->ops->drop(g, c, why);
}

void gs_gil_drop(gs_gil *g, gs_gil_client *c, gs_drop_reason why)
{
    drop_at(g, c, why, gs_os_now(g->os));
}

/* A tick reads the clock once: its release and its re-take happen at one
 * instant unless the re-take waits.  Python 2's ticks cost a lone thread
 * 2% (gil.h); at Python 2's pace (--check-interval 800) on the development
 * VM, three readings a tick cost a lone thread 30% and one costs it 18%
 * (paired runs, 2026-12-05; at 5000 both were within noise; at the
 * default 2000 a tick's bookkeeping costs a lone thread 5% to 8%). */
bool gs_gil_tick(gs_gil *g, gs_gil_client *c)
{
    uint64_t now = gs_os_now(g->os);
    drop_at(g, c, GS_DROP_TICK, now);
    return take_since(g, c, &now);
}

void gs_lock_stats_free(gs_lock_stats *s)
{
    gs_worker_hist_free(&s->wait);
    gs_worker_hist_free(&s->hold);
    gs_worker_hist_free(&s->handoff);
}

void gs_lock_totals_init(gs_lock_totals *t)
{
    memset(t, 0, sizeof *t);
}

void gs_lock_totals_add(gs_lock_totals *into, const gs_lock_stats *from)
{
#define COMBINE_sum(name) into->name += from->name;
#define COMBINE_max(name) into->name = from->name > into->name ? from->name : into->name;
#define COMBINE(name, combine) COMBINE_##combine(name)
    GS_LOCK_COUNTS(COMBINE)
#undef COMBINE
#undef COMBINE_max
#undef COMBINE_sum
    gs_hist_merge_worker(&into->wait, &from->wait);
    gs_hist_merge_worker(&into->hold, &from->hold);
    gs_hist_merge_worker(&into->handoff, &from->handoff);
}
