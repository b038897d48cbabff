/* fiber.c - cooperative fibers (see fiber.h).
 *
 * DESIGN
 * A fiber is started once with makecontext/setcontext, which can put a
 * function on a stack of our own, and switched with _setjmp/_longjmp from
 * then on.  swapcontext alone would do both, but it saves and restores the
 * signal mask with a system call on every switch: 0.9 million switches a
 * second on the 2-core development VM, against about 70 million with
 * _setjmp/_longjmp, which touch no signal mask.  A simulation switches
 * fibers at every lock operation, so the switch is its inner loop.
 *
 * The sanitizers must be told: AddressSanitizer of the stack each switch
 * goes to (__sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber),
 * so that it does not take the new stack for an overflow of the old, and
 * ThreadSanitizer of the fiber each switch goes to (__tsan_switch_to_fiber,
 * before the jump), so that it keeps one shadow stack per fiber and finds
 * each _setjmp's buffer on the fiber that made it. */
#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../machine.h"
#include "fiber.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GS_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define GS_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define GS_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define GS_TSAN 1
#endif

#ifdef GS_ASAN
void __sanitizer_start_switch_fiber(void **fake_stack_save, const void *bottom, size_t size);
void __sanitizer_finish_switch_fiber(void *fake_stack_save, const void **bottom_old, size_t *size_old);
#endif
#ifdef GS_TSAN
void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
#endif

struct gs_fiber {
    jmp_buf resume;         /* where it continues, once started */
    jmp_buf top;            /* its trampoline's loop, where gs_fiber_leave goes */
    const char *frame;      /* gs_fiber_switch's frame when it last switched away */
    bool started, done, is_main;
    gs_fiber_fn fn;
    void *arg;
    gs_fiber *back;         /* where control goes when fn returns */
    void *stack;            /* NULL for the main fiber */
    size_t stack_size;
    const void *asan_bottom; /* the stack, as AddressSanitizer knows it */
    size_t asan_size;
    void *asan_fake_stack;
    void *tsan_fiber;
    gs_fiber *next_free;    /* given back to its pool: the one given before it */
};

/* The fiber being started, and the one starting it: makecontext passes
 * only ints, and a pointer does not fit one everywhere.  One per OS
 * thread, read at once. */
static _Thread_local gs_fiber *starting, *starter;

/* Its first start, fn on its own stack: made as it first runs, in one
 * context per OS thread rather than one per fiber, since setcontext is
 * done with it once it returns into the fiber.  A ucontext_t is 968 bytes,
 * most of a fiber's own memory, and virtual time keeps 100,000 fibers. */
static _Thread_local ucontext_t start;

/* Tells the sanitizers that control goes from `from` to `to`.  No fiber
 * dies: one that is done waits in its trampoline's loop to be taken again
 * or freed. */
static void before_switch(gs_fiber *from, gs_fiber *to)
{
#ifdef GS_ASAN
    __sanitizer_start_switch_fiber(&from->asan_fake_stack, to->asan_bottom, to->asan_size);
#else
    (void)from;
#endif
#ifdef GS_TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#else
    (void)to;
#endif
}

/* In the fiber now running, that came from another. */
static void after_switch(gs_fiber *self)
{
#ifdef GS_ASAN
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(self->asan_fake_stack, &bottom, &size);
    (void)bottom, (void)size;
#else
    (void)self;
#endif
}

static void trampoline(void);

/* Starts `to` on its own stack, the sanitizers told.  Its first entry may
 * come from the end of a fiber it started, not only from a switch: a
 * simulated thread that finishes before the scheduler, its back, has run
 * (sim.c passes turns from thread to thread).  A fiber already started is
 * entered by a _longjmp in the function that told the sanitizers, never in
 * one it calls: ThreadSanitizer would count that call on the fiber
 * entered, and never see it return. */
