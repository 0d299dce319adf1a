/*
 * Standard base64 (RFC 4648 with padding) over caller buffers; no state.
 */
#ifndef TT_BASE64_H
#define TT_BASE64_H

#include <stddef.h>

/* in[0..n) as text into out[cap], NUL-terminated: 0, or -1 with out
 * untouched when cap < 4 * ceil(n / 3) + 1. */
int tt_base64_encode(const void *in, size_t n, char *out, size_t cap);

/* in[0..n) into out[cap] (no NUL), the byte count into *len: 0, or -1 for
 * a length not a multiple of 4, a byte outside the alphabet (whitespace
 * included), bad padding or a result larger than cap. After -1, out may
 * hold part of the result and *len is not set. */
int tt_base64_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *len);

#endif /* TT_BASE64_H */
