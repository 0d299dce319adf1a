/*
 * The plexd client against the reference control plane: registration and
 * the token switch, every endpoint, gzip both ways, the error sentinels,
 * the artifact stream, and the event manager receiving all twelve event
 * types through forced reconnects, with malformed and rejected envelopes
 * skipped and the FetchState polling fallback.
 */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"
#include "plexd.h"

#include <stdio.h>
#include <string.h>

static tt_plexd plexd;
static tt_plexd_events events;
static tt_plexd_registration reg;
static int port_no;

static int start(const char *token, tt_error *e)
{
    tt_plexd_config cfg;
    tt_port port;
    static char url[64];
    port_no = integ_cp_port("PLEXD");
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port_no);
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = url;
    cfg.token = token;
    tt_port_posix_init(&port);
    return tt_plexd_init(&plexd, &port, &cfg, e);
}

/* GET a refcp page (/_stats, /_received) into buf. */
static int cp_get(const char *path, char *buf, size_t cap)
{
    static tt_client c;
    char url[96];
    tt_request rq;
    tt_response res;
    tt_error e;
    integ_client(&c, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port_no, path);
    memset(&rq, 0, sizeof rq);
    rq.url = url;
    rq.body_buf = buf;
    rq.body_cap = cap;
    if (tt_client_request(&c, &rq, &res, &e) != 0)
        return -1;
    tt_client_close(&c);
    return 0;
}

static int registered(tt_error *e)
{
    tt_plexd_register_req q;
    memset(&q, 0, sizeof q);
    q.public_key = "cHVibGljLWtleQ==";
    q.hostname = "bmc-7";
    q.metadata_json = "{\"rack\": \"r1\"}";
    if (start("boot-demo-token", e) != 0)
        return -1;
    return tt_plexd_register(&plexd, &q, &reg, e);
}

static void test_config_validation(void)
{
    tt_plexd_config cfg;
    tt_error e;
    memset(&cfg, 0, sizeof cfg);
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "BaseURL") != NULL);
    cfg.base_url = "https://cp.example:8443";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    CHECK(strstr(e.msg, "TLSInsecureSkipVerify") != NULL);
    cfg.insecure_skip_verify = 1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), 0);
    cfg.request_timeout_ms = -1;
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
    cfg.request_timeout_ms = 0;
    cfg.base_url = "ftp://x";
    CHECK_INT(tt_plexd_config_validate(&cfg, &e), -1);
}

static void test_register_and_token_switch(void)
{
    tt_plexd_heartbeat_req hb;
    tt_plexd_heartbeat_resp hr;
    tt_error e;
    char stats[1024];
    CHECK_INT(integ_cp_admin(integ_cp_port("PLEXD"), "/_reset", "{}"), 0);
    CHECK_INT(registered(&e), 0);
    CHECK_STR(reg.node_id, "node-1");
    CHECK_STR(reg.mesh_ip, "100.64.0.2");
    CHECK_INT(reg.npeers, 1);
    CHECK_STR(reg.peers[0].allowed_ips[0], "100.64.0.1/32");
    CHECK(strncmp(reg.node_secret_key, "nsk-", 4) == 0);
    /* the bootstrap token is gone: the node's own works */
    {
        char token[TT_API_TOKEN_MAX];
        tt_api_token_copy(&plexd.api, token, sizeof token);
        CHECK_STR(token, reg.node_secret_key);
    }
    memset(&hb, 0, sizeof hb);
    hb.status = "healthy";
    CHECK_INT(tt_plexd_heartbeat(&plexd, &hb, &hr, &e), 0);
    CHECK_INT(hr.rotate_keys, 0);
    /* a swapped token applies to the next call */
    CHECK_INT(tt_plexd_set_token(&plexd, "boot-demo-token", &e), 0);
    CHECK_INT(tt_plexd_heartbeat(&plexd, &hb, &hr, &e), -1);
    CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_UNAUTHORIZED);
    CHECK_INT(tt_plexd_set_token(&plexd, reg.node_secret_key, &e), 0);
    CHECK_INT(tt_plexd_heartbeat(&plexd, &hb, &hr, &e), 0);
    CHECK_INT(cp_get("/_stats", stats, sizeof stats), 0);
    CHECK(strstr(stats, "\"user_agent\": \"plexd/" TT_VERSION "\"") != NULL);
    /* a wrong bootstrap token */
    CHECK_INT(start("not-the-token", &e), 0);
    {
        tt_plexd_register_req q;
        tt_plexd_registration r;
        memset(&q, 0, sizeof q);
        q.public_key = "x";
        q.hostname = "y";
        CHECK_INT(tt_plexd_register(&plexd, &q, &r, &e), -1);
        CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_UNAUTHORIZED);
        CHECK_STR(e.msg, "127.0.0.1: HTTP 401 Unauthorized: invalid bootstrap token");
    }
}

