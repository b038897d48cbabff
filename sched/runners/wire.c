/* wire.c - a worker's result, encoded to go home and decoded there
 * (format in wire.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

typedef struct {
    uint32_t magic, version, result_size, nevents;
} wire_header;

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static uint64_t hash_more(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        h = (h ^ word) * FNV_PRIME;
    }
    for (; len > 0; p++, len--)
        h = (h ^ *p) * FNV_PRIME;
    return h;
}

uint64_t gs_wire_hash(const void *bytes, size_t len)
{
    return hash_more(FNV_OFFSET, bytes, len);
}

size_t gs_wire_max_size(uint32_t event_cap)
{
    return sizeof(wire_header) + sizeof(gs_worker_result) + sizeof(gs_worker_rare) +
           GS_WORKER_HISTS * GS_HIST_BUCKETS * sizeof(uint64_t) +
           (size_t)event_cap * sizeof(gs_event) + sizeof(uint64_t);
}

int gs_wire_send(const gs_worker_result *res, int (*send)(void *arg, const void *bytes, size_t len), void *arg)
{
    wire_header hdr = {GS_WIRE_MAGIC, GS_WIRE_VERSION, (uint32_t)sizeof *res, res->rec.n};
    gs_worker_result *body = malloc(sizeof *body); /* not on the stack: a modelled process's is small */
    if (!body)
        return -1;
    *body = *res;
    body->rec.events = NULL;
    body->rare = NULL;
    gs_worker_hist *sent[GS_WORKER_HISTS], *held[GS_WORKER_HISTS];
    gs_worker_hists(body, sent);
    gs_worker_hists((gs_worker_result *)res, held); /* only read */
    for (int i = 0; i < GS_WORKER_HISTS; i++)
        sent[i]->buckets = NULL;
    size_t events_len = (size_t)res->rec.n * sizeof(gs_event);
    uint64_t h = hash_more(FNV_OFFSET, &hdr, sizeof hdr);
    h = hash_more(h, body, sizeof *body);
    h = hash_more(h, res->rare, sizeof *res->rare);
    for (int i = 0; i < GS_WORKER_HISTS; i++)
        h = hash_more(h, held[i]->buckets, held[i]->len * sizeof(uint64_t));
    h = hash_more(h, res->rec.events, events_len);
    int rc = send(arg, &hdr, sizeof hdr) != 0 || send(arg, body, sizeof *body) != 0 ||
                     send(arg, res->rare, sizeof *res->rare) != 0
                 ? -1
                 : 0;
    for (int i = 0; i < GS_WORKER_HISTS && rc == 0; i++)
        if (held[i]->len)
            rc = send(arg, held[i]->buckets, held[i]->len * sizeof(uint64_t));
    if (rc == 0)
        rc = send(arg, res->rec.events, events_len) != 0 || send(arg, &h, sizeof h) != 0 ? -1 : 0;
    free(body);
    return rc;
}

