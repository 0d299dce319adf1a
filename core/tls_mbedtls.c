/*
 * tether TLS over Mbed TLS 3.6: TLS 1.2 and 1.3, the contract of tls.h.
 *
 * Mbed TLS calls calloc and free with no context. tether gives it one: for
 * the length of each call into the library, the thread's current heap is
 * the arena of the connection (or store) being worked on, and its clock
 * and randomness are that connection's port. Outside such a call Mbed TLS
 * gets no memory at all. The two thread-local pointers are the only state
 * outside the caller's structs, besides PSA's key slots (static, inside
 * Mbed TLS: every key is destroyed when its connection ends).
 */
#include "tether/config.h"
#if TT_FEATURE_TLS && TT_TLS_MBEDTLS

#include "tether/timefmt.h"
#include "tls_internal.h"

#include <mbedtls/pem.h>
#include <mbedtls/platform.h>
#include <mbedtls/psa_util.h>
#include <psa/crypto.h>

#include <stdarg.h>
#include <string.h>

static __thread tt_tls_heap *cur_heap;
static __thread const tt_port *cur_port;

/* ---- the heap ------------------------------------------------------------ */

#define HDR 16u                  /* a block's header: its size and use */

typedef struct block {
    size_t size;                 /* the whole block, header included */
    size_t used;
} block;

static size_t round16(size_t n)
{
    return (n + 15u) & ~(size_t)15u;
}

static void heap_init(tt_tls_heap *h, void *mem, size_t cap)
{
    uintptr_t a = ((uintptr_t)mem + 15u) & ~(uintptr_t)15u;
    size_t skip = (size_t)(a - (uintptr_t)mem);
    memset(h, 0, sizeof *h);
    if (cap < skip + 2 * HDR)
        return;
    h->base = (unsigned char *)a;
    h->cap = (cap - skip) & ~(size_t)15u;
    ((block *)h->base)->size = h->cap;
    ((block *)h->base)->used = 0;
}

static void *heap_alloc(tt_tls_heap *h, size_t n)
{
    size_t need = round16(n == 0 ? 1 : n) + HDR, off = 0;
    if (n > h->cap)
        goto refuse;
    while (off < h->cap) {
        block *b = (block *)(h->base + off);
        if (!b->used && b->size >= need) {
            if (b->size - need >= 2 * HDR) {
                block *rest = (block *)(h->base + off + need);
                rest->size = b->size - need;
                rest->used = 0;
                b->size = need;
            }
            b->used = 1;
            h->in_use += b->size;
            if (h->in_use > h->peak)
                h->peak = h->in_use;
            memset((unsigned char *)b + HDR, 0, b->size - HDR);
            return (unsigned char *)b + HDR;
        }
        off += b->size;
    }
refuse:
    h->refused = n;
    return NULL;
}

/* Free, then merge every run of free blocks (frees are few per call). */
static void heap_free(tt_tls_heap *h, void *p)
{
    unsigned char *q = p;
    size_t off = 0;
    block *b;
    if (q == NULL || h->base == NULL || q < h->base + HDR || q >= h->base + h->cap)
        return; /* not from this heap: never touched */
    b = (block *)(q - HDR);
    if (!b->used)
        return;
    b->used = 0;
    h->in_use -= b->size;
    while (off < h->cap) {
        block *c = (block *)(h->base + off);
        while (!c->used && off + c->size < h->cap) {
            block *next = (block *)(h->base + off + c->size);
            if (next->used)
                break;
            c->size += next->size;
        }
        off += c->size;
    }
}

void *tt_mbed_calloc(size_t n, size_t size)
{
    if (cur_heap == NULL || (size != 0 && n > (size_t)-1 / size))
        return NULL;
    return heap_alloc(cur_heap, n * size);
}

void tt_mbed_free(void *p)
{
    if (cur_heap != NULL)
        heap_free(cur_heap, p);
}

/* The port's monotonic clock: TLS 1.3 ticket ages. */
mbedtls_ms_time_t mbedtls_ms_time(void)
{
    return cur_port != NULL ? cur_port->ops->now_ms(cur_port->ctx) : 0;
}

/* PSA's randomness: the port's. */
psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
                                             uint8_t *out, size_t size, size_t *len)
{
    (void)ctx;
    *len = 0;
    if (cur_port == NULL || cur_port->ops->random(cur_port->ctx, out, size) != TT_PORT_OK)
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    *len = size;
    return PSA_SUCCESS;
}

static void enter(tt_tls_heap *h, const tt_port *port)
{
    cur_heap = h;
    cur_port = port;
}

static void leave(void)
{
    cur_heap = NULL;
    cur_port = NULL;
}

static int rng(void *ctx, unsigned char *out, size_t n)
{
    return mbedtls_psa_get_random(ctx, out, n);
}

/* ---- SHA-256 ------------------------------------------------------------- */

void tt_sha256_init(tt_sha256 *c)
{
    mbedtls_sha256_init(c);
    mbedtls_sha256_starts(c, 0);
}

void tt_sha256_update(tt_sha256 *c, const void *data, size_t len)
{
    mbedtls_sha256_update(c, data, len);
}

void tt_sha256_final(tt_sha256 *c, unsigned char out[32])
{
    mbedtls_sha256_finish(c, out);
    mbedtls_sha256_free(c);
}

