/* cli.h - the gilsim program's commands. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stddef.h>

/* Exit statuses (documented in the README and the manual page). */
#define GS_EXIT_OK          0
#define GS_EXIT_FAILURE     1  /* a runtime failure: a worker failed, a file could not be written */
#define GS_EXIT_USAGE       2  /* bad command line or input file */

/* A signal that stops gilsim (SIGINT, SIGTERM, SIGHUP: main.c catches
 * them from the start) asks every run to stop; a second one exits at
 * once.  The exit status of a stopped command: 128 + the signal's number,
 * as a shell reports a process the signal killed (130 for Ctrl-C, 143 for
 * SIGTERM, 129 for SIGHUP). */
int gs_cli_stopped_status(void);

/* gilsim's command line as the reports keep it, so that a file says how
 * to make it again: "gilsim", then the arguments as given, less those that
 * change where and how the figures are shown but not the figures (the
 * outputs, --timeline, --quiet, --no-color, --jobs).  Two runs with the
 * same options record the same command, whatever files they wrote. */
int gs_cli_argc(void);
char *const *gs_cli_argv(void);

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
