/*
 * Response parser vectors (RFC 9112 framing). Every vector is parsed whole,
 * one byte at a time, split in two at every offset, and in random pieces;
 * each run must give exactly the same callbacks and result, and the whole
 * run must match the expectation.
 */
#include "../testlib.h"
#include "suites.h"
#include "tether/http.h"

#include <stdio.h>

typedef struct {
    const char *name;
    const char *raw;
    int head;            /* response to a HEAD request */
    tt_errcode err;      /* TT_E_OK: must complete */
    int status;
    const char *body;
    int keep_alive;
    size_t extra;        /* bytes left over for the next response */
    const char *fields;  /* "name=value|" list incl. "T:" trailers; NULL: skip */
} vec;

#define OK TT_E_OK
static const vec vectors[] = {
    { "content_length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
      0, OK, 200, "hello", 1, 0, "Content-Length=5|" },
    { "no_reason_phrase", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi",
      0, OK, 200, "hi", 1, 0, NULL },
    { "empty_reason_phrase", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
      0, OK, 404, "", 1, 0, NULL },
    { "http10_closes", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
      0, OK, 200, "x", 0, 0, NULL },
    { "http10_keep_alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx",
      0, OK, 200, "x", 1, 0, NULL },
    { "connection_close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
      0, OK, 200, "x", 0, 0, NULL },
    { "connection_list_close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
      0, OK, 200, "", 0, 0, NULL },
    { "cl_leading_zeros", "HTTP/1.1 200 OK\r\nContent-Length: 0003\r\n\r\nabc",
      0, OK, 200, "abc", 1, 0, NULL },
    { "cl_zero", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      0, OK, 200, "", 1, 0, NULL },
    { "cl_duplicate_equal", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
      0, OK, 200, "abc", 1, 0, NULL },
    { "cl_list_equal", "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
      0, OK, 200, "abc", 1, 0, NULL },
    { "cl_conflict", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "cl_list_conflict", "HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "cl_non_digit", "HTTP/1.1 200 OK\r\nContent-Length: 3a\r\n\r\nabc",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "cl_negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "cl_empty", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "cl_overflow", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
      0, TT_E_HTTP_CONTENT_LENGTH, 200, "", 0, 0, NULL },
    { "body_longer_than_cl", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabEXTRA",
      0, OK, 200, "ab", 1, 5, NULL },
    { "chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
      0, OK, 200, "hello world", 1, 0, NULL },
    { "chunked_upper_hex_ext", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA;name=val;x\r\n0123456789\r\n0;last\r\n\r\n",
      0, OK, 200, "0123456789", 1, 0, NULL },
    { "chunked_size_bws", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 \t;e\r\nabc\r\n0\r\n\r\n",
      0, OK, 200, "abc", 1, 0, NULL },
    { "chunked_leading_zero_size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0003\r\nabc\r\n000\r\n\r\n",
      0, OK, 200, "abc", 1, 0, NULL },
    { "chunked_trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 42\r\nX-Other:  v \r\n\r\n",
      0, OK, 200, "hi", 1, 0, "Transfer-Encoding=chunked|T:X-Sum=42|T:X-Other=v|" },
    { "chunked_then_next_response", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n",
      0, OK, 200, "a", 1, 17, NULL },
    { "chunked_lf_only", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n",
      0, OK, 200, "abc", 1, 0, NULL },
    { "chunk_size_overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
      0, TT_E_HTTP_CHUNK_SIZE, 200, "", 0, 0, NULL },
    { "chunk_size_max_ok_then_eof", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab",
      0, TT_E_HTTP_TRUNCATED, 200, "ab", 0, 0, NULL },
    { "chunk_size_garbage", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      0, TT_E_HTTP_CHUNK_SIZE, 200, "", 0, 0, NULL },
    { "chunk_size_junk_after", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n",
      0, TT_E_HTTP_CHUNK_SIZE, 200, "", 0, 0, NULL },
    { "chunk_missing_crlf", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
      0, TT_E_HTTP_CHUNK_SYNTAX, 200, "abc", 0, 0, NULL },
    { "te_and_cl", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
      0, TT_E_HTTP_TE_AND_CL, 200, "", 0, 0, NULL },
    { "te_gzip_unsupported", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "te_chunked_twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "read_until_close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this until EOF",
      0, OK, 200, "all of this until EOF", 0, 0, NULL },
    { "continue_then_final", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
      0, OK, 200, "z", 1, 0, "Content-Length=1|" },
    { "early_hints_then_final", "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
      0, OK, 201, "", 1, 0, "Content-Length=0|" },
    { "two_interims", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      0, OK, 200, "", 1, 0, NULL },
    { "switching_protocols", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
      0, TT_E_HTTP_UNEXPECTED_1XX, 0, "", 0, 0, NULL },
    { "head_ignores_cl", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
      1, OK, 200, "", 1, 0, NULL },
    { "head_ignores_te_and_cl", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n",
      1, OK, 200, "", 1, 0, NULL },
    { "no_content_ignores_cl", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
      0, OK, 204, "", 1, 0, NULL },
    { "not_modified_ignores_te", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
      0, OK, 304, "", 1, 0, NULL },
    { "obs_fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n",
      0, TT_E_HTTP_OBS_FOLD, 200, "", 0, 0, NULL },
    { "fold_tab", "HTTP/1.1 200 OK\r\n\tX-A: a\r\n\r\n",
      0, TT_E_HTTP_OBS_FOLD, 200, "", 0, 0, NULL },
    { "space_before_colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "no_colon", "HTTP/1.1 200 OK\r\nJustAName\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "empty_name", "HTTP/1.1 200 OK\r\n: v\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "bare_cr_in_value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
      0, TT_E_HTTP_BARE_CR, 200, "", 0, 0, NULL },
    { "bare_cr_line_end", "HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n",
      0, TT_E_HTTP_BARE_CR, 0, "", 0, 0, NULL },
    { "nul_in_value", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 200, "", 0, 0, NULL },
    { "bare_lf_accepted", "HTTP/1.1 200 OK\nContent-Length: 2\nX-B: c\n\nok",
      0, OK, 200, "ok", 1, 0, "Content-Length=2|X-B=c|" },
    { "mixed_line_ends", "HTTP/1.1 200 OK\r\nContent-Length: 2\nX-B: c\r\n\nok",
      0, OK, 200, "ok", 1, 0, NULL },
    { "value_trimmed_empty_value", "HTTP/1.1 200 OK\r\nX-A: \t v v \t\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n",
      0, OK, 200, "", 1, 0, "X-A=v v|X-Empty=|Content-Length=0|" },
    { "obs_text_in_value", "HTTP/1.1 200 OK\r\nX-A: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
      0, OK, 200, "", 1, 0, "X-A=caf\xc3\xa9|Content-Length=0|" },
    { "garbage_status", "garbage\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "lowercase_http", "http/1.1 200 OK\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "http2_version", "HTTP/2.0 200 OK\r\n\r\n",
      0, TT_E_HTTP_VERSION, 0, "", 0, 0, NULL },
    { "short_status_code", "HTTP/1.1 20 OK\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "status_600", "HTTP/1.1 600 Odd\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "status_glued_reason", "HTTP/1.1 200OK\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "empty_line_before_status", "\r\nHTTP/1.1 200 OK\r\n\r\n",
      0, TT_E_HTTP_STATUS_LINE, 0, "", 0, 0, NULL },
    { "eof_before_anything", "",
      0, TT_E_EOF, 0, "", 0, 0, NULL },
    { "eof_in_status_line", "HTTP/1.1 20",
      0, TT_E_HTTP_TRUNCATED, 0, "", 0, 0, NULL },
    { "eof_in_headers", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",
      0, TT_E_HTTP_TRUNCATED, 200, "", 0, 0, NULL },
    { "eof_in_cl_body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
      0, TT_E_HTTP_TRUNCATED, 200, "hel", 0, 0, NULL },
    { "eof_in_chunked_body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
      0, TT_E_HTTP_TRUNCATED, 200, "hel", 0, 0, NULL },
    { "eof_before_last_chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
      0, TT_E_HTTP_TRUNCATED, 200, "hello", 0, 0, NULL },
    { "eof_in_trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
      0, TT_E_HTTP_TRUNCATED, 200, "", 0, 0, NULL },
    { "trailer_obs_fold", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n 2\r\n\r\n",
      0, TT_E_HTTP_OBS_FOLD, 200, "", 0, 0, NULL },
    { "interim_headers_checked", "HTTP/1.1 100 Continue\r\nBad Header\r\n\r\n",
      0, TT_E_HTTP_HEADER_SYNTAX, 0, "", 0, 0, NULL },
};

