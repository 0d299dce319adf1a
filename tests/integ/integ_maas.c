/*
 * The MAAS client against the reference control plane speaking as MAAS
 * 3.x does (tools/refcp.py): objects with every key a real one has, nested
 * subnets and VLANs in every link, pretty-printed in no stable key order;
 * a 68 KB machine with 13 interfaces and 6 disks; VM hosts with a dozen
 * tags and storage pools; ComposeMachineForm's checks and its JSON
 * validation errors; OAuth PLAINTEXT with piston's timestamp window.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#if TT_FEATURE_MAAS

#include "integ.h"
#include "tether/maas.h"

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
    cfg.max_retries = -1;
    tt_port_posix_init(&port);
    if (tt_maas_init(&maas, &port, &cfg, e) != 0)
        return -1;
    maas.api.retry.base_ms = 20; /* the policy, quickly */
    maas.api.retry.max_ms = 40;
    return 0;
}

static int reset(void)
{
    return integ_cp_admin(integ_cp_port("MAAS"), "/_reset", "{}");
}

/* The server's record of the last compose or deploy form. */
static const char *server_stats(void)
{
    static char stats[8192];
    tt_client c;
    tt_request rq;
    tt_response res;
    tt_error e;
    integ_client(&c, NULL);
    memset(&rq, 0, sizeof rq);
    memset(stats, 0, sizeof stats);
    rq.url = integ_url(integ_cp_port("MAAS"), "/_stats");
    rq.body_buf = stats;
    rq.body_cap = sizeof stats - 1;
    if (tt_client_request(&c, &rq, &res, &e) != 0)
        stats[0] = '\0';
    tt_client_close(&c);
    return stats;
}

typedef struct seen {
    int ids[8];
    int n;
    int problems;
    tt_maas_vmhost last;
} seen;

static int collect(void *user, const tt_maas_vmhost *h, const tt_error *problem, tt_error *err)
{
    seen *s = user;
    (void)err;
    if (problem != NULL)
        s->problems++;
    if (s->n < 8)
        s->ids[s->n++] = h->id;
    s->last = *h;
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
    static seen s;
    tt_error e;
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 4);
    CHECK_INT(s.problems, 0);
    CHECK_INT(hosts("lxd", NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 3);
    CHECK_INT(hosts("lxd", "zone-b", NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ids[0], 3);
    CHECK_INT(hosts("lxd", "3", NULL, NULL, &s, &e), 0); /* the zone by its id */
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ids[0], 3);
    CHECK_INT(hosts(NULL, NULL, "default", "gpu", &s, &e), 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.ids[0], 1);
    CHECK_INT(hosts("virsh", NULL, NULL, "gpu", &s, &e), 0);
    CHECK_INT(s.n, 0);
    /* MAAS tags every VM host itself */
    CHECK_INT(hosts(NULL, NULL, NULL, "pod-console-logging", &s, &e), 0);
    CHECK_INT(s.n, 4);
    tt_maas_close(&maas);
}

/* What broke the first clients: twelve tags (one of 60 characters), a
 * 50-character name and twelve storage pools, on one host of a list. */
static void test_vmhost_with_many_tags_and_pools(void)
{
    static seen s;
    static tt_maas_vmhost h;
    tt_error e;
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, "maintenance-window-sunday-0200", &s, &e), 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(s.problems, 0);
    CHECK_INT(s.last.ntags, 12);
    CHECK_STR(s.last.tags[0], "pod-console-logging");
    CHECK_STR(s.last.tags[11], "a-tag-of-sixty-characters-which-is-long-but-allowed-by-maas");
    CHECK_INT(s.last.nstorage_pools, 12);
    CHECK_STR(s.last.storage_pools[0].path, "/var/snap/lxd/common/lxd/storage-pools/default");
    CHECK_INT(s.last.storage_pools[0].is_default, 1);
    CHECK_STR(s.last.storage_pools[11].name, "pool-11");
    CHECK_INT(strlen(s.last.name), 50);
    CHECK_STR(s.last.pool.name, "prod");
    CHECK_INT(s.last.pool.id, 1);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_STR(h.name, "lxd-a");
    CHECK_STR(h.version, "5.21");
    CHECK_STR(h.zone.name, "zone-a");
    CHECK_INT(h.total.cores, 32);
    CHECK_INT(h.available.memory, 131072);
    CHECK(h.memory_over_commit_ratio == 1.0);
    CHECK_INT(h.ntags, 3);
    tt_maas_close(&maas);
}

