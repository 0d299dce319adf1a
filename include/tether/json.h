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
 * One token of a parsed document, in jsmn's layout: json.c tokenizes with
 * jsmn (strict mode) straight into an array of these and checks at compile
 * time that the layouts agree. Parent links are kept: without them jsmn
 * finds the container a bracket closes by scanning back over every token
 * so far, which is quadratic in the length of an array (2 MB/s on a 3.7 MB
 * list instead of hundreds). They cost 4 bytes per token.
 */
typedef struct tt_json_token {
    int type;                    /* jsmn's type of the value */
    int start, end;              /* its text: js[start..end) */
    int size;                    /* members or elements of a container */
    int parent;                  /* the token of its container, or -1 */
} tt_json_token;

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
    uint64_t failed_at;       /* after a failure: offset of the offending byte */
    const tt_json_events *ev;
    void *user;
} tt_json_scan;

/* Start a scan; ev (may be NULL) and user are kept by pointer. The token
 * cap is TT_JSON_MAX_TOKENS until the caller sets max_tokens. */
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
    tt_json_token tokens[TT_JSON_MAX_TOKENS];
} tt_json;

typedef int tt_json_val;

/* Validate and tokenize. The root value is token 0. */
int tt_json_parse(tt_json *doc, const char *js, size_t len, tt_error *err);

/* The type of v; TT_JSON_NONE for -1 or any index outside the document. */
tt_json_type tt_json_type_of(const tt_json *doc, tt_json_val v);

/* Member of an object by key (counted; compared with the key after
 * unescaping, so "na\u006de" is found as name), or -1. */
tt_json_val tt_json_member(const tt_json *doc, tt_json_val obj, const char *key,
                           size_t keylen);

/* 0 when no object of the document has a member name twice (compared
 * after unescaping); else -1 with TT_E_JSON_SYNTAX naming it. JSON allows
 * it, and parsers differ on which value counts: for what was signed it
 * must not be allowed. Quadratic in the members of an object: for the
 * small documents tt_json holds. */
int tt_json_check_unique(const tt_json *doc, tt_error *err);

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

/* Start at the first element or member; a value that is no container
 * iterates nothing. doc must outlive it. */
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

/* Integer text of a JSON number ("-12") within [min, max] into *out: 0,
 * or -1 when it has a fraction or exponent or is out of range. */
int tt_json_text_int(const char *p, size_t n, int64_t min, int64_t max, int64_t *out);
int tt_json_text_uint(const char *p, size_t n, uint64_t max, uint64_t *out);

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

/* ---- binding into records ------------------------------------------------ */

/*
 * A record is a C struct the caller owns; a table of tt_json_field says
 * which JSON members go where. The same table binds a whole parsed value
 * (tt_json_bind) or a text streaming in (tt_json_binder), and is built with
 * the TT_JSON_* macros below, which take every offset and size from
 * offsetof and sizeof: a buffer's size is never restated.
 */
typedef enum tt_json_ftype {
    TT_JF_STRING,   /* char[size], NUL-terminated */
    TT_JF_INT,      /* int32_t or int64_t (size says which) */
    TT_JF_UINT,     /* uint32_t or uint64_t */
    TT_JF_DOUBLE,   /* double */
    TT_JF_BOOL,     /* int */
    TT_JF_OBJECT,   /* a nested struct, its fields in sub[nsub] */
    TT_JF_ARRAY,    /* a fixed array in the record: up to max_items elements
                     * of `size` bytes of type `elem`, the count (size_t) at
                     * count_offset */
    TT_JF_LIST,     /* an array of any length: each element is built in the
                     * one slot at offset (`size` bytes, type `elem`) and
                     * handed to the binder's item callback */
    TT_JF_JSON,     /* char[size]: the value's JSON text as sent (any type) */
    TT_JF_RAW,      /* tt_json_slice pointing into the text: only for texts
                     * bound whole (a value split across two pieces of a
                     * stream is an error) */
    TT_JF_TEXT,     /* a string of any length whose unescaped content goes
                     * to the binder's text callback in pieces */
    /* written only (request bodies built from what the caller holds);
     * the binder never fills them, and ignores a member of their name */
    TT_JF_PSTR,     /* const char *: NULL is written as "" (or unset) */
    TT_JF_PJSON,    /* const char *: JSON text the caller has validated,
                     * written as it is; NULL is null (or unset) */
    TT_JF_PSTRS     /* const char *[max_items] in the record, or (max_items
                     * 0) a const char *const * to them: an array of
                     * strings, the count (size_t) at count_offset */
} tt_json_ftype;

