/*
 * Fault injection: every scenario of tests/servers/badserver.py that a
 * device may meet, across HTTP, TLS, JSON, SSE and the protocol clients.
 * Each one asserts the error class and code (or the exact result when the
 * fault is one tether must ride through), that the call returned within
 * its budget + 10 %, and nothing crashed (this suite also runs under
 * ASan/UBSan in make test). The whole table runs twice: the second pass
 * must leave the heap and the resident set where the first left them.
 */
#define _GNU_SOURCE
#include "tether/config.h"
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR && TT_FEATURE_SSE

#include "integ.h"
#include "tether/api.h"
#include "tether/maas.h"
#include "tether/plexd.h"
#include "tether/poolmgr.h"
#include "tether/skypilot.h"
#include "tether/sse_stream.h"
#include "tether/tls.h"
#include "tether/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
/* the ASan runtime's (its header ships with clang, not gcc) */
size_t __sanitizer_get_current_allocated_bytes(void);
#define HEAP_IN_USE() ((long)__sanitizer_get_current_allocated_bytes())
#elif defined(__GLIBC__)
#include <malloc.h>
#define HEAP_IN_USE() ((long)mallinfo2().uordblks)
#else
#define HEAP_IN_USE() 0L /* musl: no heap statistics; the RSS check remains */
#endif

typedef enum {
    K_HTTP,      /* tt_client_request on the plain port */
    K_HTTPS,     /* the same on the TLS port */
    K_API,       /* tt_api_call (envelopes, retries) on the plain port */
    K_SSE,       /* the reconnecting event stream, until its first failure */
    K_SSE_TLS,
    K_VMM,       /* the protocol clients, base URL on the plain port */
    K_POOL,
    K_SKY,
    K_MAAS,
    K_PLEXD
} kind;

typedef struct outcome {
    int rc;
    tt_error err;
    int status;
    size_t body_len;
    unsigned long events, drops, attempts;
    int bad_body;                /* the body was not the expected pattern */
} outcome;

typedef struct scenario {
    const char *name;
    kind k;
    const char *path;            /* request path; for protocols the base path */
    const char *arm;             /* admin request before the call, or NULL */
    int64_t timeout_ms;          /* the deadline given to tether */
    int64_t budget_ms;           /* the call must return within this + 10 % */
    int ok;                      /* 1: must succeed */
    tt_err_class cls;
    tt_errcode code;
    int64_t min_ms;              /* and take at least this long */
    void (*check)(const struct scenario *sc, const outcome *o);
} scenario;

static tt_client client;
static tt_port port;
static tt_tls_store store;
static unsigned char arena[64 * 1024];
static tt_tls_config tls;
static char body[8192];
static char apibuf[65536];
static tt_json doc;
static char ssebuf[TT_SSE_EVENT_MAX];

static int env_port(const char *name)
{
    const char *v = getenv(name);
    return v != NULL ? atoi(v) : 0;
}

static const char *url_of(int tls_port, const char *path)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s://%s:%d%s", tls_port ? "https" : "http",
             tls_port ? "localhost" : "127.0.0.1",
             tls_port ? env_port("TT_BAD_TLS_PORT") : integ_bad_port(), path);
    return buf;
}

static void admin(const char *path)
{
    static char out[256];
    tt_client c;
    tt_request rq;
    tt_error e;
    memset(&rq, 0, sizeof rq);
    rq.url = url_of(0, path);
    rq.body_buf = out;
    rq.body_cap = sizeof out;
    integ_client(&c, NULL);
    if (tt_client_request(&c, &rq, NULL, &e) != 0)
        tt_test_fail(__FILE__, __LINE__, "admin %s: %s", path, e.msg);
    tt_client_close(&c);
}

static void setup_tls(void)
{
    char path[512];
    tt_error e;
    tt_port_posix_init(&port);
    tt_tls_store_init(&store, arena, sizeof arena);
    tt_tls_config_init(&tls);
    tls.store = &store;
    snprintf(path, sizeof path, "%s/certs/root-ca.pem", integ_env_dir());
    if (tt_tls_load_anchors(&store, &port, path, &e) != 0)
        tt_test_fail(__FILE__, __LINE__, "anchors: %s", e.msg);
}

static void new_client(int64_t timeout_ms)
{
    tt_client_config cfg;
    tt_client_config_default(&cfg);
    cfg.tls = &tls;
    cfg.request_timeout_ms = timeout_ms;
    cfg.connect_timeout_ms = timeout_ms;
    tt_client_init(&client, &port, &cfg, NULL);
}

