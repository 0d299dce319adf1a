/*
 * TLS pieces that need no peer: pins, the key-size guard in front of
 * BearSSL's key decoder, and the streaming DER walk that checks IP
 * subjectAltNames and hashes the SubjectPublicKeyInfo (fed whole and in
 * every split).
 */
#include "tether/config.h"
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS

#include "../testlib.h"
#include "suites.h"
#include "tls_internal.h"

#include <stdio.h>

/* ---- small DER and PEM builders ------------------------------------------ */

typedef struct {
    unsigned char b[8192];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* tag + definite length + content */
static void tlv(buf *o, unsigned char tag, const buf *content)
{
    unsigned char h[4];
    size_t hl = 0, n = content->n;
    h[hl++] = tag;
    if (n < 0x80) {
        h[hl++] = (unsigned char)n;
    } else if (n < 0x100) {
        h[hl++] = 0x81;
        h[hl++] = (unsigned char)n;
    } else {
        h[hl++] = 0x82;
        h[hl++] = (unsigned char)(n >> 8);
        h[hl++] = (unsigned char)n;
    }
    put(o, h, hl);
    put(o, content->b, content->n);
}

static void tlv_raw(buf *o, unsigned char tag, const void *p, size_t n)
{
    static buf c;
    c.n = 0;
    put(&c, p, n);
    tlv(o, tag, &c);
}

static void integer_of(buf *o, size_t len, unsigned char fill)
{
    static unsigned char v[1024];
    memset(v, fill, len);
    v[0] = 0x01;
    tlv_raw(o, 0x02, v, len);
}

static size_t b64(const unsigned char *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = t[(v >> 6) & 63];
        out[o++] = t[v & 63];
        if ((o % 65) == 64)
            out[o++] = '\n';
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0);
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static size_t pem_of(const char *label, const buf *der, char *out, size_t cap)
{
    static char body[12000];
    b64(der->b, der->n, body);
    return (size_t)snprintf(out, cap, "-----BEGIN %s-----\n%s\n-----END %s-----\n",
                            label, body, label);
}

/* ---- pins ------------------------------------------------------------- */

static void test_pins(void)
{
    tt_tls_config cfg;
    tt_error e;
    tt_tls_config_init(&cfg);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", &e), 0);
    CHECK_INT(cfg.npins, 1);
    /* sha256("") = e3b0c442... */
    CHECK(cfg.pins[0][0] == 0xe3 && cfg.pins[0][1] == 0xb0 && cfg.pins[0][31] == 0x55);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
                                    "sha256//BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=", &e), 0);
    CHECK_INT(cfg.npins, 3);
    CHECK_INT(tt_tls_add_pins(&cfg, "md5//AAAA", &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//AAAA", &e), -1);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!=", &e), -1);
    CHECK_INT(tt_tls_add_pins(&cfg, "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;"
                                    "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", &e), -1);
    CHECK(strstr(e.msg, "TT_TLS_MAX_PINS") != NULL);
}

/* ---- key guard --------------------------------------------------------- */

/* PKCS#1 RSA key whose five CRT parts are `part` bytes each. */
static void rsa_key_der(buf *out, size_t part)
{
    static buf seq;
    seq.n = 0;
    integer_of(&seq, 1, 0);      /* version */
    integer_of(&seq, 256, 0xab); /* n */
    integer_of(&seq, 3, 0x01);   /* e */
    integer_of(&seq, 256, 0xcd); /* d */
    integer_of(&seq, part, 0x11);
    integer_of(&seq, part, 0x22);
    integer_of(&seq, part, 0x33);
    integer_of(&seq, part, 0x44);
    integer_of(&seq, part, 0x55);
    out->n = 0;
    tlv(out, 0x30, &seq);
}

static void test_oversized_key_refused_before_decoding(void)
{
    static unsigned char arena[16384];
    static char pem[16384];
    static buf der;
    tt_tls_store st;
    tt_error e;
    size_t n;
    /* 5 x 320 = 1600 bytes: more than the 1536 BearSSL 0.6 has room for */
    rsa_key_der(&der, 320);
    n = pem_of("RSA PRIVATE KEY", &der, pem, sizeof pem);
    tt_tls_store_init(&st, arena, sizeof arena);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK(strstr(e.msg, "exceed the decoder's 1536-byte buffer") != NULL);
    CHECK_INT(st.key.type, 0);
    /* the same shape within the bound goes on to BearSSL's decoder, and
     * its parts land in the arena */
    rsa_key_der(&der, 300);
    n = pem_of("RSA PRIVATE KEY", &der, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), 0);
    CHECK_INT(st.key.type, BR_KEYTYPE_RSA);
    CHECK_INT(st.key.rsa.plen, 300);
    CHECK(st.key.rsa.p >= arena && st.key.rsa.p < arena + sizeof arena);
}

