/*
 * JSON: the strict validator (JSONTestSuite and our own vectors, each fed
 * whole, in random splits through the push scanner and through the
 * streaming decoder), typed access, struct binding, envelopes, the writer
 * and the streaming array decoder.
 */
/* 64-bit directory offsets: 32-bit ARM under qemu-user on a 64-bit host
 * otherwise fails readdir with EOVERFLOW */
#define _FILE_OFFSET_BITS 64
#include "tether/config.h"
#include "suites.h"
#if UNIT_JSON_SUITE

#include "../testlib.h"
#include "tether/json.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <math.h>

#if UNIT_JSON_ALL
/* ---- shared helpers ------------------------------------------------------- */

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* Feed text to the push scanner in random pieces (max piece length
 * maxpiece; 1 = byte at a time). 0 or -1 with err. */
static int scan_split(const char *js, size_t len, size_t maxpiece, tt_error *err)
{
    tt_json_scan s;
    size_t off = 0;
    tt_json_scan_init(&s, NULL, NULL);
    while (off < len) {
        size_t n = 1 + rng() % maxpiece;
        if (n > len - off)
            n = len - off;
        if (tt_json_scan_feed(&s, js + off, n, err) != 0)
            return -1;
        off += n;
    }
    return tt_json_scan_finish(&s, err);
}

static int count_elem(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    (void)elem;
    (void)index;
    (void)err;
    (*(size_t *)user)++;
    return 0;
}

/* The streaming decoder over a top-level array, in random splits. Its
 * verdict on validity: 0 valid (array or not: another type is
 * TT_E_JSON_TYPE after a full validation), -1 invalid. */
static tt_json stream_doc;
static char stream_elem[4096];

static int stream_split(const char *js, size_t len, size_t maxpiece, tt_error *err)
{
    tt_json_stream s;
    size_t off = 0, count = 0;
    tt_json_stream_init(&s, "", &stream_doc, stream_elem, sizeof stream_elem,
                        count_elem, &count);
    while (off < len) {
        size_t n = 1 + rng() % maxpiece;
        if (n > len - off)
            n = len - off;
        if (tt_json_stream_feed(&s, js + off, n, err) != 0)
            return -1;
        off += n;
    }
    if (tt_json_stream_finish(&s, err) != 0)
        return err->code == TT_E_JSON_TYPE || err->code == TT_E_JSON_MISSING ? 0 : -1;
    return 0;
}

static tt_json doc;

/* Every path through the validator: whole, tokenized, random splits and
 * byte by byte, scanner and streaming decoder. All must agree; the
 * common verdict (0 or -1) is returned, or 2 when they disagree. */
static int verdict(const char *js, size_t len, tt_error *first)
{
    tt_error e;
    int v = tt_json_validate(js, len, first) == 0 ? 0 : -1;
    int k;
    if ((tt_json_parse(&doc, js, len, &e) == 0 ? 0 : -1) != v)
        return 2;
    for (k = 0; k < 4; k++) {
        size_t piece = k == 0 ? 1 : (size_t)(1 + rng() % 64);
        if (scan_split(js, len, piece, &e) != v)
            return 2;
        if (stream_split(js, len, piece, &e) != v)
            return 2;
    }
    return v;
}

/* ---- JSONTestSuite ------------------------------------------------------------ */

static char file_buf[1 << 20];

static const char *suite_dir(void)
{
    const char *d = getenv("TT_JSON_SUITE");
    return d != NULL ? d : "../shared/conformance/json/test_parsing";
}

static void test_jsontestsuite(void)
{
    DIR *dir = opendir(suite_dir());
    struct dirent *de;
    int y = 0, n = 0, i_acc = 0, i_rej = 0;

    if (dir == NULL) {
        tt_test_skip("JSONTestSuite not found (set TT_JSON_SUITE); own vectors still run");
        return;
    }
    while ((de = readdir(dir)) != NULL) {
        char path[512];
        FILE *f;
        size_t len;
        tt_error e;
        int v;
        char kind = de->d_name[0];
        if ((kind != 'y' && kind != 'n' && kind != 'i') || de->d_name[1] != '_')
            continue;
        snprintf(path, sizeof path, "%s/%s", suite_dir(), de->d_name);
        f = fopen(path, "rb");
        if (f == NULL)
            continue;
        len = fread(file_buf, 1, sizeof file_buf, f);
        fclose(f);
        tt_error_clear(&e);
        v = verdict(file_buf, len, &e);
        if (v == 2) {
            closedir(dir);
            tt_test_fail(__FILE__, __LINE__, "%s: the paths disagree", de->d_name);
            return;
        }
        if (kind == 'y' && v != 0) {
            closedir(dir);
            tt_test_fail(__FILE__, __LINE__, "%s rejected: %s", de->d_name, e.msg);
            return;
        }
        if (kind == 'n' && v == 0) {
            closedir(dir);
            tt_test_fail(__FILE__, __LINE__, "%s accepted", de->d_name);
            return;
        }
        if (kind == 'y')
            y++;
        else if (kind == 'n')
            n++;
        else {
            printf("  record %-50s %s%s%s\n", de->d_name, v == 0 ? "accepted" : "rejected",
                   v == 0 ? "" : ": ", v == 0 ? "" : tt_errcode_name(e.code));
            if (v == 0)
                i_acc++;
            else
                i_rej++;
        }
    }
    closedir(dir);
    printf("  JSONTestSuite: %d y_ accepted, %d n_ rejected, i_: %d accepted, %d rejected\n",
           y, n, i_acc, i_rej);
    CHECK_INT(y, 95);
    CHECK_INT(n, 188);
}

/* ---- own vectors, one or more per rule ----------------------------------------- */

typedef struct vec {
    const char *js;
    size_t len;       /* 0: strlen */
    int ok;
    tt_errcode code;  /* for rejections */
} vec;

#define ACC(s) { s, 0, 1, TT_E_OK }
#define REJ(s, c) { s, 0, 0, c }

