/*
 * The shared request path of the control-plane clients: URL, auth header,
 * one attempt through tt_client, status and envelope mapping, retries.
 */
#include "tether/config.h"
#if TT_FEATURE_API

#include "tether/api.h"
#include "tether/backoff.h"
#include "tether/timefmt.h"

#include <string.h>

void tt_retry_default(tt_retry_policy *p)
{
    p->max_retries = TT_API_RETRIES;
    p->base_ms = TT_API_RETRY_BASE_MS;
    p->max_ms = TT_API_RETRY_MAX_MS;
    p->jitter_pct = TT_API_RETRY_JITTER_PCT;
    p->retry_after_max_ms = TT_API_RETRY_AFTER_MAX_MS;
}

int tt_api_init(tt_api *a, tt_client *client, const char *base_url, const char *label,
                char *buf, size_t cap, tt_json *doc, tt_error *err)
{
    tt_url u;
    size_t n = base_url != NULL ? strlen(base_url) : 0;

    memset(a, 0, sizeof *a);
    if (n == 0 || tt_url_parse(&u, base_url, n, err) != 0)
        return n == 0 ? tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                     "no server URL configured") : -1;
    while (n > 0 && base_url[n - 1] == '/')
        n--;
    if (n >= sizeof a->base)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, NULL, "server URL too long");
    memcpy(a->base, base_url, n);
    a->base[n] = '\0';
    tt_fmt(a->label, sizeof a->label, "%s", label != NULL && label[0] ? label : u.host);
    a->client = client;
    a->buf = buf;
    a->cap = cap;
    a->doc = doc;
    tt_retry_default(&a->retry);
    a->retry.max_retries = 0;
    a->date = -1;
    return 0;
}

/* Sequence counter accesses with the ordering a second core needs (GCC
 * and Clang atomics; plain volatile accesses elsewhere). */
#if defined(__GNUC__)
#define SEQ_LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define SEQ_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define SEQ_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#define SEQ_LOAD(p) (*(p))
#define SEQ_STORE(p, v) (*(p) = (v))
#define SEQ_FENCE() ((void)0)
#endif

int tt_api_set_token(tt_api *a, tt_api_auth kind, const char *secret, tt_error *err)
{
    size_t n = secret != NULL ? strlen(secret) : 0;
    unsigned seq = SEQ_LOAD(&a->seq);
    if (n >= TT_API_TOKEN_MAX)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "token longer than TT_API_TOKEN_MAX (%d)", TT_API_TOKEN_MAX);
    if (kind == TT_API_AUTH_OAUTH_PLAINTEXT) {
        const char *c1 = secret != NULL ? strchr(secret, ':') : NULL;
        if (c1 == NULL || strchr(c1 + 1, ':') == NULL || strchr(strchr(c1 + 1, ':') + 1, ':'))
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "API key is not consumer:token:secret");
    }
    SEQ_STORE(&a->seq, seq + 1);          /* odd: being written */
    SEQ_FENCE();
    memcpy(a->secret, secret != NULL ? secret : "", n + 1);
    SEQ_FENCE();
    SEQ_STORE(&a->seq, seq + 2);          /* even: whole again */
    a->auth = kind;
    return 0;
}

void tt_api_token_copy(tt_api *a, char *buf, size_t cap)
{
    for (;;) {
        unsigned before = SEQ_LOAD(&a->seq), after;
        if (before & 1u)
            continue;                     /* a write is under way */
        SEQ_FENCE();
        tt_fmt(buf, cap, "%s", a->secret);
        SEQ_FENCE();
        after = SEQ_LOAD(&a->seq);
        if (before == after)
            return;
    }
}

/* ---- headers ------------------------------------------------------------------ */

int64_t tt_api_now_s(tt_api *a)
{
    int64_t wall = tt_port_wall_s(&a->client->port);
    if (wall + a->clock_offset_s < TT_TLS_CLOCK_FLOOR && a->date >= 0)
        a->clock_offset_s = a->date - wall;
    return wall + a->clock_offset_s;
}

