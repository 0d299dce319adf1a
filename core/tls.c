/*
 * tether TLS: the BearSSL client engine driven over a port socket.
 *
 * The engine is a state machine with four doors (send record, receive
 * record, send application data, receive application data); run_until()
 * walks it with the port's send and receive, each bounded by the caller's
 * deadline, so no step of a handshake or a read can outlive its timeout.
 */
#include "tether/config.h"
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS

#include "tls_internal.h"
#include "tether/timefmt.h"

#include <stdarg.h>
#include <string.h>

#if TT_TLS_FULL_DUPLEX
#if TT_TLS_IOBUF_SIZE < BR_SSL_BUFSIZE_BIDI && TT_TLS_MAX_FRAGMENT == 16384
#error "full-duplex TLS needs BR_SSL_BUFSIZE_BIDI bytes"
#endif
#elif TT_TLS_IOBUF_SIZE < BR_SSL_BUFSIZE_MONO && TT_TLS_MAX_FRAGMENT == 16384
#error "half-duplex TLS needs BR_SSL_BUFSIZE_MONO bytes"
#endif

/* ECDHE only, AEAD only, strongest first for each key type. */
static const uint16_t tt_suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
};

size_t tt_tls_conn_used(const tt_tls_conn *t)
{
    (void)t;
    return sizeof(tt_tls_conn);
}

const char *tt_tls_backend(void)
{
    return "BearSSL 0.6 (TLS 1.2)"; /* it has no version macro: Debian's 0.6 */
}

void tt_sha256_init(tt_sha256 *c)
{
    br_sha256_init(c);
}

void tt_sha256_update(tt_sha256 *c, const void *data, size_t len)
{
    br_sha256_update(c, data, len);
}

void tt_sha256_final(tt_sha256 *c, unsigned char out[32])
{
    br_sha256_out(c, out);
}

/* What the configuration asks of a build that speaks TLS 1.2 only. */
static int versions_ok(const tt_tls_config *cfg, const char *host, tt_error *err)
{
    if (cfg->min_version > TT_TLS_VERSION_1_2)
        return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_CONFIG, host,
                            "TLS 1.3 is required, and this build speaks TLS 1.2 only "
                            "(BearSSL; TLS 1.3 needs a build with TLS=mbedtls)");
    if (cfg->max_version != 0 && cfg->max_version < TT_TLS_VERSION_1_2)
        return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_CONFIG, host,
                            "TLS versions below 1.2 are not spoken");
    return 0;
}

/* ---- client certificate wrapper ---------------------------------------- */

static tt_tls_client_auth *auth_of(const br_ssl_client_certificate_class **p)
{
    return (tt_tls_client_auth *)(void *)p;
}

static void ca_start_name_list(const br_ssl_client_certificate_class **p)
{
    tt_tls_client_auth *a = auth_of(p);
    a->requested = 1; /* only called when the server sent CertificateRequest */
    if (a->inner != NULL)
        (*a->inner)->start_name_list(a->inner);
}

static void ca_start_name(const br_ssl_client_certificate_class **p, size_t len)
{
    tt_tls_client_auth *a = auth_of(p);
    if (a->inner != NULL)
        (*a->inner)->start_name(a->inner, len);
}

static void ca_append_name(const br_ssl_client_certificate_class **p,
                           const unsigned char *data, size_t len)
{
    tt_tls_client_auth *a = auth_of(p);
    if (a->inner != NULL)
        (*a->inner)->append_name(a->inner, data, len);
}

static void ca_end_name(const br_ssl_client_certificate_class **p)
{
    tt_tls_client_auth *a = auth_of(p);
    if (a->inner != NULL)
        (*a->inner)->end_name(a->inner);
}

static void ca_end_name_list(const br_ssl_client_certificate_class **p)
{
    tt_tls_client_auth *a = auth_of(p);
    if (a->inner != NULL)
        (*a->inner)->end_name_list(a->inner);
}

static void ca_choose(const br_ssl_client_certificate_class **p,
                      const br_ssl_client_context *cc, uint32_t auth_types,
                      br_ssl_client_certificate *choices)
{
    tt_tls_client_auth *a = auth_of(p);
    if (a->inner != NULL) {
        (*a->inner)->choose(a->inner, cc, auth_types, choices);
        a->sent = choices->chain_len > 0;
    } else {
        memset(choices, 0, sizeof *choices);
    }
}

