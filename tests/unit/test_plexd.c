/*
 * plexd (core/api/plexd.c, plexd_events.c): configuration and arguments
 * refused before anything is sent, answers at the edges of what the client
 * accepts, registration and node identity, heartbeats, artifacts, the
 * event stream's envelopes and its polling fallback, the canonical bytes,
 * gzip both ways. Every client runs over the mock port (fixture.h); each
 * test checks what came back and what went out on the wire.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#include "fixture.h"
#include "tether/gzip.h"
#include "tether/plexd.h"

#include <stdio.h>
#include <string.h>

static tt_plexd_events events;

static void test_plexd_config_refusals(void)
{
    static tt_tls_config tls;
    tt_plexd_config cfg;
    tt_error e;
    plexd_config(&cfg);
    cfg.base_url = "";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "BaseURL") != NULL);
    plexd_config(&cfg);
    cfg.connect_timeout_ms = -1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "negative") != NULL);
    cfg.connect_timeout_ms = 0;
    cfg.sse_idle_timeout_ms = -5;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    cfg.sse_idle_timeout_ms = 0;
    cfg.user_agent = "plexd/1.2.3 (linux; arm; bmc-9f2c) tether-compatible client build 2026-12";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);     /* 71 bytes: not cut */
    CHECK(strstr(e.msg, "user agent longer than 63") != NULL);
    cfg.user_agent = "plexd/1.2.3 (linux; arm)";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    cfg.user_agent = NULL;
    cfg.base_url = "https://cp.test";
    tt_tls_config_init(&tls);
    cfg.tls = &tls;                        /* trust given: https is fine */
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    fresh();
    cfg.tls = NULL;                        /* init checks the same way */
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    plexd_config(&cfg);
    cfg.token = filled('k', TT_API_TOKEN_MAX);
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK(strstr(e.msg, "TT_API_TOKEN_MAX") != NULL);
}

/* A URL that passes the configuration check but not the API's buffer. */
static void test_plexd_init_url_too_long_for_base(void)
{
    tt_plexd_config cfg;
    tt_error e;
    int parses;
    plexd_config(&cfg);
    cfg.base_url = overlong_url(TT_URL_MAX + 4, &parses);
    CHECK(cfg.base_url != NULL);
    fresh();
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), parses ? 0 : -1);
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

/* The longest node id and an execution id that encodes to three times
 * its length outgrow the node path: refused, never sent cut short (a cut
 * path names another resource). */
