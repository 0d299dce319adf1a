/*
 * Certificate, chain and key loading (core/tls_load.c) and the TLS engine
 * glue (core/tls.c): edges the other suites do not reach.
 *
 * Inputs are built in code: certificates shaped by hand (BearSSL's decoder
 * reads but never verifies signatures, so names and keys can be chosen
 * freely), and a small EC PKI made once with openssl and pasted below.
 * Files and directories come from an in-memory port; handshakes run
 * against BearSSL's own server engine inside the test, wired to the client
 * through a loopback port that can also replace the server's bytes; the
 * mock port, which has no files, for either backend's loaders.
 */
#include "tether/config.h"
#include "suites.h"
#if (TT_FEATURE_TLS && !TT_TLS_MBEDTLS) || UNIT_ALL_PROTOCOLS

#include "../testlib.h"
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS
#include "tls_internal.h" /* before tether/tls.h */
#endif
#include "port_mock.h"
#include "tether/tls.h"

#include <stdio.h>
#include <stdlib.h>

#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS

/* ---- test PKI (openssl, EC P-256): CA, and "localhost" + IP 127.0.0.1 -- */

static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBfzCCASWgAwIBAgIUKbDwvjL8Nvvd3IFg0X3wHO/PWb8wCgYIKoZIzj0EAwIw\n"
    "FTETMBEGA1UEAwwKdHQgdGVzdCBjYTAeFw0yNjExMjMxNjI1MTNaFw00NjExMTgx\n"
    "NjI1MTNaMBUxEzARBgNVBAMMCnR0IHRlc3QgY2EwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAAQJUtm8NJcJXwNUaeno/JPzEAjBScfxHLrzqLLYeVKhIj1pNza61xB1\n"
    "lm2q8dH0J92iyTrNgyPbjp+ilgc1Q2Nfo1MwUTAdBgNVHQ4EFgQUmaaRZ5cyGMGh\n"
    "B7NI7OxsB9A8Ga8wHwYDVR0jBBgwFoAUmaaRZ5cyGMGhB7NI7OxsB9A8Ga8wDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAR7fmnQkLQoPZ3gHXlmFG/\n"
    "FTP2JRk7z2UBUGhkj1c/9wIhAPfhMR2T669Ot54F7s6w2903H9WahVG/XKI5SnI1\n"
    "/bXX\n"
    "-----END CERTIFICATE-----\n";

static const char srv_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBlDCCATqgAwIBAgIUHdESiaXbfTXxIqlDpGYq1mXeyJEwCgYIKoZIzj0EAwIw\n"
    "FTETMBEGA1UEAwwKdHQgdGVzdCBjYTAeFw0yNjExMjMxNjI1MTRaFw00NjExMTgx\n"
    "NjI1MTRaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49\n"
    "AwEHA0IABFuX0jvKcRo2PezIFm3LAjkBd9RRf3X13w+eyYoelUFfeM3XFpVp6Xw/\n"
    "EhohOIncXN8LC6q8lhO8KPkD8B5suoejaTBnMBoGA1UdEQQTMBGCCWxvY2FsaG9z\n"
    "dIcEfwAAATAJBgNVHRMEAjAAMB0GA1UdDgQWBBT3CeUsxWnxwnUNCZbwuVXjqdau\n"
    "UTAfBgNVHSMEGDAWgBSZppFnlzIYwaEHs0js7GwH0DwZrzAKBggqhkjOPQQDAgNI\n"
    "ADBFAiAOEkOfQNFKWfTkaVowEpPduvZl/sYmxzUJ2X9hzSEZAgIhAJFnWAn6emyF\n"
    "v90IYyKrJz4TxpcIlzlYzy3vTqO1LD3N\n"
    "-----END CERTIFICATE-----\n";

/* the server's key as SEC1, and the same key as PKCS#8 */
static const char srv_key_sec1[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIKHrxgg4CxXmW5hlJQli0mx4PUBtBCXVD8wdzH9TiiZzoAoGCCqGSM49\n"
    "AwEHoUQDQgAEW5fSO8pxGjY97MgWbcsCOQF31FF/dfXfD57Jih6VQV94zdcWlWnp\n"
    "fD8SGiE4idxc3wsLqryWE7wo+QPwHmy6hw==\n"
    "-----END EC PRIVATE KEY-----\n";

static const char srv_key_pkcs8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgoevGCDgLFeZbmGUl\n"
    "CWLSbHg9QG0EJdUPzB3Mf1OKJnOhRANCAARbl9I7ynEaNj3syBZtywI5AXfUUX91\n"
    "9d8PnsmKHpVBX3jN1xaVael8PxIaITiJ3FzfCwuqvJYTvCj5A/AebLqH\n"
    "-----END PRIVATE KEY-----\n";

/* a 512-bit RSA key as PKCS#8 */
static const char rsa_key_pkcs8[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAzemfo27Lnr1bIZ7s\n"
    "jB9/JTLWHs8lRKNwu/UrSKKVFRk0B2M0GIBSgLDE4KKdzMUk7sCUxP3OEWXuHPgP\n"
    "etHBwQIDAQABAkBCWR3cLm4j1wXPPoMf32I7nTbLNJnglP1VQvlQbTq2UhWwJsUE\n"
    "pKwq2/aus/JCYe6BO4XeQE5MsmIX1WmL8l91AiEA5x31w11e/nOKdAnURI1A6K6Z\n"
    "trUw4iRICo5LXED1Vr8CIQDkFPrKrZrQhfDlQ6NcdOpu3KJjBET6/rkdDcPsS+OH\n"
    "fwIgeBW1EKF/Li7SjaBdzpCmXT/7Vlem4pl/ZRyyQ2jtEPkCIQDZt8kadZOFn4Wv\n"
    "Y9xp4lTyVHxSJn4uVb6gpEY0ptBfwwIhAI/KsIZ117l1vfqJP9A2ALtjIGttaKbz\n"
    "fWGQfirqYn3w\n"
    "-----END PRIVATE KEY-----\n";

/* base64 SHA-256 of the server certificate's SubjectPublicKeyInfo */
#define SRV_PIN "sha256//j7IYFEIKBaY43adnjd9TkMcrIYt3AuxItQM51v5yTJY="
/* ... and of the CA's: a valid pin that the server does not match */
#define CA_PIN "sha256//OMRJiFdkozfINWeWMTVlq+FVCHf+SO394JsAisQP8jE="

/* Inside both certificates' validity (2027-01-15). */
#define PKI_TIME 1800000000

/* ---- DER and PEM builders ------------------------------------------------ */

typedef struct der {
    unsigned char b[4096];
    size_t n;
} der;

static void der_put(der *d, const void *p, size_t n)
{
    memcpy(d->b + d->n, p, n);
    d->n += n;
}

/* One element: tag, definite length (short or two-byte form), content. */
static void der_tlv(der *d, unsigned char tag, const void *p, size_t n)
{
    unsigned char h[4];
    size_t k = 0;
    h[k++] = tag;
    if (n >= 0x80) {
        h[k++] = 0x82;
        h[k++] = (unsigned char)(n >> 8);
    }
    h[k++] = (unsigned char)n;
    der_put(d, h, k);
    der_put(d, p, n);
}

static void der_wrap(der *d, unsigned char tag, const der *inner)
{
    der_tlv(d, tag, inner->b, inner->n);
}

/* PEM armour around DER, base64 in 64-character lines. */
static size_t pem_make(char *out, size_t cap, const char *label, const void *data,
                       size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    size_t i, o = (size_t)snprintf(out, cap, "-----BEGIN %s-----\n", label);
    for (i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)p[i] << 16;
        size_t left = n - i;
        if (left > 1)
            v |= (unsigned long)p[i + 1] << 8;
        if (left > 2)
            v |= p[i + 2];
        out[o++] = digits[(v >> 18) & 63];
        out[o++] = digits[(v >> 12) & 63];
        out[o++] = left > 1 ? digits[(v >> 6) & 63] : '=';
        out[o++] = left > 2 ? digits[v & 63] : '=';
        if ((i / 3) % 16 == 15 || i + 3 >= n)
            out[o++] = '\n';
    }
    o += (size_t)snprintf(out + o, cap - o, "-----END %s-----\n", label);
    return o;
}

/* ---- hand-made certificates ---------------------------------------------- */

/* PEM text under construction (bundles, chains, keys). */
static char text[65536];

static const unsigned char oid_p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };

/* SubjectPublicKeyInfo of an EC key on `curve` with point bytes q. */
static void spki_ec(der *out, const unsigned char *curve, size_t curvelen,
                    const unsigned char *q, size_t qlen)
{
    static const unsigned char oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
    der alg, bits, seq;
    alg.n = bits.n = seq.n = 0;
    der_tlv(&alg, 0x06, oid_ec, sizeof oid_ec);
    der_tlv(&alg, 0x06, curve, curvelen);
    der_put(&bits, "\x00", 1);
    der_put(&bits, q, qlen);
    der_wrap(&seq, 0x30, &alg);
    der_wrap(&seq, 0x03, &bits);
    out->n = 0;
    der_wrap(out, 0x30, &seq);
}

/* SubjectPublicKeyInfo of an RSA key (n, e). */
static void spki_rsa(der *out, const unsigned char *n, size_t nlen,
                     const unsigned char *e, size_t elen)
{
    static const unsigned char alg[] = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    der ints, key, bits, seq;
    ints.n = key.n = bits.n = seq.n = 0;
    der_tlv(&ints, 0x02, n, nlen);
    der_tlv(&ints, 0x02, e, elen);
    der_wrap(&key, 0x30, &ints);
    der_put(&bits, "\x00", 1);
    der_put(&bits, key.b, key.n);
    der_put(&seq, alg, sizeof alg);
    der_wrap(&seq, 0x03, &bits);
    out->n = 0;
    der_wrap(out, 0x30, &seq);
}