static _Noreturn void start_fiber(gs_fiber *to)
{
    to->started = true;
    starting = to;
    if (getcontext(&start) != 0)
        gs_fatal("cannot start a simulated thread (getcontext)", errno);
    start.uc_stack.ss_sp = to->stack;
    start.uc_stack.ss_size = to->stack_size;
    start.uc_link = NULL;
    makecontext(&start, trampoline, 0);
    setcontext(&start);
    gs_fatal("cannot start a simulated thread (setcontext)", errno);
}

static void trampoline(void)
{
    gs_fiber *self = starting;
#ifdef GS_ASAN
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(NULL, &bottom, &size);
    if (starter->is_main && !starter->asan_bottom) { /* learn the main stack as we leave it */
        starter->asan_bottom = bottom;
        starter->asan_size = size;
    }
#endif
    /* Each turn of the loop is one fiber's life on this stack: a pooled
     * fiber given back and taken again resumes here with its new function
     * (gs_fiber_pool_take), so a stack is started once, not at each
     * thread's start: glibc's getcontext and setcontext each make a system
     * call for the signal mask (1,020 of them for 256 simulated threads of
     * one unit, four a thread once threads park at their start gate). */
    for (;;) {
        if (!_setjmp(self->top))
            self->fn(self->arg);
        self->done = true;
        gs_fiber_switch(self, self->back);
    }
}

_Noreturn void gs_fiber_leave(gs_fiber *self)
{
    _longjmp(self->top, 1);
}

gs_fiber *gs_fiber_main(void)
{
    gs_fiber *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->started = f->is_main = true;
#ifdef GS_TSAN
    f->tsan_fiber = __tsan_get_current_fiber();
#endif
    return f;
}

/* A fiber, its stack and its caller's room are one block of whole pages:
 * the stack, then the fiber's record just above the stack's top, then
 * the room, which ends the block.  A switch to a fiber reads its record,
 * the frames at its stack's top and its room (the simulator's names the
 * thread on it); with thousands of fibers each switch goes to memory long
 * out of the caches, and one page then holds all three (sim_core.h,
 * STACK, has what that saves).
 *
 * The block's lowest page is a tripwire: a stack that reached it came
 * within a page of running into the block below.  Blocks are mapped
 * fresh, so a page nobody touched is not resident, and on freeing
 * mincore says, for a whole slab of blocks in one call, whether any
 * tripwire was touched.  A mark written at each stack's bottom did the
 * same but touched a page of its own a thread; with a block of whole
 * pages, and the frames, record and room in its last one, a simulated
 * thread takes one page where it took two: 16,384 of them on 8 modelled
 * cores 7.2 -> 6.5 us of CPU a thread, 1,000 on 64 cores 8.2 -> 6.1 KiB
 * of memory a thread, 1.5 page faults a thread where there were 2.0
 * (gilsim-bench, 2026-12-07; on a kernel of 64 KiB pages a thread would
 * take one of those).  A guard page would catch the overrun as it
 * happens, but costs a system call a fiber and splits the mapping.
 * These are the simulated machine's own memory, not an operation of the
 * machine it models: only the allocation is the OS's. */
static size_t lines(size_t bytes) /* rounded up to whole cache lines */
{
    return (bytes + 63) / 64 * 64;
}

