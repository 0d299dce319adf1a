/* The HTTP client (core/client.c) over the mock port (fixture.h): keep-alive,
 * resend, redirects, deadlines. */
#include "../testlib.h"
#include "fixture.h"
#include "suites.h"
#include "tether/client.h"
#include "tether/http.h"
#include "tether/tls.h"
#include "tether/url.h"
#include "port_mock.h"

#include <stdint.h>
#include <stdio.h>

static char body[4096];

static void get_request(tt_request *rq, const char *url)
{
    memset(rq, 0, sizeof *rq);
    memset(body, 0, sizeof body); /* nothing left from an earlier request */
    rq->url = url;
    rq->max_redirects = -1;
    rq->body_buf = body;
    rq->body_cap = sizeof body;
}

/* The n-th request line (0-based) the client wrote, or "" */
static const char *nth_request_line(int n, char *out, size_t cap)
{
    size_t i = 0;
    int seen = -1;
    const char *w = (const char *)mock.written;
    out[0] = '\0';
    while (i < mock.written_len) {
        const char *line = w + i;
        const char *end = memchr(line, '\n', mock.written_len - i);
        size_t len = end ? (size_t)(end - line) : mock.written_len - i;
        if (len >= 9 && memcmp(line + len - 9, "HTTP/1.1\r", 9) == 0 && ++seen == n) {
            snprintf(out, cap, "%.*s", (int)(len - 1), line);
            return out;
        }
        i += len + 1;
    }
    return out;
}

static int written_contains(const char *s)
{
    size_t n = strlen(s), i;
    for (i = 0; i + n <= mock.written_len; i++)
        if (memcmp(mock.written + i, s, n) == 0)
            return 1;
    return 0;
}

#define R200(b) "HTTP/1.1 200 OK\r\nContent-Length: " #b "\r\n\r\n"

/* One connection whose server answers each request with the next text. */
#define ADD_CONN(...) add_conn((const char *const[]){ __VA_ARGS__, NULL })

static tt_mock_script *add_conn(const char *const *parts)
{
    int n = 0;
    while (parts[n] != NULL)
        n++;
    return tt_mock_add_parts(&mock, parts, n);
}

static void test_simple_get(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                               "Content-Length: 2\r\n\r\n{}";
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://host-a:8080/api/v1/health");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    CHECK_STR(body, "{}");
    CHECK_INT(rs.body_len, 2);
    CHECK_STR(rs.content_type, "application/json");
    CHECK_STR(rs.url, "http://host-a:8080/api/v1/health");
    CHECK(written_contains("GET /api/v1/health HTTP/1.1\r\nHost: host-a:8080\r\n"
                           "User-Agent: tether/" TT_VERSION "\r\nAccept: */*\r\n\r\n"));
}

static void test_keep_alive_reuse(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    int i;
    client_setup(NULL);
    ADD_CONN(R200(1) "a", R200(1) "b", R200(1) "c");
    get_request(&rq, "http://h/x");
    for (i = 0; i < 3; i++) {
        CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
        CHECK_INT(body[0], "abc"[i]);
        CHECK_INT(rs.reused, i > 0);
    }
    CHECK_INT(mock.connects, 1);
    CHECK_INT(client.stats.reuses, 2);
}

static void test_stale_connection_resent_once(void)
{
    static const char r1[] = R200(1) "a";
    static const char r2[] = R200(1) "b";
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, r1, sizeof r1 - 1); /* then EOF: the server closed it */
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(body[0], 'b');
    CHECK_INT(mock.connects, 2);
    CHECK_INT(client.stats.resends, 1);
    CHECK_INT(rs.reused, 0);
}

static void test_stale_reset_on_send_resent(void)
{
    static const char r1[] = R200(1) "a";
    static const char r2[] = R200(1) "b";
    tt_request rq;
    tt_error e;
    tt_mock_script *s;
    client_setup(NULL);
    s = tt_mock_add(&mock, r1, sizeof r1 - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    s->send_reset_at = mock.conns[0].sent; /* next send is reset */
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(body[0], 'b');
    CHECK_INT(client.stats.resends, 1);
}

static void test_no_resend_after_partial_response(void)
{
    static const char r2[] = R200(1) "b";
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    ADD_CONN(R200(1) "a", "HTTP/1.1 200 OK\r\nContent-");
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_TRUNCATED);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(mock.connects, 1);
}

static void test_fresh_connection_not_resent(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, "", 0);
    tt_mock_add(&mock, R200(0), strlen(R200(0)));
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
    CHECK_STR(e.msg, "h: connection closed before any response");
    CHECK_INT(mock.connects, 1);
}

static void test_connection_close_not_reused(void)
{
    static const char r1[] = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na";
    static const char r2[] = R200(1) "b";
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, r1, sizeof r1 - 1);
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(client.stats.resends, 0);
}

static void test_extra_bytes_close_connection(void)
{
    static const char r1[] = R200(1) "aXX";
    static const char r2[] = R200(1) "b";
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, r1, sizeof r1 - 1);
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "a");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "b");
    CHECK_INT(mock.connects, 2);
}

static void test_byte_by_byte_delivery(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    mock.chunk = 1;
    ADD_CONN("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", R200(1) "z");
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "abcde");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "z");
    CHECK_INT(mock.connects, 1);
}

static void test_body_too_large_is_limit(void)
{
    static char resp[8192];
    tt_request rq;
    tt_error e;
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
    memset(resp + n, 'x', 5000);
    client_setup(NULL);
    tt_mock_add(&mock, resp, (size_t)n + 5000);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_BODY);
    CHECK_STR(e.msg, "h: response body larger than the 4096-byte buffer");
}

typedef struct {
    unsigned long long bytes;
    unsigned long calls;
    size_t max_piece;
} counter;

static int count_body(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    counter *c = u;
    (void)d;
    (void)e;
    c->bytes += n;
    c->calls++;
    if (n > c->max_piece)
        c->max_piece = n;
    return 0;
}

