/*
 * plexd: the node agent's control plane. JSON over HTTPS with a bearer
 * token (the bootstrap token for Register, then the node's own), request
 * bodies over 1 KiB gzip-compressed and gzip answers inflated (with
 * TT_FEATURE_GZIP), and an event stream of signed envelopes at
 * GET /v1/nodes/{id}/events.
 *
 * Errors keep their status for the sentinels (tt_plexd_error_kind): 400,
 * 401, 403, 404, 409, 413, 429 (with Retry-After) and 5xx. No retries here
 * (the agent's loops own the policy).
 *
 * Records are fixed-size structs; parts whose shape the control plane
 * owns (policies, metadata, reports, metric/log/audit batches) travel as
 * raw JSON slices, which point into the client's response buffer and are
 * valid until its next call.
 */
#ifndef TT_PLEXD_H
#define TT_PLEXD_H

#include "api.h"
#include "sse_stream.h"
#include "timefmt.h"

#if !TT_FEATURE_PLEXD
#error "this build has no plexd client (TT_FEATURE_PLEXD is 0 or what it needs is off)"
#endif

/* the User-Agent's buffer, NUL included */
#define TT_PLEXD_USER_AGENT_MAX 64

/* Copied by tt_plexd_init: base_url, user_agent, token and *tls are
 * copied too; the store tls points to must outlive the client. */
typedef struct tt_plexd_config {
    const char *base_url;        /* "https://cp.example:8443" (required) */
    /* plexd's TLSInsecureSkipVerify: the server's certificate is not
     * checked at all (tls->insecure set on the client's copy of tls, or
     * on an empty configuration when tls is NULL). Tests only. */
    int insecure_skip_verify;
#if TT_FEATURE_TLS
    const tt_tls_config *tls;    /* trust for https; NULL: none loaded */
#endif
    int64_t connect_timeout_ms;  /* 0: 10 s */
    int64_t request_timeout_ms;  /* 0: 30 s */
    int64_t sse_idle_timeout_ms; /* 0: 90 s */
    const char *user_agent;      /* NULL: "plexd/" TT_VERSION; at most
                                  * TT_PLEXD_USER_AGENT_MAX - 1 bytes */
    const char *token;           /* the bootstrap token */
} tt_plexd_config;

/* Check a configuration before use: -1 with a usage error naming the bad
 * field: no base_url, a negative timeout or a user_agent too long
 * (TT_E_INVALID_ARG), a URL tt_url_parse refuses, https with neither tls
 * nor insecure_skip_verify. */
int tt_plexd_config_validate(const tt_plexd_config *cfg, tt_error *err);

/*
 * The records of plexd's answers, sized for real data (keys are 44-byte
 * base64, ids UUIDs, endpoints host:port where the host may be a DNS
 * name). Lists of any length -- peers, policies and their rules, data
 * entries, secret refs -- are not stored: each element is built in its
 * record's slot and handed to the caller's tt_json_item_fn, with its own
 * error when one of its fields did not fit (the others are complete).
 * tt_plexd_which() tells which list an element is from. Go's encoder
 * writes an empty list as null: that is an empty list here too. A string
 * or JSON text longer than its array is an error (TT_E_LIMIT_JSON_STRING
 * or TT_E_LIMIT_JSON_BODY), never cut; absent is "" or 0. Caller-owned.
 */
typedef struct tt_plexd_peer {
    char id[64];
    char public_key[64];
    char mesh_ip[48];
    char endpoint[264];
    char allowed_ips[TT_PLEXD_IPS_MAX][48];
    size_t nallowed_ips;
    char psk[64];
} tt_plexd_peer;

/* Read during tt_plexd_register only. The JSON texts must be valid JSON
 * (else TT_E_INVALID_ARG); the body must fit TT_API_REQUEST_MAX. */
typedef struct tt_plexd_register_req {
    const char *public_key;      /* required */
    const char *hostname;        /* required */
    const char *metadata_json;   /* an object, or NULL */
    const char *capabilities_json; /* an object, or NULL */
} tt_plexd_register_req;

typedef struct tt_plexd_registration {
    char node_id[64];
    char mesh_ip[48];
    char signing_public_key[128];
    char node_secret_key[TT_PLEXD_SECRET_KEY_MAX]; /* becomes the bearer token */
    size_t npeers;               /* counted while they pass */
    tt_plexd_peer peer;          /* slot: each peer */
} tt_plexd_registration;