static void test_plexd_node_path_too_long_refused(void)
{
    static char node[64], exec[64];
    tt_plexd_exec_result r;
    tt_error e;
    memset(node, 'n', sizeof node - 1);
    memset(exec, '/', sizeof exec - 1);    /* "%2F" each */
    plexd_start(node);
    CHECK_STR(plexd.node_id, node);
    CHECK_INT(tt_plexd_ack_execution(&plexd, exec, "accepted", NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    memset(&r, 0, sizeof r);
    r.execution_id = exec;
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    CHECK_INT(mock.written_len, 0);
    /* a short one still goes out whole */
    answer(200, "{}");
    CHECK_INT(tt_plexd_ack_execution(&plexd, "e/1", "accepted", NULL, &e), 0);
    CHECK(sent("POST /v1/nodes/"));
    CHECK(sent("/executions/e%2F1/ack HTTP/1.1\r\n"));
    tt_plexd_close(&plexd);
}

/* A base URL that fits, with the node's events path after it, does not:
 * the event stream is refused at init, not opened on a cut URL. */
static void test_plexd_events_url_too_long_refused(void)
{
    static char node[64];
    tt_plexd_config cfg;
    tt_error e;
    memset(node, 'n', sizeof node - 1);
    plexd_config(&cfg);
    cfg.base_url = long_url(TT_URL_MAX - 40);
    CHECK(cfg.base_url != NULL);
    fresh();
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    CHECK_INT(tt_plexd_set_node_id(&plexd, node, &e), 0);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    tt_plexd_close(&plexd);
}

static void test_plexd_user_agent_from_config(void)
{
    tt_plexd_config cfg;
    tt_error e;
    fresh();
    plexd_config(&cfg);
    cfg.user_agent = "agent/9";
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    CHECK_INT(tt_plexd_set_node_id(&plexd, "n1", &e), 0);
    answer(200, "");
    CHECK_INT(tt_plexd_deregister(&plexd, &e), 0);
    CHECK(sent("POST /v1/nodes/n1/deregister HTTP/1.1\r\n"));
    CHECK(sent("User-Agent: agent/9\r\n"));
    CHECK(sent("Authorization: Bearer t\r\n"));
    tt_plexd_close(&plexd);
}

static void test_plexd_error_kinds(void)
{
    static const struct { tt_err_class cls; int status; tt_plexd_error_kind kind; } cases[] = {
        { TT_ERR_NONE, 0, TT_PLEXD_OK }, { TT_ERR_NETWORK, 0, TT_PLEXD_OTHER },
        { TT_ERR_HTTP, 400, TT_PLEXD_BAD_REQUEST }, { TT_ERR_API, 401, TT_PLEXD_UNAUTHORIZED },
        { TT_ERR_HTTP, 403, TT_PLEXD_FORBIDDEN }, { TT_ERR_HTTP, 404, TT_PLEXD_NOT_FOUND },
        { TT_ERR_API, 409, TT_PLEXD_CONFLICT }, { TT_ERR_HTTP, 413, TT_PLEXD_TOO_LARGE },
        { TT_ERR_HTTP, 429, TT_PLEXD_RATE_LIMITED }, { TT_ERR_API, 503, TT_PLEXD_SERVER },
        { TT_ERR_HTTP, 418, TT_PLEXD_OTHER },
        { TT_ERR_TIMEOUT, 500, TT_PLEXD_OTHER },  /* a status left in a non-HTTP error */
    };
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        tt_error e;
        tt_error_clear(&e);
        e.cls = cases[i].cls;
        e.http_status = cases[i].status;
        if (tt_plexd_error_kind_of(&e) != cases[i].kind) {
            tt_test_fail(__FILE__, __LINE__, "case %zu: kind %d, want %d", i,
                         (int)tt_plexd_error_kind_of(&e), (int)cases[i].kind);
            return;
        }
    }
}

/* Peers (or any list's elements) as they pass, kept for the checks. */
typedef struct kept {
    tt_plexd_peer peers[4];
    size_t n;
    size_t problems;
    char first_problem[TT_ERROR_MSG_MAX];
} kept;

static int keep_peer(void *user, const tt_json_item *it, tt_error *err)
{
    kept *k = user;
    (void)err;
    if (tt_plexd_which(it) != TT_PLEXD_LIST_PEERS)
        return 0;
    if (it->error != NULL && k->problems++ == 0)
        snprintf(k->first_problem, sizeof k->first_problem, "%s", it->error->msg);
    if (k->n < TT_COUNT(k->peers))
        k->peers[k->n] = *(const tt_plexd_peer *)it->record;
    k->n++;
    return 0;
}

static void test_plexd_register_adopts_node_identity(void)
{
    static tt_plexd_registration reg;
    static kept k;
    tt_plexd_register_req q;
    char token[64];
    tt_error e;
    plexd_start(NULL);
    answer(200, "{\"node_id\":\"n-7\",\"mesh_ip\":\"10.9.0.2\",\"node_secret_key\":\"sek\","
                "\"peers\":[{\"id\":\"p1\",\"allowed_ips\":[\"10.9.0.0/24\",\"fd00::/64\"]}]}");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "edge-1";
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, keep_peer, &k, &e), 0);
    CHECK(sent("\"token\":\"t\",\"public_key\":\"pk\",\"hostname\":\"edge-1\""));
    CHECK_STR(reg.node_id, "n-7");
    CHECK_STR(reg.mesh_ip, "10.9.0.2");
    CHECK_INT(reg.npeers, 1);
    CHECK_INT(k.n, 1);
    CHECK_INT(k.peers[0].nallowed_ips, 2);
    CHECK_STR(k.peers[0].allowed_ips[1], "fd00::/64");
    CHECK_STR(plexd.node_id, "n-7");
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek");               /* the node's own identity from now on */
    answer(200, "{\"node_id\":\"n-8\"}");  /* no new secret: the token stays */
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), 0);
    CHECK_STR(plexd.node_id, "n-8");
    CHECK_INT(reg.npeers, 0);
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek");
    tt_plexd_close(&plexd);
}

