/* cli.h - the gilsim program's commands. */
#ifndef GS_CLI_H
#define GS_CLI_H

#include <stddef.h>

/* The commands, each a bit, so that a table can say which take a thing. */
typedef enum {
    GS_CMD_RUN = 1,
    GS_CMD_SWEEP = 2,
    GS_CMD_DEMO = 4,
    GS_CMD_CALIBRATE = 8,
    GS_CMD_ASM = 16,
    GS_CMD_DIS = 32,
    GS_CMD_TERMS = 64,
    GS_CMD_MERGE = 128,
} gs_command;

/* How a command ended: each command returns one, and gs_exit_status is
 * the one place that turns it into gilsim's exit status (documented in
 * the README, in --help and so in the manual page).  The layers below say
 * what went wrong in a message (err[GS_ERRMSG_MAX]); the command knows
 * which of these it was. */
typedef enum {
    GS_OK = 0,      /* 0 */
    GS_ERR_FAILED,  /* 1: a worker failed, an output could not be written,
                       the machine refused what the run needed */
    GS_ERR_USAGE,   /* 2: a bad command line */
    GS_ERR_INPUT,   /* 2: a program file that is not a valid program */
    GS_ERR_STOPPED, /* 128 + the signal: SIGINT, SIGTERM or SIGHUP stopped
                       it (main.c catches them from the start; a second one
                       exits at once): 130 for Ctrl-C, 143, 129, as a shell
                       reports a process the signal killed */
} gs_status;

int gs_exit_status(gs_status s);

/* gilsim's command line as the reports keep it, so that a file says how
 * to make it again: "gilsim", then the arguments as given, less those that
 * change where and how the figures are shown but not the figures (the
 * outputs, --timeline, --quiet, --no-color, --jobs).  Two runs with the
 * same options record the same command, whatever files they wrote. */
int gs_cli_argc(void);
char *const *gs_cli_argv(void);
/* Records argv (argv[0] "gilsim") as the command line the reports keep:
 * gilsim merge records the sweep its plan asked for. */
void gs_cli_record_command(int argc, char **argv);

gs_status gs_cli_asm(const char *path);
gs_status gs_cli_dis(const char *path);
gs_status gs_cli_run(int argc, char **argv);
gs_status gs_cli_sweep(int argc, char **argv);
gs_status gs_cli_merge(int argc, char **argv);
gs_status gs_cli_demo(int argc, char **argv);
gs_status gs_cli_calibrate(int argc, char **argv);
/* `gilsim __complete WORD...`: candidates for shell completion (complete.c). */
gs_status gs_cli_complete(int argc, char **argv);

/* The i-th demonstration's name (NULL past the last), and what it shows. */
const char *gs_cli_demo_name(size_t i);
const char *gs_cli_demo_about(size_t i);

#endif
