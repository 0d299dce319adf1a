/*
 * The protocol clients' edges over the mock port: arguments refused before
 * anything is sent (and nothing is sent), settings from the environment,
 * and answers that are valid JSON but not what the client needs. The happy
 * paths run against the reference control plane in tests/integ.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_VMM && TT_FEATURE_PLEXD && TT_FEATURE_MAAS && TT_FEATURE_SKYPILOT && TT_FEATURE_POOLMGR

#include "../testlib.h"
#include "tether/gzip.h"
#include "suites.h"
#include "tether/maas.h"
#include "tether/plexd.h"
#include "tether/poolmgr.h"
#include "port_mock.h"
#include "tether/skypilot.h"
#include "tether/tls.h"
#include "tether/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tt_mock mock;
static tt_port port;
static tt_plexd plexd;
static tt_plexd_events events;
static tt_sky sky;
static tt_maas maas;
static tt_vmm vmm;
static tt_pool pool;
static char answer[4096];

/* A fresh mock; when body is not NULL, one connection answering 200 with it. */
static void serve(int status, const char *body)
{
    int n;
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    if (body == NULL)
        return;
    n = snprintf(answer, sizeof answer,
                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 status, strlen(body), body);
    tt_mock_add(&mock, answer, (size_t)n);
}

/* The call failed with this class and code, and sent nothing. */
#define CHECK_REFUSED(call, cls_, code_) do { tt_error e_; \
    memset(&e_, 0, sizeof e_); \
    CHECK_INT((call), -1); (void)e; \
    CHECK_INT(last.cls, cls_); CHECK_INT(last.code, code_); \
    CHECK_INT(mock.written_len, 0); } while (0)

static tt_error last;

static void plexd_start(void)
{
    tt_plexd_config cfg;
    tt_error e;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = "http://cp.test:8080";
    cfg.token = "t";
    tt_plexd_init(&plexd, &port, &cfg, &e);
}

static void test_plexd_config_checks(void)
{
    tt_plexd_config cfg;
    tt_error e;
    memset(&cfg, 0, sizeof cfg);
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    cfg.base_url = "https://cp.test";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1); /* https, no trust */
    CHECK(strstr(e.msg, "trust anchors") != NULL);
    cfg.insecure_skip_verify = 1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    cfg.request_timeout_ms = -1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    cfg.request_timeout_ms = 0;
    cfg.base_url = "ftp://cp.test";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK_INT(e.code, TT_E_URL_SCHEME);
}

