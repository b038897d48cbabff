/* verify.c - proves a program safe to run (see verify.h).
 *
 * DESIGN
 * Each function is checked on its own in two passes.  The first decodes it
 * linearly, marking where instructions start and checking operands.  The
 * second walks the control-flow graph from the entry with a work list,
 * carrying the operand stack depth: a depth is recorded the first time an
 * instruction is reached and must be equal every later time. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse.h"
#include "opcodes.h"
#include "verify.h"

typedef struct {
    gs_program *p;
    const gs_func *f;
    char *err;
    int32_t *depth;      /* per code word of the function; -1 = not reached */
    unsigned char *start; /* per code word: 1 where an instruction begins */
    uint32_t *work;
    uint32_t nwork;
} verifier;

__attribute__((format(printf, 3, 4)))
static int fail(verifier *v, uint32_t pc, const char *fmt, ...)
{
    const gs_program *p = v->p;
    uint32_t line = (p->lines && pc < p->ncode) ? p->lines[pc] : 0;
    int n = line ? snprintf(v->err, GS_ERRMSG_MAX, "%s:%u: ", p->source, line)
                 : snprintf(v->err, GS_ERRMSG_MAX, "%s: pc %u: ", p->source, pc);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && n < (int)GS_ERRMSG_MAX)
        vsnprintf(v->err + n, GS_ERRMSG_MAX - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int check_operand(verifier *v, uint32_t pc, gs_operand_kind kind, int32_t w)
{
    const gs_func *f = v->f;
    switch (kind) {
    case GS_OPND_CONST:
        if (w < 0 || (uint32_t)w >= v->p->nconsts)
            return fail(v, pc, "constant index %d out of range (%u constants)", w, v->p->nconsts);
        return 0;
    case GS_OPND_LOCAL:
        if (w < 0 || (uint32_t)w >= f->nlocals)
            return fail(v, pc, "local %d out of range (function '%s' has %u local%s)", w, f->name,
                        f->nlocals, f->nlocals == 1 ? "" : "s");
        return 0;
    case GS_OPND_LABEL:
        if (w < (int32_t)f->entry || (uint32_t)w >= f->end)
            return fail(v, pc, "jump target %d outside function '%s'", w, f->name);
        return 0; /* that it starts an instruction is checked once all are known */
    case GS_OPND_FUNC:
        if (w < 0 || (uint32_t)w >= v->p->nfuncs)
            return fail(v, pc, "call to function %d out of range (%u functions)", w, v->p->nfuncs);
        return 0;
    case GS_OPND_IOKIND:
        if (w < 0 || w >= GS_IO_KIND_COUNT)
            return fail(v, pc, "unknown I/O kind %d", w);
        return 0;
    case GS_OPND_SHARED:
        if (w < 0 || (uint32_t)w >= v->p->nshared)
            return fail(v, pc, "shared variable %d out of range (%u declared)", w, v->p->nshared);
        return 0;
    case GS_OPND_ULOCK:
        if (w < 0 || (uint32_t)w >= v->p->nulocks)
            return fail(v, pc, "user lock %d out of range (%u declared)", w, v->p->nulocks);
        return 0;
    case GS_OPND_IMM:
    case GS_OPND_NONE:
        return 0;
    }
    return fail(v, pc, "bad operand kind");
}

/* Pass 1: decode linearly, mark instruction starts, check operands. */
static int decode(verifier *v)
{
    const int32_t *code = v->p->code;
    for (uint32_t pc = v->f->entry; pc < v->f->end;) {
        int32_t op = code[pc];
        if (op < 0 || op >= GS_OP_COUNT)
            return fail(v, pc, "unknown opcode %d", op);
        const gs_opinfo *info = &gs_opinfo_table[op];
        if (pc + (uint32_t)info->noperands >= v->f->end)
            return fail(v, pc, "'%s' is cut off by the end of function '%s'", info->name, v->f->name);
        v->start[pc - v->f->entry] = 1;
        for (int i = 0; i < info->noperands; i++)
            if (check_operand(v, pc, info->operand[i], code[pc + 1 + (uint32_t)i]) != 0)
                return -1;
        pc += gs_instruction_length(v->p->code[pc]);
    }
    return 0;
}

static int reach(verifier *v, uint32_t from, uint32_t pc, int32_t depth)
{
    const gs_func *f = v->f;
    if (pc >= f->end)
        return fail(v, from, "control falls off the end of function '%s' (add ret or jmp)", f->name);
    uint32_t i = pc - f->entry;
    if (!v->start[i])
        return fail(v, from, "jump into the middle of an instruction (target %u)", pc);
    if (v->depth[i] < 0) {
        v->depth[i] = depth;
        v->work[v->nwork++] = pc;
        return 0;
    }
    if (v->depth[i] != depth)
        return fail(v, from, "stack depth differs where paths meet at pc %u (%d on one path, %d on another)",
                    pc, v->depth[i], depth);
    return 0;
}

/* Pass 2: follow every path, carrying the stack depth. */
static int walk(verifier *v)
{
    const int32_t *code = v->p->code;
    uint32_t max = 0;
    if (reach(v, v->f->entry, v->f->entry, 0) != 0)
        return -1;
    while (v->nwork > 0) {
        uint32_t pc = v->work[--v->nwork];
        int32_t depth = v->depth[pc - v->f->entry];
        gs_opcode op = (gs_opcode)code[pc];
        const gs_opinfo *info = &gs_opinfo_table[op];
        int pops = op == GS_OP_CALL ? (int)v->p->funcs[code[pc + 1]].nargs : info->pops;
        if (depth < pops)
            return fail(v, pc, "stack underflow: '%s' needs %d value%s, the stack holds %d", info->name,
                        pops, pops == 1 ? "" : "s", depth);
        if (op == GS_OP_RET || op == GS_OP_HALT)
            continue;
        depth += info->pushes - pops;
        if (depth > (int32_t)GS_MAX_FUNC_STACK)
            return fail(v, pc, "stack too deep in function '%s' (at most %u values)", v->f->name,
                        GS_MAX_FUNC_STACK);
        if ((uint32_t)depth > max)
            max = (uint32_t)depth;
        uint32_t next = pc + gs_instruction_length(v->p->code[pc]);
        bool jumps = info->operand[0] == GS_OPND_LABEL;
        if (jumps && reach(v, pc, (uint32_t)code[pc + 1], depth) != 0)
            return -1;
        if (op != GS_OP_JMP && reach(v, pc, next, depth) != 0)
            return -1;
    }
    ((gs_func *)v->f)->max_stack = max;
    return 0;
}

static int check_layout(verifier *v)
{
    const gs_program *p = v->p;
    if (p->nfuncs == 0 || p->nfuncs > GS_MAX_FUNCS || p->main >= p->nfuncs)
        return fail(v, 0, "no valid main function");
    if (p->ncode > GS_MAX_CODE || p->nconsts > GS_MAX_CONSTS)
        return fail(v, 0, "program exceeds the size limits");
    uint32_t prev_end = 0;
    for (uint32_t i = 0; i < p->nfuncs; i++) {
        const gs_func *f = &p->funcs[i];
        if (f->entry < prev_end || f->entry >= f->end || f->end > p->ncode)
            return fail(v, f->entry < p->ncode ? f->entry : 0, "function '%s' is empty or overlaps another",
                        f->name);
        if (f->nargs > f->nlocals || f->nlocals > GS_MAX_LOCALS)
            return fail(v, f->entry, "function '%s' has bad argument/local counts", f->name);
        prev_end = f->end;
    }
    return 0;
}

int gs_verify(gs_program *p, char err[GS_ERRMSG_MAX])
{
    verifier v = {.p = p, .err = err};
    p->verified = false;
    if (check_layout(&v) != 0)
        return -1;
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < p->nfuncs; i++) {
        v.f = &p->funcs[i];
        uint32_t n = v.f->end - v.f->entry;
        v.depth = malloc(n * sizeof *v.depth);
        v.start = calloc(n, 1);
        v.work = malloc(n * sizeof *v.work);
        v.nwork = 0;
        if (!v.depth || !v.start || !v.work) {
            rc = fail(&v, v.f->entry, "out of memory");
        } else {
            memset(v.depth, 0xff, n * sizeof *v.depth); /* all -1 */
            rc = decode(&v) != 0 || walk(&v) != 0 ? -1 : 0;
        }
        free(v.depth);
        free(v.start);
        free(v.work);
    }
    if (rc == 0) {
        free(p->fast);
        if (!(p->fast = gs_interpreter_code(p, true)))
            rc = fail(&v, 0, "out of memory");
    }
    p->verified = rc == 0;
    return rc;
}
