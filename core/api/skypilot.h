/*
 * skypilot: the SkyPilot API server. Long operations (launch, down,
 * status, exec, cost report) are POSTs answered at once with a request id
 * in the X-Skypilot-Request-ID header (X-Request-ID from older servers);
 * their outcome is fetched with GET /api/get?request_id= (which blocks on
 * the server until the request is done), or polled without blocking with
 * GET /api/status?request_ids=. Logs stream as text. Errors are FastAPI's
 * {"detail": ...}.
 *
 * Auth: a service-account token, "Authorization: Bearer sky_...". It and
 * any per-request cloud credentials never appear in a trace (credential
 * headers are masked, bodies are never traced).
 *
 * Retries: network errors, 5xx and 429 (Retry-After wins), exponential
 * 1 s -> 30 s with +-25 % jitter, 3 by default; never other 4xx or a
 * cancellation.
 *
 * Environment (tt_sky_config_from_env): SKYPILOT_API_SERVER_URL (or the
 * server's own SKYPILOT_API_SERVER_ENDPOINT), SKYPILOT_SERVICE_ACCOUNT_TOKEN,
 * SKYPILOT_REQUEST_TIMEOUT ("30", "10m", "1h"), SKYPILOT_MAX_RETRIES.
 */
#ifndef TT_SKYPILOT_H
#define TT_SKYPILOT_H

#include "api.h"

#define TT_SKY_ID_MAX 80

typedef struct tt_sky_config {
    const char *url;             /* NULL: http://127.0.0.1:46580 */
    const char *token;           /* service-account token, "sky_..." */
    int64_t timeout_ms;          /* per request; 0: 30 s */
    int max_retries;             /* < 0: 3 */
} tt_sky_config;

/* Fill cfg from the environment (getenv is the caller's platform's: this
 * is the one function here that reads it). Unset values keep cfg's. -1
 * with a usage error for a bad timeout or retry count. */
int tt_sky_config_from_env(tt_sky_config *cfg, tt_error *err);

/* Cloud credentials for one launch, sent as the request's env_vars. */
typedef struct tt_sky_credentials {
    const char *aws_access_key_id, *aws_secret_access_key, *aws_session_token;
    const char *azure_client_id, *azure_client_secret, *azure_tenant_id,
               *azure_subscription_id;
    const char *gcp_credentials_json;  /* service-account key JSON text */
} tt_sky_credentials;

typedef struct tt_sky_launch_req {
    const char *cluster_name;    /* required */
    const char *task_yaml;       /* required: the task as YAML text */
    int retry_until_up;
    int detach;                  /* tt_sky_launch_wait only: do not wait */
    const tt_sky_credentials *credentials;  /* NULL: the server's own */
} tt_sky_launch_req;

typedef enum tt_sky_status_kind {
    TT_SKY_PENDING = 0,
    TT_SKY_RUNNING,
    TT_SKY_SUCCEEDED,
    TT_SKY_FAILED,
    TT_SKY_CANCELLED,
    TT_SKY_UNKNOWN
} tt_sky_status_kind;

/* A request's state; the result (return_value, itself JSON text) is
 * copied into the caller's buffer when one is given. */
typedef struct tt_sky_request {
    char request_id[TT_SKY_ID_MAX];
    char name[64];
    char status[16];
    tt_sky_status_kind kind;
    char error[256];             /* the error's message when FAILED */
    char *result;                /* caller's buffer, or NULL */
    size_t result_cap;
    size_t result_len;
} tt_sky_request;

typedef struct tt_sky_health {
    char status[24];             /* "healthy" */
    char api_version[16];
    char version[32];
    char commit[48];
} tt_sky_health;

typedef struct tt_sky {
    tt_client client;
    tt_api api;
    int64_t poll_first_ms;       /* tt_sky_wait: 5000, growing x1.5 */
    int64_t poll_max_ms;         /* to 30000 */
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    tt_json doc;
} tt_sky;

int tt_sky_init(tt_sky *s, const tt_port *port, const tt_sky_config *cfg, tt_error *err);
void tt_sky_close(tt_sky *s);

/* The asynchronous calls: the request id into id[cap]. */
int tt_sky_launch(tt_sky *s, const tt_sky_launch_req *q, char *id, size_t cap, tt_error *err);
int tt_sky_down(tt_sky *s, const char *cluster, int purge, char *id, size_t cap, tt_error *err);
int tt_sky_status(tt_sky *s, const char *const *clusters, size_t n, char *id, size_t cap,
                  tt_error *err);
int tt_sky_exec(tt_sky *s, const char *cluster, const char *task_yaml, char *id, size_t cap,
                tt_error *err);
int tt_sky_cost_report(tt_sky *s, int days, char *id, size_t cap, tt_error *err);

/* A request's state now, without waiting (GET /api/status). */
int tt_sky_request_status(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err);

/* A finished request's outcome (GET /api/get; the server holds the answer
 * until the request is done). A FAILED request is returned with its error
 * text in out->error and -1 with TT_ERR_API. */
int tt_sky_get_request(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err);

/* Poll until a terminal status, every 5 s growing to 30 s (poll_first_ms,
 * poll_max_ms), but never past
 * deadline_ms (port clock; 0: none): then TT_ERR_TIMEOUT. The outcome as
 * tt_sky_get_request. */
int tt_sky_wait(tt_sky *s, const char *id, int64_t deadline_ms, tt_sky_request *out,
                tt_error *err);

/* Job logs, streamed to fn as they come (POST /logs). */
int tt_sky_logs(tt_sky *s, const char *cluster, int64_t job_id, int follow, int tail,
                tt_body_fn fn, void *user, tt_error *err);

int tt_sky_get_health(tt_sky *s, tt_sky_health *out, tt_error *err);

#endif /* TT_SKYPILOT_H */