#define TT_JF_REQUIRED 1u   /* missing (or null) is an error */
#define TT_JF_CUT 2u        /* STRING shown to people (a message): a longer
                             * text is cut at a character boundary and ends
                             * in "...", visibly; never for data */
/* Writing only (the binder ignores them). A member is unset when it holds
 * an empty string or NULL, a number <= 0 (< 0 with TT_JF_ZERO_SET), false,
 * an empty array, or RAW/JSON with nothing received. */
#define TT_JF_OMIT 4u       /* unset: the member is left out */
#define TT_JF_NULL 8u       /* unset: the member is written as null */
#define TT_JF_ZERO_SET 16u  /* a number's 0 is a value; only < 0 is unset */
#define TT_JF_WRITE_ONLY 32u /* filled by the client, not from a member of
                              * this name: written, never bound */
#define TT_JF_READ_ONLY 64u  /* bound, never written (another name for the
                              * same record, as a wrapper) */

typedef struct tt_json_slice {
    const char *p;
    size_t n;
} tt_json_slice;

typedef struct tt_json_field {
    const char *name;                  /* JSON member name */
    unsigned char type;                /* tt_json_ftype */
    unsigned char elem;                /* ARRAY, LIST: the elements' type */
    unsigned short flags;
    uint32_t offset;                   /* offsetof(record, member) */
    uint32_t size;                     /* the member; ARRAY, LIST: one element */
    const struct tt_json_field *sub;   /* OBJECT (or elements that are) */
    uint16_t nsub;
    uint16_t max_items;                /* ARRAY */
    uint32_t count_offset;             /* ARRAY */
} tt_json_field;

/* ---- the table macros: T the record type, m its member, k the JSON name,
 * fl TT_JF_* flags. Numbers take their width from the member, and a member
 * of the wrong kind does not compile (the array size turns negative). */
#define TT_JSON_MSIZE(T, m) sizeof(((T *)0)->m)
#define TT_JSON_NFIELDS(t) (sizeof(t) / sizeof((t)[0]))   /* of a table */
#define TT_JSON_CHECK_(c) (0 * sizeof(char[(c) ? 1 : -1]))
#define TT_JSON_F_(k, type, elem, fl, off, size, sub, nsub, max, cnt) \
    { k, type, elem, fl, (uint32_t)(off), (uint32_t)(size), sub, (uint16_t)(nsub), \
      (uint16_t)(max), (uint32_t)(cnt) }
#define TT_JSON_NUM_(T, m, k, fl, type, ok) \
    TT_JSON_F_(k, type, 0, fl, offsetof(T, m) + TT_JSON_CHECK_(ok), TT_JSON_MSIZE(T, m), \
               NULL, 0, 0, 0)

/* char m[N] */
#define TT_JSON_STR(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_STRING, 0, fl, offsetof(T, m), TT_JSON_MSIZE(T, m), NULL, 0, 0, 0)
/* int32_t or int64_t m */
#define TT_JSON_INT(T, m, k, fl) TT_JSON_NUM_(T, m, k, fl, TT_JF_INT, \
    TT_JSON_MSIZE(T, m) == 4 || TT_JSON_MSIZE(T, m) == 8)
/* uint32_t or uint64_t m */
#define TT_JSON_UINT(T, m, k, fl) TT_JSON_NUM_(T, m, k, fl, TT_JF_UINT, \
    TT_JSON_MSIZE(T, m) == 4 || TT_JSON_MSIZE(T, m) == 8)
/* double m */
#define TT_JSON_DOUBLE(T, m, k, fl) TT_JSON_NUM_(T, m, k, fl, TT_JF_DOUBLE, \
    TT_JSON_MSIZE(T, m) == sizeof(double))
/* int m (0 or 1) */
#define TT_JSON_BOOL(T, m, k, fl) TT_JSON_NUM_(T, m, k, fl, TT_JF_BOOL, \
    TT_JSON_MSIZE(T, m) == sizeof(int))
/* a nested struct m described by the table sub[] */
#define TT_JSON_OBJ(T, m, k, fl, sub) \
    TT_JSON_F_(k, TT_JF_OBJECT, 0, fl, offsetof(T, m), TT_JSON_MSIZE(T, m), sub, \
               TT_JSON_NFIELDS(sub), 0, 0)
