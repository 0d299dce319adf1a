/*
 * SkyPilot client: asynchronous POSTs that return request ids, the request
 * state endpoints, streamed logs, health.
 */
#include "tether/config.h"
#if TT_FEATURE_SKYPILOT

#include "tether/skypilot.h"
#include "tether/timefmt.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int tt_sky_config_from_env(tt_sky_config *cfg, tt_error *err)
{
    const char *v;
    if ((v = getenv("SKYPILOT_API_SERVER_URL")) != NULL && v[0] != '\0')
        cfg->url = v;
    else if ((v = getenv("SKYPILOT_API_SERVER_ENDPOINT")) != NULL && v[0] != '\0')
        cfg->url = v;
    if ((v = getenv("SKYPILOT_SERVICE_ACCOUNT_TOKEN")) != NULL && v[0] != '\0')
        cfg->token = v;
    if ((v = getenv("SKYPILOT_REQUEST_TIMEOUT")) != NULL && v[0] != '\0') {
        int64_t ms = tt_duration_ms(v);
        if (ms <= 0)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "SKYPILOT_REQUEST_TIMEOUT '%s' is not a duration", v);
        cfg->timeout_ms = ms;
    }
    if ((v = getenv("SKYPILOT_MAX_RETRIES")) != NULL && v[0] != '\0') {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end != '\0' || n < 0 || n > 100)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "SKYPILOT_MAX_RETRIES '%s' is not 0..100", v);
        cfg->max_retries = (int)n;
    }
    return 0;
}

int tt_sky_init(tt_sky *s, const tt_port *port, const tt_sky_config *cfg, tt_error *err)
{
    tt_client_config cc;
    memset(s, 0, sizeof *s);
    tt_client_config_default(&cc);
    if (tt_client_init(&s->client, port, &cc, err) != 0 ||
        tt_api_init(&s->api, &s->client, cfg->url != NULL ? cfg->url : "http://127.0.0.1:46580",
                    NULL, s->buf, sizeof s->buf, &s->doc, err) != 0)
        return -1;
    if (cfg->token != NULL && cfg->token[0] != '\0' &&
        tt_api_set_token(&s->api, TT_API_AUTH_BEARER, cfg->token, err) != 0)
        return -1;
    s->api.timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : TT_REQUEST_TIMEOUT_MS;
    s->poll_first_ms = 5000;
    s->poll_max_ms = 30000;
    s->logs_idle_ms = cfg->logs_idle_ms > 0 ? cfg->logs_idle_ms : 300000;
    if (cfg->user_id != NULL && cfg->user_id[0] != '\0' &&
        (tt_fmt(s->user_id, sizeof s->user_id, "%s", cfg->user_id) >= sizeof s->user_id ||
         tt_fmt(s->user, sizeof s->user, "%s",
                cfg->user != NULL && cfg->user[0] != '\0' ? cfg->user : cfg->user_id) >=
             sizeof s->user))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label,
                            "SkyPilot user id or name too long");
    tt_retry_default(&s->api.retry);
    if (cfg->max_retries >= 0)
        s->api.retry.max_retries = cfg->max_retries;
    return 0;
}

void tt_sky_close(tt_sky *s)
{
    tt_client_close(&s->client);
}

/* ---- asynchronous POSTs --------------------------------------------------------- */

static int post_async(tt_sky *s, const char *path, tt_json_writer *w, int idempotent, char *id,
                      size_t cap, tt_error *err)
{
    tt_api_req r;
    size_t n;
    if (tt_jw_finish(w, &n, err) != 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = path;
    r.body = s->req;
    r.body_len = n;
    r.raw = 1;
    r.idempotent = idempotent;
    r.capture_name = "X-Skypilot-Request-ID";
    r.capture_alt = "X-Request-ID"; /* older servers */
    r.capture_buf = id;
    r.capture_cap = cap;
    id[0] = '\0';
    if (tt_api_call(&s->api, &r, NULL, err) != 0)
        return -1;
    if (id[0] == '\0')
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, s->api.label,
                            "%s: no request id in the answer", path);
    return 0;
}