/* The body of /body?len=N is "0123456789abcdef" repeated. */
static int is_pattern(const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i] != "0123456789abcdef"[i % 16])
            return 0;
    return 1;
}

static void run_http(const scenario *sc, outcome *o)
{
    tt_request rq;
    tt_response res;
    memset(&rq, 0, sizeof rq);
    rq.url = url_of(sc->k == K_HTTPS, sc->path);
    rq.max_redirects = -1;
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    rq.timeout_ms = sc->timeout_ms;
    new_client(sc->timeout_ms);
    o->rc = tt_client_request(&client, &rq, &res, &o->err);
    if (o->rc == 0) {
        o->status = res.status;
        o->body_len = res.body_len;
        o->bad_body = strncmp(sc->path, "/body", 5) == 0 && !is_pattern(body, res.body_len);
    }
    tt_client_close(&client);
}

static void fast_retries(tt_api *a)
{
    a->retry.max_retries = 2;
    a->retry.base_ms = 50;
    a->retry.max_ms = 100;
    a->retry.jitter_pct = 0;
}

static void run_api(const scenario *sc, outcome *o)
{
    static tt_api api;
    tt_api_req r;
    tt_api_resp resp;
    char path[256];
    const char *q = strchr(sc->path, '?');
    size_t n = q != NULL ? (size_t)(q - sc->path) : strlen(sc->path);
    memcpy(path, sc->path, n);
    path[n] = '\0';
    new_client(sc->timeout_ms);
    if (tt_api_init(&api, &client, url_of(0, ""), "fault", apibuf, sizeof apibuf, &doc,
                    &o->err) != 0) {
        o->rc = -1;
        return;
    }
    fast_retries(&api);
    api.timeout_ms = sc->timeout_ms;
    memset(&r, 0, sizeof r);
    r.path = path;
    r.query = q != NULL ? q + 1 : NULL;
    o->rc = tt_api_call(&api, &r, &resp, &o->err);
    o->attempts = api.stats.attempts;
    tt_client_close(&client);
}

typedef struct sse_ctx {
    outcome *o;
    tt_sse_stream *s;
} sse_ctx;

static int sse_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    sse_ctx *x = user;
    (void)ev;
    (void)err;
    x->o->events++;
    return 0;
}

static void sse_drop(void *user, const tt_error *why)
{
    sse_ctx *x = user;
    (void)why;
    x->o->drops++;
}

/* The first failure ends the scenario: it is what is asserted. */
static void sse_state(void *user, tt_sse_state from, tt_sse_state to, int64_t delay,
                      const tt_error *why)
{
    sse_ctx *x = user;
    (void)from;
    (void)delay;
    if (to == TT_SSE_BACKOFF && why != NULL) {
        x->o->err = *why;
        x->o->rc = -1;
        tt_sse_stop(x->s);
    }
}

static void run_sse(const scenario *sc, outcome *o)
{
    static tt_sse_stream s;
    static tt_sse_parser parser;
    tt_sse_config cfg;
    tt_error e;
    sse_ctx x;
    x.o = o;
    x.s = &s;
    new_client(sc->timeout_ms);
    tt_sse_init(&parser, ssebuf, sizeof ssebuf, sse_event, sse_drop, &x);
    tt_sse_config_default(&cfg);
    cfg.url = url_of(sc->k == K_SSE_TLS, sc->path);
    cfg.idle_timeout_ms = sc->timeout_ms;
    cfg.on_state = sse_state;
    cfg.user = &x;
    if (tt_sse_stream_init(&s, &client, &parser, &cfg, &o->err) != 0) {
        o->rc = -1;
        return;
    }
    if (tt_sse_stream_run(&s, &e) != 0) {
        o->rc = -1;
        o->err = e;
    }
    tt_client_close(&client);
}

static int count_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    (void)vm;
    (void)err;
    (void)problem;
    ((outcome *)user)->events++;
    return 0;
}

static int count_host(void *user, const tt_maas_vmhost *h, const tt_error *problem,
                      tt_error *err)
{
    (void)h;
    (void)err;
    (void)problem;
    ((outcome *)user)->events++;
    return 0;
}

