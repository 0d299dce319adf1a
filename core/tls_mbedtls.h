/*
 * The Mbed TLS backend's types, behind tether/tls.h's opaque blocks (seen
 * by tls_mbedtls.c through tls_internal.h, checked here to fit them).
 * Mbed TLS allocates as it goes; here every allocation is served from an arena the caller owns: the store's (certificates and the
 * client key, for as long as the store lives) or the one inside each
 * connection (records, handshake, the server's chain), TT_TLS_MBEDTLS_ARENA
 * bytes. When an arena is too small the operation fails with
 * TT_E_LIMIT_TLS_ARENA, saying how much was in use.
 */
#ifndef TT_TLS_MBEDTLS_H
#define TT_TLS_MBEDTLS_H

#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tether/errors.h"
#include "tether/port.h"
#include "tether/url.h"
#include <stddef.h>

struct tt_tls_config; /* tls.h */

typedef mbedtls_sha256_context tt_sha256;
TT_OPAQUE_CHECK(tt_sha256, tt_sha256, TT_SHA256_SIZE);

/* A first-fit heap over caller memory: what Mbed TLS's calloc and free
 * reach while tether works on one connection or store. */
typedef struct tt_tls_heap {
    unsigned char *base;
    size_t cap;
    size_t in_use;               /* bytes in blocks handed out, headers included */
    size_t peak;                 /* the most in_use ever was */
    size_t refused;              /* the size of the last request that did not fit */
} tt_tls_heap;

typedef struct tt_tls_store {
    tt_tls_heap heap;            /* over the arena given to tt_tls_store_init */
    mbedtls_x509_crt anchors;    /* the CAs, as Mbed TLS's chain */
    size_t nanchors;
    mbedtls_x509_crt chain;      /* the client's certificate, leaf first */
    size_t nchain;
    mbedtls_pk_context key;
    int has_key;
} tt_tls_store;
TT_OPAQUE_CHECK(tt_tls_store, tt_tls_store, TT_TLS_STORE_SIZE);

/* A session kept for resumption, per origin (kept by the client): Mbed
 * TLS's own serialization of it (a TLS 1.3 ticket, or a 1.2 session). */
typedef struct tt_tls_session {
    int valid;
    uint16_t port;
    char host[TT_URL_HOST_MAX];
    size_t len;
    unsigned char blob[TT_TLS_SESSION_BLOB];
} tt_tls_session;
TT_OPAQUE_CHECK(tt_tls_session, tt_tls_session, TT_TLS_SESSION_SIZE);

typedef struct tt_tls_conn {
    mbedtls_ssl_context ssl;
    mbedtls_ssl_config conf;
    const struct tt_tls_config *cfg;
    const tt_port *port;
    tt_sock *sock;
    volatile sig_atomic_t *cancel;
    const char *host;
    tt_tls_session *session;
    int64_t deadline;            /* of the call in progress */
    long io_rc;                  /* the port's error that stopped the last call */
    int resumed;
    int established;
    int peer_closed;
    int session_saved;           /* with a TLS 1.3 ticket, or a 1.2 session */
    int64_t now;                 /* validation time, Unix seconds */
    /* what verification found, to name a refusal */
    int reason;                  /* a TT_E_TLS_* code, or 0 */
    int bad_cert;                /* which certificate of the chain (0: the server's) */
    int64_t date_limit;
    int date_future;
    int open_start;              /* notBefore not checked (tt_tls_open_start) */
    const char *weak_hash;
    unsigned rsa_bits;
    int verified;                /* the certificate was checked: a full handshake */
    int pending_alert;           /* read after a failed send, or -1 */
    mbedtls_x509_crt_profile profile; /* Mbed TLS's default, with tether's RSA floor */
    unsigned char ip[16];        /* an IP-address URL's address */
    size_t iplen;
    mbedtls_x509_crt no_anchors; /* the CA chain when the store has none */
    tt_tls_heap heap;
    union {
        long double align;
        void *p;
        unsigned char bytes[TT_TLS_MBEDTLS_ARENA];
    } arena;
} tt_tls_conn;
TT_OPAQUE_CHECK(tt_tls_conn, tt_tls_conn, TT_TLS_CONN_SIZE);

#endif /* TT_TLS_MBEDTLS_H */
