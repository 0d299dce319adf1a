/*
 * The X.509 engine tether gives BearSSL. It forwards to br_x509_minimal
 * (chain, dates, DNS names) or, in insecure mode, to a bare decoder that
 * only extracts the server key; and it adds what x509_minimal does not do:
 * the IP-address subjectAltName check for IP URLs, and SHA-256 pins of the
 * server's SubjectPublicKeyInfo. Both come from one streaming DER walk over
 * the leaf certificate, so nothing of the certificate is buffered.
 */
#include "tether/config.h"
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS

#include "tls_internal.h"
#include "tether/timefmt.h"

#include <string.h>

/* Semantic context of an open DER container. */
enum {
    C_TOP, C_CERT, C_TBS, C_SIGALG, C_VALIDITY, C_EXTS_WRAP, C_EXTS, C_EXT, C_SAN_OCTET,
    C_SAN_SEQ
};

/* What to do with the element whose header was just read. */
enum { A_SKIP, A_ENTER, A_CAPTURE, A_HASH };

/* What a captured element is. */
enum { K_EXT_OID, K_IP, K_SIG_OID, K_NOT_BEFORE, K_NOT_AFTER };

#define WALK_DEPTH 8

/* subjectAltName: OID 2.5.29.17 */
static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };

/* Signature algorithms whose hash is broken, refused by the X.509 engine
 * as "unsupported": seen here to say so. */
static const struct { unsigned char len, oid[9]; const char *hash; } weak_sigs[] = {
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05 }, "SHA-1" }, /* RSA */
    { 7, { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01 }, "SHA-1" },             /* ECDSA */
    { 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04 }, "MD5" },   /* RSA */
};

static void walk_init(tt_der_walk *w)
{
    memset(w, 0, sizeof *w);
}

/* Decide what an element is to us, from where it stands and its tag. */
static int walk_decide(tt_x509 *x, int parent, int idx, unsigned char tag,
                       int *enter_ctx)
{
    tt_der_walk *w = &x->walk;

    int leaf = x->cert_index == 0;

    switch (parent) {
    case C_TOP:
        *enter_ctx = C_CERT;
        return tag == 0x30 ? A_ENTER : -1;
    case C_CERT:
        *enter_ctx = C_TBS;
        return (idx == 0 && tag == 0x30) ? A_ENTER : A_SKIP;
    case C_TBS:
        if (idx == 0 && tag == 0xa0) {
            w->version_offset = 1; /* [0] version present */
            return A_SKIP;
        }
        idx -= w->version_offset;
        if (idx == 1 || idx == 3) { /* signature AlgorithmIdentifier, validity */
            *enter_ctx = idx == 1 ? C_SIGALG : C_VALIDITY;
            return tag == 0x30 ? A_ENTER : A_SKIP;
        }
        if (idx == 5)
            return leaf && x->cfg->npins > 0 ? A_HASH : A_SKIP; /* SubjectPublicKeyInfo */
        *enter_ctx = C_EXTS_WRAP;
        return (tag == 0xa3 && leaf && x->check_ip) ? A_ENTER : A_SKIP;
    case C_SIGALG:
        w->cap_what = K_SIG_OID;
        return idx == 0 && tag == 0x06 ? A_CAPTURE : A_SKIP;
    case C_VALIDITY:
        w->cap_what = idx == 0 ? K_NOT_BEFORE : K_NOT_AFTER;
        return idx < 2 && (tag == 0x17 || tag == 0x18) ? A_CAPTURE : A_SKIP;
    case C_EXTS_WRAP:
        *enter_ctx = C_EXTS;
        return tag == 0x30 ? A_ENTER : A_SKIP;
    case C_EXTS:
        *enter_ctx = C_EXT;
        w->is_san = 0;
        return tag == 0x30 ? A_ENTER : A_SKIP;
    case C_EXT:
        w->cap_what = K_EXT_OID;
        if (idx == 0 && tag == 0x06)
            return A_CAPTURE;
        *enter_ctx = C_SAN_OCTET;
        return (tag == 0x04 && w->is_san) ? A_ENTER : A_SKIP;
    case C_SAN_OCTET:
        *enter_ctx = C_SAN_SEQ;
        return tag == 0x30 ? A_ENTER : A_SKIP;
    default: /* C_SAN_SEQ: GeneralName; [7] is iPAddress */
        w->cap_what = K_IP;
        return tag == 0x87 ? A_CAPTURE : A_SKIP;
    }
}

