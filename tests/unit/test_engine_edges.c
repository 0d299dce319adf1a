/*
 * The HTTP client, parser, URL, JSON and SSE modules: edges the other
 * suites do not reach.
 */
#include "tether/config.h"
#if TT_FEATURE_SSE && TT_FEATURE_JSON_STREAM && TT_FEATURE_JSON_BIND && TT_FEATURE_GZIP

#include "../testlib.h"
#include "fixture.h"
#include "suites.h"
#include "tether/client.h"
#include "tether/http.h"
#include "tether/url.h"
#include "tether/json.h"
#include "tether/sse.h"
#include "tether/sse_stream.h"
#include "tether/gzip.h"
#include "port_mock.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- the client over the mock port ---------------------------------------------- */

static char cbody[512];

static void new_request(tt_request *rq, const char *url)
{
    memset(rq, 0, sizeof *rq);
    memset(cbody, 0, sizeof cbody); /* nothing left from an earlier request */
    rq->url = url;
    rq->max_redirects = -1;
    rq->body_buf = cbody;
    rq->body_cap = sizeof cbody;
}

/* A connection whose server sends `text` and then closes. */
static tt_mock_script *serve(const char *text)
{
    return tt_mock_add(&mock, text, strlen(text));
}

/* A keep-alive connection answering one request with each of the texts. */
static tt_mock_script *serve_each(const char *a, const char *b)
{
    const char *parts[2];
    parts[0] = a;
    parts[1] = b;
    return tt_mock_add_parts(&mock, parts, b != NULL ? 2 : 1);
}

/* Occurrences of s in what the client wrote. */
static int wrote_count(const char *s)
{
    size_t n = strlen(s), i;
    int k = 0;
    for (i = 0; i + n <= mock.written_len; i++)
        if (memcmp(mock.written + i, s, n) == 0)
            k++;
    return k;
}

/* The head the client writes for a request, to aim send resets exactly. */
static long head_len(const char *method, const char *url, long long cl_value)
{
    static char buf[TT_HTTP_REQUEST_HEAD_MAX];
    tt_url u;
    tt_error e;
    if (tt_url_parse(&u, url, strlen(url), &e) != 0)
        return -1;
    return tt_http_write_head(buf, sizeof buf, method, &u, NULL, 0, NULL, cl_value, 0, &e);
}

#define OK0 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
#define OK2 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

static void test_client_init_refuses_bad_timeouts_and_redirects(void)
{
    tt_client_config cfg;
    tt_error e;
    fresh();
    tt_client_config_default(&cfg);
    cfg.request_timeout_ms = 0;
    CHECK_INT(tt_client_init(&client, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_CONFIG);
    cfg.request_timeout_ms = 1000;
    cfg.max_redirects = -1;
    CHECK_INT(tt_client_init(&client, &port, &cfg, &e), -1);
    CHECK_INT(e.code, TT_E_CONFIG);
    cfg.max_redirects = 0;
    CHECK_INT(tt_client_init(&client, &port, &cfg, &e), 0);
}

typedef struct logbuf {
    char text[8192];
    size_t len;
    char last_long[TT_LOG_LINE_MAX]; /* the latest line of 200 bytes or more */
} logbuf;

static logbuf lb;

static void log_line(void *user, const char *line)
{
    logbuf *l = user;
    size_t n = strlen(line);
    if (n >= 200)
        memcpy(l->last_long, line, n + 1);
    if (l->len + n + 2 < sizeof l->text) {
        memcpy(l->text + l->len, line, n);
        l->len += n;
        l->text[l->len++] = '\n';
        l->text[l->len] = '\0';
    }
}

static void log_setup(void)
{
    tt_client_config cfg;
    tt_client_config_default(&cfg);
    memset(&lb, 0, sizeof lb);
    cfg.log = log_line;
    cfg.log_user = &lb;
    client_setup(&cfg);
}

static void test_trace_masks_only_secret_params_between_plain_ones(void)
{
    tt_request rq;
    tt_error e;
    log_setup();
    serve(OK0);
    new_request(&rq, "http://h/p?flag&key=S3CR3T&x=1");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(strstr(lb.text, "> GET /p?flag&key=[redacted]&x=1 HTTP/1.1\n") != NULL);
    CHECK(strstr(lb.text, "S3CR3T") == NULL);
    /* a parameter without '=' ends at the space or the end of the line;
     * an '&' before any '?' starts nothing */
    serve("HTTP/1.1 200 OK\r\nX-Q: a&key=v?flag\r\nContent-Length: 0\r\n\r\n");
    new_request(&rq, "http://h/p?flag");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(strstr(lb.text, "> GET /p?flag HTTP/1.1\n") != NULL);
    CHECK(strstr(lb.text, "< X-Q: a&key=v?flag\n") != NULL);
}

#if TT_HTTP_HEADER_LINE_MAX >= TT_LOG_LINE_MAX
static void test_trace_cut_inside_mask_never_leaks(void)
{
    /* the '?' sits so near the end of the line that the "[redacted]"
     * replacement itself has to be cut */
    static char resp[TT_LOG_LINE_MAX + 128];
    size_t np = TT_LOG_LINE_MAX - 22, o;
    tt_request rq;
    tt_error e;
    log_setup();
    o = (size_t)sprintf(resp, "HTTP/1.1 200 OK\r\nX-N: ");
    memset(resp + o, 'p', np);
    o += np;
    sprintf(resp + o, "?key=SECRET\r\nContent-Length: 0\r\n\r\n");
    serve(resp);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(strlen(lb.last_long), TT_LOG_LINE_MAX - 1);
    CHECK(strncmp(lb.last_long, "< X-N: ppp", 10) == 0);
    CHECK(strstr(lb.last_long, "?key=[redact") != NULL);
    CHECK(strstr(lb.text, "SECRET") == NULL);
    /* a short secret early: the mask makes the line grow past the cap */
    o = (size_t)sprintf(resp, "HTTP/1.1 200 OK\r\nX-N: ?key=x&");
    memset(resp + o, 'q', np);
    sprintf(resp + o + np, "\r\nContent-Length: 0\r\n\r\n");
    serve(resp);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(strlen(lb.last_long), TT_LOG_LINE_MAX - 1);
    CHECK(strncmp(lb.last_long, "< X-N: ?key=[redacted]&qqq", 26) == 0);
}
#endif

static void test_resolve_override_only_for_its_host_and_port(void)
{
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    tt_client_config_default(&cfg);
    cfg.resolve_addr = "10.9.9.9";   /* an address without a host: unused */
    client_setup(&cfg);
    serve(OK0);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    cfg.resolve_host = "other";
    cfg.resolve_addr = "10.9.9.9";
    client_setup(&cfg);
    serve(OK0);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    cfg.resolve_host = "h";
    cfg.resolve_port = 8080;
    client_setup(&cfg);
    serve(OK0);
    serve(OK0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    new_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "10.9.9.9");
    CHECK_INT(mock.last_port, 8080);
}

static void test_connect_timeout_named_by_the_deadline_that_ended(void)
{
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    tt_client_config_default(&cfg);
    cfg.connect_timeout_ms = 5000;
    cfg.request_timeout_ms = 5000;
    client_setup(&cfg);
    serve(OK0)->connect_ms = 60000;
    new_request(&rq, "http://h/");
    /* equal limits: the connect limit is what ran out */
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(e.code, TT_E_CONNECT_TIMEOUT);
    /* a shorter request deadline ends first: the request timed out */
    client_setup(&cfg);
    serve(OK0)->connect_ms = 60000;
    rq.timeout_ms = 2000;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
    CHECK_INT(mock.now, 1000000 + 2000);
}

static void test_pool_evicts_least_recently_used_and_keys_on_port(void)
{
#if TT_CLIENT_POOL_SIZE == 2
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve_each(OK0, OK0);   /* h:80, used twice */
    serve_each(OK0, NULL);  /* h:8080, the same host on another port */
    serve_each(OK0, NULL);  /* g:80 */
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    mock.now += 10;
    new_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    mock.now += 10;
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2); /* reused */
    mock.now += 10;
    /* the pool is full: the one used longest ago (h:8080) goes */
    new_request(&rq, "http://g/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 3);
    CHECK_INT(mock.conns[1].closed, 1);
    CHECK_INT(mock.conns[0].closed, 0);
    tt_client_close(&client);
    CHECK_INT(mock.conns[0].closed, 1);
    CHECK_INT(mock.conns[2].closed, 1);
#elif TT_CLIENT_POOL_SIZE == 1
    tt_request rq;
    tt_error e;
    /* one slot: the same host on another port is another connection, and
     * takes the slot from the first */
    client_setup(NULL);
    serve_each(OK0, NULL);  /* h:80 */
    serve_each(OK0, OK0);   /* h:8080, used twice */
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    mock.now += 10;
    new_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(mock.conns[0].closed, 1);
    mock.now += 10;
    new_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2); /* reused */
    tt_client_close(&client);
    CHECK_INT(mock.conns[1].closed, 1);
#else
    tt_test_skip("written for pools of 1 and 2 connections");
#endif
}

