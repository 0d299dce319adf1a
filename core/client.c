/* tether HTTP/1.1 client: pool, exchange, redirects, deadlines. */
#include "tether/client.h"
#include "chars.h"
#include "tether/timefmt.h"

#include <stddef.h>
#include <string.h>

/* ---- configuration ----------------------------------------------------- */

void tt_client_config_default(tt_client_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->connect_timeout_ms = TT_CONNECT_TIMEOUT_MS;
    cfg->request_timeout_ms = TT_REQUEST_TIMEOUT_MS;
    cfg->max_redirects = TT_HTTP_MAX_REDIRECTS;
}

int tt_client_init(tt_client *c, const tt_port *port,
                   const tt_client_config *cfg, tt_error *err)
{
    size_t i;

    /* zero all but the TLS state of the pooled connections: its record
     * buffers are large and tt_tls_open sets up what it needs, so pages
     * of an https-less client are never touched */
    memset(c, 0, offsetof(tt_client, pool));
    memset((char *)c + offsetof(tt_client, pool) + sizeof c->pool, 0,
           sizeof *c - offsetof(tt_client, pool) - sizeof c->pool);
    for (i = 0; i < TT_CLIENT_POOL_SIZE; i++)
#if TT_FEATURE_TLS
        memset(&c->pool[i], 0, offsetof(tt_conn, tls_state));
#else
        memset(&c->pool[i], 0, sizeof c->pool[i]);
#endif
    c->port = *port;
    if (cfg != NULL)
        c->cfg = *cfg;
    else
        tt_client_config_default(&c->cfg);
    if (c->cfg.connect_timeout_ms <= 0 || c->cfg.request_timeout_ms <= 0 ||
        c->cfg.max_redirects < 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_CONFIG, NULL,
                            "timeouts must be positive and max_redirects >= 0");
    for (i = 0; i < TT_CLIENT_POOL_SIZE; i++)
        c->pool[i].sock.fd = -1;
    return 0;
}

/* ---- trace ------------------------------------------------------------- */

/* Copy src[0..n) into out[cap] (NUL-terminated, cut when it must be),
 * the values of secret-named query parameters ("?access_token=...")
 * replaced. */
static void mask_query(char *out, size_t cap, const char *src, size_t n)
{
    size_t o = 0, i = 0;
    int in_query = 0;
    while (i < n && o + 1 < cap) {
        char ch = src[i];
        out[o++] = ch;
        i++;
        if (ch == ' ' && in_query)
            in_query = 0;
        if ((ch == '?' && !in_query) || (ch == '&' && in_query)) {
            size_t name = i, eq;
            in_query = 1;
            for (eq = i; eq < n && src[eq] != '=' && src[eq] != '&' && src[eq] != ' '; eq++)
                ;
            if (eq < n && src[eq] == '=' && tt_http_name_is_secret(src + name, eq - name)) {
                size_t end = eq + 1;
                while (end < n && src[end] != '&' && src[end] != ' ')
                    end++;
                o += tt_fmt(out + o, cap - o, "%.*s=[redacted]", (int)(eq - name), src + name);
                if (o >= cap)
                    o = cap - 1;
                i = end;
            }
        }
    }
    out[o] = '\0';
}

/* Every trace line goes out with secret query values masked: request
 * lines, Location and Referer values and redirect targets are URLs, and a
 * URL can carry a credential as well as a header can. */
static void trace(tt_client *c, const char *fmt, ...)
{
    char raw[TT_LOG_LINE_MAX], line[TT_LOG_LINE_MAX];
    va_list ap;

    if (c->cfg.log == NULL)
        return;
    va_start(ap, fmt);
    tt_vfmt(raw, sizeof raw, fmt, ap);
    va_end(ap);
    mask_query(line, sizeof line, raw, strlen(raw));
    c->cfg.log(c->cfg.log_user, line);
}

/* One header line for the trace, with credential values masked. */
static void trace_field(tt_client *c, char dir, const char *name, size_t nl,
                        const char *value, size_t vl)
{
    if (c->cfg.log == NULL)
        return;
    if (tt_http_name_is_secret(name, nl))
        trace(c, "%c %.*s: [redacted]", dir, (int)nl, name);
    else
        trace(c, "%c %.*s: %.*s", dir, (int)nl, name, (int)vl, value);
}