/* ---- the store ----------------------------------------------------------- */

void tt_tls_store_init(tt_tls_store *st, void *arena, size_t cap)
{
    memset(st, 0, sizeof *st);
    heap_init(&st->heap, arena, cap);
    mbedtls_x509_crt_init(&st->anchors);
    mbedtls_x509_crt_init(&st->chain);
    mbedtls_pk_init(&st->key);
}

enum { WANT_ANCHORS, WANT_CHAIN, WANT_KEY };

static int load_fail(tt_error *err, const char *what, const char *path)
{
    return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL, "%s: %s", path, what);
}

static int arena_full(tt_tls_store *st, tt_error *err, const char *path)
{
    return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_TLS_ARENA, NULL,
                        "%s: TLS store arena too small: at least %zu bytes needed, %zu "
                        "available", path, st->heap.in_use + st->heap.refused + 16,
                        st->heap.cap);
}

static int known_anchor(const tt_tls_store *st, const mbedtls_x509_buf *raw)
{
    const mbedtls_x509_crt *c;
    for (c = &st->anchors; c != NULL && c->raw.p != NULL; c = c->next)
        if (c->raw.len == raw->len && memcmp(c->raw.p, raw->p, raw->len) == 0)
            return 1;
    return 0;
}

/* The DER of a PEM certificate under any of OpenSSL's labels, decoded
 * into pem (freed by the caller): 0, or an Mbed TLS error. */
static int cert_der(mbedtls_pem_context *pem, const char *buf, const unsigned char **der,
                    size_t *len)
{
    static const char *const labels[] = { "CERTIFICATE", "X509 CERTIFICATE",
                                          "TRUSTED CERTIFICATE" };
    char head[40], foot[40];
    size_t i, used;
    int rc = MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT;
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        tt_fmt(head, sizeof head, "-----BEGIN %s-----", labels[i]);
        tt_fmt(foot, sizeof foot, "-----END %s-----", labels[i]);
        rc = mbedtls_pem_read_buffer(pem, head, foot, (const unsigned char *)buf, NULL, 0, &used);
        if (rc != MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT)
            break;
    }
    *der = rc == 0 ? mbedtls_pem_get_buffer(pem, len) : NULL;
    return rc;
}

/* A certificate into a chain of the store; a CA is kept once however many
 * times it is given (a directory holds each as its file, its hash link and
 * an entry of the bundle). */
static int take_cert(tt_tls_store *st, int want, const char *buf, const char *path,
                     tt_error *err)
{
    mbedtls_pem_context pem;
    mbedtls_x509_buf raw;
    const unsigned char *der;
    size_t len = 0;
    int rc;
    mbedtls_pem_init(&pem);
    rc = cert_der(&pem, buf, &der, &len);
    raw.p = (unsigned char *)der;
    raw.len = len;
    if (rc == 0 && (want != WANT_ANCHORS || !known_anchor(st, &raw))) {
        rc = mbedtls_x509_crt_parse_der(want == WANT_ANCHORS ? &st->anchors : &st->chain, der,
                                        len);
        if (rc == 0 && want == WANT_ANCHORS)
            st->nanchors++;
        else if (rc == 0)
            st->nchain++;
    }
    mbedtls_pem_free(&pem);
    if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED || rc == MBEDTLS_ERR_PEM_ALLOC_FAILED)
        return arena_full(st, err, path);
    return rc == 0 ? 0 : load_fail(err, "bad certificate", path);
}

size_t tt_tls_store_used(const tt_tls_store *st)
{
    return st->heap.peak;
}

/* One PEM object, NUL-terminated in buf[0..len]: into the store. */
static int take_object(tt_tls_store *st, int want, const char *buf, size_t len,
                       const char *path, tt_error *err)
{
    int rc;
    int is_cert = strstr(buf, " CERTIFICATE-----") != NULL;
    if (want == WANT_KEY) {
        if (is_cert)
            return 0;
        if (strstr(buf, "ENCRYPTED") != NULL)
            return load_fail(err, "encrypted keys are not supported", path);
        if (st->has_key)
            return load_fail(err, "more than one private key", path);
        rc = mbedtls_pk_parse_key(&st->key, (const unsigned char *)buf, len + 1, NULL, 0, rng,
                                  MBEDTLS_PSA_RANDOM_STATE);
        if (rc == MBEDTLS_ERR_PK_ALLOC_FAILED)
            return arena_full(st, err, path);
        if (rc != 0)
            return load_fail(err, "not a private key Mbed TLS can read (PKCS#8, SEC1, PKCS#1)",
                             path);
        st->has_key = 1;
        return 0;
    }
    if (!is_cert)
        return 0; /* files holding other things are skipped */
    if (want == WANT_CHAIN && st->nchain == TT_TLS_CHAIN_MAX)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_TLS_LOAD, NULL,
                            "%s: more than TT_TLS_CHAIN_MAX (%u) certificates", path,
                            (unsigned)TT_TLS_CHAIN_MAX);
    return take_cert(st, want, buf, path, err);
}

/* PEM text in pieces, split into objects at their END lines. */
typedef struct pem_split {
    tt_tls_store *st;
    int want;
    const char *path;
    char *buf;                   /* from the store's heap, freed after */
    size_t cap, len;
    int in_object;
} pem_split;

