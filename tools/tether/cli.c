/* Shared pieces of the tether CLI. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t tt_cli_cancel;

int tt_cli_exit_code(const tt_error *err)
{
    /* a sink or producer of ours failed on a local file */
    if (err->cls == TT_ERR_USAGE && err->code == TT_E_IO)
        return TT_EXIT_LOCAL;
    switch (err->cls) {
    case TT_ERR_NONE: return TT_EXIT_OK;
    case TT_ERR_USAGE: return TT_EXIT_USAGE;
    case TT_ERR_NETWORK: return TT_EXIT_NETWORK;
    case TT_ERR_TIMEOUT: return TT_EXIT_TIMEOUT;
    case TT_ERR_TLS: return TT_EXIT_TLS;
    case TT_ERR_PROTOCOL: return TT_EXIT_PROTOCOL;
    case TT_ERR_LIMIT: return TT_EXIT_LIMIT;
    case TT_ERR_HTTP: return TT_EXIT_HTTP;
    case TT_ERR_API: return TT_EXIT_API;
    case TT_ERR_CANCELLED: return TT_EXIT_CANCELLED;
    }
    return TT_EXIT_LOCAL;
}

int tt_cli_fail(const tt_error *err)
{
    fprintf(stderr, "tether: %s\n", err->msg[0] ? err->msg : tt_errcode_name(err->code));
    return tt_cli_exit_code(err);
}

int tt_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("tether: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see --help)\n", stderr);
    return TT_EXIT_USAGE;
}

long long tt_cli_parse_seconds(const char *s)
{
    char *end;
    double v;
    if (s == NULL || *s == '\0')
        return -1;
    v = strtod(s, &end);
    if (end == s)
        return -1;
    if (strcmp(end, "m") == 0)
        v *= 60;
    else if (strcmp(end, "h") == 0)
        v *= 3600;
    else if (strcmp(end, "s") != 0 && *end != '\0')
        return -1;
    if (!(v > 0) || v > 30 * 24 * 3600.0)
        return -1;
    return (long long)(v * 1000 + 0.5);
}

void tt_cli_trace(void *user, const char *line)
{
    (void)user;
    fprintf(stderr, "%s\n", line);
}

static void on_signal(int sig)
{
    (void)sig;
    tt_cli_cancel = 1;
}

void tt_cli_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

int tt_cli_write_body(void *user, const unsigned char *data, size_t len,
                      tt_error *err)
{
    FILE *f = user;
    if (fwrite(data, 1, len, f) != len)
        return tt_error_set(err, TT_ERR_USAGE, TT_E_IO, NULL,
                            "cannot write the response body");
    return 0;
}

/* ---- options shared by the commands ------------------------------------- */

int tt_cli_is_opt(const char *a, const char *s, const char *l)
{
    return (s != NULL && strcmp(a, s) == 0) || (l != NULL && strcmp(a, l) == 0);
}

const char *tt_cli_opt_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

const char *tt_cli_full_url(const char *u, char *buf, size_t cap)
{
    if (strstr(u, "://") != NULL)
        return u;
    snprintf(buf, cap, "http://%s", u);
    return buf;
}

void tt_cli_common_init(tt_cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->connect_ms = TT_CONNECT_TIMEOUT_MS;
}

static int add_header(tt_cli_common *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    size_t nl, vl;
    char *name, *value;
    const char *v;

    if (colon == NULL || colon == arg)
        return tt_cli_usage_error("header '%s' is not 'Name: value'", arg);
    if (c->nheaders == TT_CLI_MAX_HEADERS)
        return tt_cli_usage_error("more than %d headers", TT_CLI_MAX_HEADERS);
    nl = (size_t)(colon - arg);
    v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    vl = strlen(v);
    if (nl + vl + 2 > sizeof c->header_store - c->header_used)
        return tt_cli_usage_error("headers too long");
    name = c->header_store + c->header_used;
    memcpy(name, arg, nl);
    name[nl] = '\0';
    value = name + nl + 1;
    memcpy(value, v, vl + 1);
    c->header_used += nl + vl + 2;
    c->headers[c->nheaders].name = name;
    c->headers[c->nheaders].value = value;
    c->nheaders++;
    return 0;
}

/* "host:port:addr" (addr may be a bracketed IPv6 literal) */
static int parse_resolve(tt_cli_common *c, const char *arg)
{
    const char *c1 = strchr(arg, ':'), *c2;
    char *end;
    unsigned long port;
    size_t alen;

    if (c1 == NULL || (size_t)(c1 - arg) >= sizeof c->resolve_host)
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
    if (alen == 0 || alen >= sizeof c->resolve_addr)
        return tt_cli_usage_error("--resolve: bad address");
    memcpy(c->resolve_host, arg, (size_t)(c1 - arg));
    c->resolve_host[c1 - arg] = '\0';
    memcpy(c->resolve_addr, c2, alen);
    c->resolve_addr[alen] = '\0';
    c->resolve_port = (unsigned)port;
    return 0;
}

int tt_cli_common_option(tt_cli_common *c, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *v;
    int t = tt_cli_tls_option(&c->tls, argc, argv, i);
    if (t != 0)
        return t;
    if (tt_cli_is_opt(a, "-v", "--verbose")) {
        c->verbose = 1;
        return 1;
    }
    if (tt_cli_is_opt(a, "-s", "--silent")) {
        c->silent = 1;
        return 1;
    }
    if (!tt_cli_is_opt(a, "-H", "--header") && !tt_cli_is_opt(a, NULL, "--connect-timeout") &&
        !tt_cli_is_opt(a, NULL, "--resolve"))
        return 0;
    if ((v = tt_cli_opt_value(argc, argv, i)) == NULL)
        return tt_cli_usage_error("option %s needs a value", a), -1;
    if (tt_cli_is_opt(a, "-H", "--header"))
        return add_header(c, v) == 0 ? 1 : -1;
    if (tt_cli_is_opt(a, NULL, "--resolve"))
        return parse_resolve(c, v) == 0 ? 1 : -1;
    if ((c->connect_ms = tt_cli_parse_seconds(v)) < 0)
        return tt_cli_usage_error("bad --connect-timeout '%s'", v), -1;
    return 1;
}

int tt_cli_common_setup(tt_cli_common *c, tt_client_config *cfg, int need_tls)
{
    cfg->connect_timeout_ms = c->connect_ms;
    cfg->cancel = &tt_cli_cancel;
    if (c->verbose) {
        cfg->log = tt_cli_trace;
        cfg->log_user = NULL;
    }
    if (c->resolve_host[0] != '\0') {
        cfg->resolve_host = c->resolve_host;
        cfg->resolve_port = (uint16_t)c->resolve_port;
        cfg->resolve_addr = c->resolve_addr;
    }
    return tt_cli_tls_setup(&c->tls, need_tls, cfg);
}