static void test_streamed_body_constant_memory(void)
{
    static unsigned char resp[TT_MOCK_WRITE_MAX];
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n";
    tt_request rq;
    tt_response rs;
    tt_error e;
    counter cnt = { 0, 0, 0 };
    memcpy(resp, head, sizeof head - 1);
    memset(resp + sizeof head - 1, 'y', 60000);
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof head - 1 + 60000);
    get_request(&rq, "http://h/big");
    rq.on_body = count_body;
    rq.user = &cnt;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(cnt.bytes, 60000);
    CHECK_INT(rs.body_bytes, 60000);
    CHECK(cnt.max_piece <= TT_HTTP_RECV_BUF);
    CHECK(cnt.calls >= 60000 / TT_HTTP_RECV_BUF);
}

/* Body bytes land in the caller's bulk buffer once a receive buffer's
 * worth is still to come: larger pieces, the same bytes, framing kept
 * (a read never crosses a chunk's end), and the connection reusable. */
typedef struct {
    counter n;
    uint32_t sum;                /* of every byte, in order */
} bulk_seen;

static int bulk_body(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    bulk_seen *b = u;
    size_t i;
    for (i = 0; i < n; i++)
        b->sum = b->sum * 31u + d[i];
    return count_body(&b->n, d, n, e);
}

/* Fill d with n bytes of a pattern; sum goes on over them as bulk_body's. */
static uint32_t pattern(unsigned char *d, size_t n, size_t start, uint32_t sum)
{
    size_t i;
    for (i = 0; i < n; i++) {
        d[i] = (unsigned char)((start + i) * 7 + 3);
        sum = sum * 31u + d[i];
    }
    return sum;
}

static int bulk_request(const char *url, const unsigned char *resp, size_t len, bulk_seen *b)
{
    static unsigned char bulk[16384];
    tt_request rq;
    tt_response rs;
    tt_error e;
    memset(b, 0, sizeof *b);
    client_setup(NULL);
    tt_mock_add(&mock, resp, len);
    get_request(&rq, url);
    rq.on_body = bulk_body;
    rq.user = b;
    rq.bulk_buf = bulk;
    rq.bulk_cap = sizeof bulk;
    return tt_client_request(&client, &rq, &rs, &e);
}

/* head, then body_len bytes of the pattern: all of them arrive, in pieces
 * of the bulk buffer's 16 KiB */
static void check_bulk(const char *url, const char *head, size_t body_len)
{
    static unsigned char resp[TT_MOCK_WRITE_MAX];
    size_t h = strlen(head);
    bulk_seen b;
    uint32_t want;
    memcpy(resp, head, h);
    want = pattern(resp + h, body_len, 0, 0);
    CHECK_INT(bulk_request(url, resp, h + body_len, &b), 0);
    CHECK_INT(b.n.bytes, body_len);
    CHECK(b.sum == want);
    CHECK_INT(b.n.max_piece, 16384);
    CHECK(b.n.calls <= 2 + body_len / 16384);
}

static void test_bulk_body_into_caller_buffer(void)
{
    static unsigned char resp[TT_MOCK_WRITE_MAX];
    static const char chead[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8000\r\n";
    bulk_seen b;
    uint32_t want;
    size_t n;

    check_bulk("http://h/big", "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n", 60000);
    /* a body that ends at the close */
    check_bulk("http://h/close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 50000);

    /* chunked, 32768 then 16384 bytes: no read crosses a chunk's end */
    n = sizeof chead - 1;
    memcpy(resp, chead, n);
    want = pattern(resp + n, 32768, 0, 0);
    n += 32768;
    memcpy(resp + n, "\r\n4000\r\n", 8);
    n += 8;
    want = pattern(resp + n, 16384, 32768, want);
    n += 16384;
    memcpy(resp + n, "\r\n0\r\n\r\n", 7);
    n += 7;
    CHECK_INT(bulk_request("http://h/chunks", resp, n, &b), 0);
    CHECK_INT(b.n.bytes, 32768 + 16384);
    CHECK(b.sum == want);
    CHECK_INT(b.n.max_piece, 16384);
}

static void test_head_request_has_no_body(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", R200(1) "q");
    get_request(&rq, "http://h/x");
    rq.method = "HEAD";
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.body_bytes, 0);
    rq.method = NULL;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(body, "q");
    CHECK_INT(mock.connects, 1);
}

static void test_post_body_with_length(void)
{
    static const char resp[] = R200(2) "ok";
    tt_request rq;
    tt_error e;
    tt_header h[] = { { "Content-Type", "application/json" } };
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/vms");
    rq.body = "{\"name\":\"vm1\"}";
    rq.body_len = 14;
    rq.headers = h;
    rq.nheaders = 1;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(written_contains("POST /vms HTTP/1.1\r\n"));
    CHECK(written_contains("Content-Type: application/json\r\nContent-Length: 14\r\n\r\n"
                           "{\"name\":\"vm1\"}"));
}

typedef struct {
    int left;
    int rewinds;
} producer;

static long produce3(void *u, unsigned char *buf, size_t cap, tt_error *e)
{
    producer *p = u;
    (void)e;
    if (p->left == 0 || cap < 5)
        return 0;
    p->left--;
    memcpy(buf, "part-", 5);
    return 5;
}

static int rewind3(void *u, tt_error *e)
{
    producer *p = u;
    (void)e;
    p->left = 3;
    p->rewinds++;
    return 0;
}

static void test_chunked_upload(void)
{
    static const char resp[] = R200(0);
    tt_request rq;
    tt_error e;
    producer p = { 3, 0 };
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/up");
    rq.method = "PUT";
    rq.produce = produce3;
    rq.produce_user = &p;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(written_contains("PUT /up HTTP/1.1\r\n"));
    CHECK(written_contains("Transfer-Encoding: chunked\r\n\r\n"
                           "5\r\npart-\r\n5\r\npart-\r\n5\r\npart-\r\n0\r\n\r\n"));
}

static long produce_fail(void *u, unsigned char *buf, size_t cap, tt_error *e)
{
    (void)u; (void)buf; (void)cap;
    return tt_error_set(e, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "source failed");
}

/* Bodies of announced length: a short producer, a failing one, and a
 * body larger than the head buffer sent after the head. */
static void test_produced_and_large_bodies(void)
{
    static char big[TT_HTTP_REQUEST_HEAD_MAX + 500];
    tt_request rq;
    tt_error e;
    producer p = { 2, 0 };
    client_setup(NULL);
    ADD_CONN(R200(0));
    get_request(&rq, "http://h/up");
    rq.method = "PUT";
    rq.produce = produce3;
    rq.produce_user = &p;
    rq.produce_len = 15;                  /* only 10 will come */
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK(strstr(e.msg, "5 bytes short") != NULL);
    client_setup(NULL);
    ADD_CONN(R200(0));
    rq.produce = produce_fail;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_STR(e.msg, "source failed");
    client_setup(NULL);
    ADD_CONN(R200(0));
    get_request(&rq, "http://h/big");
    memset(big, 'b', sizeof big);
    rq.body = big;
    rq.body_len = sizeof big;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(mock.written_len > sizeof big);
    CHECK(memcmp(mock.written + mock.written_len - sizeof big, big, sizeof big) == 0);
}

/* A streamed body cannot follow a 307 without a way to rewind it. */
static void test_307_without_rewind_fails(void)
{
    tt_request rq;
    tt_error e;
    producer p = { 3, 0 };
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 307 Again\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n", R200(0));
    get_request(&rq, "http://h/a");
    rq.method = "POST";
    rq.produce = produce3;
    rq.produce_user = &p;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

static void test_redirect_followed_on_same_connection(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    char line[128];
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 301 Moved\r\nLocation: /new?x=1\r\nContent-Length: 4\r\n\r\nmove",
             R200(3) "new");
    get_request(&rq, "http://h/old");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 200);
    CHECK_INT(rs.redirects, 1);
    CHECK_STR(body, "new");
    CHECK_STR(rs.url, "http://h/new?x=1");
    CHECK_STR(nth_request_line(1, line, sizeof line), "GET /new?x=1 HTTP/1.1");
    CHECK_INT(mock.connects, 1);
}