static uint32_t ca_do_keyx(const br_ssl_client_certificate_class **p,
                           unsigned char *data, size_t *len)
{
    tt_tls_client_auth *a = auth_of(p);
    return a->inner != NULL ? (*a->inner)->do_keyx(a->inner, data, len) : 0;
}

static size_t ca_do_sign(const br_ssl_client_certificate_class **p, int hash_id,
                         size_t hv_len, unsigned char *data, size_t len)
{
    tt_tls_client_auth *a = auth_of(p);
    return a->inner != NULL ? (*a->inner)->do_sign(a->inner, hash_id, hv_len, data, len)
                            : 0;
}

static const br_ssl_client_certificate_class client_auth_vtable = {
    sizeof(tt_tls_client_auth), ca_start_name_list, ca_start_name,
    ca_append_name, ca_end_name, ca_end_name_list, ca_choose, ca_do_keyx,
    ca_do_sign
};

static void setup_client_auth(tt_tls_conn *t, const tt_tls_store *st)
{
    br_ssl_client_context *sc = &t->sc;
    t->auth.vtable = &client_auth_vtable;
    t->auth.inner = NULL;
    t->auth.requested = 0;
    t->auth.sent = 0;
    if (st != NULL && st->nchain > 0 && st->key.type == BR_KEYTYPE_RSA) {
        br_ssl_client_set_single_rsa(sc, st->chain, st->nchain, &st->key.rsa,
                                     br_rsa_pkcs1_sign_get_default());
        t->auth.inner = &sc->client_auth.vtable;
    } else if (st != NULL && st->nchain > 0 && st->key.type == BR_KEYTYPE_EC) {
        br_ssl_client_set_single_ec(sc, st->chain, st->nchain, &st->key.ec,
                                    BR_KEYTYPE_SIGN, 0, br_ec_get_default(),
                                    br_ecdsa_sign_asn1_get_default());
        t->auth.inner = &sc->client_auth.vtable;
    }
    br_ssl_client_set_client_certificate(sc, &t->auth.vtable);
}

/* ---- errors ------------------------------------------------------------- */

static int tls_fail(tt_tls_conn *t, tt_error *err, tt_errcode code,
                    const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tt_error_vset(err, TT_ERR_TLS, code, t->host, fmt, ap);
    va_end(ap);
    return -1;
}

/* The server sent a fatal alert. */
static int alert_error(tt_tls_conn *t, int alert, tt_error *err)
{
    const char *name = tt_tls_alert_name(alert);
    if (t->established && alert != 0)
        /* after the handshake only a renegotiation the client declined
         * ends a session with an alert (BR_OPT_NO_RENEGOTIATION) */
        return tls_fail(t, err, TT_E_TLS_RENEGOTIATION,
                        "the server asked to renegotiate the session, which tether "
                        "refuses, and ended it (alert %s, %d)", name, alert);
    if (alert == 70)
        return tls_fail(t, err, TT_E_TLS_VERSION,
                        "the server requires TLS 1.3 (alert %s, %d); this build "
                        "(BearSSL) speaks only TLS 1.2", name, alert);
    if (t->auth.requested && !t->auth.sent &&
        (alert == 40 || alert == 116 || tt_tls_is_cert_alert(alert)))
        return tls_fail(t, err, TT_E_TLS_CLIENT_CERT_REQUIRED,
                        "the server requires a client certificate and none was "
                        "given (alert %s, %d)", name, alert);
    if (t->auth.sent && (tt_tls_is_cert_alert(alert) || alert == 40))
        return tls_fail(t, err, TT_E_TLS_CLIENT_CERT_REJECTED,
                        "the server rejected the client certificate (alert %s, %d)",
                        name, alert);
    if ((alert == 40 || alert == 71) && br_ssl_engine_get_version(&t->sc.eng) == 0)
        /* refused at the ClientHello: a 1.3-only server may say just this */
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "alert %s (%d): no cipher suite, group or version in common; "
                        "this build offers TLS 1.2 only", name, alert);
    if (alert == 40 || alert == 71)
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "alert %s (%d): no cipher suite or parameters in common", name,
                        alert);
    return tls_fail(t, err, TT_E_TLS_HANDSHAKE,
                    "handshake failure: the server sent alert %s (%d)", name, alert);
}

