/*
 * The shared API layer (core/api/api.c): token swaps seen whole from
 * another thread, retry classification through the error checks, path
 * segment escaping, base URLs, OAuth and bearer headers, extra headers,
 * captured headers, gzip both ways, retries and their waits, retries that
 * never duplicate work; and every endpoint of every client against
 * answers it must refuse. Calls run over the mock port (fixture.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#include "fixture.h"
#include "tether/api.h"
#include "tether/gzip.h"

#include <pthread.h>
#include <stdio.h>
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

static char buf[2048];

static tt_json doc;

static void test_init_checks(void)
{
    static char long_url[TT_URL_MAX + 32];
    tt_error e;
    client_setup(NULL);
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
    client_setup(NULL);
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

/* ---- calls over the mock ---- */

static char body_buf[4096];

static void api_start(const char *label)
{
    tt_error e;
    fresh();
    tt_client_init(&client, &port, NULL, &e);
    tt_api_init(&api, &client, "http://h.test", label, body_buf, sizeof body_buf, &doc, &e);
}

static int get(const char *path, tt_api_resp *res, tt_error *e)
{
    tt_api_req r;
    memset(&r, 0, sizeof r);
    r.path = path;
    return tt_api_call(&api, &r, res, e);
}

static void test_api_empty_label_names_the_host(void)
{
    api_start("");
    CHECK_STR(api.label, "h.test");
}

static void test_api_base_url_longer_than_buffer_refused(void)
{
    int parses;
    const char *u = overlong_url(TT_URL_MAX + 4, &parses);
    tt_error e;
    CHECK(u != NULL);
    api_start("h");
    CHECK_INT(tt_api_init(&api, &client, u, "x", body_buf, sizeof body_buf, &doc, &e), -1);
    /* the API layer's own refusal, or the URL parser's limit before it */
    CHECK_INT(e.cls, parses ? TT_ERR_USAGE : TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

/* Without a working random source the OAuth nonce is still well formed
 * (a fixed pattern); the other OAuth parameters come from the key. */
static void test_api_oauth_header_without_random(void)
{
    static const char *const expect =
        "Authorization: OAuth oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", "
        "oauth_consumer_key=\"ck\", oauth_token=\"tk\", oauth_signature=\"&ts\", "
        "oauth_nonce=\"5a5a5a5a5a5a5a5a5a5a5a5a\", oauth_timestamp=\"1767226600\"\r\n";
    tt_error e;
    int round;
    for (round = 0; round < 2; round++) {
        api_start("m");
        if (round == 0)
            port_ops.random = NULL;    /* a port without random() */
        else
            random_fails = 1;          /* one whose random() fails */
        CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_OAUTH_PLAINTEXT, "ck:tk:ts", &e), 0);
        answer(200, "{}");
        CHECK_INT(get("/x", NULL, &e), 0);
        CHECK(sent(expect));
    }
}

static void test_api_cleared_bearer_token_sends_no_authorization(void)
{
    tt_error e;
    api_start("h");
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_BEARER, "tok", &e), 0);
    CHECK_INT(tt_api_set_token(&api, TT_API_AUTH_BEARER, "", &e), 0);
    answer(200, "{}");
    CHECK_INT(get("/x", NULL, &e), 0);
    CHECK(sent("GET /x HTTP/1.1\r\n"));
    CHECK(!sent("Authorization"));
}

/* Fill hs[0..n) with distinct headers "X-Hk: vk". */
static void make_headers(tt_header *hs, size_t n)
{
    static char names[TT_API_HEADERS_MAX + 4][24], values[TT_API_HEADERS_MAX + 4][24];
    size_t i;
    for (i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "X-H%zu", i);
        snprintf(values[i], sizeof values[i], "v%zu", i);
        hs[i].name = names[i];
        hs[i].value = values[i];
    }
}

/* The caller's headers go out; more than the table holds is refused by
 * name before anything is sent, never silently cut. */
static void test_api_extra_headers_sent_or_refused_whole(void)
{
    tt_header hs[TT_API_HEADERS_MAX + 1];
    tt_api_req r;
    tt_error e;
    api_start("h");
    make_headers(hs, TT_COUNT(hs));
    memset(&r, 0, sizeof r);
    r.path = "/x";
    r.headers = hs;
    r.nheaders = 3;
    answer(200, "{}");
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
    CHECK(sent("X-H0: v0\r\n"));
    CHECK(sent("X-H2: v2\r\n"));
    mock.written_len = 0;
    r.nheaders = TT_API_HEADERS_MAX;   /* with Accept, one too many */
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_COUNT);
    CHECK_INT(mock.written_len, 0);
}

