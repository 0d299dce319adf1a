/*
 * JSON writer into a caller buffer. Every call is cheap to make blindly:
 * overflow and misuse are remembered and reported once by tt_jw_finish,
 * which never calls a partial document a success.
 */
#include "tether/config.h"
#if TT_FEATURE_JSON_WRITE

#include "tether/json.h"

#include <string.h>

void tt_jw_init(tt_json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    tt_text_init(&w->text, buf, cap);
    w->first[0] = 1;
}

static void out(tt_json_writer *w, const char *s, size_t n)
{
    tt_text_put(&w->text, s, n);
}

static void out_c(tt_json_writer *w, char c)
{
    out(w, &c, 1);
}

/* Place a value: commas between array items, keys before object members,
 * one value at the top. */
static void begin_value(tt_json_writer *w)
{
    if (w->depth == 0) {
        if (!w->first[0])
            w->bad = 1;
        w->first[0] = 0;
    } else if (w->is_obj[w->depth]) {
        if (!w->after_key)
            w->bad = 1;
        w->after_key = 0;
    } else {
        if (!w->first[w->depth])
            out_c(w, ',');
        w->first[w->depth] = 0;
    }
}

static void open_container(tt_json_writer *w, int obj)
{
    begin_value(w);
    if (w->depth >= TT_JSON_MAX_DEPTH) {
        w->bad = 1;
        return;
    }
    w->depth++;
    w->is_obj[w->depth] = (unsigned char)obj;
    w->first[w->depth] = 1;
    out_c(w, obj ? '{' : '[');
}

void tt_jw_object(tt_json_writer *w)
{
    open_container(w, 1);
}

void tt_jw_array(tt_json_writer *w)
{
    open_container(w, 0);
}

