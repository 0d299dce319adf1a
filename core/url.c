/* tether URLs (RFC 3986 subset for http and https). */
#include "tether/url.h"

#include "chars.h"

#include <string.h>

/* ---- address literals -------------------------------------------------- */

int tt_parse_ipv4(const char *s, size_t len, unsigned char out[4])
{
    unsigned char b[4];
    size_t i = 0;
    int part;

    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t start = i;
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            start = ++i;
        }
        while (i < len && tt_is_digit((unsigned char)s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        /* one to three digits, no leading zero (it would mean octal to
         * inet_aton, so refuse the ambiguity), at most 255 */
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
        b[part] = (unsigned char)v;
    }
    if (i != len)
        return 0;
    if (out != NULL)
        memcpy(out, b, 4);
    return 1;
}

int tt_parse_ipv6(const char *s, size_t len, unsigned char out[16])
{
    unsigned char b[16];
    int ngroups = 0, gap = -1;
    size_t i = 0;

    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (len > 0 && s[0] == ':') {
        return 0;
    }
    while (i < len) {
        unsigned v = 0;
        size_t start = i;
        int h;
        if (ngroups >= 8)
            return 0;
        while (i < len && (h = tt_hex_value((unsigned char)s[i])) >= 0 &&
               i - start < 4) {
            v = v * 16 + (unsigned)h;
            i++;
        }
        if (i < len && s[i] == '.') {
            /* trailing dotted IPv4 takes the last two groups */
            if (ngroups > 6 || !tt_parse_ipv4(s + start, len - start, b + 2 * ngroups))
                return 0;
            ngroups += 2;
            i = len;
            break;
        }
        if (i == start)
            return 0;
        b[2 * ngroups] = (unsigned char)(v >> 8);
        b[2 * ngroups + 1] = (unsigned char)v;
        ngroups++;
        if (i == len)
            break;
        if (s[i] != ':')
            return 0;
        i++;
        if (i < len && s[i] == ':') {
            if (gap >= 0)
                return 0;
            gap = ngroups;
            i++;
        } else if (i == len) {
            return 0; /* a single trailing colon */
        }
    }
    if (gap < 0 && ngroups != 8)
        return 0;
    if (gap >= 0) {
        int tail = ngroups - gap;
        if (ngroups > 7)
            return 0;
        memmove(b + 16 - 2 * tail, b + 2 * gap, (size_t)(2 * tail));
        memset(b + 2 * gap, 0, (size_t)(16 - 2 * ngroups));
    }
    if (out != NULL)
        memcpy(out, b, 16);
    return 1;
}

/* ---- hosts ------------------------------------------------------------- */

static int url_fail(tt_error *err, tt_errcode code, const char *what)
{
    return tt_error_set(err, code == TT_E_LIMIT_URL ? TT_ERR_LIMIT : TT_ERR_USAGE,
                        code, NULL, "bad URL: %s", what);
}

/* Validate a DNS name: labels of letters, digits, '-' and '_', each 1..63
 * bytes, 253 in all, one optional trailing dot. A name whose last label is
 * all digits would be read as a number by resolvers: refuse it. */
static int valid_host_name(const char *s, size_t len)
{
    size_t i, label = 0, last_start = 0;
    int last_numeric = 1;

    if (len == 0 || len > 254 || (len == 254 && s[253] != '.'))
        return 0;
    for (i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            if (i + 1 < len) {
                label = 0;
                last_start = i + 1;
                last_numeric = 1;
            }
            continue;
        }
        if (!tt_is_alpha(c) && !tt_is_digit(c) && c != '-' && c != '_')
            return 0;
        if (!tt_is_digit(c))
            last_numeric = 0;
        if (++label > 63)
            return 0;
    }
    (void)last_start;
    return !last_numeric;
}

static int parse_host(tt_url *url, const char *s, size_t len, tt_error *err)
{
    size_t i;

    if (len == 0)
        return url_fail(err, TT_E_URL_HOST, "empty host");
    if (s[0] == '[') {
        if (len < 2 || s[len - 1] != ']' || !tt_parse_ipv6(s + 1, len - 2, NULL))
            return url_fail(err, TT_E_URL_HOST, "invalid IPv6 literal");
        s++;
        len -= 2;
        url->host_kind = TT_HOST_IPV6;
    } else if (tt_parse_ipv4(s, len, NULL)) {
        url->host_kind = TT_HOST_IPV4;
    } else if (valid_host_name(s, len)) {
        url->host_kind = TT_HOST_NAME;
    } else {
        return url_fail(err, TT_E_URL_HOST, "invalid host name");
    }
    if (len >= sizeof url->host)
        return url_fail(err, TT_E_LIMIT_URL, "host longer than TT_URL_HOST_MAX");
    for (i = 0; i < len; i++)
        url->host[i] = (char)tt_lower((unsigned char)s[i]);
    url->host[len] = '\0';
    return 0;
}

