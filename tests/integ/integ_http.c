/* HTTP client against a real nginx on loopback. */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static tt_client client;
static char body[8192];

static void request_init(tt_request *rq, const char *path)
{
    memset(rq, 0, sizeof *rq);
    rq->url = integ_url(integ_nginx_port(), path);
    rq->max_redirects = -1;
    rq->body_buf = body;
    rq->body_cap = sizeof body;
}

/* Empty nginx's access log (it appends, so truncating is safe). */
static void access_log_reset(void)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/nginx/access.log", integ_env_dir());
    f = fopen(path, "w");
    if (f != NULL)
        fclose(f);
}

/* The `n` lines of nginx's access log since access_log_reset(): "$connection
 * $requests $method". nginx writes a line after the response went out, so
 * wait (up to 2 s) until the n-th line, for `last_uri`, is there. */
static int access_log_read(int n, long conn[], long reqs[], char methods[][8],
                           const char *last_uri);

static int access_log_tail(int n, long conn[], long reqs[], char methods[][8],
                           const char *last_uri)
{
    int64_t end = integ_now_ms() + 2000;
    int got;
    do {
        got = access_log_read(n, conn, reqs, methods, last_uri);
        if (got == n)
            return got;
        {
            struct timespec ts = { 0, 20 * 1000000L };
            nanosleep(&ts, NULL);
        }
    } while (integ_now_ms() < end);
    return got;
}

static int access_log_read(int n, long conn[], long reqs[], char methods[][8],
                           const char *last_uri)
{
    static char buf[1 << 20];
    static char *lines[1 << 14];
    char path[512];
    long len;
    int count = 0, i, first;
    char *p;
    snprintf(path, sizeof path, "%s/nginx/access.log", integ_env_dir());
    len = integ_read_file(path, buf, sizeof buf - 1);
    if (len <= 0)
        return 0;
    buf[len] = '\0';
    for (p = buf; *p != '\0' && count < (int)TT_COUNT(lines); ) {
        lines[count++] = p;
        p = strchr(p, '\n');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    if (count < n || strstr(lines[count - 1], last_uri) == NULL)
        return 0;
    first = count > n ? count - n : 0;
    for (i = first; i < count; i++) {
        char m[8] = "";
        sscanf(lines[i], "%ld %ld %7s", &conn[i - first], &reqs[i - first], m);
        if (methods != NULL)
            memcpy(methods[i - first], m, 8);
    }
    return count - first;
}

static void test_keep_alive_one_connection(void)
{
    enum { N = 25 };
    long conn[N], reqs[N];
    tt_request rq;
    tt_response rs;
    tt_error e;
    int i;
    access_log_reset();
    integ_client(&client, NULL);
    request_init(&rq, "/1k.json");
    for (i = 0; i < N; i++) {
        CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
        CHECK_INT(rs.status, 200);
        CHECK_INT(rs.body_len, 1024);
        CHECK_STR(rs.content_type, "application/json");
    }
    CHECK_INT(client.stats.connects, 1);
    CHECK_INT(client.stats.reuses, N - 1);
    tt_client_close(&client);
    /* the server saw one connection carry all N requests */
    CHECK_INT(access_log_tail(N, conn, reqs, NULL, " /1k.json "), N);
    for (i = 0; i < N; i++) {
        CHECK_INT(conn[i], conn[0]);
        CHECK_INT(reqs[i], i + 1);
    }
}

static void test_chunked_response(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    int saw_chunked = 0;
    integ_client(&client, NULL);
    request_init(&rq, "/chunked/hello.txt");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(body, "hello, tether\n");
    saw_chunked = client.parser.framing == TT_FRAME_CHUNKED;
    CHECK(saw_chunked);
    tt_client_close(&client);
}

typedef struct {
    uint64_t offset;
    int bad;
    size_t max_piece;
    unsigned long lines;
} checker;

static int check_pattern(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    checker *c = u;
    size_t i;
    (void)e;
    for (i = 0; i < n; i++)
        if (d[i] != (unsigned char)((c->offset + i) & 0xff))
            c->bad = 1;
    c->offset += n;
    if (n > c->max_piece)
        c->max_piece = n;
    return 0;
}

static void test_3mb_streamed(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    checker ck = { 0, 0, 0, 0 };
    integ_client(&client, NULL);
    request_init(&rq, "/3mb.bin");
    rq.on_body = check_pattern;
    rq.user = &ck;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(ck.offset, 3 * 1024 * 1024);
    CHECK_INT(rs.body_bytes, 3 * 1024 * 1024);
    CHECK(!ck.bad);
    CHECK(ck.max_piece <= TT_HTTP_RECV_BUF);
    tt_client_close(&client);
}

static int count_lines(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    checker *c = u;
    size_t i;
    (void)e;
    for (i = 0; i < n; i++)
        c->lines += d[i] == '\n';
    c->offset += n;
    return 0;
}

static void test_large_chunked_streamed(void)
{
    tt_request rq;
    tt_error e;
    checker ck = { 0, 0, 0, 0 };
    integ_client(&client, NULL);
    request_init(&rq, "/chunked/big.txt");
    rq.on_body = count_lines;
    rq.user = &ck;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(ck.lines, 20000);
    CHECK_INT(ck.offset, 20000 * 32);
    tt_client_close(&client);
}

static void test_head_then_get_reuses(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/3mb.bin");
    rq.method = "HEAD";
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    CHECK_INT(rs.body_bytes, 0);
    request_init(&rq, "/hello.txt");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(body, "hello, tether\n");
    CHECK_INT(client.stats.connects, 1);
    tt_client_close(&client);
}

static void test_204(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/204");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 204);
    CHECK_INT(rs.body_bytes, 0);
    tt_client_close(&client);
}

static char etag[128];

static int grab_etag(void *u, const char *n, size_t nl, const char *v, size_t vl,
                     int trailer, tt_error *e)
{
    (void)u;
    (void)trailer;
    (void)e;
    if (tt_http_name_eq(n, nl, "etag") && vl < sizeof etag) {
        memcpy(etag, v, vl);
        etag[vl] = '\0';
    }
    return 0;
}

static void test_304(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    tt_header h[1];
    integ_client(&client, NULL);
    request_init(&rq, "/hello.txt");
    rq.on_header = grab_etag;
    etag[0] = '\0';
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK(etag[0] != '\0');
    h[0].name = "If-None-Match";
    h[0].value = etag;
    request_init(&rq, "/hello.txt");
    rq.headers = h;
    rq.nheaders = 1;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 304);
    CHECK_INT(rs.body_bytes, 0);
    /* and the connection is still good */
    request_init(&rq, "/hello.txt");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    CHECK_INT(client.stats.connects, 1);
    tt_client_close(&client);
}