static const char *oauth_header(tt_api *a, const char *key)
{
    const char *c1 = strchr(key, ':'), *c2 = strchr(c1 + 1, ':');
    const tt_port *p = &a->client->port;
    unsigned char rnd[12];
    char nonce[25];
    int64_t now = tt_api_now_s(a);
    size_t i;

    if (p->ops->random == NULL || p->ops->random(p->ctx, rnd, sizeof rnd) != TT_PORT_OK)
        memset(rnd, 0x5a, sizeof rnd);
    for (i = 0; i < sizeof rnd; i++) {
        nonce[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
        nonce[2 * i + 1] = "0123456789abcdef"[rnd[i] & 15];
    }
    nonce[2 * sizeof rnd] = '\0';
    tt_fmt(a->auth_value, sizeof a->auth_value,
           "OAuth oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", "
           "oauth_consumer_key=\"%.*s\", oauth_token=\"%.*s\", oauth_signature=\"&%s\", "
           "oauth_nonce=\"%s\", oauth_timestamp=\"%lld\"",
           (int)(c1 - key), key, (int)(c2 - c1 - 1), c1 + 1, c2 + 1, nonce,
           (long long)(now > 0 ? now : 0));
    return a->auth_value;
}

/* The request's headers into h[max]: their count, or 0 when the caller's
 * do not all fit (never sent with some left out). */
static size_t build_headers(tt_api *a, const tt_api_req *r, tt_header *h, size_t max)
{
    char secret[TT_API_TOKEN_MAX];
    size_t n = 0, i;
    tt_api_token_copy(a, secret, sizeof secret);
    h[n].name = "Accept";
    h[n++].value = "application/json";
    if (a->auth == TT_API_AUTH_BEARER && secret[0] != '\0') {
        tt_fmt(a->auth_value, sizeof a->auth_value, "Bearer %s", secret);
        h[n].name = "Authorization";
        h[n++].value = a->auth_value;
    } else if (a->auth == TT_API_AUTH_OAUTH_PLAINTEXT) {
        h[n].name = "Authorization";
        h[n++].value = oauth_header(a, secret);
    }
    if (r->body != NULL) {
        h[n].name = "Content-Type";
        h[n++].value = r->content_type != NULL ? r->content_type : "application/json";
    }
    if (a->gz != NULL) {
        h[n].name = "Accept-Encoding";
        h[n++].value = "gzip";
    }
    for (i = 0; i < r->nheaders && n < max; i++)
        h[n++] = r->headers[i];
    return i < r->nheaders ? 0 : n;
}

/* ---- one attempt ------------------------------------------------------------------ */

typedef struct attempt_ctx {
    tt_api *a;
    const tt_api_req *r;
    tt_api_resp *out;
    int streaming;               /* the body goes to r->on_body */
    int collecting;              /* the body goes to a->buf (as far as it fits) */
    int gzipped;                 /* Content-Encoding: gzip */
    size_t len;                  /* collected bytes */
    int overflow;
    tt_error zerr;               /* inflate's end after a failed request */
} attempt_ctx;

static int on_head(void *user, const tt_response *res, tt_error *err)
{
    attempt_ctx *x = user;
    int ok = res->status >= 200 && res->status < 300;
    x->streaming = x->r->on_body != NULL && (ok || x->r->bind_errors);
    x->collecting = !ok || !x->streaming;
    if (x->gzipped && (x->a->gz == NULL || tt_gzip_inflate_begin(x->a->gz, err) != 0))
        return x->a->gz == NULL ? tt_error_set(err, TT_ERR_PROTOCOL, TT_E_GZIP, x->a->label,
                                               "gzip body that was not asked for") : -1;
    return 0;
}

static int on_header(void *user, const char *name, size_t nl, const char *value,
                     size_t vl, int trailer, tt_error *err)
{
    attempt_ctx *x = user;
    const tt_api_req *r = x->r;
    (void)trailer;
    /* content codings are case-insensitive (RFC 9110 8.4.1) */
    if (tt_http_name_eq(name, nl, "content-encoding") && tt_http_name_eq(value, vl, "gzip"))
        x->gzipped = 1;
    if (tt_http_name_eq(name, nl, "date") && tt_http_date_parse(value, vl, &x->a->date) != 0)
        x->a->date = -1;
    if (r->capture_cap == 0)
        return 0;
    if (!(r->capture_name != NULL && tt_http_name_eq(name, nl, r->capture_name)) &&
        !(r->capture_alt != NULL && tt_http_name_eq(name, nl, r->capture_alt) &&
          r->capture_buf[0] == '\0'))
        return 0;
    /* a cut request id would name another request (or none) */
    if (vl >= r->capture_cap)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_HEADER_LINE, x->a->label,
                            "%.*s \"%.*s...\" (%zu bytes) does not fit its %zu-byte buffer",
                            (int)nl, name, (int)(vl < 64 ? vl : 64), value, vl,
                            r->capture_cap);
    memcpy(r->capture_buf, value, vl);
    r->capture_buf[vl] = '\0';
    return 0;
}