static void test_redirects_off_returns_3xx(void)
{
    static const char resp[] = "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 1\r\n\r\nm";
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/");
    rq.max_redirects = 0;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 302);
    CHECK_STR(body, "m");
}

static void test_303_turns_post_into_get(void)
{
    tt_request rq;
    tt_error e;
    char line[128];
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 303 See Other\r\nLocation: /r\r\nContent-Length: 0\r\n\r\n", R200(0));
    get_request(&rq, "http://h/p");
    rq.body = "abc";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(nth_request_line(0, line, sizeof line), "POST /p HTTP/1.1");
    CHECK(written_contains("Content-Length: 3\r\n\r\nabcGET /r HTTP/1.1\r\n"));
    /* the GET carries no body and no Content-Length */
    CHECK(!written_contains("GET /r HTTP/1.1\r\nHost: h\r\nUser-Agent: tether/" TT_VERSION
                            "\r\nAccept: */*\r\nContent-Length"));
    CHECK(mock.written_len > 3 &&
          memcmp(mock.written + mock.written_len - 4, "\r\n\r\n", 4) == 0);
}

static void test_307_keeps_method_and_body(void)
{
    tt_request rq;
    tt_error e;
    producer p = { 3, 0 };
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 307 Temporary\r\nLocation: /r\r\nContent-Length: 0\r\n\r\n", R200(0));
    get_request(&rq, "http://h/p");
    rq.method = "PUT";
    rq.produce = produce3;
    rq.rewind = rewind3;
    rq.produce_user = &p;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(written_contains("PUT /r HTTP/1.1\r\n"));
    CHECK_INT(p.rewinds, 1);
    /* two full uploads went out */
    CHECK(written_contains("0\r\n\r\nPUT /r"));
}

static void test_307_streamed_body_without_rewind_fails(void)
{
    static const char resp[] = "HTTP/1.1 308 Permanent\r\nLocation: /r\r\nContent-Length: 0\r\n\r\n";
    tt_request rq;
    tt_error e;
    producer p = { 1, 0 };
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/p");
    rq.produce = produce3;
    rq.produce_user = &p;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

static void test_redirect_limit(void)
{
    static char resp[8][128];
    const char *parts[8];
    int i;
    tt_request rq;
    tt_error e;
    for (i = 0; i < 8; i++) {
        snprintf(resp[i], sizeof resp[i],
                 "HTTP/1.1 302 Found\r\nLocation: /r%d\r\nContent-Length: 0\r\n\r\n", i);
        parts[i] = resp[i];
    }
    client_setup(NULL);
    tt_mock_add_parts(&mock, parts, 8);
    get_request(&rq, "http://h/");
    rq.max_redirects = 3;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_REDIRECTS);
    CHECK_STR(e.msg, "h: more than 3 redirects");
}

static void test_redirect_loop(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    ADD_CONN("HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: 0\r\n\r\n",
             "HTTP/1.1 302 Found\r\nLocation: /a\r\nContent-Length: 0\r\n\r\n");
    get_request(&rq, "http://h/a");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_REDIRECT_LOOP);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
}

static void test_redirect_without_location(void)
{
    static const char resp[] = "HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n";
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/a");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_NO_LOCATION);
}

static void test_redirect_bad_location(void)
{
    static const char resp[] = "HTTP/1.1 301 Moved\r\nLocation: ftp://x/\r\nContent-Length: 0\r\n\r\n";
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/a");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_BAD_LOCATION);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
}

static void test_cross_origin_redirect_drops_credentials(void)
{
    static const char r1[] = "HTTP/1.1 302 Found\r\nLocation: http://other:81/x\r\nContent-Length: 0\r\n\r\n";
    static const char r2[] = R200(0);
    tt_request rq;
    tt_error e;
    tt_header h[] = { { "Authorization", "Bearer sky_secret" }, { "X-Trace", "1" } };
    client_setup(NULL);
    tt_mock_add(&mock, r1, sizeof r1 - 1);
    tt_mock_add(&mock, r2, sizeof r2 - 1);
    get_request(&rq, "http://h/a");
    rq.headers = h;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK(written_contains("GET /x HTTP/1.1\r\nHost: other:81\r\n"));
    CHECK(written_contains("X-Trace: 1\r\n\r\n"));
    /* the token went to the first origin only */
    CHECK(written_contains("Bearer sky_secret"));
    {
        const char *second = NULL;
        size_t i;
        for (i = 0; i + 8 <= mock.written_len; i++)
            if (memcmp(mock.written + i, "GET /x H", 8) == 0)
                second = (const char *)mock.written + i;
        CHECK(second != NULL);
        CHECK(strstr(second, "Bearer") == NULL);
    }
}

