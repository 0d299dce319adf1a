/*
 * What every TLS backend shares: the configuration, pins, the clock policy,
 * alert names and the RSA floor. The backends are tls.c (BearSSL) and
 * tls_mbedtls.c (Mbed TLS).
 */
#include "tether/config.h"
#if TT_FEATURE_TLS

#include "tether/base64.h"
#include "tether/timefmt.h"
#include "tls_internal.h"

#include <string.h>

void tt_tls_config_init(tt_tls_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

int tt_tls_dir_path(char *path, const char *dir, const char *name, tt_error *err)
{
    if (tt_fmt(path, TT_TLS_PATH_MAX, "%s/%s", dir, name) < TT_TLS_PATH_MAX)
        return 0;
    return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL,
                        "%s: a file's path there is longer than TT_TLS_PATH_MAX", dir);
}

unsigned tt_tls_rsa_floor(const tt_tls_config *cfg)
{
    return cfg->min_rsa_bits > 0 ? cfg->min_rsa_bits : TT_TLS_MIN_RSA_BITS;
}

/* TLS alert numbers (RFC 5246, 8446) and whether they fault a certificate. */
static const struct { unsigned char code, cert; const char *name; } alerts[] = {
    { 10, 0, "unexpected_message" }, { 20, 0, "bad_record_mac" },
    { 40, 0, "handshake_failure" }, { 42, 1, "bad_certificate" },
    { 43, 1, "unsupported_certificate" }, { 44, 1, "certificate_revoked" },
    { 45, 1, "certificate_expired" }, { 46, 1, "certificate_unknown" },
    { 47, 0, "illegal_parameter" }, { 48, 1, "unknown_ca" },
    { 49, 1, "access_denied" }, { 50, 0, "decode_error" },
    { 51, 1, "decrypt_error" }, { 70, 0, "protocol_version" },
    { 71, 0, "insufficient_security" }, { 80, 0, "internal_error" },
    { 112, 0, "unrecognized_name" }, { 116, 0, "certificate_required" }
};

static int alert_index(int alert)
{
    int i;
    for (i = 0; i < (int)(sizeof alerts / sizeof alerts[0]); i++)
        if (alerts[i].code == alert)
            return i;
    return -1;
}

const char *tt_tls_alert_name(int alert)
{
    int i = alert_index(alert);
    return i >= 0 ? alerts[i].name : "alert";
}

int tt_tls_is_cert_alert(int alert)
{
    int i = alert_index(alert);
    return i >= 0 && alerts[i].cert;
}

int tt_tls_time_of(const tt_tls_config *cfg, const tt_port *port, int64_t *now,
                   tt_error *err, const char *host)
{
    int64_t t = tt_port_wall_s(port);
    switch (cfg->time_policy) {
    case TT_TLS_TIME_FIXED:
        t = cfg->fixed_time;
        break;
    case TT_TLS_TIME_FLOOR:
        if (t < TT_TLS_CLOCK_FLOOR)
            t = TT_TLS_CLOCK_FLOOR;
        break;
    default:
        if (t < TT_TLS_CLOCK_FLOOR && !cfg->insecure)
            return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_CLOCK, host,
                                "the device clock is not set (before %lld): "
                                "certificate dates cannot be checked; set the "
                                "clock or choose a TLS time policy",
                                (long long)TT_TLS_CLOCK_FLOOR);
        break;
    }
    *now = t;
    return 0;
}

const char *tt_tls_which_cert(int index, char *buf, size_t cap)
{
    if (index <= 0)
        return "the server's certificate";
    tt_fmt(buf, cap, "certificate %d of the server's chain", index + 1);
    return buf;
}

int tt_tls_date_error(tt_error *err, const char *host, int index, int future, int64_t limit,
                      int64_t now)
{
    char buf[48], lim[24], clock[24];
    const char *which = tt_tls_which_cert(index, buf, sizeof buf);
    tt_rfc3339_format(limit, lim, sizeof lim);
    tt_rfc3339_format(now, clock, sizeof clock);
    if (future)
        return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_NOT_YET_VALID, host,
                            "certificate not yet valid: %s is valid from %s, and the clock "
                            "says %s", which, lim, clock);
    return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_EXPIRED, host,
                        "certificate expired: %s was valid until %s (now %s)",
                        which, lim, clock);
}

int tt_tls_open_start(const tt_tls_config *cfg, const tt_port *port)
{
    return cfg->time_policy == TT_TLS_TIME_FLOOR && tt_port_wall_s(port) < TT_TLS_CLOCK_FLOOR;
}

/* ---- pins ---------------------------------------------------------------- */

/* Exactly 32 bytes of standard base64: 44 characters, one '='. */
static int b64_sha256(const char *s, size_t n, unsigned char out[32])
{
    size_t len;
    if (n != 44 || tt_base64_decode(s, n, out, 32, &len) != 0 || len != 32)
        return -1;
    return 0;
}

int tt_tls_add_pins(tt_tls_config *cfg, const char *spec, tt_error *err)
{
    const char *p = spec;
    while (*p != '\0') {
        const char *end = strchr(p, ';');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        if (n < 8 || memcmp(p, "sha256//", 8) != 0)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "pin must be sha256//BASE64");
        if (cfg->npins == TT_TLS_MAX_PINS)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "more than TT_TLS_MAX_PINS (%u) pins",
                                (unsigned)TT_TLS_MAX_PINS);
        if (b64_sha256(p + 8, n - 8, cfg->pins[cfg->npins]) != 0)
            return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                                "pin is not the base64 of a SHA-256 hash");
        cfg->npins++;
        p += n;
        if (*p == ';')
            p++;
    }
    return 0;
}

size_t tt_tls_store_anchors(const tt_tls_store *st)
{
    return st->nanchors;
}

size_t tt_tls_store_chain_len(const tt_tls_store *st)
{
    return st->nchain;
}

size_t tt_tls_conn_size(void)
{
    return sizeof(tt_tls_conn);
}

int tt_tls_truncated(const tt_tls_conn *t)
{
    return !t->peer_closed;
}

int tt_tls_resumed(const tt_tls_conn *t)
{
    return t->resumed;
}

int tt_tls_session_is_for(const tt_tls_session *s, const tt_url *url)
{
    return s->valid && s->port == url->port && strcmp(s->host, url->host) == 0;
}

void tt_tls_session_claim(tt_tls_session *s, const tt_url *url)
{
    s->valid = 0;
    s->port = url->port;
    memcpy(s->host, url->host, sizeof s->host);
}

int tt_tls_pending_alert(const tt_port *port, tt_sock *sock, int64_t deadline,
                         volatile sig_atomic_t *cancel)
{
    const tt_port_ops *ops = port->ops;
    unsigned char rec[7];
    size_t got = 0;
    int64_t soon = ops->now_ms(port->ctx) + 100;
    if (soon > deadline)
        soon = deadline;
    while (got < sizeof rec) {
        long n = ops->recv(port->ctx, sock, rec + got, sizeof rec - got, soon, cancel);
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    if (rec[0] != 21 || rec[1] != 3 || rec[3] != 0 || rec[4] != 2 || rec[5] != 2)
        return -1;
    return rec[6];
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
