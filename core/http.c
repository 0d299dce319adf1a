/* tether HTTP/1.1 request head writer and response parser (RFC 9112). */
#include "tether/http.h"
#include "chars.h"

#include <string.h>

#if TT_HTTP_STATUS_LINE_MAX > TT_HTTP_HEADER_LINE_MAX
#error "TT_HTTP_STATUS_LINE_MAX must not exceed TT_HTTP_HEADER_LINE_MAX"
#endif

/* ---- character classes ------------------------------------------------- */

/* tchar per RFC 9110 5.6.2, as a table: the parser looks at every byte of
 * every header name */
static const unsigned char tchar_table[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int is_tchar(int c)
{
    return tchar_table[(unsigned char)c];
}

/* Control characters other than HTAB may not appear in field values. */
static int is_bad_value_char(int c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* First byte in [s, end) below 0x20 or equal to 0x7f -- a line end, a
 * tab, or a byte a value may not hold -- or end. Eight bytes a step. */
static const unsigned char *find_special(const unsigned char *s,
                                         const unsigned char *end)
{
    while (end - s >= 8) {
        uint64_t w, m;
        int i;
        memcpy(&w, s, 8);
        m = tt_swar_controls(w) | tt_swar_eq(w, 0x7f);
        if (m != 0) {
            if ((i = tt_swar_first(m)) < 0)
                break;
            return s + i;
        }
        s += 8;
    }
    while (s < end && *s >= 0x20 && *s != 0x7f)
        s++;
    return s;
}

/* First byte in [s, end) that a field value may not hold (a control
 * character other than HTAB; obs-text, >= 0x80, is allowed), or end. */
static const unsigned char *value_end(const unsigned char *s, const unsigned char *end)
{
    const unsigned char *q = find_special(s, end);
    while (q < end && *q == '\t')
        q = find_special(q + 1, end);
    return q;
}

/* Index of the first byte of s[0..n) that may not be in a field value, or n. */
static size_t find_bad_value_char(const unsigned char *s, size_t n)
{
    return (size_t)(value_end(s, s + n) - s);
}

/* Counted, case-insensitive equality with a lower-case literal of known
 * length; the length test first makes most mismatches one comparison. */
static int eq_lower(const char *s, size_t n, const char *lit, size_t litlen)
{
    size_t i;
    if (n != litlen)
        return 0;
    for (i = 0; i < n; i++)
        if (tt_lower((unsigned char)s[i]) != lit[i])
            return 0;
    return 1;
}

#define EQ_LIT(s, n, lit) eq_lower((s), (n), (lit), sizeof(lit) - 1)

int tt_http_name_eq(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (lit[i] == '\0' || tt_lower((unsigned char)s[i]) != tt_lower((unsigned char)lit[i]))
            return 0;
    }
    return lit[n] == '\0';
}

/* Case-insensitive search for a lower-case word inside a counted name. */
static int name_contains(const char *s, size_t n, const char *word)
{
    size_t wl = strlen(word), i, j;
    for (i = 0; i + wl <= n; i++) {
        for (j = 0; j < wl && tt_lower((unsigned char)s[i + j]) == word[j]; j++)
            ;
        if (j == wl)
            return 1;
    }
    return 0;
}

/* Reason phrases of the statuses a control plane answers (RFC 9110). */
static const struct { int status; const char *reason; } reasons[] = {
    { 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
    { 404, "Not Found" }, { 405, "Method Not Allowed" }, { 408, "Request Timeout" },
    { 409, "Conflict" }, { 410, "Gone" }, { 413, "Content Too Large" },
    { 415, "Unsupported Media Type" }, { 422, "Unprocessable Content" },
    { 429, "Too Many Requests" }, { 500, "Internal Server Error" },
    { 501, "Not Implemented" }, { 502, "Bad Gateway" }, { 503, "Service Unavailable" },
    { 504, "Gateway Timeout" }
};

const char *tt_http_reason(int status)
{
    size_t i;
    for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status)
            return reasons[i].reason;
    return status >= 500 ? "Server Error" : status >= 400 ? "Client Error" : "Unexpected Status";
}

int tt_http_name_is_secret(const char *name, size_t n)
{
    static const char *const words[] = {
        "auth", "cookie", "token", "key", "secret", "signature", "password",
        "credential", "session"
    };
    size_t i;
    for (i = 0; i < sizeof words / sizeof words[0]; i++)
        if (name_contains(name, n, words[i]))
            return 1;
    return 0;
}

static int token_valid(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (!is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

int tt_http_header_valid(const char *name, const char *value)
{
    if (!token_valid(name) || value == NULL)
        return 0;
    for (; *value != '\0'; value++)
        if (is_bad_value_char((unsigned char)*value))
            return 0;
    return 1;
}

/* ---- request head writer ----------------------------------------------- */

static void put_field(tt_text *o, const char *name, const char *value)
{
    tt_text_puts(o, name);
    tt_text_put(o, ": ", 2);
    tt_text_puts(o, value);
    tt_text_put(o, "\r\n", 2);
}

static int has_header(const tt_header *h, size_t n, const char *name)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (h[i].name != NULL && tt_http_name_eq(h[i].name, strlen(h[i].name), name))
            return 1;
    return 0;
}

static int check_headers(const tt_header *h, size_t n, tt_error *err)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *name = h[i].name != NULL ? h[i].name : "";
        size_t nl = strlen(name);
        if (!tt_http_header_valid(h[i].name, h[i].value))
            return tt_error_set(err, TT_ERR_USAGE, TT_E_HEADER_INVALID, NULL,
                                "invalid request header '%.*s' (bad name, or "
                                "CR/LF/control character in its value)",
                                (int)(nl > 40 ? 40 : nl), name);
        /* the body framing is ours to write; two framings smuggle requests */
        if (tt_http_name_eq(name, nl, "content-length") ||
            tt_http_name_eq(name, nl, "transfer-encoding"))
            return tt_error_set(err, TT_ERR_USAGE, TT_E_HEADER_INVALID, NULL,
                                "header '%s' is set by tether from the body",
                                name);
    }
    return 0;
}

