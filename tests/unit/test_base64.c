/*
 * base64 (core/base64.c) as RFC 4648 has it: padding only at the end, in
 * pairs that mean something, no stray characters; output never past its
 * buffer.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if TT_FEATURE_PLEXD

#include "../testlib.h"
#include "tether/base64.h"

#include <string.h>

static void test_base64(void)
{
    char enc[16];
    unsigned char dec[16];
    size_t n;
    CHECK_INT(tt_base64_encode("hello", 5, enc, sizeof enc), 0);
    CHECK_STR(enc, "aGVsbG8=");
    CHECK_INT(tt_base64_decode(enc, strlen(enc), dec, sizeof dec, &n), 0);
    CHECK_MEM(dec, n, "hello", 5);
    CHECK_INT(tt_base64_decode("aGVsbG8", 7, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aG=sbG8=", 8, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aGVs*G8=", 8, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aGVsbG8=", 8, dec, 4, &n), -1);
    CHECK_INT(tt_base64_encode("hello", 5, enc, 8), -1);
}

#if UNIT_ALL_PROTOCOLS

/* base64 as RFC 4648 has it: padding only at the end, in pairs that mean
 * something, no stray characters; output never past its buffer. */
static void test_base64_strict(void)
{
    static const char *const bad[] = {
        "aGVsbG8", "aGVs*G8=", "aG=sbG8=", "aGVsbG=8", "a===", "aGVsbA==aGVs", "=AAA",
    };
    unsigned char out[16];
    char enc[16];
    size_t n, i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        if (tt_base64_decode(bad[i], strlen(bad[i]), out, sizeof out, &n) == 0) {
            tt_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
            return;
        }
    }
    CHECK_INT(tt_base64_decode("aGVsbA==", 8, out, sizeof out, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(tt_base64_decode("aGVsbG8h", 8, out, 5, &n), -1); /* 6 bytes into 5 */
    CHECK_INT(tt_base64_decode("", 0, out, sizeof out, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(tt_base64_encode("hello", 5, enc, 8), -1);          /* 8 + NUL do not fit */
    CHECK_INT(tt_base64_encode("hello", 5, enc, 9), 0);
    CHECK_STR(enc, "aGVsbG8=");
}

#endif

void suite_base64(void)
{
    static const tt_test tests[] = {
        { "base64", test_base64 },
#if UNIT_ALL_PROTOCOLS
        { "base64_strict", test_base64_strict },
#endif
    };
    tt_run_suite("base64", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
