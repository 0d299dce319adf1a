/*
 * MAAS client: VM hosts (listing filtered here), compose, machines.
 */
#include "maas.h"

#include <stddef.h>
#include <string.h>

#define NF(t) (sizeof(t) / sizeof((t)[0]))

static const tt_json_field named_fields[] = {
    { "name", TT_JF_STRING, 0, 64, 0, NULL, 0, 0, 0 },
};

static const tt_json_field res_fields[] = {
    { "cores", TT_JF_I32, offsetof(tt_maas_resources, cores), 0, 0, NULL, 0, 0, 0 },
    { "memory", TT_JF_I64, offsetof(tt_maas_resources, memory), 0, 0, NULL, 0, 0, 0 },
    { "local_storage", TT_JF_I64, offsetof(tt_maas_resources, local_storage), 0, 0, NULL, 0, 0, 0 },
};

static const tt_json_field tag_elem = { "", TT_JF_STRING, 0, 0, 0, NULL, 0, 0, 0 };

static const tt_json_field vmhost_fields[] = {
    { "id", TT_JF_I32, offsetof(tt_maas_vmhost, id), 0, TT_JF_REQUIRED, NULL, 0, 0, 0 },
    { "name", TT_JF_STRING, offsetof(tt_maas_vmhost, name), 64, 0, NULL, 0, 0, 0 },
    { "type", TT_JF_STRING, offsetof(tt_maas_vmhost, type), 16, 0, NULL, 0, 0, 0 },
    { "zone", TT_JF_OBJECT, offsetof(tt_maas_vmhost, zone), 0, 0, named_fields, 1, 0, 0 },
    { "pool", TT_JF_OBJECT, offsetof(tt_maas_vmhost, pool), 0, 0, named_fields, 1, 0, 0 },
    { "tags", TT_JF_ARRAY, offsetof(tt_maas_vmhost, tags), 32, 0, &tag_elem, 1,
      TT_MAAS_TAGS_MAX, offsetof(tt_maas_vmhost, ntags) },
    { "total", TT_JF_OBJECT, offsetof(tt_maas_vmhost, total), 0, 0, res_fields, 3, 0, 0 },
    { "used", TT_JF_OBJECT, offsetof(tt_maas_vmhost, used), 0, 0, res_fields, 3, 0, 0 },
    { "available", TT_JF_OBJECT, offsetof(tt_maas_vmhost, available), 0, 0, res_fields, 3, 0, 0 },
};

static const tt_json_field subnet_fields[] = {
    { "gateway_ip", TT_JF_STRING, 0, 48, 0, NULL, 0, 0, 0 },
    { "cidr", TT_JF_STRING, 48, 48, 0, NULL, 0, 0, 0 },
};

static const tt_json_field link_fields[] = {
    { "ip_address", TT_JF_STRING, offsetof(tt_maas_link, ip_address), 48, 0, NULL, 0, 0, 0 },
    { "subnet", TT_JF_OBJECT, offsetof(tt_maas_link, subnet), 0, 0, subnet_fields, 2, 0, 0 },
};
static const tt_json_field link_elem = { "", TT_JF_OBJECT, 0, 0, 0, link_fields, 2, 0, 0 };

static const tt_json_field iface_fields[] = {
    { "name", TT_JF_STRING, offsetof(tt_maas_iface, name), 32, 0, NULL, 0, 0, 0 },
    { "mac_address", TT_JF_STRING, offsetof(tt_maas_iface, mac_address), 24, 0, NULL, 0, 0, 0 },
    { "links", TT_JF_ARRAY, offsetof(tt_maas_iface, links), sizeof(tt_maas_link), 0, &link_elem,
      1, TT_MAAS_LINKS_MAX, offsetof(tt_maas_iface, nlinks) },
};
static const tt_json_field iface_elem = { "", TT_JF_OBJECT, 0, 0, 0, iface_fields, 3, 0, 0 };

static const tt_json_field machine_fields[] = {
    { "system_id", TT_JF_STRING, offsetof(tt_maas_machine, system_id), 16, TT_JF_REQUIRED, NULL, 0, 0, 0 },
    { "hostname", TT_JF_STRING, offsetof(tt_maas_machine, hostname), 64, 0, NULL, 0, 0, 0 },
    { "status_name", TT_JF_STRING, offsetof(tt_maas_machine, status_name), 32, 0, NULL, 0, 0, 0 },
    { "zone", TT_JF_OBJECT, offsetof(tt_maas_machine, zone), 0, 0, named_fields, 1, 0, 0 },
    { "interface_set", TT_JF_ARRAY, offsetof(tt_maas_machine, interfaces), sizeof(tt_maas_iface),
      0, &iface_elem, 1, TT_MAAS_IFACES_MAX, offsetof(tt_maas_machine, ninterfaces) },
};

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
    return 0;
}

void tt_maas_close(tt_maas *m)
{
    tt_client_close(&m->client);
}

/* ---- VM hosts ---------------------------------------------------------------------- */

typedef struct list_ctx {
    const tt_maas_filter *f;
    tt_maas_vmhost_fn fn;
    void *user;
} list_ctx;

