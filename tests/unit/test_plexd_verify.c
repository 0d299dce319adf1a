/*
 * plexd envelope signatures: RFC 3339 times, base64, the canonical bytes
 * (Go's encoder, HTML escaping, compacted payload) and, with
 * TT_FEATURE_ED25519, real Ed25519 signatures made here with libsodium.
 */
#include "../testlib.h"
#include "suites.h"
#include "plexd.h"
#include "port_mock.h"

#include <stdio.h>
#include <string.h>

#if TT_FEATURE_ED25519
#include <sodium.h>
#endif

static void test_rfc3339(void)
{
    int64_t t;
    CHECK_INT(tt_rfc3339_parse("1970-01-01T00:00:00Z", &t), 0);
    CHECK_INT(t, 0);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00Z", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00.123456789Z", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T14:00:00+02:00", &t), 0);
    CHECK_INT(t, 1795435200);
    CHECK_INT(tt_rfc3339_parse("2000-02-29T00:00:00Z", &t), 0);
    CHECK_INT(t, 951782400);
    CHECK_INT(tt_rfc3339_parse("2026-11-23 12:00:00Z", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-13-23T12:00:00Z", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00", &t), -1);
    CHECK_INT(tt_rfc3339_parse("2026-11-23T12:00:00Zx", &t), -1);
}

/* Every field of the shape refused when it is malformed or out of range;
 * the accepted variants (lower-case t and z, a leap second, offsets of
 * both signs) read as the same instant. */
static void test_rfc3339_each_field_checked(void)
{
    static const char *const bad[] = {
        "2026-11-23T12:00:0", "2O26-11-23T12:00:00Z", "2026/11-23T12:00:00Z",
        "2026-1x-23T12:00:00Z", "2026-11/23T12:00:00Z", "2026-11-2xT12:00:00Z",
        "2026-11-23T1x:00:00Z", "2026-11-23T12.00:00Z", "2026-11-23T12:0x:00Z",
        "2026-11-23T12:00.00Z", "2026-11-23T12:00:0xZ", "2026-00-23T12:00:00Z",
        "2026-11-00T12:00:00Z", "2026-11-32T12:00:00Z", "2026-11-23T24:00:00Z",
        "2026-11-23T12:60:00Z", "2026-11-23T12:00:61Z", "2026-11-23T12:00:00.Z",
        "2026-11-23T12:00:00+0x:00", "2026-11-23T12:00:00+02-00",
        "2026-11-23T12:00:00+02:0x", "2026-11-23T12:00:00+02:00x",
    };
    static const char *const same[] = {
        "2026-11-23t12:00:00z", "2026-11-23T10:30:00-01:30", "2026-11-23T13:30:00+01:30",
    };
    int64_t t;
    size_t i;
    for (i = 0; i < TT_COUNT(bad); i++) {
        t = 7;
        if (tt_rfc3339_parse(bad[i], &t) != -1 || t != 7) {
            tt_test_fail(__FILE__, __LINE__, "accepted \"%s\"", bad[i]);
            return;
        }
    }
    for (i = 0; i < TT_COUNT(same); i++) {
        CHECK_INT(tt_rfc3339_parse(same[i], &t), 0);
        CHECK_INT(t, 1795435200); /* 2026-11-23T12:00:00Z */
    }
    CHECK_INT(tt_rfc3339_parse("2016-12-31T23:59:60Z", &t), 0); /* leap second */
    CHECK_INT(t, 1483228800);
    CHECK_INT(tt_rfc3339_parse("1969-12-31T23:59:59Z", &t), 0);
    CHECK_INT(t, -1);
}

