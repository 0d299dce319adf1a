/*
 * Struct binding: a table of field descriptors decodes a JSON object into a
 * C struct. The recursion here follows the descriptor tables, whose depth
 * the program fixes at compile time; the input cannot make it deeper.
 */
#include "json.h"

#include <string.h>

typedef struct bind_ctx {
    const tt_json *doc;
    char path[TT_JSON_PATH_MAX];
    size_t plen;
    tt_error *err;
} bind_ctx;

/* Append to the field path (for messages only: a long path ends in "..."). */
static size_t path_push(bind_ctx *b, const char *fmt, const char *name, size_t index)
{
    size_t keep = b->plen, n;
    if (name != NULL)
        n = tt_fmt(b->path + b->plen, sizeof b->path - b->plen, fmt, name);
    else
        n = tt_fmt(b->path + b->plen, sizeof b->path - b->plen, fmt, index);
    b->plen += n;
    if (b->plen >= sizeof b->path) {
        memcpy(b->path + sizeof b->path - 4, "...", 4);
        b->plen = sizeof b->path - 1;
    }
    return keep;
}

static void path_pop(bind_ctx *b, size_t keep)
{
    b->plen = keep;
    b->path[keep] = '\0';
}

static int bind_object(bind_ctx *b, tt_json_val obj, const tt_json_field *fields,
                       size_t n, void *base);

/* A value that is not a container: strings, numbers, booleans, slices. */
static int bind_scalar(bind_ctx *b, tt_json_val v, tt_json_ftype type, size_t size,
                       void *dst)
{
    int64_t x;
    uint64_t u;
    switch (type) {
    case TT_JF_STRING:
        return tt_json_get_string(b->doc, v, dst, size, NULL, b->path, b->err);
    case TT_JF_DOUBLE:
        return tt_json_get_double(b->doc, v, dst, b->path, b->err);
    case TT_JF_BOOL:
        return tt_json_get_bool(b->doc, v, dst, b->path, b->err);
    case TT_JF_RAW: {
        tt_json_slice *sl = dst;
        return tt_json_raw(b->doc, v, &sl->p, &sl->n);
    }
    case TT_JF_I32:
        if (tt_json_get_int(b->doc, v, INT32_MIN, INT32_MAX, &x, b->path, b->err) != 0)
            return -1;
        *(int32_t *)dst = (int32_t)x;
        return 0;
    case TT_JF_I64:
        if (tt_json_get_int(b->doc, v, INT64_MIN, INT64_MAX, &x, b->path, b->err) != 0)
            return -1;
        *(int64_t *)dst = x;
        return 0;
    case TT_JF_U32:
        if (tt_json_get_uint(b->doc, v, UINT32_MAX, &u, b->path, b->err) != 0)
            return -1;
        *(uint32_t *)dst = (uint32_t)u;
        return 0;
    case TT_JF_U64:
        if (tt_json_get_uint(b->doc, v, UINT64_MAX, &u, b->path, b->err) != 0)
            return -1;
        *(uint64_t *)dst = u;
        return 0;
    default:
        return tt_error_set(b->err, TT_ERR_USAGE, TT_E_INVALID_ARG, NULL,
                            "%s: bad field descriptor", b->path);
    }
}

/* An array into f->max_items items of f->size bytes; the element is
 * described by f->sub[0] (its offset is ignored). */
static int bind_array(bind_ctx *b, tt_json_val v, const tt_json_field *f,
                      void *base)
{
    tt_json_iter it;
    tt_json_val k, e;
    size_t count = tt_json_count(b->doc, v), i = 0;
    unsigned char *items = (unsigned char *)base + f->offset;
    const tt_json_field *elem = &f->sub[0];

    if (tt_json_type_of(b->doc, v) != TT_JSON_ARRAY)
        return tt_error_set(b->err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                            "%s: expected an array", b->path);
    if (count > f->max_items)
        return tt_error_set(b->err, TT_ERR_LIMIT, TT_E_LIMIT_JSON_ARRAY, NULL,
                            "%s: %zu items, more than the %zu it can hold", b->path,
                            count, f->max_items);
    tt_json_iter_init(&it, b->doc, v);
    while (tt_json_iter_next(&it, &k, &e)) {
        size_t keep = path_push(b, "[%zu]", NULL, i);
        void *dst = items + i * f->size;
        int rc = elem->type == TT_JF_OBJECT
                     ? bind_object(b, e, elem->sub, elem->nsub, dst)
                     : bind_scalar(b, e, elem->type, f->size, dst);
        if (rc != 0)
            return -1;
        path_pop(b, keep);
        i++;
    }
    *(size_t *)(void *)((unsigned char *)base + f->count_offset) = count;
    return 0;
}

static int bind_field(bind_ctx *b, tt_json_val v, const tt_json_field *f, void *base)
{
    void *dst = (unsigned char *)base + f->offset;
    if (f->type == TT_JF_OBJECT)
        return bind_object(b, v, f->sub, f->nsub, dst);
    if (f->type == TT_JF_ARRAY)
        return bind_array(b, v, f, base);
    return bind_scalar(b, v, f->type, f->size, dst);
}

static int bind_object(bind_ctx *b, tt_json_val obj, const tt_json_field *fields,
                       size_t n, void *base)
{
    size_t i;
    if (tt_json_type_of(b->doc, obj) != TT_JSON_OBJECT)
        return tt_error_set(b->err, TT_ERR_PROTOCOL, TT_E_JSON_TYPE, NULL,
                            "%s: expected an object", b->plen ? b->path : "(root)");
    for (i = 0; i < n; i++) {
        const tt_json_field *f = &fields[i];
        tt_json_val v = tt_json_member(b->doc, obj, f->name, strlen(f->name));
        size_t keep = path_push(b, b->plen ? ".%s" : "%s", f->name, 0);
        if (v < 0 || tt_json_is_null(b->doc, v)) {
            if (f->flags & TT_JF_REQUIRED)
                return tt_error_set(b->err, TT_ERR_PROTOCOL, TT_E_JSON_MISSING, NULL,
                                    "%s: required field missing", b->path);
        } else if (bind_field(b, v, f, base) != 0) {
            return -1;
        }
        path_pop(b, keep);
    }
    return 0;
}

int tt_json_bind(const tt_json *doc, tt_json_val obj, const tt_json_field *fields,
                 size_t nfields, void *out, tt_error *err)
{
    bind_ctx b;
    b.doc = doc;
    b.path[0] = '\0';
    b.plen = 0;
    b.err = err;
    return bind_object(&b, obj, fields, nfields, out);
}
