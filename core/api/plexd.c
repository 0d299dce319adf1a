/*
 * plexd client: the endpoint table over tt_api.
 */
#include "tether/config.h"
#if TT_FEATURE_PLEXD

#include "tether/plexd.h"

#include <stddef.h>
#include <string.h>

static const tt_json_field peer_fields[] = {
    TT_JSON_STR(tt_plexd_peer, id, "id", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_peer, public_key, "public_key", 0),
    TT_JSON_STR(tt_plexd_peer, mesh_ip, "mesh_ip", 0),
    TT_JSON_STR(tt_plexd_peer, endpoint, "endpoint", 0),
    TT_JSON_ARR_STR(tt_plexd_peer, allowed_ips, "allowed_ips", 0, nallowed_ips),
    TT_JSON_STR(tt_plexd_peer, psk, "psk", 0),
};

static const tt_json_field reg_fields[] = {
    TT_JSON_STR(tt_plexd_registration, node_id, "node_id", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_registration, mesh_ip, "mesh_ip", 0),
    TT_JSON_STR(tt_plexd_registration, signing_public_key, "signing_public_key", 0),
    TT_JSON_STR(tt_plexd_registration, node_secret_key, "node_secret_key", 0),
    TT_JSON_LIST(tt_plexd_registration, peer, "peers", 0, peer_fields),
};
const tt_json_field tt_plexd_registration_json = TT_JSON_ROOT_OBJ(tt_plexd_registration, reg_fields);

static const tt_json_field hb_fields[] = {
    TT_JSON_BOOL(tt_plexd_heartbeat_resp, reconcile, "reconcile", 0),
    TT_JSON_BOOL(tt_plexd_heartbeat_resp, rotate_keys, "rotate_keys", 0),
};

static const tt_json_field keys_fields[] = {
    TT_JSON_STR(tt_plexd_signing_keys, current, "current", 0),
    TT_JSON_STR(tt_plexd_signing_keys, previous, "previous", 0),
    TT_JSON_STR(tt_plexd_signing_keys, transition_expires, "transition_expires", 0),
};

static const tt_json_field rule_fields[] = {
    TT_JSON_STR(tt_plexd_rule, src, "src", 0),
    TT_JSON_STR(tt_plexd_rule, dst, "dst", 0),
    TT_JSON_INT(tt_plexd_rule, port, "port", 0),
    TT_JSON_STR(tt_plexd_rule, protocol, "protocol", 0),
    TT_JSON_STR(tt_plexd_rule, action, "action", 0),
};

static const tt_json_field policy_fields[] = {
    TT_JSON_STR(tt_plexd_policy, id, "id", 0),
    TT_JSON_LIST(tt_plexd_policy, rule, "rules", 0, rule_fields),
};

static const tt_json_field data_fields[] = {
    TT_JSON_STR(tt_plexd_data, key, "key", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_data, content_type, "content_type", 0),
    TT_JSON_JSON(tt_plexd_data, payload, "payload", 0),
    TT_JSON_INT(tt_plexd_data, version, "version", 0),
    TT_JSON_STR(tt_plexd_data, updated_at, "updated_at", 0),
};

static const tt_json_field ref_fields[] = {
    TT_JSON_STR(tt_plexd_secret_ref, key, "key", TT_JF_REQUIRED),
    TT_JSON_INT(tt_plexd_secret_ref, version, "version", 0),
};

static const tt_json_field state_fields[] = {
    TT_JSON_LIST(tt_plexd_state, peer, "peers", 0, peer_fields),
    TT_JSON_LIST(tt_plexd_state, policy, "policies", 0, policy_fields),
    TT_JSON_OBJ(tt_plexd_state, signing_keys, "signing_keys", 0, keys_fields),
    TT_JSON_JSON(tt_plexd_state, metadata, "metadata", 0),
    TT_JSON_LIST(tt_plexd_state, data, "data", 0, data_fields),
    TT_JSON_LIST(tt_plexd_state, secret_ref, "secret_refs", 0, ref_fields),
};
const tt_json_field tt_plexd_state_json = TT_JSON_ROOT_OBJ(tt_plexd_state, state_fields);