/* The server created the node: a peer that does not fit, or a field of
 * the registration itself, never loses the identity it sent. */
static void test_plexd_register_keeps_identity_through_problems(void)
{
    static tt_plexd_registration reg;
    static char body[8192];
    static kept k;
    tt_plexd_register_req q;
    char token[64];
    tt_error e;
    plexd_start(NULL);
    snprintf(body, sizeof body,
             "{\"node_id\":\"n-9\",\"mesh_ip\":\"%0100d\",\"node_secret_key\":\"sek9\","
             "\"peers\":[{\"id\":\"p1\",\"endpoint\":\"%0300d\"},{\"id\":\"p2\"}]}", 7, 8);
    answer(200, body);
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "edge-1";
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, keep_peer, &k, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK(strstr(e.msg, "mesh_ip: string of 100 bytes, longer than its 48-byte buffer") != NULL);
    CHECK_STR(reg.node_id, "n-9");
    CHECK_STR(plexd.node_id, "n-9");
    tt_api_token_copy(&plexd.api, token, sizeof token);
    CHECK_STR(token, "sek9");
    /* both peers came, the first with its own problem */
    CHECK_INT(k.n, 2);
    CHECK_INT(k.problems, 1);
    CHECK_STR(k.first_problem, "peers[0].endpoint: string of 300 bytes, longer than its "
                               "264-byte buffer");
    CHECK_STR(k.peers[1].id, "p2");
    tt_plexd_close(&plexd);
}

/* A node id that cannot be a path segment is refused, and remembered as
 * no node id at all. */
static void test_plexd_register_refuses_dot_node_id(void)
{
    static tt_plexd_registration reg;
    tt_plexd_register_req q;
    tt_error e;
    plexd_start(NULL);
    answer(200, "{\"node_id\":\"..\"}");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";
    q.hostname = "h";
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "bad node id") != NULL);
    CHECK_STR(plexd.node_id, "");
    tt_plexd_close(&plexd);
}

static void test_plexd_refuses_missing_arguments(void)
{
    static tt_plexd_registration reg;
    static tt_plexd_secret sec;
    tt_plexd_register_req q;
    tt_plexd_exec_result r;
    static tt_plexd_rotation rot;
    tt_error e;
    plexd_start("n1");
    memset(&q, 0, sizeof q);
    q.public_key = "pk";                   /* no hostname */
    CHECK_INT(tt_plexd_register(&plexd, &q, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_plexd_set_node_id(&plexd, NULL, &e), -1);
    CHECK_STR(plexd.node_id, "");
    tt_plexd_set_node_id(&plexd, "n1", &e);
    rot.npeers = 99;
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "", &rot, NULL, NULL, &e), -1);
    CHECK_INT(rot.npeers, 0);
    CHECK_INT(tt_plexd_get_secret(&plexd, NULL, &sec, &e), -1);
    CHECK_INT(tt_plexd_ack_execution(&plexd, "..", "accepted", NULL, &e), -1);
    CHECK(strstr(e.msg, "bad execution id") != NULL);
    memset(&r, 0, sizeof r);
    r.execution_id = "..";
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

static int count_artifact(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    (void)data;
    (void)err;
    *(size_t *)user += len;
    return 0;
}

/* A download lasts as long as bytes keep coming: 3.6 s of a steady drip
 * with a 1 s request timeout is fine; 1.5 s of silence is not. */
