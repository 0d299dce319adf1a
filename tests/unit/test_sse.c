/*
 * Server-Sent Events: the parser against vectors written from the WHATWG
 * rules and the web-platform-tests eventsource format cases (each run
 * whole, byte by byte, at every split point and in random splits), the
 * dispatcher, and the reconnect engine on the mock port's fake clock
 * (core/sse.c, core/sse_stream.c); then the edges of all three, in the
 * builds with the whole engine, where they have always run.
 */
#include "tether/config.h"
#if TT_FEATURE_SSE

#include "../testlib.h"
#include "fixture.h"
#include "suites.h"
#include "tether/sse_stream.h"
#include "port_mock.h"

#include <stdio.h>
#include <string.h>

/* ---- parser vectors --------------------------------------------------------- */

/* Expected events: type, US, id, US, data, RS for each. */
#define EV(t, i, d) t "\x1f" i "\x1f" d "\x1e"
#define NOEV ""

typedef struct sse_vec {
    const char *name;
    const char *in;
    size_t in_len;
    const char *out;
    size_t out_len;
    const char *last_id;
    long retry;         /* -1: not set */
} sse_vec;

#define V(name, in, out, id, retry) { name, in, sizeof(in) - 1, out, sizeof(out) - 1, id, retry }

static const sse_vec vectors[] = {
    V("data", "data: hello\n\n", EV("message", "", "hello"), "", -1),
    V("no space after colon", "data:hello\n\n", EV("message", "", "hello"), "", -1),
    V("only one space removed", "data:  two\n\n", EV("message", "", " two"), "", -1),
    V("tab is kept", "data:\thello\n\n", EV("message", "", "\thello"), "", -1),
    V("two data lines", "data: a\ndata: b\n\n", EV("message", "", "a\nb"), "", -1),
    V("field without colon", "data\n\n", EV("message", "", ""), "", -1),
    V("empty data", "data:\n\n", EV("message", "", ""), "", -1),
    V("two empty data lines", "data\ndata\n\n", EV("message", "", "\n"), "", -1),
    V("data with colons", "data: a:b: c\n\n", EV("message", "", "a:b: c"), "", -1),
    V("event type", "event: add\ndata: x\n\n", EV("add", "", "x"), "", -1),
    V("empty event type is message", "event\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("type with leading space kept", "event:  add\ndata: x\n\n", EV(" add", "", "x"), "", -1),
    V("type resets after blank", "event: add\n\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("type resets after dispatch", "event: a\ndata: 1\n\nevent: b\ndata: 2\n\ndata: 3\n\n",
      EV("a", "", "1") EV("b", "", "2") EV("message", "", "3"), "", -1),
    V("last event field wins", "event: a\nevent: b\ndata: x\n\n", EV("b", "", "x"), "", -1),
    V("comment", ": comment\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("empty comment", ":\n\n", NOEV, "", -1),
    V("comment between data", "data: a\n: c\ndata: b\n\n", EV("message", "", "a\nb"), "", -1),
    V("keep-alive comments", ": ping\n\n: ping\n\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("CRLF", "data: x\r\n\r\n", EV("message", "", "x"), "", -1),
    V("CR", "data: x\r\rdata: y\r\r", EV("message", "", "x") EV("message", "", "y"), "", -1),
    V("mixed line ends", "data: a\rdata: b\r\ndata: c\n\r\n",
      EV("message", "", "a\nb\nc"), "", -1),
    V("LF CR is two ends", "data: x\n\rdata: y\n\n",
      EV("message", "", "x") EV("message", "", "y"), "", -1),
    V("CR CR LF", "data: x\r\r\n", EV("message", "", "x"), "", -1),
    V("blank lines first", "\n\n\r\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("extra blank lines", "data: x\n\n\n\n", EV("message", "", "x"), "", -1),
    V("BOM stripped", "\xef\xbb\xbf" "data: x\n\n", EV("message", "", "x"), "", -1),
    V("second BOM is part of the name", "\xef\xbb\xbf\xef\xbb\xbf" "data: x\n\n", NOEV, "", -1),
    V("BOM later is text", "data: x\n\n\xef\xbb\xbf" "data: y\n\n", EV("message", "", "x"), "", -1),
    V("BOM in data kept", "data: \xef\xbb\xbf\n\n", EV("message", "", "\xef\xbb\xbf"), "", -1),
    V("id", "id: 1\ndata: x\n\n", EV("message", "1", "x"), "1", -1),
    V("id committed without data", "id: 1\n\n", NOEV, "1", -1),
    V("id persists", "id: 1\ndata: a\n\ndata: b\n\n",
      EV("message", "1", "a") EV("message", "1", "b"), "1", -1),
    V("empty id resets", "id: 1\ndata: a\n\nid\ndata: b\n\n",
      EV("message", "1", "a") EV("message", "", "b"), "", -1),
    V("id: empty value resets", "id: 1\ndata: a\n\nid:\ndata: b\n\n",
      EV("message", "1", "a") EV("message", "", "b"), "", -1),
    V("id with NUL ignored", "id: 1\ndata: a\n\nid: 2\0" "3\ndata: b\n\n",
      EV("message", "1", "a") EV("message", "1", "b"), "1", -1),
    V("id set after data", "data: a\nid: 9\n\n", EV("message", "9", "a"), "9", -1),
    V("id with spaces", "id:  5 \ndata: a\n\n", EV("message", " 5 ", "a"), " 5 ", -1),
    V("id UTF-8", "id: \xe2\x82\xac\ndata: a\n\n", EV("message", "\xe2\x82\xac", "a"), "\xe2\x82\xac", -1),
    V("unterminated event discarded", "id: 5\ndata: x", NOEV, "", -1),
    V("event without blank line", "id: 5\ndata: x\n", NOEV, "", -1),
    V("last event unterminated", "data: x\n\nid: 2\ndata: y\n", EV("message", "", "x"), "", -1),
    V("retry", "retry: 1000\n\n", NOEV, "", 1000),
    V("retry zero", "retry: 0\n\n", NOEV, "", 0),
    V("retry bogus", "retry: 1000x\n\n", NOEV, "", -1),
    V("retry empty", "retry:\n\n", NOEV, "", -1),
    V("retry without colon", "retry\n\n", NOEV, "", -1),
    V("retry with two spaces", "retry:  100\n\n", NOEV, "", -1),
    V("retry negative", "retry: -5\n\n", NOEV, "", -1),
    V("retry bogus keeps earlier", "retry: 10\nretry: abc\n\n", NOEV, "", 10),
    V("retry with data", "retry: 7\ndata: x\n\n", EV("message", "", "x"), "", 7),
    V("names are case-sensitive", "Data: x\n\nDATA: y\n\n", NOEV, "", -1),
    V("unknown field", "foo: bar\ndata: x\n\n", EV("message", "", "x"), "", -1),
    V("space before colon", "data : x\n\n", NOEV, "", -1),
    V("leading space in name", " data: x\n\n", NOEV, "", -1),
    V("long unknown name", "datadatadata: x\ndata: y\n\n", EV("message", "", "y"), "", -1),
    V("NUL in data", "data: x\0y\n\n", EV("message", "", "x\0y"), "", -1),
    V("UTF-8 data", "data: \xc3\xa9\xf0\x9f\x98\x80\n\n",
      EV("message", "", "\xc3\xa9\xf0\x9f\x98\x80"), "", -1),
    V("invalid byte", "data: \xff\n\n", EV("message", "", "\xef\xbf\xbd"), "", -1),
    V("truncated sequence", "data: \xe2\x82\n\n", EV("message", "", "\xef\xbf\xbd"), "", -1),
    V("truncated then ASCII", "data: \xe2\x82x\n\n", EV("message", "", "\xef\xbf\xbd" "x"), "", -1),
    V("encoded surrogate", "data: \xed\xa0\x80\n\n",
      EV("message", "", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"), "", -1),
    V("overlong", "data: \xc0\xaf\n\n", EV("message", "", "\xef\xbf\xbd\xef\xbf\xbd"), "", -1),
    V("UTF-8 event type", "event: caf\xc3\xa9\ndata: x\n\n", EV("caf\xc3\xa9", "", "x"), "", -1),
    V("data then comment then blank", "data: x\n:c\n\n", EV("message", "", "x"), "", -1),
    V("JSON data", "event: vm\ndata: {\"name\": \"a\"}\n\n",
      EV("vm", "", "{\"name\": \"a\"}"), "", -1),
};

typedef struct collect {
    char out[2048];
    size_t len;
    unsigned long drops;
    tt_error last_drop;
    int stop_after;      /* > 0: return -1 at that event */
    unsigned long seen;
} collect;

static void put(collect *c, const char *s, size_t n)
{
    if (c->len + n <= sizeof c->out) {
        memcpy(c->out + c->len, s, n);
        c->len += n;
    }
}

static int on_event(void *user, const tt_sse_event *ev, tt_error *err)
{
    collect *c = user;
    c->seen++;
    put(c, ev->type, ev->type_len);
    put(c, "\x1f", 1);
    put(c, ev->id, ev->id_len);
    put(c, "\x1f", 1);
    put(c, ev->data, ev->data_len);
    put(c, "\x1e", 1);
    if (c->stop_after > 0 && c->seen == (unsigned long)c->stop_after)
        return tt_error_set(err, TT_ERR_CANCELLED, TT_E_CANCELLED, NULL, "enough");
    return 0;
}

static void on_drop(void *user, const tt_error *why)
{
    collect *c = user;
    c->drops++;
    c->last_drop = *why;
}

static tt_sse_parser parser;
static char evbuf[256];
static collect col;

static void start(size_t cap)
{
    memset(&col, 0, sizeof col);
    tt_sse_init(&parser, evbuf, cap, on_event, on_drop, &col);
}

/* Feed in pieces cut at the given offsets (ascending, within len). */
static int feed_cuts(const char *in, size_t len, const size_t *cuts, size_t ncuts)
{
    tt_error e;
    size_t off = 0, i;
    for (i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        if (tt_sse_feed(&parser, in + off, end - off, &e) != 0)
            return -1;
        off = end;
    }
    return 0;
}

static int check_result(const sse_vec *v, const char *how)
{
    if (col.len != v->out_len || memcmp(col.out, v->out, v->out_len) != 0) {
        tt_test_fail(__FILE__, __LINE__, "%s (%s): events differ (%zu vs %zu bytes)",
                     v->name, how, col.len, v->out_len);
        return -1;
    }
    if (parser.last_id_len != strlen(v->last_id) ||
        memcmp(parser.last_id, v->last_id, parser.last_id_len) != 0) {
        tt_test_fail(__FILE__, __LINE__, "%s (%s): last id \"%.*s\", want \"%s\"", v->name,
                     how, (int)parser.last_id_len, parser.last_id, v->last_id);
        return -1;
    }
    if (parser.retry_ms != v->retry) {
        tt_test_fail(__FILE__, __LINE__, "%s (%s): retry %lld, want %ld", v->name, how,
                     (long long)parser.retry_ms, v->retry);
        return -1;
    }
    return 0;
}

/* Run one vector whole, byte by byte, at every split point and in random
 * three-piece splits; then end the stream (which commits nothing). */
static int run_vector(const sse_vec *v)
{
    static size_t cuts[4096];
    size_t i, k;
    uint32_t r = 7;

    start(sizeof evbuf);
    feed_cuts(v->in, v->in_len, NULL, 0);
    tt_sse_end_of_stream(&parser);
    if (check_result(v, "whole") != 0)
        return -1;

    start(sizeof evbuf);
    for (i = 1; i < v->in_len; i++)
        cuts[i - 1] = i;
    feed_cuts(v->in, v->in_len, cuts, v->in_len > 0 ? v->in_len - 1 : 0);
    tt_sse_end_of_stream(&parser);
    if (check_result(v, "byte by byte") != 0)
        return -1;

    for (i = 0; i <= v->in_len; i++) {
        start(sizeof evbuf);
        cuts[0] = i;
        feed_cuts(v->in, v->in_len, cuts, 1);
        tt_sse_end_of_stream(&parser);
        if (check_result(v, "one split") != 0)
            return -1;
    }
    for (k = 0; k < 20; k++) {
        size_t a, b;
        r = r * 1103515245u + 12345u;
        a = (r >> 8) % (v->in_len + 1);
        r = r * 1103515245u + 12345u;
        b = a + (r >> 8) % (v->in_len - a + 1);
        start(sizeof evbuf);
        cuts[0] = a;
        cuts[1] = b;
        feed_cuts(v->in, v->in_len, cuts, 2);
        tt_sse_end_of_stream(&parser);
        if (check_result(v, "random splits") != 0)
            return -1;
    }
    return 0;
}

static void test_vectors(void)
{
    size_t i;
    CHECK(TT_COUNT(vectors) >= 40);
    for (i = 0; i < TT_COUNT(vectors); i++)
        if (run_vector(&vectors[i]) != 0)
            return;
}

/* ---- limits ------------------------------------------------------------------ */

static void feed_str(const char *s, size_t n)
{
    tt_error e;
    tt_sse_feed(&parser, s, n, &e);
}

static void test_large_event_dropped_stream_goes_on(void)
{
    static char big[3000];
    size_t n = 0, i;
    start(64);
    n += (size_t)sprintf(big, "id: 1\ndata: small\n\nid: 2\ndata: ");
    for (i = 0; i < 100; i++)
        big[n++] = 'x';
    n += (size_t)sprintf(big + n, "\ndata: ");
    for (i = 0; i < 50; i++)
        big[n++] = 'y';
    n += (size_t)sprintf(big + n, "\n\nid: 3\ndata: after\n\n");
    for (i = 0; i < n; i += 7)
        feed_str(big + i, n - i < 7 ? n - i : 7);
    CHECK_MEM(col.out, col.len, EV("message", "1", "small") EV("message", "3", "after"),
              sizeof(EV("message", "1", "small") EV("message", "3", "after")) - 1);
    CHECK_INT(col.drops, 1);
    CHECK_INT(parser.stats.dropped, 1);
    CHECK_INT(parser.stats.last_dropped_size, 151);
    CHECK_INT(col.last_drop.code, TT_E_LIMIT_SSE_EVENT);
    CHECK(strstr(col.last_drop.msg, "151 bytes") != NULL);
    CHECK(strstr(col.last_drop.msg, "64-byte") != NULL);
    /* the dropped event's id was still committed: a reconnect must not
     * replay it only to drop it again */
    CHECK_STR(parser.last_id, "3");
}

static void test_event_exactly_the_buffer_fits(void)
{
    char in[64];
    size_t n;
    start(8);
    n = (size_t)sprintf(in, "data: 12345678\n\ndata: 123456789\n\n");
    feed_str(in, n);
    CHECK_MEM(col.out, col.len, EV("message", "", "12345678"),
              sizeof(EV("message", "", "12345678")) - 1);
    CHECK_INT(col.drops, 1);
}

static void test_long_type_and_id(void)
{
    static char in[1024];
    size_t n = 0, i;
    start(sizeof evbuf);
    n += (size_t)sprintf(in, "event: ");
    for (i = 0; i < TT_SSE_TYPE_MAX; i++)
        in[n++] = 't';
    n += (size_t)sprintf(in + n, "\ndata: x\n\nid: ");
    for (i = 0; i < TT_SSE_ID_MAX; i++)
        in[n++] = '9';
    n += (size_t)sprintf(in + n, "\ndata: y\n\n");
    feed_str(in, n);
    /* the long type drops its event; the long id is ignored, y arrives */
    CHECK_MEM(col.out, col.len, EV("message", "", "y"), sizeof(EV("message", "", "y")) - 1);
    CHECK_INT(parser.stats.dropped, 1);
    CHECK_INT(parser.stats.ids_too_long, 1);
    CHECK_INT(col.drops, 2);
    CHECK_INT(col.last_drop.code, TT_E_LIMIT_SSE_ID);
}

static void test_long_comment_uses_no_buffer(void)
{
    static char in[100000];
    size_t n = 0;
    start(16);
    in[n++] = ':';
    memset(in + n, 'c', 90000);
    n += 90000;
    n += (size_t)sprintf(in + n, "\nfoo: ");
    memset(in + n, 'u', 5000);
    n += 5000;
    n += (size_t)sprintf(in + n, "\ndata: ok\n\n");
    feed_str(in, n);
    CHECK_MEM(col.out, col.len, EV("message", "", "ok"), sizeof(EV("message", "", "ok")) - 1);
    CHECK_INT(col.drops, 0);
}

static void test_reconnect_discards_partial_event(void)
{
    start(sizeof evbuf);
    feed_str("id: 1\ndata: a\n\nid: 2\ndata: par", 31);
    tt_sse_end_of_stream(&parser);
    CHECK_STR(parser.last_id, "1");
    /* the new connection starts clean, with a BOM allowed again */
    feed_str("\xef\xbb\xbf" "data: b\n\n", 12);
    CHECK_MEM(col.out, col.len, EV("message", "1", "a") EV("message", "1", "b"),
              sizeof(EV("message", "1", "a") EV("message", "1", "b")) - 1);
}

static void test_callback_stop(void)
{
    tt_error e;
    start(sizeof evbuf);
    col.stop_after = 1;
    CHECK_INT(tt_sse_feed(&parser, "data: a\n\ndata: b\n\n", 18, &e), -1);
    CHECK_INT(e.code, TT_E_CANCELLED);
    CHECK_INT(col.seen, 1);
}

static void test_set_last_id(void)
{
    start(sizeof evbuf);
    CHECK_INT(tt_sse_set_last_id(&parser, "42", 2), 0);
    feed_str("data: a\n\n", 9);
    CHECK_MEM(col.out, col.len, EV("message", "42", "a"), sizeof(EV("message", "42", "a")) - 1);
    CHECK_INT(tt_sse_set_last_id(&parser, "a\0b", 3), -1);
}

/* ---- dispatcher --------------------------------------------------------------- */

typedef struct calls {
    char log[512];
    size_t len;
} calls;

static calls clog_;

static void log_call(const char *who, const tt_sse_event *ev)
{
    clog_.len += (size_t)snprintf(clog_.log + clog_.len, sizeof clog_.log - clog_.len,
                                  "%s:%.*s;", who, (int)ev->type_len, ev->type);
}

static int h_first(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)doc; (void)err;
    log_call("first", ev);
    return 0;
}

static int h_fails(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)doc;
    log_call("fails", ev);
    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL, "handler says no");
}

static int h_third(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)err;
    log_call("third", ev);
    if (doc != NULL && tt_json_type_of(doc, 0) == TT_JSON_OBJECT)
        log_call("json", ev);
    return 0;
}

static int h_default(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)doc; (void)err;
    log_call("default", ev);
    return 0;
}

static int reports;
static tt_error last_report;

static void on_report(void *user, const tt_sse_event *ev, const tt_error *why)
{
    (void)user; (void)ev;
    reports++;
    last_report = *why;
}

static int verify_no_evil(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)doc;
    if (ev->data_len >= 4 && memcmp(ev->data, "evil", 4) == 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL, "bad signature");
    return 0;
}

