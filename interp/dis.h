/* dis.h - the disassembler.  Its output is valid assembly that assembles
 * back to identical bytecode: jump targets become labels L<offset>,
 * constants are written as their values, calls and I/O by name. */
#ifndef GS_DIS_H
#define GS_DIS_H

#include <stdio.h>

#include "program.h"

/* Writes the whole program.  With source (the text it was compiled from,
 * len bytes; NULL for none), each source line comes as a comment before
 * the first instruction compiled from it, as Python's dis shows them.
 * Returns 0, or -1 if writing failed. */
int gs_disassemble(const gs_program *p, const char *source, size_t len, FILE *out);

/* Writes one instruction at pc ("push 10", "jgt L12"); returns the pc of
 * the next one. */
uint32_t gs_disassemble_one(const gs_program *p, uint32_t pc, FILE *out);

#endif
