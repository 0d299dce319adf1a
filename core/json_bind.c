/*
 * Binding JSON into records: a push binder driven by the strict scanner's
 * events. Containers the tables name get a frame; everything else is
 * skipped by depth without being held. Scalars are captured across the
 * pieces of the text as they stream past (strings unescaped on the way),
 * and list elements are handed over one at a time. No recursion: frames
 * are an explicit stack whose depth the program's tables fix.
 */
#include "tether/config.h"
#if TT_FEATURE_JSON_BIND

#include "tether/json.h"
#include "chars.h"

#include <string.h>

enum { CAP_NONE, CAP_KEY, CAP_STRING, CAP_TEXT, CAP_NUMBER, CAP_JSON, CAP_RAW };

static const char *const type_names[] = {
    "a string", "a number", "a number", "a number", "true or false", "an object",
    "an array", "an array", "a value", "a value", "a string"
};

/* ---- errors ---------------------------------------------------------------- */

static int fatal(tt_json_binder *b, tt_err_class cls, tt_errcode code, const char *msg)
{
    b->failed = 1;
    return tt_error_set(b->err, cls, code, NULL, "%s", msg);
}

/* The path of the value being read ("peers[3].allowed_ips[1]"), with the
 * member `leaf` of the innermost object when it is not NULL. */
static void path_of(const tt_json_binder *b, const char *leaf, char *out, size_t cap)
{
    size_t n = 0;
    unsigned i;
    out[0] = '\0';
    for (i = 1; i <= b->nframes; i++) {
        const tt_json_frame *parent = &b->frames[i - 1];
        if (parent->kind == TT_JF_OBJECT) {
            const char *name = i < b->nframes ? b->frames[i].f->name : leaf;
            if (name == NULL)
                break;
            n += tt_fmt(out + n, n < cap ? cap - n : 0, n ? ".%s" : "%s", name);
        } else {
            n += tt_fmt(out + n, n < cap ? cap - n : 0, "[%zu]",
                        parent->count > 0 ? parent->count - 1 : 0);
        }
    }
    if (n >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
    if (out[0] == '\0')
        tt_fmt(out, cap, "(root)");
}

/* A problem of the record being read: the first one is kept for it (its
 * other fields go on being bound). detail follows the path in the message. */
static void record_error(tt_json_binder *b, const char *leaf, tt_err_class cls,
                         tt_errcode code, const char *detail)
{
    tt_error *e = &b->errors[b->level];
    char path[TT_JSON_PATH_MAX];
    if (e->cls != TT_ERR_NONE)
        return;
    path_of(b, leaf, path, sizeof path);
    tt_error_set(e, cls, code, NULL, "%s: %s", path, detail);
}

/* ---- frames ------------------------------------------------------------------ */

static tt_json_frame *top(tt_json_binder *b)
{
    return b->nframes > 0 ? &b->frames[b->nframes - 1] : NULL;
}

static int push(tt_json_binder *b, const tt_json_field *f, unsigned kind, unsigned char *base,
                unsigned depth, int item)
{
    tt_json_frame *fr;
    if (b->nframes == TT_JSON_BIND_DEPTH)
        return fatal(b, TT_ERR_USAGE, TT_E_INVALID_ARG,
                     "record table nested deeper than TT_JSON_BIND_DEPTH");
    if (kind == TT_JF_OBJECT && f->nsub > 64)
        return fatal(b, TT_ERR_USAGE, TT_E_INVALID_ARG, "record table over 64 fields");
    fr = &b->frames[b->nframes++];
    memset(fr, 0, sizeof *fr);
    fr->f = f;
    fr->kind = (unsigned char)kind;
    fr->base = base;
    fr->depth = depth;
    fr->cur = -1;
    fr->item = (unsigned char)item;
    return 0;
}

/* A list element begins: a new record level. */
static int item_begin(tt_json_binder *b, const tt_json_field *list, unsigned char *slot,
                      size_t index)
{
    tt_json_item *it;
    if (b->level + 1 >= TT_JSON_BIND_LEVELS)
        return fatal(b, TT_ERR_USAGE, TT_E_INVALID_ARG,
                     "record table has lists nested deeper than TT_JSON_BIND_LEVELS");
    memset(slot, 0, list->size);
    b->level++;
    it = &b->items[b->level];
    it->list = list;
    it->record = slot;
    it->index = index;
    it->parent = b->level > 1 ? &b->items[b->level - 1] : NULL;
    it->error = NULL;
    tt_error_clear(&b->errors[b->level]);
    return 0;
}

/* The element is complete: hand it over. */
static void item_end(tt_json_binder *b)
{
    tt_json_item *it = &b->items[b->level];
    tt_error *e = &b->errors[b->level];
    if (e->cls != TT_ERR_NONE) {
        it->error = e;
        b->item_errors++;
    }
    b->delivered++;
    if (b->on_item != NULL) {
        if (b->on_item(b->user, it, b->err) != 0)
            b->failed = 1;
    } else if (e->cls != TT_ERR_NONE && b->errors[0].cls == TT_ERR_NONE) {
        b->errors[0] = *e; /* no one to hand it to: never dropped silently */
    }
    b->level--;
}

/* ---- captured values ---------------------------------------------------------- */

/* Unescaped bytes of the string being captured. */
static void emit(tt_json_binder *b, const char *p, size_t n)
{
    size_t room;
    switch (b->cap) {
    case CAP_KEY:
        if (b->key_len + n >= sizeof b->key) {
            b->key_long = 1;
            return;
        }
        memcpy(b->key + b->key_len, p, n);
        b->key_len += n;
        return;
    case CAP_TEXT:
        if (n > 0 && b->on_text != NULL && !b->failed &&
            b->on_text(b->user, b->cap_f, b->cap_dst, p, n, 0, b->err) != 0)
            b->failed = 1;
        return;
    default: /* CAP_STRING: what does not fit is counted, for the message */
        b->cap_true += n;
        room = b->cap_f->size - 1 - b->cap_len;
        if (n > room)
            n = room;
        memcpy(b->cap_dst + b->cap_f->offset + b->cap_len, p, n);
        b->cap_len += n;
    }
}

static void emit_code(tt_json_binder *b, uint32_t cp)
{
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3f));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        k = 3;
    } else {
        u[0] = (char)(0xf0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        k = 4;
    }
    emit(b, u, k);
}

