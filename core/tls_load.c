/*
 * Loading trust anchors, client chains and keys from PEM into a caller
 * arena. Byte data (names, keys, certificates) grows up from the start of
 * the arena; the arrays BearSSL wants (anchors, chain) sit at the end. When
 * the arena is too small, loading goes on counting so that the error can
 * say how many bytes the whole load needed.
 */
#include "tether/config.h"
#if TT_FEATURE_TLS && !TT_TLS_MBEDTLS

#include "tether/base64.h"
#include "tls_internal.h"

#include <string.h>

#define ALIGN 16

/* Top of the struct area: the arena's end, aligned down for pointers. */
static size_t aligned_top(const unsigned char *arena, size_t cap)
{
    size_t slack = (uintptr_t)(arena + cap) % ALIGN;
    return slack <= cap ? cap - slack : 0;
}

void tt_tls_store_init(tt_tls_store *st, void *arena, size_t cap)
{
    memset(st, 0, sizeof *st);
    st->arena = arena;
    st->cap = cap;
    st->hi = aligned_top(arena, cap);
}

size_t tt_tls_store_used(const tt_tls_store *st)
{
    return st->lo + (aligned_top(st->arena, st->cap) - st->hi);
}

static int load_fail(tt_error *err, const char *what, const char *path)
{
    return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL, "%s: %s", path, what);
}

/* Room for n bytes at the low end, or NULL (and counting) when full. */
static unsigned char *arena_bytes(tt_tls_store *st, size_t n)
{
    unsigned char *p;
    if (st->overflow || n > st->hi - st->lo) {
        st->overflow = 1;
        st->needed += n;
        return NULL;
    }
    p = st->arena + st->lo;
    st->lo += n;
    return p;
}

/* Room for n structs of size sz at the high end, or NULL. */
static void *arena_structs(tt_tls_store *st, size_t n, size_t sz)
{
    size_t total = n * sz;
    if (n != 0 && total / n != sz)
        total = (size_t)-1;
    if (st->overflow || total > st->hi - st->lo) {
        st->overflow = 1;
        st->needed += total;
        return NULL;
    }
    st->hi -= total;
    return st->arena + st->hi;
}

static unsigned char *arena_copy(tt_tls_store *st, const void *src, size_t n)
{
    unsigned char *p = arena_bytes(st, n);
    if (p != NULL)
        memcpy(p, src, n);
    return p;
}

static int overflow_error(tt_tls_store *st, tt_error *err, const char *path)
{
    size_t used = st->lo + (aligned_top(st->arena, st->cap) - st->hi) + st->needed;
    /* the struct area's top is aligned down: name the size whose aligned
     * top, at this arena's address, holds everything */
    size_t fit = used + (ALIGN - (uintptr_t)(st->arena + used) % ALIGN) % ALIGN;
    return tt_error_set(err, TT_ERR_LIMIT, TT_E_LIMIT_TLS_ARENA, NULL,
                        "%s: TLS store arena too small: %zu bytes needed, %zu available",
                        path, fit, st->cap);
}

/* ---- PEM reading --------------------------------------------------------- */

/* What a load does with PEM objects. begin() returns 1 to receive the
 * object's bytes through data(), 0 to skip it, -1 to fail. */
typedef struct pem_sink {
    int (*begin)(void *u, const char *name, tt_error *err);
    void (*data)(void *u, const void *p, size_t n);
    int (*end)(void *u, tt_error *err);
    void *u;
    const char *path;
    int objects;
} pem_sink;

typedef struct pem_run {
    br_pem_decoder_context pc;
    pem_sink *sink;
    int in_object;
} pem_run;

static int pem_push(pem_run *r, const unsigned char *p, size_t n, tt_error *err)
{
    while (n > 0) {
        size_t k = br_pem_decoder_push(&r->pc, p, n);
        int ev;
        p += k;
        n -= k;
        ev = br_pem_decoder_event(&r->pc);
        if (ev == BR_PEM_BEGIN_OBJ) {
            int want = r->sink->begin(r->sink->u, br_pem_decoder_name(&r->pc), err);
            if (want < 0)
                return -1;
            br_pem_decoder_setdest(&r->pc, want ? r->sink->data : NULL, r->sink->u);
            r->in_object = 1;
            r->sink->objects++;
        } else if (ev == BR_PEM_END_OBJ) {
            r->in_object = 0;
            if (r->sink->end(r->sink->u, err) != 0)
                return -1;
        } else if (ev == BR_PEM_ERROR) {
            return load_fail(err, "malformed PEM", r->sink->path);
        }
    }
    return 0;
}

