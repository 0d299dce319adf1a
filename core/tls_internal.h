/* Private pieces shared by the TLS files (tls_common.c; BearSSL's tls.c,
 * tls_x509.c, tls_load.c; Mbed TLS's tls_mbedtls.c). */
#ifndef TT_TLS_INTERNAL_H
#define TT_TLS_INTERNAL_H

/* the real structs of tls.h's opaque blocks; tls.h read before this would
 * have declared the blocks instead */
#ifdef TT_TLS_H
#error "include tls_internal.h before tether/tls.h"
#endif
#include "tether/config.h" /* TT_TLS_MBEDTLS may come from tether_config.h */
#if TT_TLS_MBEDTLS
#define TT_TLS_BACKEND_IMPL "tls_mbedtls.h"
#else
#define TT_TLS_BACKEND_IMPL "tls_bearssl.h"
#endif
#include "tether/tls.h"

#if !TT_TLS_MBEDTLS
/* Prepare the X.509 engine for one handshake with url's host; now is the
 * validation time (Unix seconds, tt_tls_time_of), open_start as
 * tt_tls_open_start. */
void tt_x509_setup(tt_x509 *x, const tt_tls_config *cfg, const tt_url *url,
                   int64_t now, int open_start);
#endif

/* A file's path inside an anchor directory, NUL included: a longer one
 * fails the load (cut, it could name another file). */
#define TT_TLS_PATH_MAX 512

/* "dir/name" into path[TT_TLS_PATH_MAX]: 0, or -1 with TT_E_TLS_LOAD
 * naming dir when it does not fit. Both backends' directory walks. */
int tt_tls_dir_path(char *path, const char *dir, const char *name, tt_error *err);

/* The smallest RSA key accepted, in bits (cfg's, or TT_TLS_MIN_RSA_BITS). */
unsigned tt_tls_rsa_floor(const tt_tls_config *cfg);

/* An alert's name ("handshake_failure"), or "alert" for one not listed. */
const char *tt_tls_alert_name(int alert);

/* 1 when the alert faults a certificate (bad_certificate, unknown_ca, ...). */
int tt_tls_is_cert_alert(int alert);

/*
 * A send in the handshake failed: a server that refuses the client (no
 * certificate, say) often sends its alert and resets the connection at
 * once, and the reset can reach us before we read the alert. The alert is
 * still in the socket's receive queue: a TLS 1.2 handshake alert is a
 * plaintext record of seven bytes, read within 100 ms (and the deadline).
 * Its description, or -1. Both backends.
 */
int tt_tls_pending_alert(const tt_port *port, tt_sock *sock, int64_t deadline,
                         volatile sig_atomic_t *cancel);

/* The time certificates are checked against, by cfg's policy (Unix
 * seconds); -1 with TT_E_TLS_CLOCK when the system clock was never set. */
int tt_tls_time_of(const tt_tls_config *cfg, const tt_port *port, int64_t *now,
                   tt_error *err, const char *host);

/* Which certificate of the chain a refusal is about, for people: a
 * constant, or the text formed in buf (cap bytes). */
const char *tt_tls_which_cert(int index, char *buf, size_t cap);

/* A certificate outside its dates (future: not valid yet, else expired):
 * -1 with TT_E_TLS_NOT_YET_VALID or TT_E_TLS_EXPIRED, naming the
 * certificate, the date it crossed and the clock it was checked against. */
int tt_tls_date_error(tt_error *err, const char *host, int index, int future, int64_t limit,
                      int64_t now);

/* 1 when certificates' notBefore dates are not checked: TT_TLS_TIME_FLOOR
 * with a clock that reads before the floor (see tt_tls_time_policy). */
int tt_tls_open_start(const tt_tls_config *cfg, const tt_port *port);

#endif