/* Name with one commonName. */
static void name_cn(der *out, const char *cn)
{
    der atv, rdn, seq;
    atv.n = rdn.n = seq.n = 0;
    der_tlv(&atv, 0x06, "\x55\x04\x03", 3);
    der_tlv(&atv, 0x0c, cn, strlen(cn));
    der_wrap(&rdn, 0x30, &atv);
    der_wrap(&seq, 0x31, &rdn);
    out->n = 0;
    der_wrap(out, 0x30, &seq);
}

/* A v3 certificate for `cn` with key `spki`; `ca` adds basicConstraints. */
static void cert_make(der *out, const char *cn, const der *spki, int ca)
{
    static const char validity[] = "\x17\x0d" "250101000000Z" "\x17\x0d" "450101000000Z";
    static const unsigned char sigalg[] = {
        0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02
    };
    static const unsigned char bc[] = {
        0xa3, 0x13, 0x30, 0x11, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01,
        0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff
    };
    der tbs, name, body;
    tbs.n = body.n = 0;
    name_cn(&name, cn);
    der_put(&tbs, "\xa0\x03\x02\x01\x02" "\x02\x01\x01", 8);
    der_put(&tbs, sigalg, sizeof sigalg);
    der_put(&tbs, name.b, name.n);
    der_tlv(&tbs, 0x30, validity, sizeof validity - 1);
    der_put(&tbs, name.b, name.n);
    der_put(&tbs, spki->b, spki->n);
    if (ca)
        der_put(&tbs, bc, sizeof bc);
    der_wrap(&body, 0x30, &tbs);
    der_put(&body, sigalg, sizeof sigalg);
    der_tlv(&body, 0x03, "\x00\x01\x02", 3);
    out->n = 0;
    der_wrap(out, 0x30, &body);
}

/* Append the PEM of a hand-made EC certificate to `text` at *len. */
static void add_ec_cert(size_t *len, const char *cn, const unsigned char *curve,
                        size_t curvelen, unsigned char fill, size_t qlen)
{
    unsigned char q[97];
    der spki, cert;
    memset(q, fill, sizeof q);
    q[0] = 0x04;
    spki_ec(&spki, curve, curvelen, q, qlen);
    cert_make(&cert, cn, &spki, 1);
    *len += pem_make(text + *len, sizeof text - *len, "CERTIFICATE", cert.b, cert.n);
}

/* ... and of an RSA one, with n and e of the given lengths and fill. */
static void add_rsa_cert(size_t *len, const char *cn, unsigned char nfill,
                         size_t nlen, unsigned char efill, size_t elen)
{
    unsigned char n[128], e[4];
    der spki, cert;
    memset(n, nfill, sizeof n);
    memset(e, efill, sizeof e);
    n[0] = 0x41; /* positive, no leading zero to strip */
    e[0] = 0x01;
    spki_rsa(&spki, n, nlen, e, elen);
    cert_make(&cert, cn, &spki, 0);
    *len += pem_make(text + *len, sizeof text - *len, "CERTIFICATE", cert.b, cert.n);
}

/* ---- helpers ------------------------------------------------------------- */

/* 1 when the message holds s (or its beginning, cut at TT_ERROR_MSG_MAX). */
static int has(const tt_error *e, const char *s)
{
    return tt_test_msg_has(e->msg, sizeof e->msg, s);
}

/* The byte count an arena-overflow message reports. */
static size_t needed_of(const tt_error *e)
{
    const char *p = strstr(e->msg, "arena too small: ");
    return p != NULL ? (size_t)strtoul(p + 17, NULL, 10) : 0;
}

/* An arena with room to start anywhere relative to a 16-byte boundary. */
static unsigned char arena_mem[65536 + 32];

/* The arena's first 16-aligned byte plus `skew`. */
static unsigned char *arena_at(size_t skew)
{
    size_t pad = (16 - (size_t)((uintptr_t)arena_mem % 16)) % 16;
    return arena_mem + pad + skew;
}

/* ---- an in-memory file system as a port ---------------------------------- */

typedef struct mem_file {
    const char *name;    /* entry name within the directory */
    const char *data;
    size_t len;
    int open_rc;         /* what file_open answers */
    int read_fails;      /* file_read answers TT_PORT_EIO */
} mem_file;

typedef struct mem_fs {
    const char *dir;     /* the one directory; NULL: none */
    int dir_rc;          /* list_dir's answer for it */
    mem_file files[12];
    int nfiles;
    int attempts, opens, closes;
    size_t chunk;        /* bytes per file_read */
    char opened[12][600];
} mem_fs;

static mem_file *fs_find(mem_fs *fs, const char *path)
{
    int i;
    size_t dl = fs->dir != NULL ? strlen(fs->dir) : 0;
    for (i = 0; i < fs->nfiles; i++) {
        const char *p = path;
        if (dl > 0 && strncmp(p, fs->dir, dl) == 0 && p[dl] == '/')
            p += dl + 1;
        if (strcmp(p, fs->files[i].name) == 0)
            return &fs->files[i];
    }
    return NULL;
}

static int fs_open(void *ctx, tt_file *f, const char *path)
{
    mem_fs *fs = ctx;
    mem_file *mf = fs_find(fs, path);
    if (fs->attempts < 12)
        snprintf(fs->opened[fs->attempts], sizeof fs->opened[0], "%s", path);
    fs->attempts++;
    if (mf == NULL)
        return TT_PORT_ENOTFOUND;
    if (mf->open_rc != TT_PORT_OK)
        return mf->open_rc;
    fs->opens++;
    f->impl = mf;
    f->fd = 0; /* read offset */
    return TT_PORT_OK;
}

static long fs_read(void *ctx, tt_file *f, void *buf, size_t len)
{
    mem_fs *fs = ctx;
    mem_file *mf = f->impl;
    size_t left = mf->len - (size_t)f->fd;
    if (mf->read_fails)
        return TT_PORT_EIO;
    if (len > fs->chunk)
        len = fs->chunk;
    if (len > left)
        len = left;
    memcpy(buf, mf->data + f->fd, len);
    f->fd += (intptr_t)len;
    return (long)len;
}

static void fs_close(void *ctx, tt_file *f)
{
    mem_fs *fs = ctx;
    (void)f;
    fs->closes++;
}

static int fs_list(void *ctx, const char *path, tt_port_dir_fn fn, void *user)
{
    mem_fs *fs = ctx;
    int i;
    if (fs->dir == NULL || strcmp(path, fs->dir) != 0)
        return TT_PORT_ENOTFOUND;
    if (fs->dir_rc != TT_PORT_OK)
        return fs->dir_rc;
    for (i = 0; i < fs->nfiles; i++)
        if (fn(user, fs->files[i].name) != 0)
            break;
    return TT_PORT_OK;
}

static const tt_port_ops fs_ops = {
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    fs_open, fs_read, fs_close, fs_list
};

/* The same files, on a platform that cannot list directories. */
static const tt_port_ops fs_ops_nodir = {
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    fs_open, fs_read, fs_close, NULL
};

static const tt_port_ops no_fs_ops = {
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, NULL
};

static void fs_init(mem_fs *fs, const char *dir)
{
    memset(fs, 0, sizeof *fs);
    fs->dir = dir;
    fs->chunk = 100; /* PEM objects span reads */
}

static mem_file *fs_add(mem_fs *fs, const char *name, const char *data, size_t len)
{
    mem_file *mf = &fs->files[fs->nfiles++];
    memset(mf, 0, sizeof *mf);
    mf->name = name;
    mf->data = data;
    mf->len = len;
    return mf;
}

/* ---- anchors ------------------------------------------------------------- */

/*
 * Anchors that share a name are one CA only when the key is the same too:
 * every way two keys can differ (type, curve, point length and bytes,
 * modulus and exponent length and bytes) keeps both; exact copies, and
 * only those, are dropped, giving back the name they took.
 */
static void test_anchor_duplicates_need_same_name_and_key(void)
{
    tt_tls_store st, one;
    tt_error e;
    size_t len = 0, lo_one;
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x11, 65);
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x11, 65); /* copy */
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x22, 65); /* other point */
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x11, 33); /* shorter */
    add_ec_cert(&len, "dup", oid_p384, sizeof oid_p384, 0x11, 65); /* other curve */
    add_ec_cert(&len, "other", oid_p256, sizeof oid_p256, 0x11, 65); /* other name */
    add_rsa_cert(&len, "dup", 0x33, 128, 0x01, 3);                   /* RSA */
    add_rsa_cert(&len, "dup", 0x33, 128, 0x01, 3);                   /* copy */
    add_rsa_cert(&len, "dup", 0x44, 128, 0x01, 3);                   /* other n */
    add_rsa_cert(&len, "dup", 0x33, 120, 0x01, 3);                   /* shorter n */
    add_rsa_cert(&len, "dup", 0x33, 128, 0x07, 3);                   /* other e */
    add_rsa_cert(&len, "dup", 0x33, 128, 0x01, 4);                   /* longer e */
    tt_tls_store_init(&st, arena_at(0), 16384);
    CHECK_INT(tt_tls_add_anchors_pem(&st, text, len, &e), 0);
    CHECK_INT(st.nanchors, 10);
    /* the first certificate lands last in the array; each keeps its own name */
    CHECK_INT(st.anchors[9].pkey.key_type, BR_KEYTYPE_EC);
    CHECK_INT(st.anchors[9].pkey.key.ec.curve, BR_EC_secp256r1);
    CHECK_INT(st.anchors[9].flags, BR_X509_TA_CA);
    CHECK_INT(st.anchors[0].pkey.key_type, BR_KEYTYPE_RSA);
    CHECK_INT(st.anchors[0].pkey.key.rsa.elen, 4);
    CHECK_INT(st.anchors[0].flags, 0);
    CHECK(st.anchors[5].dn.len > st.anchors[4].dn.len); /* "other" vs "dup" */

    /* a certificate and its copy take exactly what the certificate alone does */
    len = 0;
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x11, 65);
    tt_tls_store_init(&one, arena_at(0), 16384);
    CHECK_INT(tt_tls_add_anchors_pem(&one, text, len, &e), 0);
    lo_one = one.lo;
    add_ec_cert(&len, "dup", oid_p256, sizeof oid_p256, 0x11, 65);
    tt_tls_store_init(&one, arena_at(0), 16384);
    CHECK_INT(tt_tls_add_anchors_pem(&one, text, len, &e), 0);
    CHECK_INT(one.nanchors, 1);
    CHECK_INT(one.lo, lo_one);
}