static void test_every_endpoint(void)
{
    static tt_plexd_state st;
    tt_plexd_peer peers[4];
    tt_plexd_secret sec;
    tt_plexd_exec_result r;
    tt_error e;
    size_t n;
    char got[2048];
    CHECK_INT(registered(&e), 0);
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, &e), 0);
    CHECK_INT(st.npeers, 3);
    CHECK_STR(st.peers[2].endpoint, "203.0.113.3:51820");
    CHECK_STR(st.signing_keys.current, "Y3VycmVudA==");
    CHECK(st.policies.n > 10 && st.policies.p[0] == '[');
    CHECK(st.metadata.p != NULL && st.metadata.p[0] == '{');
    CHECK_INT(tt_plexd_rotate_keys(&plexd, "bmV3LWtleQ==", peers, 4, &n, &e), 0);
    CHECK_INT(n, 1);
    CHECK_STR(peers[0].id, "peer-1");
    CHECK_INT(tt_plexd_update_capabilities(&plexd, "{\"binary\": {\"version\": \"1.0\"}}", &e), 0);
    CHECK_INT(tt_plexd_report_endpoint(&plexd, "198.51.100.7:51820", "full-cone", &e), 0);
    CHECK_INT(tt_plexd_report_drift(&plexd, "[{\"type\": \"peer\", \"detail\": \"re-added\"}]", &e), 0);
    CHECK_INT(tt_plexd_get_secret(&plexd, "db", &sec, &e), 0);
    CHECK_STR(sec.ciphertext, "c2VjcmV0");
    CHECK_INT(sec.version, 3);
    CHECK_INT(tt_plexd_get_secret(&plexd, "nope", &sec, &e), -1);
    CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_NOT_FOUND);
    CHECK_INT(tt_plexd_sync_reports(&plexd, "{\"entries\": [], \"deleted\": [\"old\"]}", &e), 0);
    CHECK_INT(tt_plexd_ack_execution(&plexd, "ex-1", "accepted", NULL, &e), 0);
    memset(&r, 0, sizeof r);
    r.execution_id = "ex-1";
    r.status = "succeeded";
    r.exit_code = 0;
    r.out = "done\n";
    r.duration = "1.5s";
    CHECK_INT(tt_plexd_report_result(&plexd, &r, &e), 0);
    CHECK_INT(tt_plexd_send_metrics(&plexd, "[{\"group\": \"cpu\"}, {\"group\": \"mem\"}]", &e), 0);
    CHECK_INT(tt_plexd_send_logs(&plexd, "[{\"message\": \"boot\"}]", &e), 0);
    CHECK_INT(tt_plexd_send_audit(&plexd, "[{\"action\": \"login\"}]", &e), 0);
    CHECK_INT(tt_plexd_send_logs(&plexd, "[{\"message\": ", &e), -1);   /* never sent */
    CHECK_INT(cp_get("/_received", got, sizeof got), 0);
    CHECK(strstr(got, "\"metrics\": 2") != NULL);
    CHECK(strstr(got, "\"logs\": 1") != NULL);
    CHECK(strstr(got, "\"audit\": 1") != NULL);
    CHECK(strstr(got, "\"drift\": 1") != NULL);
    CHECK(strstr(got, "\"stdout\": \"done\\n\"") != NULL);
    CHECK(strstr(got, "\"nat_type\": \"full-cone\"") != NULL);
    CHECK(strstr(got, "\"execution_id\": \"ex-1\", \"status\": \"accepted\"") != NULL);
    CHECK_INT(tt_plexd_deregister(&plexd, &e), 0);
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, &e), -1);
    CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_UNAUTHORIZED);
}