#define PEM_OBJECT_MAX 16384

/* Twice the room, up to PEM_OBJECT_MAX: most objects need 2 KiB. */
static int grow(pem_split *s, tt_error *err)
{
    char *bigger;
    if (s->cap >= PEM_OBJECT_MAX)
        return load_fail(err, "PEM object larger than 16 KiB", s->path);
    bigger = heap_alloc(&s->st->heap, s->cap * 2);
    if (bigger == NULL)
        return arena_full(s->st, err, s->path);
    memcpy(bigger, s->buf, s->len);
    heap_free(&s->st->heap, s->buf);
    s->buf = bigger;
    s->cap *= 2;
    return 0;
}

static int split_push(pem_split *s, const char *p, size_t n, tt_error *err)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = p[i];
        if (s->len + 1 >= s->cap && grow(s, err) != 0)
            return -1;
        s->buf[s->len++] = c;
        if (c != '\n')
            continue;
        s->buf[s->len] = '\0';
        /* the line just ended */
        {
            char *line = s->buf + s->len - 1;
            while (line > s->buf && line[-1] != '\n')
                line--;
            if (strncmp(line, "-----BEGIN ", 11) == 0 && !s->in_object) {
                memmove(s->buf, line, (size_t)(s->buf + s->len - line));
                s->len = (size_t)(s->buf + s->len - line);
                s->in_object = 1;
            } else if (strncmp(line, "-----END ", 9) == 0 && s->in_object) {
                s->buf[s->len] = '\0';
                if (take_object(s->st, s->want, s->buf, s->len, s->path, err) != 0)
                    return -1;
                s->len = 0;
                s->in_object = 0;
            } else if (!s->in_object) {
                s->len = 0;
            }
        }
    }
    return 0;
}

static int split_start(pem_split *s, tt_tls_store *st, int want, const char *path,
                       tt_error *err)
{
    memset(s, 0, sizeof *s);
    s->st = st;
    s->want = want;
    s->path = path;
    s->cap = 2048;
    s->buf = heap_alloc(&st->heap, s->cap);
    return s->buf != NULL ? 0 : arena_full(st, err, path);
}

static int split_finish(pem_split *s, tt_error *err)
{
    int rc = 0;
    if (s->len > 0 && s->in_object)
        rc = split_push(s, "\n", 1, err);
    if (rc == 0 && s->in_object)
        rc = load_fail(err, "truncated PEM object", s->path);
    heap_free(&s->st->heap, s->buf);
    return rc;
}

static int load_text(tt_tls_store *st, int want, const char *pem, size_t len, const char *path,
                     tt_error *err)
{
    pem_split s;
    int rc;
    enter(&st->heap, NULL);
    psa_crypto_init();
    if (split_start(&s, st, want, path, err) != 0) {
        leave();
        return -1;
    }
    rc = split_push(&s, pem, len, err);
    if (rc == 0)
        rc = split_finish(&s, err);
    else
        heap_free(&st->heap, s.buf);
    leave();
    return rc;
}

static int load_file(tt_tls_store *st, int want, const tt_port *port, const char *path,
                     tt_error *err)
{
    static const char *const why[] = { "cannot open", "no such file" };
    pem_split s;
    tt_file f;
    char chunk[512];
    int rc;
    if (port->ops->file_open == NULL)
        return load_fail(err, "this port has no file system", path);
    rc = port->ops->file_open(port->ctx, &f, path);
    if (rc != TT_PORT_OK)
        return load_fail(err, why[rc == TT_PORT_ENOTFOUND], path);
    enter(&st->heap, port);
    psa_crypto_init();
    rc = split_start(&s, st, want, path, err);
    while (rc == 0) {
        long n = port->ops->file_read(port->ctx, &f, chunk, sizeof chunk);
        if (n <= 0) {
            rc = n < 0 ? load_fail(err, "read error", path) : split_finish(&s, err);
            break;
        }
        rc = split_push(&s, chunk, (size_t)n, err);
    }
    if (rc != 0 && s.buf != NULL)
        heap_free(&st->heap, s.buf);
    port->ops->file_close(port->ctx, &f);
    leave();
    return rc;
}

typedef struct dir_load {
    tt_tls_store *st;
    const tt_port *port;
    char path[TT_TLS_PATH_MAX];
    const char *dir;
    tt_error *err;
    int failed;
} dir_load;

static int dir_entry(void *user, const char *name)
{
    dir_load *d = user;
    tt_error ignored;
    if (name[0] == '.')
        return 0;
    if (tt_tls_dir_path(d->path, d->dir, name, d->err) != 0) {
        d->failed = 1;
        return -1;
    }
    /* files that are not PEM certificates are skipped, as with BearSSL */
    if (load_file(d->st, WANT_ANCHORS, d->port, d->path, &ignored) != 0 &&
        ignored.code == TT_E_LIMIT_TLS_ARENA) {
        *d->err = ignored;
        d->failed = 1;
        return -1;
    }
    return 0;
}

