/*
 * Standard base64 (RFC 4648, with padding): MAAS's and plexd's keys and
 * signatures, and certificate pins.
 */
#include "tether/base64.h"

#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int tt_base64_encode(const void *in, size_t n, char *out, size_t cap)
{
    const unsigned char *p = in;
    size_t i, o = 0;
    if ((n + 2) / 3 * 4 + 1 > cap)
        return -1;
    for (i = 0; i < n; i += 3) {
        size_t k = n - i;
        unsigned v = (unsigned)p[i] << 16;
        if (k > 1)
            v |= (unsigned)p[i + 1] << 8;
        if (k > 2)
            v |= p[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = k > 1 ? b64[(v >> 6) & 63] : '=';
        out[o++] = k > 2 ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return 0;
}

static int b64_value(char c)
{
    const char *p = c != '\0' ? strchr(b64, c) : NULL;
    return p != NULL ? (int)(p - b64) : -1;
}

int tt_base64_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *len)
{
    size_t i, o = 0;
    if (n % 4 != 0)
        return -1;
    for (i = 0; i < n; i += 4) {
        int a = b64_value(in[i]), b = b64_value(in[i + 1]);
        int c = in[i + 2] == '=' ? -2 : b64_value(in[i + 2]);
        int d = in[i + 3] == '=' ? -2 : b64_value(in[i + 3]);
        unsigned v;
        if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2) ||
            ((c == -2 || d == -2) && i + 4 != n))
            return -1;
        v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)(c < 0 ? 0 : c) << 6 |
            (unsigned)(d < 0 ? 0 : d);
        if (o + 1 + (c >= 0) + (d >= 0) > cap)
            return -1;
        out[o++] = (unsigned char)(v >> 16);
        if (c >= 0)
            out[o++] = (unsigned char)(v >> 8);
        if (d >= 0)
            out[o++] = (unsigned char)v;
    }
    *len = o;
    return 0;
}
