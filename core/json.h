/*
 * tether JSON: strict validation (RFC 8259) on top of jsmn's tokenizer,
 * typed access by path, struct binding, API envelopes, a writer, and a
 * streaming decoder for large arrays. No allocation: documents, token
 * arrays, element buffers and output buffers are all the caller's.
 *
 * Validation accepts exactly the texts RFC 8259 calls JSON: the number
 * grammar, the three literals, escapes including \u surrogate pairs (a lone
 * surrogate is refused), valid UTF-8 only, no raw control characters in
 * strings, one top-level value (scalars allowed) and nothing after it but
 * whitespace. Nesting depth (TT_JSON_MAX_DEPTH) and token count
 * (TT_JSON_MAX_TOKENS) are capped, each with its own limit error.
 *
 * Error classes: syntax and UTF-8 problems, wrong types, missing fields and
 * out-of-range numbers are TT_ERR_PROTOCOL (the server sent something it
 * should not have); caps and buffers are TT_ERR_LIMIT.
 */
#ifndef TT_JSON_H
#define TT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

/*
 * jsmn's types; json.c includes jsmn's code itself, in strict mode. Parent
 * links are on: without them jsmn finds the container a bracket closes by
 * scanning back over every token so far, which is quadratic in the length
 * of an array (2 MB/s on a 3.7 MB list instead of hundreds). They cost 4
 * bytes per token, and every file must see the same token layout.
 */
#ifndef JSMN_H
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>
#elif !defined(JSMN_PARENT_LINKS)
#error "include jsmn.h with JSMN_PARENT_LINKS, as json.h does"
#endif

/* ---- streaming scanner (validation) ------------------------------------ */

/* Value types, as the scanner and the document report them. */
typedef enum tt_json_type {
    TT_JSON_NONE = 0,
    TT_JSON_OBJECT,
    TT_JSON_ARRAY,
    TT_JSON_STRING,
    TT_JSON_NUMBER,
    TT_JSON_TRUE,
    TT_JSON_FALSE,
    TT_JSON_NULL
} tt_json_type;

/* Optional event hooks of the scanner; positions are offsets in the chunk
 * being fed. depth is the number of open containers around the value. */
typedef struct tt_json_events {
    /* a value (or an object key, key = 1) begins at chunk[pos] */
    void (*start)(void *u, unsigned depth, tt_json_type type, int key, size_t pos);
    /* a value (or key) ends just before chunk[pos] */
    void (*end)(void *u, unsigned depth, int key, size_t pos);
    /* raw bytes of an object key's content (without quotes), in pieces */
    void (*key_bytes)(void *u, unsigned depth, const char *p, size_t n);
} tt_json_events;

/* A push validator: any split of the input gives the same verdict. Its
 * memory is fixed (depth is capped); the token cap protects tokenizing a
 * whole document and is lifted by the streaming decoder, which tokenizes
 * one element at a time. */
typedef struct tt_json_scan {
    int state;
    int sub;
    int in_key;
    int literal;
    uint32_t hi;              /* pending high surrogate */
    uint32_t code;            /* \u accumulation */
    int utf8_need;
    unsigned char utf8_lo, utf8_hi;
    unsigned depth;
    unsigned char kinds[(TT_JSON_MAX_DEPTH + 7) / 8]; /* 1 object, 0 array */
    size_t tokens;
    size_t max_tokens;        /* TT_JSON_MAX_TOKENS; 0 = no cap (streams) */
    uint64_t offset;          /* bytes consumed in all */
    const tt_json_events *ev;
    void *user;
} tt_json_scan;

void tt_json_scan_init(tt_json_scan *s, const tt_json_events *ev, void *user);

/* Feed len bytes; 0, or -1 with err set at the first offending byte. */
int tt_json_scan_feed(tt_json_scan *s, const char *data, size_t len,
                      tt_error *err);

/* The input ended: 0 when it held exactly one complete value, else -1. */
int tt_json_scan_finish(tt_json_scan *s, tt_error *err);

