/* embedded.h - the program files of workloads/programs, compiled in. */
#ifndef GS_EMBEDDED_H
#define GS_EMBEDDED_H

typedef struct {
    const char *name; /* file name without extension: "countdown" */
    const char *text; /* the assembly source */
} gs_embedded_program;

/* Ends with {NULL, NULL}. */
extern const gs_embedded_program gs_embedded_programs[];
/* python/: gilsim's module for python3 and the --vs-python runner. */
extern const gs_embedded_program gs_embedded_python[];

#endif