static void trace_head(tt_client *c, size_t len)
{
    size_t i = 0;
    if (c->cfg.log == NULL)
        return;
    while (i < len) {
        const char *line = c->head + i;
        const char *end = memchr(line, '\r', len - i);
        const char *colon;
        size_t n = end != NULL ? (size_t)(end - line) : len - i;
        if (n == 0)
            break;
        colon = i == 0 ? NULL : memchr(line, ':', n);
        if (colon != NULL)
            trace_field(c, '>', line, (size_t)(colon - line), colon + 2,
                        n - (size_t)(colon - line) - 2);
        else
            trace(c, "> %.*s", (int)n, line);
        i += n + 2;
    }
}

/* ---- connections ------------------------------------------------------- */

static void conn_close(tt_client *c, tt_conn *k)
{
    if (!k->open)
        return;
#if TT_FEATURE_TLS
    if (k->tls)
        tt_tls_close(&k->tls_state);
#endif
    c->port.ops->close(c->port.ctx, &k->sock);
    k->open = 0;
    trace(c, "* closed connection to %s", k->host);
}

static const char *resolve_for(const tt_client *c, const tt_url *u)
{
    if (c->cfg.resolve_addr != NULL && c->cfg.resolve_host != NULL &&
        strcmp(c->cfg.resolve_host, u->host) == 0 &&
        (c->cfg.resolve_port == 0 || c->cfg.resolve_port == u->port))
        return c->cfg.resolve_addr;
    return NULL;
}

#if TT_FEATURE_TLS
/* The session slot for an origin: its own, else the next one to reuse. */
static tt_tls_session *session_for(tt_client *c, const tt_url *u)
{
    tt_tls_session *s;
    size_t i;
    for (i = 0; i < TT_TLS_SESSION_CACHE; i++)
        if (tt_tls_session_is_for(&c->sessions[i], u))
            return &c->sessions[i];
    s = &c->sessions[c->session_next++ % TT_TLS_SESSION_CACHE];
    tt_tls_session_claim(s, u);
    return s;
}

static int conn_tls(tt_client *c, tt_conn *k, const tt_url *u, int64_t deadline,
                    tt_error *err)
{
    tt_tls_session *s = session_for(c, u);
    if (tt_tls_open(&k->tls_state, c->cfg.tls, &c->port, &k->sock, u, s, deadline,
                    c->cfg.cancel, err) != 0)
        return -1;
    c->stats.tls_handshakes++;
    if (tt_tls_resumed(&k->tls_state))
        c->stats.tls_resumed++;
    trace(c, "* TLS 1.%u %s", tt_tls_version(&k->tls_state) & 0xff,
          tt_tls_resumed(&k->tls_state) ? "session resumed" : "handshake done");
    if (c->cfg.tls->insecure) {
        /* counted, and said on every connection: never quietly insecure */
        c->stats.tls_unverified++;
        trace(c, "* WARNING: %s's certificate was NOT verified (insecure mode)", u->host);
    }
    return 0;
}
#endif

static int conn_open(tt_client *c, tt_conn *k, const tt_url *u,
                     int64_t deadline, tt_error *err)
{
    int64_t now = c->port.ops->now_ms(c->port.ctx);
    int64_t cdl = now + c->cfg.connect_timeout_ms;
    int rc;

    if (cdl > deadline)
        cdl = deadline;
    memcpy(k->host, u->host, sizeof k->host);
    k->port = u->port;
    k->tls = u->tls;
    k->requests = 0;
#if TT_FEATURE_TLS
    if (u->tls && c->cfg.tls == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_CONFIG, u->host,
                            "https needs a TLS configuration");
#else
    if (u->tls)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_CONFIG, u->host,
                            "https: this build has no TLS (TT_FEATURE_TLS 0)");
