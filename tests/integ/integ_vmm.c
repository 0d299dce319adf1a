/*
 * The vmm client against the reference control plane (tools/refcp.py) over
 * mutual TLS: every call, API errors against network errors, no retries,
 * timeouts (the long one for create), streamed lists.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_VMM

#include "integ.h"
#include "tether/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tt_vmm vmm;
static char addr[64];

static const char *certs(const char *name)
{
    static char bufs[4][512];
    static int k;
    char *b = bufs[k++ % 4];
    snprintf(b, sizeof bufs[0], "%s/certs/%s", integ_env_dir(), name);
    return b;
}

static int start(int64_t timeout_ms, int64_t long_ms, tt_error *e)
{
    tt_vmm_config cfg;
    tt_port port;
    memset(&cfg, 0, sizeof cfg);
    snprintf(addr, sizeof addr, "127.0.0.1:%s", getenv("TT_CP_VMM_PORT"));
    cfg.name = "host-a";
    cfg.address = addr;
    cfg.ca = certs("root-ca.pem");
    cfg.cert = certs("client-ec.pem");
    cfg.key = certs("client-ec.key");
    cfg.timeout_ms = timeout_ms;
    cfg.long_timeout_ms = long_ms;
    /* TLS 1.3 by default; a BearSSL build has to lower it (see below) */
    cfg.tls_min_version = TT_TLS_MBEDTLS ? 0 : TT_TLS_VERSION_1_2;
    tt_port_posix_init(&port);
    return tt_vmm_init(&vmm, &port, &cfg, e);
}

/* POST an admin request (/_faults, /_reset) on the vmm listener. */
static int admin(const char *path, const char *json)
{
    char url[128];
    tt_request rq;
    tt_response res;
    tt_error e;
    char body[256];
    snprintf(url, sizeof url, "https://%s%s", addr, path);
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.url = url;
    rq.body = json;
    rq.body_len = strlen(json);
    rq.body_buf = body;
    rq.body_cap = sizeof body;
    rq.max_redirects = 0;
    if (tt_client_request(&vmm.client, &rq, &res, &e) != 0 || res.status != 200) {
        printf("  admin %s failed: %s\n", path, e.msg);
        return -1;
    }
    return 0;
}

static void fresh(void)
{
    tt_error e;
    if (start(0, 0, &e) != 0) {
        tt_test_fail(__FILE__, __LINE__, "init: %s", e.msg);
        return;
    }
    if (admin("/_reset", "{}") != 0)
        tt_test_fail(__FILE__, __LINE__, "reset failed");
}

static void test_lifecycle(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_vmm_status st;
    tt_error e;
    CHECK_OK(fresh());
    CHECK_INT(tt_vmm_health(&vmm, &e), 0);
    memset(&q, 0, sizeof q);
    q.name = "worker-1";
    q.cpus = 2;
    q.memory_mb = 2048;
    q.ssh_public_key = "ssh-ed25519 AAAA test";
    q.dns_servers[0] = "1.1.1.1";
    q.dns_servers[1] = "9.9.9.9";
    q.ndns = 2;
    q.image = "ubuntu-24.04";
    if (tt_vmm_create(&vmm, &q, &vm, &e) != 0) {
        tt_test_fail(__FILE__, __LINE__, "create: %s", e.msg);
        return;
    }
    CHECK_STR(vm.name, "worker-1");
    CHECK_STR(vm.state, "stopped");
    CHECK_INT(vm.cpus, 2);
    CHECK_INT(vm.memory_mb, 2048);
    CHECK_STR(vm.image, "ubuntu-24.04");
    CHECK_INT(tt_vmm_start(&vmm, "worker-1", &vm, &e), 0);
    CHECK_STR(vm.state, "running");
    CHECK_INT(tt_vmm_get(&vmm, "worker-1", &vm, &e), 0);
    CHECK_STR(vm.state, "running");
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), 0);
    CHECK_STR(st.hostname, "host-a");
    CHECK_INT(st.used_cpus, 2);
    CHECK_INT(st.running_vms, 1);
    CHECK_INT(st.total_vms, 1);
    CHECK_INT(st.available_memory_mb, st.total_memory_mb - 2048);
    CHECK_INT(tt_vmm_stop(&vmm, "worker-1", &vm, &e), 0);
    CHECK_STR(vm.state, "stopped");
    CHECK_INT(tt_vmm_delete(&vmm, "worker-1", 0, &e), 0);
    CHECK_INT(tt_vmm_get(&vmm, "worker-1", &vm, &e), -1);
    /* every call after the first reused the one connection */
    CHECK_INT(vmm.client.stats.tls_handshakes, 1);
    tt_vmm_close(&vmm);
}

