/*
 * The protocol clients (core/api/): answers and arguments at the edges of
 * what they accept.
 *
 * Every client runs over the mock port with scripted answers; each test
 * checks what came back (class, code, decoded fields) and what went out on
 * the wire (the mock records every byte the client sent).
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR

#include "../testlib.h"
#include "suites.h"
#include "tether/api.h"
#include "tether/gzip.h"
#include "tether/maas.h"
#include "tether/plexd.h"
#include "tether/poolmgr.h"
#include "port_mock.h"
#include "tether/skypilot.h"
#include "tether/tls.h"
#include "tether/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the port: the mock, with a copy of its table that tests can bend ---- */

static tt_mock mock;
static tt_port port;
static tt_port_ops ops;
static const tt_port_ops *mock_ops;
static int random_fails;   /* random() reports a failure */
static int sleep_cancels;  /* sleep_ms() reports a cancellation */

static int bent_random(void *ctx, void *buf, size_t len)
{
    if (random_fails)
        return TT_PORT_EIO;
    return mock_ops->random(ctx, buf, len);
}

static int bent_sleep(void *ctx, int64_t ms, volatile sig_atomic_t *cancel)
{
    if (sleep_cancels)
        return TT_PORT_ECANCELLED; /* as if the caller cancelled during the wait */
    return mock_ops->sleep_ms(ctx, ms, cancel);
}

/* A fresh mock with no connections scripted yet. */
static void fresh(void)
{
    tt_port mp;
    tt_mock_init(&mock);
    tt_mock_port(&mock, &mp);
    mock_ops = mp.ops;
    ops = *mp.ops;
    ops.random = bent_random;
    ops.sleep_ms = bent_sleep;
    port.ops = &ops;
    port.ctx = &mock;
    random_fails = 0;
    sleep_cancels = 0;
}

/* One more connection answering status with body (JSON unless the extra
 * headers say otherwise); each closes after its answer. */
static void answer_with(int status, const char *headers, const char *body)
{
    static char text[128 * 1024];
    const char *parts[1];
    snprintf(text, sizeof text,
             "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
             headers != NULL ? headers : "Content-Type: application/json\r\n", strlen(body),
             body);
    parts[0] = text;
    tt_mock_add_parts(&mock, parts, 1);
}

static void answer(int status, const char *body)
{
    answer_with(status, NULL, body);
}

/* Everything the client sent so far, as a string. */
static const char *wire(void)
{
    size_t n = mock.written_len < sizeof mock.written ? mock.written_len
                                                      : sizeof mock.written - 1;
    mock.written[n] = '\0';
    return (const char *)mock.written;
}

static int sent(const char *s)
{
    return strstr(wire(), s) != NULL;
}

static int sent_count(const char *s)
{
    const char *p = wire();
    int k = 0;
    while ((p = strstr(p, s)) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* A string of n copies of c (n < the buffer). */
static const char *filled(char c, size_t n)
{
    static char s[TT_API_REQUEST_MAX + 64];
    if (n >= sizeof s)
        n = sizeof s - 1;
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/*
 * A URL of len characters that tt_url_parse accepts: host and target each
 * within their own limits (TT_URL_HOST_MAX, TT_URL_TARGET_MAX), so that
 * together they can pass TT_URL_MAX. NULL when the build's limits do not
 * allow one that long (then no parsed URL can be that long either).
 */
static const char *long_url(size_t len)
{
    static char u[TT_URL_HOST_MAX + TT_URL_TARGET_MAX + 32];
    const size_t fixed = 7 + 5;            /* "http://" and ":8080" */
    size_t target, host, n, i;
    if (len < fixed + 2 || len >= sizeof u)
        return NULL;
    target = len - fixed - 1 < TT_URL_TARGET_MAX - 2 ? len - fixed - 1 : TT_URL_TARGET_MAX - 2;
    host = len - fixed - target;
    if (host + 2 > TT_URL_HOST_MAX)
        return NULL;
    n = (size_t)snprintf(u, sizeof u, "http://");
    for (i = 0; i < host; i++)             /* labels of at most 62 letters */
        u[n++] = i % 63 == 62 && i + 1 < host ? '.' : 'a';
    n += (size_t)snprintf(u + n, sizeof u - n, ":8080/");
    while (n < len)
        u[n++] = 'p';
    u[n] = '\0';
    return u;
}

/* A URL of len bytes that this build's parser accepts (long_url), or --
 * where the parser's own limits refuse every URL that long (the tiny
 * profile) -- one it refuses; *parses says which. Either way a client
 * given it must refuse it, never cut it short. */
static const char *overlong_url(size_t len, int *parses)
{
    static char u[TT_URL_MAX + 64];
    const char *p = long_url(len);
    size_t n;
    *parses = p != NULL;
    if (p != NULL || len >= sizeof u)
        return p;
    n = (size_t)snprintf(u, sizeof u, "http://h:8080/");
    while (n < len)
        u[n++] = 'p';
    u[n] = '\0';
    return u;
}

/* ---- the shared API layer ----------------------------------------------------------- */

static tt_client client;
static tt_api api;
static char body_buf[4096];
static tt_json doc;

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
            ops.random = NULL;         /* a port without random() */
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
    char last[64];
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
    snprintf(last, sizeof last, "%s: %s\r\n", hs[r.nheaders - 1].name, hs[r.nheaders - 1].value);
    CHECK(sent(last));                     /* every caller's header went out */
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

/* ---- plexd -------------------------------------------------------------------------- */

static tt_plexd plexd;
static tt_plexd_events events;

static void plexd_config(tt_plexd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->base_url = "http://cp.test:8080";
    cfg->token = "t";
}

/* A plexd client on a fresh mock, with node id n1 unless node is NULL. */
static void plexd_start(const char *node)
{
    tt_plexd_config cfg;
    tt_error e;
    fresh();
    plexd_config(&cfg);
    tt_plexd_init(&plexd, &port, &cfg, &e);
    if (node != NULL)
        tt_plexd_set_node_id(&plexd, node, &e);
}

static void test_plexd_config_refusals(void)
{
    static tt_tls_config tls;
    tt_plexd_config cfg;
    tt_error e;
    plexd_config(&cfg);
    cfg.base_url = "";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "BaseURL") != NULL);
    plexd_config(&cfg);
    cfg.connect_timeout_ms = -1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "negative") != NULL);
    cfg.connect_timeout_ms = 0;
    cfg.sse_idle_timeout_ms = -5;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    cfg.sse_idle_timeout_ms = 0;
    cfg.user_agent = "plexd/1.2.3 (linux; arm; bmc-9f2c) tether-compatible client build 2026-12";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);     /* 71 bytes: not cut */
    CHECK(strstr(e.msg, "user agent longer than 63") != NULL);
    cfg.user_agent = "plexd/1.2.3 (linux; arm)";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    cfg.user_agent = NULL;
    cfg.base_url = "https://cp.test";
    tt_tls_config_init(&tls);
    cfg.tls = &tls;                        /* trust given: https is fine */
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    fresh();
    cfg.tls = NULL;                        /* init checks the same way */
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    plexd_config(&cfg);
    cfg.token = filled('k', TT_API_TOKEN_MAX);
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK(strstr(e.msg, "TT_API_TOKEN_MAX") != NULL);
}

