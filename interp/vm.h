/* vm.h - one interpreter state and the eval loop that runs it.
 *
 * A gs_vm is everything one running program owns: operand stack, frames,
 * program counter, counters.  There is no global interpreter: N threads run
 * N states, a forked child gets its own copy, and an async loop keeps N of
 * them suspended.  The interpreter never blocks, never performs I/O and
 * knows nothing of threads; it runs until it has a reason to stop and says
 * which.
 *
 * Threading: a gs_vm belongs to one thread at a time.  The only field other
 * threads may touch is breaker, and only through gs_vm_set_breaker /
 * gs_vm_clear_breaker. */
#ifndef GS_VM_H
#define GS_VM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm.h"
#include "opcodes.h"
#include "program.h"

#define GS_VM_STACK  1024u /* operand stack and locals of all frames, in values, at most */
#define GS_VM_FRAMES 256u  /* call depth at most; deeper recursion is a runtime error */
/* What a state starts with: its stack and frames grow (doubling) at calls,
 * the only instruction that can need more, up to the limits above.  Most
 * programs never call deeper than a few frames, and virtual time keeps a
 * million states, so each starts small: 16 values (or what main needs) and
 * 4 frames, 176 bytes (the whole stack inline was 11.3 KiB, of which a
 * page or two was touched). */
#define GS_VM_STACK_START  16u
#define GS_VM_FRAMES_START 4u

/* Why gs_vm_run returned. */
typedef enum {
    GS_STOP_DONE,   /* main returned or halt ran; result is set */
    GS_STOP_IO,     /* an io instruction ran; io_kind/io_arg say what to do */
    GS_STOP_NATIVE, /* a native call: native_work units to do outside the lock */
    GS_STOP_LOCK,   /* acquire or release (request) of user lock ulock, or
                       a store under its variable's own lock (GS_REQ_STORE) */
    GS_STOP_BREAK,  /* the eval breaker was set; the scheduler handles it */
    GS_STOP_YIELD,  /* a yield instruction ran */
    GS_STOP_BUDGET, /* the instruction budget ran out */
    GS_STOP_ERROR,  /* runtime error; error and error_pc are set */
} gs_stop;

/* What the caller must do before the interpreter may go on. */
typedef enum {
    GS_REQ_NONE,
    GS_REQ_IO,       /* io_kind, io_arg */
    GS_REQ_NATIVE,   /* native_work */
    GS_REQ_ACQUIRE,  /* ulock */
    GS_REQ_RELEASE,  /* ulock */
    GS_REQ_STORE,    /* store_value into shared variable store_var (object_locks) */
} gs_request;

typedef struct {
    uint32_t ret_pc; /* where the caller resumes */
    uint32_t func;   /* index into the program's functions */
    uint32_t base;   /* stack index of local 0 */
} gs_frame;

typedef struct gs_vm {
    /* Non-zero asks the loop to stop at its next back-edge or call (as
     * CPython's eval_breaker), once it has looked: within 1,024
     * instructions (vm_eval.c).  Bits are the scheduler's to define. */
    _Alignas(64) _Atomic uint32_t breaker;

    const gs_program *prog;
    uint32_t pc;            /* next instruction */
    uint32_t sp;            /* stack index one past the top */
    uint32_t nframes;
    bool done;              /* finished: normally or with an error */
    gs_request request;     /* stopped for the caller; gs_vm_complete resumes */
    gs_io_kind io_kind;     /* GS_REQ_IO */
    int64_t io_arg;
    uint64_t native_work;   /* GS_REQ_NATIVE */
    uint32_t ulock;         /* GS_REQ_ACQUIRE, GS_REQ_RELEASE */
    /* The process's shared variables (the program's nshared of them), which
     * every interpreter of the process points at; set by the runner before
     * the first run.  Relaxed atomics: with no lock around them, threads
     * race for them as a program's threads would, without undefined
     * behaviour in gilsim itself. */
    _Atomic int64_t *shared;
    /* Free-threaded interpreters (policies with per-object locks): every
     * store to a shared variable stops (GS_STOP_LOCK, GS_REQ_STORE) for the
     * runner to make under that variable's own lock, as CPython's
     * free-threaded build writes a dict under the dict's lock; and each
     * shared variable read since the runner last looked is a bit of
     * shared_touched, for the machine to charge its cache line's moves
     * between cores.  Set by the runner; off, a store is a store. */
    bool object_locks;
    uint64_t shared_touched;
    uint32_t store_var;     /* GS_REQ_STORE */
    int64_t store_value;
    int64_t result;         /* valid after GS_STOP_DONE */
    uint64_t instructions;  /* executed since gs_vm_init */
    uint32_t error_pc;
    /* The first GS_VM_FRAMES_START frames and GS_VM_STACK_START values, in
     * the state itself, then on the heap, grown at calls; owned by the
     * state (gs_vm_free), and kept by gs_vm_init for its next program.  A
     * state must not be copied: they may point into it. */
    gs_frame *frames;
    int64_t *stack;
    uint32_t frames_cap, stack_cap;
    /* Where they start: most programs never call deeper, and a simulated
     * run keeps thousands of states, each then one place in memory, not
     * three. */
    gs_frame first_frames[GS_VM_FRAMES_START];
    int64_t first_values[GS_VM_STACK_START];
    /* Last, so that a state that never fails never touches its page. */
    char error[GS_ERRMSG_MAX];
} gs_vm;

