/* fiber.h - cooperative fibers on one OS thread: the threads of the
 * simulated machine (docs/design.md, "Virtual time").
 *
 * A fiber runs fn(arg) on a stack of its own.  Nothing preempts it: it
 * runs until it switches to another fiber, and the simulator decides
 * which, so every interleaving is the simulator's choice and can be
 * replayed from a seed.  When fn returns, the fiber is done and control
 * goes to the fiber named at creation (the scheduler's).
 *
 * Threading: fibers that switch to each other all belong to one OS
 * thread; a fiber never moves to another. */
#ifndef GS_FIBER_H
#define GS_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gs_fiber gs_fiber;
typedef void (*gs_fiber_fn)(void *arg);

/* The calling OS thread itself, as a fiber to switch from and back to.
 * Returns NULL when out of memory. */
gs_fiber *gs_fiber_main(void);

/* A fiber that will run fn(arg) on a stack of stack_size bytes once
 * switched to, then switch to back for good (it is then done).  Returns
 * NULL when out of memory. */
gs_fiber *gs_fiber_new(size_t stack_size, gs_fiber_fn fn, void *arg, gs_fiber *back);

/* Suspends from (the running fiber) and runs to from where it last
 * suspended, or from its start. */
void gs_fiber_switch(gs_fiber *from, gs_fiber *to);

/* Asks the caches for what switching to f will touch first: its saved
 * registers and the top of its stack. */
void gs_fiber_prefetch(const gs_fiber *f);

/* Whether f's function has returned, or f has left it. */
bool gs_fiber_done(const gs_fiber *f);

/* The running fiber self leaves its function where it stands, as if it
 * had returned: its frames are forgotten, not unwound (nothing they hold
 * is released), and control goes to its back.  Never returns. */
_Noreturn void gs_fiber_leave(gs_fiber *self);

/* The lowest address f's stack may reach.  Its lowest page is a
 * tripwire: a fiber whose stack touched it stops the program when it is
 * freed (fiber.c). */
const void *gs_fiber_stack_end(const gs_fiber *f);

/* Frees a fiber and its stack.  One that has not finished is abandoned
 * where it stands, not unwound: nothing it holds is released. */
void gs_fiber_free(gs_fiber *f);

/* Fibers of one stack size and room, taken one by one, given back when
 * done, and freed together: the simulator's threads' stacks, each taken
 * as its thread first runs and given back as it ends, so that a thread
 * that starts after another ended runs on a stack still in the caches.
 * A block of its own for each, freed one by one, cost the end of a run of
 * 16,384 simulated threads a few cache misses a thread in the allocator
 * (fiber.c). */
typedef struct gs_fiber_pool gs_fiber_pool;

/* Returns NULL when out of memory. */
gs_fiber_pool *gs_fiber_pool_new(size_t stack_size, size_t room);

/* A fiber as gs_fiber_new makes, from p, with p's room bytes for the
 * caller, zeroed, in the fiber's own memory (next to what a switch to it
 * touches: fiber.c), given to fn as its argument and in *roomp: the one
 * given back last, if any.  It is freed with p, never by gs_fiber_free.
 * Returns NULL when out of memory. */
gs_fiber *gs_fiber_pool_take(gs_fiber_pool *p, gs_fiber_fn fn, gs_fiber *back, void **roomp);

/* Gives f, taken from p, back to p: from f itself just before its fn
 * returns or it leaves (gs_fiber_leave), or from elsewhere once it is
 * done.  Taken again, it goes on in its trampoline with the new function:
 * a stack is started once. */
void gs_fiber_pool_give(gs_fiber_pool *p, gs_fiber *f);

/* How many fibers p has made: those taken, less those taken again after
 * they were given back. */
uint32_t gs_fiber_pool_made(const gs_fiber_pool *p);

/* Frees p and every fiber taken from it, as gs_fiber_free would. */
void gs_fiber_pool_free(gs_fiber_pool *p);

#endif
