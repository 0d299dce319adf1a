/*
 * gzip over zlib (Z_SOLO) with a bump allocator in a fixed arena.
 */
#include "gzip.h"

#include <limits.h>
#include <string.h>

#if TT_FEATURE_GZIP

/* zlib's allocator: carve from the arena; freeing is a no-op (the arena
 * is reset whole for the next stream). */
static voidpf arena_alloc(voidpf opaque, uInt items, uInt size)
{
    tt_gzip *g = opaque;
    size_t n = (size_t)items * size;
    n = (n + 15) & ~(size_t)15;
    if (n > sizeof g->arena - g->used)
        return Z_NULL;
    g->used += n;
    return g->arena + g->used - n;
}

static void arena_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    (void)p;
}

static void prepare(tt_gzip *g)
{
    memset(&g->zs, 0, sizeof g->zs);
    g->used = 0;
    g->zs.zalloc = arena_alloc;
    g->zs.zfree = arena_free;
    g->zs.opaque = g;
}

int tt_gzip_compress(tt_gzip *g, const void *in, size_t n, void *out, size_t cap,
                     size_t *len, tt_error *err)
{
    int rc;
    if (n > UINT_MAX || cap > UINT_MAX) /* zlib counts in 32 bits */
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: buffers over 4 GiB are not supported");
    prepare(g);
    g->inflating = 0;
    /* 15 + 16: gzip wrapper; window 2^9, memory level 1: small and enough */
    if (deflateInit2(&g->zs, 6, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: deflate does not fit in TT_GZIP_ARENA (%d)", TT_GZIP_ARENA);
    g->zs.next_in = (z_const Bytef *)in;
    g->zs.avail_in = (uInt)n;
    g->zs.next_out = out;
    g->zs.avail_out = (uInt)cap;
    rc = deflate(&g->zs, Z_FINISH);
    *len = cap - g->zs.avail_out;
    deflateEnd(&g->zs);
    if (rc != Z_STREAM_END)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: compressed body larger than its %zu-byte buffer", cap);
    return 0;
}

int tt_gzip_inflate_begin(tt_gzip *g, tt_error *err)
{
    prepare(g);
    g->inflating = 0;
    if (inflateInit2(&g->zs, 15 + 16) != Z_OK)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: inflate does not fit in TT_GZIP_ARENA (%d)", TT_GZIP_ARENA);
    g->inflating = 1;
    return 0;
}

int tt_gzip_inflate_feed(tt_gzip *g, const unsigned char *data, size_t len,
                         tt_gzip_sink sink, void *user, tt_error *err)
{
    if (len > UINT_MAX)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: pieces over 4 GiB are not supported");
    g->zs.next_in = (z_const Bytef *)data;
    g->zs.avail_in = (uInt)len;
    while (g->zs.avail_in > 0 && g->inflating != 2) {
        int rc;
        size_t got;
        g->zs.next_out = g->out;
        g->zs.avail_out = sizeof g->out;
        rc = inflate(&g->zs, Z_NO_FLUSH);
        got = sizeof g->out - g->zs.avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got > 0))
            return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_GZIP, NULL,
                                "gzip body is corrupt (%s)",
                                g->zs.msg != NULL ? g->zs.msg : "inflate error");
        if (got > 0 && sink(user, g->out, got, err) != 0)
            return -1;
        if (rc == Z_STREAM_END)
            g->inflating = 2;
    }
    if (g->inflating == 2 && g->zs.avail_in > 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_GZIP, NULL,
                            "data after the end of the gzip body");
    return 0;
}

int tt_gzip_inflate_end(tt_gzip *g, tt_error *err)
{
    int done = g->inflating == 2;
    inflateEnd(&g->zs);
    g->inflating = 0;
    if (!done)
        return tt_error_set(err, TT_ERR_NETWORK, TT_E_EOF, NULL,
                            "gzip body ended before its end");
    return 0;
}

const char *tt_gzip_version(void)
{
    return "zlib " ZLIB_VERSION;
}

#else /* !TT_FEATURE_GZIP */

const char *tt_gzip_version(void)
{
    return NULL;
}

static int off(tt_error *err)
{
    return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                        "built without gzip (TT_FEATURE_GZIP 0)");
}

int tt_gzip_compress(tt_gzip *g, const void *in, size_t n, void *out, size_t cap,
                     size_t *len, tt_error *err)
{
    (void)g; (void)in; (void)n; (void)out; (void)cap; (void)len;
    return off(err);
}

int tt_gzip_inflate_begin(tt_gzip *g, tt_error *err)
{
    (void)g;
    return off(err);
}

int tt_gzip_inflate_feed(tt_gzip *g, const unsigned char *data, size_t len,
                         tt_gzip_sink sink, void *user, tt_error *err)
{
    (void)g; (void)data; (void)len; (void)sink; (void)user;
    return off(err);
}

int tt_gzip_inflate_end(tt_gzip *g, tt_error *err)
{
    (void)g;
    return off(err);
}

#endif