static const tt_json_field rotation_fields[] = {
    TT_JSON_LIST(tt_plexd_rotation, peer, "updated_peers", 0, peer_fields),
};
const tt_json_field tt_plexd_rotation_json = TT_JSON_ROOT_OBJ(tt_plexd_rotation, rotation_fields);

static const tt_json_field secret_fields[] = {
    TT_JSON_STR(tt_plexd_secret, key, "key", TT_JF_REQUIRED),
    TT_JSON_STR(tt_plexd_secret, ciphertext, "ciphertext", 0),
    TT_JSON_STR(tt_plexd_secret, nonce, "nonce", 0),
    TT_JSON_INT(tt_plexd_secret, version, "version", 0),
};
const tt_json_field tt_plexd_secret_json = TT_JSON_ROOT_OBJ(tt_plexd_secret, secret_fields);

/* The request bodies: one record, each call's table naming the members it
 * sends, named as plexd's agent names them. JSON members are the caller's
 * text, checked before (check_caller_json). */
typedef struct plexd_body {
    const char *token, *node_id, *public_key, *hostname, *metadata, *capabilities;
    const char *timestamp, *status, *uptime, *binary_checksum, *new_public_key;
    const char *public_endpoint, *nat_type, *corrections;
    const char *execution_id, *reason, *out, *err, *duration, *finished_at;
    int32_t exit_code;
} plexd_body;

#define B_STR(m, fl) TT_JSON_PSTR(plexd_body, m, #m, fl)
static const tt_json_field register_body[] = {
    B_STR(token, 0), B_STR(public_key, 0), B_STR(hostname, 0),
    TT_JSON_PJSON(plexd_body, metadata, "metadata", TT_JF_OMIT),
    TT_JSON_PJSON(plexd_body, capabilities, "capabilities", TT_JF_OMIT),
};
static const tt_json_field heartbeat_body[] = {
    B_STR(node_id, 0), B_STR(timestamp, 0), B_STR(status, TT_JF_OMIT),
    B_STR(uptime, TT_JF_OMIT), B_STR(binary_checksum, TT_JF_OMIT),
};
static const tt_json_field rotate_body[] = { B_STR(node_id, 0), B_STR(new_public_key, 0) };
static const tt_json_field endpoint_body[] = {
    B_STR(public_endpoint, 0), B_STR(nat_type, TT_JF_OMIT),
};
static const tt_json_field drift_body[] = {
    B_STR(timestamp, 0), TT_JSON_PJSON(plexd_body, corrections, "corrections", 0),
};
static const tt_json_field ack_body[] = {
    B_STR(execution_id, 0), B_STR(status, TT_JF_NULL), B_STR(reason, TT_JF_OMIT),
};
static const tt_json_field result_body[] = {
    B_STR(execution_id, 0), B_STR(status, TT_JF_NULL),
    TT_JSON_INT(plexd_body, exit_code, "exit_code", 0),
    TT_JSON_PSTR(plexd_body, out, "stdout", 0), TT_JSON_PSTR(plexd_body, err, "stderr", 0),
    B_STR(duration, TT_JF_OMIT), B_STR(finished_at, 0),
};

tt_plexd_list tt_plexd_which(const tt_json_item *item)
{
    static const char *const names[] = { "peers", "policies", "rules", "data", "secret_refs",
                                         "updated_peers" };
    static const tt_plexd_list lists[] = { TT_PLEXD_LIST_PEERS, TT_PLEXD_LIST_POLICIES,
                                           TT_PLEXD_LIST_RULES, TT_PLEXD_LIST_DATA,
                                           TT_PLEXD_LIST_SECRET_REFS, TT_PLEXD_LIST_PEERS };
    size_t i;
    for (i = 0; i < TT_JSON_NFIELDS(names); i++)
        if (strcmp(item->list->name, names[i]) == 0)
            return lists[i];
    return TT_PLEXD_LIST_OTHER;
}

/* ---- setup ------------------------------------------------------------------------- */

