/* vm_helpers.h - what the eval loop's tests share (test_vm.c,
 * test_vm_stops.c). */
#ifndef GS_TEST_VM_HELPERS_H
#define GS_TEST_VM_HELPERS_H

#include <stdint.h>

#include "vm.h"

/* The program of assembly src (file "t.gsa"); a load error fails the
 * test, showing src. */
gs_program vm_load(const char *src);

/* Runs vm to the end in budgets of budget instructions, answering each
 * I/O request with its own token (counted in *ios) and going on after
 * each yield (counted in *yields); either count may be NULL.  Returns the
 * stop that ended the run. */
gs_stop vm_run_all(gs_vm *vm, uint64_t budget, unsigned *ios, unsigned *yields);

#endif
