/*
 * libFuzzer target for the JSON layer. The first input byte picks how the
 * rest is split and which streaming path is used; the rest is the text.
 *
 * It checks more than "no crash": the whole-buffer validator, the push
 * scanner fed in pieces and the streaming decoder must agree; every token
 * of a parsed document is read back through every getter; strings written
 * by the writer must parse back to the same bytes. Any disagreement aborts.
 */
#include "tether/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tt_json doc, elem_doc, back;

static int piece_len(uint32_t *seed, size_t left)
{
    size_t n;
    *seed = *seed * 1103515245u + 12345u;
    n = 1 + (*seed >> 16) % 97;
    return (int)(n < left ? n : left);
}

static int scan_pieces(const char *js, size_t len, uint32_t seed, tt_error *err)
{
    tt_json_scan s;
    size_t off = 0;
    tt_json_scan_init(&s, NULL, NULL);
    while (off < len) {
        size_t n = (size_t)piece_len(&seed, len - off);
        if (tt_json_scan_feed(&s, js + off, n, err) != 0)
            return -1;
        off += n;
    }
    return tt_json_scan_finish(&s, err);
}

static int read_elem(void *user, const tt_json *elem, size_t index, tt_error *err)
{
    char buf[32];
    (void)user;
    (void)index;
    if (tt_json_type_of(elem, 0) == TT_JSON_NONE)
        abort(); /* an element handed over must be a parsed value */
    tt_json_get_string(elem, tt_json_find(elem, 0, "name"), buf, sizeof buf, NULL, "name", err);
    return 0;
}

static int stream_pieces(const char *js, size_t len, uint32_t seed, const char *path,
                         tt_error *err)
{
    static char elem_buf[256];
    tt_json_stream s;
    size_t off = 0;
    tt_json_stream_init(&s, path, &elem_doc, elem_buf, sizeof elem_buf, read_elem, NULL);
    while (off < len) {
        size_t n = (size_t)piece_len(&seed, len - off);
        if (tt_json_stream_feed(&s, js + off, n, err) != 0)
            return -1;
        off += n;
    }
    return tt_json_stream_finish(&s, err);
}

static int is_validity_code(tt_errcode c)
{
    return c == TT_E_JSON_SYNTAX || c == TT_E_JSON_UTF8 || c == TT_E_LIMIT_JSON_DEPTH;
}

/* A string value goes through the writer and back unchanged. */
static void string_round_trip(const char *s, size_t n)
{
    static char out[6 * 4096 + 2], again[4096];
    tt_json_writer w;
    tt_error err;
    size_t len, n2;
    tt_jw_init(&w, out, sizeof out);
    tt_jw_string_n(&w, s, n);
    if (tt_jw_finish(&w, &len, &err) != 0)
        abort(); /* it came from valid JSON, so it is valid UTF-8 and fits */
    if (tt_json_parse(&back, out, len, &err) != 0 ||
        tt_json_get_string(&back, 0, again, sizeof again, &n2, "s", &err) != 0 ||
        n2 != n || memcmp(again, s, n) != 0)
        abort();
}

static void read_every_token(void)
{
    static char buf[4096];
    tt_json_envelope env;
    tt_error err;
    int i;
    for (i = 0; i < doc.ntokens; i++) {
        int64_t x;
        uint64_t u;
        double d;
        int b;
        size_t n;
        switch (tt_json_type_of(&doc, i)) {
        case TT_JSON_STRING:
            if (tt_json_get_string(&doc, i, buf, sizeof buf, &n, "s", &err) == 0) {
                if (!tt_json_string_eq(&doc, i, buf) && memchr(buf, 0, n) == NULL)
                    abort();
                string_round_trip(buf, n);
            }
            tt_json_get_string(&doc, i, buf, 8, &n, "s", &err);
            break;
        case TT_JSON_NUMBER:
            tt_json_get_int(&doc, i, INT64_MIN, INT64_MAX, &x, "n", &err);
            tt_json_get_uint(&doc, i, UINT64_MAX, &u, "n", &err);
            tt_json_get_double(&doc, i, &d, "n", &err);
            break;
        case TT_JSON_TRUE:
        case TT_JSON_FALSE:
            if (tt_json_get_bool(&doc, i, &b, "b", &err) != 0)
                abort();
            break;
        case TT_JSON_NONE:
            abort();
        default:
            break;
        }
    }
    tt_json_envelope_read(&doc, &env);
    tt_json_find(&doc, 0, "data.vms[1].name");
    tt_json_find(&doc, 0, "error.message");
    tt_json_api_error(&err, "h", 500, -1, doc.js, doc.len, &back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = { "", "data", "data.vms", "a.b.c" };
    const char *js = (const char *)data + 1;
    size_t len;
    uint32_t seed;
    tt_error e_whole, e_scan, e_stream;
    int whole, parsed, scanned, streamed, truth;
    tt_json_scan uncapped;

    if (size < 1)
        return 0;
    len = size - 1;
    seed = data[0];
    whole = tt_json_validate(js, len, &e_whole);
    parsed = tt_json_parse(&doc, js, len, &e_scan);
    if (parsed != whole)
        abort();
    scanned = scan_pieces(js, len, seed, &e_scan);
    if (scanned != whole || (whole != 0 && e_scan.code != e_whole.code))
        abort();
    /* the verdict without the token cap, which the stream does not have */
    tt_json_scan_init(&uncapped, NULL, NULL);
    uncapped.max_tokens = 0;
    truth = tt_json_scan_feed(&uncapped, js, len, &e_scan) == 0 &&
            tt_json_scan_finish(&uncapped, &e_scan) == 0 ? 0 : -1;
    if (whole == 0 && truth != 0)
        abort();
    streamed = stream_pieces(js, len, seed, paths[seed % 4], &e_stream);
    if (streamed == 0 && truth != 0)
        abort(); /* the stream accepted an invalid text */
    if (streamed != 0 && is_validity_code(e_stream.code) &&
        (truth == 0 || e_stream.code != e_scan.code))
        abort(); /* the stream called a valid text invalid, or for another reason */
    if (parsed == 0)
        read_every_token();
    return 0;
}
