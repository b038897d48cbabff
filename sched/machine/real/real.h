/* real.h - what the real machine's files share (private to real/): the
 * processes (procs.c) and the event loop (loop.c), each the operations of
 * the table real.c fills. */
#ifndef GS_REAL_H
#define GS_REAL_H

#include "../machine.h"

uint32_t gs_real_procs_start(gs_os *os, gs_procs **g, uint32_t n, int (*child)(uint32_t i, void *arg, gs_home *home),
                             void *arg, size_t max_message, char err[GS_ERRMSG_MAX]);
void gs_real_procs_release(gs_os *os, gs_procs *g, bool go);
bool gs_real_procs_wait(gs_os *os, gs_procs *g, uint64_t deadline_ns, gs_proc_end *ends);
void gs_real_procs_free(gs_os *os, gs_procs *g);
int gs_real_home_send(gs_os *os, gs_home *h, const void *bytes, size_t len);
int gs_real_home_transfer(gs_os *os, gs_home *h, uint64_t bytes);
void gs_real_home_on_stop(gs_os *os, gs_home *h, void (*stop)(void *arg, bool interrupted), void *arg);

gs_sem *gs_real_sem_new(gs_os *os, uint32_t value);
bool gs_real_sem_wait(gs_os *os, gs_sem *s, uint64_t deadline_ns, gs_sem_waited *how);
void gs_real_sem_post(gs_os *os, gs_sem *s);
void gs_real_sem_free(gs_os *os, gs_sem *s);

gs_loop *gs_real_loop_open(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX]);
int gs_real_loop_submit(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX]);
uint32_t gs_real_loop_wait(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block);
void gs_real_loop_wake(gs_os *os, gs_loop *l);
void gs_real_loop_close(gs_os *os, gs_loop *l);

/* A condition variable whose timed waits take CLOCK_MONOTONIC deadlines,
 * so a change of the wall clock cannot stretch or cut a switch interval. */
#include <pthread.h>
void gs_cond_init_monotonic(pthread_cond_t *cond);

#define GS_PTHREAD(call)                          \
    do {                                          \
        int rc_ = (call);                         \
        if (rc_ != 0)                             \
            gs_fatal(#call, rc_);                 \
    } while (0)

#endif