int tt_tls_load_anchors(tt_tls_store *st, const tt_port *port, const char *path,
                        tt_error *err)
{
    if (st->nanchors > 0)
        return load_fail(err, "trust anchors are already loaded", path);
    if (port->ops->list_dir != NULL) {
        dir_load d;
        int rc;
        memset(&d, 0, sizeof d);
        d.st = st;
        d.port = port;
        d.dir = path;
        d.err = err;
        rc = port->ops->list_dir(port->ctx, path, dir_entry, &d);
        if (d.failed)
            return -1;
        if (rc == TT_PORT_OK)
            return st->nanchors > 0 ? 0 : load_fail(err, "no certificate found", path);
    }
    if (load_file(st, WANT_ANCHORS, port, path, err) != 0)
        return -1;
    return st->nanchors > 0 ? 0 : load_fail(err, "no certificate found", path);
}

int tt_tls_add_anchors_pem(tt_tls_store *st, const char *pem, size_t len, tt_error *err)
{
    size_t before = st->nanchors;
    if (before > 0)
        return load_fail(err, "trust anchors are already loaded", "(memory)");
    if (load_text(st, WANT_ANCHORS, pem, len, "(PEM text)", err) != 0)
        return -1;
    return st->nanchors > before ? 0 : load_fail(err, "no certificate found", "(PEM text)");
}

int tt_tls_load_chain(tt_tls_store *st, const tt_port *port, const char *path,
                      tt_error *err)
{
    if (load_file(st, WANT_CHAIN, port, path, err) != 0)
        return -1;
    return st->nchain > 0 ? 0 : load_fail(err, "no certificate found", path);
}

int tt_tls_add_chain_pem(tt_tls_store *st, const char *pem, size_t len, tt_error *err)
{
    if (load_text(st, WANT_CHAIN, pem, len, "(PEM text)", err) != 0)
        return -1;
    return st->nchain > 0 ? 0 : load_fail(err, "no certificate found", "(PEM text)");
}

int tt_tls_load_key(tt_tls_store *st, const tt_port *port, const char *path,
                    tt_error *err)
{
    if (load_file(st, WANT_KEY, port, path, err) != 0)
        return -1;
    return st->has_key ? 0 : load_fail(err, "no private key found", path);
}

int tt_tls_add_key_pem(tt_tls_store *st, const char *pem, size_t len, tt_error *err)
{
    if (load_text(st, WANT_KEY, pem, len, "(PEM text)", err) != 0)
        return -1;
    return st->has_key ? 0 : load_fail(err, "no private key found", "(PEM text)");
}

/* ---- verification: tether's checks over Mbed TLS's ----------------------- */

static int64_t x509_seconds(const mbedtls_x509_time *t)
{
    return tt_days_from_civil(t->year, (unsigned)t->mon, (unsigned)t->day) * 86400 +
           t->hour * 3600 + t->min * 60 + t->sec;
}

static int self_signed(const mbedtls_x509_crt *c)
{
    return c->issuer_raw.len == c->subject_raw.len &&
           memcmp(c->issuer_raw.p, c->subject_raw.p, c->issuer_raw.len) == 0;
}

static int pinned(tt_tls_conn *t, const mbedtls_x509_crt *leaf)
{
    unsigned char der[1200], sum[32];
    tt_sha256 h;
    size_t i;
    int n = mbedtls_pk_write_pubkey_der((mbedtls_pk_context *)&leaf->pk, der, sizeof der);
    if (n <= 0)
        return 0;
    tt_sha256_init(&h);
    tt_sha256_update(&h, der + sizeof der - n, (size_t)n);
    tt_sha256_final(&h, sum);
    for (i = 0; i < t->cfg->npins; i++)
        if (memcmp(sum, t->cfg->pins[i], 32) == 0)
            return 1;
    return 0;
}

static int ip_in_san(const tt_tls_conn *t, const mbedtls_x509_crt *leaf)
{
    const mbedtls_x509_sequence *s;
    for (s = &leaf->subject_alt_names; s != NULL && s->buf.p != NULL; s = s->next)
        if (s->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_IP_ADDRESS) &&
            s->buf.len == t->iplen && memcmp(s->buf.p, t->ip, t->iplen) == 0)
            return 1;
    return 0;
}

static void refuse(tt_tls_conn *t, int reason, int depth, uint32_t *flags)
{
    if (t->reason == 0 || depth <= t->bad_cert) {
        t->reason = reason;
        t->bad_cert = depth;
    }
    *flags |= MBEDTLS_X509_BADCERT_OTHER;
}

/* Called for every certificate, the root first; flags are Mbed TLS's
 * findings for it, which this replaces with tether's policy. */