static void test_plexd_refuses_bad_arguments(void)
{
    tt_plexd_register_req rq;
    tt_plexd_registration reg;
    tt_plexd_secret sec;
    tt_plexd_exec_result res;
    static tt_plexd_rotation rot;
    tt_error e;
    serve(200, NULL);
    plexd_start();
    memset(&rq, 0, sizeof rq);
    CHECK_INT(tt_plexd_register(&plexd, &rq, &reg, NULL, NULL, &last), -1); /* no key, no host */
    CHECK_INT(last.cls, TT_ERR_USAGE);
    /* no node id yet: every node call is refused */
    CHECK_REFUSED(tt_plexd_deregister(&plexd, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "..", &last), -1);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "", &last), -1);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "n-1", &last), 0);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "..", &last), -1);   /* no id rather than the old */
    CHECK_STR(plexd.node_id, "");
    CHECK_INT(tt_plexd_set_node_id(&plexd, "n-1", &last), 0);
    CHECK_REFUSED(tt_plexd_get_secret(&plexd, "", &sec, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_get_secret(&plexd, "..", &sec, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_ack_execution(&plexd, NULL, "accepted", NULL, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_ack_execution(&plexd, "", "accepted", NULL, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);                 /* not ".../executions//ack" */
    memset(&res, 0, sizeof res);
    CHECK_REFUSED(tt_plexd_report_result(&plexd, &res, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    res.execution_id = "";
    CHECK_REFUSED(tt_plexd_report_result(&plexd, &res, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_send_metrics(&plexd, NULL, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_update_capabilities(&plexd, NULL, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_rotate_keys(&plexd, NULL, &rot, NULL, NULL, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_fetch_artifact(&plexd, "1.0", "..", "arm64", NULL, NULL, &last),
                  TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_plexd_fetch_artifact(&plexd, "1.0", "", "arm64", NULL, NULL, &last),
                  TT_ERR_USAGE, TT_E_INVALID_ARG);
    {
        static char long_token[TT_API_TOKEN_MAX + 1];
        memset(long_token, 'k', TT_API_TOKEN_MAX);
        CHECK_INT(tt_plexd_set_token(&plexd, long_token, &last), -1);
    }
    tt_plexd_close(&plexd);
}

static void test_plexd_answers_missing_fields(void)
{
    tt_plexd_register_req rq;
    tt_plexd_registration reg;
    tt_error e;
    memset(&rq, 0, sizeof rq);
    rq.public_key = "k";
    rq.hostname = "h";
    rq.metadata_json = "{\"site\":\"lab\"}";
    rq.capabilities_json = "{\"wg\":true}";
    serve(200, "{\"mesh_ip\":\"10.0.0.2\"}"); /* no node id */
    plexd_start();
    CHECK_INT(tt_plexd_register(&plexd, &rq, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK(strstr((const char *)mock.written, "\"capabilities\":{\"wg\":true}") != NULL);
    CHECK(strstr((const char *)mock.written, "\"metadata\":{\"site\":\"lab\"}") != NULL);
    tt_plexd_close(&plexd);
}

static void sky_start(void)
{
    tt_sky_config cfg;
    tt_error e;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://sky.test:46580";
    cfg.token = "sky_t";
    cfg.max_retries = 0;
    cfg.user_id = "a3f9c2e1";
    tt_sky_init(&sky, &port, &cfg, &e);
}

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
    serve(200, NULL);
    sky_start();
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
        serve(200, listed[i].json);
        sky_start();
        memset(&r, 0, sizeof r);
        CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), 0);
        CHECK_INT(r.kind, listed[i].kind);
        CHECK_STR(r.request_id, "r");
        tt_sky_close(&sky);
    }
    for (i = 0; i < TT_COUNT(failed); i++) {
        serve(200, failed[i].json);
        sky_start();
        memset(&r, 0, sizeof r);
        CHECK_INT(tt_sky_get_request(&sky, "r", &r, &e), -1);
        CHECK_INT(e.cls, TT_ERR_API);
        CHECK_INT(r.kind, TT_SKY_FAILED);
        CHECK_STR(r.error_type, failed[i].type);
        CHECK_STR(r.error, failed[i].error);
        tt_sky_close(&sky);
    }
    serve(200, "[]");                  /* an id the server does not know */
    sky_start();
    CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "sky.test: request r not found");
    tt_sky_close(&sky);
    serve(200, "{\"request_id\":\"r\"}");  /* not the list /api/status answers */
    sky_start();
    CHECK_INT(tt_sky_request_status(&sky, "r", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    tt_sky_close(&sky);
}

static void test_maas_vmm_pool_refuse_bad_arguments(void)
{
    tt_maas_config mc;
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_maas_compose_req q;
    static tt_maas_machine m;
    tt_vmm_create_req cr;
    tt_vmm_vm vm;
    tt_pool_status st;
    char sid[32];
    tt_error e;

    serve(200, NULL);
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = "only:two";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1); /* a key has three parts */
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
    memset(&q, 0, sizeof q);
    CHECK_REFUSED(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_maas_read_machine(&maas, "..", &m, NULL, NULL, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_maas_close(&maas);

    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    vc.scheme = "http";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), 0);
    CHECK_REFUSED(tt_vmm_get(&vmm, "", &vm, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_vmm_delete(&vmm, "..", 1, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    memset(&cr, 0, sizeof cr);
    cr.name = "vm";
    CHECK_REFUSED(tt_vmm_create(&vmm, &cr, &vm, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_vmm_close(&vmm);
    vc.scheme = "gopher";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);

    memset(&pc, 0, sizeof pc);
    pc.url = "http://pool.test:9200";
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), 0);
    CHECK_REFUSED(tt_pool_get_status(&pool, "", &st, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    tt_pool_close(&pool);
}

/* Small refusals across the clients: each is a usage error, sent nowhere. */
static void test_more_refusals(void)
{
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_vmm_create_req cr;
    tt_vmm_vm vm;
    tt_pool_status st;
    static char long_token[TT_API_TOKEN_MAX + 8];
    tt_error e;
    size_t k;
    serve(200, NULL);
    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    vc.scheme = "http";
    vc.labels = "rack=r1";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), 0);
    CHECK_STR(vmm.labels, "rack=r1");
    memset(&cr, 0, sizeof cr);
    cr.name = "vm";
    cr.cpus = 1;
    CHECK_INT(tt_vmm_create(&vmm, &cr, &vm, &e), -1);     /* no memory */
    cr.memory_mb = 64;
    cr.name = "";
    CHECK_INT(tt_vmm_create(&vmm, &cr, &vm, &e), -1);
    cr.name = "vm";
    cr.ndns = TT_VMM_DNS_MAX + 3;                           /* more than the array holds */
    for (k = 0; k < TT_VMM_DNS_MAX; k++)
        cr.dns_servers[k] = "1.1.1.1";
    CHECK_REFUSED(tt_vmm_create(&vmm, &cr, &vm, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    cr.ndns = TT_VMM_DNS_MAX;                               /* all of them sent */
    tt_mock_init(&mock);                                    /* the same port, answered */
    tt_mock_add(&mock, "HTTP/1.1 201 Created\r\nContent-Length: 22\r\n\r\n"
                "{\"data\":{\"name\":\"vm\"}}", 66);
    CHECK_INT(tt_vmm_create(&vmm, &cr, &vm, &e), 0);
    CHECK_STR(vm.name, "vm");
    CHECK(strstr((const char *)mock.written, "\"dns_servers\":[\"1.1.1.1\",\"1.1.1.1\","
                                             "\"1.1.1.1\",\"1.1.1.1\"]") != NULL);
    CHECK_INT(tt_vmm_start(&vmm, NULL, &vm, &e), -1);
    tt_vmm_close(&vmm);
    tt_mock_init(&mock);
    memset(long_token, 'l', sizeof long_token - 1);         /* labels: 127 bytes at most */
    long_token[sizeof vmm.labels] = '\0';
    vc.labels = long_token;
    CHECK_REFUSED(tt_vmm_init(&vmm, &port, &vc, &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    long_token[sizeof vmm.labels - 1] = '\0';
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), 0);
    CHECK_INT((int)strlen(vmm.labels), (int)sizeof vmm.labels - 1);
    tt_vmm_close(&vmm);
    vc.ca = "/nonexistent/ca.pem";
    vc.scheme = NULL;
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);      /* cert and key missing */
    memset(&pc, 0, sizeof pc);
    memset(long_token, 't', sizeof long_token - 1);
    pc.token = long_token;
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), -1);
    pc.token = NULL;
    pc.url = "gopher://x";
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), -1);
    pc.url = NULL;
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), 0);
    CHECK_INT(tt_pool_get_status(&pool, "..", &st, &e), -1);
    CHECK_INT(tt_pool_get_status(&pool, NULL, &st, &e), -1);
    tt_pool_close(&pool);
}

/* A port without files (the mock, or firmware without a file system):
 * credentials from paths are refused by name, from memory they load. */
static void test_no_file_system(void)
{
    static unsigned char arena[1024];
    tt_tls_store st;
    tt_error e;
    serve(200, NULL);
    tt_tls_store_init(&st, arena, sizeof arena);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "/etc/ssl/certs", &e), -1);
    CHECK(strstr(e.msg, "file system") != NULL);
    CHECK_INT(tt_tls_load_chain(&st, &port, "/c.pem", &e), -1);
    CHECK_INT(tt_tls_load_key(&st, &port, "/k.pem", &e), -1);
}

/* Signed bytes as Go's encoder writes them: quotes, backslashes and
 * control characters escaped, <, >, & and U+2028/9 as \\u escapes, the
 * payload compacted with its escapes kept. */
static void test_plexd_canonical_bytes(void)
{
    static const char payload[] = "{ \"s\" : \"x<y\\n\" ,\n \"t\": [1, 2] }";
    tt_plexd_envelope env;
    char out[512];
    size_t n;
    tt_error e;
    memset(&env, 0, sizeof env);
    strcpy(env.event_type, "a\"b\\c\nd\re\tf<g>&h\x01 \xe2\x80\xa8\xe2\x80\xa9");
    strcpy(env.event_id, "e1");
    strcpy(env.issued_at, "2026-11-23T12:00:00Z");
    CHECK_INT(tt_rfc3339_parse_time(env.issued_at, strlen(env.issued_at), &env.issued), 0);
    strcpy(env.nonce, "n");
    env.payload.p = payload;
    env.payload.n = sizeof payload - 1;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    out[n] = '\0';
    CHECK_STR(out, "{\"event_type\":\"a\\\"b\\\\c\\nd\\re\\tf\\u003cg\\u003e\\u0026h\\u0001 "
                   "\\u2028\\u2029\",\"event_id\":\"e1\",\"issued_at\":\"2026-11-23T12:00:00Z\","
                   "\"nonce\":\"n\",\"payload\":{\"s\":\"x\\u003cy\\n\",\"t\":[1,2]}}");
    env.payload.p = NULL;
    env.payload.n = 0;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    CHECK(n > 15 && memcmp(out + n - 15, "\"payload\":null}", 15) == 0);
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, 20, &n, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
}

/* RFC 3339 times as the control plane writes them, and what is refused. */
static void test_rfc3339(void)
{
    static const struct { const char *s; int64_t t; } ok[] = {
        { "2026-11-23T12:00:00Z", 1795435200 }, { "2026-11-23T12:00:00,5Z", 1795435200 },
        { "2026-11-23T12:00:00.123456Z", 1795435200 },
        { "2026-11-23T13:30:00+01:30", 1795435200 }, { "2026-11-23T10:00:00-02:00", 1795435200 },
        { "1970-01-01T00:00:00Z", 0 }, { "2000-02-29T00:00:00Z", 951782400 },
    };
    static const char *const bad[] = {
        "2026-11-23", "2026-11-23 12:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
        "2026-11-32T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T12:60:00Z", "2026-11-23T12:00:61Z", "2026-11-23T12:00:00", "2026-11-23T12:00:00.Z",
        "2026-11-23T12:00:00+0100", "2026-11-23T12:00:00+01:0x", "2026/11/23T12:00:00Z",
        "2026-11-23T12-00-00Z", "20x6-11-23T12:00:00Z", "2026-11-23T12:00:00Zjunk", "",
        "2026-11-23t12:00:00z", "2026-11-23T12:00:60Z",
    };
    size_t i;
    int64_t t;
    for (i = 0; i < TT_COUNT(ok); i++) {
        if (tt_rfc3339_parse(ok[i].s, &t) != 0 || t != ok[i].t) {
            tt_test_fail(__FILE__, __LINE__, "%s: %lld", ok[i].s, (long long)t);
            return;
        }
    }
    for (i = 0; i < TT_COUNT(bad); i++) {
        if (tt_rfc3339_parse(bad[i], &t) == 0) {
            tt_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
            return;
        }
    }
}

/* Durations as people write timeouts, read the same in every locale. */
static void test_duration(void)
{
    static const struct { const char *s; int64_t ms; } ok[] = {
        { "90", 90000 }, { "1.5", 1500 }, { ".5", 500 }, { "5.", 5000 }, { "0", 0 },
        { "10m", 600000 }, { "0.5h", 1800000 }, { "2s", 2000 }, { "0.0004", 0 },
        { "0.0005", 1 }, { "1.23456789123", 1235 }, { "1000000000", 1000000000000LL },
        { "277777h", 999997200000LL },
    };
    static const char *const bad[] = {
        "", "s", ".", "-1", "+1", "1e3", " 1", "1 ", "1ms", "1d", "1.5.2", "inf", "nan",
        "1000000001", "277778h", "99999999999999999999999",
    };
    size_t i;
    for (i = 0; i < TT_COUNT(ok); i++)
        if (tt_duration_ms(ok[i].s) != ok[i].ms)
            tt_test_fail(__FILE__, __LINE__, "%s: %lld", ok[i].s,
                         (long long)tt_duration_ms(ok[i].s));
    for (i = 0; i < TT_COUNT(bad); i++)
        if (tt_duration_ms(bad[i]) != -1)
            tt_test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
    CHECK_INT(tt_duration_ms(NULL), -1);
}

#if TT_FEATURE_GZIP
static size_t inflated;

static int count_sink(void *user, const unsigned char *d, size_t n, tt_error *err)
{
    (void)d;
    (void)err;
    inflated += n;
    return user != NULL ? tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BODY, NULL, "full") : 0;
}

/* gzip bodies: whole, cut short, corrupt, followed by junk, and a sink
 * that says stop; each ends in its own error, none quietly. */
static void test_gzip_bodies(void)
{
    static tt_gzip g;
    static unsigned char in[3000], z[4096], bad[4096];
    size_t zn, i;
    tt_error e;
    for (i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(i % 7);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, sizeof z, &zn, &e), 0);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, 10, &zn, &e), -1); /* does not fit */
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(tt_gzip_compress(&g, in, sizeof in, z, sizeof z, &zn, &e), 0);
    inflated = 0;
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    for (i = 0; i < zn; i += 7)
        CHECK_INT(tt_gzip_inflate_feed(&g, z + i, zn - i < 7 ? zn - i : 7, count_sink, NULL, &e), 0);
    CHECK_INT(tt_gzip_inflate_end(&g, &e), 0);
    CHECK_INT(inflated, sizeof in);
    /* cut short */
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, z, zn / 2, count_sink, NULL, &e), 0);
    CHECK_INT(tt_gzip_inflate_end(&g, &e), -1);
    CHECK_INT(e.code, TT_E_EOF);
    /* corrupt */
    memcpy(bad, z, zn);
    memset(bad + 12, 0xff, 16);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, bad, zn, count_sink, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_GZIP);
    tt_gzip_inflate_end(&g, &e);
    /* junk after the end */
    memcpy(bad, z, zn);
    memcpy(bad + zn, "junk", 4);
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, bad, zn + 4, count_sink, NULL, &e), -1);
    CHECK(strstr(e.msg, "after the end") != NULL);
    tt_gzip_inflate_end(&g, &e);
    /* the sink stops it */
    CHECK_INT(tt_gzip_inflate_begin(&g, &e), 0);
    CHECK_INT(tt_gzip_inflate_feed(&g, z, zn, count_sink, &g, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BODY);
    tt_gzip_inflate_end(&g, &e);
}
#endif

