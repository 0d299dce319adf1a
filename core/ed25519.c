/*
 * tether's side of the libsodium subset: the wrappers, and the four small
 * functions the subset's files call that libsodium defines in files tether
 * does not build (utils.c brings an allocator, memory locking and
 * randomness; sign.c brings signing).
 */
#include "tether/ed25519.h"

#include "tether/config.h"

#if TT_FEATURE_ED25519

#include "crypto_sign_ed25519.h"

#include <string.h>

/* Declared by libsodium's utils.h and sign_ed25519_ref10.h, which are not
 * on the include path: the subset's files expect these names. */
void sodium_memzero(void *pnt, size_t len);
int sodium_memcmp(const void *a, const void *b, size_t len);
int sodium_is_zero(const unsigned char *n, size_t len);
void _crypto_sign_ed25519_ref10_hinit(crypto_hash_sha512_state *hs, int prehashed);

/* Wipes that the compiler may not drop as dead stores. */
void sodium_memzero(void *pnt, size_t len)
{
    volatile unsigned char *p = pnt;
    while (len > 0)
        p[--len] = 0;
}

/* 0 when equal, -1 when not, in time that depends on len only. */
int sodium_memcmp(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned diff = 0;
    size_t i;
    for (i = 0; i < len; i++)
        diff |= (unsigned)(x[i] ^ y[i]);
    return -(int)((diff + 0xffu) >> 8);
}

/* 1 when all len bytes are zero, in time that depends on len only. */
int sodium_is_zero(const unsigned char *n, size_t len)
{
    const volatile unsigned char *p = n;
    unsigned acc = 0;
    size_t i;
    for (i = 0; i < len; i++)
        acc |= p[i];
    return (int)((acc - 1u) >> 8) & 1;
}

/* The hash a signature check starts from; Ed25519ph (RFC 8032 5.1) puts
 * dom2(1, "") in front: "SigEd25519 no Ed25519 collisions", 1, 0. */
void _crypto_sign_ed25519_ref10_hinit(crypto_hash_sha512_state *hs, int prehashed)
{
    static const char dom[] = "SigEd25519 no Ed25519 collisions\001";
    crypto_hash_sha512_init(hs);
    if (prehashed)
        crypto_hash_sha512_update(hs, (const unsigned char *)dom, sizeof dom); /* with its NUL */
}

int tt_ed25519_verify(const unsigned char sig[64], const void *msg, size_t len,
                      const unsigned char key[32])
{
    return crypto_sign_ed25519_verify_detached(sig, msg, (unsigned long long)len, key) == 0;
}

void tt_sha512(const void *data, size_t len, unsigned char out[64])
{
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, data, (unsigned long long)len);
    crypto_hash_sha512_final(&st, out);
}

#endif /* TT_FEATURE_ED25519 */
