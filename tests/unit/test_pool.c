/*
 * The pool manager (core/api/poolmgr.c): no token means no Authorization,
 * and an empty answer is refused by name.
 * The client runs over the mock port (fixture.h) with scripted answers;
 * each test checks what came back and what went out on the wire.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#include "fixture.h"
#include "tether/poolmgr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_pool_empty_token_sends_no_authorization(void)
{
    tt_pool_health h;
    tt_error e;
    CHECK_INT(pool_start(""), 0);
    answer(200, "{\"status\":\"ok\",\"version\":\"1.2\"}");
    CHECK_INT(tt_pool_get_health(&pool, &h, &e), 0);
    CHECK_STR(h.status, "ok");
    CHECK_STR(h.version, "1.2");
    CHECK(sent("GET /health HTTP/1.1\r\n"));
    CHECK(!sent("Authorization"));
    tt_pool_close(&pool);
}

static void test_pool_empty_answer_refused(void)
{
    tt_pool_status st;
    tt_error e;
    CHECK_INT(pool_start("tok"), 0);
    answer(200, "");
    CHECK_INT(tt_pool_get_status(&pool, "p0", &st, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_JSON_MISSING);
    CHECK(strstr(e.msg, "/pools/p0/status: empty answer") != NULL);
    tt_pool_close(&pool);
}

void suite_pool(void)
{
    static const tt_test tests[] = {
        { "pool_empty_token_sends_no_authorization", test_pool_empty_token_sends_no_authorization },
        { "pool_empty_answer_refused", test_pool_empty_answer_refused },
    };
    tt_run_suite("pool", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
