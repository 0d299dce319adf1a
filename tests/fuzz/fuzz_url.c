/*
 * libFuzzer target for URLs: parse, format, resolve and percent-encode.
 * The input is "URL\nREFERENCE"; the reference is resolved against the URL
 * as a Location header would be, and the whole input is percent-encoded in
 * each mode.
 *
 * Checks beyond "no crash": a parsed URL formats to text that parses back
 * to the same text; a resolved reference formats and parses back too; an
 * encoding holds only the characters its mode allows and decodes back to
 * the input. Any disagreement aborts.
 */
#include "tether/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_url base, again, out;
static char text[2 * TT_URL_MAX], text2[2 * TT_URL_MAX];

/* Format, parse the text again, format again: the same text. */
static void round_trip(const tt_url *u)
{
    tt_error err;
    size_t n = tt_url_format(u, text, sizeof text);
    if (n >= sizeof text)
        return; /* longer than a URL buffer holds: nothing to compare */
    if (tt_url_parse(&again, text, n, &err) != 0) {
        if (err.cls == TT_ERR_LIMIT)
            return; /* a resolved path may outgrow the parse limits */
        abort();
    }
    if (tt_url_format(&again, text2, sizeof text2) != n || memcmp(text, text2, n) != 0)
        abort();
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int allowed(unsigned char c, tt_pct_mode mode)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        c == '-' || c == '.' || c == '_' || c == '~' || c == '%')
        return 1;
    if (mode == TT_PCT_FORM && c == '+')
        return 1;
    return mode == TT_PCT_SEGMENT && strchr("!$&'()*+,;=:@", c) != NULL && c != '\0';
}

/* Encode, check the alphabet, decode back. */
static void encode_round_trip(const uint8_t *data, size_t size, tt_pct_mode mode)
{
    static char enc[3 * 4096 + 1];
    static unsigned char dec[4096];
    tt_error err;
    size_t len = 0, i, n = 0;
    enc[0] = '\0';
    if (tt_pct_encode(enc, sizeof enc, &len, (const char *)data, size, mode, &err) != 0) {
        if (size * 3 < sizeof enc || enc[0] != '\0')
            abort(); /* it fits, or a failure left bytes behind */
        return;
    }
    if (strlen(enc) != len)
        abort();
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)enc[i];
        if (!allowed(c, mode))
            abort();
        if (c == '%') {
            int hi = i + 2 < len ? hexval(enc[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(enc[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                abort();
            dec[n++] = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else {
            dec[n++] = mode == TT_PCT_FORM && c == '+' ? ' ' : c;
        }
    }
    if (n != size || memcmp(dec, data, size) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t ulen = nl != NULL ? (size_t)(nl - s) : size;
    tt_error err;

    if (size > 4096)
        return 0;
    if (tt_url_parse(&base, s, ulen, &err) == 0) {
        round_trip(&base);
        if (nl != NULL && tt_url_resolve(&out, &base, nl + 1, size - ulen - 1, &err) == 0)
            round_trip(&out);
        tt_url_host_header(&base, text, sizeof text);
    } else if (err.cls != TT_ERR_USAGE && err.cls != TT_ERR_LIMIT) {
        abort();
    }
    tt_parse_ipv4(s, ulen, NULL);
    tt_parse_ipv6(s, ulen, NULL);
    encode_round_trip(data, size, TT_PCT_SEGMENT);
    encode_round_trip(data, size, TT_PCT_QUERY);
    encode_round_trip(data, size, TT_PCT_FORM);
    return 0;
}