typedef struct {
    int status;
    char fields[2048];
    size_t flen;
    unsigned char body[2048];
    size_t blen;
    int done;
    tt_errcode code;
    tt_err_class cls;
    size_t consumed;
    int keep_alive;
} rec;

static void rec_add(rec *r, const char *s, size_t n)
{
    if (n > sizeof r->fields - 1 - r->flen)
        n = sizeof r->fields - 1 - r->flen;
    memcpy(r->fields + r->flen, s, n);
    r->flen += n;
    r->fields[r->flen] = '\0';
}

static int cb_status(void *u, int status, const char *reason, size_t rl, tt_error *e)
{
    (void)reason;
    (void)rl;
    (void)e;
    ((rec *)u)->status = status;
    return 0;
}

static int cb_header(void *u, const char *n, size_t nl, const char *v, size_t vl,
                     int trailer, tt_error *e)
{
    rec *r = u;
    (void)e;
    if (trailer)
        rec_add(r, "T:", 2);
    rec_add(r, n, nl);
    rec_add(r, "=", 1);
    rec_add(r, v, vl);
    rec_add(r, "|", 1);
    return 0;
}

static int cb_body(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    rec *r = u;
    (void)e;
    if (n > sizeof r->body - r->blen)
        n = sizeof r->body - r->blen;
    memcpy(r->body + r->blen, d, n);
    r->blen += n;
    return 0;
}

