/*
 * MAAS client: VM hosts (listing filtered here), zone/pool/domain lookups,
 * compose, machines and deploy, every answer bound while it streams.
 */
#include "tether/config.h"
#if TT_FEATURE_MAAS

#include "tether/maas.h"

#include <stddef.h>
#include <string.h>

static const tt_json_field named_fields[] = {
    TT_JSON_INT(tt_maas_named, id, "id", 0),
    TT_JSON_STR(tt_maas_named, name, "name", 0),
};
static const tt_json_field named_root = TT_JSON_ROOT_LIST(tt_maas_named, named_fields);

static const tt_json_field res_fields[] = {
    TT_JSON_INT(tt_maas_resources, cores, "cores", 0),
    TT_JSON_INT(tt_maas_resources, memory, "memory", 0),
    TT_JSON_INT(tt_maas_resources, local_storage, "local_storage", 0),
};

static const tt_json_field pool_fields[] = {
    TT_JSON_STR(tt_maas_storage_pool, id, "id", 0),
    TT_JSON_STR(tt_maas_storage_pool, name, "name", 0),
    TT_JSON_STR(tt_maas_storage_pool, type, "type", 0),
    TT_JSON_STR(tt_maas_storage_pool, path, "path", 0),
    TT_JSON_INT(tt_maas_storage_pool, total, "total", 0),
    TT_JSON_INT(tt_maas_storage_pool, used, "used", 0),
    TT_JSON_INT(tt_maas_storage_pool, available, "available", 0),
    TT_JSON_BOOL(tt_maas_storage_pool, is_default, "default", 0),
};

static const tt_json_field vmhost_fields[] = {
    TT_JSON_INT(tt_maas_vmhost, id, "id", TT_JF_REQUIRED),
    TT_JSON_STR(tt_maas_vmhost, name, "name", 0),
    TT_JSON_STR(tt_maas_vmhost, type, "type", 0),
    TT_JSON_STR(tt_maas_vmhost, version, "version", 0),
    TT_JSON_OBJ(tt_maas_vmhost, zone, "zone", 0, named_fields),
    TT_JSON_OBJ(tt_maas_vmhost, pool, "pool", 0, named_fields),
    TT_JSON_ARR_STR(tt_maas_vmhost, tags, "tags", 0, ntags),
    TT_JSON_OBJ(tt_maas_vmhost, total, "total", 0, res_fields),
    TT_JSON_OBJ(tt_maas_vmhost, used, "used", 0, res_fields),
    TT_JSON_OBJ(tt_maas_vmhost, available, "available", 0, res_fields),
    TT_JSON_DOUBLE(tt_maas_vmhost, cpu_over_commit_ratio, "cpu_over_commit_ratio", 0),
    TT_JSON_DOUBLE(tt_maas_vmhost, memory_over_commit_ratio, "memory_over_commit_ratio", 0),
    TT_JSON_ARR_OBJ(tt_maas_vmhost, storage_pools, "storage_pools", 0, pool_fields,
                    nstorage_pools),
};
const tt_json_field tt_maas_vmhosts_json = TT_JSON_ROOT_LIST(tt_maas_vmhost, vmhost_fields);
static const tt_json_field vmhost_root = TT_JSON_ROOT_OBJ(tt_maas_vmhost, vmhost_fields);

static const tt_json_field vlan_fields[] = {
    TT_JSON_INT(tt_maas_vlan, id, "id", 0),
    TT_JSON_INT(tt_maas_vlan, vid, "vid", 0),
    TT_JSON_STR(tt_maas_vlan, name, "name", 0),
    TT_JSON_STR(tt_maas_vlan, fabric, "fabric", 0),
    TT_JSON_INT(tt_maas_vlan, mtu, "mtu", 0),
    TT_JSON_BOOL(tt_maas_vlan, dhcp_on, "dhcp_on", 0),
};

