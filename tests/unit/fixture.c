/*
 * The unit tests' shared fixture (fixture.h): the mock port and its
 * bendable table, a client over it, scripted answers, and each protocol
 * client started over the mock.
 */
#define _POSIX_C_SOURCE 200809L
#include "fixture.h"
#include "../testlib.h"

#include <stdio.h>
#include <string.h>

/* ---- the port: the mock, with a copy of its table that tests can bend ---- */

tt_mock mock;
tt_port port;
tt_client client;
int random_fails;
int sleep_cancels;

tt_port_ops port_ops;
static const tt_port_ops *mock_ops;

static int bent_random(void *ctx, void *buf, size_t len)
{
    if (random_fails)
        return TT_PORT_EIO;
    return mock_ops->random(ctx, buf, len);
}

static int bent_sleep(void *ctx, int64_t ms, volatile sig_atomic_t *cancel)
{
    if (sleep_cancels)
        return TT_PORT_ECANCELLED; /* as if the caller cancelled during the wait */
    return mock_ops->sleep_ms(ctx, ms, cancel);
}

void fresh(void)
{
    tt_port mp;
    tt_mock_init(&mock);
    tt_mock_port(&mock, &mp);
    mock_ops = mp.ops;
    port_ops = *mp.ops;
    port_ops.random = bent_random;
    port_ops.sleep_ms = bent_sleep;
    port.ops = &port_ops;
    port.ctx = &mock;
    random_fails = 0;
    sleep_cancels = 0;
}

void client_setup(const tt_client_config *cfg)
{
    tt_error e;
    fresh();
    tt_client_init(&client, &port, cfg, &e);
}

#if TT_FEATURE_API

/* ---- scripted answers, and what went out ---- */

tt_error last;

