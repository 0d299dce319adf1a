/*
 * vmm (core/api/vmm.c): addresses and requests too large, labels, the DNS
 * server list, the TLS files https needs, a listing streamed record by
 * record (with the pool manager's availability check beside it).
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
#include "tether/vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address that makes the base URL too long is refused, not cut short. */
static void test_vmm_address_too_long_for_url_refused(void)
{
    int parses;
    const char *u = overlong_url(TT_URL_MAX - 5, &parses);
    tt_vmm_config vc;
    tt_error e;
    CHECK(u != NULL);
    fresh();
    memset(&vc, 0, sizeof vc);
    vc.scheme = "http";
    vc.address = u + 7;                    /* without its "http://" */
    CHECK_INT(tt_vmm_init(&vmm, &port, &vc, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_vmm_create_oversize_refused(void)
{
    tt_vmm_create_req q;
    tt_vmm_vm vm;
    tt_error e;
    CHECK_INT(vmm_start(), 0);
    memset(&q, 0, sizeof q);
    q.name = "vm";
    q.cpus = 1;
    q.memory_mb = 256;
    q.ssh_public_key = filled('k', TT_API_REQUEST_MAX);
    CHECK_INT(tt_vmm_create(&vmm, &q, &vm, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(mock.written_len, 0);
    tt_vmm_close(&vmm);
}

typedef struct vm_names {
    char names[4][TT_VMM_NAME_MAX + 16 + TT_ERROR_MSG_MAX];
    int n;
} vm_names;

static int keep_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    vm_names *l = user;
    (void)err;
    if (l->n < 4)
        snprintf(l->names[l->n], sizeof l->names[0], "%s:%d%s%s", vm->name, (int)vm->cpus,
                 problem != NULL ? " " : "", problem != NULL ? problem->msg : "");
    l->n++;
    return 0;
}

static void test_vmm_list_streams_and_refuses_nameless(void)
{
    vm_names l;
    size_t count = 0;
    tt_error e;
    CHECK_INT(vmm_start(), 0);
    memset(&l, 0, sizeof l);
    answer(200, "{\"data\":[{\"name\":\"a\",\"cpus\":2},{\"name\":\"b\",\"state\":\"running\"}]}");
    CHECK_INT(tt_vmm_list(&vmm, keep_vm, &l, &count, &e), 0);
    CHECK_INT(count, 2);
    CHECK_INT(l.n, 2);
    CHECK_STR(l.names[0], "a:2");
    CHECK_STR(l.names[1], "b:0");
    CHECK(sent("GET /api/v1/vms HTTP/1.1\r\n"));
    /* a VM without its name is that VM's problem; the list goes on */
    memset(&l, 0, sizeof l);
    answer(200, "{\"data\":[{\"name\":\"a\"},{\"cpus\":1},{\"name\":\"c\"}]}");
    CHECK_INT(tt_vmm_list(&vmm, keep_vm, &l, &count, &e), 0);
    CHECK_INT(count, 3);
    CHECK_STR(l.names[1], ":1 data[1].name: required field missing");
    CHECK_STR(l.names[2], "c:0");
    tt_vmm_close(&vmm);
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
    serve_once(200, NULL);
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

/* vmm over https needs its three files; pool's availability check. */
static void test_vmm_tls_files_and_pool_available(void)
{
    tt_vmm_config vc;
    tt_pool_config pc;
    tt_error e;
    serve_once(200, NULL);
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
    serve_once(200, "{\"status\":\"degraded\",\"version\":\"0.1\"}");
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

void suite_vmm(void)
{
    static const tt_test tests[] = {
        { "vmm_address_too_long_for_url_refused", test_vmm_address_too_long_for_url_refused },
        { "vmm_create_oversize_refused", test_vmm_create_oversize_refused },
        { "vmm_list_streams_and_refuses_nameless", test_vmm_list_streams_and_refuses_nameless },
        { "more_refusals", test_more_refusals },
        { "vmm_tls_files_and_pool_available", test_vmm_tls_files_and_pool_available },
    };
    tt_run_suite("vmm", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