static void test_overlong_reason_and_content_type_read_as_empty(void)
{
    static char resp[1024];
    char reason[TT_HTTP_REASON_MAX + 1], ct[TT_HTTP_CONTENT_TYPE_MAX + 1];
    tt_request rq;
    tt_response rs;
    tt_error e;
    memset(reason, 'r', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    memset(ct, 'c', sizeof ct - 1);
    ct[sizeof ct - 1] = '\0';
    snprintf(resp, sizeof resp, "HTTP/1.1 200 %s\r\nContent-Type: %s\r\n"
             "Content-Length: 0\r\n\r\n", reason, ct);
    client_setup(NULL);
    serve(resp);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    CHECK_STR(rs.reason, "");
    CHECK_STR(rs.content_type, "");
}

typedef struct fieldlog {
    char text[512];
    size_t len;
} fieldlog;

static int record_field(void *user, const char *name, size_t nl, const char *value,
                        size_t vl, int trailer, tt_error *err)
{
    fieldlog *f = user;
    (void)err;
    f->len += (size_t)snprintf(f->text + f->len, sizeof f->text - f->len, "%s%.*s=%.*s|",
                               trailer ? "T:" : "", (int)nl, name, (int)vl, value);
    return 0;
}

static void test_trailers_reach_the_header_sink_but_not_the_response(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: a/b\r\n"
        "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n"
        "Content-Type: evil/x\r\nX-Sum: 9\r\n\r\n";
    fieldlog f;
    tt_request rq;
    tt_response rs;
    tt_error e;
    memset(&f, 0, sizeof f);
    client_setup(NULL);
    serve(resp);
    new_request(&rq, "http://h/");
    rq.on_header = record_field;
    rq.user = &f;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(f.text, "Content-Type=a/b|Transfer-Encoding=chunked|"
                      "T:Content-Type=evil/x|T:X-Sum=9|");
    CHECK_STR(rs.content_type, "a/b");
    CHECK_STR(cbody, "hi");
}

static void test_body_without_buffer_is_counted_and_dropped(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    serve("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    new_request(&rq, "http://h/");
    rq.body_buf = NULL;
    rq.body_cap = 0;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.body_len, 0);
    CHECK_INT(rs.body_bytes, 5);
}

static void test_body_exactly_filling_the_buffer_is_not_terminated(void)
{
    char buf[8];
    tt_request rq;
    tt_response rs;
    tt_error e;
    memset(buf, '#', sizeof buf);
    client_setup(NULL);
    serve("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd");
    new_request(&rq, "http://h/");
    rq.body_buf = buf;
    rq.body_cap = 4;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.body_len, 4);
    CHECK_MEM(buf, 5, "abcd#", 5);
}

/* A producer of `left` bytes of 'a'..'z', counting its calls; fails when
 * fail is set. */
typedef struct producer {
    long long left, total;
    int calls, rewinds, fail, rewind_fails;
} producer;

static long produce(void *user, unsigned char *buf, size_t cap, tt_error *err)
{
    producer *p = user;
    size_t n = cap, i;
    p->calls++;
    if (p->fail)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "producer broke");
    if ((long long)n > p->left)
        n = (size_t)p->left;
    for (i = 0; i < n; i++)
        buf[i] = (unsigned char)('a' + (p->total - p->left + (long long)i) % 26);
    p->left -= (long long)n;
    return (long)n;
}

static int rewind_producer(void *user, tt_error *err)
{
    producer *p = user;
    p->rewinds++;
    if (p->rewind_fails)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot rewind");
    p->left = p->total;
    return 0;
}

static void produced_request(tt_request *rq, producer *p, const char *url,
                             long long total, long long announced)
{
    new_request(rq, url);
    memset(p, 0, sizeof *p);
    p->left = p->total = total;
    rq->method = "POST";
    rq->produce = produce;
    rq->produce_user = p;
    rq->produce_len = announced;
}

static void test_chunked_upload_producer_error_is_returned(void)
{
    tt_request rq;
    producer p;
    tt_error e;
    client_setup(NULL);
    serve(OK0);
    produced_request(&rq, &p, "http://h/u", 10, 0);
    p.fail = 1;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_STR(e.msg, "producer broke");
    CHECK_INT(wrote_count("Transfer-Encoding: chunked\r\n\r\n"), 1);
    CHECK_INT(wrote_count("0\r\n\r\n"), 0); /* no end chunk after a failure */
}

static void test_reset_while_sending_a_chunk(void)
{
    tt_request rq;
    producer p;
    tt_error e;
    long hl = head_len("POST", "http://h/u", TT_HTTP_CHUNKED);
    CHECK(hl > 0);
    client_setup(NULL);
    serve(OK0)->send_reset_at = (size_t)hl + 2;
    produced_request(&rq, &p, "http://h/u", 10, 0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(e.code, TT_E_RESET);
    CHECK_INT(mock.written_len, hl + 2);
    CHECK_MEM(mock.written + hl, 2, "a\r", 2);
}

static void test_reset_while_sending_a_produced_body(void)
{
    tt_request rq;
    producer p;
    tt_error e;
    long hl = head_len("POST", "http://h/u", 10);
    CHECK(hl > 0);
    client_setup(NULL);
    serve(OK0)->send_reset_at = (size_t)hl + 3;
    produced_request(&rq, &p, "http://h/u", 10, 10);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_RESET);
    CHECK_INT(mock.written_len, hl + 3);
}