static tt_sse_dispatch disp;

static void feed_dispatch(const char *s)
{
    tt_error e;
    tt_sse_init(&parser, evbuf, sizeof evbuf, tt_sse_dispatch_event, NULL, &disp);
    tt_sse_feed(&parser, s, strlen(s), &e);
}

static void test_dispatch_order_and_errors(void)
{
    tt_error e;
    memset(&clog_, 0, sizeof clog_);
    reports = 0;
    tt_sse_dispatch_init(&disp);
    disp.report = on_report;
    CHECK_INT(tt_sse_on(&disp, "vm", h_first, NULL, &e), 0);
    CHECK_INT(tt_sse_on(&disp, "vm", h_fails, NULL, &e), 0);
    CHECK_INT(tt_sse_on(&disp, "vm", h_third, NULL, &e), 0);
    CHECK_INT(tt_sse_on(&disp, "other", h_first, NULL, &e), 0);
    feed_dispatch("event: vm\ndata: 1\n\nevent: nobody\ndata: 2\n\nevent: other\ndata: 3\n\n");
    CHECK_STR(clog_.log, "first:vm;fails:vm;third:vm;first:other;");
    CHECK_INT(reports, 1);
    CHECK_STR(last_report.msg, "handler says no");
    CHECK_INT(disp.stats.handler_errors, 1);
    CHECK_INT(disp.stats.unhandled, 1);
    CHECK_INT(disp.stats.delivered, 2);
    /* now with a default handler */
    CHECK_INT(tt_sse_on(&disp, NULL, h_default, NULL, &e), 0);
    memset(&clog_, 0, sizeof clog_);
    feed_dispatch("event: nobody\ndata: 2\n\ndata: 3\n\n");
    CHECK_STR(clog_.log, "default:nobody;default:message;");
}

