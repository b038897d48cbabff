/* fuzz_wire.c - libFuzzer target: what a parent makes of a child's result
 * (runners/wire.h).  The input is the body and what follows it, padded
 * with zeros to a whole body and rare block when shorter; the target gives it a right
 * header and a right trailer's hash, so the fuzzer spends its time past
 * them, on the sizes and the histograms a damaged or hostile child could
 * send.  Whatever is accepted must be safe to read: every
 * histogram's percentiles, means and merge into a whole one, the events. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "runners/wire.h"

#define EVENT_CAP (GS_REC_CHUNK + 4u) /* past one chunk: the receiver puts the rest after another worker's */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint32_t header[4] = {GS_WIRE_MAGIC, GS_WIRE_VERSION, (uint32_t)sizeof(gs_worker_result),
                                size ? data[0] % (EVENT_CAP + 2) : 0};
    const size_t least = sizeof(gs_worker_result) + sizeof(gs_worker_rare);
    size_t body = size > least ? size : least;
    size_t len = sizeof header + body + sizeof(uint64_t);
    unsigned char *msg = calloc(1, len);
    if (!msg)
        return 0;
    memcpy(msg, header, sizeof header);
    memcpy(msg + sizeof header, data, size);
    uint64_t h = gs_wire_hash(msg, len - sizeof h);
    memcpy(msg + len - sizeof h, &h, sizeof h);

    static gs_worker_result got;
    static gs_worker_rare rare;
    static gs_event events[2 * EVENT_CAP + GS_REC_CHUNK]; /* the worker's chunks, and another's between (recorder.h) */
    static gs_hist whole;
    gs_worker_result want;
    memset(&want, 0, sizeof want);
    memcpy(&want, msg + sizeof header, offsetof(gs_worker_result, failed)); /* the id and units it claims are the parent's */
    want.rec = (gs_recorder){.events = events, .cap = EVENT_CAP, .gap = 1};
    want.rare = &rare;
    got = want;
    char why[GS_ERRMSG_MAX];
    if (gs_wire_receive(msg, len, &got, why) == 0) {
        gs_worker_hist *hists[GS_WORKER_HISTS];
        gs_worker_hists(&got, hists);
        uint64_t seen = 0;
        for (size_t i = 0; i < GS_WORKER_HISTS; i++) {
            memset(&whole, 0, sizeof whole);
            gs_hist_merge_worker(&whole, hists[i]);
            seen += gs_worker_hist_percentile(hists[i], 50) + gs_worker_hist_percentile(hists[i], 99) +
                    (uint64_t)gs_worker_hist_mean(hists[i]) + gs_hist_percentile(&whole, 99);
        }
        for (uint32_t e = 0; e < got.rec.n; e++)
            seen += gs_rec_event(&got.rec, e)->t_ns;
        if (got.rare != &rare || strlen(rare.error) >= sizeof rare.error)
            abort();
        (void)seen;
        gs_worker_result_free(&got);
    }
    free(msg);
    return 0;
}
