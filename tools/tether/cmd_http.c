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

#define MAX_HEADERS 32

typedef struct http_opts {
    const char *url;
    const char *method;
    const char *data;        /* -d text, or the name after '@' */
    int data_is_file;
    const char *output;
    int include;
    int verbose;
    int silent;
    int follow;
    int max_redirs;
    int fail;
    long long connect_ms;
    long long max_ms;
    const char *user_agent;
    char resolve_host[TT_URL_HOST_MAX];
    char resolve_addr[64];
    unsigned resolve_port;
    tt_cli_tls tls;
    tt_header headers[MAX_HEADERS];
    size_t nheaders;
    char header_store[8192];
    size_t header_used;
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
    "\n"
    "Options (curl's spelling):\n"
    "  -X, --request METHOD      request method (default GET, POST with -d)\n"
    "  -H, --header 'Name: v'    add a request header (repeatable)\n"
    "  -d, --data DATA           request body; @FILE reads a file, @- stdin\n"
    "      --data-binary DATA    same as -d (bytes are sent unchanged)\n"
    "  -o, --output FILE         write the body to FILE instead of stdout\n"
    "  -i, --include             print the response status line and headers\n"
    "  -I, --head                send a HEAD request\n"
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

static int add_header(http_opts *o, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t nl, vl;
    char *name, *value;
    const char *v;

    if (colon == NULL || colon == arg)
        return tt_cli_usage_error("header '%s' is not 'Name: value'", arg);
    if (o->nheaders == MAX_HEADERS)
        return tt_cli_usage_error("more than %d headers", MAX_HEADERS);
    nl = (size_t)(colon - arg);
    v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    vl = strlen(v);
    if (nl + vl + 2 > sizeof o->header_store - o->header_used)
        return tt_cli_usage_error("headers too long");
    name = o->header_store + o->header_used;
    memcpy(name, arg, nl);
    name[nl] = '\0';
    value = name + nl + 1;
    memcpy(value, v, vl + 1);
    o->header_used += nl + vl + 2;
    o->headers[o->nheaders].name = name;
    o->headers[o->nheaders].value = value;
    o->nheaders++;
    return 0;
}

/* "host:port:addr" (addr may be a bracketed IPv6 literal) */
static int parse_resolve(http_opts *o, const char *arg)
{
    const char *c1 = strchr(arg, ':'), *c2;
    char *end;
    unsigned long port;
    size_t alen;

    if (c1 == NULL || (size_t)(c1 - arg) >= sizeof o->resolve_host)
        return tt_cli_usage_error("--resolve wants host:port:address");
    port = strtoul(c1 + 1, &end, 10);
    c2 = end;
    if (*c2 != ':' || port == 0 || port > 65535)
        return tt_cli_usage_error("--resolve wants host:port:address");
    c2++;
    if (*c2 == '[') {
        c2++;
        alen = strcspn(c2, "]");
    } else {
        alen = strlen(c2);
    }
    if (alen == 0 || alen >= sizeof o->resolve_addr)
        return tt_cli_usage_error("--resolve: bad address");
    memcpy(o->resolve_host, arg, (size_t)(c1 - arg));
    o->resolve_host[c1 - arg] = '\0';
    memcpy(o->resolve_addr, c2, alen);
    o->resolve_addr[alen] = '\0';
    o->resolve_port = (unsigned)port;
    return 0;
}

/* Options that take a value: returns the value or NULL (usage error). */
static const char *opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is_opt(const char *a, const char *s, const char *l)
{
    return (s != NULL && strcmp(a, s) == 0) || (l != NULL && strcmp(a, l) == 0);
}

static int parse_args(http_opts *o, int argc, char **argv)
{
    int i;
    o->max_redirs = TT_HTTP_MAX_REDIRECTS;
    o->connect_ms = TT_CONNECT_TIMEOUT_MS;
    o->max_ms = TT_REQUEST_TIMEOUT_MS;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int t = tt_cli_tls_option(&o->tls, argc, argv, &i);
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
        if (is_opt(a, "-i", "--include")) { o->include = 1; continue; }
        if (is_opt(a, "-I", "--head")) { o->method = "HEAD"; continue; }
        if (is_opt(a, "-v", "--verbose")) { o->verbose = 1; continue; }
        if (is_opt(a, "-s", "--silent")) { o->silent = 1; continue; }
        if (is_opt(a, "-L", "--location")) { o->follow = 1; continue; }
        if (is_opt(a, "-f", "--fail")) { o->fail = 1; continue; }
        if (is_opt(a, "-X", "--request") || is_opt(a, "-H", "--header") ||
            is_opt(a, "-d", "--data") || is_opt(a, NULL, "--data-binary") ||
            is_opt(a, "-o", "--output") || is_opt(a, NULL, "--max-redirs") ||
            is_opt(a, NULL, "--connect-timeout") || is_opt(a, "-m", "--max-time") ||
            is_opt(a, "-A", "--user-agent") || is_opt(a, NULL, "--resolve")) {
            v = opt_value(argc, argv, &i);
            if (v == NULL)
                return tt_cli_usage_error("option %s needs a value", a);
        } else {
            return tt_cli_usage_error("unknown option %s", a);
        }
        if (is_opt(a, "-X", "--request")) {
            o->method = v;
        } else if (is_opt(a, "-H", "--header")) {
            if (add_header(o, v) != 0)
                return TT_EXIT_USAGE;
        } else if (is_opt(a, "-d", "--data") || is_opt(a, NULL, "--data-binary")) {
            if (o->data != NULL)
                return tt_cli_usage_error("only one -d is supported");
            o->data_is_file = v[0] == '@';
            o->data = o->data_is_file ? v + 1 : v;
        } else if (is_opt(a, "-o", "--output")) {
            o->output = v;
        } else if (is_opt(a, NULL, "--max-redirs")) {
            o->max_redirs = atoi(v);
            if (o->max_redirs < 0)
                return tt_cli_usage_error("--max-redirs must be >= 0");
        } else if (is_opt(a, NULL, "--connect-timeout")) {
            if ((o->connect_ms = tt_cli_parse_seconds(v)) < 0)
                return tt_cli_usage_error("bad --connect-timeout '%s'", v);
        } else if (is_opt(a, "-m", "--max-time")) {
            if ((o->max_ms = tt_cli_parse_seconds(v)) < 0)
                return tt_cli_usage_error("bad --max-time '%s'", v);
        } else if (is_opt(a, "-A", "--user-agent")) {
            o->user_agent = v;
        } else if (parse_resolve(o, v) != 0) {
            return TT_EXIT_USAGE;
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
static const char *full_url(const char *u, char *buf, size_t cap)
{
    if (strstr(u, "://") != NULL)
        return u;
    snprintf(buf, cap, "http://%s", u);
    return buf;
}

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
        if (is_opt(argv[i], "-h", "--help")) {
            printf(usage_text, tt_cli_tls_help);
            return 0;
        }
        if (is_opt(argv[i], "-V", "--version")) {
            printf("tether %s (http%s)\n", TT_VERSION, TT_FEATURE_TLS ? ", tls" : "");
            return 0;
        }
    }
    if ((rc = parse_args(&o, argc, argv)) != 0)
        return rc;
    tt_cli_signals();
    tt_port_posix_init(&port);
    tt_client_config_default(&cfg);
    cfg.connect_timeout_ms = o.connect_ms;
    cfg.request_timeout_ms = o.max_ms;
    cfg.max_redirects = o.follow ? o.max_redirs : 0;
    cfg.user_agent = o.user_agent;
    cfg.cancel = &tt_cli_cancel;
    if (o.verbose) {
        cfg.log = tt_cli_trace;
        cfg.log_user = NULL;
    }
    if (o.resolve_host[0] != '\0') {
        cfg.resolve_host = o.resolve_host;
        cfg.resolve_port = (uint16_t)o.resolve_port;
        cfg.resolve_addr = o.resolve_addr;
    }
    rq.url = full_url(o.url, urlbuf, sizeof urlbuf);
    rc = tt_cli_tls_setup(&o.tls, strncmp(rq.url, "https:", 6) == 0 || o.follow, &cfg);
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
    for (i = 0; i < o.nheaders; i++)
        if (tt_http_name_eq(o.headers[i].name, strlen(o.headers[i].name), "content-type"))
            has_ct = 1;
    if ((rc = open_body(&o, &r, &rq)) != 0)
        return rc;
    if (o.data != NULL && !has_ct && o.nheaders < MAX_HEADERS) {
        /* what curl -d sends */
        o.headers[o.nheaders].name = "Content-Type";
        o.headers[o.nheaders].value = "application/x-www-form-urlencoded";
        o.nheaders++;
    }
    rq.headers = o.headers;
    rq.nheaders = o.nheaders;
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
        return o.silent ? tt_cli_exit_code(&err) : tt_cli_fail(&err);
    return 0;
}
