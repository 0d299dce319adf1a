/*
 * JSON documents: strict validation, then jsmn (strict mode) for tokens;
 * navigation, typed getters, numbers, envelopes.
 */
#define JSMN_STRICT
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>
#include <stddef.h>

#include "tether/json.h"
#include "chars.h"
#include "tether/http.h"

#include <string.h>

/* tt_json_token is jsmn's token, field for field */
#define SAME_FIELD(f) (offsetof(jsmntok_t, f) == offsetof(tt_json_token, f) && \
                       sizeof(((jsmntok_t *)0)->f) == sizeof(((tt_json_token *)0)->f))
typedef char tt_json_token_is_jsmns[(sizeof(jsmntok_t) == sizeof(tt_json_token) &&
                                     SAME_FIELD(type) && SAME_FIELD(start) &&
                                     SAME_FIELD(end) && SAME_FIELD(size) &&
                                     SAME_FIELD(parent)) ? 1 : -1];


/* ---- parsing -------------------------------------------------------------- */

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int tt_json_parse(tt_json *doc, const char *js, size_t len, tt_error *err)
{
    jsmn_parser p;
    size_t a = 0, b = len;
    int n;

    doc->js = js;
    doc->len = len;
    doc->ntokens = 0;
    if (len > 0x7fffffff)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_BODY, NULL,
                            "JSON text over 2 GiB");
    if (tt_json_validate(js, len, err) != 0)
        return -1;
    while (a < b && is_ws((unsigned char)js[a]))
        a++;
    while (b > a && is_ws((unsigned char)js[b - 1]))
        b--;
    if (js[a] != '{' && js[a] != '[' && js[a] != '"') {
        /* a top-level number or literal: jsmn's strict mode wants a
         * delimiter after primitives, so make the one token here */
        doc->tokens[0].type = JSMN_PRIMITIVE;
        doc->tokens[0].start = (int)a;
        doc->tokens[0].end = (int)b;
        doc->tokens[0].size = 0;
        doc->tokens[0].parent = -1;
        doc->ntokens = 1;
        return 0;
    }
    jsmn_init(&p);
    n = jsmn_parse(&p, js, len, (jsmntok_t *)(void *)doc->tokens, TT_JSON_MAX_TOKENS);
    if (n < 1)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_SYNTAX, NULL,
                            "JSON tokenizer disagrees with the validator (%d)", n);
    doc->ntokens = n;
    return 0;
}

/* ---- navigation ------------------------------------------------------------ */

static int string_eq_n(const tt_json *doc, tt_json_val v, const char *text, size_t tl);

static int valid(const tt_json *doc, tt_json_val v)
{
    return v >= 0 && v < doc->ntokens;
}

/* Token after v's whole subtree: tokens are in text order, so the subtree
 * is every following token that starts before v ends. */
static tt_json_val skip(const tt_json *doc, tt_json_val v)
{
    tt_json_val j = v + 1;
    while (j < doc->ntokens && doc->tokens[j].start < doc->tokens[v].end)
        j++;
    return j;
}

tt_json_type tt_json_type_of(const tt_json *doc, tt_json_val v)
{
    const tt_json_token *t;
    if (!valid(doc, v))
        return TT_JSON_NONE;
    t = &doc->tokens[v];
    switch (t->type) {
    case JSMN_OBJECT:
        return TT_JSON_OBJECT;
    case JSMN_ARRAY:
        return TT_JSON_ARRAY;
    case JSMN_STRING:
        return TT_JSON_STRING;
    default:
        switch (doc->js[t->start]) {
        case 't': return TT_JSON_TRUE;
        case 'f': return TT_JSON_FALSE;
        case 'n': return TT_JSON_NULL;
        default: return TT_JSON_NUMBER;
        }
    }
}

size_t tt_json_count(const tt_json *doc, tt_json_val v)
{
    tt_json_type t = tt_json_type_of(doc, v);
    return (t == TT_JSON_OBJECT || t == TT_JSON_ARRAY) ? (size_t)doc->tokens[v].size : 0;
}

void tt_json_iter_init(tt_json_iter *it, const tt_json *doc, tt_json_val container)
{
    it->doc = doc;
    it->left = tt_json_count(doc, container);
    it->next = container + 1;
    it->object = tt_json_type_of(doc, container) == TT_JSON_OBJECT;
}

int tt_json_iter_next(tt_json_iter *it, tt_json_val *key, tt_json_val *value)
{
    if (it->left == 0)
        return 0;
    it->left--;
    if (it->object) {
        *key = it->next;
        *value = it->next + 1;
    } else {
        *key = -1;
        *value = it->next;
    }
    it->next = skip(it->doc, *value);
    return 1;
}

