/* tools.c - `gilsim asm FILE` and `gilsim dis FILE`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../interp/asm.h"
#include "../interp/dis.h"
#include "../interp/label.h"
#include "../interp/opcodes.h"
#include "../reports/output.h"
#include "cli.h"

static int load(const char *path, gs_program *p)
{
    char err[GS_ERRMSG_MAX];
    if (gs_load_file(path, p, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return GS_ERR_INPUT; /* a bad program file, as for --program */
    }
    return 0;
}

gs_status gs_cli_asm(const char *path)
{
    gs_program p;
    int rc = load(path, &p);
    if (rc != 0)
        return rc;
    uint32_t ninstr = 0;
    for (uint32_t pc = 0; pc < p.ncode; ninstr++)
        pc += 1 + (uint32_t)gs_opinfo_table[p.code[pc]].noperands;
    char label[256]; /* the name as a label (interp/label.h): never the terminal's escapes */
    gs_label(path, strlen(path), label, sizeof label);
    printf("%s: ok: %u functions, %u instructions (%u code words), %u constants", label, p.nfuncs, ninstr,
           p.ncode, p.nconsts);
    if (p.nshared || p.nulocks)
        printf(", %u shared variable%s, %u lock%s", p.nshared, p.nshared == 1 ? "" : "s", p.nulocks,
               p.nulocks == 1 ? "" : "s");
    putchar('\n');
    for (uint32_t i = 0; i < p.nfuncs; i++) {
        const gs_func *f = &p.funcs[i];
        printf("  %-16s %u argument%s, %u local%s, stack depth %u, %u code words%s\n", f->name,
               f->nargs, f->nargs == 1 ? "" : "s", f->nlocals - f->nargs,
               f->nlocals - f->nargs == 1 ? "" : "s", f->max_stack, f->end - f->entry,
               i == p.main ? "  (entry)" : "");
    }
    gs_program_free(&p);
    return 0;
}

/* The text of a program compiled from another language, for dis to show
 * beside the bytecode; NULL for assembly (it is the bytecode's own text). */
static char *compiled_from(const char *path, size_t *len)
{
    size_t n = strlen(path);
    if (n < 3 || strcmp(path + n - 3, ".py") != 0)
        return NULL;
    FILE *f = fopen(path, "rb");
    char *text = f ? malloc(GS_MAX_SOURCE + 1) : NULL;
    *len = text ? fread(text, 1, GS_MAX_SOURCE, f) : 0;
    if (f)
        fclose(f);
    return text;
}

gs_status gs_cli_dis(const char *path)
{
    gs_program p;
    int rc = load(path, &p);
    if (rc != 0)
        return rc;
    size_t len = 0;
    char *source = compiled_from(path, &len);
    if (gs_disassemble(&p, source, len, stdout) != 0 && !gs_output_reader_gone(stdout))
        rc = GS_ERR_FAILED; /* a failed write: main says why */
    free(source);
    gs_program_free(&p);
    return rc;
}