#endif
    trace(c, "* connecting to %s port %u", u->host, (unsigned)u->port);
    rc = c->port.ops->connect(c->port.ctx, &k->sock, u->host, u->port,
                              resolve_for(c, u), cdl, c->cfg.cancel);
    if (rc != TT_PORT_OK) {
        /* a whole-request deadline that ends first is the request's timeout */
        tt_phase ph = (rc == TT_PORT_ETIMEDOUT && cdl == deadline &&
                    now + c->cfg.connect_timeout_ms > deadline) ? TT_PHASE_RECV : TT_PHASE_CONNECT;
        return tt_error_port(err, rc, u->host, ph, k->sock.sys);
    }
    k->open = 1;
    c->stats.connects++;
#if TT_FEATURE_TLS
    if (u->tls && conn_tls(c, k, u, cdl, err) != 0) {
        c->port.ops->close(c->port.ctx, &k->sock);
        k->open = 0;
        return -1;
    }
#endif
    trace(c, "* connected to %s port %u", u->host, (unsigned)u->port);
    return 0;
}

static int conn_send(tt_client *c, tt_conn *k, const void *buf, size_t len,
                     int64_t deadline, tt_error *err)
{
    const unsigned char *p = buf;
#if TT_FEATURE_TLS
    if (k->tls)
        return tt_tls_send(&k->tls_state, buf, len, deadline, err);
#endif
    while (len > 0) {
        long n = c->port.ops->send(c->port.ctx, &k->sock, p, len, deadline,
                                   c->cfg.cancel);
        if (n < 0)
            return tt_error_port(err, n, k->host, TT_PHASE_SEND, k->sock.sys);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Into buf (cap bytes): > 0 bytes, 0 end of stream, -1 error */
static long conn_recv(tt_client *c, tt_conn *k, unsigned char *buf, size_t cap,
                      int64_t deadline, tt_phase ph, tt_error *err)
{
    long n;
#if TT_FEATURE_TLS
    if (k->tls)
        return tt_tls_recv(&k->tls_state, buf, cap, deadline, ph == TT_PHASE_IDLE, err);
#endif
    n = c->port.ops->recv(c->port.ctx, &k->sock, buf, cap, deadline, c->cfg.cancel);
    if (n < 0)
        return tt_error_port(err, n, k->host, ph, k->sock.sys);
    return n;
}

/* An idle connection to the URL's origin, else a closed slot (the least
 * recently used one is closed to make room). *reused says which. */
static tt_conn *pool_pick(tt_client *c, const tt_url *u, int *reused)
{
    int64_t now = c->port.ops->now_ms(c->port.ctx);
    tt_conn *free_slot = NULL, *lru = &c->pool[0];
    size_t i;

    for (i = 0; i < TT_CLIENT_POOL_SIZE; i++) {
        tt_conn *k = &c->pool[i];
        if (k->open && now - k->last_used > TT_CLIENT_IDLE_REUSE_MS)
            conn_close(c, k);
        if (k->open && k->tls == u->tls && k->port == u->port &&
            strcmp(k->host, u->host) == 0) {
            *reused = 1;
            return k;
        }
        if (!k->open && free_slot == NULL)
            free_slot = k;
        if (k->last_used < lru->last_used)
            lru = k;
    }
    *reused = 0;
    if (free_slot != NULL)
        return free_slot;
    conn_close(c, lru);
    return lru;
}

/* ---- one exchange ------------------------------------------------------ */

typedef struct exchange {
    tt_client *c;
    const tt_request *req;
    tt_response *res;
    const char *method;
    int follow;          /* redirects may be followed */
    int redirect;        /* this response is one we will follow */
    size_t location_len; /* 0: no Location seen */
    int location_long;
    int head_done;
    size_t body_len;
} exchange;

static int is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 ||
           status == 307 || status == 308;
}

static void keep_value(char *dst, size_t cap, const char *v, size_t n)
{
    if (n < cap) {
        memcpy(dst, v, n);
        dst[n] = '\0';
    } else {
        dst[0] = '\0';
    }
}

static int on_status(void *user, int status, const char *reason, size_t rl,
                     tt_error *err)
{
    exchange *x = user;
    (void)err;
    x->res->status = status;
    x->res->minor_version = x->c->parser.minor_version;
    keep_value(x->res->reason, sizeof x->res->reason, reason, rl);
    x->redirect = x->follow && is_redirect(status);
    trace(x->c, "< HTTP/1.%d %d %.*s", x->c->parser.minor_version, status,
          (int)rl, reason);
    return 0;
}

static int on_header(void *user, const char *name, size_t nl, const char *value,
                     size_t vl, int trailer, tt_error *err)
{
    exchange *x = user;
    tt_client *c = x->c;

    trace_field(c, '<', name, nl, value, vl);
    if (!trailer) {
        if (tt_http_name_eq(name, nl, "content-type"))
            keep_value(x->res->content_type, sizeof x->res->content_type, value, vl);
        else if (tt_http_name_eq(name, nl, "retry-after"))
            x->res->retry_after = tt_parse_retry_after(
                value, vl, tt_port_wall_s(&c->port));
        else if (tt_http_name_eq(name, nl, "location")) {
            x->location_long = vl >= sizeof c->location;
            x->location_len = vl;
            keep_value(c->location, sizeof c->location, value, vl);
        }
    }
    if (x->redirect || x->req->on_header == NULL)
        return 0;
    return x->req->on_header(x->req->user, name, nl, value, vl, trailer, err);
}

static int on_head_done(void *user, tt_error *err)
{
    exchange *x = user;
    x->head_done = 1;
    if (x->redirect || x->req->on_head == NULL)
        return 0;
    return x->req->on_head(x->req->user, x->res, err);
}

static int on_body(void *user, const unsigned char *data, size_t len,
                   tt_error *err)
{
    exchange *x = user;
    const tt_request *rq = x->req;

    if (x->redirect)
        return 0; /* the body of a redirect we follow is not the caller's */
    if (rq->on_body != NULL)
        return rq->on_body(rq->user, data, len, err);
    if (rq->body_buf == NULL)
        return 0;
    if (len > rq->body_cap - x->body_len)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BODY, x->c->url.host,
                            "response body larger than the %zu-byte buffer",
                            rq->body_cap);
    memcpy(rq->body_buf + x->body_len, data, len);
    x->body_len += len;
    return 0;
}