/* A URL that passes the configuration check but not the API's buffer. */
static void test_plexd_init_url_too_long_for_base(void)
{
    tt_plexd_config cfg;
    tt_error e;
    int parses;
    plexd_config(&cfg);
    cfg.base_url = overlong_url(TT_URL_MAX + 4, &parses);
    CHECK(cfg.base_url != NULL);
    fresh();
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), parses ? 0 : -1);
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

/* The longest node id and an execution id that encodes to three times
 * its length outgrow the node path: refused, never sent cut short (a cut
 * path names another resource). */
static void test_plexd_node_path_too_long_refused(void)
{
    static char node[64], exec[64];
    tt_plexd_exec_result r;
    tt_error e;
    memset(node, 'n', sizeof node - 1);
    memset(exec, '/', sizeof exec - 1);    /* "%2F" each */
    plexd_start(node);
    CHECK_STR(plexd.node_id, node);
    CHECK_INT(tt_plexd_ack_execution(&plexd, exec, "accepted", NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    memset(&r, 0, sizeof r);
    r.execution_id = exec;
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    CHECK_INT(mock.written_len, 0);
    /* a short one still goes out whole */
    answer(200, "{}");
    CHECK_INT(tt_plexd_ack_execution(&plexd, "e/1", "accepted", NULL, &e), 0);
    CHECK(sent("POST /v1/nodes/"));
    CHECK(sent("/executions/e%2F1/ack HTTP/1.1\r\n"));
    tt_plexd_close(&plexd);
}

/* A base URL that fits, with the node's events path after it, does not:
 * the event stream is refused at init, not opened on a cut URL. */
static void test_plexd_events_url_too_long_refused(void)
{
    static char node[64];
    tt_plexd_config cfg;
    tt_error e;
    memset(node, 'n', sizeof node - 1);
    plexd_config(&cfg);
    cfg.base_url = long_url(TT_URL_MAX - 40);
    CHECK(cfg.base_url != NULL);
    fresh();
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    CHECK_INT(tt_plexd_set_node_id(&plexd, node, &e), 0);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    tt_plexd_close(&plexd);
}

static void test_plexd_user_agent_from_config(void)
{
    tt_plexd_config cfg;
    tt_error e;
    fresh();
    plexd_config(&cfg);
    cfg.user_agent = "agent/9";
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "n1", &e), 0);
    answer(200, "");
    CHECK_INT(tt_plexd_deregister(&plexd, &e), 0);
    CHECK(sent("POST /v1/nodes/n1/deregister HTTP/1.1\r\n"));
    CHECK(sent("User-Agent: agent/9\r\n"));
    CHECK(sent("Authorization: Bearer t\r\n"));
    tt_plexd_close(&plexd);
}

static void test_plexd_error_kinds(void)
{
    static const struct { tt_err_class cls; int status; tt_plexd_error_kind kind; } cases[] = {
        { TT_ERR_NONE, 0, TT_PLEXD_OK }, { TT_ERR_NETWORK, 0, TT_PLEXD_OTHER },
        { TT_ERR_HTTP, 400, TT_PLEXD_BAD_REQUEST }, { TT_ERR_API, 401, TT_PLEXD_UNAUTHORIZED },
        { TT_ERR_HTTP, 403, TT_PLEXD_FORBIDDEN }, { TT_ERR_HTTP, 404, TT_PLEXD_NOT_FOUND },
        { TT_ERR_API, 409, TT_PLEXD_CONFLICT }, { TT_ERR_HTTP, 413, TT_PLEXD_TOO_LARGE },
        { TT_ERR_HTTP, 429, TT_PLEXD_RATE_LIMITED }, { TT_ERR_API, 503, TT_PLEXD_SERVER },
        { TT_ERR_HTTP, 418, TT_PLEXD_OTHER },
        { TT_ERR_TIMEOUT, 500, TT_PLEXD_OTHER },  /* a status left in a non-HTTP error */
    };
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        tt_error e;
        tt_error_clear(&e);
        e.cls = cases[i].cls;
        e.http_status = cases[i].status;
        if (tt_plexd_error_kind_of(&e) != cases[i].kind) {
            tt_test_fail(__FILE__, __LINE__, "case %zu: kind %d, want %d", i,
                         (int)tt_plexd_error_kind_of(&e), (int)cases[i].kind);
            return;
        }
    }
}

/* Peers (or any list's elements) as they pass, kept for the checks. */
typedef struct kept {
    tt_plexd_peer peers[4];
    size_t n;
    size_t problems;
    char first_problem[TT_ERROR_MSG_MAX];
} kept;

static int keep_peer(void *user, const tt_json_item *it, tt_error *err)
{
    kept *k = user;
    (void)err;
    if (tt_plexd_which(it) != TT_PLEXD_LIST_PEERS)
        return 0;
    if (it->error != NULL && k->problems++ == 0)
        snprintf(k->first_problem, sizeof k->first_problem, "%s", it->error->msg);
    if (k->n < TT_COUNT(k->peers))
        k->peers[k->n] = *(const tt_plexd_peer *)it->record;
    k->n++;
    return 0;
}

static void test_plexd_register_adopts_node_identity(void)
{
    static tt_plexd_registration reg;
    static kept k;
    tt_plexd_register_req q;
    char token[64];
    tt_error e;
    plexd_start(NULL);
    answer(200, "{\"node_id\":\"n-7\",\"mesh_ip\":\"10.9.0.2\",\"node_secret_key\":\"sek\","
                "\"peers\":[{\"id\":\"p1\",\"allowed_ips\":[\"10.9.0.0/24\",\"fd00::/64\"]}]}");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "edge-1";
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, keep_peer, &k, &e), 0);
    CHECK(sent("\"token\":\"t\",\"public_key\":\"pk\",\"hostname\":\"edge-1\""));
    CHECK_STR(reg.node_id, "n-7");
    CHECK_STR(reg.mesh_ip, "10.9.0.2");
    CHECK_INT(reg.npeers, 1);
    CHECK_INT(k.n, 1);
    CHECK_INT(k.peers[0].nallowed_ips, 2);
    CHECK_STR(k.peers[0].allowed_ips[1], "fd00::/64");
    CHECK_STR(plexd.node_id, "n-7");
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek");               /* the node's own identity from now on */
    answer(200, "{\"node_id\":\"n-8\"}");  /* no new secret: the token stays */
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), 0);
    CHECK_STR(plexd.node_id, "n-8");
    CHECK_INT(reg.npeers, 0);
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek");
    tt_plexd_close(&plexd);
}

/* The server created the node: a peer that does not fit, or a field of
 * the registration itself, never loses the identity it sent. */