static void run_vmm(const scenario *sc, outcome *o)
{
    static tt_vmm v;
    tt_vmm_config cfg;
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", integ_bad_port());
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "host-f";
    cfg.address = addr;
    cfg.scheme = "http";
    cfg.timeout_ms = sc->timeout_ms;
    if ((o->rc = tt_vmm_init(&v, &port, &cfg, &o->err)) != 0)
        return;
    fast_retries(&v.api);
    o->rc = tt_vmm_list(&v, count_vm, o, NULL, &o->err);
    o->attempts = v.api.stats.attempts;
    tt_vmm_close(&v);
}

static void run_pool(const scenario *sc, outcome *o)
{
    static tt_pool p;
    tt_pool_config cfg;
    tt_pool_status st;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url_of(0, sc->path);
    cfg.timeout_ms = sc->timeout_ms;
    if ((o->rc = tt_pool_init(&p, &port, &cfg, &o->err)) != 0)
        return;
    o->rc = tt_pool_get_status(&p, "pool-0", &st, &o->err);
    o->attempts = p.api.stats.attempts;
    tt_pool_close(&p);
}

static void run_sky(const scenario *sc, outcome *o)
{
    static tt_sky s;
    tt_sky_config cfg;
    tt_sky_health h;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url_of(0, sc->path);
    cfg.token = "sky_faulttoken";
    cfg.timeout_ms = sc->timeout_ms;
    cfg.max_retries = 2;
    if ((o->rc = tt_sky_init(&s, &port, &cfg, &o->err)) != 0)
        return;
    fast_retries(&s.api);
    o->rc = tt_sky_get_health(&s, &h, &o->err);
    o->attempts = s.api.stats.attempts;
    tt_sky_close(&s);
}

static void run_maas(const scenario *sc, outcome *o)
{
    static tt_maas m;
    tt_maas_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url_of(0, sc->path);
    cfg.api_key = "ck:tk:ts";
    cfg.timeout_ms = sc->timeout_ms;
    if ((o->rc = tt_maas_init(&m, &port, &cfg, &o->err)) != 0)
        return;
    fast_retries(&m.api);
    o->rc = tt_maas_vmhosts(&m, NULL, count_host, o, &o->err);
    o->attempts = m.api.stats.attempts;
    tt_maas_close(&m);
}

static void run_plexd(const scenario *sc, outcome *o)
{
    static tt_plexd p;
    static tt_plexd_state st;
    tt_plexd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = url_of(0, sc->path);
    cfg.token = "plx_faulttoken";
    cfg.request_timeout_ms = sc->timeout_ms;
    cfg.connect_timeout_ms = sc->timeout_ms;
    if ((o->rc = tt_plexd_init(&p, &port, &cfg, &o->err)) != 0)
        return;
    fast_retries(&p.api);
    if ((o->rc = tt_plexd_set_node_id(&p, "node-f", &o->err)) == 0)
        o->rc = tt_plexd_fetch_state(&p, &st, NULL, NULL, &o->err);
    o->attempts = p.api.stats.attempts;
    tt_plexd_close(&p);
}

static void run(const scenario *sc, outcome *o)
{
    memset(o, 0, sizeof *o);
    switch (sc->k) {
    case K_HTTP: case K_HTTPS: run_http(sc, o); break;
    case K_API: run_api(sc, o); break;
    case K_SSE: case K_SSE_TLS: run_sse(sc, o); break;
    case K_VMM: run_vmm(sc, o); break;
    case K_POOL: run_pool(sc, o); break;
    case K_SKY: run_sky(sc, o); break;
    case K_MAAS: run_maas(sc, o); break;
    case K_PLEXD: run_plexd(sc, o); break;
    }
}

/* ---- checks beyond class and code ---- */

static void want_body_2000(const scenario *sc, const outcome *o)
{
    if (o->body_len != 2000 || o->bad_body)
        tt_test_fail(__FILE__, __LINE__, "%s: body %zu bytes, pattern %s", sc->name,
                     o->body_len, o->bad_body ? "broken" : "ok");
}

static void want_body_5(const scenario *sc, const outcome *o)
{
    if (o->body_len != 5 || memcmp(body, "hello", 5) != 0)
        tt_test_fail(__FILE__, __LINE__, "%s: body %zu bytes", sc->name, o->body_len);
}

static void want_body_3000(const scenario *sc, const outcome *o)
{
    if (o->body_len != 3000 || !is_pattern(body, 3000))
        tt_test_fail(__FILE__, __LINE__, "%s: body %zu bytes", sc->name, o->body_len);
}

