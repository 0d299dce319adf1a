/*
 * Ed25519 signature verification (RFC 8032) and SHA-512, from the part of
 * libsodium that tools/build-sodium.sh builds from Debian's source: verify
 * only, no allocation, no global state, no initialisation. On when
 * TT_FEATURE_ED25519 is (the default).
 *
 * Stricter than RFC 8032 asks, as libsodium is: besides a non-canonical S,
 * it refuses small-order points (as R or as the key) and a key written
 * non-canonically. No key made by a signer can be such a point, so a real
 * signer's signatures verify exactly as they do with Go's crypto/ed25519.
 */
#ifndef TT_ED25519_H
#define TT_ED25519_H

#include <stddef.h>

/* 1 when sig is key's signature of msg[0..len), else 0. */
int tt_ed25519_verify(const unsigned char sig[64], const void *msg, size_t len,
                      const unsigned char key[32]);

/* SHA-512 of data[0..len). */
void tt_sha512(const void *data, size_t len, unsigned char out[64]);

#endif /* TT_ED25519_H */
