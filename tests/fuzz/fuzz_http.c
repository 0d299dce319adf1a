/*
 * libFuzzer target for the HTTP/1.1 response parser (status line, headers,
 * chunked and length-delimited bodies, trailers, interim responses). The
 * first byte picks a HEAD request (bit 0) and the seed of the split; the
 * rest is what the server sent, ended by the end of the stream.
 *
 * Checks beyond "no crash": the whole input in one feed and the same bytes
 * in random pieces give the same callbacks (a digest of them), the same
 * result and the same error code, as the parser promises; body bytes never
 * exceed a Content-Length; a header value is never handed over with
 * surrounding whitespace.
 */
#include "tether/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct run {
    uint64_t digest;
    uint64_t body;
    int result;
    tt_errcode code;
    tt_http_parser p;
} run;

static void mix(run *r, const void *data, size_t n)
{
    const unsigned char *b = data;
    size_t i;
    for (i = 0; i < n; i++)
        r->digest = (r->digest ^ b[i]) * 1099511628211ull;
    r->digest = (r->digest ^ 0xff) * 1099511628211ull; /* a separator */
}

static int on_status(void *user, int status, const char *reason, size_t n, tt_error *err)
{
    (void)err;
    mix(user, &status, sizeof status);
    mix(user, reason, n);
    return 0;
}

static int on_header(void *user, const char *name, size_t nl, const char *value, size_t vl,
                     int trailer, tt_error *err)
{
    (void)err;
    if (vl > 0 && (value[0] == ' ' || value[0] == '\t' || value[vl - 1] == ' ' ||
                   value[vl - 1] == '\t'))
        abort();
    mix(user, &trailer, sizeof trailer);
    mix(user, name, nl);
    mix(user, value, vl);
    return 0;
}

static int on_head_done(void *user, tt_error *err)
{
    run *r = user;
    (void)err;
    mix(r, &r->p.framing, sizeof r->p.framing);
    return 0;
}

/* Body pieces are split differently per run: digest the bytes, not the pieces. */
static int on_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    run *r = user;
    size_t i;
    (void)err;
    for (i = 0; i < len; i++)
        r->digest = (r->digest ^ data[i]) * 1099511628211ull;
    r->body += len;
    if (r->p.framing == TT_FRAME_LENGTH && r->body > r->p.content_length)
        abort();
    return 0;
}

static const tt_http_callbacks cbs = { on_status, on_header, on_head_done, on_body };

static void parse(run *r, int head, const uint8_t *data, size_t size, uint32_t seed)
{
    tt_error err;
    size_t off = 0, used;
    memset(r, 0, sizeof *r);
    r->digest = 14695981039346656037ull;
    tt_http_parser_init(&r->p, head, "fuzz", &cbs, r);
    while (off < size) {
        size_t n = size - off;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (seed >> 16) % 64;
            if (n > size - off)
                n = size - off;
        }
        r->result = tt_http_parser_feed(&r->p, data + off, n, &used, &err);
        if (r->result < 0) {
            r->code = err.code;
            return;
        }
        if (r->result == TT_HTTP_DONE) {
            r->digest ^= off + used; /* where the response ended */
            return;
        }
        off += n;
    }
    r->result = tt_http_parser_finish(&r->p, &err);
    r->code = r->result < 0 ? err.code : TT_E_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run whole, pieces;
    if (size < 1)
        return 0;
    parse(&whole, data[0] & 1, data + 1, size - 1, 0);
    parse(&pieces, data[0] & 1, data + 1, size - 1, (uint32_t)data[0] * 2654435761u | 1u);
    if (whole.result != pieces.result || whole.code != pieces.code ||
        whole.digest != pieces.digest || whole.body != pieces.body)
        abort();
    return 0;
}
