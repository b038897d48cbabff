/* dis.c - bytecode back to text, driven by the opcode table. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dis.h"
#include "fuse.h"
#include "label.h"
#include "opcodes.h"

uint32_t gs_disassemble_one(const gs_program *p, uint32_t pc, FILE *out)
{
    const gs_opinfo *info = &gs_opinfo_table[p->code[pc]];
    fputs(info->name, out);
    for (int i = 0; i < info->noperands; i++) {
        int32_t w = p->code[pc + 1 + (uint32_t)i];
        switch (info->operand[i]) {
        case GS_OPND_CONST:  fprintf(out, " %" PRId64, p->consts[w]); break;
        case GS_OPND_LABEL:  fprintf(out, " L%d", w); break;
        case GS_OPND_FUNC:   fprintf(out, " %s", p->funcs[w].name); break;
        case GS_OPND_IOKIND: fprintf(out, " %s", gs_io_kind_names[w]); break;
        case GS_OPND_SHARED: fprintf(out, " %s", p->shared[w].name); break;
        case GS_OPND_ULOCK:  fprintf(out, " %s", p->ulocks[w].name); break;
        default:             fprintf(out, " %d", w); break;
        }
    }
    return pc + gs_instruction_length(p->code[pc]);
}

/* Marks every code offset that some jump targets. */
static unsigned char *find_targets(const gs_program *p)
{
    unsigned char *target = calloc(p->ncode + 1, 1);
    if (!target)
        return NULL;
    for (uint32_t pc = 0; pc < p->ncode;) {
        const gs_opinfo *info = &gs_opinfo_table[p->code[pc]];
        if (info->operand[0] == GS_OPND_LABEL)
            target[p->code[pc + 1]] = 1;
        pc += gs_instruction_length(p->code[pc]);
    }
    return target;
}

/* The end of the line that starts at l: its "\n", "\r\n" or lone "\r",
 * the line ends Python reads (pyc.c numbers lines so). */
static const char *line_end(const char *l, const char *end)
{
    while (l < end && *l != '\n' && *l != '\r')
        l++;
    return l;
}

/* Source line n (from 1) as a comment. */
static void source_line(const char *source, size_t len, uint32_t n, FILE *out)
{
    const char *l = source, *end = source + len;
    for (uint32_t i = 1; i < n && l < end; i++) {
        l = line_end(l, end);
        l += l + 1 < end && l[0] == '\r' && l[1] == '\n' ? 2 : 1;
    }
    l = l < end ? l : end;
    char text[512]; /* as a label (label.h): the program's bytes are never the terminal's escapes */
    gs_label(l, (size_t)(line_end(l, end) - l), text, sizeof text);
    fprintf(out, "; %u: %s\n", n, text);
}

int gs_disassemble(const gs_program *p, const char *source, size_t len, FILE *out)
{
    if (!p->verified)
        return -1; /* operands of unverified code could index anywhere */
    unsigned char *target = find_targets(p);
    if (!target)
        return -1;
    fprintf(out, "; disassembly of %s\n", p->source);
    if (p->overflow_errs)
        fputs(".overflow error\n", out);
    for (int k = 0; k < GS_DEFAULT_COUNT; k++)
        if (p->has_default[k])
            fprintf(out, ".default %s %" PRId64 "\n", gs_default_names[k], p->defaults[k]);
    for (uint32_t i = 0; i < p->nshared; i++)
        fprintf(out, "%s.shared %s %" PRId64 "\n", i ? "" : "\n", p->shared[i].name, p->shared[i].init);
    for (uint32_t i = 0; i < p->nulocks; i++)
        fprintf(out, "%s.lock %s\n", i || p->nshared ? "" : "\n", p->ulocks[i].name);
    for (uint32_t f = 0; f < p->nfuncs; f++) {
        const gs_func *fn = &p->funcs[f];
        fprintf(out, "\n.func %s %u %u\n", fn->name, fn->nargs, fn->nlocals - fn->nargs);
        uint32_t shown = 0;
        for (uint32_t pc = fn->entry; pc < fn->end;) {
            if (source && p->lines && p->lines[pc] && p->lines[pc] != shown)
                source_line(source, len, shown = p->lines[pc], out);
            if (target[pc])
                fprintf(out, "L%u:\n", pc);
            fputs("    ", out);
            const gs_fused_info *fused = gs_fused_at(p, pc);
            pc = gs_disassemble_one(p, pc, out);
            if (fused) /* the interpreter's superinstruction (fuse.h): a comment, so the text reassembles */
                fprintf(out, "    ; %s: one dispatch", fused->name);
            fputc('\n', out);
        }
        fputs(".end\n", out);
    }
    free(target);
    return ferror(out) ? -1 : 0;
}