static void test_request_timeout_on_stall(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    tt_request rq;
    tt_error e;
    tt_mock_script *s;
    int64_t start;
    client_setup(NULL);
    s = tt_mock_add(&mock, resp, sizeof resp - 1);
    s->stall_at = 20;
    s->stall_ms = -1;
    get_request(&rq, "http://h/x");
    rq.timeout_ms = 5000;
    start = mock.now;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
    CHECK_INT(mock.now - start, 5000);
    CHECK(!mock.hung);
}

static void test_drip_within_deadline_succeeds(void)
{
    static const char resp[] = R200(5) "hello";
    tt_request rq;
    tt_error e;
    tt_mock_script *s;
    client_setup(NULL);
    mock.chunk = 1;
    s = tt_mock_add(&mock, resp, sizeof resp - 1);
    s->recv_delay_ms = 10; /* 43 bytes: 430 ms */
    get_request(&rq, "http://h/x");
    rq.timeout_ms = 1000;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "hello");
    /* the same drip exceeds a shorter whole-request deadline */
    tt_client_close(&client);
    tt_mock_reset(&mock);
    s = tt_mock_add(&mock, resp, sizeof resp - 1);
    s->recv_delay_ms = 10;
    rq.timeout_ms = 200;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
}

static void test_connect_timeout(void)
{
    tt_request rq;
    tt_error e;
    tt_client_config cfg;
    tt_mock_script *s;
    tt_client_config_default(&cfg);
    cfg.connect_timeout_ms = 2000;
    client_setup(&cfg);
    s = tt_mock_add(&mock, NULL, 0);
    s->connect_ms = 60000;
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_CONNECT_TIMEOUT);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK(tt_error_is_network(&e));
}

static void test_connect_errors_are_network(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    tt_mock_add_fail(&mock, TT_PORT_ERESOLVE);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_CONNECT_REFUSED);
    CHECK_STR(e.msg, "h: connection refused");
    CHECK(tt_error_is_network(&e));
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_RESOLVE);
}

static void test_reset_mid_body(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
    tt_request rq;
    tt_error e;
    tt_mock_script *s;
    client_setup(NULL);
    s = tt_mock_add(&mock, resp, sizeof resp - 1);
    s->reset_at = sizeof resp - 6;
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_RESET);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
}

static void test_cancel(void)
{
    tt_request rq;
    tt_error e;
    tt_client_config cfg;
    volatile sig_atomic_t stop = 1;
    tt_client_config_default(&cfg);
    cfg.cancel = &stop;
    client_setup(&cfg);
    tt_mock_add(&mock, R200(0), strlen(R200(0)));
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_CANCELLED);
}

static void test_stream_idle_timeout(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\n";
    tt_request rq;
    tt_error e;
    tt_mock_script *s;
    counter cnt = { 0, 0, 0 };
    int64_t start;
    client_setup(NULL);
    s = tt_mock_add(&mock, resp, sizeof resp - 1);
    s->hold_open = 1;
    get_request(&rq, "http://h/events");
    rq.stream = 1;
    rq.idle_timeout_ms = 90000;
    rq.timeout_ms = 1000; /* bounds connect and head only */
    rq.on_body = count_body;
    rq.user = &cnt;
    start = mock.now;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_IDLE_TIMEOUT);
    CHECK_INT(cnt.bytes, 9);
    CHECK_INT(mock.now - start, 90000);
}

static void test_status_error_and_retry_after(void)
{
    static const char resp[] = "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n";
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/x");
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.status, 429);
    CHECK_INT(rs.retry_after, 7);
    CHECK_INT(tt_error_from_status(&e, "h", rs.status, rs.retry_after), -1);
    CHECK_STR(e.msg, "h: HTTP 429 Too Many Requests");
    CHECK_INT(e.http_status, 429);
    CHECK_INT(e.retry_after, 7);
    CHECK(tt_error_is_api(&e));
}

static void test_retry_after_forms(void)
{
    /* 1994-11-06T08:49:37Z = 784111777 */
    CHECK_INT(tt_parse_retry_after("120", 3, 0), 120);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111777 - 30), 30);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, 784111777 + 30), 0);
    CHECK_INT(tt_parse_retry_after("12a", 3, 0), -1);
    CHECK_INT(tt_parse_retry_after("soon", 4, 0), -1);
    CHECK_INT(tt_parse_retry_after("99999999999", 11, 0), INT32_MAX);
    /* dates that are not IMF-fixdate are ignored, never misread */
    CHECK_INT(tt_parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 24:49:37 GMT", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 32 Nov 1994 08:49:37 GMT", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 19x4 08:49:37 GMT", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 08-49-37 GMT", 29, 0), -1);
    CHECK_INT(tt_parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 29, -1), -1);
    CHECK_INT(tt_parse_retry_after("", 0, 0), -1);
}