tt_json_val tt_json_member(const tt_json *doc, tt_json_val obj, const char *key,
                           size_t keylen)
{
    tt_json_iter it;
    tt_json_val k, v;
    if (tt_json_type_of(doc, obj) != TT_JSON_OBJECT)
        return -1;
    tt_json_iter_init(&it, doc, obj);
    while (tt_json_iter_next(&it, &k, &v))
        if (string_eq_n(doc, k, key, keylen))
            return v;
    return -1;
}

static size_t unescape_one(const char **p, char out[4]);

/* Two keys the same after unescaping, compared a character at a time. */
static int keys_equal(const tt_json *doc, tt_json_val a, tt_json_val b)
{
    const char *pa = doc->js + doc->tokens[a].start, *ea = doc->js + doc->tokens[a].end;
    const char *pb = doc->js + doc->tokens[b].start, *eb = doc->js + doc->tokens[b].end;
    while (pa < ea && pb < eb) {
        char ua[4], ub[4];
        size_t na = unescape_one(&pa, ua), nb = unescape_one(&pb, ub);
        if (na != nb || memcmp(ua, ub, na) != 0)
            return 0;
    }
    return pa == ea && pb == eb;
}

int tt_json_check_unique(const tt_json *doc, tt_error *err)
{
    tt_json_val v;
    for (v = 0; v < doc->ntokens; v++) {
        tt_json_iter a, b;
        tt_json_val ka, kb, va, vb;
        if (doc->tokens[v].type != JSMN_OBJECT)
            continue;
        tt_json_iter_init(&a, doc, v);
        while (tt_json_iter_next(&a, &ka, &va)) {
            b = a;
            while (tt_json_iter_next(&b, &kb, &vb))
                if (keys_equal(doc, ka, kb)) {
                    char name[48];
                    tt_json_display_copy(doc, ka, name, sizeof name);
                    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_SYNTAX, NULL,
                                        "member \"%s\" given twice in one object", name);
                }
        }
    }
    return 0;
}

tt_json_val tt_json_index(const tt_json *doc, tt_json_val arr, size_t i)
{
    tt_json_iter it;
    tt_json_val k, v;
    if (tt_json_type_of(doc, arr) != TT_JSON_ARRAY || i >= tt_json_count(doc, arr))
        return -1;
    tt_json_iter_init(&it, doc, arr);
    while (tt_json_iter_next(&it, &k, &v))
        if (i-- == 0)
            return v;
    return -1;
}

tt_json_val tt_json_find(const tt_json *doc, tt_json_val v, const char *path)
{
    const char *p = path;
    while (*p != '\0' && v >= 0) {
        if (*p == '.') {
            p++;
        } else if (*p == '[') {
            size_t i = 0;
            p++;
            if (!tt_is_digit((unsigned char)*p))
                return -1;
            while (tt_is_digit((unsigned char)*p))
                i = i * 10 + (size_t)(*p++ - '0');
            if (*p++ != ']')
                return -1;
            v = tt_json_index(doc, v, i);
        } else {
            size_t n = strcspn(p, ".[");
            v = tt_json_member(doc, v, p, n);
            p += n;
        }
    }
    return v;
}

int tt_json_raw(const tt_json *doc, tt_json_val v, const char **p, size_t *n)
{
    if (!valid(doc, v))
        return -1;
    *p = doc->js + doc->tokens[v].start;
    *n = (size_t)(doc->tokens[v].end - doc->tokens[v].start);
    return 0;
}

int tt_json_is_null(const tt_json *doc, tt_json_val v)
{
    return tt_json_type_of(doc, v) == TT_JSON_NULL;
}

/* ---- strings --------------------------------------------------------------- */

static uint32_t read_u4(const char *p)
{
    return (uint32_t)(tt_hex_value((unsigned char)p[0]) << 12 | tt_hex_value((unsigned char)p[1]) << 8 |
                      tt_hex_value((unsigned char)p[2]) << 4 | tt_hex_value((unsigned char)p[3]));
}

static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decode one (validated) unit of string text at *p into out; returns its
 * byte count (1..4). */
static size_t unescape_one(const char **p, char out[4])
{
    const char *s = *p;
    uint32_t cp;
    if (*s != '\\') {
        out[0] = *s;
        *p = s + 1;
        return 1;
    }
    switch (s[1]) {
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u':
        cp = read_u4(s + 2);
        *p = s + 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            /* the validator guaranteed the low half follows */
            cp = 0x10000 + ((cp - 0xd800) << 10) + (read_u4(s + 8) - 0xdc00);
            *p = s + 12;
        }
        return utf8_put(cp, out);
    default: out[0] = s[1]; break;
    }
    *p = s + 2;
    return 1;
}