/* Close every container whose content has been read completely. */
static void walk_pop(tt_der_walk *w)
{
    while (w->depth > 0 && w->rem[w->depth - 1] == 0)
        w->depth--;
    if (w->depth == 0)
        w->done = 1; /* the certificate is complete */
}

/* A signature algorithm: remember the first certificate signed with a
 * broken hash. */
static void saw_signature(tt_x509 *x)
{
    tt_der_walk *w = &x->walk;
    size_t i;
    for (i = 0; i < sizeof weak_sigs / sizeof weak_sigs[0]; i++)
        if (x->weak_cert < 0 && w->caplen == weak_sigs[i].len &&
            memcmp(w->cap, weak_sigs[i].oid, w->caplen) == 0) {
            x->weak_cert = x->cert_index;
            x->weak_hash = weak_sigs[i].hash;
        }
}

/* BearSSL counts days from 1 January of year 0: 719528 of them come
 * before the Unix epoch */
static void minimal_time(tt_x509 *x, int64_t t)
{
    br_x509_minimal_set_time(&x->u.minimal, (uint32_t)(t / 86400 + 719528), (uint32_t)(t % 86400));
}

/* The time the certificate being walked is checked against: now, or its
 * notBefore when that is later and start dates are not checked
 * (open_start), which leaves only notAfter to count. */
static int64_t check_time(const tt_x509 *x)
{
    return x->open_start && x->not_before > x->now ? x->not_before : x->now;
}

/* A validity date: remember the first certificate that is not valid now. */
static void saw_date(tt_x509 *x, int not_after)
{
    tt_der_walk *w = &x->walk;
    int64_t t, at;
    if (w->caplen > sizeof w->cap || tt_asn1_time_parse((const char *)w->cap, w->caplen, &t) != 0)
        return; /* the X.509 engine refuses it on its own */
    if (!not_after) {
        x->not_before = t;
        /* the walk sees this certificate's bytes before x509_minimal
         * does, so its check can be moved to the same time */
        if (x->open_start && !x->insecure)
            minimal_time(x, check_time(x));
        return;
    }
    at = check_time(x);
    if (x->date_cert < 0 && (at < x->not_before || at > t)) {
        x->date_cert = x->cert_index;
        x->date_future = at < x->not_before;
        x->date_limit = x->date_future ? x->not_before : t;
    }
}

static void walk_captured(tt_x509 *x)
{
    tt_der_walk *w = &x->walk;
    switch (w->cap_what) {
    case K_EXT_OID:
        w->is_san = w->caplen == sizeof oid_san &&
                    memcmp(w->cap, oid_san, sizeof oid_san) == 0;
        return;
    case K_IP:
        if (w->caplen == x->iplen && memcmp(w->cap, x->ip, x->iplen) == 0)
            x->ip_matched = 1;
        return;
    case K_SIG_OID:
        saw_signature(x);
        return;
    default:
        saw_date(x, w->cap_what == K_NOT_AFTER);
    }
}

static void walk_element_done(tt_x509 *x)
{
    tt_der_walk *w = &x->walk;
    if (w->action == A_CAPTURE)
        walk_captured(x);
    else if (w->action == A_HASH) {
        br_sha256_out(&x->sha, x->spki_hash);
        x->spki_done = 1;
    }
    w->hstate = 0;
    walk_pop(w);
}

