/*
 * tether TLS: a client over a port socket, with client certificates,
 * host-name and IP-address checks, public-key pins, the caller's clock
 * policy and session resumption. No allocation anywhere.
 *
 * Two backends behind this one contract, chosen when building:
 *   BearSSL 0.6, TLS 1.2 (the default; the smallest)
 *   Mbed TLS 3.6, TLS 1.2 and 1.3 (TT_TLS_MBEDTLS=1)
 * Policy (fixed): ECDHE with AES-GCM or ChaCha20-Poly1305 (TLS 1.3: its
 * AEAD suites); ECDSA and RSA certificates; no renegotiation.
 *
 * Three pieces, all caller-owned:
 *   tt_tls_store   trust anchors, client chain and key, decoded from PEM into
 *                  a caller arena (load once, share read-only)
 *   tt_tls_config  what a client checks: store, pins, insecure, time policy,
 *                  versions, the RSA floor
 *   tt_tls_conn    one connection's state: the backend's contexts and its
 *                  record buffers (tt_tls_conn_size() bytes)
 */
#ifndef TT_TLS_H
#define TT_TLS_H

#include "errors.h"
#include "port.h"
#include "url.h"

#include "opaque.h"

/* ---- the backend's state: sizes and opaque blocks ------------------------
 *
 * tt_tls_store, tt_tls_conn, tt_tls_session and tt_sha256 hold the
 * backend's own contexts. To the application they are blocks of the sizes
 * below, computed from the configuration (the record buffer, the Mbed TLS
 * arena, the host-name and session sizes) plus what the backend's contexts
 * take, measured for 32- and 64-bit targets as bytes plus pointer-sized
 * words. The backend checks at compile time that its state fits; a target
 * whose state is larger fails to build and the *_EXTRA macros can be
 * raised in the configuration file.
 */

#if TT_TLS_MBEDTLS
/* Mbed TLS: every allocation of one connection comes from its arena */
#ifndef TT_TLS_CONN_EXTRA
#define TT_TLS_CONN_EXTRA (232 + 171 * sizeof(void *))
#endif
#ifndef TT_TLS_STORE_EXTRA
#define TT_TLS_STORE_EXTRA (144 + 181 * sizeof(void *))
#endif
#define TT_TLS_CONN_SIZE TT_OPAQUE_ROUND(TT_TLS_MBEDTLS_ARENA + TT_TLS_CONN_EXTRA)
#define TT_TLS_SESSION_SIZE \
    TT_OPAQUE_ROUND(TT_URL_HOST_MAX + TT_TLS_SESSION_BLOB + 16 + sizeof(void *))
#else
/* BearSSL: the record buffer, one fragment and its record overhead each way
 * (only the incoming one unless TT_TLS_FULL_DUPLEX) */
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
#ifndef TT_TLS_CONN_EXTRA
#define TT_TLS_CONN_EXTRA (6427 + 119 * sizeof(void *))
#endif
#ifndef TT_TLS_STORE_EXTRA
#define TT_TLS_STORE_EXTRA (25 * sizeof(void *))
#endif
#define TT_TLS_CONN_SIZE TT_OPAQUE_ROUND(TT_TLS_IOBUF_SIZE + TT_TLS_CONN_EXTRA)
#define TT_TLS_SESSION_SIZE TT_OPAQUE_ROUND(TT_URL_HOST_MAX + 92)
#endif
#define TT_TLS_STORE_SIZE TT_OPAQUE_ROUND(TT_TLS_STORE_EXTRA)
#define TT_SHA256_SIZE 112

/* The backend's own files see its real structs instead: they define
 * TT_TLS_BACKEND_IMPL as the name of the header that declares them. */
