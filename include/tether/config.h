/*
 * tether compile-time configuration.
 *
 * Every buffer size, limit, timeout and feature switch of the library has its
 * default here, each behind an #ifndef guard. A build overrides them the way
 * lwIP builds use lwipopts.h: pass -DTETHER_CONFIG_FILE='"myopts.h"' (the
 * Makefile does this for TETHER_CONFIG_FILE=myopts.h) and define the values to
 * change in that file; it is included first, so its definitions win.
 *
 * Sizes are in bytes, times in milliseconds unless the name says otherwise.
 * A limit that is hit is always reported as its own error (see core/errors.h);
 * nothing is truncated silently, so choosing a small value is safe, only less
 * capable.
 */
#ifndef TETHER_CONFIG_H
#define TETHER_CONFIG_H

#ifdef TETHER_CONFIG_FILE
#include TETHER_CONFIG_FILE
#endif

/* ---- Identity ---------------------------------------------------------- */

/* Library version, sent in the default User-Agent "tether/VERSION". */
/* The name of the configuration profile (config/profiles/NAME.h). */
#ifndef TT_PROFILE_NAME
#define TT_PROFILE_NAME "default"
#endif

#ifndef TT_VERSION
#define TT_VERSION "0.1.0"
#endif

/* ---- Errors ------------------------------------------------------------ */

/* Human-readable message kept in every tt_error ("host-a: vm not found: x"). */
#ifndef TT_ERROR_MSG_MAX
#define TT_ERROR_MSG_MAX 192
#endif

/* The API's own error code string ("not_found") kept in a tt_error. */
#ifndef TT_ERROR_API_CODE_MAX
#define TT_ERROR_API_CODE_MAX 48
#endif

/* ---- URLs -------------------------------------------------------------- */

/* Host name or address literal, without brackets (DNS names are <= 253). */
#ifndef TT_URL_HOST_MAX
#define TT_URL_HOST_MAX 256
#endif

/* Request target: path and query, as sent on the request line. */
#ifndef TT_URL_TARGET_MAX
#define TT_URL_TARGET_MAX 1024
#endif

/* A whole URL as text (Location headers, redirect targets). */
#ifndef TT_URL_MAX
#define TT_URL_MAX 1280
#endif

/* ---- HTTP -------------------------------------------------------------- */

/* Longest status line the response parser accepts. */
#ifndef TT_HTTP_STATUS_LINE_MAX
#define TT_HTTP_STATUS_LINE_MAX 512
#endif

/* Longest single header line (name, colon and value) and chunk-size line. */
#ifndef TT_HTTP_HEADER_LINE_MAX
#define TT_HTTP_HEADER_LINE_MAX 4096
#endif

/* Most header fields in one response head (trailers count separately). */
#ifndef TT_HTTP_HEADERS_MAX
#define TT_HTTP_HEADERS_MAX 64
#endif

/* Buffer the request head (request line and headers) is written into: it
 * holds a bearer token of TT_API_TOKEN_MAX with the target and headers. */
#ifndef TT_HTTP_REQUEST_HEAD_MAX
#define TT_HTTP_REQUEST_HEAD_MAX 6144
#endif

/* Receive buffer of a plain-TCP connection (TLS uses its own record buffer). */
#ifndef TT_HTTP_RECV_BUF
#define TT_HTTP_RECV_BUF 2048
#endif

/* Redirects followed by default when following is on (0 turns it off). */
#ifndef TT_HTTP_MAX_REDIRECTS
#define TT_HTTP_MAX_REDIRECTS 5
#endif

/* Content-Type value kept in a response (longer values are a limit error
 * only when the caller asks for the value; see tt_response). */
#ifndef TT_HTTP_CONTENT_TYPE_MAX
#define TT_HTTP_CONTENT_TYPE_MAX 96
#endif

/* Reason phrase kept in a response (for display only; "" when longer). */
#ifndef TT_HTTP_REASON_MAX
#define TT_HTTP_REASON_MAX 48
#endif

/* ---- Client ------------------------------------------------------------ */

/* Keep-alive connections one client keeps open (one per origin in use). */
#ifndef TT_CLIENT_POOL_SIZE
#define TT_CLIENT_POOL_SIZE 2
#endif

/* Connect timeout: DNS resolution plus TCP connect (plus TLS handshake). */
#ifndef TT_CONNECT_TIMEOUT_MS
#define TT_CONNECT_TIMEOUT_MS 10000
#endif