static int parse_port(tt_url *url, const char *s, size_t len, tt_error *err)
{
    unsigned long v = 0;
    size_t i;

    if (len == 0) /* "host:" means the default port (RFC 3986 3.2.3) */
        return 0;
    for (i = 0; i < len; i++) {
        if (!tt_is_digit((unsigned char)s[i]))
            return url_fail(err, TT_E_URL_PORT, "port is not a number");
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > 65535)
            return url_fail(err, TT_E_URL_PORT, "port out of range");
    }
    if (v == 0)
        return url_fail(err, TT_E_URL_PORT, "port 0");
    url->port = (uint16_t)v;
    return 0;
}

/* Authority = host [":" port]; no user info. */
static int parse_authority(tt_url *url, const char *s, size_t len, tt_error *err)
{
    size_t hlen = len, i;

    for (i = 0; i < len; i++)
        if (s[i] == '@')
            return url_fail(err, TT_E_URL_USERINFO, "user info (user@) is not supported");
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return url_fail(err, TT_E_URL_HOST, "unclosed IPv6 bracket");
        hlen = (size_t)(close - s) + 1;
        if (hlen < len && s[hlen] != ':')
            return url_fail(err, TT_E_URL_HOST, "junk after IPv6 literal");
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon != NULL)
            hlen = (size_t)(colon - s);
    }
    url->port = url->tls ? 443 : 80;
    if (parse_host(url, s, hlen, err) != 0)
        return -1;
    if (hlen < len)
        return parse_port(url, s + hlen + 1, len - hlen - 1, err);
    return 0;
}

/* ---- targets ----------------------------------------------------------- */

/* Append path/query bytes to url->target at *pos: refuse controls and
 * spaces, percent-encode non-ASCII, stop at a fragment. */
static int append_target(tt_url *url, size_t *pos, const char *s, size_t len,
                         tt_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, p = *pos;

    for (i = 0; i < len && s[i] != '#'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7f)
            return url_fail(err, TT_E_URL_CHARS, "space or control character in URL");
        if (c >= 0x80) {
            if (p + 3 >= sizeof url->target)
                return url_fail(err, TT_E_LIMIT_URL, "path longer than TT_URL_TARGET_MAX");
            url->target[p++] = '%';
            url->target[p++] = hex[c >> 4];
            url->target[p++] = hex[c & 15];
            continue;
        }
        if (p + 1 >= sizeof url->target)
            return url_fail(err, TT_E_LIMIT_URL, "path longer than TT_URL_TARGET_MAX");
        url->target[p++] = (char)c;
    }
    url->target[p] = '\0';
    *pos = p;
    return 0;
}

/* RFC 3986 5.2.4, in place on the path part of target (up to '?'). The
 * output never outgrows the input, so writing behind the reader is safe. */
static void remove_dot_segments(char *t)
{
    char *q = strchr(t, '?');
    size_t n = q != NULL ? (size_t)(q - t) : strlen(t);
    size_t r = 0, w = 0;

    while (r < n) {
        const char *in = t + r;
        size_t left = n - r;
        if (left >= 3 && memcmp(in, "../", 3) == 0) {
            r += 3;
        } else if (left >= 2 && memcmp(in, "./", 2) == 0) {
            r += 2;
        } else if (left >= 3 && memcmp(in, "/./", 3) == 0) {
            r += 2;
        } else if (left == 2 && memcmp(in, "/.", 2) == 0) {
            t[w++] = '/';
            r = n;
        } else if ((left >= 4 && memcmp(in, "/../", 4) == 0) ||
                   (left == 3 && memcmp(in, "/..", 3) == 0)) {
            while (w > 0 && t[w - 1] != '/')
                w--;
            if (w > 0)
                w--; /* drop the '/' before the removed segment too */
            if (left == 3) {
                t[w++] = '/';
                r = n;
            } else {
                r += 3;
            }
        } else if ((left == 1 && in[0] == '.') ||
                   (left == 2 && memcmp(in, "..", 2) == 0)) {
            r = n;
        } else {
            /* move the first segment, with its leading '/' */
            do {
                t[w++] = t[r++];
            } while (r < n && t[r] != '/');
        }
    }
    memmove(t + w, t + n, strlen(t + n) + 1);
}

/* After "scheme://": authority, then path and query. */
static int parse_after_scheme(tt_url *url, const char *s, size_t len, tt_error *err)
{
    size_t i = 0, pos = 0;

    while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
        i++;
    if (parse_authority(url, s, i, err) != 0)
        return -1;
    if (i >= len || s[i] != '/')
        url->target[pos++] = '/';
    url->target[pos] = '\0';
    if (append_target(url, &pos, s + i, len - i, err) != 0)
        return -1;
    remove_dot_segments(url->target);
    return 0;
}

static int scheme_is(const char *s, size_t len, const char *name)
{
    size_t i;
    if (strlen(name) != len)
        return 0;
    for (i = 0; i < len; i++)
        if (tt_lower((unsigned char)s[i]) != name[i])
            return 0;
    return 1;
}

