/* glossary.c - the words of gilsim's figures (glossary.h). */
#include "glossary.h"
#include "report.h"

const gs_term gs_glossary[] = {
    {"speedup", "How many times as fast as one worker of the same kind doing the same total work: the one "
                "worker's wall time divided by theirs. 1.00x is no faster at all; the ideal is as many times as "
                "there are workers."},
    {"efficiency", "The speedup divided by the number of workers: 100% when 8 workers are 8 times as fast. Above "
                   "100% (113%) means the one-worker run was slowed by something else, such as a busy machine, "
                   "not that the workers helped each other."},
    {"lock held", "The share of the run's time some worker held the interpreter lock. Near 100% with several "
                  "threads means they took turns: the lock, not the cores, set the pace."},
    {"waiting for the lock", "The share of a worker's time it was ready to run bytecode while another worker "
                             "held the lock."},
    {"waiting for a core", "Ready to run, but in the operating system's run queue behind another worker or "
                           "another program on its core (Linux may keep a woken thread there while another core "
                           "idles). The lock is not to blame for this wait."},
    {"p50, p99", "Percentiles of many measured times: half of them were at most the p50 (the median), 99 in "
                 "100 at most the p99. The p99 shows the bad cases a user notices."},
    {"hand-off", "The time from one worker letting the lock go to the next one taking it: the price of a "
                 "switch."},
    {"switch interval", "How long a thread waiting for the lock lets the holder run before asking it to let go: "
                        "5 ms in CPython (sys.setswitchinterval)."},
    {"forced drop", "The holder letting the lock go because a waiter asked it to, its switch interval over. "
                    "Whoever the operating system wakes first takes the lock: mostly the waiter that asked, "
                    "which is why an I/O thread beside two CPU threads waits so long (demo convoy)."},
    {"fairness (Jain's index)", "Whether the workers got even shares of the work: 1 when all did the same, "
                                "1/n when one of n did everything. It is (sum of x) squared over n times the "
                                "sum of x squared, x being each worker's throughput."},
    {"updates lost", "Increments of a shared variable that another thread's write overwrote: both read the same "
                     "value, both wrote it plus one. The variable ends short of the updates made."},
    {"real time", "Figures measured on this machine with its clocks: they vary from run to run and with what "
                  "else the machine is doing, and gilsim says when they cannot be trusted."},
    {"virtual time", "Figures from gilsim's model of a machine (--sim): the same every run for a seed, and the "
                     "model's, not this machine's."},
};
const size_t gs_glossary_count = sizeof gs_glossary / sizeof gs_glossary[0];

void gs_glossary_text(FILE *out)
{
    for (size_t i = 0; i < gs_glossary_count; i++) {
        fprintf(out, "%s%s\n", i ? "\n" : "", gs_glossary[i].term);
        gs_wrap(out, "  ", gs_glossary[i].meaning);
    }
}
