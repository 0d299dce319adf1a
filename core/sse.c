/*
 * Event-stream parser: bytes -> UTF-8 repair -> lines -> fields -> events,
 * one byte of state machine at a time, with a bulk path for the plain ASCII
 * runs that make up most data lines.
 */
#include "tether/config.h"
#include "chars.h"
#if TT_FEATURE_SSE

#include "tether/sse.h"

#include <string.h>

enum { L_START, L_NAME, L_VALUE, L_SKIP };
enum { F_DATA, F_EVENT, F_ID, F_RETRY, F_UNKNOWN };

/* retry values past this are taken as this (about 11.5 days) */
#define RETRY_CAP 1000000000ULL

static void reset_utf8(tt_sse_parser *p)
{
    p->u8_len = 0;
    p->u8_need = 0;
    p->u8_lo = 0x80;
    p->u8_hi = 0xbf;
}

static void reset_event(tt_sse_parser *p)
{
    p->data_len = 0;
    p->data_size = 0;
    p->type_len = 0;
    p->type_too_long = 0;
}

void tt_sse_init(tt_sse_parser *p, char *data_buf, size_t data_cap,
                 tt_sse_event_fn on_event, tt_sse_drop_fn on_drop, void *user)
{
    memset(p, 0, sizeof *p);
    p->data = data_buf;
    p->data_cap = data_cap;
    p->on_event = on_event;
    p->on_drop = on_drop;
    p->user = user;
    p->retry_ms = -1;
    p->at_start = 1;
    reset_utf8(p);
}

void tt_sse_end_of_stream(tt_sse_parser *p)
{
    reset_event(p);
    reset_utf8(p);
    /* the id buffer goes back to what was committed */
    memcpy(p->id_buf, p->last_id, p->last_id_len);
    p->id_buf_len = p->last_id_len;
    p->line = L_START;
    p->after_cr = 0;
    p->at_start = 1;
}

int tt_sse_set_last_id(tt_sse_parser *p, const char *id, size_t len)
{
    if (len >= TT_SSE_ID_MAX || memchr(id, '\0', len) != NULL)
        return -1;
    memcpy(p->last_id, id, len);
    p->last_id_len = len;
    memcpy(p->id_buf, id, len);
    p->id_buf_len = len;
    return 0;
}

/* ---- events ------------------------------------------------------------------ */

static void report_drop(tt_sse_parser *p, tt_errcode code, const char *fmt,
                        unsigned long long size, size_t cap)
{
    tt_error why;
    tt_error_set(&why, TT_ERR_LIMIT, code, NULL, fmt, size, cap);
    if (p->on_drop != NULL)
        p->on_drop(p->user, &why);
}

static int dispatch(tt_sse_parser *p, tt_error *err)
{
    tt_sse_event ev;
    int rc;

    memcpy(p->last_id, p->id_buf, p->id_buf_len);
    p->last_id_len = p->id_buf_len;
    if (p->data_size == 0) {
        reset_event(p);
        return 0;
    }
    if (p->data_size - 1 > p->data_cap || p->type_too_long) {
        p->stats.dropped++;
        p->stats.last_dropped_size = p->data_size - 1;
        if (p->type_too_long)
            report_drop(p, TT_E_LIMIT_SSE_EVENT,
                        "event dropped: its type is longer than TT_SSE_TYPE_MAX "
                        "(data %llu bytes, type buffer %zu)", p->data_size - 1,
                        (size_t)TT_SSE_TYPE_MAX);
        else
            report_drop(p, TT_E_LIMIT_SSE_EVENT,
                        "event dropped: %llu bytes of data, larger than the "
                        "%zu-byte event buffer", p->data_size - 1, p->data_cap);
        reset_event(p);
        return 0;
    }
    ev.data = p->data;
    ev.data_len = (size_t)p->data_size - 1; /* the final LF goes */
    if (p->type_len > 0) {
        ev.type = p->type;
        ev.type_len = p->type_len;
    } else {
        ev.type = "message";
        ev.type_len = 7;
    }
    p->last_id[p->last_id_len] = '\0';
    ev.id = p->last_id;
    ev.id_len = p->last_id_len;
    p->stats.events++;
    rc = p->on_event != NULL ? p->on_event(p->user, &ev, err) : 0;
    reset_event(p);
    return rc;
}

/* ---- fields ------------------------------------------------------------------ */

static int classify(const char *name, size_t n)
{
    if (n == 4 && memcmp(name, "data", 4) == 0)
        return F_DATA;
    if (n == 5 && memcmp(name, "event", 5) == 0)
        return F_EVENT;
    if (n == 2 && memcmp(name, "id", 2) == 0)
        return F_ID;
    if (n == 5 && memcmp(name, "retry", 5) == 0)
        return F_RETRY;
    return F_UNKNOWN;
}

static void begin_value(tt_sse_parser *p)
{
    p->field = classify(p->name, p->name_len);
    p->value_started = 0;
    switch (p->field) {
    case F_EVENT:
        p->type_len = 0;
        p->type_too_long = 0;
        break;
    case F_ID:
        p->id_val_len = 0;
        p->id_nul = 0;
        p->id_long = 0;
        break;
    case F_RETRY:
        p->retry_acc = 0;
        p->retry_ok = 0; /* an empty value is no number */
        break;
    default:
        break;
    }
}

