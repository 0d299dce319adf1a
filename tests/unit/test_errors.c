/* Errors and the core formatter. */
#include "../testlib.h"
#include "suites.h"
#include "tether/errors.h"
#include "tether/http.h"
#include "tether/url.h"
#include "tether/port.h"
#include <stddef.h>

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

/* Every port failure maps to a class a caller can act on. */
static void test_port_codes_map_to_classes(void)
{
    static const struct { long rc; tt_phase ph; tt_err_class cls; tt_errcode code; } m[] = {
        { TT_PORT_ETIMEDOUT, TT_PHASE_CONNECT, TT_ERR_TIMEOUT, TT_E_CONNECT_TIMEOUT },
        { TT_PORT_ETIMEDOUT, TT_PHASE_RECV, TT_ERR_TIMEOUT, TT_E_REQUEST_TIMEOUT },
        { TT_PORT_ETIMEDOUT, TT_PHASE_IDLE, TT_ERR_TIMEOUT, TT_E_IDLE_TIMEOUT },
        { TT_PORT_ERESET, TT_PHASE_RECV, TT_ERR_NETWORK, TT_E_RESET },
        { TT_PORT_EREFUSED, TT_PHASE_CONNECT, TT_ERR_NETWORK, TT_E_CONNECT_REFUSED },
        { TT_PORT_ERESOLVE, TT_PHASE_CONNECT, TT_ERR_NETWORK, TT_E_RESOLVE },
        { TT_PORT_EUNREACH, TT_PHASE_CONNECT, TT_ERR_NETWORK, TT_E_CONNECT },
        { TT_PORT_ECANCELLED, TT_PHASE_SEND, TT_ERR_CANCELLED, TT_E_CANCELLED },
    };
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(m); i++) {
        CHECK_INT(tt_error_port(&e, m[i].rc, "h", m[i].ph, 0), -1);
        CHECK_INT(e.cls, m[i].cls);
        CHECK_INT(e.code, m[i].code);
    }
    CHECK_INT(tt_error_port(&e, TT_PORT_EIO, "h", TT_PHASE_SEND, 32), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK(strstr(e.msg, "32") != NULL); /* the system's code is kept */
    CHECK_INT(tt_error_port(&e, -99, "h", TT_PHASE_RECV, 5), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK(strstr(e.msg, "system error 5") != NULL);
    CHECK_STR(tt_errcode_name((tt_errcode)9999), "unknown");
    CHECK_INT(tt_error_is_network(&e), 1);
}

/* The formatter's corners: NULL strings, size_t, unknown and lone '%'. */
static void test_fmt_corners(void)
{
    char b[64];
    CHECK_INT(tt_fmt(b, sizeof b, "[%s]", (const char *)NULL), 8);
    CHECK_STR(b, "[(null)]");
    tt_fmt(b, sizeof b, "%zu/%zd", (size_t)4000000000u, (ptrdiff_t)-5);
    CHECK_STR(b, "4000000000/-5");
    tt_fmt(b, sizeof b, "100%q");
    CHECK_STR(b, "100%q");
    tt_fmt(b, sizeof b, "50%");
    CHECK_STR(b, "50");
    CHECK_INT(tt_fmt(b, 0, "abc"), 3);
}

/* Reason phrases, and no "Client Error" for a status that is none. */
static void test_http_reasons(void)
{
    CHECK_STR(tt_http_reason(404), "Not Found");
    CHECK_STR(tt_http_reason(422), "Unprocessable Content");
    CHECK_STR(tt_http_reason(599), "Server Error");
    CHECK_STR(tt_http_reason(418), "Client Error");
    CHECK_STR(tt_http_reason(200), "Unexpected Status");
}

/* No error pointer, odd classes and codes, long messages: never a crash,
 * never an unterminated message. */
static void test_error_corners(void)
{
    tt_error e;
    char b[16];
    static char longhost[300];
    CHECK_INT(tt_error_set(NULL, TT_ERR_NETWORK, TT_E_RESET, "h", "x"), -1);
    tt_error_clear(NULL);
    CHECK_INT(tt_error_port(NULL, TT_PORT_ERESET, "h", TT_PHASE_RECV, 0), -1);
    CHECK_INT(tt_error_is_network(NULL), 0);
    CHECK_INT(tt_error_is_api(NULL), 0);
    tt_error_set(&e, TT_ERR_TLS, TT_E_TLS_RECORD, NULL, "x");
    CHECK_INT(tt_error_is_network(&e), 1);
    CHECK_STR(tt_err_class_name((tt_err_class)77), "unknown");
    memset(longhost, 'h', sizeof longhost - 1);
    tt_error_set(&e, TT_ERR_USAGE, TT_E_CONFIG, longhost, "%s", longhost);
    CHECK_INT(strlen(e.msg), sizeof e.msg - 1);
    tt_error_set(&e, TT_ERR_USAGE, TT_E_CONFIG, "", "no host");
    CHECK_STR(e.msg, "no host");
    tt_fmt(b, sizeof b, "%.*s|%i", 5, "ab", -7);
    CHECK_STR(b, "ab|-7");
}

/* The request head: the caller's Host wins; credentials are dropped when
 * asked (a redirect to another origin); a header without a value is
 * refused. */
static void test_request_head_corners(void)
{
    static const tt_header own_host[] = { { "host", "override.test" }, { "Cookie", "c=1" },
                                          { "Authorization", "Bearer x" } };
    static const tt_header no_value[] = { { "X-A", NULL } };
    char head[512];
    long n;
    tt_url u;
    tt_error e;
    CHECK_INT(tt_url_parse(&u, "http://h.test/p", 15, &e), 0);
    n = tt_http_write_head(head, sizeof head, "GET", &u, own_host, 3, NULL, TT_HTTP_NO_BODY,
                           TT_HEAD_STRIP_CREDENTIALS, &e);
    CHECK(n > 0);
    head[n] = '\0';
    CHECK(strstr(head, "host: override.test\r\n") != NULL);
    CHECK(strstr(head, "Host: h.test") == NULL);
    CHECK(strstr(head, "Cookie") == NULL && strstr(head, "Authorization") == NULL);
    CHECK_INT(tt_http_write_head(head, sizeof head, "GET", &u, no_value, 1, NULL,
                                 TT_HTTP_NO_BODY, 0, &e), -1);
    CHECK_INT(e.code, TT_E_HEADER_INVALID);
    CHECK_INT(tt_http_header_valid("", "v"), 0);
    CHECK_INT(tt_http_header_valid(NULL, "v"), 0);
    CHECK_INT(tt_http_header_valid("X", "a\x7f"), 0);
}

void suite_errors(void)
{
    static const tt_test tests[] = {
        { "fmt_matches_snprintf", test_fmt_matches_snprintf },
        { "port_codes_map_to_classes", test_port_codes_map_to_classes },
        { "fmt_corners", test_fmt_corners },
        { "http_reasons", test_http_reasons },
        { "error_corners", test_error_corners },
        { "request_head_corners", test_request_head_corners },
        { "fmt_truncates_and_reports_length", test_fmt_truncates_and_reports_length },
        { "error_set_names_host", test_error_set_names_host },
        { "every_code_has_a_name", test_every_code_has_a_name },
        { "long_message_is_cut_at_buffer", test_long_message_is_cut_at_buffer },
    };
    tt_run_suite("errors", tests, TT_COUNT(tests));
}