static void test_base64(void)
{
    char enc[16];
    unsigned char dec[16];
    size_t n;
    CHECK_INT(tt_base64_encode("hello", 5, enc, sizeof enc), 0);
    CHECK_STR(enc, "aGVsbG8=");
    CHECK_INT(tt_base64_decode(enc, strlen(enc), dec, sizeof dec, &n), 0);
    CHECK_MEM(dec, n, "hello", 5);
    CHECK_INT(tt_base64_decode("aGVsbG8", 7, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aG=sbG8=", 8, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aGVs*G8=", 8, dec, sizeof dec, &n), -1);
    CHECK_INT(tt_base64_decode("aGVsbG8=", 8, dec, 4, &n), -1);
    CHECK_INT(tt_base64_encode("hello", 5, enc, 8), -1);
}

static const char payload[] = "{ \"peer\": {\"id\" : \"p-1\", \"note\": \"<b>a & b</b>\","
                              " \"esc\": \"x\\u003cy\\n\" }, \"n\": [1, 2] }";

static void envelope(tt_plexd_envelope *env, const char *issued)
{
    memset(env, 0, sizeof *env);
    snprintf(env->event_type, sizeof env->event_type, "peer_added");
    snprintf(env->event_id, sizeof env->event_id, "evt-1");
    snprintf(env->issued_at, sizeof env->issued_at, "%s", issued);
    snprintf(env->nonce, sizeof env->nonce, "n<1>");
    env->payload.p = payload;
    env->payload.n = sizeof payload - 1;
}

static void test_canonical_bytes(void)
{
    tt_plexd_envelope env;
    char out[512];
    size_t n;
    tt_error e;
    envelope(&env, "2026-11-23T12:00:00Z");
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    out[n] = '\0';
    CHECK_STR(out, "{\"event_type\":\"peer_added\",\"event_id\":\"evt-1\","
                   "\"issued_at\":\"2026-11-23T12:00:00Z\",\"nonce\":\"n\\u003c1\\u003e\","
                   "\"payload\":{\"peer\":{\"id\":\"p-1\",\"note\":\"\\u003cb\\u003ea \\u0026 "
                   "b\\u003c/b\\u003e\",\"esc\":\"x\\u003cy\\n\"},\"n\":[1,2]}}");
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, 40, &n, &e), -1);
    env.payload.p = NULL;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    CHECK(n > 9 && memcmp(out + n - 15, "\"payload\":null}", 15) == 0);
}

#if TT_FEATURE_ED25519

static tt_mock mock;

/* The mock's wall clock runs with its monotonic one. */
static void set_wall(int64_t t)
{
    mock.wall = t - mock.now / 1000;
}

static void sign(tt_plexd_envelope *env, const unsigned char sk[64])
{
    char msg[1024];
    unsigned char sig[64];
    size_t n;
    tt_error e;
    tt_plexd_canonical_bytes(env, msg, sizeof msg, &n, &e);
    crypto_sign_detached(sig, NULL, (const unsigned char *)msg, n, sk);
    tt_base64_encode(sig, 64, env->signature, sizeof env->signature);
}