long tt_http_write_head(char *buf, size_t cap, const char *method,
                        const tt_url *url, const tt_header *headers,
                        size_t nheaders, const char *user_agent,
                        long long content_length, unsigned flags,
                        tt_error *err)
{
    tt_text o;
    char host[TT_URL_HOST_MAX + 8];
    size_t i;

    if (!token_valid(method))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "invalid request method");
    if (check_headers(headers, nheaders, err) != 0)
        return -1;
    if (user_agent != NULL && !tt_http_header_valid("User-Agent", user_agent))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_HEADER_INVALID, NULL,
                            "invalid User-Agent value");
    tt_text_init(&o, buf, cap);
    tt_text_puts(&o, method);
    tt_text_put(&o, " ", 1);
    tt_text_puts(&o, url->target);
    tt_text_put(&o, " HTTP/1.1\r\n", 11);
    if (!has_header(headers, nheaders, "host")) {
        tt_url_host_header(url, host, sizeof host);
        put_field(&o, "Host", host);
    }
    if (!has_header(headers, nheaders, "user-agent"))
        put_field(&o, "User-Agent", user_agent != NULL ? user_agent : "tether/" TT_VERSION);
    if (!has_header(headers, nheaders, "accept"))
        put_field(&o, "Accept", "*/*");
    for (i = 0; i < nheaders; i++) {
        const char *name = headers[i].name;
        size_t nl = strlen(name);
        if ((flags & TT_HEAD_STRIP_CREDENTIALS) &&
            (tt_http_name_eq(name, nl, "authorization") ||
             tt_http_name_eq(name, nl, "proxy-authorization") ||
             tt_http_name_eq(name, nl, "cookie")))
            continue;
        put_field(&o, name, headers[i].value);
    }
    if (content_length >= 0) {
        char num[24];
        tt_fmt(num, sizeof num, "%llu", (unsigned long long)content_length);
        put_field(&o, "Content-Length", num);
    } else if (content_length == TT_HTTP_CHUNKED) {
        put_field(&o, "Transfer-Encoding", "chunked");
    }
    tt_text_put(&o, "\r\n", 2);
    if (o.overflow)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_REQUEST_HEAD, NULL,
                            "request head longer than TT_HTTP_REQUEST_HEAD_MAX "
                            "(%zu bytes)", cap);
    return (long)o.len;
}