/* env_vars: who asks, and a launch's cloud credentials */
static const tt_json_field user_env[] = {
    TT_JSON_STR(tt_sky, user_id, "SKYPILOT_USER_ID", TT_JF_OMIT),
    TT_JSON_STR(tt_sky, user, "SKYPILOT_USER", TT_JF_OMIT),
};
#define CRED(m, k) TT_JSON_PSTR(tt_sky_credentials, m, k, TT_JF_OMIT)
static const tt_json_field credentials_env[] = {
    CRED(aws_access_key_id, "AWS_ACCESS_KEY_ID"),
    CRED(aws_secret_access_key, "AWS_SECRET_ACCESS_KEY"),
    CRED(aws_session_token, "AWS_SESSION_TOKEN"),
    CRED(azure_client_id, "AZURE_CLIENT_ID"),
    CRED(azure_client_secret, "AZURE_CLIENT_SECRET"),
    CRED(azure_tenant_id, "AZURE_TENANT_ID"),
    CRED(azure_subscription_id, "AZURE_SUBSCRIPTION_ID"),
    CRED(gcp_credentials_json, "GOOGLE_APPLICATION_CREDENTIALS_JSON"),
};

/* Start a request body: "{" and the env_vars every body carries when a
 * user id is set (the server takes SKYPILOT_USER_ID and SKYPILOT_USER
 * from it), with the cloud credentials of a launch. */
static int body_begin(tt_sky *s, tt_json_writer *w, const tt_sky_credentials *c, tt_error *err)
{
    tt_jw_init(w, s->req, sizeof s->req);
    tt_jw_object(w);
    if (s->user_id[0] == '\0') {
        if (c == NULL)
            return 0;
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label,
                            "cloud credentials travel in env_vars, which need a user id "
                            "(SKYPILOT_USER_ID)");
    }
    tt_jw_key(w, "env_vars");
    tt_jw_object(w);
    tt_jw_members(w, user_env, TT_JSON_NFIELDS(user_env), s);
    if (c != NULL)
        tt_jw_members(w, credentials_env, TT_JSON_NFIELDS(credentials_env), c);
    tt_jw_end(w);
    return 0;
}