int gs_wire_receive(const unsigned char *buf, size_t len, gs_worker_result *into, char why[GS_ERRMSG_MAX])
{
    wire_header hdr;
    if (len == 0) {
        snprintf(why, GS_ERRMSG_MAX, "sent no results");
        return -1;
    }
    if (len < sizeof hdr) {
        snprintf(why, GS_ERRMSG_MAX, "sent truncated results (%zu bytes)", len);
        return -1;
    }
    memcpy(&hdr, buf, sizeof hdr);
    if (hdr.magic != GS_WIRE_MAGIC || hdr.version != GS_WIRE_VERSION || hdr.result_size != sizeof *into) {
        snprintf(why, GS_ERRMSG_MAX, "sent garbage instead of results (%zu bytes that are not a gilsim result)", len);
        return -1;
    }
    if (hdr.nevents > into->rec.cap) {
        snprintf(why, GS_ERRMSG_MAX, "sent garbage instead of results (%u events, room for %u)", hdr.nevents,
                 into->rec.cap);
        return -1;
    }
    gs_worker_result body;
    if (len < sizeof hdr + sizeof body + sizeof *into->rare) {
        snprintf(why, GS_ERRMSG_MAX, "sent truncated results (%zu bytes)", len);
        return -1;
    }
    memcpy(&body, buf + sizeof hdr, sizeof body);
    gs_worker_hist *hist[GS_WORKER_HISTS];
    gs_worker_hists(&body, hist);
    size_t buckets_len = 0;
    for (int i = 0; i < GS_WORKER_HISTS; i++) {
        if (hist[i]->len > GS_HIST_BUCKETS) {
            snprintf(why, GS_ERRMSG_MAX, "sent garbage instead of results (a histogram of %u buckets)", hist[i]->len);
            return -1;
        }
        buckets_len += hist[i]->len * sizeof(uint64_t);
    }
    size_t events_len = (size_t)hdr.nevents * sizeof(gs_event);
    size_t want = sizeof hdr + sizeof body + sizeof *into->rare + buckets_len + events_len + sizeof(uint64_t);
    if (len < want) {
        snprintf(why, GS_ERRMSG_MAX, "sent truncated results (%zu of %zu bytes)", len, want);
        return -1;
    }
    if (len > want) {
        snprintf(why, GS_ERRMSG_MAX, "sent garbage after its results (%zu bytes, expected %zu)", len, want);
        return -1;
    }
    uint64_t h, sent;
    h = gs_wire_hash(buf, want - sizeof sent);
    memcpy(&sent, buf + want - sizeof sent, sizeof sent);
    if (h != sent) {
        snprintf(why, GS_ERRMSG_MAX, "sent garbled results (checksum mismatch)");
        return -1;
    }
    if (body.rec.n != hdr.nevents) { /* readers read rec.n events: it must be what was sent */
        snprintf(why, GS_ERRMSG_MAX, "sent garbage instead of results (%u events said, %u sent)", body.rec.n,
                 hdr.nevents);
        return -1;
    }
    if (body.id != into->id || body.first_unit != into->first_unit || body.units != into->units) {
        snprintf(why, GS_ERRMSG_MAX, "sent the results of another worker (%u, units %llu+%llu)", body.id,
                 (unsigned long long)body.first_unit, (unsigned long long)body.units);
        return -1;
    }
    const unsigned char *rare = buf + sizeof hdr + sizeof body;
    const unsigned char *at = rare + sizeof *into->rare;
    bool held = true, whole = true;
    for (int i = 0; i < GS_WORKER_HISTS; i++) {
        size_t n = hist[i]->len * sizeof(uint64_t);
        hist[i]->buckets = n ? malloc(n) : NULL;
        if (n && hist[i]->buckets)
            memcpy(hist[i]->buckets, at, n);
        at += n;
        held = held && (!n || hist[i]->buckets);
        whole = whole && ((n && !hist[i]->buckets) || gs_worker_hist_consistent(hist[i])); /* that is: no memory */
    }
    if (!held || !whole) {
        for (int i = 0; i < GS_WORKER_HISTS; i++)
            free(hist[i]->buckets);
        snprintf(why, GS_ERRMSG_MAX, "%s", !held ? "sent results there was no memory to keep"
                                                 : "sent garbage instead of results (a histogram that does not add up)");
        return -1;
    }
    memcpy(into->rare, rare, sizeof *into->rare);
    into->rare->error[sizeof into->rare->error - 1] = '\0';
    body.rare = into->rare;
    body.rec.events = into->rec.events;
    body.rec.cap = into->rec.cap;
    body.rec.gap = into->rec.gap;
    for (uint32_t k = 0; k < body.rec.n; k++) /* sent in order, kept in the run's chunks (recorder.h) */
        memcpy(gs_rec_slot(&body.rec, k), at + (size_t)k * sizeof(gs_event), sizeof(gs_event));
    *into = body;
    return 0;
}
