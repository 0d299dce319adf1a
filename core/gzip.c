/*
 * gzip over zlib (Z_SOLO) with a bump allocator in a fixed arena.
 */
#include "tether/gzip.h"

#include <limits.h>
#include <string.h>

#if TT_FEATURE_GZIP

#define Z_SOLO 1
#include <stddef.h>
#include <zlib.h>

TT_OPAQUE_CHECK(tt_gzip_zstream, z_stream, TT_GZIP_ZSTREAM_SIZE);

/* The z_stream in tt_gzip's opaque block. */
static z_stream *zs(tt_gzip *g)
{
    return (z_stream *)(void *)g->zstream.bytes;
}

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
    memset(&g->zstream, 0, sizeof g->zstream);
    g->used = 0;
    zs(g)->zalloc = arena_alloc;
    zs(g)->zfree = arena_free;
    zs(g)->opaque = g;
}

#if TT_FEATURE_GZIP_REQUEST
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
    if (deflateInit2(zs(g), 6, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: deflate does not fit in TT_GZIP_ARENA (%d)", TT_GZIP_ARENA);
    zs(g)->next_in = (z_const Bytef *)in;
    zs(g)->avail_in = (uInt)n;
    zs(g)->next_out = out;
    zs(g)->avail_out = (uInt)cap;
    rc = deflate(zs(g), Z_FINISH);
    *len = cap - zs(g)->avail_out;
    deflateEnd(zs(g));
    if (rc != Z_STREAM_END)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                            "gzip: compressed body larger than its %zu-byte buffer", cap);
    return 0;
}
#else
int tt_gzip_compress(tt_gzip *g, const void *in, size_t n, void *out, size_t cap,
                     size_t *len, tt_error *err)
{
    (void)g; (void)in; (void)n; (void)out; (void)cap; (void)len;
    return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                        "built without gzip request bodies (TT_FEATURE_GZIP_REQUEST 0)");
}
#endif

int tt_gzip_inflate_begin(tt_gzip *g, tt_error *err)
{
    prepare(g);
    g->inflating = 0;
    if (inflateInit2(zs(g), 15 + 16) != Z_OK)
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
    zs(g)->next_in = (z_const Bytef *)data;
    zs(g)->avail_in = (uInt)len;
    while (zs(g)->avail_in > 0 && g->inflating != 2) {
        int rc;
        size_t got;
        zs(g)->next_out = g->out;
        zs(g)->avail_out = sizeof g->out;
        rc = inflate(zs(g), Z_NO_FLUSH);
        got = sizeof g->out - zs(g)->avail_out;
        if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && got > 0))
            return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_GZIP, NULL,
                                "gzip body is corrupt (%s)",
                                zs(g)->msg != NULL ? zs(g)->msg : "inflate error");
        if (got > 0 && sink(user, g->out, got, err) != 0)
            return -1;
        if (rc == Z_STREAM_END)
            g->inflating = 2;
    }
    if (g->inflating == 2 && zs(g)->avail_in > 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_GZIP, NULL,
                            "data after the end of the gzip body");
    return 0;
}

int tt_gzip_inflate_end(tt_gzip *g, tt_error *err)
{
    int done = g->inflating == 2;
    inflateEnd(zs(g));
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