static void test_dispatch_json_and_verifier(void)
{
    static tt_json doc;
    tt_error e;
    memset(&clog_, 0, sizeof clog_);
    reports = 0;
    tt_sse_dispatch_init(&disp);
    disp.report = on_report;
    disp.verify = verify_no_evil;
    tt_sse_decode_json(&disp, &doc);
    CHECK_INT(tt_sse_on(&disp, "vm", h_third, NULL, &e), 0);
    feed_dispatch("event: vm\ndata: {\"a\": 1}\n\nevent: vm\ndata: {bad\n\n"
                  "event: vm\ndata: \"evil\"\n\nevent: vm\ndata: [1]\n\n");
    /* {bad is reported and skipped; "evil" in quotes passes the verifier */
    CHECK_STR(clog_.log, "third:vm;json:vm;third:vm;third:vm;");
    CHECK_INT(disp.stats.bad_json, 1);
    CHECK_INT(disp.stats.rejected, 0); /* "evil" quoted is JSON; data starts with a quote */
    memset(&clog_, 0, sizeof clog_);
    tt_sse_decode_json(&disp, NULL);
    feed_dispatch("event: vm\ndata: evil data\n\nevent: vm\ndata: fine\n\n");
    CHECK_STR(clog_.log, "third:vm;");
    CHECK_INT(disp.stats.rejected, 1);
    CHECK_INT(last_report.code, TT_E_SSE_REJECTED);
    CHECK_STR(last_report.msg, "bad signature");
}