/* The main header wins over the alternative whatever their order; either
 * name alone works. */
static void test_api_capture_main_or_alternative(void)
{
    static const struct { const char *name, *alt, *want; } cases[] = {
        { "X-Request-Id", "X-Alt-Id", "main" },
        { NULL, "X-Alt-Id", "alt" },
        { "X-Request-Id", "X-Alt-Id", "main" },  /* answered alt-first below */
        { "X-Request-Id", NULL, "main" },
    };
    char id[16];
    tt_api_req r;
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        api_start("h");
        answer_with(200, i == 2 ? "X-Alt-Id: alt\r\nX-Request-Id: main\r\n"
                                : "X-Request-Id: main\r\nX-Alt-Id: alt\r\n", "{}");
        memset(&r, 0, sizeof r);
        r.path = "/x";
        r.capture_name = cases[i].name;
        r.capture_alt = cases[i].alt;
        r.capture_buf = id;
        r.capture_cap = sizeof id;
        id[0] = '\0';
        CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
        CHECK_STR(id, cases[i].want);
    }
}

static void test_api_empty_2xx_body_has_no_data(void)
{
    tt_api_resp res;
    tt_error e;
    api_start("h");
    answer(200, "");
    CHECK_INT(get("/x", &res, &e), 0);
    CHECK_INT(res.status, 200);
    CHECK_INT(res.data, -1);
    CHECK_INT(res.body_len, 0);
}

/* A client without gzip refuses a gzip answer by name (and does not touch
 * the inflater it does not have). */
