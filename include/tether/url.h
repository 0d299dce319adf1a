/*
 * tether URLs: parsing http/https URLs, resolving redirect references, and
 * percent-encoding path segments, query values and form fields.
 *
 * A tt_url is a caller-owned struct of fixed arrays (sizes from
 * config.h); parsing copies what it needs and keeps no pointer into
 * the input. Every problem is a usage-class error that names what is wrong.
 */
#ifndef TT_URL_H
#define TT_URL_H

#include <stddef.h>
#include <stdint.h>
#include "errors.h"

typedef enum tt_host_kind {
    TT_HOST_NAME = 0,
    TT_HOST_IPV4 = 4,
    TT_HOST_IPV6 = 6
} tt_host_kind;

typedef struct tt_url {
    int tls;                      /* 1 for https */
    tt_host_kind host_kind;
    uint16_t port;                /* explicit or the scheme's default */
    char host[TT_URL_HOST_MAX];   /* lower case; IPv6 without brackets */
    char target[TT_URL_TARGET_MAX]; /* "/path?query", never empty */
} tt_url;

/*
 * Parse an absolute http:// or https:// URL of `len` bytes. Accepts host
 * names, dotted IPv4, bracketed IPv6 literals, an optional port, path and
 * query; drops a fragment; percent-encodes bytes >= 0x80 in path and query.
 * Rejects: other schemes (TT_E_URL_SCHEME), user info (TT_E_URL_USERINFO),
 * bad hosts (TT_E_URL_HOST), bad ports (TT_E_URL_PORT), spaces and control
 * characters anywhere (TT_E_URL_CHARS), and parts longer than the buffers
 * (TT_E_LIMIT_URL). Returns 0 or -1 with err set (class TT_ERR_USAGE, or
 * TT_ERR_LIMIT for sizes).
 */
int tt_url_parse(tt_url *url, const char *text, size_t len, tt_error *err);

/*
 * Resolve a URI reference (a Location header value) against `base` per
 * RFC 3986 section 5: absolute URLs, "//authority…", "/path", "?query" and
 * relative paths with dot segments removed; an empty reference or a bare
 * fragment is base itself. `out` may not alias `base`. Errors as
 * tt_url_parse, with the URL codes (a caller following a redirect may
 * report TT_E_HTTP_BAD_LOCATION instead); a path that outgrows
 * TT_URL_TARGET_MAX is TT_E_LIMIT_URL, never cut.
 */
int tt_url_resolve(tt_url *out, const tt_url *base, const char *ref,
                   size_t len, tt_error *err);

/* The longest text tt_url_format writes for any tt_url, NUL included
 * (the host's and target's arrays already count one NUL each). */
#define TT_URL_TEXT_MAX (sizeof "https://[]:65535" - 1 + TT_URL_HOST_MAX + TT_URL_TARGET_MAX)

/*
 * Write the URL as text ("https://[::1]:8443/x?y") into buf; returns the
 * length the full text needs (like snprintf), NUL-terminating when cap > 0.
 * A return >= cap means buf holds the text cut: the caller must check.
 */
size_t tt_url_format(const tt_url *url, char *buf, size_t cap);

/* Host as it appears in a Host header or URL: brackets around IPv6, and
 * ":port" when the port is not the scheme's default. Same return rule. */
size_t tt_url_host_header(const tt_url *url, char *buf, size_t cap);

/* 1 when the text is a dotted-quad IPv4 address ("10.0.0.1"), else 0.
 * When out is non-NULL the 4 address bytes are stored there. */
int tt_parse_ipv4(const char *s, size_t len, unsigned char out[4]);

/* 1 when the text is an IPv6 address literal (no brackets, no zone), else
 * 0. When out is non-NULL the 16 address bytes are stored there. */
int tt_parse_ipv6(const char *s, size_t len, unsigned char out[16]);

/* Percent-encoding modes. */
typedef enum tt_pct_mode {
    TT_PCT_SEGMENT, /* one path segment: all but unreserved and sub-delims
                       except '/' (so "a/b" stays one segment) */
    TT_PCT_QUERY,   /* one query name or value: all but unreserved */
    TT_PCT_FORM     /* application/x-www-form-urlencoded: as QUERY, and
                       space becomes '+' */
} tt_pct_mode;

/*
 * Append the encoding of src[0..n) to dst, which holds *len bytes of cap
 * (*len < cap). On success *len grows and dst stays NUL-terminated. When
 * the encoding (and its NUL) does not fit, returns -1 with a
 * TT_E_LIMIT_BUFFER error (limit class), *len unchanged and dst[*len]
 * NUL again: never a cut encoding. err may be NULL.
 */
int tt_pct_encode(char *dst, size_t cap, size_t *len, const char *src,
                  size_t n, tt_pct_mode mode, tt_error *err);

#endif /* TT_URL_H */