/* ---- response parser --------------------------------------------------- */

enum {
    S_STATUS,       /* status line */
    S_HEADER,       /* header lines of the final response */
    S_INTERIM,      /* header lines of a 1xx response, not reported */
    S_BODY_LENGTH,
    S_CHUNK_SIZE,
    S_CHUNK_DATA,
    S_CHUNK_END,    /* CRLF after chunk data */
    S_TRAILER,
    S_BODY_CLOSE,
    S_DONE
};

/* Header facts gathered before the framing is decided; kept in flags so
 * that a bodiless response ignores them, as RFC 9112 6.3 says. */
#define TE_CHUNKED 1   /* Transfer-Encoding: chunked seen */
#define TE_OTHER   2   /* some other transfer coding seen */
#define CL_BAD     1   /* has_cl: a malformed value */
#define CL_CONFLICT 2
#define CONN_CLOSE 1
#define CONN_KEEP  2

static int perr(tt_http_parser *p, tt_error *err, tt_err_class cls,
                tt_errcode code, const char *what)
{
    return tt_error_set(err, cls, code, p->host, "%s", what);
}

void tt_http_parser_init(tt_http_parser *p, int head_request, const char *host,
                         const tt_http_callbacks *cb, void *user)
{
    p->status = 0;
    p->minor_version = 1;
    p->framing = TT_FRAME_NONE;
    p->content_length = 0;
    p->keep_alive = 0;
    p->body_bytes = 0;
    p->state = S_STATUS;
    p->head_request = head_request;
    p->has_cl = 0;
    p->te_seen = 0;
    p->nfields = 0;
    p->remaining = 0;
    p->line_len = 0;
    p->total = 0;
    p->host = host;
    p->cb = cb;
    p->user = user;
}

int tt_http_parser_started(const tt_http_parser *p)
{
    return p->total > 0;
}

/* keep_alive holds CONN_* flags while the head is parsed */
static void reset_head(tt_http_parser *p)
{
    p->has_cl = 0;
    p->te_seen = 0;
    p->keep_alive = 0;
    p->nfields = 0;
    p->content_length = 0;
}

static int parse_status_line(tt_http_parser *p, const char *s, size_t n,
                             tt_error *err)
{
    size_t i;
    int status;

    if (n < 12 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' ||
        !tt_is_digit((unsigned char)s[5]) || !tt_is_digit((unsigned char)s[7]) || s[8] != ' ')
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_STATUS_LINE,
                    "malformed status line");
    if (s[5] != '1')
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_VERSION,
                    "server does not speak HTTP/1.x");
    for (i = 9; i < 12; i++)
        if (!tt_is_digit((unsigned char)s[i]))
            return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_STATUS_LINE,
                        "malformed status code");
    status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (status < 100 || status > 599 || (n > 12 && s[12] != ' '))
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_STATUS_LINE,
                    "malformed status code");
    if (n > 13 && find_bad_value_char((const unsigned char *)s + 13, n - 13) != n - 13)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_STATUS_LINE,
                    "control character in reason phrase");
    p->minor_version = s[7] == '0' ? 0 : 1;
    p->status = status;
    if (status == 101)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_UNEXPECTED_1XX,
                    "unrequested protocol switch (101)");
    reset_head(p);
    if (status < 200) {
        p->state = S_INTERIM;
        return 0;
    }
    p->state = S_HEADER;
    if (p->cb->on_status != NULL)
        return p->cb->on_status(p->user, status, n > 13 ? s + 13 : s + n,
                                n > 13 ? n - 13 : 0, err);
    return 0;
}

/* Content-Length: digits, leading zeros allowed, a list of equal values
 * tolerated (RFC 9110 8.6); anything else marks the length bad. */