/* Whole-request deadline: from the first connect attempt to the last byte. */
#ifndef TT_REQUEST_TIMEOUT_MS
#define TT_REQUEST_TIMEOUT_MS 30000
#endif

/* A keep-alive connection idle for longer than this is closed, not reused. */
#ifndef TT_CLIENT_IDLE_REUSE_MS
#define TT_CLIENT_IDLE_REUSE_MS 60000
#endif

/* Longest trace line the client formats for its log hook. */
#ifndef TT_LOG_LINE_MAX
#define TT_LOG_LINE_MAX 256
#endif

/* ---- JSON ------------------------------------------------------------- */

/* Deepest nesting of arrays and objects accepted. */
#ifndef TT_JSON_MAX_DEPTH
#define TT_JSON_MAX_DEPTH 32
#endif

/* Tokens (values and keys) one tt_json document holds (20 bytes each). */
#ifndef TT_JSON_MAX_TOKENS
#define TT_JSON_MAX_TOKENS 256
#endif

/* Longest field path named in binding errors ("vms[3].name"). */
#ifndef TT_JSON_PATH_MAX
#define TT_JSON_PATH_MAX 96
#endif

/* The streaming binder: containers a record table may nest (the text may
 * nest TT_JSON_MAX_DEPTH deep; skipped parts cost nothing), and lists
 * within lists plus one for the root record (machine -> interfaces ->
 * links needs 3). Each level holds one tt_error. */
#ifndef TT_JSON_BIND_DEPTH
#define TT_JSON_BIND_DEPTH 10
#endif
#ifndef TT_JSON_BIND_LEVELS
#define TT_JSON_BIND_LEVELS 3
#endif

/* ---- Server-Sent Events ------------------------------------------------ */

/* Event data buffer of the stream engine and the CLI: the largest event
 * accepted; a larger one is dropped and reported, the stream goes on. */
#ifndef TT_SSE_EVENT_MAX
#define TT_SSE_EVENT_MAX 8192
#endif

/* Longest event type and last-event-ID (with a terminating NUL). */
#ifndef TT_SSE_TYPE_MAX
#define TT_SSE_TYPE_MAX 64
#endif
#ifndef TT_SSE_ID_MAX
#define TT_SSE_ID_MAX 128
#endif

/* Handlers one dispatcher holds. */
#ifndef TT_SSE_HANDLERS_MAX
#define TT_SSE_HANDLERS_MAX 16
#endif

/* Caller headers of an event stream request (a bearer token, say). */
#ifndef TT_SSE_HEADERS_MAX
#define TT_SSE_HEADERS_MAX 8
#endif

/* Reconnect backoff: base, doubled per failure up to max, +-jitter %. The
 * server's retry: field replaces the base. */
#ifndef TT_SSE_BACKOFF_BASE_MS
#define TT_SSE_BACKOFF_BASE_MS 1000
#endif
#ifndef TT_SSE_BACKOFF_MAX_MS
#define TT_SSE_BACKOFF_MAX_MS 60000
#endif
#ifndef TT_SSE_JITTER_PCT
#define TT_SSE_JITTER_PCT 25
#endif

/* A connection that stayed up this long resets the backoff. */
#ifndef TT_SSE_HEALTHY_MS
#define TT_SSE_HEALTHY_MS 30000
#endif

/* No byte (comments count) for this long: the connection is dead. */
#ifndef TT_SSE_IDLE_TIMEOUT_MS
#define TT_SSE_IDLE_TIMEOUT_MS 90000
#endif

/* Without a working stream for POLL_AFTER, call the poll function every
 * POLL_INTERVAL, trying the stream again each time. */
#ifndef TT_SSE_POLL_AFTER_MS
#define TT_SSE_POLL_AFTER_MS 300000
#endif
#ifndef TT_SSE_POLL_INTERVAL_MS
#define TT_SSE_POLL_INTERVAL_MS 60000
#endif

/* ---- control-plane clients (core/api) --------------------------------- */

/* Longest bearer token or MAAS API key, NUL included: a plexd node secret
 * key or an identity provider's JWT may be several KiB. */
#ifndef TT_API_TOKEN_MAX
#define TT_API_TOKEN_MAX 4096
#endif

/* Headers of one API request (Accept, Authorization, Content-Type, extras). */
#ifndef TT_API_HEADERS_MAX
#define TT_API_HEADERS_MAX 12
#endif