static void want_body_ok(const scenario *sc, const outcome *o)
{
    if (o->body_len != 2 || memcmp(body, "ok", 2) != 0)
        tt_test_fail(__FILE__, __LINE__, "%s: body %zu bytes", sc->name, o->body_len);
}

static void want_3_attempts(const scenario *sc, const outcome *o)
{
    if (o->attempts != 3)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu attempts, want 3", sc->name, o->attempts);
}

static void want_1_attempt(const scenario *sc, const outcome *o)
{
    if (o->attempts != 1)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu attempts, want 1", sc->name, o->attempts);
}

static void want_retry_after_kept(const scenario *sc, const outcome *o)
{
    if (o->attempts != 1 || o->err.retry_after != 3600 || o->err.http_status != 429)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu attempts, retry_after %ld", sc->name,
                     o->attempts, (long)o->err.retry_after);
}

/* Three events, every invalid byte replaced: nothing lost, nothing crashed. */
static void want_3_events(const scenario *sc, const outcome *o)
{
    if (o->events != 3 || o->drops != 0)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu events, %lu dropped", sc->name, o->events,
                     o->drops);
}

/* The oversized event is reported dropped; the next one arrives. */
static void want_drop_then_event(const scenario *sc, const outcome *o)
{
    if (o->events != 1 || o->drops != 1)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu events, %lu dropped", sc->name, o->events,
                     o->drops);
}

static void want_1_event(const scenario *sc, const outcome *o)
{
    if (o->events != 1)
        tt_test_fail(__FILE__, __LINE__, "%s: %lu events", sc->name, o->events);
}

/* A plain-HTTP answer on a TLS port is called what it is. */
static void want_plain_http_named(const scenario *sc, const outcome *o)
{
    if (strstr(o->err.msg, "plain HTTP") == NULL)
        tt_test_fail(__FILE__, __LINE__, "%s: message '%s'", sc->name, o->err.msg);
}

#define FAIL(c, e) 0, TT_ERR_##c, TT_E_##e
#define OK 1, TT_ERR_NONE, TT_E_OK

