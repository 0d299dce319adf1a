/*
 * libFuzzer target for loading credentials: PEM framing, base64, and the
 * DER of certificates and private keys handed to BearSSL's decoders (whose
 * key decoder has a fixed buffer that tether measures against first). The
 * first byte picks anchors, a client chain or a key, and the arena size;
 * the rest is the file's text.
 *
 * Checks beyond "no crash": a load either succeeds or fails with a usage
 * (load) or arena-limit error; the arena's two ends never cross; bytes
 * after the arena (a guard) are never written; a second load into a full
 * store fails cleanly.
 */
#include "tls_internal.h" /* the store's fields */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct { unsigned char arena[32768]; unsigned char guard[64]; } mem;

static int load(tt_tls_store *st, int which, const char *pem, size_t len, tt_error *err)
{
    switch (which) {
    case 0: return tt_tls_add_anchors_pem(st, pem, len, err);
    case 1: return tt_tls_add_chain_pem(st, pem, len, err);
    default: return tt_tls_add_key_pem(st, pem, len, err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[4] = { 32768, 4096, 1024, 64 };
    tt_tls_store st;
    tt_error err;
    size_t i;
    int which, rc;
    if (size < 1)
        return 0;
    which = data[0] % 3;
    memset(mem.guard, 0x5a, sizeof mem.guard);
    tt_tls_store_init(&st, mem.arena, caps[(data[0] >> 2) & 3]);
    rc = load(&st, which, (const char *)data + 1, size - 1, &err);
    if (rc != 0 && err.code != TT_E_TLS_LOAD && err.code != TT_E_LIMIT_TLS_ARENA)
        abort();
    if (st.lo > st.hi || st.hi > st.cap)
        abort();
    if (rc == 0) {
        /* the same text again, as the other kinds */
        load(&st, (which + 1) % 3, (const char *)data + 1, size - 1, &err);
        load(&st, (which + 2) % 3, (const char *)data + 1, size - 1, &err);
        if (st.lo > st.hi || st.hi > st.cap)
            abort();
    }
    for (i = 0; i < sizeof mem.guard; i++)
        if (mem.guard[i] != 0x5a)
            abort();
    return 0;
}
