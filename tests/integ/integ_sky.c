/*
 * The SkyPilot client against the reference control plane speaking as the
 * SkyPilot API server does (tools/refcp.py): asynchronous requests and
 * waiting, RequestPayload with JSON texts in strings, failed requests with
 * pickled exceptions of KBs, status results with a pickled handle per
 * cluster, env_vars with the caller's user id, logs with SkyPilot's
 * control lines for as long as the job runs, the retry policy (5xx, 429
 * with Retry-After, never 4xx, never a launch the server may have taken),
 * deadlines, and secrets kept out of traces.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_SKYPILOT

#include "integ.h"
#include "tether/skypilot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tt_sky sky;
static char result[64 * 1024];
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
    cfg.user_id = "a3f9c2e1";
    cfg.user = "edge-7";
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
    CHECK_STR(r.user_name, "edge-7");          /* who asked, from env_vars */
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    CHECK_STR(r.name, "sky.launch");
    CHECK_STR(r.user_id, "a3f9c2e1");
    CHECK_STR(r.cluster_name, "c1");
    CHECK(r.finished_at > r.created_at);
    CHECK(strncmp(result, "{\"job_id\":1,\"handle\":\"gASV", 26) == 0);
    CHECK(r.result_len > 8000);                /* the pickled handle */
    CHECK_INT(tt_sky_status(&sky, names, 1, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK(strstr(result, "\"status\":\"UP\"") != NULL);
    CHECK_INT(tt_sky_exec(&sky, "c1", task_yaml, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK(strncmp(result, "{\"job_id\":2,", 12) == 0);
    CHECK_INT(tt_sky_cost_report(&sky, 7, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK(strstr(result, "\"total_cost\":1.25") != NULL);
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
    CHECK_MSG_HAS(e.msg, "failed: ResourcesUnavailableError: Failed to provision");
    /* the whole reason is in the request (the message may be cut by a
     * small TT_ERROR_MSG_MAX), after 8 KB of pickled exception */
    CHECK_STR(r.error_type, "ResourcesUnavailableError");
    CHECK_STR(r.error, "Failed to provision all possible launchable resources. Relax the task's "
                       "resource requirements: 1x GCP({'A100': 8})\nTo keep retrying until the "
                       "cluster is up, use the `--retry-until-up` flag.");
    CHECK_INT(sky.api.stats.retries, 0);       /* a failed request is not retried */
    /* a pickle of 53 KB in the error: the message all the same */
    q.cluster_name = "fail-big";
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), -1);
    CHECK_STR(r.error_type, "ResourcesUnavailableError");
    CHECK(strncmp(r.error, "Failed to provision", 19) == 0);
    CHECK_INT(tt_sky_exec(&sky, "nope", task_yaml, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), -1);
    CHECK_STR(r.error_type, "ClusterDoesNotExist");
    CHECK_STR(r.error, "Cluster 'nope' does not exist.");
    CHECK_INT(tt_sky_get_request(&sky, "no-such-id", &r, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    CHECK(strstr(e.msg, "Request 'no-such-id' not found") != NULL);
    tt_sky_close(&sky);
}

/* env_vars, as the server reads them: with a user id and name always
 * (the server's KeyError otherwise), the cloud credentials beside them. */
static void test_env_vars_carry_the_user(void)
{
    tt_sky_launch_req q;
    tt_sky_credentials c;
    tt_sky_request r;
    tt_sky_config cfg;
    tt_port port;
    tt_error e;
    char id[TT_SKY_ID_MAX], url[64];
    CHECK_INT(integ_cp_admin(integ_cp_port("SKY"), "/_reset", "{}"), 0);
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    memset(&q, 0, sizeof q);
    memset(&c, 0, sizeof c);
    c.gcp_credentials_json = "{\"type\": \"service_account\"}";
    q.cluster_name = "c2";
    q.task_yaml = task_yaml;
    q.credentials = &c;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(tt_sky_request_status(&sky, id, &r, &e), 0);
    CHECK_STR(r.user_name, "edge-7");
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_STR(r.user_id, "a3f9c2e1");
    tt_sky_close(&sky);
    /* no user id: no env_vars, and so no credentials (the server would
     * answer a body with env_vars but without SKYPILOT_USER_ID with 500) */
    snprintf(url, sizeof url, "http://127.0.0.1:%d", integ_cp_port("SKY"));
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.token = "sky_demo_token";
    cfg.max_retries = -1;
    tt_port_posix_init(&port);
    CHECK_INT(tt_sky_init(&sky, &port, &cfg, &e), 0);
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "SKYPILOT_USER_ID") != NULL);
    q.credentials = NULL;
    sky.poll_first_ms = 100;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    CHECK_STR(r.user_id, "0d9a6bc1");          /* the server's own user */
    tt_sky_close(&sky);
}

/* A launch is never sent twice once the server may have taken it: a 500
 * is reported with the request id the server gave; a 503 with Retry-After
 * (nothing was taken) is tried again. */
static void test_launch_not_repeated(void)
{
    tt_sky_launch_req q;
    tt_error e;
    char id[TT_SKY_ID_MAX], posts[512];
    int port = integ_cp_port("SKY");
    tt_client c;
    tt_request rq;
    tt_response res;
    CHECK_INT(integ_cp_admin(port, "/_reset", "{}"), 0);
    CHECK_INT(start("sky_demo_token", 3, &e), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = "c3";
    q.task_yaml = task_yaml;
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 500, \"count\": 1}"), 0);
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), -1);
    CHECK_INT(e.http_status, 500);
    CHECK_INT(sky.api.stats.attempts, 1);
    CHECK(strstr(e.msg, " (request ") == NULL); /* an injected 500 gives no id */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 2, \"retry_after\": 0}"), 0);
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(sky.api.stats.attempts, 4);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 502, \"count\": 1}"), 0);
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), -1);  /* a 502: maybe taken */
    CHECK_INT(sky.api.stats.attempts, 5);
    /* a request that never left whole is sent again: here, a timeout
     * before the head came back would not be; reads are */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    integ_client(&c, NULL);
    memset(&rq, 0, sizeof rq);
    rq.url = integ_url(port, "/_posts");
    rq.body_buf = posts;
    rq.body_cap = sizeof posts - 1;
    memset(posts, 0, sizeof posts);
    CHECK_INT(tt_client_request(&c, &rq, &res, &e), 0);
    tt_client_close(&c);
    CHECK(strstr(posts, "\"launch\": 1") != NULL);  /* once, for the one that worked */
    tt_sky_close(&sky);
}

