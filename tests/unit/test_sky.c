/*
 * SkyPilot (core/api/skypilot.c): settings from the environment, arguments
 * refused, request states and results, error texts, waiting on a request.
 * The client runs over the mock port (fixture.h) with scripted answers;
 * each test checks what came back and what went out on the wire.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#include "fixture.h"
#include "tether/skypilot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- settings, arguments, request states, waiting ---- */

static void test_sky_environment(void)
{
    tt_sky_config cfg;
    tt_error e;
    static const struct { const char *v; long long ms; } times[] = {
        { "2", 2000 }, { "1.5s", 1500 }, { "2m", 120000 }, { "1h", 3600000 },
        { "0", -1 }, { "-3", -1 }, { "x", -1 }, { "5d", -1 }, { "nan", -1 },
        { "inf", -1 }, { "1e300", -1 }
    };
    size_t i;
    memset(&cfg, 0, sizeof cfg);
    setenv("SKYPILOT_API_SERVER_ENDPOINT", "http://e.test:1", 1);
    unsetenv("SKYPILOT_API_SERVER_URL");
    setenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN", "sky_env", 1);
    setenv("SKYPILOT_MAX_RETRIES", "7", 1);
    unsetenv("SKYPILOT_REQUEST_TIMEOUT");
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), 0);
    CHECK_STR(cfg.url, "http://e.test:1");
    CHECK_STR(cfg.token, "sky_env");
    CHECK_INT(cfg.max_retries, 7);
    setenv("SKYPILOT_API_SERVER_URL", "http://u.test:2", 1); /* wins over _ENDPOINT */
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), 0);
    CHECK_STR(cfg.url, "http://u.test:2");
    for (i = 0; i < TT_COUNT(times); i++) {
        cfg.timeout_ms = 0;
        setenv("SKYPILOT_REQUEST_TIMEOUT", times[i].v, 1);
        if (times[i].ms < 0) {
            CHECK_INT(tt_sky_config_from_env(&cfg, &e), -1);
            CHECK_INT(e.cls, TT_ERR_USAGE);
        } else {
            CHECK_INT(tt_sky_config_from_env(&cfg, &e), 0);
            CHECK_INT(cfg.timeout_ms, times[i].ms);
        }
    }
    unsetenv("SKYPILOT_REQUEST_TIMEOUT");
    setenv("SKYPILOT_MAX_RETRIES", "101", 1);
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), -1);
    setenv("SKYPILOT_MAX_RETRIES", "3x", 1);
    CHECK_INT(tt_sky_config_from_env(&cfg, &e), -1);
    unsetenv("SKYPILOT_MAX_RETRIES");
    unsetenv("SKYPILOT_API_SERVER_URL");
    unsetenv("SKYPILOT_API_SERVER_ENDPOINT");
    unsetenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN");
}