/* Validate a whole text: tt_json_scan_feed + finish. */
int tt_json_validate(const char *js, size_t len, tt_error *err);

/* The same without the token cap (for texts that are written or streamed,
 * never tokenized whole: request bodies, batches). Depth stays capped. */
int tt_json_validate_stream(const char *js, size_t len, tt_error *err);

/* ---- documents ----------------------------------------------------------- */

/* A parsed document: the text (not copied; it must outlive the document)
 * and its tokens. Values are token indexes; -1 means "no value". */
typedef struct tt_json {
    const char *js;
    size_t len;
    int ntokens;
    jsmntok_t tokens[TT_JSON_MAX_TOKENS];
} tt_json;

typedef int tt_json_val;

/* Validate and tokenize. The root value is token 0. */
int tt_json_parse(tt_json *doc, const char *js, size_t len, tt_error *err);

tt_json_type tt_json_type_of(const tt_json *doc, tt_json_val v);

/* Member of an object by key (counted; compared with the key after
 * unescaping, so "na\u006de" is found as name), or -1. */
tt_json_val tt_json_member(const tt_json *doc, tt_json_val obj, const char *key,
                           size_t keylen);

/* Element i of an array, or -1. */
tt_json_val tt_json_index(const tt_json *doc, tt_json_val arr, size_t i);

/* Follow a path from v: keys separated by '.', indexes in brackets:
 * "data.vms[3].name". -1 when any step is missing or of the wrong kind. */
tt_json_val tt_json_find(const tt_json *doc, tt_json_val v, const char *path);

/* Number of elements of an array or members of an object; 0 otherwise. */
size_t tt_json_count(const tt_json *doc, tt_json_val v);

/* Iteration over an array's elements or an object's members. */
typedef struct tt_json_iter {
    const tt_json *doc;
    tt_json_val next;
    size_t left;
    int object;
} tt_json_iter;

void tt_json_iter_init(tt_json_iter *it, const tt_json *doc, tt_json_val container);
/* Next element (key = -1) or member (key = its key token): 1, or 0 at the end. */
int tt_json_iter_next(tt_json_iter *it, tt_json_val *key, tt_json_val *value);

/*
 * Typed getters. Each returns 0, or -1 with err: TT_E_JSON_TYPE when v is
 * absent or of another type, TT_E_JSON_RANGE for a number outside
 * [min, max] or not an integer, TT_E_LIMIT_JSON_STRING when the unescaped
 * string (plus its NUL) does not fit in cap -- never a truncation. `what`
 * names the value in messages ("data.name").
 */
int tt_json_get_string(const tt_json *doc, tt_json_val v, char *buf, size_t cap,
                       size_t *len, const char *what, tt_error *err);
int tt_json_get_int(const tt_json *doc, tt_json_val v, int64_t min, int64_t max,
                    int64_t *out, const char *what, tt_error *err);
int tt_json_get_uint(const tt_json *doc, tt_json_val v, uint64_t max,
                     uint64_t *out, const char *what, tt_error *err);
int tt_json_get_double(const tt_json *doc, tt_json_val v, double *out,
                       const char *what, tt_error *err);
int tt_json_get_bool(const tt_json *doc, tt_json_val v, int *out,
                     const char *what, tt_error *err);
int tt_json_is_null(const tt_json *doc, tt_json_val v);

/* A string or number value for display (messages, never data): unescaped
 * into buf[cap] (cap >= 4), cut with "..." when longer; "" for any other
 * type. Returns nothing: a display copy cannot fail. */
void tt_json_display_copy(const tt_json *doc, tt_json_val v, char *buf, size_t cap);

/* The raw text of a value (strings without their quotes, not unescaped). */
int tt_json_raw(const tt_json *doc, tt_json_val v, const char **p, size_t *n);

/* 1 when a string value equals text (after unescaping), else 0. */
int tt_json_string_eq(const tt_json *doc, tt_json_val v, const char *text);

/* Parse a JSON number text as a double. Accurate to an ulp or two; no
 * locale, no libc. 0, or -1 when p[n] is not a number by JSON's grammar
 * up to leading zeros ("", "-", "1.", "1e", "x" are refused). */
