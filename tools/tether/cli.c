/* Shared pieces of the tether CLI. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "tether/timefmt.h"

#include <stdarg.h>
#include <stdlib.h>
#include <limits.h>
#include <errno.h>
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
    int64_t ms = tt_duration_ms(s);
    return ms <= 0 || ms > 30 * 24 * 3600 * 1000LL ? -1 : ms;
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

static const tt_cli_opt general[] = {
    { "help", 'h', TT_CLI_FLAG, NULL, 0, 0, NULL, "this text" },
    { "verbose", 'v', TT_CLI_FLAG, NULL, 0, 0, NULL,
      "trace the exchange to stderr (secrets masked)" },
};
const tt_cli_group tt_cli_general_opts = TT_CLI_GROUP("Common options", general);

static const tt_cli_opt silent[] = {
    { "silent", 's', TT_CLI_FLAG, NULL, 0, 0, NULL, "no error message (the exit code remains)" },
};
const tt_cli_group tt_cli_silent_opts = TT_CLI_GROUP(NULL, silent);

static const tt_cli_opt connect_opts[] = {
    { "connect-timeout", 0, TT_CLI_SECONDS, "S", 0, 0, NULL,
      "connect timeout in seconds (default 10; name resolution counts)" },
    { "dns-servers", 0, TT_CLI_TEXT, "A[:P],..", 0, 0, NULL,
      "name servers to ask instead of /etc/resolv.conf's (up to 3)" },
};
const tt_cli_group tt_cli_connect_opts = TT_CLI_GROUP(NULL, connect_opts);

static const tt_cli_opt request_opts[] = {
    { "header", 'H', TT_CLI_TEXT, "'Name: v'", 0, 0, NULL, "add a request header (repeatable)" },
    { "resolve", 0, TT_CLI_TEXT, "H:P:ADDR", 0, 0, NULL,
      "connect to ADDR for host H port P (no DNS)" },
};
const tt_cli_group tt_cli_request_opts = TT_CLI_GROUP(NULL, request_opts);

static const tt_cli_opt config_opts[] = {
    { "config", 0, TT_CLI_FILE, "FILE", 0, 0, NULL,
      "settings as 'key = value' lines ('#' comments); keys are\n"
      "the option names with '_' for '-' (long_timeout)" },
};
const tt_cli_group tt_cli_config_opts = TT_CLI_GROUP(NULL, config_opts);

const char *tt_cli_full_url(const char *u, char *buf, size_t cap)
{
    if (strstr(u, "://") != NULL)
        return u;
    snprintf(buf, cap, "http://%s", u);
    return buf;
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

int tt_cli_common_read(tt_cli_common *c, const tt_cli_args *a)
{
    const char *v;
    size_t i;
    memset(c, 0, sizeof *c);
    c->verbose = tt_cli_arg(a, "verbose") != NULL;
    c->silent = tt_cli_arg(a, "silent") != NULL;
    c->connect_ms = TT_CONNECT_TIMEOUT_MS;
    if ((v = tt_cli_arg(a, "connect-timeout")) != NULL)
        c->connect_ms = tt_cli_parse_seconds(v);
    for (i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], "header") == 0 && add_header(c, a->values[i]) != 0)
            return TT_EXIT_USAGE;
    if ((v = tt_cli_arg(a, "resolve")) != NULL && parse_resolve(c, v) != 0)
        return TT_EXIT_USAGE;
    if ((v = tt_cli_arg(a, "dns-servers")) != NULL) {
        if (tt_port_posix_check_dns_servers(v) != 0)
            return tt_cli_usage_error("--dns-servers: '%s' is not up to 3 ADDR[:PORT] "
                                      "separated by commas ([ADDR6]:PORT)", v);
        c->port_cfg.dns_servers = v;
    }
    tt_cli_tls_read(&c->tls, a);
    return 0;
}

void tt_cli_port_init(const tt_cli_common *c, tt_port *port)
{
    tt_port_posix_init_config(port, &c->port_cfg);
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

/* ---- protocol command settings -------------------------------------------- */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int tt_cli_conf_load(tt_cli_conf *conf, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    int lineno = 0;
    if (f == NULL) {
        fprintf(stderr, "tether: cannot read config file %s\n", path);
        return TT_EXIT_USAGE;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *eq, *k, *v;
        size_t kl, vl;
        lineno++;
        k = trim(line);
        if (*k == '#' || *k == '\0')
            continue;
        eq = strchr(k, '=');
        if (eq == NULL) {
            fclose(f);
            return tt_cli_usage_error("%s:%d: not 'key = value'", path, lineno);
        }
        *eq = '\0';
        k = trim(k);
        v = trim(eq + 1);
        kl = strlen(k);
        vl = strlen(v);
        if (conf->n == 64 || kl + vl + 2 > sizeof conf->store - conf->used) {
            fclose(f);
            return tt_cli_usage_error("%s: too many settings", path);
        }
        conf->keys[conf->n] = memcpy(conf->store + conf->used, k, kl + 1);
        conf->used += kl + 1;
        conf->values[conf->n] = memcpy(conf->store + conf->used, v, vl + 1);
        conf->used += vl + 1;
        conf->n++;
    }
    fclose(f);
    return 0;
}

