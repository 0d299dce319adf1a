/*
 * tether HTTP/1.1 client: requests over a pool of keep-alive connections,
 * with redirects, deadlines and streaming bodies.
 *
 * A tt_client is one caller-owned struct holding everything a request needs
 * (connection pool, parser, buffers; sizes from config.h). It makes
 * one request at a time: it is not safe to use one client from two threads
 * at once; use one client per thread. Cancellation (cfg.cancel) is safe from
 * any thread or a signal handler.
 *
 * Typical use:
 *
 *     static tt_client cl;
 *     tt_port port;  tt_port_posix_init(&port);
 *     tt_client_init(&cl, &port, NULL);
 *     char body[4096];
 *     tt_request rq = { 0 };
 *     rq.url = "http://10.0.0.1:8080/api/v1/health";
 *     rq.body_buf = body;  rq.body_cap = sizeof body;
 *     tt_response rs;  tt_error err;
 *     if (tt_client_request(&cl, &rq, &rs, &err) != 0) -> err.msg
 *     else rs.status, body[0..rs.body_len)
 *     tt_client_close(&cl);
 */
#ifndef TT_CLIENT_H
#define TT_CLIENT_H

#include "errors.h"
#include "http.h"
#include "url.h"
#include "port.h"

#if TT_FEATURE_TLS
#include "tls.h"
#endif

/* A file that sees the TLS backend's real structs (tls_internal.h) would
 * lay tt_conn and tt_client out differently from every other file: the
 * real structs are smaller than their opaque blocks. */
#ifdef TT_TLS_BACKEND_IMPL
#error "tether/client.h and tls_internal.h cannot meet in one file"
#endif

/* Trace hook: one line of text without newline (for -v). Secrets such as
 * Authorization values are masked before the hook sees them. */
typedef void (*tt_log_fn)(void *user, const char *line);

/* Response body sink: called with each piece; 0 to go on, -1 to stop (set
 * err). Pieces are valid only during the call. */
typedef int (*tt_body_fn)(void *user, const unsigned char *data, size_t len,
                          tt_error *err);

/* Response header sink: every header and trailer of the final response. */
typedef int (*tt_header_fn)(void *user, const char *name, size_t name_len,
                            const char *value, size_t value_len, int trailer,
                            tt_error *err);

typedef struct tt_response tt_response;

/* Head hook: the final response's head is complete (status, reason and
 * content type are set in res); called before any body byte. */
typedef int (*tt_head_fn)(void *user, const tt_response *res, tt_error *err);

/* Request body producer for chunked uploads: write up to cap bytes into
 * buf and return the count, 0 at the end, or -1 with err set. */
typedef long (*tt_produce_fn)(void *user, unsigned char *buf, size_t cap,
                              tt_error *err);

/* Start a produced body over (for a redirect or a resend); 0 or -1. When
 * NULL the body cannot be sent twice and such requests fail instead. */
typedef int (*tt_rewind_fn)(void *user, tt_error *err);

typedef struct tt_client_config {
    int64_t connect_timeout_ms;  /* default TT_CONNECT_TIMEOUT_MS */
    int64_t request_timeout_ms;  /* default TT_REQUEST_TIMEOUT_MS */
    int max_redirects;           /* default TT_HTTP_MAX_REDIRECTS; 0 = never */
    const char *user_agent;      /* NULL: "tether/" TT_VERSION */
    /* curl's --resolve: connect to resolve_addr for resolve_host:port */
    const char *resolve_host;
    uint16_t resolve_port;
    const char *resolve_addr;
    tt_log_fn log;               /* NULL: no trace */
    void *log_user;
    volatile sig_atomic_t *cancel; /* non-zero stops the client promptly */
#if TT_FEATURE_TLS
    const tt_tls_config *tls;    /* NULL: https URLs fail with a usage error */
#endif
} tt_client_config;