static void test_plexd_artifact_bounded_by_silence(void)
{
    static char resp[4096];
    tt_mock_script *sc;
    size_t got = 0;
    int n;
    tt_error e;
    plexd_start("n1");
    plexd.api.timeout_ms = 1000;
    n = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 "Content-Length: 800\r\n\r\n");
    memset(resp + n, 'b', 800);
    mock.chunk = 100;
    sc = tt_mock_add(&mock, resp, (size_t)n + 800);
    sc->recv_delay_ms = 400; /* each read: 9 of them, or 15 with a 64-byte buffer */
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "1.0", "linux", "arm64", count_artifact, &got, &e), 0);
    CHECK_INT(got, 800);
    sc = tt_mock_add(&mock, resp, (size_t)n + 800);
    sc->stall_at = (size_t)n + 300;
    sc->stall_ms = 1500;
    got = 0;
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "1.0", "linux", "arm64", count_artifact, &got, &e), -1);
    CHECK_INT(e.code, TT_E_IDLE_TIMEOUT);
    CHECK(got > 0 && got <= 300);             /* what came before the silence */
    tt_plexd_close(&plexd);
}

static void test_plexd_artifact_needs_each_part(void)
{
    static const char *const args[][3] = {
        { NULL, "linux", "arm64" }, { "1.0", NULL, "arm64" }, { "1.0", "linux", NULL },
        { "..", "linux", "arm64" }, { "1.0", ".", "arm64" }, { "1.0", "linux", ".." },
    };
    size_t i;
    tt_error e;
    plexd_start("n1");
    for (i = 0; i < TT_COUNT(args); i++) {
        tt_error_clear(&e);
        if (tt_plexd_fetch_artifact(&plexd, args[i][0], args[i][1], args[i][2], NULL, NULL,
                                    &e) != -1 || e.cls != TT_ERR_USAGE) {
            tt_test_fail(__FILE__, __LINE__, "case %zu accepted", i);
            return;
        }
    }
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

/* A caller's timestamp is sent as given; an empty answer is "nothing to do". */
static void test_plexd_heartbeat_given_time_empty_answer(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    memset(&q, 0, sizeof q);
    q.timestamp = "2026-05-05T05:05:05Z";
    q.status = "healthy";
    r.reconcile = r.rotate_keys = 1;
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("{\"node_id\":\"n1\",\"timestamp\":\"2026-05-05T05:05:05Z\","
               "\"status\":\"healthy\"}"));
    CHECK_INT(r.reconcile, 0);
    CHECK_INT(r.rotate_keys, 0);
    tt_plexd_close(&plexd);
}

/* The port's wall clock as RFC 3339, every field two digits. */
static void test_plexd_heartbeat_clock_time_padded(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    mock.wall = 1767225600 + 3600 + 5 * 60 + 7 - mock.now / 1000;  /* 01:05:07 */
    answer(200, "{\"reconcile\":true}");
    memset(&q, 0, sizeof q);
    r.reconcile = 0;
    r.rotate_keys = 1; /* must be cleared: absent from the answer */
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"2026-01-01T01:05:07Z\""));
    CHECK_INT(r.reconcile, 1);
    CHECK_INT(r.rotate_keys, 0);
    tt_plexd_close(&plexd);
}

/* A device whose clock was never set stamps its heartbeat from the last
 * answer's Date, not 1970. */
static void test_plexd_heartbeat_clock_unset(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    mock.wall = -mock.now / 1000;                 /* 1970-01-01 on the device */
    memset(&q, 0, sizeof q);
    answer_with(200, "Content-Type: application/json\r\nDate: Sat, 05 Dec 2026 10:00:00 GMT\r\n",
                "{\"reconcile\":false}");
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"1970-01-01T00:00:0"));  /* nothing better known yet */
    answer(200, "{\"reconcile\":false}");
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), 0);
    CHECK(sent("\"timestamp\":\"2026-12-05T10:00:0"));
    tt_plexd_close(&plexd);
}