void tt_jw_end(tt_json_writer *w)
{
    if (w->depth == 0 || w->after_key) {
        w->bad = 1;
        return;
    }
    out_c(w, w->is_obj[w->depth] ? '}' : ']');
    w->depth--;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t need, i;
    unsigned char lo = 0x80, hi = 0xbf;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 1;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 2;
        if (s[0] == 0xe0)
            lo = 0xa0;
        else if (s[0] == 0xed)
            hi = 0x9f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 3;
        if (s[0] == 0xf0)
            lo = 0x90;
        else if (s[0] == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (need >= n)
        return 0;
    for (i = 1; i <= need; i++) {
        if (s[i] < lo || s[i] > hi)
            return 0;
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

static void out_string(tt_json_writer *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    out_c(w, '"');
    while (i < n) {
        size_t run = i;
        /* plain bytes in one copy */
        while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
            run++;
        out(w, s + i, run - i);
        i = run;
        if (i == n)
            break;
        if (p[i] >= 0x80) {
            size_t k = utf8_len(p + i, n - i);
            if (k == 0) {
                w->bad = 1;
                return;
            }
            out(w, s + i, k);
            i += k;
            continue;
        }
        switch (p[i]) {
        case '"': out(w, "\\\"", 2); break;
        case '\\': out(w, "\\\\", 2); break;
        case '\n': out(w, "\\n", 2); break;
        case '\r': out(w, "\\r", 2); break;
        case '\t': out(w, "\\t", 2); break;
        case '\b': out(w, "\\b", 2); break;
        case '\f': out(w, "\\f", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 15] };
            out(w, u, 6);
        }
        }
        i++;
    }
    out_c(w, '"');
}

void tt_jw_key(tt_json_writer *w, const char *key)
{
    if (w->depth == 0 || !w->is_obj[w->depth] || w->after_key) {
        w->bad = 1;
        return;
    }
    if (!w->first[w->depth])
        out_c(w, ',');
    w->first[w->depth] = 0;
    out_string(w, key, strlen(key));
    out_c(w, ':');
    w->after_key = 1;
}

void tt_jw_string_n(tt_json_writer *w, const char *s, size_t n)
{
    begin_value(w);
    out_string(w, s, n);
}

void tt_jw_string(tt_json_writer *w, const char *s)
{
    if (s == NULL) { /* a caller's missing value is null, never a crash */
        tt_jw_null(w);
        return;
    }
    tt_jw_string_n(w, s, strlen(s));
}

static void out_u64(tt_json_writer *w, uint64_t v)
{
    char tmp[20];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    out(w, tmp + i, sizeof tmp - i);
}

void tt_jw_uint(tt_json_writer *w, uint64_t v)
{
    begin_value(w);
    out_u64(w, v);
}

void tt_jw_int(tt_json_writer *w, int64_t v)
{
    begin_value(w);
    if (v < 0) {
        out_c(w, '-');
        out_u64(w, 0ULL - (uint64_t)v);
    } else {
        out_u64(w, (uint64_t)v);
    }
}

/*
 * Doubles with 16 significant digits (shortest form after trailing zeros
 * go), in plain notation for moderate exponents, else d.ddde[+-]x. The
 * scaling uses exact powers of ten where it can; the last digit may be off
 * by one unit for extreme exponents.
 */
static void out_double(tt_json_writer *w, double v)
{
    static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                  1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16 };
    char digits[17];
    uint64_t m;
    int e10 = 0, nd = 16, i;

    if (v < 0) {
        out_c(w, '-');
        v = -v;
    }
    if (v == 0) {
        out_c(w, '0');
        return;
    }
    if (v < 9007199254740992.0 && v == (double)(uint64_t)v) {
        out_u64(w, (uint64_t)v); /* integral and exact */
        return;
    }
    /* bring v into [1e15, 1e16) */
    while (v >= 1e16) {
        int k = v >= 1e32 ? 16 : 1;
        v /= p10[k];
        e10 += k;
    }
    while (v < 1e15) {
        int k = v < 1e-1 ? 16 : 1;
        v *= p10[k];
        e10 -= k;
    }
    m = (uint64_t)(v + 0.5);
    if (m >= 10000000000000000ULL) {
        m /= 10;
        e10++;
    }
    for (i = 15; i >= 0; i--) {
        digits[i] = (char)('0' + m % 10);
        m /= 10;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    e10 += 15; /* value = d.ddd * 10^e10 */
    if (e10 >= 0 && e10 < 16) {
        out(w, digits, (size_t)(e10 + 1 < nd ? e10 + 1 : nd));
        for (i = nd; i < e10 + 1; i++)
            out_c(w, '0');
        if (nd > e10 + 1) {
            out_c(w, '.');
            out(w, digits + e10 + 1, (size_t)(nd - e10 - 1));
        }
    } else if (e10 < 0 && e10 >= -5) {
        out(w, "0.", 2);
        for (i = -1; i > e10; i--)
            out_c(w, '0');
        out(w, digits, (size_t)nd);
    } else {
        out_c(w, digits[0]);
        if (nd > 1) {
            out_c(w, '.');
            out(w, digits + 1, (size_t)(nd - 1));
        }
        out_c(w, 'e');
        out_c(w, e10 < 0 ? '-' : '+');
        out_u64(w, (uint64_t)(e10 < 0 ? -e10 : e10));
    }
}

void tt_jw_double(tt_json_writer *w, double v)
{
    begin_value(w);
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
        w->bad = 1; /* JSON has no NaN or infinity */
        return;
    }
    out_double(w, v);
}

void tt_jw_bool(tt_json_writer *w, int v)
{
    begin_value(w);
    if (v)
        out(w, "true", 4);
    else
        out(w, "false", 5);
}

void tt_jw_null(tt_json_writer *w)
{
    begin_value(w);
    out(w, "null", 4);
}

void tt_jw_raw(tt_json_writer *w, const char *json, size_t n)
{
    tt_error ignore;
    begin_value(w);
    if (tt_json_validate_stream(json, n, &ignore) != 0) {
        w->bad = 1;
        return;
    }
    out(w, json, n);
}

void tt_jw_kv_string(tt_json_writer *w, const char *key, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    tt_jw_key(w, key);
    tt_jw_string(w, s);
}

void tt_jw_kv_int(tt_json_writer *w, const char *key, int64_t v)
{
    if (v == 0)
        return;
    tt_jw_key(w, key);
    tt_jw_int(w, v);
}

void tt_jw_kv_bool(tt_json_writer *w, const char *key, int v)
{
    if (!v)
        return;
    tt_jw_key(w, key);
    tt_jw_bool(w, 1);
}

