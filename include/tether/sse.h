/*
 * tether Server-Sent Events: the WHATWG "event stream" parser, a dispatcher
 * by event type, and a reconnecting stream engine with backoff, idle
 * timeout and a polling fallback. No allocation: the event buffer is the
 * caller's, everything else is inside the structs.
 *
 * Parser rules (HTML Living Standard, "Parsing an event stream"): UTF-8
 * (invalid bytes become U+FFFD), one leading BOM stripped, lines end with
 * CRLF, LF or CR (a CRLF split across reads is one end), ':' lines are
 * comments, the field name runs to the first ':', one leading space of the
 * value is dropped, a line without ':' is a field with an empty value,
 * names are case-sensitive. `event` sets the type, `data` appends value +
 * LF, `id` sets the last-event-ID buffer unless the value holds a NUL,
 * `retry` counts only when all ASCII digits. A blank line dispatches: the
 * id is committed even when no event fires; no data fires nothing; one
 * trailing LF is removed; the type defaults to "message". An event cut
 * off by the end of the stream is discarded and its id is not committed.
 */
#ifndef TT_SSE_H
#define TT_SSE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "json.h"

/* ---- parser ---------------------------------------------------------------- */

/* An event as dispatched. Pointers are valid during the callback only.
 * data may hold NUL bytes: use data_len. */
typedef struct tt_sse_event {
    const char *type;          /* "message" when the stream named none */
    size_t type_len;
    const char *data;
    size_t data_len;
    const char *id;            /* the last-event-ID after this event ("" if none) */
    size_t id_len;
} tt_sse_event;

/* Called per event; return 0, or -1 with err set to stop the feed. */
typedef int (*tt_sse_event_fn)(void *user, const tt_sse_event *ev, tt_error *err);

/* Called for what was not delivered: an event whose data or type did not
 * fit (err is TT_E_LIMIT_SSE_EVENT naming the size), an id longer than
 * TT_SSE_ID_MAX (TT_E_LIMIT_SSE_ID; the field is ignored). May be NULL. */
typedef void (*tt_sse_drop_fn)(void *user, const tt_error *why);

typedef struct tt_sse_stats {
    unsigned long events;          /* dispatched */
    unsigned long dropped;         /* too large for the buffer */
    unsigned long ids_too_long;
    uint64_t last_dropped_size;    /* bytes of data of the latest dropped event */
} tt_sse_stats;

typedef struct tt_sse_parser {
    /* UTF-8 repair in front of the line parser */
    unsigned char u8[4];
    int u8_len, u8_need;
    unsigned char u8_lo, u8_hi;
    int at_start;              /* nothing decoded yet on this connection (BOM) */
    /* line state */
    int line;                  /* L_START, L_NAME, L_VALUE, L_SKIP */
    int after_cr;
    int field;                 /* F_DATA, F_EVENT, F_ID, F_RETRY, F_UNKNOWN */
    int value_started;         /* the optional leading space was handled */
    char name[6];
    size_t name_len;
    /* the event being built */
    char *data;                /* caller's buffer */
    size_t data_cap;
    size_t data_len;
    uint64_t data_size;        /* true size, also past the buffer */
    int has_data;
    char type[TT_SSE_TYPE_MAX];
    size_t type_len;
    int type_too_long;
    char id_buf[TT_SSE_ID_MAX];  /* the last-event-ID buffer */
    size_t id_buf_len;
    char id_val[TT_SSE_ID_MAX];  /* the id field being read */
    size_t id_val_len;
    int id_nul, id_long;
    uint64_t retry_acc;
    int retry_ok;
    /* committed state */
    char last_id[TT_SSE_ID_MAX];
    size_t last_id_len;
    int64_t retry_ms;          /* from the stream's retry field; -1 none */
    tt_sse_stats stats;
    tt_sse_event_fn on_event;
    tt_sse_drop_fn on_drop;
    void *user;
} tt_sse_parser;

