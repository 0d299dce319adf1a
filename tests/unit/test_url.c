/* URL parsing, reference resolution (RFC 3986 5.4) and percent-encoding. */
#include "../testlib.h"
#include "suites.h"
#include "tether/url.h"

#include <stdio.h>

typedef struct {
    const char *in;
    tt_errcode code; /* TT_E_OK when it must parse */
    int tls;
    const char *host;
    int kind;
    unsigned port;
    const char *target;
} url_case;

static const url_case url_cases[] = {
    { "http://example.com", TT_E_OK, 0, "example.com", TT_HOST_NAME, 80, "/" },
    { "https://example.com/", TT_E_OK, 1, "example.com", TT_HOST_NAME, 443, "/" },
    { "HTTP://Example.COM:8080/a/b?c=d#frag", TT_E_OK, 0, "example.com", TT_HOST_NAME, 8080, "/a/b?c=d" },
    { "http://192.168.1.10:8443/api/v1/vms", TT_E_OK, 0, "192.168.1.10", TT_HOST_IPV4, 8443, "/api/v1/vms" },
    { "https://[::1]:8443/x", TT_E_OK, 1, "::1", TT_HOST_IPV6, 8443, "/x" },
    { "http://[2001:DB8::1]/", TT_E_OK, 0, "2001:db8::1", TT_HOST_IPV6, 80, "/" },
    { "http://[::ffff:10.0.0.1]/", TT_E_OK, 0, "::ffff:10.0.0.1", TT_HOST_IPV6, 80, "/" },
    { "http://h?q=1", TT_E_OK, 0, "h", TT_HOST_NAME, 80, "/?q=1" },
    { "http://h:/p", TT_E_OK, 0, "h", TT_HOST_NAME, 80, "/p" },
    { "http://my_host.local./p", TT_E_OK, 0, "my_host.local.", TT_HOST_NAME, 80, "/p" },
    { "http://h/a/./b/../c", TT_E_OK, 0, "h", TT_HOST_NAME, 80, "/a/c" },
    { "http://h/caf\xc3\xa9", TT_E_OK, 0, "h", TT_HOST_NAME, 80, "/caf%C3%A9" },
    { "http://h:65535/", TT_E_OK, 0, "h", TT_HOST_NAME, 65535, "/" },
    { "ftp://h/", TT_E_URL_SCHEME, 0, 0, 0, 0, 0 },
    { "example.com/path", TT_E_URL_SCHEME, 0, 0, 0, 0, 0 },
    { "http:/h/", TT_E_URL_SCHEME, 0, 0, 0, 0, 0 },
    { "http://user:pw@h/", TT_E_URL_USERINFO, 0, 0, 0, 0, 0 },
    { "http:///path", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://h:0/", TT_E_URL_PORT, 0, 0, 0, 0, 0 },
    { "http://h:65536/", TT_E_URL_PORT, 0, 0, 0, 0, 0 },
    { "http://h:8x/", TT_E_URL_PORT, 0, 0, 0, 0, 0 },
    { "http://[::1/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://[::1::2]/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://[1:2:3:4:5:6:7:8:9]/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://[::1]x/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://256.1.1.1/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://01.2.3.4/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://1.2.3/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://bad host/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
    { "http://h/a b", TT_E_URL_CHARS, 0, 0, 0, 0, 0 },
    { "http://h/a\r\nX-Evil: 1", TT_E_URL_CHARS, 0, 0, 0, 0, 0 },
    { "http://h/\x7f", TT_E_URL_CHARS, 0, 0, 0, 0, 0 },
    { "http://a..b/", TT_E_URL_HOST, 0, 0, 0, 0, 0 },
};

static void test_parse_table(void)
{
    size_t i;
    for (i = 0; i < TT_COUNT(url_cases); i++) {
        const url_case *c = &url_cases[i];
        tt_url u;
        tt_error e;
        int rc;
        tt_error_clear(&e);
        rc = tt_url_parse(&u, c->in, strlen(c->in), &e);
        if (c->code != TT_E_OK) {
            if (rc != -1 || e.code != c->code) {
                tt_test_fail(__FILE__, __LINE__, "case %zu (%s): want %s, got rc %d %s",
                             i, c->in, tt_errcode_name(c->code), rc,
                             tt_errcode_name(e.code));
                return;
            }
            CHECK(e.cls == TT_ERR_USAGE);
            CHECK(strncmp(e.msg, "bad URL: ", 9) == 0);
            continue;
        }
        if (rc != 0) {
            tt_test_fail(__FILE__, __LINE__, "case %zu (%s): %s", i, c->in, e.msg);
            return;
        }
        CHECK_INT(u.tls, c->tls);
        CHECK_STR(u.host, c->host);
        CHECK_INT(u.host_kind, c->kind);
        CHECK_INT(u.port, c->port);
        CHECK_STR(u.target, c->target);
    }
}

static void test_long_parts_are_limit_errors(void)
{
    char buf[TT_URL_TARGET_MAX + 64];
    tt_url u;
    tt_error e;
    size_t n = (size_t)tt_fmt(buf, sizeof buf, "http://h/");
    memset(buf + n, 'a', TT_URL_TARGET_MAX);
    buf[n + TT_URL_TARGET_MAX] = '\0';
    CHECK_INT(tt_url_parse(&u, buf, strlen(buf), &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
}

static void test_format_round_trip(void)
{
    static const char *const urls[] = {
        "http://h/", "https://h:8443/a?b", "http://[::1]:81/x", "https://10.0.0.1/",
        "https://[fe80::1]/"
    };
    size_t i;
    for (i = 0; i < TT_COUNT(urls); i++) {
        tt_url u;
        char out[TT_URL_MAX];
        CHECK_INT(tt_url_parse(&u, urls[i], strlen(urls[i]), NULL), 0);
        tt_url_format(&u, out, sizeof out);
        CHECK_STR(out, urls[i]);
    }
}

static void test_host_header(void)
{
    tt_url u;
    char h[300];
    CHECK_INT(tt_url_parse(&u, "http://[::1]:8080/", 18, NULL), 0);
    tt_url_host_header(&u, h, sizeof h);
    CHECK_STR(h, "[::1]:8080");
    CHECK_INT(tt_url_parse(&u, "https://h:443/", 14, NULL), 0);
    tt_url_host_header(&u, h, sizeof h);
    CHECK_STR(h, "h");
}

/* RFC 3986 5.4.1 and 5.4.2, against base http://a/b/c/d;p?q */
static const char *const resolve_cases[][2] = {
    { "g", "http://a/b/c/g" }, { "./g", "http://a/b/c/g" },
    { "g/", "http://a/b/c/g/" }, { "/g", "http://a/g" },
    { "//g", "http://g/" }, { "?y", "http://a/b/c/d;p?y" },
    { "g?y", "http://a/b/c/g?y" }, { "#s", "http://a/b/c/d;p?q" },
    { "g#s", "http://a/b/c/g" }, { "g?y#s", "http://a/b/c/g?y" },
    { ";x", "http://a/b/c/;x" }, { "g;x", "http://a/b/c/g;x" },
    { "g;x?y#s", "http://a/b/c/g;x?y" }, { "", "http://a/b/c/d;p?q" },
    { ".", "http://a/b/c/" }, { "./", "http://a/b/c/" },
    { "..", "http://a/b/" }, { "../", "http://a/b/" },
    { "../g", "http://a/b/g" }, { "../..", "http://a/" },
    { "../../", "http://a/" }, { "../../g", "http://a/g" },
    { "../../../g", "http://a/g" }, { "../../../../g", "http://a/g" },
    { "/./g", "http://a/g" }, { "/../g", "http://a/g" },
    { "g.", "http://a/b/c/g." }, { ".g", "http://a/b/c/.g" },
    { "g..", "http://a/b/c/g.." }, { "..g", "http://a/b/c/..g" },
    { "./../g", "http://a/b/g" }, { "./g/.", "http://a/b/c/g/" },
    { "g/./h", "http://a/b/c/g/h" }, { "g/../h", "http://a/b/c/h" },
    { "g;x=1/./y", "http://a/b/c/g;x=1/y" }, { "g;x=1/../y", "http://a/b/c/y" },
    { "g?y/./x", "http://a/b/c/g?y/./x" }, { "g?y/../x", "http://a/b/c/g?y/../x" },
    { "g#s/./x", "http://a/b/c/g" }, { "g#s/../x", "http://a/b/c/g" },
    { "https://other:8443/z", "https://other:8443/z" },
};

static void test_resolve_rfc3986(void)
{
    tt_url base, out;
    size_t i;
    const char *b = "http://a/b/c/d;p?q";
    CHECK_INT(tt_url_parse(&base, b, strlen(b), NULL), 0);
    for (i = 0; i < TT_COUNT(resolve_cases); i++) {
        char text[TT_URL_MAX];
        tt_error e;
        const char *ref = resolve_cases[i][0];
        if (tt_url_resolve(&out, &base, ref, strlen(ref), &e) != 0) {
            tt_test_fail(__FILE__, __LINE__, "ref '%s': %s", ref, e.msg);
            return;
        }
        tt_url_format(&out, text, sizeof text);
        if (strcmp(text, resolve_cases[i][1]) != 0) {
            tt_test_fail(__FILE__, __LINE__, "ref '%s': got %s want %s", ref, text,
                         resolve_cases[i][1]);
            return;
        }
    }
}

static void test_percent_encoding(void)
{
    char buf[64];
    size_t n = 0;
    tt_error e;
    CHECK_INT(tt_pct_encode(buf, sizeof buf, &n, "a b/c?d&e=f~", 12, TT_PCT_SEGMENT, &e), 0);
    CHECK_STR(buf, "a%20b%2Fc%3Fd&e=f~");
    n = 0;
    CHECK_INT(tt_pct_encode(buf, sizeof buf, &n, "a b/c?d&e=f~", 12, TT_PCT_QUERY, &e), 0);
    CHECK_STR(buf, "a%20b%2Fc%3Fd%26e%3Df~");
    n = 0;
    CHECK_INT(tt_pct_encode(buf, sizeof buf, &n, "a b+\xc3\xa9", 6, TT_PCT_FORM, &e), 0);
    CHECK_STR(buf, "a+b%2B%C3%A9");
    /* appending keeps what is there */
    CHECK_INT(tt_pct_encode(buf, sizeof buf, &n, "\r\n", 2, TT_PCT_QUERY, &e), 0);
    CHECK_STR(buf, "a+b%2B%C3%A9%0D%0A");
}

static void test_percent_encoding_overflow(void)
{
    char buf[8] = "ab";
    size_t n = 2;
    tt_error e;
    CHECK_INT(tt_pct_encode(buf, sizeof buf, &n, "    ", 4, TT_PCT_QUERY, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(n, 2);
    CHECK_STR(buf, "ab");
}

static void test_ip_literals(void)
{
    unsigned char a[16];
    CHECK(tt_parse_ipv4("10.0.0.255", 10, a));
    CHECK(a[0] == 10 && a[3] == 255);
    CHECK(!tt_parse_ipv4("10.0.0", 6, NULL));
    CHECK(!tt_parse_ipv4("10.0.0.1.", 9, NULL));
    CHECK(tt_parse_ipv6("::", 2, a));
    CHECK(a[0] == 0 && a[15] == 0);
    CHECK(tt_parse_ipv6("1::", 3, a));
    CHECK(a[1] == 1 && a[15] == 0);
    CHECK(tt_parse_ipv6("::1", 3, a));
    CHECK(a[15] == 1 && a[0] == 0);
    CHECK(tt_parse_ipv6("1:2:3:4:5:6:7:8", 15, a));
    CHECK(a[1] == 1 && a[15] == 8);
    CHECK(tt_parse_ipv6("1:2::7:8", 8, a));
    CHECK(a[3] == 2 && a[4] == 0 && a[13] == 7);
    CHECK(tt_parse_ipv6("::ffff:1.2.3.4", 14, a));
    CHECK(a[10] == 0xff && a[12] == 1 && a[15] == 4);
    CHECK(!tt_parse_ipv6(":1::", 4, NULL));
    CHECK(!tt_parse_ipv6("1:2:3:4:5:6:7:8:9", 17, NULL));
    CHECK(!tt_parse_ipv6("1::2::3", 7, NULL));
    CHECK(!tt_parse_ipv6("12345::", 7, NULL));
    CHECK(!tt_parse_ipv6("1:2:3:4:5:6:7::8", 16, NULL));
    /* more malformed literals: each must be refused, none misread */
    CHECK(tt_parse_ipv6("AbCd::eF01", 10, a));
    CHECK(a[0] == 0xab && a[1] == 0xcd && a[14] == 0xef && a[15] == 0x01);
    CHECK(!tt_parse_ipv6("1:2:3:4:5:6:7:", 14, NULL));
    CHECK(!tt_parse_ipv6("1:2:3:4:5:6:7", 13, NULL));
    CHECK(!tt_parse_ipv6("1::2:3:4:5:6:7:1.2.3.4", 22, NULL));
    CHECK(!tt_parse_ipv6("1:::2", 5, NULL));
    CHECK(!tt_parse_ipv6("g::1", 4, NULL));
    CHECK(!tt_parse_ipv4("1.2.3.1234", 10, NULL));
    CHECK(!tt_parse_ipv4("1..2.3", 6, NULL));
    CHECK(!tt_parse_ipv4("256.1.1.1", 9, NULL));
}

/* Host names at and past their limits, odd references, the scheme's case. */
static void test_hosts_and_references(void)
{
    static char text[400];
    tt_url u, base, out;
    tt_error e;
    size_t i, n;
    /* a 64-character label is too long; a 63-character one is fine */
    n = (size_t)snprintf(text, sizeof text, "http://");
    for (i = 0; i < 64; i++)
        text[n++] = 'a';
    memcpy(text + n, ".test/", 7);
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), -1);
    memmove(text + 7, text + 8, strlen(text + 8) + 1);
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), 0);
    CHECK_INT(tt_url_parse(&u, "HTTPS://H.Test/", 15, &e), 0);
    CHECK_INT(u.tls, 1);
    CHECK_INT(tt_url_parse(&u, "http:/h/", 8, &e), -1);
    CHECK_INT(tt_url_parse(&u, "ht!p://h/", 9, &e), -1);
    CHECK_INT(tt_url_parse(&u, "http://[::1/", 12, &e), -1);
    CHECK_INT(tt_url_parse(&u, "http://[zz]/", 12, &e), -1);
    CHECK_INT(tt_url_parse(&base, "http://a/b/c?q", 14, &e), 0);
    CHECK_INT(tt_url_resolve(&out, &base, "?y", 2, &e), 0);
    tt_url_format(&out, text, sizeof text);
    CHECK_STR(text, "http://a/b/c?y");
    CHECK_INT(tt_url_parse(&base, "http://a", 8, &e), 0);
    CHECK_INT(tt_url_resolve(&out, &base, "?only", 5, &e), 0);
    tt_url_format(&out, text, sizeof text);
    CHECK_STR(text, "http://a/?only");
    CHECK_INT(tt_url_resolve(&out, &base, "ftp://x/", 8, &e), -1);
    /* dot segments at the root stay at the root */
    CHECK_INT(tt_url_parse(&base, "http://a/b", 10, &e), 0);
    CHECK_INT(tt_url_resolve(&out, &base, "../../x/./y/..", 14, &e), 0);
    tt_url_format(&out, text, sizeof text);
    CHECK_STR(text, "http://a/x/");
    /* a 253-character name with its root dot; one past is too long */
    n = (size_t)snprintf(text, sizeof text, "http://");
    for (i = 0; i < 4; i++) {
        memset(text + n, 'a' + (int)i, 63);
        n += 63;
        text[n++] = '.';
    }
    n -= 3;                                   /* 4 * 64 - 3 = 253 characters */
    memcpy(text + n, "/", 2);
    if (TT_URL_HOST_MAX > 253) {
        CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), 0);
    } else {                                  /* a build with shorter host names */
        CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), -1);
        CHECK_INT(e.code, TT_E_LIMIT_URL);
    }
    CHECK_INT(tt_url_parse(&u, "http://[]/", 10, &e), -1);
    /* formatting into a small buffer tells the length it needs */
    CHECK_INT(tt_url_parse(&u, "https://h.test:8443/p?q", 23, &e), 0);
    CHECK_INT(tt_url_format(&u, text, 5), 23);
    CHECK_STR(text, "http");
    CHECK_INT(tt_url_format(&u, NULL, 0), 23);
}

