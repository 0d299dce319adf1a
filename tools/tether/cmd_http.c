/*
 * `tether [options] URL`: one HTTP request with the curl options a firmware
 * engineer already knows.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "tether/backoff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The longest wait between two tries: where the backoff stops doubling,
 * and the most a server's Retry-After is waited for (10^9 s would wait
 * for years). */
#define RETRY_WAIT_MAX_MIN 10
#define RETRY_WAIT_MAX_MS (RETRY_WAIT_MAX_MIN * 60000LL)

typedef struct http_opts {
    tt_cli_common *c;        /* -H, -v, -s, --connect-timeout, --resolve, TLS */
    const char *url;
    const char *method;
    const char *data;        /* -d text, or the name after '@' */
    int data_is_file;
    const char *output;
    int include;
    int follow;
    int max_redirs;
    int fail;
    long long max_ms;
    const char *user_agent;
    long retries;            /* --retry N */
    long long retry_delay_ms; /* --retry-delay; -1: backoff */
    long long retry_max_ms;  /* --retry-max-time; 0: no limit */
    int retry_connrefused;
    int retry_all;
} http_opts;

typedef struct http_run {
    http_opts *o;
    FILE *out;
    FILE *body_in;
    tt_response *res;
    int suppress_body;    /* -f and status >= 400 */
    int printed_status;
    int retry_left;       /* retries this attempt may still be followed by */
    int wrote;            /* head or body bytes reached the output: no retry then */
    int once;             /* the body can be read only once: no retry */
} http_run;

static const tt_cli_opt own[] = {
    { "request", 'X', TT_CLI_TEXT, "METHOD", 0, 0, NULL,
      "request method (default GET, POST with -d)" },
    { "data", 'd', TT_CLI_TEXT, "DATA", 0, 0, NULL,
      "request body; @FILE reads a file, @- stdin" },
    { "data-binary", 0, TT_CLI_TEXT, "DATA", 0, 0, "data",
      "same as -d (bytes are sent unchanged)" },
    { "output", 'o', TT_CLI_FILE, "FILE", 0, 0, NULL,
      "write the body to FILE instead of stdout" },
    { "include", 'i', TT_CLI_FLAG, NULL, 0, 0, NULL,
      "print the response status line and headers" },
    /* curl -I: HEAD, and the head shown */
    { "head", 'I', TT_CLI_FLAG, NULL, 0, 0, NULL,
      "send a HEAD request and print the response head" },
    { "location", 'L', TT_CLI_FLAG, NULL, 0, 0, NULL,
      "follow redirects (301 302 303 307 308)" },
    { "max-redirs", 0, TT_CLI_NUMBER, "N", 0, 1000, NULL,
      "redirect limit with -L (default " TT_CLI_STR(TT_HTTP_MAX_REDIRECTS) ")" },
    { "fail", 'f', TT_CLI_FLAG, NULL, 0, 0, NULL, "HTTP status >= 400: no body, exit code 8" },
    { "max-time", 'm', TT_CLI_SECONDS, "S", 0, 0, NULL,
      "whole-request deadline in seconds (default 30)" },
    { "user-agent", 'A', TT_CLI_TEXT, "UA", 0, 0, NULL,
      "User-Agent (default tether/" TT_VERSION ")" },
    { "version", 'V', TT_CLI_FLAG, NULL, 0, 0, NULL,
      "version, TLS backend, features and their libraries" },
    /* a boot hook waits for a control plane whose network may not be up */
    { "retry", 0, TT_CLI_NUMBER, "N", 0, 1000000, NULL,
      "retry a transient failure N times: a timeout, HTTP\n"
      "408 429 500 502 503 504 (waits 1 s, doubling to "
      TT_CLI_STR(RETRY_WAIT_MAX_MIN) " min)" },
    { "retry-delay", 0, TT_CLI_SECONDS, "S", 0, 0, NULL, "wait S between retries instead" },
    { "retry-max-time", 0, TT_CLI_SECONDS, "S", 0, 0, NULL,
      "no retry once S have passed since the first try" },
    { "retry-connrefused", 0, TT_CLI_FLAG, NULL, 0, 0, NULL,
      "with --retry: a refused connection is transient too" },
    { "retry-all-errors", 0, TT_CLI_FLAG, NULL, 0, 0, NULL,
      "with --retry: every failure but a usage error is\n"
      "(names that do not resolve yet, unreachable networks)" },
};

static const tt_cli_group own_group = TT_CLI_GROUP("Options (curl's spelling)", own);

static const tt_cli_group *const groups[] = {
    &own_group, &tt_cli_general_opts, &tt_cli_silent_opts, &tt_cli_request_opts,
    &tt_cli_connect_opts, &tt_cli_trust_opts, &tt_cli_tls_opts, NULL,
};

