/* takers.c - how often Python 2's lock changes hands, seen from outside:
 * preloaded into python2.7 (LD_PRELOAD) by gilsim-bench's fidelity
 * section, it wraps sem_wait, counts each semaphore's takes and how many
 * of them were by another thread than the last taker, and at exit writes
 * the most-taken semaphore's two counts to the file GILSIM_TAKERS names.
 *
 * Python 2's interpreter lock on Linux is a POSIX semaphore, taken with
 * sem_wait at every check interval (Python/thread_pthread.h,
 * USE_SEMAPHORES): in the battle it is by far the most-taken one (once a
 * tick: 891,137 times for lessons.py's `battle 2 3000`).  A Python program
 * cannot see the change of hands, which is why this is C.
 *
 * A take costs two atomic operations more and a thread-local read: the
 * battle it measures took 0.60 to 0.65 s preloaded, 0.62 to 0.66 s not
 * (the development VM, 2026-12-05).  The file is opened only if it
 * exists, and not through a link: the bench makes it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT */
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { SEMAPHORES = 64 }; /* Python 2 makes a few; the rest go uncounted */

static struct {
    _Atomic(sem_t *) sem;
    atomic_long takes, changes, last;
} counts[SEMAPHORES];

static int (*real_sem_wait)(sem_t *);

/* sem's entry, claimed on its first take; NULL when the table is full. */
static __typeof__(counts[0]) *entry(sem_t *sem)
{
    for (int i = 0; i < SEMAPHORES; i++) {
        sem_t *had = atomic_load(&counts[i].sem);
        if (!had && atomic_compare_exchange_strong(&counts[i].sem, &had, sem))
            return &counts[i];
        if (had == sem)
            return &counts[i];
    }
    return NULL;
}

int sem_wait(sem_t *sem)
{
    if (!real_sem_wait)
        real_sem_wait = (int (*)(sem_t *))dlsym(RTLD_NEXT, "sem_wait");
    int rc = real_sem_wait(sem);
    static __thread long me;
    if (!me)
        me = syscall(SYS_gettid);
    __typeof__(counts[0]) *e = rc == 0 ? entry(sem) : NULL;
    if (e) {
        atomic_fetch_add_explicit(&e->takes, 1, memory_order_relaxed);
        long last = atomic_exchange_explicit(&e->last, me, memory_order_relaxed);
        if (last && last != me)
            atomic_fetch_add_explicit(&e->changes, 1, memory_order_relaxed);
    }
    return rc;
}

__attribute__((destructor)) static void write_counts(void)
{
    const char *path = getenv("GILSIM_TAKERS");
    long takes = 0, changes = 0;
    for (int i = 0; i < SEMAPHORES && atomic_load(&counts[i].sem); i++)
        if (atomic_load(&counts[i].takes) > takes) {
            takes = atomic_load(&counts[i].takes);
            changes = atomic_load(&counts[i].changes);
        }
    if (!path || !*path || takes == 0)
        return;
    int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    char line[64];
    int n = snprintf(line, sizeof line, "%ld %ld\n", takes, changes);
    if (n > 0 && write(fd, line, (size_t)n) != n)
        n = -1;
    close(fd);
}