/* ---- every endpoint against answers it must refuse ---- */

static int sink(void *user, const unsigned char *d, size_t n, tt_error *err)
{
    (void)user; (void)d; (void)n; (void)err;
    return 0;
}

static int each_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    (void)user; (void)vm; (void)err; (void)problem;
    return 0;
}

static int each_host(void *user, const tt_maas_vmhost *h, const tt_error *problem, tt_error *err)
{
    (void)user; (void)h; (void)err; (void)problem;
    return 0;
}

static int c_register(tt_error *e)
{
    tt_plexd_register_req q;
    static tt_plexd_registration r;
    memset(&q, 0, sizeof q);
    q.public_key = "k";
    q.hostname = "h";
    return tt_plexd_register(&plexd, &q, &r, NULL, NULL, e);
}
static int c_heartbeat(tt_error *e)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    memset(&q, 0, sizeof q);
    q.status = "healthy";
    return tt_plexd_heartbeat(&plexd, &q, &r, e);
}
static int c_deregister(tt_error *e) { return tt_plexd_deregister(&plexd, e); }
static int c_state(tt_error *e)
{
    static tt_plexd_state st;
    return tt_plexd_fetch_state(&plexd, &st, NULL, NULL, e);
}
static int c_rotate(tt_error *e)
{
    static tt_plexd_rotation rot;
    return tt_plexd_rotate_keys(&plexd, "k2", &rot, NULL, NULL, e);
}
static int c_caps(tt_error *e) { return tt_plexd_update_capabilities(&plexd, "{}", e); }
static int c_endpoint(tt_error *e) { return tt_plexd_report_endpoint(&plexd, "1.2.3.4:5", "none", e); }
static int c_drift(tt_error *e) { return tt_plexd_report_drift(&plexd, "[]", e); }
static int c_secret(tt_error *e)
{
    static tt_plexd_secret sec;
    return tt_plexd_get_secret(&plexd, "db", &sec, e);
}
static int c_reports(tt_error *e) { return tt_plexd_sync_reports(&plexd, "{}", e); }
static int c_ack(tt_error *e) { return tt_plexd_ack_execution(&plexd, "x1", "accepted", "r", e); }
static int c_result(tt_error *e)
{
    tt_plexd_exec_result r;
    memset(&r, 0, sizeof r);
    r.execution_id = "x1";
    r.status = "failed";
    r.out = "o";
    return tt_plexd_report_result(&plexd, &r, e);
}
static int c_metrics(tt_error *e) { return tt_plexd_send_metrics(&plexd, "[1]", e); }
static int c_logs(tt_error *e) { return tt_plexd_send_logs(&plexd, "[1]", e); }
static int c_audit(tt_error *e) { return tt_plexd_send_audit(&plexd, "[1]", e); }
static int c_artifact(tt_error *e)
{
    return tt_plexd_fetch_artifact(&plexd, "1.0", "linux", "arm64", sink, NULL, e);
}
static int c_sky_launch(tt_error *e)
{
    tt_sky_launch_req q;
    char id[64];
    tt_sky_credentials cr;
    memset(&q, 0, sizeof q);
    memset(&cr, 0, sizeof cr);
    cr.aws_access_key_id = "a";
    cr.aws_secret_access_key = "s";
    cr.azure_client_id = "c";
    cr.gcp_credentials_json = "{}";
    q.cluster_name = "c";
    q.task_yaml = "run: x";
    q.credentials = &cr;
    return tt_sky_launch(&sky, &q, id, sizeof id, e);
}
static int c_sky_down(tt_error *e)
{
    char id[64];
    return tt_sky_down(&sky, "c", 1, id, sizeof id, e);
}
static int c_sky_status(tt_error *e)
{
    static const char *const cl[] = { "a", "b" };
    char id[64];
    return tt_sky_status(&sky, cl, 2, id, sizeof id, e);
}
static int c_sky_exec(tt_error *e)
{
    char id[64];
    return tt_sky_exec(&sky, "c", "run: y", id, sizeof id, e);
}
static int c_sky_cost(tt_error *e)
{
    char id[64];
    return tt_sky_cost_report(&sky, 0, id, sizeof id, e);
}
static int c_sky_get(tt_error *e)
{
    static tt_sky_request r;
    return tt_sky_get_request(&sky, "r1", &r, e);
}
static int c_sky_wait(tt_error *e)
{
    static tt_sky_request r;
    return tt_sky_wait(&sky, "r1", 0, &r, e);
}
static int c_sky_logs(tt_error *e) { return tt_sky_logs(&sky, "c", 1, 0, 10, sink, NULL, e); }
static int c_sky_health(tt_error *e)
{
    tt_sky_health h;
    return tt_sky_get_health(&sky, &h, e);
}
static int c_maas_hosts(tt_error *e)
{
    tt_maas_filter f;
    memset(&f, 0, sizeof f);
    f.type = "lxd";
    f.zone = "z";
    f.pool = "p";
    f.tag = "t";
    return tt_maas_vmhosts(&maas, &f, each_host, NULL, e);
}
static int c_maas_host(tt_error *e)
{
    static tt_maas_vmhost h;
    return tt_maas_read_vmhost(&maas, 1, &h, e);
}
static int c_maas_compose(tt_error *e)
{
    tt_maas_compose_req q;
    char sid[32];
    memset(&q, 0, sizeof q);
    q.cores = 2;
    q.memory = 1024;
    q.storage = "root:20(ssd)";
    q.hostname = "h";
    q.zone = "1";                  /* ids: the compose itself meets the answer */
    q.pool = "2";
    q.interfaces = "eth0:space=dmz";
    return tt_maas_compose(&maas, 1, &q, sid, sizeof sid, e);
}
static int c_maas_machine(tt_error *e)
{
    static tt_maas_machine m;
    return tt_maas_read_machine(&maas, "abc", &m, NULL, NULL, e);
}
static int c_vmm_create(tt_error *e)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    memset(&q, 0, sizeof q);
    q.name = "vm";
    q.cpus = 1;
    q.memory_mb = 512;
    q.disk_size_mb = 1024;
    q.ssh_public_key = "ssh-ed25519 AAAA";
    q.dns_servers[0] = "9.9.9.9";
    q.ndns = 1;
    q.image = "img";
    q.kernel = "k";
    return tt_vmm_create(&vmm, &q, &vm, e);
}
static int c_vmm_get(tt_error *e)
{
    tt_vmm_vm vm;
    return tt_vmm_get(&vmm, "vm", &vm, e);
}
static int c_vmm_delete(tt_error *e) { return tt_vmm_delete(&vmm, "vm", 1, e); }
static int c_vmm_start(tt_error *e)
{
    tt_vmm_vm vm;
    return tt_vmm_start(&vmm, "vm", &vm, e);
}
static int c_vmm_stop(tt_error *e)
{
    tt_vmm_vm vm;
    return tt_vmm_stop(&vmm, "vm", &vm, e);
}
static int c_vmm_status(tt_error *e)
{
    tt_vmm_status st;
    return tt_vmm_get_status(&vmm, &st, e);
}
static int c_vmm_health(tt_error *e) { return tt_vmm_health(&vmm, e); }
static int c_vmm_list(tt_error *e) { return tt_vmm_list(&vmm, each_vm, NULL, NULL, e); }
static int c_pool_health(tt_error *e)
{
    tt_pool_health h;
    return tt_pool_get_health(&pool, &h, e);
}
static int c_pool_status(tt_error *e)
{
    tt_pool_status st;
    return tt_pool_get_status(&pool, "p0", &st, e);
}
static int c_pool_available(tt_error *e) { return tt_pool_is_available(&pool, e) == 1 ? 0 : -1; }