static int need(tt_sky *s, const char *what, const char *v, tt_error *err)
{
    if (v == NULL || v[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label, "%s needed", what);
    return 0;
}

/* The bodies after env_vars: one record, each call's table naming the
 * members it sends. */
typedef struct sky_body {
    const char *task;            /* YAML text */
    const char *cluster_name;
    int retry_until_up;
    int purge;
    const char *const *cluster_names;
    size_t ncluster_names;       /* 0: null (every cluster) */
    int32_t days;
    int64_t job_id;              /* <= 0: null (the latest job) */
    int follow;
    int32_t tail;
} sky_body;

#define B_TASK TT_JSON_PSTR(sky_body, task, "task", 0)
#define B_CLUSTER TT_JSON_PSTR(sky_body, cluster_name, "cluster_name", 0)
static const tt_json_field launch_body[] = {
    B_TASK, B_CLUSTER, TT_JSON_BOOL(sky_body, retry_until_up, "retry_until_up", 0),
};
static const tt_json_field down_body[] = {
    B_CLUSTER, TT_JSON_BOOL(sky_body, purge, "purge", 0),
};
static const tt_json_field status_body[] = {
    TT_JSON_PSTRV(sky_body, cluster_names, "cluster_names", TT_JF_NULL, ncluster_names),
};
static const tt_json_field exec_body[] = { B_TASK, B_CLUSTER };
static const tt_json_field cost_body[] = { TT_JSON_INT(sky_body, days, "days", 0) };
static const tt_json_field logs_body[] = {
    B_CLUSTER,
    TT_JSON_INT(sky_body, job_id, "job_id", TT_JF_NULL),
    TT_JSON_BOOL(sky_body, follow, "follow", 0),
    TT_JSON_INT(sky_body, tail, "tail", 0),
};

/* The whole body into s->req: env_vars (with c), then q by its table. */
static int write_body(tt_sky *s, tt_json_writer *w, const tt_sky_credentials *c,
                      const tt_json_field *f, size_t nf, const sky_body *q, tt_error *err)
{
    if (body_begin(s, w, c, err) != 0)
        return -1;
    tt_jw_members(w, f, nf, q);
    tt_jw_end(w);
    return 0;
}

int tt_sky_launch(tt_sky *s, const tt_sky_launch_req *q, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    sky_body b;
    if (need(s, "cluster name", q->cluster_name, err) != 0 ||
        need(s, "task YAML", q->task_yaml, err) != 0)
        return -1;
    memset(&b, 0, sizeof b);
    b.task = q->task_yaml;
    b.cluster_name = q->cluster_name;
    b.retry_until_up = q->retry_until_up;
    if (write_body(s, &w, q->credentials, launch_body, TT_JSON_NFIELDS(launch_body), &b, err) != 0)
        return -1;
    return post_async(s, "/launch", &w, 0, id, cap, err);
}

int tt_sky_down(tt_sky *s, const char *cluster, int purge, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    sky_body b;
    memset(&b, 0, sizeof b);
    b.cluster_name = cluster;
    b.purge = purge;
    if (need(s, "cluster name", cluster, err) != 0 ||
        write_body(s, &w, NULL, down_body, TT_JSON_NFIELDS(down_body), &b, err) != 0)
        return -1;
    return post_async(s, "/down", &w, 0, id, cap, err);
}

int tt_sky_status(tt_sky *s, const char *const *clusters, size_t n, char *id, size_t cap,
                  tt_error *err)
{
    tt_json_writer w;
    sky_body b;
    memset(&b, 0, sizeof b);
    b.cluster_names = clusters;
    b.ncluster_names = n;
    if (write_body(s, &w, NULL, status_body, TT_JSON_NFIELDS(status_body), &b, err) != 0)
        return -1;
    /* a status request reads: sent twice, it only reads twice */
    return post_async(s, "/status", &w, 1, id, cap, err);
}

int tt_sky_exec(tt_sky *s, const char *cluster, const char *task_yaml, char *id, size_t cap,
                tt_error *err)
{
    tt_json_writer w;
    sky_body b;
    memset(&b, 0, sizeof b);
    b.task = task_yaml;
    b.cluster_name = cluster;
    if (need(s, "cluster name", cluster, err) != 0 || need(s, "task YAML", task_yaml, err) != 0 ||
        write_body(s, &w, NULL, exec_body, TT_JSON_NFIELDS(exec_body), &b, err) != 0)
        return -1;
    return post_async(s, "/exec", &w, 0, id, cap, err);
}

int tt_sky_cost_report(tt_sky *s, int days, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    sky_body b;
    memset(&b, 0, sizeof b);
    b.days = days > 0 ? days : 30;
    if (write_body(s, &w, NULL, cost_body, TT_JSON_NFIELDS(cost_body), &b, err) != 0)
        return -1;
    return post_async(s, "/cost_report", &w, 1, id, cap, err);
}

/* ---- request state ------------------------------------------------------------------ */

static tt_sky_status_kind kind_of(const char *s)
{
    static const char *const names[] = { "PENDING", "RUNNING", "SUCCEEDED", "FAILED",
                                         "CANCELLED" };
    int i;
    if (strcmp(s, "WAITING") == 0)
        return TT_SKY_RUNNING;
    for (i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0)
            return (tt_sky_status_kind)i;
    return TT_SKY_UNKNOWN;
}

static const tt_json_field cluster_fields[] = {
    TT_JSON_STR(tt_sky_cluster, name, "name", TT_JF_REQUIRED),
    TT_JSON_STR(tt_sky_cluster, status, "status", 0),
    TT_JSON_INT(tt_sky_cluster, launched_at, "launched_at", 0),
    TT_JSON_INT(tt_sky_cluster, status_updated_at, "status_updated_at", 0),
    TT_JSON_INT(tt_sky_cluster, autostop, "autostop", 0),
    TT_JSON_BOOL(tt_sky_cluster, to_down, "to_down", 0),
    TT_JSON_INT(tt_sky_cluster, nodes, "nodes", 0),
    TT_JSON_STR(tt_sky_cluster, cloud, "cloud", 0),
    TT_JSON_STR(tt_sky_cluster, region, "region", 0),
    TT_JSON_STR(tt_sky_cluster, cpus, "cpus", 0),
    TT_JSON_STR(tt_sky_cluster, memory, "memory", 0),
    TT_JSON_STR(tt_sky_cluster, accelerators, "accelerators", 0),
    TT_JSON_STR(tt_sky_cluster, resources_str, "resources_str", TT_JF_CUT),
    TT_JSON_STR(tt_sky_cluster, last_use, "last_use", TT_JF_CUT),
    TT_JSON_STR(tt_sky_cluster, user_hash, "user_hash", 0),
    TT_JSON_STR(tt_sky_cluster, user_name, "user_name", 0),
    TT_JSON_STR(tt_sky_cluster, workspace, "workspace", 0),
    TT_JSON_STR(tt_sky_cluster, cluster_hash, "cluster_hash", 0),
    TT_JSON_STR(tt_sky_cluster, cluster_name_on_cloud, "cluster_name_on_cloud", 0),
    TT_JSON_BOOL(tt_sky_cluster, cluster_ever_up, "cluster_ever_up", 0),
    TT_JSON_BOOL(tt_sky_cluster, is_managed, "is_managed", 0),
};
const tt_json_field tt_sky_clusters_json = TT_JSON_ROOT_LIST(tt_sky_cluster, cluster_fields);

static const tt_json_field error_fields[] = {
    TT_JSON_STR(tt_sky_error, type, "type", 0),
    TT_JSON_STR(tt_sky_error, message, "message", TT_JF_CUT),
};
static const tt_json_field error_root = TT_JSON_ROOT_OBJ(tt_sky_error, error_fields);

enum { INNER_ERROR = 1, INNER_CLUSTERS, INNER_RESULT };

/* RequestPayload; `detail` is the same payload, as /api/get wraps a
 * failed request's ({"detail": {...}}). */
#define REQUEST_FIELDS 15
static const tt_json_field request_fields[REQUEST_FIELDS];
static const tt_json_field request_fields[REQUEST_FIELDS] = {
    TT_JSON_STR(tt_sky_request, request_id, "request_id", 0),
    TT_JSON_STR(tt_sky_request, name, "name", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, status, "status", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, user_id, "user_id", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, user_name, "user_name", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, cluster_name, "cluster_name", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, status_msg, "status_msg", TT_JF_CUT | TT_JF_OMIT),
    TT_JSON_DOUBLE(tt_sky_request, created_at, "created_at", TT_JF_OMIT),
    TT_JSON_DOUBLE(tt_sky_request, finished_at, "finished_at", TT_JF_OMIT),
    TT_JSON_BOOL(tt_sky_request, should_retry, "should_retry", TT_JF_OMIT),
    TT_JSON_TEXT("return_value", 0),
    TT_JSON_TEXT("error", 0),
    /* the error text's own object, read from it (inner_end) */
    TT_JSON_STR(tt_sky_request, error_type, "error_type", TT_JF_WRITE_ONLY | TT_JF_OMIT),
    TT_JSON_STR(tt_sky_request, error, "error", TT_JF_WRITE_ONLY | TT_JF_OMIT),
    TT_JSON_F_("detail", TT_JF_OBJECT, 0, TT_JF_READ_ONLY, 0, sizeof(tt_sky_request),
               request_fields, REQUEST_FIELDS - 1, 0, 0), /* no detail in detail */
};
const tt_json_field tt_sky_request_json = TT_JSON_ROOT_OBJ(tt_sky_request, request_fields);
static const tt_json_field requests_root = TT_JSON_ROOT_LIST(tt_sky_request, request_fields);

static int on_cluster_item(void *user, const tt_json_item *it, tt_error *err)
{
    tt_sky *s = user;
    tt_sky_request *r = s->inner.req;
    if (r->on_cluster(r->user, it->record, it->error, err) != 0) {
        s->inner.stopped = 1; /* the caller's own stop: the answer stops */
        return -1;
    }
    return 0;
}

/* The start of a string whose content is JSON: how to read it. */
static void inner_begin(tt_sky *s, const tt_json_field *f, tt_sky_request *r)
{
    tt_sky_inner *in = &s->inner;
    in->len = 0;
    in->failed = 0;
    in->req = r;
    tt_error_clear(&in->err);
    if (strcmp(f->name, "error") == 0) {
        in->kind = INNER_ERROR;
        memset(&in->error, 0, sizeof in->error);
        tt_json_binder_init(&in->binder, &error_root, &in->error, NULL, NULL, NULL);
    } else if (r->on_cluster != NULL && strcmp(r->name, "sky.status") == 0) {
        in->kind = INNER_CLUSTERS;
        tt_json_binder_init(&in->binder, &tt_sky_clusters_json, &in->cluster, on_cluster_item,
                            NULL, s);
    } else {
        in->kind = INNER_RESULT;
        r->result_len = 0;
        if (r->result != NULL && r->result_cap > 0)
            r->result[0] = '\0';
    }
}

/* A piece of the result copied or passed on. */
static int result_piece(tt_sky_request *r, const char *p, size_t n, tt_error *err)
{
    if (r->on_result != NULL)
        return r->on_result(r->user, (const unsigned char *)p, n, err);
    if (r->result_cap > 0 && r->result_len + n < r->result_cap) {
        memcpy(r->result + r->result_len, p, n);
        r->result[r->result_len + n] = '\0';
    }
    r->result_len += n;
    return 0;
}

/* Cut a display text at `at`, marked "...": when the byte that did not
 * fit (next) continues a character, that whole character goes too. */
static void mark_cut(char *buf, size_t at, unsigned char next)
{
    if ((next & 0xc0) == 0x80) {
        while (at > 0 && ((unsigned char)buf[at - 1] & 0xc0) == 0x80)
            at--;
        if (at > 0)
            at--; /* its lead byte */
    }
    memcpy(buf + at, "...", 4);
}

/* Bytes at offset `at` of a text kept for display in buf[cap]: what does
 * not fit is cut and marked. */
static void display_piece(char *buf, size_t cap, size_t at, const char *p, size_t n)
{
    size_t room = cap - 4;
    if (at >= room)
        return; /* cut already */
    if (n > room - at) {
        memcpy(buf + at, p, room - at);
        mark_cut(buf, room, (unsigned char)p[room - at]);
        return;
    }
    memcpy(buf + at, p, n);
    buf[at + n] = '\0';
}

/* The end of such a string: "null" means nothing; a text that is not the
 * JSON expected makes the field unreadable, not the whole answer. */
static int inner_end(tt_sky *s, tt_sky_request *r, tt_error *err)
{
    tt_sky_inner *in = &s->inner;
    int is_null = in->len == 4 && memcmp(in->head, "null", 4) == 0;
    if (in->kind == INNER_RESULT) {
        if (r->on_result == NULL && r->result_cap > 0 && r->result_len >= r->result_cap)
            return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_STRING, NULL,
                                "return_value: result of %zu bytes, larger than the %zu-byte "
                                "buffer", r->result_len, r->result_cap);
        return 0;
    }
    if (!in->failed && tt_json_binder_finish(&in->binder, &in->err) != 0 && !is_null &&
        !in->binder.partial)
        in->failed = 1;
    if (in->kind == INNER_ERROR && is_null) {
        r->error[0] = '\0';
    } else if (in->kind == INNER_ERROR) {
        /* not the JSON SkyPilot writes (an older server, a proxy): the
         * text itself, as far as it was kept, is the message */
        if (!in->failed) {
            tt_fmt(r->error_type, sizeof r->error_type, "%s", in->error.type);
            tt_fmt(r->error, sizeof r->error, "%s", in->error.message);
        }
    } else if (in->kind == INNER_CLUSTERS && in->failed) {
        *err = in->err;
        return tt_error_set(err, in->err.cls, in->err.code, NULL, "return_value: %s",
                            in->err.msg);
    }
    return 0;
}