static int h_nop(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)ev; (void)doc; (void)err;
    return 0;
}

static void test_dispatch_handler_limit(void)
{
    tt_error e;
    size_t i;
    tt_sse_dispatch_init(&disp);
    for (i = 0; i < TT_SSE_HANDLERS_MAX; i++)
        CHECK_INT(tt_sse_on(&disp, "t", h_nop, NULL, &e), 0);
    CHECK_INT(tt_sse_on(&disp, "t", h_nop, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_SSE_HANDLERS);
}

/* ---- the engine on the fake clock --------------------------------------------------- */

static tt_sse_stream stream;

typedef struct trace {
    tt_sse_state to[64];
    int64_t delay[64];
    int64_t at[64];
    tt_errcode why[64];
    int n;
    int stop_at;          /* stop the engine at this many transitions */
    int polls;
    int auth_calls;
    int same;             /* from == to reports: the failed polls */
    tt_errcode same_why;
} trace;

static trace tr;

static void on_state(void *user, tt_sse_state from, tt_sse_state to, int64_t delay,
                     const tt_error *why)
{
    trace *t = user;
    if (from == to) { /* a poll failure report */
        t->same++;
        t->same_why = why != NULL ? why->code : TT_E_OK;
        return;
    }
    if (t->n < 64) {
        t->to[t->n] = to;
        t->delay[t->n] = delay;
        t->at[t->n] = mock.now;
        t->why[t->n] = why != NULL ? why->code : TT_E_OK;
    }
    t->n++;
    if (t->stop_at > 0 && t->n >= t->stop_at)
        tt_sse_stop(&stream);
}

static int on_poll(void *user, tt_error *err)
{
    trace *t = user;
    (void)err;
    t->polls++;
    return 0;
}

static const char stream_head[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n\r\n";

static char scripts[8][512];

static tt_mock_script *add_text(int k, const char *body)
{
    snprintf(scripts[k], sizeof scripts[k], "%s", body);
    return tt_mock_add(&mock, scripts[k], strlen(scripts[k]));
}

static tt_mock_script *add_stream(int k, const char *events)
{
    snprintf(scripts[k], sizeof scripts[k], "%s%s", stream_head, events);
    return tt_mock_add(&mock, scripts[k], strlen(scripts[k]));
}

static tt_sse_parser *engine_parser; /* what the next run reads events with */

/* The one engine fixture: the client over the mock as the test scripted
 * it, every state change traced into tr, events read by p (set up with
 * the sink the test checks). */
static void engine_start(tt_sse_config *cfg, tt_sse_parser *p)
{
    tt_client_init(&client, &port, NULL, NULL);
    memset(&tr, 0, sizeof tr);
    engine_parser = p;
    tt_sse_config_default(cfg);
    cfg->url = "http://ctl.example/api/v1/events";
    cfg->on_state = on_state;
    cfg->user = &tr;
}

/* The engine reading into the collector the vectors use. */
static void engine_setup(tt_sse_config *cfg)
{
    memset(&col, 0, sizeof col);
    tt_sse_init(&parser, evbuf, sizeof evbuf, on_event, on_drop, &col);
    engine_start(cfg, &parser);
}

static int run_engine(const tt_sse_config *cfg, tt_error *e)
{
    if (tt_sse_stream_init(&stream, &client, engine_parser, cfg, e) != 0)
        return -2;
    return tt_sse_stream_run(&stream, e);
}

/* The k-th request the client wrote (0-based), NUL-terminated into buf. */
static const char *request_n(int k, char *buf, size_t cap)
{
    const char *w = (const char *)mock.written, *p = w, *end = w + mock.written_len;
    int i;
    for (i = 0; i < k && p < end; i++) {
        const char *q = strstr(p, "\r\n\r\n");
        if (q == NULL)
            return "";
        p = q + 4;
    }
    snprintf(buf, cap, "%.*s", (int)(end - p), p);
    *strstr(buf, "\r\n\r\n") = '\0';
    return buf;
}

static void test_engine_request_and_replay(void)
{
    tt_sse_config cfg;
    tt_error e;
    char req[1024];
    tt_header auth = { "Authorization", "Bearer t0k3n" };
    fresh();
    engine_setup(&cfg);
    cfg.headers = &auth;
    cfg.nheaders = 1;
    add_stream(0, "id: 1\ndata: a\n\nid: 2\ndata: b\n\nid: 3\ndata: cut");
    add_stream(1, "id: 3\ndata: c\n\n");
    add_text(2, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_MEM(col.out, col.len, EV("message", "1", "a") EV("message", "2", "b")
              EV("message", "3", "c"),
              sizeof(EV("message", "1", "a") EV("message", "2", "b") EV("message", "3", "c")) - 1);
    request_n(0, req, sizeof req);
    CHECK(strncmp(req, "GET /api/v1/events HTTP/1.1\r\n", 29) == 0);
    CHECK(strstr(req, "\r\nAccept: text/event-stream") != NULL);
    CHECK(strstr(req, "\r\nCache-Control: no-cache") != NULL);
    CHECK(strstr(req, "\r\nAuthorization: Bearer t0k3n") != NULL);
    CHECK(strstr(req, "Last-Event-ID") == NULL);
    request_n(1, req, sizeof req);
    CHECK(strstr(req, "\r\nLast-Event-ID: 2\r\n") != NULL || strstr(req, "\r\nLast-Event-ID: 2") != NULL);
    request_n(2, req, sizeof req);
    CHECK(strstr(req, "\r\nLast-Event-ID: 3") != NULL);
    CHECK_INT(tr.to[tr.n - 1], TT_SSE_STOPPED);
    CHECK_INT(stream.stats.opened, 2);
}

static void test_engine_backoff_sequence(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i, k = 0;
    int64_t expect = 1000;
    fresh();
    engine_setup(&cfg);
    for (i = 0; i < 9; i++)
        tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    add_text(0, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    /* CONNECTING, BACKOFF pairs: each delay within +-25 % of 1, 2, 4, ... 60 s */
    for (i = 0; i < tr.n && i < 64; i++) {
        if (tr.to[i] != TT_SSE_BACKOFF)
            continue;
        if (tr.delay[i] < expect * 3 / 4 || tr.delay[i] > expect * 5 / 4) {
            tt_test_fail(__FILE__, __LINE__, "backoff %d: %lld ms, want %lld +-25%%", k,
                         (long long)tr.delay[i], (long long)expect);
            return;
        }
        CHECK_INT(tr.why[i], TT_E_CONNECT_REFUSED);
        expect = expect * 2 > 60000 ? 60000 : expect * 2;
        k++;
    }
    CHECK_INT(k, 9);
    CHECK_INT(stream.stats.attempts, 10);
}

static void test_engine_jitter_bounds(void)
{
    tt_sse_config cfg;
    tt_error e;
    fresh();
    engine_setup(&cfg);
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), 0);
    CHECK_INT(tt_sse_jitter_ms(&stream, 1000, 0), 750);
    CHECK_INT(tt_sse_jitter_ms(&stream, 1000, 65535), 1250);
    CHECK_INT(tt_sse_jitter_ms(&stream, 1000, 32768), 1000);
    CHECK_INT(tt_sse_backoff_ms(&stream, 0), 1000);
    CHECK_INT(tt_sse_backoff_ms(&stream, 5), 32000);
    CHECK_INT(tt_sse_backoff_ms(&stream, 6), 60000);
    CHECK_INT(tt_sse_backoff_ms(&stream, 1000), 60000);
    cfg.jitter_pct = 0;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), 0);
    CHECK_INT(tt_sse_jitter_ms(&stream, 1000, 12345), 1000);
}

