/* error.h - the one shape of an error message in gilsim: a function that
 * can fail returns 0, or -1 with what went wrong in err[GS_ERRMSG_MAX],
 * written for the person reading it (the file and line of a bad program,
 * the option and the value refused, the call the system refused and why).
 * Which kind of failure it was, and so the exit status, the command that
 * called it knows and says (cli/cli.h, gs_status).  A failure that means a
 * bug in gilsim or a broken system is not returned: it stops the program
 * with gs_fatal (sched/machine/machine.h). */
#ifndef GS_ERROR_H
#define GS_ERROR_H

#define GS_ERRMSG_MAX 512

#endif