static void test_plexd_register_keeps_identity_through_problems(void)
{
    static tt_plexd_registration reg;
    static char body[8192];
    static kept k;
    tt_plexd_register_req q;
    char token[64];
    tt_error e;
    plexd_start(NULL);
    snprintf(body, sizeof body,
             "{\"node_id\":\"n-9\",\"mesh_ip\":\"%0100d\",\"node_secret_key\":\"sek9\","
             "\"peers\":[{\"id\":\"p1\",\"endpoint\":\"%0300d\"},{\"id\":\"p2\"}]}", 7, 8);
    answer(200, body);
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "edge-1";
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, keep_peer, &k, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK(strstr(e.msg, "mesh_ip: string of 100 bytes, longer than its 48-byte buffer") != NULL);
    CHECK_STR(reg.node_id, "n-9");
    CHECK_STR(plexd.node_id, "n-9");
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek9");
    /* both peers came, the first with its own problem */
    CHECK_INT(k.n, 2);
    CHECK_INT(k.problems, 1);
    CHECK_STR(k.first_problem, "peers[0].endpoint: string of 300 bytes, longer than its "
                               "264-byte buffer");
    CHECK_STR(k.peers[1].id, "p2");
    tt_plexd_close(&plexd);
}

/* A node id that cannot be a path segment is refused, and remembered as
 * no node id at all. */
static void test_plexd_register_refuses_dot_node_id(void)
{
    static tt_plexd_registration reg;
    tt_plexd_register_req q;
    tt_error e;
    plexd_start(NULL);
    answer(200, "{\"node_id\":\"..\"}");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "h";
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "bad node id") != NULL);
    CHECK_STR(plexd.node_id, "");
    tt_plexd_close(&plexd);
}

static void test_plexd_refuses_missing_arguments(void)
{
    static tt_plexd_registration reg;
    static tt_plexd_secret sec;
    tt_plexd_register_req q;
    tt_plexd_exec_result r;
    static tt_plexd_rotation rot;
    tt_error e;
    plexd_start("n1");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";                   /* no hostname */
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_plexd_set_node_id(&plexd, NULL, &e), -1);
    CHECK_STR(plexd.node_id, "");
    tt_plexd_set_node_id(&plexd, "n1", &e);
    rot.npeers = 99;
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "", &rot, NULL, NULL, &e), -1);
    CHECK_INT(rot.npeers, 0);
    CHECK_INT(tt_plexd_get_secret(&plexd, NULL, &sec, &e), -1);
    CHECK_INT(tt_plexd_ack_execution(&plexd, "..", "accepted", NULL, &e), -1);
    CHECK(strstr(e.msg, "bad execution id") != NULL);
    memset(&r, 0, sizeof r);
    r.execution_id = "..";
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

static int count_artifact(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    (void)data;
    (void)err;
    *(size_t *)user += len;
    return 0;
}

/* A download lasts as long as bytes keep coming: 3.6 s of a steady drip
 * with a 1 s request timeout is fine; 1.5 s of silence is not. */
static void test_plexd_artifact_bounded_by_silence(void)
{
    static char resp[4096];
    tt_mock_script *sc;
    size_t got = 0;
    int n;
    tt_error e;
    plexd_start("n1");
    plexd.api.timeout_ms = 1000;
    n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 "Content-Length: 800\r\n\r\n");
    memset(resp + n, 'b', 800);
    mock.chunk = 100;
    sc = tt_mock_add(&mock, resp, (size_t)n + 800);
    sc->recv_delay_ms = 400; /* each read: 9 of them, or 15 with a 64-byte buffer */
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "1.0", "linux", "arm64", count_artifact, &got, &e), 0);
    CHECK_INT(got, 800);
    sc = tt_mock_add(&mock, resp, (size_t)n + 800);
    sc->stall_at = (size_t)n + 300;
    sc->stall_ms = 1500;
    got = 0;
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "1.0", "linux", "arm64", count_artifact, &got, &e), -1);
    CHECK_INT(e.code, TT_E_IDLE_TIMEOUT);
    CHECK(got > 0 && got <= 300);             /* what came before the silence */
    tt_plexd_close(&plexd);
}

static void test_plexd_artifact_needs_each_part(void)
{
    static const char *const args[][3] = {
        { NULL, "linux", "arm64" }, { "1.0", NULL, "arm64" }, { "1.0", "linux", NULL },
        { "..", "linux", "arm64" }, { "1.0", ".", "arm64" }, { "1.0", "linux", ".." },
    };
    size_t i;
    tt_error e;
    plexd_start("n1");
    for (i = 0; i < TT_COUNT(args); i++) {
        tt_error_clear(&e);
        if (tt_plexd_fetch_artifact(&plexd, args[i][0], args[i][1], args[i][2], NULL, NULL,
                                    &e) != -1 || e.cls != TT_ERR_USAGE) {
            tt_test_fail(__FILE__, __LINE__, "case %zu accepted", i);
            return;
        }
    }
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

/* A caller's timestamp is sent as given; an empty answer is "nothing to do". */
static void test_plexd_heartbeat_given_time_empty_answer(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    memset(&q, 0, sizeof q);
    q.timestamp = "2026-05-05T05:05:05Z";
    q.status = "healthy";
    r.reconcile = r.rotate_keys = 1;
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("{\"node_id\":\"n1\",\"timestamp\":\"2026-05-05T05:05:05Z\","
               "\"status\":\"healthy\"}"));
    CHECK_INT(r.reconcile, 0);
    CHECK_INT(r.rotate_keys, 0);
    tt_plexd_close(&plexd);
}

/* The port's wall clock as RFC 3339, every field two digits. */
static void test_plexd_heartbeat_clock_time_padded(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    mock.wall = 1767225600 + 3600 + 5 * 60 + 7 - mock.now / 1000;  /* 01:05:07 */
    answer(200, "{\"reconcile\":true}");
    memset(&q, 0, sizeof q);
    r.reconcile = 0;
    r.rotate_keys = 1; /* must be cleared: absent from the answer */
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"2026-01-01T01:05:07Z\""));
    CHECK_INT(r.reconcile, 1);
    CHECK_INT(r.rotate_keys, 0);
    tt_plexd_close(&plexd);
}

/* A device whose clock was never set stamps its heartbeat from the last
 * answer's Date, not 1970. */
static void test_plexd_heartbeat_clock_unset(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    mock.wall = -mock.now / 1000;                 /* 1970-01-01 on the device */
    memset(&q, 0, sizeof q);
    answer_with(200, "Content-Type: application/json\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\n",
                "{\"reconcile\":false}");
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"1970-01-01T00:00:0"));  /* nothing better known yet */
    answer(200, "{\"reconcile\":false}");
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"2026-12-05T10:00:0"));
    tt_plexd_close(&plexd);
}