static void test_redirects(void)
{
    static const char *const paths[] = { "/r301", "/r302", "/r303", "/rabs", "/chain1" };
    tt_request rq;
    tt_response rs;
    tt_error e;
    size_t i;
    integ_client(&client, NULL);
    for (i = 0; i < TT_COUNT(paths); i++) {
        request_init(&rq, paths[i]);
        CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
        CHECK_INT(rs.status, 200);
        CHECK_STR(body, "hello, tether\n");
        CHECK(strstr(rs.url, "/hello.txt") != NULL);
    }
    request_init(&rq, "/chain1");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.redirects, 3);
    /* following off: the 3xx itself comes back */
    request_init(&rq, "/r301");
    rq.max_redirects = 0;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 301);
    /* all of it on one connection */
    CHECK_INT(client.stats.connects, 1);
    tt_client_close(&client);
}

static void test_redirect_loop_and_limit(void)
{
    tt_request rq;
    tt_error e;
    int64_t t0;
    integ_client(&client, NULL);
    request_init(&rq, "/loop");
    t0 = integ_now_ms();
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_REDIRECT_LOOP);
    CHECK(integ_now_ms() - t0 < 2000);
    request_init(&rq, "/chain1");
    rq.max_redirects = 2;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_REDIRECTS);
    tt_client_close(&client);
}

typedef struct {
    const char *text;
    size_t pos;
    int rewinds;
} source;

static long produce_text(void *u, unsigned char *buf, size_t cap, tt_error *e)
{
    source *s = u;
    size_t n = strlen(s->text + s->pos);
    (void)e;
    if (n > cap)
        n = cap;
    if (n > 7)
        n = 7; /* several chunks */
    memcpy(buf, s->text + s->pos, n);
    s->pos += n;
    return (long)n;
}

static int rewind_text(void *u, tt_error *e)
{
    source *s = u;
    (void)e;
    s->pos = 0;
    s->rewinds++;
    return 0;
}

static void test_chunked_upload_and_307(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    source src = { "a chunked upload body, sent in pieces\n", 0, 0 };
    integ_client(&client, NULL);
    request_init(&rq, "/dav/up.txt");
    rq.method = "PUT";
    rq.produce = produce_text;
    rq.produce_user = &src;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK(rs.status == 201 || rs.status == 204);
    request_init(&rq, "/dav/up.txt");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(body, src.text);
    /* 307 keeps PUT and the body */
    src.pos = 0;
    request_init(&rq, "/r307");
    rq.method = "PUT";
    rq.produce = produce_text;
    rq.rewind = rewind_text;
    rq.produce_user = &src;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    if (!(rs.status == 201 || rs.status == 204))
        tt_test_fail(__FILE__, __LINE__, "307 PUT: status %d: %s", rs.status, body);
    CHECK(rs.status == 201 || rs.status == 204);
    CHECK_INT(src.rewinds, 1);
    request_init(&rq, "/dav/redirected.txt");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(body, src.text);
    tt_client_close(&client);
}

