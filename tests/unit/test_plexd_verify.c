/*
 * plexd envelope signatures (core/api/plexd_verify.c): the canonical bytes
 * (Go's encoder, HTML escaping, compacted payload), and the agent's
 * verifier over envelopes an independent signer (Go) made, in sequence.
 * (RFC 3339 times, base64 and Ed25519 are in test_timefmt.c,
 * test_base64.c and test_ed25519.c.)
 */
#include "tether/config.h"
#if TT_FEATURE_PLEXD

#include "../testlib.h"
#include "suites.h"
#include "tether/plexd.h"
#include "port_mock.h"
#if TT_FEATURE_ED25519
#include "tether/ed25519.h"
#include "plexd_go_vectors.h"
#endif

#include <stdio.h>
#include <string.h>

static const char payload[] = "{ \"peer\": {\"id\" : \"p-1\", \"note\": \"<b>a & b</b>\","
                              " \"esc\": \"x\\u003cy\\n\" }, \"n\": [1, 2] }";

static void envelope(tt_plexd_envelope *env, const char *issued)
{
    memset(env, 0, sizeof *env);
    snprintf(env->event_type, sizeof env->event_type, "peer_added");
    snprintf(env->event_id, sizeof env->event_id, "evt-1");
    snprintf(env->issued_at, sizeof env->issued_at, "%s", issued);
    tt_rfc3339_parse_time(issued, strlen(issued), &env->issued);
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
    envelope(&env, "2026-11-23T12:00:00.500Z");
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    out[n] = '\0';
    CHECK_STR(out, "{\"event_type\":\"peer_added\",\"event_id\":\"evt-1\","
                   "\"issued_at\":\"2026-11-23T12:00:00.5Z\",\"nonce\":\"n\\u003c1\\u003e\","
                   "\"payload\":{\"peer\":{\"id\":\"p-1\",\"note\":\"\\u003cb\\u003ea \\u0026 "
                   "b\\u003c/b\\u003e\",\"esc\":\"x\\u003cy\\n\"},\"n\":[1,2]}}");
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, 40, &n, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    env.payload.p = NULL;
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    CHECK(n > 9 && memcmp(out + n - 15, "\"payload\":null}", 15) == 0);
    /* control characters as Go 1.22 and later write them: \b and \f short,
     * the others as \u00XX; U+2028 and U+2029 escaped */
    snprintf(env.event_id, sizeof env.event_id, "a\bb\fc\td\001e\xe2\x80\xa8" "f");
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), 0);
    out[n] = '\0';
    CHECK(strstr(out, "\"event_id\":\"a\\bb\\fc\\td\\u0001e\\u2028f\"") != NULL);
    /* a time Go would refuse to write: no bytes, protocol class */
    CHECK_INT(tt_rfc3339_parse_time("2026-12-05T10:00:00+24:00", 25, &env.issued), 0);
    CHECK_INT(tt_plexd_canonical_bytes(&env, out, sizeof out, &n, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
}

#if TT_FEATURE_ED25519

static tt_mock mock;

/* The mock's wall clock runs with its monotonic one (whole seconds). */
static void set_wall_ms(int64_t t)
{
    mock.wall = (t - mock.now) / 1000;
}

#define TEST1_KEY "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define TEST2_KEY "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="
#define AT_10_02 1796378520000LL /* 2026-12-04T10:02:00Z */
#define AT_10_03_30 (AT_10_02 + 90000)

static tt_json doc;

/* One envelope through decode and verify: "" when accepted, "MALFORMED",
 * or the reason after "EVENT_ID: ". */
static const char *judge(tt_plexd_keys *k, const char *wire, tt_error *e)
{
    static tt_plexd_envelope env;
    const char *colon;
    if (tt_plexd_envelope_decode(&doc, wire, strlen(wire), &env, e) != 0)
        return "MALFORMED";
    if (tt_plexd_verify(k, &env, e) == 0)
        return "";
    colon = strstr(e->msg, ": ");
    return colon != NULL ? colon + 2 : e->msg;
}

/* Each of Go's envelopes, in its order, judged as Go's verifier judged it
 * (or as the vector says tether differs); the rotation installed from the
 * signing_key_rotated payload after it is accepted, as the events loop
 * does. */
static void test_verify_go_signed_envelopes(void)
{
    static tt_plexd_keys keys;
    tt_plexd_keys *k = &keys;
    tt_plexd_signing_keys sk;
    tt_port port;
    tt_error e;
    size_t i;
    tt_mock_init(&mock);
    tt_mock_port(&mock, &port);
    set_wall_ms(AT_10_02);
    CHECK_INT(tt_plexd_keys_init(k, &port, TEST1_KEY, &e), 0);
    for (i = 0; i < TT_COUNT(go_vectors); i++) {
        const go_vector *g = &go_vectors[i];
        const char *got;
        set_wall_ms(strncmp(g->name, "V14c", 4) == 0 || strncmp(g->name, "V14d", 4) == 0
                        ? AT_10_03_30
                        : AT_10_02);
        if (strncmp(g->name, "V14e", 4) == 0) {
            /* the same rotation without transition_expires: no previous key */
            memset(&sk, 0, sizeof sk);
            snprintf(sk.current, sizeof sk.current, TEST2_KEY);
            snprintf(sk.previous, sizeof sk.previous, TEST1_KEY);
            CHECK_INT(tt_plexd_keys_install(k, &sk, &e), 0);
            CHECK_INT(k->has_previous, 0);
        }
        got = judge(k, g->wire, &e);
        /* tether may say more after Go's reason, in parentheses */
        if (g->expect[0] == '\0' ? got[0] != '\0'
                                 : strncmp(got, g->expect, strlen(g->expect)) != 0) {
            tt_test_fail(__FILE__, __LINE__, "%s: got \"%s\" (%s), want \"%s\"", g->name, got,
                         e.msg, g->expect);
            return;
        }
        if (strncmp(g->name, "V14 ", 4) == 0) {
            memset(&sk, 0, sizeof sk);
            snprintf(sk.current, sizeof sk.current, TEST2_KEY);
            snprintf(sk.previous, sizeof sk.previous, TEST1_KEY);
            snprintf(sk.transition_expires, sizeof sk.transition_expires,
                     "2026-12-04T10:03:30Z");
            CHECK_INT(tt_plexd_keys_install(k, &sk, &e), 0);
        }
    }
}

/* Envelopes signed here need a signer; the verifier's other refusals do
 * not: they come before the signature is looked at, or need only one the
 * vectors give. */
static void keys_at(tt_plexd_keys *k, tt_port *port, int64_t wall_ms)
{
    tt_error e;
    tt_mock_init(&mock);
    tt_mock_port(&mock, port);
    set_wall_ms(wall_ms);
    CHECK_INT(tt_plexd_keys_init(k, port, TEST1_KEY, &e), 0);
}

static void test_verify_refusals_in_order(void)
{
    static tt_plexd_keys k;
    tt_plexd_envelope env;
    tt_port port;
    tt_error e;
    keys_at(&k, &port, AT_10_02);
    CHECK_INT(tt_plexd_envelope_decode(&doc, go_vectors[0].wire, strlen(go_vectors[0].wire),
                                       &env, &e), 0);
    /* keys: 32 bytes of base64, nothing else */
    CHECK_INT(tt_plexd_keys_init(&k, &port, "c2hvcnQ=", &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK_INT(tt_plexd_keys_init(&k, &port, NULL, &e), -1);
    CHECK_INT(tt_plexd_keys_init(&k, &port, TEST1_KEY, &e), 0);
    /* the checks before the signature, in Go's order */
    env.signature[0] = '\0';
    env.nonce[0] = '\0';
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: missing signature");
    env.signature[0] = 'j';
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: missing nonce");
    snprintf(env.nonce, sizeof env.nonce, "n-1");
    env.issued.sec = -62135596800LL;
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: missing issued_at");
    CHECK_INT(tt_plexd_envelope_decode(&doc, go_vectors[0].wire, strlen(go_vectors[0].wire),
                                       &env, &e), 0);
    /* a device whose clock was never set cannot judge an age */
    mock.wall = -2000000;
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK(strstr(e.msg, "clock is not set") != NULL);
    CHECK_INT(e.code, TT_E_SSE_REJECTED);
    set_wall_ms(AT_10_02);
    /* a signature that is not 64 bytes: refused, and its nonce not kept */
    snprintf(env.signature, sizeof env.signature, "c2hvcnQ=");
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK(strstr(e.msg, "signature verification failed") != NULL);
    CHECK_INT(tt_plexd_envelope_decode(&doc, go_vectors[0].wire, strlen(go_vectors[0].wire),
                                       &env, &e), 0);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), 0);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: duplicate nonce");
    /* five minutes on, the same event is stale: its nonce slot is free */
    set_wall_ms(AT_10_02 + 181000);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: event is stale");
}

/* The nonce store is fixed: when every slot holds a nonce still fresh, the
 * next event is refused (limit class) rather than a nonce forgotten, which
 * would let its event be replayed; a slot frees when its event goes stale. */
static void test_verify_nonce_store_full(void)
{
    static tt_plexd_keys k;
    tt_plexd_envelope env;
    tt_port port;
    tt_error e;
    size_t i;
    keys_at(&k, &port, AT_10_02);
    for (i = 0; i < TT_PLEXD_NONCES; i++) {
        k.nonces[i].digest = 0x1000 + i;
        k.nonces[i].until_ms = AT_10_02 + 1000;
    }
    CHECK_INT(tt_plexd_envelope_decode(&doc, go_vectors[0].wire, strlen(go_vectors[0].wire),
                                       &env, &e), 0);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK(strstr(e.msg, "TT_PLEXD_NONCES") != NULL);
    set_wall_ms(AT_10_02 + 2000);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), 0);
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_STR(e.msg, "evt-1: duplicate nonce");
}

