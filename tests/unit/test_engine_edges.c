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