static void test_produced_body_larger_than_the_buffer_sent_whole(void)
{
    const long long total = TT_HTTP_RECV_BUF * 2 + 5;
    tt_request rq;
    producer p;
    tt_error e;
    long hl = head_len("POST", "http://h/u", total);
    long long i;
    CHECK(hl > 0);
    client_setup(NULL);
    serve(OK2);
    produced_request(&rq, &p, "http://h/u", total, total);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(cbody, "ok");
    CHECK_INT(p.calls, 3);
    CHECK_INT(mock.written_len, hl + total);
    for (i = 0; i < total; i++)
        CHECK_INT(mock.written[hl + i], 'a' + i % 26);
}

static void test_empty_bodies_announce_length_zero(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve_each(OK0, OK0);
    new_request(&rq, "http://h/p");
    rq.method = "PUT";
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(wrote_count("PUT /p HTTP/1.1\r\n"), 1);
    new_request(&rq, "http://h/q");
    rq.body = "";
    rq.body_len = 0;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(wrote_count("POST /q HTTP/1.1\r\n"), 1);
    CHECK_INT(wrote_count("Content-Length: 0\r\n\r\n"), 2);
    /* nothing after the last head */
    CHECK(mock.written_len >= 4);
    CHECK_MEM(mock.written + mock.written_len - 4, 4, "\r\n\r\n", 4);
}

static void test_large_body_head_send_failure_sends_no_body(void)
{
    static char big[TT_HTTP_REQUEST_HEAD_MAX + 10];
    tt_request rq;
    tt_error e;
    memset(big, 'b', sizeof big);
    client_setup(NULL);
    serve(OK0)->send_reset_at = 1;
    new_request(&rq, "http://h/");
    rq.body = big;
    rq.body_len = sizeof big;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(e.code, TT_E_RESET);
    CHECK_INT(mock.written_len, 1);
    CHECK_INT(mock.connects, 1);
}

static void test_reused_connection_timeout_is_not_resent(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve(OK0)->hold_open = 1; /* then silence: a live but hung server */
    serve(OK0);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    rq.timeout_ms = 3000;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
    CHECK_INT(mock.connects, 1);
    CHECK_INT(client.stats.resends, 0);
}

/* A first GET leaves a keep-alive connection that the server has closed;
 * then the produced POST meets the stale connection. */
static int stale_then_post(producer *p, int with_rewind, int rewind_fails, tt_error *e)
{
    tt_request rq;
    client_setup(NULL);
    serve(OK0);
    serve(OK2);
    new_request(&rq, "http://h/");
    if (tt_client_request(&client, &rq, NULL, e) != 0)
        return -2;
    produced_request(&rq, p, "http://h/u", 6, 6);
    if (with_rewind)
        rq.rewind = rewind_producer;
    p->rewind_fails = rewind_fails;
    return tt_client_request(&client, &rq, NULL, e);
}