static const tt_http_callbacks rec_cb = { cb_status, cb_header, NULL, cb_body };

/* Parse raw in pieces ending at cuts[] (ascending, last == len), then EOF. */
static void run_pieces(const unsigned char *raw, size_t len, int head,
                       const size_t *cuts, size_t ncuts, rec *r)
{
    static tt_http_parser p;
    tt_error e;
    size_t pos = 0, i;

    memset(r, 0, sizeof *r);
    tt_error_clear(&e);
    tt_http_parser_init(&p, head, "srv", &rec_cb, r);
    for (i = 0; i < ncuts; i++) {
        size_t used = 0;
        int rc = tt_http_parser_feed(&p, raw + pos, cuts[i] - pos, &used, &e);
        if (rc < 0) {
            r->code = e.code;
            r->cls = e.cls;
            return;
        }
        if (rc == TT_HTTP_DONE) {
            r->done = 1;
            r->consumed = pos + used;
            r->keep_alive = p.keep_alive;
            return;
        }
        pos = cuts[i];
    }
    if (tt_http_parser_finish(&p, &e) == TT_HTTP_DONE) {
        r->done = 1;
        r->consumed = len;
        r->keep_alive = p.keep_alive;
    } else {
        r->code = e.code;
        r->cls = e.cls;
    }
}

static int rec_same(const rec *a, const rec *b)
{
    return a->status == b->status && a->flen == b->flen &&
           memcmp(a->fields, b->fields, a->flen) == 0 && a->blen == b->blen &&
           memcmp(a->body, b->body, a->blen) == 0 && a->done == b->done &&
           a->code == b->code && a->consumed == b->consumed &&
           a->keep_alive == b->keep_alive;
}

/* Whole, byte by byte, every two-piece split, random splits: all equal. */
static void check_all_splits(const char *name, const unsigned char *raw,
                             size_t len, int head, rec *whole)
{
    static size_t cuts[70000];
    static rec other;
    size_t k, i;
    uint32_t seed = 12345;

    cuts[0] = len;
    run_pieces(raw, len, head, cuts, 1, whole);
    for (i = 0; i < len; i++)
        cuts[i] = i + 1;
    run_pieces(raw, len, head, cuts, len, &other);
    if (!rec_same(whole, &other)) {
        tt_test_fail(__FILE__, __LINE__, "%s: byte-by-byte differs from whole", name);
        return;
    }
    for (k = 1; k < len; k++) {
        cuts[0] = k;
        cuts[1] = len;
        run_pieces(raw, len, head, cuts, 2, &other);
        if (!rec_same(whole, &other)) {
            tt_test_fail(__FILE__, __LINE__, "%s: split at %zu differs", name, k);
            return;
        }
    }
    for (k = 0; k < 20; k++) {
        size_t n = 0, pos = 0;
        while (pos < len) {
            seed = seed * 1103515245u + 12345u;
            pos += 1 + (seed >> 16) % 7;
            cuts[n++] = pos < len ? pos : len;
        }
        if (n == 0)
            cuts[n++] = 0;
        run_pieces(raw, len, head, cuts, n, &other);
        if (!rec_same(whole, &other)) {
            tt_test_fail(__FILE__, __LINE__, "%s: random split %zu differs", name, k);
            return;
        }
    }
}