int tt_plexd_config_validate(const tt_plexd_config *cfg, tt_error *err)
{
    tt_url u;
    if (cfg->base_url == NULL || cfg->base_url[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "plexd: BaseURL is required");
    if (tt_url_parse(&u, cfg->base_url, strlen(cfg->base_url), err) != 0)
        return -1;
    if (cfg->connect_timeout_ms < 0 || cfg->request_timeout_ms < 0 || cfg->sse_idle_timeout_ms < 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "plexd: timeouts must not be negative");
    if (cfg->user_agent != NULL && strlen(cfg->user_agent) >= TT_PLEXD_USER_AGENT_MAX)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "plexd: user agent longer than %d bytes",
                            TT_PLEXD_USER_AGENT_MAX - 1);
#if TT_FEATURE_TLS
    if (u.tls && cfg->tls == NULL && !cfg->insecure_skip_verify)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "plexd: https needs trust anchors or TLSInsecureSkipVerify");
#endif
    return 0;
}

int tt_plexd_init(tt_plexd *p, const tt_port *port, const tt_plexd_config *cfg, tt_error *err)
{
    tt_client_config cc;
    memset(p, 0, sizeof *p);
    if (tt_plexd_config_validate(cfg, err) != 0)
        return -1;
    p->cfg = *cfg;
    tt_fmt(p->user_agent, sizeof p->user_agent, "%s",
           cfg->user_agent != NULL ? cfg->user_agent : "plexd/" TT_VERSION);
    tt_client_config_default(&cc);
    cc.user_agent = p->user_agent;
    cc.connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 10000;
#if TT_FEATURE_TLS
    if (cfg->tls != NULL)
        p->tls = *cfg->tls;
    else
        tt_tls_config_init(&p->tls);
    if (cfg->insecure_skip_verify)
        p->tls.insecure = 1;
    cc.tls = cfg->tls != NULL || cfg->insecure_skip_verify ? &p->tls : NULL;
#endif
    if (tt_client_init(&p->client, port, &cc, err) != 0 ||
        tt_api_init(&p->api, &p->client, cfg->base_url, NULL, p->buf, sizeof p->buf, &p->doc,
                    err) != 0)
        return -1;
    p->api.timeout_ms = cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : 30000;
#if TT_FEATURE_GZIP
    /* bodies over 1 KiB go compressed; answers may come compressed */
    p->api.gz = &p->gz;
#if TT_FEATURE_GZIP_REQUEST
    p->api.gzip_threshold = 1024;
    p->api.zbuf = p->zbuf;
    p->api.zcap = sizeof p->zbuf;
#endif
#endif
    if (cfg->token != NULL && tt_plexd_set_token(p, cfg->token, err) != 0)
        return -1;
    return 0;
}

void tt_plexd_close(tt_plexd *p)
{
    tt_client_close(&p->client);
}

int tt_plexd_set_token(tt_plexd *p, const char *token, tt_error *err)
{
    return tt_api_set_token(&p->api, TT_API_AUTH_BEARER, token, err);
}

int tt_plexd_set_node_id(tt_plexd *p, const char *node_id, tt_error *err)
{
    /* a bad id clears the old one (tt_api_segment leaves ""): a caller
     * that missed the error then acts as no node rather than the last */
    if (tt_api_segment(p->node_id, sizeof p->node_id, node_id) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label, "bad node id");
    return 0;
}

tt_plexd_error_kind tt_plexd_error_kind_of(const tt_error *e)
{
    int s = (e->cls == TT_ERR_HTTP || e->cls == TT_ERR_API) ? e->http_status : 0;
    switch (s) {
    case 0: return e->cls == TT_ERR_NONE ? TT_PLEXD_OK : TT_PLEXD_OTHER;
    case 400: return TT_PLEXD_BAD_REQUEST;
    case 401: return TT_PLEXD_UNAUTHORIZED;
    case 403: return TT_PLEXD_FORBIDDEN;
    case 404: return TT_PLEXD_NOT_FOUND;
    case 409: return TT_PLEXD_CONFLICT;
    case 413: return TT_PLEXD_TOO_LARGE;
    case 429: return TT_PLEXD_RATE_LIMITED;
    default: return s >= 500 ? TT_PLEXD_SERVER : TT_PLEXD_OTHER;
    }
}