/* char m[N][L], the count in size_t c */
#define TT_JSON_ARR_STR(T, m, k, fl, c) \
    TT_JSON_F_(k, TT_JF_ARRAY, TT_JF_STRING, fl, offsetof(T, m), TT_JSON_MSIZE(T, m[0]), \
               NULL, 0, TT_JSON_MSIZE(T, m) / TT_JSON_MSIZE(T, m[0]), offsetof(T, c))
/* struct m[N] described by sub[], the count in size_t c */
#define TT_JSON_ARR_OBJ(T, m, k, fl, sub, c) \
    TT_JSON_F_(k, TT_JF_ARRAY, TT_JF_OBJECT, fl, offsetof(T, m), TT_JSON_MSIZE(T, m[0]), \
               sub, TT_JSON_NFIELDS(sub), \
               TT_JSON_MSIZE(T, m) / TT_JSON_MSIZE(T, m[0]), offsetof(T, c))
/* a list of records of any length, built one at a time in the slot m */
#define TT_JSON_LIST(T, m, k, fl, sub) \
    TT_JSON_F_(k, TT_JF_LIST, TT_JF_OBJECT, fl, offsetof(T, m), TT_JSON_MSIZE(T, m), sub, \
               TT_JSON_NFIELDS(sub), 0, 0)
/* a list of strings of any length, each in the slot char m[N] */
#define TT_JSON_LIST_STR(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_LIST, TT_JF_STRING, fl, offsetof(T, m), TT_JSON_MSIZE(T, m), NULL, \
               0, 0, 0)
/* char m[N]: any value's JSON text */
#define TT_JSON_JSON(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_JSON, 0, fl, offsetof(T, m), TT_JSON_MSIZE(T, m), NULL, 0, 0, 0)
/* tt_json_slice m */
#define TT_JSON_RAW(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_RAW, 0, fl, offsetof(T, m) + \
               TT_JSON_CHECK_(TT_JSON_MSIZE(T, m) == sizeof(tt_json_slice)), \
               TT_JSON_MSIZE(T, m), NULL, 0, 0, 0)
/* written only: const char *m; JSON text const char *m; const char *m[N]
 * with its count in size_t c (at most N written) */
#define TT_JSON_PSTR(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_PSTR, 0, fl, offsetof(T, m) + \
               TT_JSON_CHECK_(TT_JSON_MSIZE(T, m) == sizeof(const char *)), \
               TT_JSON_MSIZE(T, m), NULL, 0, 0, 0)
#define TT_JSON_PJSON(T, m, k, fl) \
    TT_JSON_F_(k, TT_JF_PJSON, 0, fl, offsetof(T, m) + \
               TT_JSON_CHECK_(TT_JSON_MSIZE(T, m) == sizeof(const char *)), \
               TT_JSON_MSIZE(T, m), NULL, 0, 0, 0)
#define TT_JSON_PSTRS(T, m, k, fl, c) \
    TT_JSON_F_(k, TT_JF_PSTRS, TT_JF_PSTR, fl, offsetof(T, m) + \
               TT_JSON_CHECK_(TT_JSON_MSIZE(T, m[0]) == sizeof(const char *)), \
               TT_JSON_MSIZE(T, m[0]), NULL, 0, TT_JSON_MSIZE(T, m) / TT_JSON_MSIZE(T, m[0]), \
               offsetof(T, c))
/* written only: const char *const *m, pointing to c strings */
#define TT_JSON_PSTRV(T, m, k, fl, c) \
    TT_JSON_F_(k, TT_JF_PSTRS, TT_JF_PSTR, fl, offsetof(T, m) + \
               TT_JSON_CHECK_(TT_JSON_MSIZE(T, m) == sizeof(const char *const *)), \
               sizeof(const char *), NULL, 0, 0, offsetof(T, c))
/* a string streamed to the text callback (no member) */
#define TT_JSON_TEXT(k, fl) TT_JSON_F_(k, TT_JF_TEXT, 0, fl, 0, 0, NULL, 0, 0, 0)
/* roots: the whole value is a T described by sub[], or a list of them */
#define TT_JSON_ROOT_OBJ(T, sub) \
    TT_JSON_F_("", TT_JF_OBJECT, 0, 0, 0, sizeof(T), sub, TT_JSON_NFIELDS(sub), 0, 0)
