/*
 * The BearSSL backend's types: the decoded store, one connection's
 * contexts and record buffer, a session kept for resumption. The public
 * tether/tls.h declares them as opaque blocks of TT_TLS_*_SIZE bytes; the
 * backend's files (through tls_internal.h) and its tests see these
 * definitions, checked here to fit those blocks.
 */
#ifndef TT_TLS_BEARSSL_H
#define TT_TLS_BEARSSL_H

#include <bearssl.h>

#include "tether/errors.h"
#include "tether/port.h"
#include "tether/url.h"
#include <stddef.h>

struct tt_tls_config; /* tls.h */

typedef br_sha256_context tt_sha256;
TT_OPAQUE_CHECK(tt_sha256, tt_sha256, TT_SHA256_SIZE);

/* ---- store: anchors, chain, key ---------------------------------------- */

typedef struct tt_tls_key {
    int type;                 /* 0 none, BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
    br_rsa_private_key rsa;
    br_ec_private_key ec;
} tt_tls_key;

/*
 * Decoded credentials. Bytes (names, keys, certificate DER) are kept in the
 * arena given to tt_tls_store_init, which must outlive every use of the
 * store; nothing else is kept. Loading fills the arena from both ends; when
 * it is too small the load fails with TT_E_LIMIT_TLS_ARENA and a message
 * saying how many bytes the whole load needed.
 */
typedef struct tt_tls_store {
    unsigned char *arena;
    size_t cap;
    size_t lo;                /* bytes used from the start */
    size_t hi;                /* start of the struct area at the end */
    size_t needed;            /* counting while a load overflows */
    int overflow;
    br_x509_trust_anchor *anchors;
    size_t nanchors;
    br_x509_certificate *chain;
    size_t nchain;
    tt_tls_key key;
} tt_tls_store;
TT_OPAQUE_CHECK(tt_tls_store, tt_tls_store, TT_TLS_STORE_SIZE);

/* The X.509 engine tether hands to BearSSL: x509_minimal (or, when
 * insecure, a bare decoder for the server key) plus the checks BearSSL
 * does not do: IP-address subjectAltName and public-key pins, made while
 * the leaf certificate streams through. Private. */
typedef struct tt_der_walk {
    uint32_t rem[8];
    unsigned char ctx[8];
    unsigned char idx[8];
    int depth;
    int hstate;
    unsigned char tag;
    uint32_t len;
    int lenleft;
    unsigned char hdr[6];
    int hdrlen;
    int action;
    int action_ctx;
    uint32_t left;
    unsigned char cap[16];
    uint32_t caplen;
    int cap_what;                /* what the captured element is (tls_x509.c) */
    int version_offset;
    int is_san;
    int failed;
    int done;
} tt_der_walk;

typedef struct tt_x509 {
    const br_x509_class *vtable;
    union {
        br_x509_minimal_context minimal;
        br_x509_decoder_context decoder;
    } u;
    const struct tt_tls_config *cfg;
    int insecure;
    int pin_only;
    int cert_index;
    int walking;
    tt_der_walk walk;
    br_sha256_context sha;
    int check_ip;
    unsigned char ip[16];
    size_t iplen;
    int ip_matched;
    unsigned char spki_hash[32];
    int spki_done;
    int reason;                  /* a TT_E_TLS_* code when we refused */
    /* what the walk saw of every certificate, to name a refusal */
    int64_t now;                 /* validation time, Unix seconds */
    int64_t not_before;          /* of the certificate being walked */
    int open_start;              /* notBefore not checked (tt_tls_open_start) */
    int weak_cert;               /* first certificate signed with SHA-1 or MD5, or -1 */
    const char *weak_hash;       /* "SHA-1" or "MD5" */
    int date_cert;               /* first certificate outside its dates, or -1 */
    int date_future;             /* 1: not valid yet; 0: expired */
    int64_t date_limit;          /* its notBefore or notAfter */
    unsigned rsa_bits;           /* insecure mode: the server's RSA key size */
} tt_x509;

/* Client certificate wrapper: tells whether the server asked for one. */
typedef struct tt_tls_client_auth {
    const br_ssl_client_certificate_class *vtable;
    const br_ssl_client_certificate_class **inner; /* NULL: no certificate */
    int requested;
    int sent;
} tt_tls_client_auth;

typedef struct tt_tls_conn {
    br_ssl_client_context sc;
    tt_x509 x509;
    tt_tls_client_auth auth;
    const tt_port *port;
    tt_sock *sock;
    volatile sig_atomic_t *cancel;
    const char *host;
    int resumed;
    int established;             /* the handshake completed */
    int peer_closed;             /* close_notify received */
    unsigned char iobuf[TT_TLS_IOBUF_SIZE];
} tt_tls_conn;
TT_OPAQUE_CHECK(tt_tls_conn, tt_tls_conn, TT_TLS_CONN_SIZE);

/* A session remembered for resumption, per origin (kept by the client). */
typedef struct tt_tls_session {
    int valid;
    uint16_t port;
    char host[TT_URL_HOST_MAX];
    br_ssl_session_parameters params;
} tt_tls_session;
TT_OPAQUE_CHECK(tt_tls_session, tt_tls_session, TT_TLS_SESSION_SIZE);


#endif /* TT_TLS_BEARSSL_H */
