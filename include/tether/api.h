/*
 * What every control-plane client shares: the base URL, authentication
 * headers (bearer tokens that can be swapped while in use, MAAS's OAuth
 * PLAINTEXT), one request call that maps statuses and error envelopes to
 * the library error, and the retry policy. The protocol clients in
 * core/api/ are thin tables of endpoints over this.
 *
 * Ownership: the tt_api holds no memory of its own beyond its struct; the
 * response buffer and the JSON token array are the caller's (sized by the
 * client that embeds it), and so is the tt_client underneath: all three
 * must outlive it. One call at a time per tt_api (its URL, header and
 * body buffers are per call); only tt_api_set_token may run alongside.
 */
#ifndef TT_API_H
#define TT_API_H

#include <signal.h>
#include <stdint.h>

#include "base64.h"
#include "client.h"
#include "gzip.h"
#include "json.h"

typedef enum tt_api_auth {
    TT_API_AUTH_NONE = 0,
    TT_API_AUTH_BEARER,          /* Authorization: Bearer TOKEN */
    TT_API_AUTH_OAUTH_PLAINTEXT  /* MAAS: OAuth 1.0 PLAINTEXT from "ck:tk:ts" */
} tt_api_auth;

/*
 * Retries for network errors, timeouts, 5xx and 429 (Retry-After wins);
 * never for other statuses, usage errors or cancellation. A request that
 * is not idempotent (a POST not marked so: launch, exec, compose,
 * register) is retried only when the server cannot have acted on it: it
 * never left whole (resolve, connect, TLS handshake, a send that failed),
 * or the answer was 429, or 503 with Retry-After. A streamed body is never
 * retried once a byte of it reached the caller.
 */
typedef struct tt_retry_policy {
    int max_retries;             /* 0: the caller owns the policy */
    int64_t base_ms;             /* first wait */
    int64_t max_ms;              /* cap of the doubling */
    unsigned jitter_pct;         /* +- this percentage */
    int64_t retry_after_max_ms;  /* a longer Retry-After is not waited out:
                                  * the 429 is returned with retry_after */
} tt_retry_policy;

/* Counters since init, for people and tests. */
typedef struct tt_api_stats {
    unsigned long calls;
    unsigned long attempts;      /* requests sent, retries included */
    unsigned long retries;
} tt_api_stats;

typedef struct tt_api {
    tt_client *client;
    char base[TT_URL_MAX];       /* "https://h:8443/api/v1", no trailing slash */
    char label[TT_URL_HOST_MAX]; /* names the server in messages ("host-a");
                                  * a longer label is cut (messages only) */
    tt_api_auth auth;
    /* the secret: a bearer token or MAAS's key, behind a sequence count
     * (odd while a write is in progress): tt_api_token_copy retries until
     * it copied a whole one, so a token swapped from another thread is
     * never seen torn. One writer at a time. */
    char secret[TT_API_TOKEN_MAX];
    volatile unsigned seq;
    tt_retry_policy retry;
    int64_t timeout_ms;          /* per request; 0: the client's */
    int64_t long_timeout_ms;     /* for calls flagged long */
    char *buf;                   /* response bodies (caller's) */
    size_t cap;
    tt_json *doc;                /* their tokens (caller's) */
    /* gzip (caller's, optional): bodies longer than gzip_threshold are
     * sent compressed through zbuf; answers are accepted and inflated */
    tt_gzip *gz;
    size_t gzip_threshold;       /* 0: never compress requests */
    unsigned char *zbuf;
    size_t zcap;
    tt_api_stats stats;
    /* seconds to add to the port's wall clock for auth timestamps: set
     * from the server's Date when MAAS refused one as expired */
    int64_t clock_offset_s;
    /* scratch of one call */
    int64_t date;                /* the last answer's Date, -1 none */
    char url[TT_URL_MAX];
    char auth_value[TT_API_TOKEN_MAX + 256];
} tt_api;

/*
 * Prepare: base URL (copied, without its trailing slash), label for
 * messages (copied; NULL or "": the URL's host), buffers (kept by
 * pointer: client, buf[cap] and doc must outlive a). Retries start off
 * (retry.max_retries 0, the other fields the defaults). -1 with err: no
 * URL (TT_E_INVALID_ARG), a URL tt_url_parse refuses, or one of
 * TT_URL_MAX bytes or more (TT_E_LIMIT_URL, usage class).
 */
int tt_api_init(tt_api *a, tt_client *client, const char *base_url, const char *label,
                char *buf, size_t cap, tt_json *doc, tt_error *err);

/* Set or swap the secret (bearer token, or MAAS key "ck:tk:ts"), copied.
 * NULL is "" (no Authorization header) for a bearer token. -1 with
 * TT_E_INVALID_ARG (usage), the old secret kept, when longer than
 * TT_API_TOKEN_MAX - 1 or, for MAAS, NULL or not three parts. */
int tt_api_set_token(tt_api *a, tt_api_auth kind, const char *secret, tt_error *err);

/* Copy the current secret into buf[cap] (NUL-terminated): safe against a
 * concurrent tt_api_set_token. cap must be TT_API_TOKEN_MAX: a smaller
 * buf receives the secret silently cut. */
void tt_api_token_copy(tt_api *a, char *buf, size_t cap);