/* Keys from a rotation or the state: all or nothing. */
static void test_keys_install_all_or_nothing(void)
{
    static tt_plexd_keys k;
    tt_plexd_signing_keys sk;
    tt_port port;
    tt_error e;
    unsigned char before[32];
    keys_at(&k, &port, AT_10_02);
    memcpy(before, k.current, 32);
    memset(&sk, 0, sizeof sk);
    snprintf(sk.current, sizeof sk.current, TEST2_KEY);
    snprintf(sk.previous, sizeof sk.previous, "c2hvcnQ=");
    CHECK_INT(tt_plexd_keys_install(&k, &sk, &e), -1);
    CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    CHECK_MEM(k.current, 32, before, 32);
    snprintf(sk.previous, sizeof sk.previous, TEST1_KEY);
    snprintf(sk.transition_expires, sizeof sk.transition_expires, "soon");
    CHECK_INT(tt_plexd_keys_install(&k, &sk, &e), -1);
    CHECK_MEM(k.current, 32, before, 32);
    snprintf(sk.current, sizeof sk.current, "not base64");
    sk.transition_expires[0] = '\0';
    CHECK_INT(tt_plexd_keys_install(&k, &sk, &e), -1);
    snprintf(sk.current, sizeof sk.current, TEST2_KEY);
    snprintf(sk.transition_expires, sizeof sk.transition_expires, "2026-12-04T10:03:30.5Z");
    CHECK_INT(tt_plexd_keys_install(&k, &sk, &e), 0);
    CHECK_INT(k.has_previous, 1);
    CHECK_INT(k.previous_until_ms, AT_10_03_30 + 500);
    CHECK_MEM(k.previous, 32, before, 32);
}

