/* Shared pieces of the tether CLI. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <ctype.h>
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

/* ---- protocol command arguments ---------------------------------------------- */

static int is_switch(const char *switches, const char *name)
{
    const char *p = switches;
    size_t n = strlen(name);
    while (p != NULL && (p = strstr(p, name)) != NULL) {
        if ((p == switches || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

int tt_cli_args_parse(tt_cli_args *a, int argc, char **argv, const char *switches)
{
    int i;
    memset(a, 0, sizeof *a);
    tt_cli_common_init(&a->common);
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int t = tt_cli_common_option(&a->common, argc, argv, &i);
        if (t < 0)
            return TT_EXIT_USAGE;
        if (t > 0)
            continue;
        if (arg[0] == '-' && arg[1] != '-' && arg[1] != '\0' && arg[2] == '\0' &&
            strchr("o", arg[1]) != NULL) {
            /* the few one-letter spellings: -o FILE */
            if (a->nopts == 48 || i + 1 >= argc)
                return tt_cli_usage_error("option %s needs a value", arg);
            a->names[a->nopts] = arg + 1;
            a->values[a->nopts++] = argv[++i];
            continue;
        }
        if (arg[0] != '-' || arg[1] != '-') {
            if (arg[0] == '-' && arg[1] != '\0')
                return tt_cli_usage_error("unknown option %s", arg);
            if (a->npos == 8)
                return tt_cli_usage_error("too many arguments");
            a->pos[a->npos++] = arg;
            continue;
        }
        if (a->nopts == 48)
            return tt_cli_usage_error("too many options");
        a->names[a->nopts] = arg + 2;
        if (is_switch(switches, arg + 2)) {
            a->values[a->nopts++] = "1";
            continue;
        }
        if (i + 1 >= argc)
            return tt_cli_usage_error("option %s needs a value", arg);
        a->values[a->nopts++] = argv[++i];
        if (strcmp(arg, "--config") == 0)
            a->config = argv[i];
    }
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
        if (strcmp(a->names[i], name) == 0 && n < max)
            out[n++] = a->values[i];
    return n;
}

int tt_cli_arg_int(const tt_cli_args *a, const char *name, long long def, long long *out)
{
    const char *v = tt_cli_arg(a, name);
    char *end;
    if (v == NULL) {
        *out = def;
        return 0;
    }
    *out = strtoll(v, &end, 10);
    if (*v == '\0' || *end != '\0')
        return tt_cli_usage_error("--%s wants a whole number, not '%s'", name, v), -1;
    return 0;
}

/* ---- protocol command scaffolding ----------------------------------------------- */

/* Whether the help text names --name (not as the start of a longer one):
 * the help is the one list of a command's options, so a misspelt option
 * is refused instead of silently falling back to a default. */
static int help_names(const char *usage, const char *name)
{
    size_t n = strlen(name);
    const char *p = usage;
    while ((p = strstr(p, "--")) != NULL) {
        p += 2;
        if (strncmp(p, name, n) == 0 && !(isalnum((unsigned char)p[n]) || p[n] == '-'))
            return 1;
    }
    return 0;
}

static int check_known(const tt_cli_args *a, const char *usage, const char *group)
{
    size_t i;
    for (i = 0; i < a->nopts; i++)
        if (strcmp(a->names[i], "o") != 0 && strcmp(a->names[i], "config") != 0 &&
            !help_names(usage, a->names[i]))
            return tt_cli_usage_error("unknown option --%s for 'tether %s'",
                                      a->names[i], group);
    return 0;
}

int tt_cli_proto_begin(int argc, char **argv, const char *usage, const char *switches,
                       const char *group, tt_cli_args *a, tt_cli_conf *conf)
{
    int rc;
    if (argc < 2 || tt_cli_is_opt(argv[1], "-h", "--help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? TT_EXIT_USAGE : 0;
    }
    if ((rc = tt_cli_args_parse(a, argc, argv, switches)) != 0 ||
        (rc = check_known(a, usage, group)) != 0)
        return rc;
    if (a->npos == 0)
        return tt_cli_usage_error("no %s command", group);
    if (a->config != NULL && (rc = tt_cli_conf_load(conf, a->config)) != 0)
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
                       const char *key, const char *env, long lo, long hi, int *out)
{
    const char *v = tt_cli_setting(conf, tt_cli_arg(a, name), key, env, NULL);
    long n;
    if (v == NULL)
        return 0;
    if (tt_cli_parse_long(v, lo, hi, &n) != 0)
        return tt_cli_usage_error("bad --%s '%s' (%ld..%ld)", name, v, lo, hi);
    *out = (int)n;
    return 0;
}

void tt_cli_attach(tt_client *c, const tt_cli_args *a)
{
    c->cfg.cancel = &tt_cli_cancel;
    if (a->common.verbose)
        c->cfg.log = tt_cli_trace;
}
