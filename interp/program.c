/* program.c - owning and querying a bytecode program. */
#include <stdlib.h>
#include <string.h>

#include "opcodes.h"
#include "program.h"

void gs_program_free(gs_program *p)
{
    free(p->code);
    free(p->fast);
    free(p->consts);
    free(p->funcs);
    free(p->lines);
    free(p->shared);
    free(p->ulocks);
    memset(p, 0, sizeof *p);
}

int gs_program_find_func(const gs_program *p, const char *name)
{
    for (uint32_t i = 0; i < p->nfuncs; i++)
        if (strcmp(p->funcs[i].name, name) == 0)
            return (int)i;
    return -1;
}

const gs_func *gs_program_func_at(const gs_program *p, uint32_t pc)
{
    for (uint32_t i = 0; i < p->nfuncs; i++)
        if (pc >= p->funcs[i].entry && pc < p->funcs[i].end)
            return &p->funcs[i];
    return NULL;
}

static bool same_func(const gs_func *a, const gs_func *b)
{
    return strcmp(a->name, b->name) == 0 && a->entry == b->entry && a->end == b->end &&
           a->nargs == b->nargs && a->nlocals == b->nlocals;
}

const char *const gs_default_names[GS_DEFAULT_COUNT] = {
#define GS_DEFAULT_NAME(e, name, min, max) [GS_DEFAULT_##e] = name,
    GS_PROGRAM_DEFAULTS(GS_DEFAULT_NAME)
#undef GS_DEFAULT_NAME
};

bool gs_program_equal(const gs_program *a, const gs_program *b)
{
    if (a->ncode != b->ncode || a->nconsts != b->nconsts || a->nfuncs != b->nfuncs ||
        a->main != b->main || a->nshared != b->nshared || a->nulocks != b->nulocks ||
        a->overflow_errs != b->overflow_errs)
        return false;
    for (int k = 0; k < GS_DEFAULT_COUNT; k++)
        if (a->has_default[k] != b->has_default[k] || (a->has_default[k] && a->defaults[k] != b->defaults[k]))
            return false;
    for (uint32_t i = 0; i < a->nshared; i++)
        if (strcmp(a->shared[i].name, b->shared[i].name) != 0 || a->shared[i].init != b->shared[i].init)
            return false;
    for (uint32_t i = 0; i < a->nulocks; i++)
        if (strcmp(a->ulocks[i].name, b->ulocks[i].name) != 0)
            return false;
    if (a->ncode && memcmp(a->code, b->code, a->ncode * sizeof *a->code) != 0)
        return false;
    if (a->nconsts && memcmp(a->consts, b->consts, a->nconsts * sizeof *a->consts) != 0)
        return false;
    for (uint32_t i = 0; i < a->nfuncs; i++)
        if (!same_func(&a->funcs[i], &b->funcs[i]))
            return false;
    return true;
}

bool gs_program_has_op(const gs_program *p, int op)
{
    for (uint32_t pc = 0; pc < p->ncode; pc += gs_instruction_length(p->code[pc]))
        if (p->code[pc] == op)
            return true;
    return false;
}

unsigned gs_program_io_kinds(const gs_program *p)
{
    unsigned kinds = 0;
    for (uint32_t pc = 0; pc < p->ncode; pc += gs_instruction_length(p->code[pc]))
        if (p->code[pc] == GS_OP_IO)
            kinds |= 1u << p->code[pc + 1];
    return kinds;
}
