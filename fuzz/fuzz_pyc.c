/* fuzz_pyc.c - libFuzzer target: the Python front end on any bytes.
 * Whatever the input, compiling must give assembly or a message, never
 * crash, leak or read out of bounds; and assembly it gives must assemble
 * and verify (a program the front end accepts is one gilsim can run). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm.h"
#include "pyc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *gsa = NULL, err[GS_ERRMSG_MAX];
    if (gs_pyc_compile((const char *)data, size, "fuzz.py", &gsa, err) != 0) {
        if (!memchr(err, '\0', sizeof err) || err[0] == '\0')
            abort(); /* a failure always says why */
        return 0;
    }
    gs_program p;
    if (gs_load_source(gsa, strlen(gsa), "fuzz.py", &p, err) != 0) {
        fprintf(stderr, "the front end wrote assembly that does not load: %s\n%s", err, gsa);
        abort();
    }
    gs_program_free(&p);
    free(gsa);
    return 0;
}
