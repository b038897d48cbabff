/* sim.h - the simulated machine: an operating system (os.h) of N modelled
 * cores in virtual time, deterministic by seed (DESIGN.md section 8).
 *
 * The run's threads are fibers (fiber.h) on the calling OS thread, which
 * becomes the simulation's first thread.  os_sim.c says how time passes.
 * The defaults describe the machine a class pictures: a laptop of 8 cores
 * on bare metal.  `gilsim calibrate` measures the machine it runs on and
 * prints the options that make the model that machine instead
 * (docs/calibration.md compares the two with real runs).  Each default,
 * and where it comes from: */
#ifndef GS_SIM_H
#define GS_SIM_H

#include <stdbool.h>
#include <stdint.h>


typedef struct gs_sim_model {
    uint32_t cores;          /* modelled cores (1..1024) */
    uint64_t seed;           /* the one source of every choice the OS makes */
    double instruction_ns;   /* per interpreter instruction: 1.0 (calibrate:
                                0.8 to 1.2 ns on the 2-core development VM) */
    uint64_t wake_ns;        /* from the call that wakes a sleeping thread to
                                its running, give or take a quarter: 10 us, an
                                idle core leaving its sleep state (calibrate:
                                10 to 12 us there) */
    uint64_t switch_ns;      /* a core changing threads: 2 us (1.3 to 2) */
    uint64_t slice_ns;       /* a time slice when more threads are runnable
                                than there are cores: 3 ms, Linux CFS's
                                minimum granularity */
    uint64_t syscall_ns;     /* a system call that wakes nobody, as going to
                                sleep (a futex wait): 500 ns (a virtual
                                machine's are dearer: 1 us there) */
    uint64_t signal_ns;      /* waking a sleeping thread, paid by the waker
                                (a futex wake, an interrupt to the woken
                                one's core): 2 us (6 to 6.6 us there, where
                                the interrupt leaves the virtual machine) */
    uint64_t timer_ns;       /* how late a timed wait or a sleep ends, past
                                its deadline: 60 us, Linux's default timer
                                slack of 50 us and a wake-up (115 to 122 us
                                there) */
    uint64_t file_io_ns;     /* one 4 KiB read from the page cache: 5 us */
    uint64_t fork_ns;        /* starting a process, paid by its parent: 250 us,
                                a fork of a small process and its pipe (0.7 to
                                1.1 ms per child there, where fork copies page
                                tables through the hypervisor) */
    uint64_t collect_ns;     /* reading a finished process's results and
                                reaping it: 100 us (0.1 to 0.45 ms there) */
    bool adversarial;        /* hostile schedules, to test a lock: every cost
                                drawn between half and one and a half of its
                                value, computing cut at random instructions and
                                preempted at random, and one wait in four woken
                                for no reason (a spurious wake-up) */
} gs_sim_model;

#define GS_SIM_MODEL_DEFAULT                                                                 \
    ((gs_sim_model){.cores = 8, .seed = 1, .instruction_ns = 1.0, .wake_ns = 10000,         \
                    .switch_ns = 2000, .slice_ns = 3000000, .syscall_ns = 500, .signal_ns = 2000,          \
                    .timer_ns = 60000, .file_io_ns = 5000,                                   \
                    .fork_ns = 250000, .collect_ns = 100000})

#endif