static int on_text(void *user, const tt_json_field *f, void *record, const char *p, size_t n,
                   int last, tt_error *err)
{
    tt_sky *s = user;
    tt_sky_inner *in = &s->inner;
    tt_sky_request *r = record;
    if (in->len == 0 && in->kind == 0)
        inner_begin(s, f, r);
    if (last) {
        int rc = inner_end(s, r, err);
        in->kind = 0;
        in->len = 0;
        return rc;
    }
    if (in->len < sizeof in->head)
        memcpy(in->head + in->len, p, n < sizeof in->head - in->len ? n : sizeof in->head - in->len);
    in->len += n;
    if (in->kind == INNER_RESULT)
        return result_piece(r, p, n, err);
    if (in->kind == INNER_ERROR)
        display_piece(r->error, sizeof r->error, in->len - n, p, n);
    if (!in->failed && tt_json_binder_feed(&in->binder, p, n, &in->err) != 0)
        in->failed = 1;
    if (in->stopped) {
        *err = in->err;
        return -1;
    }
    return 0;
}

/* Bind a request payload (or /api/status's list of them) while it streams. */
static void request_binder(tt_sky *s, tt_json_binder *b, const tt_json_field *root, void *out,
                           tt_json_item_fn fn, void *user)
{
    memset(&s->inner, 0, sizeof s->inner);
    tt_json_binder_init(b, root, out, fn, on_text, user != NULL ? user : s);
}

