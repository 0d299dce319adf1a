/*
 * tether HTTP/1.1 wire format: the request-head writer and the incremental
 * response parser (RFC 9112 message framing).
 *
 * Neither allocates. The writer fills a caller buffer; the parser keeps one
 * line buffer of TT_HTTP_HEADER_LINE_MAX bytes inside tt_http_parser (which
 * the caller places) and hands everything else to callbacks as it goes, so a
 * body of any size passes through in constant memory.
 */
#ifndef TT_HTTP_H
#define TT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "errors.h"
#include "url.h"

/* One request header given by the caller. Values must not contain CR, LF
 * or NUL; names must be HTTP tokens (checked: TT_E_HEADER_INVALID). */
typedef struct tt_header {
    const char *name;
    const char *value;
} tt_header;

/* Body framing of a request head. */
#define TT_HTTP_NO_BODY  (-1)  /* no body, no Content-Length */
#define TT_HTTP_CHUNKED  (-2)  /* Transfer-Encoding: chunked follows */

/* Flags of tt_http_write_head. */
#define TT_HEAD_STRIP_CREDENTIALS 1  /* leave out Authorization, Cookie and
                                        Proxy-Authorization (cross-origin
                                        redirects must not carry them) */

/*
 * Write "METHOD target HTTP/1.1", Host, User-Agent (`user_agent`, or
 * "tether/" TT_VERSION when NULL, unless the caller gives one), "Accept: any"
 * (unless given), the caller's headers, and Content-Length (when
 * content_length >= 0) or Transfer-Encoding: chunked, then the blank line.
 * A caller "Host" header replaces the generated one.
 * Returns the head length, or -1 with TT_E_LIMIT_REQUEST_HEAD when it does
 * not fit in cap, or TT_E_HEADER_INVALID / TT_E_INVALID_ARG for a bad name,
 * value or method.
 */
long tt_http_write_head(char *buf, size_t cap, const char *method,
                        const tt_url *url, const tt_header *headers,
                        size_t nheaders, const char *user_agent,
                        long long content_length, unsigned flags,
                        tt_error *err);

/* 1 when a header of this name carries a credential (Authorization,
 * Cookie, tokens, keys, signatures): such values never reach a log. */
int tt_http_name_is_secret(const char *name, size_t n);

/* The reason phrase of a status for messages ("Not Found"; "Server Error",
 * "Client Error" or "Unexpected Status" for the others). */
const char *tt_http_reason(int status);

/* 1 when name is a valid HTTP token and value has no CR, LF, NUL or other
 * control characters except HTAB. */
int tt_http_header_valid(const char *name, const char *value);

/* Case-insensitive comparison of a counted string with a C string. */
int tt_http_name_eq(const char *s, size_t n, const char *lit);

/* ---- response parser --------------------------------------------------- */

/*
 * Callbacks. Each returns 0 to go on or -1 to stop the parse, in which case
 * it has filled `err` (the one passed to tt_http_parser_feed). Interim (1xx)
 * responses are skipped without calls.
 */
typedef struct tt_http_callbacks {
    /* Final status line: status code and reason phrase (may be empty). */
    int (*on_status)(void *user, int status, const char *reason,
                     size_t reason_len, tt_error *err);
    /* One header (trailer = 0) or trailer field (trailer = 1); the value
     * is trimmed of surrounding whitespace. Pointers valid during the call. */
    int (*on_header)(void *user, const char *name, size_t name_len,
                     const char *value, size_t value_len, int trailer,
                     tt_error *err);
    /* The head is complete; the framing fields of the parser are final. */
    int (*on_head_done)(void *user, tt_error *err);
    /* A piece of the (de-chunked) body. */
    int (*on_body)(void *user, const unsigned char *data, size_t len,
                   tt_error *err);
} tt_http_callbacks;

/* How the body of the current response is delimited. */
typedef enum tt_http_framing {
    TT_FRAME_NONE = 0,     /* no body (HEAD, 204, 304) */
    TT_FRAME_LENGTH,       /* Content-Length */
    TT_FRAME_CHUNKED,      /* Transfer-Encoding: chunked */
    TT_FRAME_CLOSE         /* until the server closes the connection */
} tt_http_framing;

typedef struct tt_http_parser {
    /* read-only results, valid once on_head_done has been called */
    int status;
    int minor_version;          /* 0 or 1 */
    tt_http_framing framing;
    uint64_t content_length;    /* when framing == TT_FRAME_LENGTH */
    int keep_alive;             /* the connection may carry another request */
    uint64_t body_bytes;        /* body bytes delivered so far */

    /* private */
    int state;
    int head_request;
    int has_cl;
    int te_seen;
    unsigned nfields;
    uint64_t remaining;
    size_t line_len;
    uint64_t total;             /* bytes consumed by this response (64 bits: a
                                 * 32-bit size_t would wrap after 4 GiB) */
    const char *host;           /* for error messages, may be NULL */
    const tt_http_callbacks *cb;
    void *user;
    char line[TT_HTTP_HEADER_LINE_MAX];
} tt_http_parser;

/* Feed results (besides -1 for an error). */
#define TT_HTTP_MORE 0   /* all input consumed, response not complete */
#define TT_HTTP_DONE 1   /* response complete; *consumed says where it ended */

/*
 * Prepare for one response. `head_request` is 1 when the request was HEAD
 * (no body whatever the headers say). `host` names the peer in errors and
 * must outlive the parse. `cb` and `user` are kept.
 */
void tt_http_parser_init(tt_http_parser *p, int head_request, const char *host,
                         const tt_http_callbacks *cb, void *user);

/*
 * Feed len bytes. Returns TT_HTTP_MORE (all consumed), TT_HTTP_DONE (the
 * response ended after *consumed bytes; the rest belongs to the next
 * response), or -1 with err set (protocol or limit class, or whatever a
 * callback set). Any split of the input gives the same callbacks and result.
 */
int tt_http_parser_feed(tt_http_parser *p, const unsigned char *data,
                        size_t len, size_t *consumed, tt_error *err);

/*
 * The connection reached end of stream. Returns TT_HTTP_DONE when that ends
 * the response (a read-until-close body), or -1 with err set: TT_E_EOF
 * (network class) when not one byte of the response had arrived, else
 * TT_E_HTTP_TRUNCATED (network class) naming what was cut short.
 */
int tt_http_parser_finish(tt_http_parser *p, tt_error *err);

/* How many body bytes may come next without a line to parse: what is
 * left of a Content-Length body or of a chunk, UINT64_MAX for a body that
 * ends at the close, 0 anywhere else (head, chunk sizes, trailers). A
 * caller may read that many into any buffer and feed them from there. */
uint64_t tt_http_parser_body_left(const tt_http_parser *p);

/* 1 when at least one byte of the response has been consumed. */
int tt_http_parser_started(const tt_http_parser *p);

#endif /* TT_HTTP_H */
