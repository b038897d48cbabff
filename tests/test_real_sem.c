/* test_real_sem.c - the real machine's semaphore (sched/machine/real/
 * sem.c), which Python 2's lock and every user lock are made of.  Workers
 * only record what they saw; the test thread asserts after joining
 * (cmocka's failure state is per thread). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdir.h"

#include "machine/real/clock.h"
#include "machine/real/real.h"
#include "machine/machine.h"

/* As a lock (a count of one) the semaphore lets one holder in at a time,
 * through waits that sleep and wake; a try never sleeps; a wait with a
 * deadline gives up, not before it. */
typedef struct {
    gs_os *os;
    gs_sem *sem;
    _Atomic int *inside;
    uint32_t violations, rounds;
} sem_user;

static void *use_sem(void *arg)
{
    sem_user *u = arg;
    for (uint32_t i = 0; i < u->rounds; i++) {
        gs_sem_waited how;
        if (!u->os->ops->sem_wait(u->os, u->sem, GS_NO_DEADLINE, &how))
            u->violations++; /* no deadline: it must take one */
        if (atomic_fetch_add(u->inside, 1) != 0)
            u->violations++;
        for (volatile int k = 0; k < 50; k++)
            ;
        atomic_fetch_sub(u->inside, 1);
        u->os->ops->sem_post(u->os, u->sem);
    }
    return NULL;
}

static void test_semaphore_excludes_and_gives_up(void **state)
{
    (void)state;
    gs_os *os = gs_os_real();
    gs_sem *sem = os->ops->sem_new(os, 0);
    gs_sem_waited how;
    assert_false(os->ops->sem_wait(os, sem, 0, &how));
    assert_false(how.slept);
    uint64_t deadline = gs_now_ns() + 2000000;
    assert_false(os->ops->sem_wait(os, sem, deadline, &how));
    assert_true(how.slept);
    assert_true(gs_now_ns() >= deadline);
    os->ops->sem_post(os, sem);

    enum { USERS = 4 };
    _Atomic int inside = 0;
    sem_user u[USERS];
    pthread_t t[USERS];
    for (int i = 0; i < USERS; i++) {
        u[i] = (sem_user){.os = os, .sem = sem, .inside = &inside, .rounds = 20000};
        assert_int_equal(pthread_create(&t[i], NULL, use_sem, &u[i]), 0);
    }
    for (int i = 0; i < USERS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(u[i].violations, 0);
    }
    assert_true(os->ops->sem_wait(os, sem, 0, &how)); /* the count of one is back */
    assert_false(os->ops->sem_wait(os, sem, 0, &how));
    os->ops->sem_free(os, sem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semaphore_excludes_and_gives_up),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