static void test_gzip_both_ways(void)
{
    static char batch[6000];
    static tt_plexd_state st;
    tt_error e;
    char stats[1024];
    size_t i, n = 0;
    CHECK_INT(integ_cp_admin(integ_cp_port("PLEXD"), "/_reset", "{}"), 0);
    CHECK_INT(registered(&e), 0);
    batch[n++] = '[';
    for (i = 0; i < 60; i++)
        n += (size_t)snprintf(batch + n, sizeof batch - n, "%s{\"group\": \"cpu\", \"value\": %zu}",
                              i ? ", " : "", i);
    batch[n++] = ']';
    batch[n] = '\0';
    CHECK(n > 1024);
    CHECK_INT(tt_plexd_send_metrics(&plexd, batch, &e), 0);
    CHECK_INT(tt_plexd_fetch_state(&plexd, &st, &e), 0);   /* answered gzipped */
    CHECK_INT(st.npeers, 3);
    CHECK_INT(cp_get("/_stats", stats, sizeof stats), 0);
#if TT_FEATURE_GZIP
    CHECK(strstr(stats, "\"gzip_requests\": 1") != NULL);
    CHECK(strstr(stats, "\"gzip_responses\": 2") != NULL);  /* register and state */
#else
    /* built without gzip: nothing compressed either way, and all works */
    CHECK(strstr(stats, "gzip_requests") == NULL);
    CHECK(strstr(stats, "gzip_responses") == NULL);
#endif
    CHECK_INT(cp_get("/_received", batch, sizeof batch), 0);
    CHECK(strstr(batch, "\"metrics\": 60") != NULL);
}

static void test_error_sentinels(void)
{
    static const struct { int status; tt_plexd_error_kind kind; } cases[] = {
        { 400, TT_PLEXD_BAD_REQUEST }, { 403, TT_PLEXD_FORBIDDEN }, { 409, TT_PLEXD_CONFLICT },
        { 413, TT_PLEXD_TOO_LARGE }, { 429, TT_PLEXD_RATE_LIMITED }, { 500, TT_PLEXD_SERVER },
        { 503, TT_PLEXD_SERVER },
    };
    tt_plexd_heartbeat_req hb;
    tt_plexd_heartbeat_resp hr;
    tt_error e;
    size_t i;
    char spec[96];
    CHECK_INT(registered(&e), 0);
    memset(&hb, 0, sizeof hb);
    for (i = 0; i < TT_COUNT(cases); i++) {
        snprintf(spec, sizeof spec, "{\"status\": %d, \"count\": 1, \"retry_after\": 7}",
                 cases[i].status);
        CHECK_INT(integ_cp_admin(port_no, "/_faults", spec), 0);
        CHECK_INT(tt_plexd_heartbeat(&plexd, &hb, &hr, &e), -1);
        CHECK_INT(tt_plexd_error_kind_of(&e), cases[i].kind);
        CHECK_INT(e.http_status, cases[i].status);
        if (cases[i].status == 429)
            CHECK_INT(e.retry_after, 7);
    }
    CHECK_INT(plexd.api.stats.retries, 0);
    CHECK_INT(integ_cp_admin(port_no, "/_faults", "{}"), 0);
    {
        tt_plexd_config cfg;
        tt_port port;
        memset(&cfg, 0, sizeof cfg);
        cfg.base_url = "http://127.0.0.1:1";
        tt_port_posix_init(&port);
        CHECK_INT(tt_plexd_init(&plexd, &port, &cfg, &e), 0);
        CHECK_INT(tt_plexd_set_node_id(&plexd, "node-1", &e), 0);
        CHECK_INT(tt_plexd_heartbeat(&plexd, &hb, &hr, &e), -1);
        CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_OTHER);
        CHECK(tt_error_is_network(&e));
    }
}