/* Dates: which certificate, and against what clock. */
static int date_error(tt_tls_conn *t, tt_error *err)
{
    const tt_x509 *x = &t->x509;
    if (x->date_cert < 0)
        return tls_fail(t, err, TT_E_TLS_EXPIRED, "certificate expired or not yet valid");
    return tt_tls_date_error(err, t->host, x->date_cert, x->date_future, x->date_limit, x->now);
}

static int cert_error(tt_tls_conn *t, int br_err, tt_error *err)
{
    int reason = t->x509.reason;
    char which[48];
    switch (reason) {
    case TT_E_TLS_UNTRUSTED:
        return tls_fail(t, err, TT_E_TLS_UNTRUSTED,
                        "untrusted certificate: no chain to a configured CA");
    case TT_E_TLS_EXPIRED:
    case TT_E_TLS_NOT_YET_VALID:
        return date_error(t, err);
    case TT_E_TLS_WEAK_SIGNATURE:
        return tls_fail(t, err, TT_E_TLS_WEAK_SIGNATURE,
                        "weak signature: %s is signed with %s, which is refused",
                        tt_tls_which_cert(t->x509.weak_cert, which, sizeof which),
                        t->x509.weak_hash);
    case TT_E_TLS_WEAK_KEY:
        if (t->x509.rsa_bits > 0)
            return tls_fail(t, err, TT_E_TLS_WEAK_KEY,
                            "weak key: the server's RSA key has %u bits, fewer than %u",
                            t->x509.rsa_bits, tt_tls_rsa_floor(t->x509.cfg));
        return tls_fail(t, err, TT_E_TLS_WEAK_KEY,
                        "weak key: an RSA key of the server's chain has fewer than %u bits",
                        tt_tls_rsa_floor(t->x509.cfg));
    case TT_E_TLS_NAME_MISMATCH:
        return tls_fail(t, err, TT_E_TLS_NAME_MISMATCH,
                        "certificate name mismatch: it does not name %s", t->host);
    case TT_E_TLS_PIN_MISMATCH:
        return tls_fail(t, err, TT_E_TLS_PIN_MISMATCH,
                        "pin mismatch: the server's public key is not the pinned one");
    case TT_E_TLS_CLOCK:
        return tls_fail(t, err, TT_E_TLS_CLOCK,
                        "cannot check certificate dates: no valid time");
    default:
        return tls_fail(t, err, TT_E_TLS_BAD_CERT,
                        "invalid server certificate (BearSSL error %d)", br_err);
    }
}

/* The engine closed: say why. */
static int engine_error(tt_tls_conn *t, tt_error *err)
{
    int e = br_ssl_engine_last_error(&t->sc.eng);

    if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT)
        return alert_error(t, e - BR_ERR_RECV_FATAL_ALERT, err);
    if (e >= BR_ERR_X509_OK && e < 64)
        return cert_error(t, e, err);
    switch (e) {
    case BR_ERR_OK:
        return tls_fail(t, err, TT_E_TLS_HANDSHAKE,
                        "the server closed the TLS session");
    case BR_ERR_UNSUPPORTED_VERSION:
    case BR_ERR_BAD_VERSION:
        /* the record header the engine refused is still in its buffer:
         * a plain HTTP answer is a wrong port or scheme, not a version */
        if (t->sc.eng.ibuf != NULL && memcmp(t->sc.eng.ibuf, "HTTP/", 5) == 0)
            return tls_fail(t, err, TT_E_TLS_VERSION,
                            "the server answered in plain HTTP, not TLS (wrong port "
                            "or scheme?)");
        return tls_fail(t, err, TT_E_TLS_VERSION,
                        "protocol mismatch: the server does not speak TLS 1.2");
    case BR_ERR_BAD_CIPHER_SUITE:
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "cipher mismatch: the server chose a suite not offered");
    case BR_ERR_NO_RANDOM:
        return tls_fail(t, err, TT_E_TLS_CONFIG, "no entropy for TLS");
    case BR_ERR_BAD_PARAM:
        return tls_fail(t, err, TT_E_TLS_CONFIG,
                        "bad TLS parameters (BearSSL error %d)", e);
    default:
        return tls_fail(t, err, TT_E_TLS_RECORD,
                        "TLS failure (BearSSL error %d)", e);
    }
}

/* ---- the engine loop ---------------------------------------------------- */

#define RUN_EOF 1

/*
 * Move the engine until one of the `want` states is reached. Returns 0,
 * RUN_EOF when the stream ended (t->peer_closed tells whether cleanly), or
 * -1 with err set.
 */