/* A large body is read straight into this buffer and written from it,
 * TT_CLI_BULK_BUF bytes a system call each way instead of a receive
 * buffer's worth (a profile may set it; the bmc profile keeps 8 KiB). */
#ifndef TT_CLI_BULK_BUF
#define TT_CLI_BULK_BUF 65536
#endif

static int run(tt_cli_args *a);

const tt_cli_cmd tt_cli_request_cmd = {
    NULL, "one HTTP request, with curl's options",
    "tether [options] URL\n"
    "       tether COMMAND [ARGS] [options]",
    NULL, groups, run,
};

static int read_args(http_opts *o, tt_cli_args *a)
{
    size_t i;
    const char *data[2];
    memset(o, 0, sizeof *o);
    o->c = &a->common;
    if (tt_cli_one_url(a, &o->url) != 0)
        return TT_EXIT_USAGE;
    /* -X and -I: the last one given says the method */
    for (i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], "request") == 0)
            o->method = a->values[i];
        else if (strcmp(a->names[i], "head") == 0)
            o->method = "HEAD";
    o->include = tt_cli_arg(a, "include") != NULL || tt_cli_arg(a, "head") != NULL;
    o->follow = tt_cli_arg(a, "location") != NULL;
    o->fail = tt_cli_arg(a, "fail") != NULL;
    o->output = tt_cli_arg(a, "output");
    o->user_agent = tt_cli_arg(a, "user-agent");
    o->max_redirs = (int)tt_cli_arg_long(a, "max-redirs", TT_HTTP_MAX_REDIRECTS);
    o->max_ms = tt_cli_arg(a, "max-time") != NULL ? tt_cli_parse_seconds(tt_cli_arg(a, "max-time"))
                                                  : TT_REQUEST_TIMEOUT_MS;
    o->retries = tt_cli_arg_long(a, "retry", 0);
    o->retry_delay_ms = tt_cli_arg(a, "retry-delay") != NULL
                            ? tt_cli_parse_seconds(tt_cli_arg(a, "retry-delay")) : -1;
    o->retry_max_ms = tt_cli_arg(a, "retry-max-time") != NULL
                          ? tt_cli_parse_seconds(tt_cli_arg(a, "retry-max-time")) : 0;
    o->retry_connrefused = tt_cli_arg(a, "retry-connrefused") != NULL;
    o->retry_all = tt_cli_arg(a, "retry-all-errors") != NULL;
    if (tt_cli_arg_all(a, "data", data, 2) > 1)
        return tt_cli_usage_error("only one -d is supported");
    if ((o->data = tt_cli_arg(a, "data")) != NULL && o->data[0] == '@') {
        o->data_is_file = 1;
        o->data++;
    }
    return 0;
}

/* curl's transient statuses */
static int transient_status(int status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 ||
           status == 503 || status == 504;
}

/* A response that will be retried shows nothing: the next one is the answer. */
static int held(const http_run *r)
{
    return r->retry_left > 0 && transient_status(r->res->status);
}

/* -i: the status line, once per response. The output has this try's
 * head from here on, so the request is not tried again. */
static void print_status(http_run *r, const tt_response *res)
{
    if (r->printed_status)
        return;
    fprintf(r->out, "HTTP/1.%d %d %s\r\n", res->minor_version, res->status, res->reason);
    r->printed_status = 1;
    r->wrote = 1;
}

static int on_head(void *user, const tt_response *res, tt_error *err)
{
    http_run *r = user;
    (void)err;
    if ((r->o->fail && res->status >= 400) || held(r))
        r->suppress_body = 1;
    if (held(r) || !r->o->include)
        return 0;
    print_status(r, res);
    fputs("\r\n", r->out);
    return 0;
}

static int on_header(void *user, const char *name, size_t nl, const char *value,
                     size_t vl, int trailer, tt_error *err)
{
    http_run *r = user;
    (void)err;
    if (!r->o->include || trailer || held(r))
        return 0;
    print_status(r, r->res);
    fprintf(r->out, "%.*s: %.*s\r\n", (int)nl, name, (int)vl, value);
    return 0;
}

static int on_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    http_run *r = user;
    if (r->suppress_body)
        return 0;
    r->wrote |= len > 0;
    return tt_cli_write_body(r->out, data, len, err);
}

static long read_body(void *user, unsigned char *buf, size_t cap, tt_error *err)
{
    http_run *r = user;
    size_t n = fread(buf, 1, cap, r->body_in);
    if (n == 0 && ferror(r->body_in))
        return tt_error_set(err, TT_ERR_USAGE, TT_E_IO, NULL,
                            "cannot read the request body");
    return (long)n;
}