/* A complete TLV header: account for it in the parent, then act. */
static void walk_header_done(tt_x509 *x)
{
    tt_der_walk *w = &x->walk;
    int parent = w->depth > 0 ? w->ctx[w->depth - 1] : C_TOP;
    int idx = w->depth > 0 ? w->idx[w->depth - 1]++ : 0;
    uint32_t total = (uint32_t)w->hdrlen + w->len;
    int enter_ctx = C_TOP;

    if (w->depth > 0) {
        if (total > w->rem[w->depth - 1] || total < w->len) {
            w->failed = 1;
            return;
        }
        w->rem[w->depth - 1] -= total;
    }
    w->action = walk_decide(x, parent, idx, w->tag, &enter_ctx);
    w->action_ctx = parent;
    if (w->action < 0 || (w->action == A_ENTER && w->depth == WALK_DEPTH)) {
        w->failed = 1;
        return;
    }
    if (w->action == A_ENTER) {
        w->ctx[w->depth] = (unsigned char)enter_ctx;
        w->rem[w->depth] = w->len;
        w->idx[w->depth] = 0;
        w->depth++;
        w->hstate = 0;
        walk_pop(w);
        return;
    }
    if (w->action == A_HASH) {
        br_sha256_init(&x->sha);
        br_sha256_update(&x->sha, w->hdr, (size_t)w->hdrlen);
    }
    w->caplen = 0;
    w->left = w->len;
    w->hstate = 3;
    if (w->left == 0)
        walk_element_done(x);
}

/* One byte of a TLV header. */
static void walk_header_byte(tt_x509 *x, unsigned char b)
{
    tt_der_walk *w = &x->walk;

    if (w->hstate == 0) {
        if ((b & 0x1f) == 0x1f) { /* high tag numbers: not in certificates */
            w->failed = 1;
            return;
        }
        w->tag = b;
        w->hdr[0] = b;
        w->hdrlen = 1;
        w->hstate = 1;
        return;
    }
    w->hdr[w->hdrlen++] = b;
    if (w->hstate == 1) {
        if (b < 0x80) {
            w->len = b;
            walk_header_done(x);
        } else if (b == 0x80 || (b & 0x7f) > 4) {
            w->failed = 1; /* indefinite or absurd length: not DER */
        } else {
            w->lenleft = b & 0x7f;
            w->len = 0;
            w->hstate = 2;
        }
        return;
    }
    w->len = (w->len << 8) | b;
    if (--w->lenleft == 0)
        walk_header_done(x);
}

/* Keep the first bytes of a captured element (an OID, an IP address);
 * its length saturates at cap + 1, so a longer one never matches. The
 * element may come in several pieces: never write past cap. */
static void capture(tt_der_walk *w, const unsigned char *p, size_t k)
{
    size_t room;
    if (w->caplen > sizeof w->cap)
        return; /* already too long */
    room = sizeof w->cap - w->caplen;
    memcpy(w->cap + w->caplen, p, k < room ? k : room);
    w->caplen = k > room ? (uint32_t)sizeof w->cap + 1 : w->caplen + (uint32_t)k;
}

static void walk_push(tt_x509 *x, const unsigned char *p, size_t n)
{
    tt_der_walk *w = &x->walk;

    while (n > 0 && !w->failed && !w->done) {
        if (w->hstate == 3) {
            size_t k = n < w->left ? n : w->left;
            if (w->action == A_HASH) {
                br_sha256_update(&x->sha, p, k);
            } else if (w->action == A_CAPTURE) {
                capture(w, p, k);
            }
            p += k;
            n -= k;
            w->left -= (uint32_t)k;
            if (w->left == 0)
                walk_element_done(x);
            continue;
        }
        walk_header_byte(x, *p++);
        n--;
    }
}

/* ---- the x509 class ------------------------------------------------------ */

static tt_x509 *self(const br_x509_class **ctx)
{
    return (tt_x509 *)(void *)ctx;
}

static void noop_dn(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
}

