/*
 * poolmgr client: two endpoints over tt_api.
 */
#include "tether/config.h"
#if TT_FEATURE_POOLMGR

#include "tether/poolmgr.h"

#include <stddef.h>
#include <string.h>

static const tt_json_field health_fields[] = {
    TT_JSON_STR(tt_pool_health, status, "status", TT_JF_REQUIRED),
    TT_JSON_STR(tt_pool_health, version, "version", TT_JF_OMIT),
};
const tt_json_field tt_pool_health_json = TT_JSON_ROOT_OBJ(tt_pool_health, health_fields);

static const tt_json_field status_fields[] = {
    TT_JSON_STR(tt_pool_status, pool_id, "pool_id", TT_JF_REQUIRED),
    TT_JSON_BOOL(tt_pool_status, live, "live", TT_JF_REQUIRED),
    TT_JSON_BOOL(tt_pool_status, ready, "ready", TT_JF_REQUIRED),
    TT_JSON_INT(tt_pool_status, active_leases, "active_leases", 0),
    TT_JSON_STR(tt_pool_status, engine_version, "engine_version", TT_JF_NULL),
    /* -1 when not sent (older daemons): left out when printed */
    TT_JSON_INT(tt_pool_status, slots_total, "slots_total", TT_JF_OMIT | TT_JF_ZERO_SET),
    TT_JSON_INT(tt_pool_status, slots_free, "slots_free", TT_JF_OMIT | TT_JF_ZERO_SET),
};
const tt_json_field tt_pool_status_json = TT_JSON_ROOT_OBJ(tt_pool_status, status_fields);

int tt_pool_init(tt_pool *p, const tt_port *port, const tt_pool_config *cfg, tt_error *err)
{
    tt_client_config cc;
    memset(p, 0, sizeof *p);
    tt_client_config_default(&cc);
    if (tt_client_init(&p->client, port, &cc, err) != 0)
        return -1;
    if (tt_api_init(&p->api, &p->client, cfg->url != NULL ? cfg->url : "http://127.0.0.1:9200",
                    NULL, p->buf, sizeof p->buf, &p->doc, err) != 0)
        return -1;
    p->api.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 5000;
    p->client.cfg.connect_timeout_ms = p->api.timeout_ms;
    if (cfg->token != NULL && cfg->token[0] != '\0' &&
        tt_api_set_token(&p->api, TT_API_AUTH_BEARER, cfg->token, err) != 0)
        return -1;
    return 0;
}

void tt_pool_close(tt_pool *p)
{
    tt_client_close(&p->client);
}

static int get_bound(tt_pool *p, const char *path, const tt_json_field *root, void *out,
                     tt_error *err)
{
    tt_api_req r;
    tt_api_resp res;
    memset(&r, 0, sizeof r);
    r.path = path;
    if (tt_api_call(&p->api, &r, &res, err) != 0)
        return -1;
    if (res.data < 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, p->api.label,
                            "%s: empty answer", path);
    return tt_json_bind(&p->doc, res.data, root->sub, root->nsub, out, err);
}

int tt_pool_get_health(tt_pool *p, tt_pool_health *out, tt_error *err)
{
    memset(out, 0, sizeof *out);
    return get_bound(p, "/health", &tt_pool_health_json, out, err);
}

int tt_pool_get_status(tt_pool *p, const char *pool_id, tt_pool_status *out, tt_error *err)
{
    char seg[192], path[224];
    if (tt_api_segment(seg, sizeof seg, pool_id) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label, "bad pool id");
    tt_fmt(path, sizeof path, "/pools/%s/status", seg);
    memset(out, 0, sizeof *out);
    out->slots_total = -1;
    out->slots_free = -1;
    return get_bound(p, path, &tt_pool_status_json, out, err);
}

int tt_pool_is_available(tt_pool *p, tt_error *err)
{
    tt_pool_health h;
    if (tt_pool_get_health(p, &h, err) != 0)
        return 0;
    if (strcmp(h.status, "ok") != 0) {
        /* the daemon answered, and its answer is "not now": an API error,
         * not a fault of the protocol */
        tt_error_clear(err);
        tt_error_set(err, TT_ERR_API, TT_E_API, p->api.label, "daemon health is \"%s\"",
                     h.status);
        if (err != NULL) {
            err->http_status = 200;
            tt_fmt(err->api_code, sizeof err->api_code, "%s", h.status);
        }
        return 0;
    }
    return 1;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