static int run_until(tt_tls_conn *t, unsigned want, int64_t deadline,
                     tt_phase ph, tt_error *err)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    const tt_port_ops *ops = t->port->ops;

    for (;;) {
        unsigned st = br_ssl_engine_current_state(eng);
        unsigned char *buf;
        size_t len;
        long n;

        if (st & BR_SSL_CLOSED) {
            if (br_ssl_engine_last_error(eng) == BR_ERR_OK && (want & BR_SSL_RECVAPP)) {
                t->peer_closed = 1;
                return RUN_EOF;
            }
            return engine_error(t, err);
        }
        if (st & BR_SSL_SENDREC) {
            buf = br_ssl_engine_sendrec_buf(eng, &len);
            n = ops->send(t->port->ctx, t->sock, buf, len, deadline, t->cancel);
            if (n < 0 && ph == TT_PHASE_CONNECT && n != TT_PORT_ETIMEDOUT &&
                n != TT_PORT_ECANCELLED) {
                int alert = tt_tls_pending_alert(t->port, t->sock, deadline, t->cancel);
                if (alert >= 0)
                    return alert_error(t, alert, err);
            }
            if (n < 0)
                return tt_error_port(err, n, t->host,
                                     ph == TT_PHASE_IDLE ? TT_PHASE_SEND : ph == TT_PHASE_CONNECT
                                         ? TT_PHASE_CONNECT : TT_PHASE_SEND,
                                     t->sock->sys);
            br_ssl_engine_sendrec_ack(eng, (size_t)n);
            continue;
        }
        if (st & want)
            return 0;
        if (st & BR_SSL_RECVREC) {
            buf = br_ssl_engine_recvrec_buf(eng, &len);
            n = ops->recv(t->port->ctx, t->sock, buf, len, deadline, t->cancel);
            if (n < 0)
                return tt_error_port(err, n, t->host, ph, t->sock->sys);
            if (n == 0) {
                /* end of stream without close_notify: for BearSSL this is
                 * an error, never a clean end */
                if (want & BR_SSL_RECVAPP)
                    return RUN_EOF;
                return tls_fail(t, err, TT_E_TLS_HANDSHAKE,
                                "the server closed the connection during the TLS "
                                "handshake");
            }
            br_ssl_engine_recvrec_ack(eng, (size_t)n);
            continue;
        }
        /* wants to deliver data nobody asked for (half duplex) */
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_HTTP_EXTRA_BYTES, t->host,
                            "unexpected data from the server");
    }
}

static void engine_setup(tt_tls_conn *t)
{
    br_ssl_client_context *sc = &t->sc;
    br_ssl_engine_context *eng = &sc->eng;

    br_ssl_client_zero(sc);
    br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(eng, tt_suites, sizeof tt_suites / sizeof tt_suites[0]);
    br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
    br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
    br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
    br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(eng);
    br_ssl_engine_set_default_chapol(eng);
    br_ssl_engine_set_default_ec(eng);
    br_ssl_engine_set_default_ecdsa(eng);
    br_ssl_engine_set_default_rsavrfy(eng);
    br_ssl_client_set_default_rsapub(sc);
    br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}