/* A machine as MAAS answers it: 68 KB, thirteen interfaces (bonds and
 * VLANs among them), links with whole subnets, six disks with partitions. */
typedef struct machine_seen {
    int ifaces, links, devices, partitions, problems;
    char names[16][64];
    int nlinks_of[16];
    char vlan_iface[64];
    int vlan_vid;
    char bond_parents[160];
    char first_ip[48], first_cidr[48], first_gateway[48];
    int first_link_vid;
    long long boot_size;
    char efi_mount[256];
} machine_seen;

static int on_part(void *user, const tt_json_item *it, tt_error *err)
{
    machine_seen *m = user;
    (void)err;
    if (it->error != NULL)
        m->problems++;
    switch (tt_maas_which(it)) {
    case TT_MAAS_LIST_INTERFACES: {
        const tt_maas_iface *f = it->record;
        if (m->ifaces < 16) {
            snprintf(m->names[m->ifaces], sizeof m->names[0], "%s", f->name);
            m->nlinks_of[m->ifaces] = (int)f->nlinks;
        }
        if (strcmp(f->type, "vlan") == 0 && m->vlan_vid == 0) {
            snprintf(m->vlan_iface, sizeof m->vlan_iface, "%s", f->name);
            m->vlan_vid = f->vlan.vid;
        }
        if (strcmp(f->type, "bond") == 0 && m->bond_parents[0] == '\0')
            snprintf(m->bond_parents, sizeof m->bond_parents, "%zu:%s,%s", f->nparents,
                     f->parents[0], f->parents[1]);
        m->ifaces++;
        break;
    }
    case TT_MAAS_LIST_LINKS: {
        const tt_maas_link *l = it->record;
        if (m->links++ == 0) {
            snprintf(m->first_ip, sizeof m->first_ip, "%s", l->ip_address);
            snprintf(m->first_cidr, sizeof m->first_cidr, "%s", l->subnet.cidr);
            snprintf(m->first_gateway, sizeof m->first_gateway, "%s", l->subnet.gateway_ip);
            m->first_link_vid = l->subnet.vlan.vid;
        }
        break;
    }
    case TT_MAAS_LIST_BLOCKDEVICES: {
        const tt_maas_blockdevice *d = it->record;
        if (m->devices++ == 0)
            m->boot_size = d->size;
        break;
    }
    case TT_MAAS_LIST_PARTITIONS: {
        const tt_maas_partition *p = it->record;
        if (m->partitions++ == 0)
            snprintf(m->efi_mount, sizeof m->efi_mount, "%s", p->filesystem.mount_point);
        break;
    }
    default:
        break;
    }
    return 0;
}

