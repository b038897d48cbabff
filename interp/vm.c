/* vm.c - setting up interpreter states and describing their errors.  The
 * eval loop itself is in vm_eval.c. */
#include <stdio.h>
#include <string.h>

#include "vm.h"

int gs_vm_init(gs_vm *vm, const gs_program *prog, const int64_t *args, uint32_t nargs,
               char err[GS_ERRMSG_MAX])
{
    memset(vm, 0, offsetof(gs_vm, frames));
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
    vm->prog = prog;
    vm->pc = m->entry;
    vm->nframes = 1;
    vm->frames[0] = (gs_frame){.ret_pc = 0, .func = prog->main, .base = 0};
    for (uint32_t i = 0; i < m->nlocals; i++)
        vm->stack[i] = i < nargs ? args[i] : 0;
    vm->sp = m->nlocals;
    return 0;
}

void gs_vm_complete_io(gs_vm *vm, int64_t result)
{
    if (!vm->io_pending)
        return;
    vm->stack[vm->sp++] = result;
    vm->io_pending = false;
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
