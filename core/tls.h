/*
 * tether TLS: BearSSL driven over a port socket, with client certificates,
 * host-name and IP-address checks, public-key pins and session resumption.
 * No allocation anywhere.
 *
 * Policy (fixed): TLS 1.2 only; ECDHE with AES-GCM or ChaCha20-Poly1305;
 * ECDSA and RSA certificates; no renegotiation. Only the BearSSL code this
 * needs is referenced, so the rest is not linked.
 *
 * Three pieces, all caller-owned:
 *   tt_tls_store   trust anchors, client chain and key, decoded from PEM into
 *                  a caller arena (load once, share read-only)
 *   tt_tls_config  what a client checks: store, pins, insecure, time policy
 *   tt_tls_conn    one connection's state: BearSSL contexts and the record
 *                  buffer (tt_tls_conn_size() bytes; see TT_TLS_* in config)
 */
#ifndef TT_TLS_H
#define TT_TLS_H

#include <bearssl.h>

#include "errors.h"
#include "port.h"
#include "url.h"

/* ---- record buffer size ------------------------------------------------- */

#define TT_TLS_IN_BUF  (TT_TLS_MAX_FRAGMENT + 325)
#define TT_TLS_OUT_BUF (TT_TLS_MAX_FRAGMENT + 85)
#if TT_TLS_FULL_DUPLEX
#define TT_TLS_IOBUF_SIZE (TT_TLS_IN_BUF + TT_TLS_OUT_BUF)
#else
#define TT_TLS_IOBUF_SIZE TT_TLS_IN_BUF
#endif
#if TT_TLS_MAX_FRAGMENT != 16384 && TT_TLS_MAX_FRAGMENT != 4096 && \
    TT_TLS_MAX_FRAGMENT != 2048 && TT_TLS_MAX_FRAGMENT != 1024 && \
    TT_TLS_MAX_FRAGMENT != 512
#error "TT_TLS_MAX_FRAGMENT must be 512, 1024, 2048, 4096 or 16384"
#endif

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

void tt_tls_store_init(tt_tls_store *st, void *arena, size_t cap);

/*
 * Trust anchors from a PEM file (one CA or a whole bundle such as Debian's
 * /etc/ssl/certs/ca-certificates.crt) or a directory of PEM files (every
 * file is read; duplicates are kept once; files holding no certificate are
 * skipped). Once per store. A missing final newline is fine.
 * Errors: TT_E_TLS_LOAD (usage class: missing file, no certificate, bad
 * PEM or certificate), TT_E_LIMIT_TLS_ARENA.
 */
int tt_tls_load_anchors(tt_tls_store *st, const tt_port *port, const char *path,
                        tt_error *err);
int tt_tls_add_anchors_pem(tt_tls_store *st, const char *pem, size_t len,
                           tt_error *err);

/* Client certificate chain: one or more PEM certificates, leaf first, at
 * most TT_TLS_CHAIN_MAX. Errors as above. */
int tt_tls_load_chain(tt_tls_store *st, const tt_port *port, const char *path,
                      tt_error *err);
int tt_tls_add_chain_pem(tt_tls_store *st, const char *pem, size_t len,
                         tt_error *err);

/*
 * Client private key: PEM "PRIVATE KEY" (PKCS#8), "EC PRIVATE KEY" (SEC1)
 * or "RSA PRIVATE KEY" (PKCS#1), RSA or EC. Before BearSSL decodes it, the
 * key's parts are measured against the decoder's fixed buffer, which
 * BearSSL 0.6 can overrun; a key that would not fit is refused
 * (TT_E_TLS_LOAD). Encrypted keys are refused.
 */
int tt_tls_load_key(tt_tls_store *st, const tt_port *port, const char *path,
                    tt_error *err);
int tt_tls_add_key_pem(tt_tls_store *st, const char *pem, size_t len,
                       tt_error *err);

/* ---- configuration ----------------------------------------------------- */

/* How certificate validity dates are checked. */
typedef enum tt_tls_time_policy {
    /* The port's wall clock; if it reads before TT_TLS_CLOCK_FLOOR (never
     * set) the handshake fails with TT_E_TLS_CLOCK. The default. */
    TT_TLS_TIME_SYSTEM = 0,
    /* For devices without a real-time clock, chosen explicitly: use the wall
     * clock, but never a time before TT_TLS_CLOCK_FLOOR. Certificates that
     * expired before the floor are still refused; a certificate that only
     * becomes valid after the floor is refused while the clock is unset. */
    TT_TLS_TIME_FLOOR,
    /* Use fixed_time (Unix seconds), e.g. from a trusted source. */
    TT_TLS_TIME_FIXED
} tt_tls_time_policy;