static const tt_json_field subnet_fields[] = {
    TT_JSON_INT(tt_maas_subnet, id, "id", 0),
    TT_JSON_STR(tt_maas_subnet, name, "name", 0),
    TT_JSON_STR(tt_maas_subnet, cidr, "cidr", 0),
    TT_JSON_STR(tt_maas_subnet, gateway_ip, "gateway_ip", 0),
    TT_JSON_STR(tt_maas_subnet, space, "space", 0),
    TT_JSON_OBJ(tt_maas_subnet, vlan, "vlan", 0, vlan_fields),
};

static const tt_json_field link_fields[] = {
    TT_JSON_INT(tt_maas_link, id, "id", 0),
    TT_JSON_STR(tt_maas_link, mode, "mode", 0),
    TT_JSON_STR(tt_maas_link, ip_address, "ip_address", 0),
    TT_JSON_OBJ(tt_maas_link, subnet, "subnet", 0, subnet_fields),
};

static const tt_json_field iface_fields[] = {
    TT_JSON_INT(tt_maas_iface, id, "id", 0),
    TT_JSON_STR(tt_maas_iface, name, "name", 0),
    TT_JSON_STR(tt_maas_iface, type, "type", 0),
    TT_JSON_STR(tt_maas_iface, mac_address, "mac_address", 0),
    TT_JSON_BOOL(tt_maas_iface, enabled, "enabled", 0),
    TT_JSON_BOOL(tt_maas_iface, link_connected, "link_connected", 0),
    TT_JSON_INT(tt_maas_iface, effective_mtu, "effective_mtu", 0),
    TT_JSON_INT(tt_maas_iface, link_speed, "link_speed", 0),
    TT_JSON_OBJ(tt_maas_iface, vlan, "vlan", 0, vlan_fields),
    TT_JSON_ARR_STR(tt_maas_iface, parents, "parents", 0, nparents),
    TT_JSON_LIST(tt_maas_iface, link, "links", 0, link_fields),
};

static const tt_json_field fs_fields[] = {
    TT_JSON_STR(tt_maas_filesystem, fstype, "fstype", 0),
    TT_JSON_STR(tt_maas_filesystem, label, "label", 0),
    TT_JSON_STR(tt_maas_filesystem, uuid, "uuid", 0),
    TT_JSON_STR(tt_maas_filesystem, mount_point, "mount_point", 0),
};

static const tt_json_field partition_fields[] = {
    TT_JSON_INT(tt_maas_partition, id, "id", 0),
    TT_JSON_STR(tt_maas_partition, uuid, "uuid", 0),
    TT_JSON_STR(tt_maas_partition, path, "path", 0),
    TT_JSON_INT(tt_maas_partition, size, "size", 0),
    TT_JSON_BOOL(tt_maas_partition, bootable, "bootable", 0),
    TT_JSON_STR(tt_maas_partition, used_for, "used_for", 0),
    TT_JSON_OBJ(tt_maas_partition, filesystem, "filesystem", 0, fs_fields),
};

static const tt_json_field device_fields[] = {
    TT_JSON_INT(tt_maas_blockdevice, id, "id", 0),
    TT_JSON_STR(tt_maas_blockdevice, name, "name", 0),
    TT_JSON_STR(tt_maas_blockdevice, type, "type", 0),
    TT_JSON_STR(tt_maas_blockdevice, path, "path", 0),
    TT_JSON_STR(tt_maas_blockdevice, model, "model", 0),
    TT_JSON_STR(tt_maas_blockdevice, serial, "serial", 0),
    TT_JSON_STR(tt_maas_blockdevice, id_path, "id_path", 0),
    TT_JSON_INT(tt_maas_blockdevice, size, "size", 0),
    TT_JSON_INT(tt_maas_blockdevice, block_size, "block_size", 0),
    TT_JSON_STR(tt_maas_blockdevice, used_for, "used_for", 0),
    TT_JSON_STR(tt_maas_blockdevice, partition_table_type, "partition_table_type", 0),
    TT_JSON_OBJ(tt_maas_blockdevice, filesystem, "filesystem", 0, fs_fields),
    TT_JSON_ARR_STR(tt_maas_blockdevice, tags, "tags", 0, ntags),
    TT_JSON_LIST(tt_maas_blockdevice, partition, "partitions", 0, partition_fields),
};

