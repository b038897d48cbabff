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

#define GS_VM_STACK  1024u /* operand stack and locals of all frames, in values */
#define GS_VM_FRAMES 256u  /* call depth; deeper recursion is a runtime error */

/* Why gs_vm_run returned. */
typedef enum {
    GS_STOP_DONE,   /* main returned or halt ran; result is set */
    GS_STOP_IO,     /* an io instruction ran; io_kind/io_arg say what to do */
    GS_STOP_BREAK,  /* the eval breaker was set; the scheduler handles it */
    GS_STOP_YIELD,  /* a yield instruction ran */
    GS_STOP_BUDGET, /* the instruction budget ran out */
    GS_STOP_ERROR,  /* runtime error; error and error_pc are set */
} gs_stop;

typedef struct {
    uint32_t ret_pc; /* where the caller resumes */
    uint32_t func;   /* index into the program's functions */
    uint32_t base;   /* stack index of local 0 */
} gs_frame;

typedef struct gs_vm {
    /* Non-zero asks the loop to stop at its next back-edge or call (as
     * CPython's eval_breaker).  Bits are the scheduler's to define. */
    _Alignas(64) _Atomic uint32_t breaker;

    const gs_program *prog;
    uint32_t pc;            /* next instruction */
    uint32_t sp;            /* stack index one past the top */
    uint32_t nframes;
    bool done;              /* finished: normally or with an error */
    bool io_pending;        /* stopped at io; gs_vm_complete_io resumes */
    gs_io_kind io_kind;     /* valid while io_pending */
    int64_t io_arg;
    int64_t result;         /* valid after GS_STOP_DONE */
    uint64_t instructions;  /* executed since gs_vm_init */
    uint32_t error_pc;
    char error[GS_ERRMSG_MAX];
    gs_frame frames[GS_VM_FRAMES];
    int64_t stack[GS_VM_STACK];
} gs_vm;

/* Prepares vm to run prog's main with args (nargs must equal main's
 * argument count).  prog must be verified.  Returns 0, or -1 with a
 * message in err. */
int gs_vm_init(gs_vm *vm, const gs_program *prog, const int64_t *args, uint32_t nargs,
               char err[GS_ERRMSG_MAX]);

/* Runs at most budget instructions and says why it stopped.  Calling it
 * again resumes exactly where it stopped (after an I/O stop, only once
 * gs_vm_complete_io has delivered the result).  A finished vm returns its
 * final stop again. */
gs_stop gs_vm_run(gs_vm *vm, uint64_t budget);

/* Delivers the result of the I/O request the vm stopped for. */
void gs_vm_complete_io(gs_vm *vm, int64_t result);

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