/*
 * String content (validated by the scanner) in pieces: esc is 0 in plain
 * text, 1 after a backslash, 2..5 in the four digits of \u, 6 and 7 before
 * the low half of a surrogate pair ('\\', 'u'), 8..11 in its digits.
 */
/* What a one-letter escape stands for. Key bytes reach the binder before
 * the scanner judged them: any byte must be safe here. */
static char escaped(int c)
{
    switch (c) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return (char)c; /* '"', '\\', '/' (and what the scanner refuses) */
    }
}

static void unescape(tt_json_binder *b, const char *p, size_t n)
{
    while (n > 0) {
        const char *bs;
        size_t run;
        int c;
        if (b->esc == 0) {
            bs = memchr(p, '\\', n);
            run = bs != NULL ? (size_t)(bs - p) : n;
            if (run > 0)
                emit(b, p, run);
            if (bs == NULL)
                return;
            b->esc = 1;
            p = bs + 1;
            n -= run + 1;
            continue;
        }
        c = (unsigned char)*p++;
        n--;
        if (b->esc == 1) {
            char e;
            if (c == 'u') {
                b->esc = 2;
                b->code = 0;
                continue;
            }
            e = escaped(c);
            emit(b, &e, 1);
            b->esc = 0;
        } else if (b->esc == 6 || b->esc == 7) {
            b->esc++; /* the backslash and 'u' of the low half */
            b->code = 0;
        } else {
            b->code = b->code << 4 | (uint32_t)tt_hex_value(c);
            if (b->esc != 5 && b->esc != 11) {
                b->esc++;
            } else if (b->esc == 5 && b->code >= 0xd800 && b->code <= 0xdbff) {
                b->hi = b->code; /* the scanner made sure the low half follows */
                b->esc = 6;
            } else {
                emit_code(b, b->esc == 11 ? 0x10000 + ((b->hi - 0xd800) << 10) +
                                                (b->code - 0xdc00)
                                          : b->code);
                b->esc = 0;
            }
        }
    }
}

/* Raw bytes of the captured value from the current piece. */
static void capture_bytes(tt_json_binder *b, const char *p, size_t n)
{
    size_t cap, room;
    switch (b->cap) {
    case CAP_STRING:
    case CAP_TEXT:
        unescape(b, p, n);
        return;
    case CAP_NUMBER:
        cap = sizeof b->num - 1;
        break;
    case CAP_JSON:
        cap = b->cap_f->size - 1;
        break;
    default:
        return;
    }
    b->cap_true += n;
    room = b->cap_len < cap ? cap - b->cap_len : 0;
    if (n > room)
        n = room;
    memcpy(b->cap == CAP_NUMBER ? b->num + b->cap_len : (char *)b->cap_dst + b->cap_f->offset + b->cap_len, p, n);
    b->cap_len += n;
}

