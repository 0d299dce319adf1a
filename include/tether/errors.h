/*
 * tether errors: one error type for the whole library.
 *
 * Every fallible call takes a `tt_error *` it fills on failure and returns a
 * negative value (or 0 for "no object"). The error has a class, which is what
 * callers branch on (network or API?), a specific code that says exactly what
 * happened (which limit, which TLS reason), detail numbers (errno-like system
 * code, HTTP status, Retry-After) and a short message that names the host,
 * e.g. "host-a: vm not found: worker-1".
 *
 * A tt_error is a plain struct owned by the caller; nothing in it points
 * elsewhere, so it may be copied, kept and printed after the call returns.
 */
#ifndef TT_ERRORS_H
#define TT_ERRORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include "config.h"

/* Error classes. The CLI maps each class to its own exit code. */
typedef enum tt_err_class {
    TT_ERR_NONE = 0,
    TT_ERR_USAGE,     /* bad argument, URL or configuration */
    TT_ERR_NETWORK,   /* resolve, connect, reset, unexpected end of stream */
    TT_ERR_TIMEOUT,   /* a connect, request or idle deadline passed */
    TT_ERR_TLS,       /* handshake, certificate or record-layer failure */
    TT_ERR_PROTOCOL,  /* the peer sent something that breaks the protocol */
    TT_ERR_LIMIT,     /* a configured size or count limit was reached */
    TT_ERR_HTTP,      /* the server answered with an HTTP error status */
    TT_ERR_API,       /* the server answered with an API error envelope */
    TT_ERR_CANCELLED  /* the caller asked to stop */
} tt_err_class;

/* Specific codes. Each names one cause; tt_errcode_name() spells it. */
typedef enum tt_errcode {
    TT_E_OK = 0,
    /* usage */
    TT_E_INVALID_ARG,
    TT_E_URL_SCHEME,
    TT_E_URL_HOST,
    TT_E_URL_PORT,
    TT_E_URL_CHARS,
    TT_E_URL_USERINFO,
    TT_E_HEADER_INVALID,
    TT_E_CONFIG,
    /* network */
    TT_E_RESOLVE,
    TT_E_CONNECT_REFUSED,
    TT_E_CONNECT,
    TT_E_RESET,
    TT_E_EOF,
    TT_E_SEND,
    TT_E_RECV,
    TT_E_IO,
    /* timeout */
    TT_E_CONNECT_TIMEOUT,
    TT_E_REQUEST_TIMEOUT,
    TT_E_IDLE_TIMEOUT,
    /* protocol */
    TT_E_HTTP_STATUS_LINE,
    TT_E_HTTP_VERSION,
    TT_E_HTTP_HEADER_SYNTAX,
    TT_E_HTTP_OBS_FOLD,
    TT_E_HTTP_BARE_CR,
    TT_E_HTTP_CONTENT_LENGTH,
    TT_E_HTTP_TE_AND_CL,
    TT_E_HTTP_CHUNK_SIZE,
    TT_E_HTTP_CHUNK_SYNTAX,
    TT_E_HTTP_TRUNCATED,
    TT_E_HTTP_EXTRA_BYTES,
    TT_E_HTTP_REDIRECT_LOOP,
    TT_E_HTTP_NO_LOCATION,
    TT_E_HTTP_BAD_LOCATION,
    TT_E_HTTP_UNEXPECTED_1XX,
    /* limits */
    TT_E_LIMIT_STATUS_LINE,
    TT_E_LIMIT_HEADER_LINE,
    TT_E_LIMIT_HEADER_COUNT,
    TT_E_LIMIT_REQUEST_HEAD,
    TT_E_LIMIT_BODY,
    TT_E_LIMIT_URL,
    TT_E_LIMIT_REDIRECTS,
    TT_E_LIMIT_BUFFER,
    TT_E_LIMIT_TLS_ARENA,
    TT_E_LIMIT_JSON_DEPTH,
    TT_E_LIMIT_JSON_TOKENS,
    TT_E_LIMIT_JSON_STRING,
    TT_E_LIMIT_JSON_ARRAY,
    TT_E_LIMIT_JSON_ELEMENT,
    TT_E_LIMIT_JSON_BODY,
    TT_E_LIMIT_SSE_EVENT,
    TT_E_LIMIT_SSE_ID,
    TT_E_LIMIT_SSE_HANDLERS,
    /* json */
    TT_E_JSON_SYNTAX,
    TT_E_JSON_UTF8,
    TT_E_JSON_TYPE,
    TT_E_JSON_MISSING,
    TT_E_JSON_RANGE,
    /* event streams */
    TT_E_SSE_CONTENT_TYPE,
    TT_E_SSE_REJECTED,
    TT_E_GZIP,
    /* tls */
    TT_E_TLS_UNTRUSTED,
    TT_E_TLS_EXPIRED,
    TT_E_TLS_NAME_MISMATCH,
    TT_E_TLS_PIN_MISMATCH,
    TT_E_TLS_BAD_CERT,
    TT_E_TLS_CLOCK,
    TT_E_TLS_HANDSHAKE,
    TT_E_TLS_CLIENT_CERT_REQUIRED,
    TT_E_TLS_CLIENT_CERT_REJECTED,
    TT_E_TLS_VERSION,
    TT_E_TLS_CIPHER,
    TT_E_TLS_RECORD,
    TT_E_TLS_TRUNCATED,
    TT_E_TLS_CONFIG,
    TT_E_TLS_LOAD,
    TT_E_TLS_NOT_YET_VALID,
    TT_E_TLS_WEAK_KEY,
    TT_E_TLS_WEAK_SIGNATURE,
    TT_E_TLS_RENEGOTIATION,
    /* http / api */
    TT_E_HTTP_STATUS,
    TT_E_API,
    /* cancelled */
    TT_E_CANCELLED,
    TT_E__COUNT
} tt_errcode;