static int type_error(tt_error *err, const char *what, const char *want)
{
    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                        "%s: expected %s", what != NULL ? what : "value", want);
}

int tt_json_get_string(const tt_json *doc, tt_json_val v, char *buf, size_t cap,
                       size_t *len, const char *what, tt_error *err)
{
    const char *p, *end;
    size_t n = 0;

    if (tt_json_type_of(doc, v) != TT_JSON_STRING)
        return type_error(err, what, "a string");
    p = doc->js + doc->tokens[v].start;
    end = doc->js + doc->tokens[v].end;
    for (;;) {
        char u[4];
        size_t k = p < end ? unescape_one(&p, u) : 0;
        /* k 0 is the terminator, which needs its byte too (cap 0) */
        if (n + k + 1 > cap)
            return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_STRING, NULL,
                                "%s: string longer than its %zu-byte buffer",
                                what != NULL ? what : "value", cap);
        if (k == 0)
            break;
        memcpy(buf + n, u, k);
        n += k;
    }
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return 0;
}

/* Compare a string token with text after unescaping; most keys have no
 * escapes and compare with one memcmp. */
static int string_eq_n(const tt_json *doc, tt_json_val v, const char *text, size_t tl)
{
    const char *p, *end;
    size_t n = 0;
    if (tt_json_type_of(doc, v) != TT_JSON_STRING)
        return 0;
    p = doc->js + doc->tokens[v].start;
    end = doc->js + doc->tokens[v].end;
    if (memchr(p, '\\', (size_t)(end - p)) == NULL)
        return (size_t)(end - p) == tl && memcmp(p, text, tl) == 0;
    while (p < end) {
        char u[4];
        size_t k = unescape_one(&p, u);
        if (n + k > tl || memcmp(text + n, u, k) != 0)
            return 0;
        n += k;
    }
    return n == tl;
}

int tt_json_string_eq(const tt_json *doc, tt_json_val v, const char *text)
{
    return string_eq_n(doc, v, text, strlen(text));
}

/* ---- numbers ------------------------------------------------------------------ */

/* Integer text ("-12", no fraction or exponent) into magnitude and sign;
 * -1 when not an integer or over 2^64 - 1. */
static int integer_of(const char *p, size_t n, uint64_t *mag, int *neg)
{
    size_t i = 0;
    uint64_t v = 0;
    *neg = n > 0 && p[0] == '-';
    if (*neg)
        i = 1;
    if (i == n)
        return -1;
    for (; i < n; i++) {
        unsigned d;
        if (!tt_is_digit((unsigned char)p[i]))
            return -1;
        d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *mag = v;
    return 0;
}

static int range_error(tt_error *err, const char *what)
{
    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_RANGE, NULL,
                        "%s: number out of range or not an integer",
                        what != NULL ? what : "value");
}

int tt_json_text_int(const char *p, size_t n, int64_t min, int64_t max, int64_t *out)
{
    uint64_t mag;
    int neg;
    int64_t x;
    if (integer_of(p, n, &mag, &neg) != 0)
        return -1;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -1;
        x = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -1;
        x = (int64_t)mag;
    }
    if (x < min || x > max)
        return -1;
    *out = x;
    return 0;
}

int tt_json_text_uint(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t mag;
    int neg;
    if (integer_of(p, n, &mag, &neg) != 0 || (neg && mag != 0) || mag > max)
        return -1;
    *out = mag;
    return 0;
}

int tt_json_get_int(const tt_json *doc, tt_json_val v, int64_t min, int64_t max,
                    int64_t *out, const char *what, tt_error *err)
{
    const char *p;
    size_t n;
    if (tt_json_type_of(doc, v) != TT_JSON_NUMBER)
        return type_error(err, what, "a number");
    tt_json_raw(doc, v, &p, &n);
    return tt_json_text_int(p, n, min, max, out) == 0 ? 0 : range_error(err, what);
}

int tt_json_get_uint(const tt_json *doc, tt_json_val v, uint64_t max,
                     uint64_t *out, const char *what, tt_error *err)
{
    const char *p;
    size_t n;
    if (tt_json_type_of(doc, v) != TT_JSON_NUMBER)
        return type_error(err, what, "a number");
    tt_json_raw(doc, v, &p, &n);
    return tt_json_text_uint(p, n, max, out) == 0 ? 0 : range_error(err, what);
}

