/* fuse.c - finding the runs that become superinstructions (fuse.h). */
#include <stdlib.h>
#include <string.h>

#include "fuse.h"
#include "opcodes.h"

#define GS_OP_NONE (-1)

const gs_fused_info gs_fused_table[GS_FUSED_COUNT] = {
#define GS_FUSED_INFO(e, name, a, b, c, d)                                                   \
    [GS_OP_##e - GS_OP_COUNT] = {name, 2 + (GS_OP_##c != GS_OP_NONE) + (GS_OP_##d != GS_OP_NONE), \
                                 {GS_OP_##a, GS_OP_##b, GS_OP_##c, GS_OP_##d}},
    GS_FUSED(GS_FUSED_INFO)
#undef GS_FUSED_INFO
};

/* Whether the run of f begins at pc and ends inside the function that
 * ends at end. */
static bool run_at(const gs_program *p, uint32_t pc, uint32_t end, const gs_fused_info *f)
{
    for (int i = 0; i < f->length; i++) {
        if (pc >= end || p->code[pc] != f->ops[i])
            return false;
        pc += gs_instruction_length(p->code[pc]);
    }
    return pc <= end;
}

int64_t *gs_interpreter_code(const gs_program *p, bool fuse)
{
    int64_t *fast = malloc((p->ncode ? p->ncode : 1) * sizeof *fast);
    if (!fast)
        return NULL;
    for (uint32_t pc = 0; pc < p->ncode; pc++)
        fast[pc] = p->code[pc];
    for (uint32_t fn = 0; fn < p->nfuncs; fn++) {
        uint32_t end = p->funcs[fn].end;
        for (uint32_t pc = p->funcs[fn].entry; pc < end; pc += gs_instruction_length(p->code[pc])) {
            const gs_opinfo *op = &gs_opinfo_table[p->code[pc]];
            for (int i = 0; i < op->noperands; i++)
                switch (op->operand[i]) {
                case GS_OPND_LABEL:
                    fast[pc + 1 + i] = (int64_t)(intptr_t)(fast + p->code[pc + 1 + i]);
                    break;
                case GS_OPND_CONST:
                    fast[pc + 1 + i] = p->consts[p->code[pc + 1 + i]];
                    break;
                case GS_OPND_FUNC:
                    fast[pc + 1 + i] = (int64_t)(intptr_t)&p->funcs[p->code[pc + 1 + i]];
                    break;
                default:
                    break;
                }
            for (int k = 0; fuse && k < GS_FUSED_COUNT; k++) /* the first that matches: the table's order */
                if (run_at(p, pc, end, &gs_fused_table[k])) {
                    fast[pc] = GS_OP_COUNT + k;
                    break;
                }
        }
    }
    return fast;
}

const gs_fused_info *gs_fused_at(const gs_program *p, uint32_t pc)
{
    if (!p->fast || pc >= p->ncode || p->fast[pc] < GS_OP_COUNT)
        return NULL;
    return &gs_fused_table[p->fast[pc] - GS_OP_COUNT];
}