/* The fullest tt_url there can be still formats whole into
 * TT_URL_TEXT_MAX (what a response's url is sized by). */
static void test_format_fits_text_max(void)
{
    static tt_url u;
    static char text[TT_URL_TEXT_MAX];
    size_t n;
    u.tls = 1;
    u.host_kind = TT_HOST_IPV6;             /* brackets: the longest form */
    u.port = 65535;
    memset(u.host, 'a', sizeof u.host - 1);
    u.target[0] = '/';
    memset(u.target + 1, 'b', sizeof u.target - 2);
    n = tt_url_format(&u, text, sizeof text);
    CHECK(n < sizeof text);
    CHECK_INT((int)n, (int)(sizeof "https://[]:65535" - 1 + sizeof u.host - 1 + sizeof u.target - 1));
    CHECK(text[n - 1] == 'b');
}

#if UNIT_FULL_ENGINE
/* ---- edges: address literals, host length, schemes, the target limit ---- */

static void test_address_literal_edges(void)
{
    unsigned char b[16];
    static const unsigned char mapped[16] = { 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 1, 2, 3, 4 };
    CHECK_INT(tt_parse_ipv4("1.2.3", 5, b), 0);
    CHECK_INT(tt_parse_ipv4("1.2.3x4", 7, b), 0);
    /* a dotted tail needs two free groups */
    CHECK_INT(tt_parse_ipv6("1:2:3:4:5:6:7:1.2.3.4", 21, b), 0);
    CHECK_INT(tt_parse_ipv6("::1.2.3", 7, b), 0);
    CHECK_INT(tt_parse_ipv6("1:2:3:4:5:6:1.2.3.4", 19, b), 1);
    CHECK_MEM(b, 16, mapped, 16);
}

