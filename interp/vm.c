/* vm.c - setting up interpreter states and describing their errors.  The
 * eval loop itself is in vm_eval.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

gs_vm *gs_vm_new_many(uint32_t n)
{
    /* aligned_alloc wants a multiple of the alignment; gs_vm is one, as
     * its first member's alignment pads it. */
    size_t bytes = (size_t)n * sizeof(gs_vm);
    if (n == 0 || bytes / sizeof(gs_vm) != n) /* none, or past a 32-bit size_t */
        return NULL;
    gs_vm *vms = aligned_alloc(_Alignof(gs_vm), bytes);
    for (uint32_t i = 0; vms && i < n; i++) {
        vms[i].frames = NULL;
        vms[i].stack = NULL;
        vms[i].frames_cap = vms[i].stack_cap = 0;
    }
    return vms;
}

void gs_vm_free_many(gs_vm *vms, uint32_t n)
{
    for (uint32_t i = 0; vms && i < n; i++) {
        if (vms[i].frames != vms[i].first_frames)
            free(vms[i].frames);
        if (vms[i].stack != vms[i].first_values)
            free(vms[i].stack);
    }
    free(vms);
}

gs_vm *gs_vm_new(void)
{
    return gs_vm_new_many(1);
}

void gs_vm_free(gs_vm *vm)
{
    gs_vm_free_many(vm, 1);
}

/* Makes *array (of *cap elements of size bytes) hold at least need,
 * doubling from start, at most max: first in the state's own room `first`
 * (start elements), then on the heap.  False when out of memory. */
static bool grow(void **array, uint32_t *cap, uint32_t need, void *first, uint32_t start, uint32_t max,
                 size_t size)
{
    if (need <= *cap)
        return true;
    if (!*array && need <= start) {
        *array = first;
        *cap = start;
        return true;
    }
    uint32_t n = *cap ? *cap : start;
    while (n < need)
        n *= 2;
    n = n < max ? n : max;
    void *p = *array == first ? malloc((size_t)n * size) : realloc(*array, (size_t)n * size);
    if (!p)
        return false;
    if (*array == first)
        memcpy(p, first, (size_t)*cap * size);
    *array = p;
    *cap = n;
    return true;
}

bool gs_vm_grow(gs_vm *vm, uint32_t frames, uint32_t values)
{
    void *f = vm->frames, *s = vm->stack;
    bool ok = grow(&f, &vm->frames_cap, frames, vm->first_frames, GS_VM_FRAMES_START, GS_VM_FRAMES,
                   sizeof(gs_frame)) &&
              grow(&s, &vm->stack_cap, values, vm->first_values, GS_VM_STACK_START, GS_VM_STACK, sizeof(int64_t));
    vm->frames = f;
    vm->stack = s;
    return ok;
}

int gs_vm_init(gs_vm *vm, const gs_program *prog, const int64_t *args, uint32_t nargs,
               char err[GS_ERRMSG_MAX])
{
    memset(vm, 0, offsetof(gs_vm, frames));
    vm->error[0] = '\0';
    atomic_init(&vm->breaker, 0);
    if (!prog->verified) {
        snprintf(err, GS_ERRMSG_MAX, "%s: program was not verified", prog->source);
        return -1;
    }
    const gs_func *m = &prog->funcs[prog->main];
    if (nargs != m->nargs) {
        snprintf(err, GS_ERRMSG_MAX, "%s: main takes %u argument%s, %u given", prog->source,
                 m->nargs, m->nargs == 1 ? "" : "s", nargs);
        return -1;
    }
    if (!gs_vm_grow(vm, 1, m->nlocals + m->max_stack)) {
        snprintf(err, GS_ERRMSG_MAX, "%s: out of memory for the interpreter's stack", prog->source);
        return -1;
    }
    vm->prog = prog;
    vm->pc = m->entry;
    vm->nframes = 1;
    vm->frames[0] = (gs_frame){.ret_pc = 0, .func = prog->main, .base = 0};
    for (uint32_t i = 0; i < m->nlocals; i++)
        vm->stack[i] = i < nargs ? args[i] : 0;
    vm->sp = m->nlocals;
    return 0;
}

