/*
 * The SkyPilot client against the reference control plane: asynchronous
 * requests and waiting, failures, streamed logs, the retry policy (5xx,
 * 429 with Retry-After, never 4xx), deadlines, and secrets kept out of
 * traces.
 */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"
#include "skypilot.h"

#include <stdio.h>
#include <string.h>

static tt_sky sky;
static char result[4096];
static char trace_log[16384];
static size_t trace_len;

static void trace(void *user, const char *line)
{
    size_t n = strlen(line);
    (void)user;
    if (trace_len + n + 1 < sizeof trace_log) {
        memcpy(trace_log + trace_len, line, n);
        trace_len += n;
        trace_log[trace_len++] = '\n';
        trace_log[trace_len] = '\0';
    }
}

static int start(const char *token, int retries, tt_error *e)
{
    tt_sky_config cfg;
    tt_port port;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", integ_cp_port("SKY"));
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.token = token;
    cfg.max_retries = retries;
    tt_port_posix_init(&port);
    if (tt_sky_init(&sky, &port, &cfg, e) != 0)
        return -1;
    sky.poll_first_ms = 100;
    sky.poll_max_ms = 300;
    sky.api.retry.base_ms = 50;     /* quick retries for the tests */
    sky.client.cfg.log = trace;
    trace_len = 0;
    trace_log[0] = '\0';
    return 0;
}

static int wait_for(const char *id, tt_sky_request *r, tt_error *e)
{
    const tt_port *p = &sky.client.port;
    memset(r, 0, sizeof *r);
    r->result = result;
    r->result_cap = sizeof result;
    return tt_sky_wait(&sky, id, p->ops->now_ms(p->ctx) + 10000, r, e);
}

static const char task_yaml[] = "resources:\n  accelerators: A100:1\nrun: python train.py\n";