static void test_sky_refuses_bad_arguments(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    char id[64];
    tt_error e;
    serve_once(200, NULL);
    sky_open();
    memset(&q, 0, sizeof q);
    CHECK_REFUSED(tt_sky_launch(&sky, &q, id, sizeof id, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    q.cluster_name = "c";
    CHECK_REFUSED(tt_sky_launch(&sky, &q, id, sizeof id, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_sky_down(&sky, "", 0, id, sizeof id, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_sky_exec(&sky, "c", NULL, id, sizeof id, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_sky_get_request(&sky, "", &r, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_sky_request_status(&sky, NULL, &r, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_sky_close(&sky);
}

/* Request states the server may send, as the client reads them: the
 * list /api/status answers, and /api/get's payload with its error, the
 * JSON SkyPilot nests in a string. */
static void test_sky_request_states(void)
{
    static const struct { const char *json; tt_sky_status_kind kind; } listed[] = {
        { "[{\"request_id\":\"r\",\"name\":\"sky.launch\",\"status\":\"WAITING\"}]", TT_SKY_RUNNING },
        { "[{\"request_id\":\"r\",\"name\":\"sky.launch\",\"status\":\"LOST\"}]", TT_SKY_UNKNOWN },
        { "[{\"request_id\":\"r\",\"status\":\"SUCCEEDED\"},{\"request_id\":\"r2\",\"status\":"
          "\"FAILED\"}]", TT_SKY_SUCCEEDED },
    };
    static const struct { const char *json; const char *type, *error; } failed[] = {
        { "{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"FAILED\",\"error\":\"{\\\"object\\\":"
          " \\\"gASV\\\", \\\"type\\\": \\\"ValueError\\\", \\\"message\\\": \\\"no capacity\\\"}\"}",
          "ValueError", "no capacity" },
        { "{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"FAILED\",\"error\":\"plain words\"}",
          "", "plain words" },
        { "{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"FAILED\",\"error\":\"null\"}", "", "" },
    };
    tt_sky_request r;
    tt_error e;
    size_t i;
    for (i = 0; i < TT_COUNT(listed); i++) {
        serve_once(200, listed[i].json);
        sky_open();
        memset(&r, 0, sizeof r);
        CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), 0);
        CHECK_INT(r.kind, listed[i].kind);
        CHECK_STR(r.request_id, "r");
        tt_sky_close(&sky);
    }
    for (i = 0; i < TT_COUNT(failed); i++) {
        serve_once(200, failed[i].json);
        sky_open();
        memset(&r, 0, sizeof r);
        CHECK_INT(tt_sky_get_request(&sky, "r", &r, &e), -1);
        CHECK_INT(e.cls, TT_ERR_API);
        CHECK_INT(r.kind, TT_SKY_FAILED);
        CHECK_STR(r.error_type, failed[i].type);
        CHECK_STR(r.error, failed[i].error);
        tt_sky_close(&sky);
    }
    serve_once(200, "[]");                  /* an id the server does not know */
    sky_open();
    CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "sky.test: request r not found");
    tt_sky_close(&sky);
    serve_once(200, "{\"request_id\":\"r\"}");  /* not the list /api/status answers */
    sky_open();
    CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    tt_sky_close(&sky);
}

/* Answers each request of one connection with the next text. */
static void serve_parts(const char *const *parts, int n)
{
    fresh();
    tt_mock_add_parts(&mock, parts, n);
}

/* Waiting on a SkyPilot request polls on the port's clock: until it ends,
 * until the deadline, and a failure with its message. */
static void test_sky_wait(void)
{
    static const char *const running_then_done[] = {
        JSON200(50) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"RUNNING\"}]",
        JSON200(52) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"SUCCEEDED\"}]",
        JSON200(50) "{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"SUCCEEDED\"}",
    };
    static const char *const always_running[] = {
        JSON200(50) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"RUNNING\"}]",
        JSON200(50) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"RUNNING\"}]",
        JSON200(50) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"RUNNING\"}]",
        JSON200(50) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"RUNNING\"}]",
    };
    static const char *const failed[] = {
        JSON200(49) "[{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"FAILED\"}]",
        JSON200(47) "{\"request_id\":\"r\",\"name\":\"x\",\"status\":\"FAILED\"}",
    };
    tt_sky_request r;
    tt_error e;
    int64_t t0;
    serve_parts(running_then_done, 3);
    sky_open();
    t0 = mock.now;
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_wait(&sky, "r", 0, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    CHECK_INT(mock.now - t0, sky.poll_first_ms);      /* one wait between polls */
    tt_sky_close(&sky);
    serve_parts(always_running, 4);
    sky_open();
    t0 = mock.now;
    CHECK_INT(tt_sky_wait(&sky, "r", t0 + 8000, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(mock.now, t0 + 8000);                   /* never past the deadline */
    tt_sky_close(&sky);
    serve_parts(failed, 2);
    sky_open();
    CHECK_INT(tt_sky_wait(&sky, "r", 0, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "no message") != NULL);
    tt_sky_close(&sky);
}

/* /api/get answers a failed request with 500 {"detail": request}: that is
 * the request's failure, with its message, not a server fault. */
static void test_sky_get_failed_request(void)
{
    tt_sky_request r;
    tt_error e;
    serve_once(500, "{\"detail\":{\"request_id\":\"r9\",\"name\":\"launch\",\"status\":\"FAILED\","
               "\"error\":\"{\\\"message\\\": \\\"quota exceeded\\\"}\"}}");
    sky_open();
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_get_request(&sky, "r9", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "request r9 failed: quota exceeded") != NULL);
    CHECK_INT(mock.connects, 1);                      /* not retried */
    tt_sky_close(&sky);
    serve_once(500, "{\"detail\":\"internal\"}");      /* a plain server error stays one */
    sky_open();
    CHECK_INT(tt_sky_get_request(&sky, "r9", &r, &e), -1);
    CHECK_INT(e.http_status, 500);
    tt_sky_close(&sky);
    serve_once(200, "[]");                                  /* no such request */
    sky_open();
    CHECK_INT(tt_sky_request_status(&sky, "r9", &r, &e), -1);
    CHECK(strstr(e.msg, "not found") != NULL);
    tt_sky_close(&sky);
}

void suite_sky(void)
{
    static const tt_test tests[] = {
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
        { "sky_wait", test_sky_wait },
        { "sky_get_failed_request", test_sky_get_failed_request },
        { "sky_environment", test_sky_environment },
        { "sky_refuses_bad_arguments", test_sky_refuses_bad_arguments },
        { "sky_request_states", test_sky_request_states },
    };
    tt_run_suite("sky", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
