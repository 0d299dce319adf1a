/*
 * tether's Mbed TLS 3.6 configuration (MBEDTLS_CONFIG_FILE): a TLS 1.2 and
 * 1.3 client and nothing else, the policy of core/tls.h.
 *
 * Memory: every allocation Mbed TLS makes goes to tt_mbed_calloc/free
 * (core/tls_mbedtls.c), which serve it from the arena of the connection
 * or store being worked on, never from the C heap. PSA keys live in static
 * slots (MBEDTLS_PSA_STATIC_KEY_SLOTS), and PSA's randomness comes from the
 * port (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG). Dates are not checked by Mbed TLS
 * (no MBEDTLS_HAVE_TIME_DATE): tether checks them against the port's clock
 * and the caller's time policy, as with BearSSL.
 *
 * A firmware tree with its own Mbed TLS 3.6 builds with this file too:
 * MBEDTLS_CONFIG_FILE="tt_mbedtls_config.h" (see docs/tls.md).
 */
#ifndef TT_MBEDTLS_CONFIG_H
#define TT_MBEDTLS_CONFIG_H

#include <stddef.h>

/* ---- platform ----------------------------------------------------------- */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
void *tt_mbed_calloc(size_t n, size_t size);
void tt_mbed_free(void *p);
#define MBEDTLS_PLATFORM_CALLOC_MACRO tt_mbed_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO tt_mbed_free
#define MBEDTLS_HAVE_TIME               /* TLS 1.3 ticket age */
#define MBEDTLS_PLATFORM_MS_TIME_ALT    /* from the port: tt_mbed_ms_time */
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG
#define MBEDTLS_DEPRECATED_REMOVED
#ifdef TT_MBEDTLS_THREADS
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD       /* PSA's key slots are shared */
#endif

/* ---- PSA crypto (TLS 1.3 needs it) ------------------------------------- */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_USE_PSA_CRYPTO
#define MBEDTLS_PSA_STATIC_KEY_SLOTS
#define MBEDTLS_PSA_KEY_SLOT_COUNT 16
#define MBEDTLS_PSA_STATIC_KEY_SLOT_BUFFER_SIZE 1232 /* an RSA-4096 key pair's export */
#define MBEDTLS_PSA_ASSUME_EXCLUSIVE_BUFFERS

/* ---- TLS ---------------------------------------------------------------- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_SESSION_TICKETS
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE   /* TLS 1.3 needs it */
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_ENCRYPT_THEN_MAC
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384    /* what a server may send */
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096    /* requests are written in pieces */

/* ---- certificates ------------------------------------------------------- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT     /* TLS 1.3 servers sign with RSA-PSS */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C                  /* the SPKI that pins hash */
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PK_PARSE_EC_EXTENDED
#define MBEDTLS_PK_PARSE_EC_COMPRESSED

/* ---- algorithms: ECDHE, AES-GCM, ChaCha20-Poly1305, ECDSA and RSA -------- */
#define MBEDTLS_AES_C
/* the CPU's AES and carry-less multiply where it has them (chosen at run
 * time; the table code otherwise): AES-GCM in software is about five
 * times slower than curl's on a bulk download */
#define MBEDTLS_HAVE_ASM
#if defined(__x86_64__)
#define MBEDTLS_AESNI_C
#endif
#if defined(__aarch64__)
#define MBEDTLS_AESCE_C
#endif
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C                      /* to name a SHA-1 signature, not to accept it */
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21                   /* RSA-PSS: TLS 1.3 signs with it */

#endif /* TT_MBEDTLS_CONFIG_H */