static void note_content_length(tt_http_parser *p, const char *v, size_t n)
{
    size_t i = 0;
    if (n == 0)
        p->has_cl |= CL_BAD << 4;
    while (i < n) {
        uint64_t x = 0;
        size_t start = i;
        while (i < n && tt_is_digit((unsigned char)v[i])) {
            unsigned d = (unsigned)(v[i] - '0');
            if (x > (UINT64_MAX - d) / 10) {
                p->has_cl |= CL_BAD << 4;
                return;
            }
            x = x * 10 + d;
            i++;
        }
        if (i == start) {
            p->has_cl |= CL_BAD << 4;
            return;
        }
        if ((p->has_cl & 1) && x != p->content_length)
            p->has_cl |= CL_CONFLICT << 4;
        p->has_cl |= 1;
        p->content_length = x;
        while (i < n && (v[i] == ' ' || v[i] == '\t'))
            i++;
        if (i < n) {
            if (v[i] != ',') {
                p->has_cl |= CL_BAD << 4;
                return;
            }
            i++;
            while (i < n && (v[i] == ' ' || v[i] == '\t'))
                i++;
        }
    }
}

/* Walk a comma-separated token list, calling fn on each non-empty item. */
static void each_token(tt_http_parser *p, const char *v, size_t n,
                       void (*fn)(tt_http_parser *, const char *, size_t))
{
    size_t i = 0;
    while (i < n) {
        size_t start, end;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        start = i;
        while (i < n && v[i] != ',')
            i++;
        end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
            end--;
        if (end > start)
            fn(p, v + start, end - start);
    }
}

static void te_token(tt_http_parser *p, const char *t, size_t n)
{
    /* chunked must be the one and only coding we are asked to undo */
    if (EQ_LIT(t, n, "chunked") && !(p->te_seen & TE_CHUNKED))
        p->te_seen |= TE_CHUNKED;
    else
        p->te_seen |= TE_OTHER;
}

static void conn_token(tt_http_parser *p, const char *t, size_t n)
{
    if (EQ_LIT(t, n, "close"))
        p->keep_alive |= CONN_CLOSE;
    else if (EQ_LIT(t, n, "keep-alive"))
        p->keep_alive |= CONN_KEEP;
}

/*
 * Equality of a token (a validated header name) with a lower-case literal
 * of letters and '-' of length n >= 8, eight bytes at a time: setting bit
 * 0x20 lower-cases letters and leaves '-' and digits alone, and no other
 * token byte can turn into a letter or '-' that way.
 */
static int token_eq_lower8(const char *s, const char *lit, size_t n)
{
    const uint64_t bit = 0x2020202020202020ULL;
    uint64_t a, b;
    size_t i;
    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&a, s + i, 8);
        memcpy(&b, lit + i, 8);
        if ((a | bit) != b)
            return 0;
    }
    if (i < n) {
        memcpy(&a, s + n - 8, 8); /* overlap the last eight */
        memcpy(&b, lit + n - 8, 8);
        if ((a | bit) != b)
            return 0;
    }
    return 1;
}

static void note_field(tt_http_parser *p, const char *name, size_t nl,
                       const char *v, size_t vl)
{
    switch (nl) {
    case 14:
        if (token_eq_lower8(name, "content-length", 14))
            note_content_length(p, v, vl);
        break;
    case 17:
        if (token_eq_lower8(name, "transfer-encoding", 17))
            each_token(p, v, vl, te_token);
        break;
    case 10:
        if (token_eq_lower8(name, "connection", 10))
            each_token(p, v, vl, conn_token);
        break;
    default:
        break;
    }
}

/* Split "name: value", validate both, trim the value. */
static int parse_field(tt_http_parser *p, const char *s, size_t n,
                       const char **name, size_t *nl, const char **value,
                       size_t *vl, tt_error *err)
{
    size_t i = 0, end;

    if (s[0] == ' ' || s[0] == '\t')
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_OBS_FOLD,
                    "folded header line (obs-fold) is not accepted");
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == n || s[i] != ':' || i == 0)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_HEADER_SYNTAX,
                    (i < n && (s[i] == ' ' || s[i] == '\t'))
                        ? "whitespace before colon in header field"
                        : "malformed header field");
    *name = s;
    *nl = i;
    i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    end = n;
    while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    *value = s + i;
    *vl = end - i;
    if (find_bad_value_char((const unsigned char *)s + i, end - i) != end - i)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_HEADER_SYNTAX,
                    "control character in header value");
    return 0;
}