static void pem_start(pem_run *r, pem_sink *sink)
{
    br_pem_decoder_init(&r->pc);
    r->sink = sink;
    r->in_object = 0;
    sink->objects = 0;
}

/* After the input: a file without a final newline still ends its last
 * line; an object left open is an error. */
static int pem_finish(pem_run *r, tt_error *err)
{
    if (pem_push(r, (const unsigned char *)"\n", 1, err) != 0)
        return -1;
    if (r->in_object)
        return load_fail(err, "truncated PEM object", r->sink->path);
    return 0;
}

static int pem_file(pem_sink *sink, const tt_port *port, const char *path,
                    tt_error *err)
{
    static const char *const why[] = { "cannot open", "no such file" };
    pem_run r;
    tt_file f;
    unsigned char buf[512];
    int rc;

    if (port->ops->file_open == NULL)
        return load_fail(err, "this port has no file system", path);
    rc = port->ops->file_open(port->ctx, &f, path);
    if (rc != TT_PORT_OK)
        return load_fail(err, why[rc == TT_PORT_ENOTFOUND], path);
    pem_start(&r, sink);
    for (;;) {
        long n = port->ops->file_read(port->ctx, &f, buf, sizeof buf);
        if (n < 0) {
            port->ops->file_close(port->ctx, &f);
            return load_fail(err, "read error", path);
        }
        if (n == 0)
            break;
        if (pem_push(&r, buf, (size_t)n, err) != 0) {
            port->ops->file_close(port->ctx, &f);
            return -1;
        }
    }
    port->ops->file_close(port->ctx, &f);
    return pem_finish(&r, err);
}

static int pem_mem(pem_sink *sink, const char *pem, size_t len, tt_error *err)
{
    pem_run r;
    pem_start(&r, sink);
    if (pem_push(&r, (const unsigned char *)pem, len, err) != 0)
        return -1;
    return pem_finish(&r, err);
}

static int is_cert_name(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0 ||
           strcmp(name, "TRUSTED CERTIFICATE") == 0;
}

/* ---- trust anchors ------------------------------------------------------- */

typedef struct anchor_load {
    tt_tls_store *st;
    br_x509_decoder_context dc;
    size_t dn_start;
    size_t dn_len;
    int in_cert;
    size_t count;          /* anchors kept (or counted) */
    size_t certs;          /* certificates seen */
    br_x509_trust_anchor *lowest;
    int lenient;           /* directory mode: skip bad certificates */
} anchor_load;

static void anchor_dn(void *u, const void *p, size_t n)
{
    anchor_load *al = u;
    if (arena_copy(al->st, p, n) != NULL || al->st->overflow)
        al->dn_len += n;
}

static void anchor_data(void *u, const void *p, size_t n)
{
    anchor_load *al = u;
    /* never push into a failed decoder: BearSSL 0.6 resumes its program
     * after the failure point and can crash */
    if (al->dc.err == 0)
        br_x509_decoder_push(&al->dc, p, n);
}

static int anchor_begin(void *u, const char *name, tt_error *err)
{
    anchor_load *al = u;
    (void)err;
    if (!is_cert_name(name))
        return 0;
    al->in_cert = 1;
    al->dn_start = al->st->lo;
    al->dn_len = 0;
    br_x509_decoder_init(&al->dc, anchor_dn, al);
    return 1;
}

static int same_key(const br_x509_pkey *a, const br_x509_pkey *b)
{
    if (a->key_type != b->key_type)
        return 0;
    if (a->key_type == BR_KEYTYPE_RSA)
        return a->key.rsa.nlen == b->key.rsa.nlen && a->key.rsa.elen == b->key.rsa.elen &&
               memcmp(a->key.rsa.n, b->key.rsa.n, a->key.rsa.nlen) == 0 &&
               memcmp(a->key.rsa.e, b->key.rsa.e, a->key.rsa.elen) == 0;
    return a->key.ec.curve == b->key.ec.curve && a->key.ec.qlen == b->key.ec.qlen &&
           memcmp(a->key.ec.q, b->key.ec.q, a->key.ec.qlen) == 0;
}