/* ---- calls ----------------------------------------------------------------------------- */

/* One call; path is formatted with the node id first when it has "%s". */
static int call(tt_plexd *p, const char *method, const char *path, const char *body,
                size_t len, tt_api_resp *res, tt_error *err)
{
    tt_api_req r;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = path;
    r.body = body;
    r.body_len = len;
    r.raw = 1;
    return tt_api_call(&p->api, &r, res, err);
}

static int node_path(tt_plexd *p, char *path, size_t cap, const char *tail, tt_error *err)
{
    if (p->node_id[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "plexd: no node id (register first)");
    /* an encoded execution id after a long node id can outgrow path: a cut
     * path would name another resource */
    if (tt_fmt(path, cap, "/v1/nodes/%s%s", p->node_id, tail) >= cap)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, p->api.label,
                            "plexd: node path longer than %zu bytes", cap - 1);
    return 0;
}

/* The body b by its table f[nf] into p->req: its length, or 0 with err. */
static size_t write_body(tt_plexd *p, const tt_json_field *f, size_t nf, const plexd_body *b,
                         tt_error *err)
{
    tt_json_writer w;
    size_t n;
    tt_jw_init(&w, p->req, sizeof p->req);
    tt_jw_object(&w);
    tt_jw_members(&w, f, nf, b);
    tt_jw_end(&w);
    return tt_jw_finish(&w, &n, err) == 0 ? n : 0;
}

/* Send the body b (by its table) to path, the answer unread. */
static int send_body(tt_plexd *p, const char *method, const char *path, const tt_json_field *f,
                     size_t nf, const plexd_body *b, tt_error *err)
{
    size_t n = write_body(p, f, nf, b, err);
    return n == 0 ? -1 : call(p, method, path, p->req, n, NULL, err);
}

/* The node's path for one execution: .../executions/ID/what. */
static int exec_path(tt_plexd *p, char *path, size_t cap, const char *id, const char *what,
                     tt_error *err)
{
    char seg[3 * 64], tail[32 + 3 * 64];
    if (tt_api_segment(seg, sizeof seg, id) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label, "bad execution id");
    tt_fmt(tail, sizeof tail, "/executions/%s/%s", seg, what);
    return node_path(p, path, cap, tail, err);
}

/* A caller's JSON document, checked before it goes into a request: the
 * writer copies raw text as it is, and the server would get what it cannot
 * parse. Its faults are the caller's (usage), not the server's (protocol);
 * NULL is one of them, not a crash. stream: a sequence of values (batches). */
static int check_caller_json(tt_plexd *p, const char *json, int stream, tt_error *err)
{
    int rc;
    if (json == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "no JSON document to send");
    rc = stream ? tt_json_validate_stream(json, strlen(json), err)
                : tt_json_validate(json, strlen(json), err);
    if (rc != 0 && err != NULL)
        err->cls = TT_ERR_USAGE;
    return rc;
}

/* An optional caller's document (NULL: left out), checked. */
static int check_optional_json(tt_plexd *p, const char *json, tt_error *err)
{
    return json == NULL ? 0 : check_caller_json(p, json, 0, err);
}

static int bind_data(tt_plexd *p, const tt_api_resp *res, const tt_json_field *f, size_t nf,
                     void *out, tt_error *err)
{
    if (res->data < 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, p->api.label,
                            "empty answer");
    return tt_json_bind(&p->doc, res->data, f, nf, out, err);
}

static void now_rfc3339(tt_plexd *p, char *out, size_t cap)
{
    tt_rfc3339_format(tt_api_now_s(&p->api), out, cap);
}

/* Counts the elements of each list into its record while passing them on
 * to the caller's callback. Without one, the first element's error is kept
 * and returned once the answer is read: never dropped. */
typedef struct sink {
    size_t *peers, *policies, *data, *refs;
    tt_json_item_fn fn;
    void *user;
    tt_error first;
} sink;

