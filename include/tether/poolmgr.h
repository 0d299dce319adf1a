/*
 * poolmgr: the GPU pool manager daemon (llama-orch's pool-managerd).
 * GET /health -> {"status", "version"}; GET /pools/{id}/status ->
 * {"pool_id", "live", "ready", "active_leases", "engine_version"}, with a
 * bearer token (LLORCH_API_TOKEN) on everything but /health; errors are
 * {"error": "pool x not found"}.
 *
 * Unlike the original client, nothing is swallowed into defaults: every
 * failure is returned, and is_available says "no" only with the reason.
 * Defaults: POOL_MANAGERD_URL or http://127.0.0.1:9200, 5 s timeout, no
 * retries.
 */
#ifndef TT_POOLMGR_H
#define TT_POOLMGR_H

#include "api.h"

#if !TT_FEATURE_POOLMGR
#error "this build has no poolmgr client (TT_FEATURE_POOLMGR is 0 or what it needs is off)"
#endif

/* Read only by tt_pool_init: the URL and token are copied, so cfg and its
 * strings may go once init returns. */
typedef struct tt_pool_config {
    const char *url;             /* NULL: http://127.0.0.1:9200 */
    const char *token;           /* NULL/"": no Authorization header */
    int64_t timeout_ms;          /* 0: 5 s */
} tt_pool_config;

/* Caller-owned. A string longer than its array is an error
 * (TT_E_LIMIT_JSON_STRING), never cut. */
typedef struct tt_pool_health {
    char status[16];             /* "ok" when healthy (required) */
    char version[32];            /* the daemon's version, "" if absent */
} tt_pool_health;

/* Caller-owned; strings as in tt_pool_health. */
typedef struct tt_pool_status {
    char pool_id[64];            /* as the daemon names it (required) */
    int live;
    int ready;
    int32_t active_leases;
    char engine_version[64];     /* "" when the daemon sent null */
    /* not served by every daemon version: -1 when absent */
    int32_t slots_total;
    int32_t slots_free;
} tt_pool_status;

/* The tables of the two records (printing them, binding them from a
 * caller's own text). */
extern const tt_json_field tt_pool_health_json;
extern const tt_json_field tt_pool_status_json;

/*
 * One client: caller-owned (85 KiB in the default configuration: a 4 KiB
 * body buffer, the JSON tokens and the client's connection pool). It
 * points into itself after tt_pool_init: never copy or move it. One call
 * at a time.
 */
typedef struct tt_pool {
    tt_client client;
    tt_api api;
    char buf[4096];
    tt_json doc;
} tt_pool;

/* Prepare p (the port is copied; the connect timeout is the request
 * timeout). -1 with err: a URL that is not http(s) (usage, TT_E_URL_*),
 * too long (TT_E_LIMIT_URL), or a token of TT_API_TOKEN_MAX bytes or more
 * (TT_E_INVALID_ARG). */
int tt_pool_init(tt_pool *p, const tt_port *port, const tt_pool_config *cfg, tt_error *err);

/* Close pooled connections; p may be used again. */
void tt_pool_close(tt_pool *p);

/* GET /health into out (zeroed first). -1 with err: the call's errors
 * (tt_api_call), TT_E_JSON_MISSING for an empty body or no "status",
 * TT_E_LIMIT_JSON_STRING for a field longer than its array (the fields
 * that fit are still bound). */
int tt_pool_get_health(tt_pool *p, tt_pool_health *out, tt_error *err);

/* GET /pools/{pool_id}/status into out (zeroed, slots -1). pool_id is
 * percent-encoded here; NULL, "", "." or "..", or an encoding of 192
 * bytes or more is TT_E_INVALID_ARG (usage). Errors otherwise as
 * tt_pool_get_health; pool_id, live and ready are required. */
int tt_pool_get_status(tt_pool *p, const char *pool_id, tt_pool_status *out, tt_error *err);

/* 1 when the daemon answered its health check within the timeout with
 * status "ok", else 0 with err saying why (a network error, a status, a
 * bad body; another status text is TT_ERR_API, code TT_E_API, with
 * the text in api_code and http_status 200). Never -1. */
int tt_pool_is_available(tt_pool *p, tt_error *err);

#endif /* TT_POOLMGR_H */