static void test_launch_status_down(void)
{
    tt_sky_launch_req q;
    tt_sky_credentials c;
    tt_sky_request r;
    tt_sky_health h;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    const char *names[1] = { "c1" };

    CHECK_INT(integ_cp_admin(integ_cp_port("SKY"), "/_reset", "{}"), 0);
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    CHECK_INT(sky.api.retry.max_retries, 3);
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), 0);
    CHECK_STR(h.status, "healthy");
    CHECK_STR(h.api_version, "27");
    memset(&q, 0, sizeof q);
    memset(&c, 0, sizeof c);
    c.aws_access_key_id = "AKIAEXAMPLE";
    c.aws_secret_access_key = "wJalrSECRETKEY";
    q.cluster_name = "c1";
    q.task_yaml = task_yaml;
    q.credentials = &c;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(strlen(id), 36);
    CHECK_INT(tt_sky_request_status(&sky, id, &r, &e), 0);
    CHECK(r.kind == TT_SKY_PENDING || r.kind == TT_SKY_RUNNING);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    CHECK_STR(r.name, "launch");
    CHECK_STR(result, "[1, \"c1\"]");
    CHECK_INT(tt_sky_status(&sky, names, 1, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK(strstr(result, "\"status\": \"UP\"") != NULL);
    CHECK(strstr(result, "AWS_SECRET_ACCESS_KEY") != NULL); /* the server got them */
    CHECK_INT(tt_sky_exec(&sky, "c1", task_yaml, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_STR(result, "[2, \"c1\"]");
    CHECK_INT(tt_sky_cost_report(&sky, 7, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK(strstr(result, "total_cost") != NULL);
    CHECK_INT(tt_sky_down(&sky, "c1", 0, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    /* neither the token nor the credentials ever reached the trace */
    CHECK(trace_len > 0);
    CHECK(strstr(trace_log, "sky_demo_token") == NULL);
    CHECK(strstr(trace_log, "wJalrSECRETKEY") == NULL);
    CHECK(strstr(trace_log, "AKIAEXAMPLE") == NULL);
    tt_sky_close(&sky);
}

static void test_failed_request(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = "fail-1";
    q.task_yaml = task_yaml;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), -1);
    CHECK_INT(r.kind, TT_SKY_FAILED);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "failed") != NULL);
    /* the whole reason is in the request (the message may be cut by a
     * small TT_ERROR_MSG_MAX) */
    CHECK(strstr(r.error, "no capacity for fail-1") != NULL);
    CHECK_INT(sky.api.stats.retries, 0);       /* a failed request is not retried */
    CHECK_INT(tt_sky_exec(&sky, "nope", task_yaml, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), -1);
    CHECK(strstr(r.error, "Cluster nope does not exist") != NULL);
    CHECK_INT(tt_sky_get_request(&sky, "no-such-id", &r, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    tt_sky_close(&sky);
}

static int count_lines(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    size_t *n = user, i;
    (void)err;
    for (i = 0; i < len; i++)
        *n += data[i] == '\n';
    return 0;
}

static void test_logs_stream(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    size_t lines = 0;
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = "logs";
    q.task_yaml = task_yaml;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_INT(tt_sky_logs(&sky, "logs", 1, 0, 0, count_lines, &lines, &e), 0);
    CHECK_INT(lines, 5);
    CHECK_INT(tt_sky_logs(&sky, "nope", 1, 0, 0, count_lines, &lines, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    tt_sky_close(&sky);
}

static void test_retry_policy(void)
{
    tt_sky_health h;
    tt_error e;
    int port = integ_cp_port("SKY");
    int64_t t0;
    CHECK_INT(start("sky_demo_token", 3, &e), 0);
    /* two 503s, then success: 3 attempts */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 2}"), 0);
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), 0);
    CHECK_INT(sky.api.stats.attempts, 3);
    CHECK_INT(sky.api.stats.retries, 2);
    /* more failures than retries: 1 + 3 attempts, then the error */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 502, \"count\": 9}"), 0);
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), -1);
    CHECK_INT(e.http_status, 502);
    CHECK_INT(sky.api.stats.attempts, 7);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    /* 429 with Retry-After: 1 s is waited */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 429, \"count\": 1, \"retry_after\": 1}"), 0);
    t0 = integ_now_ms();
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), 0);
    CHECK(integ_now_ms() - t0 >= 950);
    CHECK_INT(sky.api.stats.attempts, 9);
    /* a 4xx is never retried */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 400, \"count\": 1}"), 0);
    CHECK_INT(tt_sky_get_health(&sky, &h, &e), -1);
    CHECK_INT(e.http_status, 400);
    CHECK_INT(sky.api.stats.attempts, 10);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    /* a wrong token: 401, typed, not retried */
    CHECK_INT(start("sky_wrong", 3, &e), 0);
    {
        char id[TT_SKY_ID_MAX];
        CHECK_INT(tt_sky_status(&sky, NULL, 0, id, sizeof id, &e), -1);
        CHECK(tt_api_is_unauthorized(&e));
        CHECK_INT(sky.api.stats.attempts, 1);
    }
    /* nothing listening: network errors are retried, then reported */
    {
        tt_sky_config cfg;
        tt_port p;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "http://127.0.0.1:1";
        cfg.max_retries = 2;
        tt_port_posix_init(&p);
        CHECK_INT(tt_sky_init(&sky, &p, &cfg, &e), 0);
        sky.api.retry.base_ms = 10;
        CHECK_INT(tt_sky_get_health(&sky, &h, &e), -1);
        CHECK(tt_error_is_network(&e));
        CHECK_INT(sky.api.stats.attempts, 3);
    }
}

static void test_wait_deadline(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    const tt_port *p;
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    p = &sky.client.port;
    memset(&q, 0, sizeof q);
    q.cluster_name = "slow";
    q.task_yaml = task_yaml;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_wait(&sky, id, p->ops->now_ms(p->ctx) + 150, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK(strstr(e.msg, "at the deadline") != NULL);
    tt_sky_close(&sky);
}

void suite_integ_sky(void)
{
    static const tt_test tests[] = {
        { "launch_status_down", test_launch_status_down },
        { "failed_request", test_failed_request },
        { "logs_stream", test_logs_stream },
        { "retry_policy", test_retry_policy },
        { "wait_deadline", test_wait_deadline },
    };
    tt_run_suite("integ_sky", tests, TT_COUNT(tests));
}