/* Response buffer of each client: the largest non-streamed answer. */
#ifndef TT_API_BODY_MAX
#define TT_API_BODY_MAX 16384
#endif

/* Request body buffer of each client (JSON or form bodies it writes). */
#ifndef TT_API_REQUEST_MAX
#define TT_API_REQUEST_MAX 8192
#endif

/* Trust store arena of a client that loads its own CA and credentials
 * (Mbed TLS keeps whole parsed certificates: four times BearSSL's). */
#ifndef TT_API_TLS_ARENA
#if defined(TT_TLS_MBEDTLS) && TT_TLS_MBEDTLS
#define TT_API_TLS_ARENA 32768
#else
#define TT_API_TLS_ARENA 8192
#endif
#endif

/* Default retry policy of the clients that retry (SkyPilot). */
#ifndef TT_API_RETRIES
#define TT_API_RETRIES 3
#endif
#ifndef TT_API_RETRY_BASE_MS
#define TT_API_RETRY_BASE_MS 1000
#endif
#ifndef TT_API_RETRY_MAX_MS
#define TT_API_RETRY_MAX_MS 30000
#endif
/* The longest Retry-After a call waits out itself; a longer one ends the
 * call at once with the 429 and its retry_after, for the caller to plan:
 * a call never sleeps an hour because a server said so. */
#ifndef TT_API_RETRY_AFTER_MAX_MS
#define TT_API_RETRY_AFTER_MAX_MS 60000
#endif
#ifndef TT_API_RETRY_JITTER_PCT
#define TT_API_RETRY_JITTER_PCT 25
#endif

/* plexd records, sized for real answers: the node secret key that becomes
 * the bearer token, a secret's ciphertext (base64), a data entry's JSON
 * payload, the state's metadata object, CIDRs a peer may route. A value
 * larger than its field is that record's error (named, with its size). */
/* Nonces of signed events remembered against replays: each for five
 * minutes after its event was issued, 16 bytes each. More events than this
 * in five minutes are refused (never a nonce forgotten early). */
#ifndef TT_PLEXD_NONCES
#define TT_PLEXD_NONCES 1024
#endif

#ifndef TT_PLEXD_SECRET_KEY_MAX
#define TT_PLEXD_SECRET_KEY_MAX 4096
#endif
#ifndef TT_PLEXD_SECRET_MAX
#define TT_PLEXD_SECRET_MAX 65536
#endif
#ifndef TT_PLEXD_PAYLOAD_MAX
#define TT_PLEXD_PAYLOAD_MAX 8192
#endif
#ifndef TT_PLEXD_METADATA_MAX
#define TT_PLEXD_METADATA_MAX 2048
#endif
#ifndef TT_PLEXD_IPS_MAX
#define TT_PLEXD_IPS_MAX 16
#endif

/* MAAS records: tags per host, machine or disk and their length (MAAS
 * allows 256), storage pools per VM host, parents of a bond or bridge,
 * addresses of a machine; and the time compose may take (MAAS waits 120 s
 * for the VM host before it answers). */
#ifndef TT_MAAS_TAGS_MAX
#define TT_MAAS_TAGS_MAX 16
#endif
#ifndef TT_MAAS_TAG_MAX
#define TT_MAAS_TAG_MAX 257
#endif
#ifndef TT_MAAS_POOLS_MAX
#define TT_MAAS_POOLS_MAX 16
#endif
#ifndef TT_MAAS_PARENTS_MAX
#define TT_MAAS_PARENTS_MAX 8
#endif
#ifndef TT_MAAS_ADDRESSES_MAX
#define TT_MAAS_ADDRESSES_MAX 16
#endif
#ifndef TT_MAAS_COMPOSE_TIMEOUT_MS
#define TT_MAAS_COMPOSE_TIMEOUT_MS 180000
#endif

/* Timeout of operations that take long (vmm create with an image import). */
#ifndef TT_API_LONG_TIMEOUT_MS
#define TT_API_LONG_TIMEOUT_MS 300000
#endif

/* gzip bodies (plexd): zlib built from Debian's source with Z_SOLO. 0
 * leaves zlib out. The arena holds inflate's 32 KiB window and state. */