static const tt_json_field ref_fields[] = {
    TT_JSON_INT(tt_maas_ref, id, "id", 0),
    TT_JSON_STR(tt_maas_ref, name, "name", 0),
};

static const tt_json_field machine_fields[] = {
    TT_JSON_STR(tt_maas_machine, system_id, "system_id", TT_JF_REQUIRED),
    TT_JSON_STR(tt_maas_machine, hostname, "hostname", 0),
    TT_JSON_STR(tt_maas_machine, fqdn, "fqdn", 0),
    TT_JSON_STR(tt_maas_machine, description, "description", TT_JF_CUT),
    TT_JSON_STR(tt_maas_machine, hardware_uuid, "hardware_uuid", 0),
    TT_JSON_INT(tt_maas_machine, status, "status", 0),
    TT_JSON_STR(tt_maas_machine, status_name, "status_name", 0),
    TT_JSON_STR(tt_maas_machine, status_message, "status_message", TT_JF_CUT),
    TT_JSON_STR(tt_maas_machine, architecture, "architecture", 0),
    TT_JSON_INT(tt_maas_machine, cpu_count, "cpu_count", 0),
    TT_JSON_INT(tt_maas_machine, cpu_speed, "cpu_speed", 0),
    TT_JSON_INT(tt_maas_machine, memory, "memory", 0),
    TT_JSON_DOUBLE(tt_maas_machine, storage, "storage", 0),
    TT_JSON_STR(tt_maas_machine, power_state, "power_state", 0),
    TT_JSON_STR(tt_maas_machine, power_type, "power_type", 0),
    TT_JSON_STR(tt_maas_machine, osystem, "osystem", 0),
    TT_JSON_STR(tt_maas_machine, distro_series, "distro_series", 0),
    TT_JSON_STR(tt_maas_machine, owner, "owner", 0),
    TT_JSON_BOOL(tt_maas_machine, locked, "locked", 0),
    TT_JSON_OBJ(tt_maas_machine, zone, "zone", 0, named_fields),
    TT_JSON_OBJ(tt_maas_machine, pool, "pool", 0, named_fields),
    TT_JSON_OBJ(tt_maas_machine, domain, "domain", 0, named_fields),
    TT_JSON_OBJ(tt_maas_machine, boot_interface, "boot_interface", 0, ref_fields),
    TT_JSON_ARR_STR(tt_maas_machine, tag_names, "tag_names", 0, ntag_names),
    TT_JSON_ARR_STR(tt_maas_machine, ip_addresses, "ip_addresses", 0, nip_addresses),
    TT_JSON_LIST(tt_maas_machine, interface, "interface_set", 0, iface_fields),
    TT_JSON_LIST(tt_maas_machine, blockdevice, "blockdevice_set", 0, device_fields),
};
const tt_json_field tt_maas_machine_json = TT_JSON_ROOT_OBJ(tt_maas_machine, machine_fields);

tt_maas_list tt_maas_which(const tt_json_item *item)
{
    static const char *const names[] = { "interface_set", "links", "blockdevice_set",
                                         "partitions", "" };
    static const tt_maas_list lists[] = { TT_MAAS_LIST_INTERFACES, TT_MAAS_LIST_LINKS,
                                          TT_MAAS_LIST_BLOCKDEVICES, TT_MAAS_LIST_PARTITIONS,
                                          TT_MAAS_LIST_VMHOSTS };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(item->list->name, names[i]) == 0)
            return lists[i];
    return TT_MAAS_LIST_OTHER;
}