static int plain_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    attempt_ctx *x = user;
    if (x->streaming) {
        x->out->streamed += len;
        if (x->r->on_body(x->r->user, data, len, err) != 0) {
            /* an error body the sink cannot take (a proxy's text) is still
             * the server's error, told by its status and what was kept */
            if (!x->collecting)
                return -1;
            x->streaming = 0;
        }
    }
    if (!x->collecting)
        return 0;
    if (len > x->a->cap - x->len) {
        x->overflow = 1; /* reported once the status is known */
        return 0;
    }
    memcpy(x->a->buf + x->len, data, len);
    x->len += len;
    return 0;
}

static int on_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    attempt_ctx *x = user;
    if (x->gzipped)
        return tt_gzip_inflate_feed(x->a->gz, data, len, plain_body, x, err);
    return plain_body(user, data, len, err);
}

/* 1 when the error is worth another attempt. */
static int retryable(const tt_error *e)
{
    switch (e->cls) {
    case TT_ERR_NETWORK:
    case TT_ERR_TIMEOUT:
        return 1;
    case TT_ERR_HTTP:
    case TT_ERR_API:
        return e->http_status >= 500 || e->http_status == 429;
    default:
        return 0;
    }
}

static int interpret(tt_api *a, attempt_ctx *x, const tt_response *res, tt_api_resp *out,
                     tt_error *err)
{
    tt_json_envelope env;
    out->status = res->status;
    out->body_len = x->len;
    if (res->status < 200 || res->status >= 300)
        return tt_json_api_error(err, a->label, res->status, res->retry_after,
                                 a->buf, x->len, a->doc);
    if (x->streaming || x->len == 0)
        return 0;
    if (x->overflow)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BODY, a->label,
                            "response body larger than the %zu-byte buffer", a->cap);
    if (tt_json_parse(a->doc, a->buf, x->len, err) != 0) {
        tt_error inner = *err;
        return tt_error_set(err, inner.cls, inner.code, a->label, "response: %s", inner.msg);
    }
    if (x->r->raw) {
        out->data = 0;
        return 0;
    }
    tt_json_envelope_read(a->doc, &env);
    if (env.is_error)
        return tt_json_api_error(err, a->label, res->status, res->retry_after,
                                 a->buf, x->len, a->doc);
    out->data = env.data;
    return 0;
}

