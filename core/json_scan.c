/*
 * The strict JSON validator: a push state machine over bytes, so a text can
 * be checked as it streams in and any split gives the same verdict. It is
 * what makes jsmn strict: jsmn tokenizes only texts this has accepted.
 */
#include "tether/json.h"
#include "chars.h"

#include <string.h>

enum {
    ST_VALUE,           /* a value must come */
    ST_VALUE_OR_CLOSE,  /* just after '[' */
    ST_KEY,             /* just after ',' in an object */
    ST_KEY_OR_CLOSE,    /* just after '{' */
    ST_COLON,
    ST_AFTER,           /* after a value inside a container */
    ST_END,             /* after the top-level value */
    ST_STRING,
    ST_NUMBER,
    ST_LITERAL,
    ST_FAILED
};

enum { STR_CHAR, STR_ESC, STR_U1, STR_U2, STR_U3, STR_U4, STR_LOW_BS, STR_LOW_U };

enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

static const char *const literals[] = { "true", "false", "null" };
static const tt_json_type literal_types[] = { TT_JSON_TRUE, TT_JSON_FALSE, TT_JSON_NULL };

void tt_json_scan_init(tt_json_scan *s, const tt_json_events *ev, void *user)
{
    memset(s, 0, sizeof *s);
    s->state = ST_VALUE;
    s->max_tokens = TT_JSON_MAX_TOKENS;
    s->ev = ev;
    s->user = user;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int fail(tt_json_scan *s, tt_error *err, tt_errcode code, size_t pos,
                const char *what, int c)
{
    uint64_t at = s->offset + pos;
    s->state = ST_FAILED;
    s->failed_at = at;
    if (c >= 0x20 && c < 0x7f)
        return tt_error_set(err, TT_ERR_PROTOCOL, code, NULL,
                            "JSON %s at byte %llu ('%c')", what,
                            (unsigned long long)at, c);
    if (c >= 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, code, NULL,
                            "JSON %s at byte %llu (0x%x)", what,
                            (unsigned long long)at, (unsigned)c);
    return tt_error_set(err, TT_ERR_PROTOCOL, code, NULL, "JSON %s at byte %llu",
                        what, (unsigned long long)at);
}

static int kind_is_object(const tt_json_scan *s, unsigned level)
{
    return (s->kinds[level / 8] >> (level % 8)) & 1;
}

static void after_value(tt_json_scan *s)
{
    s->state = s->depth == 0 ? ST_END : ST_AFTER;
}

/* A value or key begins: count it against the token cap. */
static int begin(tt_json_scan *s, tt_json_type t, int key, size_t pos, tt_error *err)
{
    if (++s->tokens > s->max_tokens && s->max_tokens != 0) {
        s->state = ST_FAILED;
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_TOKENS, NULL,
                            "JSON has more than TT_JSON_MAX_TOKENS (%u) tokens",
                            (unsigned)TT_JSON_MAX_TOKENS);
    }
    if (s->ev != NULL && s->ev->start != NULL)
        s->ev->start(s->user, s->depth, t, key, pos);
    return 0;
}

static void finish_value(tt_json_scan *s, int key, size_t pos)
{
    if (s->ev != NULL && s->ev->end != NULL)
        s->ev->end(s->user, s->depth, key, pos);
}

static int open_container(tt_json_scan *s, int object, size_t pos, tt_error *err)
{
    unsigned level = s->depth;
    if (begin(s, object ? TT_JSON_OBJECT : TT_JSON_ARRAY, 0, pos, err) != 0)
        return -1;
    if (level >= TT_JSON_MAX_DEPTH) {
        s->state = ST_FAILED;
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_DEPTH, NULL,
                            "JSON nested deeper than TT_JSON_MAX_DEPTH (%u)",
                            (unsigned)TT_JSON_MAX_DEPTH);
    }
    if (object)
        s->kinds[level / 8] |= (unsigned char)(1u << (level % 8));
    else
        s->kinds[level / 8] &= (unsigned char)~(1u << (level % 8));
    s->depth++;
    s->state = object ? ST_KEY_OR_CLOSE : ST_VALUE_OR_CLOSE;
    return 0;
}

static void close_container(tt_json_scan *s, size_t pos)
{
    s->depth--;
    finish_value(s, 0, pos + 1);
    after_value(s);
}

/* The first byte of a value. */
static int value_byte(tt_json_scan *s, int c, size_t pos, tt_error *err)
{
    switch (c) {
    case '{':
        return open_container(s, 1, pos, err);
    case '[':
        return open_container(s, 0, pos, err);
    case '"':
        s->state = ST_STRING;
        s->sub = STR_CHAR;
        s->in_key = 0;
        return begin(s, TT_JSON_STRING, 0, pos, err);
    case 't': case 'f': case 'n':
        s->state = ST_LITERAL;
        s->literal = c == 't' ? 0 : c == 'f' ? 1 : 2;
        s->sub = 1;
        return begin(s, literal_types[s->literal], 0, pos, err);
    default:
        if (c == '-' || tt_is_digit(c)) {
            s->state = ST_NUMBER;
            s->sub = c == '-' ? N_MINUS : c == '0' ? N_ZERO : N_INT;
            return begin(s, TT_JSON_NUMBER, 0, pos, err);
        }
        return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: expected a value", c);
    }
}