static void test_vectors(void)
{
    size_t i;
    static rec r;
    for (i = 0; i < TT_COUNT(vectors); i++) {
        const vec *v = &vectors[i];
        size_t len = strlen(v->raw);
        if (strcmp(v->name, "nul_in_value") == 0)
            len = 29; /* the vector holds a NUL */
        check_all_splits(v->name, (const unsigned char *)v->raw, len, v->head, &r);
        if (tt_test_failed())
            return;
        if (v->err != OK) {
            if (r.done || r.code != v->err) {
                tt_test_fail(__FILE__, __LINE__, "%s: want error %s, got %s", v->name,
                             tt_errcode_name(v->err),
                             r.done ? "success" : tt_errcode_name(r.code));
                return;
            }
        } else if (!r.done) {
            tt_test_fail(__FILE__, __LINE__, "%s: failed with %s", v->name,
                         tt_errcode_name(r.code));
            return;
        } else {
            if (r.consumed != len - v->extra) {
                tt_test_fail(__FILE__, __LINE__, "%s: consumed %zu of %zu", v->name,
                             r.consumed, len);
                return;
            }
            if (r.keep_alive != v->keep_alive) {
                tt_test_fail(__FILE__, __LINE__, "%s: keep_alive %d", v->name, r.keep_alive);
                return;
            }
        }
        if (r.status != v->status || r.blen != strlen(v->body) ||
            memcmp(r.body, v->body, r.blen) != 0) {
            tt_test_fail(__FILE__, __LINE__, "%s: status %d body '%.*s'", v->name,
                         r.status, (int)r.blen, r.body);
            return;
        }
        if (v->fields != NULL && strcmp(r.fields, v->fields) != 0) {
            tt_test_fail(__FILE__, __LINE__, "%s: fields '%s'", v->name, r.fields);
            return;
        }
    }
    CHECK(TT_COUNT(vectors) >= 40);
}

static void test_error_classes(void)
{
    static rec r;
    size_t cut;
    const char *trunc = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab";
    const char *garbage = "garbage\r\n\r\n";
    cut = strlen(trunc);
    run_pieces((const unsigned char *)trunc, cut, 0, &cut, 1, &r);
    CHECK_INT(r.cls, TT_ERR_NETWORK);
    cut = strlen(garbage);
    run_pieces((const unsigned char *)garbage, cut, 0, &cut, 1, &r);
    CHECK_INT(r.cls, TT_ERR_PROTOCOL);
    cut = 0;
    run_pieces((const unsigned char *)"", 0, 0, &cut, 1, &r);
    CHECK_INT(r.cls, TT_ERR_NETWORK);
    CHECK_INT(r.code, TT_E_EOF);
}

static size_t build(char *buf, size_t cap, const char *head, char fill, size_t n,
                    const char *tail)
{
    size_t len = (size_t)snprintf(buf, cap, "%s", head);
    memset(buf + len, fill, n);
    len += n;
    len += (size_t)snprintf(buf + len, cap - len, "%s", tail);
    return len;
}