static void test_optional_fields_omitted(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error e;
    CHECK_OK(fresh());
    memset(&q, 0, sizeof q);
    q.name = "bare";
    q.cpus = 1;
    q.memory_mb = 512;
    q.image = "";          /* empty: omitted, or the server answers 400 */
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), 0);
    CHECK_INT(vm.disk_size_mb, 10240);
    q.name = NULL;
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    tt_vmm_close(&vmm);
}

static void test_api_errors_name_the_host(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error e;
    CHECK_OK(fresh());
    CHECK_INT(tt_vmm_get(&vmm, "worker-1", &vm, &e), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "host-a: vm not found: worker-1");
    CHECK_STR(e.api_code, "not_found");
    CHECK_INT(e.http_status, 404);
    CHECK(tt_error_is_api(&e));
    CHECK(!tt_error_is_network(&e));
    CHECK(tt_api_is_not_found(&e));
    memset(&q, 0, sizeof q);
    q.name = "dup";
    q.cpus = 1;
    q.memory_mb = 256;
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), 0);
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), -1);
    CHECK_INT(e.http_status, 409);
    CHECK(tt_api_is_conflict(&e));
    CHECK_STR(e.api_code, "already_exists");
    CHECK_INT(tt_vmm_start(&vmm, "dup", &vm, &e), 0);
    CHECK_INT(tt_vmm_delete(&vmm, "dup", 0, &e), -1);
    CHECK_INT(e.http_status, 409);
    CHECK_INT(tt_vmm_delete(&vmm, "dup", 1, &e), 0);
    /* names are escaped into one path segment */
    CHECK_INT(tt_vmm_get(&vmm, "a b/../status", &vm, &e), -1);
    CHECK_STR(e.msg, "host-a: vm not found: a b/../status");
    tt_vmm_close(&vmm);
}

