/*
 * Ed25519 and SHA-512 (core/ed25519.c) against RFC 8032's vectors and
 * FIPS 180's: each signature accepted, and refused with any of R, S or the
 * message changed, or with S written non-canonically.
 */
#define _POSIX_C_SOURCE 200809L
#include "tether/config.h"
#include "suites.h"
#if TT_FEATURE_PLEXD && TT_FEATURE_ED25519

#include "../testlib.h"
#include "tether/ed25519.h"

#include <stdio.h>
#include <string.h>

static void unhex(const char *h, unsigned char *out)
{
    size_t i;
    for (i = 0; h[2 * i] != '\0'; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* RFC 8032 section 7.1, TESTS 1 to 3: each accepted, and refused with any
 * of R, S or the message changed, or with S + L (the same scalar written
 * non-canonically); the identity as a key refused. */
static void test_ed25519_rfc8032(void)
{
    static const struct { const char *pk, *msg, *sig; } v[] = {
        { "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
        { "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
          "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
        { "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
          "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
          "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
    };
    /* L, the order of the base point, little-endian */
    static const char L[] = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
    size_t i;
    int b, k;
    for (i = 0; i < TT_COUNT(v); i++) {
        unsigned char pk[32], msg[2], sig[64], l[32], bad[64];
        size_t mlen = strlen(v[i].msg) / 2;
        unsigned carry = 0;
        unhex(v[i].pk, pk);
        unhex(v[i].msg, msg);
        unhex(v[i].sig, sig);
        CHECK_INT(tt_ed25519_verify(sig, msg, mlen, pk), 1);
        for (b = 0; b < 64; b += 21) {
            memcpy(bad, sig, 64);
            bad[b] ^= 0x01;
            CHECK_INT(tt_ed25519_verify(bad, msg, mlen, pk), 0);
        }
        if (mlen > 0) {
            msg[0] ^= 0x80;
            CHECK_INT(tt_ed25519_verify(sig, msg, mlen, pk), 0);
            msg[0] ^= 0x80;
        }
        CHECK_INT(tt_ed25519_verify(sig, "x", 1, pk), 0);
        unhex(L, l);
        memcpy(bad, sig, 64);
        for (k = 0; k < 32; k++) {
            unsigned s = bad[32 + k] + l[k] + carry;
            bad[32 + k] = (unsigned char)s;
            carry = s >> 8;
        }
        CHECK_INT(tt_ed25519_verify(bad, msg, mlen, pk), 0);
    }
    {
        unsigned char id[32] = { 1 }, sig[64] = { 1 };
        CHECK_INT(tt_ed25519_verify(sig, "any", 3, id), 0);
    }
}

/* SHA-512 of "abc" (FIPS 180-2, appendix C). */
static void test_sha512(void)
{
    unsigned char h[64], want[64];
    unhex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", want);
    tt_sha512("abc", 3, h);
    CHECK_MEM(h, 64, want, 64);
}

void suite_ed25519(void)
{
    static const tt_test tests[] = {
        { "ed25519_rfc8032", test_ed25519_rfc8032 },
        { "sha512", test_sha512 },
    };
    tt_run_suite("ed25519", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