/* The default policy: TT_API_RETRIES retries, TT_API_RETRY_BASE_MS doubling
 * to TT_API_RETRY_MAX_MS, +-TT_API_RETRY_JITTER_PCT. */
void tt_retry_default(tt_retry_policy *p);

/* One request, read during tt_api_call only: its strings, body and
 * headers are the caller's and need last no longer. */
typedef struct tt_api_req {
    const char *method;          /* NULL: GET, POST with a body */
    const char *path;            /* appended to base; escaped by the caller */
    const char *query;           /* NULL, or "a=1&b=2" (escaped) */
    const char *body;            /* request body or NULL */
    size_t body_len;
    const char *content_type;    /* NULL: application/json when a body */
    int long_op;                 /* use long_timeout_ms */
    int no_retry;                /* this call is never retried */
    int idempotent;              /* a POST that may be sent twice */
    /* a body that lasts (logs): the deadline covers the head only, then
     * each read waits at most idle_timeout_ms (0: the client's request
     * timeout) */
    int stream;
    int64_t idle_timeout_ms;
    const tt_header *headers;    /* more headers: with tt_api's own (up to
                                  * four) at most TT_API_HEADERS_MAX, else
                                  * TT_E_LIMIT_HEADER_COUNT, nothing sent */
    size_t nheaders;
    /* stream a 2xx body here instead of collecting it (an error body is
     * still collected, for its message; with bind_errors it is streamed
     * here too, and collected as far as it fits) */
    tt_body_fn on_body;
    void *user;
    int bind_errors;
    /* the 2xx body is plain JSON, not an envelope: data is the root even
     * when it has an "error" member */
    int raw;
    /* capture one response header (e.g. a request id), or the alternative
     * name when the first is absent, into capture_buf[capture_cap] (NUL-
     * terminated, "" when absent). A value of capture_cap bytes or more
     * fails the call (TT_E_LIMIT_HEADER_LINE) rather than being cut. */
    const char *capture_name;
    const char *capture_alt;
    char *capture_buf;
    size_t capture_cap;
} tt_api_req;

/* What a call got. data and body_len refer to a->doc and a->buf: valid
 * until the next call on the same tt_api. */
typedef struct tt_api_resp {
    int status;
    tt_json_val data;            /* the envelope's data in a->doc; -1 none */
    size_t body_len;             /* bytes collected in a->buf */
    uint64_t streamed;           /* bytes handed to on_body */
    int attempts;
    int sent;                    /* the last attempt left whole */
} tt_api_resp;

/*
 * One call with the policy: 0 for a 2xx response whose body (when
 * collected and not empty) parsed as JSON and was no error envelope.
 * Otherwise -1 with err: network/timeout/TLS classes as the client
 * reports them, TT_ERR_API ("label: message", api_code, http_status,
 * retry_after) for an error envelope, TT_ERR_HTTP for other statuses
 * (short text bodies appended), TT_ERR_PROTOCOL for a 2xx body that is
 * not JSON. Limits: base + path + query of TT_URL_MAX bytes or more is
 * TT_E_LIMIT_URL (usage, nothing sent); a collected 2xx body larger than
 * a->cap is TT_E_LIMIT_BODY; an error body is kept as far as it fits and
 * the message read from that. A cancelled retry wait is TT_E_CANCELLED.
 * With a capture, a failure's message ends in " (request ID)". out may
 * be NULL.
 */
int tt_api_call(tt_api *a, const tt_api_req *r, tt_api_resp *out, tt_error *err);

/*
 * One call whose body binds into records while it streams (b prepared by
 * the caller with its tables and callbacks): r->on_body and r->user are
 * set here. 0 when the answer was 2xx and b finished without an error;
 * else -1 with err: the call's own error first, then the binder's (with
 * b->partial when only the root record had a problem). Messages name the
 * server.
 */
int tt_api_call_bind(tt_api *a, const tt_api_req *r, tt_json_binder *b, tt_api_resp *out,
                     tt_error *err);

/* Error checks for callers and CLIs: 1 only for TT_ERR_HTTP and
 * TT_ERR_API errors with that status; err must not be NULL. */
int tt_api_is_not_found(const tt_error *err);     /* HTTP 404 */
int tt_api_is_unauthorized(const tt_error *err);  /* 401 or 403 */
int tt_api_is_rate_limited(const tt_error *err);  /* 429 */
int tt_api_is_server(const tt_error *err);        /* 5xx */
int tt_api_is_conflict(const tt_error *err);      /* 409 */


/* Percent-encode one path segment (a VM name) into out[cap], NUL-
 * terminated; -1 (no tt_error: callers name the argument) when it does
 * not fit (out is then "", never a truncated name), for NULL and "" (no
 * segment), and for "." and "..", which a server would resolve as dot
 * segments. */
int tt_api_segment(char *out, size_t cap, const char *s);

/* Now in Unix seconds for what a request carries (timestamps, OAuth): the
 * port's wall clock plus a->clock_offset_s. A clock that reads before
 * TT_TLS_CLOCK_FLOOR was never set (a board without RTC, before NTP):
 * then the last answer's Date, when there was one, sets the offset. */
int64_t tt_api_now_s(tt_api *a);

#endif /* TT_API_H */