static const tt_http_callbacks client_callbacks = {
    on_status, on_header, on_head_done, on_body
};

static int send_chunked(tt_client *c, tt_conn *k, const tt_request *rq,
                        int64_t deadline, tt_error *err)
{
    /* the receive buffer is idle while sending: produce into it, leaving
     * room for the size line in front and the CRLF behind */
    const size_t front = 10;
    for (;;) {
        long n = rq->produce(rq->produce_user, c->rbuf + front,
                             sizeof c->rbuf - front - 2, err);
        size_t hl;
        char hex[12];
        if (n < 0)
            return -1;
        if (n == 0)
            return conn_send(c, k, "0\r\n\r\n", 5, deadline, err);
        hl = tt_fmt(hex, sizeof hex, "%lx\r\n", (unsigned long)n);
        memcpy(c->rbuf + front - hl, hex, hl);
        memcpy(c->rbuf + front + n, "\r\n", 2);
        if (conn_send(c, k, c->rbuf + front - hl, hl + (size_t)n + 2,
                      deadline, err) != 0)
            return -1;
    }
}

/* A produced body of announced length: exactly produce_len bytes. */
static int send_produced(tt_client *c, tt_conn *k, const tt_request *rq,
                         int64_t deadline, tt_error *err)
{
    long long left = rq->produce_len;
    while (left > 0) {
        size_t cap = sizeof c->rbuf;
        long n;
        if ((long long)cap > left)
            cap = (size_t)left;
        n = rq->produce(rq->produce_user, c->rbuf, cap, err);
        if (n < 0)
            return -1;
        if (n == 0)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, c->url.host,
                                "request body ended %lld bytes short of its length",
                                left);
        if (conn_send(c, k, c->rbuf, (size_t)n, deadline, err) != 0)
            return -1;
        left -= n;
    }
    return 0;
}