/* A \uXXXX escape is complete. */
static int escape_done(tt_json_scan *s, size_t pos, tt_error *err)
{
    uint32_t cp = s->code;
    if (s->hi != 0) {
        if (cp < 0xdc00 || cp > 0xdfff)
            return fail(s, err, TT_E_JSON_UTF8, pos, "high surrogate without its low half", -1);
        s->hi = 0;
        s->sub = STR_CHAR;
    } else if (cp >= 0xd800 && cp <= 0xdbff) {
        s->hi = cp;
        s->sub = STR_LOW_BS;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        return fail(s, err, TT_E_JSON_UTF8, pos, "lone low surrogate", -1);
    } else {
        s->sub = STR_CHAR;
    }
    return 0;
}

/* One byte inside a string (after the opening quote). */
static int string_byte(tt_json_scan *s, int c, size_t pos, tt_error *err)
{
    int h;
    if (s->utf8_need > 0) {
        if (c < s->utf8_lo || c > s->utf8_hi)
            return fail(s, err, TT_E_JSON_UTF8, pos, "invalid UTF-8", c);
        s->utf8_need--;
        s->utf8_lo = 0x80;
        s->utf8_hi = 0xbf;
        return 0;
    }
    switch (s->sub) {
    case STR_CHAR:
        if (c == '"') {
            finish_value(s, s->in_key, pos + 1);
            if (s->in_key)
                s->state = ST_COLON;
            else
                after_value(s);
            return 0;
        }
        if (c == '\\') {
            s->sub = STR_ESC;
            return 0;
        }
        if (c < 0x20)
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "control character in string", c);
        if (c >= 0x80 && (s->utf8_need = tt_utf8_lead(c, &s->utf8_lo, &s->utf8_hi)) == 0)
            return fail(s, err, TT_E_JSON_UTF8, pos, "invalid UTF-8", c);
        return 0;
    case STR_ESC:
        if (c == 'u') {
            s->sub = STR_U1;
            s->code = 0;
            return 0;
        }
        if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' &&
            c != 'r' && c != 't')
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "invalid escape", c);
        s->sub = STR_CHAR;
        return 0;
    case STR_LOW_BS:
        if (c != '\\')
            return fail(s, err, TT_E_JSON_UTF8, pos, "high surrogate without its low half", c);
        s->sub = STR_LOW_U;
        return 0;
    case STR_LOW_U:
        if (c != 'u')
            return fail(s, err, TT_E_JSON_UTF8, pos, "high surrogate without its low half", c);
        s->sub = STR_U1;
        s->code = 0;
        return 0;
    default: /* STR_U1..STR_U4 */
        h = tt_hex_value(c);
        if (h < 0)
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "invalid \\u escape", c);
        s->code = (s->code << 4) | (uint32_t)h;
        if (s->sub == STR_U4)
            return escape_done(s, pos, err);
        s->sub++;
        return 0;
    }
}

static int number_terminal(int sub)
{
    return sub == N_ZERO || sub == N_INT || sub == N_FRAC || sub == N_EXP;
}

/* One byte of a number: 1 when the byte is not part of it (the number
 * ended before it and the byte must be read again), 0, or -1. */
static int number_byte(tt_json_scan *s, int c, size_t pos, tt_error *err)
{
    int digit = tt_is_digit(c);
    switch (s->sub) {
    case N_MINUS:
        if (!digit)
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: '-' without digits", c);
        s->sub = c == '0' ? N_ZERO : N_INT;
        return 0;
    case N_ZERO:
    case N_INT:
        if (digit) {
            if (s->sub == N_ZERO)
                return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: leading zero", c);
            return 0;
        }
        if (c == '.') {
            s->sub = N_DOT;
            return 0;
        }
        break;
    case N_DOT:
        if (!digit)
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: no digit after '.'", c);
        s->sub = N_FRAC;
        return 0;
    case N_FRAC:
    case N_EXP:
        if (digit)
            return 0;
        break;
    case N_E:
        if (c == '+' || c == '-') {
            s->sub = N_ESIGN;
            return 0;
        }
        /* fall through */
    case N_ESIGN:
        if (!digit)
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: no digit in exponent", c);
        s->sub = N_EXP;
        return 0;
    default:
        break;
    }
    if ((c == 'e' || c == 'E') && s->sub != N_EXP) {
        s->sub = N_E;
        return 0;
    }
    /* a delimiter: the number is complete */
    finish_value(s, 0, pos);
    after_value(s);
    return 1;
}