/* Read during tt_plexd_heartbeat only; status, uptime and binary_checksum
 * are left out when NULL or "". */
typedef struct tt_plexd_heartbeat_req {
    const char *timestamp;       /* RFC 3339; NULL: now from the port's wall
                                  * clock (unset: 1969-12-31T23:59:59Z) */
    const char *status;          /* "healthy" */
    const char *uptime;          /* "36h5m" */
    const char *binary_checksum;
} tt_plexd_heartbeat_req;

typedef struct tt_plexd_heartbeat_resp {
    int reconcile;
    int rotate_keys;
} tt_plexd_heartbeat_resp;

typedef struct tt_plexd_signing_keys {
    char current[128];           /* base64 of the 32-byte Ed25519 key */
    char previous[128];          /* the same, or "" */
    char transition_expires[40]; /* RFC 3339: previous is good until then */
} tt_plexd_signing_keys;

typedef struct tt_plexd_rule {
    char src[64];                /* a node id or "*" */
    char dst[64];
    int32_t port;                /* 0: any */
    char protocol[8];            /* "", "tcp", "udp" */
    char action[8];              /* "allow", "deny" */
} tt_plexd_rule;

typedef struct tt_plexd_policy {
    char id[64];
    size_t nrules;               /* counted while they pass */
    tt_plexd_rule rule;          /* slot: each rule (its policy's id may
                                  * come after its rules) */
} tt_plexd_policy;

typedef struct tt_plexd_data {
    char key[256];
    char content_type[128];
    char payload[TT_PLEXD_PAYLOAD_MAX]; /* any JSON value, as sent */
    int64_t version;
    char updated_at[40];
} tt_plexd_data;

typedef struct tt_plexd_secret_ref {
    char key[256];
    int64_t version;
} tt_plexd_secret_ref;

typedef struct tt_plexd_state {
    tt_plexd_signing_keys signing_keys;
    char metadata[TT_PLEXD_METADATA_MAX]; /* the JSON object as sent, or "" */
    size_t npeers, npolicies, ndata, nsecret_refs; /* counted while they pass */
    /* slots: each element of its list */
    tt_plexd_peer peer;
    tt_plexd_policy policy;
    tt_plexd_data data;
    tt_plexd_secret_ref secret_ref;
} tt_plexd_state;

typedef struct tt_plexd_rotation {
    size_t npeers;
    tt_plexd_peer peer;          /* slot: each of updated_peers */
} tt_plexd_rotation;

typedef enum tt_plexd_list {
    TT_PLEXD_LIST_OTHER = 0,
    TT_PLEXD_LIST_PEERS,         /* tt_plexd_peer (peers, updated_peers) */
    TT_PLEXD_LIST_POLICIES,      /* tt_plexd_policy */
    TT_PLEXD_LIST_RULES,         /* tt_plexd_rule; parent: its policy */
    TT_PLEXD_LIST_DATA,          /* tt_plexd_data */
    TT_PLEXD_LIST_SECRET_REFS    /* tt_plexd_secret_ref */
} tt_plexd_list;

/* Which list of a plexd answer the element is from. */
tt_plexd_list tt_plexd_which(const tt_json_item *item);

/* The tables of the records (for printing them, or binding them from a
 * caller's own text): each names the root of its answer. */
extern const tt_json_field tt_plexd_registration_json;
extern const tt_json_field tt_plexd_state_json;
extern const tt_json_field tt_plexd_rotation_json;
extern const tt_json_field tt_plexd_secret_json;

typedef struct tt_plexd_secret {
    char key[256];
    char ciphertext[TT_PLEXD_SECRET_MAX]; /* base64 AES-256-GCM */
    char nonce[64];
    int64_t version;
} tt_plexd_secret;

/* Read during tt_plexd_report_result only. */
typedef struct tt_plexd_exec_result {
    const char *execution_id;
    const char *status;          /* "succeeded", "failed"; NULL: null */
    int32_t exit_code;
    const char *out;             /* stdout; NULL: "" */
    const char *err;             /* stderr; NULL: "" */
    const char *duration;        /* "1.5s" */
    const char *finished_at;     /* RFC 3339; NULL: now (port wall clock) */
} tt_plexd_exec_result;

