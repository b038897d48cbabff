/* wire.h - a worker's result, sent home from a child process to its parent.
 *
 * FORMAT (integers in the host's byte order: both ends are one program on
 * one machine, the child started by the parent)
 *   header   u32 magic GS_WIRE_MAGIC, u32 version GS_WIRE_VERSION,
 *            u32 size of gs_worker_result, u32 number of events n
 *   body     the gs_worker_result, its pointers zeroed (the recorder's events,
 *            its histograms' buckets, its rare fields)
 *   rare     its gs_worker_rare: user locks, shared variables, error
 *   buckets  each histogram's window of buckets, len u64 each (its len is in
 *            the body): lock wait, hold, hand-off, I/O latency, loop lag
 *   events   n gs_event
 *   trailer  u64 hash of everything before it (FNV-1a over 64-bit words)
 * The parent accepts a message only if every part is there and nothing
 * follows, the sizes are this build's, the events fit the buffer it gave
 * the worker, the hash matches, the body counts the events sent, the
 * worker id and units are the ones the child was sent to do, and every
 * histogram adds up (hist.h).  Anything else is reported as truncated or as
 * garbage, never half-believed. */
#ifndef GS_WIRE_H
#define GS_WIRE_H

#include <stddef.h>

#include "../run.h"

#define GS_WIRE_MAGIC   0x31525347u /* "GSR1" */
#define GS_WIRE_VERSION 4u

/* The trailer's hash of len bytes: what a whole message ends with (the
 * fuzzer makes whole messages with it). */
uint64_t gs_wire_hash(const void *bytes, size_t len);

/* The largest message a worker with room for event_cap events sends. */
size_t gs_wire_max_size(uint32_t event_cap);

/* Sends res, whose events are in a buffer of their own (gap 0: a
 * child's), in pieces, each through send(arg, bytes, len), which returns
 * 0 or -1.  Returns 0, or -1 at the first piece that failed. */
int gs_wire_send(const gs_worker_result *res, int (*send)(void *arg, const void *bytes, size_t len), void *arg);

/* Decodes the len bytes in buf into *into, which holds what the parent
 * expects: id, first_unit, units and an event buffer of into->rec.cap,
 * its chunks where into->rec says (recorder.h).
 * Returns 0, or -1 with the reason in why (into unchanged). */
int gs_wire_receive(const unsigned char *buf, size_t len, gs_worker_result *into, char why[GS_ERRMSG_MAX]);

#endif