static void test_large_machine(void)
{
    static tt_maas_machine mc;
    static machine_seen ms;
    tt_error e;
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    memset(&ms, 0, sizeof ms);
    CHECK_INT(tt_maas_read_machine(&maas, "k8dx3m", &mc, on_part, &ms, &e), 0);
    CHECK_STR(mc.system_id, "k8dx3m");
    CHECK_STR(mc.hostname, "rack7-node12");
    CHECK_STR(mc.fqdn, "rack7-node12.maas");
    CHECK_STR(mc.status_name, "Deployed");
    CHECK_INT(mc.cpu_count, 64);
    CHECK_INT(mc.memory, 524288);
    CHECK_STR(mc.architecture, "amd64/generic");
    CHECK_STR(mc.zone.name, "default");
    CHECK_STR(mc.domain.name, "maas");
    CHECK_STR(mc.boot_interface.name, "eno1");
    CHECK_INT(mc.ntag_names, 3);
    CHECK_STR(mc.tag_names[2], "rack-7");
    CHECK_INT(mc.nip_addresses, 6);
    CHECK_INT(ms.problems, 0);
    /* every interface, link, device and partition, each once */
    CHECK_INT(mc.ninterfaces, 13);
    CHECK_INT(ms.ifaces, 13);
    CHECK_INT(ms.links, 6);
    CHECK_STR(ms.names[0], "eno1");
    CHECK_INT(ms.nlinks_of[0], 1);
    CHECK_INT(ms.nlinks_of[1], 0);
    CHECK_STR(ms.names[8], "bond0");
    CHECK_STR(ms.bond_parents, "2:eno2,eno3");
    CHECK_STR(ms.vlan_iface, "bond0.100");
    CHECK_INT(ms.vlan_vid, 100);
    CHECK_STR(ms.first_cidr, "10.16.0.0/24");
    CHECK_STR(ms.first_gateway, "10.16.0.254");
    CHECK_STR(ms.first_ip, "10.16.0.11");
    CHECK_INT(ms.first_link_vid, 0);
    CHECK_INT(mc.nblockdevices, 6);
    CHECK_INT(ms.devices, 6);
    CHECK_INT(ms.partitions, 5);     /* 2 on the boot disk, 1 on every odd data disk */
    CHECK(ms.boot_size == 960197124096LL);
    CHECK_STR(ms.efi_mount, "/boot/efi");
    tt_maas_close(&maas);
}

/* Zone, pool and domain by name: MAAS wants ids, so they are looked up. */
static void test_compose_by_names(void)
{
    static tt_maas_machine mc;
    static tt_maas_vmhost h;
    tt_maas_compose_req q;
    tt_error e;
    char sid[16];
    const char *st;

    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    memset(&q, 0, sizeof q);
    q.cores = 4;
    q.memory = 8192;
    q.storage = "root:20(ssd),data:100";
    q.hostname = "web-1";
    q.zone = "zone-a";              /* names: looked up, sent as ids */
    q.pool = "prod";
    q.domain = "maas";
    q.interfaces = "eth0:space=dmz";
    q.pinned_cores = "0,1";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), 0);
    CHECK_INT(strlen(sid), 6);
    st = server_stats();
    CHECK(strstr(st, "\"zone\": \"2\"") != NULL);
    CHECK(strstr(st, "\"pool\": \"1\"") != NULL);
    CHECK(strstr(st, "\"domain\": \"0\"") != NULL);
    CHECK(strstr(st, "\"storage\": \"root:20(ssd),data:100\"") != NULL);
    CHECK(strstr(st, "\"interfaces\": \"eth0:space=dmz\"") != NULL);
    /* only what ComposeMachineForm takes */
    CHECK(strstr(st, "user_data") == NULL);
    CHECK(strstr(st, "profile") == NULL);
    CHECK(strstr(st, "project") == NULL);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(h.used.cores, 4);
    CHECK_INT(h.available.cores, 28);
    CHECK_INT(tt_maas_read_machine(&maas, sid, &mc, NULL, NULL, &e), 0);
    CHECK_STR(mc.system_id, sid);
    CHECK_STR(mc.hostname, "web-1");
    CHECK_STR(mc.status_name, "Ready");
    CHECK_STR(mc.zone.name, "zone-a");
    CHECK_STR(mc.pool.name, "prod");
    CHECK_INT(mc.ninterfaces, 1);
    CHECK_INT(mc.nblockdevices, 1);
    CHECK_INT(mc.ntag_names, 4);    /* the host's tags and "virtual" */
    tt_maas_close(&maas);
}