typedef enum tt_plexd_error_kind {
    TT_PLEXD_OK = 0,
    TT_PLEXD_BAD_REQUEST,        /* 400 */
    TT_PLEXD_UNAUTHORIZED,       /* 401 */
    TT_PLEXD_FORBIDDEN,          /* 403 */
    TT_PLEXD_NOT_FOUND,          /* 404 */
    TT_PLEXD_CONFLICT,           /* 409 */
    TT_PLEXD_TOO_LARGE,          /* 413 */
    TT_PLEXD_RATE_LIMITED,       /* 429: err->retry_after */
    TT_PLEXD_SERVER,             /* 5xx */
    TT_PLEXD_OTHER               /* network, TLS, protocol, other statuses */
} tt_plexd_error_kind;

/* The sentinel of an error: by status for TT_ERR_HTTP and TT_ERR_API,
 * TT_PLEXD_OK for TT_ERR_NONE, else TT_PLEXD_OTHER. */
tt_plexd_error_kind tt_plexd_error_kind_of(const tt_error *err);

/* Caller-owned (163 KiB in the default configuration, most of it the
 * client's TLS connections and the gzip arena); points into itself after
 * init: never copy or move it. One call at a time (the events' polling
 * fallback is a call too); only tt_plexd_set_token may run alongside. */
typedef struct tt_plexd {
    tt_client client;
    tt_api api;
    tt_plexd_config cfg;
    char node_id[64];            /* percent-encoded, as it goes in paths */
    char user_agent[TT_PLEXD_USER_AGENT_MAX];
#if TT_FEATURE_TLS
    tt_tls_config tls;           /* cfg->tls, with insecure_skip_verify */
#endif
    char buf[TT_API_BODY_MAX];
    char req[TT_API_REQUEST_MAX];
    tt_json doc;
#if TT_FEATURE_GZIP
    tt_gzip gz;
#endif
#if TT_FEATURE_GZIP_REQUEST
    unsigned char zbuf[TT_API_REQUEST_MAX];  /* a compressed request body */
#endif
} tt_plexd;

/* Validate cfg (tt_plexd_config_validate) and prepare p; the port is
 * copied. A token of TT_API_TOKEN_MAX bytes or more is TT_E_INVALID_ARG. */
int tt_plexd_init(tt_plexd *p, const tt_port *port, const tt_plexd_config *cfg, tt_error *err);

/* Close pooled connections; p may be used again. */
void tt_plexd_close(tt_plexd *p);

/* Swap the bearer token, copied (safe while another thread is inside a
 * call). -1 with TT_E_INVALID_ARG, the old token kept, for one of
 * TT_API_TOKEN_MAX bytes or more. */
int tt_plexd_set_token(tt_plexd *p, const char *token, tt_error *err);

/* The node id used in paths (set by register, or by the caller), stored
 * percent-encoded. NULL, "", "." or "..", or an encoding of 64 bytes or
 * more: TT_E_INVALID_ARG, and p then has no node id at all (so a caller
 * that missed the error cannot act as the node it was before). */
int tt_plexd_set_node_id(tt_plexd *p, const char *node_id, tt_error *err);

/*
 * Register with the bootstrap token; the node's identity into out, each
 * peer to on_item (may be NULL) while the answer streams. Once the answer
 * names a node id and a node_secret_key, the client speaks as that node,
 * even when the call then returns -1 because some field of the record did
 * not fit (err names it; out holds every field that did): the server has
 * created the node, and its identity must not be lost. A key of
 * TT_API_TOKEN_MAX bytes or more is a TT_ERR_LIMIT error: the node is
 * registered, out holds the key whole, the client keeps its old token.
 * public_key and hostname must not be NULL (TT_E_INVALID_ARG). out is
 * zeroed first; on_item's items are valid during it only; without
 * on_item the first peer's problem is returned once the answer is read.
 */
int tt_plexd_register(tt_plexd *p, const tt_plexd_register_req *q, tt_plexd_registration *out,
                      tt_json_item_fn on_item, void *user, tt_error *err);

/*
 * The calls below that name the node need its id: without one they fail
 * with TT_E_INVALID_ARG before sending. Each fails otherwise with the
 * call's errors (tt_api_call; see tt_plexd_error_kind_of), a request body
 * over TT_API_REQUEST_MAX (TT_E_LIMIT_JSON_BODY), or a caller's JSON text
 * that is not JSON (TT_E_INVALID_ARG from the writer, or the validator's
 * TT_E_JSON_* for the documents sent as they are).
 */