/* Already loaded (same name and key)? The bundle and the per-file links of
 * /etc/ssl/certs hold every CA several times. */
static int anchor_known(const anchor_load *al, const unsigned char *dn, size_t dnlen,
                        const br_x509_pkey *pk)
{
    const br_x509_trust_anchor *ta = al->lowest;
    size_t i, kept = al->st->overflow ? 0 : al->count;
    for (i = 0; i < kept; i++)
        if (ta[i].dn.len == dnlen && memcmp(ta[i].dn.data, dn, dnlen) == 0 &&
            same_key(&ta[i].pkey, pk))
            return 1;
    return 0;
}

/* Copy the decoder's key into the arena (its buffer dies with it). */
static int copy_pkey(tt_tls_store *st, const br_x509_pkey *src, br_x509_pkey *dst)
{
    *dst = *src;
    if (src->key_type == BR_KEYTYPE_RSA) {
        dst->key.rsa.n = arena_copy(st, src->key.rsa.n, src->key.rsa.nlen);
        dst->key.rsa.e = arena_copy(st, src->key.rsa.e, src->key.rsa.elen);
        return dst->key.rsa.n != NULL && dst->key.rsa.e != NULL;
    }
    dst->key.ec.q = arena_copy(st, src->key.ec.q, src->key.ec.qlen);
    return dst->key.ec.q != NULL;
}

static int anchor_end(void *u, tt_error *err)
{
    anchor_load *al = u;
    tt_tls_store *st = al->st;
    const br_x509_pkey *pk;
    br_x509_trust_anchor ta;
    br_x509_trust_anchor *slot;

    if (!al->in_cert)
        return 0;
    al->in_cert = 0;
    al->certs++;
    pk = br_x509_decoder_get_pkey(&al->dc);
    if (br_x509_decoder_last_error(&al->dc) != 0 || pk == NULL) {
        if (!st->overflow)
            st->lo = al->dn_start;
        return al->lenient ? 0 : tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL,
                                              "certificate %zu cannot be decoded "
                                              "(BearSSL error %d)", al->certs,
                                              br_x509_decoder_last_error(&al->dc));
    }
    if (!st->overflow && anchor_known(al, st->arena + al->dn_start, al->dn_len, pk)) {
        st->lo = al->dn_start; /* a duplicate: give its name back */
        return 0;
    }
    memset(&ta, 0, sizeof ta);
    ta.dn.data = st->overflow ? NULL : st->arena + al->dn_start;
    ta.dn.len = al->dn_len;
    ta.flags = br_x509_decoder_isCA(&al->dc) ? BR_X509_TA_CA : 0;
    copy_pkey(st, pk, &ta.pkey);
    slot = arena_structs(st, 1, sizeof ta);
    if (slot != NULL) {
        *slot = ta;
        al->lowest = slot; /* each lands right below the one before */
    }
    al->count++;
    return 0;
}

static void anchor_sink(pem_sink *s, anchor_load *al, tt_tls_store *st, const char *path)
{
    memset(al, 0, sizeof *al);
    al->st = st;
    s->begin = anchor_begin;
    s->data = anchor_data;
    s->end = anchor_end;
    s->u = al;
    s->path = path;
}

typedef struct dir_walk {
    anchor_load *al;
    pem_sink *sink;
    const tt_port *port;
    const char *dir;
    tt_error *err;
    int failed;
} dir_walk;

static int dir_entry(void *user, const char *name)
{
    dir_walk *dw = user;
    char path[TT_TLS_PATH_MAX];
    tt_error ignored;
    if (tt_tls_dir_path(path, dw->dir, name, dw->err) != 0) {
        dw->failed = 1;
        return -1;
    }
    dw->sink->path = path;
    /* files that are not PEM certificates are not anchors: skip them,
     * giving back what a half-read certificate took */
    if (pem_file(dw->sink, dw->port, path, &ignored) != 0 && dw->al->in_cert) {
        if (!dw->al->st->overflow)
            dw->al->st->lo = dw->al->dn_start;
        dw->al->in_cert = 0;
    }
    return 0;
}