static void request_clear(tt_sky_request *out)
{
    /* the caller's sinks stay */
    tt_sky_cluster_fn on_cluster = out->on_cluster;
    tt_body_fn on_result = out->on_result;
    void *user = out->user;
    char *result = out->result;
    size_t cap = out->result_cap;
    memset(out, 0, sizeof *out);
    out->on_cluster = on_cluster;
    out->on_result = on_result;
    out->user = user;
    out->result = result;
    out->result_cap = cap;
}

/* A GET of one request by id: r set for path?name=id, out cleared (its
 * sinks stay); query (cap bytes) holds the encoded id. */
static int request_get(tt_sky *s, tt_api_req *r, const char *path, char *query, size_t cap,
                       const char *name, const char *id, tt_sky_request *out, tt_error *err)
{
    size_t len = (size_t)tt_fmt(query, cap, "%s=", name);
    if (id == NULL || id[0] == '\0' ||
        tt_pct_encode(query, cap, &len, id, strlen(id), TT_PCT_QUERY, err) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label, "bad request id");
    request_clear(out);
    memset(r, 0, sizeof *r);
    r->path = path;
    r->query = query;
    return 0;
}

/* /api/status lists every request that matches: the first is the one. */
static int take_first(void *user, const tt_json_item *it, tt_error *err)
{
    tt_sky *s = user;
    tt_sky_request *out = s->inner.first, *r = it->record;
    (void)err;
    if (s->inner.found++ == 0) {
        memcpy(out->request_id, r->request_id, sizeof r->request_id);
        memcpy(out->name, r->name, sizeof r->name);
        memcpy(out->status, r->status, sizeof r->status);
        memcpy(out->user_name, r->user_name, sizeof r->user_name);
        memcpy(out->cluster_name, r->cluster_name, sizeof r->cluster_name);
        memcpy(out->status_msg, r->status_msg, sizeof r->status_msg);
        out->created_at = r->created_at;
        out->kind = kind_of(r->status);
    }
    return 0;
}

