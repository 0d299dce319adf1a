/*
 * Character classes of the grammars tether parses (HTTP, URLs, JSON, SSE,
 * resolver files): ASCII only, never the C locale's, each defined once.
 * Private to core/ and the ports. Arguments are byte values (0..255).
 */
#ifndef TT_CHARS_H
#define TT_CHARS_H

#include <stdint.h>

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

/*
 * Eight bytes a step (SWAR): a mask has 0x80 set in each byte of w that
 * matches. The lowest flag is always exact (borrows run only towards
 * later bytes); a flag above a flagged byte may be false, so a scan takes
 * the lowest one and looks again from there.
 */
#define TT_SWAR_ONES 0x0101010101010101ULL
#define TT_SWAR_HIGHS 0x8080808080808080ULL

/* bytes below 0x20 (control characters) */
static inline uint64_t tt_swar_controls(uint64_t w)
{
    return (w - 0x20 * TT_SWAR_ONES) & ~w & TT_SWAR_HIGHS;
}

/* bytes equal to c */
static inline uint64_t tt_swar_eq(uint64_t w, unsigned char c)
{
    uint64_t x = w ^ (c * TT_SWAR_ONES);
    return (x - TT_SWAR_ONES) & ~x & TT_SWAR_HIGHS;
}

/* The index of m's lowest flagged byte (m != 0), or -1 where it cannot be
 * had in one step (then the caller goes on a byte at a time). */
static inline int tt_swar_first(uint64_t m)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_ctzll(m) >> 3;
#else
    (void)m;
    return -1;
#endif
}

/*
 * A UTF-8 lead byte c >= 0x80 (RFC 3629: no overlongs, no surrogates,
 * nothing past U+10FFFF): how many continuation bytes follow, 1 to 3, and
 * the range [*lo, *hi] the first of them must be in (the others:
 * 0x80..0xbf); 0 for a byte no sequence starts with. The JSON scanner's
 * and the event stream's one decoder of sequences.
 */
static inline int tt_utf8_lead(int c, unsigned char *lo, unsigned char *hi)
{
    *lo = 0x80;
    *hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        return 1;
    if (c >= 0xe0 && c <= 0xef) {
        if (c == 0xe0)
            *lo = 0xa0;
        else if (c == 0xed)
            *hi = 0x9f;
        return 2;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (c == 0xf0)
            *lo = 0x90;
        else if (c == 0xf4)
            *hi = 0x8f;
        return 3;
    }
    return 0;
}

#endif /* TT_CHARS_H */