static void test_plexd_heartbeat_oversize_refused(void)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    tt_error e;
    plexd_start("n1");
    memset(&q, 0, sizeof q);
    q.status = filled('s', TT_API_REQUEST_MAX);
    CHECK_INT(tt_plexd_heartbeat(&plexd, &q, &r, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(mock.written_len, 0);
    tt_plexd_close(&plexd);
}

static void test_plexd_state_empty_answer_refused(void)
{
    static tt_plexd_state st;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK(strstr(e.msg, "text ends too early") != NULL);
    CHECK(sent("GET /v1/nodes/n1/state HTTP/1.1\r\n"));
    tt_plexd_close(&plexd);
}

static void test_plexd_rotate_keys_updated_peers(void)
{
    static tt_plexd_rotation rot;
    static kept k;
    tt_error e;
    plexd_start("n1");
    answer(200, "{\"updated_peers\":[{\"id\":\"a\",\"public_key\":\"k1\",\"psk\":\"s\"},"
                "{\"id\":\"b\",\"endpoint\":\"1.2.3.4:51820\"}]}");
    memset(&k, 0, sizeof k);
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k2", &rot, keep_peer, &k, &e), 0);
    CHECK(sent("POST /v1/keys/rotate HTTP/1.1\r\n"));
    CHECK(sent("{\"node_id\":\"n1\",\"new_public_key\":\"k2\"}"));
    CHECK_INT(rot.npeers, 2);
    CHECK_STR(k.peers[0].public_key, "k1");
    CHECK_STR(k.peers[0].psk, "s");
    CHECK_STR(k.peers[1].endpoint, "1.2.3.4:51820");
    /* a peer without its id: that peer's problem, the others come whole;
     * without a callback the problem is the call's */
    answer(200, "{\"updated_peers\":[{\"id\":\"a\"},{\"public_key\":\"no id\"},{\"id\":\"c\"}]}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k4", &rot, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_STR(e.msg, "cp.test: updated_peers[1].id: required field missing");
    CHECK_INT(rot.npeers, 3);
    answer(200, "{}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k5", &rot, NULL, NULL, &e), 0);
    CHECK_INT(rot.npeers, 0);
    /* Go writes an empty list as null */
    answer(200, "{\"updated_peers\":null}");
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "k6", &rot, NULL, NULL, &e), 0);
    CHECK_INT(rot.npeers, 0);
    tt_plexd_close(&plexd);
}

static void test_plexd_result_optional_fields(void)
{
    tt_plexd_exec_result r;
    tt_error e;
    plexd_start("n1");
    answer(200, "");
    memset(&r, 0, sizeof r);
    r.execution_id = "x/1";
    r.status = "failed";
    r.exit_code = 3;
    r.err = "boom";
    r.finished_at = "2026-02-03T04:05:06Z";
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), 0);
    CHECK(sent("POST /v1/nodes/n1/executions/x%2F1/result HTTP/1.1\r\n"));
    CHECK(sent("{\"execution_id\":\"x/1\",\"status\":\"failed\",\"exit_code\":3,\"stdout\":\"\","
               "\"stderr\":\"boom\",\"finished_at\":\"2026-02-03T04:05:06Z\"}"));
    tt_plexd_close(&plexd);
}

/* ---- plexd events ---- */

static int nreports;
static tt_error last_why;

static void keep_report(void *user, const tt_plexd_envelope *env, const tt_error *why)
{
    (void)user;
    (void)env;
    nreports++;
    last_why = *why;
}

static int count_event(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)env;
    (void)err;
    (*(int *)user)++;
    return 0;
}

/* Events of node n1, each counted in *handled, each refusal reported. */
static int events_start(int *handled, tt_error *e)
{
    plexd_start("n1");
    if (tt_plexd_events_init(&events, &plexd, e) != 0 ||
        tt_plexd_on(&events, NULL, count_event, handled, e) != 0)
        return -1;
    events.report = keep_report;
    return 0;
}

/* Envelopes whose type or id is present but empty are malformed too. */
static void test_plexd_events_empty_type_or_id_malformed(void)
{
    static const char *const stream[] = {
        "data: {\"event_type\":\"\",\"event_id\":\"e1\"}\n\n",
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"\"}\n\n",
    };
    int handled = 0;
    size_t i;
    tt_error e;
    CHECK_INT(events_start(&handled, &e), 0);
    for (i = 0; i < TT_COUNT(stream); i++) {
        nreports = 0;
        tt_error_clear(&last_why);
        CHECK_INT(tt_sse_feed(&events.parser, stream[i], strlen(stream[i]), &e), 0);
        CHECK_INT(nreports, 1);
        CHECK_INT(last_why.cls, TT_ERR_PROTOCOL);
        CHECK_INT(last_why.code, TT_E_JSON_MISSING);
    }
    CHECK_INT(events.malformed, 2);
    CHECK_INT(events.delivered, 0);
    CHECK_INT(handled, 0);
    tt_plexd_close(&plexd);
}