#ifndef TT_FEATURE_GZIP
#define TT_FEATURE_GZIP 1
#endif
/* gzip request bodies: plexd's agent compresses bodies over 1 KiB, and so
 * does tether's plexd client. zlib's deflate is about 22 KB of code on
 * x86-64 (14 KB on ARMv7); 0 keeps inflate only, and bodies go as they
 * are, which the control plane takes as well. */
#ifndef TT_FEATURE_GZIP_REQUEST
#define TT_FEATURE_GZIP_REQUEST TT_FEATURE_GZIP
#endif
#ifndef TT_GZIP_ARENA
#define TT_GZIP_ARENA (48 * 1024)
#endif
#ifndef TT_GZIP_CHUNK
#define TT_GZIP_CHUNK 2048
#endif

/* Ed25519 verification of plexd's signed events (core/ed25519.c over the
 * verify-only part of libsodium that the build compiles from Debian's
 * source; about 16 KB of code on x86-64, 22 KB on ARMv7). Off, a build
 * cannot verify events and says so when asked to. */
#ifndef TT_FEATURE_ED25519
#define TT_FEATURE_ED25519 1
#endif

/* ---- TLS ------------------------------------------------------------- */

/* https support; 0 builds the core without TLS. */
#ifndef TT_FEATURE_TLS
#define TT_FEATURE_TLS 1
#endif

/* The backend: 0 BearSSL (TLS 1.2, the smallest), 1 Mbed TLS 3.6 (TLS 1.2
 * and 1.3). Set by the build (make TLS=mbedtls), not by hand: the library
 * linked must match. */
#ifndef TT_TLS_MBEDTLS
#define TT_TLS_MBEDTLS 0
#endif

/* Bytes of the arena inside each Mbed TLS connection that serves every
 * allocation the library makes for it: the record buffers (16 KiB in,
 * 4 KiB out), the handshake, the server's chain. */
#ifndef TT_TLS_MBEDTLS_ARENA
#define TT_TLS_MBEDTLS_ARENA (64 * 1024)
#endif

/* Mbed TLS: bytes kept per remembered session (its own serialization: a
 * TLS 1.3 ticket and the server's certificate, or a TLS 1.2 session). A
 * session that does not fit is not kept (the next connection makes a full
 * handshake). */
#ifndef TT_TLS_SESSION_BLOB
#define TT_TLS_SESSION_BLOB 3072
#endif

/* One record buffer per connection used both ways (half duplex, BearSSL's
 * "mono" mode), or separate input and output buffers (1). */
#ifndef TT_TLS_FULL_DUPLEX
#define TT_TLS_FULL_DUPLEX 0
#endif

/* Largest record payload. 16384 is what every server may send. A smaller
 * power of two (512..4096) shrinks the buffer and asks the server, with the
 * max_fragment_length extension, to send no larger records: only for
 * servers known to honour it (the "tiny" profile). */
#ifndef TT_TLS_MAX_FRAGMENT
#define TT_TLS_MAX_FRAGMENT 16384
#endif

/* TLS sessions remembered (one per origin) so reconnects resume. */
#ifndef TT_TLS_SESSION_CACHE
#define TT_TLS_SESSION_CACHE 2
#endif

/* Certificates in a client chain. */
#ifndef TT_TLS_CHAIN_MAX
#define TT_TLS_CHAIN_MAX 8
#endif

/* Largest private key DER accepted by the loader (RSA-4096 is ~2.4 KB). */
#ifndef TT_TLS_KEY_DER_MAX
#define TT_TLS_KEY_DER_MAX 3072
#endif

/* Public-key pins accepted at once (current and backup keys). */
#ifndef TT_TLS_MAX_PINS
#define TT_TLS_MAX_PINS 4
#endif

/* The smallest RSA key a server (or any CA of its chain) may have, in
 * bits; tt_tls_config.min_rsa_bits lowers or raises it per connection.
 * Elliptic-curve keys below 224 bits are refused whatever this says. */
#ifndef TT_TLS_MIN_RSA_BITS
#define TT_TLS_MIN_RSA_BITS 2048
#endif

/* A wall clock before this (Unix seconds; 2025-01-01) is taken as "never
 * set": certificate validity cannot be checked against it. */
#ifndef TT_TLS_CLOCK_FLOOR
#define TT_TLS_CLOCK_FLOOR 1735689600
#endif

/* ---- Port -------------------------------------------------------------- */

/* Longest wait the POSIX port makes before looking at the cancel flag
 * again; this is how prompt a shutdown from another thread or a signal is. */