#ifdef TT_TLS_BACKEND_IMPL
#include TT_TLS_BACKEND_IMPL
#else
/* Credentials: tt_tls_store_init, tt_tls_load_*. */
typedef struct tt_tls_store { TT_OPAQUE_BLOCK(TT_TLS_STORE_SIZE) opaque; } tt_tls_store;
/* One connection: the backend's contexts and its record buffers. */
typedef struct tt_tls_conn { TT_OPAQUE_BLOCK(TT_TLS_CONN_SIZE) opaque; } tt_tls_conn;
/* A session remembered for resumption, per origin (kept by the client). */
typedef struct tt_tls_session { TT_OPAQUE_BLOCK(TT_TLS_SESSION_SIZE) opaque; } tt_tls_session;
/* A SHA-256 computation (tt_sha256_*). */
typedef struct tt_sha256 { TT_OPAQUE_BLOCK(TT_SHA256_SIZE) opaque; } tt_sha256;
#endif

/* ---- store: anchors, chain, key ---------------------------------------- */

/* An empty store over the caller's arena[cap], where the loads below
 * keep what they parse: arena must outlive the store and every
 * connection that uses it. Nothing to free. */
void tt_tls_store_init(tt_tls_store *st, void *arena, size_t cap);

/* Bytes of the arena the loads so far have needed (Mbed TLS: at the most,
 * the parser's working space included). */
size_t tt_tls_store_used(const tt_tls_store *st);

/* How many trust anchors and client certificates the store holds. */
size_t tt_tls_store_anchors(const tt_tls_store *st);
size_t tt_tls_store_chain_len(const tt_tls_store *st);

/*
 * Trust anchors from a PEM file (one CA or a whole bundle such as Debian's
 * /etc/ssl/certs/ca-certificates.crt) or a directory of PEM files (every
 * file is read; duplicates are kept once; files holding no certificate are
 * skipped; so is, without an error, an entry whose "dir/name" needs 512
 * bytes or more: BearSSL builds skip it, Mbed TLS builds try the path cut
 * to 511 bytes). Once per store. A missing final newline is fine.
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
     * clock, but never a time before TT_TLS_CLOCK_FLOOR. While the clock
     * reads before the floor, a certificate's notBefore is not checked (one
     * issued after the build, as every renewed certificate is, cannot be
     * told from one not valid yet), and one that expired before the floor
     * is still refused. Once the clock is set, both dates are checked. */
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

/* After tt_tls_open: 1 when the session was resumed (no certificate was
 * sent), and the protocol version spoken (TT_TLS_VERSION_*). */
int tt_tls_resumed(const tt_tls_conn *t);
unsigned tt_tls_version(const tt_tls_conn *t);

/* Session slots (the client keeps TT_TLS_SESSION_CACHE of them): 1 when s
 * holds parameters for url's origin (scheme, host, port); claim empties s
 * and gives it to url's origin, for tt_tls_open to fill. */
int tt_tls_session_is_for(const tt_tls_session *s, const tt_url *url);
void tt_tls_session_claim(tt_tls_session *s, const tt_url *url);

/* Send close_notify without waiting for the peer's (a peer that never
 * answers cannot hold us), bounded by a short deadline. Does not close the
 * socket. */
void tt_tls_close(tt_tls_conn *t);

/* Bytes one connection needs (this struct: contexts plus record buffer). */
size_t tt_tls_conn_size(void);

/* Bytes of tt_tls_conn_size() this connection has needed so far: Mbed TLS,
 * the high-water mark of its arena plus the rest of the struct (what a
 * smaller TT_TLS_MBEDTLS_ARENA must still hold); BearSSL, whose state is
 * fixed, the whole size. */
size_t tt_tls_conn_used(const tt_tls_conn *t);

/* SHA-256 from the backend's code (artifact digests, stable ids): a
 * tt_sha256 context (the backend's), started, fed, finished. */
void tt_sha256_init(tt_sha256 *c);
void tt_sha256_update(tt_sha256 *c, const void *data, size_t len);
void tt_sha256_final(tt_sha256 *c, unsigned char out[32]);

/* The backend and the versions it speaks, for people: "BearSSL 0.6 (TLS 1.2)". */
const char *tt_tls_backend(void);

#endif /* TT_TLS_H */
