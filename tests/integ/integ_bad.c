/*
 * Misbehaving server on loopback: every failure has its class, returns
 * within the deadline + 10 %, and never crashes or hangs.
 */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"

#include <string.h>
#include <time.h>

static tt_client client;
static char body[4096];

typedef struct {
    const char *path;
    int64_t timeout_ms;
    tt_err_class cls;
    tt_errcode code;
} bad_case;

/* Run one request; check class, code and time. */
static void expect_failure(const bad_case *bc)
{
    tt_request rq;
    tt_error e;
    int64_t t0, took;
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), bc->path);
    rq.max_redirects = -1;
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    rq.timeout_ms = bc->timeout_ms;
    integ_client(&client, NULL);
    t0 = integ_now_ms();
    if (tt_client_request(&client, &rq, NULL, &e) == 0) {
        tt_test_fail(__FILE__, __LINE__, "%s: succeeded", bc->path);
        return;
    }
    took = integ_now_ms() - t0;
    tt_client_close(&client);
    if (e.cls != bc->cls || e.code != bc->code) {
        tt_test_fail(__FILE__, __LINE__, "%s: got %s/%s (%s)", bc->path,
                     tt_err_class_name(e.cls), tt_errcode_name(e.code), e.msg);
        return;
    }
    if (took > bc->timeout_ms + bc->timeout_ms / 10) {
        tt_test_fail(__FILE__, __LINE__, "%s: took %lld ms, deadline %lld", bc->path,
                     (long long)took, (long long)bc->timeout_ms);
        return;
    }
}

static void test_reset_mid_body(void)
{
    bad_case bc = { "/reset-mid-body", 5000, TT_ERR_NETWORK, TT_E_RESET };
    expect_failure(&bc);
}

static void test_stall_after_head_hits_deadline(void)
{
    bad_case bc = { "/stall-after-head", 1000, TT_ERR_TIMEOUT, TT_E_REQUEST_TIMEOUT };
    int64_t t0 = integ_now_ms();
    expect_failure(&bc);
    CHECK(integ_now_ms() - t0 >= 990);
}

static void test_stall_before_head_hits_deadline(void)
{
    bad_case bc = { "/stall-before-head", 800, TT_ERR_TIMEOUT, TT_E_REQUEST_TIMEOUT };
    expect_failure(&bc);
}

static void test_trickling_headers_hit_deadline(void)
{
    /* bytes keep arriving, yet the whole-request deadline holds */
    tt_request rq;
    tt_error e;
    int64_t t0;
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), "/slow-headers");
    rq.timeout_ms = 300;
    integ_client(&client, NULL);
    t0 = integ_now_ms();
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK(integ_now_ms() - t0 <= 330);
    /* 1000 headers arrive 10 ms apart: the deadline comes first, unless a
     * small configuration's header count limit does */
    if (TT_HTTP_HEADERS_MAX >= 64)
        CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
    else
        CHECK_INT(e.code, TT_E_LIMIT_HEADER_COUNT);
    tt_client_close(&client);
}

static void test_truncated_chunked(void)
{
    bad_case bc = { "/truncated-chunked", 5000, TT_ERR_NETWORK, TT_E_HTTP_TRUNCATED };
    expect_failure(&bc);
}

static void test_garbage_status(void)
{
    bad_case bc = { "/garbage", 5000, TT_ERR_PROTOCOL, TT_E_HTTP_STATUS_LINE };
    expect_failure(&bc);
}

static void test_redirect_without_location(void)
{
    bad_case bc = { "/no-location", 5000, TT_ERR_PROTOCOL, TT_E_HTTP_NO_LOCATION };
    expect_failure(&bc);
}

static void test_huge_header_is_limit(void)
{
    bad_case bc = { "/huge-header", 5000, TT_ERR_LIMIT, TT_E_LIMIT_HEADER_LINE };
    expect_failure(&bc);
}

static void test_drip_completes(void)
{
    tt_request rq;
    tt_error e;
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), "/drip");
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    rq.timeout_ms = 5000;
    integ_client(&client, NULL);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "hello");
    tt_client_close(&client);
}

static void test_stale_keep_alive_resent(void)
{
    tt_request rq;
    tt_error e;
    struct timespec ts = { 0, 500 * 1000000L };
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), "/close-after");
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    integ_client(&client, NULL);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "first");
    nanosleep(&ts, NULL); /* the server closes the idle connection */
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "first");
    CHECK_INT(client.stats.connects, 2);
    CHECK_INT(client.stats.resends, 1);
    tt_client_close(&client);
}

static void test_extra_body_bytes_not_reused(void)
{
    tt_request rq;
    tt_error e;
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), "/extra-body");
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    integ_client(&client, NULL);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "ok");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "ok");
    CHECK_INT(client.stats.connects, 2);
    tt_client_close(&client);
}

static void test_echo_sees_request(void)
{
    tt_request rq;
    tt_error e;
    tt_header h[] = { { "X-Tether-Test", "yes" } };
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(integ_bad_port(), "/echo?q=1");
    rq.body = "payload";
    rq.body_len = 7;
    rq.headers = h;
    rq.nheaders = 1;
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    integ_client(&client, NULL);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(strncmp(body, "POST /echo?q=1\n", 15) == 0);
    CHECK(strstr(body, "x-tether-test: yes\n") != NULL);
    CHECK(strstr(body, "content-length: 7\n") != NULL);
    CHECK(strstr(body, "\n\npayload") != NULL);
    tt_client_close(&client);
}

void suite_integ_bad(void)
{
    static const tt_test tests[] = {
        { "reset_mid_body", test_reset_mid_body },
        { "stall_after_head_hits_deadline", test_stall_after_head_hits_deadline },
        { "stall_before_head_hits_deadline", test_stall_before_head_hits_deadline },
        { "trickling_headers_hit_deadline", test_trickling_headers_hit_deadline },
        { "truncated_chunked", test_truncated_chunked },
        { "garbage_status", test_garbage_status },
        { "redirect_without_location", test_redirect_without_location },
        { "huge_header_is_limit", test_huge_header_is_limit },
        { "drip_completes", test_drip_completes },
        { "stale_keep_alive_resent", test_stale_keep_alive_resent },
        { "extra_body_bytes_not_reused", test_extra_body_bytes_not_reused },
        { "echo_sees_request", test_echo_sees_request },
    };
    tt_run_suite("integ_bad", tests, TT_COUNT(tests));
}
