/*
 * `tether maas COMMAND`: MAAS VM hosts and machines, JSON on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "maas.h"

#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: tether maas COMMAND [ARGS] [options]\n"
    "\n"
    "Commands:\n"
    "  hosts [--type lxd|virsh] [--zone Z] [--pool P] [--tag T]\n"
    "  host ID                         one VM host with its resources\n"
    "  compose ID --cores N --memory MIB [--storage 'root:20(ssd),data:100']\n"
    "          [--hostname H] [--zone Z] [--pool P] [--interfaces SPEC]\n"
    "          [--profile P] [--project P] [--user-data FILE]\n"
    "  machine SYSTEM_ID               a machine, its interfaces and addresses\n"
    "\n"
    "Settings (flag, else environment, else --config FILE key):\n"
    "  --url URL       MAAS_URL       \"http://maas:5240/MAAS\"\n"
    "  --api-key KEY   MAAS_API_KEY   \"consumer:token:secret\"\n"
    "  --timeout S     default 30\n";

static tt_maas maas;
static char out[TT_API_BODY_MAX];
static char user_data[TT_API_REQUEST_MAX / 3];

static void write_res(tt_json_writer *w, const char *key, const tt_maas_resources *r)
{
    tt_jw_key(w, key);
    tt_jw_object(w);
    tt_jw_key(w, "cores");
    tt_jw_int(w, r->cores);
    tt_jw_key(w, "memory");
    tt_jw_int(w, r->memory);
    tt_jw_key(w, "local_storage");
    tt_jw_int(w, r->local_storage);
    tt_jw_end(w);
}

static int print_host(const tt_maas_vmhost *h)
{
    tt_json_writer w;
    tt_error e;
    size_t n, i;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_object(&w);
    tt_jw_key(&w, "id");
    tt_jw_int(&w, h->id);
    tt_jw_key(&w, "name");
    tt_jw_string(&w, h->name);
    tt_jw_key(&w, "type");
    tt_jw_string(&w, h->type);
    tt_jw_key(&w, "zone");
    tt_jw_string(&w, h->zone.name);
    tt_jw_key(&w, "pool");
    tt_jw_string(&w, h->pool.name);
    tt_jw_key(&w, "tags");
    tt_jw_array(&w);
    for (i = 0; i < h->ntags; i++)
        tt_jw_string(&w, h->tags[i]);
    tt_jw_end(&w);
    write_res(&w, "total", &h->total);
    write_res(&w, "used", &h->used);
    write_res(&w, "available", &h->available);
    tt_jw_end(&w);
    return tt_jw_finish(&w, &n, &e) != 0 ? tt_cli_fail(&e) : tt_cli_print_json(out, n);
}

static int print_machine(const tt_maas_machine *m)
{
    tt_json_writer w;
    tt_error e;
    size_t n, i, k;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_object(&w);
    tt_jw_key(&w, "system_id");
    tt_jw_string(&w, m->system_id);
    tt_jw_key(&w, "hostname");
    tt_jw_string(&w, m->hostname);
    tt_jw_key(&w, "status");
    tt_jw_string(&w, m->status_name);
    tt_jw_key(&w, "zone");
    tt_jw_string(&w, m->zone.name);
    tt_jw_key(&w, "interfaces");
    tt_jw_array(&w);
    for (i = 0; i < m->ninterfaces; i++) {
        const tt_maas_iface *f = &m->interfaces[i];
        tt_jw_object(&w);
        tt_jw_key(&w, "name");
        tt_jw_string(&w, f->name);
        tt_jw_key(&w, "mac");
        tt_jw_string(&w, f->mac_address);
        tt_jw_key(&w, "addresses");
        tt_jw_array(&w);
        for (k = 0; k < f->nlinks; k++) {
            tt_jw_object(&w);
            tt_jw_kv_string(&w, "ip", f->links[k].ip_address);
            tt_jw_kv_string(&w, "cidr", f->links[k].subnet.cidr);
            tt_jw_kv_string(&w, "gateway", f->links[k].subnet.gateway_ip);
            tt_jw_end(&w);
        }
        tt_jw_end(&w);
        tt_jw_end(&w);
    }
    tt_jw_end(&w);
    tt_jw_end(&w);
    return tt_jw_finish(&w, &n, &e) != 0 ? tt_cli_fail(&e) : tt_cli_print_json(out, n);
}

static int list_one(void *user, const tt_maas_vmhost *h, tt_error *err)
{
    (void)user;
    if (print_host(h) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "cannot write");
    return 0;
}

static int host_id(const char *s, int32_t *id)
{
    char *end;
    long v = s != NULL ? strtol(s, &end, 10) : 0;
    if (s == NULL || *end != '\0' || v <= 0)
        return tt_cli_usage_error("a VM host ID is a positive number");
    *id = (int32_t)v;
    return 0;
}

static int compose(const tt_cli_args *a)
{
    tt_maas_compose_req q;
    tt_error err;
    char sid[16];
    long long cores, mem;
    int32_t id = 0;
    const char *ud = tt_cli_arg(a, "user-data");
    if (host_id(a->npos > 1 ? a->pos[1] : NULL, &id) != 0)
        return TT_EXIT_USAGE;
    if (tt_cli_arg_int(a, "cores", 0, &cores) != 0 || tt_cli_arg_int(a, "memory", 0, &mem) != 0)
        return TT_EXIT_USAGE;
    memset(&q, 0, sizeof q);
    q.cores = (int32_t)cores;
    q.memory = mem;
    q.storage = tt_cli_arg(a, "storage");
    q.hostname = tt_cli_arg(a, "hostname");
    q.zone = tt_cli_arg(a, "zone");
    q.pool = tt_cli_arg(a, "pool");
    q.interfaces = tt_cli_arg(a, "interfaces");
    q.profile = tt_cli_arg(a, "profile");
    q.project = tt_cli_arg(a, "project");
    if (ud != NULL) {
        FILE *f = fopen(ud, "rb");
        size_t n;
        if (f == NULL)
            return tt_cli_usage_error("cannot read %s", ud);
        n = fread(user_data, 1, sizeof user_data - 1, f);
        fclose(f);
        user_data[n] = '\0';
        q.user_data = user_data;
    }
    if (tt_maas_compose(&maas, id, &q, sid, sizeof sid, &err) != 0)
        return tt_cli_fail(&err);
    printf("{\"system_id\":\"%s\"}\n", sid);
    return 0;
}

static int run(const tt_cli_args *a)
{
    const char *cmd = a->pos[0];
    tt_maas_vmhost h;
    tt_maas_machine m;
    tt_maas_filter f;
    tt_error err;
    int32_t id = 0;
    if (strcmp(cmd, "hosts") == 0) {
        f.type = tt_cli_arg(a, "type");
        f.zone = tt_cli_arg(a, "zone");
        f.pool = tt_cli_arg(a, "pool");
        f.tag = tt_cli_arg(a, "tag");
        return tt_maas_vmhosts(&maas, &f, list_one, NULL, &err) != 0 ? tt_cli_fail(&err) : 0;
    }
    if (strcmp(cmd, "host") == 0) {
        if (host_id(a->npos > 1 ? a->pos[1] : NULL, &id) != 0)
            return TT_EXIT_USAGE;
        return tt_maas_read_vmhost(&maas, id, &h, &err) != 0 ? tt_cli_fail(&err) : print_host(&h);
    }
    if (strcmp(cmd, "compose") == 0)
        return compose(a);
    if (strcmp(cmd, "machine") == 0 && a->npos > 1)
        return tt_maas_read_machine(&maas, a->pos[1], &m, &err) != 0 ? tt_cli_fail(&err)
                                                                    : print_machine(&m);
    return tt_cli_usage_error("unknown maas command '%s'", cmd);
}

int tt_cli_maas(int argc, char **argv)
{
    static tt_cli_args a;
    static tt_cli_conf conf;
    tt_maas_config cfg;
    tt_port port;
    tt_error err;
    int rc;

    if ((rc = tt_cli_proto_begin(argc, argv, usage_text, "", "maas", &a, &conf)) >= 0)
        return rc;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = tt_cli_setting(&conf, tt_cli_arg(&a, "url"), "url", "MAAS_URL", NULL);
    cfg.api_key = tt_cli_setting(&conf, tt_cli_arg(&a, "api-key"), "api_key", "MAAS_API_KEY", NULL);
    if (tt_cli_setting_ms(&conf, &a, "timeout", "timeout", NULL, &cfg.timeout_ms) != 0)
        return TT_EXIT_USAGE;
    tt_port_posix_init(&port);
    if (tt_maas_init(&maas, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);
    tt_cli_attach(&maas.client, &a);
    rc = run(&a);
    tt_maas_close(&maas);
    return rc;
}
