/*
 * The poolmgr client against the reference control plane: both calls,
 * the bearer token, errors never hidden, no retries, the 5 s-style timeout.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_POOLMGR

#include "integ.h"
#include "tether/poolmgr.h"

#include <stdio.h>
#include <string.h>

static tt_pool pool;

static int start(const char *token, int64_t timeout_ms, tt_error *e)
{
    tt_pool_config cfg;
    tt_port port;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", integ_cp_port("POOL"));
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.token = token;
    cfg.timeout_ms = timeout_ms;
    tt_port_posix_init(&port);
    return tt_pool_init(&pool, &port, &cfg, e);
}

static void test_health_and_status(void)
{
    tt_pool_health h;
    tt_pool_status s;
    tt_error e;
    CHECK_INT(integ_cp_admin(integ_cp_port("POOL"), "/_reset", "{}"), 0);
    CHECK_INT(start("llorch-demo-token", 0, &e), 0);
    CHECK_INT(pool.api.timeout_ms, 5000);
    CHECK_INT(tt_pool_get_health(&pool, &h, &e), 0);
    CHECK_STR(h.status, "ok");
    CHECK_STR(h.version, "0.1.0");
    CHECK_INT(tt_pool_is_available(&pool, &e), 1);
    CHECK_INT(tt_pool_get_status(&pool, "pool-0", &s, &e), 0);
    CHECK_STR(s.pool_id, "pool-0");
    CHECK_INT(s.live, 1);
    CHECK_INT(s.ready, 1);
    CHECK_INT(s.active_leases, 2);
    CHECK_STR(s.engine_version, "llamacpp-b3412");
    CHECK_INT(s.slots_total, -1);     /* the daemon does not serve slots */
    CHECK_INT(tt_pool_get_status(&pool, "pool-1", &s, &e), 0);
    CHECK_INT(s.ready, 0);
    CHECK_STR(s.engine_version, "");  /* null */
    tt_pool_close(&pool);
}

static void test_errors_are_returned(void)
{
    tt_pool_status s;
    tt_error e;
    CHECK_INT(start(NULL, 0, &e), 0);
    CHECK_INT(tt_pool_get_status(&pool, "pool-0", &s, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(tt_api_is_unauthorized(&e));
    CHECK_INT(start("llorch-demo-token", 0, &e), 0);
    CHECK_INT(tt_pool_get_status(&pool, "nope", &s, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "pool nope not found") != NULL);
    CHECK(tt_api_is_not_found(&e));
    /* a daemon that is down: not available, and the reason says so */
    {
        tt_pool_config cfg;
        tt_port port;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = "http://127.0.0.1:1";
        tt_port_posix_init(&port);
        CHECK_INT(tt_pool_init(&pool, &port, &cfg, &e), 0);
        CHECK_INT(tt_pool_is_available(&pool, &e), 0);
        CHECK(tt_error_is_network(&e));
    }
}

static void test_faults_no_retry_and_timeout(void)
{
    tt_pool_health h;
    tt_error e;
    int port = integ_cp_port("POOL");
    CHECK_INT(start(NULL, 300, &e), 0);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 500, \"count\": 1}"), 0);
    CHECK_INT(tt_pool_get_health(&pool, &h, &e), -1);
    CHECK_INT(e.http_status, 500);
    CHECK_STR(e.msg, "127.0.0.1: injected fault 500");
    CHECK_INT(pool.api.stats.attempts, 1);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"delay_ms\": 700}"), 0);
    CHECK_INT(tt_pool_is_available(&pool, &e), 0);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    tt_pool_close(&pool);
}

void suite_integ_pool(void)
{
    static const tt_test tests[] = {
        { "health_and_status", test_health_and_status },
        { "errors_are_returned", test_errors_are_returned },
        { "faults_no_retry_and_timeout", test_faults_no_retry_and_timeout },
    };
    tt_run_suite("integ_pool", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