static void test_key_formats_refused(void)
{
    static unsigned char arena[4096];
    static char pem[4096];
    static buf der;
    tt_tls_store st;
    tt_error e;
    size_t n;
    der.n = 0;
    tlv_raw(&der, 0x30, "\x02\x01\x00", 3);
    n = pem_of("ENCRYPTED PRIVATE KEY", &der, pem, sizeof pem);
    tt_tls_store_init(&st, arena, sizeof arena);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK(strstr(e.msg, "encrypted") != NULL);
    n = pem_of("PRIVATE KEY", &der, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK(strstr(e.msg, "not an RSA or EC private key") != NULL);
    CHECK_INT(tt_tls_add_key_pem(&st, "-----BEGIN PRIVATE KEY-----\nAAAA", 32, &e), -1);
    CHECK(strstr(e.msg, "truncated PEM") != NULL);
    CHECK_INT(tt_tls_add_chain_pem(&st, "nothing here\n", 13, &e), -1);
    CHECK(strstr(e.msg, "no certificate") != NULL);
}

/* ---- DER walk: IP SAN and SPKI hash ------------------------------------ */

static buf cert_der, spki_der;

/* A certificate-shaped DER: what the walk reads, filler elsewhere. */
static void build_cert(const unsigned char *ip, size_t iplen)
{
    static buf tbs, exts, ext, san, names, tmp, seq;
    static const unsigned char oid_san[] = { 0x55, 0x1d, 0x11 };
    static const unsigned char oid_bc[] = { 0x55, 0x1d, 0x13 };
    static const unsigned char key[65] = { 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9 };

    names.n = 0;
    tlv_raw(&names, 0x82, "localhost", 9);
    tlv_raw(&names, 0x87, "\x0a\x00\x00\x09", 4);
    tlv_raw(&names, 0x87, ip, iplen);
    san.n = 0;
    tlv(&san, 0x30, &names);
    ext.n = 0;
    tlv_raw(&ext, 0x06, oid_san, sizeof oid_san);
    tlv(&ext, 0x04, &san);
    exts.n = 0;
    tmp.n = 0;
    tlv_raw(&tmp, 0x06, oid_bc, sizeof oid_bc);
    tlv_raw(&tmp, 0x01, "\xff", 1);
    tlv_raw(&tmp, 0x04, "\x30\x03\x01\x01\xff", 5);
    tlv(&exts, 0x30, &tmp);          /* basicConstraints first */
    tlv(&exts, 0x30, &ext);          /* then subjectAltName */
    seq.n = 0;
    tlv(&seq, 0x30, &exts);

    spki_der.n = 0;
    tmp.n = 0;
    tlv_raw(&tmp, 0x06, "\x2a\x86\x48\xce\x3d\x02\x01", 7);
    {
        static buf alg, bits;
        alg.n = 0;
        tlv(&alg, 0x30, &tmp);
        bits.n = 0;
        put(&bits, "\x00", 1);
        put(&bits, key, sizeof key);
        tmp.n = 0;
        put(&tmp, alg.b, alg.n);
        tlv(&tmp, 0x03, &bits);
    }
    tlv(&spki_der, 0x30, &tmp);

    tbs.n = 0;
    tlv_raw(&tbs, 0xa0, "\x02\x01\x02", 3);         /* version */
    tlv_raw(&tbs, 0x02, "\x10\x00", 2);             /* serial */
    tlv_raw(&tbs, 0x30, "\x06\x01\x00", 3);         /* signature alg */
    tlv_raw(&tbs, 0x30, "\x31\x00", 2);             /* issuer */
    /* validity: two empty UTCTimes, which make BearSSL 0.6's decoder fail
     * (and crash, if pushed more bytes after failing) */
    tlv_raw(&tbs, 0x30, "\x17\x00\x17\x00", 4);
    tlv_raw(&tbs, 0x30, "\x31\x00", 2);             /* subject */
    put(&tbs, spki_der.b, spki_der.n);
    tlv(&tbs, 0xa3, &seq);                          /* extensions */
    tmp.n = 0;
    tlv(&tmp, 0x30, &tbs);
    tlv_raw(&tmp, 0x30, "\x06\x01\x00", 3);
    tlv_raw(&tmp, 0x03, "\x00\x01", 2);
    cert_der.n = 0;
    tlv(&cert_der, 0x30, &tmp);
}

/* Run the X.509 engine (insecure: the bare decoder) over the certificate
 * in pieces of `piece` bytes; report the walk's findings. */
static void walk_cert(const char *host, tt_tls_config *cfg, size_t piece, tt_x509 *x)
{
    tt_url u;
    size_t i;
    const br_x509_class **vt = &x->vtable;
    tt_url_parse(&u, host, strlen(host), NULL);
    cfg->insecure = 1;
    tt_x509_setup(x, cfg, &u, 0, 0);
    x->vtable->start_chain(vt, NULL);
    x->vtable->start_cert(vt, (uint32_t)cert_der.n);
    for (i = 0; i < cert_der.n; i += piece)
        x->vtable->append(vt, cert_der.b + i,
                          cert_der.n - i < piece ? cert_der.n - i : piece);
    x->vtable->end_cert(vt);
}

static void test_walk_finds_ip_san_in_every_split(void)
{
    static tt_x509 x;
    tt_tls_config cfg;
    size_t piece;
    build_cert((const unsigned char *)"\x7f\x00\x00\x01", 4);
    tt_tls_config_init(&cfg);
    for (piece = 1; piece <= cert_der.n; piece++) {
        walk_cert("https://127.0.0.1/", &cfg, piece, &x);
        if (!x.ip_matched || x.walk.failed) {
            tt_test_fail(__FILE__, __LINE__, "piece %zu: matched %d failed %d", piece,
                         x.ip_matched, x.walk.failed);
            return;
        }
    }
    walk_cert("https://10.0.0.8/", &cfg, 7, &x);
    CHECK(!x.ip_matched);
    CHECK(!x.walk.failed);
    walk_cert("https://[::1]/", &cfg, 3, &x);
    CHECK(!x.ip_matched);
}

static void test_walk_matches_ipv6(void)
{
    static tt_x509 x;
    tt_tls_config cfg;
    static const unsigned char v6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 };
    build_cert(v6, 16);
    tt_tls_config_init(&cfg);
    walk_cert("https://[fd00::7]:8443/", &cfg, 5, &x);
    CHECK(x.ip_matched);
}