/* A status result of forty clusters, each with its pickled handle (250
 * KB): every cluster to the callback, nothing buffered. */
typedef struct clusters_seen {
    int n, problems, up;
    char last[256];
    int nodes_sum;
} clusters_seen;

static int each_cluster(void *user, const tt_sky_cluster *cl, const tt_error *problem,
                        tt_error *err)
{
    clusters_seen *x = user;
    (void)err;
    x->n++;
    if (problem != NULL)
        x->problems++;
    x->up += strcmp(cl->status, "UP") == 0;
    x->nodes_sum += cl->nodes;
    snprintf(x->last, sizeof x->last, "%s", cl->name);
    return 0;
}

static void test_status_of_many_clusters(void)
{
    static clusters_seen x;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    const tt_port *p;
    CHECK_INT(integ_cp_admin(integ_cp_port("SKY"), "/_reset", "{}"), 0);
    CHECK_INT(integ_cp_admin(integ_cp_port("SKY"), "/_clusters", "{\"count\": 40}"), 0);
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    p = &sky.client.port;
    CHECK_INT(tt_sky_status(&sky, NULL, 0, id, sizeof id, &e), 0);
    memset(&r, 0, sizeof r);
    memset(&x, 0, sizeof x);
    r.on_cluster = each_cluster;
    r.user = &x;
    CHECK_INT(tt_sky_wait(&sky, id, p->ops->now_ms(p->ctx) + 10000, &r, &e), 0);
    CHECK_STR(r.name, "sky.status");
    CHECK_INT(x.n, 40);
    CHECK_INT(x.problems, 0);
    CHECK_INT(x.up, 40);
    CHECK_INT(x.nodes_sum, 100);               /* 1, 2, 3, 4, 1, 2, ... */
    CHECK_STR(x.last, "fleet-039");
    CHECK_INT(r.result_len, 0);                /* nothing copied */
    tt_sky_close(&sky);
}

