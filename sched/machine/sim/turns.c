/* turns.c - whose turn it is among the threads holding a core (sim.c,
 * "Order" and "Computing"), in O(log cores) a question.
 *
 * Three questions are asked at every operation and every budget, and a
 * walk over the on-core threads answered each: with a thousand modelled
 * cores that walk was most of a simulation's time.  Each now has an
 * indexed 4-ary heap of the on-core threads it concerns:
 *
 *   TURNS      every thread on a core, by sim.c's order (clock, operations
 *              before computing, id): its top is the thread whose turn it
 *              is, and a thread's turn has come when it is the top;
 *   OPERATING  those not computing, by clock: the earliest is where a
 *              computing thread's budget must end, since its operation may
 *              write that thread's eval breaker;
 *   SHARING    those computing on memory they share with no lock between
 *              them (shares_memory), by clock: such threads run in turns a
 *              few nanoseconds apart;
 *   DEADLINES  those a timer's wake-up may preempt (all but the threads
 *              that compute alone, whose clocks run ahead), latest
 *              deadline first (wake.c, sim_timer_preempts).
 *
 * Each thread knows its place in each heap (at[], 0 when absent), so that
 * leaving a core, or moving after its clock changed, costs O(log cores).
 * Only the running thread changes its own clock, so its places are put
 * right (sim_turns_update) before anything reads the heaps: when it waits
 * for its turn, the one way it gives the scheduler a chance while on a
 * core.  A heap's entry holds the order's key as it was when the thread
 * was placed, so a clock that moved since cannot unsettle a sift, and an
 * update that finds the key unchanged moves nothing.  Each order is total
 * (the id breaks ties), so the heap's shape never decides a turn.
 *
 * Four children a node, not two: half the depth, so half the moves, each
 * of which writes the moved thread's place into it, and the four keys
 * compared at a level lie side by side.  With the copied keys and the
 * unchanged-key skip it took 16,384 simulated threads on 1,024 modelled
 * cores from 212 to 201 ms of CPU, 4,096 from 57.0 to 55.8 (medians of
 * paired runs, 2026-12-06); copying the keys alone measured nothing. */
#include "sim_core.h"

/* Th's entry in heap k: its order as two numbers compared in turn. */
static sim_heap_entry entry(int k, sim_thread *th)
{
    if (k == SIM_DEADLINES) /* the latest deadline first, then the lowest id */
        return (sim_heap_entry){.key = FOREVER - th->slice_end, .tie = th->id, .th = th};
    /* the earliest clock first; then, for TURNS, operations before
     * computing (the other heaps hold only one kind); then the lowest id */
    return (sim_heap_entry){.key = th->t, .tie = (uint64_t)th->computing << 32 | th->id, .th = th};
}

/* Whether a comes before b. */
static bool less(const sim_heap_entry *a, const sim_heap_entry *b)
{
    return a->key != b->key ? a->key < b->key : a->tie < b->tie;
}

/* Whether th belongs in heap k (it holds a core). */
static bool belongs(int k, const sim_thread *th)
{
    switch (k) {
    case SIM_TURNS:
        return true;
    case SIM_OPERATING:
        return !th->computing;
    case SIM_SHARING:
        return th->computing && th->shares_memory;
    default:
        return !th->alone;
    }
}

enum { ARITY = 4 }; /* children a node (see the header) */

static void place(sim_heap *h, int k, uint32_t i, sim_heap_entry e)
{
    h->a[i] = e;
    e.th->at[k] = i + 1;
}

static void sift_up(sim_heap *h, int k, uint32_t i)
{
    sim_heap_entry e = h->a[i];
    while (i > 0 && less(&e, &h->a[(i - 1) / ARITY])) {
        place(h, k, i, h->a[(i - 1) / ARITY]);
        i = (i - 1) / ARITY;
    }
    place(h, k, i, e);
}

static void sift_down(sim_heap *h, int k, uint32_t i)
{
    sim_heap_entry e = h->a[i];
    for (;;) {
        uint32_t first = ARITY * i + 1, m = first;
        if (first >= h->n)
            break;
        uint32_t end = first + ARITY < h->n ? first + ARITY : h->n;
        for (uint32_t c = first + 1; c < end; c++)
            if (less(&h->a[c], &h->a[m]))
                m = c;
        if (!less(&h->a[m], &e))
            break;
        place(h, k, i, h->a[m]);
        i = m;
    }
    place(h, k, i, e);
}

static void heap_remove(sim_heap *h, int k, sim_thread *th)
{
    uint32_t i = th->at[k] - 1;
    th->at[k] = 0;
    sim_heap_entry last = h->a[--h->n];
    if (i == h->n)
        return;
    place(h, k, i, last);
    sift_up(h, k, i);
    sift_down(h, k, last.th->at[k] - 1);
}

void sim_turns_update(sim *s, sim_thread *th)
{
    for (int k = 0; k < SIM_HEAPS; k++) {
        sim_heap *h = &s->turns[k];
        bool in = th->at[k] != 0;
        if (!belongs(k, th)) {
            if (in)
                heap_remove(h, k, th);
        } else if (in) {
            uint32_t i = th->at[k] - 1;
            sim_heap_entry e = entry(k, th);
            if (e.key == h->a[i].key && e.tie == h->a[i].tie)
                continue; /* its order has not changed */
            h->a[i] = e;
            sift_up(h, k, i);
            sift_down(h, k, th->at[k] - 1);
        } else {
            h->a[h->n] = entry(k, th);
            sift_up(h, k, h->n++);
        }
    }
}

void sim_turns_remove(sim *s, sim_thread *th)
{
    for (int k = 0; k < SIM_HEAPS; k++)
        if (th->at[k])
            heap_remove(&s->turns[k], k, th);
}

sim_thread *sim_turns_first(const sim *s)
{
    return s->turns[SIM_TURNS].n ? s->turns[SIM_TURNS].a[0].th : NULL;
}

sim_thread *sim_turns_latest_deadline(const sim *s)
{
    return s->turns[SIM_DEADLINES].n ? s->turns[SIM_DEADLINES].a[0].th : NULL;
}

/* The first of heap k but th, or NULL. */
static const sim_thread *first_but(const sim *s, int k, const sim_thread *th)
{
    const sim_heap *h = &s->turns[k];
    if (h->n == 0)
        return NULL;
    if (h->a[0].th != th)
        return h->a[0].th;
    const sim_heap_entry *second = NULL; /* the best of the top's children */
    for (uint32_t c = 1; c <= ARITY && c < h->n; c++)
        if (!second || less(&h->a[c], second))
            second = &h->a[c];
    return second ? second->th : NULL;
}

uint64_t sim_turns_horizon(const sim *s, const sim_thread *th, uint64_t horizon, uint64_t shared_turn_ns)
{
    const sim_thread *o = first_but(s, SIM_OPERATING, th);
    if (o && o->t < horizon)
        horizon = o->t;
    if (th->shares_memory && (o = first_but(s, SIM_SHARING, th)) && o->t + shared_turn_ns < horizon)
        horizon = o->t + shared_turn_ns;
    return horizon;
}
