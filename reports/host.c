/* host.c - what machine the figures were measured on. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../sched/sim.h"
#include "report.h"

void gs_host_detect(gs_host *h)
{
    memset(h, 0, sizeof *h);
    h->cores = sysconf(_SC_NPROCESSORS_ONLN);
    h->allowed = gs_cpus_allowed();
    snprintf(h->cpu, sizeof h->cpu, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(h->cpu, sizeof h->cpu, "%s", colon + 2);
            h->cpu[strcspn(h->cpu, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    struct utsname u;
    snprintf(h->name, sizeof h->name, "?");
    if (uname(&u) == 0) {
        snprintf(h->os, sizeof h->os, "%s %s %s", u.sysname, u.release, u.machine);
        snprintf(h->name, sizeof h->name, "%s", u.nodename[0] ? u.nodename : "?");
    }
}

const char *gs_fmt_ns(double ns, char buf[32])
{
    if (ns >= 1e9)
        snprintf(buf, 32, "%.2f s", ns / 1e9);
    else if (ns >= 1e6)
        snprintf(buf, 32, "%.2f ms", ns / 1e6);
    else if (ns >= 1e3)
        snprintf(buf, 32, "%.0f us", ns / 1e3);
    else
        snprintf(buf, 32, "%.0f ns", ns);
    return buf;
}

long gs_usable_cores(const gs_run_config *c, const gs_host *h)
{
    if (c->sim)
        return (long)c->sim->cores;
    return c->cores ? (long)c->cores : h->allowed;
}

const char *gs_host_where(const gs_run_config *c, const gs_host *h, char buf[96])
{
    if (c->sim)
        snprintf(buf, 96, "on %u modelled cores (virtual time)", c->sim->cores);
    else if (c->cores)
        snprintf(buf, 96, "on %u of this machine's %ld cores (--cores %u)", c->cores, h->cores, c->cores);
    else if (h->allowed < h->cores)
        snprintf(buf, 96, "on %ld of this machine's %ld cores (its CPU affinity)", h->allowed, h->cores);
    else
        snprintf(buf, 96, "on this %ld-core machine", h->cores);
    return buf;
}