static int structural_byte(tt_json_scan *s, int c, size_t pos, tt_error *err)
{
    if (is_ws(c))
        return 0;
    switch (s->state) {
    case ST_VALUE:
        return value_byte(s, c, pos, err);
    case ST_VALUE_OR_CLOSE:
        if (c == ']') {
            close_container(s, pos);
            return 0;
        }
        return value_byte(s, c, pos, err);
    case ST_KEY_OR_CLOSE:
        if (c == '}') {
            close_container(s, pos);
            return 0;
        }
        /* fall through */
    case ST_KEY:
        if (c != '"')
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: expected a key", c);
        s->state = ST_STRING;
        s->sub = STR_CHAR;
        s->in_key = 1;
        return begin(s, TT_JSON_STRING, 1, pos, err);
    case ST_COLON:
        if (c != ':')
            return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: expected ':'", c);
        s->state = ST_VALUE;
        return 0;
    case ST_AFTER: {
        int obj = kind_is_object(s, s->depth - 1);
        if (c == ',') {
            s->state = obj ? ST_KEY : ST_VALUE;
            return 0;
        }
        if (c == (obj ? '}' : ']')) {
            close_container(s, pos);
            return 0;
        }
        return fail(s, err, TT_E_JSON_SYNTAX, pos,
                    obj ? "syntax error: expected ',' or '}'" : "syntax error: expected ',' or ']'",
                    c);
    }
    default: /* ST_END */
        return fail(s, err, TT_E_JSON_SYNTAX, pos, "syntax error: data after the value", c);
    }
}

/* First byte in [p, end) that is not plain string text -- a quote, a
 * backslash, a control character or a non-ASCII byte -- or end. Eight
 * bytes a step, as the HTTP parser does with header values. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
    while (end - p >= 8) {
        uint64_t w, m;
        int i;
        memcpy(&w, p, 8);
        m = tt_swar_controls(w) | tt_swar_eq(w, '"') | tt_swar_eq(w, '\\') |
            (w & TT_SWAR_HIGHS);
        if (m != 0) {
            if ((i = tt_swar_first(m)) < 0)
                break;
            return p + i;
        }
        p += 8;
    }
    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
        p++;
    return p;
}

int tt_json_scan_feed(tt_json_scan *s, const char *data, size_t len, tt_error *err)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t i = 0;

    if (s->state == ST_FAILED)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_SYNTAX, NULL,
                            "JSON scanner used after an error");
    while (i < len) {
        int c = d[i], rc;
        switch (s->state) {
        case ST_STRING:
            if (s->sub == STR_CHAR && s->utf8_need == 0) {
                /* the bulk of most texts: plain ASCII in strings */
                size_t j = (size_t)(plain_run(d + i, d + len) - d);
                if (s->in_key && j > i && s->ev != NULL && s->ev->key_bytes != NULL)
                    s->ev->key_bytes(s->user, s->depth, data + i, j - i);
                if (j > i) {
                    i = j;
                    continue;
                }
            }
            /* every other byte of a key but its closing quote */
            if (s->in_key && s->ev != NULL && s->ev->key_bytes != NULL &&
                !(s->sub == STR_CHAR && s->utf8_need == 0 && c == '"'))
                s->ev->key_bytes(s->user, s->depth, data + i, 1);
            rc = string_byte(s, c, i, err);
            break;
        case ST_NUMBER:
            if (tt_is_digit(c) && (s->sub == N_INT || s->sub == N_FRAC || s->sub == N_EXP)) {
                i++;
                continue;
            }
            rc = number_byte(s, c, i, err);
            if (rc == 1)
                continue; /* read this byte again as structure */
            break;
        case ST_LITERAL:
            if (c != literals[s->literal][s->sub]) {
                rc = fail(s, err, TT_E_JSON_SYNTAX, i, "syntax error: bad literal", c);
            } else {
                rc = 0;
                if (literals[s->literal][++s->sub] == '\0') {
                    finish_value(s, 0, i + 1);
                    after_value(s);
                }
            }
            break;
        case ST_FAILED:
            return -1;
        default:
            if (is_ws(c)) {
                i++;
                continue;
            }
            rc = structural_byte(s, c, i, err);
            break;
        }
        if (rc < 0) {
            s->state = ST_FAILED;
            return -1;
        }
        i++;
    }
    s->offset += len;
    return 0;
}

int tt_json_scan_finish(tt_json_scan *s, tt_error *err)
{
    if (s->state == ST_NUMBER && number_terminal(s->sub)) {
        finish_value(s, 0, 0);
        after_value(s);
    }
    if (s->state == ST_END)
        return 0;
    if (s->state == ST_FAILED)
        return -1;
    return fail(s, err, TT_E_JSON_SYNTAX, 0, "text ends too early", -1);
}

int tt_json_validate(const char *js, size_t len, tt_error *err)
{
    tt_json_scan s;
    tt_json_scan_init(&s, NULL, NULL);
    if (tt_json_scan_feed(&s, js, len, err) != 0)
        return -1;
    return tt_json_scan_finish(&s, err);
}

int tt_json_validate_stream(const char *js, size_t len, tt_error *err)
{
    tt_json_scan s;
    tt_json_scan_init(&s, NULL, NULL);
    s.max_tokens = 0;
    if (tt_json_scan_feed(&s, js, len, err) != 0)
        return -1;
    return tt_json_scan_finish(&s, err);
}