/* An empty interpreter state, aligned as its cache-line-aligned members
 * need (plain malloc does not promise 64 bytes), for gs_vm_init to set
 * up.  NULL when out of memory; gs_vm_free frees it. */
gs_vm *gs_vm_new(void);

/* Frees a state from gs_vm_new, and its stack and frames (NULL: nothing). */
void gs_vm_free(gs_vm *vm);

/* n empty states side by side in one block (vms[0] to vms[n - 1]): a run
 * of thousands of workers then makes one allocation, not one a worker,
 * and finds their states in order.  NULL when out of memory (or n is 0);
 * gs_vm_free_many frees them all, with their stacks and frames. */
gs_vm *gs_vm_new_many(uint32_t n);
void gs_vm_free_many(gs_vm *vms, uint32_t n);

/* Makes room for at least frames frames and values values (each at most
 * its limit above), keeping what is there; false when out of memory.  The
 * eval loop's, at calls. */
bool gs_vm_grow(gs_vm *vm, uint32_t frames, uint32_t values);

/* Prepares vm (from gs_vm_new, or a zeroed one: a static, say) to run
 * prog's main with args (nargs must equal main's argument count).  prog
 * must be verified.  Returns 0, or -1 with a message in err (also when
 * there is no memory for the stack).  A state keeps its stack and frames
 * for the next gs_vm_init: a static one (the tests') allocates once. */
int gs_vm_init(gs_vm *vm, const gs_program *prog, const int64_t *args, uint32_t nargs,
               char err[GS_ERRMSG_MAX]);

/* Runs at most budget instructions and says why it stopped.  Calling it
 * again resumes exactly where it stopped (after an I/O stop, only once
 * gs_vm_complete_io has delivered the result).  A finished vm returns its
 * final stop again. */
gs_stop gs_vm_run(gs_vm *vm, uint64_t budget);

/* The same, never looking at the breaker: for a caller on whose machine
 * nothing sets the breaker while the loop runs, and that runs gs_vm_run
 * while it is set.  The same machine code as gs_vm_run's while the
 * breaker is clear, in one chunk (vm_eval.c says why). */
gs_stop gs_vm_run_unpolled(gs_vm *vm, uint64_t budget);

/* Resumes a vm stopped for a request: an I/O or native call's result is
 * pushed; a lock request takes none. */
void gs_vm_complete(gs_vm *vm, int64_t result);

/* Makes the vm fail with msg at the instruction it stopped after (the
 * request's), as a runtime error of its own would. */
void gs_vm_raise(gs_vm *vm, const char *msg);

/* Sets vars to the program's shared variables as a process starts with
 * them: their declared values, the rest zero. */
void gs_vm_shared_init(const gs_program *p, _Atomic int64_t vars[GS_MAX_SHARED]);

/* Runs vm to its end as a lone thread would: I/O answered at once with
 * its token, native calls done here, user locks taken with nobody else to
 * wait for.  held[] says which user locks the vm holds (all false at the
 * start); taking one it holds (a deadlock) or releasing one it does not is
 * a runtime error.  Returns GS_STOP_DONE or GS_STOP_ERROR. */
gs_stop gs_vm_run_alone(gs_vm *vm, bool held[GS_MAX_ULOCKS]);

/* The message of a user-lock request that cannot be granted to a vm
 * holding held[], or NULL when it can: shared by every runner. */
const char *gs_vm_lock_misuse(const gs_vm *vm, const bool held[GS_MAX_ULOCKS], char buf[GS_ERRMSG_MAX]);

/* A native call's work: n rounds of a 64-bit mixing step (a nanosecond or
 * so each), from state.  Pure, so a caller may split a call into pieces;
 * a call of n units starts from state n, and its result is
 * gs_native_result of the final state. */
uint64_t gs_native_work(uint64_t state, uint64_t n);
static inline int64_t gs_native_result(uint64_t state) { return (int64_t)(state >> 48); }

/* Safe from any thread. */
static inline void gs_vm_set_breaker(gs_vm *vm, uint32_t bits)
{
    atomic_fetch_or_explicit(&vm->breaker, bits, memory_order_relaxed);
}

static inline void gs_vm_clear_breaker(gs_vm *vm, uint32_t bits)
{
    atomic_fetch_and_explicit(&vm->breaker, ~bits, memory_order_relaxed);
}

static inline uint32_t gs_vm_breaker(gs_vm *vm)
{
    return atomic_load_explicit(&vm->breaker, memory_order_relaxed);
}

/* Writes the runtime error and one line per active frame, innermost first:
 *   division by zero
 *     at fib (fib.gsa:7)
 *     at main (fib.gsa:15)
 * Returns the length it would have written, as snprintf. */
int gs_vm_format_error(const gs_vm *vm, char *buf, size_t len);

#endif
