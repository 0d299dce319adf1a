/*
 * Ed25519 verification of plexd's signed envelopes, as the Go agent does it
 * (internal/api/verifier.go): the same checks, in the same order, with the
 * same reasons, and a fixed-size nonce store in place of its map.
 */
#include "tether/config.h"
#if TT_FEATURE_PLEXD

#include "tether/plexd.h"
#include "tether/ed25519.h"

#include <string.h>

/* base64 of exactly 32 bytes into key. */
static int decode_key(const char *b64, unsigned char key[32])
{
    size_t n;
    return b64 != NULL && tt_base64_decode(b64, strlen(b64), key, 32, &n) == 0 && n == 32 ? 0
                                                                                          : -1;
}

int tt_plexd_keys_init(tt_plexd_keys *k, const tt_port *port, const char *current_b64,
                       tt_error *err)
{
    memset(k, 0, sizeof *k);
    k->port = port;
    k->window_ms = 300000;
    if (decode_key(current_b64, k->current) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "signing key is not 32 bytes of base64");
    return 0;
}

static int rejected(tt_error *err, const tt_plexd_envelope *env, const char *why)
{
    return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_SSE_REJECTED, NULL, "%s: %s",
                        env != NULL ? env->event_id : "signing keys", why);
}

int tt_plexd_keys_install(tt_plexd_keys *k, const tt_plexd_signing_keys *sk, tt_error *err)
{
    unsigned char cur[32], prev[32];
    tt_rfc3339_time until;
    int has_prev = sk->previous[0] != '\0' && sk->transition_expires[0] != '\0';
    if (decode_key(sk->current, cur) != 0)
        return rejected(err, NULL, "the current key is not 32 bytes of base64");
    if (sk->previous[0] != '\0' && decode_key(sk->previous, prev) != 0)
        return rejected(err, NULL, "the previous key is not 32 bytes of base64");
    if (sk->transition_expires[0] != '\0' &&
        tt_rfc3339_parse_time(sk->transition_expires, strlen(sk->transition_expires), &until) != 0)
        return rejected(err, NULL, "transition_expires is not an RFC 3339 time");
    memcpy(k->current, cur, 32);
    k->has_previous = has_prev;
    if (has_prev) {
        memcpy(k->previous, prev, 32);
        k->previous_until_ms = until.sec * 1000 + (int64_t)(until.nsec / 1000000);
    }
    return 0;
}

#if TT_FEATURE_ED25519

/* Go's time.Time{}: 0001-01-01T00:00:00Z. */
#define GO_ZERO_TIME (-62135596800LL)

/* -1, 0 or 1 as issued is before, within or after [now - w, now + w]
 * (both ends included, as the agent's checks are). */
static int window(const tt_rfc3339_time *issued, int64_t now_ms, int64_t w_ms)
{
    int64_t s = issued->sec - now_ms / 1000;
    int64_t ns;
    if (s < -1000000)
        return -1;
    if (s > 1000000)
        return 1;
    ns = s * 1000000000 + (int64_t)issued->nsec - (now_ms % 1000) * 1000000;
    if (ns < -w_ms * 1000000)
        return -1;
    return ns > w_ms * 1000000 ? 1 : 0;
}

/* base64 with CR and LF anywhere, as Go's StdEncoding reads it. */
static int decode_signature(const char *b64, unsigned char sig[64])
{
    char clean[sizeof ((tt_plexd_envelope *)0)->signature];
    size_t i, n = 0, got;
    for (i = 0; b64[i] != '\0'; i++)
        if (b64[i] != '\r' && b64[i] != '\n')
            clean[n++] = b64[i];
    return tt_base64_decode(clean, n, sig, 64, &got) == 0 && got == 64 ? 0 : -1;
}

static int signed_by(const tt_plexd_keys *k, const unsigned char sig[64], const char *msg,
                     size_t n, int64_t now_ms)
{
    if (tt_ed25519_verify(sig, msg, n, k->current))
        return 1;
    return k->has_previous && now_ms < k->previous_until_ms &&
           tt_ed25519_verify(sig, msg, n, k->previous);
}

static uint64_t nonce_digest(const char *nonce)
{
    unsigned char h[64];
    uint64_t d = 0;
    int i;
    tt_sha512(nonce, strlen(nonce), h);
    for (i = 0; i < 8; i++)
        d = d << 8 | h[i];
    return d;
}

/* Record a nonce for as long as its event is fresh: 0; 1 when it was seen;
 * -1 when every slot holds one still fresh. */
static int remember(tt_plexd_keys *k, const tt_plexd_envelope *env, int64_t now_ms)
{
    uint64_t d = nonce_digest(env->nonce);
    tt_plexd_nonce *free_slot = NULL;
    size_t i;
    for (i = 0; i < TT_PLEXD_NONCES; i++) {
        tt_plexd_nonce *s = &k->nonces[i];
        if (s->until_ms != 0 && s->until_ms < now_ms)
            s->until_ms = 0; /* its event is stale now: a replay is refused as such */
        if (s->until_ms != 0 && s->digest == d)
            return 1;
        if (s->until_ms == 0 && free_slot == NULL)
            free_slot = s;
    }
    if (free_slot == NULL)
        return -1;
    free_slot->digest = d;
    free_slot->until_ms = env->issued.sec * 1000 + (int64_t)(env->issued.nsec / 1000000) +
                          k->window_ms;
    return 0;
}

int tt_plexd_verify(tt_plexd_keys *k, const tt_plexd_envelope *env, tt_error *err)
{
    unsigned char sig[64];
    char msg[TT_SSE_EVENT_MAX + 512];
    size_t n;
    int64_t now_ms = k->port->ops->wall_ms(k->port->ctx);
    int w, r;

    if (env->signature[0] == '\0')
        return rejected(err, env, "missing signature");
    if (env->nonce[0] == '\0')
        return rejected(err, env, "missing nonce");
    if (env->issued.sec == GO_ZERO_TIME && env->issued.nsec == 0)
        return rejected(err, env, "missing issued_at");
    if (now_ms < 0)
        return rejected(err, env, "the device clock is not set: the event's age cannot be judged");
    if ((w = window(&env->issued, now_ms, k->window_ms)) < 0)
        return rejected(err, env, "event is stale");
    if (w > 0)
        return rejected(err, env, "event timestamp is in the future");
    if (decode_signature(env->signature, sig) != 0)
        return rejected(err, env, "signature verification failed (not 64 bytes of base64)");
    if (tt_plexd_canonical_bytes(env, msg, sizeof msg, &n, err) != 0) {
        if (err->cls == TT_ERR_LIMIT)
            return -1; /* never a signature checked over a cut text */
        return rejected(err, env, "signature verification failed (issued_at cannot be written)");
    }
    if (!signed_by(k, sig, msg, n, now_ms))
        return rejected(err, env, "signature verification failed");
    if ((r = remember(k, env, now_ms)) > 0)
        return rejected(err, env, "duplicate nonce");
    if (r < 0)
        return tt_error_set(err, TT_ERR_LIMIT, TT_E_SSE_REJECTED, NULL,
                            "%s: more than TT_PLEXD_NONCES (%d) events in five minutes: "
                            "its nonce cannot be remembered", env->event_id, TT_PLEXD_NONCES);
    return 0;
}

#else

int tt_plexd_verify(tt_plexd_keys *k, const tt_plexd_envelope *env, tt_error *err)
{
    (void)k;
    return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                        "%s: built without TT_FEATURE_ED25519: cannot verify signatures",
                        env->event_id);
}

#endif

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