static void test_plexd_heartbeat_oversize_refused(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    memset(&q, 0, sizeof q);
    q.status = filled('s', TT_API_REQUEST_MAX);
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

static void test_plexd_state_empty_answer_refused(void)
{
    static tt_plexd_state st;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK(strstr(e.msg, "text ends too early") != NULL);
    CHECK(sent("GET /v1/nodes/n1/state HTTP/1.1\r\n"));
    tt_plexd_close(&plexd);
}

static void test_plexd_rotate_keys_updated_peers(void)
{
    static tt_plexd_rotation rot;
    static kept k;
    tt_error e;
    plexd_start("n1");
    answer(200, "{\"updated_peers\":[{\"id\":\"a\",\"public_key\":\"k1\",\"psk\":\"s\"},"
                "{\"id\":\"b\",\"endpoint\":\"1.2.3.4:51820\"}]}");
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k2", &rot, keep_peer, &k, &e), 0);
    CHECK(sent("POST /v1/keys/rotate HTTP/1.1\r\n"));
    CHECK(sent("{\"node_id\":\"n1\",\"new_public_key\":\"k2\"}"));
    CHECK_INT(rot.npeers, 2);
    CHECK_STR(k.peers[0].public_key, "k1");
    CHECK_STR(k.peers[0].psk, "s");
    CHECK_STR(k.peers[1].endpoint, "1.2.3.4:51820");
    /* a peer without its id: that peer's problem, the others come whole;
     * without a callback the problem is the call's */
    answer(200, "{\"updated_peers\":[{\"id\":\"a\"},{\"public_key\":\"no id\"},{\"id\":\"c\"}]}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k4", &rot, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_STR(e.msg, "cp.test: updated_peers[1].id: required field missing");
    CHECK_INT(rot.npeers, 3);
    answer(200, "{}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k5", &rot, NULL, NULL, &e), 0);
    CHECK_INT(rot.npeers, 0);
    /* Go writes an empty list as null */
    answer(200, "{\"updated_peers\":null}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k6", &rot, NULL, NULL, &e), 0);
    CHECK_INT(rot.npeers, 0);
    tt_plexd_close(&plexd);
}

static void test_plexd_result_optional_fields(void)
{
    tt_plexd_exec_result r;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    memset(&r, 0, sizeof r);
    r.execution_id = "x/1";
    r.status = "failed";
    r.exit_code = 3;
    r.err = "boom";
    r.finished_at = "2026-02-03T04:05:06Z";
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), 0);
    CHECK(sent("POST /v1/nodes/n1/executions/x%2F1/result HTTP/1.1\r\n"));
    CHECK(sent("{\"execution_id\":\"x/1\",\"status\":\"failed\",\"exit_code\":3,\"stdout\":\"\","
               "\"stderr\":\"boom\",\"finished_at\":\"2026-02-03T04:05:06Z\"}"));
    tt_plexd_close(&plexd);
}

/* ---- plexd events ---- */

static int nreports;
static tt_error last_why;

static void keep_report(void *user, const tt_plexd_envelope *env, const tt_error *why)
{
    (void)user;
    (void)env;
    nreports++;
    last_why = *why;
}

static int count_event(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)env;
    (void)err;
    (*(int *)user)++;
    return 0;
}

/* Events of node n1, each counted in *handled, each refusal reported. */
static int events_start(int *handled, tt_error *e)
{
    plexd_start("n1");
    if (tt_plexd_events_init(&events, &plexd, e) != 0 ||
        tt_plexd_on(&events, NULL, count_event, handled, e) != 0)
        return -1;
    events.report = keep_report;
    return 0;
}

/* Envelopes whose type or id is present but empty are malformed too. */
static void test_plexd_events_empty_type_or_id_malformed(void)
{
    static const char *const stream[] = {
        "data: {\"event_type\":\"\",\"event_id\":\"e1\"}\n\n",
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"\"}\n\n",
    };
    int handled = 0;
    size_t i;
    tt_error e;
    CHECK_INT(events_start(&handled, &e), 0);
    for (i = 0; i < TT_COUNT(stream); i++) {
        nreports = 0;
        tt_error_clear(&last_why);
        CHECK_INT(tt_sse_feed(&events.parser, stream[i], strlen(stream[i]), &e), 0);
        CHECK_INT(nreports, 1);
        CHECK_INT(last_why.cls, TT_ERR_PROTOCOL);
        CHECK_INT(last_why.code, TT_E_JSON_MISSING);
    }
    CHECK_INT(events.malformed, 2);
    CHECK_INT(events.delivered, 0);
    CHECK_INT(handled, 0);
    tt_plexd_close(&plexd);
}

/* A member twice, in the envelope or anywhere in its payload, spelt the
 * same or escaped: the signer and this side could read different values,
 * so the envelope is malformed. The same names in different objects are
 * fine. */
static void test_plexd_events_duplicate_members_malformed(void)
{
    static const char *const bad[] = {
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e1\",\"event_id\":\"e2\"}\n\n",
        "data: {\"event_type\":\"action_request\",\"event_id\":\"e3\",\"payload\":"
        "{\"action\":\"noop\",\"act\\u0069on\":\"reboot\"}}\n\n",
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e4\",\"payload\":"
        "{\"peer\":{\"id\":\"a\",\"id\":\"b\"}}}\n\n",
    };
    static const char good[] =
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e5\",\"payload\":"
        "{\"id\":\"a\",\"peer\":{\"id\":\"b\"},\"list\":[{\"id\":1},{\"id\":2}]}}\n\n";
    int handled = 0;
    size_t i;
    tt_error e;
    CHECK_INT(events_start(&handled, &e), 0);
    for (i = 0; i < TT_COUNT(bad); i++) {
        tt_error_clear(&last_why);
        CHECK_INT(tt_sse_feed(&events.parser, bad[i], strlen(bad[i]), &e), 0);
        CHECK_INT(last_why.code, TT_E_JSON_SYNTAX);
        CHECK(strstr(last_why.msg, "given twice in one object") != NULL);
    }
    CHECK_INT(events.malformed, 3);
    CHECK_INT(handled, 0);
    CHECK_INT(tt_sse_feed(&events.parser, good, sizeof good - 1, &e), 0);
    CHECK_INT(handled, 1);
    tt_plexd_close(&plexd);
}

static void test_plexd_events_stream_settings(void)
{
    tt_plexd_config cfg;
    tt_error e;
    fresh();
    plexd_config(&cfg);
    cfg.sse_idle_timeout_ms = 12345;
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    tt_plexd_set_node_id(&plexd, "n 1", &e);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    CHECK_INT(events.scfg.idle_timeout_ms, 12345);
    CHECK_STR(events.url, "http://cp.test:8080/v1/nodes/n%201/events");
    CHECK_STR(events.auth_value, "Bearer t");
    tt_plexd_close(&plexd);
}

static int states_seen;
static tt_plexd_state seen_state;

static void keep_state(void *user, const tt_plexd_state *st)
{
    (void)user;
    states_seen++;
    seen_state = *st;
}

/* The polling fallback fetches the state, its peers to on_state_item and
 * the rest to on_state; a failed fetch hands nothing. */
