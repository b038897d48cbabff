/* asm.h - the text assembly format (.gsa) and its assembler.
 *
 * One instruction per line; ';' or '#' starts a comment.
 *
 *     .const UNIT 1000          ; named constant, usable wherever a number is
 *     .func main 2 1            ; name, arguments, extra locals
 *         load 0                ; locals 0..1 are the arguments, 2 is a local
 *     loop:                     ; labels are local to their function
 *         inc 2 UNIT
 *         jmp loop
 *     .end
 *
 * Operands are numbers (decimal or 0x hex, with a sign), named constants,
 * labels (jumps), function names (call) or I/O kinds (io sleep|pipe|file).
 * Every program has a function named main; it is where execution starts.
 *
 * Errors are reported as "FILE:LINE:COL: message" for the first problem
 * found; the assembler never crashes or reads out of bounds on any input. */
#ifndef GS_ASM_H
#define GS_ASM_H

#include <stddef.h>

#include "error.h"
#include "program.h"

/* Assembles source[0..len) into *out (unverified).  Returns 0, or -1 with a
 * message in err.  *out needs gs_program_free only on success. */
int gs_assemble(const char *source, size_t len, const char *filename, gs_program *out,
                char err[GS_ERRMSG_MAX]);

/* Assembles and verifies: what every caller that will run a program uses. */
int gs_load_source(const char *source, size_t len, const char *filename, gs_program *out,
                   char err[GS_ERRMSG_MAX]);

/* Reads a program file (at most GS_MAX_SOURCE bytes), then gs_load_source.
 * Unreadable files, directories and oversize files are errors too. */
int gs_load_file(const char *path, gs_program *out, char err[GS_ERRMSG_MAX]);

#endif