int tt_tls_open(tt_tls_conn *t, const tt_tls_config *cfg, const tt_port *port,
                tt_sock *sock, const tt_url *url, tt_tls_session *session,
                int64_t deadline, volatile sig_atomic_t *cancel, tt_error *err)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    br_ssl_session_parameters offered;
    unsigned char seed[32];
    int64_t now = 0;
    int resume = 0, rc;

    t->port = port;
    t->sock = sock;
    t->cancel = cancel;
    t->host = url->host;
    t->resumed = 0;
    t->established = 0;
    t->peer_closed = 0;
    if (versions_ok(cfg, url->host, err) != 0 || tt_tls_time_of(cfg, port, &now, err, url->host) != 0)
        return -1;
    engine_setup(t);
    tt_x509_setup(&t->x509, cfg, url, now, tt_tls_open_start(cfg, port));
    br_ssl_engine_set_x509(eng, &t->x509.vtable);
    setup_client_auth(t, cfg->store);
    br_ssl_engine_set_buffer(eng, t->iobuf, sizeof t->iobuf, TT_TLS_FULL_DUPLEX);
    if (br_ssl_engine_last_error(eng) != BR_ERR_OK)
        return tt_error_set(err, TT_ERR_TLS, TT_E_TLS_CONFIG, url->host,
                            "TLS record buffer of %zu bytes is not usable "
                            "(TT_TLS_MAX_FRAGMENT, TT_TLS_FULL_DUPLEX)",
                            sizeof t->iobuf);
    /* the port's randomness on top of BearSSL's own seeder, which may be
     * absent on a bare-metal target */
    if (port->ops->random(port->ctx, seed, sizeof seed) == TT_PORT_OK)
        br_ssl_engine_inject_entropy(eng, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    memset(&offered, 0, sizeof offered);
    if (session != NULL && session->valid) {
        offered = session->params;
        br_ssl_engine_set_session_parameters(eng, &offered);
        resume = 1;
    }
    if (!br_ssl_client_reset(&t->sc, url->host_kind == TT_HOST_NAME ? url->host : NULL,
                             resume))
        return engine_error(t, err);
    rc = run_until(t, BR_SSL_SENDAPP | BR_SSL_RECVAPP, deadline, TT_PHASE_CONNECT, err);
    if (rc != 0) {
        if (session != NULL)
            session->valid = 0;
        if (rc == RUN_EOF && br_ssl_engine_last_error(eng) == BR_ERR_OK)
            return tls_fail(t, err, TT_E_TLS_HANDSHAKE,
                            "the server closed the connection during the TLS handshake");
        return rc < 0 ? -1 : engine_error(t, err);
    }
    t->established = 1;
    if (session != NULL) {
        br_ssl_engine_get_session_parameters(eng, &session->params);
        session->valid = 1;
        t->resumed = resume && offered.session_id_len > 0 &&
                     offered.session_id_len == session->params.session_id_len &&
                     memcmp(offered.session_id, session->params.session_id,
                            offered.session_id_len) == 0;
    }
    return 0;
}

int tt_tls_send(tt_tls_conn *t, const void *buf, size_t len, int64_t deadline,
                tt_error *err)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    const unsigned char *p = buf;

    while (len > 0) {
        unsigned char *dst;
        size_t room;
        if (run_until(t, BR_SSL_SENDAPP, deadline, TT_PHASE_SEND, err) != 0)
            return -1;
        dst = br_ssl_engine_sendapp_buf(eng, &room);
        if (room > len)
            room = len;
        memcpy(dst, p, room);
        br_ssl_engine_sendapp_ack(eng, room);
        p += room;
        len -= room;
    }
    br_ssl_engine_flush(eng, 0);
    return run_until(t, BR_SSL_SENDAPP, deadline, TT_PHASE_SEND, err) == 0 ? 0 : -1;
}

long tt_tls_recv(tt_tls_conn *t, void *buf, size_t cap, int64_t deadline,
                 int idle, tt_error *err)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    unsigned char *src;
    size_t avail;
    int rc;

    if (t->peer_closed)
        return 0;
    rc = run_until(t, BR_SSL_RECVAPP, deadline, idle ? TT_PHASE_IDLE : TT_PHASE_RECV, err);
    if (rc < 0)
        return -1;
    if (rc == RUN_EOF)
        return 0;
    src = br_ssl_engine_recvapp_buf(eng, &avail);
    if (avail > cap)
        avail = cap;
    memcpy(buf, src, avail);
    br_ssl_engine_recvapp_ack(eng, avail);
    return (long)avail;
}

unsigned tt_tls_version(const tt_tls_conn *t)
{
    return br_ssl_engine_get_version(&t->sc.eng);
}

void tt_tls_close(tt_tls_conn *t)
{
    br_ssl_engine_context *eng = &t->sc.eng;
    int64_t deadline;

    if (t->port == NULL)
        return;
    deadline = t->port->ops->now_ms(t->port->ctx) + 200;
    br_ssl_engine_close(eng);
    /* send our close_notify if the socket takes it at once; never wait
     * for the peer's */
    while (br_ssl_engine_current_state(eng) & BR_SSL_SENDREC) {
        size_t len;
        unsigned char *buf = br_ssl_engine_sendrec_buf(eng, &len);
        long n = t->port->ops->send(t->port->ctx, t->sock, buf, len, deadline, t->cancel);
        if (n <= 0)
            break;
        br_ssl_engine_sendrec_ack(eng, (size_t)n);
    }
    t->port = NULL;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
