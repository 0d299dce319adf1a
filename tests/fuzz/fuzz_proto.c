/*
 * libFuzzer target for the protocol clients' response decoding, end to end
 * through the HTTP client over the mock port: the first byte picks one
 * call of vmm, plexd, MAAS, SkyPilot or poolmgr (or plexd's event decoding,
 * fed straight to its SSE parser); bit 7 says whether the rest is a whole
 * HTTP response or the body of a 200 with a Content-Length. No retries, so
 * one input is one exchange.
 *
 * Checks beyond "no crash": a call's result is 0 or -1 with an error class
 * a caller can act on (never NONE, never usage for a server's bytes), and
 * what a successful call decoded holds NUL-terminated strings.
 */
#include "tether/maas.h"
#include "tether/plexd.h"
#include "tether/poolmgr.h"
#include "port_mock.h"
#include "tether/skypilot.h"
#include "tether/vmm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_mock mock;
static tt_port port;
static unsigned char response[TT_MOCK_STORE_MAX];
static tt_vmm vmm;
static tt_plexd plexd;
static tt_plexd_events events;
static tt_maas maas;
static tt_sky sky;
static tt_pool pool;

static void nul_inside(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        abort();
}

static void no_retries(tt_api *a)
{
    a->retry.max_retries = 0;
}

static int on_vm(void *user, const tt_vmm_vm *vm, const tt_error *problem, tt_error *err)
{
    (void)user;
    (void)err;
    (void)problem;
    nul_inside(vm->name, sizeof vm->name);
    nul_inside(vm->ip, sizeof vm->ip);
    return 0;
}

static int on_host(void *user, const tt_maas_vmhost *h, const tt_error *problem, tt_error *err)
{
    size_t i;
    (void)user;
    (void)err;
    (void)problem;
    nul_inside(h->name, sizeof h->name);
    if (h->ntags > TT_MAAS_TAGS_MAX)
        abort();
    for (i = 0; i < h->ntags; i++)
        nul_inside(h->tags[i], sizeof h->tags[i]);
    return 0;
}

/* Elements of plexd's and MAAS's lists: strings terminated, counts in
 * their capacity. */
static int on_element(void *user, const tt_json_item *it, tt_error *err)
{
    (void)user;
    (void)err;
    if (tt_plexd_which(it) == TT_PLEXD_LIST_PEERS) {
        const tt_plexd_peer *p = it->record;
        nul_inside(p->id, sizeof p->id);
        nul_inside(p->endpoint, sizeof p->endpoint);
        if (p->nallowed_ips > TT_PLEXD_IPS_MAX)
            abort();
    } else if (tt_maas_which(it) == TT_MAAS_LIST_INTERFACES) {
        const tt_maas_iface *f = it->record;
        nul_inside(f->name, sizeof f->name);
        if (f->nparents > TT_MAAS_PARENTS_MAX)
            abort();
    } else if (tt_maas_which(it) == TT_MAAS_LIST_LINKS) {
        const tt_maas_link *l = it->record;
        nul_inside(l->subnet.cidr, sizeof l->subnet.cidr);
        if (it->parent == NULL)
            abort();
    }
    return 0;
}

static int on_envelope(void *user, const tt_plexd_envelope *env, tt_error *err)
{
    static char canon[4096];
    size_t n;
    (void)user;
    nul_inside(env->event_type, sizeof env->event_type);
    nul_inside(env->event_id, sizeof env->event_id);
    tt_plexd_canonical_bytes(env, canon, sizeof canon, &n, err);
    return 0;
}

static int call_vmm(int which, tt_error *err)
{
    tt_vmm_config cfg;
    tt_vmm_vm vm;
    tt_vmm_status st;
    memset(&cfg, 0, sizeof cfg);
    cfg.address = "mock:80";
    cfg.scheme = "http";
    if (tt_vmm_init(&vmm, &port, &cfg, err) != 0)
        abort();
    no_retries(&vmm.api);
    if (which == 0) {
        if (tt_vmm_get(&vmm, "vm-1", &vm, err) != 0)
            return -1;
        nul_inside(vm.name, sizeof vm.name);
        nul_inside(vm.state, sizeof vm.state);
        return 0;
    }
    if (which == 1)
        return tt_vmm_list(&vmm, on_vm, NULL, NULL, err);
    return tt_vmm_get_status(&vmm, &st, err);
}