int tt_maas_init(tt_maas *m, const tt_port *port, const tt_maas_config *cfg, tt_error *err)
{
    tt_client_config cc;
    char base[TT_URL_MAX];
    size_t n;
    memset(m, 0, sizeof *m);
    if (cfg->url == NULL || cfg->url[0] == '\0' || cfg->api_key == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, "maas",
                            "MAAS needs its URL (.../MAAS) and an API key");
    n = strlen(cfg->url);
    while (n > 0 && cfg->url[n - 1] == '/')
        n--;
    if (tt_fmt(base, sizeof base, "%.*s/api/2.0", (int)n, cfg->url) >= sizeof base)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, "maas",
                            "MAAS URL with /api/2.0 longer than TT_URL_MAX (%d)", TT_URL_MAX);
    tt_client_config_default(&cc);
    if (tt_client_init(&m->client, port, &cc, err) != 0 ||
        tt_api_init(&m->api, &m->client, base, NULL, m->buf, sizeof m->buf, &m->doc, err) != 0 ||
        tt_api_set_token(&m->api, TT_API_AUTH_OAUTH_PLAINTEXT, cfg->api_key, err) != 0)
        return -1;
    m->api.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : TT_REQUEST_TIMEOUT_MS;
    m->api.long_timeout_ms = cfg->compose_timeout_ms > 0 ? cfg->compose_timeout_ms
                                                         : TT_MAAS_COMPOSE_TIMEOUT_MS;
    tt_retry_default(&m->api.retry);
    if (cfg->max_retries >= 0)
        m->api.retry.max_retries = cfg->max_retries;
    return 0;
}

void tt_maas_close(tt_maas *m)
{
    tt_client_close(&m->client);
}

/* One GET or POST whose answer binds while it streams. */
static int bind_call(tt_maas *m, const tt_api_req *r, const tt_json_field *root, void *out,
                     tt_json_item_fn fn, void *user, tt_error *err)
{
    tt_json_binder b;
    tt_json_binder_init(&b, root, out, fn, NULL, user);
    return tt_api_call_bind(&m->api, r, &b, NULL, err);
}

/* ---- VM hosts ---------------------------------------------------------------------- */

static int has_tag(const tt_maas_vmhost *h, const char *tag)
{
    size_t i;
    for (i = 0; i < h->ntags; i++)
        if (strcmp(h->tags[i], tag) == 0)
            return 1;
    return 0;
}

/* A zone or pool given as a name or as its id. */
static int named_is(const tt_maas_named *n, const char *want)
{
    char id[16];
    tt_fmt(id, sizeof id, "%d", (int)n->id);
    return strcmp(n->name, want) == 0 || strcmp(id, want) == 0;
}

int tt_maas_vmhost_matches(const tt_maas_filter *f, const tt_maas_vmhost *h)
{
    return f == NULL ||
           ((f->type == NULL || strcmp(f->type, h->type) == 0) &&
            (f->zone == NULL || named_is(&h->zone, f->zone)) &&
            (f->pool == NULL || named_is(&h->pool, f->pool)) &&
            (f->tag == NULL || has_tag(h, f->tag)));
}

typedef struct list_ctx {
    const tt_maas_filter *f;
    tt_maas_vmhost_fn fn;
    void *user;
} list_ctx;

static int on_host(void *user, const tt_json_item *it, tt_error *err)
{
    list_ctx *l = user;
    const tt_maas_vmhost *h = it->record;
    /* a host not read whole is reported whatever the filter says */
    if (it->error == NULL && !tt_maas_vmhost_matches(l->f, h))
        return 0;
    return l->fn(l->user, h, it->error, err);
}

int tt_maas_vmhosts(tt_maas *m, const tt_maas_filter *f, tt_maas_vmhost_fn fn, void *user,
                    tt_error *err)
{
    list_ctx l;
    tt_api_req r;
    l.f = f;
    l.fn = fn;
    l.user = user;
    memset(&r, 0, sizeof r);
    r.path = "/vm-hosts/";
    return bind_call(m, &r, &tt_maas_vmhosts_json, &m->host, on_host, &l, err);
}