static void test_walk_hashes_spki_in_every_split(void)
{
    static tt_x509 x;
    tt_tls_config cfg;
    br_sha256_context sha;
    unsigned char want[32];
    size_t piece;
    build_cert((const unsigned char *)"\x7f\x00\x00\x01", 4);
    br_sha256_init(&sha);
    br_sha256_update(&sha, spki_der.b, spki_der.n);
    br_sha256_out(&sha, want);
    tt_tls_config_init(&cfg);
    cfg.npins = 1;
    memcpy(cfg.pins[0], want, 32);
    for (piece = 1; piece <= cert_der.n; piece++) {
        walk_cert("https://h/", &cfg, piece, &x);
        if (!x.spki_done || memcmp(x.spki_hash, want, 32) != 0) {
            tt_test_fail(__FILE__, __LINE__, "piece %zu: hash differs", piece);
            return;
        }
    }
}

static void test_walk_survives_garbage(void)
{
    static tt_x509 x;
    tt_tls_config cfg;
    size_t i, k;
    uint32_t seed = 7;
    build_cert((const unsigned char *)"\x7f\x00\x00\x01", 4);
    tt_tls_config_init(&cfg);
    /* flip bytes one at a time: the walk may fail, never overrun */
    for (i = 0; i < cert_der.n; i++) {
        unsigned char keep = cert_der.b[i];
        for (k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            cert_der.b[i] = (unsigned char)(seed >> 16);
            walk_cert("https://127.0.0.1/", &cfg, 1 + (seed >> 8) % 9, &x);
        }
        cert_der.b[i] = keep;
    }
    walk_cert("https://127.0.0.1/", &cfg, 11, &x);
    CHECK(x.ip_matched);
}