int tt_jw_finish(tt_json_writer *w, size_t *len, tt_error *err)
{
    if (w->text.overflow)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, NULL,
                            "JSON body larger than its %zu-byte buffer", w->text.cap);
    if (w->bad || w->depth != 0 || w->first[0])
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "JSON writer misuse (unbalanced, misplaced key, invalid "
                            "UTF-8 or non-finite number)");
    if (w->text.len < w->text.cap)
        w->text.buf[w->text.len] = '\0';
    if (len != NULL)
        *len = w->text.len;
    return 0;
}

/* ---- records by their tables ------------------------------------------------------- */

/* A signed number of `size` bytes at p (INT), or a BOOL (0 or 1), widened. */
static int64_t record_int(unsigned kind, size_t size, const unsigned char *p)
{
    int32_t i32;
    int64_t i64;
    if (kind == TT_JF_BOOL) {
        int b;
        memcpy(&b, p, sizeof b);
        return b != 0;
    }
    if (size == 4) {
        memcpy(&i32, p, 4);
        return i32;
    }
    memcpy(&i64, p, 8);
    return i64;
}

static uint64_t record_uint(size_t size, const unsigned char *p)
{
    uint32_t u32;
    uint64_t u64;
    if (size == 4) {
        memcpy(&u32, p, 4);
        return u32;
    }
    memcpy(&u64, p, 8);
    return u64;
}

/* Is the member f (at p) unset, as TT_JF_OMIT and TT_JF_NULL mean it? */
static int record_unset(const tt_json_field *f, const unsigned char *rec, const unsigned char *p)
{
    const char *s;
    size_t count;
    double d;
    tt_json_slice sl;
    switch (f->type) {
    case TT_JF_STRING:
    case TT_JF_JSON:
        return p[0] == '\0';
    case TT_JF_PSTR:
    case TT_JF_PJSON:
        memcpy(&s, p, sizeof s);
        return s == NULL || s[0] == '\0';
    case TT_JF_RAW:
        memcpy(&sl, p, sizeof sl);
        return sl.n == 0;
    case TT_JF_ARRAY:
    case TT_JF_PSTRS:
        memcpy(&count, rec + f->count_offset, sizeof count);
        return count == 0;
    case TT_JF_DOUBLE:
        memcpy(&d, p, sizeof d);
        return (f->flags & TT_JF_ZERO_SET) ? d < 0 : d <= 0;
    case TT_JF_UINT:
        return record_uint(f->size, p) == 0;
    case TT_JF_INT:
    case TT_JF_BOOL:
        return (f->flags & TT_JF_ZERO_SET) ? record_int(f->type, f->size, p) < 0
                                           : record_int(f->type, f->size, p) <= 0;
    default:
        return 0; /* an object is always written */
    }
}

/* One scalar of kind `kind` (`size` bytes) at p. */
static void record_scalar(tt_json_writer *w, unsigned kind, size_t size, const unsigned char *p)
{
    const char *s;
    double d;
    tt_json_slice sl;
    switch (kind) {
    case TT_JF_STRING:
        tt_jw_string(w, (const char *)p);
        return;
    case TT_JF_INT:
        tt_jw_int(w, record_int(kind, size, p));
        return;
    case TT_JF_UINT:
        tt_jw_uint(w, record_uint(size, p));
        return;
    case TT_JF_DOUBLE:
        memcpy(&d, p, sizeof d);
        tt_jw_double(w, d);
        return;
    case TT_JF_BOOL:
        tt_jw_bool(w, (int)record_int(kind, size, p));
        return;
    case TT_JF_JSON:
        /* the value as it was received; nothing received is null */
        if (p[0] != '\0')
            tt_jw_raw(w, (const char *)p, strlen((const char *)p));
        else
            tt_jw_null(w);
        return;
    case TT_JF_RAW:
        memcpy(&sl, p, sizeof sl);
        if (sl.n > 0)
            tt_jw_raw(w, sl.p, sl.n);
        else
            tt_jw_null(w);
        return;
    case TT_JF_PSTR:
        memcpy(&s, p, sizeof s);
        tt_jw_string(w, s != NULL ? s : "");
        return;
    case TT_JF_PJSON:
        memcpy(&s, p, sizeof s);
        if (s != NULL)
            tt_jw_raw(w, s, strlen(s));
        else
            tt_jw_null(w);
        return;
    default:
        w->bad = 1;
        return;
    }
}