int tt_maas_read_vmhost(tt_maas *m, int32_t id, tt_maas_vmhost *out, tt_error *err)
{
    char path[48];
    tt_api_req r;
    tt_fmt(path, sizeof path, "/vm-hosts/%d/", (int)id);
    memset(&r, 0, sizeof r);
    r.path = path;
    memset(out, 0, sizeof *out);
    return bind_call(m, &r, &vmhost_root, out, NULL, NULL, err);
}

/* ---- zone, pool and domain names ------------------------------------------------------ */

typedef struct lookup_ctx {
    const char *name;
    int32_t id;
    int found;
} lookup_ctx;

static int on_named(void *user, const tt_json_item *it, tt_error *err)
{
    lookup_ctx *l = user;
    const tt_maas_named *n = it->record;
    (void)err;
    if (it->error == NULL && strcmp(n->name, l->name) == 0) {
        l->id = n->id;
        l->found++;
    }
    return 0;
}

/* the collections a name can be looked up in */
static int lookup_kind(const char *kind)
{
    static const char *const kinds[] = { "zones", "resourcepools", "domains" };
    size_t i;
    for (i = 0; kind != NULL && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

int tt_maas_lookup(tt_maas *m, const char *kind, const char *name_or_id, int32_t *id,
                   tt_error *err)
{
    char path[32];
    lookup_ctx l;
    tt_api_req r;
    int64_t v;
    if (!lookup_kind(kind))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                            "lookup kind is zones, resourcepools or domains");
    if (name_or_id == NULL || name_or_id[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                            "no %s given", kind);
    /* an id is sent as it is: MAAS checks it */
    if (tt_json_text_int(name_or_id, strlen(name_or_id), 0, INT32_MAX, &v) == 0) {
        *id = (int32_t)v;
        return 0;
    }
    memset(&l, 0, sizeof l);
    l.name = name_or_id;
    tt_fmt(path, sizeof path, "/%s/", kind);
    memset(&r, 0, sizeof r);
    r.path = path;
    if (bind_call(m, &r, &named_root, &m->named, on_named, &l, err) != 0)
        return -1;
    if (l.found == 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                            "%s: no '%s' on the server", kind, name_or_id);
    /* MAAS keeps these names unique; two would make the pick a guess */
    if (l.found > 1)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_RANGE, m->api.label,
                            "%s: %d records named '%s'", kind, l.found, name_or_id);
    *id = l.id;
    return 0;
}

/* ---- compose -------------------------------------------------------------------------- */

/* "&name=value" (form-encoded) when value is set; -1 when it does not fit. */
static int form_str(tt_maas *m, size_t *len, const char *name, const char *value, tt_error *err)
{
    if (value == NULL || value[0] == '\0')
        return 0;
    if (*len + strlen(name) + 2 < sizeof m->req) {
        *len += tt_fmt(m->req + *len, sizeof m->req - *len, "%s%s=", *len ? "&" : "", name);
        if (tt_pct_encode(m->req, sizeof m->req, len, value, strlen(value), TT_PCT_FORM,
                          err) == 0)
            return 0;
    }
    return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, m->api.label,
                        "form parameters longer than TT_API_REQUEST_MAX (%d)",
                        TT_API_REQUEST_MAX);
}

/* The members of rec that are set, by its table, as parameters. */
static int form_members(tt_maas *m, size_t *len, const tt_json_field *f, size_t n,
                        const void *rec, tt_error *err)
{
    char num[24];
    const char *v;
    size_t i;
    for (i = 0; i < n; i++)
        if (tt_json_field_text(&f[i], rec, num, sizeof num, &v) == 0 &&
            form_str(m, len, f[i].name, v, err) != 0)
            return -1;
    return 0;
}

/* zone, pool or domain: a name is looked up, then sent as the id MAAS
 * wants (0 is an id: the default pool's). */
