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