int tt_sky_request_status(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err)
{
    char query[3 * TT_SKY_ID_MAX + 40];
    tt_json_binder b;
    tt_api_req r;
    if (request_get(s, &r, "/api/status", query, sizeof query, "request_ids", id, out, err) != 0)
        return -1;
    memset(&s->slot, 0, sizeof s->slot);
    request_binder(s, &b, &requests_root, &s->slot, take_first, s);
    s->inner.first = out;
    if (tt_api_call_bind(&s->api, &r, &b, NULL, err) != 0)
        return -1;
    if (s->inner.found == 0)
        return tt_error_set(err, TT_ERR_API, TT_E_API, s->api.label, "request %s not found", id);
    return 0;
}

static int failed_request(tt_sky *s, const char *id, const tt_sky_request *out, tt_error *err)
{
    return tt_error_set(err, TT_ERR_API, TT_E_API, s->api.label, "request %s failed: %s%s%s",
                        out->request_id[0] != '\0' ? out->request_id : id, out->error_type,
                        out->error_type[0] != '\0' ? ": " : "",
                        out->error[0] != '\0' ? out->error : "no message");
}

int tt_sky_get_request(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err)
{
    char query[3 * TT_SKY_ID_MAX + 40];
    tt_json_binder b;
    tt_api_req r;
    tt_api_resp res;
    if (request_get(s, &r, "/api/get", query, sizeof query, "request_id", id, out, err) != 0)
        return -1;
    /* a FAILED request is a 500 from /api/get: not a server fault to
     * retry, and its body is the request ({"detail": payload}) at any size */
    r.no_retry = 1;
    r.bind_errors = 1;
    r.on_body = tt_json_binder_body;
    r.user = &b;
    request_binder(s, &b, &tt_sky_request_json, out, NULL, NULL);
    if (tt_api_call(&s->api, &r, &res, err) != 0) {
        tt_error keep = *err;
        if (keep.http_status == 500 && res.streamed > 0 && tt_json_binder_finish(&b, err) == 0 &&
            kind_of(out->status) == TT_SKY_FAILED) {
            out->kind = TT_SKY_FAILED;
            return failed_request(s, id, out, err);
        }
        *err = keep;
        return -1;
    }
    if (tt_json_binder_finish(&b, err) != 0) {
        tt_error inner = *err;
        return tt_error_set(err, inner.cls, inner.code, s->api.label, "%s", inner.msg);
    }
    out->kind = kind_of(out->status);
    if (out->request_id[0] == '\0')
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, s->api.label,
                            "request %s: an answer without a request id", id);
    if (out->kind == TT_SKY_FAILED)
        return failed_request(s, id, out, err);
    return 0;
}