/* A host name of len bytes: labels of 63 'a' split by dots, optionally a
 * final dot. */
static void host_of(char *out, size_t len, int final_dot)
{
    size_t i;
    for (i = 0; i < len; i++)
        out[i] = (i % 64 == 63) ? '.' : 'a';
    if (final_dot)
        out[len - 1] = '.';
    out[len] = '\0';
}

static int parse_host_url(size_t len, int final_dot, tt_error *e)
{
    static char text[300], host[260];
    tt_url u;
    host_of(host, len, final_dot);
    snprintf(text, sizeof text, "http://%s/", host);
    return tt_url_parse(&u, text, strlen(text), e);
}

static void test_host_name_length_bounds(void)
{
    tt_error e;
    /* 253 bytes (254 with the root dot) is the DNS limit */
    if (TT_URL_HOST_MAX > 253) {
        CHECK_INT(parse_host_url(253, 0, &e), 0);
        CHECK_INT(parse_host_url(254, 1, &e), 0);
    } else {
        CHECK_INT(parse_host_url(253, 0, &e), -1);
        CHECK_INT(e.code, TT_E_LIMIT_URL);
        CHECK_INT(parse_host_url(254, 1, &e), -1);
        CHECK_INT(e.code, TT_E_LIMIT_URL);
    }
    CHECK_INT(parse_host_url(254, 0, &e), -1);
    CHECK_INT(e.code, TT_E_URL_HOST);
    CHECK_INT(parse_host_url(255, 1, &e), -1);
    CHECK_INT(e.code, TT_E_URL_HOST);
}