/* Keys whose DER is not what it claims: each is refused by name, before
 * BearSSL's decoder sees it; PKCS#8 inside PKCS#8 is not unwrapped again. */
static void test_malformed_keys_refused(void)
{
    static unsigned char arena[8192];
    static char pem[8192];
    static buf der, inner, tmp, big;
    tt_tls_store st;
    tt_error e;
    size_t n;
    /* PKCS#8 wrapping PKCS#8 */
    inner.n = 0;
    tlv_raw(&inner, 0x02, "\x00", 1);
    tlv_raw(&inner, 0x30, "\x06\x01\x2a", 3);
    tlv_raw(&inner, 0x04, "\x30\x03\x02\x01\x00", 5);
    tmp.n = 0;
    tlv(&tmp, 0x30, &inner);             /* a PKCS#8 key as the octets */
    der.n = 0;
    tlv_raw(&der, 0x02, "\x00", 1);
    tlv_raw(&der, 0x30, "\x06\x01\x2a", 3);
    tlv(&der, 0x04, &tmp);
    tmp.n = 0;
    tlv(&tmp, 0x30, &der);
    n = pem_of("PRIVATE KEY", &tmp, pem, sizeof pem);
    tt_tls_store_init(&st, arena, sizeof arena);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK(strstr(e.msg, "not an RSA or EC private key") != NULL);
    /* PKCS#1 whose parts are not all INTEGERs */
    der.n = 0;
    tlv_raw(&der, 0x02, "\x00", 1);
    tlv_raw(&der, 0x02, "\x01", 1);
    tlv_raw(&der, 0x04, "\x01", 1);
    tmp.n = 0;
    tlv(&tmp, 0x30, &der);
    n = pem_of("RSA PRIVATE KEY", &tmp, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK(strstr(e.msg, "not an RSA or EC private key") != NULL);
    /* a version that is not an INTEGER, a length of five bytes */
    tmp.n = 0;
    tlv_raw(&tmp, 0x30, "\x04\x01\x00", 3);
    n = pem_of("EC PRIVATE KEY", &tmp, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    tmp.n = 0;
    put(&tmp, "\x30\x85\x01\x00\x00\x00\x00", 7);
    n = pem_of("EC PRIVATE KEY", &tmp, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    /* a key block larger than the loader's DER buffer */
    big.n = 0;
    integer_of(&big, 1000, 0x11);
    integer_of(&big, 1000, 0x22);
    integer_of(&big, 1000, 0x33);
    tmp.n = 0;
    tlv(&tmp, 0x30, &big);
    n = pem_of("RSA PRIVATE KEY", &tmp, pem, sizeof pem);
    CHECK_INT(tt_tls_add_key_pem(&st, pem, n, &e), -1);
    CHECK_INT(e.code, TT_E_TLS_LOAD);
    CHECK_INT(st.key.type, 0);
}

/* A DER header for tag and length into p; returns its size. */
static size_t der_hdr(unsigned char *p, unsigned char tag, size_t len)
{
    p[0] = tag;
    if (len < 128) {
        p[1] = (unsigned char)len;
        return 2;
    }
    p[1] = 0x82;
    p[2] = (unsigned char)(len >> 8);
    p[3] = (unsigned char)len;
    return 4;
}

/*
 * A certificate whose one extension has a 300-byte OID, fed to the
 * certificate walker in BearSSL's 256-byte pieces: the captured OID spans
 * two pieces. The capture buffer holds 16 bytes; nothing after it in the
 * walker may change (a hostile server's certificate, before any check).
 */
static void test_long_oid_across_pieces(void)
{
    static unsigned char der[1024];
    unsigned char oid[300], ext[320], exts[330], wrap[340], tbs[400], cert[420];
    size_t n_ext, n_exts, n_wrap, n_tbs, n_cert, off;
    static const unsigned char fields[] = {
        0xa0, 3, 2, 1, 2,        /* [0] version 3 */
        2, 1, 1,                 /* serial */
        0x30, 0, 0x30, 0, 0x30, 0, 0x30, 0, 0x30, 0 /* alg, issuer, validity, subject, spki */
    };
    tt_tls_config cfg;
    tt_url url;
    tt_x509 x;
    tt_error e;
    const br_x509_class **vt = &x.vtable;
    memset(oid, 0x41, sizeof oid);
    /* extension: SEQ { OID, OCTET STRING "" } */
    n_ext = der_hdr(ext, 0x06, sizeof oid);
    memcpy(ext + n_ext, oid, sizeof oid);
    n_ext += sizeof oid;
    ext[n_ext++] = 0x04;
    ext[n_ext++] = 0;
    n_exts = der_hdr(exts, 0x30, n_ext);
    memcpy(exts + n_exts, ext, n_ext);
    n_exts += n_ext;                          /* SEQ { extension } */
    n_wrap = der_hdr(wrap, 0x30, n_exts);
    memcpy(wrap + n_wrap, exts, n_exts);
    n_wrap += n_exts;                         /* Extensions SEQUENCE */
    n_tbs = 0;
    memcpy(tbs, fields, sizeof fields);
    n_tbs = sizeof fields;
    n_tbs += der_hdr(tbs + n_tbs, 0xa3, n_wrap);
    memcpy(tbs + n_tbs, wrap, n_wrap);
    n_tbs += n_wrap;
    n_cert = der_hdr(cert, 0x30, n_tbs);
    memcpy(cert + n_cert, tbs, n_tbs);
    n_cert += n_tbs;
    off = der_hdr(der, 0x30, n_cert);
    memcpy(der + off, cert, n_cert);
    off += n_cert;

    tt_tls_config_init(&cfg);
    cfg.insecure = 1;
    CHECK_INT(tt_url_parse(&url, "https://10.0.0.1/", 17, &e), 0);
    tt_x509_setup(&x, &cfg, &url, 0, 0);
    (*vt)->start_chain(vt, NULL);
    (*vt)->start_cert(vt, (uint32_t)off);
    (*vt)->append(vt, der, 256);
    (*vt)->append(vt, der + 256, off - 256);
    (*vt)->end_cert(vt);
    /* the walker read it all, and what follows the capture is intact */
    CHECK_INT(x.walk.failed, 0);
    CHECK_INT(x.walk.done, 1);
    CHECK_INT(x.walk.version_offset, 1);
    CHECK_INT(x.walk.is_san, 0);
    CHECK_INT(x.ip_matched, 0);
    CHECK_INT(x.iplen, 4);
}

void suite_tls(void)
{
    static const tt_test tests[] = {
        { "pins", test_pins },
        { "malformed_keys_refused", test_malformed_keys_refused },
        { "long_oid_across_pieces", test_long_oid_across_pieces },
        { "oversized_key_refused_before_decoding", test_oversized_key_refused_before_decoding },
        { "key_formats_refused", test_key_formats_refused },
        { "walk_finds_ip_san_in_every_split", test_walk_finds_ip_san_in_every_split },
        { "walk_matches_ipv6", test_walk_matches_ipv6 },
        { "walk_hashes_spki_in_every_split", test_walk_hashes_spki_in_every_split },
        { "walk_survives_garbage", test_walk_survives_garbage },
    };
    tt_run_suite("tls", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
