/* fuzz_asm.c - libFuzzer target: the assembler and the verifier on any
 * bytes.  Whatever the input, loading must return a program or a message,
 * never crash, leak or read out of bounds; and a program that loads must
 * disassemble to text that loads again to the same bytecode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "dis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gs_program p, again;
    char err[GS_ERRMSG_MAX];
    if (gs_load_source((const char *)data, size, "fuzz.gsa", &p, err) != 0) {
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
            abort(); /* a failure always says why */
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f || gs_disassemble(&p, NULL, 0, f) != 0)
        abort();
    fclose(f);
    if (gs_load_source(text, len, "dis.gsa", &again, err) != 0) {
        fprintf(stderr, "disassembly does not load again: %s\n%s", err, text);
        abort();
    }
    if (again.ncode != p.ncode || memcmp(again.code, p.code, p.ncode * sizeof *p.code) != 0) {
        fprintf(stderr, "disassembly loads to other bytecode:\n%s", text);
        abort();
    }
    free(text);
    gs_program_free(&again);
    gs_program_free(&p);
    return 0;
}