static void test_scheme_and_authority_edges(void)
{
    static const char *const unsupported[] = { "htxp://h/", "h2c://h/", "git+ssh://h/",
                                               "a-b://h/", "a.b://h/" };
    static const char *const no_slashes[] = { "http:", "http:/x", "http:x/" };
    tt_url u;
    tt_error e;
    size_t i;
    CHECK_INT(tt_url_parse(&u, "http://h#frag", 13, &e), 0);
    CHECK_STR(u.host, "h");
    CHECK_STR(u.target, "/");
    for (i = 0; i < TT_COUNT(unsupported); i++) {
        CHECK_INT(tt_url_parse(&u, unsupported[i], strlen(unsupported[i]), &e), -1);
        CHECK_INT(e.code, TT_E_URL_SCHEME);
        CHECK_STR(e.msg, "bad URL: unsupported scheme (use http or https)");
    }
    for (i = 0; i < TT_COUNT(no_slashes); i++) {
        CHECK_INT(tt_url_parse(&u, no_slashes[i], strlen(no_slashes[i]), &e), -1);
        CHECK_STR(e.msg, "bad URL: missing // after the scheme");
    }
}

static void test_non_ascii_byte_at_the_target_limit(void)
{
    static char text[TT_URL_TARGET_MAX + 32];
    tt_url u;
    tt_error e;
    size_t k = TT_URL_TARGET_MAX - 5, o;
    /* room for the three bytes of "%C3" exactly */
    o = (size_t)sprintf(text, "http://h/");
    memset(text + o, 'a', k);
    strcpy(text + o + k, "\xc3");
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), 0);
    CHECK_INT(strlen(u.target), TT_URL_TARGET_MAX - 1);
    CHECK_STR(u.target + TT_URL_TARGET_MAX - 4, "%C3");
    /* one byte more and it does not fit */
    memset(text + o, 'a', k + 1);
    strcpy(text + o + k + 1, "\xc3");
    CHECK_INT(tt_url_parse(&u, text, strlen(text), &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_URL);
}