/* A member twice, in the envelope or anywhere in its payload, spelt the
 * same or escaped: the signer and this side could read different values,
 * so the envelope is malformed. The same names in different objects are
 * fine. */
static void test_plexd_events_duplicate_members_malformed(void)
{
    static const char *const bad[] = {
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e1\",\"event_id\":\"e2\"}\n\n",
        "data: {\"event_type\":\"action_request\",\"event_id\":\"e3\",\"payload\":"
        "{\"action\":\"noop\",\"act\\u0069on\":\"reboot\"}}\n\n",
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e4\",\"payload\":"
        "{\"peer\":{\"id\":\"a\",\"id\":\"b\"}}}\n\n",
    };
    static const char good[] =
        "data: {\"event_type\":\"peer_added\",\"event_id\":\"e5\",\"payload\":"
        "{\"id\":\"a\",\"peer\":{\"id\":\"b\"},\"list\":[{\"id\":1},{\"id\":2}]}}\n\n";
    int handled = 0;
    size_t i;
    tt_error e;
    CHECK_INT(events_start(&handled, &e), 0);
    for (i = 0; i < TT_COUNT(bad); i++) {
        tt_error_clear(&last_why);
        CHECK_INT(tt_sse_feed(&events.parser, bad[i], strlen(bad[i]), &e), 0);
        CHECK_INT(last_why.code, TT_E_JSON_SYNTAX);
        CHECK(strstr(last_why.msg, "given twice in one object") != NULL);
    }
    CHECK_INT(events.malformed, 3);
    CHECK_INT(handled, 0);
    CHECK_INT(tt_sse_feed(&events.parser, good, sizeof good - 1, &e), 0);
    CHECK_INT(handled, 1);
    tt_plexd_close(&plexd);
}

static void test_plexd_events_stream_settings(void)
{
    tt_plexd_config cfg;
    tt_error e;
    fresh();
    plexd_config(&cfg);
    cfg.sse_idle_timeout_ms = 12345;
    CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
    tt_plexd_set_node_id(&plexd, "n 1", &e);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    CHECK_INT(events.scfg.idle_timeout_ms, 12345);
    CHECK_STR(events.url, "http://cp.test:8080/v1/nodes/n%201/events");
    CHECK_STR(events.auth_value, "Bearer t");
    tt_plexd_close(&plexd);
}

static int states_seen;
static tt_plexd_state seen_state;

static void keep_state(void *user, const tt_plexd_state *st)
{
    (void)user;
    states_seen++;
    seen_state = *st;
}

/* The polling fallback fetches the state, its peers to on_state_item and
 * the rest to on_state; a failed fetch hands nothing. */