/* The client's settings are checked; a request needs a URL. */
static void test_config_and_request_checks(void)
{
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    fresh();
    tt_client_config_default(&cfg);
    cfg.connect_timeout_ms = 0;
    CHECK_INT(tt_client_init(&client, &port, &cfg, &e), -1);
    CHECK_INT(e.code, TT_E_CONFIG);
    tt_client_config_default(&cfg);
    cfg.max_redirects = -1;
    CHECK_INT(tt_client_init(&client, &port, &cfg, &e), -1);
    client_setup(NULL);
    memset(&rq, 0, sizeof rq);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

static void test_bad_request_arguments(void)
{
    tt_request rq;
    tt_error e;
    tt_header h[] = { { "X-A", "a\r\nInjected: 1" } };
    client_setup(NULL);
    get_request(&rq, "http://h/a b");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    get_request(&rq, "http://h/");
    rq.headers = h;
    rq.nheaders = 1;
    tt_mock_add(&mock, R200(0), strlen(R200(0)));
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_HEADER_INVALID);
    CHECK(!written_contains("Injected"));
    get_request(&rq, "https://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
#if !TT_FEATURE_TLS
    CHECK(strstr(e.msg, "this build has no TLS") != NULL);
#endif
}

#if TT_FEATURE_TLS
/*
 * A TLS server that answers the ClientHello with a fatal alert, or with
 * bytes that are no TLS record: each is named for what it is (version,
 * cipher, handshake, record), in the TLS class, with the alert's name.
 */
static void test_tls_alerts_named(void)
{
    static const struct { unsigned char alert; tt_errcode code; const char *name; } cases[] = {
        { 70, TT_E_TLS_VERSION, "protocol_version" },
        { 40, TT_E_TLS_CIPHER, "handshake_failure" },
        { 71, TT_E_TLS_CIPHER, "insufficient_security" },
        { 10, TT_E_TLS_HANDSHAKE, "unexpected_message" },
        { 20, TT_E_TLS_HANDSHAKE, "bad_record_mac" },
        { 42, TT_E_TLS_HANDSHAKE, "bad_certificate" },
        { 48, TT_E_TLS_HANDSHAKE, "unknown_ca" },
        { 50, TT_E_TLS_HANDSHAKE, "decode_error" },
        { 80, TT_E_TLS_HANDSHAKE, "internal_error" },
        { 112, TT_E_TLS_HANDSHAKE, "unrecognized_name" },
        { 116, TT_E_TLS_HANDSHAKE, "certificate_required" },
        { 99, TT_E_TLS_HANDSHAKE, "alert" },
    };
    tt_tls_config tls;
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    size_t i;
    tt_tls_config_init(&tls);
    tls.insecure = 1;
    tt_client_config_default(&cfg);
    cfg.tls = &tls;
    for (i = 0; i < TT_COUNT(cases); i++) {
        unsigned char rec[7] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0 };
        rec[6] = cases[i].alert;
        client_setup(&cfg);
        tt_mock_add(&mock, rec, sizeof rec);
        get_request(&rq, "https://h/");
        CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
        if (e.cls != TT_ERR_TLS || e.code != cases[i].code || strstr(e.msg, cases[i].name) == NULL) {
            tt_test_fail(__FILE__, __LINE__, "alert %d: %s/%s '%s'", cases[i].alert,
                         tt_err_class_name(e.cls), tt_errcode_name(e.code), e.msg);
            return;
        }
    }
    /* a record of an unknown type, and an SSL 2 hello's shape */
    client_setup(&cfg);
    tt_mock_add(&mock, "\x63\x03\x03\x00\x02\x01\x00", 7);
    get_request(&rq, "https://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TLS);
    /* the server closes at once: a handshake cut short */
    client_setup(&cfg);
    tt_mock_add(&mock, "", 0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TLS);
    CHECK_INT(e.code, TT_E_TLS_HANDSHAKE);
}
#endif

#if TT_FEATURE_TLS
/* Certificate dates need a clock: an unset one fails before the
 * handshake unless a time policy was chosen. */
static void test_tls_clock_policies(void)
{
    static const unsigned char alert[7] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 80 };
    tt_tls_config tls;
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    tt_tls_config_init(&tls);
    CHECK_INT(tt_tls_add_pins(&tls, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &e), 0);
    tt_client_config_default(&cfg);
    cfg.tls = &tls;
    client_setup(&cfg);
    mock.wall = 0;                        /* a device that booted in 1970 */
    tt_mock_add(&mock, alert, sizeof alert);
    get_request(&rq, "https://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_CLOCK);
    CHECK_INT(mock.written_len, 0);       /* refused before any byte */
    tls.time_policy = TT_TLS_TIME_FLOOR;  /* then the handshake runs */
    client_setup(&cfg);
    mock.wall = 0;
    tt_mock_add(&mock, alert, sizeof alert);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_HANDSHAKE);
    tls.time_policy = TT_TLS_TIME_FIXED;
    tls.fixed_time = 1795435200;
    client_setup(&cfg);
    tt_mock_add(&mock, alert, sizeof alert);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_HANDSHAKE);
}
#endif

/* --resolve: the address replaces the name for its port only (or every
 * port when none is given); an idle connection older than
 * TT_CLIENT_IDLE_REUSE_MS is not trusted again. */