static void x_start_chain(const br_x509_class **ctx, const char *server_name)
{
    tt_x509 *x = self(ctx);
    x->cert_index = -1;
    x->ip_matched = 0;
    x->spki_done = 0;
    x->reason = 0;
    x->weak_cert = -1;
    x->date_cert = -1;
    if (!x->insecure)
        x->u.minimal.vtable->start_chain(&x->u.minimal.vtable, server_name);
}

static void x_start_cert(const br_x509_class **ctx, uint32_t length)
{
    tt_x509 *x = self(ctx);
    x->cert_index++;
    /* every certificate when verifying (to name why one is refused), the
     * leaf only for a pin or an IP address when not */
    x->walking = !x->insecure || (x->cert_index == 0 && (x->check_ip || x->cfg->npins > 0));
    if (x->walking)
        walk_init(&x->walk);
    if (x->insecure) {
        if (x->cert_index == 0)
            br_x509_decoder_init(&x->u.decoder, noop_dn, NULL);
    } else {
        x->u.minimal.vtable->start_cert(&x->u.minimal.vtable, length);
    }
}

static void x_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
    tt_x509 *x = self(ctx);
    if (x->walking)
        walk_push(x, buf, len);
    if (x->insecure) {
        /* BearSSL 0.6's decoder resumes after a failure if pushed again,
         * and crashes on some inputs that way: stop at the first error */
        if (x->cert_index == 0 && x->u.decoder.err == 0)
            br_x509_decoder_push(&x->u.decoder, buf, len);
    } else {
        x->u.minimal.vtable->append(&x->u.minimal.vtable, buf, len);
    }
}

static void x_end_cert(const br_x509_class **ctx)
{
    tt_x509 *x = self(ctx);
    if (!x->insecure)
        x->u.minimal.vtable->end_cert(&x->u.minimal.vtable);
}

static int pin_matches(const tt_x509 *x)
{
    size_t i;
    if (!x->spki_done)
        return 0;
    for (i = 0; i < x->cfg->npins; i++)
        if (memcmp(x->cfg->pins[i], x->spki_hash, 32) == 0)
            return 1;
    return 0;
}

static unsigned reason_of(const tt_x509 *x, int br_err)
{
    switch (br_err) {
    case BR_ERR_X509_NOT_TRUSTED:
        return TT_E_TLS_UNTRUSTED;
    case BR_ERR_X509_EXPIRED:
        return x->date_cert >= 0 && x->date_future ? TT_E_TLS_NOT_YET_VALID : TT_E_TLS_EXPIRED;
    case BR_ERR_X509_BAD_SERVER_NAME:
        return TT_E_TLS_NAME_MISMATCH;
    case BR_ERR_X509_TIME_UNKNOWN:
        return TT_E_TLS_CLOCK;
    case BR_ERR_X509_WEAK_PUBLIC_KEY:
        return TT_E_TLS_WEAK_KEY;
    case BR_ERR_X509_UNSUPPORTED:
        return x->weak_cert >= 0 ? TT_E_TLS_WEAK_SIGNATURE : TT_E_TLS_BAD_CERT;
    default:
        return TT_E_TLS_BAD_CERT;
    }
}

/* Bits of a big-endian modulus. */
static unsigned modulus_bits(const unsigned char *n, size_t len)
{
    unsigned bits = (unsigned)len * 8;
    size_t i = 0;
    while (i < len && n[i] == 0) {
        i++;
        bits -= 8;
    }
    if (i < len) {
        unsigned char b = n[i];
        while ((b & 0x80) == 0) {
            b = (unsigned char)(b << 1);
            bits--;
        }
    }
    return bits;
}