typedef struct endpoint {
    const char *name;
    char proto;                  /* p, s, m, v, o */
    int (*call)(tt_error *e);
} endpoint;

static const endpoint endpoints[] = {
    { "plexd register", 'p', c_register }, { "plexd heartbeat", 'p', c_heartbeat },
    { "plexd deregister", 'p', c_deregister }, { "plexd state", 'p', c_state },
    { "plexd rotate", 'p', c_rotate }, { "plexd capabilities", 'p', c_caps },
    { "plexd endpoint", 'p', c_endpoint }, { "plexd drift", 'p', c_drift },
    { "plexd secret", 'p', c_secret }, { "plexd reports", 'p', c_reports },
    { "plexd ack", 'p', c_ack }, { "plexd result", 'p', c_result },
    { "plexd metrics", 'p', c_metrics }, { "plexd logs", 'p', c_logs },
    { "plexd audit", 'p', c_audit }, { "plexd artifact", 'p', c_artifact },
    { "sky launch", 's', c_sky_launch }, { "sky down", 's', c_sky_down },
    { "sky status", 's', c_sky_status }, { "sky exec", 's', c_sky_exec },
    { "sky cost", 's', c_sky_cost }, { "sky get", 's', c_sky_get },
    { "sky wait", 's', c_sky_wait }, { "sky logs", 's', c_sky_logs },
    { "sky health", 's', c_sky_health },
    { "maas hosts", 'm', c_maas_hosts }, { "maas host", 'm', c_maas_host },
    { "maas compose", 'm', c_maas_compose }, { "maas machine", 'm', c_maas_machine },
    { "vmm create", 'v', c_vmm_create }, { "vmm get", 'v', c_vmm_get },
    { "vmm delete", 'v', c_vmm_delete }, { "vmm start", 'v', c_vmm_start },
    { "vmm stop", 'v', c_vmm_stop }, { "vmm status", 'v', c_vmm_status },
    { "vmm health", 'v', c_vmm_health }, { "vmm list", 'v', c_vmm_list },
    { "pool health", 'o', c_pool_health }, { "pool status", 'o', c_pool_status },
    { "pool available", 'o', c_pool_available },
};

