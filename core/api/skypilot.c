/*
 * SkyPilot client: asynchronous POSTs that return request ids, the request
 * state endpoints, streamed logs, health.
 */
#include "skypilot.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static long long seconds_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    double unit = 1000.0;
    if (end == s || v < 0)
        return -1;
    if (*end == 'm')
        unit = 60000.0, end++;
    else if (*end == 'h')
        unit = 3600000.0, end++;
    else if (*end == 's')
        end++;
    /* NaN, infinity and absurd values are refused before the conversion */
    if (*end != '\0' || !(v * unit <= 1e12))
        return -1;
    return (long long)(v * unit);
}

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
        long long ms = seconds_ms(v);
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

static int post_async(tt_sky *s, const char *path, tt_json_writer *w, char *id, size_t cap,
                      tt_error *err)
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

static void env_kv(tt_json_writer *w, const char *k, const char *v)
{
    tt_jw_kv_string(w, k, v);
}

static void write_credentials(tt_json_writer *w, const tt_sky_credentials *c)
{
    tt_jw_key(w, "env_vars");
    tt_jw_object(w);
    env_kv(w, "AWS_ACCESS_KEY_ID", c->aws_access_key_id);
    env_kv(w, "AWS_SECRET_ACCESS_KEY", c->aws_secret_access_key);
    env_kv(w, "AWS_SESSION_TOKEN", c->aws_session_token);
    env_kv(w, "AZURE_CLIENT_ID", c->azure_client_id);
    env_kv(w, "AZURE_CLIENT_SECRET", c->azure_client_secret);
    env_kv(w, "AZURE_TENANT_ID", c->azure_tenant_id);
    env_kv(w, "AZURE_SUBSCRIPTION_ID", c->azure_subscription_id);
    env_kv(w, "GOOGLE_APPLICATION_CREDENTIALS_JSON", c->gcp_credentials_json);
    tt_jw_end(w);
}

static int need(tt_sky *s, const char *what, const char *v, tt_error *err)
{
    if (v == NULL || v[0] == '\0')
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label, "%s needed", what);
    return 0;
}

int tt_sky_launch(tt_sky *s, const tt_sky_launch_req *q, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    if (need(s, "cluster name", q->cluster_name, err) != 0 ||
        need(s, "task YAML", q->task_yaml, err) != 0)
        return -1;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "task");
    tt_jw_string(&w, q->task_yaml);
    tt_jw_key(&w, "cluster_name");
    tt_jw_string(&w, q->cluster_name);
    tt_jw_key(&w, "retry_until_up");
    tt_jw_bool(&w, q->retry_until_up);
    if (q->credentials != NULL)
        write_credentials(&w, q->credentials);
    tt_jw_end(&w);
    return post_async(s, "/launch", &w, id, cap, err);
}

int tt_sky_down(tt_sky *s, const char *cluster, int purge, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    if (need(s, "cluster name", cluster, err) != 0)
        return -1;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "cluster_name");
    tt_jw_string(&w, cluster);
    tt_jw_key(&w, "purge");
    tt_jw_bool(&w, purge);
    tt_jw_end(&w);
    return post_async(s, "/down", &w, id, cap, err);
}

int tt_sky_status(tt_sky *s, const char *const *clusters, size_t n, char *id, size_t cap,
                  tt_error *err)
{
    tt_json_writer w;
    size_t i;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "cluster_names");
    if (n == 0) {
        tt_jw_null(&w);
    } else {
        tt_jw_array(&w);
        for (i = 0; i < n; i++)
            tt_jw_string(&w, clusters[i]);
        tt_jw_end(&w);
    }
    tt_jw_end(&w);
    return post_async(s, "/status", &w, id, cap, err);
}

int tt_sky_exec(tt_sky *s, const char *cluster, const char *task_yaml, char *id, size_t cap,
                tt_error *err)
{
    tt_json_writer w;
    if (need(s, "cluster name", cluster, err) != 0 || need(s, "task YAML", task_yaml, err) != 0)
        return -1;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "task");
    tt_jw_string(&w, task_yaml);
    tt_jw_key(&w, "cluster_name");
    tt_jw_string(&w, cluster);
    tt_jw_end(&w);
    return post_async(s, "/exec", &w, id, cap, err);
}

int tt_sky_cost_report(tt_sky *s, int days, char *id, size_t cap, tt_error *err)
{
    tt_json_writer w;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "days");
    tt_jw_int(&w, days > 0 ? days : 30);
    tt_jw_end(&w);
    return post_async(s, "/cost_report", &w, id, cap, err);
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

/* p[n] into dst[cap]; text that does not fit is cut and ends in "..." (an
 * error message is shown to a person: a marked cut beats losing it). */
static void put_error_text(char *dst, size_t cap, const char *p, size_t n)
{
    if (n < cap)
        tt_fmt(dst, cap, "%.*s", (int)n, p);
    else
        tt_fmt(dst, cap, "%.*s...", (int)(cap - 4), p);
}

/* The request's error message into out->error: e is a JSON string holding
 * {"type", "message"} (the server's encoding), or an object. */
static void read_error_text(const tt_json *d, tt_json_val e, tt_sky_request *out)
{
    char text[512];
    const char *m;
    if (tt_json_type_of(d, e) == TT_JSON_OBJECT) {
        tt_json_display_copy(d, tt_json_member(d, e, "message", 7), out->error,
                             sizeof out->error);
        return;
    }
    out->error[0] = '\0';
    tt_json_display_copy(d, e, text, sizeof text);
    m = strstr(text, "\"message\": \"");
    if (m != NULL)
        put_error_text(out->error, sizeof out->error, m + 12, strcspn(m + 12, "\""));
    else if (strcmp(text, "null") != 0)
        put_error_text(out->error, sizeof out->error, text, strlen(text));
}

