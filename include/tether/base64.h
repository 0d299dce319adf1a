/*
 * Standard base64 (RFC 4648 with padding) over caller buffers; no state.
 */
#ifndef TT_BASE64_H
#define TT_BASE64_H

#include <stddef.h>

/* Standard base64 (with padding). encode: -1 when out[cap] is too small
 * for the text and its NUL. decode: -1 for a bad alphabet, padding or a
 * result larger than cap. */
int tt_base64_encode(const void *in, size_t n, char *out, size_t cap);
int tt_base64_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *len);

#endif /* TT_BASE64_H */