static void append_data(tt_sse_parser *p, const char *s, size_t n)
{
    if (p->data_len < p->data_cap) {
        size_t room = p->data_cap - p->data_len;
        size_t k = n < room ? n : room;
        memcpy(p->data + p->data_len, s, k);
        p->data_len += k;
    }
    p->data_size += n;
}

static void value_byte(tt_sse_parser *p, char c)
{
    switch (p->field) {
    case F_DATA:
        append_data(p, &c, 1);
        break;
    case F_EVENT:
        if (p->type_len + 1 < TT_SSE_TYPE_MAX)
            p->type[p->type_len++] = c;
        else
            p->type_too_long = 1;
        break;
    case F_ID:
        if (c == '\0')
            p->id_nul = 1;
        else if (p->id_val_len + 1 < TT_SSE_ID_MAX)
            p->id_val[p->id_val_len++] = c;
        else
            p->id_long = 1;
        break;
    case F_RETRY:
        if (tt_is_digit(c) && p->retry_ok >= 0) {
            p->retry_acc = p->retry_acc * 10 + (uint64_t)(c - '0');
            if (p->retry_acc > RETRY_CAP)
                p->retry_acc = RETRY_CAP;
            p->retry_ok = 1;
        } else {
            p->retry_ok = -1;
        }
        break;
    default:
        break;
    }
}

static void finish_field(tt_sse_parser *p)
{
    switch (p->field) {
    case F_DATA:
        append_data(p, "\n", 1);
        break;
    case F_ID:
        if (p->id_nul)
            break;
        if (p->id_long) {
            p->stats.ids_too_long++;
            report_drop(p, TT_E_LIMIT_SSE_ID, "id field ignored: longer than "
                        "TT_SSE_ID_MAX (%llu bytes read, limit %zu)",
                        (unsigned long long)p->id_val_len, (size_t)TT_SSE_ID_MAX - 1);
            break;
        }
        memcpy(p->id_buf, p->id_val, p->id_val_len);
        p->id_buf_len = p->id_val_len;
        break;
    case F_RETRY:
        if (p->retry_ok == 1)
            p->retry_ms = (int64_t)p->retry_acc;
        break;
    default:
        break;
    }
}

/* ---- lines ------------------------------------------------------------------- */

static int end_line(tt_sse_parser *p, tt_error *err)
{
    int line = p->line;
    p->line = L_START;
    switch (line) {
    case L_START:
        return dispatch(p, err);
    case L_NAME:
        begin_value(p); /* a field with an empty value */
        finish_field(p);
        return 0;
    case L_VALUE:
        finish_field(p);
        return 0;
    default:
        return 0;
    }
}

/* One decoded byte. */
static int line_byte(tt_sse_parser *p, char c, tt_error *err)
{
    if (c == '\n' && p->after_cr) {
        p->after_cr = 0; /* the LF of a CRLF */
        return 0;
    }
    p->after_cr = c == '\r';
    if (c == '\r' || c == '\n')
        return end_line(p, err);
    switch (p->line) {
    case L_START:
        if (c == ':') {
            p->line = L_SKIP; /* a comment */
            return 0;
        }
        p->line = L_NAME;
        p->name_len = 0;
        /* fall through */
    case L_NAME:
        if (c == ':') {
            begin_value(p);
            p->line = p->field == F_UNKNOWN ? L_SKIP : L_VALUE;
        } else if (p->name_len < sizeof p->name - 1) {
            p->name[p->name_len++] = c;
        } else {
            p->name_len = sizeof p->name; /* longer than any known name */
        }
        return 0;
    case L_VALUE:
        if (!p->value_started) {
            p->value_started = 1;
            if (c == ' ')
                return 0;
        }
        value_byte(p, c);
        return 0;
    default: /* L_SKIP */
        return 0;
    }
}

/* ---- UTF-8 repair (Encoding Standard's decoder, U+FFFD for errors) ------------- */

static int emit(tt_sse_parser *p, const char *s, size_t n, tt_error *err)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (line_byte(p, s[i], err) != 0)
            return -1;
    return 0;
}

static int emit_replacement(tt_sse_parser *p, tt_error *err)
{
    p->at_start = 0;
    return emit(p, "\xef\xbf\xbd", 3, err);
}

/* A complete multi-byte sequence; a BOM at the very start is dropped. */
static int emit_sequence(tt_sse_parser *p, tt_error *err)
{
    int n = p->u8_len;
    int bom = p->at_start && n == 3 && p->u8[0] == 0xef && p->u8[1] == 0xbb &&
              p->u8[2] == 0xbf;
    p->at_start = 0;
    reset_utf8(p);
    return bom ? 0 : emit(p, (const char *)p->u8, (size_t)n, err);
}