static void start_proto(char proto)
{
    tt_maas_config mc;
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_error e;
    switch (proto) {
    case 'p':
        plexd_start();
        tt_plexd_set_node_id(&plexd, "n1", &e);
        plexd.api.retry.max_retries = 0;
        break;
    case 's':
        sky_start();
        sky.api.retry.max_retries = 0;
        break;
    case 'm':
        memset(&mc, 0, sizeof mc);
        mc.url = "http://maas.test/MAAS";
        mc.api_key = "ck:tk:ts";
        tt_maas_init(&maas, &port, &mc, &e);
        maas.api.retry.max_retries = 0;
        break;
    case 'v':
        memset(&vc, 0, sizeof vc);
        vc.address = "vmm.test:8443";
        vc.scheme = "http";
        tt_vmm_init(&vmm, &port, &vc, &e);
        break;
    default:
        memset(&pc, 0, sizeof pc);
        pc.url = "http://pool.test:9200";
        tt_pool_init(&pool, &port, &pc, &e);
        break;
    }
}

static void stop_proto(char proto)
{
    switch (proto) {
    case 'p': tt_plexd_close(&plexd); break;
    case 's': tt_sky_close(&sky); break;
    case 'm': tt_maas_close(&maas); break;
    case 'v': tt_vmm_close(&vmm); break;
    default: tt_pool_close(&pool); break;
    }
}

/*
 * Every endpoint meets a server error, an answer of the wrong shape and an
 * answer that is not JSON: each call fails with a class the caller can act
 * on (HTTP or API for the error; protocol for the others), never succeeds
 * on a wrong shape it should have refused, never crashes.
 */
