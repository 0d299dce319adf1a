/*
 * Character classes of the grammars tether parses (HTTP, URLs, JSON, SSE,
 * resolver files): ASCII only, never the C locale's, each defined once.
 * Private to core/ and the ports. Arguments are byte values (0..255).
 */
#ifndef TT_CHARS_H
#define TT_CHARS_H

static inline int tt_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline int tt_is_alpha(int c)
{
    return (c | 32) >= 'a' && (c | 32) <= 'z';
}

/* space or horizontal tab: the blank of HTTP fields and of hosts files */
static inline int tt_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

static inline int tt_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* A hexadecimal digit's value, or -1. */
static inline int tt_hex_value(int c)
{
    if (tt_is_digit(c))
        return c - '0';
    if ((c | 32) >= 'a' && (c | 32) <= 'f')
        return (c | 32) - 'a' + 10;
    return -1;
}

#endif /* TT_CHARS_H */