static int send_request(tt_client *c, tt_conn *k, const exchange *x,
                        int with_body, unsigned flags, int64_t deadline,
                        tt_error *err)
{
    const tt_request *rq = x->req;
    long long cl = TT_HTTP_NO_BODY;
    long hl;

    if (with_body && rq->produce != NULL)
        cl = rq->produce_len > 0 ? rq->produce_len : TT_HTTP_CHUNKED;
    else if (with_body)
        cl = (long long)rq->body_len;
    else if (strcmp(x->method, "POST") == 0 || strcmp(x->method, "PUT") == 0)
        cl = 0;
    hl = tt_http_write_head(c->head, sizeof c->head, x->method, &c->url,
                            rq->headers, rq->nheaders, c->cfg.user_agent, cl,
                            flags, err);
    if (hl < 0)
        return -1;
    trace_head(c, (size_t)hl);
    if (with_body && rq->produce == NULL && rq->body_len > 0) {
        /* small bodies go out with the head in one write */
        if (rq->body_len <= sizeof c->head - (size_t)hl) {
            memcpy(c->head + hl, rq->body, rq->body_len);
            return conn_send(c, k, c->head, (size_t)hl + rq->body_len, deadline, err);
        }
        if (conn_send(c, k, c->head, (size_t)hl, deadline, err) != 0)
            return -1;
        return conn_send(c, k, rq->body, rq->body_len, deadline, err);
    }
    if (conn_send(c, k, c->head, (size_t)hl, deadline, err) != 0)
        return -1;
    if (with_body && rq->produce != NULL)
        return cl == TT_HTTP_CHUNKED ? send_chunked(c, k, rq, deadline, err)
                                     : send_produced(c, k, rq, deadline, err);
    return 0;
}

/* Where the next read goes: the caller's bulk buffer while a body at
 * least as large as the receive buffer is coming (body bytes need no
 * parsing, so they are fed from there), else the receive buffer. */
static unsigned char *recv_target(tt_client *c, const tt_request *rq, size_t *cap)
{
    uint64_t left = tt_http_parser_body_left(&c->parser);
    if (rq->bulk_buf != NULL && rq->on_body != NULL && left >= sizeof c->rbuf &&
        rq->bulk_cap > sizeof c->rbuf) {
        *cap = left < rq->bulk_cap ? (size_t)left : rq->bulk_cap;
        return rq->bulk_buf;
    }
    *cap = sizeof c->rbuf;
    return c->rbuf;
}

/* Read and parse one response. Returns 0 (complete), or -1. */
static int read_response(tt_client *c, tt_conn *k, exchange *x,
                         int64_t deadline, tt_error *err)
{
    const tt_request *rq = x->req;

    for (;;) {
        /* a stream is bounded by the request deadline until its head is
         * in; from then on only the idle timeout applies */
        int64_t dl = (rq->stream && x->head_done) ? TT_PORT_NO_DEADLINE : deadline;
        tt_phase ph = TT_PHASE_RECV;
        size_t used, cap;
        unsigned char *buf = recv_target(c, rq, &cap);
        long n;
        int rc;

        if (rq->idle_timeout_ms > 0) {
            int64_t idle = c->port.ops->now_ms(c->port.ctx) + rq->idle_timeout_ms;
            if (idle < dl) {
                dl = idle;
                ph = TT_PHASE_IDLE;
            }
        }
        n = conn_recv(c, k, buf, cap, dl, ph, err);
        if (n < 0)
            return -1;
        if (n == 0) {
#if TT_FEATURE_TLS
            /* a body that ends at the close must end with close_notify,
             * or an attacker could have cut it short */
            if (k->tls && c->parser.framing == TT_FRAME_CLOSE &&
                tt_tls_truncated(&k->tls_state) && x->head_done)
                return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_TRUNCATED, k->host,
                                    "TLS stream ended without close_notify: "
                                    "the body may be truncated");
#endif
            return tt_http_parser_finish(&c->parser, err) == TT_HTTP_DONE ? 0 : -1;
        }
        rc = tt_http_parser_feed(&c->parser, buf, (size_t)n, &used, err);
        if (rc < 0)
            return -1;
        if (rc == TT_HTTP_DONE) {
            if (used < (size_t)n) {
                /* bytes beyond the response: the server broke framing or
                 * pipelined garbage; this connection cannot be trusted */
                trace(c, "* %zu bytes after the response; closing",
                      (size_t)n - used);
                c->parser.keep_alive = 0;
            }
            return 0;
        }
    }
}