/* Bundle from memory: a certificate BearSSL cannot decode fails the load
 * and says which one (counting from 1) with BearSSL's own reason, and no
 * anchor is published. */
static void test_bad_certificate_in_bundle_named_by_position(void)
{
    static unsigned char bad[700];
    tt_tls_store st;
    tt_error e;
    size_t len = 0;
    memset(bad, 0x5a, sizeof bad);
    bad[0] = 0x31; /* a SET where the certificate SEQUENCE must be */
    bad[1] = 0x82;
    bad[2] = 0x02;
    bad[3] = 0xb8;
    add_ec_cert(&len, "good", oid_p256, sizeof oid_p256, 0x11, 65);
    len += pem_make(text + len, sizeof text - len, "CERTIFICATE", bad, sizeof bad);
    tt_tls_store_init(&st, arena_at(0), 16384);
    CHECK_INT(tt_tls_add_anchors_pem(&st, text, len, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "certificate 2 cannot be decoded (BearSSL error 41)")); /* UNEXPECTED */
    CHECK_INT(st.nanchors, 0);
    CHECK(st.anchors == NULL);
}

/* The newline a file's last line lacks is supplied: the END line is still
 * seen, so a bad certificate at the very end is still reported. */
static void test_bad_last_certificate_without_newline_reported(void)
{
    static const unsigned char bad[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    tt_tls_store st;
    tt_error e;
    size_t len = pem_make(text, sizeof text, "CERTIFICATE", bad, sizeof bad);
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_add_anchors_pem(&st, text, len - 1, &e), -1);
    CHECK(has(&e, "certificate 1 cannot be decoded"));
    /* the same with a good certificate loads */
    CHECK_INT(tt_tls_add_anchors_pem(&st, ca_pem, sizeof ca_pem - 2, &e), 0);
    CHECK_INT(st.nanchors, 1);
}

static void test_anchors_load_once_per_store(void)
{
    tt_tls_store st;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops, &fs };
    fs_init(&fs, NULL);
    fs_add(&fs, "ca.pem", ca_pem, sizeof ca_pem - 1);
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_add_anchors_pem(&st, ca_pem, sizeof ca_pem - 1, &e), 0);
    CHECK_INT(tt_tls_add_anchors_pem(&st, ca_pem, sizeof ca_pem - 1, &e), -1);
    CHECK(has(&e, "(memory): trust anchors are already loaded"));
    CHECK_INT(tt_tls_load_anchors(&st, &port, "ca.pem", &e), -1);
    CHECK(has(&e, "ca.pem: trust anchors are already loaded"));
    CHECK_INT(fs.opens, 0);
    CHECK_INT(st.nanchors, 1);
}

static void test_malformed_pem_refused_by_every_loader(void)
{
    static const char bad[] = "-----BEGIN CERTIFICATE-----\nMII*B\n-----END CERTIFICATE-----\n";
    tt_tls_store st;
    tt_error e;
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_add_anchors_pem(&st, bad, sizeof bad - 1, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "(memory): malformed PEM"));
    CHECK_INT(tt_tls_add_chain_pem(&st, bad, sizeof bad - 1, &e), -1);
    CHECK(has(&e, "(memory): malformed PEM"));
    CHECK_INT(st.nchain, 0);
    CHECK_INT(tt_tls_add_key_pem(&st, bad, sizeof bad - 1, &e), -1);
    CHECK(has(&e, "(memory): malformed PEM"));
}

/* ---- files and directories ----------------------------------------------- */

static char long_name[600];

/*
 * A directory such as /etc/ssl/certs: every certificate file is read,
 * copies are kept once, and what is not a usable certificate file is
 * skipped (not PEM, undecodable, truncated, unreadable), each file closed
 * again, nothing left behind in the arena.
 */
static void test_directory_skips_unusable_files(void)
{
    static const char trunc[] = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIU\n";
    static const char junk[] = "-----BEGIN CERTIFICATE-----\nMII*\n";
    static char bad[2048];
    static const unsigned char bad_der[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    tt_tls_store st, one;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops, &fs };
    size_t badlen = pem_make(bad, sizeof bad, "CERTIFICATE", bad_der, sizeof bad_der);

    memset(long_name, 'x', sizeof long_name - 1);
    fs_init(&fs, "certs");
    fs_add(&fs, "a.pem", ca_pem, sizeof ca_pem - 1);
    fs_add(&fs, "b.trunc", trunc, sizeof trunc - 1);
    fs_add(&fs, "c.pem", ca_pem, sizeof ca_pem - 1);     /* the same CA again */
    fs_add(&fs, "d.txt", "not a certificate\n", 18);
    fs_add(&fs, "e.bad", bad, badlen);
    fs_add(&fs, "f.junk", junk, sizeof junk - 1);
    fs_add(&fs, "g.locked", ca_pem, sizeof ca_pem - 1)->open_rc = TT_PORT_EIO;
    fs_add(&fs, "h.eio", ca_pem, sizeof ca_pem - 1)->read_fails = 1;
    fs_add(&fs, "z.pem", srv_pem, sizeof srv_pem - 1);
    tt_tls_store_init(&st, arena_at(0), 8192);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "certs", &e), 0);
    CHECK_INT(st.nanchors, 2);
    CHECK_INT(fs.opens, fs.closes);
    CHECK_INT(fs.attempts, 9); /* every file */
    CHECK_INT(fs.opens, 8);    /* ... of which one would not open */
    CHECK(strcmp(fs.opened[0], "certs/a.pem") == 0);
    /* the same two CAs loaded from memory use the same bytes */
    tt_tls_store_init(&one, arena_at(0), 8192);
    memcpy(text, ca_pem, sizeof ca_pem - 1);
    memcpy(text + sizeof ca_pem - 1, srv_pem, sizeof srv_pem);
    CHECK_INT(tt_tls_add_anchors_pem(&one, text, strlen(text), &e), 0);
    CHECK_INT(one.lo, st.lo);
}

/* A name too long for a path fails the load: cut, the path could name
 * another file, and skipped, a CA the user put there would be missing. */
static void test_directory_long_name_refused(void)
{
    tt_tls_store st;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops, &fs };
    int i;
    memset(long_name, 'x', sizeof long_name - 1);
    fs_init(&fs, "certs");
    fs_add(&fs, "a.pem", ca_pem, sizeof ca_pem - 1);
    fs_add(&fs, long_name, ca_pem, sizeof ca_pem - 1);
    tt_tls_store_init(&st, arena_at(0), 8192);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "certs", &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "certs: a file's path there is longer than TT_TLS_PATH_MAX"));
    CHECK_INT(st.nanchors, 0);
    CHECK_INT(fs.opens, fs.closes);
    for (i = 0; i < 12; i++)
        CHECK(strstr(fs.opened[i], "xxxxxxxx") == NULL);
}

static void test_directory_without_certificates_refused(void)
{
    tt_tls_store st;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops, &fs };
    fs_init(&fs, "empty");
    fs_add(&fs, "readme", "hello\n", 6);
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "empty", &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "empty: no certificate found"));
    /* a directory that cannot be listed is an error, not an empty one */
    fs.dir_rc = TT_PORT_EIO;
    CHECK_INT(tt_tls_load_anchors(&st, &port, "empty", &e), -1);
    CHECK(has(&e, "empty: cannot read directory"));
    CHECK_INT(st.nanchors, 0);
}

/* A single file is strict where a directory is lenient. */
static void test_single_file_errors_named(void)
{
    tt_tls_store st;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops, &fs };
    tt_port bare = { &no_fs_ops, NULL };
    fs_init(&fs, NULL);
    fs_add(&fs, "locked.pem", ca_pem, sizeof ca_pem - 1)->open_rc = TT_PORT_EIO;
    fs_add(&fs, "eio.pem", ca_pem, sizeof ca_pem - 1)->read_fails = 1;
    fs_add(&fs, "junk.pem", "-----BEGIN CERTIFICATE-----\n**\n", 31);
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "missing.pem", &e), -1);
    CHECK(has(&e, "missing.pem: no such file"));
    CHECK_INT(tt_tls_load_anchors(&st, &port, "locked.pem", &e), -1);
    CHECK(has(&e, "locked.pem: cannot open"));
    CHECK_INT(tt_tls_load_anchors(&st, &port, "eio.pem", &e), -1);
    CHECK(has(&e, "eio.pem: read error"));
    CHECK_INT(tt_tls_load_chain(&st, &port, "junk.pem", &e), -1);
    CHECK(has(&e, "junk.pem: malformed PEM"));
    CHECK_INT(fs.opens, fs.closes);
    CHECK_INT(tt_tls_load_key(&st, &bare, "key.pem", &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "key.pem: this port has no file system"));
}

/* Without list_dir every path is a file; chain and key load from files
 * read in small pieces. */
static void test_files_on_port_without_directories(void)
{
    tt_tls_store st;
    tt_error e;
    mem_fs fs;
    tt_port port = { &fs_ops_nodir, &fs };
    fs_init(&fs, NULL);
    fs.chunk = 7;
    fs_add(&fs, "ca.pem", ca_pem, sizeof ca_pem - 1);
    fs_add(&fs, "chain.pem", srv_pem, sizeof srv_pem - 1);
    fs_add(&fs, "key.pem", srv_key_sec1, sizeof srv_key_sec1 - 1);
    tt_tls_store_init(&st, arena_at(0), 4096);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "ca.pem", &e), 0);
    CHECK_INT(tt_tls_load_chain(&st, &port, "chain.pem", &e), 0);
    CHECK_INT(tt_tls_load_key(&st, &port, "key.pem", &e), 0);
    CHECK_INT(st.nanchors, 1);
    CHECK_INT(st.nchain, 1);
    CHECK_INT(st.chain[0].data_len, 408);
    CHECK_INT(st.key.type, BR_KEYTYPE_EC);
    CHECK_INT(fs.opens, 3);
    CHECK_INT(fs.closes, 3);
}