/* A configuration that cannot work is refused before anything runs. */
static void test_engine_config_refused(void)
{
    tt_sse_config cfg;
    tt_error e;
    tt_header h[TT_SSE_HEADERS_MAX + 1];
    fresh();
    engine_setup(&cfg);
    cfg.url = NULL;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, NULL, &e), -1);
    engine_setup(&cfg);
    memset(h, 0, sizeof h);
    cfg.headers = h;
    cfg.nheaders = TT_SSE_HEADERS_MAX + 1;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), -1);
    engine_setup(&cfg);
    cfg.backoff_max_ms = cfg.backoff_base_ms - 1;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), -1);
    engine_setup(&cfg);
    cfg.jitter_pct = 101;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), -1);
    engine_setup(&cfg);
    cfg.backoff_base_ms = -1;
    CHECK_INT(tt_sse_stream_init(&stream, &client, &parser, &cfg, &e), -1);
    CHECK_STR(tt_sse_state_name(TT_SSE_POLLING), "polling");
    CHECK_STR(tt_sse_state_name((tt_sse_state)42), "unknown");
}

/* Content types as servers spell them: case, parameters, whitespace; a
 * longer type is not the event-stream type. 408 and a 3xx are retried. */
static void test_engine_content_type_spellings(void)
{
    static const struct { const char *ct; int ok; } cases[] = {
        { "text/event-stream", 1 }, { "Text/Event-Stream; charset=utf-8", 1 },
        { "text/event-stream ;x=1", 1 }, { "text/event-stream\t", 1 },
        { "text/event-streams", 0 }, { "text/event", 0 },
    };
    tt_sse_config cfg;
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        static char resp[256];
        int opened;
        fresh();
        engine_setup(&cfg);
        snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\ndata: x\n\n",
                 cases[i].ct);
        add_text(0, resp);
        add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
        CHECK_INT(run_engine(&cfg, &e), 0);
        opened = (int)stream.stats.opened;
        if (opened != cases[i].ok) {
            tt_test_fail(__FILE__, __LINE__, "'%s': opened %d", cases[i].ct, opened);
            return;
        }
    }
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
    add_text(1, "HTTP/1.1 304 Not Modified\r\n\r\n");
    add_text(2, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.attempts, 3);
}