/* Cut a display string that did not fit at a character boundary, with "...". */
static void cut_display(char *s, size_t size)
{
    size_t n;
    if (size < 4) {
        s[0] = '\0';
        return;
    }
    n = size - 4;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    memcpy(s + n, "...", 4);
}

static void store_int(void *dst, size_t size, uint64_t v)
{
    if (size == 4) {
        uint32_t x = (uint32_t)v;
        memcpy(dst, &x, 4);
    } else {
        memcpy(dst, &v, 8);
    }
}

static void finish_number(tt_json_binder *b, const tt_json_field *f, unsigned kind, void *dst)
{
    size_t n = b->cap_len;
    int ok;
    if (b->cap_true > n) {
        char d[48];
        tt_fmt(d, sizeof d, "number of %llu digits, out of range",
               (unsigned long long)b->cap_true);
        record_error(b, f->name, TT_ERR_PROTOCOL, TT_E_JSON_RANGE, d);
        return;
    }
    if (kind == TT_JF_DOUBLE) {
        double d;
        ok = tt_json_number_to_double(b->num, n, &d) == 0;
        if (ok)
            memcpy(dst, &d, sizeof d);
    } else if (kind == TT_JF_INT) {
        int64_t v;
        int64_t lim = f->size == 4 ? INT32_MAX : INT64_MAX;
        ok = tt_json_text_int(b->num, n, -lim - 1, lim, &v) == 0;
        if (ok)
            store_int(dst, f->size, (uint64_t)v);
    } else {
        uint64_t v;
        ok = tt_json_text_uint(b->num, n, f->size == 4 ? UINT32_MAX : UINT64_MAX, &v) == 0;
        if (ok)
            store_int(dst, f->size, v);
    }
    if (!ok)
        record_error(b, f->name, TT_ERR_PROTOCOL, TT_E_JSON_RANGE,
                     "number out of range or not an integer");
}

/* A captured text (a string, or a value's JSON) is complete: terminated,
 * or, when it was longer than its buffer, emptied and the record's error
 * naming both sizes -- but a display string is cut, visibly. */
static void finish_text(tt_json_binder *b, const tt_json_field *f, unsigned char *rec,
                        const char *what, tt_errcode code)
{
    char *s = (char *)rec + f->offset, d[80];
    s[b->cap_len] = '\0';
    if (b->cap_true + 1 <= f->size)
        return;
    if (f->flags & TT_JF_CUT) {
        cut_display(s, f->size);
        return;
    }
    s[0] = '\0';
    tt_fmt(d, sizeof d, "%s of %llu bytes, longer than its %lu-byte buffer", what,
           (unsigned long long)b->cap_true, (unsigned long)f->size);
    record_error(b, f->name, TT_ERR_LIMIT, code, d);
}

/* The captured value ended just before chunk[pos]. */
static void capture_end(tt_json_binder *b, size_t pos)
{
    const tt_json_field *f = b->cap_f;
    unsigned char *rec = b->cap_dst;
    int cap = b->cap;
    /* a string's range ends after its closing quote */
    size_t end = (cap == CAP_STRING || cap == CAP_TEXT) ? pos - 1 : pos;

    if (cap != CAP_RAW && b->chunk != NULL && end > b->cap_from)
        capture_bytes(b, b->chunk + b->cap_from, end - b->cap_from);
    b->cap = CAP_NONE;
    switch (cap) {
    case CAP_STRING:
        finish_text(b, f, rec, "string", TT_E_LIMIT_JSON_STRING);
        break;
    case CAP_TEXT:
        if (b->on_text != NULL && !b->failed &&
            b->on_text(b->user, f, rec, NULL, 0, 1, b->err) != 0)
            b->failed = 1;
        break;
    case CAP_NUMBER:
        finish_number(b, f, b->cap_kind, rec + f->offset);
        break;
    case CAP_JSON:
        finish_text(b, f, rec, "JSON value", TT_E_LIMIT_JSON_BODY);
        break;
    case CAP_RAW: {
        tt_json_slice *sl = (tt_json_slice *)(void *)(rec + f->offset);
        if (b->raw_feed == b->feeds) {
            sl->n = pos - b->cap_from;
            sl->p = b->chunk + b->cap_from;
        } else {
            record_error(b, f->name, TT_ERR_USAGE, TT_E_INVALID_ARG,
                         "a raw slice split across pieces of the text");
        }
        break;
    }
    default:
        break;
    }
}