static int attempt(tt_api *a, const tt_api_req *r, tt_api_resp *out, tt_error *err)
{
    tt_header h[TT_API_HEADERS_MAX];
    tt_request rq;
    tt_response res;
    attempt_ctx x;

    memset(&rq, 0, sizeof rq);
    memset(&x, 0, sizeof x);
    x.a = a;
    x.r = r;
    x.out = out;
    a->date = -1;
    rq.method = r->method;
    rq.url = a->url;
    rq.headers = h;
    rq.nheaders = build_headers(a, r, h, TT_API_HEADERS_MAX);
    if (rq.nheaders == 0)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_HEADER_COUNT, a->label,
                            "more request headers than TT_API_HEADERS_MAX (%d)",
                            TT_API_HEADERS_MAX);
    rq.body = r->body;
    rq.body_len = r->body_len;
    if (r->body != NULL && a->gz != NULL && a->gzip_threshold > 0 &&
        r->body_len > a->gzip_threshold) {
        size_t zlen;
        tt_error ignore;
        /* compression is an optimisation: a body it cannot shrink into
         * zbuf goes as it is */
        if (tt_gzip_compress(a->gz, r->body, r->body_len, a->zbuf, a->zcap, &zlen, &ignore) == 0 &&
            rq.nheaders < TT_API_HEADERS_MAX) {
            rq.body = a->zbuf;
            rq.body_len = zlen;
            h[rq.nheaders].name = "Content-Encoding";
            h[rq.nheaders++].value = "gzip";
        }
    }
    rq.timeout_ms = r->long_op && a->long_timeout_ms > 0 ? a->long_timeout_ms : a->timeout_ms;
    rq.stream = r->stream;
    rq.idle_timeout_ms = r->stream && r->idle_timeout_ms <= 0 ? a->timeout_ms : r->idle_timeout_ms;
    rq.max_redirects = -1;
    rq.on_head = on_head;
    rq.on_header = on_header;
    rq.on_body = on_body;
    rq.user = &x;
    a->stats.attempts++;
    out->attempts++;
    res.sent = 0;
    if (tt_client_request(a->client, &rq, &res, err) != 0) {
        out->sent = res.sent;
        /* a gzip answer without a->gz was refused before inflating */
        if (x.gzipped && a->gz != NULL)
            tt_gzip_inflate_end(a->gz, &x.zerr);
        return -1;
    }
    out->sent = 1;
    if (x.gzipped && tt_gzip_inflate_end(a->gz, err) != 0)
        return -1;
    return interpret(a, &x, &res, out, err);
}

/* ---- the call with its retries ------------------------------------------------------ */

/* A POST may change the server's state: sent twice, it could launch two
 * clusters or compose two VMs. */
static int idempotent(const tt_api_req *r)
{
    const char *m = r->method != NULL ? r->method : (r->body != NULL ? "POST" : "GET");
    return r->idempotent || strcmp(m, "POST") != 0;
}

/* The server cannot have acted on the request that failed with e. */
static int not_acted_on(const tt_error *e, int sent)
{
    if (e->cls == TT_ERR_HTTP || e->cls == TT_ERR_API)
        return e->http_status == 429 || (e->http_status == 503 && e->retry_after >= 0);
    return !sent;
}

static int may_retry(const tt_api *a, const tt_api_req *r, const tt_api_resp *out, int tries,
                     const tt_error *e)
{
    return !r->no_retry && tries < a->retry.max_retries && retryable(e) &&
           out->streamed == 0 && (idempotent(r) || not_acted_on(e, out->sent));
}

/* MAAS refuses an OAuth timestamp more than 300 s behind its clock (a
 * device without a real-time clock): take the offset from its Date. */
static int clock_corrected(tt_api *a, const tt_api_resp *out, const tt_error *e)
{
    const tt_port *p = &a->client->port;
    static const char expired[] = "Expired timestamp";
    size_t n = sizeof expired - 1, i;
    if (a->auth != TT_API_AUTH_OAUTH_PLAINTEXT || e->http_status != 401 || a->date < 0 ||
        out->body_len < n)
        return 0;
    for (i = 0; i + n <= out->body_len; i++)
        if (memcmp(a->buf + i, expired, n) == 0)
            break;
    if (i + n > out->body_len)
        return 0;
    a->clock_offset_s = a->date - tt_port_wall_s(p);
    return 1;
}

/* A failed call that had a request id (SkyPilot's): say it, so that the
 * caller can look the request up instead of sending it again. */
static int with_request_id(const tt_api_req *r, tt_error *err)
{
    size_t n;
    if (r->capture_cap == 0 || r->capture_buf[0] == '\0' || err->cls == TT_ERR_USAGE)
        return -1;
    n = strlen(err->msg);
    tt_fmt(err->msg + n, sizeof err->msg - n, " (request %s)", r->capture_buf);
    return -1;
}