static int count_item(void *user, const tt_json_item *it, tt_error *err)
{
    sink *k = user;
    size_t *n = NULL;
    switch (tt_plexd_which(it)) {
    case TT_PLEXD_LIST_PEERS: n = k->peers; break;
    case TT_PLEXD_LIST_POLICIES: n = k->policies; break;
    case TT_PLEXD_LIST_DATA: n = k->data; break;
    case TT_PLEXD_LIST_SECRET_REFS: n = k->refs; break;
    case TT_PLEXD_LIST_RULES: n = &((tt_plexd_policy *)it->parent->record)->nrules; break;
    default: break;
    }
    if (n != NULL)
        (*n)++;
    if (k->fn != NULL)
        return k->fn(k->user, it, err);
    if (it->error != NULL && k->first.cls == TT_ERR_NONE)
        k->first = *it->error;
    return 0;
}

static void sink_init(sink *k, tt_json_item_fn fn, void *user)
{
    memset(k, 0, sizeof *k);
    k->fn = fn;
    k->user = user;
}

/* One call whose answer binds while it streams (root table, record out). */
static int bind_call(tt_plexd *p, const char *method, const char *path, const char *body,
                     size_t len, const tt_json_field *root, void *out, sink *k, tt_error *err)
{
    tt_json_binder b;
    tt_api_req r;
    memset(&r, 0, sizeof r);
    r.method = method;
    r.path = path;
    r.body = body;
    r.body_len = len;
    tt_json_binder_init(&b, root, out, k != NULL ? count_item : NULL, NULL, k);
    if (tt_api_call_bind(&p->api, &r, &b, NULL, err) != 0)
        return -1;
    if (k != NULL && k->first.cls != TT_ERR_NONE) {
        *err = k->first;
        return tt_error_set(err, k->first.cls, k->first.code, p->api.label, "%s", k->first.msg);
    }
    return 0;
}

int tt_plexd_register(tt_plexd *p, const tt_plexd_register_req *q, tt_plexd_registration *out,
                      tt_json_item_fn on_item, void *user, tt_error *err)
{
    char token[TT_API_TOKEN_MAX];
    plexd_body b;
    sink k;
    size_t n;
    int rc;
    if (q->public_key == NULL || q->hostname == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "register needs a public key and a hostname");
    if (check_optional_json(p, q->metadata_json, err) != 0 ||
        check_optional_json(p, q->capabilities_json, err) != 0)
        return -1;
    memset(&b, 0, sizeof b);
    tt_api_token_copy(&p->api, token, sizeof token);
    b.token = token;
    b.public_key = q->public_key;
    b.hostname = q->hostname;
    b.metadata = q->metadata_json;
    b.capabilities = q->capabilities_json;
    if ((n = write_body(p, register_body, TT_JSON_NFIELDS(register_body), &b, err)) == 0)
        return -1;
    memset(out, 0, sizeof *out);
    sink_init(&k, on_item, user);
    k.peers = &out->npeers;
    rc = bind_call(p, "POST", "/v1/register", p->req, n, &tt_plexd_registration_json, out, &k,
                   err);
    /* the server has created the node: whatever else went wrong, a whole
     * node id and secret are its identity from now on */
    if (out->node_id[0] != '\0' && out->node_secret_key[0] != '\0') {
        tt_error e2, *e = rc == 0 ? err : &e2;
        size_t klen = strlen(out->node_secret_key);
        if (tt_plexd_set_node_id(p, out->node_id, e) != 0)
            return -1;
        if (klen >= TT_API_TOKEN_MAX) /* the server's size, not the caller's mistake */
            return tt_error_set(e, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, p->api.label,
                                "node secret key of %zu bytes, longer than TT_API_TOKEN_MAX "
                                "(%d): registered, but the key cannot be sent",
                                klen, TT_API_TOKEN_MAX);
        if (tt_plexd_set_token(p, out->node_secret_key, e) != 0)
            return -1;
    } else if (rc == 0) {
        /* a node without its secret keeps the bootstrap token (older
         * control planes): only the id is adopted */
        return tt_plexd_set_node_id(p, out->node_id, err);
    }
    return rc;
}

