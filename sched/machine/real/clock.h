/* clock.h - the clocks every figure is measured with. */
#ifndef GS_CLOCK_H
#define GS_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic nanoseconds: comparable across the threads of one process, and
 * (CLOCK_MONOTONIC being system-wide) across forked processes too. */
static inline uint64_t gs_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread, in nanoseconds. */
static inline uint64_t gs_thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline struct timespec gs_timespec_after(uint64_t ns_from_now)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t nsec = (uint64_t)ts.tv_nsec + ns_from_now;
    ts.tv_sec += (time_t)(nsec / 1000000000u);
    ts.tv_nsec = (long)(nsec % 1000000000u);
    return ts;
}

#endif