static void test_reference_with_a_space_is_refused(void)
{
    tt_url base, out;
    tt_error e;
    CHECK_INT(tt_url_parse(&base, "http://h/a/b", 12, &e), 0);
    CHECK_INT(tt_url_resolve(&out, &base, "c d", 3, &e), -1);
    CHECK_INT(e.code, TT_E_URL_CHARS);
}

static void test_percent_encoding_keeps_tilde_and_segment_delims(void)
{
    char out[64];
    size_t len = 0;
    tt_error e;
    CHECK_INT(tt_pct_encode(out, sizeof out, &len, "~a:@b\0c", 7, TT_PCT_SEGMENT, &e), 0);
    CHECK_STR(out, "~a:@b%00c");
    len = 0;
    CHECK_INT(tt_pct_encode(out, sizeof out, &len, "~a:@b\0c", 7, TT_PCT_QUERY, &e), 0);
    CHECK_STR(out, "~a%3A%40b%00c");
    len = 0;
    out[0] = 'Z';
    CHECK_INT(tt_pct_encode(out, 0, &len, "a", 1, TT_PCT_QUERY, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_BUFFER);
    CHECK_INT(out[0], 'Z'); /* a zero-size buffer is not written */
}
#endif

void suite_url(void)
{
    static const tt_test tests[] = {
        { "parse_table", test_parse_table },
        { "long_parts_are_limit_errors", test_long_parts_are_limit_errors },
        { "format_round_trip", test_format_round_trip },
        { "host_header", test_host_header },
        { "resolve_rfc3986", test_resolve_rfc3986 },
        { "percent_encoding", test_percent_encoding },
        { "percent_encoding_overflow", test_percent_encoding_overflow },
        { "ip_literals", test_ip_literals },
        { "hosts_and_references", test_hosts_and_references },
        { "format_fits_text_max", test_format_fits_text_max },
#if UNIT_FULL_ENGINE
        { "address_literal_edges", test_address_literal_edges },
        { "host_name_length_bounds", test_host_name_length_bounds },
        { "scheme_and_authority_edges", test_scheme_and_authority_edges },
        { "non_ascii_byte_at_the_target_limit", test_non_ascii_byte_at_the_target_limit },
        { "reference_with_a_space_is_refused", test_reference_with_a_space_is_refused },
        { "percent_encoding_keeps_tilde_and_segment_delims",
          test_percent_encoding_keeps_tilde_and_segment_delims },
#endif
    };
    tt_run_suite("url", tests, TT_COUNT(tests));
}
