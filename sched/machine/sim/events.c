/* events.c - what is due when: the simulated machine's events (a thread's
 * wake-up, a timer, a timeout), in a binary heap on (time, seq), so that
 * two events at one instant come in the order they were made and a run
 * is the same every time (docs/design.md, "Virtual time"). */
#include <stdlib.h>

#include "sim_core.h"

static bool earlier(const sim_event *a, const sim_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

/* A latency, as calibrate measures it and as every wake-up of the model
 * counts it, ends when the woken thread runs its own code again; its way
 * back out of the kernel (wake_cpu_ns, or timer_cpu_ns where its timer
 * woke it; or the whole latency if that is shorter) is the end of it,
 * spent on the core it was woken onto.  So the event, th runnable,
 * comes that much before the latency ends, and th pays the way back once
 * it has a core (sim_block): with a core free it is back exactly when the
 * latency says; with every core busy, the way back waits for one, as the
 * kernel's return does. */
void sim_schedule(sim *s, uint64_t from, uint64_t latency, sim_thread *th, sim_wake_by by)
{
    uint64_t back = sim_cost(s, by == SIM_BY_CALL ? s->m.wake_cpu_ns : s->m.timer_cpu_ns);
    back = back < latency ? back : latency;
    if (s->nheap == s->capheap) {
        s->capheap = s->capheap ? 2 * s->capheap : 64;
        s->heap = sim_must(realloc(s->heap, s->capheap * sizeof *s->heap));
    }
    uint32_t i = s->nheap++;
    s->heap[i] = (sim_event){from + latency - back, s->seq++, th, th->wait, (uint32_t)back, (uint8_t)by};
    while (i > 0 && earlier(&s->heap[i], &s->heap[(i - 1) / 2])) {
        sim_event tmp = s->heap[i];
        s->heap[i] = s->heap[(i - 1) / 2];
        s->heap[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

sim_event sim_pop_event(sim *s)
{
    sim_event top = s->heap[0];
    s->heap[0] = s->heap[--s->nheap];
    for (uint32_t i = 0;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->nheap && earlier(&s->heap[l], &s->heap[m]))
            m = l;
        if (r < s->nheap && earlier(&s->heap[r], &s->heap[m]))
            m = r;
        if (m == i)
            break;
        sim_event tmp = s->heap[i];
        s->heap[i] = s->heap[m];
        s->heap[m] = tmp;
        i = m;
    }
    return top;
}