static int form_ref(tt_maas *m, size_t *len, const char *name, const char *kind,
                    const char *value, tt_error *err)
{
    char num[16];
    int32_t id;
    if (value == NULL || value[0] == '\0')
        return 0;
    if (tt_maas_lookup(m, kind, value, &id, err) != 0)
        return -1;
    tt_fmt(num, sizeof num, "%d", (int)id);
    return form_str(m, len, name, num, err);
}

/* pinned_cores "0,2,3": one parameter per core, as Django's multiple choice reads it. */
static int form_cores(tt_maas *m, size_t *len, const char *list, tt_error *err)
{
    char one[16];
    size_t n;
    while (list != NULL && *list != '\0') {
        n = strcspn(list, ",");
        if (n == 0 || n >= sizeof one)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                                "pinned cores are numbers separated by commas");
        memcpy(one, list, n);
        one[n] = '\0';
        if (form_str(m, len, "pinned_cores", one, err) != 0)
            return -1;
        list += n + (list[n] == ',');
    }
    return 0;
}

/* The compose form's plain parameters (zone, pool, domain and pinned
 * cores are looked up or split: below); MAAS's defaults for the unset. */
#define C_NUM(m) TT_JSON_INT(tt_maas_compose_req, m, #m, TT_JF_OMIT)
#define C_STR(m) TT_JSON_PSTR(tt_maas_compose_req, m, #m, TT_JF_OMIT)
#define C_FLAG(m) TT_JSON_BOOL(tt_maas_compose_req, m, #m, TT_JF_OMIT)
static const tt_json_field compose_form[] = {
    C_NUM(cores), C_NUM(memory), C_STR(storage), C_STR(interfaces), C_STR(hostname),
    C_STR(architecture), C_NUM(cpu_speed), C_FLAG(hugepages_backed), C_FLAG(skip_commissioning),
};

typedef struct composed {
    char system_id[64];
} composed;

static const tt_json_field composed_fields[] = {
    TT_JSON_STR(composed, system_id, "system_id", TT_JF_REQUIRED),
};
static const tt_json_field composed_root = TT_JSON_ROOT_OBJ(composed, composed_fields);

int tt_maas_compose(tt_maas *m, int32_t id, const tt_maas_compose_req *q, char *system_id,
                    size_t cap, tt_error *err)
{
    char path[64];
    composed c;
    size_t len = 0;
    tt_api_req r;
    if (q->cores <= 0 || q->memory <= 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                            "compose needs cores > 0 and memory > 0 (MiB)");
    m->req[0] = '\0';
    if (form_members(m, &len, compose_form, TT_JSON_NFIELDS(compose_form), q, err) != 0 ||
        form_cores(m, &len, q->pinned_cores, err) != 0 ||
        form_ref(m, &len, "zone", "zones", q->zone, err) != 0 ||
        form_ref(m, &len, "pool", "resourcepools", q->pool, err) != 0 ||
        form_ref(m, &len, "domain", "domains", q->domain, err) != 0)
        return -1;
    tt_fmt(path, sizeof path, "/vm-hosts/%d/", (int)id);
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = path;
    r.query = "op=compose";
    r.body = m->req;
    r.body_len = len;
    r.content_type = "application/x-www-form-urlencoded";
    r.long_op = 1;
    memset(&c, 0, sizeof c);
    if (bind_call(m, &r, &composed_root, &c, NULL, NULL, err) != 0)
        return -1;
    if (tt_fmt(system_id, cap, "%s", c.system_id) >= cap)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_STRING, m->api.label,
                            "system id %s longer than the caller's %zu bytes", c.system_id, cap);
    return 0;
}

/* ---- machines ------------------------------------------------------------------------ */

static int machine_path(tt_maas *m, char *path, size_t cap, const char *system_id,
                        tt_error *err)
{
    char seg[64];
    if (tt_api_segment(seg, sizeof seg, system_id) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label, "bad system id");
    tt_fmt(path, cap, "/machines/%s/", seg);
    return 0;
}

