/*
 * vmm client: endpoint table over tt_api, VM records by struct binding.
 */
#include "tether/config.h"
#if TT_FEATURE_VMM

#include "tether/vmm.h"

#include <stddef.h>
#include <string.h>

static const tt_json_field vm_fields[] = {
    TT_JSON_STR(tt_vmm_vm, name, "name", TT_JF_REQUIRED),
    TT_JSON_STR(tt_vmm_vm, state, "state", 0),
    TT_JSON_INT(tt_vmm_vm, cpus, "cpus", 0),
    TT_JSON_INT(tt_vmm_vm, memory_mb, "memory_mb", 0),
    TT_JSON_INT(tt_vmm_vm, disk_size_mb, "disk_size_mb", 0),
    TT_JSON_STR(tt_vmm_vm, image, "image", TT_JF_OMIT),
    TT_JSON_STR(tt_vmm_vm, ip, "ip", TT_JF_OMIT),
    TT_JSON_STR(tt_vmm_vm, created_at, "created_at", TT_JF_OMIT),
};
const tt_json_field tt_vmm_vm_json = TT_JSON_ROOT_OBJ(tt_vmm_vm, vm_fields);

static const tt_json_field status_fields[] = {
    TT_JSON_STR(tt_vmm_status, hostname, "hostname", 0),
    TT_JSON_INT(tt_vmm_status, total_cpus, "total_cpus", 0),
    TT_JSON_INT(tt_vmm_status, used_cpus, "used_cpus", 0),
    TT_JSON_INT(tt_vmm_status, total_memory_mb, "total_memory_mb", 0),
    TT_JSON_INT(tt_vmm_status, used_memory_mb, "used_memory_mb", 0),
    TT_JSON_INT(tt_vmm_status, available_memory_mb, "available_memory_mb", 0),
    TT_JSON_INT(tt_vmm_status, running_vms, "running_vms", 0),
    TT_JSON_INT(tt_vmm_status, total_vms, "total_vms", 0),
};
const tt_json_field tt_vmm_status_json = TT_JSON_ROOT_OBJ(tt_vmm_status, status_fields);

/* The create body: the request record as it is sent. */
static const tt_json_field create_fields[] = {
    TT_JSON_PSTR(tt_vmm_create_req, name, "name", 0),
    TT_JSON_INT(tt_vmm_create_req, cpus, "cpus", 0),
    TT_JSON_INT(tt_vmm_create_req, memory_mb, "memory_mb", 0),
    TT_JSON_INT(tt_vmm_create_req, disk_size_mb, "disk_size_mb", TT_JF_OMIT),
    TT_JSON_PSTR(tt_vmm_create_req, ssh_public_key, "ssh_public_key", TT_JF_OMIT),
    TT_JSON_PSTRS(tt_vmm_create_req, dns_servers, "dns_servers", TT_JF_OMIT, ndns),
    TT_JSON_PSTR(tt_vmm_create_req, image, "image", TT_JF_OMIT),
    TT_JSON_PSTR(tt_vmm_create_req, kernel, "kernel", TT_JF_OMIT),
};

static int load_tls(tt_vmm *v, const tt_port *port, const tt_vmm_config *cfg, tt_error *err)
{
    tt_tls_store_init(&v->store, v->arena, sizeof v->arena);
    tt_tls_config_init(&v->tls);
    v->tls.store = &v->store;
    v->tls.min_version = cfg->tls_min_version != 0 ? cfg->tls_min_version : TT_TLS_VERSION_1_3;
    if (cfg->ca == NULL || cfg->cert == NULL || cfg->key == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, cfg->name,
                            "vmm needs a CA, a client certificate and its key");
    if (tt_tls_load_anchors(&v->store, port, cfg->ca, err) != 0 ||
        tt_tls_load_chain(&v->store, port, cfg->cert, err) != 0 ||
        tt_tls_load_key(&v->store, port, cfg->key, err) != 0)
        return -1;
    return 0;
}

int tt_vmm_init(tt_vmm *v, const tt_port *port, const tt_vmm_config *cfg, tt_error *err)
{
    tt_client_config cc;
    char base[TT_URL_MAX];
    const char *scheme = cfg->scheme != NULL ? cfg->scheme : "https";

    memset(v, 0, sizeof *v);
    if (cfg->address == NULL || cfg->address[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, cfg->name,
                            "vmm needs the host's address (\"192.168.1.10:8443\")");
    if (cfg->labels != NULL && strlen(cfg->labels) >= sizeof v->labels)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, cfg->name,
                            "vmm labels longer than %zu bytes", sizeof v->labels - 1);
    tt_client_config_default(&cc);
    if (strcmp(scheme, "https") == 0) {
        if (load_tls(v, port, cfg, err) != 0)
            return -1;
        cc.tls = &v->tls;
    }
    if (tt_client_init(&v->client, port, &cc, err) != 0)
        return -1;
    if (tt_fmt(base, sizeof base, "%s://%s/api/v1", scheme, cfg->address) >= sizeof base)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, cfg->name,
                            "vmm URL longer than TT_URL_MAX (%d)", TT_URL_MAX);
    if (tt_api_init(&v->api, &v->client, base, cfg->name, v->buf, sizeof v->buf, &v->doc,
                    err) != 0)
        return -1;
    v->api.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : TT_REQUEST_TIMEOUT_MS;
    v->api.long_timeout_ms = cfg->long_timeout_ms > 0 ? cfg->long_timeout_ms
                                                      : TT_API_LONG_TIMEOUT_MS;
    v->api.retry.max_retries = 0;
    if (cfg->labels != NULL)
        tt_fmt(v->labels, sizeof v->labels, "%s", cfg->labels);
    return 0;
}