typedef struct tt_request {
    const char *method;          /* NULL: GET, or POST when a body is given */
    const char *url;             /* absolute http:// or https:// URL */
    const tt_header *headers;    /* extra headers; may be NULL */
    size_t nheaders;
    const void *body;            /* request body with Content-Length */
    size_t body_len;
    /* or: a body from this producer, sent with Content-Length produce_len
     * when that is > 0 (the producer must then give exactly that many
     * bytes), else chunked */
    tt_produce_fn produce;
    long long produce_len;
    tt_rewind_fn rewind;
    void *produce_user;
    int64_t timeout_ms;          /* 0: the client's request timeout */
    int max_redirects;           /* -1: the client's setting; 0: never */
    /* streaming responses (event streams): the request deadline covers
     * connect and head only; then each read waits at most idle_timeout_ms
     * (0: no limit) */
    int stream;
    int64_t idle_timeout_ms;
    /* sinks; while they run, the tt_response given to tt_client_request
     * already holds the status, reason and version of this response */
    tt_head_fn on_head;
    tt_header_fn on_header;
    tt_body_fn on_body;          /* when NULL, the body goes to body_buf */
    void *user;
    char *body_buf;              /* collect buffer; NULL with no on_body: */
    size_t body_cap;             /* the body is read and discarded */
    /* optional, with on_body: the caller's buffer a large body is read
     * straight into (when at least TT_HTTP_RECV_BUF body bytes are still
     * to come), so that on_body gets bulk_cap bytes a call instead of a
     * receive buffer's worth; read and written during the call only */
    unsigned char *bulk_buf;
    size_t bulk_cap;
} tt_request;

struct tt_response {
    int status;                  /* final status after redirects */
    int minor_version;
    size_t body_len;             /* bytes stored in body_buf */
    uint64_t body_bytes;         /* body bytes received in all */
    int32_t retry_after;         /* seconds, -1 when absent */
    int redirects;               /* redirects followed */
    int reused;                  /* 1: the final exchange reused a connection */
    int sent;                    /* 1: a request was sent whole (also set when
                                  * the call then failed: the server may have
                                  * acted on it); 0: it never left whole */
    char content_type[TT_HTTP_CONTENT_TYPE_MAX]; /* "" when absent or too long */
    char reason[TT_HTTP_REASON_MAX];             /* "" when absent or too long */
    char url[TT_URL_TEXT_MAX];   /* the final URL, whole */
};

typedef struct tt_conn {
    tt_sock sock;
    int open;
    int tls;
    uint16_t port;
    int64_t last_used;
    unsigned requests;           /* requests served on this connection */
    char host[TT_URL_HOST_MAX];
#if TT_FEATURE_TLS
    tt_tls_conn tls_state;
#endif
} tt_conn;

/* Counters for tests and benchmarks. */
typedef struct tt_client_stats {
    unsigned long connects;
    unsigned long reuses;
    unsigned long resends;
    unsigned long requests;
    unsigned long tls_handshakes;  /* full or resumed */
    unsigned long tls_resumed;     /* of which resumed */
    unsigned long tls_unverified;  /* of which insecure: no certificate check */
} tt_client_stats;

typedef struct tt_client {
    tt_port port;
    tt_client_config cfg;
    tt_client_stats stats;
    tt_conn pool[TT_CLIENT_POOL_SIZE];
#if TT_FEATURE_TLS
    tt_tls_session sessions[TT_TLS_SESSION_CACHE];
    unsigned session_next;       /* round-robin replacement */
#endif
    tt_http_parser parser;
    tt_url url;
    tt_url next;
    char location[TT_URL_MAX];
    char head[TT_HTTP_REQUEST_HEAD_MAX];
    unsigned char rbuf[TT_HTTP_RECV_BUF];
} tt_client;

/* Fill cfg with the defaults from config.h. */
void tt_client_config_default(tt_client_config *cfg);

/* Prepare a client. `cfg` may be NULL for defaults; it is copied, but the
 * strings, TLS config and cancel flag it points to must outlive the client.
 * The port is copied. Returns 0, or -1 with a usage error for bad values. */
int tt_client_init(tt_client *c, const tt_port *port,
                   const tt_client_config *cfg, tt_error *err);

/*
 * Perform one request: connect or reuse, send, read the response (following
 * redirects when allowed), and deliver the body to the request's sink.
 * Returns 0 when a complete response was received, whatever its status
 * (see res->status; tt_error_from_status() turns >= 400 into an error), or
 * -1 with err set. `res` may be NULL.
 */
int tt_client_request(tt_client *c, const tt_request *req, tt_response *res,
                      tt_error *err);

/* Close every pooled connection. The client may be used again. */
void tt_client_close(tt_client *c);

/*
 * Make an HTTP-class error from a response status (>= 400): message
 * "host: HTTP 404 Not Found", retry_after copied. Returns -1.
 */
int tt_error_from_status(tt_error *err, const char *host, int status,
                         int32_t retry_after);

/* Parse a Retry-After value (delta-seconds or an IMF-fixdate, the latter
 * relative to now_wall seconds); returns seconds >= 0 or -1 when invalid. */
int32_t tt_parse_retry_after(const char *v, size_t n, int64_t now_wall);

#endif /* TT_CLIENT_H */