/* POST .../heartbeat; out zeroed once the call succeeded (an empty answer
 * leaves it so). */
int tt_plexd_heartbeat(tt_plexd *p, const tt_plexd_heartbeat_req *q,
                       tt_plexd_heartbeat_resp *out, tt_error *err);
/* POST .../deregister; the node id stays set. */
int tt_plexd_deregister(tt_plexd *p, tt_error *err);
/* The node's state in constant memory, whatever the size of the mesh:
 * the fixed parts into out (zeroed first), every list element to on_item
 * (may be NULL; then the first element's problem is returned once the
 * answer is read). metadata larger than its array is a limit error. */
int tt_plexd_fetch_state(tt_plexd *p, tt_plexd_state *out, tt_json_item_fn on_item, void *user,
                         tt_error *err);
/* Send a new WireGuard key: the peers that changed to on_item, counted in
 * out (zeroed first). The bearer token is not changed. */
int tt_plexd_rotate_keys(tt_plexd *p, const char *new_public_key, tt_plexd_rotation *out,
                         tt_json_item_fn on_item, void *user, tt_error *err);
/* PUT .../capabilities: the caller's JSON document, sent as it is (NULL:
 * TT_E_INVALID_ARG). */
int tt_plexd_update_capabilities(tt_plexd *p, const char *capabilities_json, tt_error *err);
/* PUT .../endpoint (public_endpoint NULL: null; nat_type NULL or "":
 * left out). */
int tt_plexd_report_endpoint(tt_plexd *p, const char *public_endpoint, const char *nat_type,
                             tt_error *err);
/* POST .../drift with the port's wall-clock time; corrections_json must
 * not be NULL. */
int tt_plexd_report_drift(tt_plexd *p, const char *corrections_json, tt_error *err);
/* One secret into out (zeroed first). key is percent-encoded; NULL, ""
 * or an encoding of 192 bytes or more is TT_E_INVALID_ARG. */
int tt_plexd_get_secret(tt_plexd *p, const char *key, tt_plexd_secret *out, tt_error *err);
/* POST .../report: as tt_plexd_update_capabilities. */
int tt_plexd_sync_reports(tt_plexd *p, const char *report_json, tt_error *err);
/* Acknowledge an execution (status NULL: null; reason NULL or "": left
 * out). execution_id is percent-encoded: NULL or an encoding of 192
 * bytes or more is TT_E_INVALID_ARG; "" is not refused and yields the
 * path .../executions//ack. */
int tt_plexd_ack_execution(tt_plexd *p, const char *execution_id, const char *status,
                           const char *reason, tt_error *err);
/* An execution's result; execution_id as tt_plexd_ack_execution. */
int tt_plexd_report_result(tt_plexd *p, const tt_plexd_exec_result *r, tt_error *err);

/* Batches: a JSON array of points, entries or records (the agent's), sent
 * as it is (gzip over 1 KiB); NULL is TT_E_INVALID_ARG. */
int tt_plexd_send_metrics(tt_plexd *p, const char *batch_json, tt_error *err);
int tt_plexd_send_logs(tt_plexd *p, const char *batch_json, tt_error *err);
int tt_plexd_send_audit(tt_plexd *p, const char *batch_json, tt_error *err);

/* The agent binary for version/os/arch, streamed to fn (the CLI writes a
 * file and checks its SHA-256). The request timeout bounds the answer's
 * head and every silence in the body, not the whole download. Each part
 * is percent-encoded: NULL, or one longer than 95, 47, 47 bytes encoded,
 * is TT_E_INVALID_ARG. fn's pieces (inflated when gzipped) are valid
 * during fn only; its -1 stops, returned with its err. */
int tt_plexd_fetch_artifact(tt_plexd *p, const char *version, const char *os,
                            const char *arch, tt_body_fn fn, void *user, tt_error *err);

/* ---- the event manager ------------------------------------------------------------- */

/* The twelve event types of the protocol (any other type string is
 * accepted and dispatched too: newer control planes send more). */
extern const char *const tt_plexd_event_types[12];

/* A signed envelope, decoded from an event's data. A string longer than
 * its array makes the envelope malformed (TT_E_LIMIT_JSON_STRING). */