/* ---- arena sizing -------------------------------------------------------- */

typedef int (*loader)(tt_tls_store *st, tt_error *e);

static mem_fs sweep_fs;

static int load_bundle(tt_tls_store *st, tt_error *e)
{
    return tt_tls_add_anchors_pem(st, text, strlen(text), e);
}

static int load_dir(tt_tls_store *st, tt_error *e)
{
    tt_port port = { &fs_ops, &sweep_fs };
    return tt_tls_load_anchors(st, &port, "d", e);
}

static int load_chain(tt_tls_store *st, tt_error *e)
{
    return tt_tls_add_chain_pem(st, text, strlen(text), e);
}

static int load_key(tt_tls_store *st, tt_error *e)
{
    return tt_tls_add_key_pem(st, rsa_key_pkcs8, sizeof rsa_key_pkcs8 - 1, e);
}

/*
 * For every arena size up to `upto` and start offsets modulo 16 (every
 * `skew_step`th; 1 reaches every place a copy can be cut short): the
 * load fails with TT_E_LIMIT_TLS_ARENA naming a size larger than the arena,
 * or succeeds; and an arena of the size named always suffices.
 */
static void sweep(loader fn, size_t upto, size_t skew_step, size_t *smallest_ok)
{
    size_t cap, skew;
    *smallest_ok = 0;
    for (skew = 0; skew < 16; skew += skew_step) {
        size_t verified = 0; /* a size already shown to suffice */
        for (cap = 0; cap <= upto; cap++) {
            tt_tls_store st;
            tt_error e;
            size_t need;
            tt_tls_store_init(&st, arena_at(skew), cap);
            if (fn(&st, &e) == 0) {
                if (*smallest_ok == 0 || cap < *smallest_ok)
                    *smallest_ok = cap;
                continue;
            }
            if (e.code != TT_E_LIMIT_TLS_ARENA || e.cls != TT_ERR_LIMIT) {
                tt_test_fail(__FILE__, __LINE__, "cap %zu: %s", cap, e.msg);
                return;
            }
            need = needed_of(&e);
            if (need <= cap) {
                tt_test_fail(__FILE__, __LINE__, "cap %zu: says %zu needed", cap, need);
                return;
            }
            if (need == verified)
                continue;
            verified = need;
            tt_tls_store_init(&st, arena_at(skew), need);
            if (fn(&st, &e) != 0) {
                tt_test_fail(__FILE__, __LINE__, "cap %zu: %zu bytes not enough: %s",
                             cap, need, e.msg);
                return;
            }
        }
    }
}

static void test_arena_shortfall_names_a_size_that_fits_anchors(void)
{
    size_t len = 0, ok;
    add_ec_cert(&len, "one", oid_p256, sizeof oid_p256, 0x11, 65);
    add_ec_cert(&len, "one", oid_p256, sizeof oid_p256, 0x11, 65);
    add_rsa_cert(&len, "two", 0x33, 128, 0x01, 3);
    text[len] = '\0';
    CHECK_OK(sweep(load_bundle, 400, 1, &ok));
    /* at least both keys and two anchor structs (their size is the
     * platform's: 32-bit targets need less) */
    CHECK(ok > 65 + 128 + 3 + 2 * sizeof(br_x509_trust_anchor) && ok < 400);
}