static unsigned x_end_chain(const br_x509_class **ctx)
{
    tt_x509 *x = self(ctx);
    unsigned r;

    if (x->insecure) {
        const br_x509_pkey *pk = br_x509_decoder_get_pkey(&x->u.decoder);
        if (br_x509_decoder_last_error(&x->u.decoder) != 0 || pk == NULL) {
            x->reason = TT_E_TLS_BAD_CERT;
            return BR_ERR_X509_INVALID_VALUE;
        }
        /* -k trusts the server, not a key anyone can break */
        if (pk->key_type == BR_KEYTYPE_RSA &&
            (x->rsa_bits = modulus_bits(pk->key.rsa.n, pk->key.rsa.nlen)) < tt_tls_rsa_floor(x->cfg)) {
            x->reason = TT_E_TLS_WEAK_KEY;
            return BR_ERR_X509_WEAK_PUBLIC_KEY;
        }
        r = 0;
    } else {
        r = x->u.minimal.vtable->end_chain(&x->u.minimal.vtable);
        /* with a pin and no anchors, the pin is the trust */
        if (r == BR_ERR_X509_NOT_TRUSTED && x->pin_only)
            r = 0;
        if (r != 0) {
            x->reason = (int)reason_of(x, (int)r);
            return r;
        }
    }
    if (x->cfg->npins > 0 && !pin_matches(x)) {
        x->reason = TT_E_TLS_PIN_MISMATCH;
        return BR_ERR_X509_NOT_TRUSTED;
    }
    if (x->check_ip && !x->insecure && !x->ip_matched) {
        x->reason = TT_E_TLS_NAME_MISMATCH;
        return BR_ERR_X509_BAD_SERVER_NAME;
    }
    return 0;
}

static const br_x509_pkey *x_get_pkey(const br_x509_class *const *ctx,
                                      unsigned *usages)
{
    tt_x509 *x = (tt_x509 *)(void *)ctx;
    if (x->insecure) {
        if (usages != NULL)
            *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
        return br_x509_decoder_get_pkey(&x->u.decoder);
    }
    return x->u.minimal.vtable->get_pkey(&x->u.minimal.vtable, usages);
}

static const br_x509_class tt_x509_vtable = {
    sizeof(tt_x509), x_start_chain, x_start_cert, x_append, x_end_cert,
    x_end_chain, x_get_pkey
};

void tt_x509_setup(tt_x509 *x, const tt_tls_config *cfg, const tt_url *url,
                   int64_t now, int open_start)
{
    const tt_tls_store *st = cfg->store;
    size_t nanchors = st != NULL ? st->nanchors : 0;

    memset(x, 0, sizeof *x);
    x->vtable = &tt_x509_vtable;
    x->cfg = cfg;
    x->insecure = cfg->insecure;
    x->now = now;
    x->open_start = open_start;
    x->pin_only = nanchors == 0 && cfg->npins > 0;
    if (url->host_kind == TT_HOST_IPV4) {
        x->check_ip = tt_parse_ipv4(url->host, strlen(url->host), x->ip);
        x->iplen = 4;
    } else if (url->host_kind == TT_HOST_IPV6) {
        x->check_ip = tt_parse_ipv6(url->host, strlen(url->host), x->ip);
        x->iplen = 16;
    }
    if (x->insecure)
        return;
    br_x509_minimal_init(&x->u.minimal, &br_sha256_vtable,
                         nanchors > 0 ? st->anchors : NULL, nanchors);
    br_x509_minimal_set_hash(&x->u.minimal, br_sha256_ID, &br_sha256_vtable);
    br_x509_minimal_set_hash(&x->u.minimal, br_sha384_ID, &br_sha384_vtable);
    br_x509_minimal_set_hash(&x->u.minimal, br_sha512_ID, &br_sha512_vtable);
    br_x509_minimal_set_rsa(&x->u.minimal, br_rsa_pkcs1_vrfy_get_default());
    br_x509_minimal_set_ecdsa(&x->u.minimal, br_ec_get_default(),
                              br_ecdsa_vrfy_asn1_get_default());
    minimal_time(x, now);
    br_x509_minimal_set_minrsa(&x->u.minimal, (int)((tt_tls_rsa_floor(cfg) + 7) / 8));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
