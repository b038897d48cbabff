/* main.c - the gilsim program: picks the command, hands over, and makes
 * sure what it wrote to standard output got there.
 *
 * SIGPIPE is ignored: a reader that goes away (gilsim ... | head) is seen
 * as EPIPE, so gilsim stops writing to it, still writes its files, and
 * exits as it would have (reports/output.h says why that is not an error).
 * Any other failed write to standard output (a full disk) exits 1.
 * Standard error shows no control character but newlines and tabs,
 * whatever a message quotes (reports/output.h). */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/glossary.h"
#include "../reports/output.h"
#include "../sched/run.h"
#include "cli.h"
#include "options.h"

static gs_status command(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "run";
    if (strcmp(cmd, "asm") == 0 || strcmp(cmd, "dis") == 0) {
        gs_cli_options o;
        int rc = gs_cli_parse(argc - 1, argv + 1, cmd[0] == 'a' ? GS_CMD_ASM : GS_CMD_DIS, &o);
        if (rc != 0)
            return rc > 0 ? GS_OK : GS_ERR_USAGE;
        return cmd[0] == 'a' ? gs_cli_asm(o.operand) : gs_cli_dis(o.operand);
    }
    if (strcmp(cmd, "terms") == 0) {
        gs_cli_options o;
        int rc = gs_cli_parse(argc - 1, argv + 1, GS_CMD_TERMS, &o);
        if (rc != 0)
            return rc > 0 ? GS_OK : GS_ERR_USAGE;
        gs_glossary_text(stdout);
        return GS_OK;
    }
    if (strcmp(cmd, "__complete") == 0)
        return gs_cli_complete(argc - 1, argv + 1);
    if (strcmp(cmd, "demo") == 0)
        return gs_cli_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return gs_cli_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return gs_cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "merge") == 0)
        return gs_cli_merge(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return gs_cli_run(argc - 1, argv + 1);
    return gs_cli_run(argc, argv);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (stop_signal)
        _exit(128 + sig); /* the second signal does not wait */
    stop_signal = sig;
    gs_run_stop();
}

int gs_exit_status(gs_status s)
{
    switch (s) {
    case GS_OK:          return 0;
    case GS_ERR_FAILED:  return 1;
    case GS_ERR_USAGE:
    case GS_ERR_INPUT:   return 2;
    case GS_ERR_STOPPED: return 128 + (stop_signal ? stop_signal : SIGINT);
    }
    return 1;
}

static int saved_argc;
static char **saved_argv;

int gs_cli_argc(void) { return saved_argc; }
char *const *gs_cli_argv(void) { return saved_argv; }

/* Keeps argv as the reports record it (cli.h); a malloc failure keeps
 * none.  A plan's options (--plan, --point, ...) say where a sweep runs,
 * not what it measures: a point's command records the sweep's. */
void gs_cli_record_command(int argc, char **argv)
{
    static const char *const shown[] = {"--json", "--csv", "--trace", "--html", "--plot", "--plot-metric",
                                        "--plot-size", "--jobs", "-j", "--plan", "--slurm", "--point", "--result"};
    static const char *const flags[] = {"--timeline", "--quiet", "-q", "--no-color"};
    free(saved_argv);
    saved_argc = 0;
    saved_argv = malloc(((size_t)argc + 1) * sizeof *saved_argv);
    if (!saved_argv)
        return;
    saved_argv[saved_argc++] = "gilsim";
    for (int i = 1; i < argc; i++) {
        bool skip = false;
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
            skip |= strcmp(argv[i], flags[k]) == 0;
        for (size_t k = 0; k < sizeof shown / sizeof shown[0] && !skip; k++) {
            size_t n = strlen(shown[k]);
            bool glued = n == 2 && strncmp(argv[i], "-j", 2) == 0; /* -j4 */
            if (strncmp(argv[i], shown[k], n) == 0 && (argv[i][n] == '=' || argv[i][n] == '\0' || glued)) {
                skip = true;
                i += argv[i][n] == '\0' && i + 1 < argc; /* and its value */
            }
        }
        if (!skip)
            saved_argv[saved_argc++] = argv[i];
    }
    saved_argv[saved_argc] = NULL;
}

int main(int argc, char **argv)
{
    gs_cli_record_command(argc, argv);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal stops a run as Ctrl-C does */
    signal(SIGPIPE, SIG_IGN);
    gs_output_adopt_stdout();
    gs_output_adopt_stderr();
    gs_status rc = command(argc, argv);
    char err[GS_ERRMSG_MAX];
    if (gs_output_flush(stdout, "standard output", err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return gs_exit_status(rc == GS_OK ? GS_ERR_FAILED : rc);
    }
    return gs_exit_status(rc);
}