#ifndef TT_PORT_POLL_SLICE_MS
#define TT_PORT_POLL_SLICE_MS 100
#endif

/* Addresses tried per connect when a name resolves to several. */
#ifndef TT_PORT_MAX_ADDRS
#define TT_PORT_MAX_ADDRS 8
#endif

/* Room in tt_port_lwip for lwIP's sys_sem_t, the semaphore its resolver
 * wakes the waiting connect with (a pointer on lwIP's unix port and on
 * FreeRTOS, a small struct on some RTOSes). port/lwip fails to compile
 * when the platform's does not fit, naming this macro. */
#ifndef TT_PORT_LWIP_SEM_SIZE
#define TT_PORT_LWIP_SEM_SIZE 32
#endif


/* ---- Features ---------------------------------------------------------- */

/* What the library contains; each 0 leaves its code out (the source files
 * compile to nothing, so a build may list them all). TT_FEATURE_TLS,
 * _GZIP and _ED25519 are above. A feature switched on while one it needs
 * is off is a build error; left undefined, a feature is on when what it
 * needs is. The build's make variables carry the same names (tether.mk). */

/* Server-Sent Event streams: the parser (sse.c) and the reconnecting
 * stream (sse_stream.c). */
#ifndef TT_FEATURE_SSE
#define TT_FEATURE_SSE 1
#endif
/* JSON: the document parser and validator are always in; these add the
 * writer (tt_jw_*), struct binding (tt_json_bind*) and streaming of large
 * lists (tt_json_stream*). */
#ifndef TT_FEATURE_JSON_WRITE
#define TT_FEATURE_JSON_WRITE 1
#endif
#ifndef TT_FEATURE_JSON_BIND
#define TT_FEATURE_JSON_BIND 1
#endif
#ifndef TT_FEATURE_JSON_STREAM
#define TT_FEATURE_JSON_STREAM 1
#endif

/* The protocol clients (and the API layer they share, api.c). */
#ifndef TT_FEATURE_VMM
#define TT_FEATURE_VMM (TT_FEATURE_TLS && TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE)
#endif
#ifndef TT_FEATURE_PLEXD
#define TT_FEATURE_PLEXD (TT_FEATURE_SSE && TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE)
#endif
#ifndef TT_FEATURE_MAAS
#define TT_FEATURE_MAAS (TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE)
#endif
#ifndef TT_FEATURE_SKYPILOT
#define TT_FEATURE_SKYPILOT (TT_FEATURE_JSON_BIND && TT_FEATURE_JSON_WRITE)
#endif
#ifndef TT_FEATURE_POOLMGR
#define TT_FEATURE_POOLMGR TT_FEATURE_JSON_BIND
#endif
#define TT_FEATURE_API (TT_FEATURE_VMM || TT_FEATURE_PLEXD || TT_FEATURE_MAAS || \
                        TT_FEATURE_SKYPILOT || TT_FEATURE_POOLMGR)

#if TT_FEATURE_API && !TT_FEATURE_JSON_BIND
#error "the protocol clients need TT_FEATURE_JSON_BIND"
#endif
#if TT_FEATURE_VMM && !(TT_FEATURE_TLS && TT_FEATURE_JSON_WRITE)
#error "TT_FEATURE_VMM needs TT_FEATURE_TLS and TT_FEATURE_JSON_WRITE (vmm is mutual TLS only)"
#endif
#if TT_FEATURE_PLEXD && !(TT_FEATURE_SSE && TT_FEATURE_JSON_WRITE)
#error "TT_FEATURE_PLEXD needs TT_FEATURE_SSE and TT_FEATURE_JSON_WRITE"
#endif
#if TT_FEATURE_GZIP_REQUEST && !TT_FEATURE_GZIP
#error "TT_FEATURE_GZIP_REQUEST needs TT_FEATURE_GZIP"
#endif
#if TT_FEATURE_MAAS && !TT_FEATURE_JSON_WRITE
#error "TT_FEATURE_MAAS needs TT_FEATURE_JSON_WRITE (its forms are written by the record tables)"
#endif
#if TT_FEATURE_SKYPILOT && !TT_FEATURE_JSON_WRITE
#error "TT_FEATURE_SKYPILOT needs TT_FEATURE_JSON_WRITE"
#endif

#endif /* TETHER_CONFIG_H */