/* Start capturing the value beginning at chunk[pos] into field f of rec. */
static void capture_begin(tt_json_binder *b, int cap, const tt_json_field *f,
                          unsigned kind, unsigned char *rec, unsigned depth, size_t pos)
{
    b->cap = cap;
    b->cap_kind = (unsigned char)kind;
    b->cap_f = f;
    b->cap_dst = rec;
    b->cap_len = 0;
    b->cap_true = 0;
    b->cap_depth = depth;
    b->esc = 0;
    /* strings start after their opening quote */
    b->cap_from = (cap == CAP_STRING || cap == CAP_TEXT) ? pos + 1 : pos;
    b->raw_feed = b->feeds;
}

/* ---- values ------------------------------------------------------------------------ */

static void skip(tt_json_binder *b, tt_json_type t, unsigned depth)
{
    if (t == TT_JSON_OBJECT || t == TT_JSON_ARRAY) {
        b->skipping = 1;
        b->skip_depth = depth;
    }
}

static int type_fits(unsigned kind, tt_json_type t)
{
    switch (kind) {
    case TT_JF_STRING:
    case TT_JF_TEXT:
        return t == TT_JSON_STRING;
    case TT_JF_INT:
    case TT_JF_UINT:
    case TT_JF_DOUBLE:
        return t == TT_JSON_NUMBER;
    case TT_JF_BOOL:
        return t == TT_JSON_TRUE || t == TT_JSON_FALSE;
    case TT_JF_OBJECT:
        return t == TT_JSON_OBJECT;
    case TT_JF_ARRAY:
    case TT_JF_LIST:
        return t == TT_JSON_ARRAY;
    default: /* JSON, RAW: any */
        return 1;
    }
}

/*
 * A value of kind `kind` for field f begins: rec is the record holding the
 * member (or, for an element, the address of the element itself with
 * f->offset subtracted, so that rec + f->offset is always the target).
 * elem: 0 a member, 1 an element of an ARRAY, 2 of a LIST.
 */
static void bind_value(tt_json_binder *b, const tt_json_field *f, unsigned kind,
                       unsigned char *rec, unsigned depth, tt_json_type t, size_t pos,
                       int elem)
{
    unsigned char *dst = rec + f->offset;
    if (!type_fits(kind, t)) {
        char d[32];
        tt_fmt(d, sizeof d, "expected %s", type_names[kind]);
        record_error(b, elem ? NULL : f->name, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, d);
        skip(b, t, depth);
        return;
    }
    switch (kind) {
    case TT_JF_OBJECT:
        push(b, f, TT_JF_OBJECT, dst, depth, elem == 2);
        return;
    case TT_JF_ARRAY:
    case TT_JF_LIST:
        push(b, f, kind, dst, depth, 0);
        return;
    case TT_JF_BOOL: {
        int v = t == TT_JSON_TRUE;
        memcpy(dst, &v, sizeof v);
        return;
    }
    default: /* strings, texts, JSON and raw values, numbers: captured */
        capture_begin(b, kind == TT_JF_STRING ? CAP_STRING
                         : kind == TT_JF_TEXT ? CAP_TEXT
                         : kind == TT_JF_JSON ? CAP_JSON
                         : kind == TT_JF_RAW  ? CAP_RAW : CAP_NUMBER,
                      f, kind, rec, depth, pos);
        return;
    }
}

/* An element of the array in frame fr begins. */
static void element(tt_json_binder *b, tt_json_frame *fr, unsigned depth, tt_json_type t,
                    size_t pos)
{
    const tt_json_field *f = fr->f;
    unsigned char *slot;
    size_t index = fr->count++;

    if (fr->kind == TT_JF_ARRAY) {
        if (index >= f->max_items) {
            skip(b, t, depth); /* counted, reported at the array's end */
            return;
        }
        slot = fr->base + index * f->size;
        bind_value(b, f, f->elem, slot - f->offset, depth, t, pos, 1);
        return;
    }
    slot = fr->base;
    if (item_begin(b, f, slot, index) != 0)
        return;
    bind_value(b, f, f->elem, slot - f->offset, depth, t, pos, 2);
    if (f->elem != TT_JF_OBJECT || top(b) == fr) {
        /* a scalar element (or one refused): handed over at its end */
        if (b->cap != CAP_NONE)
            b->scalar_item = 1;
        else if (!b->skipping)
            item_end(b);
        else
            b->scalar_item = 1;
    }
}