int tt_plexd_heartbeat(tt_plexd *p, const tt_plexd_heartbeat_req *q,
                       tt_plexd_heartbeat_resp *out, tt_error *err)
{
    char path[128], ts[40];
    plexd_body b;
    tt_api_resp res;
    size_t n;
    if (node_path(p, path, sizeof path, "/heartbeat", err) != 0)
        return -1;
    if (q->timestamp == NULL)
        now_rfc3339(p, ts, sizeof ts);
    memset(&b, 0, sizeof b);
    b.node_id = p->node_id;
    b.timestamp = q->timestamp != NULL ? q->timestamp : ts;
    b.status = q->status;
    b.uptime = q->uptime;
    b.binary_checksum = q->binary_checksum;
    if ((n = write_body(p, heartbeat_body, TT_JSON_NFIELDS(heartbeat_body), &b, err)) == 0 ||
        call(p, "POST", path, p->req, n, &res, err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    return res.data < 0 ? 0 : bind_data(p, &res, hb_fields, TT_JSON_NFIELDS(hb_fields), out, err);
}

int tt_plexd_deregister(tt_plexd *p, tt_error *err)
{
    char path[128];
    if (node_path(p, path, sizeof path, "/deregister", err) != 0)
        return -1;
    return call(p, "POST", path, "{}", 2, NULL, err);
}

int tt_plexd_fetch_state(tt_plexd *p, tt_plexd_state *out, tt_json_item_fn on_item, void *user,
                         tt_error *err)
{
    char path[128];
    sink k;
    if (node_path(p, path, sizeof path, "/state", err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    sink_init(&k, on_item, user);
    k.peers = &out->npeers;
    k.policies = &out->npolicies;
    k.data = &out->ndata;
    k.refs = &out->nsecret_refs;
    return bind_call(p, "GET", path, NULL, 0, &tt_plexd_state_json, out, &k, err);
}

int tt_plexd_rotate_keys(tt_plexd *p, const char *new_public_key, tt_plexd_rotation *out,
                         tt_json_item_fn on_item, void *user, tt_error *err)
{
    plexd_body b;
    sink k;
    size_t n;

    memset(out, 0, sizeof *out);
    if (p->node_id[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label, "no node id");
    if (new_public_key == NULL || new_public_key[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "rotate keys: no new public key");
    memset(&b, 0, sizeof b);
    b.node_id = p->node_id;
    b.new_public_key = new_public_key;
    if ((n = write_body(p, rotate_body, TT_JSON_NFIELDS(rotate_body), &b, err)) == 0)
        return -1;
    sink_init(&k, on_item, user);
    k.peers = &out->npeers;
    return bind_call(p, "POST", "/v1/keys/rotate", p->req, n, &tt_plexd_rotation_json, out, &k, err);
}

/* PUT or POST a caller's JSON document to a node path. */
static int send_json(tt_plexd *p, const char *method, const char *tail, const char *json,
                     tt_error *err)
{
    char path[160];
    if (check_caller_json(p, json, 1, err) != 0 ||
        node_path(p, path, sizeof path, tail, err) != 0)
        return -1;
    return call(p, method, path, json, strlen(json), NULL, err);
}

int tt_plexd_update_capabilities(tt_plexd *p, const char *json, tt_error *err)
{
    return send_json(p, "PUT", "/capabilities", json, err);
}

int tt_plexd_report_endpoint(tt_plexd *p, const char *public_endpoint, const char *nat_type,
                             tt_error *err)
{
    char path[128];
    plexd_body b;
    if (node_path(p, path, sizeof path, "/endpoint", err) != 0)
        return -1;
    memset(&b, 0, sizeof b);
    b.public_endpoint = public_endpoint;
    b.nat_type = nat_type;
    return send_body(p, "PUT", path, endpoint_body, TT_JSON_NFIELDS(endpoint_body), &b, err);
}

int tt_plexd_report_drift(tt_plexd *p, const char *corrections_json, tt_error *err)
{
    char path[128], ts[40];
    plexd_body b;
    if (node_path(p, path, sizeof path, "/drift", err) != 0 ||
        check_caller_json(p, corrections_json, 0, err) != 0)
        return -1;
    now_rfc3339(p, ts, sizeof ts);
    memset(&b, 0, sizeof b);
    b.timestamp = ts;
    b.corrections = corrections_json;
    return send_body(p, "POST", path, drift_body, TT_JSON_NFIELDS(drift_body), &b, err);
}

int tt_plexd_get_secret(tt_plexd *p, const char *key, tt_plexd_secret *out, tt_error *err)
{
    char seg[3 * 64], tail[16 + 3 * 64], path[256];
    if (tt_api_segment(seg, sizeof seg, key) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label, "bad secret key");
    tt_fmt(tail, sizeof tail, "/secrets/%s", seg);
    if (node_path(p, path, sizeof path, tail, err) != 0)
        return -1;
    memset(out, 0, sizeof *out);
    return bind_call(p, "GET", path, NULL, 0, &tt_plexd_secret_json, out, NULL, err);
}

int tt_plexd_sync_reports(tt_plexd *p, const char *report_json, tt_error *err)
{
    return send_json(p, "POST", "/report", report_json, err);
}

int tt_plexd_ack_execution(tt_plexd *p, const char *execution_id, const char *status,
                           const char *reason, tt_error *err)
{
    char path[256];
    plexd_body b;
    if (exec_path(p, path, sizeof path, execution_id, "ack", err) != 0)
        return -1;
    memset(&b, 0, sizeof b);
    b.execution_id = execution_id;
    b.status = status;
    b.reason = reason;
    return send_body(p, "POST", path, ack_body, TT_JSON_NFIELDS(ack_body), &b, err);
}

int tt_plexd_report_result(tt_plexd *p, const tt_plexd_exec_result *r, tt_error *err)
{
    char path[256], ts[40];
    plexd_body b;
    if (exec_path(p, path, sizeof path, r->execution_id, "result", err) != 0)
        return -1;
    if (r->finished_at == NULL)
        now_rfc3339(p, ts, sizeof ts);
    memset(&b, 0, sizeof b);
    b.execution_id = r->execution_id;
    b.status = r->status;
    b.exit_code = r->exit_code;
    b.out = r->out;
    b.err = r->err;
    b.duration = r->duration;
    b.finished_at = r->finished_at != NULL ? r->finished_at : ts;
    return send_body(p, "POST", path, result_body, TT_JSON_NFIELDS(result_body), &b, err);
}

int tt_plexd_send_metrics(tt_plexd *p, const char *batch_json, tt_error *err)
{
    return send_json(p, "POST", "/metrics", batch_json, err);
}

int tt_plexd_send_logs(tt_plexd *p, const char *batch_json, tt_error *err)
{
    return send_json(p, "POST", "/logs", batch_json, err);
}

int tt_plexd_send_audit(tt_plexd *p, const char *batch_json, tt_error *err)
{
    return send_json(p, "POST", "/audit", batch_json, err);
}

int tt_plexd_fetch_artifact(tt_plexd *p, const char *version, const char *os,
                            const char *arch, tt_body_fn fn, void *user, tt_error *err)
{
    char v[96], o[48], a[48], path[256];
    tt_api_req r;
    if (tt_api_segment(v, sizeof v, version) != 0 || tt_api_segment(o, sizeof o, os) != 0 ||
        tt_api_segment(a, sizeof a, arch) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, p->api.label,
                            "artifact needs version, os and arch");
    tt_fmt(path, sizeof path, "/v1/artifacts/plexd/%s/%s/%s", v, o, a);
    memset(&r, 0, sizeof r);
    r.path = path;
    r.on_body = fn;
    r.user = user;
    /* a binary over a slow link lasts as long as bytes keep coming: the
     * request timeout bounds the head and every silence, not the whole */
    r.stream = 1;
    return tt_api_call(&p->api, &r, NULL, err);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