void gs_vm_complete(gs_vm *vm, int64_t result)
{
    if (vm->request == GS_REQ_IO || vm->request == GS_REQ_NATIVE)
        vm->stack[vm->sp++] = result;
    vm->request = GS_REQ_NONE;
}

void gs_vm_raise(gs_vm *vm, const char *msg)
{
    uint32_t pc = vm->pc; /* after the request's instruction: find its start */
    const gs_func *f = gs_program_func_at(vm->prog, pc ? pc - 1 : 0);
    for (uint32_t at = f ? f->entry : 0, next; f && at < pc; at = next) {
        next = at + gs_instruction_length(vm->prog->code[at]);
        if (next == pc)
            vm->error_pc = at;
    }
    snprintf(vm->error, sizeof vm->error, "%s", msg);
    vm->request = GS_REQ_NONE;
    vm->done = true;
}

const char *gs_vm_lock_misuse(const gs_vm *vm, const bool held[GS_MAX_ULOCKS], char buf[GS_ERRMSG_MAX])
{
    const char *name = vm->prog->ulocks[vm->ulock].name;
    if (vm->request == GS_REQ_ACQUIRE && held[vm->ulock])
        snprintf(buf, GS_ERRMSG_MAX, "acquire %s: this thread holds it already, and would wait for itself forever",
                 name);
    else if (vm->request == GS_REQ_RELEASE && !held[vm->ulock])
        snprintf(buf, GS_ERRMSG_MAX, "release %s: this thread does not hold it", name);
    else
        return NULL;
    return buf;
}

void gs_vm_shared_init(const gs_program *p, _Atomic int64_t vars[GS_MAX_SHARED])
{
    for (uint32_t i = 0; i < GS_MAX_SHARED; i++)
        atomic_init(&vars[i], i < p->nshared ? p->shared[i].init : 0);
}

gs_stop gs_vm_run_alone(gs_vm *vm, bool held[GS_MAX_ULOCKS])
{
    for (;;) {
        gs_stop stop = gs_vm_run(vm, UINT64_MAX);
        char msg[GS_ERRMSG_MAX];
        switch (stop) {
        case GS_STOP_IO:
            gs_vm_complete(vm, vm->io_arg);
            break;
        case GS_STOP_NATIVE:
            gs_vm_complete(vm, gs_native_result(gs_native_work(vm->native_work, vm->native_work)));
            break;
        case GS_STOP_LOCK:
            if (gs_vm_lock_misuse(vm, held, msg)) {
                gs_vm_raise(vm, msg);
                return GS_STOP_ERROR;
            }
            held[vm->ulock] = vm->request == GS_REQ_ACQUIRE;
            gs_vm_complete(vm, 0);
            break;
        case GS_STOP_DONE:
        case GS_STOP_ERROR:
            return stop;
        default:
            break;
        }
    }
}

uint64_t gs_native_work(uint64_t state, uint64_t n)
{
    /* A multiply and an xor-shift per round: a dependency chain the
     * compiler cannot shorten, so n rounds take time in proportion to n. */
    for (uint64_t i = 0; i < n; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        state ^= state >> 29;
    }
    return state;
}

static unsigned line_of(const gs_program *p, uint32_t pc)
{
    return (p->lines && pc < p->ncode) ? p->lines[pc] : 0;
}

int gs_vm_format_error(const gs_vm *vm, char *buf, size_t len)
{
    const gs_program *p = vm->prog;
    int total = snprintf(buf, len, "%s", vm->error);
    for (uint32_t i = vm->nframes; i-- > 0;) {
        /* The innermost frame stopped at the error; the others at their call. */
        uint32_t pc = i + 1 == vm->nframes ? vm->error_pc : vm->frames[i + 1].ret_pc - 2;
        size_t used = (size_t)total < len ? (size_t)total : len;
        total += snprintf(buf + used, len - used, "\n  at %s (%s:%u)", p->funcs[vm->frames[i].func].name,
                          p->source, line_of(p, pc));
    }
    return total;
}
