/* tether errors and the core's small formatter. */
#include "tether/errors.h"
#include "tether/port.h"

#include <stddef.h>
#include <string.h>

void tt_error_clear(tt_error *err)
{
    if (err == NULL)
        return;
    err->cls = TT_ERR_NONE;
    err->code = TT_E_OK;
    err->sys = 0;
    err->http_status = 0;
    err->retry_after = -1;
    err->api_code[0] = '\0';
    err->msg[0] = '\0';
}

int tt_error_vset(tt_error *err, tt_err_class cls, tt_errcode code,
                  const char *host, const char *fmt, va_list ap)
{
    size_t n = 0;

    if (err == NULL)
        return -1;
    err->cls = cls;
    err->code = code;
    if (host != NULL && host[0] != '\0') {
        n = tt_fmt(err->msg, sizeof err->msg, "%s: ", host);
        if (n >= sizeof err->msg)
            n = sizeof err->msg - 1;
    }
    tt_vfmt(err->msg + n, sizeof err->msg - n, fmt, ap);
    return -1;
}

int tt_error_set(tt_error *err, tt_err_class cls, tt_errcode code,
                 const char *host, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tt_error_vset(err, cls, code, host, fmt, ap);
    va_end(ap);
    return -1;
}

int tt_error_is_network(const tt_error *err)
{
    return err != NULL && (err->cls == TT_ERR_NETWORK ||
                           err->cls == TT_ERR_TIMEOUT ||
                           err->cls == TT_ERR_TLS);
}

int tt_error_is_api(const tt_error *err)
{
    return err != NULL && (err->cls == TT_ERR_HTTP || err->cls == TT_ERR_API);
}

const char *tt_err_class_name(tt_err_class cls)
{
    static const char *const names[] = {
        "ok", "usage", "network", "timeout", "tls", "protocol",
        "limit", "http", "api", "cancelled"
    };
    if ((unsigned)cls >= sizeof names / sizeof names[0])
        return "unknown";
    return names[cls];
}

const char *tt_errcode_name(tt_errcode code)
{
    static const char *const names[TT_E__COUNT] = {
        "ok",
        "invalid-argument", "url-scheme", "url-host", "url-port",
        "url-characters", "url-userinfo", "header-invalid", "config",
        "resolve", "connection-refused", "connect", "connection-reset",
        "end-of-stream", "send", "receive", "io",
        "connect-timeout", "request-timeout", "idle-timeout",
        "http-status-line", "http-version", "http-header-syntax",
        "http-obs-fold", "http-bare-cr", "http-content-length",
        "http-te-and-cl", "http-chunk-size", "http-chunk-syntax",
        "http-truncated", "http-extra-bytes", "http-redirect-loop",
        "http-no-location", "http-bad-location", "http-unexpected-1xx",
        "limit-status-line", "limit-header-line", "limit-header-count",
        "limit-request-head", "limit-body", "limit-url", "limit-redirects",
        "limit-buffer", "limit-tls-arena",
        "limit-json-depth", "limit-json-tokens", "limit-json-string",
        "limit-json-array", "limit-json-element", "limit-json-body",
        "limit-sse-event", "limit-sse-id", "limit-sse-handlers",
        "json-syntax", "json-utf8", "json-type", "json-missing", "json-range",
        "sse-content-type", "sse-rejected", "gzip-corrupt",
        "tls-untrusted-certificate", "tls-certificate-expired",
        "tls-name-mismatch", "tls-pin-mismatch", "tls-bad-certificate",
        "tls-clock-unset", "tls-handshake-failure",
        "tls-client-certificate-required", "tls-client-certificate-rejected",
        "tls-protocol-version", "tls-cipher-mismatch", "tls-record",
        "tls-truncated", "tls-config", "tls-load", "tls-certificate-not-yet-valid",
        "tls-weak-key", "tls-weak-signature", "tls-renegotiation",
        "http-status", "api-error",
        "cancelled"
    };
    if ((unsigned)code >= TT_E__COUNT || names[code] == NULL)
        return "unknown";
    return names[code];
}

int tt_error_port(tt_error *err, long rc, const char *host, tt_phase phase,
                  int sys)
{
    static const char *const what[] = { "connect", "send", "receive", "receive" };
    static const tt_errcode code[] = { TT_E_CONNECT, TT_E_SEND, TT_E_RECV, TT_E_RECV };

    switch (rc) {
    case TT_PORT_ETIMEDOUT:
        if (phase == TT_PHASE_CONNECT)
            tt_error_set(err, TT_ERR_TIMEOUT, TT_E_CONNECT_TIMEOUT, host, "connect timed out");
        else if (phase == TT_PHASE_IDLE)
            tt_error_set(err, TT_ERR_TIMEOUT, TT_E_IDLE_TIMEOUT, host,
                         "no data within the idle timeout");
        else
            tt_error_set(err, TT_ERR_TIMEOUT, TT_E_REQUEST_TIMEOUT, host, "request timed out");
        break;
    case TT_PORT_ECANCELLED:
        tt_error_set(err, TT_ERR_CANCELLED, TT_E_CANCELLED, host, "cancelled");
        break;
    case TT_PORT_ERESOLVE:
        tt_error_set(err, TT_ERR_NETWORK, TT_E_RESOLVE, host, "could not resolve host name");
        break;
    case TT_PORT_EREFUSED:
        tt_error_set(err, TT_ERR_NETWORK, TT_E_CONNECT_REFUSED, host, "connection refused");
        break;
    case TT_PORT_EUNREACH:
        tt_error_set(err, TT_ERR_NETWORK, TT_E_CONNECT, host, "network unreachable");
        break;
    case TT_PORT_ERESET:
        tt_error_set(err, TT_ERR_NETWORK, TT_E_RESET, host,
                     phase == TT_PHASE_SEND ? "connection reset while sending"
                                            : "connection reset by peer");
        break;
    default:
        tt_error_set(err, TT_ERR_NETWORK, code[phase], host,
                     "%s failed (system error %d)", what[phase], sys);
        break;
    }
    if (err != NULL)
        err->sys = sys;
    return -1;
}

