/*
 * `tether [options] URL`: one HTTP request with the curl options a firmware
 * engineer already knows.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct http_opts {
    tt_cli_common c;         /* -H, -v, -s, --connect-timeout, --resolve, TLS */
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
} http_opts;

typedef struct http_run {
    http_opts *o;
    FILE *out;
    FILE *body_in;
    tt_response *res;
    int suppress_body;    /* -f and status >= 400 */
    int printed_status;
} http_run;

static const char usage_text[] =
    "usage: tether [options] URL\n"
    "       tether events URL [--last-event-id ID] [--exec CMD]\n"
    "       tether PROTOCOL COMMAND [ARGS] [options]\n"
    "\n"
    "Protocol clients (tether PROTOCOL --help lists each one's commands):\n"
    "  vmm      a VM host over mutual TLS (TLS 1.3 by default)\n"
    "  plexd    a plexd node: register, state, signed events, artifacts\n"
    "  maas     Canonical MAAS VM hosts and machines (OAuth 1.0a)\n"
    "  sky      the SkyPilot API server\n"
    "  pool     the GPU pool manager (poolmgr)\n"
    "\n"
    "Options (curl's spelling):\n"
    "  -X, --request METHOD      request method (default GET, POST with -d)\n"
    "  -H, --header 'Name: v'    add a request header (repeatable)\n"
    "  -d, --data DATA           request body; @FILE reads a file, @- stdin\n"
    "      --data-binary DATA    same as -d (bytes are sent unchanged)\n"
    "  -o, --output FILE         write the body to FILE instead of stdout\n"
    "  -i, --include             print the response status line and headers\n"
    "  -I, --head                send a HEAD request and print the response head\n"
    "  -v, --verbose             trace the exchange to stderr (secrets masked)\n"
    "  -s, --silent              no error message (the exit code remains)\n"
    "  -L, --location            follow redirects (301 302 303 307 308)\n"
    "      --max-redirs N        redirect limit with -L (default 5)\n"
    "  -f, --fail                HTTP status >= 400: no body, exit code 8\n"
    "      --connect-timeout S   connect timeout in seconds (default 10)\n"
    "  -m, --max-time S          whole-request deadline in seconds (default 30)\n"
    "  -A, --user-agent UA       User-Agent (default tether/" TT_VERSION ")\n"
    "      --resolve H:P:ADDR    connect to ADDR for host H port P (no DNS)\n"
    "  -h, --help                this text\n"
    "  -V, --version             version and features\n"
    "\n"
    "%s"
    "\n"
    "Exit codes:\n"
    "  0 ok              1 local I/O       2 usage        3 network\n"
    "  4 timeout         5 TLS             6 protocol     7 size limit\n"
    "  8 HTTP >= 400     9 API error      10 cancelled (signal)\n";

static int parse_args(http_opts *o, int argc, char **argv)
{
    int i;
    tt_cli_common_init(&o->c);
    o->max_redirs = TT_HTTP_MAX_REDIRECTS;
    o->max_ms = TT_REQUEST_TIMEOUT_MS;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int t = tt_cli_common_option(&o->c, argc, argv, &i);
        if (t < 0)
            return TT_EXIT_USAGE;
        if (t > 0)
            continue;
        if (a[0] != '-' || a[1] == '\0') {
            if (o->url != NULL)
                return tt_cli_usage_error("more than one URL");
            o->url = a;
            continue;
        }
        if (tt_cli_is_opt(a, "-i", "--include")) { o->include = 1; continue; }
        if (tt_cli_is_opt(a, "-I", "--head")) { /* curl -I: HEAD, and the head shown */
            o->method = "HEAD";
            o->include = 1;
            continue;
        }
        if (tt_cli_is_opt(a, "-L", "--location")) { o->follow = 1; continue; }
        if (tt_cli_is_opt(a, "-f", "--fail")) { o->fail = 1; continue; }
        if (tt_cli_is_opt(a, "-X", "--request") ||
            tt_cli_is_opt(a, "-d", "--data") || tt_cli_is_opt(a, NULL, "--data-binary") ||
            tt_cli_is_opt(a, "-o", "--output") || tt_cli_is_opt(a, NULL, "--max-redirs") ||
            tt_cli_is_opt(a, "-m", "--max-time") || tt_cli_is_opt(a, "-A", "--user-agent")) {
            v = tt_cli_opt_value(argc, argv, &i);
            if (v == NULL)
                return tt_cli_usage_error("option %s needs a value", a);
        } else {
            return tt_cli_usage_error("unknown option %s", a);
        }
        if (tt_cli_is_opt(a, "-X", "--request")) {
            o->method = v;
        } else if (tt_cli_is_opt(a, "-d", "--data") || tt_cli_is_opt(a, NULL, "--data-binary")) {
            if (o->data != NULL)
                return tt_cli_usage_error("only one -d is supported");
            o->data_is_file = v[0] == '@';
            o->data = o->data_is_file ? v + 1 : v;
        } else if (tt_cli_is_opt(a, "-o", "--output")) {
            o->output = v;
        } else if (tt_cli_is_opt(a, NULL, "--max-redirs")) {
            long n;
            if (tt_cli_parse_long(v, 0, 1000, &n) != 0)
                return tt_cli_usage_error("--max-redirs wants a number, 0 to 1000");
            o->max_redirs = (int)n;
        } else if (tt_cli_is_opt(a, "-m", "--max-time")) {
            if ((o->max_ms = tt_cli_parse_seconds(v)) < 0)
                return tt_cli_usage_error("bad --max-time '%s'", v);
        } else {
            o->user_agent = v;
        }
    }
    if (o->url == NULL)
        return tt_cli_usage_error("no URL given");
    return 0;
}