void tt_vmm_close(tt_vmm *v)
{
    tt_client_close(&v->client);
}

/* "/vms/NAME" plus an optional action. */
static int vm_path(tt_vmm *v, char *path, size_t cap, const char *name, const char *action,
                   tt_error *err)
{
    char seg[3 * TT_VMM_NAME_MAX];
    if (tt_api_segment(seg, sizeof seg, name) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, v->api.label,
                            "bad VM name");
    tt_fmt(path, cap, "/vms/%s%s", seg, action != NULL ? action : "");
    return 0;
}

/* Bind the call's data object into a VM (when out is not NULL). */
static int bind_vm(tt_vmm *v, tt_json_val data, tt_vmm_vm *out, tt_error *err)
{
    if (out == NULL)
        return 0;
    memset(out, 0, sizeof *out);
    if (tt_json_bind(&v->doc, data, vm_fields, TT_JSON_NFIELDS(vm_fields), out, err) != 0) {
        tt_error inner = *err;
        return tt_error_set(err, inner.cls, inner.code, v->api.label, "%s", inner.msg);
    }
    return 0;
}

static int vm_call(tt_vmm *v, const char *method, const char *name, const char *action,
                   tt_vmm_vm *out, tt_error *err)
{
    char path[32 + 3 * TT_VMM_NAME_MAX];
    tt_api_req r;
    tt_api_resp res;
    if (vm_path(v, path, sizeof path, name, action, err) != 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = path;
    if (tt_api_call(&v->api, &r, &res, err) != 0)
        return -1;
    return bind_vm(v, res.data, out, err);
}

int tt_vmm_get(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err)
{
    return vm_call(v, "GET", name, NULL, out, err);
}

int tt_vmm_start(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err)
{
    return vm_call(v, "POST", name, "/start", out, err);
}

int tt_vmm_stop(tt_vmm *v, const char *name, tt_vmm_vm *out, tt_error *err)
{
    return vm_call(v, "POST", name, "/stop", out, err);
}

int tt_vmm_delete(tt_vmm *v, const char *name, int force, tt_error *err)
{
    return vm_call(v, "DELETE", name, force ? "?force=true" : NULL, NULL, err);
}

static size_t write_create(tt_vmm *v, const tt_vmm_create_req *q, tt_error *err)
{
    tt_json_writer w;
    size_t n;
    tt_jw_init(&w, v->req, sizeof v->req);
    tt_jw_object(&w);
    tt_jw_members(&w, create_fields, TT_JSON_NFIELDS(create_fields), q);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, &n, err) != 0)
        return 0;
    return n;
}

int tt_vmm_create(tt_vmm *v, const tt_vmm_create_req *q, tt_vmm_vm *out, tt_error *err)
{
    tt_api_req r;
    tt_api_resp res;
    size_t n;
    if (q->name == NULL || q->name[0] == '\0' || q->cpus <= 0 || q->memory_mb <= 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, v->api.label,
                            "create needs a name, cpus > 0 and memory_mb > 0");
    if (q->ndns > TT_VMM_DNS_MAX)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, v->api.label,
                            "at most %d DNS servers", TT_VMM_DNS_MAX);
    if ((n = write_create(v, q, err)) == 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = "/vms";
    r.body = v->req;
    r.body_len = n;
    r.long_op = 1;
    if (tt_api_call(&v->api, &r, &res, err) != 0)
        return -1;
    return bind_vm(v, res.data, out, err);
}

int tt_vmm_get_status(tt_vmm *v, tt_vmm_status *out, tt_error *err)
{
    tt_api_req r;
    tt_api_resp res;
    memset(&r, 0, sizeof r);
    r.path = "/status";
    if (tt_api_call(&v->api, &r, &res, err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    return tt_json_bind(&v->doc, res.data, status_fields, TT_JSON_NFIELDS(status_fields), out, err);
}

int tt_vmm_health(tt_vmm *v, tt_error *err)
{
    tt_api_req r;
    memset(&r, 0, sizeof r);
    r.path = "/health";
    return tt_api_call(&v->api, &r, NULL, err);
}

/* ---- ListVMs, streamed ------------------------------------------------------------- */

/* {"data": [VM, ...]}: each VM in the client's slot */
static const tt_json_field list_fields[] = {
    TT_JSON_LIST(tt_vmm, slot, "data", 0, vm_fields),
};
static const tt_json_field list_root = TT_JSON_ROOT_OBJ(tt_vmm, list_fields);

typedef struct list_ctx {
    tt_vmm_vm_fn fn;
    void *user;
    size_t count;
} list_ctx;

static int on_vm(void *user, const tt_json_item *it, tt_error *err)
{
    list_ctx *l = user;
    l->count++;
    return l->fn(l->user, it->record, it->error, err);
}

int tt_vmm_list(tt_vmm *v, tt_vmm_vm_fn fn, void *user, size_t *count, tt_error *err)
{
    tt_json_binder b;
    tt_api_req r;
    list_ctx l;
    l.fn = fn;
    l.user = user;
    l.count = 0;
    memset(&r, 0, sizeof r);
    r.path = "/vms";
    tt_json_binder_init(&b, &list_root, v, on_vm, NULL, &l);
    if (tt_api_call_bind(&v->api, &r, &b, NULL, err) != 0)
        return -1;
    if (count != NULL)
        *count = l.count;
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