static void test_resolve_and_idle_reuse(void)
{
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    tt_client_config_default(&cfg);
    cfg.resolve_host = "api.test";
    cfg.resolve_port = 8443;
    cfg.resolve_addr = "10.1.2.3";
    client_setup(&cfg);
    ADD_CONN(R200(0));
    ADD_CONN(R200(0));
    get_request(&rq, "http://api.test:8443/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "10.1.2.3");
    CHECK_INT(mock.last_port, 8443);
    get_request(&rq, "http://api.test:80/");      /* another port: resolved normally */
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "api.test");
    cfg.resolve_port = 0;
    client_setup(&cfg);
    ADD_CONN(R200(0), R200(0));
    ADD_CONN(R200(0));
    get_request(&rq, "http://api.test:9000/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "10.1.2.3");
    mock.now += TT_CLIENT_IDLE_REUSE_MS + 1;      /* idle too long */
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
}

static int trace_lines;
static char trace_all[8192];

static void collect_trace(void *u, const char *line)
{
    size_t n = strlen(trace_all);
    (void)u;
    trace_lines++;
    snprintf(trace_all + n, sizeof trace_all - n, "%s\n", line);
}

static void test_trace_masks_secrets(void)
{
    static const char resp[] = "HTTP/1.1 200 OK\r\nSet-Cookie: sid=topsecret\r\nContent-Length: 0\r\n\r\n";
    tt_request rq;
    tt_error e;
    tt_client_config cfg;
    tt_header h[] = { { "Authorization", "Bearer sky_abc123" }, { "X-Api-Key", "k-999" } };
    tt_client_config_default(&cfg);
    cfg.log = collect_trace;
    trace_all[0] = '\0';
    client_setup(&cfg);
    tt_mock_add(&mock, resp, sizeof resp - 1);
    get_request(&rq, "http://h/");
    rq.headers = h;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(trace_lines > 5);
    CHECK(strstr(trace_all, "> GET / HTTP/1.1") != NULL);
    CHECK(strstr(trace_all, "< HTTP/1.1 200 OK") != NULL);
    CHECK(strstr(trace_all, "Authorization: [redacted]") != NULL);
    CHECK(strstr(trace_all, "sky_abc123") == NULL);
    CHECK(strstr(trace_all, "k-999") == NULL);
    CHECK(strstr(trace_all, "topsecret") == NULL);
}

/* Secret-named query values are masked in request lines and redirect
 * traces; other parameters and odd query shapes are shown as they are. */
static void test_trace_masks_query_secrets(void)
{
    static const char redirect[] = "HTTP/1.1 302 Found\r\nLocation: /next?session_id=s3cr3t&n=2"
                                   "\r\nContent-Length: 0\r\n\r\n";
    static const struct { const char *url, *shown; } cases[] = {
        { "http://h/a?x=1&access_token=t0k3n&y=2", "> GET /a?x=1&access_token=[redacted]&y=2 " },
        { "http://h/a?password=pw", "> GET /a?password=[redacted] " },
        { "http://h/a?token&x=1", "> GET /a?token&x=1 " },
        { "http://h/a?=1&api_key=", "> GET /a?=1&api_key=[redacted] " },
        { "http://h/a?q=a?b&secret=z", "> GET /a?q=a?b&secret=[redacted] " },
    };
    tt_client_config cfg;
    tt_request rq;
    tt_error e;
    size_t i;
    tt_client_config_default(&cfg);
    cfg.log = collect_trace;
    for (i = 0; i < TT_COUNT(cases); i++) {
        trace_all[0] = '\0';
        client_setup(&cfg);
        ADD_CONN(R200(0));
        get_request(&rq, cases[i].url);
        CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
        if (strstr(trace_all, cases[i].shown) == NULL) {
            tt_test_fail(__FILE__, __LINE__, "%s: trace %s", cases[i].url, trace_all);
            return;
        }
    }
    CHECK(strstr(trace_all, "t0k3n") == NULL && strstr(trace_all, "pw ") == NULL);
    trace_all[0] = '\0';
    client_setup(&cfg);
    ADD_CONN(redirect, R200(0));
    get_request(&rq, "http://h/start");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(strstr(trace_all, "following redirect to h/next?session_id=[redacted]&n=2") != NULL);
    CHECK(strstr(trace_all, "s3cr3t") == NULL);
}

#if TT_CLIENT_POOL_SIZE < 2
/* One slot (the bmc and tiny profiles): another origin takes it over. */
static void test_pool_two_origins(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    ADD_CONN(R200(1) "a");
    ADD_CONN(R200(1) "b");
    ADD_CONN(R200(1) "c");
    get_request(&rq, "http://a/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    get_request(&rq, "http://b/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "b");
    get_request(&rq, "http://a/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "c");
    CHECK_INT(mock.connects, 3);
}
#else
static void test_pool_two_origins(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    ADD_CONN(R200(1) "a", R200(1) "c");
    ADD_CONN(R200(1) "b", R200(1) "d");
    get_request(&rq, "http://a/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    get_request(&rq, "http://b/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "b");
    get_request(&rq, "http://a/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "c");
    get_request(&rq, "http://b/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "d");
    CHECK_INT(mock.connects, 2);
}
#endif

#if TT_FEATURE_TLS
/* The public headers reserve the TLS backend's state as opaque blocks sized
 * by formulas; the library's real state must fit them (checked when it is
 * compiled) and the formulas must not waste memory on this target. */
static void test_tls_block_is_tight(void)
{
    size_t real = tt_tls_conn_size();
    CHECK(sizeof(tt_tls_conn) >= real);
    CHECK(sizeof(tt_tls_conn) - real < 16);
}
#endif

#if UNIT_FULL_ENGINE
/* ---- edges: traces, the pool, produced bodies, resends and redirects ---- */

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
    get_request(&rq, "http://h/p?flag&key=S3CR3T&x=1");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK(strstr(lb.text, "> GET /p?flag&key=[redacted]&x=1 HTTP/1.1\n") != NULL);
    CHECK(strstr(lb.text, "S3CR3T") == NULL);
    /* a parameter without '=' ends at the space or the end of the line;
     * an '&' before any '?' starts nothing */
    serve("HTTP/1.1 200 OK\r\nX-Q: a&key=v?flag\r\nContent-Length: 0\r\n\r\n");
    get_request(&rq, "http://h/p?flag");
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
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    cfg.resolve_host = "other";
    cfg.resolve_addr = "10.9.9.9";
    client_setup(&cfg);
    serve(OK0);
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    cfg.resolve_host = "h";
    cfg.resolve_port = 8080;
    client_setup(&cfg);
    serve(OK0);
    serve(OK0);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(mock.last_host, "h");
    get_request(&rq, "http://h:8080/");
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
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    mock.now += 10;
    get_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    mock.now += 10;
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2); /* reused */
    mock.now += 10;
    /* the pool is full: the one used longest ago (h:8080) goes */
    get_request(&rq, "http://g/");
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
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    mock.now += 10;
    get_request(&rq, "http://h:8080/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(mock.conns[0].closed, 1);
    mock.now += 10;
    get_request(&rq, "http://h:8080/");
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
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/");
    rq.on_header = record_field;
    rq.user = &f;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(f.text, "Content-Type=a/b|Transfer-Encoding=chunked|"
                      "T:Content-Type=evil/x|T:X-Sum=9|");
    CHECK_STR(rs.content_type, "a/b");
    CHECK_STR(body, "hi");
}

static void test_body_without_buffer_is_counted_and_dropped(void)
{
    tt_request rq;
    tt_response rs;
    tt_error e;
    client_setup(NULL);
    serve("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/");
    rq.body_buf = buf;
    rq.body_cap = 4;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.body_len, 4);
    CHECK_MEM(buf, 5, "abcd#", 5);
}

/* A producer of `left` bytes of 'a'..'z', counting its calls; fails when
 * fail is set. */
typedef struct letters {
    long long left, total;
    int calls, rewinds, fail, rewind_fails;
} letters;

static long produce(void *user, unsigned char *buf, size_t cap, tt_error *err)
{
    letters *p = user;
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
    letters *p = user;
    p->rewinds++;
    if (p->rewind_fails)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot rewind");
    p->left = p->total;
    return 0;
}

static void produced_request(tt_request *rq, letters *p, const char *url,
                             long long total, long long announced)
{
    get_request(rq, url);
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
    letters p;
    tt_error e;
    client_setup(NULL);
    serve(OK0);
    produced_request(&rq, &p, "http://h/u", 10, 0);
    p.fail = 1;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), -1);
    CHECK_STR(e.msg, "producer broke");
    CHECK_INT(sent_count("Transfer-Encoding: chunked\r\n\r\n"), 1);
    CHECK_INT(sent_count("0\r\n\r\n"), 0); /* no end chunk after a failure */
}

static void test_reset_while_sending_a_chunk(void)
{
    tt_request rq;
    letters p;
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
    letters p;
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
    letters p;
    tt_error e;
    long hl = head_len("POST", "http://h/u", total);
    long long i;
    CHECK(hl > 0);
    client_setup(NULL);
    serve(OK2);
    produced_request(&rq, &p, "http://h/u", total, total);
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "ok");
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
    get_request(&rq, "http://h/p");
    rq.method = "PUT";
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(sent_count("PUT /p HTTP/1.1\r\n"), 1);
    get_request(&rq, "http://h/q");
    rq.body = "";
    rq.body_len = 0;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(sent_count("POST /q HTTP/1.1\r\n"), 1);
    CHECK_INT(sent_count("Content-Length: 0\r\n\r\n"), 2);
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
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/");
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
static int stale_then_post(letters *p, int with_rewind, int rewind_fails, tt_error *e)
{
    tt_request rq;
    client_setup(NULL);
    serve(OK0);
    serve(OK2);
    get_request(&rq, "http://h/");
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
    letters p;
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
    CHECK_INT(sent_count("Content-Length: 6\r\n\r\nabcdef"), 2);
}

static void test_stale_connection_resends_a_plain_body(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve(OK0);
    serve(OK2);
    get_request(&rq, "http://h/");
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    rq.body = "pq";
    rq.body_len = 2;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_STR(body, "ok");
    CHECK_INT(client.stats.resends, 1);
    CHECK_INT(sent_count("Content-Length: 2\r\n\r\npq"), 2);
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
    get_request(&rq, "http://h/a");
    rq.headers = hdr;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(rs.url, "http://h:81/b");
    CHECK_INT(sent_count("Authorization: Bearer t"), 1);
    CHECK_INT(sent_count("X-Keep: 1"), 2);
    CHECK_INT(mock.last_port, 81);
    /* another host on the same port: dropped as well */
    client_setup(NULL);
    serve("HTTP/1.1 302 Found\r\nLocation: http://g/b\r\nContent-Length: 0\r\n\r\n");
    serve(OK2);
    get_request(&rq, "http://h/a");
    rq.headers = hdr;
    rq.nheaders = 2;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_STR(rs.url, "http://g/b");
    CHECK_INT(sent_count("Authorization: Bearer t"), 1);
    CHECK_STR(mock.last_host, "g");
}

static void test_redirect_to_https_without_tls_config_is_usage_error(void)
{
    tt_request rq;
    tt_error e;
    client_setup(NULL);
    serve("HTTP/1.1 301 Moved\r\nLocation: https://h/\r\nContent-Length: 0\r\n\r\n");
    get_request(&rq, "http://h/");
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
    get_request(&rq, "http://h/a");
    rq.method = "HEAD";
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(rs.redirects, 1);
    CHECK_INT(sent_count("HEAD /b HTTP/1.1\r\n"), 1);
    /* 301 after POST becomes a GET without the body */
    client_setup(NULL);
    serve_each("HTTP/1.1 301 Moved\r\nLocation: /c\r\nContent-Length: 0\r\n\r\n", OK2);
    get_request(&rq, "http://h/a");
    rq.body = "xyz";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(sent_count("GET /c HTTP/1.1\r\n"), 1);
    CHECK_INT(sent_count("xyz"), 1);
    CHECK_INT(sent_count("Content-Length"), 1);
    /* 307 keeps a plain body: no rewind needed */
    client_setup(NULL);
    serve_each("HTTP/1.1 307 Temporary\r\nLocation: /d\r\nContent-Length: 0\r\n\r\n", OK2);
    get_request(&rq, "http://h/a");
    rq.body = "xyz";
    rq.body_len = 3;
    CHECK_INT(tt_client_request(&client, &rq, &rs, &e), 0);
    CHECK_INT(sent_count("POST /d HTTP/1.1\r\n"), 1);
    CHECK_INT(sent_count("Content-Length: 3\r\n\r\nxyz"), 2);
}

static void test_307_replays_a_produced_body_after_rewind(void)
{
    tt_request rq;
    letters p;
    tt_error e;
    client_setup(NULL);
    serve_each("HTTP/1.1 307 Temporary\r\nLocation: /v\r\nContent-Length: 0\r\n\r\n", OK2);
    produced_request(&rq, &p, "http://h/u", 4, 4);
    rq.rewind = rewind_producer;
    CHECK_INT(tt_client_request(&client, &rq, NULL, &e), 0);
    CHECK_INT(p.rewinds, 1);
    CHECK_INT(sent_count("POST /v HTTP/1.1\r\n"), 1);
    CHECK_INT(sent_count("\r\n\r\nabcd"), 2);
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
    get_request(&rq, "http://h/");
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
#endif

void suite_client(void)
{
    static const tt_test tests[] = {
        { "simple_get", test_simple_get },
        { "keep_alive_reuse", test_keep_alive_reuse },
        { "stale_connection_resent_once", test_stale_connection_resent_once },
        { "stale_reset_on_send_resent", test_stale_reset_on_send_resent },
        { "no_resend_after_partial_response", test_no_resend_after_partial_response },
        { "fresh_connection_not_resent", test_fresh_connection_not_resent },
        { "connection_close_not_reused", test_connection_close_not_reused },
        { "extra_bytes_close_connection", test_extra_bytes_close_connection },
        { "byte_by_byte_delivery", test_byte_by_byte_delivery },
        { "body_too_large_is_limit", test_body_too_large_is_limit },
        { "streamed_body_constant_memory", test_streamed_body_constant_memory },
        { "bulk_body_into_caller_buffer", test_bulk_body_into_caller_buffer },
        { "head_request_has_no_body", test_head_request_has_no_body },
        { "post_body_with_length", test_post_body_with_length },
        { "chunked_upload", test_chunked_upload },
        { "redirect_followed_on_same_connection", test_redirect_followed_on_same_connection },
        { "redirects_off_returns_3xx", test_redirects_off_returns_3xx },
        { "303_turns_post_into_get", test_303_turns_post_into_get },
        { "307_keeps_method_and_body", test_307_keeps_method_and_body },
        { "307_streamed_body_without_rewind_fails", test_307_streamed_body_without_rewind_fails },
        { "redirect_limit", test_redirect_limit },
        { "redirect_loop", test_redirect_loop },
        { "redirect_without_location", test_redirect_without_location },
        { "redirect_bad_location", test_redirect_bad_location },
        { "cross_origin_redirect_drops_credentials", test_cross_origin_redirect_drops_credentials },
        { "request_timeout_on_stall", test_request_timeout_on_stall },
        { "drip_within_deadline_succeeds", test_drip_within_deadline_succeeds },
        { "connect_timeout", test_connect_timeout },
        { "connect_errors_are_network", test_connect_errors_are_network },
        { "reset_mid_body", test_reset_mid_body },
        { "cancel", test_cancel },
        { "stream_idle_timeout", test_stream_idle_timeout },
        { "status_error_and_retry_after", test_status_error_and_retry_after },
        { "retry_after_forms", test_retry_after_forms },
        { "config_and_request_checks", test_config_and_request_checks },
#if TT_FEATURE_TLS
        { "tls_alerts_named", test_tls_alerts_named },
#endif
#if TT_FEATURE_TLS
        { "tls_clock_policies", test_tls_clock_policies },
#endif
        { "resolve_and_idle_reuse", test_resolve_and_idle_reuse },
        { "trace_masks_query_secrets", test_trace_masks_query_secrets },
        { "produced_and_large_bodies", test_produced_and_large_bodies },
        { "307_without_rewind_fails", test_307_without_rewind_fails },
        { "bad_request_arguments", test_bad_request_arguments },
        { "trace_masks_secrets", test_trace_masks_secrets },
        { "pool_two_origins", test_pool_two_origins },
#if TT_FEATURE_TLS
        { "tls_block_is_tight", test_tls_block_is_tight },
#endif
#if UNIT_FULL_ENGINE
        { "client_init_refuses_bad_timeouts_and_redirects",
          test_client_init_refuses_bad_timeouts_and_redirects },
        { "trace_masks_only_secret_params_between_plain_ones",
          test_trace_masks_only_secret_params_between_plain_ones },
#if TT_HTTP_HEADER_LINE_MAX >= TT_LOG_LINE_MAX
        { "trace_cut_inside_mask_never_leaks", test_trace_cut_inside_mask_never_leaks },
#endif
        { "resolve_override_only_for_its_host_and_port",
          test_resolve_override_only_for_its_host_and_port },
        { "connect_timeout_named_by_the_deadline_that_ended",
          test_connect_timeout_named_by_the_deadline_that_ended },
        { "pool_evicts_least_recently_used_and_keys_on_port",
          test_pool_evicts_least_recently_used_and_keys_on_port },
        { "overlong_reason_and_content_type_read_as_empty",
          test_overlong_reason_and_content_type_read_as_empty },
        { "trailers_reach_the_header_sink_but_not_the_response",
          test_trailers_reach_the_header_sink_but_not_the_response },
        { "body_without_buffer_is_counted_and_dropped",
          test_body_without_buffer_is_counted_and_dropped },
        { "body_exactly_filling_the_buffer_is_not_terminated",
          test_body_exactly_filling_the_buffer_is_not_terminated },
        { "chunked_upload_producer_error_is_returned",
          test_chunked_upload_producer_error_is_returned },
        { "reset_while_sending_a_chunk", test_reset_while_sending_a_chunk },
        { "reset_while_sending_a_produced_body", test_reset_while_sending_a_produced_body },
        { "produced_body_larger_than_the_buffer_sent_whole",
          test_produced_body_larger_than_the_buffer_sent_whole },
        { "empty_bodies_announce_length_zero", test_empty_bodies_announce_length_zero },
        { "large_body_head_send_failure_sends_no_body",
          test_large_body_head_send_failure_sends_no_body },
        { "reused_connection_timeout_is_not_resent", test_reused_connection_timeout_is_not_resent },
        { "stale_connection_resends_produced_body_only_after_rewind",
          test_stale_connection_resends_produced_body_only_after_rewind },
        { "stale_connection_resends_a_plain_body", test_stale_connection_resends_a_plain_body },
        { "redirect_to_another_port_drops_credentials",
          test_redirect_to_another_port_drops_credentials },
        { "redirect_to_https_without_tls_config_is_usage_error",
          test_redirect_to_https_without_tls_config_is_usage_error },
        { "redirect_method_rules_for_head_and_post", test_redirect_method_rules_for_head_and_post },
        { "307_replays_a_produced_body_after_rewind",
          test_307_replays_a_produced_body_after_rewind },
#if TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
        { "location_longer_than_url_max_is_limit", test_location_longer_than_url_max_is_limit },
#endif
#if TT_URL_TARGET_MAX + 8 < TT_URL_MAX && TT_HTTP_HEADER_LINE_MAX > TT_URL_MAX + 16
        { "location_path_over_target_max_keeps_limit_class",
          test_location_path_over_target_max_keeps_limit_class },
#endif
        { "error_from_status_accepts_null_error", test_error_from_status_accepts_null_error },
        { "retry_after_rejects_malformed_dates", test_retry_after_rejects_malformed_dates },
        { "retry_after_dates_relative_to_now", test_retry_after_dates_relative_to_now },
#endif
    };
    tt_run_suite("client", tests, TT_COUNT(tests));
}
