/* helpers.h - what the runner tests share: loading workloads, a default
 * configuration, and the invariants every finished run must satisfy in
 * every mode.  Failures are reported with cmocka from the test's thread. */
#ifndef GS_TEST_HELPERS_H
#define GS_TEST_HELPERS_H

#include "run.h"

gs_workload load_kind(gs_workload_kind kind, gs_io_kind io);
/* The same, its size where it is timed (the mixed workload's CPU part) at
 * instruction_ns an instruction, as on a modelled machine (0: this one's
 * own, measured), so that a virtual run's workload is the same on every
 * machine and build. */
gs_workload load_modelled(gs_workload_kind kind, gs_io_kind io, double instruction_ns);
/* A workload from assembly text, named t.gsa; main takes what the text says. */
gs_workload load_text(const char *src);

/* mode, workers and total work; 1 ms interval, 100 us I/O latency. */
gs_run_config run_config(gs_mode mode, const gs_workload *w, uint32_t workers, uint64_t work);

/* Every worker finished; units add up to total; the lock figures agree
 * with each other and with the wall time, as the mode allows. */
void check_consistent(const gs_run_result *r, uint64_t total_units);

/* Runs kind with workers in mode and checks the checksum against the
 * sequential run, the I/O count against the program (one per unit for the
 * I/O workloads), and check_consistent. */
void expect_checksum(gs_mode mode, gs_workload_kind kind, gs_io_kind io, uint32_t workers, uint64_t work);

/* One worker of four divides by zero: it alone fails, with its frames; the
 * others' results are intact. */
void expect_one_runtime_error(gs_mode mode);

/* --cores: with 1, every worker could run on one CPU only; without, on
 * all the runner may use; more than that is refused. */
void expect_pinned(gs_mode mode);

/* Endless workers are stopped by the timeout, each reported so. */
void expect_timeout_stops(gs_mode mode, uint32_t workers);

/* Events are kept up to the cap, counted beyond it, and in time order. */
void expect_events_bounded(gs_mode mode);

/* The most workers in one state at a moment, from their events: a worker
 * is in it from an event in enter (bits 1 << gs_event_type) until one in
 * leave. */
uint32_t max_concurrent(const gs_run_result *r, uint32_t enter, uint32_t leave);
#define EV(type) (1u << GS_EV_##type)

#endif