/* Fill out from a request payload object v. */
static int read_request(tt_sky *s, tt_json_val v, tt_sky_request *out, tt_error *err)
{
    const tt_json *d = &s->doc;
    if (tt_json_get_string(d, tt_json_member(d, v, "request_id", 10), out->request_id,
                           sizeof out->request_id, NULL, "request_id", err) != 0 ||
        tt_json_get_string(d, tt_json_member(d, v, "status", 6), out->status,
                           sizeof out->status, NULL, "status", err) != 0)
        return -1;
    tt_json_get_string(d, tt_json_member(d, v, "name", 4), out->name, sizeof out->name,
                       NULL, "name", err);
    out->kind = kind_of(out->status);
    out->result_len = 0;
    if (out->result != NULL && out->result_cap > 0) {
        tt_json_val rv = tt_json_member(d, v, "return_value", 12);
        out->result[0] = '\0';
        if (tt_json_type_of(d, rv) == TT_JSON_STRING &&
            tt_json_get_string(d, rv, out->result, out->result_cap, &out->result_len,
                               "return_value", err) != 0)
            return -1;
    }
    read_error_text(d, tt_json_member(d, v, "error", 5), out);
    return 0;
}

static int request_get(tt_sky *s, const char *path, const char *id, tt_sky_request *out,
                       tt_error *err)
{
    char query[3 * TT_SKY_ID_MAX + 40];
    size_t len;
    tt_api_req r;
    tt_api_resp res;
    tt_json_val v;

    len = (size_t)tt_fmt(query, sizeof query, "%s=",
                         strcmp(path, "/api/get") == 0 ? "request_id" : "request_ids");
    if (id == NULL || id[0] == '\0' ||
        tt_pct_encode(query, sizeof query, &len, id, strlen(id), TT_PCT_QUERY, err) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, s->api.label, "bad request id");
    memset(&r, 0, sizeof r);
    r.path = path;
    r.query = query;
    r.raw = 1;
    /* a FAILED request is a 500 from /api/get: not a server fault to retry */
    r.no_retry = strcmp(path, "/api/get") == 0;
    if (tt_api_call(&s->api, &r, &res, err) != 0) {
        /* /api/get answers a FAILED request with 500 {"detail": payload} */
        tt_error keep = *err;
        tt_json_val det;
        if (keep.http_status == 500 && tt_json_parse(&s->doc, s->buf, res.body_len, err) == 0 &&
            tt_json_type_of(&s->doc, det = tt_json_member(&s->doc, 0, "detail", 6)) ==
                TT_JSON_OBJECT &&
            read_request(s, det, out, err) == 0 && out->kind == TT_SKY_FAILED)
            return tt_error_set(err, TT_ERR_API, TT_E_API, s->api.label, "request %s failed: %s",
                                out->request_id, out->error[0] ? out->error : out->status);
        *err = keep;
        return -1;
    }
    v = res.data;
    if (tt_json_type_of(&s->doc, v) == TT_JSON_ARRAY)
        v = tt_json_index(&s->doc, v, 0);
    if (tt_json_type_of(&s->doc, v) != TT_JSON_OBJECT)
        return tt_error_set(err, TT_ERR_API, TT_E_API, s->api.label, "request %s not found", id);
    return read_request(s, v, out, err);
}

int tt_sky_request_status(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err)
{
    return request_get(s, "/api/status", id, out, err);
}

int tt_sky_get_request(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err)
{
    if (request_get(s, "/api/get", id, out, err) != 0)
        return -1;
    if (out->kind == TT_SKY_FAILED)
        return tt_error_set(err, TT_ERR_API, TT_E_API, s->api.label, "request %s failed: %s",
                            out->request_id, out->error[0] ? out->error : "no message");
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

int tt_sky_logs(tt_sky *s, const char *cluster, int64_t job_id, int follow, int tail,
                tt_body_fn fn, void *user, tt_error *err)
{
    tt_json_writer w;
    tt_api_req r;
    size_t n;
    if (need(s, "cluster name", cluster, err) != 0)
        return -1;
    tt_jw_init(&w, s->req, sizeof s->req);
    tt_jw_object(&w);
    tt_jw_key(&w, "cluster_name");
    tt_jw_string(&w, cluster);
    tt_jw_key(&w, "job_id");
    if (job_id > 0)
        tt_jw_int(&w, job_id);
    else
        tt_jw_null(&w);
    tt_jw_key(&w, "follow");
    tt_jw_bool(&w, follow);
    tt_jw_key(&w, "tail");
    tt_jw_int(&w, tail);
    tt_jw_end(&w);
    if (tt_jw_finish(&w, &n, err) != 0)
        return -1;
    memset(&r, 0, sizeof r);
    r.method = "POST";
    r.path = "/logs";
    r.body = s->req;
    r.body_len = n;
    r.on_body = fn;
    r.user = user;
    r.long_op = 1;
    return tt_api_call(&s->api, &r, NULL, err);
}

static const tt_json_field health_fields[] = {
    { "status", TT_JF_STRING, offsetof(tt_sky_health, status), 24, TT_JF_REQUIRED, NULL, 0, 0, 0 },
    { "api_version", TT_JF_STRING, offsetof(tt_sky_health, api_version), 16, 0, NULL, 0, 0, 0 },
    { "version", TT_JF_STRING, offsetof(tt_sky_health, version), 32, 0, NULL, 0, 0, 0 },
    { "commit", TT_JF_STRING, offsetof(tt_sky_health, commit), 48, 0, NULL, 0, 0, 0 },
};

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
    return tt_json_bind(&s->doc, res.data, health_fields, 4, out, err);
}