static const scenario table[] = {
    /* HTTP framing and the connection, plain */
    { "reset in the head", K_HTTP, "/body?cut=10&act=reset", NULL, 2000, 2000, FAIL(NETWORK, RESET), 0, NULL },
    { "reset mid-body", K_HTTP, "/body?len=6000&cut=3000&act=reset", NULL, 2000, 2000, FAIL(NETWORK, RESET), 0, NULL },
    { "stall in the head", K_HTTP, "/body?cut=10&act=stall", NULL, 500, 500, FAIL(TIMEOUT, REQUEST_TIMEOUT), 490, NULL },
    { "stall mid-body", K_HTTP, "/body?len=6000&cut=3000&act=stall", NULL, 500, 500, FAIL(TIMEOUT, REQUEST_TIMEOUT), 490, NULL },
    { "stall before any byte", K_HTTP, "/stall-before-head", NULL, 400, 400, FAIL(TIMEOUT, REQUEST_TIMEOUT), 390, NULL },
    { "close mid-chunk", K_HTTP, "/body?len=6000&chunked=1&cut=1500&act=close", NULL, 2000, 2000, FAIL(NETWORK, HTTP_TRUNCATED), 0, NULL },
    { "close in a chunk-size line", K_HTTP, "/body?len=6000&chunked=1&cut=1057&act=close", NULL, 2000, 2000, FAIL(NETWORK, HTTP_TRUNCATED), 0, NULL },
    { "close mid-body (Content-Length)", K_HTTP, "/body?len=6000&cut=3000&act=close", NULL, 2000, 2000, FAIL(NETWORK, HTTP_TRUNCATED), 0, NULL },
    { "close in the head", K_HTTP, "/head-eof", NULL, 2000, 2000, FAIL(NETWORK, HTTP_TRUNCATED), 0, NULL },
    { "drip within the deadline", K_HTTP, "/drip?ms=10", NULL, 3000, 3000, OK, 0, want_body_5 },
    { "drip past the deadline", K_HTTP, "/drip?ms=100", NULL, 1000, 1000, FAIL(TIMEOUT, REQUEST_TIMEOUT), 990, NULL },
    { "redirect loop", K_HTTP, "/redirect-loop", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_REDIRECT_LOOP), 0, NULL },
    { "redirect ping-pong", K_HTTP, "/ping", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_REDIRECT_LOOP), 0, NULL },
    { "huge header line", K_HTTP, "/huge-header", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_HEADER_LINE), 0, NULL },
    { "endless headers", K_HTTP, "/endless-headers", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_HEADER_COUNT), 0, NULL },
    { "huge chunk size", K_HTTP, "/chunk-size?hex=ffffffffffffffffffff", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CHUNK_SIZE), 0, NULL },
    { "chunk size not hex", K_HTTP, "/chunk-size?hex=zz", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CHUNK_SIZE), 0, NULL },
    { "chunk without its CRLF", K_HTTP, "/chunk-junk", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CHUNK_SYNTAX), 0, NULL },
    { "body longer than Content-Length", K_HTTP, "/extra-body", NULL, 2000, 2000, OK, 0, want_body_ok },
    { "body larger than the buffer", K_HTTP, "/body?len=100000", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_BODY), 0, NULL },
    { "Content-Length not a number", K_HTTP, "/bad-cl", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CONTENT_LENGTH), 0, NULL },
    { "two Content-Lengths", K_HTTP, "/dup-cl", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CONTENT_LENGTH), 0, NULL },
    { "Content-Length overflows", K_HTTP, "/huge-cl", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_CONTENT_LENGTH), 0, NULL },
    { "Transfer-Encoding with Content-Length", K_HTTP, "/te-cl", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_TE_AND_CL), 0, NULL },
    { "obsolete line folding", K_HTTP, "/obs-fold", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_OBS_FOLD), 0, NULL },
    { "bare CR in a header", K_HTTP, "/bare-cr", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_BARE_CR), 0, NULL },
    { "NUL in a header", K_HTTP, "/nul-header", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_HEADER_SYNTAX), 0, NULL },
    { "unknown HTTP version", K_HTTP, "/bad-version", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_VERSION), 0, NULL },
    { "status code not a number", K_HTTP, "/bad-status", NULL, 2000, 2000, FAIL(PROTOCOL, HTTP_STATUS_LINE), 0, NULL },
    { "endless 1xx responses", K_HTTP, "/endless-1xx", NULL, 1000, 1000, FAIL(TIMEOUT, REQUEST_TIMEOUT), 0, NULL },
    /* TLS: the same faults inside records and in the handshake */
    { "TLS reset at the first byte", K_HTTPS, "/body", "/_arm?at=0&act=reset", 2000, 2000, FAIL(NETWORK, RESET), 0, NULL },
    { "TLS reset mid-handshake", K_HTTPS, "/body", "/_arm?at=60&act=reset", 2000, 2000, FAIL(NETWORK, RESET), 0, NULL },
    { "TLS stall mid-handshake", K_HTTPS, "/body", "/_arm?at=60&act=stall", 500, 500, FAIL(TIMEOUT, CONNECT_TIMEOUT), 490, NULL },
    { "TLS close mid-handshake", K_HTTPS, "/body", "/_arm?at=60&act=close", 2000, 2000, FAIL(TLS, TLS_HANDSHAKE), 0, NULL },
    { "TLS answered in plain HTTP", K_HTTPS, "/body", "/_arm?act=garbage", 2000, 2000, FAIL(TLS, TLS_VERSION), 0, want_plain_http_named },
    { "TLS alert then reset for a missing client certificate", K_HTTPS, "/body", "/_arm?act=alert-reset", 2000, 2000, FAIL(TLS, TLS_CLIENT_CERT_REQUIRED), 0, NULL },
    { "TLS reset mid-body", K_HTTPS, "/body?len=6000&cut=3000&act=reset", NULL, 2000, 2000, FAIL(NETWORK, RESET), 0, NULL },
    { "TLS stall mid-body", K_HTTPS, "/body?len=6000&cut=3000&act=stall", NULL, 500, 500, FAIL(TIMEOUT, REQUEST_TIMEOUT), 490, NULL },
    { "TLS close mid-record", K_HTTPS, "/body?len=6000&cut=3000&act=close", NULL, 2000, 2000, FAIL(NETWORK, HTTP_TRUNCATED), 0, NULL },
    { "TLS truncated record", K_HTTPS, "/truncated-record", NULL, 2000, 2000, FAIL(NETWORK, EOF), 0, NULL },
    { "TLS close-delimited body without close_notify", K_HTTPS, "/close-delimited?notify=0", NULL, 2000, 2000, FAIL(TLS, TLS_TRUNCATED), 0, NULL },
    { "TLS close-delimited body with close_notify", K_HTTPS, "/close-delimited?notify=1", NULL, 2000, 2000, OK, 0, want_body_3000 },
    { "TLS full body, then no close_notify", K_HTTPS, "/body?no_notify=1", NULL, 2000, 2000, OK, 0, want_body_2000 },
    { "TLS record bytes dripped", K_HTTPS, "/drip?raw=1&ms=3", NULL, 3000, 3000, OK, 0, want_body_5 },
    { "TLS one record per byte", K_HTTPS, "/drip?ms=3", NULL, 3000, 3000, OK, 0, want_body_5 },
    /* JSON envelopes and the API layer's retries */
    { "JSON syntax error", K_API, "/json-syntax", NULL, 2000, 2000, FAIL(PROTOCOL, JSON_SYNTAX), 0, want_1_attempt },
    { "JSON nested too deep", K_API, "/json-deep", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_JSON_DEPTH), 0, NULL },
    { "JSON with too many tokens", K_API, "/json-tokens", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_JSON_TOKENS), 0, NULL },
    { "JSON with invalid UTF-8", K_API, "/json-utf8", NULL, 2000, 2000, FAIL(PROTOCOL, JSON_UTF8), 0, NULL },
    { "HTML where JSON was due", K_API, "/json-html", NULL, 2000, 2000, FAIL(PROTOCOL, JSON_SYNTAX), 0, NULL },
    { "JSON body larger than the buffer", K_API, "/json-long-string", NULL, 2000, 2000, FAIL(LIMIT, LIMIT_BODY), 0, NULL },
    { "JSON body cut short", K_API, "/json-truncated", NULL, 1000, 3 * 1000 + 150, FAIL(NETWORK, HTTP_TRUNCATED), 0, want_3_attempts },
    { "5xx storm", K_API, "/status?code=503", NULL, 1000, 3 * 1000 + 150, FAIL(API, API), 0, want_3_attempts },
    { "5xx twice, then success", K_API, "/status?code=502&count=2", NULL, 1000, 3 * 1000 + 150, OK, 0, want_3_attempts },
    { "429 with Retry-After: 1", K_API, "/status?code=429&retry_after=1&count=1", NULL, 1000, 2 * 1000 + 1000, OK, 1000, NULL },
    { "429 with Retry-After: 3600", K_API, "/status?code=429&retry_after=3600", NULL, 1000, 1000, FAIL(API, API), 0, want_retry_after_kept },
    { "404 is not retried", K_API, "/status?code=404", NULL, 1000, 1000, FAIL(API, API), 0, want_1_attempt },
    { "error envelope without a message", K_API, "/json-empty-error", NULL, 1000, 1000, FAIL(API, API), 0, NULL },
    /* event streams */
    { "SSE invalid UTF-8", K_SSE, "/sse-utf8", NULL, 500, 500, FAIL(TIMEOUT, IDLE_TIMEOUT), 490, want_3_events },
    { "SSE event larger than the buffer", K_SSE, "/sse-huge", NULL, 500, 1000, FAIL(TIMEOUT, IDLE_TIMEOUT), 490, want_drop_then_event },
    { "SSE line without end", K_SSE, "/sse-endless-line", NULL, 2000, 5000, FAIL(NETWORK, EOF), 0, NULL },
    { "SSE silent server", K_SSE, "/sse-stall", NULL, 400, 400, FAIL(TIMEOUT, IDLE_TIMEOUT), 390, want_1_event },
    { "SSE wrong content type", K_SSE, "/sse-type", NULL, 1000, 1000, FAIL(PROTOCOL, SSE_CONTENT_TYPE), 0, NULL },
    { "SSE over TLS, reset mid-handshake", K_SSE_TLS, "/sse-stall", "/_arm?at=60&act=reset", 1000, 1000, FAIL(NETWORK, RESET), 0, NULL },
    { "SSE over TLS, silent server", K_SSE_TLS, "/sse-stall", NULL, 400, 1000, FAIL(TIMEOUT, IDLE_TIMEOUT), 390, want_1_event },
    /* the protocol clients */
    /* a streamed list is never retried: its first elements were delivered */
    { "vmm list cut short", K_VMM, "", "/_alias?from=api&to=json-truncated", 1000, 1000, FAIL(NETWORK, HTTP_TRUNCATED), 0, want_1_attempt },
    { "vmm list of invalid UTF-8", K_VMM, "", "/_alias?from=api&to=json-utf8", 1000, 1000, FAIL(PROTOCOL, JSON_UTF8), 0, NULL },
    { "poolmgr silent server", K_POOL, "/stall-before-head", NULL, 500, 500, FAIL(TIMEOUT, REQUEST_TIMEOUT), 490, want_1_attempt },
    { "poolmgr wrong shape", K_POOL, "/json-shape", NULL, 1000, 1000, FAIL(PROTOCOL, JSON_TYPE), 0, NULL },
    { "SkyPilot 5xx storm", K_SKY, "/status", NULL, 1000, 3 * 1000 + 150, FAIL(API, API), 0, want_3_attempts },
    { "SkyPilot HTML answer", K_SKY, "/json-html", NULL, 1000, 1000, FAIL(PROTOCOL, JSON_SYNTAX), 0, NULL },
    { "MAAS reset mid-list", K_MAAS, "/json-reset", NULL, 1000, 1000, FAIL(NETWORK, RESET), 0, want_1_attempt },
    { "MAAS reset mid-answer", K_MAAS, "/reset-mid-body", NULL, 1000, 1000, FAIL(PROTOCOL, JSON_SYNTAX), 0, want_1_attempt },
    { "MAAS list of the wrong type", K_MAAS, "/json-shape", NULL, 1000, 1000, FAIL(PROTOCOL, JSON_TYPE), 0, NULL },