/* An open container the record writer is inside of. */
typedef struct rec_frame {
    const tt_json_field *f;      /* OBJECT: its table; ARRAY: the field */
    size_t n, i;                 /* fields or elements, and the next one */
    const unsigned char *base;
    int array;
} rec_frame;

void tt_jw_members(tt_json_writer *w, const tt_json_field *fields, size_t n, const void *rec)
{
    rec_frame st[TT_JSON_BIND_DEPTH];
    unsigned depth = 1;
    st[0].f = fields;
    st[0].n = n;
    st[0].i = 0;
    st[0].base = rec;
    st[0].array = 0;
    /* an explicit stack: the tables decide the depth, never the input */
    while (depth > 0 && !w->bad) {
        rec_frame *t = &st[depth - 1];
        const tt_json_field *f;
        const unsigned char *p;
        size_t count;
        if (t->i == t->n) {
            if (depth > 1)
                tt_jw_end(w);
            depth--;
            continue;
        }
        if (t->array) {
            f = t->f;
            p = t->base + t->i++ * f->size;
            if (f->elem != TT_JF_OBJECT) {
                record_scalar(w, f->elem, f->size, p);
                continue;
            }
            tt_jw_object(w);
            if (depth == TT_JSON_BIND_DEPTH) {
                w->bad = 1;
                return;
            }
            st[depth].f = f->sub;
            st[depth].n = f->nsub;
            st[depth].i = 0;
            st[depth].base = p;
            st[depth++].array = 0;
            continue;
        }
        f = &t->f[t->i++];
        p = t->base + f->offset;
        if (f->type == TT_JF_LIST || f->type == TT_JF_TEXT || (f->flags & TT_JF_READ_ONLY))
            continue; /* not in the record (they passed one by one), or an alias */
        if ((f->flags & (TT_JF_OMIT | TT_JF_NULL)) && record_unset(f, t->base, p)) {
            if (f->flags & TT_JF_NULL) {
                tt_jw_key(w, f->name);
                tt_jw_null(w);
            }
            continue;
        }
        tt_jw_key(w, f->name);
        if (f->type != TT_JF_OBJECT && f->type != TT_JF_ARRAY && f->type != TT_JF_PSTRS) {
            record_scalar(w, f->type, f->size, p);
            continue;
        }
        if (depth == TT_JSON_BIND_DEPTH) {
            w->bad = 1;
            return;
        }
        st[depth].base = p;
        st[depth].i = 0;
        if (f->type == TT_JF_OBJECT) {
            tt_jw_object(w);
            st[depth].f = f->sub;
            st[depth].n = f->nsub;
            st[depth++].array = 0;
        } else { /* ARRAY, PSTRS */
            memcpy(&count, t->base + f->count_offset, sizeof count);
            tt_jw_array(w);
            st[depth].f = f;
            if (f->max_items == 0) { /* PSTRV: the strings are elsewhere */
                const char *const *v;
                memcpy(&v, p, sizeof v);
                st[depth].base = (const unsigned char *)v;
            } else if (count > f->max_items) {
                count = f->max_items;
            }
            st[depth].n = count;
            st[depth++].array = 1;
        }
    }
}

int tt_json_field_text(const tt_json_field *f, const void *rec, char *buf, size_t cap,
                       const char **text)
{
    const unsigned char *p = (const unsigned char *)rec + f->offset;
    if (record_unset(f, rec, p))
        return 1;
    switch (f->type) {
    case TT_JF_STRING:
        *text = (const char *)p;
        return 0;
    case TT_JF_PSTR:
        memcpy(text, p, sizeof *text);
        return 0;
    case TT_JF_BOOL:
        *text = record_int(f->type, f->size, p) ? "true" : "false";
        return 0;
    case TT_JF_INT:
        tt_fmt(buf, cap, "%lld", (long long)record_int(f->type, f->size, p));
        *text = buf;
        return 0;
    case TT_JF_UINT:
        tt_fmt(buf, cap, "%llu", (unsigned long long)record_uint(f->size, p));
        *text = buf;
        return 0;
    default:
        return -1;
    }
}

void tt_jw_record(tt_json_writer *w, const tt_json_field *root, const void *rec)
{
    tt_jw_object(w);
    tt_jw_members(w, root->sub, root->nsub, rec);
    tt_jw_end(w);
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