static void value_start(tt_json_binder *b, unsigned depth, tt_json_type t, size_t pos)
{
    tt_json_frame *fr = top(b);
    const tt_json_field *f;

    if (fr == NULL) {
        if (depth != 0)
            return; /* after the root: the scanner refuses it */
        f = b->root;
        if (f->type == TT_JF_LIST) {
            if (t != TT_JSON_ARRAY) {
                record_error(b, NULL, TT_ERR_PROTOCOL, TT_E_JSON_TYPE,
                             "expected an array");
                skip(b, t, depth);
                return;
            }
            push(b, f, TT_JF_LIST, b->out, depth, 0);
            return;
        }
        if (t == TT_JSON_NULL || !type_fits(TT_JF_OBJECT, t)) {
            record_error(b, NULL, TT_ERR_PROTOCOL, TT_E_JSON_TYPE,
                         "expected an object");
            skip(b, t, depth);
            return;
        }
        push(b, f, TT_JF_OBJECT, b->out, depth, 0);
        return;
    }
    if (fr->kind != TT_JF_OBJECT) {
        element(b, fr, depth, t, pos);
        return;
    }
    if (fr->cur < 0) {
        skip(b, t, depth);
        return;
    }
    f = &fr->f->sub[fr->cur];
    if (t == TT_JSON_NULL)
        return; /* as if absent */
    fr->set |= (uint64_t)1 << fr->cur;
    bind_value(b, f, f->type, fr->base, depth, t, pos, 0);
}

/* The key just read names which field of the object in fr? */
static void key_end(tt_json_binder *b, tt_json_frame *fr)
{
    const tt_json_field *sub = fr->f->sub;
    unsigned i;
    fr->cur = -1;
    if (b->key_long)
        return;
    for (i = 0; i < fr->f->nsub; i++) {
        /* by length first: a key with a NUL in it never matches; fields
         * that are only written are never bound */
        if (sub[i].type < TT_JF_PSTR && !(sub[i].flags & TT_JF_WRITE_ONLY) &&
            strlen(sub[i].name) == b->key_len &&
            memcmp(sub[i].name, b->key, b->key_len) == 0) {
            uint64_t bit = (uint64_t)1 << i;
            if (fr->seen & bit) {
                record_error(b, sub[i].name, TT_ERR_PROTOCOL, TT_E_JSON_SYNTAX,
                             "member given twice");
                return; /* the second value is skipped */
            }
            fr->seen |= bit;
            fr->cur = (int)i;
            return;
        }
    }
}

/* The container of frame fr closed. */
static void container_end(tt_json_binder *b, tt_json_frame *fr)
{
    const tt_json_field *f = fr->f;
    unsigned i;
    if (fr->kind == TT_JF_OBJECT) {
        for (i = 0; i < f->nsub; i++)
            if ((f->sub[i].flags & TT_JF_REQUIRED) && !(fr->set & ((uint64_t)1 << i)))
                record_error(b, f->sub[i].name, TT_ERR_PROTOCOL, TT_E_JSON_MISSING,
                             "required field missing");
    } else if (fr->kind == TT_JF_ARRAY) {
        size_t n = fr->count < f->max_items ? fr->count : f->max_items;
        memcpy(fr->base - f->offset + f->count_offset, &n, sizeof n);
        if (fr->count > f->max_items) {
            char d[64];
            tt_fmt(d, sizeof d, "%zu items, more than the %u it can hold", fr->count,
                   (unsigned)f->max_items);
            b->nframes--; /* the path names the array itself */
            record_error(b, f->name, TT_ERR_LIMIT, TT_E_LIMIT_JSON_ARRAY, d);
            b->nframes++;
        }
    }
    b->nframes--;
    if (fr->item)
        item_end(b);
}

/* ---- scanner events -------------------------------------------------------------- */

static void on_start(void *u, unsigned depth, tt_json_type t, int key, size_t pos)
{
    tt_json_binder *b = u;
    (void)pos;
    if (b->failed || b->skipping || b->cap != CAP_NONE)
        return;
    if (key) {
        b->cap = CAP_KEY;
        b->key_len = 0;
        b->key_long = 0;
        b->esc = 0;
        return;
    }
    value_start(b, depth, t, pos);
}