/*
 * Send the request and read the response on a pooled connection. When a
 * reused connection turns out to have been closed by the server before any
 * byte of the response arrived, send once more on a fresh connection.
 */
static int exchange_once(tt_client *c, exchange *x, int with_body,
                         unsigned flags, int64_t deadline, tt_error *err)
{
    const tt_request *rq = x->req;
    int attempt, reused = 0;
    tt_conn *k = NULL;

    for (attempt = 0; attempt < 2; attempt++) {
        int rc;
        k = pool_pick(c, &c->url, &reused);
        if (!reused && conn_open(c, k, &c->url, deadline, err) != 0)
            return -1;
        if (reused) {
            c->stats.reuses++;
            trace(c, "* reusing connection to %s", k->host);
        }
        x->redirect = 0;
        x->location_len = 0;
        x->location_long = 0;
        x->head_done = 0;
        x->body_len = 0;
        tt_http_parser_init(&c->parser, strcmp(x->method, "HEAD") == 0,
                            c->url.host, &client_callbacks, x);
        rc = send_request(c, k, x, with_body, flags, deadline, err);
        if (rc == 0) {
            x->res->sent = 1; /* from here on the server may act on it */
            rc = read_response(c, k, x, deadline, err);
        }
        k->last_used = c->port.ops->now_ms(c->port.ctx);
        if (rc == 0) {
            k->requests++;
            x->res->reused = reused;
            if (!c->parser.keep_alive)
                conn_close(c, k);
            return 0;
        }
        conn_close(c, k);
        if (!reused || tt_http_parser_started(&c->parser) ||
            err->cls != TT_ERR_NETWORK || attempt > 0)
            return -1;
        /* a stale keep-alive connection: the request may go again, if its
         * body can be produced again */
        if (with_body && rq->produce != NULL &&
            (rq->rewind == NULL || rq->rewind(rq->produce_user, err) != 0))
            return -1;
        c->stats.resends++;
        trace(c, "* server closed the idle connection; sending again");
    }
    return -1;
}

/* ---- redirects and the public call ------------------------------------- */

static uint64_t url_hash(const tt_url *u, const char *method)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[3];
    size_t i;
    parts[0] = method;
    parts[1] = u->host;
    parts[2] = u->target;
    for (i = 0; i < 3; i++) {
        const char *s;
        for (s = parts[i]; *s != '\0'; s++)
            h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        h = (h ^ 0xff) * 1099511628211ULL;
    }
    return h ^ ((uint64_t)u->port << 1) ^ (uint64_t)u->tls;
}

static int same_origin(const tt_url *a, const tt_url *b)
{
    return a->tls == b->tls && a->port == b->port && strcmp(a->host, b->host) == 0;
}

/* Prepare the next hop of a redirect; may change method and drop the body. */
static int follow_redirect(tt_client *c, exchange *x, int *with_body,
                           unsigned *flags, tt_error *err)
{
    const tt_request *rq = x->req;
    int status = x->res->status;

    if (x->location_len == 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_HTTP_NO_LOCATION,
                            c->url.host, "redirect %d without Location", status);
    if (x->location_long)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_URL, c->url.host,
                            "Location longer than TT_URL_MAX (%u bytes)",
                            (unsigned)TT_URL_MAX);
    if (tt_url_resolve(&c->next, &c->url, c->location, x->location_len, err) != 0) {
        if (err->cls == TT_ERR_USAGE) {
            err->cls = TT_ERR_PROTOCOL;
            err->code = TT_E_HTTP_BAD_LOCATION;
        }
        return -1;
    }
    if ((status == 303 && strcmp(x->method, "HEAD") != 0) ||
        ((status == 301 || status == 302) && strcmp(x->method, "POST") == 0)) {
        x->method = "GET";
        *with_body = 0;
    }
    if (*with_body && rq->produce != NULL &&
        (rq->rewind == NULL || rq->rewind(rq->produce_user, err) != 0))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, c->url.host,
                            "redirect %d needs the streamed body again", status);
    if (!same_origin(&c->url, &c->next))
        *flags |= TT_HEAD_STRIP_CREDENTIALS;
    c->url = c->next;
    return 0;
}