static void test_stale_connection_resends_produced_body_only_after_rewind(void)
{
    producer p;
    tt_error e;
    CHECK_INT(stale_then_post(&p, 0, 0, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
    CHECK_INT(mock.connects, 1);
    CHECK_INT(stale_then_post(&p, 1, 1, &e), -1);
    CHECK_STR(e.msg, "cannot rewind");
    CHECK_INT(mock.connects, 1);
    CHECK_INT(stale_then_post(&p, 1, 0, &e), 0);
    CHECK_INT(p.rewinds, 1);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(client.stats.resends, 1);
    CHECK_INT(wrote_count("Content-Length: 6\r\n\r\nabcdef"), 2);
}

static void test_stale_connection_resends_a_plain_body(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve(OK0);
    serve(OK2);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    rq.body = "pq";
    rq.body_len = 2;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(cbody, "ok");
    CHECK_INT(client.stats.resends, 1);
    CHECK_INT(wrote_count("Content-Length: 2\r\n\r\npq"), 2);
}

static void test_redirect_to_another_port_drops_credentials(void)
{
    static const tt_header hdr[] = { { "Authorization", "Bearer t" }, { "X-Keep", "1" } };
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    serve("HTTP/1.1 302 Found\r\nLocation: http://h:81/b\r\nContent-Length: 0\r\n\r\n");
    serve(OK2);
    new_request(&rq, "http://h/a");
    rq.headers = hdr;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(rs.url, "http://h:81/b");
    CHECK_INT(wrote_count("Authorization: Bearer t"), 1);
    CHECK_INT(wrote_count("X-Keep: 1"), 2);
    CHECK_INT(mock.last_port, 81);
    /* another host on the same port: dropped as well */
    client_setup(NULL);
    serve("HTTP/1.1 302 Found\r\nLocation: http://g/b\r\nContent-Length: 0\r\n\r\n");
    serve(OK2);
    new_request(&rq, "http://h/a");
    rq.headers = hdr;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(rs.url, "http://g/b");
    CHECK_INT(wrote_count("Authorization: Bearer t"), 1);
    CHECK_STR(mock.last_host, "g");
}

static void test_redirect_to_https_without_tls_config_is_usage_error(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve("HTTP/1.1 301 Moved\r\nLocation: https://h/\r\nContent-Length: 0\r\n\r\n");
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_CONFIG);
    CHECK_INT(mock.connects, 1);
}

static void test_redirect_method_rules_for_head_and_post(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    /* 303 after HEAD stays HEAD */
    serve_each("HTTP/1.1 303 See Other\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n",
               "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
    new_request(&rq, "http://h/a");
    rq.method = "HEAD";
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.redirects, 1);
    CHECK_INT(wrote_count("HEAD /b HTTP/1.1\r\n"), 1);
    /* 301 after POST becomes a GET without the body */
    client_setup(NULL);
    serve_each("HTTP/1.1 301 Moved\r\nLocation: /c\r\nContent-Length: 0\r\n\r\n", OK2);
    new_request(&rq, "http://h/a");
    rq.body = "xyz";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(wrote_count("GET /c HTTP/1.1\r\n"), 1);
    CHECK_INT(wrote_count("xyz"), 1);
    CHECK_INT(wrote_count("Content-Length"), 1);
    /* 307 keeps a plain body: no rewind needed */
    client_setup(NULL);
    serve_each("HTTP/1.1 307 Temporary\r\nLocation: /d\r\nContent-Length: 0\r\n\r\n", OK2);
    new_request(&rq, "http://h/a");
    rq.body = "xyz";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(wrote_count("POST /d HTTP/1.1\r\n"), 1);
    CHECK_INT(wrote_count("Content-Length: 3\r\n\r\nxyz"), 2);
}

static void test_307_replays_a_produced_body_after_rewind(void)
{
    tt_request rq;
    producer p;
    tt_error e;
    client_setup(NULL);
    serve_each("HTTP/1.1 307 Temporary\r\nLocation: /v\r\nContent-Length: 0\r\n\r\n", OK2);
    produced_request(&rq, &p, "http://h/u", 4, 4);
    rq.rewind = rewind_producer;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(p.rewinds, 1);
    CHECK_INT(wrote_count("POST /v HTTP/1.1\r\n"), 1);
    CHECK_INT(wrote_count("\r\n\r\nabcd"), 2);
    /* a rewind that fails ends the request as a usage error */
    client_setup(NULL);
    serve("HTTP/1.1 308 Permanent\r\nLocation: /v\r\nContent-Length: 0\r\n\r\n");
    produced_request(&rq, &p, "http://h/u", 4, 4);
    rq.rewind = rewind_producer;
    p.rewind_fails = 1;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    CHECK_STR(e.msg, "h: redirect 308 needs the streamed body again");
}

#if TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
/* A redirect to "/" and n more bytes: a limit error, not a cut URL. */
static void check_long_location(char fill, size_t n)
{
    static char resp[TT_URL_MAX + 128];
    size_t o;
    tt_request rq;
    tt_error e;
    o = (size_t)sprintf(resp, "HTTP/1.1 302 Found\r\nLocation: /");
    memset(resp + o, fill, n);
    sprintf(resp + o + n, "\r\nContent-Length: 0\r\n\r\n");
    client_setup(NULL);
    serve(resp);
    new_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_location_longer_than_url_max_is_limit(void)
{
    check_long_location('l', TT_URL_MAX);
}
#endif

#if TT_URL_TARGET_MAX + 8 < TT_URL_MAX && TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
/* a path over the target limit inside a URL that fits: still a limit */
static void test_location_path_over_target_max_keeps_limit_class(void)
{
    check_long_location('t', TT_URL_TARGET_MAX);
}
#endif

static void test_error_from_status_accepts_null_error(void)
{
    tt_error e;
    CHECK_INT(tt_error_from_status(NULL, "h", 503, 7), -1);
    CHECK_INT(tt_error_from_status(&e, "h", 503, 7), -1);
    CHECK_INT(e.http_status, 503);
    CHECK_INT(e.retry_after, 7);
    CHECK_INT(e.cls, TT_ERR_HTTP);
}

static void test_retry_after_rejects_malformed_dates(void)
{
    static const char *const bad[] = {
        "",                                 /* empty */
        "12a",                              /* digits then junk */
        "1 2",
        "-5",
        "Sun, -6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ",   /* 30 bytes */
        "Sun; 06 Nov 1994 08:49:37 GMT",
        "Sun,_06 Nov 1994 08:49:37 GMT",
        "Sun, 06_Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov_1994 08:49:37 GMT",
        "Sun, 06 Nov 1994_08:49:37 GMT",
        "Sun, 06 Nov 1994 08.49:37 GMT",
        "Sun, 06 Nov 1994 08:49.37 GMT",
        "Sun, 06 Nov 1994 08:49:37_GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun, x6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 19x4 08:49:37 GMT",
        "Sun, 06 Nov 1994 x8:49:37 GMT",
        "Sun, 06 Nov 1994 08:x9:37 GMT",
        "Sun, 06 Nov 1994 08:49:x7 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sat, 01 Jan 0000 00:00:00 GMT",    /* before 1970: negative */
    };
    size_t i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        int32_t v = tt_parse_retry_after(bad[i], strlen(bad[i]), 1000);
        if (v != -1)
            tt_test_fail(__FILE__, __LINE__, "\"%s\" gave %ld", bad[i], (long)v);
    }
}

static void test_retry_after_dates_relative_to_now(void)
{
    /* 1994-11-06 08:49:37 is 784111777; Feb 1970 exercises the m <= 2 leg */
    static const char d94[] = "Sun, 06 Nov 1994 08:49:37 GMT";
    static const char feb[] = "Sun, 01 Feb 1970 00:00:00 GMT";
    static const char far[] = "Fri, 31 Dec 9999 23:59:60 GMT";
    CHECK_INT(tt_parse_retry_after(d94, 29, 784111777 - 120), 120);
    CHECK_INT(tt_parse_retry_after(d94, 29, 784111777 + 5), 0);
    CHECK_INT(tt_parse_retry_after(feb, 29, 0), 31 * 86400);
    CHECK_INT(tt_parse_retry_after(far, 29, 0), INT32_MAX);
    CHECK_INT(tt_parse_retry_after(d94, 29, -1), -1);
    CHECK_INT(tt_parse_retry_after("99999999999", 11, 0), INT32_MAX);
}

/* ---- URLs ---------------------------------------------------------------------- */

static void test_address_literal_edges(void)
{
    unsigned char b[16];
    static const unsigned char mapped[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4 };
    CHECK_INT(tt_parse_ipv4("1.2.3", 5, b), 0);
    CHECK_INT(tt_parse_ipv4("1.2.3x4", 7, b), 0);
    /* a dotted tail needs two free groups */
    CHECK_INT(tt_parse_ipv6("1:2:3:4:5:6:7:1.2.3.4", 21, b), 0);
    CHECK_INT(tt_parse_ipv6("::1.2.3", 7, b), 0);
    CHECK_INT(tt_parse_ipv6("1:2:3:4:5:6:1.2.3.4", 19, b), 1);
    CHECK_MEM(b, 16, mapped, 16);
}

/* A host name of len bytes: labels of 63 'a' split by dots, optionally a
 * final dot. */
static void host_of(char *out, size_t len, int final_dot)
{
    size_t i;
    for (i = 0; i < len; i++)
        out[i] = (i % 64 == 63) ? '.' : 'a';
    if (final_dot)
        out[len - 1] = '.';
    out[len] = '\0';
}

static int parse_host_url(size_t len, int final_dot, tt_error *e)
{
    static char text[300], host[260];
    tt_url u;
    host_of(host, len, final_dot);
    snprintf(text, sizeof text, "http://%s/", host);
    return tt_url_parse(&u, text, strlen(text), e);
}

static void test_host_name_length_bounds(void)
{
    tt_error e;
    /* 253 bytes (254 with the root dot) is the DNS limit */
    if (TT_URL_HOST_MAX > 253) {
        CHECK_INT(parse_host_url(253, 0, &e), 0);
        CHECK_INT(parse_host_url(254, 1, &e), 0);
    } else {
        CHECK_INT(parse_host_url(253, 0, &e), -1);
        CHECK_INT(e.code, TT_E_LIMIT_URL);
        CHECK_INT(parse_host_url(254, 1, &e), -1);
        CHECK_INT(e.code, TT_E_LIMIT_URL);
    }
    CHECK_INT(parse_host_url(254, 0, &e), -1);
    CHECK_INT(e.code, TT_E_URL_HOST);
    CHECK_INT(parse_host_url(255, 1, &e), -1);
    CHECK_INT(e.code, TT_E_URL_HOST);
}

static void test_scheme_and_authority_edges(void)
{
    static const char *const unsupported[] = { "htxp://h/", "h2c://h/", "git+ssh://h/", "a-b://h/", "a.b://h/" };
    static const char *const no_slashes[] = { "http:", "http:/x", "http:x/" };
    tt_url u;
    tt_error e;
    size_t i;
    CHECK_INT(tt_url_parse(&u, "http://h#frag", 13, &e), 0);
    CHECK_STR(u.host, "h");
    CHECK_STR(u.target, "/");
    for (i = 0; i < TT_COUNT(unsupported); i++) {
        CHECK_INT(tt_url_parse(&u, unsupported[i], strlen(unsupported[i]), &e), -1);
        CHECK_INT(e.code, TT_E_URL_SCHEME);
        CHECK_STR(e.msg, "bad URL: unsupported scheme (use http or https)");
    }
    for (i = 0; i < TT_COUNT(no_slashes); i++) {
        CHECK_INT(tt_url_parse(&u, no_slashes[i], strlen(no_slashes[i]), &e), -1);
        CHECK_STR(e.msg, "bad URL: missing // after the scheme");
    }
}

static void test_non_ascii_byte_at_the_target_limit(void)
{
    static char text[TT_URL_TARGET_MAX + 32];
    tt_url u;
    tt_error e;
    size_t k = TT_URL_TARGET_MAX - 5, o;
    /* room for the three bytes of "%C3" exactly */
    o = (size_t)sprintf(text, "http://h/");
    memset(text + o, 'a', k);
    strcpy(text + o + k, "\xc3");
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), 0);
    CHECK_INT(strlen(u.target), TT_URL_TARGET_MAX - 1);
    CHECK_STR(u.target + TT_URL_TARGET_MAX - 4, "%C3");
    /* one byte more and it does not fit */
    memset(text + o, 'a', k + 1);
    strcpy(text + o + k + 1, "\xc3");
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_reference_with_a_space_is_refused(void)
{
    tt_url base, out;
    tt_error e;
    CHECK_INT(tt_url_parse(&base, "http://h/a/b", 12, &e), 0);
    CHECK_INT(tt_url_resolve(&out, &base, "c d", 3, &e), -1);
    CHECK_INT(e.code, TT_E_URL_CHARS);
}