#define TT_JSON_ROOT_LIST(T, sub) \
    TT_JSON_F_("", TT_JF_LIST, TT_JF_OBJECT, 0, 0, sizeof(T), sub, \
               TT_JSON_NFIELDS(sub), 0, 0)

/*
 * Bind object `obj` of a parsed document into the record at `out` by the
 * table fields[nfields]. Unknown members are ignored; missing optional
 * members and nulls leave the record untouched. The first problem is
 * returned, naming the field path ("vms[3].name: ..."): TT_E_JSON_MISSING,
 * TT_E_JSON_TYPE, TT_E_JSON_RANGE, TT_E_JSON_SYNTAX (a bound member twice),
 * TT_E_LIMIT_JSON_STRING, TT_E_LIMIT_JSON_ARRAY, TT_E_LIMIT_JSON_BODY (a
 * JSON member larger than its buffer); every field that fitted is bound
 * even then. Tables with LIST or TEXT fields need a tt_json_binder.
 */
int tt_json_bind(const tt_json *doc, tt_json_val obj, const tt_json_field *fields,
                 size_t nfields, void *out, tt_error *err);

/* ---- the streaming binder -------------------------------------------------- */

/* One element of a list, complete, as the binder hands it over. */
typedef struct tt_json_item {
    const tt_json_field *list;         /* the TT_JF_LIST field it belongs to */
    void *record;                      /* the element: the list's slot */
    size_t index;                      /* its place in its list, from 0 */
    const struct tt_json_item *parent; /* the element of an outer list it lies
                                        * in (still being read), or NULL */
    const tt_error *error;             /* NULL, or why this element is not
                                        * whole (its other fields are bound) */
} tt_json_item;

/* Called once per list element; -1 (with err set) stops the binding. An
 * element with an error is still delivered: one record that does not fit
 * is that record's error, not the list's. */
typedef int (*tt_json_item_fn)(void *user, const tt_json_item *item, tt_error *err);

/* Called with the unescaped content of a TT_JF_TEXT field in pieces
 * (record is the struct holding the field); last is 1 once, at the end,
 * with n = 0. -1 (with err set) stops the binding. */
typedef int (*tt_json_text_fn)(void *user, const tt_json_field *f, void *record,
                               const char *p, size_t n, int last, tt_error *err);

/* An open container that is being bound. */
typedef struct tt_json_frame {
    const tt_json_field *f;            /* the field whose value it is */
    unsigned char *base;               /* OBJECT: the record; ARRAY, LIST: items */
    uint64_t seen;                     /* OBJECT: members met (bit per field) */
    uint64_t set;                      /* OBJECT: members met with a value */
    int cur;                           /* OBJECT: field of the latest key, or -1 */
    unsigned char kind;                /* its tt_json_ftype */
    unsigned char item;                /* 1: a list element (delivered at its end) */
    unsigned depth;                    /* the scanner's depth of it */
    size_t count;                      /* ARRAY, LIST: elements met */
} tt_json_frame;

/*
 * Binds a JSON text into records while it streams in, in constant memory:
 * members the tables do not name are validated and skipped at any size and
 * depth without being held, list elements reach the item callback one at a
 * time, and only the fields of the records have buffers (the caller's, in
 * the records). Validation is the strict scanner's: a text that is not
 * JSON fails as a whole.
 *
 * A field that does not fit or is of the wrong kind is its record's error
 * (class LIMIT or PROTOCOL, message naming the path and the size): a list
 * element is delivered with it, the root record's is returned by finish.
 * A member that a table binds and that appears twice in one object is
 * such an error too: what a signature covered must not mean one thing to
 * the server and another here.
 *
 * Memory: this struct (about 1.5 KiB in the default configuration); it
 * holds no pointer into the text after a call returns, except the slices of
 * TT_JF_RAW fields. Tables may nest TT_JSON_BIND_DEPTH containers deep and
 * lists TT_JSON_BIND_LEVELS - 1 deep (a deeper table is a usage error);
 * the text itself may nest TT_JSON_MAX_DEPTH deep.
 */
