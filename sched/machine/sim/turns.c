/* turns.c - whose turn it is among the threads holding a core (sim.c,
 * "Order" and "Computing"), in O(log cores) a question.
 *
 * Three questions are asked at every operation and every budget, and a
 * walk over the on-core threads answered each: with a thousand modelled
 * cores that walk was most of a simulation's time.  Each now has an
 * indexed binary heap of the on-core threads it concerns:
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
 * core. */
#include "sim_core.h"

/* Whether a comes before b in heap k. */
static bool less(int k, const sim_thread *a, const sim_thread *b)
{
    if (k == SIM_DEADLINES)
        return a->slice_end != b->slice_end ? a->slice_end > b->slice_end : a->id < b->id;
    if (a->t != b->t)
        return a->t < b->t;
    if (k == SIM_TURNS && a->computing != b->computing)
        return !a->computing;
    return a->id < b->id;
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

static void place(sim_heap *h, int k, uint32_t i, sim_thread *th)
{
    h->a[i] = th;
    th->at[k] = i + 1;
}

static void sift_up(sim_heap *h, int k, uint32_t i)
{
    sim_thread *th = h->a[i];
    while (i > 0 && less(k, th, h->a[(i - 1) / 2])) {
        place(h, k, i, h->a[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    place(h, k, i, th);
}

static void sift_down(sim_heap *h, int k, uint32_t i)
{
    sim_thread *th = h->a[i];
    for (;;) {
        uint32_t l = 2 * i + 1, m = l;
        if (l >= h->n)
            break;
        if (l + 1 < h->n && less(k, h->a[l + 1], h->a[l]))
            m = l + 1;
        if (!less(k, h->a[m], th))
            break;
        place(h, k, i, h->a[m]);
        i = m;
    }
    place(h, k, i, th);
}

static void heap_remove(sim_heap *h, int k, sim_thread *th)
{
    uint32_t i = th->at[k] - 1;
    th->at[k] = 0;
    sim_thread *last = h->a[--h->n];
    if (i == h->n)
        return;
    place(h, k, i, last);
    sift_up(h, k, i);
    sift_down(h, k, last->at[k] - 1);
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
            sift_up(h, k, th->at[k] - 1);
            sift_down(h, k, th->at[k] - 1);
        } else {
            h->a[h->n] = th;
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
    return s->turns[SIM_TURNS].n ? s->turns[SIM_TURNS].a[0] : NULL;
}

sim_thread *sim_turns_latest_deadline(const sim *s)
{
    return s->turns[SIM_DEADLINES].n ? s->turns[SIM_DEADLINES].a[0] : NULL;
}

/* The first of heap k but th, or NULL. */
static const sim_thread *first_but(const sim *s, int k, const sim_thread *th)
{
    const sim_heap *h = &s->turns[k];
    if (h->n == 0)
        return NULL;
    if (h->a[0] != th)
        return h->a[0];
    if (h->n == 1)
        return NULL;
    if (h->n == 2 || less(k, h->a[1], h->a[2]))
        return h->a[1];
    return h->a[2];
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