static int field(tt_http_parser *p, const char *name, size_t nl,
                 const char *value, size_t vl, int trailer, tt_error *err)
{
    if (++p->nfields > TT_HTTP_HEADERS_MAX)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_HEADER_COUNT, p->host,
                            "more than TT_HTTP_HEADERS_MAX (%u) %s fields",
                            (unsigned)TT_HTTP_HEADERS_MAX,
                            trailer ? "trailer" : "header");
    if (p->state == S_INTERIM)
        return 0;
    if (!trailer)
        note_field(p, name, nl, value, vl);
    if (p->cb->on_header != NULL)
        return p->cb->on_header(p->user, name, nl, value, vl, trailer, err);
    return 0;
}

static int header_line(tt_http_parser *p, const char *s, size_t n, int trailer,
                       tt_error *err)
{
    const char *name = NULL, *value = NULL;
    size_t nl = 0, vl = 0;

    if (parse_field(p, s, n, &name, &nl, &value, &vl, err) != 0)
        return -1;
    return field(p, name, nl, value, vl, trailer, err);
}

/*
 * The common case, fast: a complete, well-formed field line at the start of
 * the input, parsed in one pass without copying. Returns 1 when it took the
 * line (*used set), -1 on an error from the field itself (limits,
 * callbacks), and 0 to leave anything unusual -- a partial line, an empty
 * line, any syntax error -- to take_line and handle_line, which give the
 * same verdict for every split of the input.
 */
static int fast_field_line(tt_http_parser *p, const unsigned char *d,
                           size_t len, size_t *used, tt_error *err)
{
    const unsigned char *s = d, *end = d + len, *v, *q, *ve;

    /* the name: eight table lookups per test while they last */
    while (end - s >= 8 &&
           (tchar_table[s[0]] & tchar_table[s[1]] & tchar_table[s[2]] & tchar_table[s[3]] &
            tchar_table[s[4]] & tchar_table[s[5]] & tchar_table[s[6]] & tchar_table[s[7]]))
        s += 8;
    while (s < end && tchar_table[*s])
        s++;
    if (s == d || s == end || *s != ':')
        return 0;
    v = s + 1;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    /* the value, up to its line end, in one pass */
    q = value_end(v, end);
    if (q == end)
        return 0;
    ve = q;
    if (*q == '\r') {
        if (q + 1 == end || q[1] != '\n')
            return 0;
        q++;
    } else if (*q != '\n') {
        return 0;
    }
    if ((size_t)(q - d) > TT_HTTP_HEADER_LINE_MAX)
        return 0;
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
    *used = (size_t)(q - d) + 1;
    return field(p, (const char *)d, (size_t)(s - d), (const char *)v,
                 (size_t)(ve - v), p->state == S_TRAILER, err) < 0 ? -1 : 1;
}

/* The final head is complete: decide the framing (RFC 9112 6.3). */
static int end_of_head(tt_http_parser *p, tt_error *err)
{
    int conn = p->keep_alive;

    if (p->head_request || p->status == 204 || p->status == 304) {
        p->framing = TT_FRAME_NONE;
    } else if (p->te_seen && p->has_cl != 0) {
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_TE_AND_CL,
                    "response has both Transfer-Encoding and Content-Length");
    } else if (p->te_seen) {
        if (p->te_seen != TE_CHUNKED)
            return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_HEADER_SYNTAX,
                        "unsupported transfer coding (only chunked)");
        p->framing = TT_FRAME_CHUNKED;
    } else if (p->has_cl != 0) {
        if (p->has_cl >> 4)
            return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_CONTENT_LENGTH,
                        (p->has_cl >> 4) & CL_BAD
                            ? "invalid Content-Length"
                            : "conflicting Content-Length values");
        p->framing = TT_FRAME_LENGTH;
        p->remaining = p->content_length;
    } else {
        p->framing = TT_FRAME_CLOSE;
    }
    p->keep_alive = p->framing != TT_FRAME_CLOSE && !(conn & CONN_CLOSE) &&
                    (p->minor_version == 1 || (conn & CONN_KEEP));
    switch (p->framing) {
    case TT_FRAME_NONE:
        p->state = S_DONE;
        break;
    case TT_FRAME_LENGTH:
        p->state = p->remaining == 0 ? S_DONE : S_BODY_LENGTH;
        break;
    case TT_FRAME_CHUNKED:
        p->state = S_CHUNK_SIZE;
        break;
    default:
        p->state = S_BODY_CLOSE;
        break;
    }
    if (p->cb->on_head_done != NULL)
        return p->cb->on_head_done(p->user, err);
    return 0;
}