/* ---- formatter --------------------------------------------------------- */

typedef struct {
    char *dst;
    size_t size;
    size_t len; /* characters the full output needs so far */
} fmt_out;

static void out_char(fmt_out *o, char c)
{
    if (o->len + 1 < o->size)
        o->dst[o->len] = c;
    o->len++;
}

static void out_mem(fmt_out *o, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        out_char(o, s[i]);
}

static void out_unsigned(fmt_out *o, unsigned long long v, unsigned base)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    out_mem(o, tmp + i, sizeof tmp - i);
}

static void out_signed(fmt_out *o, long long v)
{
    if (v < 0) {
        out_char(o, '-');
        /* negate in unsigned arithmetic: LLONG_MIN has no positive twin */
        out_unsigned(o, 0ULL - (unsigned long long)v, 10);
    } else {
        out_unsigned(o, (unsigned long long)v, 10);
    }
}

/* Length modifier of one conversion: 0 none, 1 l, 2 ll, 3 z. */
static int fmt_length(const char **pp)
{
    const char *p = *pp;
    int len = 0;
    if (*p == 'l') {
        len = 1;
        p++;
        if (*p == 'l') {
            len = 2;
            p++;
        }
    } else if (*p == 'z') {
        len = 3;
        p++;
    }
    *pp = p;
    return len;
}

static void fmt_integer(fmt_out *o, char conv, int len, va_list *ap)
{
    if (conv == 'd' || conv == 'i') {
        long long v;
        if (len == 0)
            v = va_arg(*ap, int);
        else if (len == 1)
            v = va_arg(*ap, long);
        else if (len == 2)
            v = va_arg(*ap, long long);
        else /* %zd: the signed type of size_t's width */
            v = va_arg(*ap, ptrdiff_t);
        out_signed(o, v);
    } else {
        unsigned long long v;
        if (len == 0)
            v = va_arg(*ap, unsigned);
        else if (len == 1)
            v = va_arg(*ap, unsigned long);
        else if (len == 2)
            v = va_arg(*ap, unsigned long long);
        else
            v = va_arg(*ap, size_t);
        out_unsigned(o, v, conv == 'x' ? 16 : 10);
    }
}

size_t tt_vfmt(char *dst, size_t size, const char *fmt, va_list ap)
{
    fmt_out o;
    const char *p;
    va_list aq;

    o.dst = dst;
    o.size = size;
    o.len = 0;
    va_copy(aq, ap);
    for (p = fmt; *p != '\0'; p++) {
        int prec = -1;
        int len;
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        p++;
        if (p[0] == '.' && p[1] == '*') {
            prec = va_arg(aq, int);
            p += 2;
        }
        len = fmt_length(&p);
        switch (*p) {
        case 's': {
            const char *s = va_arg(aq, const char *);
            size_t n;
            if (s == NULL)
                s = "(null)";
            if (prec >= 0) {
                const char *z = memchr(s, '\0', (size_t)prec);
                n = z != NULL ? (size_t)(z - s) : (size_t)prec;
            } else {
                n = strlen(s);
            }
            out_mem(&o, s, n);
            break;
        }
        case 'c':
            out_char(&o, (char)va_arg(aq, int));
            break;
        case 'd': case 'i': case 'u': case 'x':
            fmt_integer(&o, *p, len, &aq);
            break;
        case '%':
            out_char(&o, '%');
            break;
        case '\0':
            p--; /* a lone '%' at the end: stop at the NUL */
            break;
        default:
            out_char(&o, '%');
            out_char(&o, *p);
            break;
        }
    }
    va_end(aq);
    if (size > 0)
        dst[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}

size_t tt_fmt(char *dst, size_t size, const char *fmt, ...)
{
    size_t n;
    va_list ap;
    va_start(ap, fmt);
    n = tt_vfmt(dst, size, fmt, ap);
    va_end(ap);
    return n;
}

void tt_text_init(tt_text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    t->overflow = 0;
}

void tt_text_put(tt_text *t, const char *s, size_t n)
{
    if (t->overflow || n > t->cap - t->len) {
        t->overflow = 1;
        return;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

void tt_text_puts(tt_text *t, const char *s)
{
    tt_text_put(t, s, strlen(s));
}

void tt_text_took(tt_text *t, size_t n)
{
    if (t->overflow || n >= t->cap - t->len)
        t->overflow = 1;
    else
        t->len += n;
}