static int call_plexd(int which, const uint8_t *body, size_t len, tt_error *err)
{
    static tt_plexd_state st;
    tt_plexd_config cfg;
    tt_plexd_heartbeat_req hb;
    tt_plexd_heartbeat_resp resp;
    memset(&cfg, 0, sizeof cfg);
    cfg.base_url = "http://mock";
    cfg.token = "t";
    if (tt_plexd_init(&plexd, &port, &cfg, err) != 0 ||
        tt_plexd_set_node_id(&plexd, "n-1", err) != 0)
        abort();
    no_retries(&plexd.api);
    if (which == 0)
        return tt_plexd_fetch_state(&plexd, &st, on_element, NULL, err);
    if (which == 1) {
        memset(&hb, 0, sizeof hb);
        hb.status = "healthy";
        return tt_plexd_heartbeat(&plexd, &hb, &resp, err);
    }
    /* events: the stream's bytes straight into the parser */
    if (tt_plexd_events_init(&events, &plexd, err) != 0 ||
        tt_plexd_on(&events, NULL, on_envelope, NULL, err) != 0)
        abort();
    return tt_sse_feed(&events.parser, (const char *)body, len, err);
}

static int call_maas(int which, tt_error *err)
{
    tt_maas_config cfg;
    tt_maas_vmhost h;
    static tt_maas_machine mc;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://mock/MAAS";
    cfg.api_key = "a:b:c";
    if (tt_maas_init(&maas, &port, &cfg, err) != 0)
        abort();
    no_retries(&maas.api);
    if (which == 0)
        return tt_maas_vmhosts(&maas, NULL, on_host, NULL, err);
    if (which == 1) {
        if (tt_maas_read_vmhost(&maas, 1, &h, err) != 0)
            return -1;
        return on_host(NULL, &h, NULL, err);
    }
    return tt_maas_read_machine(&maas, "abc123", &mc, on_element, NULL, err);
}

static int call_sky(int which, tt_error *err)
{
    tt_sky_config cfg;
    tt_sky_health h;
    static tt_sky_request rq;
    char id[64];
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://mock";
    cfg.token = "sky_t";
    cfg.max_retries = 0;
    if (tt_sky_init(&sky, &port, &cfg, err) != 0)
        abort();
    no_retries(&sky.api);
    if (which == 0)
        return tt_sky_get_health(&sky, &h, err);
    if (which == 1)
        return tt_sky_request_status(&sky, "req-1", &rq, err);
    if (which == 2)
        return tt_sky_get_request(&sky, "req-1", &rq, err);
    return tt_sky_status(&sky, NULL, 0, id, sizeof id, err);
}

static int call_pool(int which, tt_error *err)
{
    tt_pool_config cfg;
    tt_pool_health h;
    tt_pool_status st;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://mock";
    if (tt_pool_init(&pool, &port, &cfg, err) != 0)
        abort();
    if (which == 0)
        return tt_pool_get_health(&pool, &h, err);
    if (tt_pool_get_status(&pool, "pool-0", &st, err) != 0)
        return -1;
    nul_inside(st.engine_version, sizeof st.engine_version);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tt_error err;
    size_t n;
    int rc, pick;
    if (size < 1 || size > sizeof response / 2)
        return 0;
    pick = data[0] & 0x0f;
    if (data[0] & 0x80) {
        memcpy(response, data + 1, size - 1);
        n = size - 1;
    } else {
        n = (size_t)snprintf((char *)response, 128,
                             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n", size - 1);
        memcpy(response + n, data + 1, size - 1);
        n += size - 1;
    }
    tt_mock_init(&mock);
    tt_mock_add(&mock, response, n);
    tt_mock_port(&mock, &port);
    memset(&err, 0, sizeof err);
    switch (pick) {
    case 0: case 1: case 2: rc = call_vmm(pick, &err); break;
    case 3: case 4: case 5: rc = call_plexd(pick - 3, data + 1, size - 1, &err); break;
    case 6: case 7: case 8: rc = call_maas(pick - 6, &err); break;
    case 9: case 10: case 11: case 12: rc = call_sky(pick - 9, &err); break;
    default: rc = call_pool(pick - 13, &err); break;
    }
    if (rc != 0 && rc != -1)
        abort();
    if (rc == -1 && (err.cls == TT_ERR_NONE || err.cls == TT_ERR_CANCELLED))
        abort();
    nul_inside(err.msg, sizeof err.msg);
    return 0;
}