static void test_arena_shortfall_names_a_size_that_fits_directory(void)
{
    static const char trunc[] = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIU\n";
    static const unsigned char bad_der[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    static char sweep_bad[256];
    size_t ok;
    fs_init(&sweep_fs, "d");
    fs_add(&sweep_fs, "a.pem", ca_pem, sizeof ca_pem - 1);
    fs_add(&sweep_fs, "b.trunc", trunc, sizeof trunc - 1);
    fs_add(&sweep_fs, "c.pem", srv_pem, sizeof srv_pem - 1);
    fs_add(&sweep_fs, "d.bad", sweep_bad, pem_make(sweep_bad, sizeof sweep_bad,
                                                   "CERTIFICATE", bad_der, sizeof bad_der));
    CHECK_OK(sweep(load_dir, 340, 5, &ok));
    CHECK(ok > 100 && ok < 340);
    CHECK_INT(sweep_fs.opens, sweep_fs.closes);
}

static void test_arena_shortfall_names_a_size_that_fits_chain(void)
{
    size_t ok;
    /* a key object in a chain file is not part of the chain */
    snprintf(text, sizeof text, "%s%s%s", srv_pem, srv_key_sec1, ca_pem);
    CHECK_OK(sweep(load_chain, 860, 5, &ok));
    CHECK(ok >= 408 + 387 + 2 * sizeof(br_x509_certificate) && ok < 860);
}

static void test_arena_shortfall_names_a_size_that_fits_key(void)
{
    size_t ok;
    CHECK_OK(sweep(load_key, 180, 5, &ok));
    CHECK(ok >= 5 * 31 && ok < 180);
}

/* An arena smaller than its own alignment slack holds nothing. */
static void test_tiny_misaligned_arena_holds_nothing(void)
{
    tt_tls_store st;
    tt_error e;
    tt_tls_store_init(&st, arena_at(1), 2);
    CHECK_INT(st.hi, 0);
    CHECK_INT(tt_tls_add_chain_pem(&st, srv_pem, sizeof srv_pem - 1, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_TLS_ARENA);
    CHECK_INT(st.lo, 0);
    CHECK_INT(st.nchain, 0);
}

/* After an overflow the store stays failed: later loads keep counting, so
 * the size named covers everything asked of it. */
static void test_overflowed_store_keeps_counting(void)
{
    tt_tls_store st;
    tt_error e;
    size_t first;
    tt_tls_store_init(&st, arena_at(0), 100);
    CHECK_INT(tt_tls_add_chain_pem(&st, srv_pem, sizeof srv_pem - 1, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_TLS_ARENA);
    first = needed_of(&e);
    CHECK(first > 408);
    /* nothing to load, yet still too small (not "no certificate found") */
    CHECK_INT(tt_tls_add_chain_pem(&st, "\n", 1, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_TLS_ARENA);
    CHECK_INT(needed_of(&e), first);
    CHECK_INT(tt_tls_add_chain_pem(&st, ca_pem, sizeof ca_pem - 1, &e), -1);
    CHECK(needed_of(&e) >= first + 387);
    CHECK_INT(st.nchain, 0);
}

/* ---- chain --------------------------------------------------------------- */

static void test_chain_keeps_der_in_order(void)
{
    tt_tls_store st;
    tt_error e;
    snprintf(text, sizeof text, "junk line\n%s%s", srv_pem, ca_pem);
    tt_tls_store_init(&st, arena_at(0), 2048);
    CHECK_INT(tt_tls_add_chain_pem(&st, text, strlen(text), &e), 0);
    CHECK_INT(st.nchain, 2);
    CHECK_INT(st.chain[0].data_len, 408);
    CHECK_INT(st.chain[1].data_len, 387);
    CHECK(st.chain[0].data == st.arena);
    CHECK(st.chain[1].data == st.arena + 408);
    CHECK_INT(st.chain[0].data[0], 0x30);
    CHECK_INT(st.lo, 408 + 387);
}

/* ---- keys ---------------------------------------------------------------- */

/* PKCS#8 is unwrapped to the same key as its SEC1 form. */
static void test_pkcs8_ec_key_matches_sec1(void)
{
    tt_tls_store a, b;
    tt_error e;
    tt_tls_store_init(&a, arena_at(0), 1024);
    tt_tls_store_init(&b, arena_at(2048), 1024);
    CHECK_INT(tt_tls_add_key_pem(&a, srv_key_sec1, sizeof srv_key_sec1 - 1, &e), 0);
    CHECK_INT(tt_tls_add_key_pem(&b, srv_key_pkcs8, sizeof srv_key_pkcs8 - 1, &e), 0);
    CHECK_INT(a.key.type, BR_KEYTYPE_EC);
    CHECK_INT(b.key.type, BR_KEYTYPE_EC);
    CHECK_INT(b.key.ec.curve, BR_EC_secp256r1);
    CHECK_MEM(a.key.ec.x, a.key.ec.xlen, b.key.ec.x, b.key.ec.xlen);
    CHECK_INT(b.key.ec.xlen, 32);
    CHECK(b.key.ec.x == b.arena);
    CHECK_INT(b.lo, 32);
}

static void test_pkcs8_rsa_key_unwrapped(void)
{
    tt_tls_store st;
    tt_error e;
    tt_tls_store_init(&st, arena_at(0), 1024);
    CHECK_INT(tt_tls_add_key_pem(&st, rsa_key_pkcs8, sizeof rsa_key_pkcs8 - 1, &e), 0);
    CHECK_INT(st.key.type, BR_KEYTYPE_RSA);
    CHECK_INT(st.key.rsa.n_bitlen, 512);
    CHECK_INT(st.key.rsa.plen, 32);
    CHECK_INT(st.key.rsa.qlen, 32);
    CHECK_INT(st.lo, st.key.rsa.plen + st.key.rsa.qlen + st.key.rsa.dplen +
                         st.key.rsa.dqlen + st.key.rsa.iqlen);
}

/* The first usable key wins; an encrypted one beside a plain one is
 * passed over rather than refused. */
static void test_first_plain_key_used(void)
{
    static const char enc[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n"
                              "-----END ENCRYPTED PRIVATE KEY-----\n";
    tt_tls_store st;
    tt_error e;
    snprintf(text, sizeof text, "%s%s%s", enc, srv_key_sec1, rsa_key_pkcs8);
    tt_tls_store_init(&st, arena_at(0), 1024);
    CHECK_INT(tt_tls_add_key_pem(&st, text, strlen(text), &e), 0);
    CHECK_INT(st.key.type, BR_KEYTYPE_EC);
    CHECK_INT(st.lo, 32);
}

static void test_key_longer_than_key_der_max_refused(void)
{
    static unsigned char big[TT_TLS_KEY_DER_MAX + 10];
    tt_tls_store st;
    tt_error e;
    size_t len;
    memset(big, 0x01, sizeof big);
    big[0] = 0x30;
    big[1] = 0x82;
    big[2] = (unsigned char)((sizeof big - 4) >> 8);
    big[3] = (unsigned char)(sizeof big - 4);
    len = pem_make(text, sizeof text, "PRIVATE KEY", big, sizeof big);
    tt_tls_store_init(&st, arena_at(0), 1024);
    CHECK_INT(tt_tls_add_key_pem(&st, text, len, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    {
        char want[64];
        snprintf(want, sizeof want, "longer than TT_TLS_KEY_DER_MAX (%u bytes)",
                 (unsigned)TT_TLS_KEY_DER_MAX);
        CHECK(has(&e, want));
    }
    CHECK_INT(st.key.type, 0);
}

/* DER that is not a key, each refused by name before BearSSL sees it. */
static const struct {
    const char *what;
    const char *der;
    size_t len;
} bad_keys[] = {
    { "top_not_sequence", "\x02\x01\x00", 3 },
    { "indefinite_length", "\x30\x80\x02\x01\x00\x00\x00", 7 },
    { "length_bytes_cut", "\x30\x82\x01", 3 },
    { "content_cut", "\x30\x05\x02\x01\x00", 5 },
    { "empty_sequence", "\x30\x00", 2 },
    { "no_second_element", "\x30\x03\x02\x01\x00", 5 },
    { "boolean_after_version", "\x30\x06\x02\x01\x00\x01\x01\xff", 8 },
    { "pkcs8_without_key", "\x30\x08\x02\x01\x00\x30\x03\x06\x01\x2a", 10 },
    { "pkcs8_key_not_octets", "\x30\x0b\x02\x01\x00\x30\x03\x06\x01\x2a\x02\x01\x00", 13 },
};

static void test_malformed_key_der_refused(void)
{
    size_t i;
    for (i = 0; i < TT_COUNT(bad_keys); i++) {
        tt_tls_store st;
        tt_error e;
        size_t len = pem_make(text, sizeof text, "PRIVATE KEY", bad_keys[i].der,
                              bad_keys[i].len);
        tt_tls_store_init(&st, arena_at(0), 1024);
        if (tt_tls_add_key_pem(&st, text, len, &e) != -1 ||
            !has(&e, "(memory): not an RSA or EC private key") || st.key.type != 0) {
            tt_test_fail(__FILE__, __LINE__, "%s: %s", bad_keys[i].what, e.msg);
            return;
        }
    }
}

/* Shaped like a SEC1 key, but on a curve BearSSL does not know. */
static void test_undecodable_key_reports_bearssl_error(void)
{
    static const unsigned char key[] = {
        0x30, 0x2b, 0x02, 0x01, 0x01, 0x04, 0x20,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        0xa0, 0x04, 0x06, 0x02, 0x2a, 0x03
    };
    tt_tls_store st;
    tt_error e;
    size_t len = pem_make(text, sizeof text, "EC PRIVATE KEY", key, sizeof key);
    tt_tls_store_init(&st, arena_at(0), 1024);
    CHECK_INT(tt_tls_add_key_pem(&st, text, len, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(has(&e, "(memory): private key cannot be decoded (BearSSL error"));
    CHECK_INT(st.key.type, 0);
    CHECK_INT(st.lo, 0);
}

/* A key that does not fit leaves no key (nor any of its secret bytes). */
static void test_key_overflow_leaves_no_key(void)
{
    tt_tls_store st;
    tt_error e;
    unsigned char *a = arena_at(0);
    size_t i;
    memset(a, 0, 200);
    tt_tls_store_init(&st, a, 100);
    CHECK_INT(tt_tls_add_key_pem(&st, rsa_key_pkcs8, sizeof rsa_key_pkcs8 - 1, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_TLS_ARENA);
    CHECK_INT(st.key.type, 0);
    CHECK(st.key.rsa.p == NULL);
    for (i = 0; i < 100; i++)
        CHECK_INT(a[i], 0);
}

/* ---- pins ---------------------------------------------------------------- */

static void test_pin_of_31_bytes_refused(void)
{
    tt_tls_config cfg;
    tt_error e;
    tt_tls_config_init(&cfg);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==", &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    CHECK(has(&e, "not the base64 of a SHA-256 hash"));
    CHECK_INT(cfg.npins, 0);
    CHECK_INT(tt_tls_add_pins(&cfg, SRV_PIN ";" CA_PIN, &e), 0);
    CHECK_INT(cfg.npins, 2);
}

/* ---- the X.509 engine, driven directly ----------------------------------- */

static tt_x509 xe;

static void x509_start(tt_tls_config *cfg, const char *url_text)
{
    tt_url u;
    tt_url_parse(&u, url_text, strlen(url_text), NULL);
    tt_x509_setup(&xe, cfg, &u, 0, 0);
    xe.vtable->start_chain(&xe.vtable, NULL);
}

static void x509_cert(const unsigned char *p, size_t n)
{
    xe.vtable->start_cert(&xe.vtable, (uint32_t)n);
    xe.vtable->append(&xe.vtable, p, n);
    xe.vtable->end_cert(&xe.vtable);
}

static void ignore_dn(void *ctx, const void *p, size_t n)
{
    (void)ctx;
    (void)p;
    (void)n;
}

/* Insecure mode decodes the leaf only; the key it hands over is the
 * leaf's, whatever follows it in the chain, and names are not checked. */
static void test_insecure_chain_uses_leaf_key(void)
{
    tt_tls_store st;
    tt_tls_config cfg;
    tt_error e;
    br_x509_decoder_context dc;
    const br_x509_pkey *pk, *want;
    unsigned usages = 0;
    snprintf(text, sizeof text, "%s%s", srv_pem, ca_pem);
    tt_tls_store_init(&st, arena_at(0), 2048);
    CHECK_INT(tt_tls_add_chain_pem(&st, text, strlen(text), &e), 0);
    tt_tls_config_init(&cfg);
    cfg.insecure = 1;
    /* not the certificate's IP address: insecure checks no names */
    x509_start(&cfg, "https://127.0.0.2/");
    x509_cert(st.chain[0].data, st.chain[0].data_len);
    x509_cert(st.chain[1].data, st.chain[1].data_len);
    CHECK_INT(xe.vtable->end_chain(&xe.vtable), 0);
    pk = xe.vtable->get_pkey(&xe.vtable, &usages);
    br_x509_decoder_init(&dc, ignore_dn, NULL);
    br_x509_decoder_push(&dc, st.chain[0].data, st.chain[0].data_len);
    want = br_x509_decoder_get_pkey(&dc);
    CHECK(pk != NULL && want != NULL);
    CHECK_MEM(pk->key.ec.q, pk->key.ec.qlen, want->key.ec.q, want->key.ec.qlen);
    CHECK_INT(usages, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
}

static void test_undecodable_leaf_is_bad_cert(void)
{
    static const unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    tt_tls_config cfg;
    tt_tls_config_init(&cfg);
    cfg.insecure = 1;
    x509_start(&cfg, "https://localhost/");
    x509_cert(junk, sizeof junk);
    CHECK_INT(xe.vtable->end_chain(&xe.vtable), BR_ERR_X509_INVALID_VALUE);
    CHECK_INT(xe.reason, TT_E_TLS_BAD_CERT);
    /* the full validator, too, calls it a bad certificate (not untrusted) */
    cfg.insecure = 0;
    x509_start(&cfg, "https://localhost/");
    x509_cert(junk, sizeof junk);
    CHECK_INT(xe.vtable->end_chain(&xe.vtable), BR_ERR_X509_UNEXPECTED);
    CHECK_INT(xe.reason, TT_E_TLS_BAD_CERT);
}

/* An element length near 2^32 wraps when its header is added: refused. */
static void test_walk_refuses_wrapping_length(void)
{
    static const unsigned char d[] = {
        0x30, 0x0a, 0x30, 0x84, 0xff, 0xff, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x00
    };
    tt_tls_config cfg;
    tt_tls_config_init(&cfg);
    cfg.insecure = 1;
    x509_start(&cfg, "https://127.0.0.1/");
    x509_cert(d, sizeof d);
    CHECK_INT(xe.walk.failed, 1);
    CHECK_INT(xe.ip_matched, 0);
}

/* The walk ends with the certificate: bytes after it are not read, even
 * when they look like an IP subjectAltName. */
static void test_walk_stops_at_certificate_end(void)
{
    static const unsigned char d[] = {
        0x30, 0x03, 0x02, 0x01, 0x00,
        0x87, 0x04, 0x7f, 0x00, 0x00, 0x01
    };
    tt_tls_config cfg;
    tt_tls_config_init(&cfg);
    cfg.insecure = 1;
    x509_start(&cfg, "https://127.0.0.1/");
    x509_cert(d, sizeof d);
    CHECK_INT(xe.walk.done, 1);
    CHECK_INT(xe.walk.failed, 0);
    CHECK_INT(xe.walk.depth, 0);
    CHECK_INT(xe.ip_matched, 0);
}

/* ---- handshakes against BearSSL's server in-process ---------------------- */

/* What the loopback port does instead of relaying the server. */
enum { INJ_NONE, INJ_FIRST, INJ_AFTER_CLIENT_FLIGHT };

typedef struct loop {
    br_ssl_server_context sc;
    br_ssl_session_cache_lru lru;
    unsigned char cache[2048];
    unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
    unsigned char outq[65536];  /* server records not yet read by the client */
    size_t outq_len, outq_pos;
    /* server behaviour */
    const char *reply;          /* sent once the handshake is done */
    int reply_sent;
    int close_after_reply;
    unsigned long got;          /* application bytes the server read */
    unsigned long got_sum;
    /* replacing the server's bytes */
    int inject_when;
    const unsigned char *inject;
    size_t inject_len, inject_pos;
    size_t delivered;           /* server bytes handed to the client */
    int sent_after;             /* the client sent after receiving */
    /* the port */
    int sends;
    int fail_send_at;           /* this send call fails (1-based), 0 never */
    long fail_rc;
    int random_fails;
    int64_t wall;
} loop;

static loop lp;
static tt_tls_store srv_store;
static unsigned char srv_arena[4096];

/* Run the server engine: read what the client sent, answer once after a
 * request, queue every record it produces for the client. */
static void srv_pump(loop *l)
{
    br_ssl_engine_context *eng = &l->sc.eng;
    for (;;) {
        unsigned st = br_ssl_engine_current_state(eng);
        size_t n;
        if (st & BR_SSL_CLOSED)
            return;
        if (st & BR_SSL_SENDREC) {
            unsigned char *p = br_ssl_engine_sendrec_buf(eng, &n);
            if (n > sizeof l->outq - l->outq_len)
                return; /* queue full: the client must read first */
            memcpy(l->outq + l->outq_len, p, n);
            l->outq_len += n;
            br_ssl_engine_sendrec_ack(eng, n);
            continue;
        }
        if (st & BR_SSL_RECVAPP) {
            size_t i;
            unsigned char *p = br_ssl_engine_recvapp_buf(eng, &n);
            for (i = 0; i < n; i++)
                l->got_sum = l->got_sum * 31 + p[i];
            l->got += n;
            br_ssl_engine_recvapp_ack(eng, n);
            continue;
        }
        if ((st & BR_SSL_SENDAPP) && l->reply != NULL && !l->reply_sent && l->got > 0) {
            size_t room, len = strlen(l->reply);
            unsigned char *p = br_ssl_engine_sendapp_buf(eng, &room);
            memcpy(p, l->reply, len);
            br_ssl_engine_sendapp_ack(eng, len);
            br_ssl_engine_flush(eng, 0);
            l->reply_sent = 1;
            if (l->close_after_reply)
                br_ssl_engine_close(eng);
            continue;
        }
        return;
    }
}

static long lp_send(void *ctx, tt_sock *s, const void *buf, size_t len, int64_t deadline,
                    volatile sig_atomic_t *cancel)
{
    loop *l = ctx;
    const unsigned char *p = buf;
    size_t left = len;
    (void)s;
    (void)deadline;
    (void)cancel;
    if (++l->sends == l->fail_send_at)
        return l->fail_rc;
    if (l->delivered > 0)
        l->sent_after = 1;
    if (l->inject_when == INJ_AFTER_CLIENT_FLIGHT && l->sent_after)
        return (long)len; /* the answer is scripted: the server need not see it */
    while (left > 0) {
        size_t room;
        unsigned char *dst;
        unsigned st;
        srv_pump(l);
        st = br_ssl_engine_current_state(&l->sc.eng);
        if (st & BR_SSL_CLOSED)
            break; /* the server is gone: the bytes are lost, as on a socket */
        if (!(st & BR_SSL_RECVREC))
            return TT_PORT_EIO; /* the loopback itself is stuck */
        dst = br_ssl_engine_recvrec_buf(&l->sc.eng, &room);
        if (room > left)
            room = left;
        memcpy(dst, p, room);
        br_ssl_engine_recvrec_ack(&l->sc.eng, room);
        p += room;
        left -= room;
    }
    srv_pump(l);
    return (long)len;
}

static long lp_recv(void *ctx, tt_sock *s, void *buf, size_t len, int64_t deadline,
                    volatile sig_atomic_t *cancel)
{
    loop *l = ctx;
    size_t n;
    (void)s;
    (void)deadline;
    (void)cancel;
    if (l->inject_when == INJ_FIRST ||
        (l->inject_when == INJ_AFTER_CLIENT_FLIGHT && l->sent_after)) {
        n = l->inject_len - l->inject_pos;
        if (n > len)
            n = len;
        memcpy(buf, l->inject + l->inject_pos, n);
        l->inject_pos += n;
        return (long)n; /* 0 once all is out: the end of the stream */
    }
    srv_pump(l);
    n = l->outq_len - l->outq_pos;
    if (n > 0) {
        if (n > len)
            n = len;
        memcpy(buf, l->outq + l->outq_pos, n);
        l->outq_pos += n;
        if (l->outq_pos == l->outq_len)
            l->outq_pos = l->outq_len = 0;
        l->delivered += n;
        return (long)n;
    }
    if (br_ssl_engine_current_state(&l->sc.eng) & BR_SSL_CLOSED)
        return 0;
    return TT_PORT_ETIMEDOUT; /* both sides wait: a test bug, not a hang */
}

/* The server read the client's close_notify and answered it. */
static int srv_closed_cleanly(loop *l)
{
    srv_pump(l);
    return (br_ssl_engine_current_state(&l->sc.eng) & BR_SSL_CLOSED) &&
           br_ssl_engine_last_error(&l->sc.eng) == BR_ERR_OK;
}

static int64_t lp_now(void *ctx)
{
    (void)ctx;
    return 1000;
}

static int64_t lp_wall(void *ctx)
{
    return ((loop *)ctx)->wall * 1000;
}

static int lp_random(void *ctx, void *buf, size_t len)
{
    memset(buf, 0x5c, len);
    return ((loop *)ctx)->random_fails ? TT_PORT_EIO : TT_PORT_OK;
}

static const tt_port_ops lp_ops = {
    NULL, lp_send, lp_recv, NULL, lp_now, lp_wall, NULL, lp_random,
    NULL, NULL, NULL, NULL
};

/* (Re)start the server engine presenting `chain`. */
static void loop_serve(const br_x509_certificate *chain, size_t n)
{
    br_ssl_server_init_full_ec(&lp.sc, chain, n, BR_KEYTYPE_EC, &srv_store.key.ec);
    /* ECDSA verification makes the server offer ecdsa_sign to clients */
    br_ssl_engine_set_default_ecdsa(&lp.sc.eng);
    br_ssl_server_set_cache(&lp.sc, &lp.lru.vtable);
    br_ssl_engine_set_buffer(&lp.sc.eng, lp.iobuf, sizeof lp.iobuf, 1);
    br_ssl_server_reset(&lp.sc);
}

/* A fresh server (keeping its session cache when `keep_cache`). */
static void loop_reset(int keep_cache)
{
    tt_error e;
    if (!keep_cache) {
        memset(&lp, 0, sizeof lp);
        tt_tls_store_init(&srv_store, srv_arena, sizeof srv_arena);
        tt_tls_add_chain_pem(&srv_store, srv_pem, sizeof srv_pem - 1, &e);
        tt_tls_add_key_pem(&srv_store, srv_key_sec1, sizeof srv_key_sec1 - 1, &e);
        br_ssl_session_cache_lru_init(&lp.lru, lp.cache, sizeof lp.cache);
    }
    loop_serve(srv_store.chain, srv_store.nchain);
    lp.reply = NULL;
    lp.reply_sent = lp.close_after_reply = 0;
    lp.got = lp.got_sum = 0;
    lp.inject_when = INJ_NONE;
    lp.inject_pos = lp.delivered = 0;
    lp.outq_len = lp.outq_pos = 0;
    lp.sent_after = lp.sends = lp.fail_send_at = 0;
    lp.random_fails = 0;
    lp.wall = PKI_TIME;
}

/* The server asks for a client certificate from the CA. */
static void loop_request_client_cert(const tt_tls_store *anchors)
{
    br_ssl_server_set_trust_anchor_names_alt(&lp.sc, anchors->anchors, anchors->nanchors);
    br_ssl_server_reset(&lp.sc);
}

static void loop_inject(int when, const void *bytes, size_t n)
{
    lp.inject_when = when;
    lp.inject = bytes;
    lp.inject_len = n;
    lp.inject_pos = 0;
}

static tt_tls_conn conn;
static tt_tls_store cli_store;
static unsigned char cli_arena[4096];
static tt_sock sock;

/* A client store: the CA, and optionally a chain and a key. */
static void client_store(int anchors, int chain, int key)
{
    tt_error e;
    tt_tls_store_init(&cli_store, cli_arena, sizeof cli_arena);
    if (anchors)
        tt_tls_add_anchors_pem(&cli_store, ca_pem, sizeof ca_pem - 1, &e);
    if (chain)
        tt_tls_add_chain_pem(&cli_store, srv_pem, sizeof srv_pem - 1, &e);
    if (key)
        tt_tls_add_key_pem(&cli_store, srv_key_sec1, sizeof srv_key_sec1 - 1, &e);
}

static void client_cfg(tt_tls_config *cfg)
{
    tt_tls_config_init(cfg);
    cfg->store = &cli_store;
    cfg->time_policy = TT_TLS_TIME_FIXED;
    cfg->fixed_time = PKI_TIME;
}

static int open_to(const char *url_text, const tt_tls_config *cfg, tt_tls_session *sess,
                   tt_error *e)
{
    static tt_url u;
    static tt_port port;
    port.ops = &lp_ops;
    port.ctx = &lp;
    memset(&sock, 0, sizeof sock);
    tt_url_parse(&u, url_text, strlen(url_text), NULL);
    tt_error_clear(e);
    return tt_tls_open(&conn, cfg, &port, &sock, &u, sess, TT_PORT_NO_DEADLINE, NULL, e);
}

/* Handshake, a request and its answer, the server's close_notify, and a
 * close that is safe to repeat. */
static void test_handshake_exchange_and_clean_close(void)
{
    tt_tls_config cfg;
    tt_error e;
    char buf[64];
    loop_reset(0);
    lp.reply = "pong";
    lp.close_after_reply = 1;
    client_store(1, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK_INT(tt_tls_send(&conn, "ping", 4, TT_PORT_NO_DEADLINE, &e), 0);
    CHECK_INT(lp.got, 4);
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 0, &e), 4);
    CHECK(memcmp(buf, "pong", 4) == 0);
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 0, &e), 0);
    CHECK_INT(tt_tls_truncated(&conn), 0);
    /* once closed by the peer, reads stay at the end without I/O */
    lp.fail_send_at = lp.sends + 1;
    lp.fail_rc = TT_PORT_EIO;
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 0, &e), 0);
    /* writing to a session the server closed names that */
    CHECK_INT(tt_tls_send(&conn, "more", 4, TT_PORT_NO_DEADLINE, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TLS);
    CHECK(has(&e, "the server closed the TLS session"));
    tt_tls_close(&conn);
    tt_tls_close(&conn);
    CHECK(conn.port == NULL);
}

/* More than one record's worth goes out whole, in order. */
static void test_large_send_spans_records(void)
{
    static unsigned char big[40000];
    tt_tls_config cfg;
    tt_error e;
    unsigned long sum = 0;
    size_t i;
    for (i = 0; i < sizeof big; i++) {
        big[i] = (unsigned char)(i * 7);
        sum = sum * 31 + big[i];
    }
    loop_reset(0);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK_INT(tt_tls_send(&conn, big, sizeof big, TT_PORT_NO_DEADLINE, &e), 0);
    CHECK_INT(lp.got, sizeof big);
    CHECK(lp.got_sum == sum);
    /* closing sends close_notify, which the server reads */
    tt_tls_close(&conn);
    CHECK(srv_closed_cleanly(&lp));
}

static void test_send_failures_are_network_errors(void)
{
    static unsigned char big[40000];
    tt_tls_config cfg;
    tt_error e;
    loop_reset(0);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    /* the flush of a short message */
    lp.fail_send_at = lp.sends + 1;
    lp.fail_rc = TT_PORT_ERESET;
    CHECK_INT(tt_tls_send(&conn, "x", 1, TT_PORT_NO_DEADLINE, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(e.code, TT_E_RESET);
    CHECK(has(&e, "localhost: connection reset while sending"));

    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    /* a record of a long message, before its end is buffered */
    lp.fail_send_at = lp.sends + 1;
    lp.fail_rc = TT_PORT_ETIMEDOUT;
    CHECK_INT(tt_tls_send(&conn, big, sizeof big, TT_PORT_NO_DEADLINE, &e), -1);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT);
    CHECK(lp.got < sizeof big);
}

/* A send failing during the handshake is a connect-phase error, and the
 * session is forgotten. */
static void test_handshake_send_failure_is_connect_error(void)
{
    tt_tls_config cfg;
    tt_tls_session sess;
    tt_error e;
    loop_reset(0);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    memset(&sess, 0, sizeof sess);
    sess.valid = 1; /* nothing to resume, but claimed: reset on failure */
    lp.fail_send_at = 1;
    lp.fail_rc = TT_PORT_ETIMEDOUT;
    CHECK_INT(open_to("https://localhost/", &cfg, &sess, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TIMEOUT);
    CHECK_INT(e.code, TT_E_CONNECT_TIMEOUT);
    CHECK_INT(sess.valid, 0);
}

/* Data the caller has not read yet blocks sending in half duplex: that is
 * reported, not waited on forever. */
static void test_unread_data_blocks_half_duplex_send(void)
{
    tt_tls_config cfg;
    tt_error e;
    char buf[4];
    loop_reset(0);
    lp.reply = "0123456789";
    client_store(1, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK_INT(tt_tls_send(&conn, "q", 1, TT_PORT_NO_DEADLINE, &e), 0);
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 1, &e), 4);
    CHECK(memcmp(buf, "0123", 4) == 0);
#if !TT_TLS_FULL_DUPLEX
    CHECK_INT(tt_tls_send(&conn, "q", 1, TT_PORT_NO_DEADLINE, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_INT(e.code, TT_E_HTTP_EXTRA_BYTES);
    CHECK(has(&e, "unexpected data from the server"));
#endif
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 1, &e), 4);
    CHECK(memcmp(buf, "4567", 4) == 0);
}

/* A remembered session is offered and resumed on the next connection. */
static void test_session_resumed_on_second_open(void)
{
    tt_tls_config cfg;
    tt_tls_session sess;
    tt_error e;
    loop_reset(0);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    memset(&sess, 0, sizeof sess);
    CHECK_INT(open_to("https://localhost/", &cfg, &sess, &e), 0);
    CHECK_INT(sess.valid, 1);
    CHECK_INT(conn.resumed, 0);
    CHECK_INT(sess.params.session_id_len, 32);
    tt_tls_close(&conn);
    loop_reset(1);
    CHECK_INT(open_to("https://localhost/", &cfg, &sess, &e), 0);
    CHECK_INT(conn.resumed, 1);
    tt_tls_close(&conn);
    /* a session claimed valid but holding no ID: a full handshake */
    memset(&sess.params, 0, sizeof sess.params);
    loop_reset(1);
    CHECK_INT(open_to("https://localhost/", &cfg, &sess, &e), 0);
    CHECK_INT(conn.resumed, 0);
    CHECK_INT(sess.params.session_id_len, 32);
    tt_tls_close(&conn);
    /* a server that forgot it: a full handshake, not a resumption */
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, &sess, &e), 0);
    CHECK_INT(conn.resumed, 0);
    CHECK_INT(sess.valid, 1);
}

/* IP-address URLs are checked against the certificate's IP SAN. */
static void test_ip_url_checked_against_ip_san(void)
{
    tt_tls_config cfg;
    tt_error e;
    loop_reset(0);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(open_to("https://127.0.0.1:8443/", &cfg, NULL, &e), 0);
    loop_reset(0);
    CHECK_INT(open_to("https://127.0.0.2/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_NAME_MISMATCH);
    CHECK(has(&e, "127.0.0.2: certificate name mismatch"));
}

/* Each way the server's certificate can be refused gets its own code. */
static void test_certificate_refusals_named(void)
{
    tt_tls_config cfg;
    tt_error e;
    client_store(1, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    CHECK_INT(open_to("https://example.com/", &cfg, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TLS);
    CHECK_INT(e.code, TT_E_TLS_NAME_MISMATCH);
    CHECK(has(&e, "does not name example.com"));

    cfg.fixed_time = 2600000000LL; /* 2052: after notAfter */
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_EXPIRED);

    cfg.fixed_time = PKI_TIME;
    CHECK_INT(tt_tls_add_pins(&cfg, CA_PIN, &e), 0);
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_PIN_MISMATCH);
    CHECK(has(&e, "pin mismatch"));

    client_store(0, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_UNTRUSTED);
}

/* Without anchors a matching pin is the trust; names are still checked. */
static void test_pin_alone_trusts_server(void)
{
    tt_tls_config cfg;
    tt_error e;
    client_store(0, 0, 0);
    client_cfg(&cfg);
    CHECK_INT(tt_tls_add_pins(&cfg, CA_PIN ";" SRV_PIN, &e), 0);
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    loop_reset(0);
    CHECK_INT(open_to("https://example.com/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_NAME_MISMATCH);
}

/* Time policies: a clock before the floor is refused by default, lifted
 * to the floor (notBefore unchecked) under TIME_FLOOR, and ignored by an insecure client; a
 * port without randomness still handshakes (BearSSL seeds itself). */
static void test_time_policies_and_entropy(void)
{
    tt_tls_config cfg;
    tt_error e;
    client_store(1, 0, 0);
    client_cfg(&cfg);
    cfg.time_policy = TT_TLS_TIME_SYSTEM;
    loop_reset(0);
    lp.random_fails = 1;
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    loop_reset(0);
    lp.wall = 1000;
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_CLOCK);
    CHECK_INT(lp.sends, 0);
    cfg.insecure = 1;
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    cfg.insecure = 0;
    /* the floor (2025-01-01) predates the certificate's notBefore: with
     * the clock unset, a certificate issued after the build is taken (its
     * notAfter is still checked, against the floor) */
    cfg.time_policy = TT_TLS_TIME_FLOOR;
    loop_reset(0);
    lp.wall = 1000;
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    /* once the clock is set, both dates count again: a clock after the
     * floor but before the certificate's start is refused, said with the
     * date and the clock */
    loop_reset(0);
    lp.wall = TT_TLS_CLOCK_FLOOR + 86400;
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_NOT_YET_VALID);
    if (!has(&e, "not yet valid: the server's certificate is valid from ")) { tt_test_fail(__FILE__, __LINE__, "%s", e.msg); return; }
#if TT_ERROR_MSG_MAX >= 160 /* a small build cuts the message before the clock */
    CHECK(has(&e, "and the clock says 2025-01-02T00:00:00Z"));
#endif
}

/* A server certificate BearSSL cannot parse is a bad certificate, with
 * BearSSL's own error number, not an untrusted one. */
static void test_malformed_server_certificate_is_bad_cert(void)
{
    static unsigned char junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
    static const br_x509_certificate chain = { junk, sizeof junk };
    tt_tls_config cfg;
    tt_error e;
    client_store(1, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    loop_serve(&chain, 1);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_TLS);
    CHECK_INT(e.code, TT_E_TLS_BAD_CERT);
    CHECK(has(&e, "invalid server certificate (BearSSL error"));
}

/* A HelloRequest is refused with a no_renegotiation warning, never
 * followed; a failure to send that warning is a send error, whatever the
 * read's phase. */
static void test_renegotiation_refused_with_warning(void)
{
    tt_tls_config cfg;
    tt_error e;
    char buf[8];
    client_store(1, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK(br_ssl_engine_renegotiate(&lp.sc.eng));
    /* BearSSL's server takes the no_renegotiation warning as fatal and
     * drops the connection: the client sees an end without close_notify */
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 0, &e), 0);
    CHECK_INT(tt_tls_truncated(&conn), 1);
    CHECK_INT(br_ssl_engine_last_error(&lp.sc.eng), BR_ERR_RECV_FATAL_ALERT + 100);

    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK(br_ssl_engine_renegotiate(&lp.sc.eng));
    srv_pump(&lp);
    lp.fail_send_at = lp.sends + 1;
    lp.fail_rc = TT_PORT_EIO;
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 0, &e), -1);
    CHECK_INT(e.cls, TT_ERR_NETWORK);
    CHECK_INT(e.code, TT_E_SEND);

    loop_reset(0);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), 0);
    CHECK(br_ssl_engine_renegotiate(&lp.sc.eng));
    srv_pump(&lp);
    lp.fail_send_at = lp.sends + 1;
    lp.fail_rc = TT_PORT_ETIMEDOUT;
    CHECK_INT(tt_tls_recv(&conn, buf, sizeof buf, TT_PORT_NO_DEADLINE, 1, &e), -1);
    CHECK_INT(e.code, TT_E_REQUEST_TIMEOUT); /* the send timed out, not the idle wait */
}

/* ---- what the server sends instead of a handshake ------------------------ */

static unsigned char alert_rec[7] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0 };

static int open_with_alert(int when, int alert, tt_error *e)
{
    tt_tls_config cfg;
    client_cfg(&cfg);
    alert_rec[6] = (unsigned char)alert;
    loop_inject(when, alert_rec, sizeof alert_rec);
    return open_to("https://localhost/", &cfg, NULL, e);
}

static const struct {
    int alert;
    tt_errcode code;
    const char *text;
} first_alerts[] = {
    { 70, TT_E_TLS_VERSION, "requires TLS 1.3 (alert protocol_version, 70)" },
    { 40, TT_E_TLS_CIPHER, "no cipher suite, group or version in common" },
    { 71, TT_E_TLS_CIPHER, "alert insufficient_security (71)" },
    { 48, TT_E_TLS_HANDSHAKE, "the server sent alert unknown_ca (48)" },
    { 90, TT_E_TLS_HANDSHAKE, "the server sent alert alert (90)" },
};

/* An alert in answer to ClientHello, before any certificate request. */
static void test_alert_before_certificate_request(void)
{
    size_t i;
    client_store(1, 1, 1);
    for (i = 0; i < TT_COUNT(first_alerts); i++) {
        tt_error e;
        loop_reset(0);
        if (open_with_alert(INJ_FIRST, first_alerts[i].alert, &e) != -1 ||
            e.cls != TT_ERR_TLS || e.code != first_alerts[i].code ||
            !has(&e, first_alerts[i].text)) {
            tt_test_fail(__FILE__, __LINE__, "alert %d: %s", first_alerts[i].alert, e.msg);
            return;
        }
    }
}

static const struct {
    int alert;
    tt_errcode without, with;   /* no certificate given / one sent */
} late_alerts[] = {
    { 40, TT_E_TLS_CLIENT_CERT_REQUIRED, TT_E_TLS_CLIENT_CERT_REJECTED },
    { 116, TT_E_TLS_CLIENT_CERT_REQUIRED, TT_E_TLS_HANDSHAKE },
    { 42, TT_E_TLS_CLIENT_CERT_REQUIRED, TT_E_TLS_CLIENT_CERT_REJECTED },
    { 48, TT_E_TLS_CLIENT_CERT_REQUIRED, TT_E_TLS_CLIENT_CERT_REJECTED },
    { 10, TT_E_TLS_HANDSHAKE, TT_E_TLS_HANDSHAKE },
    { 90, TT_E_TLS_HANDSHAKE, TT_E_TLS_HANDSHAKE },
};

/* The server asked for a client certificate, then sent an alert: blame
 * the missing certificate, or the one sent, only for certificate alerts. */
static void test_alert_after_certificate_request(void)
{
    size_t i;
    int with;
    for (with = 0; with <= 1; with++) {
        /* a chain without a key is no client certificate */
        client_store(1, 1, with);
        for (i = 0; i < TT_COUNT(late_alerts); i++) {
            tt_error e;
            tt_errcode want = with ? late_alerts[i].with : late_alerts[i].without;
            loop_reset(0);
            loop_request_client_cert(&cli_store);
            if (open_with_alert(INJ_AFTER_CLIENT_FLIGHT, late_alerts[i].alert, &e) != -1 ||
                e.code != want || conn.auth.requested != 1 || conn.auth.sent != with) {
                tt_test_fail(__FILE__, __LINE__, "with %d alert %d: %s", with,
                             late_alerts[i].alert, e.msg);
                return;
            }
        }
    }
}

/* Records that are not TLS 1.2. */
static void test_non_tls_answers_named(void)
{
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    static const unsigned char sslv2[] = { 0x15, 0x02, 0x00, 0x00, 0x02, 0x02, 0x28 };
    /* a ServerHello split over two records of different versions */
    static const unsigned char mixed[] = {
        0x16, 0x03, 0x03, 0x00, 0x01, 0x02, 0x16, 0x03, 0x02, 0x00, 0x01, 0x00
    };
    tt_tls_config cfg;
    tt_error e;
    client_store(1, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    loop_inject(INJ_FIRST, http, sizeof http - 1);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_VERSION);
    CHECK(has(&e, "answered in plain HTTP"));
    loop_reset(0);
    loop_inject(INJ_FIRST, sslv2, sizeof sslv2);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_VERSION);
    CHECK(has(&e, "does not speak TLS 1.2"));
    loop_reset(0);
    loop_inject(INJ_FIRST, mixed, sizeof mixed);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_VERSION);
    CHECK(has(&e, "does not speak TLS 1.2"));
}