static int chunk_size_line(tt_http_parser *p, const char *s, size_t n,
                           tt_error *err)
{
    uint64_t v = 0;
    size_t i = 0;

    for (; i < n; i++) {
        int d = tt_hex_value((unsigned char)s[i]);
        if (d < 0)
            break;
        if (v > (UINT64_MAX >> 4))
            return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_CHUNK_SIZE,
                        "chunk size overflows 64 bits");
        v = (v << 4) | (uint64_t)d;
    }
    if (i == 0)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_CHUNK_SIZE,
                    "missing chunk size");
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] != ';') /* extensions after ';' are ignored */
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_CHUNK_SIZE,
                    "malformed chunk size line");
    if (v == 0) {
        p->state = S_TRAILER;
        p->nfields = 0;
    } else {
        p->state = S_CHUNK_DATA;
        p->remaining = v;
    }
    return 0;
}

static int handle_line(tt_http_parser *p, const char *s, size_t n, tt_error *err)
{
    switch (p->state) {
    case S_STATUS:
        return parse_status_line(p, s, n, err);
    case S_INTERIM:
        if (n == 0) {
            p->state = S_STATUS;
            return 0;
        }
        return header_line(p, s, n, 0, err);
    case S_HEADER:
        if (n == 0)
            return end_of_head(p, err);
        return header_line(p, s, n, 0, err);
    case S_CHUNK_SIZE:
        return chunk_size_line(p, s, n, err);
    case S_CHUNK_END:
        if (n != 0)
            return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_CHUNK_SYNTAX,
                        "chunk data not followed by CRLF");
        p->state = S_CHUNK_SIZE;
        return 0;
    default: /* S_TRAILER */
        if (n == 0) {
            p->state = S_DONE;
            return 0;
        }
        return header_line(p, s, n, 1, err);
    }
}

/*
 * Collect one line. Returns 1 with line and n set when a line is complete
 * (without its LF and final CR), 0 when all input went into the line
 * buffer, -1 on error. The length limit counts the bytes before the LF, so
 * the verdict is the same however the input is split.
 */
static int take_line(tt_http_parser *p, const unsigned char *d, size_t len,
                     size_t *used, const char **line, size_t *n, tt_error *err)
{
    const unsigned char *lf = memchr(d, '\n', len);
    size_t take = lf != NULL ? (size_t)(lf - d) : len;
    size_t limit = p->state == S_STATUS ? TT_HTTP_STATUS_LINE_MAX
                                        : TT_HTTP_HEADER_LINE_MAX;

    if (p->line_len + take > limit) {
        if (p->state == S_STATUS)
            return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_STATUS_LINE, p->host,
                                "status line longer than TT_HTTP_STATUS_LINE_MAX "
                                "(%u bytes)", (unsigned)TT_HTTP_STATUS_LINE_MAX);
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_HEADER_LINE, p->host,
                            "%s line longer than TT_HTTP_HEADER_LINE_MAX (%u bytes)",
                            (p->state == S_CHUNK_SIZE || p->state == S_CHUNK_END)
                                ? "chunk" : "header",
                            (unsigned)TT_HTTP_HEADER_LINE_MAX);
    }
    if (lf != NULL && p->line_len == 0) {
        *line = (const char *)d; /* whole line in the input: no copy */
        *n = take;
    } else {
        memcpy(p->line + p->line_len, d, take);
        p->line_len += take;
        if (lf == NULL) {
            *used = len;
            return 0;
        }
        *line = p->line;
        *n = p->line_len;
        p->line_len = 0;
    }
    *used = take + 1;
    if (*n > 0 && (*line)[*n - 1] == '\r')
        (*n)--;
    if (memchr(*line, '\r', *n) != NULL)
        return perr(p, err, TT_ERR_PROTOCOL, TT_E_HTTP_BARE_CR,
                    "bare CR in response head");
    return 1;
}