static int count_bytes(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    size_t *n = user;
    (void)data;
    (void)err;
    *n += len;
    return 0;
}

static void test_artifact_stream(void)
{
    tt_error e;
    size_t n = 0;
    CHECK_INT(registered(&e), 0);
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "1.2.3", "linux", "arm64", count_bytes, &n, &e), 0);
    CHECK_INT(n, 300000);
    CHECK_INT(tt_plexd_fetch_artifact(&plexd, "0.0.0", "linux", "arm64", count_bytes, &n, &e), -1);
    CHECK_INT(tt_plexd_error_kind_of(&e), TT_PLEXD_NOT_FOUND);
}

/* ---- events -------------------------------------------------------------------------- */

typedef struct got_events {
    int per_type[12];
    int all;
    int catch_all;
    int order_ok;
    char last_id[16];
    int dup;
} got_events;

static got_events got;

static int type_index(const char *t)
{
    int i;
    for (i = 0; i < 12; i++)
        if (strcmp(tt_plexd_event_types[i], t) == 0)
            return i;
    return -1;
}

static int on_typed(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    int k = (int)(size_t)user;
    (void)err;
    if (type_index(env->event_type) != k)
        got.order_ok = 0;
    got.per_type[k]++;
    got.all++;
    if (got.per_type[k] > 1)
        got.dup++;
    return k == 3 ? tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "handler 3 fails")
                  : 0;
}

static int on_any(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user;
    (void)err;
    got.catch_all++;
    if (strstr(env->payload.p, "\"seq\"") == NULL)
        got.order_ok = 0;
    if (got.catch_all >= 12)
        tt_sse_stop(&events.stream);
    return 0;
}

static unsigned long reports_malformed, reports_handler;

static void on_report(void *user, const tt_plexd_envelope *env, const tt_error *why)
{
    (void)user;
    (void)why;
    if (env == NULL)
        reports_malformed++;
    else
        reports_handler++;
}