static int on_head(void *user, const tt_response *res, tt_error *err)
{
    http_run *r = user;
    (void)err;
    if (r->o->fail && res->status >= 400)
        r->suppress_body = 1;
    if (r->o->include && !r->printed_status) {
        fprintf(r->out, "HTTP/1.%d %d %s\r\n", res->minor_version, res->status,
                res->reason);
        r->printed_status = 1;
    }
    if (r->o->include)
        fputs("\r\n", r->out);
    return 0;
}

static int on_header(void *user, const char *name, size_t nl, const char *value,
                     size_t vl, int trailer, tt_error *err)
{
    http_run *r = user;
    (void)err;
    if (!r->o->include || trailer)
        return 0;
    if (!r->printed_status) {
        fprintf(r->out, "HTTP/1.%d %d %s\r\n", r->res->minor_version,
                r->res->status, r->res->reason);
        r->printed_status = 1;
    }
    fprintf(r->out, "%.*s: %.*s\r\n", (int)nl, name, (int)vl, value);
    return 0;
}

static int on_body(void *user, const unsigned char *data, size_t len, tt_error *err)
{
    http_run *r = user;
    if (r->suppress_body)
        return 0;
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
    if (r->body_in == stdin || fseek(r->body_in, 0, SEEK_SET) != 0)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_IO, NULL,
                            "cannot send standard input twice");
    return 0;
}

/* "localhost:8080/x" means http://, as curl reads it. */
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
    if (strcmp(o->data, "-") == 0) {
        r->body_in = stdin;
    } else {
        r->body_in = fopen(o->data, "rb");
        if (r->body_in == NULL) {
            fprintf(stderr, "tether: cannot open %s: %s\n", o->data, strerror(errno));
            return TT_EXIT_LOCAL;
        }
        if (fstat(fileno(r->body_in), &st) == 0 && S_ISREG(st.st_mode))
            rq->produce_len = (long long)st.st_size;
    }
    rq->produce = read_body;
    rq->rewind = rewind_body;
    rq->produce_user = r;
    if (rq->produce_len == 0 && r->body_in != stdin) {
        /* an empty regular file: an empty body with Content-Length 0 */
        rq->produce = NULL;
        rq->body = "";
        rq->body_len = 0;
    }
    return 0;
}

int tt_cli_http(int argc, char **argv)
{
    static http_opts o;
    static tt_client client;
    static tt_response res;
    static char urlbuf[TT_URL_MAX];
    tt_client_config cfg;
    tt_request rq = { 0 };
    tt_error err;
    tt_port port;
    http_run r;
    int rc, has_ct = 0;
    size_t i;

    for (i = 1; i < (size_t)argc; i++) {
        if (tt_cli_is_opt(argv[i], "-h", "--help")) {
            printf(usage_text, tt_cli_tls_help);
            return 0;
        }
        if (tt_cli_is_opt(argv[i], "-V", "--version")) {
            const char *tls = "";
#if TT_FEATURE_TLS
            tls = tt_tls_backend();
#endif
            printf("tether %s (http%s%s%s)\n", TT_VERSION, tls[0] != '\0' ? ", tls: " : "", tls,
                   TT_FEATURE_ED25519 ? ", ed25519" : "");
            return 0;
        }
    }
    if ((rc = parse_args(&o, argc, argv)) != 0)
        return rc;
    tt_cli_signals();
    tt_port_posix_init(&port);
    tt_client_config_default(&cfg);
    cfg.request_timeout_ms = o.max_ms;
    cfg.max_redirects = o.follow ? o.max_redirs : 0;
    cfg.user_agent = o.user_agent;
    rq.url = tt_cli_full_url(o.url, urlbuf, sizeof urlbuf);
    rc = tt_cli_common_setup(&o.c, &cfg, strncmp(rq.url, "https:", 6) == 0 || o.follow);
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
    for (i = 0; i < o.c.nheaders; i++)
        if (tt_http_name_eq(o.c.headers[i].name, strlen(o.c.headers[i].name), "content-type"))
            has_ct = 1;
    if ((rc = open_body(&o, &r, &rq)) != 0)
        return rc;
    if (o.data != NULL && !has_ct && o.c.nheaders < TT_CLI_MAX_HEADERS) {
        /* what curl -d sends */
        o.c.headers[o.c.nheaders].name = "Content-Type";
        o.c.headers[o.c.nheaders].value = "application/x-www-form-urlencoded";
        o.c.nheaders++;
    }
    rq.headers = o.c.headers;
    rq.nheaders = o.c.nheaders;
    rq.on_head = on_head;
    rq.on_header = on_header;
    rq.on_body = on_body;
    rq.user = &r;
    if (o.output != NULL) {
        r.out = fopen(o.output, "wb");
        if (r.out == NULL) {
            fprintf(stderr, "tether: cannot open %s: %s\n", o.output, strerror(errno));
            return TT_EXIT_LOCAL;
        }
    }
    rc = tt_client_request(&client, &rq, &res, &err);
    if (rc == 0 && o.fail && res.status >= 400)
        rc = tt_error_from_status(&err, client.url.host, res.status, res.retry_after);
    tt_client_close(&client);
    if (r.body_in != NULL && r.body_in != stdin)
        fclose(r.body_in);
    if (fflush(r.out) != 0 || (r.out != stdout && fclose(r.out) != 0)) {
        fprintf(stderr, "tether: cannot write the output\n");
        return TT_EXIT_LOCAL;
    }
    if (rc != 0)
        return o.c.silent ? tt_cli_exit_code(&err) : tt_cli_fail(&err);
    return 0;
}
