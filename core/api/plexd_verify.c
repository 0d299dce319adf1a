/*
 * Ed25519 verification of plexd's signed envelopes (libsodium, optional).
 */
#include "plexd.h"

#include <string.h>

#if TT_FEATURE_ED25519
#include <sodium.h>
#endif

static int decode_key(const char *b64, unsigned char key[32], tt_error *err)
{
    size_t n;
    if (b64 == NULL || tt_base64_decode(b64, strlen(b64), key, 32, &n) != 0 || n != 32)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "signing key is not 32 bytes of base64");
    return 0;
}

int tt_plexd_keys_init(tt_plexd_keys *k, const tt_port *port, const char *current_b64,
                       const char *previous_b64, int64_t previous_until, tt_error *err)
{
    memset(k, 0, sizeof *k);
    k->port = port;
    k->max_skew_s = 300;
    if (decode_key(current_b64, k->current, err) != 0)
        return -1;
    if (previous_b64 != NULL && previous_b64[0] != '\0') {
        if (decode_key(previous_b64, k->previous, err) != 0)
            return -1;
        k->has_previous = 1;
        k->previous_until = previous_until;
    }
    return 0;
}

#if TT_FEATURE_ED25519

static int signed_by(const unsigned char key[32], const unsigned char sig[64],
                     const char *msg, size_t n)
{
    return crypto_sign_verify_detached(sig, (const unsigned char *)msg, n, key) == 0;
}

int tt_plexd_ed25519_verify(void *keys, const tt_plexd_envelope *env, tt_error *err)
{
    tt_plexd_keys *k = keys;
    unsigned char sig[64];
    char msg[TT_SSE_EVENT_MAX + 512];
    size_t n, sl;
    int64_t issued, now = tt_port_wall_s(k->port);

    if (tt_base64_decode(env->signature, strlen(env->signature), sig, sizeof sig, &sl) != 0 ||
        sl != 64)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                            "%s: signature is not 64 bytes of base64", env->event_id);
    if (tt_rfc3339_parse(env->issued_at, &issued) != 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                            "%s: issued_at is not RFC 3339", env->event_id);
    if (issued < now - k->max_skew_s || issued > now + k->max_skew_s)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                            "%s: issued %lld s from now, outside +-%lld s", env->event_id,
                            (long long)(issued - now), (long long)k->max_skew_s);
    if (tt_plexd_canonical_bytes(env, msg, sizeof msg, &n, err) != 0)
        return -1;
    if (signed_by(k->current, sig, msg, n))
        return 0;
    if (k->has_previous && (k->previous_until == 0 || now < k->previous_until) &&
        signed_by(k->previous, sig, msg, n))
        return 0;
    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL,
                        "%s: bad signature", env->event_id);
}

#else

int tt_plexd_ed25519_verify(void *keys, const tt_plexd_envelope *env, tt_error *err)
{
    (void)keys;
    return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                        "%s: built without TT_FEATURE_ED25519: cannot verify signatures",
                        env->event_id);
}

#endif