void serve_once(int status, const char *body)
{
    static char text[4096];
    int n;
    fresh();
    if (body == NULL)
        return;
    n = snprintf(text, sizeof text,
                 "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                 "\r\n%s", status, strlen(body), body);
    tt_mock_add(&mock, text, (size_t)n);
}

void answer_with(int status, const char *headers, const char *body)
{
    static char text[128 * 1024];
    const char *parts[1];
    snprintf(text, sizeof text,
             "HTTP/1.1 %d X\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
             headers != NULL ? headers : "Content-Type: application/json\r\n", strlen(body),
             body);
    parts[0] = text;
    tt_mock_add_parts(&mock, parts, 1);
}

void answer(int status, const char *body)
{
    answer_with(status, NULL, body);
}

const char *wire(void)
{
    size_t n = mock.written_len < sizeof mock.written ? mock.written_len
                                                      : sizeof mock.written - 1;
    mock.written[n] = '\0';
    return (const char *)mock.written;
}

int sent(const char *s)
{
    return strstr(wire(), s) != NULL;
}

int sent_count(const char *s)
{
    size_t n = strlen(s), i;
    size_t len = mock.written_len < sizeof mock.written ? mock.written_len
                                                        : sizeof mock.written;
    int k = 0;
    /* every byte recorded, a NUL in a body included */
    for (i = 0; i + n <= len; i++)
        if (memcmp(mock.written + i, s, n) == 0)
            k++;
    return k;
}

const char *filled(char c, size_t n)
{
    static char s[TT_API_REQUEST_MAX + 64];
    if (n >= sizeof s)
        n = sizeof s - 1;
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/*
 * A URL of len characters that tt_url_parse accepts: host and target each
 * within their own limits (TT_URL_HOST_MAX, TT_URL_TARGET_MAX), so that
 * together they can pass TT_URL_MAX. NULL when the build's limits do not
 * allow one that long (then no parsed URL can be that long either).
 */
const char *long_url(size_t len)
{
    static char u[TT_URL_HOST_MAX + TT_URL_TARGET_MAX + 32];
    const size_t fixed = 7 + 5;            /* "http://" and ":8080" */
    size_t target, host, n, i;
    if (len < fixed + 2 || len >= sizeof u)
        return NULL;
    target = len - fixed - 1 < TT_URL_TARGET_MAX - 2 ? len - fixed - 1 : TT_URL_TARGET_MAX - 2;
    host = len - fixed - target;
    if (host + 2 > TT_URL_HOST_MAX)
        return NULL;
    n = (size_t)snprintf(u, sizeof u, "http://");
    for (i = 0; i < host; i++)             /* labels of at most 62 letters */
        u[n++] = i % 63 == 62 && i + 1 < host ? '.' : 'a';
    n += (size_t)snprintf(u + n, sizeof u - n, ":8080/");
    while (n < len)
        u[n++] = 'p';
    u[n] = '\0';
    return u;
}

/* A URL of len bytes that this build's parser accepts (long_url), or --
 * where the parser's own limits refuse every URL that long (the tiny
 * profile) -- one it refuses; *parses says which. Either way a client
 * given it must refuse it, never cut it short. */
const char *overlong_url(size_t len, int *parses)
{
    static char u[TT_URL_MAX + 64];
    const char *p = long_url(len);
    size_t n;
    *parses = p != NULL;
    if (p != NULL || len >= sizeof u)
        return p;
    n = (size_t)snprintf(u, sizeof u, "http://h:8080/");
    while (n < len)
        u[n++] = 'p';
    u[n] = '\0';
    return u;
}


#endif /* TT_FEATURE_API */

/* ---- the protocol clients ---- */

#if TT_FEATURE_PLEXD
tt_plexd plexd;

void plexd_config(tt_plexd_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->base_url = "http://cp.test:8080";
    cfg->token = "t";
}

void plexd_open(void)
{
    tt_plexd_config cfg;
    tt_error e;
    plexd_config(&cfg);
    tt_plexd_init(&plexd, &port, &cfg, &e);
}

void plexd_start(const char *node)
{
    tt_error e;
    fresh();
    plexd_open();
    if (node != NULL)
        tt_plexd_set_node_id(&plexd, node, &e);
}
#endif

#if TT_FEATURE_SKYPILOT
tt_sky sky;

void sky_config(tt_sky_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->url = "http://sky.test:46580";
    cfg->token = "sky_t";
}

void sky_open(void)
{
    tt_sky_config cfg;
    tt_error e;
    sky_config(&cfg);
    cfg.max_retries = 0;
    cfg.user_id = "a3f9c2e1";
    tt_sky_init(&sky, &port, &cfg, &e);
}

int sky_start(void)
{
    tt_sky_config cfg;
    tt_error e;
    fresh();
    sky_config(&cfg);
    return tt_sky_init(&sky, &port, &cfg, &e);
}
#endif

#if TT_FEATURE_MAAS
tt_maas maas;

int maas_open(void)
{
    tt_maas_config mc;
    tt_error e;
    memset(&mc, 0, sizeof mc);
    mc.url = "http://maas.test/MAAS";
    mc.api_key = "ck:tk:ts";
    return tt_maas_init(&maas, &port, &mc, &e);
}

int maas_start(void)
{
    fresh();
    return maas_open();
}
#endif

#if TT_FEATURE_VMM
tt_vmm vmm;

int vmm_open(void)
{
    tt_vmm_config vc;
    tt_error e;
    memset(&vc, 0, sizeof vc);
    vc.address = "vmm.test:8443";
    vc.scheme = "http";
    return tt_vmm_init(&vmm, &port, &vc, &e);
}

int vmm_start(void)
{
    fresh();
    return vmm_open();
}
#endif

#if TT_FEATURE_POOLMGR
tt_pool pool;

int pool_open(const char *token)
{
    tt_pool_config pc;
    tt_error e;
    memset(&pc, 0, sizeof pc);
    pc.url = "http://pool.test:9200";
    pc.token = token;
    return tt_pool_init(&pool, &port, &pc, &e);
}

int pool_start(const char *token)
{
    fresh();
    return pool_open(token);
}
#endif

#if UNIT_ALL_PROTOCOLS

/* ---- every endpoint of every client, called with arguments it takes ---- */

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
int c_heartbeat(tt_error *e)
{
    tt_plexd_heartbeat_req q;
    tt_plexd_heartbeat_resp r;
    memset(&q, 0, sizeof q);
    q.status = "healthy";
    return tt_plexd_heartbeat(&plexd, &q, &r, e);
}
int c_deregister(tt_error *e) { return tt_plexd_deregister(&plexd, e); }
int c_state(tt_error *e)
{
    static tt_plexd_state st;
    return tt_plexd_fetch_state(&plexd, &st, NULL, NULL, e);
}
int c_rotate(tt_error *e)
{
    static tt_plexd_rotation rot;
    return tt_plexd_rotate_keys(&plexd, "k2", &rot, NULL, NULL, e);
}
int c_caps(tt_error *e) { return tt_plexd_update_capabilities(&plexd, "{}", e); }
int c_endpoint(tt_error *e) { return tt_plexd_report_endpoint(&plexd, "1.2.3.4:5", "none", e); }
int c_drift(tt_error *e) { return tt_plexd_report_drift(&plexd, "[]", e); }
int c_secret(tt_error *e)
{
    static tt_plexd_secret sec;
    return tt_plexd_get_secret(&plexd, "db", &sec, e);
}
int c_reports(tt_error *e) { return tt_plexd_sync_reports(&plexd, "{}", e); }
int c_ack(tt_error *e) { return tt_plexd_ack_execution(&plexd, "x1", "accepted", "r", e); }
int c_result(tt_error *e)
{
    tt_plexd_exec_result r;
    memset(&r, 0, sizeof r);
    r.execution_id = "x1";
    r.status = "failed";
    r.out = "o";
    return tt_plexd_report_result(&plexd, &r, e);
}
int c_metrics(tt_error *e) { return tt_plexd_send_metrics(&plexd, "[1]", e); }
int c_logs(tt_error *e) { return tt_plexd_send_logs(&plexd, "[1]", e); }
int c_audit(tt_error *e) { return tt_plexd_send_audit(&plexd, "[1]", e); }
int c_artifact(tt_error *e)
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
int c_sky_logs(tt_error *e) { return tt_sky_logs(&sky, "c", 1, 0, 10, sink, NULL, e); }
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


const endpoint endpoints[] = {
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

const size_t nendpoints = TT_COUNT(endpoints);
#endif /* UNIT_ALL_PROTOCOLS */