int tt_json_number_to_double(const char *p, size_t n, double *out)
{
    static const double exact[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
    };
    size_t i = 0, start;
    uint64_t mant = 0;
    int digits = 0, neg = 0, eneg = 0;
    long exp10 = 0, e = 0;
    double v;

    if (i < n && p[i] == '-') {
        neg = 1;
        i++;
    }
    start = i;
    for (; i < n && tt_is_digit((unsigned char)p[i]); i++) {
        if (digits < 19) {
            mant = mant * 10 + (uint64_t)(p[i] - '0');
            if (mant != 0)
                digits++;
        } else {
            exp10++; /* digits past 19 only scale */
        }
    }
    if (i == start)
        return -1; /* no integer part: "", "-", ".5" */
    if (i < n && p[i] == '.') {
        if (i + 1 >= n || !tt_is_digit((unsigned char)p[i + 1]))
            return -1; /* "1." */
        for (i++; i < n && tt_is_digit((unsigned char)p[i]); i++) {
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(p[i] - '0');
                if (mant != 0)
                    digits++;
                exp10--;
            }
        }
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            eneg = p[i++] == '-';
        if (i >= n || !tt_is_digit((unsigned char)p[i]))
            return -1; /* "1e", "1e+" */
        for (; i < n && tt_is_digit((unsigned char)p[i]); i++)
            if (e < 100000)
                e = e * 10 + (p[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != n)
        return -1;
    v = (double)mant;
    if (mant == 0) {
        v = 0.0;
    } else if (exp10 > 0) {
        while (exp10 > 22 && v < 1e308) {
            v *= 1e22;
            exp10 -= 22;
        }
        v = exp10 > 22 ? v * 1e308 * 10 : v * exact[exp10];
    } else if (exp10 < 0) {
        while (exp10 < -22 && v > 0) {
            v /= 1e22;
            exp10 += 22;
        }
        if (exp10 < -22)
            v = 0.0;
        else
            v /= exact[-exp10];
    }
    if (v > 1.7976931348623157e308)
        return -1; /* beyond double: the caller reports the range */
    *out = neg ? -v : v;
    return 0;
}

int tt_json_get_double(const tt_json *doc, tt_json_val v, double *out,
                       const char *what, tt_error *err)
{
    const char *p;
    size_t n;
    if (tt_json_type_of(doc, v) != TT_JSON_NUMBER)
        return type_error(err, what, "a number");
    tt_json_raw(doc, v, &p, &n);
    if (tt_json_number_to_double(p, n, out) != 0)
        return range_error(err, what);
    return 0;
}

int tt_json_get_bool(const tt_json *doc, tt_json_val v, int *out, const char *what,
                     tt_error *err)
{
    tt_json_type t = tt_json_type_of(doc, v);
    if (t != TT_JSON_TRUE && t != TT_JSON_FALSE)
        return type_error(err, what, "true or false");
    *out = t == TT_JSON_TRUE;
    return 0;
}

/* ---- envelopes ------------------------------------------------------------------ */

void tt_json_display_copy(const tt_json *doc, tt_json_val v, char *buf, size_t cap)
{
    tt_json_type t = tt_json_type_of(doc, v);
    const char *p = NULL, *end;
    size_t n = 0, raw = 0;

    buf[0] = '\0';
    if (t != TT_JSON_STRING && t != TT_JSON_NUMBER)
        return;
    tt_json_raw(doc, v, &p, &raw);
    end = p + raw;
    while (p < end) {
        char u[4];
        size_t k = t == TT_JSON_STRING ? unescape_one(&p, u) : (u[0] = *p++, 1);
        if (n + k + 4 > cap) {
            memcpy(buf + n, "...", 4);
            return;
        }
        memcpy(buf + n, u, k);
        n += k;
        buf[n] = '\0';
    }
}

static tt_json_val member_lit(const tt_json *doc, tt_json_val obj, const char *key)
{
    return tt_json_member(doc, obj, key, strlen(key));
}

int tt_json_envelope_read(const tt_json *doc, tt_json_envelope *env)
{
    tt_json_val e, d;

    memset(env, 0, sizeof *env);
    env->data = -1;
    if (tt_json_type_of(doc, 0) != TT_JSON_OBJECT) {
        env->data = 0;
        return 0;
    }
    e = member_lit(doc, 0, "error");
    d = member_lit(doc, 0, "data");
    if (e < 0)
        e = member_lit(doc, 0, "detail"); /* FastAPI: {"detail": "..."} */
    switch (tt_json_type_of(doc, e)) {
    case TT_JSON_OBJECT:
        env->is_error = 1;
        tt_json_display_copy(doc, member_lit(doc, e, "code"), env->code, sizeof env->code);
        tt_json_display_copy(doc, member_lit(doc, e, "message"), env->message, sizeof env->message);
        if (env->message[0] == '\0')
            tt_json_display_copy(doc, member_lit(doc, e, "msg"), env->message, sizeof env->message);
        break;
    case TT_JSON_STRING:
        env->is_error = 1;
        tt_json_display_copy(doc, e, env->message, sizeof env->message);
        break;
    case TT_JSON_ARRAY:
        /* FastAPI validation errors: [{"msg": "..."}] */
        env->is_error = 1;
        tt_json_display_copy(doc, member_lit(doc, tt_json_index(doc, e, 0), "msg"),
                     env->message, sizeof env->message);
        break;
    case TT_JSON_TRUE:
        env->is_error = 1;
        break;
    default:
        break;
    }
    if (!env->is_error)
        env->data = d >= 0 ? (tt_json_is_null(doc, d) ? -1 : d) : 0;
    return 0;
}

/* A short one-line text body worth showing (MAAS answers errors in text). */
static size_t text_body_len(const char *body, size_t len)
{
    size_t i, n = len;
    while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' '))
        n--;
    if (n == 0 || n > 160)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)body[i] < 0x20 || body[i] == '<')
            return 0;
    return n;
}

