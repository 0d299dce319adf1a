/* Request head writer. */
#include "../testlib.h"
#include "suites.h"
#include "tether/http.h"

static tt_url url_of(const char *s)
{
    tt_url u;
    tt_url_parse(&u, s, strlen(s), NULL);
    return u;
}

static void test_basic_get(void)
{
    char buf[512];
    tt_url u = url_of("http://example.com:8080/a?b=c");
    long n = tt_http_write_head(buf, sizeof buf, "GET", &u, NULL, 0, NULL,
                                TT_HTTP_NO_BODY, 0, NULL);
    const char *want = "GET /a?b=c HTTP/1.1\r\nHost: example.com:8080\r\n"
                       "User-Agent: tether/" TT_VERSION "\r\nAccept: */*\r\n\r\n";
    CHECK(n > 0);
    CHECK_MEM(buf, (size_t)n, want, strlen(want));
}

static void test_headers_body_and_overrides(void)
{
    char buf[512];
    tt_url u = url_of("https://[::1]/x");
    tt_header h[] = { { "Authorization", "Bearer t" }, { "User-Agent", "plexd/1.2" },
                      { "Accept", "application/json" } };
    long n = tt_http_write_head(buf, sizeof buf, "POST", &u, h, 3, NULL, 17, 0, NULL);
    const char *want = "POST /x HTTP/1.1\r\nHost: [::1]\r\n"
                       "Authorization: Bearer t\r\nUser-Agent: plexd/1.2\r\n"
                       "Accept: application/json\r\nContent-Length: 17\r\n\r\n";
    CHECK(n > 0);
    CHECK_MEM(buf, (size_t)n, want, strlen(want));
}

static void test_chunked_and_strip(void)
{
    char buf[512];
    tt_url u = url_of("http://h/");
    tt_header h[] = { { "authorization", "Bearer t" }, { "Cookie", "a=b" },
                      { "X-Keep", "1" } };
    long n = tt_http_write_head(buf, sizeof buf, "PUT", &u, h, 3, "ua/1",
                                TT_HTTP_CHUNKED, TT_HEAD_STRIP_CREDENTIALS, NULL);
    const char *want = "PUT / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1\r\n"
                       "Accept: */*\r\nX-Keep: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
    CHECK(n > 0);
    CHECK_MEM(buf, (size_t)n, want, strlen(want));
}

static void test_header_injection_rejected(void)
{
    char buf[512];
    tt_url u = url_of("http://h/");
    tt_error e;
    static const tt_header bad[][1] = {
        { { "X-A", "v\r\nX-Evil: 1" } }, { { "X-A", "v\nx" } }, { { "X A", "v" } },
        { { "X-A:", "v" } }, { { "", "v" } }, { { "X-A", "a\x01" } },
        { { "Content-Length", "5" } }, { { "Transfer-Encoding", "chunked" } },
    };
    size_t i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        CHECK_INT(tt_http_write_head(buf, sizeof buf, "GET", &u, bad[i], 1, NULL,
                                     TT_HTTP_NO_BODY, 0, &e), -1);
        CHECK_INT(e.cls, TT_ERR_USAGE);
        CHECK_INT(e.code, TT_E_HEADER_INVALID);
    }
    CHECK_INT(tt_http_write_head(buf, sizeof buf, "GE T", &u, NULL, 0, NULL,
                                 TT_HTTP_NO_BODY, 0, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    CHECK_INT(tt_http_write_head(buf, sizeof buf, "GET", &u, NULL, 0, "a\r\nb",
                                 TT_HTTP_NO_BODY, 0, &e), -1);
    CHECK_INT(e.code, TT_E_HEADER_INVALID);
}

static void test_head_overflow_is_limit(void)
{
    char buf[40];
    tt_url u = url_of("http://example.com/a/long/path");
    tt_error e;
    CHECK_INT(tt_http_write_head(buf, sizeof buf, "GET", &u, NULL, 0, NULL,
                                 TT_HTTP_NO_BODY, 0, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_REQUEST_HEAD);
}

static void test_secret_names(void)
{
    CHECK(tt_http_name_is_secret("Authorization", 13));
    CHECK(tt_http_name_is_secret("X-Api-Key", 9));
    CHECK(tt_http_name_is_secret("x-auth-token", 12));
    CHECK(tt_http_name_is_secret("Set-Cookie", 10));
    CHECK(!tt_http_name_is_secret("Content-Type", 12));
    CHECK(!tt_http_name_is_secret("Accept", 6));
}

#if UNIT_FULL_ENGINE
/* ---- a nameless header, credentials stripped, whole-name comparison ---- */

static void test_writer_names_a_missing_header_name_and_strips_all_credentials(void)
{
    static const tt_header nameless[] = { { NULL, "v" } };
    static const tt_header creds[] = {
        { "Cookie", "c=1" }, { "Proxy-Authorization", "Basic x" },
        { "Authorization", "Bearer y" }, { "X-Plain", "p" },
    };
    char buf[512];
    tt_url u;
    tt_error e;
    long n;
    CHECK_INT(tt_url_parse(&u, "http://h/", 9, &e), 0);
    CHECK_INT(tt_http_write_head(buf, sizeof buf, "GET", &u, nameless, 1, NULL,
                                 TT_HTTP_NO_BODY, 0, &e), -1);
    CHECK_INT(e.code, TT_E_HEADER_INVALID);
    CHECK(strstr(e.msg, "invalid request header ''") != NULL);
    {
        /* a long bad name is quoted cut to 40 bytes */
        static const tt_header longname[] = {
            { "X-0123456789012345678901234567890123456789-tail", "a\nb" } };
        CHECK_INT(tt_http_write_head(buf, sizeof buf, "GET", &u, longname, 1, NULL,
                                     TT_HTTP_NO_BODY, 0, &e), -1);
        CHECK(strstr(e.msg, "'X-01234567890123456789012345678901234567'") != NULL);
    }
    n = tt_http_write_head(buf, sizeof buf, "GET", &u, creds, 4, "ua/1",
                           TT_HTTP_NO_BODY, TT_HEAD_STRIP_CREDENTIALS, &e);
    CHECK(n > 0);
    {
        /* the head is counted, not terminated */
        static const char want[] = "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: ua/1\r\n"
                                   "Accept: */*\r\nX-Plain: p\r\n\r\n";
        CHECK_MEM(buf, (size_t)n, want, sizeof want - 1);
    }
}

static void test_name_eq_is_whole_name_and_case_blind(void)
{
    CHECK_INT(tt_http_name_eq("HOST", 4, "host"), 1);
    CHECK_INT(tt_http_name_eq("Hostname", 8, "host"), 0);
    CHECK_INT(tt_http_name_eq("Ho", 2, "host"), 0);
}
#endif

void suite_http_writer(void)
{
    static const tt_test tests[] = {
        { "basic_get", test_basic_get },
        { "headers_body_and_overrides", test_headers_body_and_overrides },
        { "chunked_and_strip", test_chunked_and_strip },
        { "header_injection_rejected", test_header_injection_rejected },
        { "head_overflow_is_limit", test_head_overflow_is_limit },
        { "secret_names", test_secret_names },
#if UNIT_FULL_ENGINE
        { "writer_names_a_missing_header_name_and_strips_all_credentials",
          test_writer_names_a_missing_header_name_and_strips_all_credentials },
        { "name_eq_is_whole_name_and_case_blind", test_name_eq_is_whole_name_and_case_blind },
#endif
    };
    tt_run_suite("http_writer", tests, TT_COUNT(tests));
}