int tt_sky_wait(tt_sky *s, const char *id, int64_t deadline_ms, tt_sky_request *out,
                tt_error *err)
{
    const tt_port *p = &s->client.port;
    int64_t interval = s->poll_first_ms;
    for (;;) {
        int64_t now, wait;
        if (tt_sky_request_status(s, id, out, err) != 0)
            return -1;
        if (out->kind >= TT_SKY_SUCCEEDED && out->kind != TT_SKY_UNKNOWN)
            return tt_sky_get_request(s, id, out, err);
        now = p->ops->now_ms(p->ctx);
        if (deadline_ms > 0 && now >= deadline_ms)
            return tt_error_set(err, TT_ERR_TIMEOUT, TT_E_REQUEST_TIMEOUT, s->api.label,
                                "request %s still %s at the deadline", id, out->status);
        wait = interval;
        if (deadline_ms > 0 && now + wait > deadline_ms)
            wait = deadline_ms - now;
        if (p->ops->sleep_ms(p->ctx, wait, s->client.cfg.cancel) != TT_PORT_OK)
            return tt_error_set(err, TT_ERR_CANCELLED, TT_E_CANCELLED, s->api.label,
                                "cancelled while waiting for request %s", id);
        interval = interval * 3 / 2 > s->poll_max_ms ? s->poll_max_ms : interval * 3 / 2;
    }
}

/* ---- logs and health --------------------------------------------------------------- */

