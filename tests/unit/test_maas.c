/*
 * MAAS (core/api/maas.c): configuration and arguments refused, forms too
 * large for the request, the VM host filter, zone lookups, and a device
 * without a real-time clock corrected from the server's Date.
 * The client runs over the mock port (fixture.h) with scripted answers;
 * each test checks what came back and what went out on the wire.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#include "fixture.h"
#include "tether/maas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_maas_init_refusals(void)
{
    tt_maas_config mc;
    tt_error e;
    fresh();
    memset(&mc, 0, sizeof mc);
    mc.api_key = "ck:tk:ts";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* no URL */
    CHECK_INT(e.cls, TT_ERR_USAGE);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = NULL;
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* no key */
    CHECK(strstr(e.msg, "API key") != NULL);
    mc.api_key = "ck:tk:ts";
    mc.url = "///";
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);     /* only slashes */
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

/* A URL that fits, but not with /api/2.0 after it: refused, never cut short
 * into another URL. */
static void test_maas_url_too_long_with_api_path_refused(void)
{
    tt_maas_config mc;
    tt_error e;
    int parses;
    memset(&mc, 0, sizeof mc);
    mc.api_key = "ck:tk:ts";
    mc.url = overlong_url(TT_URL_MAX - 5, &parses);
    CHECK(mc.url != NULL);
    fresh();
    CHECK_INT(tt_maas_init(&maas, &port, &mc, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_maas_compose_needs_memory(void)
{
    tt_maas_compose_req q;
    char sid[32];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.cores = 2;
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "memory") != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* Each optional form field, too long for the request, is refused whole. */
static void test_maas_compose_each_oversize_field_refused(void)
{
    static const char *const names[] = { "storage", "hostname", "interfaces", "architecture" };
    tt_maas_compose_req q;
    char sid[32];
    size_t i;
    tt_error e;
    CHECK_INT(maas_start(), 0);
    for (i = 0; i < TT_COUNT(names); i++) {
        const char *big = filled('z', TT_API_REQUEST_MAX - 8);
        memset(&q, 0, sizeof q);
        q.cores = 1;
        q.memory = 512;
        q.storage = i == 0 ? big : NULL;
        q.hostname = i == 1 ? big : NULL;
        q.interfaces = i == 2 ? big : NULL;
        q.architecture = i == 3 ? big : NULL;
        tt_error_clear(&e);
        if (tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e) != -1 || e.cls != TT_ERR_LIMIT) {
            tt_test_fail(__FILE__, __LINE__, "%s: accepted or wrong class", names[i]);
            return;
        }
    }
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* A form already full when the next field's name comes is refused by name. */
static void test_maas_compose_form_full_before_next_name(void)
{
    static const char prefix[] = "cores=1&memory=512&storage=";
    tt_maas_compose_req q;
    char sid[32];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.cores = 1;
    q.memory = 512;
    q.storage = filled('s', TT_API_REQUEST_MAX - (sizeof prefix - 1) - 5);
    q.hostname = "h";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_BODY);
    CHECK(strstr(e.msg, "form parameters longer than TT_API_REQUEST_MAX") != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* User data goes with deploy, base64 in the form; too much is refused
 * before anything is sent. */
static void test_maas_deploy_user_data_too_large(void)
{
    static tt_maas_machine m;
    tt_maas_deploy_req q;
    char want[64];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    memset(&q, 0, sizeof q);
    q.user_data = filled('u', TT_API_REQUEST_MAX);
    q.user_data_len = strlen(q.user_data);
    CHECK_INT(tt_maas_deploy(&maas, "abc123", &q, &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    snprintf(want, sizeof want, "user data of %d bytes", TT_API_REQUEST_MAX);
    CHECK(strstr(e.msg, want) != NULL);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

static void test_maas_read_machine_needs_system_id(void)
{
    static tt_maas_machine m;
    tt_error e;
    CHECK_INT(maas_start(), 0);
    CHECK_INT(tt_maas_read_machine(&maas, NULL, &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_maas_read_machine(&maas, "", &m, NULL, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(mock.written_len, 0);
    tt_maas_close(&maas);
}

/* A device without a real-time clock: MAAS refuses the timestamp once,
 * its Date sets the clock, and every later request is right first time. */
static void test_maas_timestamp_corrected_from_date(void)
{
    static const char expired[] = "Authorization Error: 'Expired timestamp: given 1767225600 "
                                  "and now 1796169600 has a greater difference than threshold "
                                  "300'";
    static tt_maas_vmhost h;
    char want[64];
    tt_error e;
    CHECK_INT(maas_start(), 0);
    mock.wall = 1767225600 - mock.now / 1000;    /* 2026-01-01 on the device */
    answer_with(401, "Content-Type: text/html; charset=utf-8\r\n"
                     "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    answer(200, "{\"id\": 1}");
    answer(200, "{\"id\": 1}");
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(mock.connects, 2);
    CHECK_INT(maas.api.clock_offset_s, 1798632000 - 1767225600);
    snprintf(want, sizeof want, "oauth_timestamp=\"%d\"", 1798632000);
    CHECK_INT(sent_count(want), 1);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(sent_count(want), 2);                /* remembered */
    /* refused again after the correction: that is the answer */
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n", expired);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.msg, "Expired timestamp") != NULL);
    CHECK_INT(mock.connects, 5);
    /* a 401 for another reason is not corrected */
    answer_with(401, "Date: Wed, 30 Dec 2026 12:00:00 GMT\r\n",
                "Authorization Error: 'Invalid access token: tk'");
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(mock.connects, 6);
    tt_maas_close(&maas);
}

/* ---- filters, lookups, forms ---- */

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
        serve_once(200, hosts);
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

/* MAAS zone lookup by name: records as api/zones.py renders them; a kind
 * outside the three collections and a name given twice are refused. */
#define ZONE(id, name) "{\"name\":\"" name "\",\"description\":\"\",\"id\":" #id \
    ",\"resource_uri\":\"/MAAS/api/2.0/zones/" name "/\"}"
static void test_maas_lookup(void)
{
    tt_maas_config mc;
    int32_t id = -1;
    tt_error e;
    serve_once(200, "[" ZONE(1, "default") "," ZONE(4, "rack-2") "]");
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
    serve_once(200, "[" ZONE(1, "default") "," ZONE(4, "rack-2") "," ZONE(5, "rack-2") "]");
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
    serve_once(200, "{\"system_id\":\"abc123\",\"resource_uri\":\"/x\"}");
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

void suite_maas(void)
{
    static const tt_test tests[] = {
        { "maas_timestamp_corrected_from_date", test_maas_timestamp_corrected_from_date },
        { "maas_init_refusals", test_maas_init_refusals },
        { "maas_url_too_long_with_api_path_refused", test_maas_url_too_long_with_api_path_refused },
        { "maas_compose_needs_memory", test_maas_compose_needs_memory },
        { "maas_compose_each_oversize_field_refused",
          test_maas_compose_each_oversize_field_refused },
        { "maas_compose_form_full_before_next_name", test_maas_compose_form_full_before_next_name },
        { "maas_deploy_user_data_too_large", test_maas_deploy_user_data_too_large },
        { "maas_read_machine_needs_system_id", test_maas_read_machine_needs_system_id },
        { "maas_filters", test_maas_filters },
        { "maas_lookup", test_maas_lookup },
        { "maas_compose_form", test_maas_compose_form },
    };
    tt_run_suite("maas", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
