/*
 * libFuzzer target for tether's certificate walker (core/tls_x509.c), the
 * code that reads the server's certificate for IP-address names and the
 * pinned key before BearSSL has validated anything. The first byte picks
 * the piece size the certificate arrives in (BearSSL hands it over in
 * pieces of up to 256 bytes) and IPv4 or IPv6; the rest is the DER.
 *
 * Checks beyond "no crash": the walker's state after the capture buffer is
 * never written from the input (a canary struct around it), and the same
 * certificate in one piece and in small pieces gives the same verdict.
 */
#include "tls_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct { tt_x509 x; unsigned char guard[64]; } mem;

static int walk(const tt_tls_config *cfg, const tt_url *url, const uint8_t *der, size_t n,
                size_t piece)
{
    const br_x509_class **vt;
    size_t off = 0, i;
    memset(mem.guard, 0x5a, sizeof mem.guard);
    tt_x509_setup(&mem.x, cfg, url, 0, 0);
    vt = &mem.x.vtable;
    (*vt)->start_chain(vt, NULL);
    (*vt)->start_cert(vt, (uint32_t)n);
    while (off < n) {
        size_t k = n - off < piece ? n - off : piece;
        (*vt)->append(vt, der + off, k);
        off += k;
    }
    (*vt)->end_cert(vt);
    for (i = 0; i < sizeof mem.guard; i++)
        if (mem.guard[i] != 0x5a)
            abort();
    if (mem.x.iplen != (url->host_kind == TT_HOST_IPV4 ? 4u : 16u) || mem.x.walk.depth > 8)
        abort();
    return mem.x.ip_matched * 2 + mem.x.walk.failed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tt_tls_config cfg;
    static tt_url v4, v6;
    static int ready;
    tt_error e;
    const tt_url *url;
    size_t piece;
    if (!ready) {
        tt_tls_config_init(&cfg);
        cfg.insecure = 1; /* the walker only: no anchors to validate with */
        tt_url_parse(&v4, "https://127.0.0.1/", 18, &e);
        tt_url_parse(&v6, "https://[::1]/", 14, &e);
        ready = 1;
    }
    if (size < 1)
        return 0;
    piece = 1 + (data[0] & 0x7f) * 2;
    url = data[0] & 0x80 ? &v6 : &v4;
    if (walk(&cfg, url, data + 1, size - 1, size) !=
        walk(&cfg, url, data + 1, size - 1, piece))
        abort();
    return 0;
}