typedef struct log_text {
    size_t lines, bytes;
    int control;                 /* a control line got through */
} log_text;

static int keep_log(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    log_text *t = user;
    size_t i;
    (void)err;
    for (i = 0; i < len; i++)
        t->lines += data[i] == '\n';
    t->bytes += len;
    if (len >= 5 && memchr(data, '<', len) != NULL)
        t->control = 1;
    return 0;
}

static void test_logs_stream(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    log_text t;
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = "logs";
    q.task_yaml = task_yaml;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    memset(&t, 0, sizeof t);
    CHECK_INT(tt_sky_logs(&sky, "logs", 1, 0, 0, keep_log, &t, &e), 0);
    CHECK_INT(t.lines, 5);                      /* the job's, not SkyPilot's */
    CHECK_INT(t.control, 0);
    CHECK_INT(tt_sky_logs(&sky, "nope", 1, 0, 0, keep_log, &t, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    tt_sky_close(&sky);
}

/* Following a job's log lasts as long as the job: the request deadline
 * does not end it, silence does (the server's heartbeats count). The
 * default run follows a 40 s job; the other builds a 12 s one. */
static void test_logs_follow_outlives_the_request_timeout(void)
{
    tt_sky_launch_req q;
    tt_sky_request r;
    tt_error e;
    char id[TT_SKY_ID_MAX];
    const char *name = getenv("TT_INTEG_LONG") != NULL ? "long-40" : "long-12";
    int64_t t0, took;
    log_text t;
    CHECK_INT(start("sky_demo_token", -1, &e), 0);
    memset(&q, 0, sizeof q);
    q.cluster_name = name;
    q.task_yaml = task_yaml;
    CHECK_INT(tt_sky_launch(&sky, &q, id, sizeof id, &e), 0);
    CHECK_INT(wait_for(id, &r, &e), 0);
    sky.api.timeout_ms = 2000;                 /* far shorter than the job */
    sky.logs_idle_ms = 6000;
    memset(&t, 0, sizeof t);
    t0 = integ_now_ms();
    CHECK_INT(tt_sky_logs(&sky, name, 1, 1, 0, keep_log, &t, &e), 0);
    took = integ_now_ms() - t0;
    printf("  followed %s for %lld ms\n", name, (long long)took);
    CHECK_INT(t.lines, 5);
    CHECK_INT(t.control, 0);
    CHECK(took >= (strcmp(name, "long-40") == 0 ? 39000 : 11500));
    /* silence longer than the idle timeout ends it, as a timeout */
    sky.logs_idle_ms = 500;
    CHECK_INT(tt_sky_logs(&sky, name, 1, 1, 0, keep_log, &t, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(e.code, TT_E_IDLE_TIMEOUT);
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
        { "env_vars_carry_the_user", test_env_vars_carry_the_user },
        { "launch_not_repeated", test_launch_not_repeated },
        { "status_of_many_clusters", test_status_of_many_clusters },
        { "logs_stream", test_logs_stream },
        { "logs_follow_outlives_the_request_timeout",
          test_logs_follow_outlives_the_request_timeout },
        { "retry_policy", test_retry_policy },
        { "wait_deadline", test_wait_deadline },
    };
    tt_run_suite("integ_sky", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