static void test_303_post_becomes_get(void)
{
    enum { N = 2 };
    long conn[N], reqs[N];
    char methods[N][8];
    tt_request rq;
    tt_response rs;
    tt_error e;
    access_log_reset();
    integ_client(&client, NULL);
    request_init(&rq, "/r303");
    rq.body = "x=1";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    tt_client_close(&client);
    CHECK_INT(access_log_tail(N, conn, reqs, methods, " /hello.txt "), N);
    CHECK_STR(methods[0], "POST");
    CHECK_STR(methods[1], "GET");
}

static void test_body_larger_than_buffer(void)
{
    tt_request rq;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/3mb.bin");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_BODY);
    /* the client recovers: next request on a fresh connection */
    request_init(&rq, "/hello.txt");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "hello, tether\n");
    tt_client_close(&client);
}

static void test_status_errors_are_responses(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/404");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 404);
    request_init(&rq, "/500");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 500);
    CHECK_STR(body, "server error\n");
    tt_error_from_status(&e, "127.0.0.1", rs.status, rs.retry_after);
    CHECK_STR(e.msg, "127.0.0.1: HTTP 500 Internal Server Error");
    tt_client_close(&client);
}

static void test_connection_close_header(void)
{
    tt_request rq;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/close");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(client.stats.connects, 2);
    CHECK_INT(client.stats.resends, 0);
    tt_client_close(&client);
}

static void test_ipv6_loopback(void)
{
    tt_request rq;
    tt_error e;
    char url[128];
    int rc;
    integ_client(&client, NULL);
    snprintf(url, sizeof url, "http://[::1]:%d/hello.txt", integ_nginx_port());
    request_init(&rq, "/");
    rq.url = url;
    rc = tt_client_request(&client, &rq, NULL, &e);
    if (rc != 0 && e.code == TT_E_CONNECT_REFUSED) {
        tt_test_skip("no IPv6 loopback on this host (nginx listens on 127.0.0.1 only)");
        return;
    }
    CHECK_INT(rc, 0);
    CHECK_STR(body, "hello, tether\n");
    tt_client_close(&client);
}

static void test_name_resolution_and_resolve_override(void)
{
    tt_request rq;
    tt_error e;
    tt_client_config cfg;
    char url[128];
    integ_client(&client, NULL);
    snprintf(url, sizeof url, "http://localhost:%d/hello.txt", integ_nginx_port());
    request_init(&rq, "/");
    rq.url = url;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "hello, tether\n");
    tt_client_close(&client);
    /* a name that does not resolve, mapped to loopback like --resolve */
    tt_client_config_default(&cfg);
    cfg.resolve_host = "controller.invalid";
    cfg.resolve_port = (uint16_t)integ_nginx_port();
    cfg.resolve_addr = "127.0.0.1";
    integ_client(&client, &cfg);
    snprintf(url, sizeof url, "http://controller.invalid:%d/hello.txt", integ_nginx_port());
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "hello, tether\n");
    tt_client_close(&client);
    integ_client(&client, NULL);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_RESOLVE);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
}

static void test_connection_refused(void)
{
    tt_request rq;
    tt_error e;
    integ_client(&client, NULL);
    request_init(&rq, "/");
    rq.url = "http://127.0.0.1:1/";
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_CONNECT_REFUSED);
    CHECK(tt_error_is_network(&e));
}

void suite_integ_http(void)
{
    static const tt_test tests[] = {
        { "keep_alive_one_connection", test_keep_alive_one_connection },
        { "chunked_response", test_chunked_response },
        { "3mb_streamed", test_3mb_streamed },
        { "large_chunked_streamed", test_large_chunked_streamed },
        { "head_then_get_reuses", test_head_then_get_reuses },
        { "204", test_204 },
        { "304", test_304 },
        { "redirects", test_redirects },
        { "redirect_loop_and_limit", test_redirect_loop_and_limit },
        { "chunked_upload_and_307", test_chunked_upload_and_307 },
        { "303_post_becomes_get", test_303_post_becomes_get },
        { "body_larger_than_buffer", test_body_larger_than_buffer },
        { "status_errors_are_responses", test_status_errors_are_responses },
        { "connection_close_header", test_connection_close_header },
        { "ipv6_loopback", test_ipv6_loopback },
        { "name_resolution_and_resolve_override", test_name_resolution_and_resolve_override },
        { "connection_refused", test_connection_refused },
    };
    tt_run_suite("integ_http", tests, TT_COUNT(tests));
}