static int silent_fail(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)ev; (void)doc; (void)err;
    return -1;                              /* fails without saying why */
}

static int silent_reject(void *user, const tt_sse_event *ev, const tt_json *doc, tt_error *err)
{
    (void)user; (void)doc; (void)err;
    return ev->data_len > 0 && ev->data[0] == 'r' ? -1 : 0;
}

static int report_count;

static void count_report(void *user, const tt_sse_event *ev, const tt_error *why)
{
    (void)user; (void)ev;
    if (why->msg[0] != '\0')
        report_count++;
}

/* The dispatcher without a report callback, handlers and verifiers that
 * fail without an error, and types that share a prefix. */
static void test_dispatch_corners(void)
{
    static const char text[] = "event: up\ndata: a\n\nevent: update\ndata: b\n\n"
                               "event: up\ndata: rejected\n\n";
    static char buf[256];
    tt_sse_dispatch d;
    tt_sse_parser p;
    tt_error e;
    tt_sse_dispatch_init(&d);
    CHECK_INT(tt_sse_on(&d, "up", silent_fail, NULL, &e), 0);
    d.verify = silent_reject;
    tt_sse_init(&p, buf, sizeof buf, tt_sse_dispatch_event, NULL, &d);
    CHECK_INT(tt_sse_feed(&p, text, sizeof text - 1, &e), 0);    /* no report: no crash */
    CHECK_INT(d.stats.handler_errors, 1);
    CHECK_INT(d.stats.unhandled, 1);                              /* "update" is not "up" */
    CHECK_INT(d.stats.rejected, 1);
    report_count = 0;
    d.report = count_report;
    CHECK_INT(tt_sse_feed(&p, text, sizeof text - 1, &e), 0);
    CHECK_INT(report_count, 2);                                   /* each with a message */
}

static void test_engine_healthy_resets_backoff(void)
{
    tt_sse_config cfg;
    tt_error e;
    tt_mock_script *s;
    int i, nb = 0;
    int64_t delays[8];
    fresh();
    engine_setup(&cfg);
    cfg.jitter_pct = 0;
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);   /* 1 s */
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);   /* 2 s */
    s = add_stream(0, "data: a\n\n");                /* open 40 s: healthy */
    s->stall_at = s->len;                            /* silent for 40 s, then closed */
    s->stall_ms = 40000;
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);   /* back to 1 s after the reset */
    add_stream(1, "data: b\n\n");                    /* short-lived: no reset */
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    add_text(2, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n && i < 64; i++)
        if (tr.to[i] == TT_SSE_BACKOFF && nb < 8)
            delays[nb++] = tr.delay[i];
    CHECK_INT(nb, 6);
    CHECK_INT(delays[0], 1000);
    CHECK_INT(delays[1], 2000);
    CHECK_INT(delays[2], 1000);   /* after the healthy stream */
    CHECK_INT(delays[3], 2000);
    CHECK_INT(delays[4], 4000);   /* the short stream did not reset */
    CHECK_INT(delays[5], 8000);
}

static void test_engine_retry_field_sets_base(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i, nb = 0;
    int64_t delays[4];
    fresh();
    engine_setup(&cfg);
    cfg.jitter_pct = 0;
    add_stream(0, "retry: 250\ndata: a\n\n");
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n && i < 64; i++)
        if (tr.to[i] == TT_SSE_BACKOFF && nb < 4)
            delays[nb++] = tr.delay[i];
    CHECK_INT(nb, 2);
    CHECK_INT(delays[0], 250);
    CHECK_INT(delays[1], 500);
}

static void test_engine_retry_after(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i;
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n");
    add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n; i++)
        if (tr.to[i] == TT_SSE_BACKOFF)
            break;
    CHECK(i < tr.n);
    CHECK_INT(tr.delay[i], 7000);
    CHECK_INT(tr.why[i], TT_E_HTTP_STATUS);
}

/* A Retry-After of a day is honoured only up to the longest backoff. */
static void test_engine_retry_after_capped(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i;
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 429 Slow Down\r\nRetry-After: 86400\r\nContent-Length: 0\r\n\r\n");
    add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n; i++)
        if (tr.to[i] == TT_SSE_BACKOFF)
            break;
    CHECK(i < tr.n);
    CHECK_INT(tr.delay[i], cfg.backoff_max_ms);
}

