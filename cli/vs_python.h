/* vs_python.h - `--vs-python`: a .py workload under real python3, beside
 * gilsim's figures (see vs_python.c). */
#ifndef GS_VS_PYTHON_H
#define GS_VS_PYTHON_H

#include <stdbool.h>

#include "../sched/experiment.h"

/* Whether python3 is on PATH; its path in path. */
bool gs_vs_python_available(char path[4096]);

/* Runs program (the experiment's .py file) under python3 as e ran it and
 * prints the two side by side.  Returns 0, or -1 after saying why (python3
 * missing or failing, or checksums that differ). */
int gs_vs_python(const char *program, const gs_experiment *e);

#endif