static void test_limits_are_distinct(void)
{
    static char buf[TT_HTTP_HEADER_LINE_MAX * 2 + TT_HTTP_HEADERS_MAX * 16];
    static rec r;
    size_t len, i;

    /* a status line exactly at the limit parses; one byte more does not */
    len = build(buf, sizeof buf, "HTTP/1.1 200 ", 'r', TT_HTTP_STATUS_LINE_MAX - 13 - 1,
                "\r\nContent-Length: 0\r\n\r\n");
    check_all_splits("status_at_limit", (unsigned char *)buf, len, 0, &r);
    CHECK(r.done);
    len = build(buf, sizeof buf, "HTTP/1.1 200 ", 'r', TT_HTTP_STATUS_LINE_MAX - 13,
                "\r\nContent-Length: 0\r\n\r\n");
    check_all_splits("status_over_limit", (unsigned char *)buf, len, 0, &r);
    CHECK_INT(r.code, TT_E_LIMIT_STATUS_LINE);
    CHECK_INT(r.cls, TT_ERR_LIMIT);

    len = build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX-Big: ", 'v',
                TT_HTTP_HEADER_LINE_MAX - 7 - 1, "\r\nContent-Length: 0\r\n\r\n");
    check_all_splits("header_at_limit", (unsigned char *)buf, len, 0, &r);
    CHECK(r.done);
    len = build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX-Big: ", 'v',
                TT_HTTP_HEADER_LINE_MAX - 7, "\r\nContent-Length: 0\r\n\r\n");
    check_all_splits("header_over_limit", (unsigned char *)buf, len, 0, &r);
    CHECK_INT(r.code, TT_E_LIMIT_HEADER_LINE);

    /* endless header: no line end at all */
    len = build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX-Endless: ", 'v',
                TT_HTTP_HEADER_LINE_MAX + 100, "");
    check_all_splits("endless_header", (unsigned char *)buf, len, 0, &r);
    CHECK_INT(r.code, TT_E_LIMIT_HEADER_LINE);

    len = (size_t)snprintf(buf, sizeof buf, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < TT_HTTP_HEADERS_MAX; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "X-%zu: v\r\n", i);
    len += (size_t)snprintf(buf + len, sizeof buf - len, "\r\n");
    check_all_splits("headers_at_limit", (unsigned char *)buf, len, 0, &r);
    CHECK(r.done);
    len -= 2;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "X-last: v\r\n\r\n");
    check_all_splits("headers_over_limit", (unsigned char *)buf, len, 0, &r);
    CHECK_INT(r.code, TT_E_LIMIT_HEADER_COUNT);
}