static int rewind_body(void *user, tt_error *err)
{
    http_run *r = user;
    if (fseek(r->body_in, 0, SEEK_SET) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_IO, NULL,
                            "cannot read the request body again");
    return 0;
}

/* -d @FILE or @-: a regular file goes with its length and can be read
 * again (fseek) for a retry or a redirect; standard input, a pipe, a FIFO
 * or a device goes once, chunked, since its length is not known before
 * its end. */
static int open_body(http_opts *o, http_run *r, tt_request *rq)
{
    struct stat st;
    if (o->data == NULL)
        return 0;
    if (!o->data_is_file) {
        rq->body = o->data;
        rq->body_len = strlen(o->data);
        return 0;
    }
    r->body_in = strcmp(o->data, "-") == 0 ? stdin : fopen(o->data, "rb");
    if (r->body_in == NULL) {
        fprintf(stderr, "tether: cannot open %s: %s\n", o->data, strerror(errno));
        return TT_EXIT_LOCAL;
    }
    r->once = r->body_in == stdin || fstat(fileno(r->body_in), &st) != 0 ||
              !S_ISREG(st.st_mode);
    if (!r->once && st.st_size == 0) {
        rq->body = "";                   /* an empty body with Content-Length 0 */
        return 0;
    }
    rq->produce = read_body;
    rq->produce_len = r->once ? 0 : (long long)st.st_size;
    rq->rewind = r->once ? NULL : rewind_body;
    rq->produce_user = r;
    return 0;
}

/* Worth another try (--retry): curl's transient failures, and what the
 * --retry-connrefused and --retry-all-errors flags add. */
static int transient(const http_opts *o, int rc, const tt_error *err, const tt_response *res)
{
    if (rc == 0)
        return transient_status(res->status);
    if (err->cls == TT_ERR_USAGE || err->cls == TT_ERR_CANCELLED)
        return 0;
    if (o->retry_all || err->cls == TT_ERR_TIMEOUT)
        return 1;
    if (err->cls == TT_ERR_HTTP)                    /* -f */
        return transient_status(err->http_status);
    return o->retry_connrefused && err->code == TT_E_CONNECT_REFUSED;
}

/* The wait before retry n + 1 (n from 0). */
static long long retry_wait(const http_opts *o, unsigned n)
{
    return o->retry_delay_ms >= 0 ? o->retry_delay_ms
                                  : tt_backoff_ms(1000, RETRY_WAIT_MAX_MS, n);
}

/* A try that starts once used + wait ms have passed starts within
 * --retry-max-time. */
static int in_budget(const http_opts *o, long long used, long long wait)
{
    return o->retry_max_ms == 0 || used + wait <= o->retry_max_ms;
}

/* The wait before retry n + 1 after an answer with Retry-After `after`
 * (-1: none): the server's when longer and within the budget, but at
 * most RETRY_WAIT_MAX_MS. (--retry-delay is the user's own word: kept.) */
static long long wait_after(const http_opts *o, unsigned n, int32_t after, long long used)
{
    long long wait = retry_wait(o, n), ms = (long long)after * 1000;
    if (ms > RETRY_WAIT_MAX_MS)
        ms = RETRY_WAIT_MAX_MS;
    return ms > wait && in_budget(o, used, ms) ? ms : wait;
}

/* The last try ran past what --retry-max-time leaves for another: its
 * outcome stands. A held answer was not shown: it becomes an HTTP error
 * (exit 8), not an empty success. */
static int out_of_time(const http_opts *o, const tt_client *client, const tt_response *res,
                       int rc, tt_error *err)
{
    if (!o->c->silent)
        fputs("tether: no time left to retry (--retry-max-time)\n", stderr);
    if (rc != 0)
        return rc;
    return tt_error_from_status(err, client->url.host, res->status, res->retry_after);
}

static void say_retrying(const http_run *r, int rc, const tt_error *err, long long wait)
{
    if (r->o->c->silent)
        return;
    if (rc == 0)
        fprintf(stderr, "tether: HTTP %d", r->res->status);
    else
        fprintf(stderr, "tether: %s", err->msg);
    fprintf(stderr, "; retrying in %lld.%03lld s, %d left\n", wait / 1000, wait % 1000,
            r->retry_left);
}

/* The request, again after a transient failure while retries and time
 * are left and nothing reached the output; the last outcome is the
 * answer (its exit code is what a script branches on). */