/* Prepare a parser with the caller's event data buffer (data_cap bytes:
 * the largest event data accepted). */
void tt_sse_init(tt_sse_parser *p, char *data_buf, size_t data_cap,
                 tt_sse_event_fn on_event, tt_sse_drop_fn on_drop, void *user);

/* Feed bytes of the stream, any split. 0, or -1 when on_event stopped it
 * (its err is passed on). */
int tt_sse_feed(tt_sse_parser *p, const char *bytes, size_t len, tt_error *err);

/* The connection ended: a pending event is discarded (its id not
 * committed), and the next bytes are a new stream (BOM allowed again).
 * The committed last-event-ID and retry time are kept. */
void tt_sse_end_of_stream(tt_sse_parser *p);

/* Set the committed last-event-ID (from a saved one; --last-event-id).
 * -1 when it is longer than TT_SSE_ID_MAX - 1 or holds a NUL. */
int tt_sse_set_last_id(tt_sse_parser *p, const char *id, size_t len);

/* ---- dispatcher ---------------------------------------------------------------- */

/* doc is the event's data parsed as JSON when the dispatcher decodes JSON
 * (else NULL); its envelope's data is env->data. */
typedef int (*tt_sse_handler_fn)(void *user, const tt_sse_event *ev,
                                 const tt_json *doc, tt_error *err);

/* A verifier sees each event before dispatch (signatures, sequence
 * checks): 0 accepts, -1 with err rejects (reported, skipped). */
typedef int (*tt_sse_verify_fn)(void *user, const tt_sse_event *ev,
                                const tt_json *doc, tt_error *err);

/* What went wrong with one event; the stream goes on. */
typedef void (*tt_sse_report_fn)(void *user, const tt_sse_event *ev,
                                 const tt_error *why);

typedef struct tt_sse_handler {
    const char *type;              /* NULL: the default handler */
    tt_sse_handler_fn fn;
    void *user;
} tt_sse_handler;

typedef struct tt_sse_dispatch_stats {
    unsigned long delivered;       /* events that reached at least one handler */
    unsigned long unhandled;       /* no handler for the type, no default */
    unsigned long handler_errors;
    unsigned long rejected;        /* by the verifier */
    unsigned long bad_json;
} tt_sse_dispatch_stats;

typedef struct tt_sse_dispatch {
    tt_sse_handler handlers[TT_SSE_HANDLERS_MAX];
    size_t nhandlers;
    tt_sse_handler fallback;
    tt_json *doc;                  /* non-NULL: decode each event's data as JSON */
    tt_sse_verify_fn verify;       /* NULL: accept everything */
    void *verify_user;
    tt_sse_report_fn report;       /* may be NULL */
    void *report_user;
    tt_sse_dispatch_stats stats;
} tt_sse_dispatch;

/* An empty dispatcher: no handlers, no JSON decoding, no verifier. */
void tt_sse_dispatch_init(tt_sse_dispatch *d);

/* Register a handler for an event type (NULL type: the default handler
 * for types nobody registered). Several per type run in registration
 * order. -1 with TT_E_LIMIT_SSE_HANDLERS past TT_SSE_HANDLERS_MAX. The
 * type string must outlive the dispatcher. */
int tt_sse_on(tt_sse_dispatch *d, const char *type, tt_sse_handler_fn fn, void *user,
              tt_error *err);

/* Decode each event's data as JSON into doc before the verifier and the
 * handlers see it; an event that does not parse is reported and skipped. */
void tt_sse_decode_json(tt_sse_dispatch *d, tt_json *doc);

/* Dispatch one event (the parser's on_event with the dispatcher as user).
 * Always 0: handler errors, rejections and bad JSON are reported and
 * counted, never fatal. */
int tt_sse_dispatch_event(void *dispatch, const tt_sse_event *ev, tt_error *err);

#endif /* TT_SSE_H */