static int anchors_done(tt_tls_store *st, anchor_load *al, const char *path,
                        tt_error *err)
{
    if (st->overflow)
        return overflow_error(st, err, path);
    if (al->count == 0)
        return load_fail(err, "no certificate found", path);
    st->anchors = al->lowest;
    st->nanchors = al->count;
    return 0;
}

int tt_tls_load_anchors(tt_tls_store *st, const tt_port *port, const char *path,
                        tt_error *err)
{
    anchor_load al;
    pem_sink sink;
    int rc;

    if (st->nanchors > 0)
        return load_fail(err, "trust anchors are already loaded", path);
    anchor_sink(&sink, &al, st, path);
    rc = TT_PORT_ENOTFOUND;
    if (port->ops->list_dir != NULL) {
        dir_walk dw;
        dw.al = &al;
        dw.sink = &sink;
        dw.port = port;
        dw.dir = path;
        dw.err = err;
        dw.failed = 0;
        al.lenient = 1;
        rc = port->ops->list_dir(port->ctx, path, dir_entry, &dw);
        sink.path = path;
        if (dw.failed)
            return -1;
    }
    if (rc == TT_PORT_ENOTFOUND) {
        /* not a directory: one PEM file */
        al.lenient = 0;
        if (pem_file(&sink, port, path, err) != 0)
            return -1;
    } else if (rc != TT_PORT_OK) {
        return load_fail(err, "cannot read directory", path);
    }
    return anchors_done(st, &al, path, err);
}

int tt_tls_add_anchors_pem(tt_tls_store *st, const char *pem, size_t len,
                           tt_error *err)
{
    anchor_load al;
    pem_sink sink;
    if (st->nanchors > 0)
        return load_fail(err, "trust anchors are already loaded", "(memory)");
    anchor_sink(&sink, &al, st, "(memory)");
    if (pem_mem(&sink, pem, len, err) != 0)
        return -1;
    return anchors_done(st, &al, "(memory)", err);
}

/* ---- client chain -------------------------------------------------------- */

typedef struct chain_load {
    tt_tls_store *st;
    size_t start[TT_TLS_CHAIN_MAX];
    size_t len[TT_TLS_CHAIN_MAX];
    size_t n;
    int in_cert;
    int too_many;
} chain_load;

static void chain_data(void *u, const void *p, size_t n)
{
    chain_load *cl = u;
    if (cl->n < TT_TLS_CHAIN_MAX && (arena_copy(cl->st, p, n) != NULL || cl->st->overflow))
        cl->len[cl->n] += n;
}

static int chain_begin(void *u, const char *name, tt_error *err)
{
    chain_load *cl = u;
    (void)err;
    if (!is_cert_name(name))
        return 0;
    if (cl->n == TT_TLS_CHAIN_MAX) {
        cl->too_many = 1;
        return 0;
    }
    cl->in_cert = 1;
    cl->start[cl->n] = cl->st->lo;
    cl->len[cl->n] = 0;
    return 1;
}

static int chain_end(void *u, tt_error *err)
{
    chain_load *cl = u;
    (void)err;
    if (cl->in_cert)
        cl->n++;
    cl->in_cert = 0;
    return 0;
}

static int chain_done(tt_tls_store *st, chain_load *cl, const char *path,
                      tt_error *err)
{
    br_x509_certificate *certs;
    size_t i;

    if (cl->too_many)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_TLS_LOAD, NULL,
                            "%s: more than TT_TLS_CHAIN_MAX (%u) certificates", path,
                            (unsigned)TT_TLS_CHAIN_MAX);
    if (cl->n == 0 && !st->overflow)
        return load_fail(err, "no certificate found", path);
    certs = arena_structs(st, cl->n, sizeof *certs);
    if (st->overflow)
        return overflow_error(st, err, path);
    for (i = 0; i < cl->n; i++) {
        certs[i].data = st->arena + cl->start[i];
        certs[i].data_len = cl->len[i];
    }
    st->chain = certs;
    st->nchain = cl->n;
    return 0;
}

static void chain_sink(pem_sink *s, chain_load *cl, tt_tls_store *st, const char *path)
{
    memset(cl, 0, sizeof *cl);
    cl->st = st;
    s->begin = chain_begin;
    s->data = chain_data;
    s->end = chain_end;
    s->u = cl;
    s->path = path;
}