int tt_json_number_to_double(const char *p, size_t n, double *out);

/* ---- struct binding ------------------------------------------------------ */

typedef enum tt_json_ftype {
    TT_JF_STRING,   /* char[size] */
    TT_JF_I32,      /* int32_t */
    TT_JF_I64,      /* int64_t */
    TT_JF_U32,      /* uint32_t */
    TT_JF_U64,      /* uint64_t */
    TT_JF_DOUBLE,   /* double */
    TT_JF_BOOL,     /* int */
    TT_JF_OBJECT,   /* nested struct, fields in sub[nsub] */
    TT_JF_ARRAY,    /* fixed array of elem (size = element size), count at count_offset */
    TT_JF_RAW       /* tt_json_slice: the raw text, pointing into the document */
} tt_json_ftype;

#define TT_JF_REQUIRED 1u   /* missing (or null) is an error */

typedef struct tt_json_slice {
    const char *p;
    size_t n;
} tt_json_slice;

typedef struct tt_json_field {
    const char *name;                  /* JSON key */
    tt_json_ftype type;
    size_t offset;                     /* offsetof(struct, member) */
    size_t size;                       /* string buffer / array element size */
    unsigned flags;
    const struct tt_json_field *sub;   /* object fields, or the array element */
    size_t nsub;
    size_t max_items;                  /* arrays: capacity */
    size_t count_offset;               /* arrays: where the count (size_t) goes */
} tt_json_field;

/*
 * Decode object `obj` into the struct at `out` by the descriptor table.
 * Unknown keys are ignored; missing optional fields (and nulls) leave the
 * struct untouched. Errors name the field path ("vms[3].name: ..."):
 * TT_E_JSON_MISSING, TT_E_JSON_TYPE, TT_E_JSON_RANGE, TT_E_LIMIT_JSON_STRING,
 * TT_E_LIMIT_JSON_ARRAY. Recursion follows the descriptor tables only,
 * whose depth is fixed by the program, never by the input.
 */
int tt_json_bind(const tt_json *doc, tt_json_val obj, const tt_json_field *fields,
                 size_t nfields, void *out, tt_error *err);

/* ---- envelopes ----------------------------------------------------------- */

/*
 * Control-plane envelopes: {"data": ..., "error": null}, {"error":
 * {"code": "...", "message": "..."}}, {"error": "text"}, {"detail": "..."}
 * (FastAPI), or a plain value (no envelope: data is the root).
 */
typedef struct tt_json_envelope {
    int is_error;
    tt_json_val data;                  /* -1 when absent or null */
    char code[TT_ERROR_API_CODE_MAX];
    char message[TT_ERROR_MSG_MAX];
} tt_json_envelope;

/* Classify a parsed document. Always 0 (a document that is no envelope is
 * plain data); codes and messages too long for the fields are cut at a
 * character boundary and end in "...", as they are for display only. */
int tt_json_envelope_read(const tt_json *doc, tt_json_envelope *env);

/*
 * One library error from an HTTP status and a response body: when the body
 * is an error envelope, TT_ERR_API with the API's code and message ("host:
 * vm not found: worker-1"); otherwise TT_ERR_HTTP with the status and, for
 * a short text body, that text. http_status and retry_after are kept.
 * Returns -1.
 */
int tt_json_api_error(tt_error *err, const char *host, int status,
                      int32_t retry_after, const char *body, size_t len,
                      tt_json *scratch);

/* ---- writer -------------------------------------------------------------- */

typedef struct tt_json_writer {
    char *buf;
    size_t cap;
    size_t len;
    int overflow;
    int bad;                    /* misuse or invalid UTF-8 */
    unsigned depth;
    unsigned char first[TT_JSON_MAX_DEPTH + 1]; /* no member written yet */
    unsigned char is_obj[TT_JSON_MAX_DEPTH + 1];
    int after_key;
} tt_json_writer;