typedef struct tt_tls_config {
    const tt_tls_store *store;   /* anchors, chain, key; may be NULL */
    /* Check nothing about the server's certificate (curl -k). Never the
     * default; pins, when set, are still checked. */
    int insecure;
    /* SHA-256 of the server's SubjectPublicKeyInfo (curl's pinnedpubkey).
     * With anchors: both must pass. Without anchors: the pin alone makes
     * the server trusted (names and dates are still checked). */
    unsigned char pins[TT_TLS_MAX_PINS][32];
    size_t npins;
    tt_tls_time_policy time_policy;
    int64_t fixed_time;
    /* The smallest RSA key accepted from the server and its chain, in bits;
     * 0: TT_TLS_MIN_RSA_BITS (2048). Checked with -k (insecure) too. */
    unsigned min_rsa_bits;
    /* Protocol versions, TT_TLS_VERSION_*; 0: the backend's lowest and
     * highest (tt_tls_backend()). Asking for one the build cannot speak is
     * a TT_E_TLS_CONFIG error at the handshake. */
    unsigned min_version;
    unsigned max_version;
} tt_tls_config;

#define TT_TLS_VERSION_1_2 0x0303
#define TT_TLS_VERSION_1_3 0x0304

/* Zero config: no store, no pins, system time. */
void tt_tls_config_init(tt_tls_config *cfg);

/* Add pins from curl's syntax "sha256//BASE64[;sha256//BASE64...]".
 * Errors: TT_E_INVALID_ARG (usage). */
int tt_tls_add_pins(tt_tls_config *cfg, const char *spec, tt_error *err);

/* ---- connections -------------------------------------------------------- */

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
    const tt_tls_config *cfg;
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

/* A session remembered for resumption, per origin (kept by the client). */
typedef struct tt_tls_session {
    int valid;
    uint16_t port;
    char host[TT_URL_HOST_MAX];
    br_ssl_session_parameters params;
} tt_tls_session;

/*
 * Handshake over the connected socket `sock`, enforcing `deadline`
 * throughout. Host names get SNI and a name check; IP-address URLs get no
 * SNI and a check of the certificate's IP-address subjectAltName. When
 * `session` holds parameters for this origin the session is resumed;
 * afterwards it holds the new parameters. `cfg`, `port`, `sock`, `url`
 * must outlive the connection. Returns 0, or -1 with a TLS-class error
 * naming the reason (untrusted, expired, name mismatch, pin mismatch,
 * server alert, client certificate required or rejected, version or
 * cipher mismatch), or a network/timeout error from the socket.
 */
int tt_tls_open(tt_tls_conn *t, const tt_tls_config *cfg, const tt_port *port,
                tt_sock *sock, const tt_url *url, tt_tls_session *session,
                int64_t deadline, volatile sig_atomic_t *cancel, tt_error *err);

/* Send all of buf as application data. 0 or -1. */
int tt_tls_send(tt_tls_conn *t, const void *buf, size_t len, int64_t deadline,
                tt_error *err);

/*
 * Receive application data: > 0 bytes, 0 at the end of the stream, -1 on
 * error. `idle` selects the idle-timeout error for a deadline. An end of
 * stream without the peer's close_notify is reported as 0 with
 * tt_tls_truncated() true, so a caller whose framing ends at the close
 * can refuse it.
 */
long tt_tls_recv(tt_tls_conn *t, void *buf, size_t cap, int64_t deadline,
                 int idle, tt_error *err);

/* 1 when the stream ended without close_notify. */
int tt_tls_truncated(const tt_tls_conn *t);

/* Send close_notify without waiting for the peer's (a peer that never
 * answers cannot hold us), bounded by a short deadline. Does not close the
 * socket. */
void tt_tls_close(tt_tls_conn *t);

/* Bytes one connection needs (this struct: contexts plus record buffer). */
size_t tt_tls_conn_size(void);

/* The backend and the versions it speaks, for people: "BearSSL (TLS 1.2)". */
const char *tt_tls_backend(void);

#endif /* TT_TLS_H */
