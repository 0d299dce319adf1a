/*
 * The MAAS client against the reference control plane, which checks every
 * OAuth PLAINTEXT header (keys, signature, fresh nonce, timestamp): VM host
 * filters, a host's resources, compose with every parameter, machines,
 * and MAAS's plain-text errors carried into messages.
 */
#define _POSIX_C_SOURCE 200809L
#include "integ.h"
#include "maas.h"

#include <stdio.h>
#include <string.h>

static tt_maas maas;

static int start(const char *key, tt_error *e)
{
    tt_maas_config cfg;
    tt_port port;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/MAAS/", integ_cp_port("MAAS"));
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.api_key = key;
    tt_port_posix_init(&port);
    return tt_maas_init(&maas, &port, &cfg, e);
}

typedef struct seen {
    int ids[8];
    int n;
} seen;

static int collect(void *user, const tt_maas_vmhost *h, tt_error *err)
{
    seen *s = user;
    (void)err;
    if (s->n < 8)
        s->ids[s->n++] = h->id;
    return 0;
}

static int hosts(const char *type, const char *zone, const char *pool, const char *tag,
                 seen *s, tt_error *e)
{
    tt_maas_filter f;
    f.type = type;
    f.zone = zone;
    f.pool = pool;
    f.tag = tag;
    memset(s, 0, sizeof *s);
    return tt_maas_vmhosts(&maas, &f, collect, s, e);
}

static void test_vmhost_filters(void)
{
    seen s;
    tt_error e;
    CHECK_INT(integ_cp_admin(integ_cp_port("MAAS"), "/_reset", "{}"), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 3);
    CHECK_INT(hosts("lxd", NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 2);
    CHECK_INT(hosts("lxd", "zone-b", NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ids[0], 3);
    CHECK_INT(hosts(NULL, NULL, "default", "gpu", &s, &e), 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ids[0], 1);
    CHECK_INT(hosts("virsh", NULL, NULL, "gpu", &s, &e), 0);
    CHECK_INT(s.n, 0);
    tt_maas_close(&maas);
}

static void test_compose_and_machine(void)
{
    tt_maas_compose_req q;
    tt_maas_vmhost h;
    tt_maas_machine m;
    tt_error e;
    char sid[16], stats[1024];
    tt_client c;
    tt_request rq;
    tt_response res;
    char url[96];

    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_STR(h.name, "lxd-a");
    CHECK_STR(h.zone.name, "zone-a");
    CHECK_INT(h.total.cores, 32);
    CHECK_INT(h.available.memory, 131072);
    CHECK_INT(h.ntags, 2);
    memset(&q, 0, sizeof q);
    q.cores = 4;
    q.memory = 8192;
    q.storage = "root:20(ssd),data:100";
    q.hostname = "web-1";
    q.zone = "zone-a";
    q.pool = "default";
    q.interfaces = "eth0:space=dmz";
    q.profile = "default";
    q.project = "tether";
    q.user_data = "#cloud-config\nruncmd: [echo hi]\n";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), 0);
    CHECK_INT(strlen(sid), 6);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(h.used.cores, 4);
    CHECK_INT(h.available.cores, 28);
    CHECK_INT(tt_maas_read_machine(&maas, sid, &m, &e), 0);
    CHECK_STR(m.system_id, sid);
    CHECK_STR(m.hostname, "web-1");
    CHECK_STR(m.status_name, "Ready");
    CHECK_INT(m.ninterfaces, 1);
    CHECK_STR(m.interfaces[0].mac_address, "52:54:00:00:00:01");
    CHECK_INT(m.interfaces[0].nlinks, 1);
    CHECK_STR(m.interfaces[0].links[0].ip_address, "10.10.0.21");
    CHECK_STR(m.interfaces[0].links[0].subnet.gateway_ip, "10.10.0.1");
    /* the server saw every parameter, form-encoded; user_data in base64 */
    integ_client(&c, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_stats", integ_cp_port("MAAS"));
    memset(&rq, 0, sizeof rq);
    rq.url = url;
    rq.body_buf = stats;
    rq.body_cap = sizeof stats;
    CHECK_INT(tt_client_request(&c, &rq, &res, &e), 0);
    CHECK(strstr(stats, "\"storage\": \"root:20(ssd),data:100\"") != NULL);
    CHECK(strstr(stats, "\"interfaces\": \"eth0:space=dmz\"") != NULL);
    CHECK(strstr(stats, "\"project\": \"tether\"") != NULL);
    CHECK(strstr(stats, "\"user_data\": \"I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtlY2hvIGhpXQo=\"") != NULL);
    tt_client_close(&c);
    tt_maas_close(&maas);
}

static void test_text_errors(void)
{
    tt_maas_compose_req q;
    tt_maas_vmhost h;
    tt_maas_machine m;
    tt_error e;
    char sid[16];
    seen s;
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 42, &h, &e), -1);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_STR(e.msg, "127.0.0.1: HTTP 404 Not Found: No VMHost matches the given query.");
    CHECK_INT(tt_maas_read_machine(&maas, "zzzzzz", &m, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    memset(&q, 0, sizeof q);
    q.cores = 999;
    q.memory = 1024;
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.http_status, 409);
    CHECK(strstr(e.msg, "HTTP 409 Conflict: Unable to compose") != NULL);
    q.cores = 0;
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    /* a wrong secret: the server refuses the signature */
    CHECK_INT(start("ck:tk:wrong", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.msg, "Invalid signature") != NULL);
    /* a key that is not three parts never leaves the device */
    CHECK_INT(start("ck:tk", &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

static void test_faults_and_timeout(void)
{
    tt_maas_vmhost h;
    tt_error e;
    int port = integ_cp_port("MAAS");
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 1}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK(tt_api_is_server(&e));
    CHECK_STR(e.msg, "127.0.0.1: HTTP 503 Service Unavailable: Injected fault 503");
    CHECK_INT(maas.api.stats.attempts, 1);            /* MAAS calls are not retried */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 429, \"count\": 1, \"retry_after\": 3}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK(tt_api_is_rate_limited(&e));
    CHECK_INT(e.retry_after, 3);
    maas.api.timeout_ms = 300;
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"delay_ms\": 600}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    tt_maas_close(&maas);
}

void suite_integ_maas(void)
{
    static const tt_test tests[] = {
        { "vmhost_filters", test_vmhost_filters },
        { "compose_and_machine", test_compose_and_machine },
        { "text_errors", test_text_errors },
        { "faults_and_timeout", test_faults_and_timeout },
    };
    tt_run_suite("integ_maas", tests, TT_COUNT(tests));
}