static void test_every_endpoint_refuses_bad_answers(void)
{
    static const struct { int status; const char *body; } answers[] = {
        { 500, "{\"error\":{\"code\":\"boom\",\"message\":\"server broke\"}}" },
        { 503, "upstream down" },
        { 200, "[1,2,3]" },
        { 200, "not json" },
        { 200, "{\"data\":{\"x\":{\"y\":[true,false,null,1.5]}}}" },
    };
    size_t i, k;
    for (i = 0; i < TT_COUNT(endpoints); i++) {
        for (k = 0; k < TT_COUNT(answers); k++) {
            tt_error e;
            int rc;
            serve(answers[k].status, answers[k].body);
            start_proto(endpoints[i].proto);
            memset(&e, 0, sizeof e);
            rc = endpoints[i].call(&e);
            stop_proto(endpoints[i].proto);
            if (answers[k].status != 200 && rc == 0) {
                tt_test_fail(__FILE__, __LINE__, "%s: accepted HTTP %d", endpoints[i].name,
                             answers[k].status);
                return;
            }
            if (rc != 0 && (e.cls == TT_ERR_NONE || e.cls == TT_ERR_USAGE ||
                            e.msg[0] == '\0')) {
                tt_test_fail(__FILE__, __LINE__, "%s, answer %zu: class %s, '%s'",
                             endpoints[i].name, k, tt_err_class_name(e.cls), e.msg);
                return;
            }
            /* an artifact and logs are bytes, not JSON */
            if (k == 3 && rc == 0 && endpoints[i].call != c_artifact &&
                endpoints[i].call != c_sky_logs) {
                tt_test_fail(__FILE__, __LINE__, "%s: accepted a body that is not JSON",
                             endpoints[i].name);
                return;
            }
        }
    }
}

/* Node calls before a node id, and requests larger than the request
 * buffer: refused whole, nothing sent. */
