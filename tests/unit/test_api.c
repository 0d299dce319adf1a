/*
 * The shared API layer's pieces that need no server: token swaps seen
 * whole from another thread, retry classification through the error
 * checks, path segment escaping.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR

#include "../testlib.h"
#include "suites.h"
#include "tether/api.h"
#include "port_mock.h"

#include <pthread.h>
#include <string.h>

static tt_api api;
static volatile int writer_done;
/* two tokens of different lengths, both as long as the build allows */
#define LEN_A (TT_API_TOKEN_MAX - 1)
#define LEN_B (TT_API_TOKEN_MAX * 3 / 4)
static char tok_a[LEN_A + 1], tok_b[LEN_B + 1];

static void *swapper(void *arg)
{
    int i;
    tt_error e;
    (void)arg;
    for (i = 0; i < 200000; i++)
        tt_api_set_token(&api, TT_API_AUTH_BEARER, (i & 1) ? tok_b : tok_a, &e);
    writer_done = 1;
    return NULL;
}

static void test_token_swap_never_torn(void)
{
    pthread_t th;
    char buf[TT_API_TOKEN_MAX];
    unsigned long reads = 0, torn = 0;
    tt_error e;
    memset(&api, 0, sizeof api);
    memset(tok_a, 'A', LEN_A);
    memset(tok_b, 'B', LEN_B);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_BEARER, tok_a, &e), 0);
    writer_done = 0;
    CHECK_INT(pthread_create(&th, NULL, swapper, NULL), 0);
    while (!writer_done || reads < 1000) {
        size_t n;
        tt_api_token_copy(&api, buf, sizeof buf);
        n = strlen(buf);
        if (!((n == LEN_A && strspn(buf, "A") == LEN_A) ||
              (n == LEN_B && strspn(buf, "B") == LEN_B)))
            torn++;
        reads++;
    }
    pthread_join(th, NULL);
    CHECK_INT(torn, 0);
    CHECK(reads >= 1000);
}

static void test_token_limits(void)
{
    static char big[TT_API_TOKEN_MAX + 1];
    tt_error e;
    memset(&api, 0, sizeof api);
    memset(big, 'x', TT_API_TOKEN_MAX);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_BEARER, big, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, "a:b", &e), -1);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, "a:b:c:d", &e), -1);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, "a:b:c", &e), 0);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, ":b:c", &e), 0);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, "abc", &e), -1);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_BEARER, NULL, &e), 0); /* no token */
}

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

static void test_error_checks(void)
{
    tt_error e;
    tt_error_set(&e, TT_ERR_API, TT_E_API, "h", "x");
    e.http_status = 404;
    CHECK(tt_api_is_not_found(&e));
    e.http_status = 403;
    CHECK(tt_api_is_unauthorized(&e));
    e.http_status = 429;
    CHECK(tt_api_is_rate_limited(&e));
    e.http_status = 502;
    CHECK(tt_api_is_server(&e));
    CHECK(!tt_api_is_not_found(&e));
    tt_error_set(&e, TT_ERR_NETWORK, TT_E_RESET, "h", "reset");
    e.http_status = 404; /* a network error has no status, whatever is left */
    CHECK(!tt_api_is_not_found(&e));
}

static void test_segment(void)
{
    char out[16];
    CHECK_INT(tt_api_segment(out, sizeof out, "a b/c"), 0);
    CHECK_STR(out, "a%20b%2Fc");
    CHECK_INT(tt_api_segment(out, 8, "abcdefghij"), -1);
    /* nothing of a name can reach the request line as syntax */
    CHECK_INT(tt_api_segment(out, sizeof out, "x?y#z\r\n"), 0);
    CHECK_STR(out, "x%3Fy%23z%0D%0A");
    CHECK_INT(tt_api_segment(out, sizeof out, "%2e"), 0);
    CHECK_STR(out, "%252e");
    /* dot segments would name another resource */
    CHECK_INT(tt_api_segment(out, sizeof out, ".."), -1);
    CHECK_INT(tt_api_segment(out, sizeof out, "."), -1);
    CHECK_INT(tt_api_segment(out, sizeof out, "..."), 0);
    CHECK_INT(tt_api_segment(out, sizeof out, ""), -1);
    CHECK_INT(tt_api_segment(out, sizeof out, NULL), -1);
}

static tt_mock mock;
static tt_client client;
static char buf[2048];
static tt_json doc;

static void mock_client(void)
{
    tt_port port;
    tt_error e;
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    tt_client_init(&client, &port, NULL, &e);
}

static void test_init_checks(void)
{
    static char long_url[TT_URL_MAX + 32];
    tt_error e;
    mock_client();
    CHECK_INT(tt_api_init(&api, &client, NULL, NULL, buf, sizeof buf, &doc, &e), -1);
    CHECK(strstr(e.msg, "no server URL") != NULL);
    CHECK_INT(tt_api_init(&api, &client, "ftp://x", NULL, buf, sizeof buf, &doc, &e), -1);
    CHECK_INT(e.code, TT_E_URL_SCHEME);
    memcpy(long_url, "http://h/", 9);
    memset(long_url + 9, 'p', TT_URL_MAX);
    CHECK_INT(tt_api_init(&api, &client, long_url, NULL, buf, sizeof buf, &doc, &e), -1);
    CHECK_INT(tt_api_init(&api, &client, "http://h.test:8080///", NULL, buf, sizeof buf, &doc,
                          &e), 0);
    CHECK_STR(api.base, "http://h.test:8080");  /* trailing slashes dropped */
    CHECK_STR(api.label, "h.test");             /* the host names the server */
}

/* Headers captured by name or by the alternative; a path that makes the
 * URL too long is refused before anything is sent. */
static void test_capture_and_long_path(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nX-Alt-Id: alt\r\nX-Request-Id: main\r\n"
                               "Content-Length: 2\r\n\r\n{}";
    static char path[TT_URL_MAX + 8];
    tt_api_req r;
    char id[16];
    tt_error e;
    mock_client();
    tt_mock_add(&mock, resp, sizeof resp - 1);
    CHECK_INT(tt_api_init(&api, &client, "http://h.test", "t", buf, sizeof buf, &doc, &e), 0);
    memset(&r, 0, sizeof r);
    r.path = "/x";
    r.capture_name = "X-Request-Id";
    r.capture_alt = "X-Alt-Id";
    r.capture_buf = id;
    r.capture_cap = sizeof id;
    id[0] = '\0';
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
    CHECK_STR(id, "main");
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    r.path = path;
    mock.written_len = 0;
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    CHECK_INT(mock.written_len, 0);
}

void suite_api(void)
{
    static const tt_test tests[] = {
        { "token_swap_never_torn", test_token_swap_never_torn },
        { "token_limits", test_token_limits },
        { "error_checks", test_error_checks },
        { "segment", test_segment },
        { "base64_strict", test_base64_strict },
        { "init_checks", test_init_checks },
        { "capture_and_long_path", test_capture_and_long_path },
    };
    tt_run_suite("api", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
