/* Errors and the core formatter. */
#include "../testlib.h"
#include "suites.h"
#include "errors.h"

#include <stdio.h>
#include <limits.h>

static void test_fmt_matches_snprintf(void)
{
    char a[128], b[128];
    size_t n;
    n = tt_fmt(a, sizeof a, "%s|%d|%u|%x|%ld|%lld|%zu|%c|%%|%.*s", "abc", -42,
               42u, 0xbeefu, -7L, LLONG_MIN, (size_t)12345, 'z', 3, "xyzzy");
    snprintf(b, sizeof b, "%s|%d|%u|%x|%ld|%lld|%zu|%c|%%|%.*s", "abc", -42,
             42u, 0xbeefu, -7L, LLONG_MIN, (size_t)12345, 'z', 3, "xyzzy");
    CHECK_STR(a, b);
    CHECK_INT(n, strlen(b));
}

static void test_fmt_truncates_and_reports_length(void)
{
    char a[8];
    size_t n = tt_fmt(a, sizeof a, "%s", "0123456789");
    CHECK_INT(n, 10);
    CHECK_STR(a, "0123456");
    n = tt_fmt(NULL, 0, "%d", 12345);
    CHECK_INT(n, 5);
}

static void test_error_set_names_host(void)
{
    tt_error e;
    tt_error_clear(&e);
    CHECK_INT(e.cls, TT_ERR_NONE);
    CHECK_INT(e.retry_after, -1);
    CHECK_INT(tt_error_set(&e, TT_ERR_API, TT_E_API, "host-a", "vm not found: %s",
                           "worker-1"), -1);
    CHECK_STR(e.msg, "host-a: vm not found: worker-1");
    CHECK(tt_error_is_api(&e));
    CHECK(!tt_error_is_network(&e));
    tt_error_set(&e, TT_ERR_NETWORK, TT_E_RESET, NULL, "reset");
    CHECK_STR(e.msg, "reset");
    CHECK(tt_error_is_network(&e));
    CHECK(!tt_error_is_api(&e));
}

static void test_every_code_has_a_name(void)
{
    int i;
    for (i = 0; i < TT_E__COUNT; i++)
        CHECK(strcmp(tt_errcode_name((tt_errcode)i), "unknown") != 0);
    CHECK_STR(tt_errcode_name(TT_E__COUNT), "unknown");
    CHECK_STR(tt_err_class_name(TT_ERR_TLS), "tls");
}

static void test_long_message_is_cut_at_buffer(void)
{
    tt_error e;
    char big[400];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    tt_error_set(&e, TT_ERR_USAGE, TT_E_INVALID_ARG, "h", "%s", big);
    CHECK_INT(strlen(e.msg), TT_ERROR_MSG_MAX - 1);
}

void suite_errors(void)
{
    static const tt_test tests[] = {
        { "fmt_matches_snprintf", test_fmt_matches_snprintf },
        { "fmt_truncates_and_reports_length", test_fmt_truncates_and_reports_length },
        { "error_set_names_host", test_error_set_names_host },
        { "every_code_has_a_name", test_every_code_has_a_name },
        { "long_message_is_cut_at_buffer", test_long_message_is_cut_at_buffer },
    };
    tt_run_suite("errors", tests, TT_COUNT(tests));
}