#if TT_FEATURE_GZIP
    /* bound while it inflates: the first zero byte is not JSON */
    { "plexd gzip bomb", K_PLEXD, "/gzip-bomb", NULL, 2000, 2000, FAIL(PROTOCOL, JSON_SYNTAX), 0, NULL },
#else
    /* without gzip the compressed answer is refused outright */
    { "plexd gzip bomb", K_PLEXD, "/gzip-bomb", NULL, 2000, 2000, FAIL(PROTOCOL, GZIP), 0, NULL },
#endif
    /* part of the state reached the caller: never sent again */
    { "plexd stall mid-answer", K_PLEXD, "/stall-after-head", NULL, 400, 400 + 150, FAIL(TIMEOUT, REQUEST_TIMEOUT), 390, want_1_attempt },
};

static void assert_outcome(const scenario *sc, const outcome *o, int64_t took)
{
    int64_t limit = sc->budget_ms + sc->budget_ms / 10;
    if (sc->ok && o->rc != 0)
        tt_test_fail(__FILE__, __LINE__, "%s: failed: %s/%s (%s)", sc->name,
                     tt_err_class_name(o->err.cls), tt_errcode_name(o->err.code), o->err.msg);
    else if (!sc->ok && o->rc == 0)
        tt_test_fail(__FILE__, __LINE__, "%s: succeeded", sc->name);
    else if (!sc->ok && (o->err.cls != sc->cls || o->err.code != sc->code))
        tt_test_fail(__FILE__, __LINE__, "%s: got %s/%s (%s), want %s/%s", sc->name,
                     tt_err_class_name(o->err.cls), tt_errcode_name(o->err.code), o->err.msg,
                     tt_err_class_name(sc->cls), tt_errcode_name(sc->code));
    else if (sc->check != NULL)
        sc->check(sc, o);
    if (took > limit)
        tt_test_fail(__FILE__, __LINE__, "%s: took %lld ms, budget %lld + 10 %%", sc->name,
                     (long long)took, (long long)sc->budget_ms);
    if (took < sc->min_ms)
        tt_test_fail(__FILE__, __LINE__, "%s: took %lld ms, less than %lld", sc->name,
                     (long long)took, (long long)sc->min_ms);
}