static int verify_cert(void *user, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    tt_tls_conn *t = user;
    const struct tt_tls_config *cfg = t->cfg;
    int anchor = self_signed(crt), future;
    t->verified = 1;
    if (mbedtls_pk_get_type(&crt->pk) == MBEDTLS_PK_RSA &&
        mbedtls_pk_get_bitlen(&crt->pk) < tt_tls_rsa_floor(cfg)) {
        t->rsa_bits = (unsigned)mbedtls_pk_get_bitlen(&crt->pk);
        refuse(t, TT_E_TLS_WEAK_KEY, depth, flags);
    }
    *flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_BAD_KEY | MBEDTLS_X509_BADCERT_BAD_MD |
                          MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    /* pins without CAs: the pin is the trust (checked on the leaf, last) */
    if (cfg->npins > 0 && (cfg->store == NULL || cfg->store->nanchors == 0))
        *flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
    if (depth == 0 && cfg->npins > 0 && !pinned(t, crt))
        refuse(t, TT_E_TLS_PIN_MISMATCH, 0, flags);
    if (cfg->insecure) {
        *flags &= MBEDTLS_X509_BADCERT_OTHER; /* only what tether refused stays */
        return 0;
    }
    if (!anchor && (crt->MBEDTLS_PRIVATE(sig_md) == MBEDTLS_MD_SHA1 || crt->MBEDTLS_PRIVATE(sig_md) == MBEDTLS_MD_MD5)) {
        t->weak_hash = crt->MBEDTLS_PRIVATE(sig_md) == MBEDTLS_MD_SHA1 ? "SHA-1" : "MD5";
        refuse(t, TT_E_TLS_WEAK_SIGNATURE, depth, flags);
    }
    /* an anchor's own dates are not checked (BearSSL's anchors have none) */
    future = !t->open_start && t->now < x509_seconds(&crt->valid_from);
    if (!anchor && (future || t->now > x509_seconds(&crt->valid_to))) {
        if (t->reason == 0 || depth <= t->bad_cert) {
            t->date_future = future;
            t->date_limit = x509_seconds(future ? &crt->valid_from : &crt->valid_to);
        }
        refuse(t, future ? TT_E_TLS_NOT_YET_VALID : TT_E_TLS_EXPIRED, depth, flags);
    }
    if (depth == 0 && t->iplen > 0 && !ip_in_san(t, crt))
        refuse(t, TT_E_TLS_NAME_MISMATCH, 0, flags);
    return 0;
}

/* ---- errors --------------------------------------------------------------- */

static int tls_fail(tt_tls_conn *t, tt_error *err, tt_errcode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tt_error_vset(err, TT_ERR_TLS, code, t->host, fmt, ap);
    va_end(ap);
    return -1;
}

static int verify_error(tt_tls_conn *t, tt_error *err)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);
    char which[48];
    switch (t->reason) {
    case TT_E_TLS_WEAK_KEY:
        if (t->bad_cert == 0)
            return tls_fail(t, err, TT_E_TLS_WEAK_KEY,
                            "weak key: the server's RSA key has %u bits, fewer than %u",
                            t->rsa_bits, tt_tls_rsa_floor(t->cfg));
        return tls_fail(t, err, TT_E_TLS_WEAK_KEY, "weak key: %s has an RSA key of %u bits, "
                        "fewer than %u", tt_tls_which_cert(t->bad_cert, which, sizeof which),
                        t->rsa_bits, tt_tls_rsa_floor(t->cfg));
    case TT_E_TLS_PIN_MISMATCH:
        return tls_fail(t, err, TT_E_TLS_PIN_MISMATCH,
                        "pin mismatch: the server's public key is not the pinned one");
    case TT_E_TLS_WEAK_SIGNATURE:
        return tls_fail(t, err, TT_E_TLS_WEAK_SIGNATURE,
                        "weak signature: %s is signed with %s, which is refused",
                        tt_tls_which_cert(t->bad_cert, which, sizeof which), t->weak_hash);
    case TT_E_TLS_EXPIRED:
    case TT_E_TLS_NOT_YET_VALID:
        return tt_tls_date_error(err, t->host, t->bad_cert, t->date_future, t->date_limit, t->now);
    default:
        break;
    }
    if (t->reason == TT_E_TLS_NAME_MISMATCH || (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH))
        return tls_fail(t, err, TT_E_TLS_NAME_MISMATCH,
                        "certificate name mismatch: it does not name %s", t->host);
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        return tls_fail(t, err, TT_E_TLS_UNTRUSTED,
                        "untrusted certificate: no chain to a configured CA");
    return tls_fail(t, err, TT_E_TLS_BAD_CERT, "invalid server certificate (flags 0x%x)",
                    (unsigned)flags);
}

static int alert_error(tt_tls_conn *t, int alert, tt_error *err)
{
    const char *name = tt_tls_alert_name(alert);
    if (t->established && alert != 116 && !tt_tls_is_cert_alert(alert))
        /* after the handshake only a renegotiation the client declined ends
         * a session with an alert (renegotiation is not built in); a TLS
         * 1.3 server judges the client's certificate after the client's
         * handshake is over */
        return tls_fail(t, err, TT_E_TLS_RENEGOTIATION,
                        "the server asked to renegotiate the session, which tether "
                        "refuses, and ended it (alert %s, %d)", name, alert);
    int has_cert = t->cfg->store != NULL && t->cfg->store->nchain > 0;
    /* an alert answering the ClientHello: nothing in common */
    int early = t->ssl.MBEDTLS_PRIVATE(state) <= MBEDTLS_SSL_SERVER_HELLO;
    if (early && (alert == 40 || alert == 71))
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "no cipher suite or parameters in common with the server "
                        "(alert %s, %d)", tt_tls_alert_name(alert), alert);
    if (alert == 70)
        return tls_fail(t, err, TT_E_TLS_VERSION,
                        "the server refused the TLS versions offered (alert %s, %d)", name,
                        alert);
    /* a certificate alert before the ServerHello cannot be about ours:
     * the server asks for one only after it */
    if (!early && !has_cert && (alert == 116 || alert == 40 || tt_tls_is_cert_alert(alert)))
        return tls_fail(t, err, TT_E_TLS_CLIENT_CERT_REQUIRED,
                        "the server requires a client certificate and none was given "
                        "(alert %s, %d)", name, alert);
    if (!early && has_cert && (tt_tls_is_cert_alert(alert) || alert == 40))
        return tls_fail(t, err, TT_E_TLS_CLIENT_CERT_REJECTED,
                        "the server rejected the client certificate (alert %s, %d)", name,
                        alert);
    if (alert == 40 || alert == 71)
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "no cipher suite or parameters in common with the server "
                        "(alert %s, %d)", name, alert);
    return tls_fail(t, err, TT_E_TLS_HANDSHAKE, "the server sent a fatal alert: %s (%d)", name,
                    alert);
}