static void test_percent_encoding_keeps_tilde_and_segment_delims(void)
{
    char out[64];
    size_t len = 0;
    tt_error e;
    CHECK_INT(tt_pct_encode(out, sizeof out, &len, "~a:@b\0c", 7, TT_PCT_SEGMENT, &e), 0);
    CHECK_STR(out, "~a:@b%00c");
    len = 0;
    CHECK_INT(tt_pct_encode(out, sizeof out, &len, "~a:@b\0c", 7, TT_PCT_QUERY, &e), 0);
    CHECK_STR(out, "~a%3A%40b%00c");
    len = 0;
    out[0] = 'Z';
    CHECK_INT(tt_pct_encode(out, 0, &len, "a", 1, TT_PCT_QUERY, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(out[0], 'Z'); /* a zero-size buffer is not written */
}

/* ---- JSON ---------------------------------------------------------------------- */

static tt_json jdoc;

#if SIZE_MAX > 0x7fffffffUL
static void test_json_parse_refuses_text_over_2gib(void)
{
    tt_error e;
    /* the size is checked before a byte is read */
    CHECK_INT(tt_json_parse(&jdoc, "{}", (size_t)0x80000000UL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_BODY);
}
#endif

static void test_json_navigation_outside_the_document(void)
{
    static const char js[] = "{\"a\":1,\"b\":[true]}";
    const char *p;
    size_t n;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, NULL), 0);
    CHECK_INT(tt_json_raw(&jdoc, jdoc.ntokens, &p, &n), -1);
    CHECK_INT(tt_json_raw(&jdoc, -1, &p, &n), -1);
    CHECK_INT(tt_json_member(&jdoc, 0, "c", 1), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[x]"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[-1]"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[0"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[0]"),
              tt_json_index(&jdoc, tt_json_member(&jdoc, 0, "b", 1), 0));
    /* a number is not the string "1" */
    CHECK_INT(tt_json_string_eq(&jdoc, tt_json_member(&jdoc, 0, "a", 1), "1"), 0);
}

static void test_json_unicode_escapes_decoded(void)
{
    static const char js[] = "\"\\u00E9\\u0041\\uE000\\ud83d\\ude00\"";
    char buf[32];
    size_t n;
    tt_error e;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_get_string(&jdoc, 0, buf, sizeof buf, &n, "s", &e), 0);
    CHECK_MEM(buf, n, "\xc3\xa9" "A" "\xee\x80\x80" "\xf0\x9f\x98\x80", 10);
    CHECK_INT(tt_json_string_eq(&jdoc, 0, "\xc3\xa9" "A" "\xee\x80\x80" "\xf0\x9f\x98\x80"), 1);
    CHECK_INT(tt_json_get_string(&jdoc, 0, buf, 10, &n, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK_STR(e.msg, "value: string longer than its 10-byte buffer");
}

static void test_json_number_edges(void)
{
    static const char js[] = "[-0,-1,false,1e400]";
    uint64_t u;
    int64_t i;
    int b;
    double d;
    tt_error e;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_get_uint(&jdoc, tt_json_index(&jdoc, 0, 0), 10, &u, "n", &e), 0);
    CHECK_INT(u, 0);
    CHECK_INT(tt_json_get_uint(&jdoc, tt_json_index(&jdoc, 0, 1), 10, &u, "n", &e), -1);
    CHECK_INT(tt_json_get_int(&jdoc, tt_json_index(&jdoc, 0, 1), 0, 10, &i, NULL, &e), -1);
    CHECK_STR(e.msg, "value: number out of range or not an integer");
    CHECK_INT(tt_json_get_bool(&jdoc, tt_json_index(&jdoc, 0, 2), &b, "b", &e), 0);
    CHECK_INT(b, 0);
    CHECK_INT(tt_json_get_double(&jdoc, tt_json_index(&jdoc, 0, 3), &d, "d", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK_INT(tt_json_number_to_double("1.5e3", 5, &d), 0);
    CHECK(d == 1500.0);
    CHECK_INT(tt_json_number_to_double("1.00000000000000000000001", 25, &d), 0);
    CHECK(d == 1.0);
    CHECK_INT(tt_json_number_to_double("1E+2", 4, &d), 0);
    CHECK(d == 100.0);
    CHECK_INT(tt_json_number_to_double("1e5x", 4, &d), -1);
    CHECK_INT(tt_json_number_to_double("1e9999999", 9, &d), -1);
    d = 1.0;
    CHECK_INT(tt_json_number_to_double("1e-999999", 9, &d), 0);
    CHECK(d == 0.0);
    {
        /* not numbers: refused, not read as 0 or 1 */
        static const char *const bad[] = { "", "-", ".5", "-.5", "1.", "1.e2", "1e", "1e+",
                                           "1E-", "+1", "e5" };
        size_t k;
        for (k = 0; k < TT_COUNT(bad); k++) {
            d = 7.0;
            if (tt_json_number_to_double(bad[k], strlen(bad[k]), &d) != -1)
                tt_test_fail(__FILE__, __LINE__, "\"%s\" read as %g", bad[k], d);
        }
    }
    CHECK_INT(tt_json_number_to_double("-0.5e-1", 7, &d), 0);
    CHECK(d == -0.05);
}

static void api_error(const char *body, int status, tt_error *e)
{
    tt_json_api_error(e, "h", status, -1, body, body != NULL ? strlen(body) : 0, &jdoc);
}

static void test_api_error_text_bodies_and_envelopes(void)
{
    static char long_text[200];
    tt_error e;
    api_error("Not found\r\n ", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found: Not found");
    CHECK_INT(e.cls, TT_ERR_HTTP);
    api_error("a\001b", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    tt_json_api_error(&e, "h", 404, -1, "", 0, &jdoc);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    api_error("\n", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    api_error("<html>oops</html>", 502, &e);
    CHECK_INT(e.http_status, 502);
    CHECK_STR(e.msg, "h: HTTP 502 Bad Gateway");
    memset(long_text, 'x', 161);
    api_error(long_text, 500, &e);
    CHECK_STR(e.msg, "h: HTTP 500 Internal Server Error");
    api_error("{\"error\":{\"code\":\"E42\"}}", 400, &e);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "h: E42");
    CHECK_STR(e.api_code, "E42");
    api_error("{\"data\":1}", 500, &e);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(e.http_status, 500);
    api_error(NULL, 503, &e);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(tt_json_api_error(NULL, "h", 400, -1, "{\"error\":\"x\"}", 13, &jdoc), -1);
    CHECK_INT(tt_json_api_error(NULL, "h", 400, -1, "plain", 5, &jdoc), -1);
}

/* ---- the JSON scanner ------------------------------------------------------------ */

typedef struct keyrec {
    char bytes[64];
    size_t len;
} keyrec;

static void on_key_bytes(void *u, unsigned depth, const char *p, size_t n)
{
    keyrec *k = u;
    (void)depth;
    if (k->len + n < sizeof k->bytes) {
        memcpy(k->bytes + k->len, p, n);
        k->len += n;
    }
}

static void test_scan_key_bytes_without_start_and_end_events(void)
{
    static const tt_json_events ev = { NULL, NULL, on_key_bytes };
    static const char js[] = "{\"a\\\"b\\u00e9\xc3\xa9\xf1\x80\x80\x80z\":1}";
    tt_json_scan s;
    keyrec k;
    tt_error e;
    size_t i;
    /* whole, then byte by byte: the same key bytes */
    memset(&k, 0, sizeof k);
    tt_json_scan_init(&s, &ev, &k);
    CHECK_INT(tt_json_scan_feed(&s, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_MEM(k.bytes, k.len, js + 2, sizeof js - 1 - 6);
    memset(&k, 0, sizeof k);
    tt_json_scan_init(&s, &ev, &k);
    for (i = 0; i < sizeof js - 1; i++)
        CHECK_INT(tt_json_scan_feed(&s, js + i, 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_MEM(k.bytes, k.len, js + 2, sizeof js - 1 - 6);
}

static int start_events;

static void count_start(void *u, unsigned depth, tt_json_type type, int key, size_t pos)
{
    (void)u;
    (void)depth;
    (void)type;
    (void)pos;
    start_events += key ? 100 : 1;
}

static void test_scan_start_events_without_key_bytes(void)
{
    static const tt_json_events ev = { count_start, NULL, NULL };
    static const char js[] = "{\"plain\":1,\"e\\u0041\\n\":[2]}";
    tt_json_scan s;
    tt_error e;
    start_events = 0;
    tt_json_scan_init(&s, &ev, NULL);
    CHECK_INT(tt_json_scan_feed(&s, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_INT(start_events, 204); /* two keys; object, 1, array, 2 */
}

static void test_scan_token_cap_hit_by_a_container(void)
{
    static char js[TT_JSON_MAX_TOKENS * 2 + 8];
    size_t o = 0, i;
    tt_error e;
    js[o++] = '[';
    for (i = 0; i + 1 < TT_JSON_MAX_TOKENS; i++) {
        js[o++] = '1';
        js[o++] = ',';
    }
    memcpy(js + o, "[]]", 3);
    o += 3;
    CHECK_INT(tt_json_validate(js, o, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_TOKENS);
    /* one token fewer fits */
    js[o - 4] = ']';
    CHECK_INT(tt_json_validate(js, o - 3, &e), 0);
}

static void test_scan_surrogate_and_exponent_edges(void)
{
    tt_error e;
    CHECK_INT(tt_json_validate("\"\\ud800\\ue000\"", 14, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_UTF8);
    CHECK(strstr(e.msg, "high surrogate without its low half") != NULL);
    CHECK_INT(tt_json_validate("1e5e", 4, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK_INT(tt_json_validate("[1e5 ]", 6, &e), 0);
}

static void test_scan_refuses_use_after_an_error(void)
{
    tt_json_scan s;
    tt_error e;
    tt_json_scan_init(&s, NULL, NULL);
    CHECK_INT(tt_json_scan_feed(&s, "[x", 2, &e), -1);
    CHECK_INT(tt_json_scan_feed(&s, "]", 1, &e), -1);
    CHECK_STR(e.msg, "JSON scanner used after an error");
    CHECK_INT(tt_json_scan_finish(&s, &e), -1);
    CHECK_INT(tt_json_validate_stream("[x", 2, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
}

/* ---- JSON array streaming --------------------------------------------------------- */

typedef struct elems {
    char text[256];
    size_t len;
} elems;

static int collect_elem(void *user, const tt_json *doc, size_t index, tt_error *err)
{
    elems *c = user;
    const char *p;
    size_t n;
    (void)err;
    tt_json_raw(doc, 0, &p, &n);
    c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%zu:%.*s|",
                               index, (int)n, p);
    return 0;
}

/* Stream text through the array at path, whole or byte by byte. */
static int stream_text(const char *path, const char *js, int bytewise, elems *out,
                       tt_error *e)
{
    static tt_json_stream st;
    static tt_json edoc;
    static char ebuf[128];
    size_t i, len = strlen(js);
    memset(out, 0, sizeof *out);
    tt_json_stream_init(&st, path, &edoc, ebuf, sizeof ebuf, collect_elem, out);
    for (i = 0; i < len; i += bytewise ? 1 : len)
        if (tt_json_stream_feed(&st, js + i, bytewise ? 1 : len, e) != 0)
            return -1;
    return tt_json_stream_finish(&st, e);
}

static void test_stream_follows_only_the_named_keys(void)
{
    static const char js[] = "{\"x\":{\"b\":[9]},\"ab\":[7],\"a\":{\"bb\":[8],"
        "\"\":0,\"b\":[1,[2],{\"b\":[3]}],\"c\":[4]},\"z\":[5]}";
    static const char js2[] = "{\"x\":{\"a\":[5]},\"a\":[6,7]}";
    elems c;
    tt_error e;
    int way;
    for (way = 0; way < 2; way++) {
        CHECK_INT(stream_text("a.b", js, way, &c, &e), 0);
        CHECK_STR(c.text, "0:1|1:[2]|2:{\"b\":[3]}|");
        CHECK_INT(stream_text("a", js2, way, &c, &e), 0);
        CHECK_STR(c.text, "0:6|1:7|");
        /* a repeated key: only the first array at the path */
        CHECK_INT(stream_text("a", "{\"a\":[1],\"a\":[2]}", way, &c, &e), 0);
        CHECK_STR(c.text, "0:1|");
        /* an array where the path wants an object is not descended */
        CHECK_INT(stream_text("a.b", "{\"a\":[{\"b\":[1]}]}", way, &c, &e), -1);
        CHECK_INT(e.code, TT_E_JSON_MISSING);
        CHECK_STR(e.msg, "a.b: no array there");
    }
}

/* ---- server-sent events ----------------------------------------------------------- */

static tt_sse_parser sp;
static char sbuf[64];

typedef struct sserec {
    int events;
    char data[128];
    char id[TT_SSE_ID_MAX];
    int stop_stream;      /* stop the engine from inside the callback */
    int fail;             /* the callback fails */
} sserec;

static tt_sse_stream es;

static int sse_record(void *user, const tt_sse_event *ev, tt_error *err)
{
    sserec *r = user;
    r->events++;
    snprintf(r->data, sizeof r->data, "%.*s", (int)ev->data_len, ev->data);
    snprintf(r->id, sizeof r->id, "%.*s", (int)ev->id_len, ev->id);
    if (r->stop_stream)
        tt_sse_stop(&es);
    if (r->fail)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "handler says no");
    return 0;
}

static int sse_text(sserec *r, const char *text, size_t len)
{
    tt_error e;
    memset(r, 0, sizeof *r);
    tt_sse_init(&sp, sbuf, sizeof sbuf, sse_record, NULL, r);
    return tt_sse_feed(&sp, text, len, &e);
}

static void test_sse_set_last_id_refuses_long_and_nul(void)
{
    static char longid[TT_SSE_ID_MAX];
    memset(longid, 'i', sizeof longid);
    tt_sse_init(&sp, sbuf, sizeof sbuf, NULL, NULL, NULL);
    CHECK_INT(tt_sse_set_last_id(&sp, longid, sizeof longid), -1);
    CHECK_INT(tt_sse_set_last_id(&sp, "a\0b", 3), -1);
    CHECK_INT(sp.last_id_len, 0);
    CHECK_INT(tt_sse_set_last_id(&sp, longid, sizeof longid - 1), 0);
    CHECK_INT(sp.last_id_len, TT_SSE_ID_MAX - 1);
}

static void test_sse_without_callbacks_counts_events_and_drops(void)
{
    static char big[200];
    tt_error e;
    memset(big, 'd', sizeof big);
    memcpy(big, "data: ", 6);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\n';
    tt_sse_init(&sp, sbuf, sizeof sbuf, NULL, NULL, NULL);
    CHECK_INT(tt_sse_feed(&sp, "data: x\n\n", 9, &e), 0);
    CHECK_INT(tt_sse_feed(&sp, big, sizeof big, &e), 0);
    CHECK_INT(sp.stats.events, 1);
    CHECK_INT(sp.stats.dropped, 1);
    CHECK_INT(sp.stats.last_dropped_size, sizeof big - 8);
}

static void test_sse_near_miss_field_names_and_huge_retry(void)
{
    static const char text[] = "id: 7\nix: 5\nretry: 99999999999999999999\ndata: a\n\n";
    sserec r;
    CHECK_INT(sse_text(&r, text, sizeof text - 1), 0);
    CHECK_INT(r.events, 1);
    CHECK_STR(r.id, "7");
    CHECK_STR(r.data, "a");
    CHECK_INT(sp.retry_ms, 1000000000);
}

static void test_sse_bom_only_when_exactly_the_bom(void)
{
    /* a BOM before the first field is dropped; any other first character
     * (same lead byte or not) becomes part of the field name */
    static const char *const starts[] = {
        "\xef\xbb\xbf", "\xc3\xa9", "\xe2\x82\xac", "\xef\xbc\x81", "\xef\xbb\xbe",
    };
    char text[32];
    sserec r;
    size_t i;
    for (i = 0; i < TT_COUNT(starts); i++) {
        int n = snprintf(text, sizeof text, "%sdata: x\n\n", starts[i]);
        CHECK_INT(sse_text(&r, text, (size_t)n), 0);
        CHECK_INT(r.events, i == 0 ? 1 : 0);
    }
}

static void test_sse_utf8_lead_bytes_with_narrow_ranges(void)
{
    static const char text[] = "data: \xe0\xa0\x80|\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf|"
                               "\xe0\x80|\xf0\x80|\xf4\x90|\xf3\x80\x80\x80\n\n";
    static const char want[] = "\xe0\xa0\x80|\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf|"
        "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|"
        "\xf3\x80\x80\x80";
    sserec r;
    CHECK_INT(sse_text(&r, text, sizeof text - 1), 0);
    CHECK_INT(r.events, 1);
    CHECK_STR(r.data, want);
}

static int handled;

static int count_handled(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user;
    (void)ev;
    (void)doc;
    (void)err;
    handled++;
    return 0;
}

static void test_dispatch_type_of_equal_length_is_not_a_match(void)
{
    static tt_sse_dispatch d;
    tt_sse_event ev;
    tt_error e;
    tt_sse_dispatch_init(&d);
    CHECK_INT(tt_sse_on(&d, "abc", count_handled, NULL, &e), 0);
    memset(&ev, 0, sizeof ev);
    ev.type = "abd";
    ev.type_len = 3;
    ev.data = "x";
    ev.data_len = 1;
    ev.id = "";
    handled = 0;
    CHECK_INT(tt_sse_dispatch_event(&d, &ev, &e), 0);
    CHECK_INT(handled, 0);
    CHECK_INT(d.stats.unhandled, 1);
    ev.type = "abc";
    CHECK_INT(tt_sse_dispatch_event(&d, &ev, &e), 0);
    CHECK_INT(handled, 1);
    CHECK_INT(d.stats.delivered, 1);
}

/* ---- the event-stream engine ----------------------------------------------------- */

static sserec er;

typedef struct states {
    tt_sse_state to[32];
    int64_t delay[32];
    int n;
    int same;              /* from == to reports (failed polls) */
    tt_errcode same_why;
} states;

static states est;

static void on_state(void *user, tt_sse_state from, tt_sse_state to, int64_t delay,
                     const tt_error *why)
{
    states *s = user;
    if (from == to) {
        s->same++;
        s->same_why = why != NULL ? why->code : TT_E_OK;
        return;
    }
    if (s->n < 32) {
        s->to[s->n] = to;
        s->delay[s->n] = delay;
    }
    s->n++;
}

static void engine_setup(tt_sse_config *cfg)
{
    client_setup(NULL);
    memset(&er, 0, sizeof er);
    memset(&est, 0, sizeof est);
    tt_sse_init(&sp, sbuf, sizeof sbuf, sse_record, NULL, &er);
    tt_sse_config_default(cfg);
    cfg->url = "http://ctl/events";
    cfg->jitter_pct = 0;
    cfg->on_state = on_state;
    cfg->user = &est;
}

static int engine_run(const tt_sse_config *cfg, tt_error *e)
{
    if (tt_sse_stream_init(&es, &client, &sp, cfg, e) != 0)
        return -2;
    return tt_sse_stream_run(&es, e);
}

static void engine_serve(const char *text)
{
    tt_mock_add(&mock, text, strlen(text));
}

#define SSE_HEAD(ct) "HTTP/1.1 200 OK\r\nContent-Type: " ct "\r\n\r\n"
#define NO_CONTENT "HTTP/1.1 204 No Content\r\n\r\n"

/* Index of the first transition to `to` from index `from`, or -1. */
static int state_at(tt_sse_state to, int from)
{
    int i;
    for (i = from; i < est.n && i < 32; i++)
        if (est.to[i] == to)
            return i;
    return -1;
}

static void test_engine_handler_error_ends_the_run(void)
{
    tt_sse_config cfg;
    tt_error e;
    engine_setup(&cfg);
    cfg.on_state = NULL;
    er.fail = 1;
    engine_serve(SSE_HEAD("text/event-stream") "data: a\n\ndata: b\n\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), -1);
    CHECK_STR(e.msg, "handler says no");
    CHECK_INT(er.events, 1);
    CHECK_INT(es.stats.attempts, 1);
    CHECK_INT(es.state, TT_SSE_STOPPED);
}

static void test_engine_stop_from_an_event_with_an_outside_flag(void)
{
    static volatile sig_atomic_t flag;
    tt_sse_config cfg;
    tt_error e;
    engine_setup(&cfg);
    flag = 0;
    cfg.cancel = &flag;
    er.stop_stream = 1;
    /* the server keeps the stream open: only the stop ends the run */
    tt_mock_add(&mock, SSE_HEAD("text/event-stream") "data: a\n\n",
                strlen(SSE_HEAD("text/event-stream") "data: a\n\n"))->hold_open = 1;
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    CHECK_INT(flag, 1);
    CHECK_INT(er.events, 1);
    CHECK_INT(mock.now, 1000000);  /* no idle timeout was waited out */
    CHECK_INT(mock.hung, 0);
    CHECK_INT(es.stats.attempts, 1);
    CHECK(est.n > 0 && est.n <= (int)TT_COUNT(est.to));
    CHECK_INT(est.to[est.n - 1], TT_SSE_STOPPED);
    CHECK_INT(state_at(TT_SSE_BACKOFF, 0), -1);
}

static void test_engine_content_type_with_blank_before_params(void)
{
    tt_sse_config cfg;
    tt_error e;
    engine_setup(&cfg);
    engine_serve(SSE_HEAD("text/event-stream ;charset=utf-8") "data: a\n\n");
    engine_serve(SSE_HEAD("Text/Event-Stream\t;x=y") "data: b\n\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    CHECK_INT(es.stats.opened, 2);
    CHECK_INT(er.events, 2);
    CHECK_STR(er.data, "b");
}

static int failing_poll(void *user, tt_error *err)
{
    (void)user;
    return tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, NULL, "poll down");
}

static void test_engine_failed_poll_is_reported_in_place(void)
{
    tt_sse_config cfg;
    tt_error e;
    engine_setup(&cfg);
    cfg.poll = failing_poll;
    cfg.poll_after_ms = 0;
    cfg.poll_interval_ms = 400;   /* shorter than the backoff: polls in between */
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    CHECK_INT(es.stats.polls, 3);  /* at 0, 400 and 800 ms of a 1000 ms wait */
    CHECK_INT(est.same, 3);
    CHECK_INT(est.same_why, TT_E_HTTP_STATUS);
    CHECK(state_at(TT_SSE_POLLING, 0) >= 0);
    /* without a state hook nothing is called; the run goes on */
    engine_setup(&cfg);
    cfg.poll = failing_poll;
    cfg.poll_after_ms = 0;
    cfg.on_state = NULL;
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    CHECK_INT(es.stats.polls, 1);
}

static void test_engine_429_without_retry_after_backs_off(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i;
    engine_setup(&cfg);
    engine_serve("HTTP/1.1 429 Too Many\r\nContent-Length: 0\r\n\r\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    i = state_at(TT_SSE_BACKOFF, 0);
    CHECK(i >= 0);
    CHECK_INT(est.delay[i], cfg.backoff_base_ms);
}

static int always_renew(void *user, const tt_error *why)
{
    (void)user;
    (void)why;
    return 1;
}

static void test_engine_second_401_in_a_row_backs_off(void)
{
    tt_sse_config cfg;
    tt_error e;
    int first, second;
    engine_setup(&cfg);
    cfg.on_auth = always_renew;
    engine_serve("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    engine_serve("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(engine_run(&cfg, &e), 0);
    first = state_at(TT_SSE_BACKOFF, 0);
    CHECK(first >= 0);
    second = state_at(TT_SSE_BACKOFF, first + 1);
    CHECK(second >= 0);
    CHECK_INT(est.delay[first], 0);
    CHECK_INT(est.delay[second], cfg.backoff_base_ms);
    CHECK_INT(es.stats.attempts, 3);
}

/* ---- gzip ----------------------------------------------------------------------- */

#if TT_FEATURE_GZIP && SIZE_MAX > UINT_MAX
static void test_gzip_refuses_sizes_over_4gib(void)
{
    static tt_gzip g;
    unsigned char out[64];
    size_t len = 0;
    tt_error e;
    /* the sizes are checked before a byte is touched */
    CHECK_INT(tt_gzip_compress(&g, "x", (size_t)UINT_MAX + 1, out, sizeof out, &len, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_compress(&g, "x", 1, out, (size_t)UINT_MAX + 1, &len, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, out, (size_t)UINT_MAX + 1, NULL, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_STR(e.msg, "gzip: pieces over 4 GiB are not supported");
    CHECK_INT(tt_gzip_inflate_end(&g, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
}
#endif

/* ---- the suite ------------------------------------------------------------------ */

/* a table entry named after its test function */
#define T(name) { #name, test_##name }

void suite_engine_edges(void)
{
    static const tt_test tests[] = {
        T(client_init_refuses_bad_timeouts_and_redirects),
        T(trace_masks_only_secret_params_between_plain_ones),
#if TT_HTTP_HEADER_LINE_MAX >= TT_LOG_LINE_MAX
        T(trace_cut_inside_mask_never_leaks),
#endif
        T(resolve_override_only_for_its_host_and_port),
        T(connect_timeout_named_by_the_deadline_that_ended),
        T(pool_evicts_least_recently_used_and_keys_on_port),
        T(overlong_reason_and_content_type_read_as_empty),
        T(trailers_reach_the_header_sink_but_not_the_response),
        T(body_without_buffer_is_counted_and_dropped),
        T(body_exactly_filling_the_buffer_is_not_terminated),
        T(chunked_upload_producer_error_is_returned),
        T(reset_while_sending_a_chunk),
        T(reset_while_sending_a_produced_body),
        T(produced_body_larger_than_the_buffer_sent_whole),
        T(empty_bodies_announce_length_zero),
        T(large_body_head_send_failure_sends_no_body),
        T(reused_connection_timeout_is_not_resent),
        T(stale_connection_resends_produced_body_only_after_rewind),
        T(stale_connection_resends_a_plain_body),
        T(redirect_to_another_port_drops_credentials),
        T(redirect_to_https_without_tls_config_is_usage_error),
        T(redirect_method_rules_for_head_and_post),
        T(307_replays_a_produced_body_after_rewind),
#if TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
        T(location_longer_than_url_max_is_limit),
#endif
#if TT_URL_TARGET_MAX + 8 < TT_URL_MAX && TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
        T(location_path_over_target_max_keeps_limit_class),
#endif
        T(error_from_status_accepts_null_error),
        T(retry_after_rejects_malformed_dates),
        T(retry_after_dates_relative_to_now),
        T(address_literal_edges),
        T(host_name_length_bounds),
        T(scheme_and_authority_edges),
        T(non_ascii_byte_at_the_target_limit),
        T(reference_with_a_space_is_refused),
        T(percent_encoding_keeps_tilde_and_segment_delims),
#if SIZE_MAX > 0x7fffffffUL /* (32-bit size_t: no such size exists) */
        T(json_parse_refuses_text_over_2gib),
#endif
        T(json_navigation_outside_the_document),
        T(json_unicode_escapes_decoded),
        T(json_number_edges),
        T(api_error_text_bodies_and_envelopes),
        T(scan_key_bytes_without_start_and_end_events),
        T(scan_start_events_without_key_bytes),
        T(scan_token_cap_hit_by_a_container),
        T(scan_surrogate_and_exponent_edges),
        T(scan_refuses_use_after_an_error),
        T(stream_follows_only_the_named_keys),
        T(sse_set_last_id_refuses_long_and_nul),
        T(sse_without_callbacks_counts_events_and_drops),
        T(sse_near_miss_field_names_and_huge_retry),
        T(sse_bom_only_when_exactly_the_bom),
        T(sse_utf8_lead_bytes_with_narrow_ranges),
        T(dispatch_type_of_equal_length_is_not_a_match),
        T(engine_handler_error_ends_the_run),
        T(engine_stop_from_an_event_with_an_outside_flag),
        T(engine_content_type_with_blank_before_params),
        T(engine_failed_poll_is_reported_in_place),
        T(engine_429_without_retry_after_backs_off),
        T(engine_second_401_in_a_row_backs_off),
#if TT_FEATURE_GZIP && SIZE_MAX > UINT_MAX
        T(gzip_refuses_sizes_over_4gib),
#endif
    };
    tt_run_suite("engine_edges", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