static int decode_byte(tt_sse_parser *p, unsigned char b, tt_error *err)
{
    for (;;) {
        if (p->u8_need == 0) {
            if (b < 0x80) {
                p->at_start = 0;
                return line_byte(p, (char)b, err);
            }
            if ((p->u8_need = tt_utf8_lead(b, &p->u8_lo, &p->u8_hi)) == 0)
                return emit_replacement(p, err);
            p->u8[0] = b;
            p->u8_len = 1;
            return 0;
        }
        if (b < p->u8_lo || b > p->u8_hi) {
            /* the sequence so far is one error; b starts over */
            reset_utf8(p);
            if (emit_replacement(p, err) != 0)
                return -1;
            continue;
        }
        p->u8_lo = 0x80;
        p->u8_hi = 0xbf;
        p->u8[p->u8_len++] = b;
        if (p->u8_len == p->u8_need + 1)
            return emit_sequence(p, err);
        return 0;
    }
}

/* Length of the run at s that needs no per-byte work in the current state:
 * ASCII other than CR and LF inside a data value or a skipped line. */
static size_t bulk_run(const tt_sse_parser *p, const unsigned char *s, size_t n)
{
    size_t i = 0;
    if (p->u8_need != 0 || p->after_cr ||
        !(p->line == L_SKIP || (p->line == L_VALUE && p->field == F_DATA && p->value_started)))
        return 0;
    while (i < n && s[i] < 0x80 && s[i] != '\r' && s[i] != '\n')
        i++;
    return i;
}

int tt_sse_feed(tt_sse_parser *p, const char *bytes, size_t len, tt_error *err)
{
    const unsigned char *s = (const unsigned char *)bytes;
    size_t i = 0;
    while (i < len) {
        size_t run = bulk_run(p, s + i, len - i);
        if (run > 0) {
            if (p->line == L_VALUE)
                append_data(p, bytes + i, run);
            p->at_start = 0;
            i += run;
            continue;
        }
        if (decode_byte(p, s[i], err) != 0)
            return -1;
        i++;
    }
    return 0;
}

/* ---- dispatcher --------------------------------------------------------------- */

void tt_sse_dispatch_init(tt_sse_dispatch *d)
{
    memset(d, 0, sizeof *d);
}

int tt_sse_on(tt_sse_dispatch *d, const char *type, tt_sse_handler_fn fn, void *user,
              tt_error *err)
{
    if (type == NULL) {
        d->fallback.fn = fn;
        d->fallback.user = user;
        return 0;
    }
    if (d->nhandlers >= TT_SSE_HANDLERS_MAX)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_SSE_HANDLERS, NULL,
                            "more than TT_SSE_HANDLERS_MAX (%u) event handlers",
                            (unsigned)TT_SSE_HANDLERS_MAX);
    d->handlers[d->nhandlers].type = type;
    d->handlers[d->nhandlers].fn = fn;
    d->handlers[d->nhandlers].user = user;
    d->nhandlers++;
    return 0;
}

void tt_sse_decode_json(tt_sse_dispatch *d, tt_json *doc)
{
    d->doc = doc;
}

static void report(tt_sse_dispatch *d, const tt_sse_event *ev, const tt_error *why)
{
    if (d->report != NULL)
        d->report(d->report_user, ev, why);
}

static int type_is(const tt_sse_event *ev, const char *type)
{
    size_t n = strlen(type);
    return n == ev->type_len && memcmp(ev->type, type, n) == 0;
}

static void call(tt_sse_dispatch *d, const tt_sse_handler *h, const tt_sse_event *ev,
                 const tt_json *doc)
{
    tt_error e;
    tt_error_clear(&e);
    if (h->fn(h->user, ev, doc, &e) != 0) {
        d->stats.handler_errors++;
        if (e.cls == TT_ERR_NONE)
            tt_error_set(&e, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "handler failed");
        report(d, ev, &e);
    }
}

int tt_sse_dispatch_event(void *dispatch, const tt_sse_event *ev, tt_error *err)
{
    tt_sse_dispatch *d = dispatch;
    const tt_json *doc = NULL;
    tt_error e;
    size_t i;
    int any = 0;

    (void)err;
    tt_error_clear(&e);
    if (d->doc != NULL) {
        if (tt_json_parse(d->doc, ev->data, ev->data_len, &e) != 0) {
            d->stats.bad_json++;
            report(d, ev, &e);
            return 0;
        }
        doc = d->doc;
    }
    if (d->verify != NULL && d->verify(d->verify_user, ev, doc, &e) != 0) {
        d->stats.rejected++;
        if (e.cls == TT_ERR_NONE)
            tt_error_set(&e, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                         "event rejected by the verifier");
        report(d, ev, &e);
        return 0;
    }
    for (i = 0; i < d->nhandlers; i++) {
        if (type_is(ev, d->handlers[i].type)) {
            call(d, &d->handlers[i], ev, doc);
            any = 1;
        }
    }
    if (!any && d->fallback.fn != NULL) {
        call(d, &d->fallback, ev, doc);
        any = 1;
    }
    if (any)
        d->stats.delivered++;
    else
        d->stats.unhandled++;
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