#define IO_FAILED (-0x7F80) /* a port error, kept in t->io_rc */

static int lib_error(tt_tls_conn *t, int rc, tt_phase ph, tt_error *err)
{
    if (rc == IO_FAILED && t->pending_alert >= 0)
        return alert_error(t, t->pending_alert, err);
    if (rc == IO_FAILED)
        return tt_error_port(err, t->io_rc, t->host, ph, t->sock->sys);
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
        return verify_error(t, err);
    if (rc == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
        return alert_error(t, t->ssl.MBEDTLS_PRIVATE(in_msg)[1], err);
    if (rc == MBEDTLS_ERR_SSL_CONN_EOF)
        return tls_fail(t, err, TT_E_TLS_HANDSHAKE,
                        "the server closed the connection during the TLS handshake");
    if (rc == MBEDTLS_ERR_SSL_INVALID_RECORD && !t->established &&
        memcmp(t->ssl.MBEDTLS_PRIVATE(in_hdr), "HTTP/", 5) == 0)
        return tls_fail(t, err, TT_E_TLS_VERSION,
                        "the server answered in plain HTTP, not TLS (wrong port or scheme?)");
    if (rc == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION || rc == MBEDTLS_ERR_SSL_INVALID_RECORD)
        return tls_fail(t, err, TT_E_TLS_VERSION,
                        "no TLS version in common with the server");
    if (rc == MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE)
        return tls_fail(t, err, TT_E_TLS_CIPHER,
                        "no cipher suite or parameters in common with the server");
    if (rc == MBEDTLS_ERR_SSL_ALLOC_FAILED || rc == MBEDTLS_ERR_X509_ALLOC_FAILED ||
        rc == MBEDTLS_ERR_PK_ALLOC_FAILED || rc == PSA_ERROR_INSUFFICIENT_MEMORY)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_TLS_ARENA, t->host,
                            "TLS connection arena too small: %zu of TT_TLS_MBEDTLS_ARENA "
                            "(%zu) in use, %zu more asked", t->heap.in_use, t->heap.cap,
                            t->heap.refused);
    /* Mbed TLS's error texts (MBEDTLS_ERROR_C) are not built in: its code */
    return tls_fail(t, err, TT_E_TLS_RECORD, "TLS failed: Mbed TLS error -0x%x",
                    (unsigned)-rc);
}

/* ---- the socket under Mbed TLS -------------------------------------------- */

static int bio_send(void *user, const unsigned char *buf, size_t len)
{
    tt_tls_conn *t = user;
    long n = t->port->ops->send(t->port->ctx, t->sock, buf, len, t->deadline, t->cancel);
    if (n < 0) {
        t->io_rc = n;
        if (!t->established && n != TT_PORT_ETIMEDOUT && n != TT_PORT_ECANCELLED)
            t->pending_alert = tt_tls_pending_alert(t->port, t->sock, t->deadline, t->cancel);
        return IO_FAILED;
    }
    return (int)n;
}

static int bio_recv(void *user, unsigned char *buf, size_t len)
{
    tt_tls_conn *t = user;
    long n = t->port->ops->recv(t->port->ctx, t->sock, buf, len, t->deadline, t->cancel);
    if (n < 0) {
        t->io_rc = n;
        return IO_FAILED;
    }
    return (int)n;
}

/* ---- connections ----------------------------------------------------------- */

/* ECDHE with AEAD only for TLS 1.2; TLS 1.3's own suites. */
static const int suites[] = {
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0
};

size_t tt_tls_conn_used(const tt_tls_conn *t)
{
    return sizeof(tt_tls_conn) - sizeof t->arena.bytes + t->heap.peak;
}

const char *tt_tls_backend(void)
{
    return "Mbed TLS 3.6 (TLS 1.2, TLS 1.3)";
}

/* Signature schemes offered, PKCS#1 before PSS for RSA: Mbed TLS 3.6
 * verifies RSA-PSS only in TLS 1.3, and a TLS 1.2 server (OpenSSL, Go)
 * picks the first scheme of the client's list it can use; a TLS 1.3
 * server skips the PKCS#1 ones, which 1.3 allows only in certificates.
 * No SHA-1. */
static const uint16_t sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,
    MBEDTLS_TLS1_3_SIG_NONE
};

static mbedtls_ssl_protocol_version version_of(unsigned v, mbedtls_ssl_protocol_version dflt)
{
    if (v == TT_TLS_VERSION_1_2)
        return MBEDTLS_SSL_VERSION_TLS1_2;
    if (v == TT_TLS_VERSION_1_3)
        return MBEDTLS_SSL_VERSION_TLS1_3;
    return dflt;
}