typedef struct tt_error {
    tt_err_class cls;
    tt_errcode code;
    int sys;             /* errno-like system detail, 0 when none */
    int http_status;     /* HTTP status of the response, 0 when none */
    int32_t retry_after; /* seconds from Retry-After, -1 when absent */
    char api_code[TT_ERROR_API_CODE_MAX]; /* the API's own code, "" if none */
    char msg[TT_ERROR_MSG_MAX];           /* one line, no trailing newline */
} tt_error;

/* Reset to "no error" (retry_after -1, the rest 0 or ""). Safe on an
 * uninitialised struct. */
void tt_error_clear(tt_error *err);

/*
 * Set class, code and a message formatted by tt_fmt() (see below). When
 * `host` is non-NULL and non-empty the message is prefixed "host: ".
 * Returns -1 so that callers can write `return tt_error_set(...)`.
 * A NULL `err` is accepted and ignored. A message longer than
 * TT_ERROR_MSG_MAX - 1 is cut without a mark (it is for people). sys,
 * http_status, retry_after and api_code are left as they were: clear a
 * reused error first when those matter.
 */
int tt_error_set(tt_error *err, tt_err_class cls, tt_errcode code,
                 const char *host, const char *fmt, ...);

/* What was going on when a port call failed (for tt_error_port). */
typedef enum tt_phase {
    TT_PHASE_CONNECT,
    TT_PHASE_SEND,
    TT_PHASE_RECV,   /* within the request deadline */
    TT_PHASE_IDLE    /* within an idle timeout */
} tt_phase;

/*
 * Turn a negative TT_PORT_E* code from a port call into an error of the
 * right class: timeouts by phase, cancellation, resolve, refused, reset,
 * other network failures (sys is the system detail). Returns -1.
 */
int tt_error_port(tt_error *err, long rc, const char *host, tt_phase phase,
                  int sys);

/* tt_error_set with a va_list. */
int tt_error_vset(tt_error *err, tt_err_class cls, tt_errcode code,
                  const char *host, const char *fmt, va_list ap);

/* True for the classes that mean "the server was not reached or the
 * exchange broke": network, timeout, TLS. One call to tell a network failure
 * from an API error. 0 for a NULL err. */
int tt_error_is_network(const tt_error *err);

/* True when the server answered and said no: HTTP status or API envelope.
 * 0 for a NULL err. */
int tt_error_is_api(const tt_error *err);

/* Static names: "network", "request-timeout", ... Never NULL. */
const char *tt_err_class_name(tt_err_class cls);
const char *tt_errcode_name(tt_errcode code);

/*
 * Minimal formatter used across the core (no stdio). Writes at most size-1
 * characters plus a NUL and returns the length the full output needs, like
 * snprintf. Supports %s %.*s %c %d %i %u %x %ld %lu %lld %llu %zu %zd %% only.
 */
size_t tt_fmt(char *dst, size_t size, const char *fmt, ...);
size_t tt_vfmt(char *dst, size_t size, const char *fmt, va_list ap);

/*
 * A bounded text being written into the caller's buf[cap]: a piece that
 * does not fit is refused whole and remembered (overflow), so a writer
 * puts every piece and checks once at the end. No NUL is added. The one
 * appender of the request head, the JSON writer and signed bytes.
 */
typedef struct tt_text {
    char *buf;
    size_t cap;
    size_t len;
    int overflow;
} tt_text;

void tt_text_init(tt_text *t, char *buf, size_t cap);
void tt_text_put(tt_text *t, const char *s, size_t n);
void tt_text_puts(tt_text *t, const char *s);   /* a NUL-terminated s */
/* A function like tt_fmt wrote in place at t->buf + t->len, into the
 * room left (t->cap - t->len), and needed n bytes: they are kept when they
 * fitted with its NUL, else the text overflows. */
void tt_text_took(tt_text *t, size_t n);

#endif /* TT_ERRORS_H */