static int has_tag(const tt_maas_vmhost *h, const char *tag)
{
    size_t i;
    for (i = 0; i < h->ntags; i++)
        if (strcmp(h->tags[i], tag) == 0)
            return 1;
    return 0;
}

static int matches(const tt_maas_filter *f, const tt_maas_vmhost *h)
{
    return f == NULL ||
           ((f->type == NULL || strcmp(f->type, h->type) == 0) &&
            (f->zone == NULL || strcmp(f->zone, h->zone.name) == 0) &&
            (f->pool == NULL || strcmp(f->pool, h->pool.name) == 0) &&
            (f->tag == NULL || has_tag(h, f->tag)));
}

static int on_host(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    list_ctx *l = user;
    tt_maas_vmhost h;
    (void)index;
    memset(&h, 0, sizeof h);
    if (tt_json_bind(elem, 0, vmhost_fields, NF(vmhost_fields), &h, err) != 0)
        return -1;
    return matches(l->f, &h) ? l->fn(l->user, &h, err) : 0;
}

int tt_maas_vmhosts(tt_maas *m, const tt_maas_filter *f, tt_maas_vmhost_fn fn, void *user,
                    tt_error *err)
{
    list_ctx l;
    l.f = f;
    l.fn = fn;
    l.user = user;
    return tt_api_stream_array(&m->api, "/vm-hosts/", "", &m->elem_doc, m->elem, sizeof m->elem,
                               on_host, &l, NULL, err);
}

int tt_maas_read_vmhost(tt_maas *m, int32_t id, tt_maas_vmhost *out, tt_error *err)
{
    char path[48];
    tt_api_req r;
    tt_api_resp res;
    tt_fmt(path, sizeof path, "/vm-hosts/%d/", (int)id);
    memset(&r, 0, sizeof r);
    r.path = path;
    r.raw = 1;
    if (tt_api_call(&m->api, &r, &res, err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    return tt_json_bind(&m->doc, res.data, vmhost_fields, NF(vmhost_fields), out, err);
}

/* ---- compose ------------------------------------------------------------------------- */

/* "&name=value" (form-encoded) when value is set; -1 when it does not fit. */
static int form_add(char *buf, size_t cap, size_t *len, const char *name, const char *value,
                    tt_error *err)
{
    if (value == NULL || value[0] == '\0')
        return 0;
    if (*len + strlen(name) + 2 >= cap)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, "maas",
                            "compose parameters longer than TT_API_REQUEST_MAX");
    *len += tt_fmt(buf + *len, cap - *len, "%s%s=", *len ? "&" : "", name);
    return tt_pct_encode(buf, cap, len, value, strlen(value), TT_PCT_FORM, err);
}

int tt_maas_compose(tt_maas *m, int32_t id, const tt_maas_compose_req *q, char *system_id,
                    size_t cap, tt_error *err)
{
    char num[2][24], path[64], ud[TT_API_REQUEST_MAX / 2];
    size_t len = 0;
    tt_api_req r;
    tt_api_resp res;
    if (q->cores <= 0 || q->memory <= 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label,
                            "compose needs cores > 0 and memory > 0 (MiB)");
    if (q->user_data != NULL && strlen(q->user_data) * 4 / 3 + 8 > sizeof ud)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, m->api.label,
                            "user_data larger than %zu bytes", sizeof ud * 3 / 4 - 8);
    tt_fmt(num[0], sizeof num[0], "%d", (int)q->cores);
    tt_fmt(num[1], sizeof num[1], "%lld", (long long)q->memory);
    ud[0] = '\0';
    if (q->user_data != NULL)
        tt_base64_encode(q->user_data, strlen(q->user_data), ud, sizeof ud);
    m->req[0] = '\0';
    if (form_add(m->req, sizeof m->req, &len, "cores", num[0], err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "memory", num[1], err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "storage", q->storage, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "hostname", q->hostname, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "zone", q->zone, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "pool", q->pool, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "interfaces", q->interfaces, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "profile", q->profile, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "project", q->project, err) != 0 ||
        form_add(m->req, sizeof m->req, &len, "user_data", ud, err) != 0)
        return -1;
    tt_fmt(path, sizeof path, "/vm-hosts/%d/", (int)id);
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = path;
    r.query = "op=compose";
    r.body = m->req;
    r.body_len = len;
    r.content_type = "application/x-www-form-urlencoded";
    r.raw = 1;
    r.long_op = 1;
    if (tt_api_call(&m->api, &r, &res, err) != 0)
        return -1;
    return tt_json_get_string(&m->doc, tt_json_member(&m->doc, res.data, "system_id", 9),
                              system_id, cap, NULL, "system_id", err);
}

int tt_maas_read_machine(tt_maas *m, const char *system_id, tt_maas_machine *out, tt_error *err)
{
    char seg[64], path[96];
    tt_api_req r;
    tt_api_resp res;
    if (system_id == NULL || system_id[0] == '\0' || tt_api_segment(seg, sizeof seg, system_id) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, m->api.label, "bad system id");
    tt_fmt(path, sizeof path, "/machines/%s/", seg);
    memset(&r, 0, sizeof r);
    r.path = path;
    r.raw = 1;
    if (tt_api_call(&m->api, &r, &res, err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    return tt_json_bind(&m->doc, res.data, machine_fields, NF(machine_fields), out, err);
}
