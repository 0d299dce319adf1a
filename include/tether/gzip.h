/*
 * gzip for request and response bodies, on zlib built with Z_SOLO: zlib
 * never allocates; its memory comes from the arena inside tt_gzip, reset
 * for every stream. One tt_gzip serves one client: a request body is
 * compressed before the request is sent, the answer inflated while it
 * arrives, never both at once.
 *
 * Memory: inflate needs about 40 KiB (a 32 KiB window: gzip streams may
 * use the largest); deflate is set to a 512-byte window and the smallest
 * memory level (about 10 KiB), which still halves JSON. With
 * TT_FEATURE_GZIP 0 the functions fail with a usage error and zlib is not
 * linked.
 */
#ifndef TT_GZIP_H
#define TT_GZIP_H

#include <stddef.h>

#include "errors.h"

#include "opaque.h"

/* zlib's z_stream, kept opaque (14 pointer-sized words on the targets
 * tether is built for; gzip.c checks that it fits) */
#define TT_GZIP_ZSTREAM_SIZE (14 * sizeof(void *))

/* Where inflated bytes go: data is g->out, valid during the call only;
 * -1 (with err) stops the feed and is returned by it. */
typedef int (*tt_gzip_sink)(void *user, const unsigned char *data, size_t len,
                            tt_error *err);

/* Caller-owned (the arena and the output chunk are inside it); it needs
 * none of the caller's buffers once a call returns. One stream at a
 * time. */
typedef struct tt_gzip {
#if TT_FEATURE_GZIP
    TT_OPAQUE_BLOCK(TT_GZIP_ZSTREAM_SIZE) zstream;
    int inflating;
#endif
    size_t used;
    unsigned char arena[TT_GZIP_ARENA];
    unsigned char out[TT_GZIP_CHUNK];
} tt_gzip;

/* Compress in[0..n) as one gzip member into out[cap]: 0 with *len, or -1
 * (TT_E_LIMIT_BUFFER when it does not fit: send the body uncompressed;
 * out then holds a cut stream). n or cap over 4 GiB is TT_E_LIMIT_BUFFER
 * too. */
int tt_gzip_compress(tt_gzip *g, const void *in, size_t n, void *out, size_t cap,
                     size_t *len, tt_error *err);

/* Inflate a gzip body as it arrives, handing the bytes to sink in pieces
 * of up to TT_GZIP_CHUNK. begin, feed any split, end (which checks that
 * the stream was complete: a cut body is TT_E_EOF, never a quiet
 * truncation). Corrupt data, or bytes after the gzip member, is
 * TT_ERR_PROTOCOL (TT_E_GZIP). begin fails with TT_E_LIMIT_BUFFER when
 * TT_GZIP_ARENA is too small for inflate. */
int tt_gzip_inflate_begin(tt_gzip *g, tt_error *err);
int tt_gzip_inflate_feed(tt_gzip *g, const unsigned char *data, size_t len,
                         tt_gzip_sink sink, void *user, tt_error *err);
int tt_gzip_inflate_end(tt_gzip *g, tt_error *err);

/* The zlib compiled in, for people ("zlib 1.2.13"); NULL without gzip. */
const char *tt_gzip_version(void);

#endif /* TT_GZIP_H */