int tt_tls_load_chain(tt_tls_store *st, const tt_port *port, const char *path,
                      tt_error *err)
{
    chain_load cl;
    pem_sink sink;
    chain_sink(&sink, &cl, st, path);
    if (pem_file(&sink, port, path, err) != 0)
        return -1;
    return chain_done(st, &cl, path, err);
}

int tt_tls_add_chain_pem(tt_tls_store *st, const char *pem, size_t len,
                         tt_error *err)
{
    chain_load cl;
    pem_sink sink;
    chain_sink(&sink, &cl, st, "(memory)");
    if (pem_mem(&sink, pem, len, err) != 0)
        return -1;
    return chain_done(st, &cl, "(memory)", err);
}

/* ---- private key --------------------------------------------------------- */

typedef struct key_load {
    unsigned char der[TT_TLS_KEY_DER_MAX];
    size_t len;
    int too_long;
    int encrypted;
    int found;
    int in_key;
} key_load;

static void key_data(void *u, const void *p, size_t n)
{
    key_load *kl = u;
    if (n > sizeof kl->der - kl->len) {
        kl->too_long = 1;
        return;
    }
    memcpy(kl->der + kl->len, p, n);
    kl->len += n;
}

static int key_begin(void *u, const char *name, tt_error *err)
{
    key_load *kl = u;
    (void)err;
    if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
        kl->encrypted = 1;
        return 0;
    }
    if (kl->found || (strcmp(name, "PRIVATE KEY") != 0 &&
                      strcmp(name, "EC PRIVATE KEY") != 0 &&
                      strcmp(name, "RSA PRIVATE KEY") != 0))
        return 0;
    kl->in_key = 1;
    kl->len = 0;
    return 1;
}

static int key_end(void *u, tt_error *err)
{
    key_load *kl = u;
    (void)err;
    if (kl->in_key)
        kl->found = 1;
    kl->in_key = 0;
    return 0;
}

/* One DER element at *p: its tag, its content and where the next begins. */
static int der_take(const unsigned char **p, const unsigned char *end,
                    unsigned char *tag, const unsigned char **val, size_t *len)
{
    const unsigned char *q = *p;
    size_t n;
    if (end - q < 2)
        return -1;
    *tag = *q++;
    n = *q++;
    if (n & 0x80) {
        int k = (int)(n & 0x7f);
        if (k == 0 || k > 3 || end - q < k)
            return -1;
        for (n = 0; k > 0; k--)
            n = (n << 8) | *q++;
    }
    if ((size_t)(end - q) < n)
        return -1;
    *val = q;
    *len = n;
    *p = q + n;
    return 0;
}

/*
 * Bytes of key material BearSSL's decoder will keep for this DER: the five
 * CRT parts of an RSA key, or the secret scalar of an EC key. Returns the
 * count, or (size_t)-1 when the DER is not a key we know.
 */
static size_t key_parts_size(const unsigned char *der, size_t len)
{
    const unsigned char *p = der, *end = der + len, *v, *q, *qend;
    unsigned char tag;
    size_t n, total = 0;
    int i, wraps = 0;

again:
    if (der_take(&p, end, &tag, &v, &n) != 0 || tag != 0x30)
        return (size_t)-1;
    q = v;
    qend = v + n;
    if (der_take(&q, qend, &tag, &v, &n) != 0 || tag != 0x02) /* version */
        return (size_t)-1;
    if (der_take(&q, qend, &tag, &v, &n) != 0)
        return (size_t)-1;
    if (tag == 0x30) { /* PKCS#8: AlgorithmIdentifier, then the inner key */
        if (wraps++ > 0 || der_take(&q, qend, &tag, &v, &n) != 0 || tag != 0x04)
            return (size_t)-1; /* PKCS#8 wraps once, never in itself */
        p = v;
        end = v + n;
        goto again;
    }
    if (tag == 0x04) /* SEC1: the private scalar */
        return n;
    if (tag != 0x02) /* PKCS#1: n, then e, d, p, q, dp, dq, iq */
        return (size_t)-1;
    for (i = 0; i < 7; i++) {
        if (der_take(&q, qend, &tag, &v, &n) != 0 || tag != 0x02)
            return (size_t)-1;
        if (i >= 2)
            total += n;
    }
    return total;
}

