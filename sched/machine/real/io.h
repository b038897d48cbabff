/* io.h - the real machine's I/O: the blocking operations behind the io
 * instruction (private to real/).
 *
 * Every kind returns the request's token, carried through the operation
 * itself, so the programs' checksums prove each I/O really happened:
 *   sleep  clock_nanosleep of the configured latency;
 *   pipe   the token goes through a socketpair to an echo peer thread,
 *          which waits the latency and writes it back;
 *   file   one 4 KiB block of an unlinked temporary file is read with pread;
 *          the block names its own index, which is checked.  The latency is
 *          the disk's (usually the page cache's), not configurable.
 * Blocking calls here are made with the lock dropped, as CPython wraps
 * them in Py_BEGIN_ALLOW_THREADS.  Every wait (a sleep, the echo, the
 * peer's latency) also watches the run's stop, an eventfd that
 * gs_io_stop sets: a stopped run never waits out a 10 s latency.
 *
 * Threading: gs_io_perform for worker w may be called only by worker w's
 * thread; different workers may call it at once. */
#ifndef GS_IO_H
#define GS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "../../../interp/asm.h"
#include "../../../interp/opcodes.h"

#define GS_IO_BLOCK  4096u
#define GS_IO_BLOCKS 64u

#include "../machine.h"

/* Prepares what the kinds in the kinds bit set need for nworkers workers
 * (echo peers, the temporary file).  Returns NULL with a message. */
gs_io *gs_io_open(unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX]);

/* Performs one request.  Returns 0 with *result, -1 with a message, or
 * GS_IO_STOPPED (machine.h) once gs_io_stop was called (a sleep or a wait
 * for the echo ends at once then). */
int gs_io_perform(gs_io *io, uint32_t worker, gs_io_kind kind, int64_t token, int64_t *result,
                  char err[GS_ERRMSG_MAX]);

/* Ends every sleep and wait of io's requests now and from now on (the run
 * is being stopped: --timeout, an interrupt).  Async-signal-safe, and
 * callable from any thread. */
void gs_io_stop(gs_io *io);

/* For runners that do the operations themselves (the libuv loop). */
int gs_io_pipe_fd(const gs_io *io, uint32_t worker); /* the worker's end */
int gs_io_file_fd(const gs_io *io);
uint64_t gs_io_latency_ns(const gs_io *io);
int64_t gs_io_file_offset(int64_t token);
/* Checks a block read for token; returns 0, or -1 with a message. */
int gs_io_check_block(const unsigned char *block, int64_t token, char err[GS_ERRMSG_MAX]);

/* Writes all len bytes, retrying after signals.  Returns 0, or -1 with errno. */
int gs_write_all(int fd, const void *buf, size_t len);

/* Reads all len bytes, retrying after signals.  Returns 1 when it did, 0
 * at an end of file before any, -1 otherwise. */
int gs_read_all(int fd, void *buf, size_t len);

/* Stops the echo peers and closes everything. */
void gs_io_close(gs_io *io);

#endif