static void test_engine_5xx_and_content_type_retry(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i, nb = 0;
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    add_text(1, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello");
    add_text(2, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n; i++)
        if (tr.to[i] == TT_SSE_BACKOFF)
            nb++;
    CHECK_INT(nb, 2);
    CHECK_INT(stream.stats.attempts, 3);
}

static void test_engine_permanent_statuses(void)
{
    static const char *const answers[] = {
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
    };
    static const int statuses[] = { 403, 404, 400 };
    size_t k;
    for (k = 0; k < TT_COUNT(answers); k++) {
        tt_sse_config cfg;
        tt_error e;
        fresh();
        engine_setup(&cfg);
        add_text(0, answers[k]);
        add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
        CHECK_INT(run_engine(&cfg, &e), -1);
        CHECK_INT(e.cls, TT_ERR_HTTP);
        CHECK_INT(e.http_status, statuses[k]);
        CHECK_INT(stream.stats.attempts, 1);
        CHECK_INT(tr.to[tr.n - 1], TT_SSE_STOPPED);
    }
}

static void test_engine_204_stops(void)
{
    tt_sse_config cfg;
    tt_error e;
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 204 No Content\r\n\r\n");
    add_stream(1, "data: never\n\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.attempts, 1);
    CHECK_INT(col.seen, 0);
}

static int auth_once(void *user, const tt_error *why)
{
    trace *t = user;
    (void)why;
    return ++t->auth_calls == 1;
}

static void test_engine_401_swap_then_stop(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i;
    fresh();
    engine_setup(&cfg);
    cfg.on_auth = auth_once;
    add_text(0, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    add_stream(1, "data: in\n\n");
    add_text(2, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK_INT(tr.auth_calls, 2);
    CHECK_INT(col.seen, 1);
    /* the retry after the first 401 waited nothing */
    for (i = 0; i < tr.n; i++)
        if (tr.to[i] == TT_SSE_BACKOFF)
            break;
    CHECK_INT(tr.delay[i], 0);
    /* without a callback, 401 is permanent */
    fresh();
    engine_setup(&cfg);
    add_text(0, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), -1);
    CHECK_INT(stream.stats.attempts, 1);
}

static void test_engine_idle_timeout(void)
{
    tt_sse_config cfg;
    tt_error e;
    tt_mock_script *s;
    int i;
    fresh();
    engine_setup(&cfg);
    cfg.idle_timeout_ms = 90000;
    s = add_stream(0, "data: a\n\n");
    s->hold_open = 1;                     /* then silence */
    add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(col.seen, 1);
    for (i = 0; i < tr.n; i++)
        if (tr.to[i] == TT_SSE_BACKOFF)
            break;
    CHECK(i < tr.n);
    CHECK_INT(tr.why[i], TT_E_IDLE_TIMEOUT);
    /* the backoff began 90 s after the stream opened */
    CHECK_INT(tr.at[i] - tr.at[i - 1], 90000);
}

static void test_engine_polling_fallback(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i, polling_at = -1, connected_after = -1;
    fresh();
    engine_setup(&cfg);
    cfg.poll = on_poll;
    cfg.jitter_pct = 0;
    for (i = 0; i < 14; i++)
        tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    add_stream(0, "data: back\n\n");
    add_text(1, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    for (i = 0; i < tr.n && i < 64; i++) {
        if (tr.to[i] == TT_SSE_POLLING && polling_at < 0)
            polling_at = i;
        if (polling_at >= 0 && tr.to[i] == TT_SSE_CONNECTED && connected_after < 0)
            connected_after = i;
    }
    CHECK(polling_at > 0);
    /* polling began once the stream had been down 5 minutes, not before */
    CHECK(tr.at[polling_at] - 1000000 >= 300000);
    for (i = 0; i < polling_at; i++)
        CHECK(tr.to[i] != TT_SSE_POLLING);
    CHECK(tr.polls >= 2);
    /* the stream came back and polling stopped */
    CHECK(connected_after > polling_at);
    CHECK_INT(col.seen, 1);
    CHECK(!stream.polling);
    /* polls were a minute apart: between 5:00 and the end, about one a minute */
    {
        int64_t span = mock.now - tr.at[polling_at];
        CHECK(tr.polls <= (int)(span / 60000) + 2);
    }
}

static int slow_poll(void *user, tt_error *err)
{
    trace *t = user;
    (void)err;
    t->polls++;
    mock.now += 100000;   /* the poll takes longer than the poll interval */
    return 0;
}

static void test_engine_slow_poll_does_not_starve(void)
{
    tt_sse_config cfg;
    tt_error e;
    fresh();
    engine_setup(&cfg);
    cfg.poll = slow_poll;
    cfg.poll_after_ms = 0;
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    add_text(0, "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.attempts, 3);
    CHECK(tr.polls >= 1 && tr.polls <= 3);
}

static void test_engine_stop_is_prompt(void)
{
    tt_sse_config cfg;
    tt_error e;
    fresh();
    engine_setup(&cfg);
    /* CONNECTING, CONNECTED, the idle timeout's BACKOFF: a stop there ends
     * the run without a second attempt (a stop while the stream is open:
     * engine_stop_from_an_event_with_an_outside_flag) */
    tr.stop_at = 3;
    {
        tt_mock_script *s = add_stream(0, "data: a\n\n");
        s->hold_open = 1;
    }
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(tr.to[tr.n - 1], TT_SSE_STOPPED);
    CHECK_INT(stream.stats.attempts, 1);
}

static void test_engine_bad_config(void)
{
    tt_sse_config cfg;
    tt_error e;
    fresh();
    engine_setup(&cfg);
    cfg.url = NULL;
    CHECK_INT(run_engine(&cfg, &e), -2);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    engine_setup(&cfg);
    cfg.url = "ftp://x/";
    CHECK_INT(run_engine(&cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

#if UNIT_FULL_ENGINE
/* ---- edges of the parser and the dispatcher ---- */

static tt_sse_parser sp;
static char sbuf[64];

typedef struct sserec {
    int events;
    char data[128];
    char id[TT_SSE_ID_MAX];
    int stop_stream;      /* stop the engine from inside the callback */
    int fail;             /* the callback fails */
} sserec;

static int sse_record(void *user, const tt_sse_event *ev, tt_error *err)
{
    sserec *r = user;
    r->events++;
    snprintf(r->data, sizeof r->data, "%.*s", (int)ev->data_len, ev->data);
    snprintf(r->id, sizeof r->id, "%.*s", (int)ev->id_len, ev->id);
    if (r->stop_stream)
        tt_sse_stop(&stream);
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

/* ---- edges of the engine ---- */

static sserec er;

/* A fresh mock, the recording parser, and exact delays (no jitter). */
static void edge_setup(tt_sse_config *cfg)
{
    fresh();
    memset(&er, 0, sizeof er);
    tt_sse_init(&sp, sbuf, sizeof sbuf, sse_record, NULL, &er);
    engine_start(cfg, &sp);
    cfg->jitter_pct = 0;
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
    for (i = from; i < tr.n && i < (int)TT_COUNT(tr.to); i++)
        if (tr.to[i] == to)
            return i;
    return -1;
}

static void test_engine_handler_error_ends_the_run(void)
{
    tt_sse_config cfg;
    tt_error e;
    edge_setup(&cfg);
    cfg.on_state = NULL;
    er.fail = 1;
    engine_serve(SSE_HEAD("text/event-stream") "data: a\n\ndata: b\n\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), -1);
    CHECK_STR(e.msg, "handler says no");
    CHECK_INT(er.events, 1);
    CHECK_INT(stream.stats.attempts, 1);
    CHECK_INT(stream.state, TT_SSE_STOPPED);
}

static void test_engine_stop_from_an_event_with_an_outside_flag(void)
{
    static volatile sig_atomic_t flag;
    tt_sse_config cfg;
    tt_error e;
    edge_setup(&cfg);
    flag = 0;
    cfg.cancel = &flag;
    er.stop_stream = 1;
    /* the server keeps the stream open: only the stop ends the run */
    tt_mock_add(&mock, SSE_HEAD("text/event-stream") "data: a\n\n",
                strlen(SSE_HEAD("text/event-stream") "data: a\n\n"))->hold_open = 1;
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(flag, 1);
    CHECK_INT(er.events, 1);
    CHECK_INT(mock.now, 1000000);  /* no idle timeout was waited out */
    CHECK_INT(mock.hung, 0);
    CHECK_INT(stream.stats.attempts, 1);
    CHECK(tr.n > 0 && tr.n <= (int)TT_COUNT(tr.to));
    CHECK_INT(tr.to[tr.n - 1], TT_SSE_STOPPED);
    CHECK_INT(state_at(TT_SSE_BACKOFF, 0), -1);
}

static void test_engine_content_type_with_blank_before_params(void)
{
    tt_sse_config cfg;
    tt_error e;
    edge_setup(&cfg);
    engine_serve(SSE_HEAD("text/event-stream ;charset=utf-8") "data: a\n\n");
    engine_serve(SSE_HEAD("Text/Event-Stream\t;x=y") "data: b\n\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.opened, 2);
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
    edge_setup(&cfg);
    cfg.poll = failing_poll;
    cfg.poll_after_ms = 0;
    cfg.poll_interval_ms = 400;   /* shorter than the backoff: polls in between */
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.polls, 3);  /* at 0, 400 and 800 ms of a 1000 ms wait */
    CHECK_INT(tr.same, 3);
    CHECK_INT(tr.same_why, TT_E_HTTP_STATUS);
    CHECK(state_at(TT_SSE_POLLING, 0) >= 0);
    /* without a state hook nothing is called; the run goes on */
    edge_setup(&cfg);
    cfg.poll = failing_poll;
    cfg.poll_after_ms = 0;
    cfg.on_state = NULL;
    tt_mock_add_fail(&mock, TT_PORT_EREFUSED);
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    CHECK_INT(stream.stats.polls, 1);
}

static void test_engine_429_without_retry_after_backs_off(void)
{
    tt_sse_config cfg;
    tt_error e;
    int i;
    edge_setup(&cfg);
    engine_serve("HTTP/1.1 429 Too Many\r\nContent-Length: 0\r\n\r\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    i = state_at(TT_SSE_BACKOFF, 0);
    CHECK(i >= 0);
    CHECK_INT(tr.delay[i], cfg.backoff_base_ms);
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
    edge_setup(&cfg);
    cfg.on_auth = always_renew;
    engine_serve("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    engine_serve("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    engine_serve(NO_CONTENT);
    CHECK_INT(run_engine(&cfg, &e), 0);
    first = state_at(TT_SSE_BACKOFF, 0);
    CHECK(first >= 0);
    second = state_at(TT_SSE_BACKOFF, first + 1);
    CHECK(second >= 0);
    CHECK_INT(tr.delay[first], 0);
    CHECK_INT(tr.delay[second], cfg.backoff_base_ms);
    CHECK_INT(stream.stats.attempts, 3);
}
#endif

void suite_sse(void)
{
    static const tt_test tests[] = {
        { "vectors", test_vectors },
        { "large_event_dropped_stream_goes_on", test_large_event_dropped_stream_goes_on },
        { "event_exactly_the_buffer_fits", test_event_exactly_the_buffer_fits },
        { "long_type_and_id", test_long_type_and_id },
        { "long_comment_uses_no_buffer", test_long_comment_uses_no_buffer },
        { "reconnect_discards_partial_event", test_reconnect_discards_partial_event },
        { "callback_stop", test_callback_stop },
        { "set_last_id", test_set_last_id },
        { "dispatch_order_and_errors", test_dispatch_order_and_errors },
        { "dispatch_json_and_verifier", test_dispatch_json_and_verifier },
        { "dispatch_handler_limit", test_dispatch_handler_limit },
        { "engine_request_and_replay", test_engine_request_and_replay },
        { "engine_backoff_sequence", test_engine_backoff_sequence },
        { "engine_jitter_bounds", test_engine_jitter_bounds },
        { "engine_healthy_resets_backoff", test_engine_healthy_resets_backoff },
        { "engine_retry_field_sets_base", test_engine_retry_field_sets_base },
        { "engine_retry_after", test_engine_retry_after },
        { "engine_retry_after_capped", test_engine_retry_after_capped },
        { "engine_config_refused", test_engine_config_refused },
        { "dispatch_corners", test_dispatch_corners },
        { "engine_content_type_spellings", test_engine_content_type_spellings },
        { "engine_5xx_and_content_type_retry", test_engine_5xx_and_content_type_retry },
        { "engine_permanent_statuses", test_engine_permanent_statuses },
        { "engine_204_stops", test_engine_204_stops },
        { "engine_401_swap_then_stop", test_engine_401_swap_then_stop },
        { "engine_idle_timeout", test_engine_idle_timeout },
        { "engine_polling_fallback", test_engine_polling_fallback },
        { "engine_slow_poll_does_not_starve", test_engine_slow_poll_does_not_starve },
        { "engine_stop_is_prompt", test_engine_stop_is_prompt },
        { "engine_bad_config", test_engine_bad_config },
#if UNIT_FULL_ENGINE
        { "sse_set_last_id_refuses_long_and_nul", test_sse_set_last_id_refuses_long_and_nul },
        { "sse_without_callbacks_counts_events_and_drops",
          test_sse_without_callbacks_counts_events_and_drops },
        { "sse_near_miss_field_names_and_huge_retry",
          test_sse_near_miss_field_names_and_huge_retry },
        { "sse_bom_only_when_exactly_the_bom", test_sse_bom_only_when_exactly_the_bom },
        { "sse_utf8_lead_bytes_with_narrow_ranges", test_sse_utf8_lead_bytes_with_narrow_ranges },
        { "dispatch_type_of_equal_length_is_not_a_match",
          test_dispatch_type_of_equal_length_is_not_a_match },
        { "engine_handler_error_ends_the_run", test_engine_handler_error_ends_the_run },
        { "engine_stop_from_an_event_with_an_outside_flag",
          test_engine_stop_from_an_event_with_an_outside_flag },
        { "engine_content_type_with_blank_before_params",
          test_engine_content_type_with_blank_before_params },
        { "engine_failed_poll_is_reported_in_place", test_engine_failed_poll_is_reported_in_place },
        { "engine_429_without_retry_after_backs_off",
          test_engine_429_without_retry_after_backs_off },
        { "engine_second_401_in_a_row_backs_off", test_engine_second_401_in_a_row_backs_off },
#endif
    };
    tt_run_suite("sse", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