static void test_plexd_no_node_and_oversize(void)
{
    static char huge[TT_API_REQUEST_MAX + 16];
    static char huge_json[TT_API_REQUEST_MAX + 16];
    static int (*const node_calls[])(tt_error *) = {
        c_heartbeat, c_deregister, c_state, c_rotate, c_caps, c_endpoint, c_drift, c_secret,
        c_reports, c_ack, c_result, c_metrics, c_logs, c_audit,
    };
    tt_plexd_exec_result r;
    tt_plexd_register_req q;
    static tt_plexd_registration reg;
    static tt_plexd_rotation rot;
    size_t i;
    tt_error e;
    memset(huge, 'x', sizeof huge - 1);
    huge_json[0] = '[';
    memset(huge_json + 1, '1', sizeof huge_json - 3);
    huge_json[sizeof huge_json - 2] = ']';
    serve(200, NULL);
    plexd_start();
    for (i = 0; i < TT_COUNT(node_calls); i++) {
        memset(&e, 0, sizeof e);
        CHECK_INT(node_calls[i](&e), -1);
        CHECK_INT(e.cls, TT_ERR_USAGE);
    }
    CHECK_INT(mock.written_len, 0);
    memset(&q, 0, sizeof q);
    q.public_key = "k";
    q.hostname = huge;
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_report_endpoint(&plexd, huge, "none", &e), -1);
    CHECK_INT(tt_plexd_report_drift(&plexd, huge_json, &e), -1);
    CHECK_INT(tt_plexd_ack_execution(&plexd, "x1", "rejected", huge, &e), -1);
    memset(&r, 0, sizeof r);
    r.execution_id = "x1";
    r.status = "failed";
    r.out = huge;
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), -1);
    CHECK_INT(tt_plexd_rotate_keys(&plexd, huge, &rot, NULL, NULL, &e), -1);
    CHECK_INT(tt_plexd_send_metrics(&plexd, huge_json, &e), -1);
    /* a caller's JSON that is not JSON, or none at all: refused, not sent
     * raw inside the document */
    CHECK_INT(tt_plexd_report_drift(&plexd, "[{\"type\": ", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_plexd_send_logs(&plexd, "{} {", &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_plexd_report_drift(&plexd, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    q.hostname = "h";
    q.metadata_json = "{\"region\": }";
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

/* Answers each request of one connection with the next text. */
static void serve_parts(const char *const *parts, int n)
{
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    tt_mock_add_parts(&mock, parts, n);
}

#define JSON200(b) "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " \
    #b "\r\n\r\n"

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
    sky_start();
    t0 = mock.now;
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_wait(&sky, "r", 0, &r, &e), 0);
    CHECK_INT(r.kind, TT_SKY_SUCCEEDED);
    CHECK_INT(mock.now - t0, sky.poll_first_ms);      /* one wait between polls */
    tt_sky_close(&sky);
    serve_parts(always_running, 4);
    sky_start();
    t0 = mock.now;
    CHECK_INT(tt_sky_wait(&sky, "r", t0 + 8000, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(mock.now, t0 + 8000);                   /* never past the deadline */
    tt_sky_close(&sky);
    serve_parts(failed, 2);
    sky_start();
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
    serve(500, "{\"detail\":{\"request_id\":\"r9\",\"name\":\"launch\",\"status\":\"FAILED\","
               "\"error\":\"{\\\"message\\\": \\\"quota exceeded\\\"}\"}}");
    sky_start();
    memset(&r, 0, sizeof r);
    CHECK_INT(tt_sky_get_request(&sky, "r9", &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "request r9 failed: quota exceeded") != NULL);
    CHECK_INT(mock.connects, 1);                      /* not retried */
    tt_sky_close(&sky);
    serve(500, "{\"detail\":\"internal\"}");      /* a plain server error stays one */
    sky_start();
    CHECK_INT(tt_sky_get_request(&sky, "r9", &r, &e), -1);
    CHECK_INT(e.http_status, 500);
    tt_sky_close(&sky);
    serve(200, "[]");                                  /* no such request */
    sky_start();
    CHECK_INT(tt_sky_request_status(&sky, "r9", &r, &e), -1);
    CHECK(strstr(e.msg, "not found") != NULL);
    tt_sky_close(&sky);
}

static int count_hosts(void *user, const tt_maas_vmhost *h, const tt_error *problem,
                       tt_error *err)
{
    (void)h;
    (void)err;
    (void)problem;
    (*(int *)user)++;
    return 0;
}

/* The VM host filter: every field must match; a tag among several. */
static void test_maas_filters(void)
{
    static const char hosts[] =
        "[{\"id\":1,\"name\":\"a\",\"type\":\"lxd\",\"zone\":{\"name\":\"z1\"},"
        "\"pool\":{\"name\":\"p1\"},\"tags\":[\"gpu\",\"ssd\"]},"
        "{\"id\":2,\"name\":\"b\",\"type\":\"virsh\",\"zone\":{\"name\":\"z2\"},"
        "\"pool\":{\"name\":\"p1\"},\"tags\":[]}]";
    static const struct { const char *type, *zone, *pool, *tag; int want; } f[] = {
        { NULL, NULL, NULL, NULL, 2 }, { "lxd", NULL, NULL, NULL, 1 },
        { NULL, "z2", NULL, NULL, 1 }, { NULL, NULL, "p1", NULL, 2 },
        { NULL, NULL, NULL, "ssd", 1 }, { NULL, NULL, NULL, "tpu", 0 },
        { "lxd", "z2", NULL, NULL, 0 }, { NULL, NULL, "p2", NULL, 0 },
    };
    tt_maas_config mc;
    tt_maas_filter flt;
    size_t i;
    int n;
    tt_error e;
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = "ck:tk:ts";
    for (i = 0; i < TT_COUNT(f); i++) {
        serve(200, hosts);
        CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
        flt.type = f[i].type;
        flt.zone = f[i].zone;
        flt.pool = f[i].pool;
        flt.tag = f[i].tag;
        n = 0;
        CHECK_INT(tt_maas_vmhosts(&maas, &flt, count_hosts, &n, &e), 0);
        if (n != f[i].want) {
            tt_test_fail(__FILE__, __LINE__, "filter %zu: %d hosts, want %d", i, n, f[i].want);
            return;
        }
        tt_maas_close(&maas);
    }
}

static int reports, verified;

static void on_report(void *user, const tt_plexd_envelope *env, const tt_error *why)
{
    (void)user; (void)env; (void)why;
    reports++;
}

static int reject_odd(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user;
    (void)err;
    verified++;
    return strcmp(env->event_id, "e3") == 0 ? -1 : 0;
}

static int failing_handler(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user; (void)env;
    return tt_error_set(err, TT_ERR_API, TT_E_API, NULL, "handler failed");
}

/* Envelopes on the event stream: malformed ones, rejected ones, handler
 * failures are reported and counted; the stream goes on; handlers see
 * only their type. */
static void test_plexd_event_envelopes(void)
{
    static const char stream[] =
        "data: not json\n\n"
        "data: {\"event_id\":\"e1\"}\n\n"
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e2\",\"payload\":{}}\n\n"
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e3\"}\n\n"
        "data: {\"event_type\":\"policy_updated\",\"event_id\":\"e4\"}\n\n";
    tt_error e;
    reports = verified = 0;
    serve(200, NULL);
    plexd_start();
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), -1);   /* no node id yet */
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    CHECK_INT(tt_plexd_on(&events, "peer_added", failing_handler, NULL, &e), 0);
    events.verify = reject_odd;
    events.report = on_report;
    CHECK_INT(tt_sse_feed(&events.parser, stream, sizeof stream - 1, &e), 0);
    CHECK_INT(events.malformed, 2);
    CHECK_INT(events.rejected, 1);
    CHECK_INT(events.handler_errors, 1);
    CHECK_INT(events.delivered, 1);          /* e2 reached its handler */
    CHECK_INT(verified, 3);
    CHECK_INT(reports, 4);
    while (events.nhandlers < TT_SSE_HANDLERS_MAX)
        tt_plexd_on(&events, NULL, failing_handler, NULL, &e);
    CHECK_INT(tt_plexd_on(&events, NULL, failing_handler, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_SSE_HANDLERS);
    tt_plexd_close(&plexd);
}

/* MAAS zone lookup by name: records as api/zones.py renders them; a kind
 * outside the three collections and a name given twice are refused. */
#define ZONE(id, name) "{\"name\":\"" name "\",\"description\":\"\",\"id\":" #id \
    ",\"resource_uri\":\"/MAAS/api/2.0/zones/" name "/\"}"
static void test_maas_lookup(void)
{
    tt_maas_config mc;
    int32_t id = -1;
    tt_error e;
    serve(200, "[" ZONE(1, "default") "," ZONE(4, "rack-2") "]");
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS/";
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
    CHECK_REFUSED(tt_maas_lookup(&maas, "zonesandmoreandmoreandmoreandmore", "rack-2", &id,
                                 &last), TT_ERR_USAGE, TT_E_INVALID_ARG);
    CHECK_REFUSED(tt_maas_lookup(&maas, NULL, "rack-2", &id, &last), TT_ERR_USAGE,
                  TT_E_INVALID_ARG);
    CHECK_INT(tt_maas_lookup(&maas, "zones", "rack-2", &id, &e), 0);
    CHECK_INT(id, 4);
    CHECK(strstr((const char *)mock.written, "GET /MAAS/api/2.0/zones/ ") != NULL);
    tt_maas_close(&maas);
    serve(200, "[" ZONE(1, "default") "," ZONE(4, "rack-2") "," ZONE(5, "rack-2") "]");
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
    CHECK_INT(tt_maas_lookup(&maas, "zones", "rack-2", &id, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK(strstr(e.msg, "2 records named 'rack-2'") != NULL);
    tt_maas_close(&maas);
}

/* MAAS compose: what it sends, and forms too large for the request. */
static void test_maas_compose_form(void)
{
    static char big[TT_API_REQUEST_MAX];
    tt_maas_config mc;
    tt_maas_compose_req q;
    char sid[32];
    tt_error e;
    serve(200, "{\"system_id\":\"abc123\",\"resource_uri\":\"/x\"}");
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS///";
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), 0);
    memset(&q, 0, sizeof q);
    q.cores = 2;
    q.memory = 2048;
    q.hostname = "a b&c";
    q.zone = "3";                 /* an id goes as it is */
    q.pool = "0";                 /* the default pool's id is 0 */
    q.pinned_cores = "0,2";
    q.hugepages_backed = 1;
    CHECK_INT(tt_maas_compose(&maas, 7, &q, sid, sizeof sid, &e), 0);
    CHECK_STR(sid, "abc123");
    CHECK(strstr((const char *)mock.written, "POST /MAAS/api/2.0/vm-hosts/7/?op=compose ") != NULL);
    CHECK(strstr((const char *)mock.written, "\r\n\r\ncores=2&memory=2048&hostname=a+b%26c&"
                                            "hugepages_backed=true&pinned_cores=0&"
                                            "pinned_cores=2&zone=3&pool=0") != NULL);
    memset(big, 'z', sizeof big - 1);
    q.hostname = big;
    mock.written_len = 0;
    CHECK_INT(tt_maas_compose(&maas, 7, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    q.hostname = "h";
    q.pinned_cores = "0,,1";
    CHECK_INT(tt_maas_compose(&maas, 7, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    q.pinned_cores = NULL;
    q.cores = 0;
    CHECK_INT(tt_maas_compose(&maas, 7, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
    mc.url = "";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);
}

/* vmm over https needs its three files; pool's availability check. */
static void test_vmm_tls_files_and_pool_available(void)
{
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_error e;
    serve(200, NULL);
    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);  /* https without CA, cert, key */
    CHECK_INT(e.cls, TT_ERR_USAGE);
    vc.ca = "/nonexistent/ca.pem";
    vc.cert = "/nonexistent/c.pem";
    vc.key = "/nonexistent/k.pem";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);
    vc.address = "";
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);
    serve(200, "{\"status\":\"degraded\",\"version\":\"0.1\"}");
    memset(&pc, 0, sizeof pc);
    pc.token = "pool-token";
    CHECK_INT(tt_pool_init(&pool, &port, &pc, &e), 0);  /* the default URL */
    CHECK_INT(tt_pool_is_available(&pool, &e), 0);
    CHECK_INT(e.cls, TT_ERR_API);                       /* it answered: "not now" */
    CHECK_INT(e.code, TT_E_API);
    CHECK_STR(e.api_code, "degraded");
    CHECK(strstr((const char *)mock.written, "Authorization: Bearer pool-token") != NULL);
    tt_pool_close(&pool);
}

#if TT_FEATURE_GZIP
/* plexd's gzip both ways: a large batch goes compressed, a compressed
 * answer is inflated, a corrupt one is a gzip error. */
static void test_plexd_gzip_both_ways(void)
{
    static tt_gzip g;
    static char batch[4096], resp[2048];
    static unsigned char z[1024];
    static const char state[] = "{\"peers\":[],\"policies\":[],\"metadata\":{\"site\":\"lab\"}}";
    static tt_plexd_state st;
    size_t zn, i, n = 0;
    int hl;
    tt_error e;
    batch[n++] = '[';
    for (i = 0; n + 40 < sizeof batch; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "%s{\"name\":\"cpu\",\"v\":%zu}",
                              i ? "," : "", i);
    batch[n++] = ']';
    batch[n] = '\0';
    serve(200, "{}");
    plexd_start();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_send_metrics(&plexd, batch, &e), 0);
    CHECK(strstr((const char *)mock.written, "Content-Encoding: gzip") != NULL);
    CHECK(mock.written_len < n);              /* smaller than the batch itself */
    tt_plexd_close(&plexd);
    CHECK_INT(tt_gzip_compress(&g, state, sizeof state - 1, z, sizeof z, &zn, &e), 0);
    hl = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                  "Content-Length: %zu\r\n\r\n", zn);
    memcpy(resp + hl, z, zn);
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    tt_mock_add(&mock, resp, (size_t)hl + zn);
    plexd_start();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), 0);
    tt_plexd_close(&plexd);
    resp[hl + 12] ^= 0x55;                    /* corrupt the deflate data */
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    tt_mock_add(&mock, resp, (size_t)hl + zn);
    plexd_start();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    plexd.api.retry.max_retries = 0;
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_GZIP);
    tt_plexd_close(&plexd);
}
#endif