/* ComposeMachineForm's refusals come back as JSON; they are the message. */
static void test_compose_validation_errors(void)
{
    tt_maas_compose_req q;
    tt_error e;
    char sid[16];
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    memset(&q, 0, sizeof q);
    q.cores = 2;
    q.memory = 2048;
    q.zone = "99";                  /* an id MAAS does not have */
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(e.http_status, 400);
    CHECK_MSG(e.msg, "127.0.0.1: HTTP 400 Bad Request: zone: Select a valid choice. That "
                     "choice is not one of the available choices.");
    CHECK_INT(maas.api.stats.attempts, 1);
    q.zone = NULL;
    q.memory = 512;
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_MSG(e.msg, "127.0.0.1: HTTP 400 Bad Request: memory: Ensure this value is greater "
                     "than or equal to 1024.");
    q.memory = 2048;
    q.pinned_cores = "7,99";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_MSG(e.msg, "127.0.0.1: HTTP 400 Bad Request: pinned_cores: Select a valid choice. 99 "
                     "is not one of the available choices.");
    /* a name the server does not know: found out before composing */
    q.pinned_cores = NULL;
    q.pool = "nowhere";
    CHECK_INT(tt_maas_compose(&maas, 1, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_STR(e.msg, "127.0.0.1: resourcepools: no 'nowhere' on the server");
    CHECK(strstr(server_stats(), "\"pinned_cores\": \"99\"") != NULL); /* still the one before */
    tt_maas_close(&maas);
}

/* MAAS waits up to 120 s for the VM host: compose has its own timeout,
 * and a compose that may have happened is never sent twice. */
static void test_compose_timeouts_and_retries(void)
{
    tt_maas_compose_req q;
    tt_error e;
    char sid[16];
    int port = integ_cp_port("MAAS");
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    memset(&q, 0, sizeof q);
    q.cores = 1;
    q.memory = 1024;
    maas.api.timeout_ms = 400;      /* the ordinary request timeout */
    CHECK_INT(integ_cp_admin(port, "/_maas", "{\"compose_delay\": 1.0}"), 0);
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), 0);
    maas.api.long_timeout_ms = 300; /* now shorter than the compose */
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(maas.api.stats.attempts, 2); /* once each: the second may have composed */
    CHECK_INT(integ_cp_admin(port, "/_maas", "{\"compose_delay\": 0}"), 0);
    maas.api.long_timeout_ms = 5000;
    /* a 500 after the form was sent: reported, not repeated */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 500, \"count\": 1}"), 0);
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.http_status, 500);
    CHECK_INT(maas.api.stats.attempts, 3);
    /* a 503 with Retry-After or a 429: MAAS did not act, so again */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 1, \"retry_after\": 0}"), 0);
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), 0);
    CHECK_INT(maas.api.stats.attempts, 5);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{}"), 0);
    tt_maas_close(&maas);
}

static void test_deploy_with_user_data(void)
{
    static tt_maas_machine mc;
    static const char ud[] = "#cloud-config\nruncmd: [echo hi]\n";
    tt_maas_deploy_req q;
    tt_error e;
    const char *st;
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    memset(&q, 0, sizeof q);
    q.user_data = ud;
    q.user_data_len = sizeof ud - 1;
    q.distro_series = "noble";
    CHECK_INT(tt_maas_deploy(&maas, "sbfrtx", &q, &mc, NULL, NULL, &e), 0);
    CHECK_STR(mc.status_name, "Deploying");
    CHECK_INT(mc.status, 9);
    CHECK_STR(mc.distro_series, "noble");
    CHECK_STR(mc.osystem, "ubuntu");
    st = server_stats();
    CHECK(strstr(st, "\"user_data\": \"I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFtlY2hvIGhpXQo=\"") != NULL);
    CHECK(strstr(st, "\"system_id\": \"sbfrtx\"") != NULL);
    /* once deploying, MAAS refuses another deploy */
    CHECK_INT(tt_maas_deploy(&maas, "sbfrtx", &q, &mc, NULL, NULL, &e), -1);
    CHECK_INT(e.http_status, 409);
    CHECK(strstr(e.msg, "Can't deploy a machine that is in the 'Deploying' state") != NULL);
    tt_maas_close(&maas);
}

/* A device whose clock is behind: MAAS says "Expired timestamp"; the
 * timestamp is corrected from MAAS's Date once, and stays corrected. */