static size_t page_size(void) /* glibc's reads a variable, no system call */
{
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* Whole pages for the tripwire, a stack of at least stack_size bytes
 * and what lies above it (`top`: the record and room). */
static size_t block_size(size_t stack_size, size_t top)
{
    size_t page = page_size();
    return (page + stack_size + top + page - 1) / page * page;
}

/* Fresh pages for n blocks, none of them resident yet (the tripwires
 * rely on it), and none in a huge page, which one touch would make
 * resident all at once; NULL when out of memory. */
static char *map_blocks(size_t bytes)
{
    char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    madvise(m, bytes, MADV_NOHUGEPAGE); /* advice: a kernel without it has no huge pages to give */
    return m;
}

/* Stops the program if a stack among the n blocks at blocks reached its
 * tripwire; then unmaps them. */
static void unmap_blocks(char *blocks, size_t n, size_t block)
{
    size_t page = page_size(), per = block / page;
    unsigned char in_core[512]; /* a page each: a slab of 64 blocks of 24 KiB in one call */
    for (size_t i = 0; i < n;) {
        size_t k = n - i < sizeof in_core / per ? n - i : sizeof in_core / per;
        k = k ? k : 1; /* a block past 512 pages: its tripwire alone */
        if (mincore(blocks + i * block, (k - 1) * block + page, in_core) != 0)
            break; /* a sandbox that forbids it: the tripwires go unread, the run is kept */
        for (size_t j = 0; j < k; j++)
            if (in_core[j * per] & 1)
                gs_fatal("a simulated thread ran to the end of its C stack (sim_core.h, STACK)", 0);
        i += k;
    }
    munmap(blocks, n * block);
}

/* Makes a fiber in block, of size bytes (block_size), its record and
 * room (whole cache lines) ending shift bytes below the block's end
 * (COLOURS) and its stack below them. */
static gs_fiber *fiber_in(char *block, size_t size, size_t room, size_t shift, gs_fiber_fn fn, gs_fiber *back,
                          void **roomp)
{
    size_t record = lines(sizeof(gs_fiber)), stack_size = size - record - lines(room) - shift;
    gs_fiber *f = (gs_fiber *)(void *)(block + stack_size);
    memset(f, 0, record + room);
    f->stack = block;
    f->fn = fn;
    f->arg = (char *)f + record;
    f->back = back;
    f->stack_size = stack_size;
    f->asan_bottom = f->stack;
    f->asan_size = stack_size;
#ifdef GS_TSAN
    f->tsan_fiber = __tsan_create_fiber(0);
#endif
    if (roomp)
        *roomp = f->arg;
    return f;
}

gs_fiber *gs_fiber_new(size_t stack_size, gs_fiber_fn fn, void *arg, gs_fiber *back)
{
    size_t size = block_size(stack_size, lines(sizeof(gs_fiber)));
    char *block = map_blocks(size);
    gs_fiber *f = block ? fiber_in(block, size, 0, 0, fn, back, NULL) : NULL;
    if (f)
        f->arg = arg;
    return f;
}

const void *gs_fiber_stack_end(const gs_fiber *f)
{
    return f->stack;
}

/* With thousands of fibers, the one switched to has long left the
 * caches: its registers, and the frames it returns through (a simulated
 * thread waits about 1 KiB below its stack's top).  Asking for them while
 * the scheduler still works elsewhere took 16,384 simulated threads from
 * 14.6 to 13.5 us of CPU a thread (gilsim-bench's growth rows, 2026-12-06).
 * A prefetch never faults, so a stale frame costs nothing. */
void gs_fiber_prefetch(const gs_fiber *f)
{
    __builtin_prefetch(f);
    if (!f->frame)
        return;
    const char *top = (const char *)f->stack + f->stack_size;
    for (const char *p = f->frame - 128; p < top && p < f->frame + 1024; p += 64)
        __builtin_prefetch(p);
}

void gs_fiber_switch(gs_fiber *from, gs_fiber *to)
{
    from->frame = __builtin_frame_address(0);
    if (_setjmp(from->resume)) {
        after_switch(from);
        return;
    }
    before_switch(from, to);
    if (to->started)
        _longjmp(to->resume, 1);
    starter = from;
    start_fiber(to);
}

bool gs_fiber_done(const gs_fiber *f)
{
    return f->done;
}

/* Tells ThreadSanitizer that f is gone. */
static void forget(gs_fiber *f)
{
#ifdef GS_TSAN
    __tsan_destroy_fiber(f->tsan_fiber);
#else
    (void)f;
#endif
}

void gs_fiber_free(gs_fiber *f)
{
    if (!f)
        return;
    if (f->is_main) {
        free(f);
        return;
    }
    forget(f);
    unmap_blocks(f->stack, 1, f->stack_size + lines(sizeof(gs_fiber))); /* the record with it */
}

/* ---- a pool: fibers of one size, freed together ---- */

/* Fibers a slab holds: 1.5 MiB of simulated threads' blocks, so that
 * 100,000 threads take some 1,600 mappings (which the kernel merges
 * where they adjoin). */
enum { SLAB_FIBERS = 64 };

/* Blocks of whole pages would put every fiber's record, and the frames
 * below it, at the same place in a page; 24 KiB apart, all of them then
 * fall in 8 of the 1,024 sets of a 1 MiB, 16-way L2 cache, which holds
 * 128 such lines where it could hold them all.  So each block's top
 * comes down by a line more than the last one's, in 16 turns (within the
 * last page still).  A CPU-bound run of 100,000 simulated threads, four
 * runs each: 8.82 s of CPU without, 8.38 with (2026-12-07). */
enum { COLOURS = 16 };

static size_t colour(uint32_t i)
{
    return (i % COLOURS) * 64;
}

typedef struct slab {
    struct slab *next;
    uint32_t used;
    char *blocks; /* SLAB_FIBERS blocks of the pool's size */
} slab;

struct gs_fiber_pool {
    size_t room, block;
    slab *slabs;    /* the newest first */
    gs_fiber *free; /* given back, the last first */
    uint32_t made;
};

gs_fiber_pool *gs_fiber_pool_new(size_t stack_size, size_t room)
{
    gs_fiber_pool *p = calloc(1, sizeof *p);
    if (p)
        *p = (gs_fiber_pool){.room = room,
                             .block = block_size(stack_size + colour(COLOURS - 1),
                                                 lines(sizeof(gs_fiber)) + lines(room))};
    return p;
}

gs_fiber *gs_fiber_pool_take(gs_fiber_pool *p, gs_fiber_fn fn, gs_fiber *back, void **roomp)
{
    gs_fiber *f = p->free;
    if (f) { /* done, in its trampoline's loop: it goes on there (trampoline) */
        if (!f->done)
            gs_fatal("a simulated thread's stack was taken again while in use", 0);
        p->free = f->next_free;
        f->fn = fn;
        f->back = back;
        f->done = false;
        memset(f->arg, 0, lines(p->room));
        if (roomp)
            *roomp = f->arg;
        return f;
    }
    slab *s = p->slabs;
    if (!s || s->used == SLAB_FIBERS) {
        s = malloc(sizeof *s);
        char *blocks = s ? map_blocks(SLAB_FIBERS * p->block) : NULL;
        if (!blocks) {
            free(s);
            return NULL;
        }
        *s = (slab){.next = p->slabs, .blocks = blocks};
        p->slabs = s;
    }
    uint32_t i = s->used++;
    p->made++;
    return fiber_in(s->blocks + i * p->block, p->block, p->room, colour(i), fn, back, roomp);
}

uint32_t gs_fiber_pool_made(const gs_fiber_pool *p)
{
    return p->made;
}

void gs_fiber_pool_give(gs_fiber_pool *p, gs_fiber *f)
{
    f->next_free = p->free;
    p->free = f;
}

void gs_fiber_pool_free(gs_fiber_pool *p)
{
    if (!p)
        return;
    size_t record_at = p->block - lines(sizeof(gs_fiber)) - lines(p->room);
    for (slab *s = p->slabs, *next; s; s = next) {
        for (uint32_t i = 0; i < s->used; i++)
            forget((gs_fiber *)(void *)(s->blocks + i * p->block + record_at - colour(i)));
        next = s->next;
        unmap_blocks(s->blocks, SLAB_FIBERS, p->block);
        free(s);
    }
    free(p);
}