/* An envelope whose canonical form does not fit the verifier's buffer is
 * refused before any signature check, never verified over a cut text. */
static void test_verify_oversized_envelope_refused(void)
{
    static char big[TT_SSE_EVENT_MAX + 1024];
    static tt_plexd_keys k;
    tt_plexd_envelope env;
    tt_port port;
    tt_error e;
    keys_at(&k, &port, AT_10_02);
    CHECK_INT(tt_plexd_envelope_decode(&doc, go_vectors[0].wire, strlen(go_vectors[0].wire),
                                       &env, &e), 0);
    /* a string: the payload is compacted, but a string keeps its bytes */
    memset(big, 'a', sizeof big);
    big[0] = '"';
    big[sizeof big - 1] = '"';
    env.payload.p = big;
    env.payload.n = sizeof big;
    CHECK_INT(tt_plexd_verify(&k, &env, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
}

#else

static void test_verify_unavailable_refuses(void)
{
    tt_plexd_envelope env;
    tt_error e;
    envelope(&env, "2026-11-23T12:00:00Z");
    CHECK_INT(tt_plexd_verify(NULL, &env, &e), -1);
    CHECK_INT(e.cls, TT_ERR_USAGE);
    CHECK(strstr(e.msg, "TT_FEATURE_ED25519") != NULL);
}

#endif

void suite_plexd_verify(void)
{
    static const tt_test tests[] = {
        { "canonical_bytes", test_canonical_bytes },
#if TT_FEATURE_ED25519
        { "verify_go_signed_envelopes", test_verify_go_signed_envelopes },
        { "verify_refusals_in_order", test_verify_refusals_in_order },
        { "verify_nonce_store_full", test_verify_nonce_store_full },
        { "keys_install_all_or_nothing", test_keys_install_all_or_nothing },
        { "verify_oversized_envelope_refused", test_verify_oversized_envelope_refused },
#else
        { "verify_unavailable_refuses", test_verify_unavailable_refuses },
#endif
    };
    tt_run_suite("plexd_verify", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