/* A Retry-After longer than the policy allows: the caller decides. */
static int waits_too_long(const tt_api *a, const tt_error *e)
{
    return e->http_status == 429 && e->retry_after >= 0 &&
           (int64_t)e->retry_after * 1000 > a->retry.retry_after_max_ms;
}

static int64_t retry_delay(const tt_api *a, int n, const tt_error *e)
{
    if (e->http_status == 429 && e->retry_after >= 0)
        return (int64_t)e->retry_after * 1000;
    return tt_backoff_jittered(&a->client->port, a->retry.base_ms, a->retry.max_ms,
                               a->retry.jitter_pct, (unsigned)n);
}

int tt_api_call(tt_api *a, const tt_api_req *r, tt_api_resp *out, tt_error *err)
{
    tt_api_resp local;
    size_t n;
    int tries = 0, corrected = 0;

    if (out == NULL)
        out = &local;
    memset(out, 0, sizeof *out);
    out->data = -1;
    n = tt_fmt(a->url, sizeof a->url, "%s%s%s%s", a->base, r->path,
               r->query != NULL ? "?" : "", r->query != NULL ? r->query : "");
    if (n >= sizeof a->url)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_LIMIT_URL, a->label,
                            "request URL longer than TT_URL_MAX (%d)", TT_URL_MAX);
    a->stats.calls++;
    for (;;) {
        const tt_port *p = &a->client->port;
        if (r->capture_cap > 0)
            r->capture_buf[0] = '\0';
        if (attempt(a, r, out, err) == 0)
            return 0;
        if (!corrected && clock_corrected(a, out, err)) {
            corrected = 1; /* once: a second refusal is the answer */
            continue;
        }
        if (!may_retry(a, r, out, tries, err) || waits_too_long(a, err))
            return with_request_id(r, err);
        if (p->ops->sleep_ms(p->ctx, retry_delay(a, tries, err), a->client->cfg.cancel) !=
            TT_PORT_OK)
            return tt_error_set(err, TT_ERR_CANCELLED, TT_E_CANCELLED, a->label,
                                "cancelled while waiting to retry");
        tries++;
        a->stats.retries++;
    }
}

int tt_api_call_bind(tt_api *a, const tt_api_req *r, tt_json_binder *b, tt_api_resp *out,
                     tt_error *err)
{
    tt_api_req q = *r;
    tt_api_resp local;
    if (out == NULL)
        out = &local;
    q.on_body = tt_json_binder_body;
    q.user = b;
    if (tt_api_call(a, &q, out, err) != 0)
        return -1;
    if (tt_json_binder_finish(b, err) != 0) {
        tt_error inner = *err;
        return tt_error_set(err, inner.cls, inner.code, a->label, "%s", inner.msg);
    }
    return 0;
}

/* ---- error checks ------------------------------------------------------------------ */

static int status_of(const tt_error *e)
{
    return (e->cls == TT_ERR_HTTP || e->cls == TT_ERR_API) ? e->http_status : 0;
}

int tt_api_is_not_found(const tt_error *e)
{
    return status_of(e) == 404;
}

int tt_api_is_unauthorized(const tt_error *e)
{
    return status_of(e) == 401 || status_of(e) == 403;
}

int tt_api_is_rate_limited(const tt_error *e)
{
    return status_of(e) == 429;
}

int tt_api_is_server(const tt_error *e)
{
    return status_of(e) >= 500;
}

int tt_api_is_conflict(const tt_error *e)
{
    return status_of(e) == 409;
}

int tt_api_segment(char *out, size_t cap, const char *s)
{
    size_t len = 0;
    tt_error e;
    if (cap == 0)
        return -1;
    out[0] = '\0';
    /* "" would join its neighbours ("/executions//ack"); "." and ".."
     * would be dot segments to the server: another resource either way */
    if (s == NULL || s[0] == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return -1;
    return tt_pct_encode(out, cap, &len, s, strlen(s), TT_PCT_SEGMENT, &e);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