/* Counts interfaces, links, devices and partitions into their records,
 * and passes them on. Without a callback, the first one's problem is
 * kept for the end of the answer: never dropped. */
typedef struct machine_ctx {
    tt_maas_machine *out;
    tt_json_item_fn fn;
    void *user;
    tt_error first;
} machine_ctx;

static int on_part(void *user, const tt_json_item *it, tt_error *err)
{
    machine_ctx *x = user;
    switch (tt_maas_which(it)) {
    case TT_MAAS_LIST_INTERFACES: x->out->ninterfaces++; break;
    case TT_MAAS_LIST_BLOCKDEVICES: x->out->nblockdevices++; break;
    case TT_MAAS_LIST_LINKS: ((tt_maas_iface *)it->parent->record)->nlinks++; break;
    case TT_MAAS_LIST_PARTITIONS: ((tt_maas_blockdevice *)it->parent->record)->npartitions++; break;
    default: break;
    }
    if (x->fn != NULL)
        return x->fn(x->user, it, err);
    if (it->error != NULL && x->first.cls == TT_ERR_NONE)
        x->first = *it->error;
    return 0;
}

static int machine_call(tt_maas *m, const tt_api_req *r, tt_maas_machine *out,
                        tt_json_item_fn fn, void *user, tt_error *err)
{
    machine_ctx x;
    memset(out, 0, sizeof *out);
    memset(&x, 0, sizeof x);
    x.out = out;
    x.fn = fn;
    x.user = user;
    if (bind_call(m, r, &tt_maas_machine_json, out, on_part, &x, err) != 0)
        return -1;
    if (x.first.cls != TT_ERR_NONE)
        return tt_error_set(err, x.first.cls, x.first.code, m->api.label, "%s", x.first.msg);
    return 0;
}

int tt_maas_read_machine(tt_maas *m, const char *system_id, tt_maas_machine *out,
                         tt_json_item_fn on_item, void *user, tt_error *err)
{
    char path[96];
    tt_api_req r;
    if (machine_path(m, path, sizeof path, system_id, err) != 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.path = path;
    return machine_call(m, &r, out, on_item, user, err);
}

/* The deploy form: the request's strings, the user data in base64. */
typedef struct deploy_form {
    const char *user_data, *distro_series, *hwe_kernel;
} deploy_form;

#define D_STR(m) TT_JSON_PSTR(deploy_form, m, #m, TT_JF_OMIT)
static const tt_json_field deploy_fields[] = {
    D_STR(user_data), D_STR(distro_series), D_STR(hwe_kernel),
};

int tt_maas_deploy(tt_maas *m, const char *system_id, const tt_maas_deploy_req *q,
                   tt_maas_machine *out, tt_json_item_fn on_item, void *user, tt_error *err)
{
    char path[96], ud[TT_API_REQUEST_MAX];
    deploy_form f;
    size_t len = 0;
    tt_api_req r;
    if (machine_path(m, path, sizeof path, system_id, err) != 0)
        return -1;
    if (q->user_data != NULL && q->user_data_len > 0 &&
        tt_base64_encode(q->user_data, q->user_data_len, ud, sizeof ud) != 0)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, m->api.label,
                            "user data of %zu bytes: more than fits TT_API_REQUEST_MAX (%d) "
                            "in base64", q->user_data_len, TT_API_REQUEST_MAX);
    f.user_data = q->user_data != NULL && q->user_data_len > 0 ? ud : NULL;
    f.distro_series = q->distro_series;
    f.hwe_kernel = q->hwe_kernel;
    m->req[0] = '\0';
    if (form_members(m, &len, deploy_fields, TT_JSON_NFIELDS(deploy_fields), &f, err) != 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = path;
    r.query = "op=deploy";
    r.body = m->req;
    r.body_len = len;
    r.content_type = "application/x-www-form-urlencoded";
    return machine_call(m, &r, out, on_item, user, err);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