typedef struct tt_plexd_envelope {
    char event_type[64];         /* required */
    char event_id[64];           /* required */
    char issued_at[64];          /* RFC 3339, as sent */
    tt_rfc3339_time issued;      /* issued_at read (Go's rules); zero when absent */
    char nonce[64];
    char key_id[64];
    char signature[128];         /* base64 Ed25519 */
    tt_json_slice payload;       /* raw JSON, valid during the handler */
} tt_plexd_envelope;

/* Its table (printing an envelope during its handler: the payload slice
 * is valid then only). */
extern const tt_json_field tt_plexd_envelope_json;

/* A handler: env is valid during the call only; -1 (with err) is reported
 * and counted, never fatal. */
typedef int (*tt_plexd_event_fn)(void *user, const tt_plexd_envelope *env, tt_error *err);
/* A caller's verifier: 0 accepts; -1 rejects (err, or TT_E_SSE_REJECTED
 * when it left err empty). */
typedef int (*tt_plexd_verify_fn)(void *user, const tt_plexd_envelope *env, tt_error *err);
/* Reports what was skipped (malformed, rejected, handler errors). */
typedef void (*tt_plexd_report_fn)(void *user, const tt_plexd_envelope *env,
                                   const tt_error *why);
/* The polling fallback's state, fetched with tt_plexd_fetch_state (its
 * list elements went to tt_plexd_events.on_state_item before). */
typedef void (*tt_plexd_state_fn)(void *user, const tt_plexd_state *state);

typedef struct tt_plexd_handler {
    const char *type;            /* NULL: every type */
    tt_plexd_event_fn fn;
    void *user;
} tt_plexd_handler;

/* Caller-owned (97 KiB in the default configuration, its own client's
 * connections included); it keeps p, the keys and the handlers' type
 * strings by pointer: they must outlive it. It points into itself: never
 * copy or move it. */
typedef struct tt_plexd_events {
    tt_plexd *plexd;
    tt_client client;            /* the stream's own connection */
    tt_sse_parser parser;
    tt_sse_stream stream;
    tt_sse_config scfg;
    char event_buf[TT_SSE_EVENT_MAX];
    tt_json doc;
    tt_plexd_state state;
    char url[TT_URL_MAX];
    tt_header auth;
    char auth_value[TT_API_TOKEN_MAX + 8];
    tt_plexd_handler handlers[TT_SSE_HANDLERS_MAX];
    size_t nhandlers;
    /* How envelopes are checked before any handler sees them: with keys
     * (tt_plexd_verify, and signing_key_rotated installs the next keys
     * once dispatched), else with verify, else not at all, and then only
     * when insecure_unsigned says so: tt_plexd_events_run refuses to start
     * without one of the three. */
    struct tt_plexd_keys *keys;
    tt_plexd_verify_fn verify;
    void *verify_user;
    int insecure_unsigned;
    tt_plexd_report_fn report;
    tt_plexd_state_fn on_state;
    tt_json_item_fn on_state_item;
    void *user;
    unsigned long delivered, malformed, rejected, handler_errors, polls, rotations;
} tt_plexd_events;

/* Prepare the stream for the registered node (p must have a node id,
 * else TT_E_INVALID_ARG). scfg defaults from the plexd config (idle
 * timeout) and TT_SSE_*. Its own connection takes p's client settings;
 * the token is read from p before every connection. An events URL of
 * TT_URL_MAX bytes or more is TT_E_LIMIT_URL. */
int tt_plexd_events_init(tt_plexd_events *ev, tt_plexd *p, tt_error *err);
/* Add a handler for type (NULL: every type), kept by pointer. Past
 * TT_SSE_HANDLERS_MAX: TT_E_LIMIT_SSE_HANDLERS. */
int tt_plexd_on(tt_plexd_events *ev, const char *type, tt_plexd_event_fn fn, void *user,
                tt_error *err);
/* Run until tt_sse_stop(&ev->stream) or a permanent error (as
 * tt_sse_stream_run); closes ev's connection when it returns. Without
 * keys, verify or insecure_unsigned it refuses to start
 * (TT_E_INVALID_ARG). Malformed, rejected and failed events are reported
 * and counted, never fatal. */
int tt_plexd_events_run(tt_plexd_events *ev, tt_error *err);

