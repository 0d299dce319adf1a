/*
 * gzip (core/gzip.c): bodies whole, cut short, corrupt, followed by junk,
 * and a sink that says stop; each ends in its own error, none quietly.
 * Sizes zlib cannot count are refused before a byte is read.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_GZIP_SUITE

#include "../testlib.h"
#include "tether/gzip.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#if UNIT_GZIP_BODIES
static size_t inflated;

static int count_sink(void *user, const unsigned char *d, size_t n, tt_error *err)
{
    (void)d;
    (void)err;
    inflated += n;
    return user != NULL ? tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BODY, NULL, "full") : 0;
}

/* gzip bodies: whole, cut short, corrupt, followed by junk, and a sink
 * that says stop; each ends in its own error, none quietly. */
static void test_gzip_bodies(void)
{
    static tt_gzip g;
    static unsigned char in[3000], z[4096], bad[4096];
    size_t zn, i;
    tt_error e;
    for (i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i % 7);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, sizeof z, &zn, &e), 0);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, 10, &zn, &e), -1); /* does not fit */
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, sizeof z, &zn, &e), 0);
    inflated = 0;
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    for (i = 0; i < zn; i += 7)
        CHECK_INT(tt_gzip_inflate_feed(&g, z + i, zn - i < 7 ? zn - i : 7, count_sink, NULL, &e), 0);
    CHECK_INT(tt_gzip_inflate_end(&g, &e), 0);
    CHECK_INT(inflated, sizeof in);
    /* cut short */
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, z, zn / 2, count_sink, NULL, &e), 0);
    CHECK_INT(tt_gzip_inflate_end(&g, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
    /* corrupt */
    memcpy(bad, z, zn);
    memset(bad + 12, 0xff, 16);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, bad, zn, count_sink, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_GZIP);
    tt_gzip_inflate_end(&g, &e);
    /* junk after the end */
    memcpy(bad, z, zn);
    memcpy(bad + zn, "junk", 4);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, bad, zn + 4, count_sink, NULL, &e), -1);
    CHECK(strstr(e.msg, "after the end") != NULL);
    tt_gzip_inflate_end(&g, &e);
    /* the sink stops it */
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, z, zn, count_sink, &g, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BODY);
    tt_gzip_inflate_end(&g, &e);
}
#endif /* UNIT_GZIP_BODIES */

#if UNIT_FULL_ENGINE
/* ---- sizes over 4 GiB: zlib counts in 32 bits ---- */

#if TT_FEATURE_GZIP && SIZE_MAX > UINT_MAX
static void test_gzip_refuses_sizes_over_4gib(void)
{
    static tt_gzip g;
    unsigned char out[64];
    size_t len = 0;
    tt_error e;
    /* the sizes are checked before a byte is touched */
    CHECK_INT(tt_gzip_compress(&g, "x", (size_t)UINT_MAX + 1, out, sizeof out, &len, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_compress(&g, "x", 1, out, (size_t)UINT_MAX + 1, &len, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, out, (size_t)UINT_MAX + 1, NULL, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_STR(e.msg, "gzip: pieces over 4 GiB are not supported");
    CHECK_INT(tt_gzip_inflate_end(&g, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
}
#endif
#endif

void suite_gzip(void)
{
    static const tt_test tests[] = {
#if UNIT_GZIP_BODIES
        { "gzip_bodies", test_gzip_bodies },
#endif
#if UNIT_FULL_ENGINE
#if TT_FEATURE_GZIP && SIZE_MAX > UINT_MAX
        { "gzip_refuses_sizes_over_4gib", test_gzip_refuses_sizes_over_4gib },
#endif
#endif
    };
    tt_run_suite("gzip", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
