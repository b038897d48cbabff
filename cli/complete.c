/* complete.c - `gilsim __complete WORD...`: what may come next on a command
 * line, for the bash completion in completion/gilsim.bash.
 *
 * The words are those after `gilsim`, the last one being the word under
 * the cursor (empty when it is a new word).  The candidates come from the
 * tables that parsing and --help use (the option table, the policy, mode,
 * I/O kind, workload, metric and demonstration names), so completion
 * cannot offer what gilsim would refuse, nor miss what it accepts.  One
 * candidate per line; "__files__" where a file name goes, for the shell to
 * complete.  Not listed in --help: it is for the shell, not for people. */
#include <stdio.h>
#include <string.h>

#include "../interp/opcodes.h"
#include "../reports/report.h"
#include "cli.h"
#include "options.h"

static void print_list(const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i])
            puts(names[i]);
}

static void print_option(const char *name, gs_value_kind value, void *arg)
{
    (void)value, (void)arg;
    printf("--%s\n", name);
}

typedef struct {
    const char *wanted; /* an option's name, without "--" */
    gs_value_kind value;
    int found;
} lookup;

static void find_option(const char *name, gs_value_kind value, void *arg)
{
    lookup *l = arg;
    if (strcmp(name, l->wanted) == 0) {
        l->value = value;
        l->found = 1;
    }
}

/* The values an option of this kind takes. */
static void print_values(gs_value_kind value)
{
    switch (value) {
    case GS_VALUE_FILE:      puts("__files__"); break;
    case GS_VALUE_POLICY:    print_list(gs_gil_policy_names, GS_GIL_POLICY_COUNT); break;
    case GS_VALUE_IO:        print_list(gs_io_kind_names, GS_IO_KIND_COUNT); break;
    case GS_VALUE_MODES:     print_list(gs_mode_names, GS_MODE_COUNT); break;
    case GS_VALUE_WORKLOADS: print_list(gs_workload_sweep_names, GS_WORKLOAD_SWEEP_NAMES); break;
    case GS_VALUE_METRIC:    print_list(gs_plot_metric_names, GS_PLOT_METRIC_COUNT); break;
    default:                 break; /* a number or a duration: nothing to offer */
    }
}

gs_status gs_cli_complete(int argc, char **argv)
{
    int n = argc - 1; /* the words after "__complete" */
    char **words = argv + 1;
    if (n < 1)
        return GS_OK;
    const char *cur = words[n - 1], *prev = n >= 2 ? words[n - 2] : NULL;
    if (n == 1 && cur[0] != '-') {
        for (size_t i = 0; gs_cli_command_name(i); i++)
            puts(gs_cli_command_name(i));
        return GS_OK;
    }
    gs_command cmd = gs_cli_command_named(words[0]);
    if (!cmd) /* options straight after gilsim: a run's */
        cmd = GS_CMD_RUN;
    if (prev && strncmp(prev, "--", 2) == 0) {
        lookup l = {.wanted = prev + 2};
        gs_cli_each_option(cmd, find_option, &l);
        if (l.found && l.value != GS_VALUE_NONE) {
            print_values(l.value);
            return GS_OK;
        }
    }
    if (cur[0] != '-' && cmd == GS_CMD_DEMO) { /* the operands */
        for (size_t i = 0; gs_cli_demo_name(i); i++)
            puts(gs_cli_demo_name(i));
        return GS_OK;
    }
    if (cur[0] != '-' && (cmd == GS_CMD_ASM || cmd == GS_CMD_DIS)) {
        puts("__files__");
        return GS_OK;
    }
    gs_cli_each_option(cmd, print_option, NULL);
    return GS_OK;
}