static void test_ed25519(void)
{
    unsigned char pk1[32], sk1[64], pk2[32], sk2[64];
    char k1[48], k2[48];
    tt_plexd_keys keys;
    tt_plexd_envelope env;
    tt_port port;
    tt_error e;

    CHECK(sodium_init() >= 0);
    crypto_sign_keypair(pk1, sk1);
    crypto_sign_keypair(pk2, sk2);
    tt_base64_encode(pk1, 32, k1, sizeof k1);
    tt_base64_encode(pk2, 32, k2, sizeof k2);
    tt_mock_init(&mock);
    set_wall(1795435200);  /* 2026-11-23T12:00:00Z */
    tt_mock_port(&mock, &port);
    /* current key k2, previous k1 until 12:10 */
    CHECK_INT(tt_plexd_keys_init(&keys, &port, k2, k1, 1795435800, &e), 0);
    envelope(&env, "2026-11-23T12:01:00Z");
    sign(&env, sk2);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), 0);
    /* the previous key, inside its transition */
    sign(&env, sk1);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), 0);
    /* ... and after it */
    set_wall(1795435800 + 1);
    envelope(&env, "2026-11-23T12:10:00Z");
    sign(&env, sk1);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: bad signature");
    /* a changed payload */
    sign(&env, sk2);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), 0);
    env.payload.n -= 2;
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    env.payload.n += 2;
    /* too old, too new */
    set_wall(1795435200);
    envelope(&env, "2026-11-23T11:54:59Z");
    sign(&env, sk2);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK(strstr(e.msg, "outside") != NULL);
    envelope(&env, "2026-11-23T12:05:01Z");
    sign(&env, sk2);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    /* garbage signatures */
    envelope(&env, "2026-11-23T12:00:00Z");
    snprintf(env.signature, sizeof env.signature, "not base64!");
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK_INT(tt_plexd_keys_init(&keys, &port, "c2hvcnQ=", NULL, 0, &e), -1);
    CHECK_INT(tt_plexd_keys_init(&keys, &port, k2, "c2hvcnQ=", 0, &e), -1);
    CHECK_INT(tt_plexd_keys_init(&keys, &port, NULL, NULL, 0, &e), -1);
    /* a signature of 63 bytes, a date that is no RFC 3339 */
    CHECK_INT(tt_plexd_keys_init(&keys, &port, k2, k1, 0, &e), 0);
    tt_base64_encode("0123456789012345678901234567890123456789012345678901234567890ab", 63,
                     env.signature, sizeof env.signature);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK(strstr(e.msg, "64 bytes") != NULL);
    envelope(&env, "yesterday");
    sign(&env, sk2);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK(strstr(e.msg, "RFC 3339") != NULL);
    /* a previous key without an end date stays valid */
    envelope(&env, "2026-11-23T12:00:00Z");
    sign(&env, sk1);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), 0);
    /* an empty previous key is none: the old signer is refused */
    CHECK_INT(tt_plexd_keys_init(&keys, &port, k2, "", 0, &e), 0);
    CHECK_INT(keys.has_previous, 0);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: bad signature");
}

/* An envelope whose canonical form does not fit the verifier's buffer is
 * refused before any signature check, never verified over a cut text. */
static void test_ed25519_oversized_envelope_refused(void)
{
    static char big[TT_SSE_EVENT_MAX + 1024];
    unsigned char pk[32], sk[64];
    char k[48];
    tt_plexd_keys keys;
    tt_plexd_envelope env;
    tt_port port;
    tt_error e;
    CHECK(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    tt_base64_encode(pk, 32, k, sizeof k);
    tt_mock_init(&mock);
    set_wall(1795435200);
    tt_mock_port(&mock, &port);
    CHECK_INT(tt_plexd_keys_init(&keys, &port, k, NULL, 0, &e), 0);
    envelope(&env, "2026-11-23T12:00:00Z");
    /* a string: the payload is compacted, but a string keeps its bytes */
    memset(big, 'a', sizeof big);
    big[0] = '"';
    big[sizeof big - 1] = '"';
    env.payload.p = big;
    env.payload.n = sizeof big;
    memset(env.signature, 'A', 86);
    memcpy(env.signature + 86, "==", 3);
    CHECK_INT(tt_plexd_ed25519_verify(&keys, &env, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
}

#else

static void test_ed25519_unavailable_refuses(void)
{
    tt_plexd_envelope env;
    tt_error e;
    envelope(&env, "2026-11-23T12:00:00Z");
    CHECK_INT(tt_plexd_ed25519_verify(NULL, &env, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "TT_FEATURE_ED25519") != NULL);
}

#endif

void suite_plexd_verify(void)
{
    static const tt_test tests[] = {
        { "rfc3339", test_rfc3339 },
        { "rfc3339_each_field_checked", test_rfc3339_each_field_checked },
        { "base64", test_base64 },
        { "canonical_bytes", test_canonical_bytes },
#if TT_FEATURE_ED25519
        { "ed25519", test_ed25519 },
        { "ed25519_oversized_envelope_refused", test_ed25519_oversized_envelope_refused },
#else
        { "ed25519_unavailable_refuses", test_ed25519_unavailable_refuses },
#endif
    };
    tt_run_suite("plexd_verify", tests, TT_COUNT(tests));
}