const char *tt_cli_setting(const tt_cli_conf *conf, const char *flag, const char *key,
                           const char *env, const char *def)
{
    const char *e;
    size_t i;
    if (flag != NULL)
        return flag;
    if (env != NULL && (e = getenv(env)) != NULL && e[0] != '\0')
        return e;
    for (i = conf != NULL ? conf->n : 0; i > 0; i--)
        if (strcmp(conf->keys[i - 1], key) == 0)
            return conf->values[i - 1];
    return def;
}

int tt_cli_print_json(const char *json, size_t len)
{
    if (fwrite(json, 1, len, stdout) != len || fputc('\n', stdout) == EOF ||
        fflush(stdout) != 0) {
        fprintf(stderr, "tether: cannot write to stdout\n");
        return TT_EXIT_LOCAL;
    }
    return 0;
}

int tt_cli_print_writer(tt_json_writer *w)
{
    tt_error e;
    size_t n;
    if (tt_jw_finish(w, &n, &e) != 0)
        return tt_cli_fail(&e);
    return tt_cli_print_json(w->text.buf, n);
}

int tt_cli_print_record(const tt_json_field *root, const void *rec, char *buf, size_t cap)
{
    tt_json_writer w;
    tt_jw_init(&w, buf, cap);
    tt_jw_record(&w, root, rec);
    return tt_cli_print_writer(&w);
}

/* ---- protocol command arguments ---------------------------------------------- */

int tt_cli_one_url(const tt_cli_args *a, const char **url)
{
    if (a->npos > 1)
        return tt_cli_usage_error("more than one URL");
    if (a->npos == 0)
        return tt_cli_usage_error("no URL given");
    *url = a->pos[0];
    return 0;
}

const char *tt_cli_arg(const tt_cli_args *a, const char *name)
{
    size_t i;
    for (i = a->nopts; i > 0; i--)
        if (strcmp(a->names[i - 1], name) == 0)
            return a->values[i - 1];
    return NULL;
}

size_t tt_cli_arg_all(const tt_cli_args *a, const char *name, const char **out, size_t max)
{
    size_t i, n = 0;
    for (i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], name) == 0) {
            if (n < max)
                out[n] = a->values[i];
            n++;
        }
    return n;
}

long tt_cli_arg_long(const tt_cli_args *a, const char *name, long def)
{
    const char *v = tt_cli_arg(a, name);
    long n;
    return v != NULL && tt_cli_parse_long(v, LONG_MIN, LONG_MAX, &n) == 0 ? n : def;
}

/* ---- protocol command scaffolding ----------------------------------------------- */

int tt_cli_proto_begin(const tt_cli_args *a, tt_cli_conf *conf)
{
    const char *config = tt_cli_arg(a, "config");
    int rc;
    if (a->npos == 0 && a->nopts == 0) {
        tt_cli_help(NULL, a->cmd, stderr);
        return TT_EXIT_USAGE;
    }
    if (a->npos == 0)
        return tt_cli_usage_error("no %s command", a->cmd->name);
    if (config != NULL && (rc = tt_cli_conf_load(conf, config)) != 0)
        return rc;
    tt_cli_signals();
    return -1;
}

int tt_cli_setting_ms(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                      const char *key, const char *env, int64_t *ms)
{
    const char *v = tt_cli_setting(conf, tt_cli_arg(a, name), key, env, NULL);
    long long t;
    if (v == NULL)
        return 0;
    if ((t = tt_cli_parse_seconds(v)) < 0)
        return tt_cli_usage_error("bad --%s '%s'", name, v);
    *ms = t;
    return 0;
}

int tt_cli_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long n;
    errno = 0;
    n = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

int tt_cli_setting_int(const tt_cli_conf *conf, const tt_cli_args *a, const char *name,
                       const char *key, const char *env, int *out)
{
    const char *v = tt_cli_setting(conf, tt_cli_arg(a, name), key, env, NULL);
    const tt_cli_opt *o = tt_cli_find(a->cmd, name);
    long n;
    if (v == NULL)
        return 0;
    if (tt_cli_parse_long(v, o->lo, o->hi, &n) != 0)
        return tt_cli_usage_error("bad --%s '%s' (%ld..%ld)", name, v, o->lo, o->hi);
    *out = (int)n;
    return 0;
}

void tt_cli_attach(tt_client *c, const tt_cli_args *a)
{
    c->cfg.cancel = &tt_cli_cancel;
    if (a->common.verbose)
        c->cfg.log = tt_cli_trace;
}