/* Length of a leading "scheme:" (without the colon), or 0 when none. */
static size_t scheme_length(const char *s, size_t len)
{
    size_t i;
    if (len == 0 || !tt_is_alpha((unsigned char)s[0]))
        return 0;
    for (i = 1; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == ':')
            return i;
        if (!tt_is_alpha(c) && !tt_is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

int tt_url_parse(tt_url *url, const char *text, size_t len, tt_error *err)
{
    size_t slen = scheme_length(text, len);

    memset(url, 0, sizeof *url);
    if (slen == 0)
        return url_fail(err, TT_E_URL_SCHEME, "missing scheme (http:// or https://)");
    if (scheme_is(text, slen, "https"))
        url->tls = 1;
    else if (!scheme_is(text, slen, "http"))
        return url_fail(err, TT_E_URL_SCHEME, "unsupported scheme (use http or https)");
    if (len < slen + 3 || text[slen + 1] != '/' || text[slen + 2] != '/')
        return url_fail(err, TT_E_URL_SCHEME, "missing // after the scheme");
    return parse_after_scheme(url, text + slen + 3, len - slen - 3, err);
}

int tt_url_resolve(tt_url *out, const tt_url *base, const char *ref,
                   size_t len, tt_error *err)
{
    size_t pos = 0, keep;
    const char *q;

    if (scheme_length(ref, len) != 0)
        return tt_url_parse(out, ref, len, err);
    memset(out, 0, sizeof *out);
    out->tls = base->tls;
    if (len >= 2 && ref[0] == '/' && ref[1] == '/')
        return parse_after_scheme(out, ref + 2, len - 2, err);
    out->host_kind = base->host_kind;
    out->port = base->port;
    memcpy(out->host, base->host, sizeof out->host);
    if (len == 0 || ref[0] == '#') {
        memcpy(out->target, base->target, sizeof out->target);
        return 0;
    }
    q = strchr(base->target, '?');
    if (ref[0] == '/') {
        keep = 0;
    } else if (ref[0] == '?') {
        keep = q != NULL ? (size_t)(q - base->target) : strlen(base->target);
    } else {
        const char *end = q != NULL ? q : base->target + strlen(base->target);
        while (end > base->target && end[-1] != '/')
            end--;
        keep = (size_t)(end - base->target);
    }
    memcpy(out->target, base->target, keep);
    pos = keep;
    out->target[pos] = '\0';
    if (append_target(out, &pos, ref, len, err) != 0)
        return -1;
    remove_dot_segments(out->target);
    if (out->target[0] == '\0' || out->target[0] == '?') {
        /* "../.." above the root, or a bare query: keep the path absolute */
        size_t n = strlen(out->target);
        if (n + 1 >= sizeof out->target)
            return url_fail(err, TT_E_LIMIT_URL, "path longer than TT_URL_TARGET_MAX");
        memmove(out->target + 1, out->target, n + 1);
        out->target[0] = '/';
    }
    return 0;
}

size_t tt_url_host_header(const tt_url *url, char *buf, size_t cap)
{
    int default_port = url->port == (url->tls ? 443 : 80);
    const char *open = url->host_kind == TT_HOST_IPV6 ? "[" : "";
    const char *close = url->host_kind == TT_HOST_IPV6 ? "]" : "";

    if (default_port)
        return tt_fmt(buf, cap, "%s%s%s", open, url->host, close);
    return tt_fmt(buf, cap, "%s%s%s:%u", open, url->host, close,
                  (unsigned)url->port);
}

size_t tt_url_format(const tt_url *url, char *buf, size_t cap)
{
    size_t n = tt_fmt(buf, cap, "%s://", url->tls ? "https" : "http");
    n += tt_url_host_header(url, n < cap ? buf + n : NULL, n < cap ? cap - n : 0);
    n += tt_fmt(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, "%s", url->target);
    return n;
}

/* ---- percent-encoding -------------------------------------------------- */

static int is_unreserved(int c)
{
    return tt_is_alpha(c) || tt_is_digit(c) || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

static int is_sub_delim(int c)
{
    return c != 0 && strchr("!$&'()*+,;=", c) != NULL;
}

int tt_pct_encode(char *dst, size_t cap, size_t *len, const char *src,
                  size_t n, tt_pct_mode mode, tt_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, p = *len;

    for (i = 0; i < n; i++) {
        int c = (unsigned char)src[i];
        int plain = is_unreserved(c) ||
                    (mode == TT_PCT_SEGMENT && (is_sub_delim(c) || c == ':' || c == '@'));
        size_t need = (plain || (mode == TT_PCT_FORM && c == ' ')) ? 1 : 3;
        if (p + need >= cap) {
            if (cap > 0)
                dst[*len] = '\0';
            return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_BUFFER, NULL,
                                "encoded text does not fit in %zu bytes", cap);
        }
        if (need == 1) {
            dst[p++] = c == ' ' ? '+' : (char)c;
        } else {
            dst[p++] = '%';
            dst[p++] = hex[c >> 4];
            dst[p++] = hex[c & 15];
        }
    }
    dst[p] = '\0';
    *len = p;
    return 0;
}
