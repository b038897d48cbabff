/* main.c - the gilsim program: picks the command, hands over. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "run";
    if (strcmp(cmd, "asm") == 0 || strcmp(cmd, "dis") == 0) {
        if (argc != 3) {
            fprintf(stderr, "gilsim: usage: gilsim %s FILE\n", cmd);
            return GS_EXIT_USAGE;
        }
        return cmd[0] == 'a' ? gs_cli_asm(argv[2]) : gs_cli_dis(argv[2]);
    }
    if (strcmp(cmd, "demo") == 0)
        return gs_cli_demo(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return gs_cli_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0)
        return gs_cli_run(argc - 1, argv + 1);
    return gs_cli_run(argc, argv);
}