static void run_one(const scenario *sc, int verbose)
{
    outcome o;
    int64_t t0;
    admin("/_reset");
    if (sc->arm != NULL)
        admin(sc->arm);
    t0 = integ_now_ms();
    run(sc, &o);
    assert_outcome(sc, &o, integ_now_ms() - t0);
    if (verbose)
        printf("  %-48s %s/%s %lld ms\n", sc->name, tt_err_class_name(o.err.cls),
               tt_errcode_name(o.err.code), (long long)(integ_now_ms() - t0));
}

static void run_case(size_t i)
{
    run_one(&table[i], getenv("TT_FAULT_VERBOSE") != NULL);
}

/* One field of /proc/self/status in KiB, -1 when absent. */
static long status_kb(const char *field)
{
    char buf[4096];
    long n = integ_read_file("/proc/self/status", buf, sizeof buf - 1);
    char *p;
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    p = strstr(buf, field);
    return p != NULL ? atol(p + strlen(field)) : -1;
}

/* Touch the stack deeper than any scenario goes, so that a code path
 * first taken in the second pass (timing decides some of them) does not
 * count its fresh stack pages as growth. */
static void prefault_stack(void)
{
    volatile char depth[256 * 1024];
    size_t i;
    for (i = 0; i < sizeof depth; i += 1024)
        depth[i] = 1;
}

