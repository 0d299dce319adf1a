/*
 * Backoff and jitter (core/backoff.c): the pure functions at their edges.
 * They run with the SSE engine, their first user, where they always have.
 */
#include "tether/config.h"
#include "suites.h"
#if TT_FEATURE_SSE

#include "../testlib.h"
#include "tether/backoff.h"

#include <stdint.h>

/* The pure functions at their edges: pct over 100 is 100 (no negative
 * delay), and a cap near INT64_MAX does not overflow the doubling. */
static void test_backoff_edges(void)
{
    CHECK_INT(tt_jitter_ms(1000, 250, 0), 0);
    CHECK_INT(tt_jitter_ms(1000, 250, 65535), 2000);
    CHECK_INT(tt_jitter_ms(1000, 10, 65535), 1100);
    CHECK(tt_jitter_ms(INT64_MAX / 4, 100, 65535) == INT64_MAX / 4 * 2);
    CHECK(tt_jitter_ms(INT64_MAX / 4, 100, 0) == 0);
    CHECK(tt_backoff_ms(1000, INT64_MAX, 200) == INT64_MAX);
    CHECK(tt_backoff_ms(3, INT64_MAX - 1, 61) == 3 * ((int64_t)1 << 61));
    CHECK(tt_backoff_ms(3, INT64_MAX - 1, 62) == INT64_MAX - 1);
    CHECK(tt_backoff_ms(1000, 60000, 3) == 8000);
}

void suite_backoff(void)
{
    static const tt_test tests[] = {
        { "backoff_edges", test_backoff_edges },
    };
    tt_run_suite("backoff", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