static int request_with_retries(const http_opts *o, tt_client *client, tt_request *rq,
                                tt_response *res, http_run *r, tt_error *err)
{
    const tt_port *port = &client->port;
    int64_t start = port->ops->now_ms(port->ctx);
    unsigned n;
    int rc;
    for (n = 0;; n++) {
        long long wait, used;
        /* decided before the answer comes: a held answer is never shown */
        /* a body that goes once cannot be sent twice: no retry, nothing held */
        r->retry_left = (long)n < o->retries && !r->once &&
                        in_budget(o, port->ops->now_ms(port->ctx) - start, retry_wait(o, n))
                            ? (int)(o->retries - (long)n) : 0;
        r->suppress_body = 0;
        r->printed_status = 0;
        rc = tt_client_request(client, rq, res, err);
        if (rc == 0 && o->fail && res->status >= 400)
            rc = tt_error_from_status(err, client->url.host, res->status, res->retry_after);
        if (r->retry_left == 0 || r->wrote || !transient(o, rc, err, res))
            return rc;
        /* the try took its time: the next must still start in the budget */
        used = port->ops->now_ms(port->ctx) - start;
        wait = wait_after(o, n, rc == 0 ? res->retry_after : err->retry_after, used);
        if (!in_budget(o, used, wait))
            return out_of_time(o, client, res, rc, err);
        say_retrying(r, rc, err, wait);
        if (port->ops->sleep_ms(port->ctx, wait, &tt_cli_cancel) != TT_PORT_OK)
            return tt_error_set(err, TT_ERR_CANCELLED, TT_E_CANCELLED, NULL, "cancelled");
        if (rq->rewind != NULL && rq->rewind(rq->produce_user, err) != 0)
            return -1;                            /* the file failed: that is the outcome */
    }
}

static int run(tt_cli_args *a)
{
    static http_opts o;
    static tt_client client;
    static tt_response res;
    static char urlbuf[TT_URL_MAX];
    static unsigned char bulk[TT_CLI_BULK_BUF];
    tt_client_config cfg;
    tt_request rq = { 0 };
    tt_error err;
    tt_port port;
    http_run r;
    int rc, has_ct = 0;
    size_t i;

    if ((rc = read_args(&o, a)) != 0)
        return rc;
    tt_cli_signals();
    tt_cli_port_init(&a->common, &port);
    tt_client_config_default(&cfg);
    cfg.request_timeout_ms = o.max_ms;
    cfg.max_redirects = o.follow ? o.max_redirs : 0;
    cfg.user_agent = o.user_agent;
    rq.url = tt_cli_full_url(o.url, urlbuf, sizeof urlbuf);
    rc = tt_cli_common_setup(o.c, &cfg, strncmp(rq.url, "https:", 6) == 0 || o.follow);
    if (rc != 0)
        return rc;
    if (tt_client_init(&client, &port, &cfg, &err) != 0)
        return tt_cli_fail(&err);

    memset(&r, 0, sizeof r);
    r.o = &o;
    r.res = &res;
    r.out = stdout;
    rq.method = o.method;
    rq.max_redirects = -1;
    for (i = 0; i < o.c->nheaders; i++)
        if (tt_http_name_eq(o.c->headers[i].name, strlen(o.c->headers[i].name), "content-type"))
            has_ct = 1;
    if ((rc = open_body(&o, &r, &rq)) != 0)
        return rc;
    if (o.data != NULL && !has_ct && o.c->nheaders < TT_CLI_MAX_HEADERS) {
        /* what curl -d sends */
        o.c->headers[o.c->nheaders].name = "Content-Type";
        o.c->headers[o.c->nheaders].value = "application/x-www-form-urlencoded";
        o.c->nheaders++;
    }
    rq.headers = o.c->headers;
    rq.nheaders = o.c->nheaders;
    rq.on_head = on_head;
    rq.on_header = on_header;
    rq.on_body = on_body;
    rq.bulk_buf = bulk;
    rq.bulk_cap = sizeof bulk;
    rq.user = &r;
    if (o.output != NULL) {
        r.out = fopen(o.output, "wb");
        if (r.out == NULL) {
            fprintf(stderr, "tether: cannot open %s: %s\n", o.output, strerror(errno));
            return TT_EXIT_LOCAL;
        }
    }
    rc = request_with_retries(&o, &client, &rq, &res, &r, &err);
    tt_client_close(&client);
    if (r.body_in != NULL && r.body_in != stdin)
        fclose(r.body_in);
    if (fflush(r.out) != 0 || (r.out != stdout && fclose(r.out) != 0)) {
        fprintf(stderr, "tether: cannot write the output\n");
        return TT_EXIT_LOCAL;
    }
    if (rc != 0)
        return o.c->silent ? tt_cli_exit_code(&err) : tt_cli_fail(&err);
    return 0;
}
