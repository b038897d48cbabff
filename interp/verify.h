/* verify.h - the bytecode verifier.
 *
 * gs_verify proves, once per program, what the interpreter then takes for
 * granted so that its loop carries no bounds checks:
 *   - every opcode is known and every instruction lies wholly inside its
 *     function;
 *   - every constant, local, function and I/O kind operand is in range;
 *   - every jump lands on the first word of an instruction of the same
 *     function;
 *   - on every path the operand stack depth is the same where paths meet,
 *     never goes below zero, and stays within GS_MAX_FUNC_STACK;
 *   - no path runs off the end of a function.
 * What only a run can know, the depth of recursion, the interpreter checks
 * at each call against the room left on its stack. */
#ifndef GS_VERIFY_H
#define GS_VERIFY_H

#include "asm.h"
#include "program.h"

/* Returns 0 and marks the program verified (and sets each function's
 * max_stack), or -1 with "FILE:LINE: message" in err. */
int gs_verify(gs_program *p, char err[GS_ERRMSG_MAX]);

#endif
