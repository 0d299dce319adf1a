/*
 * libFuzzer target for the event-stream parser. The first input byte
 * picks the piece sizes and the event buffer size; the rest is the stream.
 *
 * Beyond "no crash": the events of a whole feed and of a split feed must
 * be identical, delivered data never exceeds the buffer, types are never
 * empty, ids never hold NUL, and every delivered text is valid UTF-8 (the
 * parser repairs what the server sent).
 */
#include "tether/sse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct record {
    uint32_t hash;          /* of every event's type, id and data */
    unsigned long events;
    size_t cap;
} record;

static uint32_t mix(uint32_t h, const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return (h ^ 0xff) * 16777619u;
}

static int utf8_ok(const char *p, size_t n)
{
    /* RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF */
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        size_t k, need;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else
            return 0;
        if (i + need >= n)
            return 0;
        for (k = 1; k <= need; k++) {
            unsigned char d = (unsigned char)p[i + k];
            if (d < lo || d > hi)
                return 0;
            lo = 0x80;
            hi = 0xbf;
        }
        i += need + 1;
    }
    return 1;
}

static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    record *r = user;
    (void)err;
    if (ev->data_len > r->cap || ev->type_len == 0 || ev->type_len >= TT_SSE_TYPE_MAX ||
        ev->id_len >= TT_SSE_ID_MAX || memchr(ev->id, '\0', ev->id_len) != NULL ||
        !utf8_ok(ev->type, ev->type_len) || !utf8_ok(ev->id, ev->id_len) ||
        !utf8_ok(ev->data, ev->data_len))
        abort();
    r->hash = mix(r->hash, ev->type, ev->type_len);
    r->hash = mix(r->hash, ev->id, ev->id_len);
    r->hash = mix(r->hash, ev->data, ev->data_len);
    r->events++;
    return 0;
}

static void run(const char *s, size_t n, size_t cap, unsigned piece, record *r,
                tt_sse_parser *p)
{
    static char buf[4096];
    tt_error e;
    size_t off = 0;
    memset(r, 0, sizeof *r);
    r->cap = cap;
    tt_sse_init(p, buf, cap, on_event, NULL, r);
    while (off < n) {
        size_t k = piece == 0 ? n - off : piece;
        if (k > n - off)
            k = n - off;
        if (tt_sse_feed(p, s + off, k, &e) != 0)
            abort(); /* no callback here ever stops the feed */
        off += k;
    }
    tt_sse_end_of_stream(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tt_sse_parser a, b;
    record ra, rb;
    size_t cap;
    unsigned piece;
    if (size < 1)
        return 0;
    cap = (data[0] & 0x80) ? 4096 : 16 + (data[0] & 0x3f);
    piece = 1 + (data[0] & 0x7);
    run((const char *)data + 1, size - 1, cap, 0, &ra, &a);
    run((const char *)data + 1, size - 1, cap, piece, &rb, &b);
    if (ra.hash != rb.hash || ra.events != rb.events ||
        a.last_id_len != b.last_id_len || memcmp(a.last_id, b.last_id, a.last_id_len) != 0 ||
        a.retry_ms != b.retry_ms || a.stats.dropped != b.stats.dropped)
        abort();
    return 0;
}