/* SkyPilot writes control lines into a log stream ("<sky-payload>...
 * </sky-payload>": spinners, heartbeats); what remains is the job's
 * output. Lines are followed across pieces with no more than the prefix
 * held. */
typedef struct log_filter {
    tt_body_fn fn;
    void *user;
    int at_start;                /* the next byte begins a line */
    size_t held;                 /* bytes of the control prefix matched */
    int dropping;                /* inside a control line */
} log_filter;

static const char control[] = "<sky-payload";

static int log_pass(void *user, const unsigned char *p, size_t n, tt_error *err)
{
    log_filter *f = user;
    size_t i = 0;
    while (i < n) {
        const unsigned char *nl;
        size_t end;
        if (f->dropping) {
            nl = memchr(p + i, '\n', n - i);
            if (nl == NULL)
                return 0;
            i = (size_t)(nl - p) + 1;
            f->dropping = 0;
            f->at_start = 1;
            continue;
        }
        if (f->at_start) {
            if (p[i] == (unsigned char)control[f->held]) {
                i++;
                if (++f->held == sizeof control - 1) {
                    f->dropping = 1;
                    f->held = 0;
                    f->at_start = 0;
                }
                continue;
            }
            /* not a control line after all: what was held is output */
            if (f->held > 0 && f->fn(f->user, (const unsigned char *)control, f->held, err) != 0)
                return -1;
            f->held = 0;
            f->at_start = 0;
        }
        nl = memchr(p + i, '\n', n - i);
        end = nl != NULL ? (size_t)(nl - p) + 1 : n;
        if (f->fn(f->user, p + i, end - i, err) != 0)
            return -1;
        i = end;
        f->at_start = nl != NULL;
    }
    return 0;
}

int tt_sky_logs(tt_sky *s, const char *cluster, int64_t job_id, int follow, int tail,
                tt_body_fn fn, void *user, tt_error *err)
{
    tt_json_writer w;
    tt_api_req r;
    log_filter f;
    sky_body b;
    size_t n;
    memset(&b, 0, sizeof b);
    b.cluster_name = cluster;
    b.job_id = job_id;
    b.follow = follow;
    b.tail = tail;
    if (need(s, "cluster name", cluster, err) != 0 ||
        write_body(s, &w, NULL, logs_body, TT_JSON_NFIELDS(logs_body), &b, err) != 0)
        return -1;
    if (tt_jw_finish(&w, &n, err) != 0)
        return -1;
    memset(&f, 0, sizeof f);
    f.fn = fn;
    f.user = user;
    f.at_start = 1;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = "/logs";
    r.body = s->req;
    r.body_len = n;
    r.on_body = log_pass;
    r.user = &f;
    r.idempotent = 1; /* it reads */
    r.stream = 1;
    r.idle_timeout_ms = s->logs_idle_ms;
    if (tt_api_call(&s->api, &r, NULL, err) != 0)
        return -1;
    if (f.held > 0 && !f.dropping)
        return fn(user, (const unsigned char *)control, f.held, err);
    return 0;
}

static const tt_json_field health_fields[] = {
    TT_JSON_STR(tt_sky_health, status, "status", TT_JF_REQUIRED),
    TT_JSON_STR(tt_sky_health, api_version, "api_version", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_health, version, "version", TT_JF_OMIT),
    TT_JSON_STR(tt_sky_health, commit, "commit", TT_JF_OMIT),
};
const tt_json_field tt_sky_health_json = TT_JSON_ROOT_OBJ(tt_sky_health, health_fields);

int tt_sky_get_health(tt_sky *s, tt_sky_health *out, tt_error *err)
{
    tt_api_req r;
    tt_api_resp res;
    memset(&r, 0, sizeof r);
    r.path = "/api/health";
    r.raw = 1;
    memset(out, 0, sizeof *out);
    if (tt_api_call(&s->api, &r, &res, err) != 0)
        return -1;
    return tt_json_bind(&s->doc, res.data, health_fields, TT_JSON_NFIELDS(health_fields), out, err);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
