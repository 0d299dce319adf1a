/*
 * The event-stream engine: keeps one text/event-stream open through a
 * tt_client for as long as the caller wants, reconnecting with backoff,
 * replaying from the last event id, and falling back to polling when the
 * stream stays down.
 *
 * States (observable through on_state):
 *
 *   DISCONNECTED --> CONNECTING --> CONNECTED --(ends)--> BACKOFF --> CONNECTING
 *                        |                                  ^
 *                        +--(fails)-------------------------+
 *                        +--(fails, no stream for poll_after)--> POLLING --> CONNECTING
 *   any --> STOPPED   (tt_sse_stop, 204, a permanent status, auth refused)
 *
 * Reconnect policy: network errors, timeouts, 5xx and a non-event-stream
 * content type retry with backoff (base, x2 per failure, capped, +-jitter;
 * the server's retry: field replaces the base; a connection that stayed up
 * healthy_ms resets it); 429 waits for Retry-After; 401 asks on_auth,
 * which may swap the token in the caller's header array and say whether
 * to retry; 204 stops for good; 403, 404 and other 4xx stop with an error.
 * No byte for idle_timeout_ms (comments count) is a dead connection.
 *
 * Time, sleep and randomness come from the client's port, so tests run
 * the engine on a fake clock.
 */
#ifndef TT_SSE_STREAM_H
#define TT_SSE_STREAM_H

#include <signal.h>

#include "client.h"
#include "sse.h"

typedef enum tt_sse_state {
    TT_SSE_DISCONNECTED = 0,
    TT_SSE_CONNECTING,
    TT_SSE_CONNECTED,
    TT_SSE_BACKOFF,
    TT_SSE_POLLING,
    TT_SSE_STOPPED
} tt_sse_state;

/* Static lower-case name ("backoff"); "unknown" out of range. */
const char *tt_sse_state_name(tt_sse_state s);

/* A state change; delay_ms is the wait that begins (BACKOFF, POLLING),
 * why the error that caused it (NULL when none). */
typedef void (*tt_sse_state_fn)(void *user, tt_sse_state from, tt_sse_state to,
                                int64_t delay_ms, const tt_error *why);

/* 401: swap credentials (the header array is the caller's) and return 1
 * to retry at once, or 0 to stop with the error. */
typedef int (*tt_sse_auth_fn)(void *user, const tt_error *why);

/* The polling fallback: fetch state another way; 0 or -1 (reported
 * through on_state's why only, never fatal). */
typedef int (*tt_sse_poll_fn)(void *user, tt_error *err);

/* Copied by tt_sse_stream_init; the strings, headers and cancel flag it
 * points to are kept by pointer and must outlive the stream. */
typedef struct tt_sse_config {
    const char *url;               /* required */
    const tt_header *headers;      /* caller headers, e.g. Authorization */
    size_t nheaders;               /* at most TT_SSE_HEADERS_MAX */
    int64_t backoff_base_ms;       /* TT_SSE_BACKOFF_BASE_MS; >= 0 */
    int64_t backoff_max_ms;        /* TT_SSE_BACKOFF_MAX_MS; >= base */
    unsigned jitter_pct;           /* TT_SSE_JITTER_PCT; <= 100 */
    int64_t healthy_ms;            /* TT_SSE_HEALTHY_MS */
    int64_t idle_timeout_ms;       /* TT_SSE_IDLE_TIMEOUT_MS */
    int64_t poll_after_ms;         /* TT_SSE_POLL_AFTER_MS */
    int64_t poll_interval_ms;      /* TT_SSE_POLL_INTERVAL_MS */
    tt_sse_auth_fn on_auth;        /* NULL: 401 stops */
    tt_sse_poll_fn poll;           /* NULL: no polling fallback */
    tt_sse_state_fn on_state;      /* may be NULL */
    void *user;
    /* an outside stop flag (a signal handler's), used instead of the
     * engine's own; NULL: the engine's */
    volatile sig_atomic_t *cancel;
} tt_sse_config;

/* Zero cfg and set the TT_SSE_* defaults: the caller sets url and the
 * rest. */
void tt_sse_config_default(tt_sse_config *cfg);

typedef struct tt_sse_stream_stats {
    unsigned long attempts;        /* connection attempts */
    unsigned long opened;          /* streams that reached CONNECTED */
    unsigned long polls;
    unsigned failures;             /* consecutive, for the backoff */
} tt_sse_stream_stats;

/* Caller-owned; the client and parser are the caller's too, kept by
 * pointer. The client is the engine's while it runs. */
typedef struct tt_sse_stream {
    tt_sse_config cfg;
    tt_client *client;
    tt_sse_parser *parser;
    tt_sse_state state;
    volatile sig_atomic_t stop;    /* the engine's own flag */
    volatile sig_atomic_t *stop_flag; /* &stop or cfg.cancel */
    tt_sse_stream_stats stats;
    int64_t last_ok_ms;            /* the stream last worked (or the start) */
    int64_t connected_at_ms;
    int64_t next_poll_ms;
    int polling;
    int outcome;                   /* of the current attempt */
    int32_t retry_after;
    tt_header hdrs[TT_SSE_HEADERS_MAX + 3];
    tt_error why;                  /* the latest failure */
} tt_sse_stream;

/*
 * Prepare an engine over a client and a parser (with its event callback,
 * usually tt_sse_dispatch_event). The engine sets the client's cancel flag
 * to its stop flag (cfg.cancel or its own). -1 with TT_E_INVALID_ARG
 * (usage) for a bad configuration: no URL, more than TT_SSE_HEADERS_MAX
 * headers, bad backoff settings.
 */
int tt_sse_stream_init(tt_sse_stream *s, tt_client *client, tt_sse_parser *parser,
                       const tt_sse_config *cfg, tt_error *err);

/*
 * Run until stopped: 0 after tt_sse_stop or a 204, -1 with err for a
 * permanent failure (403, 404, other 4xx, 401 without a new token, a bad
 * URL or TLS setup, or an event callback that returned -1).
 */
int tt_sse_stream_run(tt_sse_stream *s, tt_error *err);

/* Ask run to return promptly. Safe from another thread or a signal
 * handler (it only stores to a volatile sig_atomic_t). */
void tt_sse_stop(tt_sse_stream *s);

/* The backoff delay before attempt number `failures` (0-based), without
 * jitter, and with jitter from a random 16-bit value: exposed for tests. */
int64_t tt_sse_backoff_ms(const tt_sse_stream *s, unsigned failures);
int64_t tt_sse_jitter_ms(const tt_sse_stream *s, int64_t delay, uint16_t rnd);

#endif /* TT_SSE_STREAM_H */