/* A ServerHello choosing TLS_RSA_WITH_AES_128_CBC_SHA, never offered. */
static void test_unoffered_cipher_suite_named(void)
{
    static unsigned char hello[5 + 4 + 38];
    tt_tls_config cfg;
    tt_error e;
    memcpy(hello, "\x16\x03\x03\x00\x2a\x02\x00\x00\x26\x03\x03", 11);
    memset(hello + 11, 0x42, 32);
    memcpy(hello + 43, "\x00\x00\x2f\x00", 4);
    client_store(1, 0, 0);
    client_cfg(&cfg);
    loop_reset(0);
    loop_inject(INJ_FIRST, hello, sizeof hello);
    CHECK_INT(open_to("https://localhost/", &cfg, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_CIPHER);
    CHECK(has(&e, "chose a suite not offered"));
}
#endif /* TT_FEATURE_TLS && !TT_TLS_MBEDTLS */

#if UNIT_ALL_PROTOCOLS
/* A port without files (the mock, or firmware without a file system):
 * credentials from paths are refused by name, from memory they load. */
static void test_no_file_system(void)
{
    static unsigned char arena[1024];
    tt_tls_store st;
    static tt_mock m;
    tt_port port;
    tt_error e;
    tt_mock_init(&m);
    tt_mock_port(&m, &port);
    tt_tls_store_init(&st, arena, sizeof arena);
    CHECK_INT(tt_tls_load_anchors(&st, &port, "/etc/ssl/certs", &e), -1);
    CHECK(strstr(e.msg, "file system") != NULL);
    CHECK_INT(tt_tls_load_chain(&st, &port, "/c.pem", &e), -1);
    CHECK_INT(tt_tls_load_key(&st, &port, "/k.pem", &e), -1);
}
#endif

/* a table entry named after its test function */
#define T(name) { #name, test_##name }

void suite_tls_load(void)
{
    static const tt_test tests[] = {
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS
        T(anchor_duplicates_need_same_name_and_key),
        T(bad_certificate_in_bundle_named_by_position),
        T(bad_last_certificate_without_newline_reported),
        T(anchors_load_once_per_store),
        T(malformed_pem_refused_by_every_loader),
        T(directory_skips_unusable_files),
        T(directory_long_name_refused),
        T(directory_without_certificates_refused),
        T(single_file_errors_named),
        T(files_on_port_without_directories),
        T(arena_shortfall_names_a_size_that_fits_anchors),
        T(arena_shortfall_names_a_size_that_fits_directory),
        T(arena_shortfall_names_a_size_that_fits_chain),
        T(arena_shortfall_names_a_size_that_fits_key),
        T(tiny_misaligned_arena_holds_nothing),
        T(overflowed_store_keeps_counting),
        T(chain_keeps_der_in_order),
        T(pkcs8_ec_key_matches_sec1),
        T(pkcs8_rsa_key_unwrapped),
        T(first_plain_key_used),
        T(key_longer_than_key_der_max_refused),
        T(malformed_key_der_refused),
        T(undecodable_key_reports_bearssl_error),
        T(key_overflow_leaves_no_key),
        T(pin_of_31_bytes_refused),
        T(insecure_chain_uses_leaf_key),
        T(undecodable_leaf_is_bad_cert),
        T(walk_refuses_wrapping_length),
        T(walk_stops_at_certificate_end),
        T(handshake_exchange_and_clean_close),
        T(large_send_spans_records),
        T(send_failures_are_network_errors),
        T(handshake_send_failure_is_connect_error),
        T(unread_data_blocks_half_duplex_send),
        T(session_resumed_on_second_open),
        T(ip_url_checked_against_ip_san),
        T(certificate_refusals_named),
        T(pin_alone_trusts_server),
        T(time_policies_and_entropy),
        T(malformed_server_certificate_is_bad_cert),
        T(renegotiation_refused_with_warning),
        T(alert_before_certificate_request),
        T(alert_after_certificate_request),
        T(non_tls_answers_named),
        T(unoffered_cipher_suite_named),
#endif
#if UNIT_ALL_PROTOCOLS
        T(no_file_system),
#endif
    };
    tt_run_suite("tls_load", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
