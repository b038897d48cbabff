/* sim.h - the simulated machine's model: a machine (machine/machine.h) of
 * N modelled cores in virtual time, deterministic by seed (docs/design.md,
 * "Virtual time").
 *
 * The run's threads are fibers (machine/sim/fiber.h) on the calling OS
 * thread, which becomes the simulation's first thread.  machine/sim/sim.c
 * says how time passes.
 * The defaults describe the machine a class pictures: a laptop of 8 cores
 * on bare metal.  `gilsim calibrate` measures the machine it runs on and
 * prints the options that make the model that machine instead
 * (docs/calibration.md compares the two with real runs). */
#ifndef GS_SIM_H
#define GS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* The model's costs, each a duration in virtual nanoseconds, a row each:
 * its field (gs_sim_model.FIELD), its option (--OPTION), its label in the
 * text report, its default, its range, and what it models (--help).
 * Adding a cost is its row here and the line of sim/ that charges it:
 * the struct, the defaults, the options, --help, the text report, the JSON
 * and `gilsim calibrate`'s options are made from the rows, and a test
 * checks the JSON schema names every one (docs/design.md, "Adding a
 * simulated cost").  Where each default comes from ("calibrate": what
 * `gilsim calibrate` measured on the 2-core development VM):
 *   wake_ns     an idle core leaving a deep sleep state (10 to 12 us there);
 *               give or take a quarter, drawn;
 *   wake_fast_ns  the same for a core idle less than idle_poll_ns, still
 *               polling or in a shallow state (Linux's idle governor picks
 *               those after short idles; KVM guests poll, haltpoll): a
 *               bare-metal C1 exit and the interrupt, 2 to 3 us, give or
 *               take a quarter (2.4 us: where Python 2's lock changes hands
 *               at one tick in six, as real runs show one in eight; 24 to
 *               28 us in calibrate's ping-pong on the development VM,
 *               where a wake-up leaves the VM and nothing polls);
 *   idle_poll_ns  how long an idle core stays quick to wake: KVM's
 *               guest_halt_poll_ns is 200 us; bare metal's shallow states
 *               are chosen for idles of about that length;
 *   wake_cpu_ns the CPU a woken thread spends before it runs on: the
 *               kernel's return to it (2 to 4 us measured after a futex
 *               wake on the development VM, its first instructions and
 *               their misses included), the end of a wake-up's latency,
 *               spent on a core (sim.c, "Wake-ups");
 *   timer_cpu_ns  the same for a thread whose timer ended its sleep or
 *               its timed wait: the timer's interrupt and the kernel's
 *               return, the end of timer_ns.  On bare metal about what a
 *               futex wake-up costs (the default: wake_cpu_ns's); on the
 *               development VM 12 to 18 us of the sleeper's own CPU for a
 *               1 ms ppoll or a timed-out condition-variable wait, against
 *               3 to 6 us for a signalled wait (CLOCK_THREAD_CPUTIME_ID
 *               around each, medians of 400, 2026-12-06): arming a timer
 *               and taking its interrupt leave the VM;
 *   cold_ns     the caches a thread finds after sleeping past idle_poll_ns:
 *               its core went into a deep idle state, which flushes the
 *               core's own caches (Intel's and AMD's C6), or ran other
 *               threads, so its next work refills them from the shared
 *               cache: about a hundred lines, of code and of the
 *               interpreter's state, mostly one after another, near a
 *               microsecond on a bare-metal core (an estimate).
 *               calibrate's little work after a 500 us sleep and 4 MiB
 *               of other memory: 0.8 to 1.1 us there (2026-12-07, a Zen
 *               4 host; the memory alone 0.13 to 0.27 us, as calibrate
 *               measured it until then); real gilsim's lock holds there
 *               with 256 I/O-bound threads: 0.9 to 1.5 us at the median
 *               for 0.17 us of work.  It starts the convoy those 256
 *               threads fall into on 2 cores (sim.c);
 *   switch_ns   1.3 to 2 us there;
 *   slice_ns    Linux CFS's minimum granularity;
 *   syscall_ns  a futex wait (a virtual machine's are dearer: 1 us there);
 *   wake_none_ns  a futex wake while no thread is inside a futex wait on
 *               the word: a semaphore's post while its waiter counts
 *               itself one (glibc's waiter count, which makes the post
 *               call) but is not in the kernel: woken, and on its way
 *               back, or between its tries.  Linux's futex_wake returns
 *               before it takes the hash bucket's lock when the bucket
 *               counts no waiter ("futex: Avoid taking hb lock if nothing
 *               to wakeup", Linux 3.14), so this is the cheapest futex
 *               call: 150 against a wait's 210 ns on the development VM
 *               (2026-12-07, 200,000 of each, three times); the default
 *               is that share of syscall_ns's.  A waiter already inside
 *               its call to sleep has counted itself in the bucket, and a
 *               wake then takes the bucket's lock (260 to 400 ns there,
 *               sim/wake.c): syscall_ns.  It decides Python 2's battle on
 *               several cores: while the woken waiter is on its way back,
 *               each of the holder's releases is such a call, during which
 *               the lock is free for the waiter to take; charged a wait's
 *               time, the calibrated model's lock changed hands at 3.7% of
 *               its ticks (real gilsim 2.9%, Python 2.7.18 1.6%) and its
 *               battle read 2.12 (Python 2.7.18 1.70), now 3.0% and 1.96.
 *               Charging a wake of a waiter on its way so too (twentieth
 *               session) broke the race under a user lock: every update's
 *               take waited for the other thread (20.6x, real 8.5x);
 *   signal_ns   a futex wake and the interrupt to the woken one's core (6
 *               to 6.6 us there, where the interrupt leaves the VM);
 *   timer_ns    Linux's default timer slack of 50 us and a wake-up (115 to
 *               122 us there);
 *   file_io_ns  one 4 KiB read from the page cache;
 *   thread_start_ns  pthread_create's own time, the creator's: a stack
 *               (glibc keeps those of joined threads) and a clone.  A
 *               whole thread's life around nothing, created, run and
 *               joined, took 9 us on a Skylake server and 20 us on an AMD
 *               Rome one (Lemire, "Cost of a thread in C++ under Linux",
 *               2020), its start a few of those; on the development VM
 *               19 to 23 us with 20 started threads alive, each on a
 *               stack mapped for it (calibrate, 2026-12-07; 7 to 12 us
 *               when glibc gave them stacks joined threads had left),
 *               22 to 28 us of the creator's CPU with 256 (2026-12-06),
 *               where 256 threads' start takes real gilsim 5 ms;
 *   fork_ns     a fork of a small process and its pipe (0.7 to 1.1 ms per
 *               child there, where fork copies page tables through the
 *               hypervisor);
 *   collect_ns  reading a finished process's results and reaping it (0.1
 *               to 0.45 ms there);
 *   transfer_kib_ns  what CPython 3.11's multiprocessing spends per KiB of
 *               a result: pickled, piped home, unpickled (Pool.map of
 *               tasks returning bytes objects of 1 KiB to 1 MiB on the
 *               development VM: 1.56 ns a byte beyond a 27 us task; a list
 *               of ints costs ten times as much a byte);
 *   line_ns     a cache line moving from another core's cache, as a
 *               free-threaded interpreter pays for a shared object (its
 *               reference count and its lock live in the object): 40 to
 *               100 ns between cores of one x86 chip (core-to-core
 *               latency measurements; `gilsim calibrate` measures it with
 *               an atomic ping-pong between two threads);
 *   interp_start_ns  a subinterpreter's start: about 1.5 times a process's
 *               (10,000 created, called and closed from threads took 11.1 s
 *               where 10,000 processes took 7.3 s: CPython 3.13 beta on 16
 *               cores, discuss.python.org, "Expected performance
 *               characteristics of subinterpreters"), so 1.5 x fork_ns;
 *   lock_op_ns  a program's user lock taken or released (its acquire or
 *               release, as Python's threading.Lock.acquire and release):
 *               the interpreter leaves its loop, the runner takes or posts
 *               the lock's semaphore and keeps its figures, and the
 *               interpreter goes on; charged once the semaphore's count is
 *               taken or posted (runners/ulock.c), and so is each
 *               release and take of Python 2's interpreter lock at a
 *               tick, which was such a lock (lock/legacy.c).  Real gilsim on the
 *               development VM: 38 to 45 ns each (a lone thread's race
 *               with and without the lock, its 74 more instructions an
 *               update at the race's own pace, 2026-12-06; `gilsim
 *               calibrate` measures it so: 34 to 44 ns in ten runs, 35 to
 *               42 in ten more).  CPython 3.11 there: 75 ns each
 *               (400,000 updates in 85 ms under a lock, 25 ms without),
 *               of which the with statement's own calls, which the race's
 *               program makes as two calls of its own, are about half.
 *               Without it a lock cost the model nothing while nobody
 *               waited: the race under a lock ran 2.8x as long as without
 *               it, calibrated, where CPython's runs 9x as long;
 *   channel_kib_ns  a KiB of bytes through an interpreters' queue, which
 *               copies it (no pickle for bytes): memory bandwidth and the
 *               queue's work, about a quarter nanosecond a byte, an
 *               estimate (the same thread: sending to interpreters is "a
 *               lot faster" than to processes; multiprocessing here: 1.56
 *               ns a byte). */
#define GS_SIM_COSTS(X)                                                                                         \
    X(wake_ns, "wake-latency", "wake-up", 10000, 0, 1000000000ull, "a woken thread to running")                  \
    X(wake_fast_ns, "wake-fast", "quick wake-up", 2400, 0, 1000000000ull,                                        \
      "the same, on a core idle less than --idle-poll")                                                          \
    X(idle_poll_ns, "idle-poll", "idle poll", 100000, 0, 1000000000ull, "how long an idle core stays quick to wake") \
    X(wake_cpu_ns, "wake-cost", "woken thread's CPU", 2000, 0, 1000000000ull,                                    \
      "CPU a woken thread spends before it runs on")                                                             \
    X(timer_cpu_ns, "timer-cost", "timer's wake-up CPU", 2000, 0, 1000000000ull,                                \
      "the same for a thread its timer wakes")                                                                  \
    X(cold_ns, "cold-cost", "cold caches", 1000, 0, 1000000000ull,                                               \
      "the first work after a sleep past --idle-poll")                                                          \
    X(switch_ns, "switch-cost", "switch", 2000, 0, 1000000000ull, "a core changing threads")                     \
    X(slice_ns, "time-slice", "slice", 3000000, 1000, 10000000000ull,                                            \
      "when more threads are runnable than cores")                                                              \
    X(syscall_ns, "syscall-cost", "system call", 500, 0, 1000000000ull,                                          \
      "a call returning at once, as going to sleep")                                                             \
    X(wake_none_ns, "wake-none-cost", "a wake finding nobody", 350, 0, 1000000000ull,                            \
      "a wake call nobody waits in, paid by the waker")                                                          \
    X(signal_ns, "signal-cost", "waking one", 2000, 0, 1000000000ull, "waking a sleeping thread, paid by the waker") \
    X(timer_ns, "timer-latency", "timers late by", 60000, 0, 1000000000ull, "how late a timed wait or sleep ends")  \
    X(file_io_ns, "file-io", "file read", 5000, 0, 1000000000ull, "one read of --io file")                       \
    X(thread_start_ns, "thread-cost", "thread start", 5000, 0, 10000000000ull, "starting a thread, paid by its creator") \
    X(fork_ns, "fork-cost", "fork", 250000, 0, 10000000000ull, "starting a process, paid by its parent")         \
    X(collect_ns, "collect-cost", "collect", 100000, 0, 10000000000ull, "collecting a finished process's results") \
    X(transfer_kib_ns, "transfer-cost", "moving 1 KiB home", 1600, 0, 1000000000ull,                             \
      "a process's CPU per KiB it sends home (--transfer)")                                                     \
    X(line_ns, "line-transfer", "a cache line between cores", 60, 0, 1000000000ull,                              \
      "a shared object last used on another core")                                                              \
    X(interp_start_ns, "interpreter-start", "starting an interpreter", 400000, 0, 10000000000ull,                 \
      "a subinterpreter's start, in its thread")                                                                \
    X(channel_kib_ns, "channel-cost", "1 KiB through a channel", 250, 0, 1000000000ull,                            \
      "CPU per KiB an interpreter sends (--transfer)")                                                          \
    X(lock_op_ns, "lock-cost", "a user lock's take or release", 40, 0, 1000000000ull,                            \
      "CPU to take or release a user lock")

typedef struct gs_sim_model {
    uint32_t cores;          /* modelled cores (1..1024) */
    uint64_t seed;           /* the one source of every choice the OS makes */
    double instruction_ns;   /* per interpreter instruction: 1.0 by
                                default (calibrate reads 0.60 ns on the
                                2-core development VM, 2026-12-06) */
#define GS_SIM_COST_FIELD(field, option, label, dflt, min, max, what) uint64_t field;
    GS_SIM_COSTS(GS_SIM_COST_FIELD)
#undef GS_SIM_COST_FIELD
#define GS_MAX_BACKGROUND 1024
    uint32_t background;     /* other programs' threads that only compute,
                                on the modelled cores from the start
                                (--background): a busy machine */
    bool adversarial;        /* hostile schedules, to test a lock: every cost
                                drawn between half and one and a half of its
                                value, computing cut at random instructions and
                                preempted at random, and one wait in four woken
                                for no reason (a spurious wake-up) */
} gs_sim_model;

#define GS_SIM_COST_DEFAULT(field, option, label, dflt, min, max, what) .field = dflt,
#define GS_SIM_MODEL_DEFAULT \
    ((gs_sim_model){.cores = 8, .seed = 1, .instruction_ns = 1.0, GS_SIM_COSTS(GS_SIM_COST_DEFAULT)})

/* The costs as a table, for the options, --help and every output. */
typedef struct {
    const char *field;       /* "wake_ns": the JSON's name too */
    const char *option;      /* "wake-latency" */
    const char *label;       /* "wake-up" */
    uint64_t min_ns, max_ns;
    const char *what;
    size_t offset;           /* of the field in gs_sim_model */
} gs_sim_cost;

enum {
#define GS_SIM_COST_COUNT_ONE(field, option, label, dflt, min, max, what) +1
    GS_SIM_COST_COUNT = 0 GS_SIM_COSTS(GS_SIM_COST_COUNT_ONE)
#undef GS_SIM_COST_COUNT_ONE
};
extern const gs_sim_cost gs_sim_costs[GS_SIM_COST_COUNT];

static inline uint64_t gs_sim_cost_of(const gs_sim_model *m, const gs_sim_cost *c)
{
    return *(const uint64_t *)(const void *)((const char *)m + c->offset);
}

#endif