static void test_plexd_events_poll_feeds_on_state(void)
{
    static kept k;
    tt_error e;
    plexd_start("n1");
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    events.on_state = keep_state;
    events.on_state_item = keep_peer;
    events.user = &k;
    memset(&k, 0, sizeof k);
    states_seen = 0;
    answer(200, "{\"peers\":[{\"id\":\"p9\"}],\"signing_keys\":{\"current\":\"K1\"}}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), 0);
    CHECK_INT(states_seen, 1);
    CHECK_INT(seen_state.npeers, 1);
    CHECK_STR(k.peers[0].id, "p9");
    CHECK_STR(seen_state.signing_keys.current, "K1");
    answer(404, "{\"error\":{\"code\":\"gone\",\"message\":\"no node\"}}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), -1);
    CHECK_INT(e.http_status, 404);
    CHECK_INT(states_seen, 1);
    events.on_state = NULL;                /* no consumer: the state is still kept */
    answer(200, "{\"peers\":[{\"id\":\"p8\"},{\"id\":\"p7\"}]}");
    CHECK_INT(events.scfg.poll(events.scfg.user, &e), 0);
    CHECK_INT(events.state.npeers, 2);
    CHECK_STR(k.peers[2].id, "p7");
    CHECK_INT(states_seen, 1);
    CHECK_INT(events.polls, 3);
    tt_plexd_close(&plexd);
}

/* Only U+2028/9 among multi-byte characters are escaped; tabs and CRs
 * between payload tokens go; a payload cut after a backslash keeps it. */
static void test_plexd_canonical_bytes_utf8_and_whitespace(void)
{
    static const char payload[] = "{\t\"s\":\"\xe2\x80\xa6\xe2\x80\xa8\",\r\n\"t\":1}";
    tt_plexd_envelope env;
    char out[256];
    size_t n;
    tt_error e;
    memset(&env, 0, sizeof env);
    strcpy(env.event_type, "a\xe2\x80\xa6" "b\xe2\x82\xac" "c\xe2");
    strcpy(env.event_id, "e");
    env.payload.p = payload;
    env.payload.n = sizeof payload - 1;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    out[n] = '\0';
    CHECK_STR(out, "{\"event_type\":\"a\xe2\x80\xa6" "b\xe2\x82\xac" "c\xe2\",\"event_id\":\"e\","
                   "\"issued_at\":\"1970-01-01T00:00:00Z\",\"nonce\":\"\","
                   "\"payload\":{\"s\":\"\xe2\x80\xa6\\u2028\","
                   "\"t\":1}}");
    env.payload.p = "\"a\\";
    env.payload.n = 3;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    CHECK(n > 14 && memcmp(out + n - 14, "\"payload\":\"a\\}", 14) == 0);
    env.payload.n = 0;                     /* a pointer but no bytes: null */
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out - 1, &n, &e), 0);
    out[n] = '\0';
    CHECK(strstr(out, "\"payload\":null}") != NULL);
}

/* ---- arguments and answers refused, gzip ---- */

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
    serve_once(200, NULL);
    plexd_open();
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
    serve_once(200, "{\"mesh_ip\":\"10.0.0.2\"}"); /* no node id */
    plexd_open();
    CHECK_INT(tt_plexd_register(&plexd, &rq, &reg, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK(strstr((const char *)mock.written, "\"capabilities\":{\"wg\":true}") != NULL);
    CHECK(strstr((const char *)mock.written, "\"metadata\":{\"site\":\"lab\"}") != NULL);
    tt_plexd_close(&plexd);
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
    serve_once(200, NULL);
    plexd_open();
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

/* ---- the event stream ---- */

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
    serve_once(200, NULL);
    plexd_open();
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

#if TT_FEATURE_GZIP
/* plexd's gzip both ways: a large batch goes compressed (as it is when the
 * build has no deflate), a compressed answer is inflated, a corrupt one is
 * a gzip error. */
static void test_plexd_gzip_both_ways(void)
{
    static char batch[4096], resp[2048];
    /* {"peers":[],"policies":[],"metadata":{"site":"lab"}} by Python's gzip */
    static const unsigned char z[] =
        "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\xab\x56\x2a\x48\x4d\x2d\x2a\x56\xb2\x8a"
        "\x8e\xd5\x51\x2a\xc8\xcf\xc9\x4c\xce\x4c\x85\xf2\x72\x53\x4b\x12\x53\x12\x4b\x12"
        "\x95\xac\xaa\x95\x8a\x33\x4b\x52\x95\xac\x94\x72\x12\x93\x94\x6a\x6b\x01\xc2\x74"
        "\x58\x5c\x34\x00\x00\x00";
    static tt_plexd_state st;
    size_t zn = sizeof z - 1, i, n = 0;
    int hl;
    tt_error e;
    batch[n++] = '[';
    for (i = 0; n + 40 < sizeof batch; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "%s{\"name\":\"cpu\",\"v\":%zu}",
                              i ? "," : "", i);
    batch[n++] = ']';
    batch[n] = '\0';
    serve_once(200, "{}");
    plexd_open();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_send_metrics(&plexd, batch, &e), 0);
#if TT_FEATURE_GZIP_REQUEST
    CHECK(strstr((const char *)mock.written, "Content-Encoding: gzip") != NULL);
    CHECK(mock.written_len < n);              /* smaller than the batch itself */
#else
    CHECK(strstr((const char *)mock.written, "Content-Encoding") == NULL);
    CHECK(mock.written_len > n && strstr((const char *)mock.written, batch) != NULL);
#endif
    tt_plexd_close(&plexd);
    hl = snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                  "Content-Length: %zu\r\n\r\n", zn);
    memcpy(resp + hl, z, zn);
    fresh();
    tt_mock_add(&mock, resp, (size_t)hl + zn);
    plexd_open();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), 0);
    CHECK_STR(st.metadata, "{\"site\":\"lab\"}");
    tt_plexd_close(&plexd);
    resp[hl + 12] ^= 0x55;                    /* corrupt the deflate data */
    fresh();
    tt_mock_add(&mock, resp, (size_t)hl + zn);
    plexd_open();
    tt_plexd_set_node_id(&plexd, "n1", &e);
    plexd.api.retry.max_retries = 0;
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, NULL, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_GZIP);
    tt_plexd_close(&plexd);
}
#endif

