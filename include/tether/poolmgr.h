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

typedef struct tt_pool_config {
    const char *url;             /* NULL: http://127.0.0.1:9200 */
    const char *token;           /* NULL/"": no Authorization header */
    int64_t timeout_ms;          /* 0: 5 s */
} tt_pool_config;

typedef struct tt_pool_health {
    char status[16];             /* "ok" */
    char version[32];
} tt_pool_health;

typedef struct tt_pool_status {
    char pool_id[64];
    int live;
    int ready;
    int32_t active_leases;
    char engine_version[64];     /* "" when the daemon sent null */
    /* not served by every daemon version: -1 when absent */
    int32_t slots_total;
    int32_t slots_free;
} tt_pool_status;

typedef struct tt_pool {
    tt_client client;
    tt_api api;
    char buf[4096];
    tt_json doc;
} tt_pool;

int tt_pool_init(tt_pool *p, const tt_port *port, const tt_pool_config *cfg, tt_error *err);
void tt_pool_close(tt_pool *p);

int tt_pool_get_health(tt_pool *p, tt_pool_health *out, tt_error *err);
int tt_pool_get_status(tt_pool *p, const char *pool_id, tt_pool_status *out, tt_error *err);

/* 1 when the daemon answered its health check within the timeout, else 0
 * with err saying why (a network error, a status, a bad body). */
int tt_pool_is_available(tt_pool *p, tt_error *err);

#endif /* TT_POOLMGR_H */