static void response_reset(tt_response *res)
{
    memset(res, 0, sizeof *res);
    res->retry_after = -1;
}

int tt_client_request(tt_client *c, const tt_request *req, tt_response *res,
                      tt_error *err)
{
    tt_response local;
    exchange x;
    uint64_t seen[16];
    int max_redirects = req->max_redirects >= 0 ? req->max_redirects
                                                 : c->cfg.max_redirects;
    int with_body = req->body != NULL || req->produce != NULL;
    unsigned flags = 0;
    int64_t timeout = req->timeout_ms > 0 ? req->timeout_ms : c->cfg.request_timeout_ms;
    int64_t deadline = c->port.ops->now_ms(c->port.ctx) + timeout;

    tt_error_clear(err);
    if (res == NULL)
        res = &local;
    response_reset(res);
    if (req->url == NULL)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "no URL");
    if (tt_url_parse(&c->url, req->url, strlen(req->url), err) != 0)
        return -1;
    memset(&x, 0, sizeof x);
    x.c = c;
    x.req = req;
    x.res = res;
    x.method = req->method != NULL ? req->method : (with_body ? "POST" : "GET");
    x.follow = max_redirects > 0;
    c->stats.requests++;
    for (;;) {
        seen[res->redirects % 16] = url_hash(&c->url, x.method);
        if (exchange_once(c, &x, with_body, flags, deadline, err) != 0)
            return -1;
        if (!x.redirect)
            break;
        if (res->redirects >= max_redirects)
            return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_REDIRECTS, c->url.host,
                                "more than %d redirects", max_redirects);
        if (follow_redirect(c, &x, &with_body, &flags, err) != 0)
            return -1;
        res->redirects++;
        {
            uint64_t h = url_hash(&c->url, x.method);
            int i, n = res->redirects < 16 ? res->redirects : 16;
            for (i = 0; i < n; i++)
                if (seen[i] == h)
                    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_HTTP_REDIRECT_LOOP,
                                        c->url.host, "redirect loop");
        }
        trace(c, "* following redirect to %s%s", c->url.host, c->url.target);
        res->retry_after = -1;
        res->content_type[0] = '\0';
    }
    res->minor_version = c->parser.minor_version;
    res->body_bytes = c->parser.body_bytes;
    res->body_len = x.body_len;
    if (req->on_body == NULL && req->body_buf != NULL && x.body_len < req->body_cap)
        req->body_buf[x.body_len] = '\0';
    tt_url_format(&c->url, res->url, sizeof res->url);
    return 0;
}

void tt_client_close(tt_client *c)
{
    size_t i;
    for (i = 0; i < TT_CLIENT_POOL_SIZE; i++)
        conn_close(c, &c->pool[i]);
}

/* ---- status errors and Retry-After ------------------------------------- */

int tt_error_from_status(tt_error *err, const char *host, int status,
                         int32_t retry_after)
{
    tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, host, "HTTP %d %s",
                 status, tt_http_reason(status));
    if (err != NULL) {
        err->http_status = status;
        err->retry_after = retry_after;
    }
    return -1;
}

int32_t tt_parse_retry_after(const char *v, size_t n, int64_t now_wall)
{
    size_t i;
    int64_t t;

    if (n > 0 && tt_is_digit((unsigned char)v[0])) {
        int64_t s = 0;
        for (i = 0; i < n; i++) {
            if (!tt_is_digit((unsigned char)v[i]))
                return -1;
            if (s < INT32_MAX)
                s = s * 10 + (v[i] - '0');
        }
        return s > INT32_MAX ? INT32_MAX : (int32_t)s;
    }
    if (tt_http_date_parse(v, n, &t) != 0 || t < 0 || now_wall < 0)
        return -1;
    t -= now_wall;
    if (t < 0)
        return 0;
    return t > INT32_MAX ? INT32_MAX : (int32_t)t;
}