static void test_plexd_events_poll_feeds_on_state(void)
{
    static kept k;
    tt_error e;
    plexd_start("n1");
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    events.on_state = keep_state;
    events.on_state_item = keep_peer;
    events.user = &k;
    memset(&k, 0, sizeof k);
    states_seen = 0;
    answer(200, "{\"peers\":[{\"id\":\"p9\"}],\"signing_keys\":{\"current\":\"K1\"}}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), 0);
    CHECK_INT(states_seen, 1);
    CHECK_INT(seen_state.npeers, 1);
    CHECK_STR(k.peers[0].id, "p9");
    CHECK_STR(seen_state.signing_keys.current, "K1");
    answer(404, "{\"error\":{\"code\":\"gone\",\"message\":\"no node\"}}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), -1);
    CHECK_INT(e.http_status, 404);
    CHECK_INT(states_seen, 1);
    events.on_state = NULL;                /* no consumer: the state is still kept */
    answer(200, "{\"peers\":[{\"id\":\"p8\"},{\"id\":\"p7\"}]}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), 0);
    CHECK_INT(events.state.npeers, 2);
    CHECK_STR(k.peers[2].id, "p7");
    CHECK_INT(states_seen, 1);
    CHECK_INT(events.polls, 3);
    tt_plexd_close(&plexd);
}

/* Only U+2028/9 among multi-byte characters are escaped; tabs and CRs
 * between payload tokens go; a payload cut after a backslash keeps it. */
static void test_plexd_canonical_bytes_utf8_and_whitespace(void)
{
    static const char payload[] = "{\t\"s\":\"\xe2\x80\xa6\xe2\x80\xa8\",\r\n\"t\":1}";
    tt_plexd_envelope env;
    char out[256];
    size_t n;
    tt_error e;
    memset(&env, 0, sizeof env);
    strcpy(env.event_type, "a\xe2\x80\xa6" "b\xe2\x82\xac" "c\xe2");
    strcpy(env.event_id, "e");
    env.payload.p = payload;
    env.payload.n = sizeof payload - 1;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    out[n] = '\0';
    CHECK_STR(out, "{\"event_type\":\"a\xe2\x80\xa6" "b\xe2\x82\xac" "c\xe2\",\"event_id\":\"e\","
                   "\"issued_at\":\"1970-01-01T00:00:00Z\",\"nonce\":\"\","
                   "\"payload\":{\"s\":\"\xe2\x80\xa6\\u2028\","
                   "\"t\":1}}");
    env.payload.p = "\"a\\";
    env.payload.n = 3;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    CHECK(n > 14 && memcmp(out + n - 14, "\"payload\":\"a\\}", 14) == 0);
    env.payload.n = 0;                     /* a pointer but no bytes: null */
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    out[n] = '\0';
    CHECK(strstr(out, "\"payload\":null}") != NULL);
}

/* ---- MAAS --------------------------------------------------------------------------- */

static tt_maas maas;

static int maas_start(void)
{
    tt_maas_config mc;
    tt_error e;
    fresh();
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = "ck:tk:ts";
    return tt_maas_init(&maas, &port, &mc, &e);
}

static void test_maas_init_refusals(void)
{
    tt_maas_config mc;
    tt_error e;
    fresh();
    memset(&mc, 0, sizeof mc);
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* no URL */
    CHECK_INT(e.cls, TT_ERR_USAGE);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = NULL;
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* no key */
    CHECK(strstr(e.msg, "API key") != NULL);
    mc.api_key = "ck:tk:ts";
    mc.url = "///";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* only slashes */
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

/* A URL that fits, but not with /api/2.0 after it: refused, never cut short
 * into another URL. */
static void test_maas_url_too_long_with_api_path_refused(void)
{
    tt_maas_config mc;
    tt_error e;
    int parses;
    memset(&mc, 0, sizeof mc);
    mc.api_key = "ck:tk:ts";
    mc.url = overlong_url(TT_URL_MAX - 5, &parses);
    CHECK(mc.url != NULL);
    fresh();
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_maas_compose_needs_memory(void)
{
    tt_maas_compose_req q;
    char sid[32];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.cores = 2;
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "memory") != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* Each optional form field, too long for the request, is refused whole. */
static void test_maas_compose_each_oversize_field_refused(void)
{
    static const char *const names[] = { "storage", "hostname", "interfaces", "architecture" };
    tt_maas_compose_req q;
    char sid[32];
    size_t i;
    tt_error e;
    CHECK_INT(maas_start(), 0);
    for (i = 0; i < TT_COUNT(names); i++) {
        const char *big = filled('z', TT_API_REQUEST_MAX - 8);
        memset(&q, 0, sizeof q);
        q.cores = 1;
        q.memory = 512;
        q.storage = i == 0 ? big : NULL;
        q.hostname = i == 1 ? big : NULL;
        q.interfaces = i == 2 ? big : NULL;
        q.architecture = i == 3 ? big : NULL;
        tt_error_clear(&e);
        if (tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e) != -1 || e.cls != TT_ERR_LIMIT) {
            tt_test_fail(__FILE__, __LINE__, "%s: accepted or wrong class", names[i]);
            return;
        }
    }
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* A form already full when the next field's name comes is refused by name. */
static void test_maas_compose_form_full_before_next_name(void)
{
    static const char prefix[] = "cores=1&memory=512&storage=";
    tt_maas_compose_req q;
    char sid[32];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.cores = 1;
    q.memory = 512;
    q.storage = filled('s', TT_API_REQUEST_MAX - (sizeof prefix - 1) - 5);
    q.hostname = "h";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_BODY);
    CHECK(strstr(e.msg, "form parameters longer than TT_API_REQUEST_MAX") != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* User data goes with deploy, base64 in the form; too much is refused
 * before anything is sent. */
static void test_maas_deploy_user_data_too_large(void)
{
    static tt_maas_machine m;
    tt_maas_deploy_req q;
    char want[64];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.user_data = filled('u', TT_API_REQUEST_MAX);
    q.user_data_len = strlen(q.user_data);
    CHECK_INT(tt_maas_deploy(&maas, "abc123", &q, &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    snprintf(want, sizeof want, "user data of %d bytes", TT_API_REQUEST_MAX);
    CHECK(strstr(e.msg, want) != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

static void test_maas_read_machine_needs_system_id(void)
{
    static tt_maas_machine m;
    tt_error e;
    CHECK_INT(maas_start(), 0);
    CHECK_INT(tt_maas_read_machine(&maas, NULL, &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_maas_read_machine(&maas, "", &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* ---- poolmgr, vmm ------------------------------------------------------------------- */

static tt_pool pool;
static tt_vmm vmm;

static int pool_start(const char *token)
{
    tt_pool_config pc;
    tt_error e;
    fresh();
    memset(&pc, 0, sizeof pc);
    pc.url = "http://pool.test:9200";
    pc.token = token;
    return tt_pool_init(&pool, &port, &pc, &e);
}

static void test_pool_empty_token_sends_no_authorization(void)
{
    tt_pool_health h;
    tt_error e;
    CHECK_INT(pool_start(""), 0);
    answer(200, "{\"status\":\"ok\",\"version\":\"1.2\"}");
    CHECK_INT(tt_pool_get_health(&pool, &h, &e), 0);
    CHECK_STR(h.status, "ok");
    CHECK_STR(h.version, "1.2");
    CHECK(sent("GET /health HTTP/1.1\r\n"));
    CHECK(!sent("Authorization"));
    tt_pool_close(&pool);
}

static void test_pool_empty_answer_refused(void)
{
    tt_pool_status st;
    tt_error e;
    CHECK_INT(pool_start("tok"), 0);
    answer(200, "");
    CHECK_INT(tt_pool_get_status(&pool, "p0", &st, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_JSON_MISSING);
    CHECK(strstr(e.msg, "/pools/p0/status: empty answer") != NULL);
    tt_pool_close(&pool);
}

static int vmm_start(void)
{
    tt_vmm_config vc;
    tt_error e;
    fresh();
    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    vc.scheme = "http";
    return tt_vmm_init(&vmm, &port, &vc, &e);
}

/* An address that makes the base URL too long is refused, not cut short. */
static void test_vmm_address_too_long_for_url_refused(void)
{
    int parses;
    const char *u = overlong_url(TT_URL_MAX - 5, &parses);
    tt_vmm_config vc;
    tt_error e;
    CHECK(u != NULL);
    fresh();
    memset(&vc, 0, sizeof vc);
    vc.scheme = "http";
    vc.address = u + 7;                    /* without its "http://" */
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_vmm_create_oversize_refused(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error e;
    CHECK_INT(vmm_start(), 0);
    memset(&q, 0, sizeof q);
    q.name = "vm";
    q.cpus = 1;
    q.memory_mb = 256;
    q.ssh_public_key = filled('k', TT_API_REQUEST_MAX);
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(mock.written_len, 0);
    tt_vmm_close(&vmm);
}

typedef struct vm_names {
    char names[4][TT_VMM_NAME_MAX + 16 + TT_ERROR_MSG_MAX];
    int n;
} vm_names;

static int keep_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    vm_names *l = user;
    (void)err;
    if (l->n < 4)
        snprintf(l->names[l->n], sizeof l->names[0], "%s:%d%s%s", vm->name, (int)vm->cpus,
                 problem != NULL ? " " : "", problem != NULL ? problem->msg : "");
    l->n++;
    return 0;
}

static void test_vmm_list_streams_and_refuses_nameless(void)
{
    vm_names l;
    size_t count = 0;
    tt_error e;
    CHECK_INT(vmm_start(), 0);
    memset(&l, 0, sizeof l);
    answer(200, "{\"data\":[{\"name\":\"a\",\"cpus\":2},{\"name\":\"b\",\"state\":\"running\"}]}");
    CHECK_INT(tt_vmm_list(&vmm, keep_vm, &l, &count, &e), 0);
    CHECK_INT(count, 2);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.names[0], "a:2");
    CHECK_STR(l.names[1], "b:0");
    CHECK(sent("GET /api/v1/vms HTTP/1.1\r\n"));
    /* a VM without its name is that VM's problem; the list goes on */
    memset(&l, 0, sizeof l);
    answer(200, "{\"data\":[{\"name\":\"a\"},{\"cpus\":1},{\"name\":\"c\"}]}");
    CHECK_INT(tt_vmm_list(&vmm, keep_vm, &l, &count, &e), 0);
    CHECK_INT(count, 3);
    CHECK_STR(l.names[1], ":1 data[1].name: required field missing");
    CHECK_STR(l.names[2], "c:0");
    tt_vmm_close(&vmm);
}

/* ---- SkyPilot ----------------------------------------------------------------------- */

static tt_sky sky;

static int sky_start(void)
{
    tt_sky_config cfg;
    tt_error e;
    fresh();
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://sky.test:46580";
    cfg.token = "sky_t";
    return tt_sky_init(&sky, &port, &cfg, &e);
}

static void clear_sky_env(void)
{
    unsetenv("SKYPILOT_API_SERVER_URL");
    unsetenv("SKYPILOT_API_SERVER_ENDPOINT");
    unsetenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN");
    unsetenv("SKYPILOT_REQUEST_TIMEOUT");
    unsetenv("SKYPILOT_MAX_RETRIES");
}

/* Variables set but empty leave the configuration as it was. */
static void test_sky_env_empty_values_ignored(void)
{
    tt_sky_config cfg;
    tt_error e;
    clear_sky_env();
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://keep:1";
    cfg.token = "keep";
    cfg.timeout_ms = 111;
    cfg.max_retries = 2;
    setenv("SKYPILOT_API_SERVER_URL", "", 1);
    setenv("SKYPILOT_API_SERVER_ENDPOINT", "", 1);
    setenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN", "", 1);
    setenv("SKYPILOT_REQUEST_TIMEOUT", "", 1);
    setenv("SKYPILOT_MAX_RETRIES", "", 1);
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), 0);
    CHECK_STR(cfg.url, "http://keep:1");
    CHECK_STR(cfg.token, "keep");
    CHECK_INT(cfg.timeout_ms, 111);
    CHECK_INT(cfg.max_retries, 2);
    setenv("SKYPILOT_API_SERVER_ENDPOINT", "http://ep:2", 1);  /* the empty URL yields */
    unsetenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN");
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), 0);
    CHECK_STR(cfg.url, "http://ep:2");
    CHECK_STR(cfg.token, "keep");
    setenv("SKYPILOT_MAX_RETRIES", "-1", 1);
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "0..100") != NULL);
    clear_sky_env();
}

static void test_sky_init_defaults_and_refusals(void)
{
    tt_sky_config cfg;
    tt_sky_health h;
    tt_error e;
    fresh();
    memset(&cfg, 0, sizeof cfg);
    cfg.token = "";
    cfg.max_retries = -1;
    CHECK_INT(tt_sky_init(&sky, &port, &cfg, &e), 0);
    CHECK_STR(sky.api.base, "http://127.0.0.1:46580");
    CHECK_INT(sky.api.retry.max_retries, TT_API_RETRIES);
    answer(200, "{\"status\":\"healthy\",\"api_version\":\"9\"}");
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), 0);
    CHECK_STR(h.status, "healthy");
    CHECK_STR(h.api_version, "9");
    CHECK(!sent("Authorization"));
    tt_sky_close(&sky);
    cfg.token = filled('t', TT_API_TOKEN_MAX);
    CHECK_INT(tt_sky_init(&sky, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    cfg.token = NULL;
    cfg.url = "ftp://sky.test";
    CHECK_INT(tt_sky_init(&sky, &port, &cfg, &e), -1);
    CHECK_INT(e.code, TT_E_URL_SCHEME);
}

static void test_sky_oversize_or_missing_arguments_refused(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    char id[64];
    tt_error e;
    CHECK_INT(sky_start(), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = "c";
    q.task_yaml = filled('y', TT_API_REQUEST_MAX);
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(tt_sky_logs(&sky, filled('c', TT_API_REQUEST_MAX), 1, 0, 10, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(tt_sky_logs(&sky, NULL, 1, 0, 10, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_sky_exec(&sky, NULL, "run: x", id, sizeof id, &e), -1);
    CHECK(strstr(e.msg, "cluster name needed") != NULL);
    CHECK_INT(tt_sky_request_status(&sky, filled('r', 4 * TT_SKY_ID_MAX), &r, &e), -1);
    CHECK(strstr(e.msg, "bad request id") != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_sky_close(&sky);
}

/* return_value, a JSON text in a string, is copied into the caller's
 * buffer whole, or refused with its size. */
static void test_sky_request_result_copied(void)
{
    char result[16];
    tt_sky_request r;
    tt_error e;
    CHECK_INT(sky_start(), 0);
    memset(&r, 0, sizeof r);
    r.result = result;
    r.result_cap = sizeof result;
    answer(200, "{\"request_id\":\"r1\",\"status\":\"SUCCEEDED\",\"return_value\":\"[1, 2]\"}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), 0);
    CHECK(sent("GET /api/get?request_id=r1 HTTP/1.1\r\n"));
    CHECK_STR(result, "[1, 2]");
    CHECK_INT(r.result_len, 6);
    answer(200, "{\"request_id\":\"r1\",\"status\":\"SUCCEEDED\",\"return_value\":{\"x\":1}}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);  /* not SkyPilot's encoding */
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK(strstr(e.msg, "return_value: expected a string") != NULL);
    answer(200, "{\"request_id\":\"r1\",\"status\":\"SUCCEEDED\","
                "\"return_value\":\"longer than sixteen bytes\"}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK(strstr(e.msg, "result of 25 bytes, larger than the 16-byte buffer") != NULL);
    strcpy(result, "untouched");
    r.result_cap = 0;                      /* a buffer without room is left alone */
    answer(200, "{\"request_id\":\"r1\",\"status\":\"SUCCEEDED\",\"return_value\":\"x\"}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), 0);
    CHECK_STR(result, "untouched");
    tt_sky_close(&sky);
}

static void test_sky_request_error_text(void)
{
    tt_sky_request r;
    tt_error e;
    CHECK_INT(sky_start(), 0);
    memset(&r, 0, sizeof r);
    answer(200, "[{\"request_id\":\"r1\",\"status\":\"FAILED\",\"error\":\"null\"}]");
    CHECK_INT(tt_sky_request_status(&sky, "r1", &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_FAILED);
    CHECK_STR(r.error, "");                /* Python's None is no message */
    answer(200, "{\"request_id\":\"r1\",\"status\":\"FAILED\",\"error\":\"disk full\"}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
    CHECK(sent("GET /api/get?request_id=r1 HTTP/1.1\r\n"));
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "sky.test: request r1 failed: disk full");
    answer(200, "[{\"request_id\":\"r1\"}]");   /* no status */
    CHECK_INT(tt_sky_request_status(&sky, "r1", &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_UNKNOWN);
    tt_sky_close(&sky);
}

/* A FAILED request's error is JSON in a string, with a pickle of KBs
 * first: the message comes out whatever the size, long ones cut and
 * marked; an error that is not that JSON is shown as it is, cut the same. */
static void test_sky_long_error_text_cut_and_marked(void)
{
    static char body[64 * 1024], msg[700], pickle[40000];
    tt_sky_request r;
    tt_error e;
    memset(msg, 'm', sizeof msg - 1);
    memset(pickle, 'A', sizeof pickle - 1);
    CHECK_INT(sky_start(), 0);
    memset(&r, 0, sizeof r);
    snprintf(body, sizeof body, "{\"request_id\":\"r1\",\"status\":\"FAILED\",\"error\":"
             "\"{\\\"object\\\": \\\"%s\\\", \\\"type\\\": \\\"E\\\", \\\"message\\\": \\\"%.600s\\\"}\"}",
             pickle, msg);
    answer(200, body);
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
    CHECK_STR(r.error_type, "E");
    CHECK_INT(strlen(r.error), sizeof r.error - 1);
    CHECK(strncmp(r.error, msg, sizeof r.error - 4) == 0);
    CHECK_STR(r.error + sizeof r.error - 4, "...");
    /* a 600-byte error that is not JSON: its beginning, marked */
    snprintf(body, sizeof body, "{\"request_id\":\"r1\",\"status\":\"FAILED\",\"error\":"
             "\"%.600s\"}", msg);
    answer(200, body);
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
    CHECK_INT(strlen(r.error), sizeof r.error - 1);
    CHECK(r.error[0] == 'm' && strcmp(r.error + sizeof r.error - 4, "...") == 0);
    /* and one that fits is whole */
    answer(200, "{\"request_id\":\"r1\",\"status\":\"FAILED\",\"error\":"
                "\"{\\\"type\\\": \\\"QuotaError\\\", \\\"message\\\": \\\"quota\\\"}\"}");
    CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
    CHECK_STR(r.error, "quota");
    CHECK_STR(e.msg, "sky.test: request r1 failed: QuotaError: quota");
    tt_sky_close(&sky);
}

/* /api/get's 500: only a FAILED request in "detail" is the request's
 * failure; anything else stays the server's error. */
static void test_sky_get_500_detail_variants(void)
{
    static const struct { const char *body; tt_err_class cls; const char *msg; } cases[] = {
        { "oops, not json", TT_ERR_HTTP, "HTTP 500 Internal Server Error: oops, not json" },
        { "{\"detail\":{\"request_id\":\"r1\",\"status\":\"FAILED\"}}", TT_ERR_API,
          "request r1 failed: no message" },
        { "{\"detail\":{\"request_id\":\"r1\",\"status\":\"RUNNING\"}}", TT_ERR_API,
          "HTTP 500: an error envelope without a message" },
        { "{\"detail\":{\"status\":\"FAILED\"}}", TT_ERR_API, "request r1 failed: no message" },
    };
    tt_sky_request r;
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        CHECK_INT(sky_start(), 0);
        memset(&r, 0, sizeof r);
        answer(500, cases[i].body);
        CHECK_INT(tt_sky_get_request(&sky, "r1", &r, &e), -1);
        CHECK_INT(e.cls, cases[i].cls);
        CHECK(strstr(e.msg, cases[i].msg) != NULL);
        if (i != 1)
            CHECK_INT(e.http_status, 500);
        CHECK_INT(mock.connects, 1);
        tt_sky_close(&sky);
    }
}

#define JSON200(b) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " \
    #b "\r\n\r\n"

/* A status the client does not know is not an end: it keeps polling. */
static void test_sky_wait_polls_past_unknown_status(void)
{
    static const char *const parts[] = {
        JSON200(39) "[{\"request_id\":\"r\",\"status\":\"LOST???\"}]",
        JSON200(41) "[{\"request_id\":\"r\",\"status\":\"SUCCEEDED\"}]",
        JSON200(39) "{\"request_id\":\"r\",\"status\":\"SUCCEEDED\"}",
    };
    tt_sky_request r;
    tt_error e;
    CHECK_INT(sky_start(), 0);
    tt_mock_add_parts(&mock, parts, 3);
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_wait(&sky, "r", 0, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    CHECK_INT(sent_count("GET /api/status?request_ids=r HTTP/1.1\r\n"), 2);
    CHECK_INT(sent_count("GET /api/get?request_id=r HTTP/1.1\r\n"), 1);
    tt_sky_close(&sky);
}

static void test_sky_wait_cancelled_between_polls(void)
{
    tt_sky_request r;
    tt_error e;
    CHECK_INT(sky_start(), 0);
    answer(200, "[{\"request_id\":\"r\",\"status\":\"RUNNING\"}]");
    sleep_cancels = 1;
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_wait(&sky, "r", 0, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_CANCELLED);
    CHECK(strstr(e.msg, "waiting for request r") != NULL);
    tt_sky_close(&sky);
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

/* A device without a real-time clock: MAAS refuses the timestamp once,
 * its Date sets the clock, and every later request is right first time. */
static void test_maas_timestamp_corrected_from_date(void)
{
    static const char expired[] = "Authorization Error: 'Expired timestamp: given 1767225600 "
                                  "and now 1796169600 has a greater difference than threshold "
                                  "300'";
    static tt_maas_vmhost h;
    char want[64];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    mock.wall = 1767225600 - mock.now / 1000;    /* 2026-01-01 on the device */
    answer_with(401, "Content-Type: text/html; charset=utf-8\r\n"
                     "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    answer(200, "{\"id\": 1}");
    answer(200, "{\"id\": 1}");
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(maas.api.clock_offset_s, 1798632000 - 1767225600);
    snprintf(want, sizeof want, "oauth_timestamp=\"%d\"", 1798632000);
    CHECK_INT(sent_count(want), 1);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(sent_count(want), 2);                /* remembered */
    /* refused again after the correction: that is the answer */
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.msg, "Expired timestamp") != NULL);
    CHECK_INT(mock.connects, 5);
    /* a 401 for another reason is not corrected */
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n",
                "Authorization Error: 'Invalid access token: tk'");
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(mock.connects, 6);
    tt_maas_close(&maas);
}

void suite_api_edges(void)
{
    static const tt_test tests[] = {
        { "api_post_retried_only_when_not_taken", test_api_post_retried_only_when_not_taken },
        { "api_request_id_never_cut", test_api_request_id_never_cut },
        { "api_reads_retried", test_api_reads_retried },
        { "maas_timestamp_corrected_from_date", test_maas_timestamp_corrected_from_date },
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
        { "plexd_config_refusals", test_plexd_config_refusals },
        { "plexd_init_url_too_long_for_base", test_plexd_init_url_too_long_for_base },
        { "plexd_user_agent_from_config", test_plexd_user_agent_from_config },
        { "plexd_error_kinds", test_plexd_error_kinds },
        { "plexd_register_adopts_node_identity", test_plexd_register_adopts_node_identity },
        { "plexd_register_keeps_identity_through_problems",
          test_plexd_register_keeps_identity_through_problems },
        { "plexd_register_refuses_dot_node_id", test_plexd_register_refuses_dot_node_id },
        { "plexd_refuses_missing_arguments", test_plexd_refuses_missing_arguments },
        { "plexd_node_path_too_long_refused", test_plexd_node_path_too_long_refused },
        { "plexd_events_url_too_long_refused", test_plexd_events_url_too_long_refused },
        { "plexd_artifact_needs_each_part", test_plexd_artifact_needs_each_part },
        { "plexd_heartbeat_given_time_empty_answer", test_plexd_heartbeat_given_time_empty_answer },
        { "plexd_heartbeat_clock_time_padded", test_plexd_heartbeat_clock_time_padded },
        { "plexd_heartbeat_clock_unset", test_plexd_heartbeat_clock_unset },
        { "plexd_heartbeat_oversize_refused", test_plexd_heartbeat_oversize_refused },
        { "plexd_state_empty_answer_refused", test_plexd_state_empty_answer_refused },
        { "plexd_rotate_keys_updated_peers", test_plexd_rotate_keys_updated_peers },
        { "plexd_result_optional_fields", test_plexd_result_optional_fields },
        { "plexd_artifact_bounded_by_silence", test_plexd_artifact_bounded_by_silence },
        { "plexd_events_empty_type_or_id_malformed",
          test_plexd_events_empty_type_or_id_malformed },
        { "plexd_events_duplicate_members_malformed",
          test_plexd_events_duplicate_members_malformed },
        { "plexd_events_stream_settings", test_plexd_events_stream_settings },
        { "plexd_events_poll_feeds_on_state", test_plexd_events_poll_feeds_on_state },
        { "plexd_canonical_bytes_utf8_and_whitespace",
          test_plexd_canonical_bytes_utf8_and_whitespace },
        { "maas_init_refusals", test_maas_init_refusals },
        { "maas_url_too_long_with_api_path_refused", test_maas_url_too_long_with_api_path_refused },
        { "maas_compose_needs_memory", test_maas_compose_needs_memory },
        { "maas_compose_each_oversize_field_refused",
          test_maas_compose_each_oversize_field_refused },
        { "maas_compose_form_full_before_next_name",
          test_maas_compose_form_full_before_next_name },
        { "maas_deploy_user_data_too_large", test_maas_deploy_user_data_too_large },
        { "maas_read_machine_needs_system_id", test_maas_read_machine_needs_system_id },
        { "pool_empty_token_sends_no_authorization", test_pool_empty_token_sends_no_authorization },
        { "pool_empty_answer_refused", test_pool_empty_answer_refused },
        { "vmm_address_too_long_for_url_refused", test_vmm_address_too_long_for_url_refused },
        { "vmm_create_oversize_refused", test_vmm_create_oversize_refused },
        { "vmm_list_streams_and_refuses_nameless", test_vmm_list_streams_and_refuses_nameless },
        { "sky_env_empty_values_ignored", test_sky_env_empty_values_ignored },
        { "sky_init_defaults_and_refusals", test_sky_init_defaults_and_refusals },
        { "sky_oversize_or_missing_arguments_refused",
          test_sky_oversize_or_missing_arguments_refused },
        { "sky_request_result_copied", test_sky_request_result_copied },
        { "sky_request_error_text", test_sky_request_error_text },
        { "sky_long_error_text_cut_and_marked", test_sky_long_error_text_cut_and_marked },
        { "sky_get_500_detail_variants", test_sky_get_500_detail_variants },
        { "sky_wait_polls_past_unknown_status", test_sky_wait_polls_past_unknown_status },
        { "sky_wait_cancelled_between_polls", test_sky_wait_cancelled_between_polls },
    };
    tt_run_suite("api_edges", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