void suite_plexd(void)
{
    static const tt_test tests[] = {
        { "plexd_config_refusals", test_plexd_config_refusals },
        { "plexd_init_url_too_long_for_base", test_plexd_init_url_too_long_for_base },
        { "plexd_user_agent_from_config", test_plexd_user_agent_from_config },
        { "plexd_error_kinds", test_plexd_error_kinds },
        { "plexd_register_adopts_node_identity", test_plexd_register_adopts_node_identity },
        { "plexd_register_keeps_identity_through_problems",
          test_plexd_register_keeps_identity_through_problems },
        { "plexd_register_refuses_dot_node_id", test_plexd_register_refuses_dot_node_id },
        { "plexd_refuses_missing_arguments", test_plexd_refuses_missing_arguments },
        { "plexd_node_path_too_long_refused", test_plexd_node_path_too_long_refused },
        { "plexd_events_url_too_long_refused", test_plexd_events_url_too_long_refused },
        { "plexd_artifact_needs_each_part", test_plexd_artifact_needs_each_part },
        { "plexd_heartbeat_given_time_empty_answer", test_plexd_heartbeat_given_time_empty_answer },
        { "plexd_heartbeat_clock_time_padded", test_plexd_heartbeat_clock_time_padded },
        { "plexd_heartbeat_clock_unset", test_plexd_heartbeat_clock_unset },
        { "plexd_heartbeat_oversize_refused", test_plexd_heartbeat_oversize_refused },
        { "plexd_state_empty_answer_refused", test_plexd_state_empty_answer_refused },
        { "plexd_rotate_keys_updated_peers", test_plexd_rotate_keys_updated_peers },
        { "plexd_result_optional_fields", test_plexd_result_optional_fields },
        { "plexd_artifact_bounded_by_silence", test_plexd_artifact_bounded_by_silence },
        { "plexd_events_empty_type_or_id_malformed", test_plexd_events_empty_type_or_id_malformed },
        { "plexd_events_duplicate_members_malformed",
          test_plexd_events_duplicate_members_malformed },
        { "plexd_events_stream_settings", test_plexd_events_stream_settings },
        { "plexd_events_poll_feeds_on_state", test_plexd_events_poll_feeds_on_state },
        { "plexd_canonical_bytes_utf8_and_whitespace",
          test_plexd_canonical_bytes_utf8_and_whitespace },
        { "plexd_config_checks", test_plexd_config_checks },
        { "plexd_refuses_bad_arguments", test_plexd_refuses_bad_arguments },
        { "plexd_answers_missing_fields", test_plexd_answers_missing_fields },
        { "plexd_canonical_bytes", test_plexd_canonical_bytes },
        { "plexd_no_node_and_oversize", test_plexd_no_node_and_oversize },
        { "plexd_event_envelopes", test_plexd_event_envelopes },
#if TT_FEATURE_GZIP
        { "plexd_gzip_both_ways", test_plexd_gzip_both_ways },
#endif
    };
    tt_run_suite("plexd", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