static int deliver(tt_http_parser *p, const unsigned char *d, size_t n,
                   tt_error *err)
{
    p->body_bytes += n;
    if (p->cb->on_body != NULL && n > 0)
        return p->cb->on_body(p->user, d, n, err);
    return 0;
}

/* Body bytes bounded by p->remaining; returns bytes used or -1. */
static long body_bounded(tt_http_parser *p, const unsigned char *d, size_t len,
                         int next_state, tt_error *err)
{
    size_t n = p->remaining < (uint64_t)len ? (size_t)p->remaining : len;
    p->remaining -= n;
    if (p->remaining == 0)
        p->state = next_state;
    if (deliver(p, d, n, err) != 0)
        return -1;
    return (long)n;
}

int tt_http_parser_feed(tt_http_parser *p, const unsigned char *data,
                        size_t len, size_t *consumed, tt_error *err)
{
    size_t i = 0;

    while (i < len && p->state != S_DONE) {
        size_t used = 0;
        long n;
        const char *line = NULL;
        size_t ll = 0;
        int rc;

        switch (p->state) {
        case S_BODY_LENGTH:
            n = body_bounded(p, data + i, len - i, S_DONE, err);
            break;
        case S_CHUNK_DATA:
            n = body_bounded(p, data + i, len - i, S_CHUNK_END, err);
            break;
        case S_BODY_CLOSE:
            n = deliver(p, data + i, len - i, err) == 0 ? (long)(len - i) : -1;
            break;
        default:
            if (p->line_len == 0 && (p->state == S_HEADER || p->state == S_TRAILER ||
                                     p->state == S_INTERIM)) {
                rc = fast_field_line(p, data + i, len - i, &used, err);
                if (rc != 0) {
                    n = rc < 0 ? -1 : (long)used;
                    break;
                }
            }
            rc = take_line(p, data + i, len - i, &used, &line, &ll, err);
            if (rc > 0)
                rc = handle_line(p, line, ll, err);
            n = rc < 0 ? -1 : (long)used;
            break;
        }
        if (n < 0) {
            *consumed = i;
            return -1;
        }
        i += (size_t)n;
        p->total += n;
    }
    *consumed = i;
    return p->state == S_DONE ? TT_HTTP_DONE : TT_HTTP_MORE;
}

uint64_t tt_http_parser_body_left(const tt_http_parser *p)
{
    if (p->state == S_BODY_LENGTH || p->state == S_CHUNK_DATA)
        return p->remaining;
    return p->state == S_BODY_CLOSE ? UINT64_MAX : 0;
}

int tt_http_parser_finish(tt_http_parser *p, tt_error *err)
{
    switch (p->state) {
    case S_DONE:
        return TT_HTTP_DONE;
    case S_BODY_CLOSE:
        p->state = S_DONE;
        return TT_HTTP_DONE;
    case S_STATUS:
        if (p->total == 0 && p->line_len == 0)
            return perr(p, err, TT_ERR_NETWORK, TT_E_EOF,
                        "connection closed before any response");
        /* fall through */
    case S_HEADER:
    case S_INTERIM:
        return perr(p, err, TT_ERR_NETWORK, TT_E_HTTP_TRUNCATED,
                    "connection closed inside the response head");
    case S_BODY_LENGTH:
        return tt_error_set(err, TT_ERR_NETWORK, TT_E_HTTP_TRUNCATED, p->host,
                            "connection closed after %llu of %llu body bytes",
                            (unsigned long long)p->body_bytes,
                            (unsigned long long)p->content_length);
    default:
        return perr(p, err, TT_ERR_NETWORK, TT_E_HTTP_TRUNCATED,
                    "connection closed inside the chunked body");
    }
}