static void test_network_error_is_not_api(void)
{
    tt_vmm_config cfg;
    tt_vmm_vm vm;
    tt_port port;
    tt_error e;
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "host-b";
    cfg.address = "127.0.0.1:1";
    cfg.ca = certs("root-ca.pem");
    cfg.cert = certs("client-ec.pem");
    cfg.key = certs("client-ec.key");
    tt_port_posix_init(&port);
    CHECK_INT(tt_vmm_init(&vmm, &port, &cfg, &e), 0);
    CHECK_INT(tt_vmm_get(&vmm, "x", &vm, &e), -1);
    CHECK(tt_error_is_network(&e));
    CHECK(!tt_error_is_api(&e));
    /* missing credentials are a usage error at init */
    cfg.key = NULL;
    CHECK_INT(tt_vmm_init(&vmm, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    cfg.key = certs("missing.key");
    CHECK_INT(tt_vmm_init(&vmm, &port, &cfg, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

/* The host's API over TLS 1.3 only, unless told otherwise: a build that
 * speaks 1.2 only refuses before sending anything, saying why. */
static void test_tls13_by_default(void)
{
    tt_vmm_config cfg;
    tt_vmm_status st;
    tt_port port;
    tt_error e;
    static char addr13[64];
    memset(&cfg, 0, sizeof cfg);
    snprintf(addr13, sizeof addr13, "127.0.0.1:%s", getenv("TT_CP_VMM_PORT"));
    cfg.name = "host-a";
    cfg.address = addr13;
    cfg.ca = certs("root-ca.pem");
    cfg.cert = certs("client-ec.pem");
    cfg.key = certs("client-ec.key");
    tt_port_posix_init(&port);
    CHECK_INT(tt_vmm_init(&vmm, &port, &cfg, &e), 0);
#if TT_TLS_MBEDTLS
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), 0);
#else
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_CONFIG);
    CHECK(strstr(e.msg, "TLS 1.3 is required") != NULL);
#endif
}

static void test_no_retries(void)
{
    tt_vmm_status st;
    tt_error e;
    CHECK_OK(fresh());
    CHECK_INT(admin("/_faults", "{\"status\": 503, \"count\": 1}"), 0);
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK(tt_api_is_server(&e));
    CHECK_INT(vmm.api.stats.attempts, 1);
    CHECK_INT(vmm.api.stats.retries, 0);
    /* the fault is used up: the next call works */
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), 0);
    /* 429: the Retry-After is handed to the caller, who owns the policy */
    CHECK_INT(admin("/_faults", "{\"status\": 429, \"count\": 1, \"retry_after\": 9}"), 0);
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), -1);
    CHECK(tt_api_is_rate_limited(&e));
    CHECK_INT(e.retry_after, 9);
    CHECK_STR(e.api_code, "injected");
    CHECK_INT(vmm.api.stats.retries, 0);
    tt_vmm_close(&vmm);
}

static void test_timeouts_short_and_long(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_vmm_status st;
    tt_error e;
    int64_t t0;
    if (start(500, 3000, &e) != 0) {
        tt_test_fail(__FILE__, __LINE__, "%s", e.msg);
        return;
    }
    CHECK_INT(admin("/_reset", "{}"), 0);
    CHECK_INT(admin("/_faults", "{\"delay_ms\": 1000}"), 0);
    t0 = integ_now_ms();
    CHECK_INT(tt_vmm_get_status(&vmm, &st, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK(integ_now_ms() - t0 < 1500);
    memset(&q, 0, sizeof q);
    q.name = "slow";
    q.cpus = 1;
    q.memory_mb = 128;
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), 0);   /* the long timeout covers it */
    CHECK_INT(admin("/_faults", "{}"), 0);
    tt_vmm_close(&vmm);
}

static int count_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    size_t *n = user;
    (void)err;
    (void)problem;
    if (strncmp(vm->name, "vm-", 3) == 0)
        (*n)++;
    return 0;
}

static void test_list_streams(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error e;
    char name[16];
    size_t seen = 0, count = 0;
    int i;
    CHECK_OK(fresh());
    memset(&q, 0, sizeof q);
    q.cpus = 1;
    q.memory_mb = 64;
    for (i = 0; i < 150; i++) {
        snprintf(name, sizeof name, "vm-%03d", i);
        q.name = name;
        CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), 0);
    }
    /* 150 VMs are ~30 KB of JSON: more than the 16 KiB body buffer, so
     * only streaming can list them */
    CHECK_INT(tt_vmm_list(&vmm, count_vm, &seen, &count, &e), 0);
    CHECK_INT(seen, 150);
    CHECK_INT(count, 150);
    tt_vmm_close(&vmm);
}

void suite_integ_vmm(void)
{
    static const tt_test tests[] = {
        { "lifecycle", test_lifecycle },
        { "optional_fields_omitted", test_optional_fields_omitted },
        { "api_errors_name_the_host", test_api_errors_name_the_host },
        { "network_error_is_not_api", test_network_error_is_not_api },
        { "tls13_by_default", test_tls13_by_default },
        { "no_retries", test_no_retries },
        { "timeouts_short_and_long", test_timeouts_short_and_long },
        { "list_streams", test_list_streams },
    };
    tt_run_suite("integ_vmm", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