static int key_store(tt_tls_store *st, const br_skey_decoder_context *dc)
{
    tt_tls_key *k = &st->key;
    if (br_skey_decoder_key_type(dc) == BR_KEYTYPE_RSA) {
        const br_rsa_private_key *r = br_skey_decoder_get_rsa(dc);
        k->rsa = *r;
        k->rsa.p = arena_copy(st, r->p, r->plen);
        k->rsa.q = arena_copy(st, r->q, r->qlen);
        k->rsa.dp = arena_copy(st, r->dp, r->dplen);
        k->rsa.dq = arena_copy(st, r->dq, r->dqlen);
        k->rsa.iq = arena_copy(st, r->iq, r->iqlen);
        k->type = BR_KEYTYPE_RSA;
    } else {
        const br_ec_private_key *e = br_skey_decoder_get_ec(dc);
        k->ec = *e;
        k->ec.x = arena_copy(st, e->x, e->xlen);
        k->type = BR_KEYTYPE_EC;
    }
    return st->overflow ? -1 : 0;
}

static int key_done(tt_tls_store *st, key_load *kl, const char *path, tt_error *err)
{
    br_skey_decoder_context dc;
    size_t parts, lo;
    int e;

    if (kl->encrypted && !kl->found)
        return load_fail(err, "encrypted private keys are not supported", path);
    if (!kl->found)
        return load_fail(err, "no private key found", path);
    if (kl->too_long)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL,
                            "%s: private key longer than TT_TLS_KEY_DER_MAX (%u bytes)",
                            path, (unsigned)TT_TLS_KEY_DER_MAX);
    /* BearSSL 0.6 lets the key's parts run past key_data (its bound is
     * 3 * BR_X509_BUFSIZE_KEY, the array 3 * BR_X509_BUFSIZE_SIG): measure
     * them before decoding */
    parts = key_parts_size(kl->der, kl->len);
    if (parts == (size_t)-1)
        return load_fail(err, "not an RSA or EC private key", path);
    if (parts > sizeof dc.key_data)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL,
                            "%s: private key parts of %zu bytes exceed the "
                            "decoder's %zu-byte buffer", path, parts, sizeof dc.key_data);
    br_skey_decoder_init(&dc);
    br_skey_decoder_push(&dc, kl->der, kl->len);
    e = br_skey_decoder_last_error(&dc);
    memset(kl->der, 0, sizeof kl->der);
    if (e != 0 || br_skey_decoder_key_type(&dc) == 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_TLS_LOAD, NULL,
                            "%s: private key cannot be decoded (BearSSL error %d)",
                            path, e);
    lo = st->lo;
    if (key_store(st, &dc) != 0) {
        memset(&dc, 0, sizeof dc);
        /* leave no half key: neither its parts copied so far nor a type
         * whose pointers are NULL */
        memset(st->arena + lo, 0, st->lo - lo);
        memset(&st->key, 0, sizeof st->key);
        return overflow_error(st, err, path);
    }
    memset(&dc, 0, sizeof dc); /* no stray copy of the secret */
    return 0;
}

static void key_sink(pem_sink *s, key_load *kl, const char *path)
{
    memset(kl, 0, sizeof *kl);
    s->begin = key_begin;
    s->data = key_data;
    s->end = key_end;
    s->u = kl;
    s->path = path;
}

int tt_tls_load_key(tt_tls_store *st, const tt_port *port, const char *path,
                    tt_error *err)
{
    key_load kl;
    pem_sink sink;
    int rc;
    key_sink(&sink, &kl, path);
    rc = pem_file(&sink, port, path, err);
    if (rc == 0)
        rc = key_done(st, &kl, path, err);
    memset(&kl, 0, sizeof kl);
    return rc;
}

int tt_tls_add_key_pem(tt_tls_store *st, const char *pem, size_t len,
                       tt_error *err)
{
    key_load kl;
    pem_sink sink;
    int rc;
    key_sink(&sink, &kl, "(memory)");
    rc = pem_mem(&sink, pem, len, err);
    if (rc == 0)
        rc = key_done(st, &kl, "(memory)", err);
    memset(&kl, 0, sizeof kl);
    return rc;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