static void test_large_chunked_body_split(void)
{
    static char buf[40000];
    static rec r;
    size_t len = (size_t)snprintf(buf, sizeof buf,
                                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    size_t i, cut;
    for (i = 0; i < 300; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%zx\r\n%0*d\r\n",
                                (size_t)5, 5, (int)(i % 10));
    len += (size_t)snprintf(buf + len, sizeof buf - len, "0\r\n\r\n");
    cut = len;
    run_pieces((unsigned char *)buf, len, 0, &cut, 1, &r);
    CHECK(r.done);
    CHECK_INT(r.blen, 1500);
    check_all_splits("large_chunked", (unsigned char *)buf, len, 0, &r);
}

static int abort_body(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    (void)u;
    (void)d;
    (void)n;
    return tt_error_set(e, TT_ERR_LIMIT, TT_E_LIMIT_BODY, NULL, "stop");
}

static void test_callback_abort(void)
{
    static tt_http_parser p;
    tt_http_callbacks cb = { NULL, NULL, NULL, abort_body };
    tt_error e;
    size_t used;
    const char *raw = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    tt_http_parser_init(&p, 0, NULL, &cb, NULL);
    CHECK_INT(tt_http_parser_feed(&p, (const unsigned char *)raw, strlen(raw), &used, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BODY);
}

static void test_message_names_host(void)
{
    static tt_http_parser p;
    tt_http_callbacks cb = { NULL, NULL, NULL, NULL };
    tt_error e;
    size_t used;
    tt_http_parser_init(&p, 0, "host-a", &cb, NULL);
    CHECK_INT(tt_http_parser_feed(&p, (const unsigned char *)"junk\r\n", 6, &used, &e), -1);
    CHECK_STR(e.msg, "host-a: malformed status line");
}

#if UNIT_FULL_ENGINE
/* ---- edges of the grammar and the limits, fed whole and byte by byte ---- */

/* A body sink that is full: its error must stop the parser. */
static int refuse_body(void *u, const unsigned char *d, size_t n, tt_error *e)
{
    (void)u;
    (void)d;
    (void)n;
    return tt_error_set(e, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "sink full");
}

static const tt_http_callbacks full_cb = { cb_status, cb_header, NULL, refuse_body };
static const tt_http_callbacks no_cb = { NULL, NULL, NULL, NULL };

static tt_http_parser hp; /* the framing and keep-alive it ended with */

/* Parse a whole response, fed at once or one byte at a time, with finish
 * at the end of input when it was not complete. DONE or -1. */
static int parse_text(const tt_http_callbacks *cb, rec *r, const char *raw,
                      size_t len, int bytewise, tt_error *e)
{
    size_t i = 0, used;
    if (r != NULL)
        memset(r, 0, sizeof *r);
    tt_http_parser_init(&hp, 0, "srv", cb, r);
    while (i < len) {
        size_t n = bytewise ? 1 : len - i;
        int rc = tt_http_parser_feed(&hp, (const unsigned char *)raw + i, n, &used, e);
        if (rc < 0)
            return -1;
        i += used;
        if (rc == TT_HTTP_DONE)
            return TT_HTTP_DONE;
    }
    return tt_http_parser_finish(&hp, e);
}

/* Both ways of feeding must fail with `code`; the message is kept. */
static void expect_parse_error(const char *raw, tt_errcode code, tt_error *e)
{
    rec r;
    int way;
    for (way = 0; way < 2; way++) {
        if (parse_text(&rec_cb, &r, raw, strlen(raw), way, e) != -1 || e->code != code) {
            tt_test_fail(__FILE__, __LINE__, "%s fed %s: code %s, want %s", raw,
                         way ? "bytewise" : "whole", tt_errcode_name(e->code),
                         tt_errcode_name(code));
            return;
        }
    }
}

static void test_status_line_malformations(void)
{
    static const char *const bad[] = {
        "HTTX/1.1 200 OK", "HTTP/1-1 200 OK", "HTTP/ .1 200 OK", "HTTP/:.1 200 OK",
        "HTTP/1. 200 OK", "HTTP/1.: 200 OK", "HTTP/1.1_200 OK", "HTTP/1.1 2x0 OK",
        "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 200X",
        "HTTP/1.1 200 Bad\001", "HTTP/1.1 200 Del\177", "HTTP/1.1 200 A long reason \001 here",
    };
    char raw[128];
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        snprintf(raw, sizeof raw, "%s\r\nContent-Length: 0\r\n\r\n", bad[i]);
        CHECK_OK(expect_parse_error(raw, TT_E_HTTP_STATUS_LINE, &e));
        CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    }
    CHECK_STR(e.msg, "srv: control character in reason phrase");
}

static void test_control_characters_in_header_values(void)
{
    tt_error e;
    CHECK_OK(expect_parse_error("HTTP/1.1 200 OK\r\nX-A: ab\177\r\n\r\n",
                                TT_E_HTTP_HEADER_SYNTAX, &e));
    CHECK_STR(e.msg, "srv: control character in header value");
    CHECK_OK(expect_parse_error("HTTP/1.1 200 OK\r\nX-A: 0123456789\001abcdef\r\n\r\n",
                                TT_E_HTTP_HEADER_SYNTAX, &e));
    CHECK_STR(e.msg, "srv: control character in header value");
    CHECK_OK(expect_parse_error("HTTP/1.1 200 OK\r\nX-A\t: v\r\n\r\n",
                                TT_E_HTTP_HEADER_SYNTAX, &e));
    CHECK_STR(e.msg, "srv: whitespace before colon in header field");
}

static void test_eof_after_an_interim_response_is_truncation(void)
{
    tt_error e;
    rec r;
    CHECK_INT(parse_text(&rec_cb, &r, "HTTP/1.1 100 Continue\r\n\r\n", 25, 0, &e), -1);
    CHECK_INT(e.code, TT_E_HTTP_TRUNCATED);
    CHECK_INT(r.status, 0);
}

static void test_framing_lists_with_blanks(void)
{
    static const char cl_list[] = "HTTP/1.1 200 OK\r\nContent-Length: 3 \t, \t3\r\n\r\nabc";
    static const char conn_list[] = "HTTP/1.1 200 OK\r\n"
        "Connection: , keep-alive \t, upgrade,\tclose ,\r\nContent-Length: 0\r\n\r\n";
    rec r;
    tt_error e;
    int way;
    for (way = 0; way < 2; way++) {
        CHECK_INT(parse_text(&rec_cb, &r, cl_list, sizeof cl_list - 1, way, &e), TT_HTTP_DONE);
        CHECK_INT(hp.framing, TT_FRAME_LENGTH);
        CHECK_MEM(r.body, r.blen, "abc", 3);
        CHECK_INT(hp.keep_alive, 1);
        CHECK_INT(parse_text(&rec_cb, &r, conn_list, sizeof conn_list - 1, way, &e), TT_HTTP_DONE);
        CHECK_INT(hp.keep_alive, 0);
    }
    /* an empty last list element is ignored */
    {
        static const char cl_trail[] = "HTTP/1.1 200 OK\r\nContent-Length: 1,\r\n\r\nz";
        CHECK_INT(parse_text(&rec_cb, &r, cl_trail, sizeof cl_trail - 1, 0, &e), TT_HTTP_DONE);
    }
    CHECK_MEM(r.body, r.blen, "z", 1);
}

static void test_near_miss_tokens_do_not_count(void)
{
    /* same length as "close", "keep-alive", "chunked": none of them */
    static const char h11[] = "HTTP/1.1 200 OK\r\nConnection: xlose\r\nContent-Length: 0\r\n\r\n";
    static const char h10[] = "HTTP/1.0 200 OK\r\nConnection: keep-alivx\r\n"
                              "Content-Length: 0\r\n\r\n";
    rec r;
    tt_error e;
    CHECK_INT(parse_text(&rec_cb, &r, h11, sizeof h11 - 1, 0, &e), TT_HTTP_DONE);
    CHECK_INT(hp.keep_alive, 1);
    CHECK_INT(parse_text(&rec_cb, &r, h10, sizeof h10 - 1, 0, &e), TT_HTTP_DONE);
    CHECK_INT(hp.keep_alive, 0);
    CHECK_OK(expect_parse_error("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkes\r\n\r\n",
                                TT_E_HTTP_HEADER_SYNTAX, &e));
    CHECK_STR(e.msg, "srv: unsupported transfer coding (only chunked)");
}

static void test_names_as_long_as_framing_names_are_plain_fields(void)
{
    static const char raw[] = "HTTP/1.1 200 OK\r\n"
        "Cache-Controls: 9\r\nContent-Lengtx: 9\r\n"           /* 14 bytes */
        "X-Forwarded-Proto: chunked\r\nTransfer-Encodinx: gzip\r\n" /* 17 */
        "Keep-Alive: close\r\nConnectiox: close\r\n"             /* 10 */
        "Content-Length: 2\r\n\r\nhi";
    rec r;
    tt_error e;
    int way;
    for (way = 0; way < 2; way++) {
        CHECK_INT(parse_text(&rec_cb, &r, raw, sizeof raw - 1, way, &e), TT_HTTP_DONE);
        CHECK_INT(hp.framing, TT_FRAME_LENGTH);
        CHECK_INT(hp.keep_alive, 1);
        CHECK_MEM(r.body, r.blen, "hi", 2);
        CHECK_STR(r.fields, "Cache-Controls=9|Content-Lengtx=9|X-Forwarded-Proto=chunked|"
                            "Transfer-Encodinx=gzip|Keep-Alive=close|Connectiox=close|"
                            "Content-Length=2|");
    }
}

static void test_field_count_limit_for_headers_and_trailers(void)
{
    static char raw[TT_HTTP_HEADERS_MAX * 8 + 256];
    size_t o, i;
    tt_error e;
    rec r;
    o = (size_t)sprintf(raw, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i <= TT_HTTP_HEADERS_MAX; i++)
        o += (size_t)sprintf(raw + o, "X: 1\r\n");
    sprintf(raw + o, "\r\n");
    CHECK_INT(parse_text(&rec_cb, &r, raw, strlen(raw), 0, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_COUNT);
    CHECK(strstr(e.msg, " header fields") != NULL);
    /* trailers have their own count, starting after the last chunk */
    o = (size_t)sprintf(raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
    for (i = 0; i <= TT_HTTP_HEADERS_MAX; i++)
        o += (size_t)sprintf(raw + o, "T: 1\r\n");
    sprintf(raw + o, "\r\n");
    CHECK_INT(parse_text(&rec_cb, &r, raw, strlen(raw), 0, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_COUNT);
    CHECK(strstr(e.msg, " trailer fields") != NULL);
}

static void test_overlong_chunk_lines_are_named_chunk(void)
{
    static char raw[TT_HTTP_HEADER_LINE_MAX + 128];
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    tt_error e;
    rec r;
    size_t o;
    /* a size line of leading zeros, one byte too long */
    o = (size_t)sprintf(raw, "%s", head);
    memset(raw + o, '0', TT_HTTP_HEADER_LINE_MAX + 1);
    strcpy(raw + o + TT_HTTP_HEADER_LINE_MAX + 1, "\r\n");
    CHECK_INT(parse_text(&rec_cb, &r, raw, strlen(raw), 0, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_LINE);
    CHECK(strstr(e.msg, "chunk line longer than") != NULL);
    /* junk where the CRLF after the chunk data belongs */
    o = (size_t)sprintf(raw, "%s2\r\nhi", head);
    memset(raw + o, 'j', TT_HTTP_HEADER_LINE_MAX + 1);
    raw[o + TT_HTTP_HEADER_LINE_MAX + 1] = '\0';
    CHECK_INT(parse_text(&rec_cb, &r, raw, strlen(raw), 0, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_HEADER_LINE);
    CHECK(strstr(e.msg, "chunk line longer than") != NULL);
}

static void test_parser_without_callbacks_still_frames(void)
{
    static const char raw[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    tt_error e;
    CHECK_INT(parse_text(&no_cb, NULL, raw, sizeof raw - 1, 0, &e), TT_HTTP_DONE);
    CHECK_INT(hp.status, 200);
    CHECK_INT(hp.body_bytes, 3);
    /* finishing a complete response changes nothing */
    CHECK_INT(tt_http_parser_finish(&hp, &e), TT_HTTP_DONE);
}

static void test_body_sink_error_stops_a_read_until_close_body(void)
{
    static const char raw[] = "HTTP/1.1 200 OK\r\n\r\nuntil close";
    tt_error e;
    rec r;
    size_t used = 99;
    memset(&r, 0, sizeof r);
    tt_http_parser_init(&hp, 0, "srv", &full_cb, &r);
    CHECK_INT(tt_http_parser_feed(&hp, (const unsigned char *)raw, sizeof raw - 1, &used, &e), -1);
    CHECK_STR(e.msg, "sink full");
    CHECK_INT(used, sizeof raw - 1 - strlen("until close"));
}

static void test_eof_inside_a_partial_status_line_is_truncation(void)
{
    tt_error e;
    rec r;
    CHECK_INT(parse_text(&rec_cb, &r, "HTTP/1.", 7, 1, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(e.code, TT_E_HTTP_TRUNCATED);
    CHECK_STR(e.msg, "srv: connection closed inside the response head");
}
#endif

void suite_http_parser(void)
{
    static const tt_test tests[] = {
        { "vectors_all_splits", test_vectors },
        { "error_classes", test_error_classes },
        { "limits_are_distinct", test_limits_are_distinct },
        { "large_chunked_body_split", test_large_chunked_body_split },
        { "callback_abort", test_callback_abort },
        { "message_names_host", test_message_names_host },
#if UNIT_FULL_ENGINE
        { "status_line_malformations", test_status_line_malformations },
        { "control_characters_in_header_values", test_control_characters_in_header_values },
        { "eof_after_an_interim_response_is_truncation",
          test_eof_after_an_interim_response_is_truncation },
        { "framing_lists_with_blanks", test_framing_lists_with_blanks },
        { "near_miss_tokens_do_not_count", test_near_miss_tokens_do_not_count },
        { "names_as_long_as_framing_names_are_plain_fields",
          test_names_as_long_as_framing_names_are_plain_fields },
        { "field_count_limit_for_headers_and_trailers",
          test_field_count_limit_for_headers_and_trailers },
        { "overlong_chunk_lines_are_named_chunk", test_overlong_chunk_lines_are_named_chunk },
        { "parser_without_callbacks_still_frames", test_parser_without_callbacks_still_frames },
        { "body_sink_error_stops_a_read_until_close_body",
          test_body_sink_error_stops_a_read_until_close_body },
        { "eof_inside_a_partial_status_line_is_truncation",
          test_eof_inside_a_partial_status_line_is_truncation },
#endif
    };
    tt_run_suite("http_parser", tests, TT_COUNT(tests));
}
