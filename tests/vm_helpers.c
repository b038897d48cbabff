/* vm_helpers.c - what the eval loop's tests share (vm_helpers.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "asm.h"
#include "vm_helpers.h"

gs_program vm_load(const char *src)
{
    gs_program p;
    char err[GS_ERRMSG_MAX];
    if (gs_load_source(src, strlen(src), "t.gsa", &p, err) != 0)
        fail_msg("%s\n%s", err, src);
    return p;
}

gs_stop vm_run_all(gs_vm *vm, uint64_t budget, unsigned *ios, unsigned *yields)
{
    for (;;) {
        gs_stop s = gs_vm_run(vm, budget);
        if (s == GS_STOP_IO) {
            if (ios)
                (*ios)++;
            gs_vm_complete(vm, vm->io_arg);
        } else if (s == GS_STOP_YIELD) {
            if (yields)
                (*yields)++;
        } else if (s != GS_STOP_BUDGET) {
            return s;
        }
    }
}