/*
 * Django's form errors, as MAAS answers a 400: {"field": ["message", ...],
 * ...} or ["message", ...]. Written "field: message; field: message" into
 * out[cap] (cut with "..." when long): 1, or 0 when the body is not that.
 */
static int form_errors(const tt_json *doc, char *out, size_t cap)
{
    tt_json_iter it;
    tt_json_val k, v;
    size_t n = 0;
    int object = tt_json_type_of(doc, 0) == TT_JSON_OBJECT;
    if (!object && tt_json_type_of(doc, 0) != TT_JSON_ARRAY)
        return 0;
    out[0] = '\0';
    tt_json_iter_init(&it, doc, 0);
    while (tt_json_iter_next(&it, &k, &v)) {
        char name[64], text[TT_ERROR_MSG_MAX];
        tt_json_val first = object ? tt_json_index(doc, v, 0) : v;
        if (tt_json_type_of(doc, first) != TT_JSON_STRING)
            return 0;
        name[0] = '\0';
        if (object)
            tt_json_display_copy(doc, k, name, sizeof name);
        tt_json_display_copy(doc, first, text, sizeof text);
        n += tt_fmt(out + n, n < cap ? cap - n : 0, "%s%s%s%s", n ? "; " : "", name,
                    name[0] ? ": " : "", text);
    }
    if (n >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
    return n > 0;
}

int tt_json_api_error(tt_error *err, const char *host, int status,
                      int32_t retry_after, const char *body, size_t len,
                      tt_json *scratch)
{
    tt_json_envelope env;
    tt_error ignore;
    char form[TT_ERROR_MSG_MAX];
    size_t tl;

    if (body != NULL && len > 0 && tt_json_parse(scratch, body, len, &ignore) == 0 &&
        tt_json_envelope_read(scratch, &env) == 0 && env.is_error) {
        if (env.message[0] != '\0' || env.code[0] != '\0')
            tt_error_set(err, TT_ERR_API, TT_E_API, host, "%s",
                         env.message[0] != '\0' ? env.message : env.code);
        else
            tt_error_set(err, TT_ERR_API, TT_E_API, host,
                         "HTTP %d: an error envelope without a message", status);
        if (err != NULL)
            memcpy(err->api_code, env.code, sizeof err->api_code);
    } else if (body != NULL && len > 0 && tt_json_parse(scratch, body, len, &ignore) == 0 &&
               form_errors(scratch, form, sizeof form)) {
        tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, host, "HTTP %d %s: %s", status,
                     tt_http_reason(status), form);
    } else if (body != NULL && (tl = text_body_len(body, len)) > 0 &&
               tt_json_validate(body, len, &ignore) != 0) {
        tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, host, "HTTP %d %s: %.*s",
                     status, tt_http_reason(status), (int)tl, body);
    } else {
        tt_error_set(err, TT_ERR_HTTP, TT_E_HTTP_STATUS, host, "HTTP %d %s", status,
                     tt_http_reason(status));
    }
    if (err != NULL) {
        err->http_status = status;
        err->retry_after = retry_after;
    }
    return -1;
}
