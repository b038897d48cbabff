/* cli.h - the gilsim program's commands. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stddef.h>

/* Exit statuses (documented in the README). */
#define GS_EXIT_OK          0
#define GS_EXIT_FAILURE     1  /* a runtime failure: a worker failed, a file could not be written */
#define GS_EXIT_USAGE       2  /* bad command line or input file */
#define GS_EXIT_INTERRUPTED 130

int gs_cli_asm(const char *path);
int gs_cli_dis(const char *path);
int gs_cli_run(int argc, char **argv);
int gs_cli_sweep(int argc, char **argv);
int gs_cli_demo(int argc, char **argv);
int gs_cli_calibrate(int argc, char **argv);
/* `gilsim __complete WORD...`: candidates for shell completion (complete.c). */
int gs_cli_complete(int argc, char **argv);

/* The i-th demonstration's name, or NULL past the last. */
const char *gs_cli_demo_name(size_t i);

#endif
