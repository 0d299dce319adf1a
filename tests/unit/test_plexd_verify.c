/*
 * plexd envelope signatures: RFC 3339 times as Go reads and writes them,
 * base64, the canonical bytes (Go's encoder, HTML escaping, compacted
 * payload), Ed25519 against RFC 8032's vectors, and the agent's verifier
 * over envelopes an independent signer (Go) made, in sequence.
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

/* Go's time.Parse(time.RFC3339): every field checked; upper-case T and Z
 * only, no leap second, no 29 February out of a leap year; a one-digit
 * hour and a comma before the fraction accepted. */
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
        "2026-11-23t12:00:00Z", "2026-11-23T12:00:00z", "2016-12-31T23:59:60Z",
        "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-23T12:00:00+25:00",
    };
    static const char *const same[] = {
        "2026-11-23T10:30:00-01:30", "2026-11-23T13:30:00+01:30", "2026-11-23T12:00:00,9Z",
        "2026-11-23T12:00:00.999999999999Z",
    };
    tt_rfc3339_time tm;
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
    CHECK_INT(tt_rfc3339_parse("2026-11-23T9:00:00Z", &t), 0);
    CHECK_INT(t, 1795435200 - 3 * 3600);
    CHECK_INT(tt_rfc3339_parse("1969-12-31T23:59:59Z", &t), 0);
    CHECK_INT(t, -1);
    CHECK_INT(tt_rfc3339_parse_time("2026-11-23T12:00:00.5+02:00", 27, &tm), 0);
    CHECK_INT(tm.sec, 1795435200 - 2 * 3600);
    CHECK_INT(tm.nsec, 500000000);
    CHECK_INT(tm.offset_s, 7200);
}

/* Written back as Go's RFC3339Nano writes a time it read: trailing zeros
 * of the fraction dropped, a zero offset as Z (+00:00 and -00:00 alike),
 * another offset kept; nothing for a year outside 0000..9999 or an offset
 * of a day or more, which Go 1.20 and later refuse to write. */
static void test_rfc3339_written_back_as_go_does(void)
{
    static const struct { const char *in, *out; } cases[] = {
        { "2026-12-04T10:00:00.120000Z", "2026-12-04T10:00:00.12Z" },
        { "2026-12-04T10:00:00+00:00", "2026-12-04T10:00:00Z" },
        { "2026-12-04T10:00:00-00:00", "2026-12-04T10:00:00Z" },
        { "2026-12-04T12:00:00.5+02:00", "2026-12-04T12:00:00.5+02:00" },
        { "2026-12-04T06:30:00.000000001-03:30", "2026-12-04T06:30:00.000000001-03:30" },
        { "2026-12-04T10:00:00.1234567891Z", "2026-12-04T10:00:00.123456789Z" },
        { "2026-12-04T9:59:59,5Z", "2026-12-04T09:59:59.5Z" },
        { "0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z" },
        { "9999-12-31T23:59:59.9Z", "9999-12-31T23:59:59.9Z" },
    };
    tt_rfc3339_time tm;
    char out[64];
    size_t i, n;
    for (i = 0; i < TT_COUNT(cases); i++) {
        CHECK_INT(tt_rfc3339_parse_time(cases[i].in, strlen(cases[i].in), &tm), 0);
        n = tt_rfc3339_format_time(&tm, out, sizeof out);
        CHECK_INT(n, strlen(cases[i].out));
        CHECK_STR(out, cases[i].out);
    }
    /* 10:00 on the 5th at +24:00 is 10:00 on the 4th, but not writable */
    CHECK_INT(tt_rfc3339_parse_time("2026-12-05T10:00:00+24:00", 25, &tm), 0);
    CHECK_INT(tm.sec, 1796378400);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    /* the first moment of year 0 west of Greenwich is year -1 in UTC: fine;
     * one second before year 0 in UTC is not */
    CHECK_INT(tt_rfc3339_parse_time("0000-01-01T00:00:00-01:00", 25, &tm), 0);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 25);
    tm.sec = TT_RFC3339_MIN - 1;
    tm.offset_s = 0;
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    tm.sec = TT_RFC3339_MAX + 1;
    CHECK_INT(tt_rfc3339_format_time(&tm, out, sizeof out), 0);
    /* too small a buffer: the length it needs, as snprintf */
    CHECK_INT(tt_rfc3339_parse_time("2026-12-04T10:00:00.12Z", 23, &tm), 0);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, 23), 23);
    CHECK_INT(tt_rfc3339_format_time(&tm, out, 24), 23);
    CHECK_STR(out, "2026-12-04T10:00:00.12Z");
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

static void unhex(const char *h, unsigned char *out)
{
    size_t i;
    for (i = 0; h[2 * i] != '\0'; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* RFC 8032 section 7.1, TESTS 1 to 3: each accepted, and refused with any
 * of R, S or the message changed, or with S + L (the same scalar written
 * non-canonically); the identity as a key refused. */
static void test_ed25519_rfc8032(void)
{
    static const struct { const char *pk, *msg, *sig; } v[] = {
        { "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
        { "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
          "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
          "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
        { "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
          "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
          "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
    };
    /* L, the order of the base point, little-endian */
    static const char L[] = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";
    size_t i;
    int b, k;
    for (i = 0; i < TT_COUNT(v); i++) {
        unsigned char pk[32], msg[2], sig[64], l[32], bad[64];
        size_t mlen = strlen(v[i].msg) / 2;
        unsigned carry = 0;
        unhex(v[i].pk, pk);
        unhex(v[i].msg, msg);
        unhex(v[i].sig, sig);
        CHECK_INT(tt_ed25519_verify(sig, msg, mlen, pk), 1);
        for (b = 0; b < 64; b += 21) {
            memcpy(bad, sig, 64);
            bad[b] ^= 0x01;
            CHECK_INT(tt_ed25519_verify(bad, msg, mlen, pk), 0);
        }
        if (mlen > 0) {
            msg[0] ^= 0x80;
            CHECK_INT(tt_ed25519_verify(sig, msg, mlen, pk), 0);
            msg[0] ^= 0x80;
        }
        CHECK_INT(tt_ed25519_verify(sig, "x", 1, pk), 0);
        unhex(L, l);
        memcpy(bad, sig, 64);
        for (k = 0; k < 32; k++) {
            unsigned s = bad[32 + k] + l[k] + carry;
            bad[32 + k] = (unsigned char)s;
            carry = s >> 8;
        }
        CHECK_INT(tt_ed25519_verify(bad, msg, mlen, pk), 0);
    }
    {
        unsigned char id[32] = { 1 }, sig[64] = { 1 };
        CHECK_INT(tt_ed25519_verify(sig, "any", 3, id), 0);
    }
}

/* SHA-512 of "abc" (FIPS 180-2, appendix C). */
static void test_sha512(void)
{
    unsigned char h[64], want[64];
    unhex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", want);
    tt_sha512("abc", 3, h);
    CHECK_MEM(h, 64, want, 64);
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
        { "rfc3339", test_rfc3339 },
        { "rfc3339_each_field_checked", test_rfc3339_each_field_checked },
        { "rfc3339_written_back_as_go_does", test_rfc3339_written_back_as_go_does },
        { "base64", test_base64 },
        { "canonical_bytes", test_canonical_bytes },
#if TT_FEATURE_ED25519
        { "ed25519_rfc8032", test_ed25519_rfc8032 },
        { "sha512", test_sha512 },
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