/*
 * Decode one envelope (an event's data) as the agent's ParseEnvelope does,
 * stricter in one way: a member twice anywhere in it is refused, where Go
 * keeps the last. issued_at is read by Go's RFC 3339 rules into
 * env->issued (0001-01-01T00:00:00Z when absent). payload points into
 * json, which must outlive env; doc receives the tokens. -1 with err set
 * (protocol class: TT_E_JSON_* ) when malformed, TT_E_LIMIT_JSON_STRING
 * (limit class) for a field longer than its array; env is zeroed first.
 */
int tt_plexd_envelope_decode(tt_json *doc, const char *json, size_t len,
                             tt_plexd_envelope *env, tt_error *err);

/* The bytes an Ed25519 signature covers: json.Marshal of event_type,
 * event_id, issued_at, nonce and payload, in that order, as plexd's Go
 * encoder writes them: strings with HTML characters escaped, the time
 * written back from env->issued (RFC3339Nano: ".120000Z" is ".12Z",
 * "+00:00" is "Z"), the payload compacted. -1 when out is small (limit
 * class) or when Go would refuse to write the time (protocol class). */
int tt_plexd_canonical_bytes(const tt_plexd_envelope *env, char *out, size_t cap,
                             size_t *len, tt_error *err);

/* ---- Ed25519 envelope verification ---------------------------------------------- */

/* A nonce of an accepted event, kept until its event could no longer be
 * fresh (issued_at + 5 minutes): a 64-bit digest of it. */
typedef struct tt_plexd_nonce {
    uint64_t digest;
    int64_t until_ms;            /* wall ms; 0: a free slot */
} tt_plexd_nonce;

/*
 * plexd's verifier, as its agent runs it (internal/api/verifier.go): the
 * control plane's signing keys and the nonces of the events accepted in
 * the last five minutes. Caller-owned; about 16 KiB with TT_PLEXD_NONCES
 * 1024. Not shared between threads. It keeps port by pointer.
 */
typedef struct tt_plexd_keys {
    const tt_port *port;         /* its wall clock judges the age of events */
    unsigned char current[32];
    unsigned char previous[32];
    int has_previous;            /* previous accepted before previous_until_ms */
    int64_t previous_until_ms;
    int64_t window_ms;           /* 300000: issued_at within five minutes either way */
    tt_plexd_nonce nonces[TT_PLEXD_NONCES];
} tt_plexd_keys;

/* Start from the key of the registration (signing_public_key: base64 of
 * 32 bytes). Errors: TT_E_INVALID_ARG (usage) for any other key. */
int tt_plexd_keys_init(tt_plexd_keys *k, const tt_port *port, const char *current_b64,
                       tt_error *err);

/*
 * Install new keys, as the agent does on signing_key_rotated (its payload)
 * and from the state's signing_keys: current replaces the key; previous is
 * accepted until transition_expires, and never without one. A current key
 * that is not 32 bytes of base64, or a previous one given and not, or a
 * transition_expires that is not an RFC 3339 time, leaves the keys as they
 * were (TT_E_SSE_REJECTED, protocol class).
 */
int tt_plexd_keys_install(tt_plexd_keys *k, const tt_plexd_signing_keys *sk, tt_error *err);

/*
 * Verify an envelope exactly as plexd's agent does, in its order, with its
 * reasons (protocol class, TT_E_SSE_REJECTED, "EVENT_ID: REASON"): missing
 * signature; missing nonce; missing issued_at; event is stale (issued more
 * than five minutes ago); event timestamp is in the future (more than five
 * minutes ahead); signature verification failed (by the current key, or
 * the previous one before its deadline, over tt_plexd_canonical_bytes);
 * duplicate nonce. The nonce of an accepted event is recorded; a forged
 * event records nothing. When TT_PLEXD_NONCES nonces are all younger than
 * five minutes, an event is refused rather than one forgotten. A device
 * whose wall clock is not set refuses every event (TT_E_SSE_REJECTED);
 * canonical bytes over TT_SSE_EVENT_MAX + 512 are a limit error. Built
 * without TT_FEATURE_ED25519 it refuses every envelope (usage class).
 */
int tt_plexd_verify(tt_plexd_keys *k, const tt_plexd_envelope *env, tt_error *err);

#endif /* TT_PLEXD_H */