void suite_proto(void)
{
    static const tt_test tests[] = {
        { "plexd_config_checks", test_plexd_config_checks },
        { "plexd_refuses_bad_arguments", test_plexd_refuses_bad_arguments },
        { "plexd_answers_missing_fields", test_plexd_answers_missing_fields },
        { "plexd_canonical_bytes", test_plexd_canonical_bytes },
        { "rfc3339", test_rfc3339 },
        { "duration", test_duration },
        { "plexd_no_node_and_oversize", test_plexd_no_node_and_oversize },
        { "sky_wait", test_sky_wait },
        { "plexd_event_envelopes", test_plexd_event_envelopes },
        { "maas_filters", test_maas_filters },
        { "sky_get_failed_request", test_sky_get_failed_request },
        { "no_file_system", test_no_file_system },
        { "more_refusals", test_more_refusals },
        { "maas_compose_form", test_maas_compose_form },
        { "vmm_tls_files_and_pool_available", test_vmm_tls_files_and_pool_available },
#if TT_FEATURE_GZIP
        { "gzip_bodies", test_gzip_bodies },
        { "plexd_gzip_both_ways", test_plexd_gzip_both_ways },
#endif
        { "sky_environment", test_sky_environment },
        { "sky_refuses_bad_arguments", test_sky_refuses_bad_arguments },
        { "sky_request_states", test_sky_request_states },
        { "maas_vmm_pool_refuse_bad_arguments", test_maas_vmm_pool_refuse_bad_arguments },
        { "maas_lookup", test_maas_lookup },
        { "every_endpoint_refuses_bad_answers", test_every_endpoint_refuses_bad_answers },
    };
    tt_run_suite("proto", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
