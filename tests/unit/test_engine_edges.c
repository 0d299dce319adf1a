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

/* ---- the suite ------------------------------------------------------------------ */

/* a table entry named after its test function */
#define T(name) { #name, test_##name }

void suite_engine_edges(void)
{
    static const tt_test tests[] = {
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
    };
    tt_run_suite("engine_edges", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