/* Every scenario once more. */
static void run_table_again(void)
{
    size_t i;
    for (i = 0; i < TT_COUNT(table); i++) {
        CHECK_OK(run_one(&table[i], 0));
    }
}

typedef struct {
    long heap, anon, file;
} mem_reading;

/* The heap is read last: reading /proc goes through stdio, whose freed
 * 1 KiB buffer then sits in glibc's thread cache, which mallinfo2()
 * counts as in use. Read in the same order every time, it cancels out. */
static void read_memory(mem_reading *m)
{
    m->anon = status_kb("RssAnon:");
    m->file = status_kb("RssFile:");
    m->heap = HEAP_IN_USE();
}

/* After every scenario ran once, all of them again: the heap and the
 * process's own resident memory must end where the first pass left them.
 * Judged on anonymous RSS: file-backed pages are library and program code
 * faulted in the first time a path runs, which is not memory growing
 * (they are printed, not judged). Should anonymous memory still have grown
 * (a page touched first in this pass, a huge page the kernel assembled),
 * a third pass must not grow it again: a leak grows with every pass. */
static void test_second_pass_without_growth(void)
{
    mem_reading m1, m2;
    prefault_stack();
    read_memory(&m1);
    run_table_again();
    read_memory(&m2);
    printf("  %zu scenarios again: heap %ld -> %ld bytes, anonymous RSS %ld -> %ld KiB, "
           "file-backed %ld -> %ld KiB\n", TT_COUNT(table), m1.heap, m2.heap, m1.anon,
           m2.anon, m1.file, m2.file);
    CHECK(m2.heap == m1.heap);
    CHECK(m1.anon > 0);
#if !defined(__SANITIZE_ADDRESS__)
    /* (under ASan freed memory waits in its quarantine: RSS grows by design) */
    if (m2.anon > m1.anon) {
        mem_reading m3;
        run_table_again();
        read_memory(&m3);
        printf("  and a third time: heap %ld bytes, anonymous RSS %ld KiB\n", m3.heap, m3.anon);
        CHECK(m3.heap == m1.heap);
        CHECK(m3.anon <= m2.anon);
    }
#endif
}

/* A server that refuses a missing client certificate with an alert and
 * resets the connection at once: the reset races the client's reply, and
 * the alert is the answer whichever wins, every time. */
static void test_alert_then_reset_100_times(void)
{
    tt_request rq;
    tt_error e;
    char url[512];
    int i, network = 0, other = 0;
    memset(&rq, 0, sizeof rq);
    snprintf(url, sizeof url, "%s", url_of(1, "/body")); /* admin() reuses url_of's buffer */
    rq.url = url;
    for (i = 0; i < 100; i++) {
        admin("/_arm?act=alert-reset");
        new_client(2000);
        if (tt_client_request(&client, &rq, NULL, &e) == 0)
            e.cls = TT_ERR_NONE; /* counted with the others */
        if (e.cls == TT_ERR_NETWORK)
            network++;
        else if ((e.cls != TT_ERR_TLS || e.code != TT_E_TLS_CLIENT_CERT_REQUIRED) && other++ == 0)
            printf("  %s\n", e.cls == TT_ERR_NONE ? "the request succeeded" : e.msg);
        tt_client_close(&client);
    }
    printf("  100 alerts then resets: %d network errors, %d others\n", network, other);
    CHECK_INT(network, 0);
    CHECK_INT(other, 0);
}

void suite_integ_fault(void)
{
    static const char *names[TT_COUNT(table)];
    static const tt_test again[] = {
        { "alert_then_reset_100_times", test_alert_then_reset_100_times },
        { "second_pass_without_growth", test_second_pass_without_growth },
    };
    size_t i;
    setup_tls();
    for (i = 0; i < TT_COUNT(table); i++)
        names[i] = table[i].name;
    tt_run_cases("integ_fault", names, run_case, TT_COUNT(table));
    tt_run_suite("integ_fault", again, TT_COUNT(again));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