static const vec vectors[] = {
    /* numbers */
    ACC("0"), ACC("-0"), ACC("12"), ACC("-12.5e+3"), ACC("1E-2"), ACC("0.0"),
    ACC("1e999"), ACC("[-0.5,10e10,1.5E+00]"), ACC(" 7 "),
    REJ("01", TT_E_JSON_SYNTAX), REJ("-01", TT_E_JSON_SYNTAX),
    REJ("1.", TT_E_JSON_SYNTAX), REJ(".5", TT_E_JSON_SYNTAX),
    REJ("-", TT_E_JSON_SYNTAX), REJ("+1", TT_E_JSON_SYNTAX),
    REJ("1e", TT_E_JSON_SYNTAX), REJ("1e+", TT_E_JSON_SYNTAX),
    REJ("1.e5", TT_E_JSON_SYNTAX), REJ("0x10", TT_E_JSON_SYNTAX),
    REJ("[1.]", TT_E_JSON_SYNTAX), REJ("[-]", TT_E_JSON_SYNTAX),
    REJ("Infinity", TT_E_JSON_SYNTAX), REJ("NaN", TT_E_JSON_SYNTAX),
    REJ("[1 2]", TT_E_JSON_SYNTAX),
    /* literals */
    ACC("true"), ACC("false"), ACC("null"), ACC("[true,false,null]"),
    REJ("tru", TT_E_JSON_SYNTAX), REJ("nul", TT_E_JSON_SYNTAX),
    REJ("True", TT_E_JSON_SYNTAX), REJ("truex", TT_E_JSON_SYNTAX),
    REJ("[nulll]", TT_E_JSON_SYNTAX), REJ("[fals]", TT_E_JSON_SYNTAX),
    /* strings and escapes */
    ACC("\"\""), ACC("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""),
    ACC("\"\\u0041\\u00e9\\u20AC\""), ACC("\"\\ud83d\\ude00\""),
    ACC("\"\\u0000\""),
    REJ("\"\\x\"", TT_E_JSON_SYNTAX), REJ("\"\\u12\"", TT_E_JSON_SYNTAX),
    REJ("\"\\u12G4\"", TT_E_JSON_SYNTAX), REJ("\"\\ud83d\"", TT_E_JSON_UTF8),
    REJ("\"\\ude00\"", TT_E_JSON_UTF8), REJ("\"\\ud83d\\u0041\"", TT_E_JSON_UTF8),
    REJ("\"\\ud83dx\"", TT_E_JSON_UTF8), REJ("'a'", TT_E_JSON_SYNTAX),
    REJ("\"abc", TT_E_JSON_SYNTAX),
    /* raw control characters */
    REJ("\"a\tb\"", TT_E_JSON_SYNTAX), REJ("\"a\nb\"", TT_E_JSON_SYNTAX),
    { "\"a\0b\"", 5, 0, TT_E_JSON_SYNTAX }, REJ("\"\x1f\"", TT_E_JSON_SYNTAX),
    ACC("\"\x7f\""),
    /* UTF-8 */
    ACC("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""), ACC("\"\xef\xbf\xbf\""),
    ACC("\"\xf4\x8f\xbf\xbf\""),
    REJ("\"\xc3\"", TT_E_JSON_UTF8), REJ("\"\xc0\xaf\"", TT_E_JSON_UTF8),
    REJ("\"\xe0\x80\xaf\"", TT_E_JSON_UTF8), REJ("\"\xed\xa0\x80\"", TT_E_JSON_UTF8),
    REJ("\"\xf4\x90\x80\x80\"", TT_E_JSON_UTF8), REJ("\"\xf8\x88\x80\x80\x80\"", TT_E_JSON_UTF8),
    REJ("\"\x80\"", TT_E_JSON_UTF8), REJ("\"\xe2\x82\"", TT_E_JSON_UTF8),
    REJ("\xef\xbb\xbf{}", TT_E_JSON_SYNTAX), REJ("[\xff]", TT_E_JSON_SYNTAX),
    /* structure: commas and colons */
    ACC("{}"), ACC("[]"), ACC("{\"a\":1,\"b\":[1,{\"c\":null}]}"), ACC(" \t\r\n[ ] \n"),
    REJ("[1,]", TT_E_JSON_SYNTAX), REJ("[,1]", TT_E_JSON_SYNTAX),
    REJ("{\"a\":1,}", TT_E_JSON_SYNTAX), REJ("{\"a\" 1}", TT_E_JSON_SYNTAX),
    REJ("{\"a\"::1}", TT_E_JSON_SYNTAX), REJ("{a:1}", TT_E_JSON_SYNTAX),
    REJ("{1:1}", TT_E_JSON_SYNTAX), REJ("{\"a\":1 \"b\":2}", TT_E_JSON_SYNTAX),
    REJ("[1:2]", TT_E_JSON_SYNTAX), REJ("{\"a\",1}", TT_E_JSON_SYNTAX),
    REJ("[1}", TT_E_JSON_SYNTAX), REJ("{]", TT_E_JSON_SYNTAX), REJ("]", TT_E_JSON_SYNTAX),
    REJ("[[]", TT_E_JSON_SYNTAX), REJ("{\"a\":}", TT_E_JSON_SYNTAX),
    /* one value, then only whitespace */
    REJ("", TT_E_JSON_SYNTAX), REJ("   ", TT_E_JSON_SYNTAX), REJ("{}{}", TT_E_JSON_SYNTAX),
    REJ("1 2", TT_E_JSON_SYNTAX), REJ("[]x", TT_E_JSON_SYNTAX), REJ("\"a\"\"b\"", TT_E_JSON_SYNTAX),
    REJ("[]\f", TT_E_JSON_SYNTAX), REJ("\v[]", TT_E_JSON_SYNTAX),
    { "[]\0", 3, 0, TT_E_JSON_SYNTAX },
};

static void test_own_vectors(void)
{
    size_t i;
    for (i = 0; i < TT_COUNT(vectors); i++) {
        const vec *t = &vectors[i];
        size_t len = t->len ? t->len : strlen(t->js);
        tt_error e;
        int v;
        tt_error_clear(&e);
        v = verdict(t->js, len, &e);
        if (v == 2) {
            tt_test_fail(__FILE__, __LINE__, "vector %zu (%s): paths disagree", i, t->js);
            return;
        }
        if ((v == 0) != t->ok) {
            tt_test_fail(__FILE__, __LINE__, "vector %zu (%s): %s", i, t->js,
                         v == 0 ? "accepted" : e.msg);
            return;
        }
        if (!t->ok && e.code != t->code) {
            tt_test_fail(__FILE__, __LINE__, "vector %zu (%s): code %s, want %s", i,
                         t->js, tt_errcode_name(e.code), tt_errcode_name(t->code));
            return;
        }
        if (!t->ok)
            CHECK_INT(e.cls, TT_ERR_PROTOCOL);
    }
}

static char big[1 << 16];

static size_t nested(char open, char close, size_t depth)
{
    size_t i;
    for (i = 0; i < depth; i++)
        big[i] = open;
    for (i = 0; i < depth; i++)
        big[depth + i] = close;
    return 2 * depth;
}

static void test_depth_limit(void)
{
    tt_error e;
    size_t n = nested('[', ']', TT_JSON_MAX_DEPTH);
    CHECK_INT(verdict(big, n, &e), 0);
    n = nested('[', ']', TT_JSON_MAX_DEPTH + 1);
    CHECK_INT(verdict(big, n, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_DEPTH);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    /* a very deep input fails early, in linear time */
    memset(big, '[', sizeof big);
    CHECK_INT(tt_json_validate(big, sizeof big, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_DEPTH);
}

static void test_token_limit(void)
{
    tt_error e;
    size_t i, n = 0;
    /* [0,0,...] with TT_JSON_MAX_TOKENS tokens in all: accepted */
    big[n++] = '[';
    for (i = 0; i + 1 < TT_JSON_MAX_TOKENS; i++) {
        if (i)
            big[n++] = ',';
        big[n++] = '0';
    }
    big[n++] = ']';
    CHECK_INT(verdict(big, n, &e), 0);
    CHECK_INT(tt_json_parse(&doc, big, n, &e), 0);
    CHECK_INT(doc.ntokens, TT_JSON_MAX_TOKENS);
    big[n - 1] = ',';
    big[n++] = '0';
    big[n++] = ']';
    CHECK_INT(tt_json_validate(big, n, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_TOKENS);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(tt_json_parse(&doc, big, n, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_TOKENS);
}

static void test_error_names_offset(void)
{
    tt_error e;
    CHECK_INT(tt_json_validate("{\"a\": [1, 2,, 3]}", 17, &e), -1);
    CHECK(strstr(e.msg, "12") != NULL);
}

/* ---- typed access --------------------------------------------------------------- */

static const char sample[] =
    "{\"data\": {\"vms\": [{\"name\": \"worker-0\", \"cpus\": 2},"
    " {\"name\": \"w\\u00e9\\n\\\"1\\\"\", \"cpus\": 4, \"mem\": 1.5e3,"
    " \"on\": true, \"tags\": null}], \"count\": 2, \"big\": 18446744073709551615,"
    " \"neg\": -9223372036854775808, \"frac\": 2.5, \"e\": 1e2}, \"error\": null}";

static void parse_sample(void)
{
    tt_error e;
    CHECK_INT(tt_json_parse(&doc, sample, sizeof sample - 1, &e), 0);
}

static void test_find_paths(void)
{
    tt_json_val v;
    char s[32];
    size_t n;
    tt_error e;
    CHECK_OK(parse_sample());
    v = tt_json_find(&doc, 0, "data.vms[1].name");
    CHECK(v > 0);
    CHECK_INT(tt_json_type_of(&doc, v), TT_JSON_STRING);
    CHECK_INT(tt_json_get_string(&doc, v, s, sizeof s, &n, "name", &e), 0);
    CHECK_STR(s, "w\xc3\xa9\n\"1\"");
    CHECK_INT(n, 7);
    CHECK(tt_json_find(&doc, 0, "data.vms[2].name") < 0);
    CHECK(tt_json_find(&doc, 0, "data.vm") < 0);
    CHECK(tt_json_find(&doc, 0, "data.vms.name") < 0);
    CHECK(tt_json_find(&doc, 0, "data.vms[x]") < 0);
    CHECK(tt_json_find(&doc, 0, "data.count[0]") < 0);
    CHECK_INT(tt_json_find(&doc, 0, ""), 0);
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, 0, "error")), TT_JSON_NULL);
    CHECK(tt_json_is_null(&doc, tt_json_find(&doc, 0, "data.vms[1].tags")));
    CHECK_INT(tt_json_count(&doc, tt_json_find(&doc, 0, "data.vms")), 2);
    CHECK_INT(tt_json_count(&doc, tt_json_find(&doc, 0, "data.vms[1]")), 5);
    CHECK(tt_json_string_eq(&doc, tt_json_find(&doc, 0, "data.vms[0].name"), "worker-0"));
    CHECK(!tt_json_string_eq(&doc, tt_json_find(&doc, 0, "data.vms[0].name"), "worker-"));
    CHECK(!tt_json_string_eq(&doc, tt_json_find(&doc, 0, "data.vms[0].name"), "worker-00"));
}

static void test_get_string_too_small(void)
{
    char s[8];
    tt_error e;
    tt_json_val v;
    CHECK_OK(parse_sample());
    v = tt_json_find(&doc, 0, "data.vms[0].name");
    /* "worker-0" needs 9 bytes with its NUL: 8 is an error, not a cut */
    CHECK_INT(tt_json_get_string(&doc, v, s, 8, NULL, "data.vms[0].name", &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK(strstr(e.msg, "data.vms[0].name") != NULL);
    CHECK_INT(tt_json_get_string(&doc, tt_json_find(&doc, 0, "data.count"), s, 8, NULL,
                                 "count", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(tt_json_get_string(&doc, -1, s, 8, NULL, "x", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    /* "" needs one byte for its NUL: a 0-byte buffer is too small, and
     * is not written to */
    CHECK_INT(tt_json_parse(&doc, "{\"a\":\"\"}", 8, &e), 0);
    s[0] = 'x';
    CHECK_INT(tt_json_get_string(&doc, tt_json_find(&doc, 0, "a"), s, 0, NULL, "a", &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK_INT(s[0], 'x');
    CHECK_INT(tt_json_get_string(&doc, tt_json_find(&doc, 0, "a"), s, 1, NULL, "a", &e), 0);
    CHECK_INT(s[0], '\0');
}

static void test_get_numbers(void)
{
    tt_error e;
    int64_t x;
    uint64_t u;
    double d;
    int b;
    CHECK_OK(parse_sample());
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.count"), 0, 10, &x, "c", &e), 0);
    CHECK_INT(x, 2);
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.count"), 3, 10, &x, "c", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.neg"), INT64_MIN, INT64_MAX,
                              &x, "neg", &e), 0);
    CHECK(x == INT64_MIN);
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.big"), INT64_MIN, INT64_MAX,
                              &x, "big", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK_INT(tt_json_get_uint(&doc, tt_json_find(&doc, 0, "data.big"), UINT64_MAX, &u,
                               "big", &e), 0);
    CHECK(u == UINT64_MAX);
    CHECK_INT(tt_json_get_uint(&doc, tt_json_find(&doc, 0, "data.neg"), UINT64_MAX, &u,
                               "neg", &e), -1);
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.frac"), 0, 10, &x, "frac", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK_INT(tt_json_get_int(&doc, tt_json_find(&doc, 0, "data.e"), 0, 1000, &x, "e", &e), -1);
    CHECK_INT(tt_json_get_double(&doc, tt_json_find(&doc, 0, "data.vms[1].mem"), &d, "m", &e), 0);
    CHECK(d == 1500.0);
    CHECK_INT(tt_json_get_double(&doc, tt_json_find(&doc, 0, "data.frac"), &d, "f", &e), 0);
    CHECK(d == 2.5);
    CHECK_INT(tt_json_get_double(&doc, tt_json_find(&doc, 0, "data.vms"), &d, "vms", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(tt_json_get_bool(&doc, tt_json_find(&doc, 0, "data.vms[1].on"), &b, "on", &e), 0);
    CHECK_INT(b, 1);
    CHECK_INT(tt_json_get_bool(&doc, tt_json_find(&doc, 0, "data.count"), &b, "count", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK(strstr(e.msg, "count") != NULL);
}

static void test_number_to_double(void)
{
    static const char *const texts[] = {
        "0", "-0", "1", "3.141592653589793", "2.2250738585072014e-308", "1e308",
        "1.7976931348623157e308", "123456789012345678901234567890", "0.1", "1e-10",
        "-4.94e-320", "6.02214076e23", "0.000001234", "1E+2", "100e-2"
    };
    size_t i;
    double d;
    for (i = 0; i < TT_COUNT(texts); i++) {
        double want = strtod(texts[i], NULL);
        CHECK_INT(tt_json_number_to_double(texts[i], strlen(texts[i]), &d), 0);
        if (want == 0) {
            CHECK(fabs(d) < 1e-300);
        } else if (fabs((d - want) / want) > 1e-15) {
            tt_test_fail(__FILE__, __LINE__, "%s: %.17g != %.17g", texts[i], d, want);
            return;
        }
    }
    CHECK_INT(tt_json_number_to_double("1e309", 5, &d), -1);
    CHECK_INT(tt_json_number_to_double("1x", 2, &d), -1);
}

static void test_raw_and_iteration(void)
{
    tt_json_iter it;
    tt_json_val k, v;
    const char *p;
    size_t n, count = 0;
    CHECK_OK(parse_sample());
    CHECK_INT(tt_json_raw(&doc, tt_json_find(&doc, 0, "data.vms[0]"), &p, &n), 0);
    CHECK_MEM(p, n, "{\"name\": \"worker-0\", \"cpus\": 2}", 31);
    CHECK_INT(tt_json_raw(&doc, tt_json_find(&doc, 0, "data.vms[1].name"), &p, &n), 0);
    CHECK_MEM(p, n, "w\\u00e9\\n\\\"1\\\"", 14);
    CHECK_INT(tt_json_raw(&doc, -1, &p, &n), -1);
    /* iterate the members of data */
    tt_json_iter_init(&it, &doc, tt_json_find(&doc, 0, "data"));
    while (tt_json_iter_next(&it, &k, &v)) {
        static const char *const keys[] = { "vms", "count", "big", "neg", "frac", "e" };
        CHECK(count < 6);
        CHECK(tt_json_string_eq(&doc, k, keys[count]));
        count++;
    }
    CHECK_INT(count, 6);
    /* iterate the array: the elements, skipping their insides */
    count = 0;
    tt_json_iter_init(&it, &doc, tt_json_find(&doc, 0, "data.vms"));
    while (tt_json_iter_next(&it, &k, &v)) {
        CHECK_INT(k, -1);
        CHECK_INT(tt_json_type_of(&doc, v), TT_JSON_OBJECT);
        count++;
    }
    CHECK_INT(count, 2);
    /* iterating a scalar yields nothing */
    tt_json_iter_init(&it, &doc, tt_json_find(&doc, 0, "data.count"));
    CHECK_INT(tt_json_iter_next(&it, &k, &v), 0);
}

static void test_escaped_keys(void)
{
    tt_error e;
    static const char js[] = "{\"na\\u006de\": 1, \"a\\\"b\": 2, \"name2\": 3}";
    CHECK_INT(tt_json_parse(&doc, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_find(&doc, 0, "name"), 2);
    CHECK_INT(tt_json_member(&doc, 0, "a\"b", 3), 4);
    CHECK_INT(tt_json_member(&doc, 0, "name2", 5), 6);
    CHECK_INT(tt_json_member(&doc, 0, "nam", 3), -1);
}

static void test_top_level_scalars(void)
{
    tt_error e;
    int64_t x;
    char s[8];
    CHECK_INT(tt_json_parse(&doc, " 42 ", 4, &e), 0);
    CHECK_INT(tt_json_get_int(&doc, 0, 0, 100, &x, "root", &e), 0);
    CHECK_INT(x, 42);
    CHECK_INT(tt_json_parse(&doc, "\"hi\"", 4, &e), 0);
    CHECK_INT(tt_json_get_string(&doc, 0, s, sizeof s, NULL, "root", &e), 0);
    CHECK_STR(s, "hi");
    CHECK_INT(tt_json_parse(&doc, "null", 4, &e), 0);
    CHECK(tt_json_is_null(&doc, 0));
}

/* ---- struct binding ----------------------------------------------------------------- */

typedef struct nic {
    char mac[18];
    uint32_t mtu;
} nic;

typedef struct place {
    char zone[8];
    int32_t rack;
} place;

typedef struct vm {
    char name[16];
    int32_t cpus;
    int64_t mem;
    uint32_t port;
    uint64_t id;
    double load;
    int running;
    tt_json_slice meta;
    place place;
    int32_t disks[4];
    size_t ndisks;
    char tags[3][8];
    size_t ntags;
    nic nics[2];
    size_t nnics;
} vm;

static const tt_json_field place_fields[] = {
    TT_JSON_STR(place, zone, "zone", 0),
    TT_JSON_INT(place, rack, "rack", 0),
};
static const tt_json_field nic_fields[] = {
    TT_JSON_STR(nic, mac, "mac", TT_JF_REQUIRED),
    TT_JSON_UINT(nic, mtu, "mtu", 0),
};

static const tt_json_field vm_fields[] = {
    TT_JSON_STR(vm, name, "name", TT_JF_REQUIRED),
    TT_JSON_INT(vm, cpus, "cpus", TT_JF_REQUIRED),
    TT_JSON_INT(vm, mem, "mem", 0),
    TT_JSON_UINT(vm, port, "port", 0),
    TT_JSON_UINT(vm, id, "id", 0),
    TT_JSON_DOUBLE(vm, load, "load", 0),
    TT_JSON_BOOL(vm, running, "running", 0),
    TT_JSON_RAW(vm, meta, "meta", 0),
    TT_JSON_OBJ(vm, place, "place", 0, place_fields),
    TT_JSON_F_("disks", TT_JF_ARRAY, TT_JF_INT, 0, offsetof(vm, disks), sizeof(int32_t), NULL,
               0, 4, offsetof(vm, ndisks)),
    TT_JSON_ARR_STR(vm, tags, "tags", 0, ntags),
    TT_JSON_ARR_OBJ(vm, nics, "nics", 0, nic_fields, nnics),
};

static int bind_text(const char *js, vm *out, tt_error *e)
{
    memset(out, 0, sizeof *out);
    tt_error_clear(e);
    if (tt_json_parse(&doc, js, strlen(js), e) != 0)
        return -2;
    return tt_json_bind(&doc, 0, vm_fields, TT_COUNT(vm_fields), out, e);
}

static void test_bind_all_types(void)
{
    vm v;
    tt_error e;
    CHECK_INT(bind_text("{\"name\":\"web\\u0031\",\"cpus\":-2,\"mem\":8589934592,"
                        "\"port\":4294967295,\"id\":18446744073709551615,\"load\":0.25,"
                        "\"running\":true,\"meta\":{\"a\":[1]},\"unknown\":{\"x\":[]},"
                        "\"place\":{\"zone\":\"eu-1\",\"rack\":7},\"disks\":[10,20,30],"
                        "\"tags\":[\"a\",\"bb\"],\"nics\":[{\"mac\":\"52:54:00:12:34:56\","
                        "\"mtu\":9000},{\"mac\":\"x\"}]}", &v, &e), 0);
    CHECK_STR(v.name, "web1");
    CHECK_INT(v.cpus, -2);
    CHECK(v.mem == 8589934592LL);
    CHECK(v.port == 4294967295u);
    CHECK(v.id == UINT64_MAX);
    CHECK(v.load == 0.25);
    CHECK_INT(v.running, 1);
    CHECK_MEM(v.meta.p, v.meta.n, "{\"a\":[1]}", 9);
    CHECK_STR(v.place.zone, "eu-1");
    CHECK_INT(v.place.rack, 7);
    CHECK_INT(v.ndisks, 3);
    CHECK_INT(v.disks[0], 10);
    CHECK_INT(v.disks[2], 30);
    CHECK_INT(v.ntags, 2);
    CHECK_STR(v.tags[1], "bb");
    CHECK_INT(v.nnics, 2);
    CHECK_STR(v.nics[0].mac, "52:54:00:12:34:56");
    CHECK_INT(v.nics[0].mtu, 9000);
    CHECK_STR(v.nics[1].mac, "x");
    CHECK_INT(v.nics[1].mtu, 0);
}

static void test_bind_optional_and_null(void)
{
    vm v;
    tt_error e;
    CHECK_INT(bind_text("{\"name\":\"a\",\"cpus\":1,\"mem\":null,\"disks\":[]}", &v, &e), 0);
    CHECK_INT(v.mem, 0);
    CHECK_INT(v.ndisks, 0);
    CHECK_INT(v.ntags, 0);
}

typedef struct bind_err_case {
    const char *js;
    tt_errcode code;
    const char *path;
} bind_err_case;

static void test_bind_errors(void)
{
    static const bind_err_case cases[] = {
        { "{\"cpus\":1}", TT_E_JSON_MISSING, "name" },
        { "{\"name\":null,\"cpus\":1}", TT_E_JSON_MISSING, "name" },
        { "{\"name\":1,\"cpus\":1}", TT_E_JSON_TYPE, "name" },
        { "{\"name\":\"0123456789abcdef\",\"cpus\":1}", TT_E_LIMIT_JSON_STRING, "name" },
        { "{\"name\":\"a\",\"cpus\":2147483648}", TT_E_JSON_RANGE, "cpus" },
        { "{\"name\":\"a\",\"cpus\":1.5}", TT_E_JSON_RANGE, "cpus" },
        { "{\"name\":\"a\",\"cpus\":\"2\"}", TT_E_JSON_TYPE, "cpus" },
        { "{\"name\":\"a\",\"cpus\":1,\"mem\":9223372036854775808}", TT_E_JSON_RANGE, "mem" },
        { "{\"name\":\"a\",\"cpus\":1,\"port\":-1}", TT_E_JSON_RANGE, "port" },
        { "{\"name\":\"a\",\"cpus\":1,\"port\":4294967296}", TT_E_JSON_RANGE, "port" },
        { "{\"name\":\"a\",\"cpus\":1,\"id\":18446744073709551616}", TT_E_JSON_RANGE, "id" },
        { "{\"name\":\"a\",\"cpus\":1,\"load\":\"x\"}", TT_E_JSON_TYPE, "load" },
        { "{\"name\":\"a\",\"cpus\":1,\"load\":1e400}", TT_E_JSON_RANGE, "load" },
        { "{\"name\":\"a\",\"cpus\":1,\"running\":1}", TT_E_JSON_TYPE, "running" },
        { "{\"name\":\"a\",\"cpus\":1,\"place\":[]}", TT_E_JSON_TYPE, "place" },
        { "{\"name\":\"a\",\"cpus\":1,\"place\":{\"rack\":true}}", TT_E_JSON_TYPE, "place.rack" },
        { "{\"name\":\"a\",\"cpus\":1,\"disks\":{}}", TT_E_JSON_TYPE, "disks" },
        { "{\"name\":\"a\",\"cpus\":1,\"disks\":[1,2,3,4,5]}", TT_E_LIMIT_JSON_ARRAY, "disks" },
        { "{\"name\":\"a\",\"cpus\":1,\"disks\":[1,\"2\"]}", TT_E_JSON_TYPE, "disks[1]" },
        { "{\"name\":\"a\",\"cpus\":1,\"tags\":[\"12345678\"]}", TT_E_LIMIT_JSON_STRING, "tags[0]" },
        { "{\"name\":\"a\",\"cpus\":1,\"nics\":[{\"mac\":\"m\"},{\"mtu\":1}]}", TT_E_JSON_MISSING,
          "nics[1].mac" },
        { "{\"name\":\"a\",\"cpus\":1,\"nics\":[{\"mac\":\"m\"},{\"mac\":\"n\",\"mtu\":-5}]}",
          TT_E_JSON_RANGE, "nics[1].mtu" },
        { "{\"name\":\"a\",\"cpus\":1,\"nics\":[7]}", TT_E_JSON_TYPE, "nics[0]" },
        { "[1]", TT_E_JSON_TYPE, "(root)" },
    };
    size_t i;
    for (i = 0; i < TT_COUNT(cases); i++) {
        vm v;
        tt_error e;
        char want[64];
        if (bind_text(cases[i].js, &v, &e) != -1 || e.code != cases[i].code) {
            tt_test_fail(__FILE__, __LINE__, "case %zu (%s): %s (%s)", i, cases[i].js,
                         tt_errcode_name(e.code), e.msg);
            return;
        }
        snprintf(want, sizeof want, "%s: ", cases[i].path);
        if (strncmp(e.msg, want, strlen(want)) != 0) {
            tt_test_fail(__FILE__, __LINE__, "case %zu: message \"%s\" does not start \"%s\"",
                         i, e.msg, want);
            return;
        }
    }
}

/* ---- envelopes and API errors ------------------------------------------------------ */

static void test_envelopes(void)
{
    tt_json_envelope env;
    tt_error e;
    static const char ok[] = "{\"data\": {\"id\": 3}, \"error\": null}";
    static const char err1[] =
        "{\"error\": {\"code\": \"not_found\", \"message\": \"vm not found: worker-1\"}}";
    static const char err2[] = "{\"error\": \"quota exceeded\"}";
    static const char err3[] = "{\"detail\": \"Not authenticated\"}";
    static const char err4[] = "{\"detail\": [{\"loc\": [\"body\"], \"msg\": \"field required\"}]}";
    static const char plain[] = "[1, 2]";
    static const char nulldata[] = "{\"data\": null}";

    CHECK_INT(tt_json_parse(&doc, ok, sizeof ok - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 0);
    CHECK_INT(tt_json_type_of(&doc, env.data), TT_JSON_OBJECT);
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, env.data, "id")), TT_JSON_NUMBER);

    CHECK_INT(tt_json_parse(&doc, err1, sizeof err1 - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 1);
    CHECK_STR(env.code, "not_found");
    CHECK_STR(env.message, "vm not found: worker-1");
    CHECK_INT(env.data, -1);

    CHECK_INT(tt_json_parse(&doc, err2, sizeof err2 - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 1);
    CHECK_STR(env.message, "quota exceeded");

    CHECK_INT(tt_json_parse(&doc, err3, sizeof err3 - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 1);
    CHECK_STR(env.message, "Not authenticated");

    CHECK_INT(tt_json_parse(&doc, err4, sizeof err4 - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 1);
    CHECK_STR(env.message, "field required");

    CHECK_INT(tt_json_parse(&doc, plain, sizeof plain - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 0);
    CHECK_INT(env.data, 0);

    CHECK_INT(tt_json_parse(&doc, nulldata, sizeof nulldata - 1, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 0);
    CHECK_INT(env.data, -1);
}

static void test_envelope_long_message_is_marked_cut(void)
{
    tt_json_envelope env;
    tt_error e;
    size_t i, n = 0;
    n += (size_t)sprintf(big, "{\"error\":{\"code\":\"x\",\"message\":\"");
    for (i = 0; i < 2 * TT_ERROR_MSG_MAX; i++)
        big[n++] = (char)('a' + i % 26);
    n += (size_t)sprintf(big + n, "\"}}");
    CHECK_INT(tt_json_parse(&doc, big, n, &e), 0);
    tt_json_envelope_read(&doc, &env);
    CHECK_INT(env.is_error, 1);
    CHECK(strlen(env.message) < sizeof env.message);
    CHECK(strcmp(env.message + strlen(env.message) - 3, "...") == 0);
}

static void test_api_error(void)
{
    tt_error e;
    static const char body[] =
        "{\"error\": {\"code\": \"not_found\", \"message\": \"vm not found: worker-1\"}}";
    CHECK_INT(tt_json_api_error(&e, "host-a", 404, -1, body, sizeof body - 1, &doc), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "host-a: vm not found: worker-1");
    CHECK_STR(e.api_code, "not_found");
    CHECK_INT(e.http_status, 404);
    CHECK(tt_error_is_api(&e));

    /* a MAAS-style plain text body */
    CHECK_INT(tt_json_api_error(&e, "maas", 409, 5, "No such machine\n", 16, &doc), -1);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_STR(e.msg, "maas: HTTP 409 Conflict: No such machine");
    CHECK_INT(e.retry_after, 5);

    /* an HTML page is not shown */
    CHECK_INT(tt_json_api_error(&e, "h", 502, -1, "<html>bad</html>", 16, &doc), -1);
    CHECK_STR(e.msg, "h: HTTP 502 Bad Gateway");

    /* JSON without an error: just the status */
    CHECK_INT(tt_json_api_error(&e, NULL, 500, -1, "{\"data\":1}", 10, &doc), -1);
    CHECK_STR(e.msg, "HTTP 500 Internal Server Error");
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(tt_json_api_error(&e, NULL, 503, -1, NULL, 0, &doc), -1);
    CHECK_STR(e.msg, "HTTP 503 Service Unavailable");
}

/* ---- writer ----------------------------------------------------------------------- */

static char wbuf[1024];

static void test_writer_round_trip(void)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    char s[128];
    double d;
    int64_t x;
    uint64_t u;
    static const char every[] = "q\" b\\ s/ \b\f\n\r\t \x01\x1f\x7f caf\xc3\xa9 \xe2\x82\xac "
                                "\xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac";
    static const double doubles[] = { 0.1, -2.5e-300, 1.7976931348623157e308, 3.0,
                                       123456.789, -0.0, 6.02214076e23, 5e-324 };
    size_t i;

    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_object(&w);
    tt_jw_key(&w, "s");
    tt_jw_string(&w, every);
    tt_jw_key(&w, "k\"ey");
    tt_jw_int(&w, INT64_MIN);
    tt_jw_key(&w, "u");
    tt_jw_uint(&w, UINT64_MAX);
    tt_jw_key(&w, "d");
    tt_jw_array(&w);
    for (i = 0; i < TT_COUNT(doubles); i++)
        tt_jw_double(&w, doubles[i]);
    tt_jw_end(&w);
    tt_jw_key(&w, "t");
    tt_jw_bool(&w, 1);
    tt_jw_key(&w, "f");
    tt_jw_bool(&w, 0);
    tt_jw_key(&w, "n");
    tt_jw_null(&w);
    tt_jw_key(&w, "o");
    tt_jw_object(&w);
    tt_jw_key(&w, "raw");
    tt_jw_raw(&w, "[1,{\"a\":null}]", 14);
    tt_jw_end(&w);
    tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
    CHECK_INT(n, strlen(wbuf));

    CHECK_INT(tt_json_parse(&doc, wbuf, n, &e), 0);
    CHECK_INT(tt_json_get_string(&doc, tt_json_find(&doc, 0, "s"), s, sizeof s, &n, "s", &e), 0);
    CHECK_MEM(s, n, every, sizeof every - 1);
    CHECK_INT(tt_json_get_int(&doc, tt_json_member(&doc, 0, "k\"ey", 4), INT64_MIN,
                              INT64_MAX, &x, "k", &e), 0);
    CHECK(x == INT64_MIN);
    CHECK_INT(tt_json_get_uint(&doc, tt_json_find(&doc, 0, "u"), UINT64_MAX, &u, "u", &e), 0);
    CHECK(u == UINT64_MAX);
    for (i = 0; i < TT_COUNT(doubles); i++) {
        tt_json_val v = tt_json_index(&doc, tt_json_find(&doc, 0, "d"), i);
        CHECK_INT(tt_json_get_double(&doc, v, &d, "d", &e), 0);
        if (doubles[i] == 0 ? d != 0 : fabs((d - doubles[i]) / doubles[i]) > 1e-14) {
            tt_test_fail(__FILE__, __LINE__, "double %.17g came back %.17g", doubles[i], d);
            return;
        }
    }
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, 0, "t")), TT_JSON_TRUE);
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, 0, "f")), TT_JSON_FALSE);
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, 0, "n")), TT_JSON_NULL);
    CHECK_INT(tt_json_type_of(&doc, tt_json_find(&doc, 0, "o.raw[1].a")), TT_JSON_NULL);
}

/* The writer refuses what would make invalid JSON: bad UTF-8 of every
 * kind, keys outside objects or twice in a row, a value where a key is
 * due, NaN and infinity; the good edges of UTF-8 pass. */
static void test_writer_refuses_misuse(void)
{
    static const char *const bad_utf8[] = {
        "\x80", "\xc1\xbf", "\xe0\x9f\x80", "\xed\xa0\x80", "\xf0\x8f\x80\x80",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xc3",
    };
    static const char *const good_utf8[] = {
        "\xc2\x80", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
    };
    tt_json_writer w;
    tt_error e;
    size_t n, i;
    for (i = 0; i < TT_COUNT(bad_utf8); i++) {
        tt_jw_init(&w, wbuf, sizeof wbuf);
        tt_jw_string(&w, bad_utf8[i]);
        if (tt_jw_finish(&w, &n, &e) == 0) {
            tt_test_fail(__FILE__, __LINE__, "bad UTF-8 %zu written", i);
            return;
        }
    }
    for (i = 0; i < TT_COUNT(good_utf8); i++) {
        tt_jw_init(&w, wbuf, sizeof wbuf);
        tt_jw_string(&w, good_utf8[i]);
        CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
        CHECK_INT(n, strlen(good_utf8[i]) + 2);
    }
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_key(&w, "k");                 /* a key at the top */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_array(&w);
    tt_jw_key(&w, "k");                 /* a key in an array */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_object(&w);
    tt_jw_key(&w, "a");
    tt_jw_key(&w, "b");                 /* two keys in a row */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_object(&w);
    tt_jw_int(&w, 1);                   /* a value without its key */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_double(&w, 0.0 / 0.0);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_double(&w, -1.0 / 0.0);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_end(&w);                      /* nothing to close */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_array(&w);                    /* left open */
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_string(&w, NULL);             /* a missing value is null */
    CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
    CHECK_STR(wbuf, "null");
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_array(&w);
    tt_jw_double(&w, 1e22);
    tt_jw_double(&w, 12345678901234567890.0);
    tt_jw_double(&w, 1.5e-7);
    tt_jw_double(&w, 100.0);
    tt_jw_double(&w, 1.2e21);
    tt_jw_double(&w, 0.000012345);
    tt_jw_double(&w, 9007199254740993.0);
    tt_jw_double(&w, 123456789012.5);
    tt_jw_double(&w, -7e-310);
    tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
    CHECK_INT(tt_json_parse(&doc, wbuf, n, &e), 0);
    {
        static const double back[] = { 1e22, 12345678901234567890.0, 1.5e-7, 100.0, 1.2e21,
                                       0.000012345, 9007199254740992.0, 123456789012.5,
                                       -7e-310 };
        size_t k;
        for (k = 0; k < TT_COUNT(back); k++) {
            double d;
            CHECK_INT(tt_json_get_double(&doc, tt_json_index(&doc, 0, k), &d, "d", &e), 0);
            if (fabs(d - back[k]) > fabs(back[k]) * 1e-15) {
                tt_test_fail(__FILE__, __LINE__, "%.17g came back %.17g (%s)", back[k], d, wbuf);
                return;
            }
        }
    }
}

/* Paths with bad index syntax find nothing; strings that do not fit are a
 * limit, named; error envelopes with numeric codes and long messages. */
static void test_paths_limits_envelopes(void)
{
    static tt_json d;
    static const char js[] = " {\"a\":[{\"b\":\"xyz\"}],\"n\":12} ";
    static char env_js[600];
    char buf[3];
    size_t n;
    tt_error e;
    tt_json_envelope env;
    CHECK_INT(tt_json_parse(&d, js, sizeof js - 1, &e), 0);
    CHECK(tt_json_find(&d, 0, "a[0].b") > 0);
    CHECK_INT(tt_json_find(&d, 0, "a[x]"), -1);
    CHECK_INT(tt_json_find(&d, 0, "a[0"), -1);
    CHECK_INT(tt_json_find(&d, 0, "a[5].b"), -1);
    CHECK_INT(tt_json_find(&d, 0, "n.m"), -1);
    CHECK_INT(tt_json_get_string(&d, tt_json_find(&d, 0, "a[0].b"), buf, sizeof buf, &n,
                                 "b", &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK(strstr(e.msg, "b: string longer") != NULL);
    CHECK_INT(tt_json_get_string(&d, tt_json_find(&d, 0, "n"), buf, sizeof buf, &n, NULL, &e),
              -1);
    CHECK(strstr(e.msg, "value: expected a string") != NULL);
    CHECK_INT(tt_json_parse(&d, "   ", 3, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    /* a numeric code, and a message longer than the envelope keeps */
    n = (size_t)snprintf(env_js, sizeof env_js, "{\"error\":{\"code\":409,\"message\":\"");
    memset(env_js + n, 'm', 500);
    n += 500;
    n += (size_t)snprintf(env_js + n, sizeof env_js - n, "\"}}");
    CHECK_INT(tt_json_parse(&d, env_js, n, &e), 0);
    CHECK_INT(tt_json_envelope_read(&d, &env), 0);
    CHECK_STR(env.code, "409");
    CHECK(strstr(env.message, "...") != NULL);   /* cut for display, and says so */
    CHECK_INT(tt_json_parse(&d, "{\"detail\":[{\"msg\":\"field required\"}]}", 37, &e), 0);
    CHECK_INT(tt_json_envelope_read(&d, &env), 0);
    CHECK_STR(env.message, "field required");
    CHECK_INT(tt_json_api_error(&e, "h", 422, -1, "{\"detail\":\"bad\"}", 16, &d), -1);
    CHECK(strstr(e.msg, "bad") != NULL);
    CHECK_INT(tt_json_api_error(&e, "h", 502, -1, NULL, 0, &d), -1);
    CHECK(strstr(e.msg, "HTTP 502 Bad Gateway") != NULL);
}

static void test_writer_escapes_exactly(void)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_string(&w, "\"\\/\b\f\n\r\t\x01\x7f\xc3\xa9");
    CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
    CHECK_STR(wbuf, "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\x7f\xc3\xa9\"");
}

static void test_writer_omitempty(void)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_object(&w);
    tt_jw_kv_string(&w, "a", NULL);
    tt_jw_kv_string(&w, "b", "");
    tt_jw_kv_string(&w, "c", "x");
    tt_jw_kv_int(&w, "d", 0);
    tt_jw_kv_int(&w, "e", -3);
    tt_jw_kv_bool(&w, "f", 0);
    tt_jw_kv_bool(&w, "g", 1);
    tt_jw_key(&w, "h");
    tt_jw_array(&w);
    tt_jw_end(&w);
    tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), 0);
    CHECK_STR(wbuf, "{\"c\":\"x\",\"e\":-3,\"g\":true,\"h\":[]}");
}

/* Build one fixed document into a buffer of the given capacity. */
static int write_doc(char *buf, size_t cap, size_t *n, tt_error *e)
{
    tt_json_writer w;
    tt_jw_init(&w, buf, cap);
    tt_jw_object(&w);
    tt_jw_kv_string(&w, "name", "worker-\xc3\xa9");
    tt_jw_key(&w, "cpus");
    tt_jw_array(&w);
    tt_jw_int(&w, 1);
    tt_jw_double(&w, 2.5);
    tt_jw_end(&w);
    tt_jw_end(&w);
    return tt_jw_finish(&w, n, e);
}

static void test_writer_overflow_never_partial(void)
{
    char full[128], small[128];
    size_t n, m, cap;
    tt_error e;
    CHECK_INT(write_doc(full, sizeof full, &n, &e), 0);
    CHECK_STR(full, "{\"name\":\"worker-\xc3\xa9\",\"cpus\":[1,2.5]}");
    for (cap = 0; cap < n; cap++) {
        m = 99;
        if (write_doc(small, cap, &m, &e) != -1 || e.code != TT_E_LIMIT_JSON_BODY) {
            tt_test_fail(__FILE__, __LINE__, "capacity %zu accepted", cap);
            return;
        }
    }
    /* exactly the length fits (no room for the NUL is fine) */
    CHECK_INT(write_doc(small, n, &m, &e), 0);
    CHECK_MEM(small, m, full, n);
}

static void test_writer_misuse(void)
{
    tt_json_writer w;
    tt_error e;
    size_t n;
    /* a value where a key belongs */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_object(&w);
    tt_jw_int(&w, 1);
    tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    /* unbalanced */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_array(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    /* too many ends */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_array(&w);
    tt_jw_end(&w);
    tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    /* two top-level values */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_int(&w, 1);
    tt_jw_int(&w, 2);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    /* invalid UTF-8 in a string is not passed on */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_string(&w, "a\xc3");
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    /* non-finite numbers have no JSON spelling */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_double(&w, HUGE_VAL);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_double(&w, NAN);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    /* nothing at all */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
    /* raw text must be a valid value */
    tt_jw_init(&w, wbuf, sizeof wbuf);
    tt_jw_raw(&w, "[1,", 3);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
}

static void test_writer_deep_nesting_is_refused(void)
{
    tt_json_writer w;
    tt_error e;
    size_t n, i;
    tt_jw_init(&w, wbuf, sizeof wbuf);
    for (i = 0; i < TT_JSON_MAX_DEPTH + 1; i++)
        tt_jw_array(&w);
    for (i = 0; i < TT_JSON_MAX_DEPTH + 1; i++)
        tt_jw_end(&w);
    CHECK_INT(tt_jw_finish(&w, &n, &e), -1);
}

/* ---- streaming array decode ------------------------------------------------------------ */

typedef struct collected {
    char names[8][16];
    size_t n;
    int stop_at;
} collected;

static int collect_name(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    collected *c = user;
    if (c->stop_at >= 0 && index == (size_t)c->stop_at)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL, "stop at %zu", index);
    if (c->n >= 8)
        return 0;
    if (tt_json_type_of(elem, 0) == TT_JSON_OBJECT) {
        if (tt_json_get_string(elem, tt_json_find(elem, 0, "name"), c->names[c->n], 16, NULL,
                               "name", err) != 0)
            return -1;
    } else {
        const char *p;
        size_t n;
        tt_json_raw(elem, 0, &p, &n);
        if (n > 15)
            n = 15;
        memcpy(c->names[c->n], p, n);
        c->names[c->n][n] = '\0';
    }
    c->n++;
    return 0;
}

static char elem_buf[4096];

/* Stream js at path with pieces of at most maxpiece bytes (0: each split
 * point in turn is tried by the caller through `cut`). */
static int stream_text(const char *js, size_t len, const char *path, size_t cut,
                       size_t cap, collected *c, tt_error *e)
{
    tt_json_stream s;
    memset(c, 0, sizeof *c);
    c->stop_at = -1;
    tt_error_clear(e);
    tt_json_stream_init(&s, path, &stream_doc, elem_buf, cap, collect_name, c);
    if (tt_json_stream_feed(&s, js, cut, e) != 0 ||
        tt_json_stream_feed(&s, js + cut, len - cut, e) != 0)
        return -1;
    return tt_json_stream_finish(&s, e);
}

static const char listing[] =
    "{\"meta\": {\"data\": [\"decoy\"]}, \"data\" : {\"items\": \"no\", \"vms\" : [\n"
    "  {\"name\": \"a]\\\"}\", \"disks\": [[1], {\"x\": \"[\"}]},\n"
    "  {\"name\": \"b\\u00e9\"},\n"
    "  {\"name\": \"c\", \"data\": {\"vms\": [\"inner\"]}}\n"
    "], \"after\": [1, 2]}, \"error\": null}";

static void test_stream_every_split(void)
{
    size_t cut, len = sizeof listing - 1;
    for (cut = 0; cut <= len; cut++) {
        collected c;
        tt_error e;
        if (stream_text(listing, len, "data.vms", cut, sizeof elem_buf, &c, &e) != 0) {
            tt_test_fail(__FILE__, __LINE__, "cut %zu: %s", cut, e.msg);
            return;
        }
        CHECK_INT(c.n, 3);
        CHECK_STR(c.names[0], "a]\"}");
        CHECK_STR(c.names[1], "b\xc3\xa9");
        CHECK_STR(c.names[2], "c");
    }
}

static void test_stream_byte_at_a_time(void)
{
    tt_json_stream s;
    collected c;
    tt_error e;
    size_t i, len = sizeof listing - 1;
    memset(&c, 0, sizeof c);
    c.stop_at = -1;
    tt_json_stream_init(&s, "data.vms", &stream_doc, elem_buf, 64, collect_name, &c);
    for (i = 0; i < len; i++)
        CHECK_INT(tt_json_stream_feed(&s, listing + i, 1, &e), 0);
    CHECK_INT(tt_json_stream_finish(&s, &e), 0);
    CHECK_INT(c.n, 3);
}

static void test_stream_top_level_array(void)
{
    collected c;
    tt_error e;
    static const char js[] = " [1, \"two\", [3], {\"name\":\"four\"}, null] ";
    CHECK_INT(stream_text(js, sizeof js - 1, "", 7, sizeof elem_buf, &c, &e), 0);
    CHECK_INT(c.n, 5);
    CHECK_STR(c.names[0], "1");
    CHECK_STR(c.names[1], "two");
    CHECK_STR(c.names[2], "[3]");
    CHECK_STR(c.names[3], "four");
    CHECK_STR(c.names[4], "null");
    CHECK_INT(stream_text("[]", 2, "", 1, sizeof elem_buf, &c, &e), 0);
    CHECK_INT(c.n, 0);
}

static void test_stream_element_too_large(void)
{
    collected c;
    tt_error e;
    size_t len = sizeof listing - 1;
    /* the first element is 45 bytes */
    CHECK_INT(stream_text(listing, len, "data.vms", 30, 20, &c, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_ELEMENT);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK(strstr(e.msg, "45 bytes") != NULL);
    CHECK(strstr(e.msg, "20-byte") != NULL);
    CHECK_INT(c.n, 0);
}

static void test_stream_missing_and_wrong_type(void)
{
    collected c;
    tt_error e;
    size_t len = sizeof listing - 1;
    CHECK_INT(stream_text(listing, len, "data.nothing", 10, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_MISSING);
    CHECK(strstr(e.msg, "data.nothing") != NULL);
    CHECK_INT(stream_text(listing, len, "data.items", 10, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(stream_text(listing, len, "data.vms.x", 10, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_MISSING);
    /* a syntax error wins over the missing array */
    CHECK_INT(stream_text("{\"data\": 1,}", 12, "data", 3, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    /* and one inside the array stops the decode */
    CHECK_INT(stream_text("{\"data\": [1, 02]}", 17, "data", 3, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK_INT(c.n, 1);
}

static void test_stream_callback_error_stops(void)
{
    tt_json_stream s;
    collected c;
    tt_error e;
    memset(&c, 0, sizeof c);
    c.stop_at = 1;
    tt_json_stream_init(&s, "data.vms", &stream_doc, elem_buf, sizeof elem_buf,
                        collect_name, &c);
    CHECK_INT(tt_json_stream_feed(&s, listing, sizeof listing - 1, &e), -1);
    CHECK_INT(e.code, TT_E_INVALID_ARG);
    CHECK_STR(e.msg, "stop at 1");
    CHECK_INT(c.n, 1);
    /* once failed, it stays failed */
    CHECK_INT(tt_json_stream_feed(&s, "", 0, &e), -1);
    CHECK_INT(tt_json_stream_finish(&s, &e), -1);
}

static void test_stream_element_token_limit(void)
{
    collected c;
    tt_error e;
    size_t i, n = 0;
    /* one element with more tokens than a document may hold */
    n += (size_t)sprintf(big, "{\"data\":[[");
    for (i = 0; i < TT_JSON_MAX_TOKENS + 1; i++)
        n += (size_t)sprintf(big + n, i ? ",0" : "0");
    n += (size_t)sprintf(big + n, "]]}");
    CHECK_INT(stream_text(big, n, "data", 5, sizeof elem_buf, &c, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_TOKENS);
}

/* Escapes decode to UTF-8 of every length; numbers out of range and of
 * the wrong type are refused by name; {"error": true} is an error. */
static void test_escapes_ranges_and_types(void)
{
    static tt_json d;
    static const char js[] =
        "{\"a\":\"\\u00e9\\u20ac\\ud83d\\ude00\",\"big\":18446744073709551616,"
        "\"neg\":-9223372036854775809,\"min\":-9223372036854775808,\"frac\":1.5,"
        "\"s\":\"x\",\"u\":-1}";
    char buf[32];
    size_t n;
    int64_t i64;
    uint64_t u64;
    double dv;
    tt_error e;
    tt_json_envelope env;
    CHECK_INT(tt_json_parse(&d, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_get_string(&d, tt_json_find(&d, 0, "a"), buf, sizeof buf, &n, "a", &e), 0);
    CHECK_STR(buf, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    CHECK_INT(n, 9);
    CHECK_INT(tt_json_get_int(&d, tt_json_find(&d, 0, "big"), INT64_MIN, INT64_MAX, &i64, "big", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK(strstr(e.msg, "big") != NULL);
    CHECK_INT(tt_json_get_int(&d, tt_json_find(&d, 0, "neg"), INT64_MIN, INT64_MAX, &i64, "neg", &e), -1);
    CHECK_INT(tt_json_get_int(&d, tt_json_find(&d, 0, "min"), INT64_MIN, INT64_MAX, &i64, "min", &e), 0);
    CHECK(i64 == INT64_MIN);
    CHECK_INT(tt_json_get_int(&d, tt_json_find(&d, 0, "frac"), 0, 10, &i64, "frac", &e), -1);
    CHECK_INT(tt_json_get_int(&d, tt_json_find(&d, 0, "s"), 0, 10, &i64, "s", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(tt_json_get_uint(&d, tt_json_find(&d, 0, "u"), 10, &u64, "u", &e), -1);
    CHECK_INT(tt_json_get_uint(&d, tt_json_find(&d, 0, "s"), 10, &u64, "s", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(tt_json_get_double(&d, tt_json_find(&d, 0, "s"), &dv, "s", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_TYPE);
    CHECK_INT(tt_json_parse(&d, "{\"error\":true}", 14, &e), 0);
    CHECK_INT(tt_json_envelope_read(&d, &env), 0);
    CHECK_INT(env.is_error, 1);
    CHECK_INT(tt_json_api_error(&e, "h", 500, -1, "{\"error\":true}", 14, &d), -1);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK(strstr(e.msg, "HTTP 500") != NULL);
}
#endif /* UNIT_JSON_ALL */

#if UNIT_FULL_ENGINE
/* ---- edges: sizes, navigation, escapes, numbers, error bodies ---- */

static tt_json jdoc;

#if SIZE_MAX > 0x7fffffffUL
static void test_json_parse_refuses_text_over_2gib(void)
{
    tt_error e;
    /* the size is checked before a byte is read */
    CHECK_INT(tt_json_parse(&jdoc, "{}", (size_t)0x80000000UL, &e), -1);
    CHECK_INT(e.cls, TT_ERR_LIMIT);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_BODY);
}
#endif

static void test_json_navigation_outside_the_document(void)
{
    static const char js[] = "{\"a\":1,\"b\":[true]}";
    const char *p;
    size_t n;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, NULL), 0);
    CHECK_INT(tt_json_raw(&jdoc, jdoc.ntokens, &p, &n), -1);
    CHECK_INT(tt_json_raw(&jdoc, -1, &p, &n), -1);
    CHECK_INT(tt_json_member(&jdoc, 0, "c", 1), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[x]"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[-1]"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[0"), -1);
    CHECK_INT(tt_json_find(&jdoc, 0, "b[0]"),
              tt_json_index(&jdoc, tt_json_member(&jdoc, 0, "b", 1), 0));
    /* a number is not the string "1" */
    CHECK_INT(tt_json_string_eq(&jdoc, tt_json_member(&jdoc, 0, "a", 1), "1"), 0);
}

static void test_json_unicode_escapes_decoded(void)
{
    static const char js[] = "\"\\u00E9\\u0041\\uE000\\ud83d\\ude00\"";
    char buf[32];
    size_t n;
    tt_error e;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_get_string(&jdoc, 0, buf, sizeof buf, &n, "s", &e), 0);
    CHECK_MEM(buf, n, "\xc3\xa9" "A" "\xee\x80\x80" "\xf0\x9f\x98\x80", 10);
    CHECK_INT(tt_json_string_eq(&jdoc, 0, "\xc3\xa9" "A" "\xee\x80\x80" "\xf0\x9f\x98\x80"), 1);
    CHECK_INT(tt_json_get_string(&jdoc, 0, buf, 10, &n, NULL, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_STRING);
    CHECK_STR(e.msg, "value: string longer than its 10-byte buffer");
}

static void test_json_number_edges(void)
{
    static const char js[] = "[-0,-1,false,1e400]";
    uint64_t u;
    int64_t i;
    int b;
    double d;
    tt_error e;
    CHECK_INT(tt_json_parse(&jdoc, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_get_uint(&jdoc, tt_json_index(&jdoc, 0, 0), 10, &u, "n", &e), 0);
    CHECK_INT(u, 0);
    CHECK_INT(tt_json_get_uint(&jdoc, tt_json_index(&jdoc, 0, 1), 10, &u, "n", &e), -1);
    CHECK_INT(tt_json_get_int(&jdoc, tt_json_index(&jdoc, 0, 1), 0, 10, &i, NULL, &e), -1);
    CHECK_STR(e.msg, "value: number out of range or not an integer");
    CHECK_INT(tt_json_get_bool(&jdoc, tt_json_index(&jdoc, 0, 2), &b, "b", &e), 0);
    CHECK_INT(b, 0);
    CHECK_INT(tt_json_get_double(&jdoc, tt_json_index(&jdoc, 0, 3), &d, "d", &e), -1);
    CHECK_INT(e.code, TT_E_JSON_RANGE);
    CHECK_INT(tt_json_number_to_double("1.5e3", 5, &d), 0);
    CHECK(d == 1500.0);
    CHECK_INT(tt_json_number_to_double("1.00000000000000000000001", 25, &d), 0);
    CHECK(d == 1.0);
    CHECK_INT(tt_json_number_to_double("1E+2", 4, &d), 0);
    CHECK(d == 100.0);
    CHECK_INT(tt_json_number_to_double("1e5x", 4, &d), -1);
    CHECK_INT(tt_json_number_to_double("1e9999999", 9, &d), -1);
    d = 1.0;
    CHECK_INT(tt_json_number_to_double("1e-999999", 9, &d), 0);
    CHECK(d == 0.0);
    {
        /* not numbers: refused, not read as 0 or 1 */
        static const char *const bad[] = { "", "-", ".5", "-.5", "1.", "1.e2", "1e", "1e+",
                                           "1E-", "+1", "e5" };
        size_t k;
        for (k = 0; k < TT_COUNT(bad); k++) {
            d = 7.0;
            if (tt_json_number_to_double(bad[k], strlen(bad[k]), &d) != -1)
                tt_test_fail(__FILE__, __LINE__, "\"%s\" read as %g", bad[k], d);
        }
    }
    CHECK_INT(tt_json_number_to_double("-0.5e-1", 7, &d), 0);
    CHECK(d == -0.05);
}

static void api_error(const char *body, int status, tt_error *e)
{
    tt_json_api_error(e, "h", status, -1, body, body != NULL ? strlen(body) : 0, &jdoc);
}

static void test_api_error_text_bodies_and_envelopes(void)
{
    static char long_text[200];
    tt_error e;
    api_error("Not found\r\n ", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found: Not found");
    CHECK_INT(e.cls, TT_ERR_HTTP);
    api_error("a\001b", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    tt_json_api_error(&e, "h", 404, -1, "", 0, &jdoc);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    api_error("\n", 404, &e);
    CHECK_STR(e.msg, "h: HTTP 404 Not Found");
    api_error("<html>oops</html>", 502, &e);
    CHECK_INT(e.http_status, 502);
    CHECK_STR(e.msg, "h: HTTP 502 Bad Gateway");
    memset(long_text, 'x', 161);
    api_error(long_text, 500, &e);
    CHECK_STR(e.msg, "h: HTTP 500 Internal Server Error");
    api_error("{\"error\":{\"code\":\"E42\"}}", 400, &e);
    CHECK_INT(e.cls, TT_ERR_API);
    CHECK_STR(e.msg, "h: E42");
    CHECK_STR(e.api_code, "E42");
    api_error("{\"data\":1}", 500, &e);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(e.http_status, 500);
    api_error(NULL, 503, &e);
    CHECK_INT(e.cls, TT_ERR_HTTP);
    CHECK_INT(tt_json_api_error(NULL, "h", 400, -1, "{\"error\":\"x\"}", 13, &jdoc), -1);
    CHECK_INT(tt_json_api_error(NULL, "h", 400, -1, "plain", 5, &jdoc), -1);
}

/* ---- the scanner: events without their partners, caps, use after an error ---- */

typedef struct keyrec {
    char bytes[64];
    size_t len;
} keyrec;

static void on_key_bytes(void *u, unsigned depth, const char *p, size_t n)
{
    keyrec *k = u;
    (void)depth;
    if (k->len + n < sizeof k->bytes) {
        memcpy(k->bytes + k->len, p, n);
        k->len += n;
    }
}

static void test_scan_key_bytes_without_start_and_end_events(void)
{
    static const tt_json_events ev = { NULL, NULL, on_key_bytes };
    static const char js[] = "{\"a\\\"b\\u00e9\xc3\xa9\xf1\x80\x80\x80z\":1}";
    tt_json_scan s;
    keyrec k;
    tt_error e;
    size_t i;
    /* whole, then byte by byte: the same key bytes */
    memset(&k, 0, sizeof k);
    tt_json_scan_init(&s, &ev, &k);
    CHECK_INT(tt_json_scan_feed(&s, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_MEM(k.bytes, k.len, js + 2, sizeof js - 1 - 6);
    memset(&k, 0, sizeof k);
    tt_json_scan_init(&s, &ev, &k);
    for (i = 0; i < sizeof js - 1; i++)
        CHECK_INT(tt_json_scan_feed(&s, js + i, 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_MEM(k.bytes, k.len, js + 2, sizeof js - 1 - 6);
}

static int start_events;

static void count_start(void *u, unsigned depth, tt_json_type type, int key, size_t pos)
{
    (void)u;
    (void)depth;
    (void)type;
    (void)pos;
    start_events += key ? 100 : 1;
}

static void test_scan_start_events_without_key_bytes(void)
{
    static const tt_json_events ev = { count_start, NULL, NULL };
    static const char js[] = "{\"plain\":1,\"e\\u0041\\n\":[2]}";
    tt_json_scan s;
    tt_error e;
    start_events = 0;
    tt_json_scan_init(&s, &ev, NULL);
    CHECK_INT(tt_json_scan_feed(&s, js, sizeof js - 1, &e), 0);
    CHECK_INT(tt_json_scan_finish(&s, &e), 0);
    CHECK_INT(start_events, 204); /* two keys; object, 1, array, 2 */
}

static void test_scan_token_cap_hit_by_a_container(void)
{
    static char js[TT_JSON_MAX_TOKENS * 2 + 8];
    size_t o = 0, i;
    tt_error e;
    js[o++] = '[';
    for (i = 0; i + 1 < TT_JSON_MAX_TOKENS; i++) {
        js[o++] = '1';
        js[o++] = ',';
    }
    memcpy(js + o, "[]]", 3);
    o += 3;
    CHECK_INT(tt_json_validate(js, o, &e), -1);
    CHECK_INT(e.code, TT_E_LIMIT_JSON_TOKENS);
    /* one token fewer fits */
    js[o - 4] = ']';
    CHECK_INT(tt_json_validate(js, o - 3, &e), 0);
}

static void test_scan_surrogate_and_exponent_edges(void)
{
    tt_error e;
    CHECK_INT(tt_json_validate("\"\\ud800\\ue000\"", 14, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_UTF8);
    CHECK(strstr(e.msg, "high surrogate without its low half") != NULL);
    CHECK_INT(tt_json_validate("1e5e", 4, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
    CHECK_INT(tt_json_validate("[1e5 ]", 6, &e), 0);
}

static void test_scan_refuses_use_after_an_error(void)
{
    tt_json_scan s;
    tt_error e;
    tt_json_scan_init(&s, NULL, NULL);
    CHECK_INT(tt_json_scan_feed(&s, "[x", 2, &e), -1);
    CHECK_INT(tt_json_scan_feed(&s, "]", 1, &e), -1);
    CHECK_STR(e.msg, "JSON scanner used after an error");
    CHECK_INT(tt_json_scan_finish(&s, &e), -1);
    CHECK_INT(tt_json_validate_stream("[x", 2, &e), -1);
    CHECK_INT(e.code, TT_E_JSON_SYNTAX);
}

/* ---- array streaming: only the named keys are followed ---- */

typedef struct elems {
    char text[256];
    size_t len;
} elems;

static int collect_elem(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    elems *c = user;
    const char *p;
    size_t n;
    (void)err;
    tt_json_raw(elem, 0, &p, &n);
    c->len += (size_t)snprintf(c->text + c->len, sizeof c->text - c->len, "%zu:%.*s|",
                               index, (int)n, p);
    return 0;
}

/* Stream text through the array at path, whole or byte by byte. */
static int stream_at(const char *path, const char *js, int bytewise, elems *out,
                       tt_error *e)
{
    static tt_json_stream st;
    static tt_json edoc;
    static char ebuf[128];
    size_t i, len = strlen(js);
    memset(out, 0, sizeof *out);
    tt_json_stream_init(&st, path, &edoc, ebuf, sizeof ebuf, collect_elem, out);
    for (i = 0; i < len; i += bytewise ? 1 : len)
        if (tt_json_stream_feed(&st, js + i, bytewise ? 1 : len, e) != 0)
            return -1;
    return tt_json_stream_finish(&st, e);
}

static void test_stream_follows_only_the_named_keys(void)
{
    static const char js[] = "{\"x\":{\"b\":[9]},\"ab\":[7],\"a\":{\"bb\":[8],"
        "\"\":0,\"b\":[1,[2],{\"b\":[3]}],\"c\":[4]},\"z\":[5]}";
    static const char js2[] = "{\"x\":{\"a\":[5]},\"a\":[6,7]}";
    elems c;
    tt_error e;
    int way;
    for (way = 0; way < 2; way++) {
        CHECK_INT(stream_at("a.b", js, way, &c, &e), 0);
        CHECK_STR(c.text, "0:1|1:[2]|2:{\"b\":[3]}|");
        CHECK_INT(stream_at("a", js2, way, &c, &e), 0);
        CHECK_STR(c.text, "0:6|1:7|");
        /* a repeated key: only the first array at the path */
        CHECK_INT(stream_at("a", "{\"a\":[1],\"a\":[2]}", way, &c, &e), 0);
        CHECK_STR(c.text, "0:1|");
        /* an array where the path wants an object is not descended */
        CHECK_INT(stream_at("a.b", "{\"a\":[{\"b\":[1]}]}", way, &c, &e), -1);
        CHECK_INT(e.code, TT_E_JSON_MISSING);
        CHECK_STR(e.msg, "a.b: no array there");
    }
}
#endif

void suite_json(void)
{
    static const tt_test tests[] = {
#if UNIT_JSON_ALL
        { "escapes_ranges_and_types", test_escapes_ranges_and_types },
        { "writer_refuses_misuse", test_writer_refuses_misuse },
        { "paths_limits_envelopes", test_paths_limits_envelopes },
        { "jsontestsuite", test_jsontestsuite },
        { "own_vectors", test_own_vectors },
        { "depth_limit", test_depth_limit },
        { "token_limit", test_token_limit },
        { "error_names_offset", test_error_names_offset },
        { "find_paths", test_find_paths },
        { "get_string_too_small", test_get_string_too_small },
        { "get_numbers", test_get_numbers },
        { "number_to_double", test_number_to_double },
        { "raw_and_iteration", test_raw_and_iteration },
        { "escaped_keys", test_escaped_keys },
        { "top_level_scalars", test_top_level_scalars },
        { "bind_all_types", test_bind_all_types },
        { "bind_optional_and_null", test_bind_optional_and_null },
        { "bind_errors", test_bind_errors },
        { "envelopes", test_envelopes },
        { "envelope_long_message_is_marked_cut", test_envelope_long_message_is_marked_cut },
        { "api_error", test_api_error },
        { "writer_round_trip", test_writer_round_trip },
        { "writer_escapes_exactly", test_writer_escapes_exactly },
        { "writer_omitempty", test_writer_omitempty },
        { "writer_overflow_never_partial", test_writer_overflow_never_partial },
        { "writer_misuse", test_writer_misuse },
        { "writer_deep_nesting_is_refused", test_writer_deep_nesting_is_refused },
        { "stream_every_split", test_stream_every_split },
        { "stream_byte_at_a_time", test_stream_byte_at_a_time },
        { "stream_top_level_array", test_stream_top_level_array },
        { "stream_element_too_large", test_stream_element_too_large },
        { "stream_missing_and_wrong_type", test_stream_missing_and_wrong_type },
        { "stream_callback_error_stops", test_stream_callback_error_stops },
        { "stream_element_token_limit", test_stream_element_token_limit },
#endif
#if UNIT_FULL_ENGINE
#if SIZE_MAX > 0x7fffffffUL
        { "json_parse_refuses_text_over_2gib", test_json_parse_refuses_text_over_2gib },
#endif
        { "json_navigation_outside_the_document", test_json_navigation_outside_the_document },
        { "json_unicode_escapes_decoded", test_json_unicode_escapes_decoded },
        { "json_number_edges", test_json_number_edges },
        { "api_error_text_bodies_and_envelopes", test_api_error_text_bodies_and_envelopes },
        { "scan_key_bytes_without_start_and_end_events",
          test_scan_key_bytes_without_start_and_end_events },
        { "scan_start_events_without_key_bytes", test_scan_start_events_without_key_bytes },
        { "scan_token_cap_hit_by_a_container", test_scan_token_cap_hit_by_a_container },
        { "scan_surrogate_and_exponent_edges", test_scan_surrogate_and_exponent_edges },
        { "scan_refuses_use_after_an_error", test_scan_refuses_use_after_an_error },
        { "stream_follows_only_the_named_keys", test_stream_follows_only_the_named_keys },
#endif
    };
    tt_run_suite("json", tests, TT_COUNT(tests));
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