typedef struct tt_json_binder {
    tt_json_scan scan;
    const tt_json_field *root;
    void *out;
    tt_json_item_fn on_item;
    tt_json_text_fn on_text;
    void *user;
    tt_error *err;                     /* the caller's, during a call */
    int failed;                        /* a fatal error: the binding stopped */
    int partial;                       /* finish: err is the root record's own */
    unsigned long delivered;           /* list elements delivered */
    unsigned long item_errors;         /* of which with an error */
    tt_json_frame frames[TT_JSON_BIND_DEPTH];
    unsigned nframes;
    unsigned level;                    /* items[level] is the innermost record */
    tt_json_item items[TT_JSON_BIND_LEVELS];
    tt_error errors[TT_JSON_BIND_LEVELS];
    /* the value being read */
    int skipping;
    unsigned skip_depth;
    int cap;                           /* what is captured (json_bind.c) */
    unsigned char cap_kind;            /* as which tt_json_ftype */
    unsigned cap_depth;
    const tt_json_field *cap_f;
    unsigned char *cap_dst;            /* its record */
    size_t cap_len;                    /* bytes stored */
    uint64_t cap_true;                 /* bytes in all */
    int scalar_item;                   /* the value is a list element */
    const char *chunk;                 /* the piece being fed */
    size_t cap_from;                   /* where the capture resumes in it */
    unsigned long feeds;
    unsigned long raw_feed;
    /* string unescaping, across pieces */
    int esc;
    uint32_t code, hi;
    char num[40];
    char key[48];
    size_t key_len;
    int key_long;
} tt_json_binder;

/* Prepare to bind a text whose root value `root` describes (made with
 * TT_JSON_ROOT_OBJ or TT_JSON_ROOT_LIST; it must outlive the binder) into
 * out. on_item, on_text and user may be NULL; without on_item, list
 * elements are bound and dropped, and the first element's error becomes the
 * root record's. */
void tt_json_binder_init(tt_json_binder *b, const tt_json_field *root, void *out,
                         tt_json_item_fn on_item, tt_json_text_fn on_text, void *user);

/* Feed a piece of the text: 0, or -1 with err (syntax, a callback's error,
 * or a usage error for a table too deep). Once -1, every later call is -1. */
int tt_json_binder_feed(tt_json_binder *b, const char *data, size_t len, tt_error *err);

/* The same with the shape of tt_client's tt_body_fn: pass the binder as
 * the request's user pointer. */
int tt_json_binder_body(void *binder, const unsigned char *data, size_t len,
                        tt_error *err);

/* The text ended: 0 when it was one JSON value and the root record was
 * bound without an error; -1 with err otherwise. When the text was JSON
 * but the root record had an error of its own, b->partial is 1 and every
 * field that fitted is bound. */
int tt_json_binder_finish(tt_json_binder *b, tt_error *err);

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
    tt_text text;               /* the caller's buffer, and what is in it */
    int bad;                    /* misuse or invalid UTF-8 */
    unsigned depth;
    unsigned char first[TT_JSON_MAX_DEPTH + 1]; /* no member written yet */
    unsigned char is_obj[TT_JSON_MAX_DEPTH + 1];
    int after_key;
} tt_json_writer;

/* Write JSON into the caller's buf[cap]. The calls below return nothing:
 * an overflow or a misuse is remembered and reported once, by
 * tt_jw_finish; what was written until then is never a valid result. */
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
 * The members of a record, by its table, into the object the writer is
 * in: the fixed fields, nested objects and fixed arrays, in table order;
 * TT_JF_JSON text as it was received and TT_JF_RAW slices as they point
 * (null when empty: a slice must still be valid); the written-only kinds
 * from the caller's pointers. TT_JF_OMIT and TT_JF_NULL members are left
 * out or null when unset. Lists and text streams are not in a record and
 * are left out. The same table that binds a record prints it, and a
 * request record's table is its body: no member is written by hand.
 */
void tt_jw_members(tt_json_writer *w, const tt_json_field *fields, size_t n, const void *rec);

/* A whole record as one object: root is a TT_JSON_ROOT_OBJ field. */
void tt_jw_record(tt_json_writer *w, const tt_json_field *root, const void *rec);

/*
 * One member of rec as text, for bodies that are not JSON (MAAS's forms)
 * written by the same tables: strings as they are, numbers in decimal,
 * booleans "true" or "false" (into buf[cap], 24 bytes are enough). 0 with
 * *text set; 1 when the member is unset (as TT_JF_OMIT reads it); -1 for a
 * kind that has no one text (objects, arrays, lists, JSON).
 */
int tt_json_field_text(const tt_json_field *f, const void *rec, char *buf, size_t cap,
                       const char **text);

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

/* Prepare; path, doc and elem_buf[elem_cap] are the caller's, kept by
 * pointer until finish. fn sees each element in doc, valid during fn
 * only; its -1 stops the feed and is returned by it. */
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
