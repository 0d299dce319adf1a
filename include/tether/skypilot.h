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
 * cancellation. launch, exec and down are sent again only when the server
 * cannot have acted on them (api.h); a failure after that names the
 * request id, so that the request can be looked up instead of repeated.
 *
 * Environment (tt_sky_config_from_env): SKYPILOT_API_SERVER_URL (or the
 * server's own SKYPILOT_API_SERVER_ENDPOINT), SKYPILOT_SERVICE_ACCOUNT_TOKEN,
 * SKYPILOT_REQUEST_TIMEOUT ("30", "10m", "1h"), SKYPILOT_MAX_RETRIES.
 */
#ifndef TT_SKYPILOT_H
#define TT_SKYPILOT_H

#include "api.h"

#if !TT_FEATURE_SKYPILOT
#error "this build has no skypilot client (TT_FEATURE_SKYPILOT is 0 or what it needs is off)"
#endif

#define TT_SKY_ID_MAX 80

/* Read only by tt_sky_init (strings copied): cfg may go after it. */
typedef struct tt_sky_config {
    const char *url;             /* NULL: http://127.0.0.1:46580 */
    const char *token;           /* service-account token, "sky_..." */
    int64_t timeout_ms;          /* per request; 0: 30 s */
    int max_retries;             /* < 0: 3 */
    /* who asks: sent in every request's env_vars as SKYPILOT_USER_ID (8
     * hex digits in SkyPilot's own clients) and SKYPILOT_USER. The server
     * reads both from env_vars whenever env_vars is present (a KeyError,
     * HTTP 500, otherwise), so without a user id no env_vars are sent, and
     * per-launch credentials are refused. */
    const char *user_id;         /* < 64 bytes, else TT_E_INVALID_ARG */
    const char *user;            /* NULL: user_id; < 128 bytes */
    int64_t logs_idle_ms;        /* logs: longest silence; 0: 300 s */
} tt_sky_config;

/* Fill cfg from the environment (getenv is the caller's platform's: this
 * is the one function here that reads it). Unset values keep cfg's; the
 * strings set point into the environment (valid while it is unchanged).
 * -1 with TT_E_INVALID_ARG (usage) for a bad timeout or a retry count
 * outside 0..100, cfg filled up to it. */
int tt_sky_config_from_env(tt_sky_config *cfg, tt_error *err);

/* Cloud credentials for one launch, sent as the request's env_vars (NULL
 * or "": left out); read during the call only. They need a user id. */
typedef struct tt_sky_credentials {
    const char *aws_access_key_id, *aws_secret_access_key, *aws_session_token;
    const char *azure_client_id, *azure_client_secret, *azure_tenant_id,
               *azure_subscription_id;
    const char *gcp_credentials_json;  /* service-account key JSON text */
} tt_sky_credentials;

/* Read during tt_sky_launch only. */
typedef struct tt_sky_launch_req {
    const char *cluster_name;    /* required */
    const char *task_yaml;       /* required: the task as YAML text */
    int retry_until_up;
    int detach;                  /* not read by the library (tt_sky_launch
                                  * never waits): the caller's own flag */
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

/* One cluster of a status result (StatusResponse without its pickled
 * handle), sized for real records. A string longer than its array is
 * that cluster's problem (TT_E_LIMIT_JSON_STRING), except those marked
 * "cut", shortened visibly ("..."). */
typedef struct tt_sky_cluster {
    char name[256];
    char status[16];             /* "INIT", "UP", "STOPPED" */
    int64_t launched_at;
    int64_t status_updated_at;
    int32_t autostop;            /* minutes, -1: none */
    int to_down;
    int32_t nodes;
    char cloud[32];
    char region[64];
    char cpus[16];
    char memory[16];
    char accelerators[128];
    char resources_str[256];     /* for people: cut, marked */
    char last_use[256];          /* the command line: cut, marked */
    char user_hash[16];
    char user_name[128];
    char workspace[64];
    char cluster_hash[64];
    char cluster_name_on_cloud[256];
    int cluster_ever_up;
    int is_managed;
} tt_sky_cluster;

/* Each cluster of a status result, with its own problem when a field did
 * not fit (the rest is bound); -1 stops. */
typedef int (*tt_sky_cluster_fn)(void *user, const tt_sky_cluster *c, const tt_error *problem,
                                 tt_error *err);

/*
 * A request's state (RequestPayload). Its result (return_value, a JSON
 * text inside a string) goes, whatever its size: to on_cluster when set
 * and the request is a status request (each cluster, without buffering
 * the list); else to on_result in pieces when set; else into the caller's
 * result[result_cap] (a result that does not fit is a limit error with
 * its size). The error is read from the JSON the server nests in a string
 * ({"object": <pickle, often KBs>, "type", "message"}): only type and
 * message are kept. With no sink at all (on_result NULL, result_cap 0)
 * the result is only counted in result_len. Caller-owned; strings as in
 * tt_sky_cluster; the calls clear it but for its sinks.
 */
typedef struct tt_sky_request {
    char request_id[TT_SKY_ID_MAX];
    char name[64];               /* "sky.launch", "sky.status", ... */
    char status[16];
    tt_sky_status_kind kind;
    char user_id[64];
    char user_name[128];
    char cluster_name[256];
    char status_msg[256];        /* for people: cut, marked */
    double created_at, finished_at;
    int should_retry;
    char error_type[64];
    char error[512];             /* the error's message when FAILED (cut, marked) */
    /* the result's sinks, set by the caller */
    tt_sky_cluster_fn on_cluster;
    tt_body_fn on_result;
    void *user;
    char *result;                /* caller's buffer, or NULL; NUL-terminated;
                                  * after a limit error it holds a prefix */
    size_t result_cap;
    size_t result_len;           /* bytes of the result in all */
} tt_sky_request;

/* The tables of a status result's clusters, of a request's record (its
 * error_type and error included; not its result) and of the health
 * answer, to print them. */
extern const tt_json_field tt_sky_clusters_json;
extern const tt_json_field tt_sky_request_json;
extern const tt_json_field tt_sky_health_json;

/* Caller-owned; strings as tt_sky_cluster's (none cut). */
typedef struct tt_sky_health {
    char status[24];             /* "healthy" */
    char api_version[16];
    char version[32];
    char commit[48];
} tt_sky_health;

/* A failed request's error as the server nests it: {"object": <pickle>,
 * "type", "message"}; the pickle is skipped. */
typedef struct tt_sky_error {
    char type[64];
    char message[512];           /* for people: cut, marked */
} tt_sky_error;

/* What is decoded from the JSON nested in a string (error, clusters).
 * Internal to tt_sky: callers do not touch it. */
typedef struct tt_sky_inner {
    tt_json_binder binder;
    int kind;                    /* which field (skypilot.c) */
    char head[8];                /* its first bytes: "null" is nothing */
    size_t len;
    int failed;
    int stopped;                 /* the caller's callback said stop */
    int found;                   /* /api/status: requests listed */
    tt_sky_request *first;       /* /api/status: where the first one goes */
    tt_sky_request *req;         /* whose field it is */
    tt_error err;
    tt_sky_error error;
    tt_sky_cluster cluster;      /* slot */
    unsigned long clusters;
} tt_sky_inner;

/* Caller-owned (111 KiB in the default configuration, mostly the
 * client's pool and the buffers); points into itself after init: never
 * copy or move it. One call at a time. */
typedef struct tt_sky {
    tt_client client;
    tt_api api;
    int64_t poll_first_ms;       /* tt_sky_wait: 5000, growing x1.5 */
    int64_t poll_max_ms;         /* to 30000 */
    int64_t logs_idle_ms;
    char user_id[64];
    char user[128];
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    tt_json doc;
    tt_sky_request slot;         /* /api/status elements */
    tt_sky_inner inner;
} tt_sky;

/* Prepare s (the port is copied). -1 with err: a bad or too long URL
 * (TT_E_URL_*, TT_E_LIMIT_URL), a token of TT_API_TOKEN_MAX bytes or
 * more, a user id or name too long (TT_E_INVALID_ARG). */
int tt_sky_init(tt_sky *s, const tt_port *port, const tt_sky_config *cfg, tt_error *err);

/* Close pooled connections; s may be used again. */
void tt_sky_close(tt_sky *s);

/*
 * The asynchronous calls: the request id into id[cap] (NUL-terminated;
 * cap > 0; TT_SKY_ID_MAX holds SkyPilot's UUIDs). An id of cap bytes or
 * more fails with TT_E_LIMIT_HEADER_LINE (the server may have started the
 * request: the id's first 64 bytes are in the message). -1 with err:
 * a missing cluster name or task (TT_E_INVALID_ARG), credentials without
 * a user id (TT_E_INVALID_ARG), a body over TT_API_REQUEST_MAX
 * (TT_E_LIMIT_JSON_BODY), no id header in a 2xx answer
 * (TT_E_JSON_MISSING), call errors (their message names the request id
 * when the server gave one). status: n 0 means every cluster.
 * cost_report: days <= 0 means 30.
 */
int tt_sky_launch(tt_sky *s, const tt_sky_launch_req *q, char *id, size_t cap, tt_error *err);
int tt_sky_down(tt_sky *s, const char *cluster, int purge, char *id, size_t cap, tt_error *err);
int tt_sky_status(tt_sky *s, const char *const *clusters, size_t n, char *id, size_t cap,
                  tt_error *err);
int tt_sky_exec(tt_sky *s, const char *cluster, const char *task_yaml, char *id, size_t cap,
                tt_error *err);
int tt_sky_cost_report(tt_sky *s, int days, char *id, size_t cap, tt_error *err);

/* A request's state now, without waiting (GET /api/status): out (cleared
 * but for its sinks) gets request_id, name, status, kind, user_name,
 * cluster_name, status_msg and created_at only. -1 with err: NULL, "" or
 * an id too long to encode (TT_E_INVALID_ARG); no such request (TT_ERR_API,
 * TT_E_API); call errors. */
int tt_sky_request_status(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err);

/* A finished request's outcome (GET /api/get; the server holds the answer
 * until the request is done; never retried). out is cleared but for its
 * sinks, and the result goes to them. A FAILED request is returned with
 * its error text in out->error and -1 with TT_ERR_API. An answer without
 * a request id is TT_E_JSON_MISSING; id as tt_sky_request_status. */
int tt_sky_get_request(tt_sky *s, const char *id, tt_sky_request *out, tt_error *err);

/* Poll until a terminal status, every 5 s growing to 30 s (poll_first_ms,
 * poll_max_ms), but never past
 * deadline_ms (port clock; 0: none): then TT_ERR_TIMEOUT. The outcome as
 * tt_sky_get_request. A cancelled wait is TT_E_CANCELLED. */
int tt_sky_wait(tt_sky *s, const char *id, int64_t deadline_ms, tt_sky_request *out,
                tt_error *err);

/* Job logs, streamed to fn as they come (POST /logs), for as long as the
 * job runs when following: bounded by the logs idle timeout (the server's
 * heartbeats count), never by the request deadline. SkyPilot's control
 * lines (<sky-payload>...</sky-payload>: spinners, heartbeats) are not
 * passed on. job_id <= 0: the latest job. fn's pieces are valid during
 * fn only; its -1 stops, returned with its err. */
int tt_sky_logs(tt_sky *s, const char *cluster, int64_t job_id, int follow, int tail,
                tt_body_fn fn, void *user, tt_error *err);

/* GET /api/health into out (zeroed first): TT_E_JSON_MISSING without a
 * status, TT_E_LIMIT_JSON_STRING for a field too long, call errors. */
int tt_sky_get_health(tt_sky *s, tt_sky_health *out, tt_error *err);

#endif /* TT_SKYPILOT_H */
