/*
 * Streaming array decode: the validator's events locate the array at the
 * path, each element's bytes are gathered into the caller's element buffer
 * while they arrive, and every complete element is tokenized and handed
 * to the caller. Only one element is ever held.
 */
#include "tether/config.h"
#if TT_FEATURE_JSON_STREAM

#include "tether/json.h"

#include <string.h>

/* Segment number i (1-based) of the dotted path, or NULL. */
static const char *segment(const char *path, unsigned i, size_t *len)
{
    const char *p = path;
    unsigned k = 1;
    if (*p == '\0')
        return NULL;
    while (k < i) {
        p = strchr(p, '.');
        if (p == NULL)
            return NULL;
        p++;
        k++;
    }
    *len = strcspn(p, ".");
    return p;
}

static unsigned segments(const char *path)
{
    unsigned n = 0;
    size_t len;
    while (segment(path, n + 1, &len) != NULL)
        n++;
    return n;
}

static int stream_fail(tt_json_stream *s)
{
    s->failed = 1;
    return -1;
}

static void append(tt_json_stream *s, const char *p, size_t n)
{
    if (s->elem_len + n <= s->elem_cap) {
        memcpy(s->elem + s->elem_len, p, n);
        s->elem_len += n;
    } else {
        s->elem_len = s->elem_cap + 1; /* too big: only its size counts now */
    }
    s->elem_size += n;
}

static void element_done(tt_json_stream *s)
{
    s->in_elem = 0;
    if (s->elem_size > s->elem_cap) {
        tt_error_set(s->err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_ELEMENT, NULL,
                     "array element %zu is %llu bytes, larger than the %zu-byte "
                     "element buffer", s->count, (unsigned long long)s->elem_size,
                     s->elem_cap);
        stream_fail(s);
        return;
    }
    if (tt_json_parse(s->doc, s->elem, s->elem_len, s->err) != 0 ||
        s->fn(s->user, s->doc, s->count, s->err) != 0) {
        stream_fail(s);
        return;
    }
    s->count++;
}

static void on_start(void *u, unsigned depth, tt_json_type type, int key, size_t pos)
{
    tt_json_stream *s = u;
    unsigned m = segments(s->path);
    int on_path;

    if (s->failed || s->in_elem)
        return;
    if (key) {
        size_t len;
        s->key_match = depth == s->key_depth_ok && segment(s->path, depth, &len) != NULL;
        s->key_pos = 0;
        return;
    }
    if (s->array_depth != 0 && depth == s->array_depth) {
        s->in_elem = 1;
        s->elem_len = 0;
        s->elem_size = 0;
        s->chunk_start = pos;
        return;
    }
    on_path = depth == 0 || (s->key_depth_ok == depth && s->matched_key == (int)depth);
    if (!on_path || s->found)
        return;
    if (depth == m) {
        /* a value of another type: reported by finish, so that a text
         * that is not JSON at all is still called a syntax error */
        s->found = type == TT_JSON_ARRAY ? 1 : -1;
        if (s->found == 1)
            s->array_depth = depth + 1;
    } else if (type == TT_JSON_OBJECT && depth < m) {
        s->key_depth_ok = depth + 1;
    }
}

static void on_key_bytes(void *u, unsigned depth, const char *p, size_t n)
{
    tt_json_stream *s = u;
    size_t len;
    const char *seg;
    if (!s->key_match || s->in_elem)
        return;
    seg = segment(s->path, depth, &len);
    if (seg == NULL || s->key_pos + n > len || memcmp(seg + s->key_pos, p, n) != 0)
        s->key_match = 0;
    else
        s->key_pos += n;
}

static void on_end(void *u, unsigned depth, int key, size_t pos)
{
    tt_json_stream *s = u;
    if (s->failed)
        return;
    if (key) {
        size_t len;
        if (s->in_elem)
            return;
        s->matched_key = (s->key_match && segment(s->path, depth, &len) != NULL &&
                          s->key_pos == len) ? (int)depth : -1;
        s->key_match = 0;
        return;
    }
    if (s->in_elem) {
        if (depth == s->array_depth) {
            append(s, s->chunk + s->chunk_start, pos - s->chunk_start);
            element_done(s);
        }
        return;
    }
    if (s->array_depth != 0 && depth + 1 == s->array_depth) {
        s->array_depth = 0; /* the target array closed */
        return;
    }
    if (s->key_depth_ok == depth + 1)
        s->key_depth_ok = depth; /* left a container on the path */
}

static const tt_json_events stream_events = { on_start, on_end, on_key_bytes };

void tt_json_stream_init(tt_json_stream *s, const char *path, tt_json *doc,
                         char *elem_buf, size_t elem_cap, tt_json_elem_fn fn,
                         void *user)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->doc = doc;
    s->elem = elem_buf;
    s->elem_cap = elem_cap;
    s->fn = fn;
    s->user = user;
    s->matched_key = -1;
    tt_json_scan_init(&s->scan, &stream_events, s);
    s->scan.max_tokens = 0;
}

int tt_json_stream_feed(tt_json_stream *s, const char *data, size_t len,
                        tt_error *err)
{
    int rc;
    if (s->failed)
        return -1;
    s->err = err;
    s->chunk = data;
    rc = tt_json_scan_feed(&s->scan, data, len, err);
    if (s->failed)
        return -1;
    if (rc != 0)
        return stream_fail(s);
    if (s->in_elem) {
        append(s, data + s->chunk_start, len - s->chunk_start);
        s->chunk_start = 0;
    }
    return 0;
}

int tt_json_stream_body(void *stream, const unsigned char *data, size_t len,
                        tt_error *err)
{
    return tt_json_stream_feed(stream, (const char *)data, len, err);
}

int tt_json_stream_finish(tt_json_stream *s, tt_error *err)
{
    if (s->failed)
        return -1;
    s->err = err;
    if (tt_json_scan_finish(&s->scan, err) != 0)
        return stream_fail(s);
    if (s->found == 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, NULL,
                            "%s: no array there", s->path[0] ? s->path : "(root)");
    if (s->found < 0)
        return tt_error_set(err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                            "%s: expected an array", s->path[0] ? s->path : "(root)");
    return 0;
}

#else
typedef int tt_feature_off; /* ISO C wants a declaration in every file */
#endif