static void test_api_gzip_answer_not_asked_for_refused(void)
{
    tt_error e;
    api_start("h");
    answer_with(200, "Content-Encoding: gzip\r\n", "\x1f\x8b\x08 not inflated");
    CHECK_INT(get("/x", NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_GZIP);
    CHECK(strstr(e.msg, "not asked for") != NULL);
}

#if TT_FEATURE_GZIP
static tt_gzip gz;
static unsigned char zbuf[4096];

static void with_gzip(size_t threshold, size_t zcap)
{
    api.gz = &gz;
    api.gzip_threshold = threshold;
    api.zbuf = zbuf;
    api.zcap = zcap;
}

/* A body that would be compressed goes plain when the header table has no
 * room left for Content-Encoding. */
static void test_api_gzip_skipped_when_header_table_full(void)
{
    tt_header hs[TT_API_HEADERS_MAX];
    tt_api_req r;
    char last_header[64];
    const char *body = filled('b', 600);
    tt_error e;
    api_start("h");
    with_gzip(16, sizeof zbuf);
    make_headers(hs, TT_COUNT(hs));
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = "/x";
    r.body = body;
    r.body_len = strlen(body);
    r.headers = hs;
    r.nheaders = TT_API_HEADERS_MAX - 3;  /* Accept, Content-Type, Accept-Encoding */
    answer(200, "{}");
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
    snprintf(last_header, sizeof last_header, "%s: %s\r\n", hs[r.nheaders - 1].name,
             hs[r.nheaders - 1].value);
    CHECK(sent(last_header));              /* every caller's header went out */
    CHECK(!sent("Content-Encoding"));
    CHECK(sent("\r\n\r\nbbbbbbbb"));
    /* one header fewer: room for Content-Encoding, and the body is compressed */
    mock.written_len = 0;
    r.nheaders--;
    answer(200, "{}");
    CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
    CHECK(sent("Content-Encoding: gzip\r\n"));
}

static void test_api_gzip_threshold_zero_or_small_zbuf_sends_plain(void)
{
    tt_api_req r;
    const char *body = filled('q', 1500);
    tt_error e;
    int round;
    for (round = 0; round < 2; round++) {
        api_start("h");
        if (round == 0)
            with_gzip(0, sizeof zbuf);     /* 0: never compress */
        else
            with_gzip(16, 8);              /* compressed form cannot fit */
        memset(&r, 0, sizeof r);
        r.method = "POST";
        r.path = "/x";
        r.body = body;
        r.body_len = strlen(body);
        answer(200, "{}");
        CHECK_INT(tt_api_call(&api, &r, NULL, &e), 0);
        CHECK(!sent("Content-Encoding"));
        CHECK(sent("Content-Length: 1500\r\n"));
        CHECK(sent("Accept-Encoding: gzip\r\n"));
    }
}

/* An HTTP answer with a gzip body: head, then bytes (which may hold NULs). */
static void answer_gzip(const char *coding, const unsigned char *z, size_t zn)
{
    static unsigned char resp[4][2048];
    static int slot;
    unsigned char *r = resp[slot++ % 4];
    int hl = snprintf((char *)r, 256, "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", coding, zn);
    memcpy(r + hl, z, zn);
    tt_mock_add(&mock, r, (size_t)hl + zn);
}

static size_t compress(const char *text, unsigned char *out, size_t cap)
{
    static tt_gzip g;
    size_t zn = 0;
    tt_error e;
    if (tt_gzip_compress(&g, text, strlen(text), out, cap, &zn, &e) != 0)
        return 0;
    return zn;
}

/* The integer member name of object obj in the API's document. */
static int json_int(tt_json_val obj, const char *name, int64_t *v)
{
    tt_error e;
    return tt_json_get_int(&doc, tt_json_member(&doc, obj, name, strlen(name)), INT32_MIN,
                           INT32_MAX, v, name, &e);
}

/* Content codings are case-insensitive (RFC 9110 8.4.1); other codings
 * such as identity are not inflated. */
static void test_api_gzip_coding_name_any_case(void)
{
    unsigned char z[256];
    size_t zn = compress("{\"data\":{\"v\":7}}", z, sizeof z);
    tt_api_resp res;
    tt_error e;
    int64_t v = 0;
    CHECK(zn > 0);
    api_start("h");
    with_gzip(1024, sizeof zbuf);
    answer_gzip("GZIP", z, zn);
    CHECK_INT(get("/x", &res, &e), 0);
    CHECK_INT(json_int(res.data, "v", &v), 0);
    CHECK_INT(v, 7);
    answer_with(200, "Content-Encoding: identity\r\n", "{\"data\":{\"v\":8}}");
    CHECK_INT(get("/y", &res, &e), 0);
    CHECK_INT(json_int(res.data, "v", &v), 0);
    CHECK_INT(v, 8);
}

static void test_api_gzip_answer_cut_short_is_error(void)
{
    unsigned char z[256];
    size_t zn = compress("{\"data\":{\"v\":7,\"w\":\"some more text to compress\"}}", z,
                         sizeof z);
    tt_error e;
    CHECK(zn > 12);
    api_start("h");
    with_gzip(1024, sizeof zbuf);
    answer_gzip("gzip", z, zn - 10);       /* a whole HTTP body, a gzip stream cut short */
    CHECK_INT(get("/x", NULL, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
}

#endif /* TT_FEATURE_GZIP */

/* 429 without Retry-After waits the policy's backoff, then retries. */
static void test_api_429_without_retry_after_backs_off(void)
{
    tt_api_resp res;
    tt_error e;
    int64_t t0;
    api_start("h");
    api.retry.max_retries = 2;
    api.retry.base_ms = 700;
    api.retry.jitter_pct = 0;
    answer(429, "{\"error\":{\"code\":\"slow\",\"message\":\"slow down\"}}");
    answer(200, "{\"data\":true}");
    t0 = mock.now;
    CHECK_INT(get("/x", &res, &e), 0);
    CHECK_INT(res.attempts, 2);
    CHECK_INT(api.stats.retries, 1);
    CHECK_INT(mock.now - t0, 700);
}

static void test_api_retry_wait_cancelled(void)
{
    tt_error e;
    api_start("h");
    api.retry.max_retries = 3;
    sleep_cancels = 1;
    answer(503, "busy");
    answer(200, "{}");
    CHECK_INT(get("/x", NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_CANCELLED);
    CHECK_INT(e.code, TT_E_CANCELLED);
    CHECK_INT(mock.connects, 1);
}

static void test_api_unauthorized_and_segment_without_room(void)
{
    tt_error e;
    char out[4];
    tt_error_set(&e, TT_ERR_HTTP, TT_E_HTTP_STATUS, "h", "x");
    e.http_status = 401;
    CHECK(tt_api_is_unauthorized(&e));
    e.http_status = 409;
    CHECK(!tt_api_is_unauthorized(&e));
    CHECK(tt_api_is_conflict(&e));
    out[0] = 'x';
    CHECK_INT(tt_api_segment(out, 0, "a"), -1);
    CHECK_INT(out[0], 'x');                /* nothing written into no room */
}

/* ---- retries that never duplicate work ------------------------------------------ */

static int sky_launch_once(char *id, size_t cap, tt_error *e)
{
    tt_sky_launch_req q;
    memset(&q, 0, sizeof q);
    q.cluster_name = "c";
    q.task_yaml = "run: echo hi\n";
    return tt_sky_launch(&sky, &q, id, cap, e);
}

static int sky_retrying(void)
{
    if (sky_start() != 0)
        return -1;
    sky.api.retry.max_retries = 3;
    sky.api.retry.jitter_pct = 0;
    return 0;
}

#define ACCEPTED "HTTP/1.1 200 OK\r\nX-Skypilot-Request-ID: req-2\r\nContent-Length: 4\r\n\r\nnull"

/* A launch goes again only when the server cannot have taken it. */
static void test_api_post_retried_only_when_not_taken(void)
{
    char id[TT_SKY_ID_MAX];
    tt_mock_script *sc;
    tt_error e;
    /* refused at connect: nothing left */
    CHECK_INT(sky_retrying(), 0);
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    tt_mock_add(&mock, ACCEPTED, sizeof ACCEPTED - 1);
    CHECK_INT(sky_launch_once(id, sizeof id, &e), 0);
    CHECK_STR(id, "req-2");
    CHECK_INT(mock.connects, 2);
    tt_sky_close(&sky);
    /* reset while the body was still going out: it never arrived whole */
    CHECK_INT(sky_retrying(), 0);
    sc = tt_mock_add(&mock, "", 0);
    sc->send_reset_at = 40;
    sc->hold_open = 1;
    tt_mock_add(&mock, ACCEPTED, sizeof ACCEPTED - 1);
    CHECK_INT(sky_launch_once(id, sizeof id, &e), 0);
    CHECK_INT(mock.connects, 2);
    tt_sky_close(&sky);
    /* 429, and 503 with Retry-After: the server says it did nothing */
    CHECK_INT(sky_retrying(), 0);
    answer_with(429, "Retry-After: 0\r\n", "{\"detail\":\"slow down\"}");
    answer_with(503, "Retry-After: 0\r\n", "{\"detail\":\"shutting down\"}");
    tt_mock_add(&mock, ACCEPTED, sizeof ACCEPTED - 1);
    CHECK_INT(sky_launch_once(id, sizeof id, &e), 0);
    CHECK_INT(mock.connects, 3);
    tt_sky_close(&sky);
    /* a 500, a 502, a 503 without Retry-After: it may have been taken */
    CHECK_INT(sky_retrying(), 0);
    answer_with(500, "X-Skypilot-Request-ID: req-9\r\n", "{\"detail\":\"boom\"}");
    CHECK_INT(sky_launch_once(id, sizeof id, &e), -1);
    CHECK_INT(e.http_status, 500);
    CHECK_INT(mock.connects, 1);
    CHECK_STR(e.msg, "sky.test: boom (request req-9)");  /* to look up, not to repeat */
    answer_with(503, NULL, "{\"detail\":\"busy\"}");
    CHECK_INT(sky_launch_once(id, sizeof id, &e), -1);
    CHECK_INT(mock.connects, 2);
    tt_sky_close(&sky);
    /* a timeout once the request was sent: not repeated */
    CHECK_INT(sky_retrying(), 0);
    sc = tt_mock_add(&mock, ACCEPTED, sizeof ACCEPTED - 1);
    sc->stall_at = 0;
    sc->stall_ms = -1;
    CHECK_INT(sky_launch_once(id, sizeof id, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(mock.connects, 1);
    tt_sky_close(&sky);
}

/* SkyPilot's ids are uuid4 strings (36 bytes): one that does not fit the
 * caller's buffer fails the call instead of naming another request. */
#define UUID_ID "b6a8f0a2-6c1e-4e0f-9a51-2f8d6b7c9e13"
#define ACCEPTED_UUID "HTTP/1.1 200 OK\r\nX-Skypilot-Request-ID: " UUID_ID \
    "\r\nContent-Length: 4\r\n\r\nnull"
static void test_api_request_id_never_cut(void)
{
    char id[TT_SKY_ID_MAX];
    tt_error e;
    CHECK_INT(sky_start(), 0);
    tt_mock_add(&mock, ACCEPTED_UUID, sizeof ACCEPTED_UUID - 1);
    CHECK_INT(sky_launch_once(id, 37, &e), 0);
    CHECK_STR(id, UUID_ID);
    tt_mock_add(&mock, ACCEPTED_UUID, sizeof ACCEPTED_UUID - 1);
    CHECK_INT(sky_launch_once(id, 36, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_LINE);
    CHECK(strstr(e.msg, "X-Skypilot-Request-ID \"" UUID_ID "...\" (36 bytes)") != NULL);
    CHECK_INT(mock.connects, 2);  /* a launch the server took is not sent again */
    tt_sky_close(&sky);
}

/* A read goes again after anything that may pass, a status that is only
 * read (POST /status) too; a streamed answer only while nothing of it
 * reached the caller. */
static void test_api_reads_retried(void)
{
    static const char health[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"
                                 "{\"status\":\"healthy\"}";
    static tt_maas_vmhost h;
    tt_sky_health hh;
    tt_mock_script *sc;
    char id[TT_SKY_ID_MAX];
    tt_error e;
    CHECK_INT(sky_retrying(), 0);
    sc = tt_mock_add(&mock, health, sizeof health - 1);
    sc->stall_at = 0;
    sc->stall_ms = -1;
    answer(502, "{\"detail\":\"bad gateway\"}");
    tt_mock_add(&mock, health, sizeof health - 1);
    CHECK_INT(tt_sky_get_health(&sky, &hh, &e), 0);
    CHECK_INT(mock.connects, 3);
    answer(500, "{\"detail\":\"boom\"}");
    tt_mock_add(&mock, ACCEPTED, sizeof ACCEPTED - 1);
    CHECK_INT(tt_sky_status(&sky, NULL, 0, id, sizeof id, &e), 0);
    CHECK_INT(mock.connects, 5);
    tt_sky_close(&sky);
    /* a VM host read that was cut after its first bytes is not read again
     * into the same record; one that never began is */
    CHECK_INT(maas_start(), 0);
    maas.api.retry.max_retries = 3;
    maas.api.retry.jitter_pct = 0;
    sc = tt_mock_add(&mock, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{\"id\": 1,", 47);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(mock.connects, 1);
    tt_mock_add_fail(&mock, TT_PORT_ERESET);
    answer(200, "{\"id\": 1, \"name\": \"lxd-a\"}");
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_STR(h.name, "lxd-a");
    CHECK_INT(mock.connects, 3);
    tt_maas_close(&maas);
}

/* ---- every client at once ---- */

static void test_maas_vmm_pool_refuse_bad_arguments(void)
{
    tt_maas_config mc;
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_maas_compose_req q;
    static tt_maas_machine m;
    tt_vmm_create_req cr;
    tt_vmm_vm vm;
    tt_pool_status st;
    char sid[32];
    tt_error e;

    serve_once(200, NULL);
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = "only:two";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1); /* a key has three parts */
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
    memset(&q, 0, sizeof q);
    CHECK_REFUSED(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_maas_read_machine(&maas, "..", &m, NULL, NULL, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_maas_close(&maas);

    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    vc.scheme = "http";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), 0);
    CHECK_REFUSED(tt_vmm_get(&vmm, "", &vm, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_vmm_delete(&vmm, "..", 1, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    memset(&cr, 0, sizeof cr);
    cr.name = "vm";
    CHECK_REFUSED(tt_vmm_create(&vmm, &cr, &vm, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_vmm_close(&vmm);
    vc.scheme = "gopher";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);

    memset(&pc, 0, sizeof pc);
    pc.url = "http://pool.test:9200";
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), 0);
    CHECK_REFUSED(tt_pool_get_status(&pool, "", &st, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_pool_close(&pool);
}

static void start_proto(char proto)
{
    tt_error e;
    switch (proto) {
    case 'p':
        plexd_open();
        tt_plexd_set_node_id(&plexd, "n1", &e);
        plexd.api.retry.max_retries = 0;
        break;
    case 's':
        sky_open();
        sky.api.retry.max_retries = 0;
        break;
    case 'm':
        maas_open();
        maas.api.retry.max_retries = 0;
        break;
    case 'v':
        vmm_open();
        break;
    default:
        pool_open(NULL);
        break;
    }
}

static void stop_proto(char proto)
{
    switch (proto) {
    case 'p': tt_plexd_close(&plexd); break;
    case 's': tt_sky_close(&sky); break;
    case 'm': tt_maas_close(&maas); break;
    case 'v': tt_vmm_close(&vmm); break;
    default: tt_pool_close(&pool); break;
    }
}

/*
 * Every endpoint meets a server error, an answer of the wrong shape and an
 * answer that is not JSON: each call fails with a class the caller can act
 * on (HTTP or API for the error; protocol for the others), never succeeds
 * on a wrong shape it should have refused, never crashes.
 */
static void test_every_endpoint_refuses_bad_answers(void)
{
    static const struct { int status; const char *body; } answers[] = {
        { 500, "{\"error\":{\"code\":\"boom\",\"message\":\"server broke\"}}" },
        { 503, "upstream down" },
        { 200, "[1,2,3]" },
        { 200, "not json" },
        { 200, "{\"data\":{\"x\":{\"y\":[true,false,null,1.5]}}}" },
    };
    size_t i, k;
    for (i = 0; i < nendpoints; i++) {
        for (k = 0; k < TT_COUNT(answers); k++) {
            tt_error e;
            int rc;
            serve_once(answers[k].status, answers[k].body);
            start_proto(endpoints[i].proto);
            memset(&e, 0, sizeof e);
            rc = endpoints[i].call(&e);
            stop_proto(endpoints[i].proto);
            if (answers[k].status != 200 && rc == 0) {
                tt_test_fail(__FILE__, __LINE__, "%s: accepted HTTP %d", endpoints[i].name,
                             answers[k].status);
                return;
            }
            if (rc != 0 && (e.cls == TT_ERR_NONE || e.cls == TT_ERR_USAGE ||
                            e.msg[0] == '\0')) {
                tt_test_fail(__FILE__, __LINE__, "%s, answer %zu: class %s, '%s'",
                             endpoints[i].name, k, tt_err_class_name(e.cls), e.msg);
                return;
            }
            /* an artifact and logs are bytes, not JSON */
            if (k == 3 && rc == 0 && endpoints[i].call != c_artifact &&
                endpoints[i].call != c_sky_logs) {
                tt_test_fail(__FILE__, __LINE__, "%s: accepted a body that is not JSON",
                             endpoints[i].name);
                return;
            }
        }
    }
}

void suite_api(void)
{
    static const tt_test tests[] = {
        { "token_swap_never_torn", test_token_swap_never_torn },
        { "token_limits", test_token_limits },
        { "error_checks", test_error_checks },
        { "segment", test_segment },
        { "init_checks", test_init_checks },
        { "capture_and_long_path", test_capture_and_long_path },
        { "api_post_retried_only_when_not_taken", test_api_post_retried_only_when_not_taken },
        { "api_request_id_never_cut", test_api_request_id_never_cut },
        { "api_reads_retried", test_api_reads_retried },
        { "api_empty_label_names_the_host", test_api_empty_label_names_the_host },
        { "api_base_url_longer_than_buffer_refused", test_api_base_url_longer_than_buffer_refused },
        { "api_oauth_header_without_random", test_api_oauth_header_without_random },
        { "api_cleared_bearer_token_sends_no_authorization",
          test_api_cleared_bearer_token_sends_no_authorization },
        { "api_extra_headers_sent_or_refused_whole", test_api_extra_headers_sent_or_refused_whole },
        { "api_capture_main_or_alternative", test_api_capture_main_or_alternative },
        { "api_empty_2xx_body_has_no_data", test_api_empty_2xx_body_has_no_data },
        { "api_gzip_answer_not_asked_for_refused", test_api_gzip_answer_not_asked_for_refused },
#if TT_FEATURE_GZIP
        { "api_gzip_skipped_when_header_table_full", test_api_gzip_skipped_when_header_table_full },
        { "api_gzip_threshold_zero_or_small_zbuf_sends_plain",
          test_api_gzip_threshold_zero_or_small_zbuf_sends_plain },
        { "api_gzip_coding_name_any_case", test_api_gzip_coding_name_any_case },
        { "api_gzip_answer_cut_short_is_error", test_api_gzip_answer_cut_short_is_error },
#endif
        { "api_429_without_retry_after_backs_off", test_api_429_without_retry_after_backs_off },
        { "api_retry_wait_cancelled", test_api_retry_wait_cancelled },
        { "api_unauthorized_and_segment_without_room",
          test_api_unauthorized_and_segment_without_room },
        { "maas_vmm_pool_refuse_bad_arguments", test_maas_vmm_pool_refuse_bad_arguments },
        { "every_endpoint_refuses_bad_answers", test_every_endpoint_refuses_bad_answers },
    };
    tt_run_suite("api", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