void tt_jw_init(tt_json_writer *w, char *buf, size_t cap);
void tt_jw_object(tt_json_writer *w);
void tt_jw_array(tt_json_writer *w);
void tt_jw_end(tt_json_writer *w);             /* closes the innermost */
void tt_jw_key(tt_json_writer *w, const char *key);
void tt_jw_string(tt_json_writer *w, const char *s); /* NULL: null */
void tt_jw_string_n(tt_json_writer *w, const char *s, size_t n);
void tt_jw_int(tt_json_writer *w, int64_t v);
void tt_jw_uint(tt_json_writer *w, uint64_t v);
void tt_jw_double(tt_json_writer *w, double v);  /* NaN/inf: an error */
void tt_jw_bool(tt_json_writer *w, int v);
void tt_jw_null(tt_json_writer *w);
void tt_jw_raw(tt_json_writer *w, const char *json, size_t n); /* a valid value */

/* Members that omit themselves when empty (Go's omitempty). */
void tt_jw_kv_string(tt_json_writer *w, const char *key, const char *s);  /* NULL or "": omitted */
void tt_jw_kv_int(tt_json_writer *w, const char *key, int64_t v);         /* 0: omitted */
void tt_jw_kv_bool(tt_json_writer *w, const char *key, int v);            /* false: omitted */

/*
 * Finish: 0 with *len set when the document is complete and fitted; -1
 * with TT_E_LIMIT_JSON_BODY (it did not fit: nothing partial is ever
 * reported as success) or TT_E_INVALID_ARG (unbalanced, misplaced key,
 * invalid UTF-8 in a string, non-finite number). The buffer is
 * NUL-terminated when there is room.
 */
int tt_jw_finish(tt_json_writer *w, size_t *len, tt_error *err);

/* ---- streaming array decoder --------------------------------------------- */

/* Called once per element: a document holding just that element (root 0). */
typedef int (*tt_json_elem_fn)(void *user, const tt_json *elem, size_t index,
                               tt_error *err);

/*
 * Decode the array at `path` ("" for a top-level array, "data" or
 * "data.items" for arrays under object keys) element by element while the
 * text streams in, holding one element at a time in elem_buf. The rest of
 * the document is validated and skipped. Memory does not grow with the
 * array. An element larger than elem_cap fails with TT_E_LIMIT_JSON_ELEMENT
 * naming its size; the token cap applies to each element, not to the
 * whole text.
 */
typedef struct tt_json_stream {
    tt_json_scan scan;
    const char *path;
    unsigned array_depth;     /* depth inside the target array; 0 = not in it */
    unsigned key_depth_ok;    /* path segments matched so far */
    size_t key_pos;
    int key_match;
    int matched_key;          /* the latest key at the path's depth matched */
    int in_elem;
    char *elem;
    size_t elem_cap;
    size_t elem_len;
    uint64_t elem_size;       /* true size, also past the buffer */
    const char *chunk;        /* the chunk being fed */
    size_t chunk_start;       /* capture start within it */
    size_t count;
    int found;                /* 1 the array was seen, -1 another type was */
    tt_json *doc;
    tt_json_elem_fn fn;
    void *user;
    tt_error *err;
    int failed;
} tt_json_stream;

void tt_json_stream_init(tt_json_stream *s, const char *path, tt_json *doc,
                         char *elem_buf, size_t elem_cap, tt_json_elem_fn fn,
                         void *user);

/* Feed a piece of the text. 0 or -1. */
int tt_json_stream_feed(tt_json_stream *s, const char *data, size_t len,
                        tt_error *err);

/* The same as tt_json_stream_feed with the shape of tt_client's on_body
 * (tt_body_fn): pass it with the stream as the request's user pointer. */
int tt_json_stream_body(void *stream, const unsigned char *data, size_t len,
                        tt_error *err);

/* The text ended: 0 when it was valid JSON with an array at the path;
 * else -1: syntax errors first, then TT_E_JSON_MISSING (nothing at the
 * path) or TT_E_JSON_TYPE (something else there). */
int tt_json_stream_finish(tt_json_stream *s, tt_error *err);

#endif /* TT_JSON_H */