static void on_key_bytes(void *u, unsigned depth, const char *p, size_t n)
{
    tt_json_binder *b = u;
    (void)depth;
    if (b->cap == CAP_KEY && !b->failed)
        unescape(b, p, n);
}

static void on_end(void *u, unsigned depth, int key, size_t pos)
{
    tt_json_binder *b = u;
    tt_json_frame *fr;
    if (b->failed)
        return;
    if (b->skipping) {
        if (!key && depth == b->skip_depth) {
            b->skipping = 0;
            if (b->scalar_item) {
                b->scalar_item = 0;
                item_end(b);
            }
        }
        return;
    }
    if (key) {
        if (b->cap == CAP_KEY) {
            b->cap = CAP_NONE;
            key_end(b, top(b));
        }
        return;
    }
    if (b->cap != CAP_NONE) {
        if (depth != b->cap_depth)
            return; /* inside a JSON or raw capture */
        capture_end(b, pos);
        if (b->scalar_item) {
            b->scalar_item = 0;
            item_end(b);
        }
        return;
    }
    fr = top(b);
    if (fr != NULL && fr->depth == depth)
        container_end(b, fr);
}

static const tt_json_events binder_events = { on_start, on_end, on_key_bytes };

/* ---- the calls ----------------------------------------------------------------------- */

void tt_json_binder_init(tt_json_binder *b, const tt_json_field *root, void *out,
                         tt_json_item_fn on_item, tt_json_text_fn on_text, void *user)
{
    memset(b, 0, sizeof *b);
    b->root = root;
    b->out = out;
    b->on_item = on_item;
    b->on_text = on_text;
    b->user = user;
    b->items[0].record = out;
    tt_json_scan_init(&b->scan, &binder_events, b);
    b->scan.max_tokens = 0;
}

int tt_json_binder_feed(tt_json_binder *b, const char *data, size_t len, tt_error *err)
{
    tt_error scan_err;
    uint64_t start;
    int rc;
    if (b->failed)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "JSON binder used after an error");
    b->err = err;
    b->chunk = data;
    b->feeds++;
    start = b->scan.offset;
    rc = tt_json_scan_feed(&b->scan, data, len, &scan_err);
    if (b->failed)
        return -1; /* a callback's error, already in err */
    if (rc != 0) {
        /* a text stream gets what came before the bad byte however the
         * answer was cut into pieces */
        if (b->cap == CAP_TEXT && b->scan.failed_at > start + b->cap_from)
            capture_bytes(b, data + b->cap_from, (size_t)(b->scan.failed_at - start) - b->cap_from);
        *err = scan_err;
        b->failed = 1;
        return -1;
    }
    if (b->cap != CAP_NONE && b->cap != CAP_RAW && len > b->cap_from)
        capture_bytes(b, data + b->cap_from, len - b->cap_from);
    b->cap_from = 0;
    b->chunk = NULL;
    return b->failed ? -1 : 0;
}

int tt_json_binder_body(void *binder, const unsigned char *data, size_t len, tt_error *err)
{
    return tt_json_binder_feed(binder, (const char *)data, len, err);
}

int tt_json_binder_finish(tt_json_binder *b, tt_error *err)
{
    if (b->failed)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "JSON binder used after an error");
    b->err = err;
    b->chunk = NULL;
    if (tt_json_scan_finish(&b->scan, err) != 0 || b->failed) {
        b->failed = 1;
        return -1;
    }
    if (b->errors[0].cls != TT_ERR_NONE) {
        *err = b->errors[0];
        b->partial = 1;
        return -1;
    }
    return 0;
}

int tt_json_bind(const tt_json *doc, tt_json_val obj, const tt_json_field *fields,
                 size_t nfields, void *out, tt_error *err)
{
    tt_json_binder b;
    tt_json_field root;
    const char *p;
    size_t n;
    if (tt_json_type_of(doc, obj) != TT_JSON_OBJECT)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                            "(root): expected an object");
    memset(&root, 0, sizeof root);
    root.name = "";
    root.type = TT_JF_OBJECT;
    root.sub = fields;
    root.nsub = (uint16_t)nfields;
    tt_json_raw(doc, obj, &p, &n);
    tt_json_binder_init(&b, &root, out, NULL, NULL, NULL);
    if (tt_json_binder_feed(&b, p, n, err) != 0)
        return -1;
    return tt_json_binder_finish(&b, err);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