static int configure(tt_tls_conn *t, const tt_tls_config *cfg, const tt_url *url,
                     tt_error *err)
{
    const tt_tls_store *st = cfg->store;
    mbedtls_ssl_config *c = &t->conf;
    if ((cfg->max_version != 0 && cfg->max_version < TT_TLS_VERSION_1_2) ||
        (cfg->min_version != 0 && cfg->min_version > TT_TLS_VERSION_1_3))
        return tls_fail(t, err, TT_E_TLS_CONFIG, "TLS versions other than 1.2 and 1.3 are not spoken");
    if (mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return lib_error(t, MBEDTLS_ERR_SSL_ALLOC_FAILED, TT_PHASE_CONNECT, err);
    mbedtls_ssl_conf_rng(c, rng, MBEDTLS_PSA_RANDOM_STATE);
    mbedtls_ssl_conf_min_tls_version(c, version_of(cfg->min_version, MBEDTLS_SSL_VERSION_TLS1_2));
    mbedtls_ssl_conf_max_tls_version(c, version_of(cfg->max_version, MBEDTLS_SSL_VERSION_TLS1_3));
    mbedtls_ssl_conf_ciphersuites(c, suites);
    mbedtls_ssl_conf_sig_algs(c, sig_algs);
    /* renegotiation is not built in (no MBEDTLS_SSL_RENEGOTIATION) */
    mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_verify(c, verify_cert, t);
    t->profile = mbedtls_x509_crt_profile_default;
    t->profile.rsa_min_bitlen = tt_tls_rsa_floor(cfg) < 1024 ? tt_tls_rsa_floor(cfg) : 1024;
    t->profile.allowed_mds |= MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA1); /* named, then refused */
    mbedtls_ssl_conf_cert_profile(c, &t->profile);
    mbedtls_ssl_conf_session_tickets(c, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        c, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
    mbedtls_x509_crt_init(&t->no_anchors);
    mbedtls_ssl_conf_ca_chain(c, st != NULL && st->nanchors > 0 ? (mbedtls_x509_crt *)&st->anchors
                                                               : &t->no_anchors, NULL);
    if (st != NULL && st->nchain > 0 && st->has_key &&
        mbedtls_ssl_conf_own_cert(c, (mbedtls_x509_crt *)&st->chain,
                                  (mbedtls_pk_context *)&st->key) != 0)
        return lib_error(t, MBEDTLS_ERR_SSL_ALLOC_FAILED, TT_PHASE_CONNECT, err);
#if TT_TLS_MAX_FRAGMENT < 16384
    mbedtls_ssl_conf_max_frag_len(c, TT_TLS_MAX_FRAGMENT == 512    ? MBEDTLS_SSL_MAX_FRAG_LEN_512
                                     : TT_TLS_MAX_FRAGMENT == 1024 ? MBEDTLS_SSL_MAX_FRAG_LEN_1024
                                     : TT_TLS_MAX_FRAGMENT == 2048 ? MBEDTLS_SSL_MAX_FRAG_LEN_2048
                                                                   : MBEDTLS_SSL_MAX_FRAG_LEN_4096);
#endif
    if (mbedtls_ssl_setup(&t->ssl, c) != 0)
        return lib_error(t, MBEDTLS_ERR_SSL_ALLOC_FAILED, TT_PHASE_CONNECT, err);
    if (url->host_kind == TT_HOST_NAME) {
        if (mbedtls_ssl_set_hostname(&t->ssl, url->host) != 0)
            return lib_error(t, MBEDTLS_ERR_SSL_ALLOC_FAILED, TT_PHASE_CONNECT, err);
    } else {
        /* no SNI for an address (RFC 6066); its subjectAltName is checked here */
        mbedtls_ssl_set_hostname(&t->ssl, NULL);
        t->iplen = url->host_kind == TT_HOST_IPV4 ? 4 : 16;
        if (!(t->iplen == 4 ? tt_parse_ipv4(url->host, strlen(url->host), t->ip)
                            : tt_parse_ipv6(url->host, strlen(url->host), t->ip)))
            return tls_fail(t, err, TT_E_TLS_CONFIG, "not an IP address");
    }
    mbedtls_ssl_set_bio(&t->ssl, t, bio_send, bio_recv, NULL);
    return 0;
}

static void offer_session(tt_tls_conn *t)
{
    mbedtls_ssl_session s;
    if (t->session == NULL || !t->session->valid)
        return;
    mbedtls_ssl_session_init(&s);
    if (mbedtls_ssl_session_load(&s, t->session->blob, t->session->len) == 0 &&
        mbedtls_ssl_set_session(&t->ssl, &s) == 0)
        t->resumed = 1; /* offered; cleared below if the server declined */
    mbedtls_ssl_session_free(&s);
}

/* Keep the session (with its TLS 1.3 ticket once one came) for next time. */
static void keep_session(tt_tls_conn *t)
{
    mbedtls_ssl_session s;
    size_t len = 0;
    if (t->session == NULL)
        return;
    mbedtls_ssl_session_init(&s);
    if (mbedtls_ssl_get_session(&t->ssl, &s) == 0 &&
        mbedtls_ssl_session_save(&s, t->session->blob, sizeof t->session->blob, &len) == 0) {
        t->session->len = len;
        t->session->valid = 1;
        t->session_saved = mbedtls_ssl_get_version_number(&t->ssl) == MBEDTLS_SSL_VERSION_TLS1_2 ||
                           s.MBEDTLS_PRIVATE(ticket_len) > 0;
    }
    mbedtls_ssl_session_free(&s);
}

static void release(tt_tls_conn *t)
{
    enter(&t->heap, t->port);
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    leave();
}

int tt_tls_open(tt_tls_conn *t, const tt_tls_config *cfg, const tt_port *port,
                tt_sock *sock, const tt_url *url, tt_tls_session *session,
                int64_t deadline, volatile sig_atomic_t *cancel, tt_error *err)
{
    int rc;
    t->cfg = cfg;
    t->port = port;
    t->sock = sock;
    t->cancel = cancel;
    t->host = url->host;
    t->session = session;
    t->deadline = deadline;
    t->io_rc = 0;
    t->resumed = t->established = t->peer_closed = t->session_saved = 0;
    t->reason = t->bad_cert = t->date_future = 0;
    t->rsa_bits = 0;
    t->weak_hash = NULL;
    t->verified = 0;
    t->pending_alert = -1;
    t->iplen = 0;
    if (tt_tls_time_of(cfg, port, &t->now, err, url->host) != 0)
        return -1;
    t->open_start = tt_tls_open_start(cfg, port);
    heap_init(&t->heap, t->arena.bytes, sizeof t->arena.bytes);
    enter(&t->heap, port);
    mbedtls_ssl_init(&t->ssl);
    mbedtls_ssl_config_init(&t->conf);
    if (psa_crypto_init() != PSA_SUCCESS) {
        leave();
        release(t);
        return tls_fail(t, err, TT_E_TLS_CONFIG, "no entropy for TLS");
    }
    if (configure(t, cfg, url, err) != 0) {
        leave();
        release(t);
        t->port = NULL;
        return -1;
    }
    offer_session(t);
    do
        rc = mbedtls_ssl_handshake(&t->ssl);
    while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (rc != 0) {
        lib_error(t, rc, TT_PHASE_CONNECT, err);
        if (session != NULL)
            session->valid = 0;
        leave();
        release(t);
        t->port = NULL;
        return -1;
    }
    t->established = 1;
    t->resumed = t->resumed && !t->verified; /* a resumed session shows no certificate */
    keep_session(t);
    leave();
    return 0;
}

/*
 * A send failed after the handshake: a TLS 1.3 server judges the client's
 * certificate after the client's handshake is over, and may send its
 * (encrypted) alert and reset at once. Read what is queued, briefly: the
 * alert when there is one.
 */
static int late_alert(tt_tls_conn *t)
{
    unsigned char b[1];
    int64_t soon = t->port->ops->now_ms(t->port->ctx) + 100;
    int rc;
    if (soon < t->deadline)
        t->deadline = soon;
    do
        rc = mbedtls_ssl_read(&t->ssl, b, 0);
    while (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET);
    return rc;
}

int tt_tls_send(tt_tls_conn *t, const void *buf, size_t len, int64_t deadline,
                tt_error *err)
{
    const unsigned char *p = buf;
    int rc = 0;
    t->deadline = deadline;
    enter(&t->heap, t->port);
    while (len > 0) {
        rc = mbedtls_ssl_write(&t->ssl, p, len);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (rc < 0)
            break;
        p += rc;
        len -= (size_t)rc;
        rc = 0;
    }
    if (rc == IO_FAILED && t->io_rc != TT_PORT_ETIMEDOUT && t->io_rc != TT_PORT_ECANCELLED &&
        late_alert(t) == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE)
        rc = MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE;
    leave();
    return rc < 0 ? lib_error(t, rc, TT_PHASE_SEND, err) : 0;
}

long tt_tls_recv(tt_tls_conn *t, void *buf, size_t cap, int64_t deadline,
                 int idle, tt_error *err)
{
    int rc;
    if (t->peer_closed)
        return 0;
    t->deadline = deadline;
    enter(&t->heap, t->port);
    for (;;) {
        rc = mbedtls_ssl_read(&t->ssl, buf, cap);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            keep_session(t);
            continue;
        }
        break;
    }
    if (rc > 0 && !t->session_saved)
        keep_session(t);
    leave();
    if (rc > 0)
        return rc;
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        t->peer_closed = 1;
        return 0;
    }
    if (rc == 0)
        return 0; /* the stream ended without close_notify: tt_tls_truncated() */
    return lib_error(t, rc, idle ? TT_PHASE_IDLE : TT_PHASE_RECV, err);
}

unsigned tt_tls_version(const tt_tls_conn *t)
{
    return (unsigned)mbedtls_ssl_get_version_number(&t->ssl);
}

void tt_tls_close(tt_tls_conn *t)
{
    if (t->port == NULL)
        return;
    /* our close_notify if the socket takes it at once; never wait for theirs */
    t->deadline = t->port->ops->now_ms(t->port->ctx) + 200;
    if (t->established) {
        enter(&t->heap, t->port);
        mbedtls_ssl_close_notify(&t->ssl);
        leave();
    }
    release(t);
    t->port = NULL;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