static void test_events_all_types_through_reconnects(void)
{
    tt_error e;
    char stats[512];
    int i;
    CHECK_INT(integ_cp_admin(integ_cp_port("PLEXD"), "/_reset", "{}"), 0);
    CHECK_INT(registered(&e), 0);
    CHECK_INT(integ_cp_admin(port_no, "/_emit", "{\"count\": 6, \"malformed\": true}"), 0);
    CHECK_INT(integ_cp_admin(port_no, "/_emit", "{\"count\": 6}"), 0);
    CHECK_INT(integ_cp_admin(port_no, "/_faults", "{\"drop_events_every\": 5}"), 0);
    memset(&got, 0, sizeof got);
    got.order_ok = 1;
    reports_malformed = reports_handler = 0;
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    /* one handler per type, as many as the build holds (the last slot is
     * the catch-all); types beyond them reach only the catch-all */
    for (i = 0; i < 12 && i + 1 < TT_SSE_HANDLERS_MAX; i++)
        CHECK_INT(tt_plexd_on(&events, tt_plexd_event_types[i], on_typed, (void *)(size_t)i, &e), 0);
    CHECK_INT(tt_plexd_on(&events, NULL, on_any, NULL, &e), 0);
    events.report = on_report;
    events.scfg.backoff_base_ms = 20;
    events.scfg.backoff_max_ms = 100;
    events.scfg.idle_timeout_ms = 5000;
    if (tt_plexd_events_run(&events, &e) != 0) {
        tt_test_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    CHECK_INT(integ_cp_admin(port_no, "/_faults", "{}"), 0);
    for (i = 0; i < 12; i++)
        CHECK_INT(got.per_type[i], i + 1 < TT_SSE_HANDLERS_MAX ? 1 : 0);
    CHECK_INT(got.dup, 0);
    CHECK_INT(got.catch_all, 12);
    CHECK(got.order_ok);
    CHECK_INT(events.malformed, 1);
    CHECK_INT(reports_malformed, 1);
    CHECK_INT(events.handler_errors, 1);
    CHECK_INT(reports_handler, 1);
    CHECK(events.stream.stats.opened >= 3);      /* cut after every 5 events */
    CHECK_INT(cp_get("/_stats", stats, sizeof stats), 0);
    CHECK(strstr(stats, "\"drops\": ") != NULL);
}

static int reject_policy(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user;
    if (strcmp(env->event_type, "policy_updated") == 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL, "bad signature");
    return 0;
}

static int stop_at_11(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user;
    (void)env;
    (void)err;
    if (++got.all >= 11)
        tt_sse_stop(&events.stream);
    return 0;
}

static void test_events_verifier_rejects(void)
{
    tt_error e;
    CHECK_INT(integ_cp_admin(integ_cp_port("PLEXD"), "/_reset", "{}"), 0);
    CHECK_INT(registered(&e), 0);
    CHECK_INT(integ_cp_admin(port_no, "/_emit", "{\"count\": 12}"), 0);
    memset(&got, 0, sizeof got);
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    CHECK_INT(tt_plexd_on(&events, NULL, stop_at_11, NULL, &e), 0);
    events.verify = reject_policy;
    CHECK_INT(tt_plexd_events_run(&events, &e), 0);
    CHECK_INT(events.rejected, 1);
    CHECK_INT(events.delivered, 11);
}

static int polled_states;

static void on_state(void *user, const tt_plexd_state *st)
{
    (void)user;
    if (st->npeers == 3)
        polled_states++;
}

static int stop_first(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    (void)user;
    (void)env;
    (void)err;
    tt_sse_stop(&events.stream);
    return 0;
}

static void test_events_polling_fallback(void)
{
    tt_error e;
    CHECK_INT(integ_cp_admin(integ_cp_port("PLEXD"), "/_reset", "{}"), 0);
    CHECK_INT(registered(&e), 0);
    CHECK_INT(integ_cp_admin(port_no, "/_emit", "{\"count\": 1}"), 0);
    /* the stream fails three times; polling starts at once (poll_after 0) */
    CHECK_INT(integ_cp_admin(port_no, "/_faults", "{\"status\": 503, \"count\": 3}"), 0);
    polled_states = 0;
    CHECK_INT(tt_plexd_events_init(&events, &plexd, &e), 0);
    CHECK_INT(tt_plexd_on(&events, NULL, stop_first, NULL, &e), 0);
    events.on_state = on_state;
    events.scfg.backoff_base_ms = 20;
    events.scfg.backoff_max_ms = 40;
    events.scfg.poll_after_ms = 0;
    events.scfg.poll_interval_ms = 30;
    CHECK_INT(tt_plexd_events_run(&events, &e), 0);
    CHECK(events.polls >= 2);
    CHECK(polled_states >= 1);
    CHECK_INT(events.delivered, 1);
    CHECK_INT(integ_cp_admin(port_no, "/_faults", "{}"), 0);
}

void suite_integ_plexd(void)
{
    static const tt_test tests[] = {
        { "config_validation", test_config_validation },
        { "register_and_token_switch", test_register_and_token_switch },
        { "every_endpoint", test_every_endpoint },
        { "gzip_both_ways", test_gzip_both_ways },
        { "error_sentinels", test_error_sentinels },
        { "artifact_stream", test_artifact_stream },
        { "events_all_types_through_reconnects", test_events_all_types_through_reconnects },
        { "events_verifier_rejects", test_events_verifier_rejects },
        { "events_polling_fallback", test_events_polling_fallback },
    };
    tt_run_suite("integ_plexd", tests, TT_COUNT(tests));
}