static void test_oauth_clock_behind(void)
{
    static seen s;
    tt_error e;
    int port = integ_cp_port("MAAS");
    CHECK_INT(reset(), 0);
    CHECK_INT(integ_cp_admin(port, "/_maas", "{\"clock_offset\": 86400}"), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(s.n, 4);
    CHECK_INT(maas.api.stats.attempts, 2);
    CHECK(maas.api.clock_offset_s > 86390 && maas.api.clock_offset_s < 86410);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), 0);
    CHECK_INT(maas.api.stats.attempts, 3);   /* remembered */
    /* a key MAAS does not know is not a clock problem: no second try */
    tt_maas_close(&maas);
    CHECK_INT(start("ck:wrong:ts", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.msg, "Invalid access token: wrong") != NULL);
    CHECK_INT(maas.api.stats.attempts, 1);
    CHECK_INT(integ_cp_admin(port, "/_maas", "{\"clock_offset\": 0}"), 0);
    tt_maas_close(&maas);
}

static void test_text_errors(void)
{
    static tt_maas_vmhost h;
    static tt_maas_machine m;
    static seen s;
    tt_maas_compose_req q;
    tt_error e;
    char sid[16];
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 42, &h, &e), -1);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_STR(e.msg, "127.0.0.1: HTTP 404 Not Found: No Pod matches the given query.");
    CHECK_INT(tt_maas_read_machine(&maas, "zzzzzz", &m, NULL, NULL, &e), -1);
    CHECK(tt_api_is_not_found(&e));
    CHECK(strstr(e.msg, "No Machine matches the given query.") != NULL);
    memset(&q, 0, sizeof q);
    q.cores = 999;
    q.memory = 1024;
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.http_status, 503);
    CHECK(strstr(e.msg, "HTTP 503 Service Unavailable: Unable to compose KVM instance") != NULL);
    q.cores = 0;
    CHECK_INT(tt_maas_compose(&maas, 2, &q, sid, sizeof sid, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    /* a wrong secret: the server refuses the signature */
    tt_maas_close(&maas);
    CHECK_INT(start("ck:tk:wrong", &e), 0);
    CHECK_INT(hosts(NULL, NULL, NULL, NULL, &s, &e), -1);
    CHECK_INT(e.http_status, 401);
    CHECK(strstr(e.msg, "Invalid signature") != NULL);
    tt_maas_close(&maas);
    /* a key that is not three parts never leaves the device */
    CHECK_INT(start("ck:tk", &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
}

static void test_faults_and_timeout(void)
{
    static tt_maas_vmhost h;
    tt_error e;
    int port = integ_cp_port("MAAS");
    CHECK_INT(reset(), 0);
    CHECK_INT(start("ck:tk:ts", &e), 0);
    /* reads are retried with the policy */
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 2}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), 0);
    CHECK_INT(maas.api.stats.attempts, 3);
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 503, \"count\": 9}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK(tt_api_is_server(&e));
    CHECK_STR(e.msg, "127.0.0.1: HTTP 503 Service Unavailable: Injected fault 503");
    CHECK_INT(integ_cp_admin(port, "/_faults", "{\"status\": 429, \"count\": 1, \"retry_after\": 300}"), 0);
    CHECK_INT(tt_maas_read_vmhost(&maas, 1, &h, &e), -1);
    CHECK(tt_api_is_rate_limited(&e));
    CHECK_INT(e.retry_after, 300);
    maas.api.timeout_ms = 300;
    maas.api.retry.max_retries = 0;
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
        { "vmhost_with_many_tags_and_pools", test_vmhost_with_many_tags_and_pools },
        { "large_machine", test_large_machine },
        { "compose_by_names", test_compose_by_names },
        { "compose_validation_errors", test_compose_validation_errors },
        { "compose_timeouts_and_retries", test_compose_timeouts_and_retries },
        { "deploy_with_user_data", test_deploy_with_user_data },
        { "oauth_clock_behind", test_oauth_clock_behind },
        { "text_errors", test_text_errors },
        { "faults_and_timeout", test_faults_and_timeout },
    };
    tt_run_suite("integ_maas", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
